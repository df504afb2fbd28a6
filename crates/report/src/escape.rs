//! Escaping for each sink. Logs carry what attackers typed; every byte of log text that
//! reaches HTML, CSV, Markdown or a terminal goes through one of these.

/// HTML text and attribute values: `& < > " '`.
pub fn html(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// JSON embedded in a `<script type="application/json">` block: serde_json output with
/// `<`, `>`, `&` and the JavaScript line separators escaped, so no `</script>` or comment
/// opener can end the block early.
pub fn script_json(json: &str) -> String {
    // The characters to escape are ASCII or begin with the byte E2, so both kinds are found
    // with memchr (a 30 MB page is scanned in a few milliseconds) and the text between them
    // is copied whole.
    let bytes = json.as_bytes();
    let end = bytes.len();
    let after = |from: usize, found: Option<usize>| found.map_or(end, |p| from + p);
    let next_ascii = |from: usize| after(from, memchr::memchr3(b'<', b'>', b'&', &bytes[from..]));
    let next_e2 = |from: usize| after(from, memchr::memchr(0xE2, &bytes[from..]));
    let mut o = String::with_capacity(json.len() + json.len() / 64 + 16);
    let mut last = 0;
    let (mut ascii, mut e2) = (next_ascii(0), next_e2(0));
    while ascii.min(e2) < end {
        let (rep, len) = if ascii < e2 {
            let rep = match bytes[ascii] {
                b'<' => "\\u003c",
                b'>' => "\\u003e",
                _ => "\\u0026",
            };
            (Some(rep), 1)
        } else {
            let rep = match bytes.get(e2 + 1..e2 + 3) {
                Some([0x80, 0xA8]) => Some("\\u2028"),
                Some([0x80, 0xA9]) => Some("\\u2029"),
                _ => None,
            };
            (rep, 3)
        };
        let at = ascii.min(e2);
        if let Some(rep) = rep {
            o.push_str(&json[last..at]);
            o.push_str(rep);
            last = at + len;
        }
        if ascii < e2 {
            ascii = next_ascii(at + 1);
        } else {
            // The two bytes after E2 are continuation bytes: no ASCII is skipped.
            e2 = next_e2(at + 1);
        }
    }
    o.push_str(&json[last..]);
    o
}

/// A Markdown table cell: one line, no pipes, no code spans, no HTML, no heading or list
/// markers that a renderer could act on.
pub fn md_cell(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '|' => o.push_str("\\|"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' | '!' => {
                o.push('\\');
                o.push(c);
            }
            '&' => o.push_str("&amp;"),
            '\n' | '\r' | '\t' => o.push(' '),
            c if c.is_control() => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// Markdown running text (a list item or a sentence): as [`md_cell`], which also keeps a
/// leading `#`, `-` or `1.` from starting a heading or list.
pub fn md_text(s: &str) -> String {
    let t = md_cell(s);
    match t.chars().next() {
        Some('-' | '+' | '=') => format!("\\{t}"),
        Some(c) if c.is_ascii_digit() && t.contains(". ") => t.replacen(". ", "\\. ", 1),
        _ => t,
    }
}

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV text cell per RFC 4180, with a leading `'` when the cell would start a formula.
pub fn csv_text(s: &str, out: &mut String) {
    csv_cell_with(s, |part| out.push_str(part));
}

/// [`csv_text`] appended to a byte buffer, as the timeline rows are rendered.
pub(crate) fn csv_cell(s: &str, out: &mut Vec<u8>) {
    csv_cell_with(s, |part| out.extend_from_slice(part.as_bytes()));
}

/// The cell handed to `put` in pieces. Whole runs are copied: the timeline's cells rarely
/// need quoting, and a search eight bytes at a time tells so without decoding characters.
fn csv_cell_with(s: &str, mut put: impl FnMut(&str)) {
    let prefixed = s.starts_with(FORMULA_START);
    let needs_quotes = prefixed && s.starts_with(['\t', '\r'])
        || any_byte(s.as_bytes(), |w| {
            equal(w, b',') | equal(w, b'"') | equal(w, b'\n') | equal(w, b'\r')
        });
    if !needs_quotes {
        // No `"` either, so nothing to double.
        if prefixed {
            put("'");
        }
        put(s);
        return;
    }
    put("\"");
    if prefixed {
        put("'");
    }
    // `"` is ASCII, so every piece split at it is whole UTF-8.
    let mut rest = s;
    while let Some(q) = rest.find('"') {
        put(&rest[..=q]);
        put("\"");
        rest = &rest[q + 1..];
    }
    put(rest);
    put("\"");
}

/// A JSON string (quotes included) exactly as `serde_json` writes it: `"` and `\\` escaped
/// with a backslash, the control bytes with their short forms (`\n`, `\t`...) or `\u00xx`
/// (lower-case hex), everything else (non-ASCII and DEL included) as it is. Text that needs
/// no escape, nearly all of a timeline, is found eight bytes at a time and copied whole.
pub(crate) fn json_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    if !any_byte(bytes, |w| below(w, 0x20) | equal(w, b'"') | equal(w, b'\\')) {
        out.extend_from_slice(bytes);
    } else {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let short = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x09 => b't',
                0x0a => b'n',
                0x0c => b'f',
                0x0d => b'r',
                0x00..=0x1f => b'u',
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..i]);
            if short == b'u' {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 0xf)],
                ]);
            } else {
                out.extend_from_slice(&[b'\\', short]);
            }
            start = i + 1;
        }
        out.extend_from_slice(&bytes[start..]);
    }
    out.push(b'"');
}

