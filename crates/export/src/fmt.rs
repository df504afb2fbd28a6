//! Fast renderings of the contract's time strings for bulk export. They produce exactly what
//! [`tplus_model::time::format_utc`] and [`format_offset`] produce (checked in the tests) but
//! write into a stack buffer instead of going through `format!`, because the Parquet export
//! renders two strings per event and a million events should take well under a second.

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

/// Appends `YYYY-MM-DDTHH:MM:SS.ffffffZ` for `ts_us` to `out` (the JSONL `datetime`).
pub(crate) fn push_datetime(out: &mut String, ts_us: i64) {
    let day = day_of(ts_us);
    let (y, m, d) = civil_from_days(day);
    if !(0..=9999).contains(&y) {
        out.push_str(&format_utc(ts_us));
        return;
    }
    let in_day = ts_us.rem_euclid(US_PER_DAY);
    let secs = (in_day / 1_000_000) as u32;
    let frac = (in_day % 1_000_000) as u32;
    let mut b = *b"0000-00-00T00:00:00.000000Z";
    put4(&mut b[0..4], y as u32);
    put2(&mut b[5..7], m);
    put2(&mut b[8..10], d);
    put2(&mut b[11..13], secs / 3600);
    put2(&mut b[14..16], secs / 60 % 60);
    put2(&mut b[17..19], secs % 60);
    put2(&mut b[20..22], frac / 10_000);
    put2(&mut b[22..24], frac / 100 % 100);
    put2(&mut b[24..26], frac % 100);
    out.push_str(std::str::from_utf8(&b).unwrap_or_default());
}

/// Appends `T+HH:MM:SS` / `T-HH:MM:SS` (the JSONL `t_offset`) to `out`.
pub(crate) fn push_offset(out: &mut String, offset_us: i64) {
    let secs = offset_us.unsigned_abs() / 1_000_000;
    let hours = secs / 3600;
    if hours > 99 {
        out.push_str(&format_offset(offset_us));
        return;
    }
    let mut b = *b"T+00:00:00";
    if offset_us < 0 {
        b[1] = b'-';
    }
    put2(&mut b[2..4], hours as u32);
    put2(&mut b[5..7], (secs / 60 % 60) as u32);
    put2(&mut b[8..10], (secs % 60) as u32);
    out.push_str(std::str::from_utf8(&b).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(us: i64) -> String {
        let mut s = String::new();
        push_datetime(&mut s, us);
        s
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

    #[test]
    fn dates_of_known_days() {
        assert_eq!(date_string(0), "1970-01-01");
        assert_eq!(date_string(-1), "1969-12-31");
        assert_eq!(date_string(day_of(1_762_060_950_000_000)), "2025-11-02");
        assert_eq!(date_string(day_of(951_782_400_000_000)), "2000-02-29");
    }
}
