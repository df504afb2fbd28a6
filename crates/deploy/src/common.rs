//! Shared plumbing of the deploy parsers: framing JSON documents into records, top-level key
//! sniffing, lenient scalar fields, time fields and actor kinds.

use std::fmt::Write as _;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use tplus_model::json::{array_elements, skip_ws, value_end};
use tplus_model::{text, time, ActorKind, Location, RecordSink, TimeValue};

/// Longest message or free-text attribute kept whole.
pub(crate) const MAX_TEXT: usize = 2048;

/// The names of the top-level members of the JSON object at the start of `head`, in order.
///
/// Tolerates a truncated head (sniffing sees at most 64 KiB): it returns the keys read before
/// the cut. Returns an empty list when `head` does not start with an object.
pub(crate) fn top_keys(head: &[u8]) -> Vec<&[u8]> {
    let mut keys = Vec::new();
    let mut i = skip_ws(head, 0);
    if head.get(i) != Some(&b'{') {
        return keys;
    }
    i += 1;
    loop {
        i = skip_ws(head, i);
        match head.get(i) {
            Some(b',') => {
                i += 1;
                continue;
            }
            Some(b'"') => {}
            _ => return keys,
        }
        let Ok(kend) = value_end(head, i) else {
            return keys;
        };
        let Some(name) = head.get(i + 1..kend.saturating_sub(1)) else {
            return keys;
        };
        keys.push(name);
        i = skip_ws(head, kend);
        if head.get(i) != Some(&b':') {
            return keys;
        }
        match value_end(head, i + 1) {
            Ok(end) => i = end,
            Err(_) => return keys,
        }
    }
}

/// Whether `keys` holds `name`.
pub(crate) fn has(keys: &[&[u8]], name: &str) -> bool {
    keys.contains(&name.as_bytes())
}

/// The top-level keys of the first record of the input: the object itself, the first
/// element of a top-level array, or the first element of the array under one of
/// `containers`.
pub(crate) fn first_record_keys<'a>(head: &'a [u8], containers: &[&str]) -> Vec<&'a [u8]> {
    let start = skip_ws(head, 0);
    match head.get(start) {
        Some(b'[') => {
            let elem = skip_ws(head, start + 1);
            top_keys(head.get(elem..).unwrap_or_default())
        }
        Some(b'{') => {
            let keys = top_keys(head);
            for c in containers {
                if has(&keys, c) {
                    if let Some(at) = container_array_start(head, c) {
                        let elem = skip_ws(head, at + 1);
                        return top_keys(head.get(elem..).unwrap_or_default());
                    }
                }
            }
            keys
        }
        _ => Vec::new(),
    }
}

/// Where the `[` of the array under top-level `key` starts, scanning a possibly truncated head.
fn container_array_start(head: &[u8], key: &str) -> Option<usize> {
    let mut i = skip_ws(head, 0);
    if head.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        i = skip_ws(head, i);
        match head.get(i) {
            Some(b',') => {
                i += 1;
                continue;
            }
            Some(b'"') => {}
            _ => return None,
        }
        let kend = value_end(head, i).ok()?;
        let name = head.get(i + 1..kend.saturating_sub(1))?;
        i = skip_ws(head, kend);
        if head.get(i) != Some(&b':') {
            return None;
        }
        let v = skip_ws(head, i + 1);
        if name == key.as_bytes() {
            return (head.get(v) == Some(&b'[')).then_some(v);
        }
        i = value_end(head, v).ok()?;
    }
}

/// Frames an input into records and calls `f` once per record with its bytes and location.
///
/// The input is a sequence of JSON documents separated by white space (one document, JSON
/// lines, or the concatenated pages `gh api --paginate` prints). A document is either an
/// object that holds one of `containers` as an array (each element is a record: the REST
/// list envelopes), another object (one record), or an array (each element is a record).
/// Framing errors (truncated or malformed structure) are reported as one located error, after
/// which the rest of the input cannot be framed.
pub(crate) fn for_each_record(
    data: &[u8],
    containers: &[&str],
    sink: &mut dyn RecordSink,
    mut f: impl FnMut(&[u8], Location, &mut dyn RecordSink),
) {
    let mut record: u64 = 0;
    let mut pos = 0usize;
    loop {
        pos = skip_ws(data, pos);
        let Some(&first) = data.get(pos) else { return };
        let at = Location::record(record, pos as u64);
        match first {
            b'{' => {
                let array = containers
                    .iter()
                    .find_map(|c| container_array_start(data.get(pos..).unwrap_or_default(), c))
                    .map(|s| s + pos);
                if let Some(s) = array {
                    if !elements(data, s, &mut record, sink, &mut f) {
                        return;
                    }
                }
                let at = Location::record(record, pos as u64);
                let end = match value_end(data, pos) {
                    Ok(end) => end,
                    Err(e) => {
                        sink.error(
                            at,
                            format!(
                                "malformed JSON document: {e}; the rest of the input was not read"
                            ),
                        );
                        return;
                    }
                };
                if array.is_none() {
                    f(&data[pos..end], at, sink);
                    record += 1;
                }
                pos = end;
            }
            b'[' => {
                if !elements(data, pos, &mut record, sink, &mut f) {
                    return;
                }
                match value_end(data, pos) {
                    Ok(end) => pos = end,
                    Err(_) => return,
                }
            }
            other => {
                let what = if other.is_ascii_graphic() {
                    format!("{:?}", other as char)
                } else {
                    format!("byte 0x{other:02x}")
                };
                sink.error(at, format!("not JSON: {what} where a JSON document should start; the rest of the input was not read"));
                return;
            }
        }
    }
}

