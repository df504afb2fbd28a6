//! The project's own samples in `fixtures/deploy/`: the cases the corpus lacks (change
//! records, Kubernetes events, GitLab REST lists, Helm offsets, Argo CD lists) and bad input.

use std::path::Path;

use tplus_model::{collect, ActorKind, Collected, Outcome, Parser, Sniff, Tag, TimeValue};

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

fn check(name: &str, format: &str, counts: (u64, usize, u64, u64)) -> Collected {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/deploy"
    ))
    .join(name);
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let p = pick(&data).unwrap_or_else(|| panic!("{name}: not recognised"));
    assert_eq!(p.id(), format, "{name}");
    let c = collect(p.as_ref(), &data);
    assert_eq!(
        (c.records(), c.events.len(), c.skipped, c.errors),
        counts,
        "{name}: errors {:?} skips {:?}",
        c.error_samples,
        c.skip_reasons
    );
    c
}

fn instant(e: &tplus_model::Event) -> String {
    match e.time {
        TimeValue::Instant(t) => t.to_rfc3339(),
        other => panic!("not an instant: {other:?}"),
    }
}

#[test]
fn change_records_csv_and_jsonl() {
    let c = check("changes.csv", "change.record", (5, 5, 0, 0));
    let e = &c.events[0];
    assert_eq!(e.actor_kind, ActorKind::Automation);
    assert_eq!(e.attributes["ticket"], "CHG-1001");
    assert_eq!(e.attributes["commit"], "9f2c1ab4e07d");
    assert!(e.has_tag(Tag::DeploySucceeded));
    assert_eq!(instant(&c.events[1]), "2025-03-01T09:31:12+00:00");
    assert!(
        c.events[1].tags.is_empty(),
        "a flag change is a change, not a deploy"
    );
    let rb = &c.events[2];
    assert!(
        matches!(rb.time, TimeValue::Local(_)),
        "zone-less: resolved by --tz"
    );
    assert!(rb.has_tag(Tag::Rollback));
    assert_eq!(
        rb.attributes["description"],
        "Rollback after 5xx spike, see \"INC-42\""
    );
    assert_eq!(rb.location.line, Some(4));
    assert!(c.events[3].has_tag(Tag::Scaled));
    assert_eq!(c.events[3].ts_raw, "2025-03-01 11:20");
    assert!(c.events[4].has_tag(Tag::DeployFailed));

    let c = check("changes.jsonl", "change.record", (3, 3, 0, 0));
    assert_eq!(c.events[2].actor_kind, ActorKind::Automation, "[bot] login");
    assert_eq!(c.events[2].attributes["canary_score"], "41");
    assert_eq!(c.events[1].location.record, Some(1));
}

#[test]
fn kubernetes_events() {
    let c = check("k8s-events.json", "k8s.event", (5, 5, 0, 0));
    assert!(c.events[0].has_tag(Tag::Scaled));
    let backoff = &c.events[1];
    assert_eq!(backoff.count, 23);
    assert_eq!(backoff.ts_raw, "2025-03-01T10:01:10Z");
    assert_eq!(backoff.attributes["last_seen"], "2025-03-01T10:19:44Z");
    assert_eq!(backoff.outcome, Outcome::Failure);
    assert_eq!(c.events[2].ts_raw, "2025-03-01T10:00:03.412345Z");
    assert_eq!(c.events[2].actor.as_deref(), Some("default-scheduler"));
    assert!(c.events[3].has_tag(Tag::Rollback));
    assert!(c.events[4].has_tag(Tag::DeploySucceeded));

    let c = check("k8s-events-v1.jsonl", "k8s.event", (2, 2, 0, 0));
    assert_eq!(c.events[0].count, 5);
    assert_eq!(
        c.events[0].attributes["last_seen"],
        "2025-03-01T10:09:58.500000Z"
    );
    assert!(c.events[1].has_tag(Tag::Scaled));
}

#[test]
fn gitlab_rest_lists() {
    let c = check("gitlab-pipelines.json", "gitlab.api", (2, 2, 0, 0));
    assert!(
        c.events[0].has_tag(Tag::DeployFailed),
        "named deploy pipeline"
    );
    assert_eq!(c.events[1].actor_kind, ActorKind::Automation, "scheduled");
    let c = check("gitlab-deployments.json", "gitlab.api", (2, 2, 0, 0));
    assert_eq!(c.events[0].outcome, Outcome::Failure);
    assert_eq!(
        c.events[0].attributes["finished_at"],
        "2025-03-01T09:57:40.000Z"
    );
    assert!(c.events[1].has_tag(Tag::Rollback));
    assert_eq!(
        c.events[1].actor_kind,
        ActorKind::Automation,
        "project access-token bot"
    );
}

