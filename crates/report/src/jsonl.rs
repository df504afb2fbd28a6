//! `timeline.jsonl`: one event per line, the contract's fields plus `timestamp` (µs, for
//! Timesketch), `tags`, `significance`, `count` and `attributes`.

use std::io::{self, Write};

use serde::Serialize;
use tplus_model::time::{format_offset, format_utc, offset_seconds, push_utc};
use tplus_model::{Event, Tags, Timeline, TimelineSink};

use crate::escape::{json_opt, json_str};
use crate::numbers::{push_i64, push_offset, push_opt_u64, push_seconds, push_u64, Whole};

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
    tags: Tags,
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
        tags: e.tags,
        significance: e.significance,
        count: e.count,
        attributes: &e.attributes,
    }
}

/// Appends one event's line, the bytes `serde_json` writes for [`view`] and a newline,
/// without going through serde for the event: the keys are constants, the strings go
/// through [`json_str`] and the integers through [`push_u64`]. The offset in seconds, the
/// tags and attribute values other than strings still use `serde_json`, which is exactly
/// what it writes for them and cheap at their size.
fn write_event(tl: &Timeline, e: &Event, o: &mut Vec<u8>) -> io::Result<()> {
    let off = tl.offset_us(e.ts_us);
    o.extend_from_slice(b"{\"datetime\":");
    // Digits, `-`, `:`, `T`, `.`, `Z` and a sign: nothing JSON escapes.
    o.push(b'"');
    push_utc(e.ts_us, o);
    o.push(b'"');
    o.extend_from_slice(b",\"timestamp\":");
    push_i64(o, e.ts_us);
    o.extend_from_slice(b",\"timestamp_desc\":");
    json_str(&e.timestamp_desc, o);
    o.extend_from_slice(b",\"message\":");
    json_str(e.message.as_str(), o);
    o.extend_from_slice(b",\"t_offset\":\"");
    push_offset(o, off);
    o.push(b'"');
    o.extend_from_slice(b",\"t_offset_seconds\":");
    if !push_seconds(o, off, Whole::PointZero) {
        serde_json::to_writer(&mut *o, &offset_seconds(off))?;
    }
    o.extend_from_slice(b",\"source\":");
    json_str(e.source, o);
    o.extend_from_slice(b",\"host\":");
    json_opt(e.host.as_deref(), o);
    o.extend_from_slice(b",\"actor\":");
    json_opt(e.actor.as_deref(), o);
    o.extend_from_slice(b",\"actor_kind\":");
    json_str(e.actor_kind.as_str(), o);
    o.extend_from_slice(b",\"action\":");
    json_opt(e.action.as_deref(), o);
    o.extend_from_slice(b",\"target\":");
    json_opt(e.target.as_deref(), o);
    o.extend_from_slice(b",\"src_ip\":");
    json_opt(e.src_ip.as_deref(), o);
    o.extend_from_slice(b",\"outcome\":");
    json_str(e.outcome.as_str(), o);
    o.extend_from_slice(b",\"confidence\":");
    json_str(e.confidence.as_str(), o);
    o.extend_from_slice(b",\"confidence_reasons\":[");
    for (i, r) in e.confidence_reasons.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        json_str(r.as_str(), o);
    }
    o.extend_from_slice(b"],\"event_id\":");
    json_opt(e.event_id.as_deref(), o);
    o.extend_from_slice(b",\"ts_raw\":");
    json_str(e.ts_raw.as_str(), o);
    o.extend_from_slice(b",\"evidence\":{\"path\":");
    json_str(crate::input_path(tl, e.input), o);
    o.extend_from_slice(b",\"sha256\":");
    json_str(crate::input_sha(tl, e.input), o);
    o.extend_from_slice(b",\"line\":");
    push_opt_u64(o, e.location.line);
    o.extend_from_slice(b",\"record\":");
    push_opt_u64(o, e.location.record);
    o.extend_from_slice(b",\"offset\":");
    push_u64(o, e.location.offset);
    o.extend_from_slice(b"},\"tags\":");
    serde_json::to_writer(&mut *o, &e.tags)?;
    o.extend_from_slice(b",\"significance\":");
    push_u64(o, u64::from(e.significance));
    o.extend_from_slice(b",\"count\":");
    push_u64(o, e.count);
    o.extend_from_slice(b",\"attributes\":{");
    for (i, (k, v)) in e.attributes.iter().enumerate() {
        if i > 0 {
            o.push(b',');
        }
        json_str(k, o);
        o.push(b':');
        match v {
            serde_json::Value::String(s) => json_str(s, o),
            v => serde_json::to_writer(&mut *o, v)?,
        }
    }
    o.extend_from_slice(b"}}\n");
    Ok(())
}

impl TimelineSink for JsonlSink {
    fn file_name(&self) -> &'static str {
        "timeline.jsonl"
    }

    fn write(&self, tl: &Timeline, out: &mut dyn Write) -> io::Result<()> {
        crate::blocks::write_blocks(&tl.events, out, |block, buf| {
            for e in block {
                write_event(tl, e, buf)?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event of a generated incident, and one with every field at an edge (escapes,
    /// absent values, nested attributes, offsets serde prints with exponents), renders to
    /// the bytes `serde_json` writes for the same event.
    #[test]
    fn lines_are_what_serde_json_writes() {
        let mut tl = crate::synth::incident(3_000, false);
        let mut odd = tl.events[0].clone();
        odd.message =
            "tab\there \"quoted\" back\\slash \u{1}\u{1f}\u{7f} nul\0 é ✓ \u{2028}\r\n\u{8}\u{c}"
                .to_owned();
        odd.host = None;
        odd.actor = Some("a\"b".into());
        odd.confidence_reasons = vec!["one".into(), "two \\ \"x\"".into()];
        odd.location.line = None;
        odd.location.record = Some(7);
        odd.attributes.insert(
            "k\n".to_owned(),
            serde_json::json!({"n": [1, -2, 2.5, null, true], "s": "x\ty"}),
        );
        odd.attributes
            .insert("f".to_owned(), serde_json::json!(1e300));
        for delta in [0, 1, 9, 10, -1, -9, -10, 1 << 60, i64::MIN / 2] {
            let mut e = odd.clone();
            e.ts_us = tl.run.t0_us.saturating_add(delta);
            tl.events.push(e);
        }
        for e in &tl.events {
            let mut want = serde_json::to_vec(&view(&tl, e)).unwrap();
            want.push(b'\n');
            let mut got = Vec::new();
            write_event(&tl, e, &mut got).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want)
            );
        }
    }
}
