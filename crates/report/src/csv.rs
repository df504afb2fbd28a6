//! `timeline.csv`: the JSONL columns with evidence flattened, RFC 4180 quoting, and every
//! text cell that could start a spreadsheet formula prefixed with `'`.

use std::io::{self, Write};

use tplus_model::time::{format_offset, format_utc, offset_seconds};
use tplus_model::{Timeline, TimelineSink};

use crate::escape::csv_text;

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

fn opt(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("")
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

impl TimelineSink for CsvSink {
    fn file_name(&self) -> &'static str {
        "timeline.csv"
    }

    fn write(&self, tl: &Timeline, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(COLUMNS.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
        crate::blocks::write_blocks(&tl.events, out, |block, buf| {
            let mut row = String::with_capacity(1024);
            let mut tag_text = String::new();
            for e in block {
                row.clear();
                let off = tl.offset_us(e.ts_us);
                tag_text.clear();
                for (i, t) in e.tags.iter().enumerate() {
                    if i > 0 {
                        tag_text.push(';');
                    }
                    tag_text.push_str(tag_name(*t));
                }
                let reasons = e.confidence_reasons.join("; ");
                let texts: [&str; 17] = [
                    &format_utc(e.ts_us),
                    &e.timestamp_desc,
                    &e.message,
                    &format_offset(off),
                    "",
                    e.source,
                    opt(&e.host),
                    opt(&e.actor),
                    e.actor_kind.as_str(),
                    opt(&e.action),
                    opt(&e.target),
                    opt(&e.src_ip),
                    e.outcome.as_str(),
                    e.confidence.as_str(),
                    &reasons,
                    opt(&e.event_id),
                    &e.ts_raw,
                ];
                for (i, t) in texts.iter().enumerate() {
                    if i > 0 {
                        row.push(',');
                    }
                    if i == 4 {
                        row.push_str(&offset_seconds(off).to_string());
                    } else {
                        csv_text(t, &mut row);
                    }
                }
                row.push(',');
                csv_text(crate::input_path(tl, e.input), &mut row);
                row.push(',');
                row.push_str(crate::input_sha(tl, e.input));
                row.push(',');
                if let Some(l) = e.location.line {
                    row.push_str(&l.to_string());
                }
                row.push(',');
                if let Some(r) = e.location.record {
                    row.push_str(&r.to_string());
                }
                row.push(',');
                row.push_str(&e.location.offset.to_string());
                row.push(',');
                row.push_str(&e.count.to_string());
                row.push(',');
                csv_text(&tag_text, &mut row);
                row.push_str("\r\n");
                buf.extend_from_slice(row.as_bytes());
            }
            Ok(())
        })
    }
}
