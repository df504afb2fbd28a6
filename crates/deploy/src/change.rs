//! `change.record`: a documented generic change-record format, for every change source tplus
//! has no parser for (Jenkins, Spinnaker, change tickets, a spreadsheet an engineer exports).
//!
//! # Format
//!
//! Either **CSV with a header row** (comma, semicolon or tab separated, RFC 4180 quoting, UTF-8,
//! an optional BOM) or **JSON lines** (one object per line; also a JSON array of such objects).
//! Column names are matched case-insensitively, with spaces and dashes read as `_`:
//!
//! | column | also accepted as | meaning |
//! |---|---|---|
//! | `time` (required) | `timestamp`, `datetime`, `date`, `when`, `ts`, `event_time`, `deployed_at` | when the change happened |
//! | `service` | `app`, `application`, `component`, `system`, `project`, `repo`, `repository` | what was changed |
//! | `environment` | `env`, `stage`, `cluster` | where |
//! | `version` | `release`, `tag`, `image`, `image_tag`, `chart_version` | version deployed |
//! | `commit` | `sha`, `git_sha`, `commit_sha`, `revision` | commit deployed |
//! | `actor` | `user`, `author`, `deployer`, `who`, `by`, `initiator` | who made the change |
//! | `actor_kind` | `actor_type` | `human`, `automation` (also `bot`, `ci`), `service` |
//! | `action` | `event`, `type`, `change`, `change_type`, `activity`, `operation` | what was done (`deploy`, `rollback`, `scale`, `config change`…) |
//! | `outcome` | `status`, `result`, `state` | `success`, `failure`, `started`… |
//! | `link` | `url`, `href`, `build_url`, `ticket_url` | where to read more |
//! | `description` | `message`, `summary`, `notes`, `comment`, `title` | free text |
//! | `id` | `change_id`, `event_id`, `ticket_id`, `build_id` | the source's own id |
//! | `host` | `hostname` | machine, when the change is about one |
//!
//! Any other column is kept as an attribute under its own name. A CSV is recognised by its
//! header: a time column and at least one of `service` or `action` (or their aliases).
//!
//! **Time**: RFC 3339 / ISO 8601 with `Z` or an offset (`2025-03-01T14:02:11+01:00`) is an
//! exact instant; `YYYY-MM-DD HH:MM[:SS]` without a zone is a local time that the engine
//! resolves through `--tz` (and marks as such); `… UTC` is read as `Z`; a 10 or 13-digit
//! number is a Unix epoch in seconds or milliseconds. `ts_raw` keeps the text as written.
//!
//! **Meaning**: an `action` (or description) saying rollback/revert is a [`Tag::Rollback`];
//! scale is [`Tag::Scaled`]; deploy/release/rollout/upgrade/install/promote/publish is a
//! deploy, tagged by its outcome ([`Tag::DeploySucceeded`], [`Tag::DeployFailed`], else
//! [`Tag::DeployStarted`]). The actor is automation when `actor_kind` says so or the login ends
//! in `[bot]`; tplus never guesses it from a name.
//!
//! # Example
//!
//! ```text
//! time,service,environment,version,commit,actor,action,outcome,link,ticket
//! 2025-03-01T09:58:00Z,checkout-api,prod,1.42.0,9f2c1ab,jenkins,deploy,success,https://ci.example/job/812,CHG-1001
//! 2025-03-01 11:04:30,checkout-api,prod,1.41.3,77d0e4c,alice,rollback,success,https://ci.example/job/815,CHG-1002
//! ```
//!
//! ```text
//! {"time":"2025-03-01T09:58:00Z","service":"checkout-api","environment":"prod","version":"1.42.0","actor":"jenkins","actor_kind":"automation","action":"deploy","outcome":"success"}
//! ```
//!
//! The first row is an exact instant; the second has no zone and is resolved with `--tz`.
//! `ticket` is not a known column and is kept as the attribute `ticket`.
//! `fixtures/deploy/changes.csv` and `fixtures/deploy/changes.jsonl` are fuller examples.

