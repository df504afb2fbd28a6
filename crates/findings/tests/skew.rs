//! clock_skew and journald/syslog overlap over generated copies of one host's log.

mod common;

use common::*;
use tplus_findings::{analyse, skew::host_overlaps, FindingsConfig};
use tplus_model::{Confidence, Finding, FindingKind, Severity, Tag, Timeline};

/// journald (zoned epoch times) and a syslog copy of the same lines (zone-less), the copy
/// `lag` later, each time jittered by up to ±`jitter`; plus lines only one side has.
fn copies(seed: u64, lag: i64, jitter: i64) -> Timeline {
    let mut rng = Rng::new(seed);
    let mut g = Gen::default();
    let j = g.input("web-1/journal.json", "linux.journald");
    let s = g.input("web-1/auth.log", "linux.syslog");
    let times = poisson(&mut rng, monday(), monday() + 6 * H, 40 * S);
    for (k, t) in times.iter().enumerate() {
        let port = 40_000 + k;
        let msg = format!("Accepted publickey for deploy from 198.51.100.7 port {port} ssh2");
        g.push(j, "linux.journald", Some("web-1"), *t, &msg, true);
        let st = t + lag + rng.range(-jitter, jitter + 1);
        g.push(
            s,
            "linux.syslog",
            Some("web-1"),
            st,
            &format!("sshd[{}]: {msg}", 800 + k),
            false,
        );
        // A repeated line on both sides never pairs.
        g.push(
            j,
            "linux.journald",
            Some("web-1"),
            *t + S,
            "pam_unix(cron:session): session closed for user root",
            true,
        );
    }
    g.timeline(None, None)
}

fn skews(f: &[Finding]) -> Vec<&Finding> {
    f.iter()
        .filter(|f| f.kind == FindingKind::ClockSkew)
        .collect()
}

#[test]
fn a_syslog_copy_ninety_seconds_late_is_found_and_lowered() {
    for seed in 0..6 {
        let mut tl = copies(seed, 90 * S, 700_000);
        let ov = host_overlaps(&tl);
        assert_eq!(ov.len(), 1);
        assert!(
            (ov[0].offset_us - 90 * S).abs() < S,
            "offset {}",
            ov[0].offset_us
        );
        assert!(ov[0].pairs.len() > 100);
        let f = analyse(&mut tl, &FindingsConfig::default());
        let sk = skews(&f);
        assert_eq!(sk.len(), 1, "{f:#?}");
        assert_eq!(sk[0].severity, Severity::Medium);
        assert_eq!(sk[0].host.as_deref(), Some("web-1"));
        assert!(
            sk[0].summary.contains("linux.syslog on web-1 is +"),
            "{}",
            sk[0].summary
        );
        assert!(
            sk[0].summary.contains("the syslog copy"),
            "{}",
            sk[0].summary
        );
        assert!(sk[0]
            .evidence
            .iter()
            .any(|e| e.starts_with("web-1/auth.log:")));
        for e in &tl.events {
            if e.source == "linux.syslog" {
                assert_eq!(e.confidence, Confidence::Low);
                let r = e
                    .confidence_reasons
                    .iter()
                    .find(|r| r.starts_with("clock skew of +"));
                let r = r.expect("a reason");
                assert!(r.ends_with("s against linux.journald on web-1"), "{r}");
            } else {
                assert_eq!(e.confidence, Confidence::High, "journald untouched");
            }
        }
    }
}

#[test]
fn identical_copies_are_an_info_overlap_not_a_skew() {
    for seed in 0..6 {
        // Traditional syslog truncates to the second: up to a second either way.
        let mut tl = copies(10 + seed, 0, 900_000);
        let f = analyse(&mut tl, &FindingsConfig::default());
        assert!(skews(&f).is_empty(), "{:#?}", skews(&f));
        let dup: Vec<_> = f
            .iter()
            .filter(|f| f.kind == FindingKind::DuplicateRecords)
            .collect();
        assert_eq!(dup.len(), 1);
        assert_eq!(dup[0].severity, Severity::Info);
        assert!(
            dup[0].summary.contains("also appear in linux.journald"),
            "{}",
            dup[0].summary
        );
        assert!(tl.events.iter().all(|e| e.confidence == Confidence::High));
    }
}

#[test]
fn both_sides_zoned_lowers_both_and_says_it_cannot_tell() {
    let mut tl = copies(20, -5 * MIN, 0);
    for e in &mut tl.events {
        if let tplus_model::TimeValue::Local(n) = e.time {
            e.time = tplus_model::TimeValue::Instant(n.and_utc());
        }
    }
    let f = analyse(&mut tl, &FindingsConfig::default());
    let sk = skews(&f);
    assert_eq!(sk.len(), 1);
    assert!(
        sk[0].summary.contains("cannot be told"),
        "{}",
        sk[0].summary
    );
    assert!(tl
        .events
        .iter()
        .filter(|e| e.message.starts_with("Accepted"))
        .all(|e| e.confidence == Confidence::Low));
    let j = tl
        .events
        .iter()
        .find(|e| e.source == "linux.journald")
        .expect("journald");
    assert!(
        j.confidence_reasons
            .iter()
            .any(|r| r == "clock skew of +5 min against linux.syslog on web-1"),
        "{:?}",
        j.confidence_reasons
    );
}

/// Okta logins and the CloudTrail ConsoleLogin each one leads to, `lag` later.
fn sso(seed: u64, lag: i64) -> Timeline {
    let mut rng = Rng::new(seed);
    let mut g = Gen::default();
    let o = g.input("idp/okta.json", "okta.system_log");
    let c = g.input("cloud/trail.json", "aws.cloudtrail");
    let users = [
        "alice@example.com",
        "bob@example.com",
        "carol@example.com",
        "dan@example.com",
    ];
    for (k, t) in poisson(&mut rng, monday() + 8 * H, monday() + 18 * H, 45 * MIN)
        .iter()
        .enumerate()
    {
        let u = users[k % users.len()];
        let e = g.push(o, "okta.system_log", None, *t, "user.session.start", true);
        e.actor = Some(u.into());
        e.tag(Tag::Authentication);
        e.outcome = tplus_model::Outcome::Success;
        let ct = t + lag + rng.range(5 * S, 40 * S);
        let e = g.push(c, "aws.cloudtrail", None, ct, "signin:ConsoleLogin", true);
        e.actor =
            Some(format!("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin/{u}").into());
        e.action = Some("signin:ConsoleLogin".into());
        e.outcome = tplus_model::Outcome::Success;
    }
    g.timeline(None, None)
}

#[test]
fn idp_and_cloud_logins_agree_within_the_hand_off() {
    let mut tl = sso(30, 0);
    let f = analyse(&mut tl, &FindingsConfig::default());
    assert!(skews(&f).is_empty(), "{:#?}", skews(&f));
}

#[test]
fn a_cloud_trail_six_minutes_late_against_the_idp_is_a_skew() {
    let mut tl = sso(31, 6 * MIN);
    let f = analyse(&mut tl, &FindingsConfig::default());
    let sk = skews(&f);
    assert_eq!(sk.len(), 1, "{f:#?}");
    assert!(
        sk[0]
            .summary
            .starts_with("aws.cloudtrail logins come +6 min after"),
        "{}",
        sk[0].summary
    );
    let ct = tl
        .events
        .iter()
        .find(|e| e.source == "aws.cloudtrail")
        .expect("trail");
    assert_eq!(ct.confidence, Confidence::Low);
}
