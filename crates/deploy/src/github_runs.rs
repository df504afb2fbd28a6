//! GitHub Actions workflow runs from the REST API: the list
//! (`{"total_count":N,"workflow_runs":[...]}`) and a single run object.
//!
//! One run is one record and one event. Its time is when the run started
//! (`run_started_at`, else `created_at`: `timestamp_desc` = `Workflow Run Started`), because
//! the start is what an analyst lines up against other sources; the completion time
//! (`updated_at` of a completed run), the duration and the conclusion travel as attributes
//! and the outcome.
//!
//! Actor: `triggering_actor` (who started this attempt), else `actor`. Automation when the
//! account's `type` is `Bot`, its login ends in `[bot]`, or the run was started by `schedule`;
//! a `User` account otherwise is human.

use serde::Deserialize;
use serde_json::Value;
use tplus_model::json::{array_elements, contains, find_key_start, first_byte, skip_ws};
use tplus_model::time::parse_instant;
use tplus_model::{
    ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag, TimeValue,
};

/// The workflow-runs parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct GithubRuns;

/// The format id.
pub const ID: &str = "github.actions_run";

#[derive(Deserialize, Default)]
#[serde(default)]
struct Account {
    login: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Repo {
    full_name: Option<String>,
}

#[derive(Deserialize)]
struct Run {
    id: Option<Value>,
    name: Option<String>,
    display_title: Option<String>,
    path: Option<String>,
    event: Option<String>,
    status: Option<String>,
    conclusion: Option<String>,
    head_branch: Option<String>,
    head_sha: Option<String>,
    run_number: Option<Value>,
    run_attempt: Option<Value>,
    html_url: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    run_started_at: Option<String>,
    #[serde(default)]
    actor: Option<Account>,
    #[serde(default)]
    triggering_actor: Option<Account>,
    #[serde(default)]
    repository: Option<Repo>,
}

fn value_text(v: &Option<Value>) -> Option<String> {
    match v {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Whether a workflow deploys or releases, from its name, file and trigger.
fn is_deploy(run: &Run) -> bool {
    let hay = format!(
        "{} {}",
        run.name.as_deref().unwrap_or(""),
        run.path.as_deref().unwrap_or("")
    )
    .to_ascii_lowercase();
    [
        "deploy", "release", "rollout", "rollback", "promote", "publish",
    ]
    .iter()
    .any(|k| hay.contains(k))
        || run.event.as_deref() == Some("deployment")
}

fn run_to_event(bytes: &[u8], at: Location) -> Result<Event, String> {
    let run: Run = serde_json::from_slice(bytes).map_err(|e| format!("not a workflow run: {e}"))?;
    let (raw, desc) = match (&run.run_started_at, &run.created_at) {
        (Some(s), _) => (s.clone(), "Workflow Run Started"),
        (None, Some(c)) => (c.clone(), "Workflow Run Created"),
        (None, None) => return Err("workflow run without run_started_at or created_at".to_owned()),
    };
    let t = parse_instant(&raw).map_err(|e| format!("run time: {e}"))?;
    let who = run.triggering_actor.as_ref().or(run.actor.as_ref());
    let login = who.and_then(|a| a.login.clone());
    let bot = who.is_some_and(|a| {
        a.kind.as_deref() == Some("Bot") || a.login.as_deref().is_some_and(|l| l.ends_with("[bot]"))
    });
    let kind = if bot || run.event.as_deref() == Some("schedule") {
        ActorKind::Automation
    } else if who.is_some_and(|a| a.kind.as_deref() == Some("User")) {
        ActorKind::Human
    } else {
        ActorKind::Unknown
    };
    let completed = run.status.as_deref() == Some("completed");
    let outcome = match run.conclusion.as_deref() {
        Some("success") => Outcome::Success,
        Some(
            "failure" | "cancelled" | "timed_out" | "startup_failure" | "action_required" | "stale",
        ) => Outcome::Failure,
        _ => Outcome::Unknown,
    };
    let repo = run.repository.as_ref().and_then(|r| r.full_name.clone());
    let name = run
        .name
        .clone()
        .or_else(|| run.display_title.clone())
        .unwrap_or_else(|| "workflow".to_owned());
    let target = match (&repo, &run.path) {
        (Some(r), Some(p)) => Some(format!("{r}:{p}")),
        (Some(r), None) => Some(r.clone()),
        (None, p) => p.clone(),
    };
    let deploy = is_deploy(&run);
    let mut message = format!("Workflow \"{name}\"");
    if let Some(n) = value_text(&run.run_number) {
        message.push_str(&format!(" run #{n}"));
    }
    if let Some(r) = &repo {
        message.push_str(&format!(" in {r}"));
    }
    if let Some(e) = &run.event {
        message.push_str(&format!(" ({e}"));
        if let Some(b) = &run.head_branch {
            message.push_str(&format!(" on {b}"));
        }
        message.push(')');
    }
    match (&run.status, &run.conclusion) {
        (_, Some(c)) => message.push_str(&format!(": {c}")),
        (Some(s), None) => message.push_str(&format!(": {s}")),
        _ => {}
    }
    let mut b = Event::builder(ID, TimeValue::Instant(t), raw)
        .message(message)
        .desc(desc)
        .actor(login, kind)
        .action(if deploy {
            "github.deploy_workflow_run"
        } else {
            "github.workflow_run"
        })
        .target(target)
        .outcome(outcome)
        .at(at)
        .significance(if deploy { 60 } else { 20 });
    let id = value_text(&run.id);
    let attempt = value_text(&run.run_attempt);
    b = b.event_id(id.as_ref().map(|i| match &attempt {
        Some(a) if a != "1" => format!("{i}/attempt-{a}"),
        _ => i.clone(),
    }));
    if deploy {
        b = b.tag(Tag::DeployStarted);
        match outcome {
            Outcome::Success => b = b.tag(Tag::DeploySucceeded),
            Outcome::Failure => b = b.tag(Tag::DeployFailed).significance(70),
            Outcome::Unknown => {}
        }
        if name.to_ascii_lowercase().contains("rollback") {
            b = b.tag(Tag::Rollback).significance(75);
        }
    } else {
        b = b.tag(Tag::Execution);
    }
    for (k, v) in [
        ("workflow", run.name.clone()),
        ("workflow_path", run.path.clone()),
        ("trigger", run.event.clone()),
        ("status", run.status.clone()),
        ("conclusion", run.conclusion.clone()),
        ("branch", run.head_branch.clone()),
        ("commit", run.head_sha.clone()),
        ("url", run.html_url.clone()),
        ("created_at", run.created_at.clone()),
        ("run_number", value_text(&run.run_number)),
        ("run_attempt", attempt),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    if completed {
        if let Some(u) = &run.updated_at {
            b = b.attr("completed_at", u.as_str());
            if let Ok(end) = parse_instant(u) {
                b = b.attr("duration_seconds", (end - t).num_seconds());
            }
        }
    }
    Ok(b.build())
}

impl Parser for GithubRuns {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "GitHub Actions workflow runs from the REST API (list {\"workflow_runs\":[...]} or a single run)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if first_byte(head) != Some(b'{') {
            return Sniff::NO;
        }
        if contains(head, "\"workflow_runs\"") {
            Sniff::CERTAIN
        } else if contains(head, "\"run_number\"")
            && contains(head, "\"run_attempt\"")
            && contains(head, "\"head_sha\"")
            && !contains(head, "\"workflow_run\":")
        {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        let start = skip_ws(data, 0);
        match find_key_start(data, start, "workflow_runs") {
            Ok(Some(list)) => {
                if data.get(list) != Some(&b'[') {
                    sink.error(
                        Location::record(0, list as u64),
                        "\"workflow_runs\" is not an array".to_owned(),
                    );
                    return;
                }
                for (i, span) in array_elements(data, list).enumerate() {
                    match span {
                        Ok((s, e)) => {
                            let at = Location::record(i as u64, s as u64);
                            match run_to_event(&data[s..e], at) {
                                Ok(ev) => sink.event(ev),
                                Err(m) => sink.error(at, m),
                            }
                        }
                        Err(err) => sink.error(
                            Location::record(i as u64, list as u64),
                            format!("run cannot be framed: {err}"),
                        ),
                    }
                }
            }
            Ok(None) => {
                let at = Location::record(0, start as u64);
                match tplus_model::json::value_end(data, start) {
                    Ok(end) => match run_to_event(&data[start..end], at) {
                        Ok(ev) => sink.event(ev),
                        Err(m) => sink.error(at, m),
                    },
                    Err(e) => sink.error(at, format!("run cannot be framed: {e}")),
                }
            }
            Err(e) => sink.error(
                Location::record(0, start as u64),
                format!("cannot frame the document: {e}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    const LIST: &str = r#"{"total_count":3,"workflow_runs":[
 {"id":8820,"name":"Deploy production","path":".github/workflows/deploy.yml","event":"workflow_dispatch","status":"completed","conclusion":"success",
  "head_branch":"main","head_sha":"4a7b3d1","run_number":143,"run_attempt":1,"created_at":"2025-10-14T08:37:41Z","updated_at":"2025-10-14T08:39:40Z",
  "run_started_at":"2025-10-14T08:37:49Z","actor":{"login":"sam","type":"User"},"triggering_actor":{"login":"sam","type":"User"},"repository":{"full_name":"o/web"}},
 {"id":8815,"name":"Nightly deps","path":".github/workflows/deps.yml","event":"schedule","status":"completed","conclusion":"failure",
  "run_number":311,"run_attempt":2,"created_at":"2025-10-14T08:00:03Z","updated_at":"2025-10-14T08:03:12Z","actor":{"login":"dependabot[bot]","type":"Bot"}},
 {"id":1,"name":"no times"}
]}"#;

    #[test]
    fn maps_runs() {
        let c = collect(&GithubRuns, LIST.as_bytes());
        assert_eq!((c.events.len(), c.skipped, c.errors), (2, 0, 1));
        let d = &c.events[0];
        assert_eq!(d.ts_raw, "2025-10-14T08:37:49Z");
        assert_eq!(d.timestamp_desc, "Workflow Run Started");
        assert_eq!(d.actor.as_deref(), Some("sam"));
        assert_eq!(d.actor_kind, ActorKind::Human);
        assert!(d.has_tag(Tag::DeployStarted) && d.has_tag(Tag::DeploySucceeded));
        assert_eq!(d.attributes["duration_seconds"], 111);
        assert_eq!(d.event_id.as_deref(), Some("8820"));
        let n = &c.events[1];
        assert_eq!(n.actor_kind, ActorKind::Automation);
        assert_eq!(n.outcome, Outcome::Failure);
        assert_eq!(n.timestamp_desc, "Workflow Run Created");
        assert_eq!(n.event_id.as_deref(), Some("8815/attempt-2"));
        assert_eq!(c.error_samples[0].0.record, Some(2));
    }

    #[test]
    fn single_run_and_sniffing() {
        let one = r#"{"id":5,"run_number":1,"run_attempt":1,"head_sha":"abc","created_at":"2025-01-01T00:00:00Z","status":"queued"}"#;
        assert_eq!(GithubRuns.sniff(one.as_bytes()), Sniff::STRONG);
        let c = collect(&GithubRuns, one.as_bytes());
        assert_eq!(c.events.len(), 1);
        assert_eq!(GithubRuns.sniff(LIST.as_bytes()), Sniff::CERTAIN);
        assert_eq!(GithubRuns.sniff(b"{\"Records\":[]}"), Sniff::NO);
    }
}
