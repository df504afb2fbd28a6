//! A generated incident of any size, for the benches and tests of the sinks (the sinks must
//! stay fast and the pre-read short at a million events). Deterministic: the same `n` and
//! `hostile` give the same timeline.

use chrono::{DateTime, Utc};
use tplus_model::{
    ActorKind, Event, Finding, FindingKind, InputSummary, Location, Outcome, RunInfo, Severity,
    Tag, TimeValue, Timeline,
};

/// Hostile strings an attacker can put in logs (user names, commands, user agents).
pub const HOSTILE: [&str; 9] = [
    "<script>alert(1)</script>",
    "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "a|b `rm -rf /` # heading",
    "\u{1b}[31mred\u{1b}]0;owned\u{7}",
    "</script><img src=x onerror=alert(2)>",
    "--><!-- x",
    "line\u{2028}sep\u{2029}para",
    "\" onmouseover=\"alert(3)",
    "@SUM(1+1)*cmd|' /C calc'!A0",
];

const T0_US: i64 = 1_760_428_930_000_000; // 2025-10-14T08:02:10Z

struct Gen {
    events: Vec<Event>,
    offset: u64,
}

impl Gen {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        ts_us: i64,
        source: &'static str,
        host: Option<&str>,
        actor: Option<(&str, ActorKind)>,
        action: &str,
        target: Option<&str>,
        ip: Option<&str>,
        outcome: Outcome,
        msg: String,
        tags: &[Tag],
        significance: u8,
    ) {
        let dt = DateTime::<Utc>::from_timestamp_micros(ts_us).unwrap_or_default();
        let input = match source {
            "linux.syslog" => 0,
            "aws.cloudtrail" => 1,
            _ => 2,
        };
        let mut b = Event::builder(source, TimeValue::Instant(dt), dt.to_rfc3339())
            .message(msg)
            .host(host)
            .action(action)
            .target(target)
            .src_ip(ip)
            .outcome(outcome)
            .significance(significance)
            .at(Location::line(self.events.len() as u64 + 1, self.offset));
        if let Some((a, k)) = actor {
            b = b.actor(Some(a), k);
        }
        for t in tags {
            b = b.tag(*t);
        }
        let mut e = b.build();
        e.ts_us = ts_us;
        e.input = input;
        if self.events.len() % 97 == 0 {
            e.lower_confidence(
                tplus_model::Confidence::Medium,
                "zone-less time read as Europe/Berlin (--tz web-1/**)",
            );
        }
        self.offset += 120;
        self.events.push(e);
    }
}

/// A timeline of about `n` events: background noise, a brute force burst (600 failures in
/// ten minutes, then a success from the same address), privilege escalation, credential
/// creation, CloudTrail logging stopped, a deploy and its rollback, and a telemetry gap.
/// With `hostile`, attacker-controlled fields carry [`HOSTILE`] strings and secrets.
pub fn incident(n: usize, hostile: bool) -> Timeline {
    let mut g = Gen {
        events: Vec::with_capacity(n + 1000),
        offset: 0,
    };
    let noise = n.saturating_sub(606).max(1);
    let start = T0_US - 30 * 60 * 1_000_000;
    let span = 4 * 3600 * 1_000_000i64;
    let step = (span / noise as i64).max(1);
    let bad_user = if hostile { HOSTILE[0] } else { "admin" };
    let mut burst_at = T0_US - 10 * 60 * 1_000_000;
    let mut noise_i = 0usize;
    let mut t = start;
    while noise_i < noise {
        // Background: cron sessions and routine API reads on several hosts.
        let h = ["web-1", "web-2", "db-1", "web-3"][noise_i % 4];
        if noise_i % 3 == 0 {
            g.push(
                t,
                "aws.cloudtrail",
                None,
                Some(("ci-deployer", ActorKind::Automation)),
                "s3:GetObject",
                Some("artifacts/app.tar.gz"),
                Some("198.51.100.7"),
                Outcome::Success,
                format!("GetObject artifacts/app.tar.gz request {noise_i}"),
                &[],
                2,
            );
        } else if noise_i % 1013 == 0 {
            g.push(
                t,
                "linux.syslog",
                Some(h),
                Some(("carol", ActorKind::Human)),
                "ssh.login",
                None,
                Some("192.0.2.10"),
                Outcome::Success,
                "Accepted publickey for carol from 192.0.2.10 port 50022 ssh2".to_owned(),
                &[Tag::Authentication, Tag::Session],
                20,
            );
        } else {
            g.push(
                t,
                "linux.syslog",
                Some(h),
                Some(("root", ActorKind::Service)),
                "session.open",
                None,
                None,
                Outcome::Success,
                format!(
                    "pam_unix(cron:session): session opened for user root by (uid=0) #{noise_i}"
                ),
                &[Tag::Session],
                1,
            );
        }
        noise_i += 1;
        t += step;
        // Interleave the incident at its time.
        if t >= burst_at && burst_at != i64::MAX {
            incident_story(&mut g, burst_at, bad_user, hostile);
            burst_at = i64::MAX;
        }
    }
    if burst_at != i64::MAX {
        incident_story(&mut g, burst_at, bad_user, hostile);
    }
    g.events
        .sort_by_key(|e| (e.ts_us, e.input, e.location.offset));
    let count = |i: u32| g.events.iter().filter(|e| e.input == i).count() as u64;
    let inputs = ["web-1/auth.log", "cloud/trail.json", "deploy/runs.json"]
        .iter()
        .zip(["linux.syslog", "aws.cloudtrail", "github.actions_run"])
        .enumerate()
        .map(|(i, (p, f))| InputSummary {
            path: (*p).to_owned(),
            size: 1000,
            sha256: Some(format!("{:064x}", i + 1)),
            format: f.to_owned(),
            records: count(i as u32),
            events: count(i as u32),
            ..InputSummary::default()
        })
        .collect();
    let last = g.events.last().map_or(T0_US, |e| e.ts_us);
    let findings = vec![
        Finding {
            kind: FindingKind::LoggingTamper,
            severity: Severity::High,
            source: Some("aws.cloudtrail".to_owned()),
            host: None,
            path: None,
            start_us: Some(T0_US + 40 * 60 * 1_000_000),
            end_us: Some(T0_US + 40 * 60 * 1_000_000),
            summary: "CloudTrail logging was stopped (StopLogging on org-trail).".to_owned(),
            evidence: vec!["cloud/trail.json#3".to_owned()],
        },
        Finding {
            kind: FindingKind::TelemetryGap,
            severity: Severity::Medium,
            source: Some("linux.syslog".to_owned()),
            host: Some("web-1".to_owned()),
            path: None,
            start_us: Some(T0_US + 20 * 60 * 1_000_000),
            end_us: Some(T0_US + 35 * 60 * 1_000_000),
            summary: format!(
                "No linux.syslog events from web-1 for 15 min{}.",
                if hostile { HOSTILE[4] } else { "" }
            ),
            evidence: vec![],
        },
    ];
    Timeline {
        events: g.events,
        findings,
        inputs,
        run: RunInfo {
            title: Some(if hostile {
                format!("Hostile {}", HOSTILE[0])
            } else {
                "Generated incident".to_owned()
            }),
            t0_us: T0_US,
            t0_given: true,
            window: (start, last),
            window_given: false,
            time_notes: vec![
                "web-1/** read as Europe/Berlin (case file tz)".to_owned(),
                "year 2025 for year-less syslog from --year".to_owned(),
            ],
            inputs_digest: "0".repeat(64),
            tool_version: "test".to_owned(),
            attendees: vec!["Incident commander".to_owned()],
            hypotheses: vec!["The password of deploy was guessed.".to_owned()],
            open_questions: vec!["Why was password authentication on?".to_owned()],
            duplicates_merged: 0,
        },
    }
}

