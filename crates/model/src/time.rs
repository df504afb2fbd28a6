//! Time, correct by construction.
//!
//! Parsing turns text into a [`TimeValue`] without guessing. Resolution then turns every
//! zone-less or year-less value into a UTC instant per input file, and records on each event
//! exactly what it assumed:
//!
//! * **Zone**: from the run's [`ZoneMap`] (`--tz [PATTERN=]ZONE`, most specific rule wins:
//!   `host:NAME`, then the path glob with the most literal characters, then the default).
//!   Without any zone the time is read as UTC and marked low.
//! * **DST fold** (a local time that happens twice): inside a chronological file the local
//!   clock visibly steps back by up to the fold's length; events before the step are the
//!   first occurrence, events after it the second (medium). Without such a step it cannot be
//!   told: the earlier instant is used and the event is marked low.
//! * **DST gap** (a local time that never happened): read with the offset in force before
//!   the change, marked low.
//! * **Year** (classic syslog): `--year` gives the year of the file's first line; otherwise
//!   the last line's year comes from the file's mtime, checked against the span of the other
//!   sources in the run (a copied file's mtime is not trusted blindly). A backward jump of
//!   more than half a year inside the file is a Dec→Jan rollover. Feb 29 forces a leap year.
//!
//! ```
//! use chrono::NaiveDate;
//! use tplus_model::time::{resolve_local, LocalResolution};
//! let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
//! let t = NaiveDate::from_ymd_opt(2025, 11, 2).unwrap().and_hms_opt(1, 30, 0).unwrap();
//! assert!(matches!(resolve_local(t, tz), LocalResolution::Ambiguous { .. }));
//! ```

use std::collections::HashMap;

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc,
};
use chrono_tz::Tz;
use thiserror::Error;

use crate::event::{Confidence, Event, TimeValue};
use crate::shared::Reason;

/// Why a timestamp or a zone setting could not be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeError {
    /// The text is not a timestamp of the expected form.
    #[error("not a timestamp: {0:?}")]
    Malformed(String),
    /// A field is out of range (month 13, Feb 30, hour 25).
    #[error("timestamp out of range: {0:?}")]
    OutOfRange(String),
    /// An epoch value outside the representable range.
    #[error("epoch value out of range: {0}")]
    EpochRange(i128),
    /// An unknown IANA zone name.
    #[error("unknown time zone {0:?} (expected an IANA name such as Europe/Berlin)")]
    UnknownZone(String),
    /// A bad `--tz` pattern.
    #[error("bad --tz pattern {pattern:?}: {why}")]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// Why.
        why: String,
    },
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// A parsed RFC 3339-like timestamp: the local wall time and the offset if one was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedStamp {
    /// Wall-clock date and time as written.
    pub local: NaiveDateTime,
    /// The written offset, `None` when the text had no zone.
    pub offset: Option<FixedOffset>,
}

/// Parses `YYYY-MM-DD[T ]HH:MM:SS[.f{0,9}][Z|±HH:MM|±HHMM|±HH]`.
///
/// Accepts 0 to 9 fraction digits (more are cut to nanoseconds), lower-case `t`/`z`, a space
/// instead of `T`, and a leap second `:60` (kept as chrono's leap-second representation).
///
/// # Errors
/// [`TimeError::Malformed`] or [`TimeError::OutOfRange`].
pub fn parse_stamp(s: &str) -> Result<ParsedStamp, TimeError> {
    let b = s.trim().as_bytes();
    let bad = || TimeError::Malformed(s.to_owned());
    let range = || TimeError::OutOfRange(s.to_owned());
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    let (y, mo, d) = (
        digits(b, 0, 4).ok_or_else(bad)?,
        digits(b, 5, 2).ok_or_else(bad)?,
        digits(b, 8, 2).ok_or_else(bad)?,
    );
    let (h, mi, mut sec) = (
        digits(b, 11, 2).ok_or_else(bad)?,
        digits(b, 14, 2).ok_or_else(bad)?,
        digits(b, 17, 2).ok_or_else(bad)?,
    );
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 9 {
                nanos = nanos * 10 + u32::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = (i - start).min(9);
        if i == start {
            return Err(bad());
        }
        nanos *= 10u32.pow(9 - n as u32);
    }
    if sec == 60 {
        sec = 59;
        nanos += 1_000_000_000;
    }
    let date = NaiveDate::from_ymd_opt(y as i32, mo, d).ok_or_else(range)?;
    let time = NaiveTime::from_hms_nano_opt(h, mi, sec, nanos).ok_or_else(range)?;
    let local = date.and_time(time);
    let rest = &b[i..];
    let offset = match rest {
        [] => None,
        [b'Z' | b'z'] => Some(FixedOffset::east_opt(0).ok_or_else(range)?),
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let (oh, om) = match tail.len() {
                2 => (digits(tail, 0, 2).ok_or_else(bad)?, 0),
                4 => (
                    digits(tail, 0, 2).ok_or_else(bad)?,
                    digits(tail, 2, 2).ok_or_else(bad)?,
                ),
                5 if tail[2] == b':' => (
                    digits(tail, 0, 2).ok_or_else(bad)?,
                    digits(tail, 3, 2).ok_or_else(bad)?,
                ),
                _ => return Err(bad()),
            };
            if oh > 23 || om > 59 {
                return Err(range());
            }
            let secs = (oh * 3600 + om * 60) as i32;
            let secs = if *sign == b'-' { -secs } else { secs };
            Some(FixedOffset::east_opt(secs).ok_or_else(range)?)
        }
        _ => return Err(bad()),
    };
    Ok(ParsedStamp { local, offset })
}

/// Parses an RFC 3339-like timestamp into a [`TimeValue`]: an instant when the text has a
/// zone, a zone-less local time when it has none.
///
/// # Errors
/// As [`parse_stamp`].
pub fn parse_timestamp(s: &str) -> Result<TimeValue, TimeError> {
    let p = parse_stamp(s)?;
    Ok(match p.offset {
        Some(off) => {
            let dt = off
                .from_local_datetime(&p.local)
                .single()
                .ok_or_else(|| TimeError::OutOfRange(s.to_owned()))?;
            TimeValue::Instant(dt.with_timezone(&Utc))
        }
        None => TimeValue::Local(p.local),
    })
}

