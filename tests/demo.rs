//! The demo incident end to end: what a newcomer following the README gets must be correct.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::Path;

use serde_json::Value;
use util::*;

fn build_demo(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "build",
        "fixtures/demo",
        "--case",
        "fixtures/demo.toml",
        "-o",
    ];
    let out_s = out.to_str().unwrap();
    args.push(out_s);
    args.extend_from_slice(extra);
    args.push("--quiet");
    ok(&run_in(&repo(), &args));
}

fn find(events: &[Value], pred: impl Fn(&Value) -> bool) -> &Value {
    events.iter().find(|e| pred(e)).expect("event present")
}

#[test]
fn demo_timeline_is_correct() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build_demo(&out, &[]);
    assert_accounting(&out);
    contract_check(&repo(), &out);
    let ev = events(&out);
    assert!(ev.len() > 150, "{} events", ev.len());

    // Berlin (CEST, UTC+2) and New York (EDT, UTC-4) local times land on the right UTC instant.
    let first_fail = find(&ev, |e| {
        e["ts_raw"]
            .as_str()
            .is_some_and(|t| t.starts_with("Oct 14 10:02:1"))
            && e["host"] == "web-1"
    });
    assert!(
        first_fail["datetime"]
            .as_str()
            .unwrap()
            .starts_with("2025-10-14T08:02:1"),
        "{first_fail}"
    );
    assert_eq!(first_fail["confidence"], "medium");
    let reasons = first_fail["confidence_reasons"].to_string();
    assert!(reasons.contains("Europe/Berlin"), "{reasons}");
    assert!(reasons.contains("year"), "{reasons}");
    let pivot = find(&ev, |e| {
        e["host"] == "db-1"
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("Accepted publickey"))
    });
    assert_eq!(pivot["datetime"], "2025-10-14T08:16:44.000000Z");
    assert_eq!(pivot["src_ip"], "10.0.1.15");
    assert!(pivot["confidence_reasons"]
        .to_string()
        .contains("America/New_York"));

    // T0 from the case file; offsets follow.
    let accepted = find(&ev, |e| {
        e["host"] == "web-1"
            && e["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("Accepted password for deploy"))
    });
    assert_eq!(accepted["datetime"], "2025-10-14T08:13:05.000000Z");
    assert_eq!(accepted["t_offset"], "T+00:10:55");
    assert_eq!(accepted["outcome"], "success");
    assert_eq!(accepted["actor"], "deploy");
    let before = find(&ev, |e| e["source"] == "github.actions_run");
    assert!(
        before["t_offset"].as_str().unwrap().starts_with("T-"),
        "{before}"
    );

    // CloudTrail: zoned times are high confidence; the org-trail copy is merged and counted.
    let stop = find(&ev, |e| {
        e["source"] == "aws.cloudtrail" && e["datetime"] == "2025-10-14T08:22:40.000000Z"
    });
    assert_eq!(stop["confidence"], "high");
    let ids: Vec<&str> = ev
        .iter()
        .filter(|e| e["source"] == "aws.cloudtrail")
        .filter_map(|e| e["event_id"].as_str())
        .collect();
    let mut uniq = ids.clone();
    uniq.sort_unstable();
    uniq.dedup();
    assert_eq!(ids.len(), uniq.len(), "each eventID once");
    assert_eq!(ids.len(), 8);
    let c = custody(&out);
    let org = c["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().contains("/org-trail_"))
        .unwrap();
    assert_eq!(
        (
            org["records"].as_u64(),
            org["events"].as_u64(),
            org["skipped"].as_u64()
        ),
        (Some(3), Some(0), Some(3))
    );
    let digest = c["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().contains("CloudTrail-Digest"))
        .unwrap();
    assert_eq!(
        (digest["records"].as_u64(), digest["skipped"].as_u64()),
        (Some(1), Some(1))
    );

    // Sorted, and every event points back to a listed input with its hash.
    let times: Vec<&str> = ev.iter().map(|e| e["datetime"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let hashes: Vec<(String, String)> = c["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap().to_owned(),
                i["sha256"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for e in &ev {
        let p = e["evidence"]["path"].as_str().unwrap();
        assert!(
            hashes
                .iter()
                .any(|(hp, hs)| hp == p && hs == e["evidence"]["sha256"].as_str().unwrap()),
            "{e}"
        );
    }

    // The logging stop is a finding; the pre-read names T0 and the evidence digest.
    let f = findings(&out);
    assert!(f.iter().any(|f| f["kind"] == "logging_tamper"), "{f:#?}");
    let pre = std::fs::read_to_string(out.join("preread.md")).unwrap();
    assert!(pre.contains("2025-10-14T08:02:10"));
    assert!(pre.contains(c["inputs_digest"].as_str().unwrap()));
}

/// The outputs do not depend on the number of threads (custody's creation time aside).
#[test]
fn one_thread_and_many_give_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    build_demo(&a, &["-j", "1"]);
    build_demo(&b, &["-j", "4"]);
    for f in [
        "timeline.jsonl",
        "timeline.csv",
        "findings.json",
        "preread.md",
        "report.html",
        "inputs.sha256",
    ] {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(x == y, "{f} differs between -j1 and -j4");
    }
    let mut ca = custody(&a);
    let mut cb = custody(&b);
    for c in [&mut ca, &mut cb] {
        c["created"] = Value::Null;
        c["command"] = Value::Null;
    }
    assert_eq!(ca, cb);
}

#[test]
fn verify_the_demo_then_detect_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("demo");
    std::fs::create_dir_all(&copy).unwrap();
    let src = repo().join("fixtures/demo");
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).unwrap();
        let to = copy.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    ok(&run_in(
        dir.path(),
        &["build", "demo", "-o", "out", "--quiet"],
    ));
    ok(&run_in(dir.path(), &["verify", "out/custody.json"]));
    let f = copy.join("web-1/auth.log");
    let mut text = std::fs::read_to_string(&f).unwrap();
    text = text.replacen("203.0.113.45", "203.0.113.46", 1);
    std::fs::write(&f, text).unwrap();
    let o = run_in(dir.path(), &["verify", "out/custody.json"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("demo/web-1/auth.log"));
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `--pseudonymise` and `--redact` change the meeting documents only; the record stays whole.
#[test]
fn pseudonymised_and_redacted_meeting_documents() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("case.toml");
    let mut text = std::fs::read_to_string(repo().join("fixtures/demo.toml")).unwrap();
    text = text.replace(
        "[roles]\n",
        "[roles]\n\"sam-oncall\" = \"on-call engineer\"\n",
    );
    std::fs::write(&case, text).unwrap();
    let out = dir.path().join("out");
    let o = run_in(
        &repo(),
        &[
            "build",
            "fixtures/demo",
            "--case",
            case.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--quiet",
            "--pseudonymise",
            "--redact",
        ],
    );
    ok(&o);
    contract_check(&repo(), &out);
    let pre = std::fs::read_to_string(out.join("preread.md")).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for doc in [&pre, &html] {
        assert!(
            !doc.contains("alice"),
            "a person's name left in a meeting document"
        );
        assert!(!doc.contains("sam-oncall"));
        assert!(doc.contains("on-call engineer"));
    }
    assert!(pre.contains("pseudonyms.csv"));
    let jsonl = std::fs::read_to_string(out.join("timeline.jsonl")).unwrap();
    assert!(
        jsonl.contains("\"actor\":\"alice\""),
        "the record keeps real names"
    );
    let key = std::fs::read_to_string(out.join("pseudonyms.csv")).unwrap();
    assert!(
        key.lines()
            .any(|l| l.starts_with("user-") && l.split(',').any(|c| c == "alice")),
        "{key}"
    );
    assert!(custody(&out)["outputs"]
        .to_string()
        .contains("pseudonyms.csv"));
    // Automation keeps its name.
    assert!(pre.contains("dependabot"));
}