use serde_json::Value;
use tplus_model::{
    time, ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag, TimeValue,
};

use crate::common::{bounded, first_record_keys, for_each_record, short_sha};

/// The known columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Time,
    Service,
    Environment,
    Version,
    Commit,
    Actor,
    ActorKind,
    Action,
    Outcome,
    Link,
    Description,
    Id,
    Host,
}

fn normalise(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
}

fn column(name: &str) -> Option<Col> {
    Some(match normalise(name).as_str() {
        "time" | "timestamp" | "datetime" | "date" | "when" | "ts" | "event_time"
        | "deployed_at" => Col::Time,
        "service" | "app" | "application" | "component" | "system" | "project" | "repo"
        | "repository" => Col::Service,
        "environment" | "env" | "stage" | "cluster" => Col::Environment,
        "version" | "release" | "tag" | "image" | "image_tag" | "chart_version" => Col::Version,
        "commit" | "sha" | "git_sha" | "commit_sha" | "revision" => Col::Commit,
        "actor" | "user" | "author" | "deployer" | "who" | "by" | "initiator" => Col::Actor,
        "actor_kind" | "actor_type" => Col::ActorKind,
        "action" | "event" | "type" | "change" | "change_type" | "activity" | "operation" => {
            Col::Action
        }
        "outcome" | "status" | "result" | "state" => Col::Outcome,
        "link" | "url" | "href" | "build_url" | "ticket_url" => Col::Link,
        "description" | "message" | "summary" | "notes" | "comment" | "title" => Col::Description,
        "id" | "change_id" | "event_id" | "ticket_id" | "build_id" => Col::Id,
        "host" | "hostname" => Col::Host,
        _ => return None,
    })
}

/// Parses a change time (see the module docs).
pub(crate) fn change_time(raw: &str) -> Result<TimeValue, String> {
    let t = raw.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && (t.len() == 10 || t.len() == 13) {
        return time::parse_epoch_text(t)
            .map(TimeValue::Instant)
            .map_err(|e| e.to_string());
    }
    let mut norm = match t.strip_suffix(" UTC").or_else(|| t.strip_suffix(" utc")) {
        Some(s) => format!("{s}Z"),
        None => t.to_owned(),
    };
    // `YYYY-MM-DD HH:MM` (spreadsheets often drop the seconds).
    let b = norm.as_bytes();
    if b.len() >= 16
        && b.get(13) == Some(&b':')
        && b.get(16).is_none_or(|c| *c != b':')
        && norm.is_char_boundary(16)
    {
        norm.insert_str(16, ":00");
    }
    time::parse_timestamp(&norm).map_err(|e| format!("`{raw}` is not a change time: {e}"))
}

fn outcome_of(s: &str) -> Outcome {
    match normalise(s).as_str() {
        "success" | "succeeded" | "successful" | "ok" | "done" | "completed" | "complete"
        | "passed" | "deployed" | "finished" | "green" => Outcome::Success,
        "fail" | "failed" | "failure" | "error" | "errored" | "aborted" | "cancelled"
        | "canceled" | "timed_out" | "timeout" | "red" | "rolled_back" => Outcome::Failure,
        _ => Outcome::Unknown,
    }
}

