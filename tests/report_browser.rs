//! report.html in a real headless Chromium: it loads offline with no script errors, the lanes
//! are drawn, the filter works, and hostile log text stays text. Skipped with a message when
//! Chromium is absent, unless TPLUS_REQUIRE_EXTERNAL=1 (CI), where that is a failure.
//! A screenshot of the demo report is kept at `target/report-screenshot.png` for review.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use util::*;

fn chromium() -> Option<PathBuf> {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(o) = Command::new("which").arg(c).output() {
            if o.status.success() {
                return Some(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
            }
        }
    }
    if std::env::var("TPLUS_REQUIRE_EXTERNAL").is_ok_and(|v| v == "1") {
        panic!("Chromium is required (TPLUS_REQUIRE_EXTERNAL=1) but not installed");
    }
    eprintln!("SKIP report browser test: no chromium on this machine (apt-get install chromium)");
    None
}

fn headless(bin: &Path, profile: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// The DOM after the page's scripts ran.
fn dump_dom(bin: &Path, page: &Path, fragment: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}{fragment}", page.display());
    let o = headless(bin, profile.path())
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn attr<'a>(dom: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let i = dom.find(&key)? + key.len();
    dom[i..].split('"').next()
}

#[test]
fn demo_report_loads_draws_filters() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&run_in(
        &repo(),
        &[
            "build",
            "fixtures/demo",
            "--case",
            "fixtures/demo.toml",
            "-o",
            out.to_str().unwrap(),
            "--quiet",
        ],
    ));
    let page = out.join("report.html");

    let dom = dump_dom(&bin, &page, "");
    assert_eq!(
        attr(&dom, "data-ready"),
        Some("1"),
        "the page's script ran to the end"
    );
    assert_eq!(attr(&dom, "data-errors"), Some("0"), "no script errors");
    let drawn: u32 = attr(&dom, "data-bars").unwrap_or("0").parse().unwrap();
    assert!(drawn >= 1, "lanes drawn");
    let all: u32 = attr(&dom, "data-matches").unwrap().parse().unwrap();
    let events = events(&out).len() as u32;
    assert_eq!(all, events);

    let dom = dump_dom(&bin, &page, "#filter=203.0.113.45");
    let filtered: u32 = attr(&dom, "data-matches").unwrap().parse().unwrap();
    let expected = events_matching(&out, "203.0.113.45");
    assert!(filtered > 0 && filtered < all, "{filtered} of {all}");
    assert_eq!(filtered, expected);

    // A screenshot for review.
    let shot = repo().join("target/report-screenshot.png");
    let profile = tempfile::tempdir().unwrap();
    let o = headless(&bin, profile.path())
        .arg("--window-size=1400,1000")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "screenshot written"
    );
}

fn events_matching(out: &Path, needle: &str) -> u32 {
    events(out)
        .iter()
        .filter(|e| {
            [
                "message",
                "actor",
                "action",
                "target",
                "src_ip",
                "host",
                "source",
                "outcome",
                "confidence",
            ]
            .iter()
            .any(|k| {
                e[*k]
                    .as_str()
                    .is_some_and(|v| v.to_lowercase().contains(needle))
            })
        })
        .count() as u32
}

#[test]
fn hostile_log_text_stays_text_in_the_browser() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("in")).unwrap();
    let lines = [
        "Oct 14 10:00:01 web-1 sshd[1]: Failed password for invalid user <script>document.body.dataset.pwned=1</script> from 203.0.113.9 port 1 ssh2",
        "Oct 14 10:00:02 web-1 sshd[1]: Failed password for invalid user <img src=x onerror=document.body.dataset.pwned=2> from 203.0.113.9 port 2 ssh2",
        "Oct 14 10:00:03 web-1 sshd[1]: Invalid user </script><script>document.body.dataset.pwned=3</script> from 203.0.113.9 port 3",
        "Oct 14 10:00:04 web-1 sudo: eve : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/echo \u{2028}\u{2029}--> =HYPERLINK(\"http://x\") a|b \u{1b}[31mred",
    ];
    std::fs::write(d.join("in/auth.log"), lines.join("\n") + "\n").unwrap();
    ok(&run_in(
        d,
        &[
            "build", "in", "-o", "out", "--quiet", "--year", "2025", "--tz", "UTC",
        ],
    ));
    let page = d.join("out/report.html");
    let dom = dump_dom(&bin, &page, "");
    assert!(dom.contains(">ready<"));
    assert_eq!(attr(&dom, "data-errors"), Some("0"));
    assert_eq!(attr(&dom, "data-pwned"), None, "injected markup ran");
    assert_eq!(attr(&dom, "data-matches"), Some("4"));
    // The text shows as text in the table.
    assert!(
        dom.contains("&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;"),
        "escaped text in the table"
    );
    let dom = dump_dom(&bin, &page, "#filter=%3Cimg");
    assert_eq!(attr(&dom, "data-matches"), Some("1"));
    assert_eq!(attr(&dom, "data-pwned"), None);
}
