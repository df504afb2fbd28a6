//! Running the Python checkers (DuckDB, pyarrow, Timesketch's import client).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder of the Python checkers.
pub fn py_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/py")
}

/// Whether a missing outside program must fail the test (CI sets `TPLUS_REQUIRE_EXTERNAL=1`).
pub fn required() -> bool {
    std::env::var("TPLUS_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1")
}

/// Runs `python3 tests/py/<script> args...`. Returns false (after a SKIP message) when
/// python3 or the script's modules are absent and `TPLUS_REQUIRE_EXTERNAL` is not 1; panics
/// with the script's output when a check fails.
pub fn run_checker(script: &str, args: &[&Path]) -> bool {
    let out = match Command::new("python3")
        .arg(py_dir().join(script))
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                !required(),
                "python3 is required (TPLUS_REQUIRE_EXTERNAL=1) but cannot run: {e}"
            );
            eprintln!("SKIP {script}: python3 not available ({e})");
            return false;
        }
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.code() == Some(77) {
        assert!(
            !required(),
            "{script}: a Python module is required (TPLUS_REQUIRE_EXTERNAL=1): {text}"
        );
        eprintln!("SKIP {script}: {}", text.trim());
        return false;
    }
    assert!(out.status.success(), "{script} failed:\n{text}");
    eprintln!("{}", text.trim());
    true
}
