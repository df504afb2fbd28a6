//! The reading outputs end to end: the pre-read stays short at a million events, hostile
//! log text is escaped in every sink, `--pseudonymise`/`--redact` alter only the reading
//! outputs, and report.html works in a real headless Chromium.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use tplus_model::{Timeline, TimelineSink};
use tplus_report::synth::{incident, HOSTILE};
use tplus_report::{CsvSink, FindingsSink, HtmlSink, JsonlSink, PrereadSink};

fn render(sink: &dyn TimelineSink, tl: &Timeline) -> String {
    let mut v = Vec::new();
    sink.write(tl, &mut v).expect("sink writes");
    String::from_utf8(v).expect("UTF-8 output")
}

#[test]
fn preread_stays_within_two_pages_at_a_million_events() {
    let tl = incident(1_000_000, false);
    assert!(tl.events.len() >= 1_000_000);
    let md = render(&PrereadSink::default(), &tl);
    let lines = md.lines().count();
    assert!(md.len() < 14_000, "pre-read is {} bytes:\n{md}", md.len());
    assert!(lines < 130, "pre-read is {lines} lines:\n{md}");
    // 600 failed logins in ten minutes are one row with a count and a span.
    let burst: Vec<&str> = md.lines().filter(|l| l.contains("600×")).collect();
    assert_eq!(burst.len(), 1, "{md}");
    assert!(burst[0].contains("600 over 9 min"), "{}", burst[0]);
    for key in [
        "Accepted password for deploy",
        "COMMAND=/bin/bash",
        "CreateAccessKey",
        "StopLogging",
        "Deploy app v1.4.2",
        "Rollback production",
    ] {
        assert!(md.contains(key), "{key} missing from the pre-read:\n{md}");
    }
    assert!(md.contains("events are left out here"), "{md}");
    assert!(
        md.contains("success after 600 failures from 203.0.113.45"),
        "{md}"
    );
    assert!(md.contains("last activity of 203.0.113.45"), "{md}");
    assert!(md.contains("timeline.csv"));
    assert!(md.contains("web-1/\\*\\* read as Europe/Berlin"), "{md}");
    // Blameless: no words that assign fault.
    let lower = md.to_lowercase();
    for w in [
        "fault",
        "blame the",
        "negligen",
        "careless",
        "human error",
        "mistake",
    ] {
        assert!(!lower.contains(w), "{w:?} in the pre-read");
    }
}

/// Cells of a Markdown table row, split on unescaped pipes.
fn md_cells(row: &str) -> usize {
    let mut n = 0;
    let mut esc = false;
    for c in row.chars() {
        match c {
            '\\' if !esc => esc = true,
            '|' if !esc => n += 1,
            _ => esc = false,
        }
    }
    n
}

