//! Syslog text files: the classic rsyslog/RFC 3164 form (`Mmm dd hh:mm:ss host tag[pid]:
//! msg`, no year, no zone), the RFC 3339 file form (`2024-01-05T14:03:01.123456+01:00 host
//! tag: msg`, including the host-less ChromeOS variant with a severity word), and RFC 5424
//! (`<PRI>1 TS HOST APP PROCID MSGID SD MSG`).
//!
//! One record per line. A line is an event, or skipped with a reason (blank, `#` comment,
//! NUL padding, a continuation line folded into the previous event's message, a `last
//! message repeated N times` marker added to the previous event's `count`), or an error
//! (no recognisable timestamp). Times are never guessed: the classic form stays
//! [`TimeValue::LocalNoYear`] for the engine to resolve with `--tz` and `--year`.

use std::borrow::Cow;

use memchr::memchr;
use serde_json::Value;
use tplus_model::lines::{lines_from, Line};
use tplus_model::text::{excerpt, normalise_ip};
use tplus_model::time::parse_stamp;
use tplus_model::{
    ActorKind, CompactString, Confidence, Event, Family, Location, Outcome, Parser, RecordSink,
    Sniff, Tags, TimeValue,
};

use crate::linux_auth::{find_byte, interpret, Attrs};

/// The syslog text parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct Syslog;

/// The format id.
pub const ID: &str = "linux.syslog";

/// Messages longer than this are kept as an excerpt (the evidence offset points at all of it).
const MAX_MESSAGE: usize = 64 * 1024;

/// Severity words some writers put where the host goes (ChromeOS, some appliances).
const SEVERITIES: [&str; 9] = [
    "EMERG", "ALERT", "CRIT", "ERR", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG",
];

/// A framed line.
#[derive(Debug, PartialEq)]
struct Frame<'a> {
    time: TimeValue,
    ts_raw: &'a str,
    host: Option<&'a str>,
    program: Option<&'a str>,
    pid: Option<&'a str>,
    msg: &'a str,
    severity: Option<&'a str>,
    facility_severity: Option<u16>,
}

fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some(u32::from(a - b'0') * 10 + u32::from(c - b'0')),
        _ => None,
    }
}

/// [`tplus_model::time::month_from_abbrev`] for the first three bytes of `b`, without comparing them to each
/// month in turn: `x | 0x20` is a lowercase letter exactly when `x` is that letter in
/// either case, so this is the same ASCII case-insensitive match.
fn month3(b: &[u8]) -> Option<u32> {
    let m = match b.get(..3)? {
        [x, y, z] => [x | 0x20, y | 0x20, z | 0x20],
        _ => return None,
    };
    Some(match &m {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    })
}

/// `Mmm dd hh:mm:ss[.frac]` at the start of `s` (the day space-padded, zero-padded or bare:
/// `Feb  7`, `Feb 07`, `Feb 7`); returns the value and its length.
fn classic_stamp(s: &str) -> Option<(TimeValue, usize)> {
    let b = s.as_bytes();
    let month = month3(b.get(..3)?)?;
    let mut i = 3;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    while b.get(i) == Some(&b' ') && i < 5 {
        i += 1;
    }
    let mut day = 0u32;
    let day_start = i;
    while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
        if i - day_start == 2 {
            return None;
        }
        day = day * 10 + u32::from(d - b'0');
        i += 1;
    }
    if i == day_start || b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let t = b.get(i..i + 8)?;
    if t[2] != b':' || t[5] != b':' {
        return None;
    }
    let (h, m, sec) = (
        two_digits(&t[0..2])?,
        two_digits(&t[3..5])?,
        two_digits(&t[6..8])?,
    );
    let mut len = i + 8;
    let mut nanos = 0u32;
    if b.get(len) == Some(&b'.') {
        let mut digits = 0;
        len += 1;
        while let Some(d) = b.get(len).filter(|c| c.is_ascii_digit()) {
            if digits < 9 {
                nanos = nanos * 10 + u32::from(d - b'0');
                digits += 1;
            }
            len += 1;
        }
        if digits == 0 {
            return None;
        }
        nanos *= 10u32.pow(9 - digits);
    }
    if !(1..=31).contains(&day) || month == 2 && day > 29 {
        return None;
    }
    let time = chrono::NaiveTime::from_hms_nano_opt(h, m, sec.min(59), nanos)?;
    Some((TimeValue::LocalNoYear { month, day, time }, len))
}

/// Whether a line that did not frame still looks like an attempt at a timestamped line (it
/// starts like `Mmm dd`, a digit or `<PRI>`): then it is an error, otherwise the text of a
/// multi-line message written without indentation.
fn looks_timestamped(line: &str) -> bool {
    let b = line.as_bytes();
    let word3 = b.len() > 4 && b[..3].iter().all(u8::is_ascii_alphabetic) && b[3] == b' ';
    let day = word3 && b.get(4).is_some_and(|c| c.is_ascii_digit() || *c == b' ');
    day || b.first().is_some_and(|c| c.is_ascii_digit() || *c == b'<')
}

