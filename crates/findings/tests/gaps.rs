//! telemetry_gap and coverage_gap over generated streams: known holes are found with their
//! windows within a couple of minutes, and streams without holes (steady, bursty, sparse,
//! office hours with weekends, diurnal) give no gap finding of medium severity or above.

mod common;

use common::*;
use tplus_findings::{analyse, FindingsConfig};
use tplus_model::{Finding, FindingKind, Outcome, Severity, Timeline};

const SEEDS: u64 = 12;

fn gaps(f: &[Finding]) -> Vec<&Finding> {
    f.iter()
        .filter(|f| f.kind == FindingKind::TelemetryGap)
        .collect()
}

fn run(mut tl: Timeline) -> Vec<Finding> {
    analyse(&mut tl, &FindingsConfig::default())
}

/// The window runs from the last event before to the first after the hole, so it is wider
/// than the hole by the stream's own inter-arrival time (30 s on average here; 3 min covers
/// all but 1 in 400 of them).
fn assert_window(f: &Finding, a: i64, b: i64) {
    let (s, e) = (f.start_us.unwrap_or(0), f.end_us.unwrap_or(0));
    assert!(
        s <= a && e >= b,
        "the window covers the hole: {}",
        f.summary
    );
    assert!(
        (s - a).abs() <= 3 * MIN,
        "start {} min off: {}",
        (s - a) / MIN,
        f.summary
    );
    assert!(
        (e - b).abs() <= 3 * MIN,
        "end {} min off: {}",
        (e - b) / MIN,
        f.summary
    );
}

fn no_medium_gap(f: &[Finding], what: &str) {
    for g in gaps(f) {
        assert!(
            g.severity < Severity::Medium,
            "{what}: {:?} {}",
            g.severity,
            g.summary
        );
    }
}

/// A steady host: an event every 30 s on average, for a day.
fn steady(rng: &mut Rng, g: &mut Gen, host: &str, source: &'static str) -> Vec<i64> {
    let _ = (g, host, source);
    poisson(rng, monday(), monday() + DAY, 30 * S)
}

#[test]
fn a_forty_minute_hole_in_a_steady_host_is_found() {
    for seed in 0..SEEDS {
        let mut rng = Rng::new(seed);
        let mut g = Gen::default();
        let i = g.input("web-1/auth.log", "linux.syslog");
        let (a, b) = (monday() + 10 * H, monday() + 10 * H + 40 * MIN);
        let t = hole(steady(&mut rng, &mut g, "web-1", "linux.syslog"), a, b);
        g.stream(i, "linux.syslog", Some("web-1"), &t);
        let f = run(g.timeline(None, None));
        let gs = gaps(&f);
        assert_eq!(gs.len(), 1, "seed {seed}: {gs:#?}");
        assert_window(gs[0], a, b);
        assert!(gs[0].severity >= Severity::Medium, "{}", gs[0].summary);
        assert_eq!(gs[0].host.as_deref(), Some("web-1"));
        assert_eq!(gs[0].evidence.len(), 2);
        assert!(gs[0].evidence[0].starts_with("web-1/auth.log:"));
    }
}

