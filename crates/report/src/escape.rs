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
    let mut o = String::with_capacity(json.len() + json.len() / 64 + 16);
    let mut last = 0;
    for (i, c) in json.char_indices() {
        let rep = match c {
            '<' => "\\u003c",
            '>' => "\\u003e",
            '&' => "\\u0026",
            '\u{2028}' => "\\u2028",
            '\u{2029}' => "\\u2029",
            _ => continue,
        };
        o.push_str(&json[last..i]);
        o.push_str(rep);
        last = i + c.len_utf8();
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
    let prefixed = s.starts_with(FORMULA_START);
    let needs_quotes =
        prefixed && s.starts_with(['\t', '\r']) || s.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        out.push('"');
    }
    if prefixed {
        out.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if needs_quotes {
        out.push('"');
    }
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
}
