//! `helm.history`: `helm history RELEASE` in its three outputs: `-o json` (one array),
//! `-o yaml` (a sequence) and the default table (`REVISION  UPDATED  STATUS  CHART  APP VERSION
//! [ROLLBACK]  DESCRIPTION`, tab separated).
//!
//! One event per revision. The time is `updated` (the release's `LastDeployed`,
//! `Release Deployed`): in JSON and YAML it is RFC 3339 with the numeric offset of the machine
//! that ran helm, kept exactly (an instant, `ts_raw` as written, the offset in the `utc_offset`
//! attribute); an empty `updated` (Go's zero time) is an error located by its record. The
//! table prints Go's ANSIC form (`Fri Sep  2 22:04:05 1977`) in the local zone of that machine
//! and no zone, so it stays a zone-less local time that the engine resolves through `--tz`.
//!
//! Helm does not print the release name, so the target is the chart. There is no actor.
//! `Rollback to N` (or a `rollback_revision`) is a rollback; status `failed` a failed deploy;
//! `superseded` is only "replaced later", not a failure.

use serde::Deserialize;
use tplus_model::lines::lines;
use tplus_model::{
    time, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag, TimeValue,
};

use crate::common::{bounded, first_record_keys, for_each_record, has, sc, st, Scalar};

#[derive(Debug, Deserialize)]
struct Rev {
    revision: Option<Scalar>,
    updated: Option<String>,
    status: Option<String>,
    chart: Option<String>,
    app_version: Option<Scalar>,
    description: Option<String>,
    rollback_revision: Option<Scalar>,
}

/// Splits `name-1.2.3` into name and version (the version starts after the last `-` that is
/// followed by a digit or `v` and a digit).
fn split_chart(chart: &str) -> (&str, Option<&str>) {
    let b = chart.as_bytes();
    let mut i = chart.len();
    while let Some(p) = chart[..i].rfind('-') {
        let next = b.get(p + 1).copied();
        let next2 = b.get(p + 2).copied();
        if next.is_some_and(|c| c.is_ascii_digit())
            || (next == Some(b'v') && next2.is_some_and(|c| c.is_ascii_digit()))
        {
            return (&chart[..p], Some(&chart[p + 1..]));
        }
        i = p;
    }
    (chart, None)
}

/// The UTC offset as written at the end of an RFC 3339 text (`Z`, `+02:00`...).
fn written_offset(raw: &str) -> Option<&str> {
    let t = raw.trim();
    if t.ends_with('Z') || t.ends_with('z') {
        return Some("Z");
    }
    let n = t.len();
    if n > 6 && t.is_char_boundary(n - 6) && matches!(t.as_bytes().get(n - 6), Some(b'+' | b'-')) {
        return Some(&t[n - 6..]);
    }
    None
}

