//! Finds each record of a cloud export without parsing the whole document, so every record
//! keeps its index and byte offset and one bad record is one located error.
//!
//! The shapes analysts hold for every format of this crate:
//! - a document wrapping an array (`{"Records":[...]}`, `{"records":[...]}`, `{"items":[...]}`,
//!   `{"Events":[...]}`, `{"entries":[...]}`, `{"value":[...]}`): each element is a record;
//! - a bare JSON array (`gcloud ... --format=json`, `az ... list`): each element is a record;
//! - one JSON object per line (sinks, CloudTrail Lake, CloudWatch exports): each line is a
//!   record (a blank line is a skipped record);
//! - a single object (one EventBridge event, one digest file): one record;
//! - several pretty-printed objects one after the other: each object is a record.
//!
//! When a wrapping document is truncated, the elements before the cut are still records and
//! the cut itself is one error.

use tplus_model::{json, lines, Location};

/// One framed piece of the input, in input order.
#[derive(Debug)]
pub(crate) enum Item<'a> {
    /// A record's bytes (one JSON value) and where it is.
    Record(&'a [u8], Location),
    /// A record that could not be framed.
    Error(Location, String),
    /// A record deliberately not read (a blank line).
    Skip(Location, &'static str),
}

/// What [`frame_with`] hands its caller.
pub(crate) trait Framed<'a> {
    /// One framed piece.
    fn item(&mut self, item: Item<'a>);
    /// An element of a wrapping array starts `tail` (which runs to the end of the input)
    /// at `loc`. A caller that can parse the element in place does so, handles it, and
    /// returns its length: the end the byte scanner would find, so only a JSON value that
    /// is well formed may be taken. `None` (the default) frames the element with the
    /// scanner and hands it to [`Framed::item`] as usual.
    fn tail(&mut self, tail: &'a [u8], loc: Location) -> Option<usize> {
        let _ = (tail, loc);
        None
    }
    /// Starts holding back everything handed over from now on, until [`Framed::release`];
    /// `false` (the default) when the caller cannot, and then nothing is read ahead.
    fn hold(&mut self) -> bool {
        false
    }
    /// Ends holding back: what was held is handed over in order when `keep`, else dropped.
    fn release(&mut self, keep: bool) {
        let _ = keep;
    }
}

/// Largest input whose wrapping array is read before the document around it is checked
/// (what is read is held until then, so this bounds the memory held).
const READ_AHEAD_MAX: usize = 64 << 20;

struct Plain<'f, F: ?Sized>(&'f mut F);

impl<'a, F: FnMut(Item<'a>) + ?Sized> Framed<'a> for Plain<'_, F> {
    fn item(&mut self, item: Item<'a>) {
        (self.0)(item);
    }
}

/// Frames `data`, calling `f` once per record. `containers` are the keys of a wrapping
/// document whose array holds the records, tried in order.
pub(crate) fn frame<'a>(data: &'a [u8], containers: &[&str], f: &mut dyn FnMut(Item<'a>)) {
    frame_with(data, containers, &mut Plain(f));
}

/// [`frame`], letting the caller parse the elements of a wrapping array in place (see
/// [`Framed::tail`]), so each is read once rather than scanned and then parsed.
pub(crate) fn frame_with<'a>(data: &'a [u8], containers: &[&str], f: &mut dyn Framed<'a>) {
    let p = json::skip_ws(data, 0);
    match data.get(p) {
        None => {}
        Some(b'[') => {
            array(data, p, true, f);
        }
        Some(b'{') => object(data, p, containers, f),
        Some(_) => by_line(data, f),
    }
}

/// Frames the elements of the array at `pos`. Returns where the array ends when every
/// element was taken by [`Framed::tail`] and the array closed: such an array is well formed
/// for the byte scanner too, which would find the same end.
fn array<'a>(data: &'a [u8], pos: usize, top_level: bool, f: &mut dyn Framed<'a>) -> Option<usize> {
    let mut it = json::array_elements(data, pos);
    let mut i: u64 = 0;
    let mut all_taken = true;
    loop {
        let mut taken = false;
        let r = it.next_with(|s| {
            let end = f.tail(data.get(s..)?, Location::record(i, s as u64))?;
            taken = true;
            Some(s + end)
        });
        let Some(r) = r else { break };
        match r {
            Ok(_) if taken => {}
            Ok((s, e)) => {
                all_taken = false;
                f.item(Item::Record(
                    data.get(s..e).unwrap_or_default(),
                    Location::record(i, s as u64),
                ));
            }
            Err(err) => {
                let mut at = json::skip_ws(data, it.position());
                if data.get(at) == Some(&b',') {
                    at = json::skip_ws(data, at + 1);
                }
                f.item(Item::Error(
                    Location::record(i, at as u64),
                    format!(
                        "record {i} cannot be framed ({err}); the rest of the array is unreadable"
                    ),
                ));
                return None;
            }
        }
        i += 1;
    }
    if top_level {
        let t = json::skip_ws(data, it.position());
        if t < data.len() {
            f.item(Item::Error(
                Location::record(i, t as u64),
                "unexpected data after the end of the JSON array".to_owned(),
            ));
        }
    }
    all_taken.then(|| it.position())
}