/// Parses a timestamp that must carry its own zone (`Z` or an offset).
///
/// # Errors
/// As [`parse_stamp`], and [`TimeError::Malformed`] when the zone is missing.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, TimeError> {
    match parse_timestamp(s)? {
        TimeValue::Instant(t) => Ok(t),
        _ => Err(TimeError::Malformed(format!("{s} (no zone)"))),
    }
}

/// The unit of an epoch number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpochUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds.
    Nanos,
}

impl EpochUnit {
    /// Guesses the unit from the magnitude: a present-day instant has 10 digits in seconds,
    /// 13 in ms, 16 in µs and 19 in ns, so the boundaries sit between those.
    pub fn guess(v: i128) -> EpochUnit {
        let a = v.unsigned_abs();
        if a < 100_000_000_000 {
            EpochUnit::Seconds
        } else if a < 100_000_000_000_000 {
            EpochUnit::Millis
        } else if a < 100_000_000_000_000_000 {
            EpochUnit::Micros
        } else {
            EpochUnit::Nanos
        }
    }
}

/// Converts an epoch number in `unit` to an instant.
///
/// # Errors
/// [`TimeError::EpochRange`] outside chrono's range.
pub fn from_epoch(v: i128, unit: EpochUnit) -> Result<DateTime<Utc>, TimeError> {
    let nanos = match unit {
        EpochUnit::Seconds => v.checked_mul(1_000_000_000),
        EpochUnit::Millis => v.checked_mul(1_000_000),
        EpochUnit::Micros => v.checked_mul(1_000),
        EpochUnit::Nanos => Some(v),
    }
    .ok_or(TimeError::EpochRange(v))?;
    let secs =
        i64::try_from(nanos.div_euclid(1_000_000_000)).map_err(|_| TimeError::EpochRange(v))?;
    let sub =
        u32::try_from(nanos.rem_euclid(1_000_000_000)).map_err(|_| TimeError::EpochRange(v))?;
    DateTime::<Utc>::from_timestamp(secs, sub).ok_or(TimeError::EpochRange(v))
}

/// Parses an epoch written as text (`1700000000`, `1700000000.123`, `1700000000123`),
/// guessing the unit of an integer from its magnitude.
///
/// # Errors
/// [`TimeError::Malformed`] or [`TimeError::EpochRange`].
pub fn parse_epoch_text(s: &str) -> Result<DateTime<Utc>, TimeError> {
    let t = s.trim();
    if let Some((int, frac)) = t.split_once('.') {
        let secs: i128 = int
            .parse()
            .map_err(|_| TimeError::Malformed(s.to_owned()))?;
        if frac.is_empty() || !frac.bytes().all(|c| c.is_ascii_digit()) {
            return Err(TimeError::Malformed(s.to_owned()));
        }
        let mut nanos: i128 = 0;
        for (i, c) in frac.bytes().take(9).enumerate() {
            nanos += i128::from(c - b'0') * 10i128.pow(8 - i as u32);
        }
        let total = secs
            .checked_mul(1_000_000_000)
            .ok_or(TimeError::EpochRange(secs))?;
        let total = if secs < 0 || int.starts_with('-') {
            total - nanos
        } else {
            total + nanos
        };
        return from_epoch(total, EpochUnit::Nanos);
    }
    let v: i128 = t.parse().map_err(|_| TimeError::Malformed(s.to_owned()))?;
    from_epoch(v, EpochUnit::guess(v))
}