/// Maps one record given as (column name, value) pairs.
fn record_event(fields: &[(&str, String)], at: Location) -> Result<Event, String> {
    let mut known: [Option<&str>; 13] = [None; 13];
    let mut extra: Vec<(&str, &str)> = Vec::new();
    for (name, value) in fields {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        match column(name) {
            Some(c) if known[c as usize].is_none() => known[c as usize] = Some(v),
            _ => extra.push((name.trim(), v)),
        }
    }
    let get = |c: Col| known[c as usize];
    let raw = get(Col::Time).ok_or("change record without a time")?;
    let t = change_time(raw)?;
    let service = get(Col::Service);
    let env = get(Col::Environment);
    let version = get(Col::Version);
    let commit = get(Col::Commit);
    let actor = get(Col::Actor);
    let action = get(Col::Action);
    let desc = get(Col::Description);
    let outcome = get(Col::Outcome).map_or(Outcome::Unknown, outcome_of);
    let kind = match get(Col::ActorKind).map(normalise).as_deref() {
        Some("human" | "person" | "user") => ActorKind::Human,
        Some("automation" | "bot" | "ci" | "pipeline" | "scheduler") => ActorKind::Automation,
        Some("service" | "system") => ActorKind::Service,
        _ if actor.is_some_and(|a| a.ends_with("[bot]")) => ActorKind::Automation,
        _ => ActorKind::Unknown,
    };
    let words = format!(
        "{} {}",
        action.unwrap_or_default(),
        desc.unwrap_or_default()
    )
    .to_ascii_lowercase();
    let has_word = |ws: &[&str]| ws.iter().any(|w| words.contains(w));
    let rollback = has_word(&[
        "rollback",
        "roll back",
        "roll-back",
        "rolled back",
        "revert",
    ]);
    let scaled = has_word(&["scale", "scaling"]);
    let deploy = rollback
        || has_word(&[
            "deploy", "release", "rollout", "roll out", "upgrade", "install", "promote", "publish",
            "ship",
        ]);

    let mut msg = String::from(action.unwrap_or("change"));
    if let Some(s) = service {
        msg.push_str(&format!(" {s}"));
    }
    if let Some(v) = version {
        msg.push_str(&format!(" {v}"));
    }
    if let Some(c) = commit {
        msg.push_str(&format!(" @ {}", short_sha(c)));
    }
    if let Some(e) = env {
        msg.push_str(&format!(" to {e}"));
    }
    if let Some(a) = actor {
        msg.push_str(&format!(" by {a}"));
    }
    if let Some(o) = get(Col::Outcome) {
        msg.push_str(&format!(": {o}"));
    }
    if let Some(d) = desc {
        msg.push_str(&format!(" - {}", crate::common::first_line(d)));
    }
    let target = match (service, env) {
        (Some(s), Some(e)) => Some(format!("{s}:{e}")),
        (s, e) => s.or(e).map(str::to_owned),
    };
    let action_id = action.map_or_else(
        || "change".to_owned(),
        |a| format!("change.{}", normalise(a)),
    );
    let mut b = Event::builder("change.record", t, raw)
        .desc("Change Time")
        .message(bounded(&msg))
        .host(get(Col::Host))
        .actor(actor, kind)
        .action(bounded(&action_id))
        .target(target)
        .outcome(outcome)
        .event_id(get(Col::Id))
        .at(at);
    for (k, c) in [
        ("service", Col::Service),
        ("environment", Col::Environment),
        ("version", Col::Version),
        ("commit", Col::Commit),
        ("status", Col::Outcome),
        ("link", Col::Link),
    ] {
        if let Some(v) = get(c) {
            b = b.attr(k, bounded(v));
        }
    }
    if let Some(d) = desc {
        b = b.attr("description", bounded(d));
    }
    for (k, v) in extra {
        b = b.attr(k.to_string(), bounded(v));
    }
    let mut sig = 30;
    if deploy {
        b = b.tag(match outcome {
            Outcome::Success => Tag::DeploySucceeded,
            Outcome::Failure => Tag::DeployFailed,
            Outcome::Unknown => Tag::DeployStarted,
        });
        sig = if outcome == Outcome::Failure { 65 } else { 50 };
    }
    if rollback {
        b = b.tag(Tag::Rollback);
        sig = 70;
    }
    if scaled {
        b = b.tag(Tag::Scaled);
        sig = sig.max(45);
    }
    Ok(b.significance(sig).build())
}