fn object<'a>(data: &'a [u8], p: usize, containers: &[&str], f: &mut dyn Framed<'a>) {
    if read_ahead(data, p, containers, f) {
        return;
    }
    let first_nl =
        memchr::memchr(b'\n', data.get(p..).unwrap_or_default()).map_or(data.len(), |i| p + i);
    match json::value_end(data, p) {
        Ok(end) => {
            let rest = json::skip_ws(data, end);
            if rest >= data.len() {
                document(data, p, end, containers, f);
            } else if end <= first_nl {
                by_line(data, f);
            } else {
                concatenated(data, p, f);
            }
        }
        Err(err) => {
            if let Some((key, vs)) = container_start(data, p, containers) {
                if data.get(vs) == Some(&b'[') {
                    array(data, vs, false, f);
                } else {
                    f.item(Item::Error(
                        Location::record(0, vs as u64),
                        format!("`{key}` is not an array ({err})"),
                    ));
                }
            } else if memchr::memmem::find(data, b"\n{").is_some() {
                by_line(data, f);
            } else {
                f.item(Item::Error(
                    Location::record(0, p as u64),
                    format!("malformed JSON document: {err}"),
                ));
            }
        }
    }
}

/// The common case in one pass: a wrapping document read by reading its array first.
///
/// [`object`] scans the whole document before choosing how to frame it, then [`document`]
/// (or, for a document that does not scan, the truncated-document path) frames the array
/// of the first container key: a second pass over every record. Here the array of the first
/// container member is framed first, with everything handed over held back; then the
/// document's scan is completed without the array (which scans cleanly and to the same end
/// when every element was taken, see [`array`]), and the choice [`object`] would make is
/// checked: when it is to frame that same array, what was held is handed over; otherwise it
/// is dropped and `false` sends the input down the usual path, as if nothing was read.
fn read_ahead<'a>(data: &'a [u8], p: usize, containers: &[&str], f: &mut dyn Framed<'a>) -> bool {
    if data.len() > READ_AHEAD_MAX {
        return false;
    }
    let Some((_, vs)) = container_start(data, p, containers) else {
        return false;
    };
    if data.get(vs) != Some(&b'[') || !f.hold() {
        return false;
    }
    let same =
        array(data, vs, false, f).is_some_and(|ve| match value_end_around(data, p, vs, ve) {
            // `object` would frame the array at `container_start`'s answer: this one.
            None => true,
            // `object` would take the whole document to `document`, if nothing follows it.
            Some(end) => {
                json::skip_ws(data, end) >= data.len()
                    && document_array(data, p, containers) == Some(vs)
            }
        });
    f.release(same);
    same
}