#[test]
fn a_hole_right_after_a_tamper_event_is_high_and_linked() {
    for seed in 0..SEEDS {
        let mut rng = Rng::new(100 + seed);
        let mut g = Gen::default();
        let i = g.input("web-1/auth.log", "linux.syslog");
        let (a, b) = (monday() + 8 * H + 21 * MIN, monday() + 9 * H + 6 * MIN);
        let t = hole(steady(&mut rng, &mut g, "web-1", "linux.syslog"), a, b);
        g.stream(i, "linux.syslog", Some("web-1"), &t);
        g.tamper(i, "linux.syslog", "web-1", a - 20 * S, Outcome::Success);
        let f = run(g.timeline(None, None));
        let gs = gaps(&f);
        assert_eq!(gs.len(), 1, "seed {seed}: {gs:#?}");
        assert_window(gs[0], a, b);
        assert_eq!(gs[0].severity, Severity::High);
        assert!(
            gs[0]
                .summary
                .contains("follows service.stop rsyslog by deploy"),
            "{}",
            gs[0].summary
        );
        let tamper: Vec<_> = f
            .iter()
            .filter(|f| f.kind == FindingKind::LoggingTamper)
            .collect();
        assert_eq!(tamper.len(), 1);
        // Tamper, last before, first after; the tamper line is often the last before the
        // silence, and then listed once.
        let mut ev = gs[0].evidence.clone();
        ev.dedup();
        assert_eq!(ev, gs[0].evidence);
        assert!((2..=3).contains(&ev.len()), "{ev:?}");
        assert_eq!(gs[0].evidence[0], tamper[0].evidence[0]);
        assert_eq!(tamper[0].evidence, gs[0].evidence);
        assert!(tamper[0]
            .summary
            .contains("linux.syslog on web-1 then fell silent"));
        assert!(
            tamper[0].summary.contains("then fell silent for"),
            "{}",
            tamper[0].summary
        );
        assert_eq!(tamper[0].end_us, gs[0].end_us);
    }
}

#[test]
fn a_refused_tamper_attempt_is_lower_and_explains_nothing() {
    let mut rng = Rng::new(7);
    let mut g = Gen::default();
    let i = g.input("web-1/auth.log", "linux.syslog");
    let t = steady(&mut rng, &mut g, "web-1", "linux.syslog");
    g.stream(i, "linux.syslog", Some("web-1"), &t);
    g.tamper(
        i,
        "linux.syslog",
        "web-1",
        monday() + 9 * H,
        Outcome::Failure,
    );
    let f = run(g.timeline(None, None));
    assert!(gaps(&f).is_empty());
    let tamper: Vec<_> = f
        .iter()
        .filter(|f| f.kind == FindingKind::LoggingTamper)
        .collect();
    assert_eq!(tamper.len(), 1);
    assert_eq!(tamper[0].severity, Severity::Medium);
    assert!(tamper[0].summary.contains("refused"));
}

#[test]
fn a_hole_around_t0_is_high_and_says_so() {
    for seed in 0..SEEDS {
        let mut rng = Rng::new(200 + seed);
        let mut g = Gen::default();
        let i = g.input("db-1/auth.log", "linux.syslog");
        let (a, b) = (monday() + 8 * H, monday() + 8 * H + 30 * MIN);
        let t = hole(steady(&mut rng, &mut g, "db-1", "linux.syslog"), a, b);
        g.stream(i, "linux.syslog", Some("db-1"), &t);
        let f = run(g.timeline(Some(a + 10 * MIN), None));
        let gs = gaps(&f);
        assert_eq!(gs.len(), 1, "seed {seed}: {gs:#?}");
        assert_window(gs[0], a, b);
        assert_eq!(gs[0].severity, Severity::High, "{}", gs[0].summary);
        assert!(gs[0].summary.contains("spans T0"));
    }
}

#[test]
fn other_sources_active_on_the_host_raise_a_gap() {
    let mut rng = Rng::new(300);
    let mut g = Gen::default();
    let i = g.input("web-1/auth.log", "linux.syslog");
    let j = g.input("web-1/journal.json", "linux.journald");
    let (a, b) = (monday() + 14 * H, monday() + 14 * H + 25 * MIN);
    let t = hole(poisson(&mut rng, monday(), monday() + DAY, 30 * S), a, b);
    g.stream(i, "linux.syslog", Some("web-1"), &t);
    let t2 = poisson(&mut rng, monday(), monday() + DAY, 60 * S);
    g.stream(j, "linux.journald", Some("web-1"), &t2);
    let f = run(g.timeline(None, None));
    let gs = gaps(&f);
    assert_eq!(gs.len(), 1, "{gs:#?}");
    assert_window(gs[0], a, b);
    assert!(
        gs[0]
            .summary
            .contains("from linux.journald on web-1 show activity"),
        "{}",
        gs[0].summary
    );
    assert!(gs[0].severity >= Severity::Medium);
}