/// `name[pid]:` or `name:` at the start of `s` (no spaces in the tag); returns the program,
/// pid and the message after it.
fn tag(s: &str) -> Option<(&str, Option<&str>, &str)> {
    let b = s.as_bytes();
    let end = find_byte(b, b' ').unwrap_or(b.len());
    // The token must end with its only-or-last `:`, i.e. with `:`.
    if end == 0 || b[end - 1] != b':' {
        return None;
    }
    let t = &s[..end - 1];
    let rest = &s[end..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    let tb = t.as_bytes();
    if tb.last() == Some(&b']') {
        if let Some(open) = tb.iter().rposition(|&x| x == b'[') {
            return Some((&t[..open], Some(&t[open + 1..t.len() - 1]), rest));
        }
    }
    if t.is_empty() {
        return None;
    }
    Some((t, None, rest))
}

/// After the timestamp: `host tag: msg`, `tag: msg` (no host), or `host msg` (no tag).
fn host_tag_msg(rest: &str) -> (Option<&str>, Option<&str>, Option<&str>, &str, Option<&str>) {
    let rest = rest.trim_start_matches(' ');
    if let Some(m) = rest.strip_prefix(": ").or_else(|| rest.strip_prefix(':')) {
        return (None, None, None, m, None);
    }
    let (first, after) = match find_byte(rest.as_bytes(), b' ') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    // Every severity word starts with a capital: most hosts are rejected on that byte.
    if first.as_bytes().first().is_some_and(u8::is_ascii_uppercase) && SEVERITIES.contains(&first) {
        return match tag(after) {
            Some((p, pid, m)) => (None, Some(p), pid, m, Some(first)),
            None => (None, None, None, after, Some(first)),
        };
    }
    // A first token that is itself a tag means the host was left out (`kernel: ...`).
    if first.ends_with(':') {
        if let Some((p, pid, m)) = tag(rest) {
            return (None, Some(p), pid, m, None);
        }
    }
    match tag(after) {
        Some((p, pid, m)) => (Some(first), Some(p), pid, m, None),
        None => (Some(first), None, None, after, None),
    }
}

fn pri(s: &str) -> Option<(u16, &str)> {
    let r = s.strip_prefix('<')?;
    let close = r.find('>')?;
    if close == 0 || close > 3 {
        return None;
    }
    let v: u16 = r[..close].parse().ok()?;
    (v <= 191).then_some((v, &r[close + 1..]))
}

fn nil(s: &str) -> Option<&str> {
    (s != "-").then_some(s)
}

/// RFC 5424 after `<PRI>`: `1 TS HOST APP PROCID MSGID SD MSG`.
fn rfc5424(pri_value: u16, s: &str) -> Result<Frame<'_>, String> {
    let s = s.strip_prefix("1 ").ok_or("RFC 5424 version is not 1")?;
    let mut it = s.splitn(6, ' ');
    let ts = it.next().unwrap_or("-");
    let host = it.next().unwrap_or("-");
    let app = it.next().unwrap_or("-");
    let procid = it.next().unwrap_or("-");
    let _msgid = it.next().unwrap_or("-");
    let rest = it.next().unwrap_or("");
    let time = if ts == "-" {
        return Err("RFC 5424 line without a timestamp (NILVALUE)".to_owned());
    } else {
        let p = parse_stamp(ts).map_err(|e| format!("RFC 5424 timestamp: {e}"))?;
        stamp_value(p)
    };
    // Structured data: `-` or one or more `[...]` elements (quoted values may hold `]`).
    let msg = if let Some(r) = rest.strip_prefix('-') {
        r
    } else {
        let b = rest.as_bytes();
        let mut i = 0;
        let mut quoted = false;
        let mut depth = 0;
        while i < b.len() {
            match b[i] {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b'[' if !quoted => depth += 1,
                b']' if !quoted => {
                    depth -= 1;
                    if depth == 0 && b.get(i + 1) != Some(&b'[') {
                        i += 1;
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        rest.get(i.min(rest.len())..).unwrap_or("")
    };
    let msg = msg.strip_prefix(' ').unwrap_or(msg);
    let msg = msg.strip_prefix('\u{feff}').unwrap_or(msg);
    Ok(Frame {
        time,
        ts_raw: ts,
        host: nil(host),
        program: nil(app),
        pid: nil(procid),
        msg,
        severity: None,
        facility_severity: Some(pri_value),
    })
}

fn stamp_value(p: tplus_model::time::ParsedStamp) -> TimeValue {
    match p.offset {
        Some(off) => match chrono::TimeZone::from_local_datetime(&off, &p.local).single() {
            Some(t) => TimeValue::Instant(t.with_timezone(&chrono::Utc)),
            None => TimeValue::Local(p.local),
        },
        None => TimeValue::Local(p.local),
    }
}

fn frame(line: &str) -> Result<Frame<'_>, String> {
    let (pri_value, body) = match pri(line) {
        Some((v, rest)) => (Some(v), rest),
        None => (None, line),
    };
    if let Some(v) = pri_value {
        if body.starts_with("1 ") {
            return rfc5424(v, body);
        }
    }
    if let Some((time, len)) = classic_stamp(body) {
        let (host, program, pid, msg, severity) = host_tag_msg(&body[len..]);
        return Ok(Frame {
            time,
            ts_raw: &body[..len],
            host,
            program,
            pid,
            msg,
            severity,
            facility_severity: pri_value,
        });
    }
    if body.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        let end = body.find(' ').unwrap_or(body.len());
        if let Ok(p) = parse_stamp(&body[..end]) {
            let (host, program, pid, msg, severity) = host_tag_msg(&body[end..]);
            return Ok(Frame {
                time: stamp_value(p),
                ts_raw: &body[..end],
                host,
                program,
                pid,
                msg,
                severity,
                facility_severity: pri_value,
            });
        }
    }
    Err("no syslog timestamp at the start of the line".to_owned())
}

/// `last message repeated N times` (classic, possibly inside `--- ... ---`) or rsyslog's
/// `message repeated N times: [...]`: returns N.
fn repeat_count(msg: &str) -> Option<u64> {
    // Most messages start with a byte no marker can start with (after `trim`: `-`, `l`,
    // `m`); those are answered without trimming and comparing.
    if let Some(&b) = msg.as_bytes().first() {
        if b.is_ascii() && !char::from(b).is_whitespace() && !matches!(b, b'-' | b'l' | b'm') {
            return None;
        }
    }
    // `trim_start_matches("--- ")` and `trim_end_matches(" ---")`, as plain loops: this runs
    // on every line, and the `&str`-pattern forms build a substring searcher each time.
    let mut m = msg.trim();
    while let Some(r) = m.strip_prefix("--- ") {
        m = r;
    }
    while let Some(r) = m.strip_suffix(" ---") {
        m = r;
    }
    let rest = m
        .strip_prefix("last message repeated ")
        .or_else(|| m.strip_prefix("message repeated "))?;
    let (n, tail) = rest.split_once(' ')?;
    tail.starts_with("times").then(|| n.parse().ok()).flatten()
}

fn build_event(f: &Frame<'_>, at: Location, sink: &mut dyn RecordSink) -> Event {
    let mut meaning = f.program.and_then(|p| interpret(p, f.msg));
    // Taken field by field from where `interpret` left it: the meaning is not copied whole
    // (into a default, or out of the `Option`). A line without a meaning has what
    // `Meaning::default()` gave (an empty description among them).
    let mut desc = "";
    let (mut actor, mut actor_kind, mut target, mut src_ip) =
        (None, ActorKind::Unknown, None, None);
    let (mut outcome, mut significance, mut tags) = (Outcome::Unknown, 0, Tags::new());
    let mut action = None;
    let mut attrs = None;
    if let Some(m) = meaning.as_mut() {
        desc = m.desc;
        actor = m.actor.as_deref().map(|a| sink.intern(a));
        actor_kind = m.actor_kind;
        target = m.target.as_deref().map(CompactString::from);
        src_ip = m.src_ip.as_deref().and_then(normalise_ip);
        outcome = m.outcome;
        significance = m.significance.min(100);
        // `Meaning` keeps its tags once each, in order: what `Event::tag` would have built.
        tags = m.tags;
        action = m.action;
        attrs = Some(&mut m.attrs);
    }
    let action = if let Some(a) = action {
        Some(sink.intern(a))
    } else {
        f.program.map(|p| {
            let base = match p.bytes().rposition(|c| c == b'/') {
                Some(i) => &p[i + 1..],
                None => p,
            };
            // `syslog.<program>`, put together on the stack: a file has few programs, and
            // the interner only copies the text the first time it sees it.
            const PREFIX: &str = "syslog.";
            let mut buf = [0u8; 64];
            let n = PREFIX.len() + base.len();
            let joined = (n <= buf.len())
                .then(|| {
                    buf[..PREFIX.len()].copy_from_slice(PREFIX.as_bytes());
                    buf[PREFIX.len()..n].copy_from_slice(base.as_bytes());
                    std::str::from_utf8(&buf[..n]).ok()
                })
                .flatten();
            match joined {
                Some(a) => sink.intern(a),
                None => sink.intern(&format!("{PREFIX}{base}")),
            }
        })
    };
    // Sized exactly: a million lines, each with a vector grown from 4 to 8 slots, would
    // hold room for millions of attributes never set.
    let n = usize::from(f.program.is_some())
        + usize::from(f.pid.is_some())
        + usize::from(f.severity.is_some())
        + 2 * usize::from(f.facility_severity.is_some())
        + attrs.as_ref().map_or(0, |a| a.len())
        + usize::from(f.msg.len() > MAX_MESSAGE);
    let mut attributes = tplus_model::Attributes::with_capacity(n);
    insert_attributes(&mut attributes, f, attrs);
    // One literal, last: built where the event is handed on, with no defaults written and
    // then replaced; field for field what `Event::new` and the builder gave.
    Event {
        time: f.time,
        ts_us: 0,
        ts_raw: f.ts_raw.into(),
        timestamp_desc: Cow::Borrowed(desc),
        message: excerpt(f.msg, MAX_MESSAGE).into_owned(),
        source: ID,
        host: f.host.map(|h| sink.intern(h)),
        actor,
        actor_kind,
        action,
        target,
        src_ip,
        outcome,
        event_id: None,
        confidence: Confidence::High,
        confidence_reasons: Vec::new(),
        location: at,
        input: 0,
        tags,
        significance,
        count: 1,
        attributes,
    }
}

/// Inserts the attributes of the line's header, then the message's `attrs` (a later value
/// of one key replaces an earlier one, so `attrs` win), in key order: every insert then
/// appends at the end of the sorted vector instead of searching it and shifting the rest.
fn insert_attributes(out: &mut tplus_model::Attributes, f: &Frame<'_>, attrs: Option<&mut Attrs>) {
    let mut none = Attrs::default();
    let mut attrs = attrs.unwrap_or(&mut none).take_sorted();
    // The header's keys, in key order: `facility`, `message_bytes`, `pid`, `program`,
    // `severity`, `severity_code`; the message's keys that sort before each go first.
    let mut put = |k: &'static str, v: Value| {
        while let Some((ak, av)) = attrs.next_before(k) {
            out.insert(ak, av.into());
        }
        out.insert(k, v);
    };
    if let Some(v) = f.facility_severity {
        put("facility", Value::from(v / 8));
    }
    if f.msg.len() > MAX_MESSAGE {
        put("message_bytes", Value::from(f.msg.len() as u64));
    }
    if let Some(p) = f.pid {
        put("pid", Value::from(p));
    }
    if let Some(p) = f.program {
        put("program", Value::from(p));
    }
    if let Some(s) = f.severity {
        put("severity", Value::from(s));
    }
    if let Some(v) = f.facility_severity {
        put("severity_code", Value::from(v % 8));
    }
    for (k, v) in attrs {
        out.insert(k, v.into());
    }
}

/// Bytes per line below which [`event_bound`] stops counting every line as an event.
const RESERVE_MIN_LINE: usize = 64;

/// How many events to reserve room for before parsing `data`: its lines, but no more than
/// one per [`RESERVE_MIN_LINE`] bytes, so a file of short lines that are not events (blank,
/// garbage) does not reserve more than a few times its own size. The sink may still grow.
fn event_bound(data: &[u8]) -> usize {
    let lines = tplus_model::lines::count_lines(data);
    usize::try_from(lines)
        .unwrap_or(usize::MAX)
        .min(data.len() / RESERVE_MIN_LINE + 1)
}

/// The text of `l`: a slice of `whole` (the chunk, when it is valid UTF-8, starting at
/// `base` in the input), else the line decoded lossily.
fn line_text<'a>(whole: Option<&'a str>, base: u64, l: &Line<'a>) -> Cow<'a, str> {
    match whole {
        Some(w) => {
            let start = (l.offset - base) as usize;
            Cow::Borrowed(&w[start..start + l.bytes.len()])
        }
        None => String::from_utf8_lossy(l.bytes),
    }
}

fn is_continuation(line: &[u8]) -> bool {
    matches!(line.first(), Some(b' ' | b'\t'))
}

impl Parser for Syslog {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Auth
    }
    fn describe(&self) -> &'static str {
        "syslog text: classic auth.log/secure (Mmm dd hh:mm:ss host tag[pid]: msg), RFC 3339 files, RFC 5424; sshd, sudo, su, pam_unix, cron, logind meanings"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        // Score on the first few non-blank lines: most must frame.
        let mut seen = 0;
        let mut framed = 0;
        for l in tplus_model::lines::lines(head).take(20) {
            if l.bytes.iter().all(u8::is_ascii_whitespace)
                || is_continuation(l.bytes)
                || l.bytes.first() == Some(&b'#')
            {
                continue;
            }
            seen += 1;
            if frame(&String::from_utf8_lossy(l.bytes)).is_ok() {
                framed += 1;
            }
        }
        if seen == 0 || framed * 2 < seen {
            Sniff::NO
        } else if framed == seen {
            Sniff::STRONG
        } else {
            Sniff::WEAK
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
    fn is_chunk_boundary(&self, line: &[u8]) -> bool {
        if is_continuation(line) {
            return false;
        }
        let text = String::from_utf8_lossy(line);
        match frame(&text) {
            Ok(f) => repeat_count(f.msg).is_none(),
            Err(_) => looks_timestamped(&text),
        }
    }
    fn parse_chunk(
        &self,
        data: &[u8],
        first_line: u64,
        base_offset: u64,
        sink: &mut dyn RecordSink,
    ) {
        // UTF-8 is checked once for the whole chunk; lines of a valid chunk are then slices
        // of it. A chunk with invalid bytes decodes line by line, lossily.
        let whole = std::str::from_utf8(data).ok();
        sink.reserve(event_bound(data));
        parse_lines(data, whole, first_line, base_offset, sink);
    }
}

/// The lines of a chunk, `whole` being the chunk as text when it is valid UTF-8 (else each
/// line is decoded on its own; both give the same text).
fn parse_lines(
    data: &[u8],
    whole: Option<&str>,
    first_line: u64,
    base_offset: u64,
    sink: &mut dyn RecordSink,
) {
    let mut after_error = false;
    for l in lines_from(data, first_line, base_offset) {
        let at = Location::line(l.number, l.offset);
        let was_after_error = std::mem::take(&mut after_error);
        let bytes = l.bytes;
        if bytes.is_empty() || bytes.iter().all(u8::is_ascii_whitespace) {
            sink.skipped(at, "blank line");
            continue;
        }
        // The byte test first: it stops at the first byte of an ordinary line, where the
        // search for a NUL would read the whole line.
        if bytes.iter().all(|b| *b == 0 || b.is_ascii_whitespace()) && memchr(0, bytes).is_some() {
            sink.skipped(at, "NUL padding (a file cut or preallocated while written)");
            continue;
        }
        if is_continuation(bytes) && was_after_error {
            after_error = true;
            sink.error(
                at,
                "continuation of a line that could not be read".to_owned(),
            );
            continue;
        }
        if is_continuation(bytes) {
            let text = line_text(whole, base_offset, &l);
            match sink.previous() {
                Some(prev) if prev.message.len() < MAX_MESSAGE => {
                    prev.message.push('\n');
                    prev.message.push_str(text.trim_end());
                    sink.skipped(
                        at,
                        "continuation of the previous line (appended to its message)",
                    );
                }
                Some(_) => sink.skipped(
                    at,
                    "continuation of the previous line (message already at its size limit)",
                ),
                None => sink.error(at, "continuation line without a preceding event".to_owned()),
            }
            continue;
        }
        if bytes.first() == Some(&b'#') {
            sink.skipped(at, "comment line");
            continue;
        }
        let text = line_text(whole, base_offset, &l);
        let line = text.trim_end_matches('\u{0}');
        match frame(line) {
            Ok(f) => {
                if let Some(n) = repeat_count(f.msg) {
                    match sink.previous() {
                        Some(prev) => {
                            prev.count = prev.count.saturating_add(n);
                            sink.skipped(
                                at,
                                "repeat marker: its count was added to the previous event",
                            );
                        }
                        None => {
                            sink.skipped(at, "repeat marker without a previous event in this file")
                        }
                    }
                    continue;
                }
                let e = build_event(&f, at, sink);
                sink.event(e);
            }
            Err(why) => {
                if looks_timestamped(line) || was_after_error {
                    after_error = true;
                    sink.error(at, why);
                    continue;
                }
                match sink.previous() {
                    Some(prev) if prev.message.len() < MAX_MESSAGE => {
                        prev.message.push('\n');
                        prev.message.push_str(line);
                        sink.skipped(at, "continuation of the previous line (no timestamp; appended to its message)");
                    }
                    Some(_) => sink.skipped(
                        at,
                        "continuation of the previous line (message already at its size limit)",
                    ),
                    None => {
                        after_error = true;
                        sink.error(at, why);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::{collect, ActorKind, Collected, Outcome, Tag};

    #[test]
    fn classic_lines() {
        let data = b"Oct 14 10:13:05 web-1 sshd[3999]: Accepted password for deploy from 203.0.113.45 port 41877 ssh2\r\n\
Feb  6 15:16:30 victoria process[2085]: Test message with single character day\n\
Nov 18 08:30:20 kernel: [997.390602] sda2: rw=0\n\
Jan 22 07:54:32 myhostname.myhost.com Job `cron.daily' terminated\n\
Feb 29 01:15:43: --- testing leap year ---\n\
MMM 22 07:54:32 bad line\n\
Feb 7 16:01:07 linux-m899 sshd[5106]: bare day\n\
Mar 23 23:01:18.123 host prog[19]: fractional";
        let c = collect(&Syslog, data);
        assert_eq!((c.events.len(), c.skipped, c.errors), (7, 0, 1));
        let e = &c.events[0];
        assert_eq!(e.host.as_deref(), Some("web-1"));
        assert_eq!(e.ts_raw, "Oct 14 10:13:05");
        assert_eq!(e.action.as_deref(), Some("ssh.login"));
        assert_eq!(e.outcome, Outcome::Success);
        assert!(matches!(
            e.time,
            TimeValue::LocalNoYear {
                month: 10,
                day: 14,
                ..
            }
        ));
        assert_eq!(c.events[1].host.as_deref(), Some("victoria"));
        assert_eq!(c.events[2].host, None);
        assert_eq!(c.events[2].attributes["program"], "kernel");
        assert_eq!(c.events[3].message, "Job `cron.daily' terminated");
        assert!(matches!(
            c.events[4].time,
            TimeValue::LocalNoYear {
                month: 2,
                day: 29,
                ..
            }
        ));
        assert_eq!(c.error_samples[0].0.line, Some(6));
        let TimeValue::LocalNoYear { time, .. } = c.events[6].time else {
            panic!()
        };
        assert_eq!(time.format("%H:%M:%S%.3f").to_string(), "23:01:18.123");
    }

    #[test]
    fn continuation_repeat_comment_blank_nul() {
        let data = b"# comment\n\nNov 18 01:15:20 h aprocess[10100]: multi-line message\n\tmany syslog parsers.\nNov 18 01:15:43 h sshd[1]: last message repeated 5 times\nNov 18 01:15:44 h rsyslogd: message repeated 3 times: [x]\n\0\0\0\0\n";
        let c = collect(&Syslog, data);
        assert_eq!((c.events.len(), c.skipped, c.errors), (1, 6, 0));
        assert_eq!(
            c.events[0].message,
            "multi-line message\n\tmany syslog parsers."
        );
        assert_eq!(c.events[0].count, 9);
    }

    #[test]
    fn rfc3339_chromeos_and_rfc5424() {
        let data = "2016-10-25T12:37:23.297265-07:00 INFO periodic_scheduler[13707]: cleanup_logs: job completed\n\
2020-05-31T00:00:45.698463+00:00 localhost rsyslogd:  [origin software=\"rsyslogd\"] rsyslogd was HUPed\n\
<15>1 2021-03-06T04:07:38.251122+00:00 hostname log_tag - 123 -  this is debug\n\
<14>1 2021-03-06T04:07:38.251280+00:00 hostname log_tag - - [ex@1 a=\"x]y\"][b@2 c=\"d\"] \u{feff}with sd\n\
<14>1 - hostname app - - - no time\n\
with another line\n\
2024-01-05T14:03:01 web1 sudo: alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls\n";
        let c = collect(&Syslog, data.as_bytes());
        assert_eq!((c.events.len(), c.errors, c.skipped), (5, 2, 0));
        let e = &c.events[0];
        assert_eq!(e.host, None);
        assert_eq!(e.attributes["severity"], "INFO");
        assert_eq!(e.attributes["program"], "periodic_scheduler");
        assert!(
            matches!(e.time, TimeValue::Instant(t) if t.to_rfc3339() == "2016-10-25T19:37:23.297265+00:00")
        );
        assert_eq!(c.events[1].host.as_deref(), Some("localhost"));
        assert_eq!(c.events[2].message, " this is debug");
        assert_eq!(c.events[2].attributes["program"], "log_tag");
        assert_eq!(c.events[3].message, "with sd");
        assert_eq!(
            c.error_samples.len(),
            2,
            "a continuation of an unreadable line is unreadable too"
        );
        let s = &c.events[4];
        assert!(matches!(s.time, TimeValue::Local(_)));
        assert_eq!(
            (s.actor.as_deref(), s.actor_kind),
            (Some("alice"), ActorKind::Unknown)
        );
        assert!(s.has_tag(Tag::PrivilegeChange));
    }

    #[test]
    fn invalid_utf8_and_huge_lines_are_events() {
        let mut data = b"Oct 14 10:13:05 h prog: caf\xe9\n".to_vec();
        data.extend_from_slice(b"Oct 14 10:13:06 h prog: ");
        data.extend(std::iter::repeat_n(b'A', 3 << 20));
        let c = collect(&Syslog, &data);
        assert_eq!(c.events.len(), 2);
        assert!(c.events[0].message.contains('\u{fffd}'));
        assert!(c.events[1].message.len() < 70 * 1024);
    }

    /// The packed month match is the model's case-insensitive one, on every byte in every
    /// position next to letters of each month's name in either case.
    #[test]
    fn month3_matches_model() {
        use tplus_model::time::month_from_abbrev;
        let names = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        for name in names {
            for v in [
                name.to_owned(),
                name.to_ascii_uppercase(),
                name.to_ascii_lowercase(),
            ] {
                let b = v.as_bytes();
                for pos in 0..3 {
                    for x in 0..=255u8 {
                        let mut t = [b[0], b[1], b[2]];
                        t[pos] = x;
                        assert_eq!(month3(&t), month_from_abbrev(&t), "{t:?}");
                    }
                }
            }
        }
        assert_eq!(month3(b"Ja"), None);
    }

    /// The fast rejection in `repeat_count` gives what the full check gives.
    #[test]
    fn repeat_count_edges() {
        for (m, n) in [
            ("last message repeated 5 times", Some(5)),
            ("  last message repeated 2 times", Some(2)),
            ("\u{2003}message repeated 3 times: [x]", Some(3)),
            ("--- last message repeated 4 times ---", Some(4)),
            ("\u{b}message repeated 7 times", Some(7)),
            ("Failed password", None),
            ("message", None),
            ("", None),
        ] {
            assert_eq!(repeat_count(m), n, "{m:?}");
        }
    }

    /// Fuzz crasher: a month followed by a long run of digits overflowed the day.
    #[test]
    fn r_fuzz_long_day_digits() {
        let data = b"\n5\xa2\xa2\xd6$\nNUL>>> $\nJUL 44444444444444444444444444 x\n";
        let c = collect(&Syslog, data);
        assert_eq!(c.records(), 4);
        assert!(classic_stamp("Jul 444 10:00:00 h").is_none());
    }

    /// Everything a line gives, for comparing two ways of parsing the same bytes.
    fn dump(c: &Collected) -> String {
        let mut out = format!(
            "{} {} {:?} {:?}\n",
            c.skipped, c.errors, c.skip_reasons, c.error_samples
        );
        for e in &c.events {
            out.push_str(&format!("{e:?}\n"));
        }
        out
    }

    /// Tricky lines for the fast paths: invalid user names with spaces and `from`, IPv6 and
    /// mapped addresses, no port, `#012`/`#011`, CRLF, NUL padding, repeat markers,
    /// continuations, leading zeros in an address, a final line without a newline.
    const TRICKY: &str = "Oct 14 10:13:05 web-1 sshd[3999]: Accepted password for deploy from 203.0.113.45 port 41877 ssh2\r\n\
Oct 14 10:13:06 web-1 sshd[3999]: Accepted publickey for alice from 2001:DB8::1 port 50122 ssh2: ED25519 SHA256:abc\n\
Oct 14 10:13:07 web-1 sshd[3999]: Accepted publickey for alice from ::ffff:10.0.0.1 port 50122 ssh2: RSA SHA256:abc\n\
Oct 14 10:13:08 web-1 sshd[4000]: Failed password for invalid user a from b from 10.0.0.1 port 22 ssh2\n\
Oct 14 10:13:08 web-1 sshd[4000]: Failed password for invalid user  from 10.0.0.1 port 22 ssh2\n\
Oct 14 10:13:09 web-1 sshd[4000]: Failed password for root from 10.0.0.2\n\
Oct 14 10:13:09 web-1 sshd[4000]: Failed password for root from 010.0.0.2 port\n\
Oct 14 10:13:09 web-1 sshd[4000]: Failed password for r\u{e9}mi from 10.0.0.3 port 22 ssh2#012Extra#011tab\n\
Oct 14 10:13:11 web-1 sshd[4001]: Invalid user a b from c from fe80::1 port 1\n\
Oct 14 10:13:11 web-1 sshd[4001]: Invalid user oracle\n\
Oct 14 10:13:12 web-1 sshd[4002]: Connection closed by invalid user ad min 203.0.113.45 port 40000 [preauth] [preauth]\n\
Oct 14 10:13:12 web-1 sshd[4002]: Connection closed by 203.0.113.45\n\
Oct 14 10:13:12 web-1 sshd[4002]: Disconnecting invalid user test 10.1.1.1 port 2222: Too many authentication failures [preauth]\n\
Oct 14 10:13:13 web-1 sshd[4003]: Received disconnect from 2001:db8::3 port 41877:11: Bye Bye [preauth]\n\
Oct 14 10:13:13 web-1 sshd[4003]: User root from 10.0.0.9 not allowed because not listed in AllowUsers\n\
Oct 14 10:13:14 web-1 CRON[5]: pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)\n\
Oct 14 10:13:16 web-1 sudo: deploy : TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/bin/sh -c a ; b\n\
Oct 14 10:13:16 web-1 sudo: deploy : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/x ; USER=root ; COMMAND=/usr/bin/systemctl stop rsyslog\n\
Oct 14 10:13:17 web-1 su[9]: FAILED SU (to postgres) deploy on pts/0\n\
Oct 14 10:13:19 web-1 sshd[7]: --- last message repeated 3 times --- ---\n\
\tcontinued line\r\n\
not a timestamped continuation\n\
Oct 14 10:13:21 web-1 sshd[1]: Failed password for root from 10.0.0.1 port 22 ssh2\0\0\n\
\0\0\n\
Oct 14 10:13:25 web-1 sshd[1]: Connection closed by 10.0.0.1 port 22 [preauth]";

    /// Slicing lines out of the chunk checked once gives what decoding each line gives, and
    /// a chunk with invalid bytes still parses line by line.
    #[test]
    fn whole_chunk_text_matches_per_line_decoding() {
        let data = TRICKY.as_bytes();
        let whole = std::str::from_utf8(data).ok();
        assert!(whole.is_some());
        let mut fast = Collected::default();
        parse_lines(data, whole, 7, 100, &mut fast);
        let mut slow = Collected::default();
        parse_lines(data, None, 7, 100, &mut slow);
        assert_eq!(dump(&fast), dump(&slow));
        assert_eq!(fast.records(), tplus_model::lines::count_lines(data));
        assert_eq!(fast.events[0].src_ip.as_deref(), Some("203.0.113.45"));
        assert_eq!(fast.events[1].src_ip.as_deref(), Some("2001:db8::1"));
        assert_eq!(fast.events[2].src_ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(fast.events[3].actor.as_deref(), Some("a from b"));
        assert_eq!(
            fast.events[6].src_ip, None,
            "leading zeros are not an address"
        );
        assert_eq!(fast.events[8].src_ip.as_deref(), Some("fe80::1"));
        let last = fast.events.last().map(|e| e.message.as_str());
        assert_eq!(
            last,
            Some("Connection closed by 10.0.0.1 port 22 [preauth]")
        );
        // Invalid bytes anywhere: every line is decoded on its own, the rest unchanged.
        let mut bad = data.to_vec();
        bad.extend_from_slice(
            b"\nOct 14 10:13:26 web-1 sshd[1]: Invalid user \xff\xfe from 10.0.0.1 port 2",
        );
        let c = collect(&Syslog, &bad);
        let mut head = dump(&c);
        let tail = head.split_off(head.rfind("Event {").unwrap_or(0));
        assert!(tail.contains("\u{fffd}\u{fffd}"), "{tail}");
        let plain = collect(&Syslog, data);
        assert_eq!(c.events.len(), plain.events.len() + 1);
        for (a, b) in c.events.iter().zip(&plain.events) {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
    }

    /// The `str`-method versions `tag` and `host_tag_msg` replaced, as the reference.
    fn tag_ref(s: &str) -> Option<(&str, Option<&str>, &str)> {
        let end = s.find(' ').unwrap_or(s.len());
        let token = &s[..end];
        let colon = token.rfind(':')?;
        if colon + 1 != token.len() && !token[colon + 1..].is_empty() {
            return None;
        }
        let t = &token[..colon];
        let rest = s[end..].strip_prefix(' ').unwrap_or(&s[end..]);
        if let Some(open) = t.rfind('[') {
            if t.ends_with(']') {
                return Some((&t[..open], Some(&t[open + 1..t.len() - 1]), rest));
            }
        }
        if t.is_empty() {
            return None;
        }
        Some((t, None, rest))
    }

    type Htm<'a> = (
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
    );

    fn host_tag_msg_ref(rest: &str) -> Htm<'_> {
        let rest = rest.trim_start_matches(' ');
        if let Some(m) = rest.strip_prefix(": ").or_else(|| rest.strip_prefix(':')) {
            return (None, None, None, m, None);
        }
        let (first, after) = rest.split_once(' ').unwrap_or((rest, ""));
        if SEVERITIES.contains(&first) {
            return match tag_ref(after) {
                Some((p, pid, m)) => (None, Some(p), pid, m, Some(first)),
                None => (None, None, None, after, Some(first)),
            };
        }
        if first.ends_with(':') || first.ends_with("]:") {
            if let Some((p, pid, m)) = tag_ref(rest) {
                return (None, Some(p), pid, m, None);
            }
        }
        match tag_ref(after) {
            Some((p, pid, m)) => (Some(first), Some(p), pid, m, None),
            None => (Some(first), None, None, after, None),
        }
    }

    /// The byte-loop header split gives what the `str`-method one gave.
    #[test]
    fn header_split_matches_reference() {
        let cases = [
            " web-1 sshd[3999]: Accepted password",
            " web-1 sshd: x",
            " web-1 sshd:x y",
            " web-1 sshd[1] no colon",
            " web-1 sshd[]: empty pid",
            " web-1 [1]: no name",
            " web-1 ]: odd",
            " web-1 a]b[: odd",
            " web-1 : empty tag",
            " web-1 ::: colons",
            " web-1 a:b: inner colon",
            " kernel: [997.390602] sda2",
            " sshd[1]: no host",
            " INFO periodic_scheduler[13707]: job",
            " INFO no tag here",
            " WARNING",
            "   : leading spaces and colon",
            ": x",
            ":x",
            " host",
            " host ",
            "",
            " h\u{e9}te pr\u{f6}g[\u{e9}]: unicode",
            " web-1 /usr/sbin/sshd[7]: path",
            " web-1 sshd[1]:",
            " web-1 sshd[1]:  two spaces",
        ];
        for c in cases {
            assert_eq!(host_tag_msg(c), host_tag_msg_ref(c), "{c:?}");
            let t = c.trim_start();
            assert_eq!(tag(t), tag_ref(t), "{t:?}");
        }
    }

    /// The reservation is the line count for ordinary lines, bounded for short ones, and
    /// the events of a pass then fit without the sink growing.
    #[test]
    fn reservation_bound() {
        let line = "Oct 14 10:13:05 web-1 sshd[3999]: Accepted password for deploy from 203.0.113.45 port 41877 ssh2\n";
        let data = line.repeat(1000);
        assert_eq!(event_bound(data.as_bytes()), 1000);
        assert_eq!(event_bound(b""), 0);
        assert_eq!(event_bound(b"x"), 1);
        let blank = vec![b'\n'; 64_000];
        assert_eq!(event_bound(&blank), 1001);
        let c = collect(&Syslog, data.as_bytes());
        assert_eq!(c.events.len(), 1000);
        assert_eq!(c.events.capacity(), 1000);
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            Syslog.sniff(b"Oct 14 10:13:05 h sshd[1]: x\nOct 14 10:13:06 h sshd[1]: y\n"),
            Sniff::STRONG
        );
        assert_eq!(Syslog.sniff(b"{\"Records\":[]}"), Sniff::NO);
        assert_eq!(Syslog.sniff(b"hello world\nthis is text\n"), Sniff::NO);
    }
}
