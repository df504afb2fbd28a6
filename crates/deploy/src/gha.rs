//! GitHub Actions workflow runs and jobs from the REST API.
//!
//! * `github.actions_run`: `GET /repos/{o}/{r}/actions/runs` (`{"total_count":N,"workflow_runs":[…]}`),
//!   a single run (`GET …/actions/runs/{id}`), an array of runs, or runs one per line.
//! * `github.actions_job`: `GET …/runs/{id}/jobs` (`{"total_count":N,"jobs":[…]}`) and a single job.
//!
//! # Which time is the event
//!
//! A run is one record and gives exactly **one** event, so `records == events + skipped +
//! errors` holds. The event time is the run's **start**: `run_started_at` (when this attempt
//! started, exact), else `created_at` (when the run was created; older API responses have no
//! `run_started_at`), with `timestamp_desc` `Workflow Run Started` or `Workflow Run Created`.
//! The start is what the timeline needs to place a deploy among other events, and it is an
//! exact time, whereas the completion time is only approximated by `updated_at` (which later
//! activity on the run can move). For a completed run the completion (`updated_at`), the
//! `conclusion` and the duration are attributes (`completed_at`, `conclusion`, `duration_s`)
//! and appear in the message, and the outcome and deploy tags reflect the conclusion. A run
//! with only `updated_at` takes it as its time (`Workflow Run Updated`, medium confidence); a
//! run with no time at all is an error located by its record.
//!
//! Jobs follow the same rule: time = `started_at` (`Workflow Job Started`), else
//! `created_at`; `completed_at` is exact for jobs and kept as an attribute.

use serde::Deserialize;
use tplus_model::{
    ActorKind, Confidence, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag,
};

use crate::common::{
    bounded, first_line, first_record_keys, for_each_record, has, human_duration, names_deploy,
    names_rollback, sc, seconds_between, short_sha, st, stamp, GhUser, Scalar, Stamp,
};

/// A workflow run as the REST API and the `workflow_run` webhook give it.
#[derive(Debug, Deserialize)]
pub(crate) struct Run {
    id: Option<Scalar>,
    name: Option<String>,
    display_title: Option<String>,
    path: Option<String>,
    workflow_id: Option<Scalar>,
    run_number: Option<Scalar>,
    run_attempt: Option<Scalar>,
    event: Option<String>,
    status: Option<String>,
    conclusion: Option<String>,
    head_branch: Option<String>,
    head_sha: Option<String>,
    head_commit: Option<HeadCommit>,
    actor: Option<GhUser>,
    triggering_actor: Option<GhUser>,
    repository: Option<Repo>,
    created_at: Option<String>,
    updated_at: Option<String>,
    run_started_at: Option<String>,
    html_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct HeadCommit {
    message: Option<String>,
}

/// A repository reference.
#[derive(Debug, Deserialize, Default)]
pub(crate) struct Repo {
    pub full_name: Option<String>,
}

/// How a conclusion reads as an outcome.
pub(crate) fn conclusion_outcome(c: Option<&str>) -> Outcome {
    match c {
        Some("success") => Outcome::Success,
        Some("failure" | "cancelled" | "timed_out" | "startup_failure") => Outcome::Failure,
        _ => Outcome::Unknown,
    }
}

/// Which moment of a run an event stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunMoment {
    /// The start (REST snapshots, `requested` / `in_progress` webhooks).
    Start,
    /// The completion (`completed` webhooks, delivered when the run ends).
    Completion,
}

impl Run {
    fn looks_like_run(&self) -> bool {
        self.id.is_some() && (self.run_number.is_some() || self.workflow_id.is_some())
    }
}