#[test]
fn a_steady_host_without_a_hole_has_no_gap() {
    for seed in 0..SEEDS {
        let mut rng = Rng::new(400 + seed);
        let mut g = Gen::default();
        let i = g.input("web-1/auth.log", "linux.syslog");
        let t = poisson(&mut rng, monday(), monday() + 3 * DAY, 30 * S);
        g.stream(i, "linux.syslog", Some("web-1"), &t);
        let f = run(g.timeline(None, None));
        assert!(gaps(&f).is_empty(), "seed {seed}: {:#?}", gaps(&f));
    }
}

#[test]
fn a_bursty_api_client_is_not_flagged_between_bursts() {
    for seed in 0..SEEDS {
        let mut rng = Rng::new(500 + seed);
        let mut g = Gen::default();
        let i = g.input("cloud/trail.json", "aws.cloudtrail");
        let mut t = Vec::new();
        let mut at = monday() as f64;
        while at < (monday() + 7 * DAY) as f64 {
            // A burst of 20-300 calls over a few minutes, then quiet for ~40 min (exponential).
            let n = rng.range(20, 300);
            let mut x = at as i64;
            for _ in 0..n {
                x += rng.range(0, 2 * S);
                t.push(x);
            }
            at = x as f64 + rng.exp((40 * MIN) as f64);
        }
        for (k, ts) in t.iter().enumerate() {
            let e = g.push(
                i,
                "aws.cloudtrail",
                None,
                *ts,
                &format!("s3:GetObject #{k}"),
                true,
            );
            e.attributes.insert("region", "eu-west-1".into());
            e.attributes.insert("account", "123456789012".into());
        }
        let f = run(g.timeline(None, None));
        no_medium_gap(&f, &format!("bursty seed {seed}"));
        assert!(gaps(&f).is_empty(), "seed {seed}: {:#?}", gaps(&f));
    }
}

#[test]
fn a_sparse_deploy_stream_gives_no_gap() {
    for seed in 0..SEEDS {
        let mut rng = Rng::new(600 + seed);
        let mut g = Gen::default();
        let i = g.input("deploy/runs.json", "github.actions_run");
        let mut t = Vec::new();
        for day in 0..30 {
            if day % 7 >= 5 {
                continue;
            }
            for _ in 0..3 {
                t.push(monday() + day * DAY + rng.range(8 * H, 18 * H));
            }
        }
        t.sort_unstable();
        g.stream(i, "github.actions_run", None, &t);
        let f = run(g.timeline(None, None));
        assert!(gaps(&f).is_empty(), "seed {seed}: {:#?}", gaps(&f));
    }
}

/// Office hours (Mon-Fri 08-18 UTC, an event a minute), a few night jobs, a weekend lull.
fn office(rng: &mut Rng, weeks: i64, weekend_mean: Option<i64>) -> Vec<i64> {
    let mut t = Vec::new();
    for day in 0..weeks * 7 {
        let d0 = monday() + day * DAY;
        if day % 7 < 5 {
            t.extend(poisson(rng, d0 + 8 * H, d0 + 18 * H, 60 * S));
            t.extend(poisson(rng, d0 + 18 * H, d0 + DAY + 8 * H, 4 * H));
        } else if let Some(m) = weekend_mean {
            t.extend(poisson(rng, d0 + 8 * H, d0 + DAY + 8 * H, m));
        }
    }
    t.sort_unstable();
    t
}

#[test]
fn a_weekend_lull_in_office_hours_traffic_is_not_medium() {
    for seed in 0..SEEDS {
        for weekend in [Some(3 * H), Some(8 * H), None] {
            let mut rng = Rng::new(700 + seed);
            let mut g = Gen::default();
            let i = g.input("vpn/vpn.log", "linux.syslog");
            let t = office(&mut rng, 3, weekend);
            g.stream(i, "linux.syslog", Some("vpn-1"), &t);
            let f = run(g.timeline(None, None));
            no_medium_gap(&f, &format!("office seed {seed} weekend {weekend:?}"));
            if weekend == Some(3 * H) {
                assert!(gaps(&f).is_empty(), "seed {seed}: {:#?}", gaps(&f));
            }
        }
    }
}

