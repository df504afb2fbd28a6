//! The small hand-written samples in `fixtures/cloud/`: shapes the corpus lacks and bad input.

use std::path::Path;

use tplus_model::{collect, ActorKind, Collected, Confidence, Outcome, Sniff, Tag};

fn load(name: &str) -> (String, Collected) {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/cloud")).join(name);
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse(&data)
}

fn parse(data: &[u8]) -> (String, Collected) {
    let parsers = tplus_cloud::parsers();
    let head = &data[..data.len().min(64 * 1024)];
    let mut best = (0usize, Sniff::NO);
    for (i, p) in parsers.iter().enumerate() {
        let s = p.sniff(head);
        if s > best.1 {
            best = (i, s);
        }
    }
    let p = &parsers[best.0];
    (p.id().to_owned(), collect(p.as_ref(), data))
}

fn counts(c: &Collected) -> (u64, u64, u64, u64) {
    (c.records(), c.events.len() as u64, c.skipped, c.errors)
}

#[test]
fn pinned_counts() {
    type Counts = (u64, u64, u64, u64);
    let pins: &[(&str, &str, Counts)] = &[
        ("cloudtrail_truncated.json", "aws.cloudtrail", (3, 2, 0, 1)),
        (
            "cloudtrail_records_not_array.json",
            "aws.cloudtrail",
            (1, 0, 0, 1),
        ),
        ("cloudtrail_digest.json", "aws.cloudtrail", (1, 0, 1, 0)),
        (
            "cloudtrail_eventbridge.jsonl",
            "aws.cloudtrail",
            (2, 1, 1, 0),
        ),
        (
            "cloudtrail_lookup_events.json",
            "aws.cloudtrail",
            (3, 2, 0, 1),
        ),
        ("cloudtrail_insight.jsonl", "aws.cloudtrail", (2, 2, 0, 0)),
        (
            "cloudtrail_wrong_types.jsonl",
            "aws.cloudtrail",
            (8, 1, 0, 7),
        ),
        ("cloudtrail_bytes.jsonl", "aws.cloudtrail", (4, 2, 0, 2)),
        ("k8s_stages.jsonl", "k8s.audit", (8, 5, 3, 0)),
        ("k8s_eventlist.json", "k8s.audit", (2, 2, 0, 0)),
        ("gcp_gcloud_array.json", "gcp.audit", (4, 4, 0, 0)),
        (
            "azure_diagnostic_records.json",
            "azure.activity",
            (2, 1, 0, 1),
        ),
        ("azure_cli_list.json", "azure.activity", (1, 1, 0, 0)),
    ];
    for (name, id, want) in pins {
        let (got_id, c) = load(name);
        assert_eq!(&got_id, id, "{name}");
        assert_eq!(counts(&c), *want, "{name}: {:?}", c.error_samples);
    }
}

#[test]
fn cloudtrail_bad_input_is_located() {
    let (_, c) = load("cloudtrail_truncated.json");
    assert_eq!(c.error_samples[0].0.record, Some(2));
    assert!(c.error_samples[0].1.contains("truncated"));
    assert!(c.events[1].has_tag(Tag::CredentialChange));
    let resp = c.events[1].attributes["response_elements"]
        .as_str()
        .expect("excerpt");
    assert!(
        !resp.contains("AKIAZZZZZZZZZZZZZZZZ") && resp.contains("AKIA…ZZZZ"),
        "{resp}"
    );

    let (_, c) = load("cloudtrail_bytes.jsonl");
    let lines: Vec<_> = c.error_samples.iter().map(|(l, _)| l.line).collect();
    assert_eq!(lines, vec![Some(2), Some(3)]);
    assert_eq!(c.events[1].location.line, Some(4));

    let (_, c) = load("cloudtrail_wrong_types.jsonl");
    assert_eq!(c.events[0].location.line, Some(4));
    assert_eq!(c.events[0].outcome, Outcome::Failure);
    assert_eq!(c.events[0].attributes["read_only"], true);
}

#[test]
fn cloudtrail_shapes() {
    let (_, c) = load("cloudtrail_eventbridge.jsonl");
    let e = &c.events[0];
    assert_eq!(e.action.as_deref(), Some("cloudtrail:DeleteTrail"));
    assert!(e.has_tag(Tag::LoggingTamper));
    assert_eq!(
        e.ts_raw, "2025-03-01T10:00:59Z",
        "the record's eventTime, not the envelope's time"
    );
    assert_eq!(
        e.attributes["eventbridge_id"],
        "6f2e1f5a-0000-4000-8000-000000000001"
    );

    let (_, c) = load("cloudtrail_lookup_events.json");
    let e = &c.events[0];
    assert_eq!(e.action.as_deref(), Some("signin:ConsoleLogin"));
    assert!(e.has_tag(Tag::LoginWithoutMfa));
    assert_eq!(e.actor_kind, ActorKind::Human);
    assert!(e.significance >= 90, "root console login without MFA");
    assert_eq!(c.error_samples[0].0.record, Some(2));

    let (_, c) = load("cloudtrail_insight.jsonl");
    assert_eq!(
        c.events[0].action.as_deref(),
        Some("insight:iam:CreateAccessKey")
    );
    assert!(c.events[0].tags.is_empty());
    assert_eq!(c.events[1].action.as_deref(), Some("iam:CreateUser"));
}

