//! GitHub deployments and deployment statuses from the REST API.
//!
//! * `github.deployment`: `GET /repos/{o}/{r}/deployments` (an array) or one deployment. Time =
//!   `created_at` (`Deployment Created`: when the deployment was requested; GitHub records no
//!   start or end on the deployment itself), actor = `creator`, one event per deployment, tagged
//!   [`Tag::DeployStarted`]. Rollback (heuristic, medium confidence): a deployment to an
//!   environment whose `sha` equals the one of an earlier deployment (by `created_at`) to the same
//!   environment, with a different deployment in between.
//! * `github.deployment_status`: `GET …/deployments/{id}/statuses` (an array) or one status. Time
//!   = status `created_at` (`Deployment Status Created`: when the deploy reached that state),
//!   outcome from `state`.

use std::collections::HashMap;

use serde::Deserialize;
use tplus_model::{Confidence, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag};

use crate::common::{
    bounded, first_record_keys, for_each_record, has, sc, short_sha, st, stamp, top_keys, GhUser,
    Scalar,
};
use crate::gha::repo_from_url;

/// A deployment (REST or inside a webhook payload).
#[derive(Debug, Deserialize)]
pub(crate) struct Deployment {
    pub id: Option<Scalar>,
    pub sha: Option<String>,
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    pub task: Option<String>,
    pub environment: Option<String>,
    pub original_environment: Option<String>,
    pub description: Option<String>,
    pub creator: Option<GhUser>,
    pub created_at: Option<String>,
    pub url: Option<String>,
    pub production_environment: Option<bool>,
    pub transient_environment: Option<bool>,
    pub performed_via_github_app: Option<App>,
}

/// A GitHub App reference.
#[derive(Debug, Deserialize)]
pub(crate) struct App {
    pub name: Option<String>,
}

/// A deployment status (REST or inside a webhook payload).
#[derive(Debug, Deserialize)]
pub(crate) struct Status {
    pub id: Option<Scalar>,
    pub state: Option<String>,
    pub creator: Option<GhUser>,
    pub description: Option<String>,
    pub environment: Option<String>,
    pub target_url: Option<String>,
    pub log_url: Option<String>,
    pub environment_url: Option<String>,
    pub created_at: Option<String>,
    pub deployment_url: Option<String>,
    pub url: Option<String>,
}