#[test]
fn a_diurnal_pattern_gives_no_gap() {
    for seed in 0..SEEDS {
        let mut rng = Rng::new(800 + seed);
        let mut g = Gen::default();
        let i = g.input("web-1/access.log", "linux.syslog");
        // Peak 2 events/min at 14:00 UTC, 0.1/min at 02:00.
        let peak = 2.0 / MIN as f64;
        let t = thinned(&mut rng, monday(), monday() + 7 * DAY, peak, |t| {
            let h = ((t - monday()).rem_euclid(DAY)) as f64 / H as f64;
            let c = ((h - 14.0) / 24.0 * std::f64::consts::TAU).cos();
            peak * (0.05 + 0.95 * (1.0 + c) / 2.0)
        });
        g.stream(i, "linux.syslog", Some("web-1"), &t);
        let f = run(g.timeline(None, None));
        assert!(gaps(&f).is_empty(), "seed {seed}: {:#?}", gaps(&f));
    }
}

#[test]
fn regions_are_separate_streams() {
    // us-east-1 is busy all day; eu-west-1 goes quiet for an hour while us-east-1 goes on.
    let mut rng = Rng::new(900);
    let mut g = Gen::default();
    let i = g.input("cloud/trail.json", "aws.cloudtrail");
    let (a, b) = (monday() + 6 * H, monday() + 7 * H);
    for (region, mean) in [("us-east-1", 20 * S), ("eu-west-1", 40 * S)] {
        let mut t = poisson(&mut rng, monday(), monday() + DAY, mean);
        if region == "eu-west-1" {
            t = hole(t, a, b);
        }
        for ts in t {
            let e = g.push(i, "aws.cloudtrail", None, ts, "ec2:DescribeInstances", true);
            e.attributes.insert("region", region.into());
        }
    }
    let f = run(g.timeline(None, None));
    let gs = gaps(&f);
    assert_eq!(gs.len(), 1, "{gs:#?}");
    assert!(
        gs[0].summary.contains("(region eu-west-1)"),
        "{}",
        gs[0].summary
    );
    assert_window(gs[0], a, b);
}

#[test]
fn coverage_gaps_against_a_given_t0_and_window() {
    let mut rng = Rng::new(1000);
    let mut g = Gen::default();
    let w = (monday() + 7 * H + 30 * MIN, monday() + 9 * H + 30 * MIN);
    let t0 = monday() + 8 * H + 2 * MIN;
    let full = g.input("web-1/auth.log", "linux.syslog");
    let t = poisson(&mut rng, monday(), monday() + DAY, 30 * S);
    g.stream(full, "linux.syslog", Some("web-1"), &t);
    let late = g.input("db-1/auth.log", "linux.syslog");
    let t = poisson(
        &mut rng,
        monday() + 8 * H + 40 * MIN,
        monday() + DAY,
        30 * S,
    );
    g.stream(late, "linux.syslog", Some("db-1"), &t);
    let early = g.input("cloud/trail.json", "aws.cloudtrail");
    let t = poisson(&mut rng, monday(), monday() + 8 * H + 45 * MIN, 20 * S);
    g.stream(early, "aws.cloudtrail", None, &t);
    let f = run(g.timeline(Some(t0), Some(w)));
    let cov: Vec<_> = f
        .iter()
        .filter(|f| f.kind == FindingKind::CoverageGap)
        .collect();
    assert_eq!(cov.len(), 2, "{cov:#?}");
    let db = cov
        .iter()
        .find(|f| f.host.as_deref() == Some("db-1"))
        .expect("db-1 starts late");
    assert!(db.summary.contains("after T0"), "{}", db.summary);
    assert_eq!(db.severity, Severity::Medium);
    let ct = cov
        .iter()
        .find(|f| f.source.as_deref() == Some("aws.cloudtrail"))
        .expect("trail ends early");
    assert!(
        ct.summary.contains("before the end of the incident window"),
        "{}",
        ct.summary
    );
    // Without a given T0 or window there is nothing to miss.
    let mut g = Gen::default();
    let late = g.input("db-1/auth.log", "linux.syslog");
    let t = poisson(&mut rng, monday() + 8 * H, monday() + DAY, 30 * S);
    g.stream(late, "linux.syslog", Some("db-1"), &t);
    let f = run(g.timeline(None, None));
    assert!(f.iter().all(|f| f.kind != FindingKind::CoverageGap));
}