#[test]
fn hostile_text_is_escaped_in_every_sink() {
    let mut tl = incident(3000, true);
    let long = "A".repeat(200_000);
    if let Some(e) = tl.events.get_mut(10) {
        e.message = format!("{long}{}", HOSTILE[0]);
        e.host = Some(HOSTILE[4].into());
    }
    // JSONL keeps the evidence exact.
    let jsonl = render(&JsonlSink, &tl);
    let mut seen = 0;
    for l in jsonl.lines() {
        let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
        if v["actor"] == HOSTILE[0] {
            seen += 1;
        }
    }
    assert!(seen >= 300, "hostile actor kept verbatim in JSONL ({seen})");
    assert!(!jsonl.contains('\u{1b}'), "raw ESC in JSONL");

    // CSV: no cell starts a formula.
    let csv = render(&CsvSink, &tl);
    assert!(csv.contains("'=HYPERLINK") || !csv.contains("HYPERLINK"));
    for l in csv.lines() {
        for cell in l.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(
                !c.starts_with(['=', '+', '@']) || cell.starts_with("\"\""),
                "formula cell {cell:?}"
            );
        }
    }

    // findings.json is JSON.
    let fj = render(&FindingsSink, &tl);
    serde_json::from_str::<serde_json::Value>(&fj).expect("findings.json parses");

    // Markdown: tables keep their shape, no HTML, no control characters.
    let md = render(&PrereadSink::default(), &tl);
    // No `<` at all: tags are written as entities, so no renderer can form HTML.
    assert!(!md.contains('<'), "raw < in the pre-read");
    assert!(!md.contains('\u{1b}') && !md.contains('\u{7}'));
    assert!(!md.contains('\u{2028}'));
    for block in md.split("\n\n") {
        let rows: Vec<&str> = block.lines().filter(|l| l.starts_with('|')).collect();
        if let Some(first) = rows.first() {
            let n = md_cells(first);
            for r in &rows {
                assert_eq!(md_cells(r), n, "table row broken by a pipe: {r}");
            }
        }
    }
    for l in md.lines() {
        assert!(!l.starts_with("# Hostile <"), "{l}");
        assert!(
            l.len() < 2000,
            "unbounded line in the pre-read: {} bytes",
            l.len()
        );
    }

    // HTML: exactly two script elements, data can't end its block, no raw separators.
    let html = render(&HtmlSink::default(), &tl);
    assert_eq!(html.matches("<script").count(), 2);
    assert_eq!(html.matches("</script").count(), 2);
    assert!(!html.contains("<img"));
    assert!(!html.contains('\u{2028}') && !html.contains('\u{2029}'));
    assert!(!html.contains("<!--"));
    assert!(html.contains("<title>Hostile &lt;script&gt;alert(1)&lt;/script&gt;</title>"));

    // Terminal: no escape sequence survives.
    for h in HOSTILE {
        let t = tplus_report::escape::terminal(h);
        assert!(!t.chars().any(|c| c.is_control()), "{t:?}");
    }
}

#[test]
fn pseudonymise_and_redact_alter_only_the_reading_outputs() {
    let tl = incident(2000, true);
    let mut shared = tl.clone();
    let mut roles = std::collections::BTreeMap::new();
    roles.insert("ops-admin".to_owned(), "Cloud administrator".to_owned());
    let table = tplus_report::privacy::pseudonymise(&mut shared, &roles);
    let again = tplus_report::privacy::pseudonymise(&mut tl.clone(), &roles);
    assert_eq!(table, again, "stable across runs");
    let real: Vec<&str> = table.iter().map(|p| p.real.as_str()).collect();
    assert!(real.contains(&"deploy") && real.contains(&"ops-admin") && real.contains(&"carol"));
    assert!(!real.contains(&"github-actions[bot]") && !real.contains(&"ci-deployer"));
    assert!(!real.contains(&"root"), "service identity kept");
    let ops = table
        .iter()
        .find(|p| p.real == "ops-admin")
        .expect("ops-admin");
    assert_eq!(ops.pseudonym, "Cloud administrator");
    assert!(table.iter().any(|p| p.pseudonym == "user-1"));
    tplus_report::privacy::redact(&mut shared);
    let md = render(&PrereadSink::default(), &shared);
    let html = render(&HtmlSink::default(), &shared);
    for out in [&md, &html] {
        assert!(
            !out.contains("Failed password for deploy"),
            "name left in a message"
        );
        assert!(!out.contains("AKIAIOSFODNN7EXAMPLE"));
        assert!(!out.contains("hunter2") && !out.contains("S3cretPass"));
        assert!(!out.contains("abcdef0123456789abcdef"));
        assert!(!out.contains("ops-admin@example.com"));
        assert!(out.contains("github-actions[bot]") || out.contains("github-actions\\[bot\\]"));
    }
    assert!(md.contains("Cloud administrator"));
    // The evidence outputs are written from the untouched timeline.
    let jsonl = render(&JsonlSink, &tl);
    assert!(jsonl.contains("Failed password for deploy"));
}