/// The delimiter of a CSV header line whose cells include a time column and a service or
/// action column.
fn csv_header(head: &[u8]) -> Option<u8> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
    if line.starts_with('{') || line.starts_with('[') || line.len() > 4096 {
        return None;
    }
    [b',', b'\t', b';'].into_iter().find(|&d| {
        let cols: Vec<Option<Col>> = line
            .split(d as char)
            .map(|c| column(c.trim().trim_matches('"')))
            .collect();
        cols.len() >= 2
            && cols.contains(&Some(Col::Time))
            && (cols.contains(&Some(Col::Service)) || cols.contains(&Some(Col::Action)))
    })
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(crate::common::bounded(&other.to_string())),
    }
}

/// `change.record`: the generic change-record format (CSV or JSON lines).
#[derive(Debug, Default, Clone, Copy)]
pub struct ChangeRecords;

impl ChangeRecords {
    fn parse_csv(&self, data: &[u8], delim: u8, sink: &mut dyn RecordSink) {
        let bom = if data.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let body = data.get(bom..).unwrap_or_default();
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delim)
            .flexible(true)
            .has_headers(true)
            .from_reader(body);
        let headers: Vec<String> = match rdr.byte_headers() {
            Ok(h) => h
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect(),
            Err(e) => {
                return sink.error(
                    Location::line_record(1, 0, bom as u64),
                    format!("change records CSV header: {e}"),
                )
            }
        };
        let mut rec = csv::ByteRecord::new();
        let mut index = 0u64;
        loop {
            let pos = rdr.position().clone();
            let at = Location::line_record(pos.line(), index, pos.byte() + bom as u64);
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => return,
                Ok(true) => {
                    index += 1;
                    let at = rec.position().map_or(at, |p| {
                        // csv reports where it started reading, before the line breaks that
                        // precede the record: step over them to the record's first byte.
                        let (mut byte, mut line) = (p.byte() as usize, p.line());
                        while let Some(&c) = body.get(byte).filter(|c| matches!(c, b'\r' | b'\n')) {
                            line += u64::from(c == b'\n');
                            byte += 1;
                        }
                        Location::line_record(line, index - 1, (byte + bom) as u64)
                    });
                    let mut fields = Vec::with_capacity(rec.len());
                    let mut bad = None;
                    for (i, cell) in rec.iter().enumerate() {
                        let name = headers.get(i).map_or("", String::as_str);
                        match std::str::from_utf8(cell) {
                            Ok(s) => fields.push((name, s.to_owned())),
                            Err(_) => {
                                bad = Some(format!("column {} ({name}) is not UTF-8", i + 1));
                                break;
                            }
                        }
                    }
                    if rec.len() > headers.len() {
                        bad = bad.or(Some(format!(
                            "{} cells for {} header columns",
                            rec.len(),
                            headers.len()
                        )));
                    }
                    match bad.map_or_else(|| record_event(&fields, at), Err) {
                        Ok(e) => sink.event(e),
                        Err(m) => sink.error(at, m),
                    }
                }
                Err(e) => {
                    index += 1;
                    sink.error(at, format!("change records CSV: {e}"));
                    // An I/O-level error cannot be skipped past safely.
                    if !matches!(
                        e.kind(),
                        csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                    ) {
                        return;
                    }
                }
            }
        }
    }
}