/// Calls `f` for every element of the array at `pos`; false when the array could not be framed
/// to its end (the error is reported).
fn elements(
    data: &[u8],
    pos: usize,
    record: &mut u64,
    sink: &mut dyn RecordSink,
    f: &mut impl FnMut(&[u8], Location, &mut dyn RecordSink),
) -> bool {
    let mut it = array_elements(data, pos);
    for el in it.by_ref() {
        match el {
            Ok((s, e)) => {
                f(&data[s..e], Location::record(*record, s as u64), sink);
                *record += 1;
            }
            Err(e) => {
                let at = Location::record(*record, it.position() as u64);
                sink.error(
                    at,
                    format!(
                        "malformed JSON array element: {e}; the rest of the input was not read"
                    ),
                );
                *record += 1;
                return false;
            }
        }
    }
    true
}

/// A sink that keeps what framing reports, for parsers that read all records before they
/// emit (to look across records) and then replay the results in input order.
#[derive(Debug, Default)]
pub(crate) struct Deferred {
    /// Errors with their location.
    pub errors: Vec<(Location, String)>,
    /// Skips with their location.
    pub skipped: Vec<(Location, String)>,
}

impl RecordSink for Deferred {
    fn event(&mut self, _event: tplus_model::Event) {}
    fn skipped(&mut self, at: Location, reason: &str) {
        self.skipped.push((at, reason.to_owned()));
    }
    fn error(&mut self, at: Location, message: String) {
        self.errors.push((at, message));
    }
    fn previous(&mut self) -> Option<&mut tplus_model::Event> {
        None
    }
}

/// A scalar kept as text whether the source wrote a string, a number or a boolean (ids,
/// run numbers, revisions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl Scalar {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Text of an optional scalar.
pub(crate) fn sc(v: &Option<Scalar>) -> Option<&str> {
    v.as_ref().map(Scalar::as_str).filter(|s| !s.is_empty())
}

/// Text of an optional string, empty treated as absent.
pub(crate) fn st(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// A GitHub account (`actor`, `creator`, `sender`...).
#[derive(Debug, Deserialize, Default)]
pub(crate) struct GhUser {
    pub login: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

impl GhUser {
    /// What kind of actor GitHub says this account is: `type` `Bot` or a `[bot]` login is
    /// automation, `User` a person.
    pub(crate) fn actor_kind(&self) -> ActorKind {
        let login = self.login.as_deref().unwrap_or_default();
        match self.kind.as_deref() {
            Some("Bot") => ActorKind::Automation,
            _ if login.ends_with("[bot]") => ActorKind::Automation,
            Some("User") => ActorKind::Human,
            _ => ActorKind::Unknown,
        }
    }
}

/// A parsed time field: its name, text and value.
#[derive(Debug, Clone)]
pub(crate) struct Stamp<'a> {
    pub field: &'static str,
    pub raw: &'a str,
    pub value: TimeValue,
}

/// Parses the time field `field` when present and non-empty.
pub(crate) fn stamp<'a>(
    field: &'static str,
    raw: Option<&'a str>,
) -> Result<Option<Stamp<'a>>, String> {
    let Some(raw) = raw.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    match time::parse_timestamp(raw) {
        Ok(value) => Ok(Some(Stamp { field, raw, value })),
        Err(e) => Err(format!("`{field}` is not a timestamp: {e}")),
    }
}

/// Seconds from `a` to `b` when both are instants.
pub(crate) fn seconds_between(a: &TimeValue, b: &TimeValue) -> Option<i64> {
    match (a, b) {
        (TimeValue::Instant(a), TimeValue::Instant(b)) => Some((*b - *a).num_seconds()),
        (TimeValue::Local(a), TimeValue::Local(b)) => Some((*b - *a).num_seconds()),
        _ => None,
    }
}

