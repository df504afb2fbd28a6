//! A byte-level JSON scanner that finds where values start and end without building them.
//!
//! Structured exports wrap their records in one document (`{"Records":[...]}`,
//! `{"workflow_runs":[...]}`). Parsing the document whole would lose each record's byte
//! offset and let one bad record sink the file. Instead the scanner finds each element's
//! span, and the parser deserialises the elements one at a time: every record keeps its
//! offset for the evidence, and a truncated or malformed record is one located error.
//! The scanner is iterative, so deep nesting cannot overflow the stack.

use thiserror::Error;

/// Why a span could not be found.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScanError {
    /// The input ended inside a value.
    #[error("JSON truncated at byte {0}")]
    Truncated(usize),
    /// A byte that cannot appear there.
    #[error("unexpected byte {found:?} at byte {at} in JSON")]
    Unexpected {
        /// Offset.
        at: usize,
        /// The byte found, as a character.
        found: char,
    },
}

/// Skips white space and a UTF-8 byte-order mark from `pos`.
pub fn skip_ws(data: &[u8], mut pos: usize) -> usize {
    if data.get(pos..pos + 3) == Some(b"\xEF\xBB\xBF") {
        pos += 3;
    }
    while let Some(b) = data.get(pos) {
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            pos += 1;
        } else {
            break;
        }
    }
    pos
}

/// The first non-blank byte of the input, if any.
pub fn first_byte(data: &[u8]) -> Option<u8> {
    data.get(skip_ws(data, 0)).copied()
}

fn string_end(data: &[u8], start: usize) -> Result<usize, ScanError> {
    // `start` is at the opening quote.
    let mut i = start + 1;
    loop {
        i = next_quote_or_backslash(data, i).ok_or(ScanError::Truncated(data.len()))?;
        if data[i] == b'\\' {
            i += 2;
            if i > data.len() {
                return Err(ScanError::Truncated(data.len()));
            }
        } else {
            return Ok(i + 1);
        }
    }
}

/// The first `"` or `\\` at or after `i`. Eight bytes at a time: most strings in logs are
/// short, where a call into `memchr` costs more than the scan.
fn next_quote_or_backslash(data: &[u8], mut i: usize) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // Bytes of `x` that are zero have their high bit set in the result; the lowest set bit
    // marks the first zero byte exactly (borrows only disturb the bytes above it).
    let zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    while let Some(chunk) = data.get(i..i + 8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        let w = u64::from_le_bytes(b);
        let m = zero(w ^ (LO * u64::from(b'"'))) | zero(w ^ (LO * u64::from(b'\\')));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let rest = data.get(i..)?;
    rest.iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|p| i + p)
}