/// A JSON string, or `null` for none.
pub(crate) fn json_opt(s: Option<&str>, out: &mut Vec<u8>) {
    match s {
        Some(s) => json_str(s, out),
        None => out.extend_from_slice(b"null"),
    }
}

/// Eight copies of a byte, one per byte of a word.
const fn splat(b: u8) -> u64 {
    u64::from_ne_bytes([b; 8])
}

/// Nonzero when some byte of `w` is below `n` (`n` at most 0x80). A byte that borrows sets
/// its own high bit only if it was below `n`, and bytes that were already high are masked;
/// so the test is exact for "some byte", if not for which one.
const fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(splat(n)) & !w & splat(0x80)
}

/// Nonzero when some byte of `w` equals `b`.
const fn equal(w: u64, b: u8) -> u64 {
    below(w ^ splat(b), 1)
}

/// Whether `hit` finds a byte it looks for in some eight-byte word of `s`. The tail is padded
/// with `a`, which none of the callers looks for.
fn any_byte(s: &[u8], hit: impl Fn(u64) -> u64) -> bool {
    let mut words = s.chunks_exact(8);
    for c in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        if hit(u64::from_ne_bytes(w)) != 0 {
            return true;
        }
    }
    let rest = words.remainder();
    let mut w = [b'a'; 8];
    w[..rest.len()].copy_from_slice(rest);
    hit(u64::from_ne_bytes(w)) != 0
}

/// Terminal output: control characters (ANSI escapes included) shown as `\xNN`, so a log
/// line cannot move the cursor, recolour or retitle the analyst's terminal.
pub fn terminal(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if (c.is_control() && c != ' ')
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            o.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            o.push(c);
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_strings() {
        assert_eq!(
            html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(html("\" onmouseover='x'"), "&quot; onmouseover=&#39;x&#39;");
        assert!(!script_json(r#"{"a":"</script><script>"}"#).contains("</script"));
        assert_eq!(md_cell("a|b"), "a\\|b");
        assert_eq!(md_cell("`rm -rf`"), "\\`rm -rf\\`");
        assert_eq!(md_text("# title"), "\\# title");
        assert_eq!(md_text("- item"), "\\- item");
        assert!(!md_cell("<img src=x onerror=alert(1)>").contains('<'));
        assert_eq!(terminal("\x1b[31mred"), "\\x1b[31mred");
        assert_eq!(terminal("a\u{202e}b\u{2028}"), "a\\x202eb\\x2028");
        let mut s = String::new();
        csv_text("=HYPERLINK(\"http://x\",\"y\")", &mut s);
        assert_eq!(s, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        let mut s = String::new();
        csv_text("-cmd", &mut s);
        assert_eq!(s, "'-cmd");
        let mut s = String::new();
        csv_text("\tx", &mut s);
        assert_eq!(s, "\"'\tx\"");
    }

    /// The byte scan escapes exactly what a scan of the characters does, next to multi-byte
    /// text and U+2027 / U+202A (same first bytes, not line separators).
    #[test]
    fn script_json_matches_a_char_by_char_escape() {
        fn by_chars(json: &str) -> String {
            let mut o = String::new();
            for c in json.chars() {
                match c {
                    '<' => o.push_str("\\u003c"),
                    '>' => o.push_str("\\u003e"),
                    '&' => o.push_str("\\u0026"),
                    '\u{2028}' => o.push_str("\\u2028"),
                    '\u{2029}' => o.push_str("\\u2029"),
                    c => o.push(c),
                }
            }
            o
        }
        for s in [
            "",
            "<",
            "plain",
            "a<b>c&d",
            "é<ü>€&\u{2028}x\u{2029}\u{2027}\u{202a}\u{2000}日本<",
            "\u{2028}\u{2028}",
            "ends with \u{2029}",
            "€",
        ] {
            assert_eq!(script_json(s), by_chars(s), "{s:?}");
        }
        let long: String = (0..5_000)
            .map(|i| ["a", "<", "€", "\u{2028}", "&x", "→", ">", "\u{2029}", "日"][i % 9])
            .collect();
        assert_eq!(script_json(&long), by_chars(&long));
    }

    /// Strings of every length around the eight-byte words, with every ASCII byte at every
    /// position of a word, and non-ASCII text.
    fn samples() -> Vec<String> {
        let mut v: Vec<String> = [
            "",
            "plain",
            "é✓ \u{2028}",
            "=1+1",
            "-x,y",
            "@a\"b\"",
            "\rx",
            "a\r\nb",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        for b in 0u8..128 {
            for len in 1..=17 {
                for at in [0, len / 2, len - 1] {
                    let mut t = vec![b'x'; len];
                    t[at] = b;
                    v.push(String::from_utf8(t).unwrap());
                }
            }
        }
        v
    }

    #[test]
    fn json_str_is_what_serde_json_writes() {
        for s in samples() {
            let mut got = Vec::new();
            json_str(&s, &mut got);
            assert_eq!(got, serde_json::to_vec(&s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn csv_cell_quotes_as_rfc_4180_says() {
        for s in samples() {
            // The rule as written in one pass over the characters.
            let prefixed = s.starts_with(FORMULA_START);
            let quoted = prefixed && s.starts_with(['\t', '\r'])
                || s.chars().any(|c| matches!(c, ',' | '"' | '\n' | '\r'));
            let mut want = String::new();
            if quoted {
                want.push('"');
            }
            if prefixed {
                want.push('\'');
            }
            want.push_str(&s.replace('"', "\"\""));
            if quoted {
                want.push('"');
            }
            let mut got = Vec::new();
            csv_cell(&s, &mut got);
            assert_eq!(String::from_utf8(got).unwrap(), want, "{s:?}");
        }
    }
}
