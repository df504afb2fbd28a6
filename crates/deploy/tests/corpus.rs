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

#[test]
fn github_jobs_and_deployments() {
    if let Some(c) = check(
        "pygithub-replay-actions/pygithub_actions_run_4205440316_jobs.json",
        "github.actions_job",
        5,
        5,
        0,
        0,
    ) {
        assert_eq!(c.events[0].ts_raw, "2023-02-17T16:03:46Z");
        assert_eq!(c.events[0].timestamp_desc, "Workflow Job Started");
        assert_eq!(
            c.events[0].target.as_deref(),
            Some("PyGithub/PyGithub:CI/test (Python 3.7)")
        );
    }
    if let Some(c) = check(
        "pygithub-replay-deployments/pygithub_deployments.json",
        "github.deployment",
        2,
        2,
        0,
        0,
    ) {
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2020-08-26T11:44:53Z");
        assert_eq!(e.actor.as_deref(), Some("jacquev6"));
        assert_eq!(e.attributes["environment"], "test");
        assert!(e.has_tag(tplus_model::Tag::DeployStarted));
    }
    if let Some(c) = check(
        "pygithub-replay-deployments/deployment_263877258_statuses.json",
        "github.deployment_status",
        3,
        3,
        0,
        0,
    ) {
        // Recorded against jacquev6/PyGithub (see PROVENANCE): the repository comes from the URL.
        assert_eq!(
            c.events[0].target.as_deref(),
            Some("jacquev6/PyGithub:test")
        );
        assert_eq!(c.events[0].attributes["deployment_id"], "263877258");
    }
}

#[test]
fn github_webhooks() {
    let dir = "octokit-webhooks-payloads";
    let one = |name: &str| {
        check(&format!("{dir}/{name}"), "github.webhook", 1, 1, 0, 0).map(|c| c.events[0].clone())
    };
    if let Some(e) = one("workflow_run_completed.payload.json") {
        assert_eq!(e.ts_raw, "2020-10-05T16:33:49Z");
        assert_eq!(e.timestamp_desc, "Workflow Run Completed");
    }
    if let Some(e) = one("workflow_run_requested.payload.json") {
        assert_eq!(e.timestamp_desc, "Workflow Run Started");
        assert_eq!(e.outcome, tplus_model::Outcome::Unknown);
    }
    if let Some(e) = one("workflow_job_completed.failure.with-organization.payload.json") {
        assert_eq!(e.ts_raw, "2021-08-05T10:38:16Z");
        assert_eq!(e.outcome, tplus_model::Outcome::Failure);
    }
    if let Some(e) = one("deployment_payload.json") {
        assert_eq!(e.ts_raw, "2019-05-15T15:20:53Z");
        assert_eq!(e.attributes["environment"], "production");
    }
    if let Some(e) = one("deployment_gh-pages.payload.json") {
        assert_eq!(e.actor.as_deref(), Some("github-pages[bot]"));
        assert_eq!(e.actor_kind, tplus_model::ActorKind::Automation);
    }
    if let Some(e) = one("deployment_status_payload.json") {
        assert_eq!(e.ts_raw, "2019-05-15T15:20:55Z");
        assert!(e.has_tag(tplus_model::Tag::DeploySucceeded));
    }
    if let Some(e) = one("deployment_status_gh-pages.payload.json") {
        assert!(e.has_tag(tplus_model::Tag::DeployStarted));
    }
}

