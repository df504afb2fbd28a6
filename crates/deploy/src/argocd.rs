//! `argocd.application`: Argo CD `Application` resources (argoproj.io/v1alpha1) as
//! `kubectl get application -o json|yaml` or `argocd app get -o json|yaml` print them: one
//! Application, a `List` of them (`items`), several YAML documents, or JSON lines.
//!
//! Records are the entries of `status.history` plus `status.operationState` (the last
//! operation), per Application; an Application with neither is one skipped record.
//!
//! * A history entry is a completed sync: time = `deployedAt` (`Sync Deployed`), with
//!   `deployStartedAt` as the `started_at` attribute; actor = `initiatedBy.username`,
//!   automation when `initiatedBy.automated`; outcome success (Argo CD only appends history for
//!   completed syncs); an entry whose revision was deployed before with another revision in
//!   between is tagged [`Tag::Rollback`] (medium confidence: inferred).
//! * The operation state: a running operation is placed at `startedAt`
//!   (`Sync Operation Started`), a finished one at `finishedAt` (`Sync Operation Finished`) with
//!   its `phase` as the outcome. A succeeded operation that is the latest history entry (same
//!   revision, `finishedAt` = `deployedAt`) is skipped as a repeat, and its message and
//!   initiator are added to that entry's event.
//!
//! YAML is read with `yaml_serde` (the YAML organisation's maintained continuation of
//! `serde_yaml`).

use serde_json::Value;
use tplus_model::{
    ActorKind, Confidence, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag,
    TimeValue,
};

use crate::common::{bounded, first_line, for_each_record, short_sha};

fn s<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path)
        .and_then(Value::as_str)
        .filter(|x| !x.is_empty())
}

fn num(v: &Value, path: &str) -> Option<String> {
    match v.pointer(path)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(x) if !x.is_empty() => Some(x.clone()),
        _ => None,
    }
}

fn stamp<'a>(v: &'a Value, path: &str) -> Result<Option<(&'a str, TimeValue)>, String> {
    match s(v, path) {
        None => Ok(None),
        Some(raw) => tplus_model::time::parse_timestamp(raw)
            .map(|t| Some((raw, t)))
            .map_err(|e| format!("`{}` is not a timestamp: {e}", path.trim_start_matches('/'))),
    }
}

fn is_commit(r: &str) -> bool {
    r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit())
}