#[test]
fn k8s_keeps_the_completed_stage() {
    let (_, c) = load("k8s_stages.jsonl");
    let ids: Vec<_> = c
        .events
        .iter()
        .map(|e| e.event_id.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(ids, vec!["a1", "a2", "a3", "a4", "a5"]);
    assert_eq!(c.events[0].location.line, Some(2));
    let exec = &c.events[1];
    assert_eq!(exec.location.line, Some(5));
    assert_eq!(exec.action.as_deref(), Some("create:pods/exec"));
    assert_eq!(
        exec.ts_raw, "2025-03-01T10:00:01Z",
        "requestReceivedTimestamp, not the stage's end"
    );
    assert_eq!(exec.attributes["stage_timestamp"], "2025-03-01T10:05:00Z");
    assert!(exec.has_tag(Tag::Execution));
    let secret = &c.events[2];
    assert_eq!(
        (secret.actor_kind, secret.outcome),
        (ActorKind::Automation, Outcome::Failure)
    );
    let body = secret.attributes["request_object"]
        .as_str()
        .expect("excerpt");
    assert!(!body.contains("aHVudGVyMg=="), "{body}");
    assert_eq!(c.events[3].actor_kind, ActorKind::Service);
    assert_eq!(c.events[3].attributes["stage"], "Panic");
    let anon = &c.events[4];
    assert!(anon.has_tag(Tag::PrivilegeChange) && anon.has_tag(Tag::Authentication));
    assert!(anon.significance >= 90);
}

#[test]
fn gcp_and_azure() {
    let (_, c) = load("gcp_gcloud_array.json");
    assert!(c.events[0].has_tag(Tag::LoggingTamper));
    assert!(c.events[1].has_tag(Tag::LoggingTamper) && c.events[1].has_tag(Tag::PolicyChange));
    let key = &c.events[2];
    assert_eq!(key.actor_kind, ActorKind::Automation);
    assert!(key.has_tag(Tag::CredentialChange));
    assert!(!key.attributes["response"]
        .as_str()
        .expect("excerpt")
        .contains("LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"));
    assert_eq!(c.events[3].attributes["log_id"], "data_access");
    assert_eq!(c.events[3].outcome, Outcome::Failure);
    assert_eq!(c.events[0].ts_raw, "2025-03-01T10:03:00.123456789Z");

    let (_, c) = load("azure_diagnostic_records.json");
    let e = &c.events[0];
    assert!(e.has_tag(Tag::LoggingTamper));
    assert_eq!(
        (e.actor_kind, e.outcome),
        (ActorKind::Human, Outcome::Success)
    );
    assert_eq!(e.src_ip.as_deref(), Some("203.0.113.77"));
    assert_eq!(c.error_samples[0].0.record, Some(1));
    let (_, c) = load("azure_cli_list.json");
    let e = &c.events[0];
    assert!(e.has_tag(Tag::PrivilegeChange));
    assert_eq!(e.actor.as_deref(), Some("mallory@contoso.com"));
    assert_eq!(e.attributes["correlation_id"], "c-2");
    assert_eq!(e.confidence, Confidence::High);
}

/// A 50 MB single record, generated here rather than stored: one event, bounded output.
#[test]
fn fifty_megabyte_record() {
    let big = "x".repeat(50 * 1024 * 1024);
    let doc = format!(
        r#"{{"Records":[{{"eventVersion":"1.08","eventTime":"2025-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{{"bucketName":"b","policy":"{big}"}},"eventID":"big"}},{{"eventTime":"2025-03-01T10:00:01Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"next"}}]}}"#
    );
    let (id, c) = parse(doc.as_bytes());
    assert_eq!(id, "aws.cloudtrail");
    assert_eq!(counts(&c), (2, 2, 0, 0));
    let e = &c.events[0];
    assert!(
        e.attributes["request_parameters"]
            .as_str()
            .expect("excerpt")
            .len()
            < 4096
    );
    assert!(e.message.len() <= 1100);
    let second = doc
        .rfind(r#"{"eventTime":"2025-03-01T10:00:01Z""#)
        .expect("second record");
    assert_eq!(c.events[1].location.offset as usize, second);
}

/// Binary junk, NUL runs and empty input: never a panic, every record accounted for.
#[test]
fn junk() {
    for data in [
        &b""[..],
        b"   \n\n",
        b"\0\0\0\0",
        b"\x1f\x8b\x08\0garbage",
        b"{",
        b"[",
        b"[{",
        b"{\"Records\":[",
        b"}}}]]]",
        b"\xff\xfe{\"a\":1}",
    ] {
        for p in tplus_cloud::parsers() {
            let c = collect(p.as_ref(), data);
            assert!(c.records() <= data.len() as u64 + 1, "{data:?}");
        }
    }
}