#[test]
fn helm_offsets_are_exact() {
    let c = check("helm-history-offset.json", "helm.history", (3, 3, 0, 0));
    assert_eq!(instant(&c.events[0]), "2025-03-01T09:58:02.913846106+00:00");
    assert_eq!(c.events[0].ts_raw, "2025-03-01T10:58:02.913846106+01:00");
    assert_eq!(c.events[0].attributes["utc_offset"], "+01:00");
    assert!(c.events[1].has_tag(Tag::DeployFailed));
    assert!(c.events[2].has_tag(Tag::Rollback));
    assert_eq!(c.events[2].attributes["rollback_to_revision"], "7");
}

#[test]
fn argocd_lists() {
    // checkout: 3 history + operation (repeats entry 42: skipped); payments: failed operation.
    let c = check("argocd-apps.json", "argocd.application", (5, 4, 1, 0));
    assert_eq!(c.events[0].actor_kind, ActorKind::Automation);
    let rb = &c.events[2];
    assert!(rb.has_tag(Tag::Rollback));
    assert_eq!(
        rb.attributes["operation_message"],
        "successfully synced (all tasks run)"
    );
    let failed = &c.events[3];
    assert_eq!(failed.ts_raw, "2025-03-01T12:02:13Z");
    assert!(failed.has_tag(Tag::DeployFailed));
    assert_eq!(
        failed.target.as_deref(),
        Some("argocd/payments -> https://kubernetes.default.svc/payments")
    );
}

#[test]
fn github_webhook_stream() {
    let c = check("github-webhooks.jsonl", "github.webhook", (4, 3, 1, 0));
    assert_eq!(c.events[0].timestamp_desc, "Workflow Job Started");
    assert!(c.events[0].has_tag(Tag::DeployStarted));
    assert_eq!(
        c.events[1].actor_kind,
        ActorKind::Automation,
        "performed via a GitHub App"
    );
    assert!(c.events[2].has_tag(Tag::DeployFailed));
}

#[test]
fn bad_input_is_counted_and_located() {
    // Truncated list: the first run, then one error where the cut is.
    let c = check("truncated-runs.json", "github.actions_run", (2, 1, 0, 1));
    assert_eq!(c.error_samples[0].0.record, Some(1));
    // Invalid UTF-8 in a run and a NUL run after the document.
    let c = check("bad-bytes-runs.json", "github.actions_run", (3, 1, 0, 2));
    assert_eq!(c.error_samples[0].0.record, Some(0));
    assert_eq!(c.error_samples[1].0.record, Some(2));
    // Wrong types and a run without any time: one located error each.
    let c = check("wrong-types-runs.json", "github.actions_run", (3, 0, 0, 3));
    let records: Vec<_> = c.error_samples.iter().map(|(l, _)| l.record).collect();
    assert_eq!(records, vec![Some(0), Some(1), Some(2)]);
}

#[test]
fn huge_fields_and_lines_stay_bounded() {
    let title = "x".repeat(3 << 20);
    let doc = format!(
        r#"{{"workflow_runs":[{{"id":1,"run_number":1,"workflow_id":2,"name":"Deploy","display_title":"{title}","created_at":"2025-03-01T10:00:00Z"}}]}}"#
    );
    let c = collect(&tplus_deploy::gha::ActionsRuns, doc.as_bytes());
    assert_eq!(c.events.len(), 1);
    assert!(c.events[0].message.len() < 8192);
    assert!(c.events[0].attributes["title"]
        .as_str()
        .is_some_and(|t| t.len() < 8192));
}

#[test]
fn every_parser_accounts_for_junk() {
    let junk: [&[u8]; 6] = [
        b"",
        b"\x00\x00\x00\x00",
        b"\xff\xfe\xfd",
        b"{",
        b"[1,2,{\"a\":",
        b"- a\n- : :\n\t- [",
    ];
    for p in tplus_deploy::parsers() {
        for j in junk {
            let c = collect(p.as_ref(), j);
            assert!(c.events.is_empty(), "{} made an event from {j:?}", p.id());
            assert_eq!(c.records(), c.events.len() as u64 + c.skipped + c.errors);
        }
    }
}
