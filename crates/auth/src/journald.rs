//! journald's JSON export (`journalctl -o json`): one object per line, compact or spaced.
//!
//! Each line is one record, deserialised on its own. The time is `_SOURCE_REALTIME_TIMESTAMP`
//! (when the message was produced) or else `__REALTIME_TIMESTAMP` (when journald stored it),
//! both µs since the epoch in UTC, so the instant is exact. `__CURSOR` is the event id and
//! `_HOSTNAME` the host. MESSAGE gets the same meaning as the identical syslog line
//! ([`crate::linux_auth::interpret`] chosen by `SYSLOG_IDENTIFIER`), so the findings can match
//! a line seen by both journald and a syslog file and measure the clock offset between them.
//! Values journald could not store as text arrive as arrays of byte values and are decoded
//! lossily; a field too large for the export arrives as `null`.

use serde::Deserialize;
use serde_json::Value;
use tplus_model::json::{contains, first_byte};
use tplus_model::lines::lines_from;
use tplus_model::text::excerpt;
use tplus_model::time::{from_epoch, EpochUnit};
use tplus_model::{Event, Family, Location, Parser, RecordSink, Sniff, TimeValue};

use crate::linux_auth::{interpret, Meaning};

/// The journald JSON parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct Journald;

/// The format id.
pub const ID: &str = "linux.journald";

const MAX_MESSAGE: usize = 64 * 1024;

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "__CURSOR")]
    cursor: Option<Value>,
    #[serde(rename = "__REALTIME_TIMESTAMP")]
    realtime: Option<Value>,
    #[serde(rename = "_SOURCE_REALTIME_TIMESTAMP")]
    source_realtime: Option<Value>,
    #[serde(rename = "_HOSTNAME")]
    hostname: Option<Value>,
    #[serde(rename = "SYSLOG_IDENTIFIER")]
    identifier: Option<Value>,
    #[serde(rename = "_COMM")]
    comm: Option<Value>,
    #[serde(rename = "_PID")]
    pid: Option<Value>,
    #[serde(rename = "MESSAGE")]
    message: Option<Value>,
    #[serde(rename = "PRIORITY")]
    priority: Option<Value>,
    #[serde(rename = "_SYSTEMD_UNIT")]
    unit: Option<Value>,
    #[serde(rename = "_TRANSPORT")]
    transport: Option<Value>,
    #[serde(rename = "_BOOT_ID")]
    boot_id: Option<Value>,
}

/// A journald value as text: strings as they are, byte arrays decoded lossily, a repeated
/// field (array of strings) joined.
fn text(v: &Option<Value>) -> Option<String> {
    match v.as_ref()? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) if items.iter().all(Value::is_u64) => {
            let bytes: Vec<u8> = items
                .iter()
                .filter_map(Value::as_u64)
                .map(|b| u8::try_from(b).unwrap_or(b'?'))
                .collect();
            Some(String::from_utf8_lossy(&bytes).into_owned())
        }
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