/// Reads an English three-letter month abbreviation (`Jan`..`Dec`).
pub fn month_from_abbrev(b: &[u8]) -> Option<u32> {
    const M: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let b = b.get(..3)?;
    M.iter()
        .position(|m| m.eq_ignore_ascii_case(b))
        .map(|i| i as u32 + 1)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`): the hot path of every output, so no formatter machinery.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Renders microseconds since the epoch as the contract's `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn format_utc(us: i64) -> String {
    let mut b = Vec::with_capacity(27);
    push_utc(us, &mut b);
    String::from_utf8_lossy(&b).into_owned()
}

/// [`format_utc`] appended to a buffer: the JSONL and CSV writers call it once per event,
/// where a `String` per call was an allocation per row.
pub fn push_utc(us: i64, out: &mut Vec<u8>) {
    let secs = us.div_euclid(1_000_000);
    let micros = us.rem_euclid(1_000_000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    if !(0..=9999).contains(&y) {
        match DateTime::<Utc>::from_timestamp_micros(us) {
            Some(t) => {
                out.extend_from_slice(t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string().as_bytes())
            }
            None => out.extend_from_slice(b"0000-00-00T00:00:00.000000Z"),
        }
        return;
    }
    let sod = secs.rem_euclid(86_400);
    let mut b = *b"0000-00-00T00:00:00.000000Z";
    let mut put = |at: usize, width: usize, mut v: i64| {
        for i in (0..width).rev() {
            b[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, y);
    put(5, 2, i64::from(mo));
    put(8, 2, i64::from(d));
    put(11, 2, sod / 3600);
    put(14, 2, (sod / 60) % 60);
    put(17, 2, sod % 60);
    put(20, 6, micros);
    out.extend_from_slice(&b);
}

/// Renders an offset from T0 as `T+HH:MM:SS` / `T-HH:MM:SS` (hours not capped, seconds
/// truncated toward zero).
pub fn format_offset(offset_us: i64) -> String {
    let sign = if offset_us < 0 { '-' } else { '+' };
    let secs = offset_us.unsigned_abs() / 1_000_000;
    format!(
        "T{sign}{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// The offset in seconds with microsecond precision.
pub fn offset_seconds(offset_us: i64) -> f64 {
    offset_us as f64 / 1_000_000.0
}

/// How a zone-less local time maps onto a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalResolution {
    /// Exactly one instant.
    Unique(DateTime<Utc>),
    /// The time happened twice (DST fold).
    Ambiguous {
        /// First occurrence (before the clocks went back).
        earlier: DateTime<Utc>,
        /// Second occurrence.
        later: DateTime<Utc>,
    },
    /// The time never happened (DST gap); `assumed` reads it with the offset in force before
    /// the change, which is what a clock that missed the change would have meant.
    Gap {
        /// The instant assumed.
        assumed: DateTime<Utc>,
    },
}

/// Maps a local time onto `tz`, keeping ambiguity as data.
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> LocalResolution {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => LocalResolution::Unique(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            LocalResolution::Ambiguous {
                earlier: a.min(b),
                later: a.max(b),
            }
        }
        LocalResult::None => {
            // Find the offset in force just before the gap: step back until the local time
            // exists (gaps are at most a few hours long in the tz database).
            let mut probe = local;
            for _ in 0..48 {
                probe -= TimeDelta::minutes(15);
                if let LocalResult::Single(t) = tz.from_local_datetime(&probe) {
                    let off = t.offset().fix();
                    if let LocalResult::Single(a) = off.from_local_datetime(&local) {
                        return LocalResolution::Gap {
                            assumed: a.with_timezone(&Utc),
                        };
                    }
                }
            }
            LocalResolution::Gap {
                assumed: Utc.from_utc_datetime(&local),
            }
        }
    }
}

use chrono::Offset;

/// Where a zone rule came from, for the reasons written on events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneOrigin {
    /// `--tz` on the command line.
    CommandLine,
    /// The case file's zone map.
    CaseFile,
}

#[derive(Debug, Clone)]
enum ZonePattern {
    Default,
    Host(String),
    Path {
        glob: globset::GlobMatcher,
        literal_len: usize,
    },
}

/// One `--tz [PATTERN=]ZONE` rule.
#[derive(Debug, Clone)]
pub struct ZoneRule {
    pattern: ZonePattern,
    tz: Tz,
    text: String,
    origin: ZoneOrigin,
}

impl ZoneRule {
    /// Parses `ZONE`, `GLOB=ZONE` or `host:NAME=ZONE`.
    ///
    /// # Errors
    /// [`TimeError::UnknownZone`] or [`TimeError::BadPattern`].
    pub fn parse(spec: &str, origin: ZoneOrigin) -> Result<ZoneRule, TimeError> {
        let (pat, zone) = match spec.rsplit_once('=') {
            Some((p, z)) => (Some(p.trim()), z.trim()),
            None => (None, spec.trim()),
        };
        let tz: Tz = zone
            .parse()
            .map_err(|_| TimeError::UnknownZone(zone.to_owned()))?;
        let pattern = match pat {
            None | Some("") | Some("*") | Some("**") => ZonePattern::Default,
            Some(p) if p.starts_with("host:") => {
                let h = p["host:".len()..].trim();
                if h.is_empty() {
                    return Err(TimeError::BadPattern {
                        pattern: p.to_owned(),
                        why: "empty host name".to_owned(),
                    });
                }
                ZonePattern::Host(h.to_ascii_lowercase())
            }
            Some(p) => {
                let glob = globset::GlobBuilder::new(p)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| TimeError::BadPattern {
                        pattern: p.to_owned(),
                        why: e.to_string(),
                    })?
                    .compile_matcher();
                let literal_len = p
                    .chars()
                    .filter(|c| !matches!(c, '*' | '?' | '[' | ']' | '{' | '}'))
                    .count();
                ZonePattern::Path { glob, literal_len }
            }
        };
        Ok(ZoneRule {
            pattern,
            tz,
            text: spec.trim().to_owned(),
            origin,
        })
    }

    fn reason(&self) -> String {
        let origin = match self.origin {
            ZoneOrigin::CommandLine => "--tz",
            ZoneOrigin::CaseFile => "case file",
        };
        match &self.pattern {
            ZonePattern::Default => format!("zone {} from {origin} default", self.tz.name()),
            _ => format!(
                "zone {} from {origin} {}",
                self.tz.name(),
                self.text.rsplit_once('=').map_or("", |p| p.0)
            ),
        }
    }
}

/// The run's zone rules.
#[derive(Debug, Clone, Default)]
pub struct ZoneMap {
    rules: Vec<ZoneRule>,
}

/// A zone picked for an event, with the reason to record.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneChoice {
    /// The zone.
    pub tz: Tz,
    /// `zone Europe/Berlin from --tz web-1/**` (shared by every event it applies to).
    pub reason: Reason,
}

impl ZoneMap {
    /// Adds a rule. Command-line rules should be pushed before case-file rules: on equal
    /// specificity the first wins, so the command line wins over the case file.
    pub fn push(&mut self, rule: ZoneRule) {
        self.rules.push(rule);
    }

    /// Whether no rule was given.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules that apply to one file: the best path rule is decided once here, host rules
    /// per event.
    ///
    /// `rel_path` is the file's path relative to the INPUT it was found under, `full_path`
    /// its path as listed in custody; a glob may match either.
    pub fn for_file(&self, rel_path: &str, full_path: &str) -> FileZones {
        let mut best_path: Option<(&ZoneRule, usize)> = None;
        let mut default = None;
        let mut hosts = Vec::new();
        for r in &self.rules {
            match &r.pattern {
                ZonePattern::Default => {
                    if default.is_none() {
                        default = Some(r.clone());
                    }
                }
                ZonePattern::Host(h) => hosts.push((h.clone(), r.clone())),
                ZonePattern::Path { glob, literal_len } => {
                    if (glob.is_match(rel_path) || glob.is_match(full_path))
                        && best_path.is_none_or(|(_, l)| *literal_len > l)
                    {
                        best_path = Some((r, *literal_len));
                    }
                }
            }
        }
        FileZones {
            path: best_path.map(|(r, _)| r.clone()),
            default,
            hosts,
            cache: HashMap::new(),
        }
    }
}

/// The zone rules that apply to one file.
#[derive(Debug, Clone)]
pub struct FileZones {
    path: Option<ZoneRule>,
    default: Option<ZoneRule>,
    hosts: Vec<(String, ZoneRule)>,
    cache: HashMap<Option<String>, Option<ZoneChoice>>,
}

impl FileZones {
    /// The zone for an event of `host` in this file: a `host:` rule (exact name, or the first
    /// label of a dotted name), else the file's path rule, else the default.
    pub fn zone_for(&mut self, host: Option<&str>) -> Option<ZoneChoice> {
        // Without host rules the host cannot change the choice: one cache entry, and no
        // lower-casing of every event's host.
        let key = if self.hosts.is_empty() {
            None
        } else {
            host.map(str::to_ascii_lowercase)
        };
        if let Some(hit) = self.cache.get(&key) {
            return hit.clone();
        }
        let by_host = key.as_deref().and_then(|h| {
            let short = h.split('.').next().unwrap_or(h);
            self.hosts
                .iter()
                .find(|(n, _)| n == h || n == short)
                .map(|(_, r)| r)
        });
        let rule = by_host.or(self.path.as_ref()).or(self.default.as_ref());
        let choice = rule.map(|r| ZoneChoice {
            tz: r.tz,
            reason: r.reason().into(),
        });
        self.cache.insert(key, choice.clone());
        choice
    }
}

/// What is known about the year of a file's year-less timestamps.
#[derive(Debug, Clone, Default)]
pub struct YearEvidence {
    /// `--year`: the year of the file's first line.
    pub given: Option<i32>,
    /// The file's modification time.
    pub mtime: Option<DateTime<Utc>>,
    /// The span (µs) of the events with a full timestamp from the other inputs of the run.
    pub anchors: Option<(i64, i64)>,
    /// A date the file's last line cannot be after, from its rotated set: the first date of
    /// the next newer file (`auth.log` after `auth.log.1`) or the rotation date in the name
    /// (`secure-20251014`), with how it was known. Stronger than the mtime, which a copy
    /// resets, because rotated files continue each other.
    pub rotated_before: Option<(NaiveDate, String)>,
}

/// How a file's times are resolved.
#[derive(Debug)]
pub struct FileContext<'a> {
    /// Zone rules for this file.
    pub zones: &'a mut FileZones,
    /// Year evidence for this file.
    pub year: YearEvidence,
    /// Whether the source writes in time order (see [`crate::Parser::chronological`]).
    pub chronological: bool,
}

