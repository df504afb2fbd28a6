//! `github.webhook`: GitHub webhook payloads for `workflow_run`, `workflow_job`, `deployment`
//! and `deployment_status` (one payload per file, an array of payloads, or one per line as a
//! delivery log keeps them).
//!
//! The payload is delivered when the thing happens, so the event time follows the `action`:
//! * `workflow_run` `requested` / `in_progress`: the run's start (`run_started_at`, else
//!   `created_at`); `completed`: `updated_at` (`Workflow Run Completed`, medium: GitHub sets it
//!   when the run completes but later changes can move it).
//! * `workflow_job` `queued`: `created_at`; `in_progress`: `started_at`; `completed`:
//!   `completed_at` (`Workflow Job Completed`, exact).
//! * `deployment` `created`: the deployment's `created_at`; `deployment_status` `created`: the
//!   status' `created_at`.
//!
//! A payload of any other event type (push, issues, check_run…) is skipped with its reason:
//! it is a webhook, just not a deploy one.

use serde::Deserialize;
use tplus_model::{Family, Parser, RecordSink, Sniff};

use crate::common::{for_each_record, has, st, top_keys, GhUser};
use crate::gha::{job_event, run_event, Job, Repo, Run, RunMoment};
use crate::ghdeploy::{deployment_event, status_event, Deployment, Status};

#[derive(Debug, Deserialize)]
struct Payload {
    action: Option<String>,
    workflow_run: Option<Run>,
    workflow_job: Option<Job>,
    deployment: Option<Deployment>,
    deployment_status: Option<Status>,
    repository: Option<Repo>,
    sender: Option<GhUser>,
}

/// The event kinds read, in precedence order (a `deployment_status` payload also carries its
/// `deployment` and often the `workflow_run` that made it).
const KINDS: [&str; 4] = [
    "deployment_status",
    "deployment",
    "workflow_job",
    "workflow_run",
];

/// `github.webhook`: GitHub webhook payloads.
#[derive(Debug, Default, Clone, Copy)]
pub struct GithubWebhooks;

impl Parser for GithubWebhooks {
    fn id(&self) -> &'static str {
        "github.webhook"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "GitHub webhook payloads: workflow_run, workflow_job, deployment, deployment_status (others skipped)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let k = crate::common::first_record_keys(head, &[]);
        let k = if k.is_empty() { top_keys(head) } else { k };
        if !has(&k, "sender") {
            return Sniff::NO;
        }
        if KINDS.iter().any(|x| has(&k, x)) {
            Sniff::CERTAIN
        } else if has(&k, "repository") || has(&k, "organization") || has(&k, "installation") {
            Sniff::WEAK
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(data, &[], sink, |bytes, at, sink| {
            let p = match serde_json::from_slice::<Payload>(bytes) {
                Ok(p) => p,
                Err(e) => return sink.error(at, format!("GitHub webhook payload: {e}")),
            };
            let repo = p.repository.as_ref().and_then(|r| st(&r.full_name));
            let sender = p.sender.as_ref();
            let action = st(&p.action).unwrap_or_default();
            let res = if let Some(s) = &p.deployment_status {
                status_event(s, self.id(), at, p.deployment.as_ref(), repo, sender)
            } else if let Some(d) = &p.deployment {
                if !matches!(action, "" | "created") {
                    // deployment_protection_rule and similar payloads carry the deployment too.
                    return sink.skipped(at, "GitHub webhook about a deployment that is not its creation (deployment_protection_rule...)");
                }
                deployment_event(d, self.id(), at, repo, sender, None)
            } else if let Some(j) = &p.workflow_job {
                let m = if action == "completed" {
                    RunMoment::Completion
                } else {
                    RunMoment::Start
                };
                job_event(j, self.id(), at, m, sender, repo)
            } else if let Some(r) = &p.workflow_run {
                let m = if action == "completed" {
                    RunMoment::Completion
                } else {
                    RunMoment::Start
                };
                run_event(r, self.id(), at, m)
            } else if p.sender.is_some() {
                return sink.skipped(at, "GitHub webhook of an event type without deploy meaning (not workflow_run, workflow_job, deployment or deployment_status)");
            } else {
                return sink.error(at, "not a GitHub webhook payload: no `sender` and no workflow_run, workflow_job, deployment or deployment_status".to_owned());
            };
            match res {
                Ok(mut e) => {
                    if !action.is_empty() {
                        e.attributes.insert("webhook_action", action.into());
                    }
                    if e.actor.is_none() {
                        if let Some(l) = sender.and_then(|u| st(&u.login)) {
                            e.actor = Some(l.into());
                            e.actor_kind = sender.map(GhUser::actor_kind).unwrap_or_default();
                        }
                    }
                    sink.event(e);
                }
                Err(m) => sink.error(at, m),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::{collect, Outcome, Tag};

    #[test]
    fn completed_runs_take_their_completion_and_unknown_types_are_skipped() {
        let doc = r#"{"action":"completed","workflow_run":{"id":7,"run_number":3,"run_attempt":1,"workflow_id":2,"name":"Deploy","path":".github/workflows/deploy.yml",
            "status":"completed","conclusion":"success","event":"push","created_at":"2025-03-01T10:00:00Z","run_started_at":"2025-03-01T10:00:02Z",
            "updated_at":"2025-03-01T10:04:00Z","actor":{"login":"alice","type":"User"}},"repository":{"full_name":"acme/api"},"sender":{"login":"alice","type":"User"}}
{"action":"opened","issue":{"id":1},"repository":{"full_name":"acme/api"},"sender":{"login":"bob","type":"User"}}
{"zen":"Design for failure."}"#;
        let p = GithubWebhooks;
        assert_eq!(p.sniff(doc.as_bytes()), Sniff::CERTAIN);
        let c = collect(&p, doc.as_bytes());
        assert_eq!(
            (c.records(), c.events.len(), c.skipped, c.errors),
            (3, 1, 1, 1)
        );
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2025-03-01T10:04:00Z");
        assert_eq!(e.timestamp_desc, "Workflow Run Completed");
        assert_eq!(e.outcome, Outcome::Success);
        assert!(e.has_tag(Tag::DeploySucceeded));
        assert_eq!(e.attributes["webhook_action"], "completed");
    }

    #[test]
    fn a_status_payload_is_the_status_not_the_deployment() {
        let doc = r#"{"action":"created","deployment_status":{"id":5,"state":"success","created_at":"2025-03-01T10:05:00Z","environment":"prod"},
          "deployment":{"id":4,"sha":"abcdef0123","ref":"main","environment":"prod","created_at":"2025-03-01T10:00:00Z"},
          "repository":{"full_name":"acme/api"},"sender":{"login":"deployer[bot]","type":"Bot"}}"#;
        let c = collect(&GithubWebhooks, doc.as_bytes());
        assert_eq!(c.events.len(), 1);
        let e = &c.events[0];
        assert_eq!(e.event_id.as_deref(), Some("deployment_status:5"));
        assert_eq!(e.attributes["commit"], "abcdef0123");
        assert_eq!(e.actor.as_deref(), Some("deployer[bot]"));
        assert_eq!(e.actor_kind, tplus_model::ActorKind::Automation);
    }
}
