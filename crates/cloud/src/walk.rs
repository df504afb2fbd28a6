//! A strict, borrowing JSON reader for the common shape of a record, used before serde.
//!
//! [`Walk`] reads valid UTF-8 text forward and accepts only what serde_json accepts, ending
//! where serde_json ends; anything it is not sure of (an escaped string where text is kept,
//! a number where text is kept, a structure it does not expect, deep nesting) is `None`, and
//! the caller hands the same bytes to serde_json, which decides as before. So a record read
//! here is the record serde_json would have produced, read without its per-value overhead.

/// The reader: `i` is the next byte of `s` to read.
#[derive(Debug)]
pub(crate) struct Walk<'a> {
    s: &'a str,
    i: usize,
}

/// Nesting deeper than this is left to serde_json.
const MAX_DEPTH: usize = 100;

/// What a scalar member read as text holds (see [`Walk::text`]).
pub(crate) type TextValue<'a> = Option<&'a str>;

impl<'a> Walk<'a> {
    /// A reader at the start of `s`.
    pub(crate) fn new(s: &'a str) -> Self {
        Walk { s, i: 0 }
    }

    /// Where the reader is.
    pub(crate) fn pos(&self) -> usize {
        self.i
    }

    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.i).copied()
    }

    /// Skips JSON white space (serde_json's: space, tab, line feed, carriage return).
    pub(crate) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// After white space, the byte `c`, consumed.
    pub(crate) fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek() == Some(c)).then(|| self.i += 1)
    }

    /// At `"`: a string without escapes or control characters; its contents (borrowed).
    pub(crate) fn plain_str(&mut self) -> Option<&'a str> {
        let b = self.bytes();
        if b.get(self.i) != Some(&b'"') {
            return None;
        }
        let start = self.i + 1;
        let end = start + next_special(b.get(start..)?)?;
        if b.get(end) != Some(&b'"') {
            return None;
        }
        self.i = end + 1;
        self.s.get(start..end)
    }

    /// At `"`: skips a string as serde_json's `ignore_str` does (escapes checked, control
    /// characters refused).
    fn skip_str(&mut self) -> Option<()> {
        let b = self.bytes();
        let mut i = self.i + 1;
        loop {
            i += next_special(b.get(i..)?)?;
            match *b.get(i)? {
                b'"' => {
                    self.i = i + 1;
                    return Some(());
                }
                b'\\' => match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                    b'u' => {
                        let hex = b.get(i + 2..i + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i += 6;
                    }
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    /// The literal `word` (`true`, `false`, `null`) at the reader.
    fn literal(&mut self, word: &str) -> Option<()> {
        if self.bytes().get(self.i..)?.starts_with(word.as_bytes()) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    /// A number as serde_json's `ignore_integer` reads it:
    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn skip_number(&mut self) -> Option<()> {
        let b = self.bytes();
        let digits = |i: usize| {
            b.get(i..)
                .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
        };
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match *b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => i += digits(i),
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            let n = digits(i + 1);
            if n == 0 {
                return None;
            }
            i += 1 + n;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let n = digits(i);
            if n == 0 {
                return None;
            }
            i += n;
        }
        // serde_json refuses a second leading zero (`01`), and so does the grammar above
        // by stopping after `0`; the member or element that follows must then be `,`, `}`
        // or `]`, which the caller checks.
        self.i = i;
        Some(())
    }

    /// After white space, skips any JSON value as serde_json's `ignore_value` does and
    /// returns its text (from its first byte to its end).
    pub(crate) fn skip_value(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.i;
        self.skip_at(0)?;
        self.s.get(start..self.i)
    }

    fn skip_at(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => self.skip_str(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => self.skip_number(),
            b'[' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    self.skip_at(depth + 1)?;
                    if !self.more(b']')? {
                        return Some(());
                    }
                }
            }
            b'{' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    self.skip_str()?;
                    self.eat(b':')?;
                    self.ws();
                    self.skip_at(depth + 1)?;
                    if !self.more(b'}')? {
                        return Some(());
                    }
                }
            }
            _ => None,
        }
    }

    /// After white space, a value read as the `Text` type of [`crate::jsonx`] reads it:
    /// a plain string, `true`/`false` as text, `null` as absent. Anything else (escapes,
    /// numbers, objects, arrays) is `None`: serde_json decides.
    pub(crate) fn text(&mut self) -> Option<TextValue<'a>> {
        self.ws();
        match self.peek()? {
            b'"' => self.plain_str().map(Some),
            b't' => self.literal("true").map(|()| Some("true")),
            b'f' => self.literal("false").map(|()| Some("false")),
            b'n' => self.literal("null").map(|()| None),
            _ => None,
        }
    }

    /// After white space, a plain string, or a literal (`true`, `false`, `null`) read as
    /// absent; anything else is `None`: serde_json decides.
    pub(crate) fn str_or_literal(&mut self) -> Option<Option<&'a str>> {
        self.ws();
        match self.peek()? {
            b'"' => self.plain_str().map(Some),
            b't' => self.literal("true").map(|()| None),
            b'f' => self.literal("false").map(|()| None),
            b'n' => self.literal("null").map(|()| None),
            _ => None,
        }
    }

    /// After white space, a value read as `Option<&RawValue>`: `null` is absent, anything
    /// else is its text.
    pub(crate) fn raw(&mut self) -> Option<Option<&'a str>> {
        self.ws();
        if self.peek() == Some(b'n') {
            self.literal("null")?;
            return Some(None);
        }
        self.skip_value().map(Some)
    }

    /// After white space, whether an optional object member is `null` (consumed) rather
    /// than an object (left at its `{`); anything else is `None`.
    pub(crate) fn null_or_object(&mut self) -> Option<bool> {
        self.ws();
        match self.peek()? {
            b'n' => self.literal("null").map(|()| true),
            b'{' => Some(false),
            _ => None,
        }
    }

    /// Reads the object at the reader (after white space), calling `member(key, self)` for
    /// each member with the reader after the colon; `member` reads the value. Keys must be
    /// plain strings. `seen` guards against duplicate known keys: `member` returns the bit
    /// of a known key (or 0), and a bit seen twice is `None` (serde_json refuses it).
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(&'a str, &mut Self) -> Option<u64>,
    ) -> Option<()> {
        self.eat(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Some(());
        }
        let mut seen = 0u64;
        loop {
            self.ws();
            let key = self.plain_str()?;
            self.eat(b':')?;
            let bit = member(key, self)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            if !self.more(b'}')? {
                return Some(());
            }
        }
    }

    /// After white space, `,` (consumed: another element follows, `true`) or `close`
    /// (consumed: the end, `false`); anything else is `None`.
    fn more(&mut self, close: u8) -> Option<bool> {
        self.ws();
        let next = self.peek()?;
        if next != b',' && next != close {
            return None;
        }
        self.i += 1;
        Some(next == b',')
    }

    /// Skips the value of a member nobody reads (serde's `IgnoredAny`).
    pub(crate) fn ignore(&mut self) -> Option<u64> {
        self.skip_value().map(|_| 0)
    }
}