/// How far back (µs) a chronological file may step before a line is reported out of order.
pub const OUT_OF_ORDER_TOLERANCE_US: i64 = 300 * 1_000_000;

/// A backward jump of (month, day) larger than this many days is a year rollover, not
/// disorder.
const ROLLOVER_MIN_BACKWARD_DAYS: u32 = 183;

fn day_index(month: u32, day: u32) -> u32 {
    month * 31 + day
}

/// The year of a last line dated `last` (month, day) that was written no later than
/// `year-month-day` and less than a year before it: that year, or the one before when the
/// line's date comes later in the calendar.
fn year_ending_by(last: (u32, u32), year: i32, month: u32, day: u32) -> i32 {
    if last > (month, day) {
        year - 1
    } else {
        year
    }
}

/// Splits the year-less events of a file into year segments and picks their years.
/// Returns the year for each event (aligned, `None` for events with a year) plus the
/// reason to record and whether each event came after a rollover.
fn plan_years(events: &[Event], ev: &YearEvidence) -> (Vec<Option<i32>>, String, Confidence) {
    let mut segment = vec![None; events.len()];
    let mut seg = 0i32;
    let mut prev: Option<u32> = None;
    let mut first_last: Option<((u32, u32), (u32, u32))> = None;
    let mut has_feb29: Vec<i32> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if let TimeValue::LocalNoYear { month, day, .. } = e.time {
            let idx = day_index(month, day);
            if let Some(p) = prev {
                if p > idx && p - idx > ROLLOVER_MIN_BACKWARD_DAYS {
                    seg += 1;
                }
            }
            prev = Some(idx);
            segment[i] = Some(seg);
            if month == 2 && day == 29 && !has_feb29.contains(&seg) {
                has_feb29.push(seg);
            }
            first_last = Some(match first_last {
                None => ((month, day), (month, day)),
                Some((f, _)) => (f, (month, day)),
            });
        }
    }
    let Some(((fm, fd), (lm, ld))) = first_last else {
        return (
            segment.iter().map(|_| None).collect(),
            String::new(),
            Confidence::High,
        );
    };
    let segments = seg;
    let leap_ok = |base: i32| {
        has_feb29
            .iter()
            .all(|s| NaiveDate::from_ymd_opt(base + s, 2, 29).is_some())
    };
    let fix_leap = |mut base: i32, reason: &mut String| {
        if !leap_ok(base) {
            for back in 1..8 {
                if leap_ok(base - back) {
                    base -= back;
                    reason.push_str("; moved back to a leap year for Feb 29");
                    break;
                }
            }
        }
        base
    };
    // Approximate span of the file for a given base year, in µs.
    let span = |base: i32| -> Option<(i64, i64)> {
        let a = NaiveDate::from_ymd_opt(base, fm, fd.min(28))?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
            .timestamp_micros();
        let b = NaiveDate::from_ymd_opt(base + segments, lm, ld.min(28))?
            .and_hms_opt(23, 59, 59)?
            .and_utc()
            .timestamp_micros();
        Some((a, b))
    };
    const SLACK_US: i64 = 45 * 86_400 * 1_000_000;
    let distance = |base: i32, (amin, amax): (i64, i64)| -> i64 {
        match span(base) {
            Some((a, b)) => {
                if b < amin - SLACK_US {
                    amin - b
                } else if a > amax + SLACK_US {
                    a - amax
                } else {
                    0
                }
            }
            None => i64::MAX,
        }
    };
    let (base, mut reason, conf) = if let Some(y) = ev.given {
        (y, format!("year {y} from --year"), Confidence::Medium)
    } else if let Some((before, what)) = &ev.rotated_before {
        (
            year_ending_by((lm, ld), before.year(), before.month(), before.day()) - segments,
            format!("year inferred from the rotated set: {what}"),
            Confidence::Medium,
        )
    } else if let Some(mtime) = ev.mtime {
        let last_year = year_ending_by((lm, ld), mtime.year(), mtime.month(), mtime.day());
        let base = last_year - segments;
        let mdate = mtime.format("%Y-%m-%d");
        match ev.anchors {
            Some(anchors) if distance(base, anchors) > 0 => {
                let amin_year =
                    DateTime::<Utc>::from_timestamp_micros(anchors.0).map_or(base, |t| t.year());
                let amax_year =
                    DateTime::<Utc>::from_timestamp_micros(anchors.1).map_or(base, |t| t.year());
                let best = (amin_year - segments - 1..=amax_year + 1)
                    .min_by_key(|b| (distance(*b, anchors), (amax_year - b).abs()))
                    .unwrap_or(base);
                if distance(best, anchors) == 0 {
                    (best, format!("year inferred from the other sources in this run (file mtime {mdate} does not fit them)"), Confidence::Medium)
                } else {
                    (
                        base,
                        format!("year inferred from file mtime {mdate} (no other source overlaps)"),
                        Confidence::Medium,
                    )
                }
            }
            Some(_) => (
                base,
                format!("year inferred from file mtime {mdate}, consistent with the other sources"),
                Confidence::Medium,
            ),
            None => (
                base,
                format!("year inferred from file mtime {mdate}"),
                Confidence::Medium,
            ),
        }
    } else if let Some((amin, amax)) = ev.anchors {
        let y = DateTime::<Utc>::from_timestamp_micros(amax).map_or(1970, |t| t.year());
        let best = (y - segments - 1..=y + 1)
            .min_by_key(|b| distance(*b, (amin, amax)))
            .unwrap_or(y);
        (
            best,
            "year inferred from the other sources in this run (no file mtime)".to_owned(),
            Confidence::Medium,
        )
    } else {
        (
            1970,
            "year unknown (no --year, no file mtime, no other source): 1970 assumed".to_owned(),
            Confidence::Low,
        )
    };
    let base = fix_leap(base, &mut reason);
    let years = segment.iter().map(|s| s.map(|s| base + s)).collect();
    (years, reason, conf)
}

