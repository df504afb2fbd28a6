//! Fast renderings of the contract's time strings for bulk export. They produce exactly what
//! [`tplus_model::time::format_utc`] and [`format_offset`] produce (checked in the tests) but
//! write bytes instead of going through `format!`, because the Parquet export renders two
//! strings per event and a million events should take well under a second.

use tplus_model::time::{format_offset, format_utc};

const US_PER_DAY: i64 = 86_400_000_000;

/// The UTC day of `ts_us` (days since 1970-01-01, negative before).
pub(crate) fn day_of(ts_us: i64) -> i64 {
    ts_us.div_euclid(US_PER_DAY)
}

/// (year, month, day) of a day number, proleptic Gregorian (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn put2(out: &mut [u8], v: u32) {
    out[0] = b'0' + (v / 10 % 10) as u8;
    out[1] = b'0' + (v % 10) as u8;
}

fn put4(out: &mut [u8], v: u32) {
    put2(&mut out[..2], v / 100);
    put2(&mut out[2..], v % 100);
}

/// `YYYY-MM-DD` of a day number (the Hive partition value).
pub(crate) fn date_string(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    if !(0..=9999).contains(&y) {
        // Outside four-digit years chrono's rendering (sign, more digits) is the reference.
        let s = format_utc(day.saturating_mul(US_PER_DAY));
        return s.split('T').next().unwrap_or(&s).to_owned();
    }
    let mut b = *b"0000-00-00";
    put4(&mut b[0..4], y as u32);
    put2(&mut b[5..7], m);
    put2(&mut b[8..10], d);
    String::from_utf8_lossy(&b).into_owned()
}

/// Writes `datetime` (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) and `t_offset` (`T+HH:MM:SS`) of events
/// taken in time order as bytes, remembering the date of the previous event and the offset
/// string of the previous second: a Parquet file holds one UTC day, so the calendar is worked
/// out once per file rather than once per event, and events of the same second share their
/// offset.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    /// The day number and `YYYY-MM-DDT` of the last datetime written.
    date: Option<(i64, [u8; 11])>,
    /// The sign and whole seconds of the last offset written, and its text.
    offset: Option<((bool, u64), [u8; 10])>,
}

impl Clock {
    /// Appends the `datetime` of `ts_us` (what [`format_utc`] renders).
    pub(crate) fn datetime(&mut self, out: &mut Vec<u8>, ts_us: i64) {
        let day = day_of(ts_us);
        let date = match self.date {
            Some((d, date)) if d == day => date,
            _ => {
                let (y, m, d) = civil_from_days(day);
                if !(0..=9999).contains(&y) {
                    // Outside four-digit years chrono's rendering (sign, more digits) is the
                    // reference.
                    out.extend_from_slice(format_utc(ts_us).as_bytes());
                    return;
                }
                let mut b = *b"0000-00-00T";
                put4(&mut b[0..4], y as u32);
                put2(&mut b[5..7], m);
                put2(&mut b[8..10], d);
                self.date = Some((day, b));
                b
            }
        };
        let in_day = ts_us - day * US_PER_DAY;
        let secs = (in_day / 1_000_000) as u32;
        let frac = (in_day % 1_000_000) as u32;
        let mut b = *b"00:00:00.000000Z";
        put2(&mut b[0..2], secs / 3600);
        put2(&mut b[3..5], secs / 60 % 60);
        put2(&mut b[6..8], secs % 60);
        put2(&mut b[9..11], frac / 10_000);
        put2(&mut b[11..13], frac / 100 % 100);
        put2(&mut b[13..15], frac % 100);
        out.extend_from_slice(&date);
        out.extend_from_slice(&b);
    }

    /// Appends the `t_offset` of `offset_us` (what [`format_offset`] renders).
    pub(crate) fn offset(&mut self, out: &mut Vec<u8>, offset_us: i64) {
        let key = (offset_us < 0, offset_us.unsigned_abs() / 1_000_000);
        match self.offset {
            Some((k, b)) if k == key => out.extend_from_slice(&b),
            _ => match offset_text(offset_us) {
                Some(b) => {
                    self.offset = Some((key, b));
                    out.extend_from_slice(&b);
                }
                None => out.extend_from_slice(format_offset(offset_us).as_bytes()),
            },
        }
    }
}