/// `2m34s`-style duration.
pub(crate) fn human_duration(secs: i64) -> String {
    let neg = secs < 0;
    let s = secs.unsigned_abs();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let (h, m, s) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        let _ = write!(out, "{h}h{m:02}m{s:02}s");
    } else if m > 0 {
        let _ = write!(out, "{m}m{s:02}s");
    } else {
        let _ = write!(out, "{s}s");
    }
    out
}

/// A bounded copy of free text (titles, descriptions, messages).
pub(crate) fn bounded(s: &str) -> String {
    text::excerpt(s, MAX_TEXT).into_owned()
}

/// The first line of a free text, bounded (commit messages, notes).
pub(crate) fn first_line(s: &str) -> String {
    bounded(s.lines().next().unwrap_or_default().trim())
}

/// The first 7 characters of a commit SHA for messages.
pub(crate) fn short_sha(s: &str) -> &str {
    match s.char_indices().nth(7) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Whether a workflow, job, pipeline or environment name says it deploys or releases.
pub(crate) fn names_deploy(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.contains("deploy") || l.contains("release") || l.contains("rollout") || l.contains("publish")
}

/// Whether a name says it rolls back.
pub(crate) fn names_rollback(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.contains("rollback")
        || l.contains("roll back")
        || l.contains("roll-back")
        || l.contains("revert")
}

/// Rollback heuristic shared by the deployment lists: given `(time, index, environment,
/// commit)` of each deployment, the indexes whose commit was already deployed to the same
/// environment earlier with another commit in between, with that commit. Lists may be newest
/// first, so the order is the time (ties: the later index is the older, as APIs list them).
pub(crate) fn redeployed(
    mut items: Vec<(chrono::DateTime<chrono::Utc>, usize, &str, &str)>,
) -> std::collections::HashMap<usize, String> {
    items.sort_by_key(|(t, i, _, _)| (*t, std::cmp::Reverse(*i)));
    let mut history: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    let mut out = std::collections::HashMap::new();
    for (_, i, env, sha) in items {
        let h = history.entry(env).or_default();
        if h.last() != Some(&sha) && h.contains(&sha) {
            out.insert(i, sha.to_owned());
        }
        h.push(sha);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::Collected;

    fn frame(data: &[u8]) -> (Vec<(String, Location)>, Collected) {
        let mut c = Collected::default();
        let mut seen = Vec::new();
        for_each_record(data, &["items"], &mut c, |b, at, sink| {
            seen.push((String::from_utf8_lossy(b).into_owned(), at));
            sink.skipped(at, "seen");
        });
        (seen, c)
    }

    #[test]
    fn frames_envelopes_objects_arrays_and_concatenations() {
        let doc = br#"{"n":2,"items":[{"a":1},{"b":2}]} {"c":3}
[{"d":4}]"#;
        let (seen, c) = frame(doc);
        assert_eq!(seen.len(), 4);
        assert_eq!(seen[0].0, r#"{"a":1}"#);
        assert_eq!(seen[0].1, Location::record(0, 16));
        assert_eq!(seen[2].0, r#"{"c":3}"#);
        assert_eq!(seen[3].1.record, Some(3));
        assert_eq!(c.records(), 4);
    }

    #[test]
    fn truncation_and_junk_are_one_located_error_each() {
        let (seen, c) = frame(br#"{"items":[{"a":1},{"b":"#);
        assert_eq!(seen.len(), 1, "the records before the cut are kept");
        assert_eq!(c.errors, 1);
        let (seen, c) = frame(br#"[{"a":1},{"b":"#);
        assert_eq!(seen.len(), 1);
        assert_eq!(c.errors, 1);
        assert_eq!(c.error_samples[0].0.record, Some(1));
        let (seen, c) = frame(b"{\"a\":1}\n\x00\x00garbage");
        assert_eq!(seen.len(), 1);
        assert_eq!(c.errors, 1);
        assert_eq!(c.records(), 2);
    }

    #[test]
    fn top_keys_survive_a_cut_head() {
        let keys = top_keys(br#"{"action":"completed","workflow_run":{"id":1,"name":"#);
        assert_eq!(keys, vec![&b"action"[..], &b"workflow_run"[..]]);
        let keys = first_record_keys(
            br#"{"total_count":3,"jobs":[{"id":1,"run_id":2},{"#,
            &["jobs"],
        );
        assert_eq!(keys, vec![&b"id"[..], &b"run_id"[..]]);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(154), "2m34s");
        assert_eq!(human_duration(5), "5s");
        assert_eq!(human_duration(3725), "1h02m05s");
    }
}
