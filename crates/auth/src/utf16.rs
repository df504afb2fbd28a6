//! UTF-16 input with a byte-order mark.
//!
//! Windows PowerShell 5.1 writes `>` and `Out-File` redirections as UTF-16LE with a BOM, so a
//! `wevtutil … /f:xml > x.xml` or `Get-WinEvent … | ConvertTo-Json > x.json` made there arrives
//! that way. The parsers read UTF-8, so such input is transcoded first; the evidence offsets
//! must still point into the file as given, so a sink adapter moves every location's offset
//! back to the original bytes (lines and record numbers do not change with the encoding).

use std::borrow::Cow;

use tplus_model::{Event, Location, RecordSink};

/// How far apart (in UTF-8 bytes) the offset checkpoints are: a lookup walks at most this far.
const CHECKPOINT_EVERY: usize = 4096;

/// UTF-16 input decoded to UTF-8, with what it takes to map offsets back.
#[derive(Debug)]
pub(crate) struct Transcoded {
    text: String,
    /// `(UTF-8 offset, original byte offset)` pairs at character boundaries, ascending.
    checkpoints: Vec<(usize, u64)>,
}

impl Transcoded {
    /// The decoded text; invalid code units became U+FFFD.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// The offset in the original input of the character at `utf8` in [`Transcoded::bytes`].
    pub(crate) fn original_offset(&self, utf8: u64) -> u64 {
        let target = usize::try_from(utf8).unwrap_or(usize::MAX);
        let i = self.checkpoints.partition_point(|&(u, _)| u <= target);
        let Some(&(mut at, mut orig)) = i.checked_sub(1).and_then(|i| self.checkpoints.get(i))
        else {
            return utf8;
        };
        for c in self.text.get(at..).unwrap_or_default().chars() {
            if at >= target {
                break;
            }
            at += c.len_utf8();
            orig += 2 * c.len_utf16() as u64;
        }
        orig
    }
}

/// Decodes `data` when it starts with a UTF-16 byte-order mark; `None` for anything else.
pub(crate) fn transcode(data: &[u8]) -> Option<Transcoded> {
    let little = match data.get(..2)? {
        [0xFF, 0xFE] => true,
        [0xFE, 0xFF] => false,
        _ => return None,
    };
    let body = data.get(2..).unwrap_or_default();
    let units = body.chunks_exact(2).map(|c| {
        let pair = [c[0], c[1]];
        if little {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut text = String::with_capacity(body.len());
    let mut checkpoints = vec![(0, 2)];
    let mut orig = 2u64;
    let mut last = 0;
    for unit in char::decode_utf16(units) {
        if text.len() - last >= CHECKPOINT_EVERY {
            checkpoints.push((text.len(), orig));
            last = text.len();
        }
        // A lone surrogate is one code unit, as is U+FFFD, so the offsets stay exact.
        let c = unit.unwrap_or(char::REPLACEMENT_CHARACTER);
        orig += 2 * c.len_utf16() as u64;
        text.push(c);
    }
    if body.len() % 2 == 1 {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    Some(Transcoded { text, checkpoints })
}

/// The bytes a sniffer should look at: the decoded head for UTF-16 input, else the head.
pub(crate) fn sniff_view(head: &[u8]) -> Cow<'_, [u8]> {
    match transcode(head) {
        Some(t) => Cow::Owned(t.text.into_bytes()),
        None => Cow::Borrowed(head),
    }
}

/// Runs `parse` over `data`, decoded first when it is UTF-16, with offsets mapped back.
pub(crate) fn parse_any(
    data: &[u8],
    sink: &mut dyn RecordSink,
    parse: &dyn Fn(&[u8], &mut dyn RecordSink),
) {
    match transcode(data) {
        Some(t) => {
            let mut remap = RemapSink {
                inner: sink,
                map: &t,
            };
            parse(t.bytes(), &mut remap);
        }
        None => parse(data, sink),
    }
}

/// Moves offsets from the transcoded text back to the original input.
struct RemapSink<'a> {
    inner: &'a mut dyn RecordSink,
    map: &'a Transcoded,
}

impl RemapSink<'_> {
    fn fix(&self, mut at: Location) -> Location {
        at.offset = self.map.original_offset(at.offset);
        at
    }
}

impl RecordSink for RemapSink<'_> {
    fn event(&mut self, mut event: Event) {
        event.location = self.fix(event.location);
        self.inner.event(event);
    }
    fn skipped(&mut self, at: Location, reason: &str) {
        let at = self.fix(at);
        self.inner.skipped(at, reason);
    }
    fn error(&mut self, at: Location, message: String) {
        let at = self.fix(at);
        self.inner.error(at, message);
    }
    fn previous(&mut self) -> Option<&mut Event> {
        self.inner.previous()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        let mut v = vec![0xFF, 0xFE];
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    #[test]
    fn offsets_map_back_across_checkpoints_and_astral_characters() {
        let s = format!("a😀b{}<X>", "é".repeat(5000));
        let data = utf16le(&s);
        let t = transcode(&data).expect("utf-16");
        assert_eq!(t.bytes(), s.as_bytes());
        assert!(t.checkpoints.len() > 2);
        let at = s.find("<X>").unwrap_or_default() as u64;
        let want = 2 + 2 * s[..at as usize].encode_utf16().count() as u64;
        assert_eq!(t.original_offset(at), want);
        assert_eq!(t.original_offset(0), 2);
        assert_eq!(t.original_offset(1), 4);
        assert_eq!(t.original_offset(5), 8, "the emoji is two code units");
    }

    #[test]
    fn big_endian_odd_length_and_lone_surrogates() {
        let t = transcode(&[0xFE, 0xFF, 0x00, b'a', 0xD8, 0x00, 0x00]).expect("utf-16");
        assert_eq!(t.text, "a\u{FFFD}\u{FFFD}");
        assert!(transcode(b"<Event").is_none());
        assert!(transcode(&[0xFF]).is_none());
    }
}
