//! Conformance over the real samples in `../shared/corpus/deploy/`: each file goes through the
//! parser the sniffing picks, and its counts are pinned exactly.

use std::path::{Path, PathBuf};

use tplus_model::{collect, Collected, Parser, Sniff};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/deploy"
    ));
    if dir.is_dir() {
        Some(dir.to_path_buf())
    } else {
        eprintln!("SKIPPED: corpus folder {} is absent", dir.display());
        None
    }
}

/// The parser sniffing picks (highest score, first registered on a tie), like the engine.
fn pick(head: &[u8]) -> Option<Box<dyn Parser>> {
    let head = &head[..head.len().min(64 * 1024)];
    let mut best: Option<(Sniff, Box<dyn Parser>)> = None;
    for p in tplus_deploy::parsers() {
        let s = p.sniff(head);
        if s > Sniff::NO && best.as_ref().is_none_or(|(b, _)| s > *b) {
            best = Some((s, p));
        }
    }
    best.map(|(_, p)| p)
}

/// Parses `rel` and checks (format, records, events, skipped, errors).
fn check(
    rel: &str,
    format: &str,
    records: u64,
    events: usize,
    skipped: u64,
    errors: u64,
) -> Option<Collected> {
    let dir = corpus()?;
    let data = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let p = pick(&data).unwrap_or_else(|| panic!("{rel}: no deploy parser recognises it"));
    assert_eq!(p.id(), format, "{rel}: sniffed format");
    let c = collect(p.as_ref(), &data);
    assert_eq!(
        (c.records(), c.events.len(), c.skipped, c.errors),
        (records, events, skipped, errors),
        "{rel}: records/events/skipped/errors; errors: {:?}; skips: {:?}",
        c.error_samples,
        c.skip_reasons
    );
    Some(c)
}

#[test]
fn github_actions_runs() {
    let dir = "pygithub-replay-actions";
    if let Some(c) = check(
        &format!("{dir}/phishbench_actions_runs.json"),
        "github.actions_run",
        30,
        30,
        0,
        0,
    ) {
        assert!(c.events.iter().all(|e| e.actor.is_some()));
        let bots = c
            .events
            .iter()
            .filter(|e| e.actor_kind == tplus_model::ActorKind::Automation)
            .count();
        assert_eq!(bots, 5, "dependabot runs");
    }
    check(
        &format!("{dir}/phishbench_actions_runs_head_sha.json"),
        "github.actions_run",
        2,
        2,
        0,
        0,
    );
    if let Some(c) = check(
        &format!("{dir}/pygithub_actions_runs.json"),
        "github.actions_run",
        5,
        5,
        0,
        0,
    ) {
        // 2020 responses have no run_started_at: the creation time is the event time.
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2020-05-20T23:59:37Z");
        assert_eq!(e.timestamp_desc, "Workflow Run Created");
        assert_eq!(e.event_id.as_deref(), Some("110932306"));
    }
    if let Some(c) = check(
        &format!("{dir}/pygithub_actions_run_4205440316.json"),
        "github.actions_run",
        1,
        1,
        0,
        0,
    ) {
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2023-02-17T16:03:37Z");
        assert_eq!(e.timestamp_desc, "Workflow Run Started");
        assert_eq!(e.event_id.as_deref(), Some("4205440316:1"));
        assert_eq!(e.outcome, tplus_model::Outcome::Success);
        assert_eq!(e.attributes["completed_at"], "2023-02-17T16:06:11Z");
        assert_eq!(e.attributes["duration_s"], 154);
        assert_eq!(
            e.target.as_deref(),
            Some("PyGithub/PyGithub:.github/workflows/ci.yml")
        );
    }
}
