//! Test harness: run the real binary in a scratch folder, read its outputs, and check them
//! with the shared contract checker when `../shared` is present.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tplus"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository, when this checkout has it.
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("../shared");
    p.join("CONTRACT.md").exists().then_some(p)
}

pub fn corpus() -> Option<PathBuf> {
    let p = shared()?.join("corpus");
    p.exists().then_some(p)
}

/// Runs `tplus` with `args` in `cwd`.
pub fn run_in(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("tplus runs")
}

pub fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "tplus failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

pub fn events(out: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(out.join("timeline.jsonl")).expect("timeline.jsonl");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

pub fn custody(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("custody.json")).expect("custody.json"))
        .expect("custody JSON")
}

pub fn findings(out: &Path) -> Vec<Value> {
    let v: Value =
        serde_json::from_slice(&std::fs::read(out.join("findings.json")).expect("findings.json"))
            .expect("JSON");
    v["findings"].as_array().cloned().unwrap_or_default()
}

/// Every input of a build keeps `records == events + skipped + errors`.
pub fn assert_accounting(out: &Path) {
    let c = custody(out);
    for i in c["inputs"].as_array().expect("inputs") {
        let n = |k: &str| {
            i[k].as_u64()
                .unwrap_or_else(|| panic!("{k} missing in {i}"))
        };
        assert_eq!(
            n("records"),
            n("events") + n("skipped") + n("errors"),
            "accounting of {}",
            i["path"]
        );
    }
}

/// Runs `../shared/tools/contract-check` on a build's output folder (from `cwd`, so relative
/// input paths resolve); skipped with a message where `../shared` or python3 is absent.
pub fn contract_check(cwd: &Path, out: &Path) {
    let Some(shared) = shared() else {
        eprintln!("SKIP contract-check: ../shared is not beside this checkout");
        return;
    };
    let tool = shared.join("tools/contract-check");
    let o = match Command::new("python3")
        .arg(&tool)
        .arg(out)
        .current_dir(cwd)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIP contract-check: python3 not available ({e})");
            return;
        }
    };
    assert!(
        o.status.success(),
        "contract-check failed on {}:\n{}{}",
        out.display(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}