/// Offset of the first `"`, `\` or control character in `b`.
pub(crate) fn next_special(b: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let chunks = b.chunks_exact(8);
    let i = b.len() - chunks.remainder().len();
    for (k, chunk) in chunks.enumerate() {
        let mut a = [0u8; 8];
        a.copy_from_slice(chunk);
        let w = u64::from_le_bytes(a);
        let ctrl = w.wrapping_sub(LO * 0x20) & !w;
        let q = w ^ (LO * u64::from(b'"'));
        let quote = q.wrapping_sub(LO) & !q;
        let s = w ^ (LO * u64::from(b'\\'));
        let slash = s.wrapping_sub(LO) & !s;
        let m = (ctrl | quote | slash) & HI;
        if m != 0 {
            return Some(k * 8 + (m.trailing_zeros() / 8) as usize);
        }
    }
    b.get(i..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .map(|p| i + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IgnoredAny;

    /// What serde_json makes of `s` as a raw value inside an object member: its text, or
    /// `None` when it refuses the document.
    fn serde_raw(s: &str) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct T<'a> {
            #[serde(borrow)]
            v: &'a serde_json::value::RawValue,
        }
        let doc = format!("{{\"v\":{s}}}");
        serde_json::from_str::<T>(&doc)
            .ok()
            .map(|t| t.v.get().to_owned())
    }

    fn walk_raw(s: &str) -> Option<String> {
        let doc = format!("{{\"v\":{s}}}");
        let mut w = Walk::new(&doc);
        let mut out = None;
        w.object(|k, w| {
            if k == "v" {
                out = Some(w.skip_value()?.to_owned());
                Some(1)
            } else {
                w.ignore()
            }
        })?;
        (w.pos() == doc.len()).then_some(())?;
        out
    }

    #[test]
    fn skip_agrees_with_serde_when_it_accepts() {
        let cases = [
            "1",
            "-1",
            "0",
            "-0",
            "01",
            "1.",
            "1.5",
            ".5",
            "1e5",
            "1E+5",
            "1e-5",
            "1e",
            "-",
            "--1",
            "1.5e3",
            "0.0",
            "00",
            "true",
            "false",
            "null",
            "nul",
            "tru",
            "truex",
            "\"a\"",
            "\"a\\\"b\"",
            "\"\\u00e9\"",
            "\"\\u00g9\"",
            "\"\\x\"",
            "\"a\tb\"",
            "\"é\"",
            "[]",
            "[1,2]",
            "[1,]",
            "[,1]",
            "[ 1 , [ 2 ] ]",
            "{}",
            "{\"a\":1}",
            "{\"a\":1,}",
            "{\"a\" : { \"b\" : [ true , null ] } }",
            "{a:1}",
            "{\"a\"1}",
            "{\"a\":1 \"b\":2}",
            "[\"x\"]]",
            "{\"a\":[}",
            "\"unterminated",
        ];
        for c in cases {
            let w = walk_raw(c);
            if let Some(w) = &w {
                assert_eq!(Some(w.clone()), serde_raw(c), "{c}");
            }
        }
        // The common shapes are read here, not left to serde_json.
        for c in [
            "1",
            "-1.5e3",
            "true",
            "null",
            "\"a\\\"b\"",
            "[1,[2]]",
            "{\"a\":{}}",
        ] {
            assert!(walk_raw(c).is_some(), "{c}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(walk_raw(&deep), None);
        let _ = serde_json::from_str::<IgnoredAny>("1");
    }

    #[test]
    fn text_reads_plain_strings_and_booleans_only() {
        let mut w = Walk::new(r#" "abc" true false null 12 "a\"b" "#);
        assert_eq!(w.text(), Some(Some("abc")));
        assert_eq!(w.text(), Some(Some("true")));
        assert_eq!(w.text(), Some(Some("false")));
        assert_eq!(w.text(), Some(None));
        assert_eq!(w.text(), None);
    }

    #[test]
    fn special_bytes_found_at_every_offset() {
        for n in 0..20 {
            for c in [b'"', b'\\', 0x01, 0x1f] {
                let mut v = vec![b'x'; n];
                v.push(c);
                v.extend_from_slice(b"yyyy\"");
                assert_eq!(next_special(&v), Some(n));
            }
            assert_eq!(next_special(&vec![b'x'; n]), None);
            assert_eq!(next_special(&vec![0x7f; n]), None);
        }
    }
}