fn rev_event(r: &Rev, time: TimeValue, raw: &str, at: Location) -> Result<Event, String> {
    let revision = sc(&r.revision).ok_or("not a helm history entry: no `revision`")?;
    let status = st(&r.status);
    let desc = st(&r.description).unwrap_or_default();
    let chart = st(&r.chart);
    let (chart_name, chart_version) = chart
        .map(split_chart)
        .map_or((None, None), |(n, v)| (Some(n), v));
    let app_version = sc(&r.app_version);
    let dl = desc.to_ascii_lowercase();
    let rollback_to = sc(&r.rollback_revision)
        .filter(|x| *x != "0")
        .map(str::to_owned)
        .or_else(|| {
            desc.strip_prefix("Rollback to ")
                .map(|x| x.trim().to_owned())
        });
    let action = if rollback_to.is_some() {
        "helm.rollback"
    } else if dl.starts_with("install") || (revision == "1" && !dl.starts_with("upgrade")) {
        "helm.install"
    } else if dl.starts_with("uninstall") || matches!(status, Some("uninstalled" | "uninstalling"))
    {
        "helm.uninstall"
    } else {
        "helm.upgrade"
    };
    let failed = status == Some("failed") || dl.contains("failed");
    let outcome = match status {
        _ if failed => Outcome::Failure,
        Some("deployed" | "superseded" | "uninstalled") => Outcome::Success,
        _ => Outcome::Unknown,
    };
    let mut msg = format!("Helm revision {revision}");
    if let Some(c) = chart {
        msg.push_str(&format!(" of chart {c}"));
    }
    if let Some(a) = app_version {
        msg.push_str(&format!(" (app {a})"));
    }
    if let Some(s) = status {
        msg.push_str(&format!(": {s}"));
    }
    if !desc.is_empty() {
        msg.push_str(&format!(" - {}", crate::common::first_line(desc)));
    }
    let mut b = Event::builder("helm.history", time, raw)
        .desc("Release Deployed")
        .message(bounded(&msg))
        .action(action)
        .target(chart_name)
        .outcome(outcome)
        .event_id(Some(format!("revision:{revision}")))
        .at(at)
        .attr("revision", revision);
    for (k, v) in [
        ("status", status),
        ("chart", chart),
        ("chart_version", chart_version),
        ("app_version", app_version),
        ("version", app_version.or(chart_version)),
        ("rollback_to_revision", rollback_to.as_deref()),
        ("utc_offset", written_offset(raw)),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    if !desc.is_empty() {
        b = b.attr("description", bounded(desc));
    }
    let mut sig = 50;
    if matches!(
        status,
        Some("pending-install" | "pending-upgrade" | "pending-rollback")
    ) {
        b = b.tag(Tag::DeployStarted);
    } else if failed {
        b = b.tag(Tag::DeployFailed);
        sig = 65;
    } else if action != "helm.uninstall" {
        b = b.tag(Tag::DeploySucceeded);
    }
    if rollback_to.is_some() {
        b = b.tag(Tag::Rollback);
        sig = 70;
    }
    Ok(b.significance(sig).build())
}

fn json_or_yaml_rev(r: &Rev, at: Location) -> Result<Event, String> {
    let raw = st(&r.updated).ok_or("helm revision without an `updated` time")?;
    let t = time::parse_timestamp(raw).map_err(|e| format!("`updated` is not a timestamp: {e}"))?;
    rev_event(r, t, raw, at)
}

/// Offsets of the top-level `- ` items of a YAML block sequence.
pub(crate) fn yaml_item_offsets(data: &[u8]) -> Vec<u64> {
    lines(data)
        .filter(|l| l.bytes.starts_with(b"- ") || l.bytes == b"-")
        .map(|l| l.offset)
        .collect()
}

fn table_time(s: &str) -> Result<TimeValue, String> {
    let norm = s.split_whitespace().collect::<Vec<_>>().join(" ");
    chrono::NaiveDateTime::parse_from_str(&norm, "%a %b %d %H:%M:%S %Y")
        .map(TimeValue::Local)
        .map_err(|e| format!("UPDATED `{s}` is not a helm table time: {e}"))
}

/// `helm.history`: Helm release history.
#[derive(Debug, Default, Clone, Copy)]
pub struct HelmHistory;

impl HelmHistory {
    fn parse_yaml(&self, data: &[u8], sink: &mut dyn RecordSink) {
        let items: Vec<yaml_serde::Value> = match yaml_serde::from_slice(data) {
            Ok(v) => v,
            Err(e) => return sink.error(Location::record(0, 0), format!("helm history YAML: {e}")),
        };
        let offsets = yaml_item_offsets(data);
        let exact = offsets.len() == items.len();
        for (i, item) in items.into_iter().enumerate() {
            // Item offsets when the block sequence could be framed line by line, else the document's.
            let off = if exact {
                offsets.get(i).copied().unwrap_or(0)
            } else {
                0
            };
            let at = Location::record(i as u64, off);
            match yaml_serde::from_value::<Rev>(item)
                .map_err(|e| format!("helm revision: {e}"))
                .and_then(|r| json_or_yaml_rev(&r, at))
            {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(at, m),
            }
        }
    }

    fn parse_table(&self, data: &[u8], sink: &mut dyn RecordSink) {
        let mut columns: Vec<String> = Vec::new();
        let mut record = 0u64;
        for l in lines(data) {
            let at = Location::line_record(l.number, record, l.offset);
            let text = String::from_utf8_lossy(l.bytes);
            if text.trim().is_empty() {
                sink.skipped(at, "blank line");
                continue;
            }
            let cells: Vec<&str> = text.split('\t').map(str::trim).collect();
            if cells.first() == Some(&"REVISION") {
                columns = cells.iter().map(|c| c.to_ascii_uppercase()).collect();
                sink.skipped(at, "table header");
                continue;
            }
            record += 1;
            let get = |name: &str| {
                columns
                    .iter()
                    .position(|c| c == name)
                    .and_then(|i| cells.get(i))
                    .copied()
                    .filter(|s| !s.is_empty())
            };
            if columns.is_empty() {
                sink.error(at, "helm table row before the REVISION header".to_owned());
                continue;
            }
            let Some(updated) = get("UPDATED") else {
                sink.error(at, "helm table row without UPDATED".to_owned());
                continue;
            };
            let r = Rev {
                revision: get("REVISION").map(|s| Scalar(s.to_owned())),
                updated: None,
                status: get("STATUS").map(str::to_owned),
                chart: get("CHART").map(str::to_owned),
                app_version: get("APP VERSION").map(|s| Scalar(s.to_owned())),
                description: get("DESCRIPTION").map(str::to_owned),
                rollback_revision: get("ROLLBACK").map(|s| Scalar(s.to_owned())),
            };
            match table_time(updated).and_then(|t| rev_event(&r, t, updated, at)) {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(at, m),
            }
        }
    }
}

fn is_table(head: &[u8]) -> bool {
    let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
    first.starts_with(b"REVISION")
        && memchr::memmem::find(first, b"UPDATED").is_some()
        && memchr::memmem::find(first, b"STATUS").is_some()
}

fn is_yaml_list(head: &[u8]) -> bool {
    let start = tplus_model::json::skip_ws(head, 0);
    let h = head.get(start..).unwrap_or_default();
    h.starts_with(b"- ")
        && ["revision:", "updated:", "chart:", "status:"]
            .iter()
            .all(|k| memchr::memmem::find(h, k.as_bytes()).is_some())
}

impl Parser for HelmHistory {
    fn id(&self) -> &'static str {
        "helm.history"
    }
    fn family(&self) -> Family {
        Family::Deploy
    }
    fn describe(&self) -> &'static str {
        "helm history -o json / -o yaml / table"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if is_table(head) || is_yaml_list(head) {
            return Sniff::CERTAIN;
        }
        let k = first_record_keys(head, &[]);
        if has(&k, "revision") && has(&k, "updated") && has(&k, "chart") {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        if is_table(data) {
            return self.parse_table(data, sink);
        }
        if matches!(tplus_model::json::first_byte(data), Some(b'[' | b'{'))
            || data.iter().all(u8::is_ascii_whitespace)
        {
            return for_each_record(data, &[], sink, |bytes, at, sink| {
                match serde_json::from_slice::<Rev>(bytes)
                    .map_err(|e| format!("helm revision: {e}"))
                    .and_then(|r| json_or_yaml_rev(&r, at))
                {
                    Ok(e) => sink.event(e),
                    Err(m) => sink.error(at, m),
                }
            });
        }
        self.parse_yaml(data, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn offsets_are_kept_exact_and_rollbacks_found() {
        let doc = r#"[{"revision":1,"updated":"2025-03-01T10:00:00.123456789+02:00","status":"superseded","chart":"api-1.2.0","app_version":"1.2.0","description":"Install complete"},
            {"revision":2,"updated":"2025-03-01T11:00:00+02:00","status":"failed","chart":"api-1.3.0","app_version":"1.3.0","description":"Upgrade \"api\" failed: timed out"},
            {"revision":3,"updated":"2025-03-01T11:05:00+02:00","status":"deployed","chart":"api-1.2.0","app_version":"1.2.0","description":"Rollback to 1"},
            {"revision":4,"updated":"","status":"unknown","chart":"api-1.2.0"}]"#;
        assert_eq!(HelmHistory.sniff(doc.as_bytes()), Sniff::CERTAIN);
        let c = collect(&HelmHistory, doc.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.errors), (4, 3, 1));
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2025-03-01T10:00:00.123456789+02:00");
        assert!(
            matches!(e.time, TimeValue::Instant(t) if t.to_rfc3339() == "2025-03-01T08:00:00.123456789+00:00")
        );
        assert_eq!(e.attributes["utc_offset"], "+02:00");
        assert_eq!(e.action.as_deref(), Some("helm.install"));
        assert_eq!(e.target.as_deref(), Some("api"));
        assert_eq!(e.attributes["chart_version"], "1.2.0");
        assert!(c.events[1].has_tag(Tag::DeployFailed));
        assert_eq!(c.events[1].outcome, Outcome::Failure);
        assert!(c.events[2].has_tag(Tag::Rollback));
        assert_eq!(c.events[2].attributes["rollback_to_revision"], "1");
        assert_eq!(c.error_samples[0].0.record, Some(3));
    }

    #[test]
    fn yaml_and_table() {
        let y = "- app_version: \"1.0\"\n  chart: foo-0.1.0-beta.1\n  description: Upgrade complete\n  revision: 2\n  status: deployed\n  updated: \"2025-03-01T10:00:00-05:00\"\n- revision: nope\n  chart: x\n  updated: \"2025-03-01T10:00:00Z\"\n  status: [1]\n";
        assert_eq!(HelmHistory.sniff(y.as_bytes()), Sniff::CERTAIN);
        let c = collect(&HelmHistory, y.as_bytes());
        assert_eq!((c.events.len(), c.errors), (1, 1));
        assert_eq!(c.events[0].attributes["chart_version"], "0.1.0-beta.1");
        assert_eq!(
            c.error_samples[0].0,
            Location::record(1, y.find("- revision").unwrap() as u64)
        );
        let t = "REVISION\tUPDATED                 \tSTATUS    \tCHART           \tAPP VERSION\tDESCRIPTION \n1       \tFri Sep  2 22:04:05 1977\tdeployed  \tfoo-0.1.0-beta.1\t1.0        \tInstall complete\n";
        assert_eq!(HelmHistory.sniff(t.as_bytes()), Sniff::CERTAIN);
        let c = collect(&HelmHistory, t.as_bytes());
        assert_eq!((c.records(), c.events.len(), c.skipped), (2, 1, 1));
        assert!(matches!(c.events[0].time, TimeValue::Local(_)));
        assert_eq!(c.events[0].ts_raw, "Fri Sep  2 22:04:05 1977");
    }

    #[test]
    fn chart_names_split_at_the_version() {
        assert_eq!(
            split_chart("foo-0.1.0-beta.1"),
            ("foo", Some("0.1.0-beta.1"))
        );
        assert_eq!(
            split_chart("cert-manager-v1.14.2"),
            ("cert-manager", Some("v1.14.2"))
        );
        assert_eq!(split_chart("nover"), ("nover", None));
    }
}