/// `T+HH:MM:SS` / `T-HH:MM:SS` of `offset_us`, or `None` beyond 99 hours (where
/// [`format_offset`] widens the hours).
fn offset_text(offset_us: i64) -> Option<[u8; 10]> {
    let secs = offset_us.unsigned_abs() / 1_000_000;
    let hours = secs / 3600;
    if hours > 99 {
        return None;
    }
    let mut b = *b"T+00:00:00";
    if offset_us < 0 {
        b[1] = b'-';
    }
    put2(&mut b[2..4], hours as u32);
    put2(&mut b[5..7], (secs / 60 % 60) as u32);
    put2(&mut b[8..10], (secs % 60) as u32);
    Some(b)
}

/// Appends `T+HH:MM:SS` / `T-HH:MM:SS` (the JSONL `t_offset`) to `out`.
pub(crate) fn push_offset(out: &mut String, offset_us: i64) {
    match offset_text(offset_us) {
        Some(b) => out.push_str(std::str::from_utf8(&b).unwrap_or_default()),
        None => out.push_str(&format_offset(offset_us)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(us: i64) -> String {
        let mut b = Vec::new();
        Clock::default().datetime(&mut b, us);
        String::from_utf8(b).expect("UTF-8")
    }

    fn clock_off(us: i64) -> String {
        let mut b = Vec::new();
        Clock::default().offset(&mut b, us);
        String::from_utf8(b).expect("UTF-8")
    }

    fn off(us: i64) -> String {
        let mut s = String::new();
        push_offset(&mut s, us);
        s
    }

    #[test]
    fn datetime_matches_the_model_everywhere() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut samples = vec![
            0,
            -1,
            1,
            US_PER_DAY - 1,
            -US_PER_DAY,
            951_782_400_000_000,     // 2000-02-29
            253_402_300_799_999_999, // 9999-12-31T23:59:59.999999
            253_402_300_800_000_000, // year 10000
            -62_167_219_200_000_000, // 0000-01-01
            -62_167_219_200_000_001,
            i64::MIN,
            i64::MAX,
        ];
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            samples.push((x as i64) % 400_000_000_000_000_000);
            samples.push(1_700_000_000_000_000 + (x % 10_000_000_000_000) as i64);
        }
        for us in samples {
            assert_eq!(dt(us), format_utc(us), "{us}");
            assert_eq!(off(us), format_offset(us), "{us}");
            assert_eq!(clock_off(us), format_offset(us), "{us}");
            let date = date_string(day_of(us));
            if DateTimeOk::in_range(us) {
                assert!(format_utc(us).starts_with(&date), "{us}: {date}");
            }
        }
    }

    struct DateTimeOk;
    impl DateTimeOk {
        fn in_range(us: i64) -> bool {
            chrono::DateTime::from_timestamp_micros(us).is_some()
        }
    }

    /// One clock over a run of times in order (as a file's events come): what it remembers of
    /// the previous date and second never changes what it writes.
    #[test]
    fn a_clock_reused_over_ordered_times_matches_the_model() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut us: i64 = -2 * US_PER_DAY - 1_500_000;
        let t0 = 3 * US_PER_DAY / 2;
        let mut clock = Clock::default();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut times = Vec::new();
        while us < 5 * US_PER_DAY {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Steps of nothing (same second, same date), under a second, under a minute, and
            // up to about half an hour: thousands of times over seven dates.
            us += match x % 16 {
                0..=3 => 0,
                4..=9 => (x % 1_000_000) as i64,
                10..=14 => (x % 60_000_000) as i64,
                _ => (x % 2_000_000_000) as i64,
            };
            clock.datetime(&mut a, us);
            clock.offset(&mut b, us - t0);
            times.push(us);
        }
        // Years out of range in between fall back to the model's rendering and back again.
        for us in [i64::MIN, 0, i64::MAX, 0, 0] {
            clock.datetime(&mut a, us);
            clock.offset(&mut b, us);
            times.push(us);
        }
        let mut want_a = String::new();
        let mut want_b = String::new();
        for (i, &us) in times.iter().enumerate() {
            want_a.push_str(&format_utc(us));
            let off = if i + 5 < times.len() { us - t0 } else { us };
            want_b.push_str(&format_offset(off));
        }
        assert_eq!(String::from_utf8(a).expect("UTF-8"), want_a);
        assert_eq!(String::from_utf8(b).expect("UTF-8"), want_b);
    }

    #[test]
    fn dates_of_known_days() {
        assert_eq!(date_string(0), "1970-01-01");
        assert_eq!(date_string(-1), "1969-12-31");
        assert_eq!(date_string(day_of(1_762_060_950_000_000)), "2025-11-02");
        assert_eq!(date_string(day_of(951_782_400_000_000)), "2000-02-29");
    }
}