/// Returns the end (exclusive) of the JSON value that starts at `pos` (after white space).
///
/// # Errors
/// [`ScanError`] when the value is truncated or malformed at the structural level; the
/// contents of scalars are checked later by the deserialiser.
pub fn value_end(data: &[u8], pos: usize) -> Result<usize, ScanError> {
    let pos = skip_ws(data, pos);
    let first = *data.get(pos).ok_or(ScanError::Truncated(data.len()))?;
    match first {
        b'"' => string_end(data, pos),
        b'{' | b'[' => {
            let mut stack: Vec<u8> = vec![if first == b'{' { b'}' } else { b']' }];
            let mut i = pos + 1;
            while let Some(&b) = data.get(i) {
                match b {
                    b'"' => {
                        i = string_end(data, i)?;
                        continue;
                    }
                    b'{' => stack.push(b'}'),
                    b'[' => stack.push(b']'),
                    b'}' | b']' => {
                        if stack.pop() != Some(b) {
                            return Err(ScanError::Unexpected {
                                at: i,
                                found: b as char,
                            });
                        }
                        if stack.is_empty() {
                            return Ok(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Err(ScanError::Truncated(data.len()))
        }
        b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
            let mut i = pos;
            while let Some(&b) = data.get(i) {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                i += 1;
            }
            Ok(i)
        }
        other => Err(ScanError::Unexpected {
            at: pos,
            found: other as char,
        }),
    }
}

/// Finds the value of `key` among the members of the object starting at `obj_start`
/// (only its own members, not nested ones). Returns the value's `(start, end)`.
///
/// # Errors
/// When the object is malformed or truncated before the key is found.
pub fn find_key(
    data: &[u8],
    obj_start: usize,
    key: &str,
) -> Result<Option<(usize, usize)>, ScanError> {
    match find_key_start(data, obj_start, key)? {
        Some(vstart) => Ok(Some((vstart, value_end(data, vstart)?))),
        None => Ok(None),
    }
}

/// Like [`find_key`] but returns only where the value starts, without scanning to its end:
/// a truncated `Records` array can still be read element by element up to the truncation.
///
/// # Errors
/// When the object is malformed or truncated before the key is found.
pub fn find_key_start(
    data: &[u8],
    obj_start: usize,
    key: &str,
) -> Result<Option<usize>, ScanError> {
    let mut i = skip_ws(data, obj_start);
    if data.get(i) != Some(&b'{') {
        return Ok(None);
    }
    i += 1;
    loop {
        i = skip_ws(data, i);
        match data.get(i) {
            None => return Err(ScanError::Truncated(data.len())),
            Some(b'}') => return Ok(None),
            Some(b',') => {
                i += 1;
                continue;
            }
            Some(b'"') => {}
            Some(&b) => {
                return Err(ScanError::Unexpected {
                    at: i,
                    found: b as char,
                })
            }
        }
        let kend = string_end(data, i)?;
        let name = &data[i + 1..kend - 1];
        i = skip_ws(data, kend);
        if data.get(i) != Some(&b':') {
            return match data.get(i) {
                None => Err(ScanError::Truncated(data.len())),
                Some(&b) => Err(ScanError::Unexpected {
                    at: i,
                    found: b as char,
                }),
            };
        }
        let vstart = skip_ws(data, i + 1);
        if name == key.as_bytes() {
            return Ok(Some(vstart));
        }
        i = value_end(data, vstart)?;
    }
}

/// Iterates over the spans of the elements of the array whose `[` is at `pos`.
///
/// After an error the iterator ends: the rest of the array cannot be framed.
pub fn array_elements(data: &[u8], pos: usize) -> ArrayElements<'_> {
    let start = skip_ws(data, pos);
    let ok = data.get(start) == Some(&b'[');
    ArrayElements {
        data,
        pos: start + 1,
        done: !ok,
        first: true,
    }
}

/// Iterator returned by [`array_elements`]: `(start, end)` of each element.
#[derive(Debug)]
pub struct ArrayElements<'a> {
    data: &'a [u8],
    pos: usize,
    done: bool,
    first: bool,
}

impl ArrayElements<'_> {
    /// Where scanning stopped (just after the closing `]` once finished).
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl ArrayElements<'_> {
    /// Like [`Iterator::next`], but `known_end(start)` may give the end (exclusive) of the
    /// element that starts at `start`, when the caller already found it (by parsing the
    /// element), so the element is not scanned twice. `None` scans as `next` does.
    ///
    /// The end given must be the one [`value_end`] would find: the end of a JSON value
    /// that is well formed from `start`.
    pub fn next_with(
        &mut self,
        known_end: impl FnOnce(usize) -> Option<usize>,
    ) -> Option<Result<(usize, usize), ScanError>> {
        if self.done {
            return None;
        }
        let mut i = skip_ws(self.data, self.pos);
        match self.data.get(i) {
            None => {
                self.done = true;
                return Some(Err(ScanError::Truncated(self.data.len())));
            }
            Some(b']') => {
                self.done = true;
                self.pos = i + 1;
                return None;
            }
            Some(b',') if !self.first => {
                i = skip_ws(self.data, i + 1);
            }
            _ => {}
        }
        self.first = false;
        if let Some(end) = known_end(i) {
            self.pos = end;
            return Some(Ok((i, end)));
        }
        match value_end(self.data, i) {
            Ok(end) => {
                self.pos = end;
                Some(Ok((i, end)))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl Iterator for ArrayElements<'_> {
    type Item = Result<(usize, usize), ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_with(|_| None)
    }
}

/// Whether `needle` occurs in `hay` (sniffing by distinctive keys).
pub fn contains(hay: &[u8], needle: &str) -> bool {
    memchr::memmem::find(hay, needle.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_records_and_their_offsets() {
        let doc = br#" {"a": {"Records": 1}, "Records": [ {"x": "]}\""}, {"y": [1,2]} ,3 ] }"#;
        let (s, e) = find_key(doc, 0, "Records").unwrap().unwrap();
        assert_eq!(doc[s], b'[');
        assert_eq!(e, doc.len() - 2);
        let spans: Vec<_> = array_elements(doc, s).collect::<Result<_, _>>().unwrap();
        assert_eq!(spans.len(), 3);
        assert_eq!(&doc[spans[0].0..spans[0].1], br#"{"x": "]}\""}"#);
        assert_eq!(&doc[spans[2].0..spans[2].1], b"3");
    }

    #[test]
    fn truncated_array_yields_good_elements_then_an_error() {
        let doc = br#"[{"a":1},{"b":"#;
        let v: Vec<_> = array_elements(doc, 0).collect();
        assert_eq!(v.len(), 2);
        assert!(v[0].is_ok());
        assert!(matches!(v[1], Err(ScanError::Truncated(_))));
    }

    #[test]
    fn strings_end_at_the_right_quote() {
        for doc in [
            &br#""""#[..],
            br#""a""#,
            br#""abcdefgh""#,
            br#""abcdefghijklmnop\"q""#,
            br#""\\""#,
            br#""1234567\"x""#,
            br#""12345678\\""#,
            "\"é😀 ünïcödé \\u00e9 long enough to need several words\"".as_bytes(),
        ] {
            let slow = {
                let mut i = 1;
                loop {
                    match doc[i] {
                        b'\\' => i += 2,
                        b'"' => break i + 1,
                        _ => i += 1,
                    }
                }
            };
            for pad in 0..9 {
                let mut d = vec![b' '; pad];
                d.extend_from_slice(doc);
                d.extend_from_slice(b" , \"tail\"");
                assert_eq!(
                    value_end(&d, 0),
                    Ok(pad + slow),
                    "{}",
                    String::from_utf8_lossy(doc)
                );
            }
            assert!(value_end(&doc[..doc.len() - 1], 0).is_err());
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut doc = vec![b'['; 200_000];
        doc.extend(vec![b']'; 200_000]);
        assert_eq!(value_end(&doc, 0), Ok(doc.len()));
    }

    #[test]
    fn mismatched_brackets_are_errors() {
        assert!(matches!(
            value_end(b"{]", 0),
            Err(ScanError::Unexpected { .. })
        ));
    }
}