fn initiator(v: &Value, base: &str) -> (Option<String>, ActorKind) {
    let user = s(v, &format!("{base}/username")).map(str::to_owned);
    let automated = v
        .pointer(&format!("{base}/automated"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let kind = if automated {
        ActorKind::Automation
    } else if user.is_some() {
        ActorKind::Human
    } else {
        ActorKind::Unknown
    };
    (
        user.or_else(|| automated.then(|| "argocd (automated sync)".to_owned())),
        kind,
    )
}

struct AppInfo {
    name: String,
    uid: String,
    target: String,
    environment: Option<String>,
    project: Option<String>,
}

fn app_info(app: &Value) -> AppInfo {
    let name = s(app, "/metadata/name")
        .unwrap_or("(unnamed application)")
        .to_owned();
    let ns = s(app, "/metadata/namespace");
    let uid = s(app, "/metadata/uid")
        .map(str::to_owned)
        .unwrap_or_else(|| match ns {
            Some(n) => format!("{n}/{name}"),
            None => name.clone(),
        });
    let dest_cluster = s(app, "/spec/destination/name").or(s(app, "/spec/destination/server"));
    let dest_ns = s(app, "/spec/destination/namespace");
    let environment = match (dest_cluster, dest_ns) {
        (Some(c), Some(n)) => Some(format!("{c}/{n}")),
        (c, n) => c.or(n).map(str::to_owned),
    };
    let target = match &environment {
        Some(e) => format!("argocd/{name} -> {e}"),
        None => format!("argocd/{name}"),
    };
    AppInfo {
        name,
        uid,
        target,
        environment,
        project: s(app, "/spec/project").map(str::to_owned),
    }
}

fn source_attrs(
    mut b: tplus_model::EventBuilder,
    src: Option<&Value>,
) -> tplus_model::EventBuilder {
    if let Some(src) = src {
        for (k, p) in [
            ("repo_url", "/repoURL"),
            ("path", "/path"),
            ("chart", "/chart"),
            ("target_revision", "/targetRevision"),
        ] {
            if let Some(v) = s(src, p) {
                b = b.attr(k, v);
            }
        }
    }
    b
}

fn revision_attrs(
    mut b: tplus_model::EventBuilder,
    rev: Option<&str>,
) -> tplus_model::EventBuilder {
    if let Some(r) = rev {
        b = b.attr("revision", r);
        b = if is_commit(r) {
            b.attr("commit", r)
        } else {
            b.attr("version", r)
        };
    }
    b
}

fn revision_of(h: &Value) -> Option<String> {
    s(h, "/revision").map(str::to_owned).or_else(|| {
        let revs: Vec<&str> = h
            .get("revisions")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        (!revs.is_empty()).then(|| revs.join(","))
    })
}

fn history_event(
    app: &AppInfo,
    h: &Value,
    at: Location,
    rollback_of: bool,
    op: Option<&Value>,
) -> Result<Event, String> {
    let deployed = stamp(h, "/deployedAt")?;
    let started = stamp(h, "/deployStartedAt")?;
    let (raw, t, lowered) = match (deployed, started) {
        (Some((r, t)), _) => (r, t, false),
        (None, Some((r, t))) => (r, t, true),
        (None, None) => {
            return Err("Argo CD history entry without deployedAt or deployStartedAt".to_owned())
        }
    };
    let hid = num(h, "/id").unwrap_or_else(|| "?".to_owned());
    let rev = revision_of(h);
    let (mut actor, mut kind) = initiator(h, "/initiatedBy");
    if actor.is_none() {
        if let Some(op) = op {
            (actor, kind) = initiator(op, "/operation/initiatedBy");
        }
    }
    let mut msg = format!("Argo CD application {} synced", app.name);
    if let Some(r) = &rev {
        msg.push_str(&format!(
            " to {}",
            if is_commit(r) { short_sha(r) } else { r }
        ));
    }
    if let Some(e) = &app.environment {
        msg.push_str(&format!(" on {e}"));
    }
    if let Some(a) = &actor {
        msg.push_str(&format!(" by {a}"));
    }
    msg.push_str(&format!(" (history {hid})"));
    if rollback_of {
        msg.push_str(": this revision was deployed before (rollback?)");
    }
    if let Some(m) = op.and_then(|o| s(o, "/message")) {
        msg.push_str(&format!(": {}", first_line(m)));
    }
    let mut b = Event::builder("argocd.application", t, raw)
        .desc(if lowered {
            "Sync Started"
        } else {
            "Sync Deployed"
        })
        .message(bounded(&msg))
        .actor(actor, kind)
        .action(if rollback_of {
            "argocd.rollback"
        } else {
            "argocd.sync"
        })
        .target(Some(app.target.clone()))
        .outcome(Outcome::Success)
        .event_id(Some(format!("{}:history:{hid}", app.uid)))
        .at(at)
        .tag(Tag::DeploySucceeded)
        .significance(55)
        .attr("application", app.name.as_str())
        .attr("history_id", hid.as_str());
    if lowered {
        b = b.lower(
            Confidence::Medium,
            "no deployedAt: the sync start time is used",
        );
    }
    if let Some((r, _)) = started {
        b = b.attr("started_at", r);
    }
    if let Some(e) = &app.environment {
        b = b.attr("environment", e.as_str());
    }
    if let Some(p) = &app.project {
        b = b.attr("project", p.as_str());
    }
    b = revision_attrs(b, rev.as_deref());
    b = source_attrs(b, h.get("source").or_else(|| h.pointer("/sources/0")));
    if let Some(op) = op {
        if let Some(m) = s(op, "/message") {
            b = b.attr("operation_message", bounded(m));
        }
        if let Some(p) = s(op, "/phase") {
            b = b.attr("operation_phase", p);
        }
    }
    if rollback_of {
        b = b.tag(Tag::Rollback).significance(70).lower(
            Confidence::Medium,
            "rollback inferred: this revision was deployed before another one",
        );
    }
    Ok(b.build())
}

fn operation_event(app: &AppInfo, op: &Value, at: Location) -> Result<Event, String> {
    let phase = s(op, "/phase");
    let started = stamp(op, "/startedAt")?;
    let finished = stamp(op, "/finishedAt")?;
    let running = matches!(phase, Some("Running" | "Terminating") | None);
    let (raw, t, desc) = match (running, finished, started) {
        (false, Some((r, t)), _) => (r, t, "Sync Operation Finished"),
        (_, _, Some((r, t))) => (r, t, "Sync Operation Started"),
        (true, Some((r, t)), None) => (r, t, "Sync Operation Finished"),
        (_, None, None) => {
            return Err("Argo CD operationState without startedAt or finishedAt".to_owned())
        }
    };
    let (actor, kind) = initiator(op, "/operation/initiatedBy");
    let rev = s(op, "/syncResult/revision")
        .or(s(op, "/operation/sync/revision"))
        .map(str::to_owned);
    let (outcome, tag, sig) = match phase {
        Some("Succeeded") => (Outcome::Success, Tag::DeploySucceeded, 55),
        Some("Failed" | "Error") => (Outcome::Failure, Tag::DeployFailed, 65),
        _ => (Outcome::Unknown, Tag::DeployStarted, 50),
    };
    let mut msg = format!(
        "Argo CD application {} sync operation {}",
        app.name,
        phase.unwrap_or("(no phase)")
    );
    if let Some(r) = &rev {
        msg.push_str(&format!(
            " for {}",
            if is_commit(r) { short_sha(r) } else { r }
        ));
    }
    if let Some(e) = &app.environment {
        msg.push_str(&format!(" on {e}"));
    }
    if let Some(a) = &actor {
        msg.push_str(&format!(" by {a}"));
    }
    if let Some(m) = s(op, "/message") {
        msg.push_str(&format!(": {}", first_line(m)));
    }
    let mut b = Event::builder("argocd.application", t, raw)
        .desc(desc)
        .message(bounded(&msg))
        .actor(actor, kind)
        .action("argocd.operation")
        .target(Some(app.target.clone()))
        .outcome(outcome)
        .event_id(Some(format!(
            "{}:operation:{}",
            app.uid,
            started.map_or(raw, |(r, _)| r)
        )))
        .at(at)
        .tag(tag)
        .significance(sig)
        .attr("application", app.name.as_str());
    for (k, v) in [
        ("phase", phase),
        ("started_at", started.map(|x| x.0)),
        ("finished_at", finished.map(|x| x.0)),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    if let Some(m) = s(op, "/message") {
        b = b.attr("operation_message", bounded(m));
    }
    if let Some(e) = &app.environment {
        b = b.attr("environment", e.as_str());
    }
    b = revision_attrs(b, rev.as_deref());
    b = source_attrs(b, op.pointer("/syncResult/source"));
    Ok(b.build())
}

/// Emits the records of one Application; `record` is the running record index.
fn application(app: &Value, offset: u64, record: &mut u64, sink: &mut dyn RecordSink) {
    let mut at = || {
        let l = Location::record(*record, offset);
        *record += 1;
        l
    };
    if s(app, "/kind").is_some_and(|k| k != "Application") {
        return sink.error(
            at(),
            format!(
                "not an Argo CD Application: kind {}",
                s(app, "/kind").unwrap_or_default()
            ),
        );
    }
    let info = app_info(app);
    let history: &[Value] = app
        .pointer("/status/history")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let op = app
        .pointer("/status/operationState")
        .filter(|v| v.is_object());
    if history.is_empty() && op.is_none() {
        return sink.skipped(
            at(),
            "Argo CD Application without status.history or status.operationState",
        );
    }
    // The latest history entry (highest id) and whether the operation state repeats it.
    let latest = history
        .iter()
        .enumerate()
        .max_by_key(|(i, h)| (h.get("id").and_then(Value::as_i64).unwrap_or(i64::MIN), *i))
        .map(|(i, _)| i);
    let op_repeats = op.is_some_and(|o| {
        latest.and_then(|i| history.get(i)).is_some_and(|h| {
            s(o, "/phase") == Some("Succeeded")
                && s(o, "/finishedAt").is_some()
                && s(o, "/finishedAt") == s(h, "/deployedAt")
                && (s(o, "/syncResult/revision").is_none()
                    || s(o, "/syncResult/revision").map(str::to_owned) == revision_of(h))
        })
    });
    // Rollbacks: by id order, a revision seen before with another one in between.
    let mut order: Vec<(i64, usize)> = history
        .iter()
        .enumerate()
        .map(|(i, h)| (h.get("id").and_then(Value::as_i64).unwrap_or(i as i64), i))
        .collect();
    order.sort_unstable();
    let mut seen: Vec<String> = Vec::new();
    let mut rollback = vec![false; history.len()];
    for (_, i) in order {
        if let Some(r) = history.get(i).and_then(revision_of) {
            if seen.last() != Some(&r) && seen.contains(&r) {
                if let Some(x) = rollback.get_mut(i) {
                    *x = true;
                }
            }
            seen.push(r);
        }
    }
    for (i, h) in history.iter().enumerate() {
        let loc = at();
        let op_here = if op_repeats && Some(i) == latest {
            op
        } else {
            None
        };
        match history_event(
            &info,
            h,
            loc,
            rollback.get(i).copied().unwrap_or(false),
            op_here,
        ) {
            Ok(e) => sink.event(e),
            Err(m) => sink.error(loc, m),
        }
    }
    if let Some(o) = op {
        let loc = at();
        if op_repeats {
            sink.skipped(
                loc,
                "Argo CD operationState repeats the latest history entry",
            );
        } else {
            match operation_event(&info, o, loc) {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(loc, m),
            }
        }
    }
}

/// Applications in a document: the object itself, or the elements of `items`.
fn applications(doc: Value, offset: u64, record: &mut u64, sink: &mut dyn RecordSink) {
    match doc {
        Value::Object(ref o) if o.get("items").is_some_and(Value::is_array) => {
            if let Some(Value::Array(items)) = o.get("items") {
                for app in items {
                    application(app, offset, record, sink);
                }
            }
        }
        Value::Object(_) => application(&doc, offset, record, sink),
        Value::Null => {}
        _ => {
            sink.error(
                Location::record(*record, offset),
                "not an Argo CD Application document".to_owned(),
            );
            *record += 1;
        }
    }
}

/// Offsets of YAML documents: 0 and each `---` line.
fn yaml_doc_offsets(data: &[u8]) -> Vec<u64> {
    let mut v = vec![0];
    v.extend(
        tplus_model::lines::lines(data)
            .filter(|l| l.bytes.starts_with(b"---") && l.offset > 0)
            .map(|l| l.offset),
    );
    v
}

/// `argocd.application`: Argo CD Application history and operation state.
#[derive(Debug, Default, Clone, Copy)]
pub struct ArgoApplications;

impl Parser for ArgoApplications {
    fn id(&self) -> &'static str {
        "argocd.application"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "Argo CD Application status.history and operationState (JSON or YAML, single or List)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let c = |n: &str| memchr::memmem::find(head, n.as_bytes()).is_some();
        if !c("argoproj.io/") {
            return Sniff::NO;
        }
        if matches!(tplus_model::json::first_byte(head), Some(b'{' | b'[')) {
            let k = crate::common::first_record_keys(head, &["items"]);
            let has = |n: &str| crate::common::has(&k, n);
            let resource = has("metadata")
                && (has("spec") || has("status"))
                && !has("involvedObject")
                && !has("regarding");
            return if resource && (c("\"kind\":\"Application\"") || c("\"kind\": \"Application\""))
            {
                Sniff::CERTAIN
            } else if resource && (c("deployedAt") || c("operationState")) {
                Sniff::STRONG
            } else {
                Sniff::NO
            };
        }
        // YAML: `kind: Application` as a top-level (or List item) key.
        let yaml_app = tplus_model::lines::lines(head).any(|l| {
            matches!(
                l.bytes.strip_suffix(b"\r").unwrap_or(l.bytes),
                b"kind: Application" | b"  kind: Application"
            )
        });
        if yaml_app {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        let mut record = 0u64;
        if matches!(tplus_model::json::first_byte(data), Some(b'{' | b'[')) {
            let mut framing = crate::common::Deferred::default();
            let mut docs = Vec::new();
            for_each_record(data, &[], &mut framing, |bytes, at, _| {
                docs.push((at.offset, serde_json::from_slice::<Value>(bytes)))
            });
            for (off, doc) in docs {
                match doc {
                    Ok(v) => applications(v, off, &mut record, sink),
                    Err(e) => {
                        sink.error(
                            Location::record(record, off),
                            format!("Argo CD Application JSON: {e}"),
                        );
                        record += 1;
                    }
                }
            }
            for (at, m) in framing.errors {
                sink.error(Location::record(record, at.offset), m);
                record += 1;
            }
            return;
        }
        let offsets = yaml_doc_offsets(data);
        for (i, doc) in yaml_serde::Deserializer::from_slice(data).enumerate() {
            let off = offsets.get(i).copied().unwrap_or(0);
            match <Value as serde::Deserialize>::deserialize(doc) {
                Ok(v) => applications(v, off, &mut record, sink),
                Err(e) => {
                    sink.error(
                        Location::record(record, off),
                        format!("Argo CD Application YAML: {e}"),
                    );
                    // A YAML syntax error leaves the rest of the stream unreadable.
                    break;
                }
            }
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

    const APP: &str = r#"apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: api
  namespace: argocd
  uid: u-1
spec:
  destination: {server: "https://kubernetes.default.svc", namespace: prod}
status:
  history:
  - {id: 1, revision: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, deployedAt: "2025-03-01T10:00:10Z", deployStartedAt: "2025-03-01T10:00:00Z", initiatedBy: {username: alice}}
  - {id: 2, revision: bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, deployedAt: "2025-03-01T11:00:10Z", initiatedBy: {automated: true}}
  - {id: 3, revision: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, deployedAt: "2025-03-01T12:00:10Z", initiatedBy: {username: bob}}
  - {id: 4, revision: cccc}
  operationState:
    phase: Failed
    message: "one or more objects failed to apply"
    startedAt: "2025-03-01T13:00:00Z"
    finishedAt: "2025-03-01T13:00:30Z"
    operation: {initiatedBy: {username: carol}, sync: {revision: dddddddddddddddddddddddddddddddddddddddd}}
"#;

    #[test]
    fn history_rollback_and_a_failed_operation() {
        let p = ArgoApplications;
        assert_eq!(p.sniff(APP.as_bytes()), Sniff::CERTAIN);
        let c = collect(&p, APP.as_bytes());
        assert_eq!(
            (c.records(), c.events.len(), c.errors, c.skipped),
            (5, 4, 1, 0),
            "{:?}",
            c.error_samples
        );
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2025-03-01T10:00:10Z");
        assert_eq!(e.timestamp_desc, "Sync Deployed");
        assert_eq!(e.actor.as_deref(), Some("alice"));
        assert_eq!(e.attributes["started_at"], "2025-03-01T10:00:00Z");
        assert_eq!(
            e.target.as_deref(),
            Some("argocd/api -> https://kubernetes.default.svc/prod")
        );
        assert_eq!(c.events[1].actor_kind, ActorKind::Automation);
        assert!(c.events[2].has_tag(Tag::Rollback));
        assert_eq!(c.error_samples[0].0.record, Some(3));
        let op = &c.events[3];
        assert_eq!(op.ts_raw, "2025-03-01T13:00:30Z");
        assert!(op.has_tag(Tag::DeployFailed));
        assert_eq!(op.actor.as_deref(), Some("carol"));
    }

    #[test]
    fn json_list_and_bad_yaml() {
        let doc = r#"{"kind":"List","items":[{"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"a"},"status":{}},
          {"apiVersion":"argoproj.io/v1alpha1","kind":"Application","metadata":{"name":"b"},"status":{"operationState":{"phase":"Running","startedAt":"2025-03-01T10:00:00Z"}}}]}"#;
        let c = collect(&ArgoApplications, doc.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.skipped), (2, 1, 1));
        assert!(c.events[0].has_tag(Tag::DeployStarted));
        let c = collect(
            &ArgoApplications,
            b"kind: Application\nstatus: [\n  - :\n\x00",
        );
        assert_eq!(c.records(), c.errors);
        assert_eq!(c.errors, 1);
    }
}
