//! Rotated syslog files end to end: `auth.log.2.gz`, `auth.log.1` and `auth.log` overlap at
//! their edges (logrotate's copytruncate, a re-export), and a copy reset every mtime to the
//! day of the export. The overlaps are reported and counted once; the year runs backwards
//! through the set from the newest file, so the oldest file lands in the right year where a
//! per-file guess from its (copied) mtime would not.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::Path;
use std::time::{Duration, SystemTime};

use util::*;

/// Copies the fixture set into `dir/in` with every mtime set to `copied_at` (seconds).
fn copy_with_mtime(dir: &Path, copied_at: u64) {
    let src = repo().join("fixtures/auth/rotated");
    let dst = dir.join("in");
    std::fs::create_dir_all(&dst).unwrap();
    for name in ["auth.log", "auth.log.1", "auth.log.2.gz"] {
        let to = dst.join(name);
        std::fs::copy(src.join(name), &to).unwrap();
        let f = std::fs::File::options().write(true).open(&to).unwrap();
        f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(copied_at))
            .unwrap();
    }
}

fn input<'a>(c: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    c["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in custody"))
}

#[test]
fn rotated_set_overlaps_counted_once_and_years_run_through_the_set() {
    let dir = tempfile::tempdir().unwrap();
    // 2026-11-23T00:00:00Z: the day the files were copied off the host.
    copy_with_mtime(dir.path(), 1_795_392_000);
    let o = run_in(
        dir.path(),
        &["build", "in", "-o", "out", "--quiet", "--tz", "UTC"],
    );
    ok(&o);
    let out = dir.path().join("out");
    assert_accounting(&out);
    contract_check(dir.path(), &out);

    let c = custody(&out);
    let (old, mid, new) = (
        input(&c, "auth.log.2.gz"),
        input(&c, "auth.log.1"),
        input(&c, "in/auth.log"),
    );
    // Every line is read; the repeated edges are skipped, not dropped silently.
    assert_eq!(
        (old["records"].as_u64(), old["events"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(
        (
            mid["records"].as_u64(),
            mid["events"].as_u64(),
            mid["skipped"].as_u64()
        ),
        (Some(4), Some(2), Some(2))
    );
    assert_eq!(
        (
            new["records"].as_u64(),
            new["events"].as_u64(),
            new["skipped"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    let notes = mid["notes"].to_string();
    assert!(notes.contains("rotation overlap"), "{notes}");

    let dups: Vec<serde_json::Value> = findings(&out)
        .into_iter()
        .filter(|f| f["kind"] == "duplicate_records")
        .collect();
    assert_eq!(dups.len(), 2, "{dups:?}");
    assert!(dups.iter().any(|f| f["summary"]
        .as_str()
        .unwrap()
        .contains("auth.log.1 lines 1-2")));

    let evs = events(&out);
    assert_eq!(evs.len(), 8);
    let times: Vec<&str> = evs
        .iter()
        .map(|e| e["datetime"].as_str().unwrap())
        .collect();
    // The oldest file is November 2025: its mtime (a copy made in November 2026) alone
    // would have put it in 2026, after the January lines of the newer files.
    assert_eq!(times[0], "2025-11-10T08:00:01.000000Z");
    assert_eq!(times[3], "2025-11-17T03:10:05.000000Z");
    assert_eq!(times[4], "2025-12-31T23:59:59.000000Z");
    assert_eq!(times[5], "2026-01-01T00:00:10.000000Z");
    assert_eq!(times[7], "2026-01-05T10:05:00.000000Z");
    let first = &evs[0];
    let reasons = first["confidence_reasons"].to_string();
    assert!(reasons.contains("rotated set"), "{reasons}");
    assert_eq!(first["confidence"], "medium");
    // Each surviving event points at the file it was kept from.
    assert!(evs[2]["evidence"]["path"]
        .as_str()
        .unwrap()
        .ends_with("auth.log.2.gz"));
}

#[test]
fn without_the_newer_files_the_copied_mtime_is_all_there_is() {
    // The same oldest file alone: its year can only come from its mtime, and the reason
    // says so (this is the case the set rule exists for).
    let dir = tempfile::tempdir().unwrap();
    copy_with_mtime(dir.path(), 1_795_392_000);
    let o = run_in(
        dir.path(),
        &[
            "build",
            "in/auth.log.2.gz",
            "-o",
            "out",
            "--quiet",
            "--tz",
            "UTC",
        ],
    );
    ok(&o);
    let evs = events(&dir.path().join("out"));
    assert_eq!(evs[0]["datetime"], "2026-11-10T08:00:01.000000Z");
    assert!(evs[0]["confidence_reasons"].to_string().contains("mtime"));
}
