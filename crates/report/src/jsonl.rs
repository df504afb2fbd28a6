//! `timeline.jsonl`: one event per line, the contract's fields plus `timestamp` (µs, for
//! Timesketch), `tags`, `significance`, `count` and `attributes`.

use std::io::{self, Write};

use serde::Serialize;
use tplus_model::time::{format_offset, format_utc, offset_seconds};
use tplus_model::{Event, Tag, Timeline, TimelineSink};

/// Writes `timeline.jsonl`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonlSink;

#[derive(Serialize)]
struct Evidence<'a> {
    path: &'a str,
    sha256: &'a str,
    line: Option<u64>,
    record: Option<u64>,
    offset: u64,
}

#[derive(Serialize)]
struct JsonEvent<'a> {
    datetime: String,
    timestamp: i64,
    timestamp_desc: &'a str,
    message: &'a str,
    t_offset: String,
    t_offset_seconds: f64,
    source: &'a str,
    host: Option<&'a str>,
    actor: Option<&'a str>,
    actor_kind: &'a str,
    action: Option<&'a str>,
    target: Option<&'a str>,
    src_ip: Option<&'a str>,
    outcome: &'a str,
    confidence: &'a str,
    confidence_reasons: &'a [tplus_model::Reason],
    event_id: Option<&'a str>,
    ts_raw: &'a str,
    evidence: Evidence<'a>,
    tags: &'a [Tag],
    significance: u8,
    count: u64,
    attributes: &'a tplus_model::Attributes,
}

/// The JSON object of one event, as written to `timeline.jsonl`.
pub fn event_json(tl: &Timeline, e: &Event) -> serde_json::Value {
    serde_json::to_value(view(tl, e)).unwrap_or_default()
}

fn view<'a>(tl: &'a Timeline, e: &'a Event) -> JsonEvent<'a> {
    let off = tl.offset_us(e.ts_us);
    JsonEvent {
        datetime: format_utc(e.ts_us),
        timestamp: e.ts_us,
        timestamp_desc: &e.timestamp_desc,
        message: &e.message,
        t_offset: format_offset(off),
        t_offset_seconds: offset_seconds(off),
        source: e.source,
        host: e.host.as_deref(),
        actor: e.actor.as_deref(),
        actor_kind: e.actor_kind.as_str(),
        action: e.action.as_deref(),
        target: e.target.as_deref(),
        src_ip: e.src_ip.as_deref(),
        outcome: e.outcome.as_str(),
        confidence: e.confidence.as_str(),
        confidence_reasons: &e.confidence_reasons,
        event_id: e.event_id.as_deref(),
        ts_raw: &e.ts_raw,
        evidence: Evidence {
            path: crate::input_path(tl, e.input),
            sha256: crate::input_sha(tl, e.input),
            line: e.location.line,
            record: e.location.record,
            offset: e.location.offset,
        },
        tags: &e.tags,
        significance: e.significance,
        count: e.count,
        attributes: &e.attributes,
    }
}

impl TimelineSink for JsonlSink {
    fn file_name(&self) -> &'static str {
        "timeline.jsonl"
    }

    fn write(&self, tl: &Timeline, out: &mut dyn Write) -> io::Result<()> {
        crate::blocks::write_blocks(&tl.events, out, |block, buf| {
            for e in block {
                serde_json::to_writer(&mut *buf, &view(tl, e))?;
                buf.push(b'\n');
            }
            Ok(())
        })
    }
}