/// Resolves the times of one file's events, given in file order: sets `ts_us` and lowers
/// the confidence with reasons wherever a zone, a year or a DST side was not written in
/// the source. Returns one note per kind of decision for the run summary.
pub fn resolve_file(events: &mut [Event], ctx: &mut FileContext<'_>) -> Vec<String> {
    resolve_file_dated(events, ctx).0
}

/// [`resolve_file`], also returning the date (with the year it was given) of the file's
/// first year-less line: the bound the next older file of a rotated set must end by.
pub fn resolve_file_dated(
    events: &mut [Event],
    ctx: &mut FileContext<'_>,
) -> (Vec<String>, Option<NaiveDate>) {
    let (years, year_reason, year_conf) = plan_years(events, &ctx.year);
    // One shared text per decision, cloned onto each event by reference count.
    let year_reason = Reason::from(year_reason);
    let rolled_over = Reason::from("year rolled over inside the file (Dec→Jan)");
    let no_zone = Reason::from("no time zone given: read as UTC");
    let first_date = events.iter().zip(&years).find_map(|(e, y)| match e.time {
        TimeValue::LocalNoYear { month, day, .. } => {
            y.and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        }
        _ => None,
    });
    let mut notes: Vec<String> = Vec::new();
    let mut note = |s: &str| {
        if !notes.iter().any(|n| n == s) {
            notes.push(s.to_owned());
        }
    };
    if !year_reason.is_empty() {
        note(&year_reason);
    }
    // Fold candidates grouped by (zone, local date): (event index, local, earlier, later).
    type FoldMember = (usize, NaiveDateTime, DateTime<Utc>, DateTime<Utc>);
    let mut folds: Vec<((Tz, NaiveDate), Vec<FoldMember>)> = Vec::new();
    let mut prev_segment_year: Option<i32> = None;
    let mut no_zone_noted = false;
    for (i, e) in events.iter_mut().enumerate() {
        let local = match e.time {
            TimeValue::Instant(t) => {
                e.ts_us = t.timestamp_micros();
                continue;
            }
            TimeValue::Local(n) => n,
            TimeValue::LocalNoYear { month, day, time } => {
                let year = years[i].unwrap_or(1970);
                e.lower_confidence(year_conf, &year_reason);
                if prev_segment_year.is_some_and(|p| p < year) {
                    e.lower_confidence(year_conf, &rolled_over);
                }
                prev_segment_year = Some(year);
                match NaiveDate::from_ymd_opt(year, month, day) {
                    Some(d) => d.and_time(time),
                    None => {
                        // Feb 29 in a year forced by --year that has none.
                        e.lower_confidence(Confidence::Low, format!("{month:02}-{day:02} does not exist in {year}: read as the next day"));
                        NaiveDate::from_ymd_opt(year, month, 28)
                            .map_or_else(NaiveDateTime::default, |d| {
                                d.and_time(time) + TimeDelta::days(1)
                            })
                    }
                }
            }
        };
        match ctx.zones.zone_for(e.host.as_deref()) {
            None => {
                e.ts_us = local.and_utc().timestamp_micros();
                e.lower_confidence(Confidence::Low, &no_zone);
                if !no_zone_noted {
                    note(&format!("{no_zone} (use --tz)"));
                    no_zone_noted = true;
                }
            }
            Some(z) => {
                e.lower_confidence(Confidence::Medium, &z.reason);
                note(&z.reason);
                match resolve_local(local, z.tz) {
                    LocalResolution::Unique(t) => e.ts_us = t.timestamp_micros(),
                    LocalResolution::Gap { assumed } => {
                        e.ts_us = assumed.timestamp_micros();
                        e.lower_confidence(
                            Confidence::Low,
                            format!("non-existent local time in {} (DST gap): read with the offset before the change", z.tz.name()),
                        );
                    }
                    LocalResolution::Ambiguous { earlier, later } => {
                        e.ts_us = earlier.timestamp_micros();
                        let key = (z.tz, local.date());
                        match folds.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, v)) => v.push((i, local, earlier, later)),
                            None => folds.push((key, vec![(i, local, earlier, later)])),
                        }
                    }
                }
            }
        }
    }
    for ((tz, _), members) in &folds {
        let steps: Vec<usize> = (1..members.len())
            .filter(|&j| members[j].1 + TimeDelta::seconds(60) < members[j - 1].1)
            .collect();
        match (ctx.chronological, steps.as_slice()) {
            (true, [p]) => {
                for (j, (i, _, earlier, later)) in members.iter().enumerate() {
                    let e = &mut events[*i];
                    if j < *p {
                        e.ts_us = earlier.timestamp_micros();
                        e.lower_confidence(Confidence::Medium, "DST fold: first occurrence (the local time steps back later in the file)");
                    } else {
                        e.ts_us = later.timestamp_micros();
                        e.lower_confidence(Confidence::Medium, "DST fold: second occurrence (the local time stepped back earlier in the file)");
                    }
                }
                note(&format!(
                    "DST fold in {} resolved from the file's own order",
                    tz.name()
                ));
            }
            _ => {
                for (i, _, earlier, _) in members {
                    let e = &mut events[*i];
                    e.ts_us = earlier.timestamp_micros();
                    e.lower_confidence(
                        Confidence::Low,
                        "ambiguous local time (DST fold) not resolved: first occurrence assumed",
                    );
                }
                note(&format!(
                    "DST fold in {} could not be resolved from the file's order",
                    tz.name()
                ));
            }
        }
    }
    if ctx.chronological {
        let mut max_seen = i64::MIN;
        for e in events.iter_mut() {
            if e.ts_us + OUT_OF_ORDER_TOLERANCE_US < max_seen {
                let behind = (max_seen - e.ts_us) / 1_000_000;
                e.lower_confidence(
                    Confidence::Low,
                    format!("out of order: {behind} s before an earlier line of this file"),
                );
            }
            max_seen = max_seen.max(e.ts_us);
        }
    }
    (notes, first_date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use proptest::prelude::*;

    fn ymd_hms(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    fn local_event(t: NaiveDateTime) -> Event {
        Event::builder("test", TimeValue::Local(t), t.to_string()).build()
    }

    fn noyear_event(m: u32, d: u32, h: u32) -> Event {
        let time = NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        Event::builder(
            "test",
            TimeValue::LocalNoYear {
                month: m,
                day: d,
                time,
            },
            "x",
        )
        .build()
    }

    fn zones(spec: &str) -> FileZones {
        let mut m = ZoneMap::default();
        m.push(ZoneRule::parse(spec, ZoneOrigin::CommandLine).unwrap());
        m.for_file("auth.log", "auth.log")
    }

    fn resolve(events: &mut [Event], zones: &mut FileZones, year: YearEvidence) -> Vec<String> {
        resolve_file(
            events,
            &mut FileContext {
                zones,
                year,
                chronological: true,
            },
        )
    }

    #[test]
    fn rfc3339_fraction_and_offset_variants() {
        let base = parse_instant("2025-11-02T05:22:30Z").unwrap();
        assert_eq!(
            parse_instant("2025-11-02T05:22:30.000000000Z").unwrap(),
            base
        );
        assert_eq!(parse_instant("2025-11-02t06:22:30+01:00").unwrap(), base);
        assert_eq!(parse_instant("2025-11-02 00:22:30-0500").unwrap(), base);
        assert_eq!(parse_instant("2025-11-02T07:22:30+02").unwrap(), base);
        let f = parse_instant("2025-11-02T05:22:30.1234567891Z").unwrap();
        assert_eq!(f.timestamp_subsec_nanos(), 123_456_789);
        assert_eq!(
            parse_instant("2025-11-02T05:22:30.5Z")
                .unwrap()
                .timestamp_subsec_micros(),
            500_000
        );
        assert!(parse_instant("2025-11-02T05:22:30").is_err());
        assert!(matches!(
            parse_timestamp("2025-11-02T05:22:30"),
            Ok(TimeValue::Local(_))
        ));
        assert!(parse_timestamp("2025-02-29T00:00:00Z").is_err());
        assert!(parse_timestamp("2024-02-29T00:00:00Z").is_ok());
        assert!(parse_timestamp("2025-11-02T05:22:30.Z").is_err());
        assert!(parse_timestamp("2025-11-02T05:22:30+25:00").is_err());
        assert!(parse_timestamp("garbage").is_err());
    }

    #[test]
    fn leap_second_is_kept_in_order() {
        let a = parse_instant("2016-12-31T23:59:59Z").unwrap();
        let b = parse_instant("2016-12-31T23:59:60Z").unwrap();
        let c = parse_instant("2017-01-01T00:00:00Z").unwrap();
        assert!(a < b && b < c);
    }

    #[test]
    fn epochs_in_every_unit() {
        let want = parse_instant("2023-11-14T22:13:20Z").unwrap();
        assert_eq!(parse_epoch_text("1700000000").unwrap(), want);
        assert_eq!(parse_epoch_text("1700000000000").unwrap(), want);
        assert_eq!(parse_epoch_text("1700000000000000").unwrap(), want);
        assert_eq!(parse_epoch_text("1700000000000000000").unwrap(), want);
        assert_eq!(
            parse_epoch_text("1700000000.25")
                .unwrap()
                .timestamp_subsec_millis(),
            250
        );
        assert!(parse_epoch_text("17e9").is_err());
    }

    proptest! {
        #[test]
        fn fast_format_matches_chrono(us in -62_135_596_800_000_000i64..253_402_300_799_999_999) {
            let t = DateTime::<Utc>::from_timestamp_micros(us).unwrap();
            prop_assert_eq!(format_utc(us), t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        }
    }

    #[test]
    fn offsets_render_per_contract() {
        assert_eq!(format_offset(0), "T+00:00:00");
        assert_eq!(format_offset(90_061_999_999), "T+25:01:01");
        assert_eq!(format_offset(-5_500_000), "T-00:00:05");
        assert_eq!(
            format_utc(1_700_000_000_123_456),
            "2023-11-14T22:13:20.123456Z"
        );
    }

    #[test]
    fn new_york_fold_resolved_from_file_order() {
        // 2025-11-02: clocks go from 02:00 EDT back to 01:00 EST.
        let times = [(0, 50), (1, 10), (1, 40), (1, 5), (1, 30), (2, 10)];
        let mut evs: Vec<Event> = times
            .iter()
            .map(|&(h, m)| local_event(ymd_hms(2025, 11, 2, h, m, 0)))
            .collect();
        let mut z = zones("America/New_York");
        resolve(&mut evs, &mut z, YearEvidence::default());
        let utc: Vec<String> = evs.iter().map(|e| format_utc(e.ts_us)).collect();
        assert_eq!(utc[0], "2025-11-02T04:50:00.000000Z");
        assert_eq!(utc[1], "2025-11-02T05:10:00.000000Z"); // EDT
        assert_eq!(utc[2], "2025-11-02T05:40:00.000000Z"); // EDT
        assert_eq!(utc[3], "2025-11-02T06:05:00.000000Z"); // EST
        assert_eq!(utc[4], "2025-11-02T06:30:00.000000Z"); // EST
        assert_eq!(utc[5], "2025-11-02T07:10:00.000000Z");
        assert!(evs.windows(2).all(|w| w[0].ts_us < w[1].ts_us));
        assert_eq!(evs[1].confidence, Confidence::Medium);
        assert!(evs[3]
            .confidence_reasons
            .iter()
            .any(|r| r.contains("second occurrence")));
        assert_eq!(evs[0].confidence, Confidence::Medium);
    }

    #[test]
    fn fold_without_a_visible_step_is_low() {
        let mut evs = vec![
            local_event(ymd_hms(2025, 11, 2, 0, 50, 0)),
            local_event(ymd_hms(2025, 11, 2, 1, 20, 0)),
            local_event(ymd_hms(2025, 11, 2, 2, 5, 0)),
        ];
        let mut z = zones("America/New_York");
        resolve(&mut evs, &mut z, YearEvidence::default());
        assert_eq!(evs[1].confidence, Confidence::Low);
        assert!(evs[1]
            .confidence_reasons
            .iter()
            .any(|r| r.contains("DST fold")));
        assert_eq!(evs[0].confidence, Confidence::Medium);
    }

    #[test]
    fn spring_forward_gap_is_low_and_read_with_the_old_offset() {
        let mut evs = vec![local_event(ymd_hms(2025, 3, 9, 2, 30, 0))];
        let mut z = zones("America/New_York");
        resolve(&mut evs, &mut z, YearEvidence::default());
        assert_eq!(evs[0].confidence, Confidence::Low);
        assert_eq!(format_utc(evs[0].ts_us), "2025-03-09T07:30:00.000000Z");
    }

    #[test]
    fn no_zone_is_utc_and_low() {
        let mut evs = vec![local_event(ymd_hms(2025, 6, 1, 12, 0, 0))];
        let mut z = ZoneMap::default().for_file("a", "a");
        resolve(&mut evs, &mut z, YearEvidence::default());
        assert_eq!(evs[0].confidence, Confidence::Low);
        assert_eq!(format_utc(evs[0].ts_us), "2025-06-01T12:00:00.000000Z");
    }

    #[test]
    fn most_specific_zone_rule_wins() {
        let mut m = ZoneMap::default();
        for s in [
            "UTC",
            "**/*.log=Asia/Tokyo",
            "web-1/**=Europe/Berlin",
            "host:db1=America/Chicago",
        ] {
            m.push(ZoneRule::parse(s, ZoneOrigin::CommandLine).unwrap());
        }
        let mut f = m.for_file("web-1/auth.log", "demo/web-1/auth.log");
        assert_eq!(
            f.zone_for(Some("web-1")).unwrap().tz,
            chrono_tz::Europe::Berlin
        );
        assert_eq!(
            f.zone_for(Some("DB1.example.com")).unwrap().tz,
            chrono_tz::America::Chicago
        );
        let mut g = m.for_file("other/x.log", "other/x.log");
        assert_eq!(g.zone_for(None).unwrap().tz, chrono_tz::Asia::Tokyo);
        let mut h = m.for_file("x.txt", "x.txt");
        assert_eq!(h.zone_for(None).unwrap().tz, chrono_tz::UTC);
        assert!(ZoneRule::parse("Mars/Olympus", ZoneOrigin::CommandLine).is_err());
    }

    #[test]
    fn dec_to_jan_rollover_inside_a_file() {
        let mut evs = vec![
            noyear_event(12, 31, 23),
            noyear_event(1, 1, 0),
            noyear_event(1, 1, 1),
        ];
        let mut z = zones("UTC");
        let mtime = parse_instant("2026-01-02T00:00:00Z").unwrap();
        resolve(
            &mut evs,
            &mut z,
            YearEvidence {
                mtime: Some(mtime),
                ..Default::default()
            },
        );
        assert_eq!(format_utc(evs[0].ts_us), "2025-12-31T23:00:00.000000Z");
        assert_eq!(format_utc(evs[1].ts_us), "2026-01-01T00:00:00.000000Z");
        assert!(evs[1]
            .confidence_reasons
            .iter()
            .any(|r| r.contains("rolled over")));
        assert_eq!(evs[0].confidence, Confidence::Medium);
    }

    #[test]
    fn year_flag_is_the_first_lines_year() {
        let mut evs = vec![noyear_event(12, 31, 23), noyear_event(1, 1, 0)];
        let mut z = zones("UTC");
        resolve(
            &mut evs,
            &mut z,
            YearEvidence {
                given: Some(2024),
                ..Default::default()
            },
        );
        assert_eq!(format_utc(evs[0].ts_us), "2024-12-31T23:00:00.000000Z");
        assert_eq!(format_utc(evs[1].ts_us), "2025-01-01T00:00:00.000000Z");
    }

    #[test]
    fn feb_29_forces_a_leap_year() {
        let mut evs = vec![noyear_event(2, 29, 1)];
        let mut z = zones("UTC");
        let mtime = parse_instant("2026-03-01T00:00:00Z").unwrap();
        resolve(
            &mut evs,
            &mut z,
            YearEvidence {
                mtime: Some(mtime),
                ..Default::default()
            },
        );
        assert_eq!(format_utc(evs[0].ts_us), "2024-02-29T01:00:00.000000Z");
    }

    #[test]
    fn copied_file_mtime_yields_to_the_other_sources() {
        let mut evs = vec![noyear_event(3, 10, 1), noyear_event(3, 10, 2)];
        let mut z = zones("UTC");
        let mtime = parse_instant("2026-11-23T04:27:39Z").unwrap();
        let a = parse_instant("2025-03-10T00:00:00Z")
            .unwrap()
            .timestamp_micros();
        let b = parse_instant("2025-03-11T00:00:00Z")
            .unwrap()
            .timestamp_micros();
        let notes = resolve(
            &mut evs,
            &mut z,
            YearEvidence {
                mtime: Some(mtime),
                anchors: Some((a, b)),
                ..Default::default()
            },
        );
        assert_eq!(format_utc(evs[0].ts_us), "2025-03-10T01:00:00.000000Z");
        assert!(notes[0].contains("other sources"));
        // mtime that agrees is kept
        let mut evs = vec![noyear_event(3, 10, 1)];
        let mtime = parse_instant("2025-03-12T00:00:00Z").unwrap();
        let notes = resolve(
            &mut evs,
            &mut z,
            YearEvidence {
                mtime: Some(mtime),
                anchors: Some((a, b)),
                ..Default::default()
            },
        );
        assert_eq!(format_utc(evs[0].ts_us), "2025-03-10T01:00:00.000000Z");
        assert!(notes[0].contains("consistent"));
    }

    #[test]
    fn rotated_set_bound_beats_a_copied_mtime() {
        // auth.log.1 ends in October; the newer auth.log starts 2026-01-02; both were
        // copied (mtime reset) in November 2026. The mtime alone would say October 2026.
        let mut evs = vec![noyear_event(10, 1, 1), noyear_event(10, 30, 2)];
        let mut z = zones("UTC");
        let mtime = parse_instant("2026-11-23T04:27:39Z").unwrap();
        let bound = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let notes = resolve(
            &mut evs,
            &mut z,
            YearEvidence {
                mtime: Some(mtime),
                rotated_before: Some((bound, "auth.log starts on 2026-01-02".to_owned())),
                ..Default::default()
            },
        );
        assert_eq!(format_utc(evs[0].ts_us), "2025-10-01T01:00:00.000000Z");
        assert!(notes[0].contains("rotated set"), "{notes:?}");
        assert_eq!(evs[1].confidence, Confidence::Medium);
        // A file ending on the bound's day stays in the bound's year; one that rolls over
        // inside (Dec→Jan) ends in it.
        let mut evs = vec![noyear_event(12, 30, 1), noyear_event(1, 2, 0)];
        let (_, first) = resolve_file_dated(
            &mut evs,
            &mut FileContext {
                zones: &mut z,
                year: YearEvidence {
                    rotated_before: Some((bound, "x".to_owned())),
                    ..Default::default()
                },
                chronological: true,
            },
        );
        assert_eq!(format_utc(evs[0].ts_us), "2025-12-30T01:00:00.000000Z");
        assert_eq!(format_utc(evs[1].ts_us), "2026-01-02T00:00:00.000000Z");
        assert_eq!(first, NaiveDate::from_ymd_opt(2025, 12, 30));
    }

    #[test]
    fn out_of_order_lines_are_marked_low() {
        let mut evs = vec![
            local_event(ymd_hms(2025, 6, 1, 12, 0, 0)),
            local_event(ymd_hms(2025, 6, 1, 11, 0, 0)),
            local_event(ymd_hms(2025, 6, 1, 11, 58, 0)),
        ];
        let mut z = zones("UTC");
        resolve(&mut evs, &mut z, YearEvidence::default());
        assert_eq!(evs[1].confidence, Confidence::Low);
        assert_eq!(evs[2].confidence, Confidence::Medium);
    }

    proptest! {
        #[test]
        fn rfc3339_round_trips(secs in 0i64..4_102_444_800, nanos in 0u32..1_000_000_000, off_min in -840i32..=840i32, digits in 0usize..=9) {
            let t = DateTime::<Utc>::from_timestamp(secs, nanos).unwrap();
            let off = FixedOffset::east_opt(off_min * 60).unwrap();
            let local = t.with_timezone(&off);
            let frac = if digits == 0 { String::new() } else {
                let f = format!("{:09}", nanos);
                format!(".{}", &f[..digits])
            };
            let sign = if off_min < 0 { '-' } else { '+' };
            let s = format!("{}{}{}{:02}:{:02}", local.format("%Y-%m-%dT%H:%M:%S"), frac, sign, off_min.abs() / 60, off_min.abs() % 60);
            let parsed = parse_instant(&s).unwrap();
            let truncated = 10u32.pow(9 - digits as u32);
            prop_assert_eq!(parsed.timestamp(), secs);
            prop_assert_eq!(parsed.timestamp_subsec_nanos(), nanos / truncated * truncated);
        }

        #[test]
        fn parser_never_panics(s in ".{0,40}") {
            let _ = parse_timestamp(&s);
            let _ = parse_epoch_text(&s);
        }

        #[test]
        fn local_resolution_round_trips_outside_transitions(secs in 0i64..4_102_444_800) {
            let tz: Tz = "America/New_York".parse().unwrap();
            let t = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let local = t.with_timezone(&tz).naive_local();
            match resolve_local(local, tz) {
                LocalResolution::Unique(u) => prop_assert_eq!(u, t),
                LocalResolution::Ambiguous { earlier, later } => prop_assert!(earlier == t || later == t),
                LocalResolution::Gap { .. } => prop_assert!(false, "a real local time cannot be in a gap"),
            }
        }

        #[test]
        fn chronological_fold_sequence_comes_out_sorted(step_min in 1u32..20) {
            // A file logging every `step_min` minutes through the 2025-11-02 New York fold.
            let start = DateTime::<Utc>::from_timestamp(1_762_056_000, 0).unwrap(); // 04:00Z = 00:00 EDT
            let tz: Tz = "America/New_York".parse().unwrap();
            let mut evs = Vec::new();
            let mut t = start;
            while t < start + TimeDelta::hours(4) {
                evs.push(local_event(t.with_timezone(&tz).naive_local()));
                t += TimeDelta::minutes(i64::from(step_min));
            }
            let mut z = zones("America/New_York");
            resolve(&mut evs, &mut z, YearEvidence::default());
            let mut t = start;
            for e in &evs {
                prop_assert_eq!(e.ts_us, t.timestamp_micros());
                t += TimeDelta::minutes(i64::from(step_min));
            }
        }
    }
}