#[test]
fn a_trail_that_stops_after_stop_logging_is_a_high_coverage_gap() {
    let mut rng = Rng::new(1100);
    let mut g = Gen::default();
    let w = (monday() + 7 * H, monday() + 10 * H);
    let i = g.input("cloud/trail.json", "aws.cloudtrail");
    let stop = monday() + 8 * H + 40 * MIN;
    let t = poisson(&mut rng, monday() + 6 * H, stop, 20 * S);
    for ts in t {
        let e = g.push(i, "aws.cloudtrail", None, ts, "ec2:DescribeInstances", true);
        e.attributes.insert("account", "123456789012".into());
    }
    let e = g.push(
        i,
        "aws.cloudtrail",
        None,
        stop,
        "cloudtrail:StopLogging",
        true,
    );
    e.attributes.insert("account", "123456789012".into());
    e.tag(tplus_model::Tag::LoggingTamper);
    e.action = Some("cloudtrail:StopLogging".into());
    e.actor = Some("ops-admin".into());
    let f = run(g.timeline(Some(monday() + 8 * H), Some(w)));
    let cov: Vec<_> = f
        .iter()
        .filter(|f| f.kind == FindingKind::CoverageGap)
        .collect();
    assert_eq!(cov.len(), 1, "{cov:#?}");
    assert_eq!(cov[0].severity, Severity::High);
    assert!(cov[0]
        .summary
        .contains("right after cloudtrail:StopLogging by ops-admin"));
    let tamper: Vec<_> = f
        .iter()
        .filter(|f| f.kind == FindingKind::LoggingTamper)
        .collect();
    assert!(
        tamper[0].summary.contains("then ends at"),
        "{}",
        tamper[0].summary
    );
}

#[test]
fn a_brute_force_host_silenced_by_stopping_rsyslog() {
    // The shape of a small incident log: a few lines every few minutes, a brute-force burst
    // of ~10 lines a minute after T0, rsyslog stopped, 45 minutes of silence, a few lines.
    for seed in 0..SEEDS {
        let mut rng = Rng::new(1200 + seed);
        let mut g = Gen::default();
        let i = g.input("web-1/auth.log", "linux.syslog");
        let base = monday() + 7 * H + 30 * MIN;
        let t0 = base + 32 * MIN;
        let stop = base + 51 * MIN + 40 * S;
        let back = base + 96 * MIN;
        let mut t = poisson(&mut rng, base, t0, 3 * MIN);
        t.extend(poisson(&mut rng, t0, t0 + 13 * MIN, 6 * S));
        t.extend(poisson(&mut rng, t0 + 13 * MIN, stop, 90 * S));
        t.extend(poisson(&mut rng, back, back + 15 * MIN, 3 * MIN));
        t.push(back);
        t.sort_unstable();
        g.stream(i, "linux.syslog", Some("web-1"), &t);
        g.tamper(i, "linux.syslog", "web-1", stop, Outcome::Success);
        let small = g.input("db-1/auth.log", "linux.syslog");
        let t = poisson(&mut rng, base, base + 2 * H, 15 * MIN);
        g.stream(small, "linux.syslog", Some("db-1"), &t);
        let f = run(g.timeline(Some(t0), Some((base, base + 2 * H))));
        let gs = gaps(&f);
        assert_eq!(gs.len(), 1, "seed {seed}: {gs:#?}");
        assert_eq!(gs[0].severity, Severity::High);
        assert_eq!(
            gs[0].start_us,
            Some(stop),
            "the tamper line is the last before the silence"
        );
        assert_eq!(gs[0].end_us, Some(back));
        assert!(
            gs[0].summary.contains("overlaps the incident window"),
            "{}",
            gs[0].summary
        );
    }
}