impl Parser for ChangeRecords {
    fn id(&self) -> &'static str {
        "change.record"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "Generic change records: CSV with a header (time, service, environment, version, commit, actor, action, outcome, link) or JSON lines"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if csv_header(head).is_some() {
            return Sniff::STRONG;
        }
        let k = first_record_keys(head, &[]);
        let cols: Vec<Option<Col>> = k
            .iter()
            .map(|n| std::str::from_utf8(n).ok().and_then(column))
            .collect();
        let has = |c: Col| cols.contains(&Some(c));
        let exact = |n: &str| k.contains(&n.as_bytes());
        if (exact("time") || exact("timestamp"))
            && has(Col::Service)
            && (has(Col::Action) || has(Col::Environment) || has(Col::Version) || has(Col::Commit))
        {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        if let Some(d) = csv_header(data) {
            return self.parse_csv(data, d, sink);
        }
        for_each_record(data, &[], sink, |bytes, at, sink| {
            let obj: serde_json::Map<String, Value> = match serde_json::from_slice(bytes) {
                Ok(o) => o,
                Err(e) => return sink.error(at, format!("change record: {e}")),
            };
            let fields: Vec<(&str, String)> = obj
                .iter()
                .filter_map(|(k, v)| value_text(v).map(|t| (k.as_str(), t)))
                .collect();
            match record_event(&fields, at) {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(at, m),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn csv_with_zones_local_times_and_unknown_columns() {
        let doc = "\u{feff}Time,Service,Env,Version,Actor,Action,Outcome,Ticket\r\n\
            2025-03-01T09:58:00+01:00,api,prod,1.4.2,jenkins,deploy,success,CHG-1\r\n\
            2025-03-01 11:04,api,prod,1.4.1,alice,rollback,success,\"CHG-2, urgent\"\r\n\
            not a time,api,prod,,,deploy,,\r\n\
            ,api\r\n";
        let p = ChangeRecords;
        assert_eq!(p.sniff(doc.as_bytes()), Sniff::STRONG);
        let c = collect(&p, doc.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (4, 2, 2));
        let e = &c.events[0];
        assert!(
            matches!(e.time, TimeValue::Instant(t) if t.to_rfc3339() == "2025-03-01T08:58:00+00:00")
        );
        assert_eq!(e.ts_raw, "2025-03-01T09:58:00+01:00");
        assert!(e.has_tag(Tag::DeploySucceeded));
        assert_eq!(e.attributes["Ticket"], "CHG-1");
        assert_eq!(e.attributes["environment"], "prod");
        assert_eq!(e.location.line, Some(2));
        assert_eq!(e.location.offset, doc.find("2025-03-01T09").unwrap() as u64);
        let r = &c.events[1];
        assert!(matches!(r.time, TimeValue::Local(_)));
        assert!(r.has_tag(Tag::Rollback));
        assert_eq!(r.attributes["Ticket"], "CHG-2, urgent");
        assert_eq!(c.error_samples[0].0.line, Some(4));
        assert_eq!(c.error_samples[1].0.record, Some(3));
    }

    #[test]
    fn jsonl_and_times() {
        let doc = r#"{"time":"2025-03-01T10:00:00Z","service":"api","environment":"prod","action":"scale","actor":"hpa","actor_kind":"automation","replicas":6}
{"time":1740823200,"service":"web","action":"deploy","outcome":"failed"}"#;
        assert_eq!(ChangeRecords.sniff(doc.as_bytes()), Sniff::STRONG);
        let c = collect(&ChangeRecords, doc.as_bytes());
        assert_eq!(c.events.len(), 2, "{:?}", c.error_samples);
        assert!(c.events[0].has_tag(Tag::Scaled));
        assert_eq!(c.events[0].actor_kind, ActorKind::Automation);
        assert_eq!(c.events[0].attributes["replicas"], "6");
        assert!(c.events[1].has_tag(Tag::DeployFailed));
        assert!(change_time("2025-03-01 10:00:00 UTC")
            .is_ok_and(|t| matches!(t, TimeValue::Instant(_))));
        assert!(change_time("1740823200000").is_ok());
        assert!(change_time("03/01/2025").is_err());
        // Found by review: a multi-byte character where the seconds would be inserted.
        assert!(change_time("2025-03-01 11:2\u{e9}").is_err());
    }

    #[test]
    fn other_csvs_are_not_change_records() {
        assert_eq!(ChangeRecords.sniff(b"name,email\nalice,a@x\n"), Sniff::NO);
        assert_eq!(ChangeRecords.sniff(b"time,level,msg\n"), Sniff::NO);
    }
}