#[test]
fn cli_flags_write_the_mapping_and_list_it_in_custody() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = dir.path().join("case.toml");
    std::fs::write(
        &case,
        "title = \"t\"\n[roles]\n\"alice\" = \"On-call engineer\"\n",
    )
    .expect("write case");
    let input = dir.path().join("in.log");
    std::fs::write(&input, "hello\n").expect("write input");
    let out = dir.path().join("out");
    let o = util::run_in(
        dir.path(),
        &[
            "build",
            "in.log",
            "-o",
            "out",
            "--case",
            "case.toml",
            "--pseudonymise",
            "--redact",
        ],
    );
    util::ok(&o);
    assert!(out.join("pseudonyms.csv").exists());
    let c = util::custody(&out);
    let names: Vec<&str> = c["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .filter_map(|o| o["path"].as_str())
        .collect();
    for n in [
        "timeline.jsonl",
        "timeline.csv",
        "findings.json",
        "preread.md",
        "report.html",
        "pseudonyms.csv",
    ] {
        assert!(names.contains(&n), "{n} not in custody outputs: {names:?}");
    }
    let md = std::fs::read_to_string(out.join("preread.md")).expect("preread");
    assert!(md.contains("Shared version"));
    // An unknown case-file key is an error naming the key.
    std::fs::write(&case, "title = \"t\"\nrole = 1\n").expect("write case");
    let o = util::run_in(
        dir.path(),
        &["build", "in.log", "-o", "out2", "--case", "case.toml"],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("role"));
}

fn chromium() -> Option<PathBuf> {
    for c in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(o) = Command::new("which").arg(c).output() {
            if o.status.success() {
                let p = String::from_utf8_lossy(&o.stdout).trim().to_owned();
                if !p.is_empty() {
                    return Some(PathBuf::from(p));
                }
            }
        }
    }
    None
}

fn headless(chrome: &Path, profile: &Path) -> Command {
    let mut c = Command::new(chrome);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1400,1000",
        "--virtual-time-budget=20000",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

fn attr(dom: &str, id: &str, name: &str) -> Option<String> {
    let at = dom.find(&format!("id=\"{id}\""))?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    let tag = &dom[start..end];
    let k = tag.find(&format!("{name}=\""))? + name.len() + 2;
    Some(tag[k..].split('"').next()?.to_owned())
}

/// Chromium, or `None` after saying the test is skipped; a failure instead when CI requires
/// the outside programs (TPLUS_REQUIRE_EXTERNAL=1).
fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        if std::env::var("TPLUS_REQUIRE_EXTERNAL").as_deref() == Ok("1") {
            panic!("chromium is required (TPLUS_REQUIRE_EXTERNAL=1) but not installed");
        }
        eprintln!("SKIPPED {test}: chromium not installed (apt-get install chromium)");
    }
    found
}

/// The DOM of a `--dump-dom` run, after checking the page finished with no script errors
/// and nothing on the console.
fn ready_page(o: &std::process::Output) -> String {
    let dom = String::from_utf8_lossy(&o.stdout).into_owned();
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "chromium failed: {log}");
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    assert_eq!(
        attr(&dom, "status", "data-errors").as_deref(),
        Some("0"),
        "{}",
        &dom[dom.len().saturating_sub(3000)..]
    );
    assert!(
        dom.contains(">ready</p>"),
        "page did not finish: {}",
        &dom[dom.len().saturating_sub(2000)..]
    );
    dom
}

/// The lanes canvas was drawn: bars counted by the page and inked pixels read back.
fn assert_lanes_drawn(dom: &str) {
    let bars: u64 = attr(dom, "lanes", "data-bars")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let ink: u64 = attr(dom, "lanes", "data-ink")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(
        bars > 50 && ink > 500,
        "lanes not drawn: bars {bars}, ink {ink}"
    );
}

