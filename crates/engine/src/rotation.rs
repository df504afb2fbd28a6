//! Rotated sets: `auth.log`, `auth.log.1`, `auth.log.2.gz` (or `secure`, `secure-20251014`)
//! are one chronological stream cut into files. Reading them as a set gives the year of
//! year-less syslog lines from the newest file backwards, which survives what breaks a
//! per-file guess: a copy that reset every file's mtime to the day of the export.

use chrono::NaiveDate;

/// Where a file sits in its rotated set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Rank {
    /// The file being written (`auth.log`): the newest.
    Live,
    /// A dateext rotation (`auth.log-20251014`), keyed so that later dates sort first.
    Dated(std::cmp::Reverse<NaiveDate>),
    /// A numbered rotation (`auth.log.1`): higher numbers are older.
    Numbered(u32),
}

impl Rank {
    /// The rotation date a dateext name carries: the file's lines end by that day.
    pub(crate) fn rotated_on(self) -> Option<NaiveDate> {
        match self {
            Rank::Dated(d) => Some(d.0),
            _ => None,
        }
    }
}

/// The set a file belongs to (its path without the rotation suffix and `.gz`) and its rank.
pub(crate) fn rotation_name(rel: &str) -> (String, Rank) {
    let base = rel.strip_suffix(".gz").unwrap_or(rel);
    if let Some((stem, n)) = base.rsplit_once('.') {
        if !stem.is_empty() && (1..=4).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = n.parse::<u32>() {
                return (stem.to_owned(), Rank::Numbered(n));
            }
        }
    }
    if let Some((stem, d)) = base.rsplit_once('-') {
        if !stem.is_empty() && d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(date) = NaiveDate::parse_from_str(d, "%Y%m%d") {
                if (1990..=2200).contains(&chrono::Datelike::year(&date)) {
                    return (stem.to_owned(), Rank::Dated(std::cmp::Reverse(date)));
                }
            }
        }
    }
    (base.to_owned(), Rank::Live)
}

/// Groups file indices into chains, each ordered newest first: `(set, format)` pairs with
/// more than one member form a chain, every other file is a chain of one. `files[i]` is
/// `(relative path, format, whether the file has year-less times)`; only files with
/// year-less times are chained (the others need no year). Chains come out in index order.
pub(crate) fn chains(files: &[(&str, &str, bool)]) -> Vec<Vec<(usize, Rank)>> {
    let mut sets: std::collections::BTreeMap<(String, &str), Vec<(usize, Rank)>> =
        std::collections::BTreeMap::new();
    let mut out: Vec<Vec<(usize, Rank)>> = Vec::new();
    for (i, (rel, format, year_less)) in files.iter().enumerate() {
        let (set, rank) = rotation_name(rel);
        if *year_less {
            sets.entry((set, format)).or_default().push((i, rank));
        } else {
            out.push(vec![(i, rank)]);
        }
    }
    for (_, mut members) in sets {
        members.sort_by_key(|(i, r)| (*r, *i));
        out.push(members);
    }
    out.sort_by_key(|c| c.first().map_or(0, |(i, _)| *i));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn names_of_rotated_files() {
        assert_eq!(
            rotation_name("host/auth.log"),
            ("host/auth.log".into(), Rank::Live)
        );
        assert_eq!(
            rotation_name("host/auth.log.1"),
            ("host/auth.log".into(), Rank::Numbered(1))
        );
        assert_eq!(
            rotation_name("host/auth.log.12.gz"),
            ("host/auth.log".into(), Rank::Numbered(12))
        );
        assert_eq!(
            rotation_name("secure-20251014.gz"),
            (
                "secure".into(),
                Rank::Dated(std::cmp::Reverse(d("2025-10-14")))
            )
        );
        // Not rotation suffixes: a version, a year, an invalid date.
        assert_eq!(rotation_name("app.log-2025").1, Rank::Live);
        assert_eq!(rotation_name("x-20251341").1, Rank::Live);
        assert_eq!(rotation_name("trail.json").1, Rank::Live);
    }

    #[test]
    fn chains_run_newest_first_and_keep_other_files_apart() {
        let files = [
            ("a/auth.log", "linux.syslog", true),
            ("a/auth.log.1", "linux.syslog", true),
            ("a/auth.log.2.gz", "linux.syslog", true),
            ("b/auth.log", "linux.syslog", true),
            ("trail.json", "aws.cloudtrail", false),
            ("secure-20251007", "linux.syslog", true),
            ("secure-20251014", "linux.syslog", true),
            ("secure", "linux.syslog", true),
        ];
        let c = chains(&files);
        let idx: Vec<Vec<usize>> = c
            .iter()
            .map(|ch| ch.iter().map(|(i, _)| *i).collect())
            .collect();
        assert_eq!(idx, vec![vec![0, 1, 2], vec![3], vec![4], vec![7, 6, 5]]);
    }
}
