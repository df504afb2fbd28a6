//! Merging what arrived more than once: records with the same native id (CloudTrail
//! `eventID` in an org trail and an account trail), and rotated line files whose tails
//! overlap (`auth.log.1` ending with the lines `auth.log` starts with). Identical lines
//! inside one file are never merged: a brute-force burst logs the same line many times.

use std::collections::HashMap;

use rayon::prelude::*;

use tplus_model::hash::FastSet;
use tplus_model::{Event, Finding, FindingKind, InputSummary, Severity};

pub(crate) struct DedupResult {
    pub merged: u64,
    pub findings: Vec<Finding>,
}

/// `flags[i] = (dedup by event id, line oriented)` for file `i`.
pub(crate) fn merge_duplicates(
    files: &mut [Vec<Event>],
    inputs: &mut [InputSummary],
    flags: &[(bool, bool)],
) -> DedupResult {
    let mut result = DedupResult {
        merged: 0,
        findings: Vec::new(),
    };
    by_event_id(files, inputs, flags, &mut result);
    rotation_overlaps(files, inputs, flags, &mut result);
    result
}

fn by_event_id(
    files: &mut [Vec<Event>],
    inputs: &mut [InputSummary],
    flags: &[(bool, bool)],
    r: &mut DedupResult,
) {
    // Per format, each id and the file that had it first (looked up by `&str`: an id is
    // copied once, when first seen).
    let mut seen: HashMap<&'static str, HashMap<String, usize>> = HashMap::new();
    for (i, evs) in files.iter_mut().enumerate() {
        if !flags.get(i).is_some_and(|f| f.0) {
            continue;
        }
        let mut dups_from: HashMap<usize, u64> = HashMap::new();
        evs.retain(|e| {
            let Some(id) = &e.event_id else { return true };
            let ids = seen.entry(e.source).or_default();
            match ids.get(id.as_str()) {
                Some(&first) => {
                    *dups_from.entry(first).or_default() += 1;
                    false
                }
                None => {
                    ids.insert(id.clone(), i);
                    true
                }
            }
        });
        let mut from: Vec<_> = dups_from.into_iter().collect();
        from.sort_unstable();
        for (first, n) in from {
            let other = inputs
                .get(first)
                .map_or_else(String::new, |x| x.path.clone());
            let inp = &mut inputs[i];
            inp.events -= n;
            inp.skipped += n;
            r.merged += n;
            let same = first == i;
            let note = if same {
                format!(
                    "skipped {n}: duplicate record ids repeated inside this file (kept the first)"
                )
            } else {
                format!("skipped {n}: duplicate record ids already read from {other} (kept there)")
            };
            inp.notes.push(note);
            r.findings.push(Finding {
                kind: FindingKind::DuplicateRecords,
                severity: Severity::Info,
                source: Some(inp.format.clone()),
                host: None,
                path: Some(inp.path.clone()),
                start_us: None,
                end_us: None,
                summary: if same {
                    format!("{} repeats {n} record ids it already holds; each is counted once.", inp.path)
                } else {
                    format!("{} repeats {n} records of {other} (same ids, e.g. a second trail or a re-export); each is counted once.", inp.path)
                },
                evidence: vec![inp.path.clone(), other],
            });
        }
    }
}

type LineKey<'a> = (Option<&'a str>, &'a str, &'a str);

fn key(e: &Event) -> LineKey<'_> {
    (e.host.as_deref(), e.ts_raw.as_str(), e.message.as_str())
}

/// Longest k such that the last k events of `a` equal the first k events of `b`.
fn overlap(a: &[Event], b: &[Event]) -> usize {
    let Some(first) = b.first() else { return 0 };
    let k0 = key(first);
    let max = a.len().min(b.len());
    for k in (1..=max).rev() {
        let start = a.len() - k;
        if key(&a[start]) == k0
            && a[start..]
                .iter()
                .zip(&b[..k])
                .all(|(x, y)| key(x) == key(y))
        {
            return k;
        }
    }
    0
}

fn rotation_overlaps(
    files: &mut [Vec<Event>],
    inputs: &mut [InputSummary],
    flags: &[(bool, bool)],
    r: &mut DedupResult,
) {
    let n = files.len();
    // A pair can only overlap if the older file holds the newer file's first line somewhere:
    // one hash per line and a set per file make that an O(1) test, so a run with hundreds
    // of rotated files does not compare every pair line by line.
    let line_oriented = |i: usize| flags.get(i).is_some_and(|f| f.1);
    let key_hash = |e: &Event| {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<tplus_model::hash::FxHasher>::default().hash_one(key(e))
    };
    let mut first_key: Vec<Option<u64>> = (0..n)
        .map(|j| files[j].first().filter(|_| line_oriented(j)).map(key_hash))
        .collect();
    // With fewer than two line files there is no pair: hash nothing.
    let pairs_possible = first_key.iter().flatten().count() >= 2;
    // Each file's set on its own thread (a million syslog lines hash in a fraction of a
    // second, but on one thread that fraction was serial).
    let holds: Vec<FastSet<u64>> = files
        .par_iter()
        .enumerate()
        .map(|(i, evs)| {
            if pairs_possible && line_oriented(i) {
                evs.iter().map(key_hash).collect()
            } else {
                FastSet::default()
            }
        })
        .collect();
    for i in 0..n {
        for j in 0..n {
            if i == j || !line_oriented(i) || !line_oriented(j) {
                continue;
            }
            if inputs[i].format != inputs[j].format || files[i].is_empty() || files[j].is_empty() {
                continue;
            }
            if !first_key[j].is_some_and(|h| holds[i].contains(&h)) {
                continue;
            }
            // j's head repeats i's tail: keep i's copy (written first), drop j's.
            let k = overlap(&files[i], &files[j]);
            if k == 0 {
                continue;
            }
            let removed: Vec<Event> = files[j].drain(..k).collect();
            first_key[j] = files[j].first().map(key_hash);
            let kept_from = files[i][files[i].len() - k].location.line.unwrap_or(0);
            let kept_to = files[i].last().and_then(|e| e.location.line).unwrap_or(0);
            let from = removed.first().and_then(|e| e.location.line).unwrap_or(0);
            let to = removed.last().and_then(|e| e.location.line).unwrap_or(0);
            let (pi, pj) = (inputs[i].path.clone(), inputs[j].path.clone());
            let inp = &mut inputs[j];
            inp.events -= k as u64;
            inp.skipped += k as u64;
            inp.notes.push(format!("skipped {k}: lines {from}-{to} repeat {pi} lines {kept_from}-{kept_to} (rotation overlap, counted once)"));
            r.merged += k as u64;
            r.findings.push(Finding {
                kind: FindingKind::DuplicateRecords,
                severity: Severity::Info,
                source: Some(inp.format.clone()),
                host: removed.first().and_then(|e| e.host.as_deref().map(str::to_owned)),
                path: Some(pj.clone()),
                start_us: removed.first().map(|e| e.ts_us),
                end_us: removed.last().map(|e| e.ts_us),
                summary: format!("{pj} lines {from}-{to} repeat the last {k} lines of {pi} (overlapping rotated files); they are counted once."),
                evidence: vec![format!("{pj}:{from}"), format!("{pi}:{kept_from}")],
            });
        }
    }
}
