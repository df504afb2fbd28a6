//! A generated timeline for benches and tests: deterministic, varied like real evidence
//! (several sources and inputs, optional fields absent or present, tags, reasons,
//! attributes, text needing escapes), spread over several UTC days.

use chrono::{DateTime, Utc};
use tplus_model::{
    ActorKind, Confidence, Event, InputSummary, Location, Outcome, RunInfo, Tag, TimeValue,
    Timeline,
};

/// `n` events spread evenly over `days` UTC days from 2025-11-01T00:00:00Z (sorted by time,
/// T0 in the middle so offsets are negative and positive), over three inputs (the third
/// without a hash, as standard input that could not be hashed), and two findings.
pub fn synthetic_timeline(n: usize, days: u32) -> Timeline {
    const START: i64 = 1_761_955_200_000_000; // 2025-11-01T00:00:00Z
    let span = i64::from(days.max(1)) * 86_400_000_000;
    let step = if n == 0 { 0 } else { span / n as i64 };
    let sources = [
        "linux.syslog",
        "aws.cloudtrail",
        "github.actions_run",
        "k8s.audit",
    ];
    let actors = ["alice", "deploy-bot[bot]", "system:kube-scheduler", "root"];
    let kinds = [
        ActorKind::Human,
        ActorKind::Automation,
        ActorKind::Service,
        ActorKind::Unknown,
    ];
    let tags = [
        Tag::Authentication,
        Tag::PrivilegeChange,
        Tag::DeployStarted,
        Tag::LoggingTamper,
    ];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let k = (x % 4) as usize;
        let ts = START + i as i64 * step + (x % 997) as i64 % step.max(1);
        let t = DateTime::<Utc>::from_timestamp_micros(ts).unwrap_or_default();
        let raw = t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let structured = k % 2 == 1;
        let mut b = Event::builder(sources[k], TimeValue::Instant(t), raw)
            .message(match k {
                0 => format!(
                    "sshd[{}]: Accepted publickey for alice from 10.0.{}.{} port 5{:04} ssh2",
                    1000 + i % 9000,
                    x % 256,
                    (x >> 8) % 256,
                    i % 10_000
                ),
                1 => format!(
                    "CreateAccessKey by alice on user/svc-{} \"quoted\" ✓",
                    i % 50
                ),
                2 => format!("deploy #{i} of web to production\twith tab"),
                _ => format!("PATCH deployments/web-{} (replicas {})", i % 7, x % 10),
            })
            .desc(if structured {
                "Event Recorded"
            } else {
                "Login"
            })
            .host((k != 1).then(|| format!("web-{}", i % 5)))
            .actor((k != 3 || i % 3 == 0).then_some(actors[k]), kinds[k])
            .action(
                [
                    "ssh.login",
                    "iam:CreateAccessKey",
                    "deploy.start",
                    "k8s.patch",
                ][k],
            )
            .target((i % 4 != 0).then(|| format!("target-{}", i % 13)))
            .src_ip((k == 0 || k == 1).then_some(if i % 2 == 0 {
                "203.0.113.7"
            } else {
                "2001:db8::1"
            }))
            .outcome([Outcome::Success, Outcome::Failure, Outcome::Unknown][i % 3])
            .event_id(structured.then(|| format!("{:016x}", x)))
            .at(if structured {
                Location::record((i / 4) as u64, (i as u64) * 512)
            } else {
                Location::line((i / 4) as u64 + 1, (i as u64) * 120)
            })
            .significance((x % 101) as u8);
        if x % 5 == 0 {
            b = b.tag(tags[k]);
        }
        if x % 7 == 0 {
            b = b.tag(Tag::Session).tag(tags[(k + 1) % 4]);
        }
        if k == 1 {
            b = b.attr("region", "us-east-1").attr("readOnly", i % 2 == 0);
        }
        if x % 11 == 0 {
            b = b.lower(Confidence::Medium, "zone from --tz web-1/**");
        }
        if x % 13 == 0 {
            b = b.lower(Confidence::Low, "year inferred from file mtime");
        }
        let mut e = b.build();
        e.ts_us = ts;
        e.input = (i % 3) as u32;
        e.count = if x % 17 == 0 { 3 } else { 1 };
        events.push(e);
    }
    let input = |path: &str, sha: Option<&str>| InputSummary {
        path: path.to_owned(),
        sha256: sha.map(str::to_owned),
        format: "mixed".to_owned(),
        ..InputSummary::default()
    };
    let t0_us = START + span / 2;
    let last = events.last().map_or(t0_us, |e| e.ts_us);
    let findings = vec![
        tplus_model::Finding {
            kind: tplus_model::FindingKind::TelemetryGap,
            severity: tplus_model::Severity::High,
            source: Some("linux.syslog".to_owned()),
            host: Some("web-1".to_owned()),
            path: Some("logs/auth.log".to_owned()),
            start_us: Some(START + 3_600_000_000),
            end_us: Some(START + 7_200_000_000),
            summary: "linux.syslog on web-1 fell silent for 1 h".to_owned(),
            evidence: vec!["logs/auth.log:10".to_owned(), "logs/auth.log:11".to_owned()],
        },
        tplus_model::Finding {
            kind: tplus_model::FindingKind::SourceMissing,
            severity: tplus_model::Severity::Medium,
            source: Some("okta.system_log".to_owned()),
            host: None,
            path: None,
            start_us: None,
            end_us: None,
            summary: "okta.system_log was expected and is absent".to_owned(),
            evidence: Vec::new(),
        },
    ];
    Timeline {
        events,
        findings,
        inputs: vec![
            input("logs/auth.log", Some(&"a".repeat(64))),
            input("cloud/trail.json.gz", Some(&"b".repeat(64))),
            input("-", None),
        ],
        run: RunInfo {
            t0_us,
            t0_given: true,
            window: (START, last),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            inputs_digest: "c".repeat(64),
            ..RunInfo::default()
        },
    }
}
