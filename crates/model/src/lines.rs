//! Line splitting for line formats: 1-based line numbers, byte offsets, CRLF and a missing
//! final newline handled once here rather than in every parser.

/// One line of a text input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// The bytes without the line terminator (`\n` or `\r\n`).
    pub bytes: &'a [u8],
    /// 1-based line number.
    pub number: u64,
    /// Byte offset of the first byte of the line in the stream.
    pub offset: u64,
}

/// Iterates over the lines of `data`, numbering from `first_line` with offsets starting at
/// `base_offset` (so a chunk of a large file keeps the file's own positions).
///
/// A final line without a newline is still a line; an empty input has no lines.
pub fn lines_from(data: &[u8], first_line: u64, base_offset: u64) -> Lines<'_> {
    Lines {
        data,
        pos: 0,
        number: first_line,
        base: base_offset,
    }
}

/// Iterates over the lines of a whole input.
pub fn lines(data: &[u8]) -> Lines<'_> {
    lines_from(data, 1, 0)
}

/// Iterator returned by [`lines`].
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
    number: u64,
    base: u64,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.data.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let (len, advance) = match memchr::memchr(b'\n', rest) {
            Some(i) => (i, i + 1),
            None => (rest.len(), rest.len()),
        };
        let mut bytes = &rest[..len];
        if let [head @ .., b'\r'] = bytes {
            bytes = head;
        }
        let line = Line {
            bytes,
            number: self.number,
            offset: self.base + self.pos as u64,
        };
        self.pos += advance;
        self.number += 1;
        Some(line)
    }
}

/// Counts records the way [`lines`] does (a final unterminated line counts).
pub fn count_lines(data: &[u8]) -> u64 {
    let n = memchr::memchr_iter(b'\n', data).count() as u64;
    if data.last().is_some_and(|b| *b != b'\n') {
        n + 1
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_missing_final_newline() {
        let v: Vec<_> = lines(b"a\r\nbb\nc").collect();
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].bytes, b"a");
        assert_eq!(v[1].bytes, b"bb");
        assert_eq!(v[1].offset, 3);
        assert_eq!(v[2].bytes, b"c");
        assert_eq!(v[2].number, 3);
        assert_eq!(count_lines(b"a\r\nbb\nc"), 3);
        assert_eq!(count_lines(b"a\n"), 1);
        assert_eq!(count_lines(b""), 0);
    }

    #[test]
    fn empty_lines_are_lines() {
        let v: Vec<_> = lines(b"\n\nx\n").collect();
        assert_eq!(v.len(), 3);
        assert_eq!(v[2].offset, 2);
    }
}
