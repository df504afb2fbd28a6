//! The CLI end to end: exit codes, bad input, custody and verify.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::io::Write;

use util::*;

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.log"), "x\n").unwrap();
    for args in [
        vec!["build", "a.log"],
        vec!["build", "a.log", "-o", "out", "--t0", "yesterday"],
        vec!["build", "a.log", "-o", "out", "--t0", "2025-01-01T00:00:00"],
        vec!["build", "a.log", "-o", "out", "--tz", "Mars/Olympus"],
        vec![
            "build",
            "a.log",
            "-o",
            "out",
            "--window",
            "2025-01-02T00:00:00Z..2025-01-01T00:00:00Z",
        ],
        vec![
            "build",
            "a.log",
            "-o",
            "out",
            "--format",
            "*.log=no.such.format",
        ],
        vec!["frobnicate"],
    ] {
        let o = run_in(d, &args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn missing_input_and_non_empty_output_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run_in(d, &["build", "nope", "-o", "out"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
    std::fs::write(d.join("a.log"), "x\n").unwrap();
    std::fs::create_dir(d.join("full")).unwrap();
    std::fs::write(d.join("full/keep"), "x").unwrap();
    let o = run_in(d, &["build", "a.log", "-o", "full"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not empty"));
    let o = run_in(d, &["build", "a.log", "-o", "full", "--force"]);
    ok(&o);
}

#[test]
fn bad_case_file_names_the_unknown_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.log"), "x\n").unwrap();
    std::fs::write(
        d.join("case.toml"),
        "title = \"x\"\nattendes = [\"typo\"]\n",
    )
    .unwrap();
    let o = run_in(d, &["build", "a.log", "-o", "out", "--case", "case.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("attendes"));
}

/// Junk of every kind is counted and reported per file; the build still succeeds and the
/// outputs still meet the contract.
#[test]
fn bad_input_never_aborts_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inp = d.join("in");
    std::fs::create_dir_all(inp.join("nested/empty-dir")).unwrap();
    std::fs::write(inp.join("empty.log"), b"").unwrap();
    std::fs::write(
        inp.join("junk.bin"),
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    std::fs::write(inp.join("nul.log"), vec![0u8; 10_000]).unwrap();
    std::fs::write(inp.join("latin1.txt"), b"caf\xe9 au lait\nna\xefve\n").unwrap();
    std::fs::write(inp.join("nested/huge-line.txt"), "A".repeat(3 << 20)).unwrap();
    // A gzip stream cut in half.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(gz, "line {i} of something nobody parses").unwrap();
    }
    let full = gz.finish().unwrap();
    std::fs::write(inp.join("cut.log.gz"), &full[..full.len() / 2]).unwrap();
    std::fs::write(inp.join("archive.zip"), b"PK\x03\x04rest-of-a-zip").unwrap();

    let o = run_in(d, &["build", "in", "-o", "out"]);
    ok(&o);
    let out = d.join("out");
    assert_accounting(&out);
    let c = custody(&out);
    let inputs = c["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 7, "every file is listed: {inputs:#?}");
    let by_path = |p: &str| {
        inputs
            .iter()
            .find(|i| i["path"] == p)
            .unwrap_or_else(|| panic!("{p} not listed"))
    };
    assert_eq!(by_path("in/empty.log")["format"], "empty");
    assert!(by_path("in/cut.log.gz")["notes"]
        .to_string()
        .contains("truncated"));
    assert!(by_path("in/archive.zip")["error"]
        .as_str()
        .unwrap()
        .contains("zip"));
    assert!(by_path("in/junk.bin")["error"]
        .as_str()
        .unwrap()
        .contains("not recognised"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("in/junk.bin"),
        "a clear message per file: {stderr}"
    );
    let f = findings(&out);
    assert!(f
        .iter()
        .any(|f| f["kind"] == "unread_input" && f["path"] == "in/junk.bin"));
    contract_check(d, &out);
}

#[test]
fn verify_passes_then_names_changed_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(d.join("in/a.log"), "first\n").unwrap();
    std::fs::write(d.join("in/b.log"), "second\n").unwrap();
    ok(&run_in(d, &["build", "in", "-o", "out"]));
    let o = run_in(d, &["verify", "out/custody.json"]);
    ok(&o);
    std::fs::write(d.join("in/a.log"), "tampered\n").unwrap();
    std::fs::remove_file(d.join("in/b.log")).unwrap();
    let o = run_in(d, &["verify", "out/custody.json"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("CHANGED in/a.log"), "{err}");
    assert!(err.contains("MISSING in/b.log"), "{err}");
    // From elsewhere, with --base.
    let o = bin()
        .arg("verify")
        .arg(d.join("out/custody.json"))
        .arg("--base")
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn inputs_listing_matches_sha256sum_and_custody() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(d.join("in/z.log"), "z\n").unwrap();
    std::fs::write(d.join("in/a.log"), "a\n").unwrap();
    ok(&run_in(d, &["build", "in", "-o", "out"]));
    let listing = std::fs::read_to_string(d.join("out/inputs.sha256")).unwrap();
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with("  in/a.log") && lines[1].ends_with("  in/z.log"));
    let c = custody(&d.join("out"));
    assert_eq!(
        c["inputs_digest"],
        tplus_custody::sha256_hex(listing.as_bytes())
    );
    if std::process::Command::new("sha256sum")
        .arg("--version")
        .output()
        .is_ok()
    {
        let o = std::process::Command::new("sha256sum")
            .args(["-c", "out/inputs.sha256"])
            .current_dir(d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    }
}

#[test]
fn output_folder_inside_an_input_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(d.join("in/a.log"), "a\n").unwrap();
    ok(&run_in(d, &["build", "in", "-o", "in/out"]));
    ok(&run_in(d, &["build", "in", "-o", "in/out", "--force"]));
    let c = custody(&d.join("in/out"));
    let paths: Vec<&str> = c["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["in/a.log"]);
}

#[test]
fn standard_input_is_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = bin()
        .current_dir(d)
        .args(["build", "-", "-o", "out", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"not a log format\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    ok(&o);
    assert!(o.stderr.is_empty(), "--quiet prints nothing");
    let c = custody(&d.join("out"));
    assert_eq!(c["inputs"][0]["path"], "-");
    assert_eq!(c["inputs"][0]["size"], 17);
}

#[test]
fn formats_and_sniff_list_without_building() {
    let o = bin().arg("formats").output().unwrap();
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("format"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.bin"), b"\x00\x01\x02").unwrap();
    let o = run_in(dir.path(), &["sniff", "x.bin"]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("x.bin\t3\tunknown"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn redact_removes_secrets_from_meeting_documents_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    std::fs::write(
        d.join("in/auth.log"),
        "Oct 14 10:00:04 web-1 sudo: eve : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/mysql --password=hunter2 -e AKIAIOSFODNN7EXAMPLE\n",
    )
    .unwrap();
    ok(&run_in(
        d,
        &[
            "build", "in", "-o", "out", "--quiet", "--redact", "--year", "2025", "--tz", "UTC",
        ],
    ));
    for f in ["preread.md", "report.html"] {
        let t = std::fs::read_to_string(d.join("out").join(f)).unwrap();
        assert!(
            !t.contains("hunter2") && !t.contains("AKIAIOSFODNN7EXAMPLE"),
            "{f} keeps a secret"
        );
    }
    let record = std::fs::read_to_string(d.join("out/timeline.jsonl")).unwrap();
    assert!(
        record.contains("hunter2"),
        "the forensic record stays complete"
    );
}
