//! GitLab pipelines, jobs and deployments.
//!
//! * `gitlab.webhook`: webhook payloads told apart by `object_kind`: `pipeline`, `build` (job
//!   events) and `deployment`. A payload of another kind (push, merge_request, note…) is skipped
//!   with its reason. The time follows the status the payload announces: a finished pipeline
//!   or job is placed at `finished_at` (`Pipeline Finished`, `Job Finished`), a running job at
//!   `started_at`, anything else at `created_at`; a deployment at `status_changed_at`
//!   (`Deployment Status Changed`).
//! * `gitlab.api`: the REST list responses (`GET /projects/:id/pipelines`, `…/jobs`,
//!   `…/deployments`, or one object of them). Each element is one event at its start
//!   (`started_at`, else `created_at`); `finished_at`/`updated_at` and the status are
//!   attributes, like GitHub runs.
//!
//! GitLab writes times three ways: `2016-08-12 15:23:28 UTC`, `2021-04-28 21:50:00 +0200`
//! and ISO 8601 `2021-02-23T02:41:37.886Z`; all three carry their zone and are read exactly,
//! with `ts_raw` as written.

use serde_json::Value;
use tplus_model::{
    time, ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag, TimeValue,
};

use crate::common::{
    bounded, first_line, first_record_keys, for_each_record, has, names_deploy, names_rollback,
    short_sha, top_keys,
};

/// Parses the three GitLab time styles.
pub(crate) fn gitlab_time(raw: &str) -> Result<TimeValue, String> {
    let t = raw.trim();
    let norm = if let Some(s) = t.strip_suffix(" UTC") {
        format!("{s}Z")
    } else if t.len() > 6
        && matches!(t.as_bytes().get(t.len() - 6), Some(b' '))
        && matches!(t.as_bytes().get(t.len() - 5), Some(b'+' | b'-'))
    {
        format!("{}{}", &t[..t.len() - 6], &t[t.len() - 5..])
    } else {
        t.to_owned()
    };
    time::parse_timestamp(&norm).map_err(|e| e.to_string())
}

fn s<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path)
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
}