/// Maps one run to its event.
pub(crate) fn run_event(
    run: &Run,
    source: &'static str,
    at: Location,
    moment: RunMoment,
) -> Result<Event, String> {
    if !run.looks_like_run() {
        return Err("not a workflow run: no `id` with `run_number` or `workflow_id`".to_owned());
    }
    let started = stamp("run_started_at", st(&run.run_started_at))?;
    let created = stamp("created_at", st(&run.created_at))?;
    let updated = stamp("updated_at", st(&run.updated_at))?;
    let completed = run.status.as_deref() == Some("completed");
    let start = started.clone().or(created.clone());
    let (when, desc, lowered): (Stamp<'_>, &str, Option<&str>) =
        match moment {
            RunMoment::Completion => match (&updated, &start) {
                (Some(u), _) => (
                    u.clone(),
                    "Workflow Run Completed",
                    Some("updated_at approximates the run's completion time"),
                ),
                (None, Some(s)) => (
                    s.clone(),
                    start_desc(s),
                    Some("completion time missing: the start time is used"),
                ),
                (None, None) => return Err(
                    "workflow run without any timestamp (run_started_at, created_at, updated_at)"
                        .into(),
                ),
            },
            RunMoment::Start => match (&start, &updated) {
                (Some(s), _) => (s.clone(), start_desc(s), None),
                (None, Some(u)) => (
                    u.clone(),
                    "Workflow Run Updated",
                    Some("no start time: updated_at (last change) is used"),
                ),
                (None, None) => return Err(
                    "workflow run without any timestamp (run_started_at, created_at, updated_at)"
                        .into(),
                ),
            },
        };

    let repo = run.repository.as_ref().and_then(|r| st(&r.full_name));
    let name = st(&run.name);
    let path = st(&run.path);
    let event_kind = st(&run.event);
    let id = sc(&run.id).unwrap_or_default();
    let attempt = sc(&run.run_attempt);
    let trig = run
        .triggering_actor
        .as_ref()
        .filter(|u| st(&u.login).is_some());
    let who = trig.or(run.actor.as_ref().filter(|u| st(&u.login).is_some()));
    let actor = who.and_then(|u| st(&u.login));
    let mut kind = who.map(GhUser::actor_kind).unwrap_or_default();
    if event_kind == Some("schedule") {
        kind = ActorKind::Automation;
    }

    let workflow = path
        .or(name)
        .map(str::to_owned)
        .or_else(|| sc(&run.workflow_id).map(|w| format!("workflow {w}")));
    let target = match (repo, &workflow) {
        (Some(r), Some(w)) => Some(format!("{r}:{w}")),
        (Some(r), None) => Some(r.to_owned()),
        (None, w) => w.clone(),
    };
    let is_deploy = name.is_some_and(names_deploy)
        || path.is_some_and(names_deploy)
        || event_kind == Some("deployment");
    let title = st(&run.display_title).map(first_line).or_else(|| {
        run.head_commit
            .as_ref()
            .and_then(|c| st(&c.message))
            .map(first_line)
    });
    let is_rollback = is_deploy
        && (name.is_some_and(names_rollback)
            || path.is_some_and(names_rollback)
            || title.as_deref().is_some_and(names_rollback));

    let conclusion = st(&run.conclusion);
    let outcome = if completed || conclusion.is_some() {
        conclusion_outcome(conclusion)
    } else {
        Outcome::Unknown
    };
    let end = if completed { updated.as_ref() } else { None };
    let duration = match (&start, end) {
        (Some(s), Some(e)) => seconds_between(&s.value, &e.value).filter(|d| *d >= 0),
        _ => None,
    };

    // Message: `CI #5 "Fix lint" (push on main @ 06ec040) by alice: completed success in 2m34s`.
    let mut msg = String::from("Workflow run ");
    msg.push_str(name.or(path).unwrap_or("(unnamed)"));
    if let Some(n) = sc(&run.run_number) {
        msg.push_str(&format!(" #{n}"));
    }
    if let Some(a) = attempt.filter(|a| *a != "1") {
        msg.push_str(&format!(" attempt {a}"));
    }
    if let Some(t) = &title {
        msg.push_str(&format!(" \"{t}\""));
    }
    if let Some(r) = repo {
        msg.push_str(&format!(" in {r}"));
    }
    let mut paren = Vec::new();
    if let Some(e) = event_kind {
        paren.push(e.to_owned());
    }
    if let Some(b) = st(&run.head_branch) {
        paren.push(format!("on {b}"));
    }
    if let Some(s) = st(&run.head_sha) {
        paren.push(format!("@ {}", short_sha(s)));
    }
    if !paren.is_empty() {
        msg.push_str(&format!(" ({})", paren.join(" ")));
    }
    if let Some(a) = actor {
        msg.push_str(&format!(" by {a}"));
    }
    match (st(&run.status), conclusion) {
        (Some("completed"), c) => {
            msg.push_str(&format!(
                ": completed {}",
                c.unwrap_or("without conclusion")
            ));
            if let Some(d) = duration {
                msg.push_str(&format!(" in {}", human_duration(d)));
            }
            if moment == RunMoment::Start {
                if let Some(e) = end {
                    msg.push_str(&format!(" at {}", e.raw));
                }
            }
        }
        (Some(s), _) => msg.push_str(&format!(": {s}")),
        (None, Some(c)) => msg.push_str(&format!(": {c}")),
        (None, None) => {}
    }

    let event_id = match attempt {
        Some(a) => format!("{id}:{a}"),
        None => id.to_owned(),
    };
    let mut b = Event::builder(source, when.value, when.raw)
        .desc(desc)
        .message(bounded(&msg))
        .actor(actor, kind)
        .action("github.workflow_run")
        .target(target)
        .outcome(outcome)
        .event_id(Some(event_id))
        .at(at)
        .attr("run_id", id);
    if let Some(reason) = lowered {
        b = b.lower(Confidence::Medium, reason);
    }
    for (k, v) in [
        ("workflow_name", name),
        ("workflow_path", path),
        ("repository", repo),
        ("event", event_kind),
        ("status", st(&run.status)),
        ("conclusion", conclusion),
        ("head_branch", st(&run.head_branch)),
        ("head_sha", st(&run.head_sha)),
        ("commit", st(&run.head_sha)),
        ("html_url", st(&run.html_url)),
        ("run_number", sc(&run.run_number)),
        ("run_attempt", attempt),
        ("workflow_id", sc(&run.workflow_id)),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    if let Some(t) = title {
        b = b.attr("title", t);
    }
    if let (Some(t), Some(u)) = (trig, run.actor.as_ref()) {
        if t.login != u.login {
            if let Some(l) = st(&u.login) {
                b = b.attr("original_actor", l);
            }
        }
    }
    if let Some(s) = &start {
        b = b.attr("started_at", s.raw);
    }
    if let Some(e) = end {
        b = b.attr("completed_at", e.raw);
    }
    if let Some(d) = duration {
        b = b.attr("duration_s", d);
    }
    let mut sig: u8;
    if is_deploy {
        let tag = match (completed || conclusion.is_some(), outcome) {
            (true, Outcome::Success) => Tag::DeploySucceeded,
            (true, Outcome::Failure) => Tag::DeployFailed,
            _ => Tag::DeployStarted,
        };
        b = b.tag(tag);
        sig = match tag {
            Tag::DeployFailed => 65,
            Tag::DeploySucceeded => 55,
            _ => 50,
        };
        if is_rollback {
            b = b.tag(Tag::Rollback);
            sig = 70;
        }
    } else {
        b = b.tag(Tag::Execution);
        sig = if outcome == Outcome::Failure { 25 } else { 15 };
    }
    match event_kind {
        Some("workflow_dispatch" | "repository_dispatch") => sig = sig.max(35),
        Some("pull_request_target") => sig = sig.max(40),
        _ => {}
    }
    Ok(b.significance(sig).build())
}

fn start_desc(s: &Stamp<'_>) -> &'static str {
    if s.field == "run_started_at" {
        "Workflow Run Started"
    } else {
        "Workflow Run Created"
    }
}

/// `github.actions_run`: workflow runs from the REST API.
#[derive(Debug, Default, Clone, Copy)]
pub struct ActionsRuns;

impl Parser for ActionsRuns {
    fn id(&self) -> &'static str {
        "github.actions_run"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "GitHub Actions workflow runs (REST list {workflow_runs:[...]}, single run, arrays or JSON lines)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let top = crate::common::top_keys(head);
        if has(&top, "workflow_runs") {
            return Sniff::CERTAIN;
        }
        if has(&top, "sender") || has(&top, "object_kind") {
            return Sniff::NO;
        }
        let keys = first_record_keys(head, &["workflow_runs"]);
        let run_keys = [
            "run_number",
            "workflow_id",
            "run_attempt",
            "run_started_at",
            "head_sha",
            "jobs_url",
        ];
        let n = run_keys.iter().filter(|k| has(&keys, k)).count();
        if has(&keys, "run_number") && has(&keys, "workflow_id") {
            Sniff::CERTAIN
        } else if n >= 3 {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(data, &["workflow_runs"], sink, |bytes, at, sink| {
            match serde_json::from_slice::<Run>(bytes) {
                Ok(run) => match run_event(&run, "github.actions_run", at, RunMoment::Start) {
                    Ok(e) => sink.event(e),
                    Err(m) => sink.error(at, m),
                },
                Err(e) => sink.error(at, format!("workflow run: {e}")),
            }
        });
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

/// A workflow job as the REST API and the `workflow_job` webhook give it.
#[derive(Debug, Deserialize)]
pub(crate) struct Job {
    id: Option<Scalar>,
    run_id: Option<Scalar>,
    run_attempt: Option<Scalar>,
    workflow_name: Option<String>,
    name: Option<String>,
    head_branch: Option<String>,
    head_sha: Option<String>,
    status: Option<String>,
    conclusion: Option<String>,
    created_at: Option<String>,
    started_at: Option<String>,
    completed_at: Option<String>,
    html_url: Option<String>,
    url: Option<String>,
    runner_name: Option<String>,
    #[serde(default)]
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
struct Step {
    name: Option<String>,
    conclusion: Option<String>,
}

/// `owner/repo` from an API or web URL (`…/repos/o/r/…` or `https://github.com/o/r/…`).
pub(crate) fn repo_from_url(url: &str) -> Option<String> {
    let rest = if let Some(i) = url.find("/repos/") {
        &url[i + 7..]
    } else if let Some(i) = url.find("github.com/") {
        &url[i + 11..]
    } else {
        return None;
    };
    let mut parts = rest.split('/');
    let (o, r) = (parts.next()?, parts.next()?);
    (!o.is_empty() && !r.is_empty()).then(|| format!("{o}/{r}"))
}

/// Maps one workflow job to its event. `sender` is the webhook's sender, if any.
pub(crate) fn job_event(
    job: &Job,
    source: &'static str,
    at: Location,
    moment: RunMoment,
    sender: Option<&GhUser>,
    repo: Option<&str>,
) -> Result<Event, String> {
    if job.id.is_none()
        || (job.run_id.is_none() && job.steps.is_empty() && job.runner_name.is_none())
    {
        return Err("not a workflow job: no `id` with `run_id`".to_owned());
    }
    let created = stamp("created_at", st(&job.created_at))?;
    let started = stamp("started_at", st(&job.started_at))?;
    let completed = stamp("completed_at", st(&job.completed_at))?;
    let start = started.clone().or(created.clone());
    let (when, desc) = match (moment, &completed, &start) {
        (RunMoment::Completion, Some(c), _) => (c.clone(), "Workflow Job Completed"),
        (_, _, Some(s)) if s.field == "started_at" => (s.clone(), "Workflow Job Started"),
        (_, _, Some(s)) => (s.clone(), "Workflow Job Created"),
        (_, Some(c), None) => (c.clone(), "Workflow Job Completed"),
        (_, None, None) => {
            return Err(
                "workflow job without any timestamp (started_at, created_at, completed_at)".into(),
            )
        }
    };
    let repo = repo
        .map(str::to_owned)
        .or_else(|| st(&job.url).and_then(repo_from_url))
        .or_else(|| st(&job.html_url).and_then(repo_from_url));
    let wf = st(&job.workflow_name);
    let name = st(&job.name);
    let job_path = match (wf, name) {
        (Some(w), Some(n)) => Some(format!("{w}/{n}")),
        (w, n) => w.or(n).map(str::to_owned),
    };
    let target = match (&repo, &job_path) {
        (Some(r), Some(j)) => Some(format!("{r}:{j}")),
        (r, j) => r.clone().or(j.clone()),
    };
    let conclusion = st(&job.conclusion);
    let is_completed = st(&job.status) == Some("completed");
    let outcome = if is_completed || conclusion.is_some() {
        conclusion_outcome(conclusion)
    } else {
        Outcome::Unknown
    };
    let duration = match (&start, &completed) {
        (Some(s), Some(c)) => seconds_between(&s.value, &c.value).filter(|d| *d >= 0),
        _ => None,
    };
    let failed_step = job
        .steps
        .iter()
        .find(|s| {
            matches!(
                s.conclusion.as_deref(),
                Some("failure" | "timed_out" | "cancelled")
            )
        })
        .and_then(|s| st(&s.name));
    let is_deploy = wf.is_some_and(names_deploy) || name.is_some_and(names_deploy);
    let is_rollback =
        is_deploy && (wf.is_some_and(names_rollback) || name.is_some_and(names_rollback));

    let mut msg = format!(
        "Workflow job {}",
        job_path.as_deref().unwrap_or("(unnamed)")
    );
    if let Some(r) = &repo {
        msg.push_str(&format!(" in {r}"));
    }
    let mut paren = Vec::new();
    if let Some(b) = st(&job.head_branch) {
        paren.push(format!("on {b}"));
    }
    if let Some(s) = st(&job.head_sha) {
        paren.push(format!("@ {}", short_sha(s)));
    }
    if !paren.is_empty() {
        msg.push_str(&format!(" ({})", paren.join(" ")));
    }
    let actor = sender.and_then(|u| st(&u.login));
    if let Some(a) = actor {
        msg.push_str(&format!(" by {a}"));
    }
    match (st(&job.status), conclusion) {
        (Some("completed"), c) => {
            msg.push_str(&format!(
                ": completed {}",
                c.unwrap_or("without conclusion")
            ));
            if let Some(d) = duration {
                msg.push_str(&format!(" in {}", human_duration(d)));
            }
            if let Some(f) = failed_step {
                msg.push_str(&format!(" (failed step: {f})"));
            }
        }
        (Some(s), _) => msg.push_str(&format!(": {s}")),
        (None, Some(c)) => msg.push_str(&format!(": {c}")),
        (None, None) => {}
    }
    let mut b = Event::builder(source, when.value, when.raw)
        .desc(desc)
        .message(bounded(&msg))
        .actor(actor, sender.map(GhUser::actor_kind).unwrap_or_default())
        .action("github.workflow_job")
        .target(target)
        .outcome(outcome)
        .event_id(sc(&job.id))
        .at(at);
    for (k, v) in [
        ("job_name", name),
        ("workflow_name", wf),
        ("repository", repo.as_deref()),
        ("status", st(&job.status)),
        ("conclusion", conclusion),
        ("head_branch", st(&job.head_branch)),
        ("head_sha", st(&job.head_sha)),
        ("commit", st(&job.head_sha)),
        ("html_url", st(&job.html_url)),
        ("run_id", sc(&job.run_id)),
        ("run_attempt", sc(&job.run_attempt)),
        ("runner_name", st(&job.runner_name)),
        ("failed_step", failed_step),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    if let Some(s) = &start {
        b = b.attr("started_at", s.raw);
    }
    if let Some(c) = &completed {
        b = b.attr("completed_at", c.raw);
    }
    if let Some(d) = duration {
        b = b.attr("duration_s", d);
    }
    if !job.steps.is_empty() {
        b = b.attr("steps", job.steps.len());
    }
    let sig = if is_deploy {
        let tag = match (is_completed || conclusion.is_some(), outcome) {
            (true, Outcome::Success) => Tag::DeploySucceeded,
            (true, Outcome::Failure) => Tag::DeployFailed,
            _ => Tag::DeployStarted,
        };
        b = b.tag(tag);
        if is_rollback {
            b = b.tag(Tag::Rollback);
            70
        } else if tag == Tag::DeployFailed {
            60
        } else {
            45
        }
    } else {
        b = b.tag(Tag::Execution);
        if outcome == Outcome::Failure {
            20
        } else {
            10
        }
    };
    Ok(b.significance(sig).build())
}

/// `github.actions_job`: workflow jobs from the REST API.
#[derive(Debug, Default, Clone, Copy)]
pub struct ActionsJobs;

impl Parser for ActionsJobs {
    fn id(&self) -> &'static str {
        "github.actions_job"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "GitHub Actions workflow jobs (REST list {jobs:[...]}, single job, arrays or JSON lines)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let top = crate::common::top_keys(head);
        if has(&top, "sender") || has(&top, "object_kind") {
            return Sniff::NO;
        }
        let keys = first_record_keys(head, &["jobs"]);
        let is_job = has(&keys, "run_id")
            && (has(&keys, "steps") || has(&keys, "runner_name") || has(&keys, "run_url"));
        match (has(&top, "jobs"), is_job) {
            (_, true) => Sniff::CERTAIN,
            (true, false) if has(&top, "total_count") => Sniff::STRONG,
            _ => Sniff::NO,
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(
            data,
            &["jobs"],
            sink,
            |bytes, at, sink| match serde_json::from_slice::<Job>(bytes) {
                Ok(job) => {
                    match job_event(&job, "github.actions_job", at, RunMoment::Start, None, None) {
                        Ok(e) => sink.event(e),
                        Err(m) => sink.error(at, m),
                    }
                }
                Err(e) => sink.error(at, format!("workflow job: {e}")),
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

    const RUN: &str = r#"{"id":42,"name":"Deploy production","path":".github/workflows/deploy.yml","display_title":"Bump api to 1.4.2","run_number":7,"run_attempt":2,
      "event":"workflow_dispatch","status":"completed","conclusion":"failure","workflow_id":9,"head_branch":"main","head_sha":"0123456789abcdef",
      "actor":{"login":"alice","type":"User"},"triggering_actor":{"login":"bob","type":"User"},"repository":{"full_name":"acme/api"},
      "created_at":"2025-03-01T10:00:00Z","run_started_at":"2025-03-01T10:05:00Z","updated_at":"2025-03-01T10:07:34Z","html_url":"https://github.com/acme/api/actions/runs/42"}"#;

    #[test]
    fn a_completed_deploy_run_is_one_event_at_its_start() {
        let doc = format!(r#"{{"total_count":1,"workflow_runs":[{RUN}]}}"#);
        let p = ActionsRuns;
        assert_eq!(p.sniff(doc.as_bytes()), Sniff::CERTAIN);
        let c = collect(&p, doc.as_bytes());
        assert_eq!((c.records(), c.events.len()), (1, 1));
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2025-03-01T10:05:00Z");
        assert_eq!(e.timestamp_desc, "Workflow Run Started");
        assert_eq!(e.actor.as_deref(), Some("bob"));
        assert_eq!(e.actor_kind, ActorKind::Human);
        assert_eq!(e.outcome, Outcome::Failure);
        assert_eq!(e.event_id.as_deref(), Some("42:2"));
        assert_eq!(
            e.target.as_deref(),
            Some("acme/api:.github/workflows/deploy.yml")
        );
        assert!(e.has_tag(Tag::DeployFailed) && !e.has_tag(Tag::Execution));
        assert_eq!(e.attributes["completed_at"], "2025-03-01T10:07:34Z");
        assert_eq!(e.attributes["duration_s"], 154);
        assert_eq!(e.attributes["original_actor"], "alice");
        assert_eq!(e.location.record, Some(0));
        assert!(
            e.message.contains("completed failure in 2m34s"),
            "{}",
            e.message
        );
    }

    #[test]
    fn bots_schedules_and_plain_ci() {
        let doc = r#"[{"id":1,"run_number":1,"workflow_id":2,"name":"CI","event":"push","status":"in_progress","conclusion":null,
            "actor":{"login":"dependabot[bot]","type":"Bot"},"created_at":"2025-03-01T10:00:00Z"},
          {"id":2,"run_number":2,"workflow_id":2,"name":"Nightly","event":"schedule","status":"completed","conclusion":"success",
            "actor":{"login":"alice","type":"User"},"run_started_at":"2025-03-01T11:00:00Z","updated_at":"2025-03-01T11:00:09Z"}]"#;
        let c = collect(&ActionsRuns, doc.as_bytes());
        assert_eq!(c.events.len(), 2);
        assert_eq!(c.events[0].actor_kind, ActorKind::Automation);
        assert_eq!(c.events[0].timestamp_desc, "Workflow Run Created");
        assert_eq!(c.events[0].outcome, Outcome::Unknown);
        assert!(c.events[0].has_tag(Tag::Execution));
        assert_eq!(c.events[1].actor_kind, ActorKind::Automation, "schedule");
        assert_eq!(c.events[1].outcome, Outcome::Success);
    }

    #[test]
    fn a_run_without_time_or_of_the_wrong_shape_is_a_located_error() {
        let doc = r#"{"workflow_runs":[{"id":1,"run_number":1,"workflow_id":2},{"id":"x","run_number":[1]},
            {"id":3,"run_number":3,"workflow_id":2,"created_at":"2025-13-01T00:00:00Z"},{"id":4,"run_number":4,"workflow_id":2,"updated_at":"2025-03-01T00:00:00Z"}]}"#;
        let c = collect(&ActionsRuns, doc.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (4, 1, 3));
        assert_eq!(c.error_samples[0].0.record, Some(0));
        assert!(c.error_samples[0].1.contains("without any timestamp"));
        assert_eq!(c.error_samples[1].0.record, Some(1));
        assert_eq!(c.error_samples[2].0.record, Some(2));
        assert_eq!(c.events[0].timestamp_desc, "Workflow Run Updated");
        assert_eq!(c.events[0].confidence, Confidence::Medium);
    }

    #[test]
    fn single_run_and_non_runs() {
        let p = ActionsRuns;
        assert_eq!(p.sniff(RUN.as_bytes()), Sniff::CERTAIN);
        assert_eq!(
            p.sniff(
                br#"{"total_count":1,"jobs":[{"id":1,"run_id":2,"run_attempt":1,"head_sha":"x"}]}"#
            ),
            Sniff::NO
        );
        assert_eq!(
            p.sniff(br#"{"action":"completed","workflow_run":{"id":1},"sender":{}}"#),
            Sniff::NO
        );
        let c = collect(&p, RUN.as_bytes());
        assert_eq!(c.events.len(), 1);
        assert!(c.events[0].has_tag(Tag::DeployFailed));
    }

    #[test]
    fn jobs_take_their_start_and_keep_the_failed_step() {
        let doc = r#"{"total_count":2,"jobs":[{"id":5,"run_id":42,"run_attempt":1,"workflow_name":"Release","name":"deploy (prod)",
            "status":"completed","conclusion":"failure","created_at":"2025-03-01T10:00:00Z","started_at":"2025-03-01T10:00:05Z",
            "completed_at":"2025-03-01T10:01:05Z","url":"https://api.github.com/repos/acme/api/actions/jobs/5",
            "steps":[{"name":"checkout","conclusion":"success"},{"name":"helm upgrade","conclusion":"failure"}]},
            {"id":6,"run_id":42,"name":"lint","status":"queued","runner_name":null}]}"#;
        let p = ActionsJobs;
        assert_eq!(p.sniff(doc.as_bytes()), Sniff::CERTAIN);
        assert_eq!(ActionsRuns.sniff(doc.as_bytes()), Sniff::NO);
        let c = collect(&p, doc.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (2, 1, 1));
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2025-03-01T10:00:05Z");
        assert_eq!(e.target.as_deref(), Some("acme/api:Release/deploy (prod)"));
        assert_eq!(e.attributes["failed_step"], "helm upgrade");
        assert!(e.has_tag(Tag::DeployFailed));
        assert!(c.error_samples[0].1.contains("without any timestamp"));
    }
}
