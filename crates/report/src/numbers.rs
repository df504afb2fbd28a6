//! Numbers appended to the timeline's byte buffers without the `fmt` machinery or a
//! `String` per number: every event has half a dozen of them in each of two files.

/// `n` in decimal.
pub(crate) fn push_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(tplus_model::text::decimal(n, &mut [0u8; 20]));
}

/// `n` in decimal, with `-` when negative.
pub(crate) fn push_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    push_u64(out, n.unsigned_abs());
}

/// A JSON number or `null` for none.
pub(crate) fn push_opt_u64(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => push_u64(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// `offset_us` as `tplus_model::time::format_offset` writes it (`T+HH:MM:SS`, hours not
/// capped, seconds truncated toward zero), without its `format!` and `String`: the two
/// timeline files write it for every event.
pub(crate) fn push_offset(out: &mut Vec<u8>, offset_us: i64) {
    let secs = offset_us.unsigned_abs() / 1_000_000;
    out.extend_from_slice(if offset_us < 0 { b"T-" } else { b"T+" });
    let hours = secs / 3600;
    if hours < 10 {
        out.push(b'0');
    }
    push_u64(out, hours);
    for part in [(secs / 60) % 60, secs % 60] {
        out.extend_from_slice(&[b':', b'0' + (part / 10) as u8, b'0' + (part % 10) as u8]);
    }
}

/// How [`push_seconds`] spells a whole number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Whole {
    /// `12`, as Rust's `Display` for `f64` (the CSV).
    Bare,
    /// `12.0`, as `serde_json` (the JSONL).
    PointZero,
}

/// Below this many microseconds (10^15, fifteen significant digits) the `f64` nearest to
/// `us / 10^6` reads back as exactly that decimal and no shorter decimal reads as the same
/// `f64`; so the shortest round-trip text that both Rust and `serde_json` print is the
/// decimal itself.
const EXACT_US: u64 = 1_000_000_000_000_000;

/// `offset_us` in seconds, the text `tplus_model::time::offset_seconds(offset_us)` prints
/// as (`Display` for `Whole::Bare`, `serde_json` for `Whole::PointZero`), written from the
/// integer microseconds. Returns false, writing nothing, where the decimal is not that text:
/// from 10^15 µs, and under 10 µs for `serde_json`, which switches to exponents there.
pub(crate) fn push_seconds(out: &mut Vec<u8>, offset_us: i64, whole: Whole) -> bool {
    let us = offset_us.unsigned_abs();
    if us >= EXACT_US || (whole == Whole::PointZero && us != 0 && us < 10) {
        return false;
    }
    if offset_us < 0 {
        out.push(b'-');
    }
    push_u64(out, us / 1_000_000);
    let mut frac = us % 1_000_000;
    if frac == 0 {
        if whole == Whole::PointZero {
            out.extend_from_slice(b".0");
        }
        return true;
    }
    let mut width = 6;
    while frac % 10 == 0 {
        frac /= 10;
        width -= 1;
    }
    out.push(b'.');
    let mut digits = [b'0'; 6];
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    out.extend_from_slice(&digits[..width]);
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::time::{format_offset, offset_seconds};

    /// Offsets around every boundary, and a spread of others from a fixed generator.
    fn offsets() -> Vec<i64> {
        let mut v = vec![
            0,
            1,
            9,
            10,
            11,
            99,
            100,
            999_999,
            1_000_000,
            1_000_001,
            1_500_000,
            70_226,
            864_000_000_000,
            (EXACT_US - 1) as i64,
            EXACT_US as i64,
            EXACT_US as i64 + 1,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Magnitudes from microseconds to beyond 10^15 µs.
            let n = (x >> (i % 60)) as i64;
            v.push(n);
        }
        let neg: Vec<i64> = v.iter().map(|n| n.saturating_neg()).collect();
        v.extend(neg);
        v
    }

    #[test]
    fn seconds_as_display_and_serde_json_print_them() {
        for off in offsets() {
            let x = offset_seconds(off);
            let mut b = Vec::new();
            if push_seconds(&mut b, off, Whole::Bare) {
                assert_eq!(String::from_utf8_lossy(&b), x.to_string(), "{off}");
            } else {
                assert!(off.unsigned_abs() >= EXACT_US, "{off}");
            }
            b.clear();
            if push_seconds(&mut b, off, Whole::PointZero) {
                let want = serde_json::to_string(&x).unwrap_or_default();
                assert_eq!(String::from_utf8_lossy(&b), want, "{off}");
            }
        }
    }

    #[test]
    fn offsets_as_format_offset_writes_them() {
        for off in offsets() {
            let mut b = Vec::new();
            push_offset(&mut b, off);
            assert_eq!(String::from_utf8_lossy(&b), format_offset(off), "{off}");
        }
    }

    #[test]
    fn integers() {
        for n in [0, 1, 9, 10, 255, u64::MAX, 1_740_960_000_000_000] {
            let mut b = Vec::new();
            push_u64(&mut b, n);
            assert_eq!(b, n.to_string().as_bytes());
        }
        for n in [0, -1, i64::MIN, i64::MAX, -1_740_960_000_000_000] {
            let mut b = Vec::new();
            push_i64(&mut b, n);
            assert_eq!(b, n.to_string().as_bytes());
        }
    }
}
