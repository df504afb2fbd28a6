//! `timeline.csv`: the JSONL columns with evidence flattened, RFC 4180 quoting, and every
//! text cell that could start a spreadsheet formula prefixed with `'`.

use std::io::{self, Write};

use tplus_model::time::{offset_seconds, push_utc};
use tplus_model::{Event, Timeline, TimelineSink};

use crate::escape::csv_cell;
use crate::numbers::{push_offset, push_seconds, push_u64, Whole};

/// Writes `timeline.csv`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvSink;

/// The header row.
pub const COLUMNS: [&str; 24] = [
    "datetime",
    "timestamp_desc",
    "message",
    "t_offset",
    "t_offset_seconds",
    "source",
    "host",
    "actor",
    "actor_kind",
    "action",
    "target",
    "src_ip",
    "outcome",
    "confidence",
    "confidence_reasons",
    "event_id",
    "ts_raw",
    "evidence_path",
    "evidence_sha256",
    "evidence_line",
    "evidence_record",
    "evidence_offset",
    "count",
    "tags",
];

fn opt(o: Option<&str>) -> &str {
    o.unwrap_or("")
}

/// The snake_case name of a tag, as in the JSONL.
fn tag_name(t: tplus_model::Tag) -> &'static str {
    use tplus_model::Tag;
    match t {
        Tag::LoggingTamper => "logging_tamper",
        Tag::Authentication => "authentication",
        Tag::PrivilegeChange => "privilege_change",
        Tag::CredentialChange => "credential_change",
        Tag::AccountChange => "account_change",
        Tag::PolicyChange => "policy_change",
        Tag::LoginWithoutMfa => "login_without_mfa",
        Tag::DeployStarted => "deploy_started",
        Tag::DeploySucceeded => "deploy_succeeded",
        Tag::DeployFailed => "deploy_failed",
        Tag::Rollback => "rollback",
        Tag::Scaled => "scaled",
        Tag::Session => "session",
        Tag::Execution => "execution",
        _ => "other",
    }
}

/// Appends one event's row. `joined` is scratch space for the multi-valued cells, which are
/// quoted (or not) as a whole and so are put together before escaping; it is reused from row
/// to row rather than allocated for each.
fn write_row(tl: &Timeline, e: &Event, joined: &mut String, o: &mut Vec<u8>) {
    let off = tl.offset_us(e.ts_us);
    let start = o.len();
    push_utc(e.ts_us, o);
    if !o[start].is_ascii_digit() {
        // A year outside 0..=9999 is written with a sign, which a spreadsheet would read as
        // a formula: that rare cell goes through the cell escaping like any other.
        let text = String::from_utf8_lossy(&o[start..]).into_owned();
        o.truncate(start);
        csv_cell(&text, o);
    }
    o.push(b',');
    csv_cell(&e.timestamp_desc, o);
    o.push(b',');
    csv_cell(e.message.as_str(), o);
    o.push(b',');
    // `T+` or `T-`, digits and colons: nothing a cell quotes or prefixes.
    push_offset(o, off);
    o.push(b',');
    if !push_seconds(o, off, Whole::Bare) {
        o.extend_from_slice(offset_seconds(off).to_string().as_bytes());
    }
    for cell in [
        e.source,
        opt(e.host.as_deref()),
        opt(e.actor.as_deref()),
        e.actor_kind.as_str(),
        opt(e.action.as_deref()),
        opt(e.target.as_deref()),
        opt(e.src_ip.as_deref()),
        e.outcome.as_str(),
        e.confidence.as_str(),
    ] {
        o.push(b',');
        csv_cell(cell, o);
    }
    joined.clear();
    for (i, r) in e.confidence_reasons.iter().enumerate() {
        if i > 0 {
            joined.push_str("; ");
        }
        joined.push_str(r.as_str());
    }
    o.push(b',');
    csv_cell(joined, o);
    o.push(b',');
    csv_cell(opt(e.event_id.as_deref()), o);
    o.push(b',');
    csv_cell(e.ts_raw.as_str(), o);
    o.push(b',');
    csv_cell(crate::input_path(tl, e.input), o);
    o.push(b',');
    o.extend_from_slice(crate::input_sha(tl, e.input).as_bytes());
    o.push(b',');
    if let Some(l) = e.location.line {
        push_u64(o, l);
    }
    o.push(b',');
    if let Some(r) = e.location.record {
        push_u64(o, r);
    }
    o.push(b',');
    push_u64(o, e.location.offset);
    o.push(b',');
    push_u64(o, e.count);
    o.push(b',');
    joined.clear();
    for (i, t) in e.tags.iter().enumerate() {
        if i > 0 {
            joined.push(';');
        }
        joined.push_str(tag_name(t));
    }
    csv_cell(joined, o);
    o.extend_from_slice(b"\r\n");
}

impl TimelineSink for CsvSink {
    fn file_name(&self) -> &'static str {
        "timeline.csv"
    }

    fn write(&self, tl: &Timeline, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(COLUMNS.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
        crate::blocks::write_blocks(&tl.events, out, |block, buf| {
            let mut joined = String::new();
            for e in block {
                write_row(tl, e, &mut joined, buf);
            }
            Ok(())
        })
    }
}