#[test]
fn report_works_in_headless_chromium() {
    let Some(chrome) = chromium_or_skip("report_works_in_headless_chromium") else {
        return;
    };
    let tl = incident(100_000, true);
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    let html = render(&HtmlSink::default(), &tl);
    eprintln!(
        "report.html with {} events: {} bytes",
        tl.events.len(),
        html.len()
    );
    assert!(
        html.len() < 200 * tl.events.len(),
        "payload too large: {}",
        html.len()
    );
    std::fs::write(&page, &html).expect("write report");
    let url = format!("file://{}", page.display());

    let needle = "203.0.113.45";
    let expected = tl
        .events
        .iter()
        .filter(|e| {
            [
                Some(e.message.as_str()),
                e.actor.as_deref(),
                e.action.as_deref(),
                e.target.as_deref(),
                e.src_ip.as_deref(),
                e.host.as_deref(),
                Some(e.source),
            ]
            .into_iter()
            .flatten()
            .any(|v| v.to_lowercase().contains(needle))
        })
        .count();

    let profile = dir.path().join("profile");
    let o = headless(&chrome, &profile)
        .arg("--dump-dom")
        .arg(format!("{url}#filter={needle}"))
        .output()
        .expect("chromium runs");
    let dom = ready_page(&o);
    assert_lanes_drawn(&dom);
    let matches: usize = attr(&dom, "rows", "data-matches")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert_eq!(matches, expected, "filter {needle}");
    assert!(dom.contains(&format!(
        "1–200 of {expected} events (filtered from {})",
        tl.events.len()
    )));
    // Hostile text is rendered as text: no injected elements.
    assert!(!dom.contains("<img src=\"x\""), "injected element");
    assert!(!dom.contains("<script>alert"), "injected script");
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "hostile actor shown as text"
    );

    // A hostile filter is text too.
    let o = headless(&chrome, &dir.path().join("profile2"))
        .arg("--dump-dom")
        .arg(format!("{url}#filter=%3Cscript%3Ealert(1)"))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&o.stdout);
    let m: usize = attr(&dom, "rows", "data-matches")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(m >= 300, "hostile filter matched {m}");
    assert!(!dom.contains("<script>alert"));

    // Screenshot for review.
    let shot = util::repo().join("target/report-screenshot.png");
    let o = headless(&chrome, &dir.path().join("profile3"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        o.status.success(),
        "screenshot: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
    eprintln!("screenshot: {}", shot.display());
}

/// The bar: a generated incident of a million events gives a report that opens and
/// works offline in a real browser. The page holds the most significant events (the cap),
/// the lanes count all of them, and the filter works on what the page holds.
#[test]
fn million_event_report_opens_in_headless_chromium() {
    let Some(chrome) = chromium_or_skip("million_event_report_opens_in_headless_chromium") else {
        return;
    };
    let tl = incident(1_000_000, false);
    let total = tl.events.len();
    let sink = HtmlSink::default();
    let html = render(&sink, &tl);
    eprintln!("report.html with {total} events: {} bytes", html.len());
    assert!(
        html.len() < 250 * sink.max_events,
        "page too large: {}",
        html.len()
    );
    assert!(html.contains(&format!(
        "holds the {} most significant of {total} events",
        sink.max_events
    )));
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).expect("write report");
    let url = format!("file://{}", page.display());

    let started = std::time::Instant::now();
    let o = headless(&chrome, &dir.path().join("profile"))
        .arg("--dump-dom")
        .arg(format!("{url}#filter=StopLogging"))
        .output()
        .expect("chromium runs");
    eprintln!(
        "chromium loaded, drew and filtered the page in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let dom = ready_page(&o);
    assert_eq!(
        attr(&dom, "lanes", "data-total").as_deref(),
        Some(total.to_string().as_str())
    );
    assert_lanes_drawn(&dom);
    // Logging tamper is significant, so the page holds every StopLogging event.
    let expected = tl
        .events
        .iter()
        .filter(|e| {
            e.message.to_lowercase().contains("stoplogging")
                || e.action
                    .as_deref()
                    .is_some_and(|a| a.to_lowercase().contains("stoplogging"))
        })
        .count();
    assert!(expected > 0);
    let matches: usize = attr(&dom, "rows", "data-matches")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert_eq!(matches, expected, "filter StopLogging");

    let shot = util::repo().join("target/report-1m-screenshot.png");
    let o = headless(&chrome, &dir.path().join("profile2"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(o.status.success());
    eprintln!("screenshot: {}", shot.display());
}