fn entry_to_event(bytes: &[u8], at: Location, sink: &mut dyn RecordSink) -> Result<Event, String> {
    let e: Entry =
        serde_json::from_slice(bytes).map_err(|err| format!("not a journald JSON entry: {err}"))?;
    let (raw, source_time) = match (text(&e.source_realtime), text(&e.realtime)) {
        (Some(s), _) => (s, true),
        (None, Some(r)) => (r, false),
        (None, None) => return Err("entry without __REALTIME_TIMESTAMP".to_owned()),
    };
    let us: i128 = raw
        .trim()
        .parse()
        .map_err(|_| format!("timestamp {raw:?} is not µs since the epoch"))?;
    if us <= 0 {
        return Err(format!("timestamp {raw} is not a real time"));
    }
    let t = from_epoch(us, EpochUnit::Micros).map_err(|err| err.to_string())?;
    let program = text(&e.identifier).or_else(|| text(&e.comm));
    let message = text(&e.message).unwrap_or_default();
    let meaning = program
        .as_deref()
        .and_then(|p| interpret(p, &message))
        .unwrap_or_default();
    let Meaning {
        action,
        actor,
        actor_kind,
        target,
        src_ip,
        outcome,
        tags,
        significance,
        desc,
        attrs,
    } = meaning;
    let mut b = Event::builder(ID, TimeValue::Instant(t), raw)
        .message(excerpt(&message, MAX_MESSAGE).into_owned())
        .desc(if desc == "Event Recorded" && !source_time {
            "Event Stored by journald"
        } else {
            desc
        })
        .host(text(&e.hostname).map(|h| sink.intern(&h)))
        .actor(actor.as_deref().map(|a| sink.intern(a)), actor_kind)
        .target(target)
        .src_ip(src_ip.as_deref())
        .outcome(outcome)
        .event_id(text(&e.cursor))
        .at(at)
        .significance(significance);
    match (action, &program) {
        (Some(a), _) => b = b.action(sink.intern(a)),
        (None, Some(p)) => b = b.action(sink.intern(&format!("syslog.{p}"))),
        (None, None) => {}
    }
    for t in tags {
        b = b.tag(t);
    }
    for (k, v) in [
        ("program", program),
        ("pid", text(&e.pid)),
        ("priority", text(&e.priority)),
        ("systemd_unit", text(&e.unit)),
        ("transport", text(&e.transport)),
        ("boot_id", text(&e.boot_id)),
        ("stored_at_us", text(&e.realtime).filter(|_| source_time)),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    for (k, v) in attrs {
        b = b.attr(k, v);
    }
    Ok(b.build())
}

impl Parser for Journald {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Auth
    }
    fn describe(&self) -> &'static str {
        "journald JSON export (journalctl -o json, one object per line); sshd/sudo/su/pam meanings as in syslog"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if first_byte(head) == Some(b'{')
            && contains(head, "\"__REALTIME_TIMESTAMP\"")
            && contains(head, "\"__CURSOR\"")
        {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        self.parse_chunk(data, 1, 0, sink);
    }
    fn line_oriented(&self) -> bool {
        true
    }
    fn chronological(&self) -> bool {
        true
    }
    /// A cursor names one journal entry: overlapping exports of the same journal are merged.
    fn dedup_by_event_id(&self) -> bool {
        true
    }
    fn parse_chunk(
        &self,
        data: &[u8],
        first_line: u64,
        base_offset: u64,
        sink: &mut dyn RecordSink,
    ) {
        for l in lines_from(data, first_line, base_offset) {
            let at = Location::line_record(l.number, l.number.saturating_sub(1), l.offset);
            if l.bytes.iter().all(u8::is_ascii_whitespace) {
                sink.skipped(at, "blank line");
                continue;
            }
            match entry_to_event(l.bytes, at, sink) {
                Ok(ev) => sink.event(ev),
                Err(m) => sink.error(at, m),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::{collect, Outcome, Tag};

    #[test]
    fn entries() {
        let data = concat!(
            r#"{"__CURSOR":"s=1;i=1","__REALTIME_TIMESTAMP":"1760429590000000","_SOURCE_REALTIME_TIMESTAMP":"1760429589999000","_HOSTNAME":"web-1","SYSLOG_IDENTIFIER":"sshd","_PID":"3999","MESSAGE":"Accepted password for deploy from 203.0.113.45 port 41877 ssh2"}"#,
            "\n",
            r#"{ "__CURSOR" : "s=1;i=2", "__REALTIME_TIMESTAMP" : "1760429600000000", "_HOSTNAME" : "web-1", "SYSLOG_IDENTIFIER" : "sudo", "MESSAGE" : [100,101,112,108,111,121,32,58,32,84,84,89,61,112,116,115,47,49,32,59,32,80,87,68,61,47,32,59,32,85,83,69,82,61,114,111,111,116,32,59,32,67,79,77,77,65,78,68,61,47,98,105,110,47,98,97,115,104] }"#,
            "\n\nnot json\n",
            r#"{"__CURSOR":"s=1;i=3","MESSAGE":"no time"}"#,
            "\n"
        );
        let c = collect(&Journald, data.as_bytes());
        assert_eq!((c.events.len(), c.skipped, c.errors), (2, 1, 2));
        let e = &c.events[0];
        assert_eq!(e.action.as_deref(), Some("ssh.login"));
        assert_eq!(e.outcome, Outcome::Success);
        assert_eq!(e.event_id.as_deref(), Some("s=1;i=1"));
        assert_eq!(e.ts_raw, "1760429589999000");
        assert!(
            matches!(e.time, TimeValue::Instant(t) if t.timestamp_micros() == 1_760_429_589_999_000)
        );
        let s = &c.events[1];
        assert!(
            s.has_tag(Tag::PrivilegeChange),
            "byte-array MESSAGE decoded: {}",
            s.message
        );
        assert_eq!(c.error_samples[0].0.line, Some(4));
    }
}
