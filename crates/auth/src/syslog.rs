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

use memchr::memchr;
use tplus_model::lines::lines_from;
use tplus_model::text::excerpt;
use tplus_model::time::{month_from_abbrev, parse_stamp};
use tplus_model::{Event, Family, Location, Parser, RecordSink, Sniff, TimeValue};

use crate::linux_auth::{interpret, Meaning};

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

/// `Mmm dd hh:mm:ss[.frac]` at the start of `s` (the day space-padded, zero-padded or bare:
/// `Feb  7`, `Feb 07`, `Feb 7`); returns the value and its length.
fn classic_stamp(s: &str) -> Option<(TimeValue, usize)> {
    let b = s.as_bytes();
    let month = month_from_abbrev(b.get(..3)?)?;
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

/// After the timestamp: `host tag: msg`, `tag: msg` (no host), or `host msg` (no tag).
fn host_tag_msg(rest: &str) -> (Option<&str>, Option<&str>, Option<&str>, &str, Option<&str>) {
    let rest = rest.trim_start_matches(' ');
    if let Some(m) = rest.strip_prefix(": ").or_else(|| rest.strip_prefix(':')) {
        return (None, None, None, m, None);
    }
    let (first, after) = rest.split_once(' ').unwrap_or((rest, ""));
    if SEVERITIES.contains(&first) {
        return match tag(after) {
            Some((p, pid, m)) => (None, Some(p), pid, m, Some(first)),
            None => (None, None, None, after, Some(first)),
        };
    }
    // A first token that is itself a tag means the host was left out (`kernel: ...`).
    if first.ends_with(':') || first.ends_with("]:") {
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
    let m = msg
        .trim()
        .trim_start_matches("--- ")
        .trim_end_matches(" ---");
    let rest = m
        .strip_prefix("last message repeated ")
        .or_else(|| m.strip_prefix("message repeated "))?;
    let (n, tail) = rest.split_once(' ')?;
    tail.starts_with("times").then(|| n.parse().ok()).flatten()
}

fn build_event(f: &Frame<'_>, line: &str, at: Location) -> Event {
    let meaning = f
        .program
        .and_then(|p| interpret(p, f.msg))
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
    let _ = line;
    let message = excerpt(f.msg, MAX_MESSAGE);
    let mut b = Event::builder(ID, f.time, f.ts_raw)
        .message(message.into_owned())
        .desc(desc)
        .host(f.host)
        .actor(actor, actor_kind)
        .target(target)
        .src_ip(src_ip.as_deref())
        .outcome(outcome)
        .at(at)
        .significance(significance);
    if let Some(a) = action {
        b = b.action(a);
    } else if let Some(p) = f.program {
        b = b.action(format!("syslog.{}", p.rsplit('/').next().unwrap_or(p)));
    }
    for t in tags {
        b = b.tag(t);
    }
    if let Some(p) = f.program {
        b = b.attr("program", p);
    }
    if let Some(p) = f.pid {
        b = b.attr("pid", p);
    }
    if let Some(s) = f.severity {
        b = b.attr("severity", s);
    }
    if let Some(v) = f.facility_severity {
        b = b.attr("facility", v / 8).attr("severity_code", v % 8);
    }
    for (k, v) in attrs {
        b = b.attr(k, v);
    }
    if f.msg.len() > MAX_MESSAGE {
        b = b.attr("message_bytes", f.msg.len() as u64);
    }
    b.build()
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
        let mut after_error = false;
        for l in lines_from(data, first_line, base_offset) {
            let at = Location::line(l.number, l.offset);
            let was_after_error = std::mem::take(&mut after_error);
            let bytes = l.bytes;
            if bytes.is_empty() || bytes.iter().all(u8::is_ascii_whitespace) {
                sink.skipped(at, "blank line");
                continue;
            }
            if memchr(0, bytes).is_some()
                && bytes.iter().all(|b| *b == 0 || b.is_ascii_whitespace())
            {
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
                let text = String::from_utf8_lossy(bytes);
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
                    None => {
                        sink.error(at, "continuation line without a preceding event".to_owned())
                    }
                }
                continue;
            }
            if bytes.first() == Some(&b'#') {
                sink.skipped(at, "comment line");
                continue;
            }
            let text = String::from_utf8_lossy(bytes);
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
                            None => sink
                                .skipped(at, "repeat marker without a previous event in this file"),
                        }
                        continue;
                    }
                    sink.event(build_event(&f, line, at));
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::{collect, ActorKind, Outcome, Tag};

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

    /// Fuzz crasher: a month followed by a long run of digits overflowed the day.
    #[test]
    fn r_fuzz_long_day_digits() {
        let data = b"\n5\xa2\xa2\xd6$\nNUL>>> $\nJUL 44444444444444444444444444 x\n";
        let c = collect(&Syslog, data);
        assert_eq!(c.records(), 4);
        assert!(classic_stamp("Jul 444 10:00:00 h").is_none());
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