#[test]
fn gitlab_webhooks() {
    let dir = "go-gitlab-webhooks";
    let one = |name: &str| {
        check(&format!("{dir}/{name}"), "gitlab.webhook", 1, 1, 0, 0).map(|c| c.events[0].clone())
    };
    if let Some(e) = one("pipeline.json") {
        // A finished pipeline is placed at its end, written `YYYY-MM-DD HH:MM:SS UTC`.
        assert_eq!(e.ts_raw, "2016-08-12 15:26:29 UTC");
        assert_eq!(e.timestamp_desc, "Pipeline Finished");
        assert_eq!(e.outcome, tplus_model::Outcome::Success);
        assert_eq!(e.actor.as_deref(), Some("user1"));
    }
    if let Some(e) = one("deployment.json") {
        assert_eq!(e.ts_raw, "2021-04-28 21:50:00 +0200");
        assert_eq!(e.ts_us, 0, "resolved by the engine, not the parser");
        assert!(
            matches!(e.time, tplus_model::TimeValue::Instant(t) if t.to_rfc3339() == "2021-04-28T19:50:00+00:00")
        );
        assert!(e.has_tag(tplus_model::Tag::DeploySucceeded));
        assert_eq!(e.attributes["environment"], "staging");
        assert_eq!(
            e.attributes["commit"],
            "279484c09fbe69ededfced8c1bb6e6d24616b468"
        );
    }
    if let Some(e) = one("job.json") {
        assert_eq!(e.ts_raw, "2023-01-10 13:50:54 UTC");
        assert!(e.has_tag(tplus_model::Tag::DeploySucceeded), "{:?}", e.tags);
        assert_eq!(e.attributes["environment"], "production");
    }
    if let Some(e) = one("build.json") {
        assert_eq!(e.ts_raw, "2021-02-23T02:41:37.886Z");
        assert_eq!(e.timestamp_desc, "Job Created");
        assert!(e.has_tag(tplus_model::Tag::Execution));
    }
}

#[test]
fn helm_history_golden() {
    // Helm's golden outputs come from mock releases: every revision has the same placeholder
    // time, which is read exactly as written.
    let dir = "helm-history-golden";
    if let Some(c) = check(&format!("{dir}/history.json"), "helm.history", 2, 2, 0, 0) {
        assert!(c.events.iter().all(|e| e.ts_raw == "1977-09-02T22:04:05Z"));
        assert_eq!(c.events[1].attributes["revision"], "4");
        assert_eq!(c.events[1].target.as_deref(), Some("foo"));
    }
    if let Some(c) = check(&format!("{dir}/history.yaml"), "helm.history", 2, 2, 0, 0) {
        assert_eq!(c.events[0].attributes["status"], "superseded");
        assert_eq!(c.events[1].location.offset, 144, "the second `- ` item");
    }
    if let Some(c) = check(
        &format!("{dir}/history-with-rollback.json"),
        "helm.history",
        3,
        3,
        0,
        0,
    ) {
        assert_eq!(c.events[0].action.as_deref(), Some("helm.install"));
        assert_eq!(c.events[1].action.as_deref(), Some("helm.upgrade"));
        let rb = &c.events[2];
        assert_eq!(rb.action.as_deref(), Some("helm.rollback"));
        assert!(rb.has_tag(tplus_model::Tag::Rollback));
    }
    // The default table: a header line (skipped) and local times without zone.
    if let Some(c) = check(&format!("{dir}/history.txt"), "helm.history", 5, 4, 1, 0) {
        assert_eq!(c.events[0].ts_raw, "Fri Sep  2 22:04:05 1977");
        assert!(matches!(c.events[0].time, tplus_model::TimeValue::Local(_)));
    }
    if let Some(c) = check(
        &format!("{dir}/history-with-rollback.txt"),
        "helm.history",
        4,
        3,
        1,
        0,
    ) {
        assert!(c.events[2].has_tag(tplus_model::Tag::Rollback));
        assert_eq!(c.events[2].attributes["rollback_to_revision"], "1");
    }
}