/// Maps a deployment; `repo` and `sender` come from a webhook envelope when there is one.
pub(crate) fn deployment_event(
    d: &Deployment,
    source: &'static str,
    at: Location,
    repo: Option<&str>,
    sender: Option<&GhUser>,
    rollback_of: Option<&str>,
) -> Result<Event, String> {
    if d.id.is_none() || (d.sha.is_none() && d.environment.is_none()) {
        return Err("not a deployment: no `id` with `sha` or `environment`".to_owned());
    }
    let when = stamp("created_at", st(&d.created_at))?.ok_or("deployment without `created_at`")?;
    let repo = repo
        .map(str::to_owned)
        .or_else(|| st(&d.url).and_then(repo_from_url));
    let env = st(&d.environment);
    let who = d
        .creator
        .as_ref()
        .filter(|u| st(&u.login).is_some())
        .or(sender);
    let actor = who.and_then(|u| st(&u.login));
    let mut kind = who.map(GhUser::actor_kind).unwrap_or_default();
    let app = d
        .performed_via_github_app
        .as_ref()
        .and_then(|a| st(&a.name));
    if app.is_some() {
        kind = tplus_model::ActorKind::Automation;
    }
    let id = sc(&d.id).unwrap_or_default();
    let mut msg = format!("Deployment {id}");
    if let Some(t) = st(&d.task).filter(|t| *t != "deploy") {
        msg.push_str(&format!(" ({t})"));
    }
    if let Some(r) = st(&d.git_ref) {
        msg.push_str(&format!(" of {r}"));
    }
    if let Some(s) = st(&d.sha) {
        if st(&d.git_ref) != Some(s) {
            msg.push_str(&format!(" @ {}", short_sha(s)));
        }
    }
    if let Some(e) = env {
        msg.push_str(&format!(" to {e}"));
    }
    if let Some(r) = &repo {
        msg.push_str(&format!(" in {r}"));
    }
    if let Some(a) = actor {
        msg.push_str(&format!(" by {a}"));
    }
    if let Some(a) = app {
        msg.push_str(&format!(" via {a}"));
    }
    if let Some(desc) = st(&d.description) {
        msg.push_str(&format!(": {}", crate::common::first_line(desc)));
    }
    if let Some(prev) = rollback_of {
        msg.push_str(&format!(
            " (redeploys {} deployed earlier: rollback?)",
            short_sha(prev)
        ));
    }
    let target = match (&repo, env) {
        (Some(r), Some(e)) => Some(format!("{r}:{e}")),
        (r, e) => r.clone().or(e.map(str::to_owned)),
    };
    let mut b = Event::builder(source, when.value, when.raw)
        .desc("Deployment Created")
        .message(bounded(&msg))
        .actor(actor, kind)
        .action("github.deployment")
        .target(target)
        .event_id(Some(format!("deployment:{id}")))
        .at(at)
        .tag(Tag::DeployStarted)
        .significance(55);
    for (k, v) in [
        ("deployment_id", Some(id)),
        ("repository", repo.as_deref()),
        ("environment", env),
        ("original_environment", st(&d.original_environment)),
        ("commit", st(&d.sha)),
        ("sha", st(&d.sha)),
        ("ref", st(&d.git_ref)),
        ("task", st(&d.task)),
        ("github_app", app),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    if let Some(desc) = st(&d.description) {
        b = b.attr("description", bounded(desc));
    }
    if let Some(p) = d.production_environment {
        b = b.attr("production_environment", p);
    }
    if let Some(t) = d.transient_environment {
        b = b.attr("transient_environment", t);
    }
    if rollback_of.is_some() {
        b = b.tag(Tag::Rollback).significance(70).lower(
            Confidence::Medium,
            "rollback inferred: this commit was deployed to the same environment before another one",
        );
    }
    Ok(b.build())
}

/// Outcome of a deployment status `state`.
fn state_outcome(s: Option<&str>) -> Outcome {
    match s {
        Some("success") => Outcome::Success,
        Some("failure" | "error") => Outcome::Failure,
        _ => Outcome::Unknown,
    }
}

/// Maps a deployment status; `deployment` comes from a webhook envelope when there is one.
pub(crate) fn status_event(
    s: &Status,
    source: &'static str,
    at: Location,
    deployment: Option<&Deployment>,
    repo: Option<&str>,
    sender: Option<&GhUser>,
) -> Result<Event, String> {
    if s.id.is_none() || s.state.is_none() {
        return Err("not a deployment status: no `id` with `state`".to_owned());
    }
    let when =
        stamp("created_at", st(&s.created_at))?.ok_or("deployment status without `created_at`")?;
    let repo = repo
        .map(str::to_owned)
        .or_else(|| st(&s.deployment_url).and_then(repo_from_url))
        .or_else(|| st(&s.url).and_then(repo_from_url));
    let dep_id = deployment
        .and_then(|d| sc(&d.id).map(str::to_owned))
        .or_else(|| {
            st(&s.deployment_url)
                .and_then(|u| u.rsplit('/').next())
                .map(str::to_owned)
        });
    let env = st(&s.environment).or_else(|| deployment.and_then(|d| st(&d.environment)));
    let state = st(&s.state).unwrap_or_default();
    let who = s
        .creator
        .as_ref()
        .filter(|u| st(&u.login).is_some())
        .or(sender);
    let actor = who.and_then(|u| st(&u.login));
    let id = sc(&s.id).unwrap_or_default();
    let sha = deployment.and_then(|d| st(&d.sha));
    let mut msg = format!(
        "Deployment {} status {state}",
        dep_id.as_deref().unwrap_or("?")
    );
    if let Some(e) = env {
        msg.push_str(&format!(" in {e}"));
    }
    if let Some(r) = &repo {
        msg.push_str(&format!(" ({r}"));
        if let Some(s) = sha {
            msg.push_str(&format!(" @ {}", short_sha(s)));
        }
        msg.push(')');
    }
    if let Some(a) = actor {
        msg.push_str(&format!(" by {a}"));
    }
    if let Some(d) = st(&s.description) {
        msg.push_str(&format!(": {}", crate::common::first_line(d)));
    }
    let target = match (&repo, env) {
        (Some(r), Some(e)) => Some(format!("{r}:{e}")),
        (r, e) => r.clone().or(e.map(str::to_owned)),
    };
    let mut b = Event::builder(source, when.value, when.raw)
        .desc("Deployment Status Created")
        .message(bounded(&msg))
        .actor(actor, who.map(GhUser::actor_kind).unwrap_or_default())
        .action(format!("github.deployment_status.{state}"))
        .target(target)
        .outcome(state_outcome(Some(state)))
        .event_id(Some(format!("deployment_status:{id}")))
        .at(at);
    let (tag, sig) = match state {
        "success" => (Some(Tag::DeploySucceeded), 55),
        "failure" | "error" => (Some(Tag::DeployFailed), 65),
        "in_progress" => (Some(Tag::DeployStarted), 35),
        _ => (None, 25),
    };
    if let Some(t) = tag {
        b = b.tag(t);
    }
    b = b.significance(sig);
    for (k, v) in [
        ("state", Some(state)),
        ("deployment_id", dep_id.as_deref()),
        ("repository", repo.as_deref()),
        ("environment", env),
        ("commit", sha),
        ("ref", deployment.and_then(|d| st(&d.git_ref))),
        ("log_url", st(&s.log_url).or(st(&s.target_url))),
        ("environment_url", st(&s.environment_url)),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    if let Some(d) = st(&s.description) {
        b = b.attr("description", bounded(d));
    }
    Ok(b.build())
}

/// `github.deployment`: deployments from the REST API.
#[derive(Debug, Default, Clone, Copy)]
pub struct Deployments;

impl Parser for Deployments {
    fn id(&self) -> &'static str {
        "github.deployment"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "GitHub deployments (REST list or single deployment)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if has(&top_keys(head), "sender") {
            return Sniff::NO;
        }
        let k = first_record_keys(head, &[]);
        let n = [
            "sha",
            "ref",
            "task",
            "environment",
            "creator",
            "original_environment",
        ]
        .iter()
        .filter(|x| has(&k, x))
        .count();
        if n >= 5 && has(&k, "task") {
            Sniff::CERTAIN
        } else if n >= 4 {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        // Read every deployment first: rollbacks are found in time order, and REST lists are
        // newest first.
        let mut recs: Vec<(Location, Result<Deployment, String>)> = Vec::new();
        let mut framing = crate::common::Deferred::default();
        for_each_record(data, &[], &mut framing, |bytes, at, _| {
            recs.push((
                at,
                serde_json::from_slice::<Deployment>(bytes).map_err(|e| format!("deployment: {e}")),
            ));
        });
        let rollbacks = find_rollbacks(&recs);
        let mut framing_errors = framing.errors.into_iter().peekable();
        for (i, (at, r)) in recs.iter().enumerate() {
            while framing_errors
                .peek()
                .is_some_and(|(l, _)| l.record < at.record)
            {
                if let Some((l, m)) = framing_errors.next() {
                    sink.error(l, m);
                }
            }
            let rb = rollbacks.get(&i).map(String::as_str);
            match r
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|d| deployment_event(d, self.id(), *at, None, None, rb))
            {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(*at, m),
            }
        }
        for (l, m) in framing_errors {
            sink.error(l, m);
        }
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

/// Indexes (into `recs`) of deployments that redeploy a commit an earlier deployment to the
/// same environment had, with another commit deployed in between; value = that commit.
fn find_rollbacks(recs: &[(Location, Result<Deployment, String>)]) -> HashMap<usize, String> {
    let items = recs
        .iter()
        .enumerate()
        .filter_map(|(i, (_, r))| {
            let d = r.as_ref().ok()?;
            let t = tplus_model::time::parse_instant(st(&d.created_at)?).ok()?;
            Some((t, i, st(&d.environment)?, st(&d.sha)?))
        })
        .collect();
    crate::common::redeployed(items)
}

/// `github.deployment_status`: deployment statuses from the REST API.
#[derive(Debug, Default, Clone, Copy)]
pub struct DeploymentStatuses;

impl Parser for DeploymentStatuses {
    fn id(&self) -> &'static str {
        "github.deployment_status"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "GitHub deployment statuses (REST list or single status)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if has(&top_keys(head), "sender") {
            return Sniff::NO;
        }
        let k = first_record_keys(head, &[]);
        if has(&k, "state") && has(&k, "deployment_url") {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(
            data,
            &[],
            sink,
            |bytes, at, sink| match serde_json::from_slice::<Status>(bytes)
                .map_err(|e| format!("deployment status: {e}"))
                .and_then(|s| status_event(&s, "github.deployment_status", at, None, None, None))
            {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(at, m),
            },
        );
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn deployments_and_a_redeployed_commit() {
        // Newest first, as the API lists them.
        let doc = r#"[
          {"id":3,"sha":"aaa1111","ref":"main","task":"deploy","environment":"prod","creator":{"login":"deploy-bot[bot]","type":"Bot"},"created_at":"2025-03-01T12:00:00Z","url":"https://api.github.com/repos/acme/api/deployments/3"},
          {"id":2,"sha":"bbb2222","ref":"main","task":"deploy","environment":"prod","creator":{"login":"alice","type":"User"},"created_at":"2025-03-01T11:00:00Z"},
          {"id":1,"sha":"aaa1111","ref":"main","task":"deploy","environment":"prod","creator":{"login":"alice","type":"User"},"created_at":"2025-03-01T10:00:00Z"},
          {"id":0,"sha":"x","environment":"prod"}
        ]"#;
        assert_eq!(Deployments.sniff(doc.as_bytes()), Sniff::CERTAIN);
        assert_eq!(DeploymentStatuses.sniff(doc.as_bytes()), Sniff::NO);
        let c = collect(&Deployments, doc.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (4, 3, 1));
        assert_eq!(c.error_samples[0].0.record, Some(3));
        let e = &c.events[0];
        assert!(e.has_tag(Tag::Rollback) && e.has_tag(Tag::DeployStarted));
        assert_eq!(e.actor_kind, tplus_model::ActorKind::Automation);
        assert_eq!(e.target.as_deref(), Some("acme/api:prod"));
        assert_eq!(e.event_id.as_deref(), Some("deployment:3"));
        assert!(!c.events[1].has_tag(Tag::Rollback) && !c.events[2].has_tag(Tag::Rollback));
    }

    #[test]
    fn statuses_carry_the_outcome() {
        let doc = r#"[{"id":9,"state":"failure","creator":{"login":"alice","type":"User"},"environment":"prod","created_at":"2025-03-01T10:05:00Z",
          "deployment_url":"https://api.github.com/repos/acme/api/deployments/1","log_url":"https://ci/1"},
          {"id":8,"state":"in_progress","created_at":"2025-03-01T10:01:00Z","deployment_url":"https://api.github.com/repos/acme/api/deployments/1"}]"#;
        assert_eq!(DeploymentStatuses.sniff(doc.as_bytes()), Sniff::CERTAIN);
        let c = collect(&DeploymentStatuses, doc.as_bytes());
        assert_eq!(c.events.len(), 2);
        let e = &c.events[0];
        assert_eq!(e.outcome, Outcome::Failure);
        assert!(e.has_tag(Tag::DeployFailed));
        assert_eq!(e.attributes["deployment_id"], "1");
        assert_eq!(e.target.as_deref(), Some("acme/api:prod"));
        assert!(c.events[1].has_tag(Tag::DeployStarted));
    }
}
