//! Small text helpers every parser needs: IP validation, bounded excerpts, lossy UTF-8.

use std::borrow::Cow;
use std::net::IpAddr;

use compact_str::CompactString;

/// Returns the address in canonical form when `s` is an IP address (IPv4, IPv6, an
/// IPv4-mapped IPv6 such as Windows' `::ffff:10.0.0.1`, or `[v6]`), else `None`.
///
/// Formats put service names (`ec2.amazonaws.com`), `AWS Internal`, `-` or hostnames where
/// an address would go; none of those is a source IP.
///
/// An address already in canonical IPv4 form (the common case) is copied as is, without
/// parsing it into an address and formatting it back; either way it is held inline.
pub fn normalise_ip(s: &str) -> Option<CompactString> {
    let s = s.trim().trim_start_matches('[').trim_end_matches(']');
    if is_canonical_ipv4(s) {
        return Some(CompactString::from(s));
    }
    parse_and_format(s).map(CompactString::from)
}

/// Whether `s` is a dotted quad exactly as [`std::net::Ipv4Addr`] formats it: four decimal
/// numbers 0-255 without leading zeros. Such a string parses, and formats back to itself.
fn is_canonical_ipv4(s: &str) -> bool {
    let b = s.as_bytes();
    if !(7..=15).contains(&b.len()) {
        return false;
    }
    let mut i = 0;
    for part in 0..4 {
        let start = i;
        let mut v = 0u32;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 3 {
            v = v * 10 + u32::from(b[i] - b'0');
            i += 1;
        }
        let n = i - start;
        if n == 0 || v > 255 || (n > 1 && b[start] == b'0') {
            return false;
        }
        if part < 3 {
            if b.get(i) != Some(&b'.') {
                return false;
            }
            i += 1;
        }
    }
    i == b.len()
}

fn parse_and_format(s: &str) -> Option<String> {
    let ip: IpAddr = s.parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => v6.to_string(),
        },
        IpAddr::V4(v4) => v4.to_string(),
    })
}

/// Cuts `s` to at most `max` bytes on a character boundary, saying how much was cut.
///
/// Used for messages and request bodies: an excerpt keeps an output bounded however large
/// a record is, and the evidence offset still points at the whole original.
pub fn excerpt(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…[{} more bytes]", &s[..end], s.len() - end))
}

/// Decodes bytes as UTF-8, replacing invalid sequences, without copying valid input.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Masks a secret-looking value, keeping a short prefix so analysts can still correlate
/// (`AKIAIOSFODNN7EXAMPLE` becomes `AKIA…MPLE`).
pub fn mask_secret(s: &str) -> String {
    if s.is_ascii() {
        // One byte per character: slice instead of collecting characters.
        if s.len() <= 8 {
            return "…".to_owned();
        }
        let mut out = String::with_capacity(4 + '…'.len_utf8() + 4);
        out.push_str(&s[..4]);
        out.push('…');
        out.push_str(&s[s.len() - 4..]);
        return out;
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 8 {
        return "…".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// `n` in decimal, as `n.to_string()` writes it, in `buf`: for writers that put a number
/// on every event and would otherwise allocate a `String` for each.
pub fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_fast_path_is_canonical() {
        for s in ["0.0.0.0", "10.1.2.3", "255.255.255.255", "203.0.113.9"] {
            assert_eq!(normalise_ip(s).as_deref(), Some(s));
        }
        for s in [
            "010.1.2.3",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.04",
            "+1.2.3.4",
        ] {
            let slow = s.parse::<IpAddr>().ok().map(|i| i.to_string());
            assert_eq!(normalise_ip(s).as_deref(), slow.as_deref(), "{s}");
        }
        assert_eq!(normalise_ip(" [10.0.0.1] ").as_deref(), Some("10.0.0.1"));
    }

    #[test]
    fn mask_secret_ascii_and_not() {
        assert_eq!(mask_secret("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(mask_secret("12345678"), "…");
        assert_eq!(mask_secret("123456789"), "1234…6789");
        assert_eq!(mask_secret("ééééééééé"), "éééé…éééé");
        assert_eq!(mask_secret("éé"), "…");
    }

    #[test]
    fn ip_forms() {
        assert_eq!(normalise_ip("10.1.2.3").as_deref(), Some("10.1.2.3"));
        assert_eq!(normalise_ip("2001:DB8::1").as_deref(), Some("2001:db8::1"));
        assert_eq!(normalise_ip("[::1]").as_deref(), Some("::1"));
        assert_eq!(normalise_ip("AWS Internal"), None);
        assert_eq!(normalise_ip("-"), None);
        assert_eq!(
            normalise_ip("001:db8:a0b:12f0::1").as_deref(),
            Some("1:db8:a0b:12f0::1")
        );
    }

    /// The canonical-IPv4 shortcut gives what parsing and formatting give, on every shape
    /// near the boundary (leading zeros, 256, short and long quads, spaces, brackets).
    #[test]
    fn ipv4_shortcut_matches_parse_and_format() {
        for s in [
            "0.0.0.0",
            "1.2.3.4",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.02.3.4",
            "1.2.3.004",
            "1.2.3",
            "1.2.3.4.5",
            "1..3.4",
            "1.2.3.4 ",
            " 1.2.3.4",
            "[1.2.3.4]",
            "1.2.3.4a",
            "a1.2.3.4",
            "1234.1.1.1",
            "10.0.0.10",
            "100.200.250.199",
            "199.299.1.1",
            "1.2.3.",
            ".1.2.3",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "",
            "1.2.3.4\n",
            "１.2.3.4",
        ] {
            let t = s.trim().trim_start_matches('[').trim_end_matches(']');
            assert_eq!(
                normalise_ip(s).as_deref(),
                parse_and_format(t).as_deref(),
                "{s:?}"
            );
            if is_canonical_ipv4(t) {
                assert_eq!(parse_and_format(t).as_deref(), Some(t), "{s:?}");
            }
        }
    }

    #[test]
    fn excerpt_respects_char_boundaries() {
        let s = "ééééé";
        let e = excerpt(s, 3);
        assert!(e.starts_with('é'));
        assert!(e.contains("more bytes"));
        assert_eq!(excerpt("short", 10), "short");
    }

    #[test]
    fn masking_keeps_only_ends() {
        assert_eq!(mask_secret("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(mask_secret("short"), "…");
    }
}