#[test]
fn argocd_application_yaml() {
    // 10 history entries plus the operation state, which repeats the latest entry.
    if let Some(c) = check(
        "argocd-application-history/diff-cache.yaml",
        "argocd.application",
        11,
        10,
        1,
        0,
    ) {
        let first = &c.events[0];
        assert_eq!(first.ts_raw, "2024-03-04T22:00:06Z");
        assert_eq!(first.attributes["started_at"], "2024-03-04T22:00:05Z");
        assert_eq!(
            first.event_id.as_deref(),
            Some("94978696-4fd4-40b3-a1de-38d9df9e9316:history:14")
        );
        assert_eq!(
            first.attributes["commit"],
            "ea8759964626a583667a2bfd08f334ec2070040a"
        );
        let last = &c.events[9];
        assert_eq!(last.ts_raw, "2024-03-05T07:33:04Z");
        assert_eq!(
            last.actor.as_deref(),
            Some("foo@example.com"),
            "initiator taken from the operation state"
        );
        assert!(
            c.events
                .iter()
                .all(|e| !e.has_tag(tplus_model::Tag::Rollback)),
            "same revision re-synced is no rollback"
        );
    }
}

/// PyGithub's replay captures (`raw/`) are HTTP exchanges written by a test recorder: scheme,
/// method, host, headers and the body on separate lines. No analyst exports that, and the
/// bodies that matter are extracted next to them (see PROVENANCE), so no deploy parser claims
/// them: they come out as unrecognised rather than half-read.
#[test]
fn pygithub_replay_captures_are_not_claimed() {
    let Some(dir) = corpus() else { return };
    for sub in [
        "pygithub-replay-actions/raw",
        "pygithub-replay-deployments/raw",
    ] {
        let entries = std::fs::read_dir(dir.join(sub)).unwrap_or_else(|e| panic!("{sub}: {e}"));
        for entry in entries.flatten() {
            let data = std::fs::read(entry.path()).unwrap_or_default();
            assert!(
                pick(&data).is_none(),
                "{} was claimed",
                entry.path().display()
            );
        }
    }
}

/// Every dataset file is pinned above: a new file in the corpus must get its own counts.
#[test]
fn every_corpus_file_is_pinned() {
    const PINNED: &[&str] = &[
        "argocd-application-history/diff-cache.yaml",
        "go-gitlab-webhooks/build.json",
        "go-gitlab-webhooks/deployment.json",
        "go-gitlab-webhooks/job.json",
        "go-gitlab-webhooks/pipeline.json",
        "helm-history-golden/history-with-rollback.json",
        "helm-history-golden/history-with-rollback.txt",
        "helm-history-golden/history.json",
        "helm-history-golden/history.txt",
        "helm-history-golden/history.yaml",
        "octokit-webhooks-payloads/deployment_gh-pages.payload.json",
        "octokit-webhooks-payloads/deployment_payload.json",
        "octokit-webhooks-payloads/deployment_status_gh-pages.payload.json",
        "octokit-webhooks-payloads/deployment_status_payload.json",
        "octokit-webhooks-payloads/workflow_job_completed.failure.with-organization.payload.json",
        "octokit-webhooks-payloads/workflow_run_completed.payload.json",
        "octokit-webhooks-payloads/workflow_run_requested.payload.json",
        "pygithub-replay-actions/phishbench_actions_runs.json",
        "pygithub-replay-actions/phishbench_actions_runs_head_sha.json",
        "pygithub-replay-actions/pygithub_actions_run_4205440316.json",
        "pygithub-replay-actions/pygithub_actions_run_4205440316_jobs.json",
        "pygithub-replay-actions/pygithub_actions_runs.json",
        "pygithub-replay-deployments/deployment_263877258_statuses.json",
        "pygithub-replay-deployments/pygithub_deployments.json",
    ];
    let Some(dir) = corpus() else { return };
    let mut found = Vec::new();
    for ds in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(ds.path()).into_iter().flatten().flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if f.path().is_dir()
                || name == "LICENSE"
                || name.starts_with("COPYING")
                || name.ends_with(".md")
            {
                continue;
            }
            found.push(format!("{}/{name}", ds.file_name().to_string_lossy()));
        }
    }
    found.sort();
    let missing: Vec<_> = found
        .iter()
        .filter(|f| !PINNED.contains(&f.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "corpus files without pinned counts: {missing:?}"
    );
}