fn incident_story(g: &mut Gen, at: i64, bad_user: &str, hostile: bool) {
    let s = 1_000_000i64;
    let ip = "203.0.113.45";
    for i in 0..600 {
        let user = if i % 2 == 0 { bad_user } else { "deploy" };
        g.push(
            at + i * s,
            "linux.syslog",
            Some("web-1"),
            Some((user, ActorKind::Human)),
            "ssh.login",
            None,
            Some(ip),
            Outcome::Failure,
            format!(
                "Failed password for {user} from {ip} port {} ssh2",
                40000 + i
            ),
            &[Tag::Authentication],
            30,
        );
    }
    let mut t = at + 600 * s + 10 * s;
    let mut step = |g: &mut Gen,
                    src: &'static str,
                    actor: (&str, ActorKind),
                    action: &str,
                    target: Option<&str>,
                    msg: String,
                    tags: &[Tag],
                    sig: u8| {
        g.push(
            t,
            src,
            if src == "linux.syslog" {
                Some("web-1")
            } else {
                None
            },
            Some(actor),
            action,
            target,
            Some(ip),
            Outcome::Success,
            msg,
            tags,
            sig,
        );
        t += 60 * s;
    };
    step(
        g,
        "linux.syslog",
        ("deploy", ActorKind::Human),
        "ssh.login",
        None,
        format!("Accepted password for deploy from {ip} port 41000 ssh2"),
        &[Tag::Authentication, Tag::Session],
        40,
    );
    let cmd = if hostile {
        format!("deploy : TTY=pts/0 ; COMMAND=/usr/bin/mysql -u root -pS3cretPass --password=hunter2 {}", HOSTILE[3])
    } else {
        "deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash".to_owned()
    };
    step(
        g,
        "linux.syslog",
        ("deploy", ActorKind::Human),
        "sudo",
        Some("root"),
        cmd,
        &[Tag::PrivilegeChange],
        70,
    );
    step(
        g,
        "aws.cloudtrail",
        ("ops-admin", ActorKind::Human),
        "iam:CreateAccessKey",
        Some("ops-admin"),
        "CreateAccessKey for ops-admin: AKIAIOSFODNN7EXAMPLE (ops-admin@example.com)".to_owned(),
        &[Tag::CredentialChange],
        80,
    );
    step(
        g,
        "aws.cloudtrail",
        ("ops-admin", ActorKind::Human),
        "cloudtrail:StopLogging",
        Some("org-trail"),
        "StopLogging org-trail Authorization: Bearer abcdef0123456789abcdef".to_owned(),
        &[Tag::LoggingTamper],
        95,
    );
    step(
        g,
        "github.actions_run",
        ("github-actions[bot]", ActorKind::Automation),
        "deploy.started",
        Some("production"),
        "Deploy app v1.4.2 to production".to_owned(),
        &[Tag::DeployStarted],
        50,
    );
    step(
        g,
        "github.actions_run",
        ("github-actions[bot]", ActorKind::Automation),
        "deploy.rollback",
        Some("production"),
        "Rollback production to v1.4.1".to_owned(),
        &[Tag::Rollback],
        60,
    );
}