fn id(v: &Value, path: &str) -> Option<String> {
    match v.pointer(path)? {
        Value::String(x) if !x.is_empty() => Some(x.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Actor kind from what GitLab says: project/group access-token users are bots
/// (`project_<id>_bot…`, `group_<id>_bot…`), and a scheduled pipeline runs on its own.
fn gitlab_actor_kind(username: Option<&str>, source: Option<&str>) -> ActorKind {
    let bot = username.is_some_and(|u| {
        (u.starts_with("project_") || u.starts_with("group_")) && u.contains("_bot")
            || u == "ghost"
            || u.ends_with("[bot]")
    });
    if bot
        || matches!(
            source,
            Some("schedule" | "trigger" | "pipeline" | "parent_pipeline")
        )
    {
        ActorKind::Automation
    } else {
        ActorKind::Unknown
    }
}

fn status_outcome(st: Option<&str>) -> Outcome {
    match st {
        Some("success") => Outcome::Success,
        Some("failed" | "canceled" | "cancelled") => Outcome::Failure,
        _ => Outcome::Unknown,
    }
}

fn is_finished(st: Option<&str>) -> bool {
    matches!(
        st,
        Some("success" | "failed" | "canceled" | "cancelled" | "skipped")
    )
}

fn deploy_tag(st: Option<&str>) -> Tag {
    match status_outcome(st) {
        Outcome::Success => Tag::DeploySucceeded,
        Outcome::Failure => Tag::DeployFailed,
        Outcome::Unknown => Tag::DeployStarted,
    }
}

struct Common<'a> {
    project: Option<String>,
    user: Option<&'a str>,
    source: Option<&'a str>,
}

fn attrs(
    mut b: tplus_model::EventBuilder,
    pairs: &[(&'static str, Option<&str>)],
) -> tplus_model::EventBuilder {
    for (k, v) in pairs {
        if let Some(v) = v {
            b = b.attr(*k, *v);
        }
    }
    b
}

fn pipeline_event(
    v: &Value,
    o: &str,
    c: &Common<'_>,
    src: &'static str,
    at: Location,
    webhook: bool,
) -> Result<Event, String> {
    let status = s(v, &format!("{o}/status"));
    let finished = format!("{o}/finished_at");
    let started = format!("{o}/started_at");
    let created = format!("{o}/created_at");
    let updated = format!("{o}/updated_at");
    let fields: Vec<(&str, &'static str)> = if webhook && is_finished(status) {
        vec![
            (&finished, "Pipeline Finished"),
            (&created, "Pipeline Created"),
        ]
    } else {
        vec![
            (&started, "Pipeline Started"),
            (&created, "Pipeline Created"),
            (&updated, "Pipeline Updated"),
        ]
    };
    let (desc, raw, t) = pick_time(v, &fields)?
        .ok_or("pipeline without any timestamp (created_at, started_at, finished_at)")?;
    let pid = id(v, &format!("{o}/id")).unwrap_or_default();
    let git_ref = s(v, &format!("{o}/ref"));
    let sha = s(v, &format!("{o}/sha"));
    let source = s(v, &format!("{o}/source")).or(c.source);
    // Deploy pipeline: one of its jobs deploys to an environment.
    let env = v.get("builds").and_then(Value::as_array).and_then(|bs| {
        bs.iter().find_map(|b| {
            let action = s(b, "/environment/action");
            (action.is_none() || action == Some("start"))
                .then(|| s(b, "/environment/name"))
                .flatten()
        })
    });
    let name = s(v, &format!("{o}/name"));
    let is_deploy = env.is_some() || name.is_some_and(names_deploy);
    let mut msg = format!("Pipeline {pid}");
    if let Some(n) = name {
        msg.push_str(&format!(" \"{n}\""));
    }
    if let Some(p) = &c.project {
        msg.push_str(&format!(" in {p}"));
    }
    let mut paren = Vec::new();
    if let Some(x) = source {
        paren.push(x.to_owned());
    }
    if let Some(r) = git_ref {
        paren.push(format!("on {r}"));
    }
    if let Some(x) = sha {
        paren.push(format!("@ {}", short_sha(x)));
    }
    if !paren.is_empty() {
        msg.push_str(&format!(" ({})", paren.join(" ")));
    }
    if let Some(u) = c.user {
        msg.push_str(&format!(" by {u}"));
    }
    if let Some(x) = status {
        msg.push_str(&format!(": {x}"));
    }
    if let Some(e) = env {
        msg.push_str(&format!(", deploys to {e}"));
    }
    let target = c.project.clone().map(|p| match git_ref {
        Some(r) => format!("{p}@{r}"),
        None => p,
    });
    let mut b = Event::builder(src, t, raw)
        .desc(desc)
        .message(bounded(&msg))
        .actor(c.user, gitlab_actor_kind(c.user, source))
        .action("gitlab.pipeline")
        .target(target)
        .outcome(status_outcome(status))
        .event_id(Some(format!("pipeline:{pid}")))
        .at(at);
    b = attrs(
        b,
        &[
            ("pipeline_id", Some(&pid)),
            ("project", c.project.as_deref()),
            ("status", status),
            ("ref", git_ref),
            ("commit", sha),
            ("source", source),
            ("environment", env),
            (
                "web_url",
                s(v, &format!("{o}/web_url")).or(s(v, &format!("{o}/url"))),
            ),
            ("created_at", s(v, &created)),
            ("started_at", s(v, &started)),
            ("finished_at", s(v, &finished)),
        ],
    );
    if let Some(d) = v.pointer(&format!("{o}/duration")).and_then(Value::as_f64) {
        b = b.attr("duration_s", d);
    }
    if let Some(bs) = v.get("builds").and_then(Value::as_array) {
        b = b.attr("jobs", bs.len());
        let failed: Vec<&str> = bs
            .iter()
            .filter(|b| s(b, "/status") == Some("failed"))
            .filter_map(|b| s(b, "/name"))
            .collect();
        if !failed.is_empty() {
            b = b.attr("failed_jobs", bounded(&failed.join(", ")));
        }
    }
    if let Some(m) = s(v, "/commit/message") {
        b = b.attr("commit_title", first_line(m));
    }
    let sig = if is_deploy {
        b = b.tag(deploy_tag(status));
        if status_outcome(status) == Outcome::Failure {
            60
        } else {
            50
        }
    } else {
        b = b.tag(Tag::Execution);
        if status_outcome(status) == Outcome::Failure {
            25
        } else {
            15
        }
    };
    Ok(b.significance(sig).build())
}

/// First present time among `fields` (JSON pointer, description): `(description, raw, value)`.
fn pick_time<'a>(
    v: &'a Value,
    fields: &[(&str, &'static str)],
) -> Result<Option<(&'static str, &'a str, TimeValue)>, String> {
    for (ptr, desc) in fields {
        if let Some(raw) = s(v, ptr) {
            let t = gitlab_time(raw).map_err(|e| {
                format!("`{}` is not a timestamp: {e}", ptr.trim_start_matches('/'))
            })?;
            return Ok(Some((desc, raw, t)));
        }
    }
    Ok(None)
}

/// A job: the webhook (`build_*` fields) or the REST job object.
fn job_event(
    v: &Value,
    c: &Common<'_>,
    src: &'static str,
    at: Location,
    webhook: bool,
) -> Result<Event, String> {
    let p = if webhook { "/build_" } else { "/" };
    let f = |n: &str| format!("{p}{n}");
    let status = s(v, &f("status"));
    let fields: Vec<(String, &'static str)> = match (webhook, status) {
        (true, st) if is_finished(st) => {
            vec![
                (f("finished_at"), "Job Finished"),
                (f("started_at"), "Job Started"),
                (f("created_at"), "Job Created"),
            ]
        }
        _ => vec![
            (f("started_at"), "Job Started"),
            (f("created_at"), "Job Created"),
            (f("finished_at"), "Job Finished"),
        ],
    };
    let refs: Vec<(&str, &'static str)> = fields.iter().map(|(a, d)| (a.as_str(), *d)).collect();
    let (desc, raw, t) = pick_time(v, &refs)?
        .ok_or("job without any timestamp (created_at, started_at, finished_at)")?;
    let jid = id(v, if webhook { "/build_id" } else { "/id" }).unwrap_or_default();
    let name = s(v, &f("name"));
    let stage = s(v, &f("stage"));
    let git_ref = s(v, "/ref");
    let sha = s(v, "/sha").or(s(v, "/commit/sha")).or(s(v, "/commit/id"));
    let env_name = s(v, "/environment/name").or(s(v, "/environment"));
    let env_action = s(v, "/environment/action");
    let pipeline = id(v, "/pipeline_id").or(id(v, "/pipeline/id"));
    let is_deploy = (env_name.is_some() && env_action.is_none_or(|a| a == "start"))
        || name.is_some_and(names_deploy);
    let is_rollback = is_deploy && name.is_some_and(names_rollback);
    let mut msg = format!("Job {}", name.unwrap_or("(unnamed)"));
    if let Some(st) = stage {
        msg.push_str(&format!(" [{st}]"));
    }
    if let Some(pl) = &pipeline {
        msg.push_str(&format!(" of pipeline {pl}"));
    }
    if let Some(pr) = &c.project {
        msg.push_str(&format!(" in {pr}"));
    }
    let mut paren = Vec::new();
    if let Some(r) = git_ref {
        paren.push(format!("on {r}"));
    }
    if let Some(x) = sha {
        paren.push(format!("@ {}", short_sha(x)));
    }
    if !paren.is_empty() {
        msg.push_str(&format!(" ({})", paren.join(" ")));
    }
    if let Some(u) = c.user {
        msg.push_str(&format!(" by {u}"));
    }
    if let Some(x) = status {
        msg.push_str(&format!(": {x}"));
    }
    let failure_reason = if status == Some("failed") {
        s(v, &f("failure_reason")).or(s(v, "/failure_reason"))
    } else {
        None
    };
    if let Some(r) = failure_reason {
        msg.push_str(&format!(" ({r})"));
    }
    if let (Some(e), true) = (env_name, is_deploy) {
        msg.push_str(&format!(", deploys to {e}"));
    }
    let target = c.project.clone().map(|p| match name {
        Some(n) => format!("{p}:{n}"),
        None => p,
    });
    let mut b = Event::builder(src, t, raw)
        .desc(desc)
        .message(bounded(&msg))
        .actor(c.user, gitlab_actor_kind(c.user, c.source))
        .action("gitlab.job")
        .target(target)
        .outcome(status_outcome(status))
        .event_id(Some(format!("job:{jid}")))
        .at(at);
    b = attrs(
        b,
        &[
            ("job_id", Some(&jid)),
            ("job_name", name),
            ("stage", stage),
            ("pipeline_id", pipeline.as_deref()),
            ("project", c.project.as_deref()),
            ("status", status),
            ("ref", git_ref),
            ("commit", sha),
            ("environment", env_name),
            ("environment_action", env_action),
            ("deployment_tier", s(v, "/environment/deployment_tier")),
            ("failure_reason", failure_reason),
            ("web_url", s(v, "/web_url")),
            ("created_at", s(v, &f("created_at"))),
            ("started_at", s(v, &f("started_at"))),
            ("finished_at", s(v, &f("finished_at"))),
        ],
    );
    if let Some(d) = v.pointer(&f("duration")).and_then(Value::as_f64) {
        b = b.attr("duration_s", d);
    }
    let sig = if is_deploy {
        b = b.tag(deploy_tag(status));
        if is_rollback {
            b = b.tag(Tag::Rollback);
            70
        } else if status_outcome(status) == Outcome::Failure {
            60
        } else {
            50
        }
    } else {
        b = b.tag(Tag::Execution);
        if status_outcome(status) == Outcome::Failure {
            20
        } else {
            10
        }
    };
    Ok(b.significance(sig).build())
}

/// A deployment: the webhook (`status_changed_at`, flat fields) or the REST object.
fn deployment_event(
    v: &Value,
    c: &Common<'_>,
    src: &'static str,
    at: Location,
    webhook: bool,
    redeploy: Option<&str>,
) -> Result<Event, String> {
    let status = s(v, "/status");
    let fields: &[(&str, &'static str)] = if webhook {
        &[("/status_changed_at", "Deployment Status Changed")]
    } else {
        &[
            ("/created_at", "Deployment Created"),
            ("/updated_at", "Deployment Updated"),
        ]
    };
    let (desc, raw, t) = pick_time(v, fields)?
        .ok_or("deployment without a timestamp (status_changed_at / created_at)")?;
    let did = id(v, if webhook { "/deployment_id" } else { "/id" }).unwrap_or_default();
    let env = s(v, "/environment/name").or(s(v, "/environment"));
    let git_ref = s(v, "/ref");
    let sha = s(v, "/sha")
        .or(s(v, "/commit_url")
            .and_then(|u| u.rsplit('/').next())
            .filter(|x| x.len() >= 7))
        .or(s(v, "/short_sha"));
    let job = s(v, "/deployable/name");
    let is_rollback = job.is_some_and(names_rollback) || redeploy.is_some();
    let mut msg = format!("Deployment {did}");
    if let Some(r) = git_ref {
        msg.push_str(&format!(" of {r}"));
    }
    if let Some(x) = sha {
        msg.push_str(&format!(" @ {}", short_sha(x)));
    }
    if let Some(e) = env {
        msg.push_str(&format!(" to {e}"));
    }
    if let Some(p) = &c.project {
        msg.push_str(&format!(" in {p}"));
    }
    if let Some(u) = c.user {
        msg.push_str(&format!(" by {u}"));
    }
    if let Some(x) = status {
        msg.push_str(&format!(": {x}"));
    }
    if let Some(tl) = s(v, "/commit_title") {
        msg.push_str(&format!(" ({})", first_line(tl)));
    }
    let target = match (&c.project, env) {
        (Some(p), Some(e)) => Some(format!("{p}:{e}")),
        (p, e) => p.clone().or(e.map(str::to_owned)),
    };
    let mut b = Event::builder(src, t, raw)
        .desc(desc)
        .message(bounded(&msg))
        .actor(c.user, gitlab_actor_kind(c.user, None))
        .action("gitlab.deployment")
        .target(target)
        .outcome(status_outcome(status))
        .event_id(Some(format!("deployment:{did}")))
        .at(at)
        .tag(deploy_tag(status));
    b = attrs(
        b,
        &[
            ("deployment_id", Some(&did)),
            ("project", c.project.as_deref()),
            ("environment", env),
            (
                "environment_url",
                s(v, "/environment_external_url").or(s(v, "/environment/external_url")),
            ),
            ("status", status),
            ("ref", git_ref),
            ("commit", sha),
            (
                "deployable_id",
                id(v, "/deployable_id")
                    .or(id(v, "/deployable/id"))
                    .as_deref(),
            ),
            ("job_name", job),
            ("started_at", s(v, "/deployable/started_at")),
            ("finished_at", s(v, "/deployable/finished_at")),
            (
                "updated_at",
                if webhook { None } else { s(v, "/updated_at") },
            ),
        ],
    );
    if let Some(prev) = redeploy {
        b = b.lower(
            tplus_model::Confidence::Medium,
            format!(
                "rollback inferred: commit {} was deployed to this environment before another one",
                short_sha(prev)
            ),
        );
    }
    let sig = if is_rollback {
        b = b.tag(Tag::Rollback);
        70
    } else if status_outcome(status) == Outcome::Failure {
        65
    } else {
        55
    };
    Ok(b.significance(sig).build())
}

fn common(v: &Value) -> Common<'_> {
    let project = s(v, "/project/path_with_namespace")
        .or(s(v, "/project_name"))
        .or(s(v, "/project/name"))
        .map(str::to_owned)
        .or_else(|| id(v, "/project_id").map(|i| format!("project {i}")));
    let user = s(v, "/user/username").or(s(v, "/user/name"));
    Common {
        project,
        user,
        source: s(v, "/object_attributes/source").or(s(v, "/source")),
    }
}

/// `gitlab.webhook`: GitLab pipeline, job and deployment webhooks.
#[derive(Debug, Default, Clone, Copy)]
pub struct GitlabWebhooks;

impl Parser for GitlabWebhooks {
    fn id(&self) -> &'static str {
        "gitlab.webhook"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "GitLab webhooks: pipeline, job (build) and deployment events (other object_kind skipped)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let k = first_record_keys(head, &[]);
        if has(&k, "object_kind") {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(data, &[], sink, |bytes, at, sink| {
            let v: Value = match serde_json::from_slice(bytes) {
                Ok(v) => v,
                Err(e) => return sink.error(at, format!("GitLab webhook payload: {e}")),
            };
            let c = common(&v);
            let r = match s(&v, "/object_kind") {
                Some("pipeline") => pipeline_event(&v, "/object_attributes", &c, self.id(), at, true),
                Some("build") => job_event(&v, &c, self.id(), at, true),
                Some("deployment") => deployment_event(&v, &c, self.id(), at, true, None),
                Some(_) => {
                    return sink.skipped(at, "GitLab webhook of an event kind without deploy meaning (not pipeline, build or deployment)")
                }
                None => return sink.error(at, "not a GitLab webhook payload: no `object_kind`".to_owned()),
            };
            match r {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(at, m),
            }
        });
    }
}

/// Which REST object a record is.
fn rest_kind(k: &[&[u8]]) -> Option<&'static str> {
    if has(k, "deployable") || (has(k, "iid") && has(k, "environment") && has(k, "sha")) {
        Some("deployment")
    } else if has(k, "stage") && (has(k, "pipeline") || has(k, "runner")) {
        Some("job")
    } else if has(k, "sha")
        && has(k, "ref")
        && has(k, "status")
        && (has(k, "project_id") || has(k, "source"))
        && has(k, "web_url")
    {
        Some("pipeline")
    } else {
        None
    }
}

/// `gitlab.api`: GitLab REST list responses for pipelines, jobs and deployments.
#[derive(Debug, Default, Clone, Copy)]
pub struct GitlabApi;

impl Parser for GitlabApi {
    fn id(&self) -> &'static str {
        "gitlab.api"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "GitLab REST responses: /pipelines, /jobs, /deployments (lists or single objects)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if has(&top_keys(head), "object_kind") {
            return Sniff::NO;
        }
        let k = first_record_keys(head, &[]);
        match rest_kind(&k) {
            Some(_) if has(&k, "web_url") || has(&k, "deployable") => Sniff::STRONG,
            _ => Sniff::NO,
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        // Read every object first: rollbacks are found in time order across the list.
        let mut recs: Vec<(Location, Result<Value, String>)> = Vec::new();
        let mut framing = crate::common::Deferred::default();
        for_each_record(data, &[], &mut framing, |bytes, at, _| {
            recs.push((
                at,
                serde_json::from_slice(bytes).map_err(|e| format!("GitLab API object: {e}")),
            ));
        });
        let kinds: Vec<Option<&'static str>> = recs
            .iter()
            .map(|(_, r)| {
                let keys: Vec<&[u8]> = r
                    .as_ref()
                    .ok()
                    .and_then(Value::as_object)
                    .map(|o| o.keys().map(|k| k.as_bytes()).collect())
                    .unwrap_or_default();
                rest_kind(&keys)
            })
            .collect();
        let items = recs
            .iter()
            .enumerate()
            .filter(|(i, _)| kinds.get(*i) == Some(&Some("deployment")))
            .filter_map(|(i, (_, r))| {
                let v = r.as_ref().ok()?;
                let TimeValue::Instant(t) = gitlab_time(s(v, "/created_at")?).ok()? else {
                    return None;
                };
                let env = s(v, "/environment/name").or(s(v, "/environment"))?;
                Some((t, i, env, s(v, "/sha")?))
            })
            .collect();
        let redeploys = crate::common::redeployed(items);
        for (i, (at, r)) in recs.into_iter().enumerate() {
            let r = r.and_then(|v| {
                let c = common(&v);
                match kinds.get(i).copied().flatten() {
                    Some("deployment") => deployment_event(
                        &v,
                        &c,
                        self.id(),
                        at,
                        false,
                        redeploys.get(&i).map(String::as_str),
                    ),
                    Some("job") => job_event(&v, &c, self.id(), at, false),
                    Some(_) => pipeline_event(&v, "", &c, self.id(), at, false),
                    None => Err("not a GitLab pipeline, job or deployment object".to_owned()),
                }
            });
            match r {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(at, m),
            }
        }
        for (l, m) in framing.errors {
            sink.error(l, m);
        }
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
    fn three_time_styles() {
        let a = gitlab_time("2016-08-12 15:23:28 UTC").unwrap();
        let b = gitlab_time("2016-08-12 17:23:28 +0200").unwrap();
        let c = gitlab_time("2016-08-12T15:23:28.000Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(matches!(a, TimeValue::Instant(_)));
        assert!(gitlab_time("yesterday").is_err());
    }

    #[test]
    fn rest_lists_and_unknown_webhooks() {
        let doc = r#"[{"id":5,"iid":3,"ref":"v1.2","sha":"abcdef12345","status":"failed","created_at":"2025-03-01T10:00:00.000Z",
            "user":{"username":"alice"},"environment":{"name":"production"},"deployable":{"name":"deploy:prod","finished_at":"2025-03-01T10:03:00.000Z"}},
          {"id":9,"project_id":4,"sha":"abcdef12345","ref":"main","status":"success","source":"schedule","created_at":"2025-03-01T09:00:00.000Z","web_url":"https://gitlab/p/9"}]"#;
        assert_eq!(GitlabApi.sniff(doc.as_bytes()), Sniff::STRONG);
        let c = collect(&GitlabApi, doc.as_bytes());
        assert_eq!(c.events.len(), 2, "{:?}", c.error_samples);
        let d = &c.events[0];
        assert_eq!(d.timestamp_desc, "Deployment Created");
        assert!(d.has_tag(Tag::DeployFailed));
        assert_eq!(d.attributes["environment"], "production");
        assert_eq!(c.events[1].actor_kind, ActorKind::Automation);
        let hook = r#"{"object_kind":"push","ref":"main"}"#;
        let c = collect(&GitlabWebhooks, hook.as_bytes());
        assert_eq!((c.skipped, c.errors), (1, 0));
    }

    #[test]
    fn a_redeployed_commit_is_a_rollback() {
        let d = |id: u32, sha: &str, t: &str| {
            format!(
                r#"{{"id":{id},"iid":{id},"ref":"main","sha":"{sha}","status":"success","created_at":"{t}","environment":{{"name":"production"}},"deployable":{{"name":"deploy"}}}}"#
            )
        };
        let doc = format!(
            "[{},{},{}]",
            d(3, "aaaa1111", "2025-03-01T12:00:00.000Z"),
            d(2, "bbbb2222", "2025-03-01T11:00:00.000Z"),
            d(1, "aaaa1111", "2025-03-01T10:00:00.000Z")
        );
        let c = collect(&GitlabApi, doc.as_bytes());
        assert_eq!(c.events.len(), 3);
        assert!(c.events[0].has_tag(Tag::Rollback));
        assert_eq!(c.events[0].confidence, tplus_model::Confidence::Medium);
        assert!(!c.events[1].has_tag(Tag::Rollback) && !c.events[2].has_tag(Tag::Rollback));
    }
}