/// `json::value_end(data, p).ok()` for the object at `p`, knowing that `[vs, ve)` is an
/// array that scans cleanly: the scan jumps over it when it reaches it between values (the
/// array leaves the scanner's state as it found it), and scans on as usual otherwise.
fn value_end_around(data: &[u8], p: usize, vs: usize, ve: usize) -> Option<usize> {
    let p = json::skip_ws(data, p);
    let first = *data.get(p)?;
    if first != b'{' && first != b'[' {
        return json::value_end(data, p).ok();
    }
    let mut stack: Vec<u8> = vec![if first == b'{' { b'}' } else { b']' }];
    let mut i = p + 1;
    while let Some(&b) = data.get(i) {
        if i == vs {
            i = ve;
            continue;
        }
        match b {
            b'"' => {
                i = json::value_end(data, i).ok()?;
                continue;
            }
            b'{' => stack.push(b'}'),
            b'[' => stack.push(b']'),
            b'}' | b']' => {
                if stack.pop() != Some(b) {
                    return None;
                }
                if stack.is_empty() {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Where the array starts that [`document`] frames, if it frames one.
fn document_array(data: &[u8], p: usize, containers: &[&str]) -> Option<usize> {
    for key in containers {
        if let Ok(Some(s)) = json::find_key_start(data, p, key) {
            if data.get(s) == Some(&b'[') {
                return Some(s);
            }
            if json::value_end(data, s).is_err() {
                continue;
            }
            return None;
        }
    }
    None
}

fn document<'a>(data: &'a [u8], p: usize, end: usize, containers: &[&str], f: &mut dyn Framed<'a>) {
    for key in containers {
        // As `json::find_key`, without scanning an array value again: the whole document
        // scanned well, so an array inside it does too.
        if let Ok(Some(s)) = json::find_key_start(data, p, key) {
            if data.get(s) != Some(&b'[') && json::value_end(data, s).is_err() {
                continue;
            }
            if data.get(s) == Some(&b'[') {
                array(data, s, false, f);
            } else {
                let what = match data.get(s) {
                    Some(b'{') => "an object",
                    Some(b'"') => "a string",
                    Some(b'n') => "null",
                    _ => "a scalar",
                };
                f.item(Item::Error(
                    Location::record(0, s as u64),
                    format!("`{key}` is {what}, not an array of records"),
                ));
            }
            return;
        }
    }
    f.item(Item::Record(
        data.get(p..end).unwrap_or_default(),
        Location::record(0, p as u64),
    ));
}

/// Walks the members of the object at `p` and returns where the value of the first
/// container key starts, without needing the object (or that value) to be complete.
fn container_start<'c>(data: &[u8], p: usize, containers: &[&'c str]) -> Option<(&'c str, usize)> {
    let mut i = p + 1;
    loop {
        i = json::skip_ws(data, i);
        match data.get(i) {
            Some(b',') => {
                i += 1;
                continue;
            }
            Some(b'"') => {}
            _ => return None,
        }
        let kend = json::value_end(data, i).ok()?;
        let name = data.get(i + 1..kend.checked_sub(1)?)?;
        i = json::skip_ws(data, kend);
        if data.get(i) != Some(&b':') {
            return None;
        }
        let vs = json::skip_ws(data, i + 1);
        if let Some(key) = containers.iter().find(|c| c.as_bytes() == name) {
            return Some((key, vs));
        }
        i = json::value_end(data, vs).ok()?;
    }
}

fn by_line<'a>(data: &'a [u8], f: &mut dyn Framed<'a>) {
    for line in lines::lines(data) {
        let idx = line.number - 1;
        let lead = line
            .bytes
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let body = line.bytes.get(lead..).unwrap_or_default();
        let body = body.trim_ascii_end();
        let loc = Location::line_record(line.number, idx, line.offset + lead as u64);
        if body.is_empty() {
            f.item(Item::Skip(loc, "blank line"));
        } else {
            f.item(Item::Record(body, loc));
        }
    }
}

fn concatenated<'a>(data: &'a [u8], mut p: usize, f: &mut dyn Framed<'a>) {
    let mut i: u64 = 0;
    while p < data.len() {
        match json::value_end(data, p) {
            Ok(end) => {
                f.item(Item::Record(
                    data.get(p..end).unwrap_or_default(),
                    Location::record(i, p as u64),
                ));
                p = json::skip_ws(data, end);
            }
            Err(err) => {
                f.item(Item::Error(
                    Location::record(i, p as u64),
                    format!(
                        "record {i} cannot be framed ({err}); the rest of the input is unreadable"
                    ),
                ));
                return;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(data: &[u8]) -> Vec<String> {
        let mut v = Vec::new();
        frame(data, &["Records"], &mut |it| {
            v.push(match it {
                Item::Record(b, l) => format!(
                    "R{}@{}:{}",
                    l.record.unwrap_or(99),
                    l.offset,
                    String::from_utf8_lossy(b)
                ),
                Item::Error(l, _) => format!("E@{}", l.offset),
                Item::Skip(l, _) => format!("S{}", l.line.unwrap_or(0)),
            })
        });
        v
    }

    #[test]
    fn wrapped_bare_lines_and_single() {
        assert_eq!(
            kinds(br#"{"Records":[{"a":1}, 2]}"#),
            vec![r#"R0@12:{"a":1}"#, "R1@21:2"]
        );
        assert_eq!(kinds(br#"[1,2]"#), vec!["R0@1:1", "R1@3:2"]);
        assert_eq!(
            kinds(b"{\"a\":1}\n\n{\"b\":2}\n"),
            vec![r#"R0@0:{"a":1}"#, "S2", r#"R2@9:{"b":2}"#]
        );
        assert_eq!(kinds(br#" {"x":1} "#), vec![r#"R0@1:{"x":1}"#]);
        assert_eq!(
            kinds(b"{\n\"a\":1\n}\n{\n\"b\":2\n}"),
            vec!["R0@0:{\n\"a\":1\n}", "R1@10:{\n\"b\":2\n}"]
        );
        assert!(kinds(b"").is_empty());
    }

    #[test]
    fn truncated_and_wrong_container() {
        assert_eq!(
            kinds(br#"{"Records":[{"a":1},{"b":"#),
            vec![r#"R0@12:{"a":1}"#, "E@20"]
        );
        assert_eq!(kinds(br#"{"Records":{"a":1}}"#), vec!["E@11"]);
        assert_eq!(kinds(br#"{"Records":"x""#), vec!["E@11"]);
        assert_eq!(kinds(br#"[1] 2"#), vec!["R0@1:1", "E@4"]);
        assert_eq!(
            kinds(b"{\"a\":1}\n{\"b\":\n{\"c\":3}"),
            vec![r#"R0@0:{"a":1}"#, r#"R1@8:{"b":"#, r#"R2@14:{"c":3}"#]
        );
    }
}
