//! Findings over generated timelines of 100 k and 1 M events: gaps over every stream,
//! coverage, tamper links and journald/syslog skew matching. The time should grow linearly
//! with the size (group by stream once, selection instead of sorting, no pairwise loops).
//!
//! `cargo bench --bench findings`

use chrono::DateTime;
use tplus_findings::{analyse, FindingsConfig};
use tplus_model::{Event, InputSummary, RunInfo, Tag, TimeValue, Timeline};

fn main() {
    divan::main();
}

const S: i64 = 1_000_000;

/// SplitMix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn exp(&mut self, mean: f64) -> i64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        (-mean * (1.0 - u).ln()) as i64
    }
}

/// `n` events: a quarter journald + syslog copies on 4 hosts (the syslog copy 90 s late),
/// half steady syslog on 40 hosts (each with a 40-minute hole), a quarter bursty CloudTrail
/// over 4 regions; a tamper event before one hole.
fn timeline(n: usize) -> Timeline {
    let mut rng = Rng(42);
    let t0 = 1_760_428_800 * S; // 2025-10-14T08:00:00Z
    let mut inputs = Vec::new();
    let mut events = Vec::with_capacity(n);
    let ev = |input: u32,
              source: &'static str,
              host: Option<String>,
              ts: i64,
              msg: String,
              zoned: bool| {
        let dt = DateTime::from_timestamp_micros(ts).unwrap_or_default();
        let tv = if zoned {
            TimeValue::Instant(dt)
        } else {
            TimeValue::Local(dt.naive_utc())
        };
        let mut e = Event::builder(source, tv, "")
            .message(msg)
            .host(host)
            .build();
        e.ts_us = ts;
        e.input = input;
        e
    };
    let quarter = n / 4;
    // journald + syslog copies.
    for h in 0..4u32 {
        inputs.push(InputSummary {
            path: format!("h{h}/journal.json"),
            format: "linux.journald".into(),
            ..Default::default()
        });
        inputs.push(InputSummary {
            path: format!("h{h}/auth.log"),
            format: "linux.syslog".into(),
            ..Default::default()
        });
        let per = quarter / 8;
        let mut t = t0;
        for k in 0..per {
            t += rng.exp(10.0 * S as f64);
            let msg = format!("Accepted publickey for deploy from 198.51.100.{h} port {k} ssh2");
            events.push(ev(
                2 * h,
                "linux.journald",
                Some(format!("h{h}")),
                t,
                msg.clone(),
                true,
            ));
            events.push(ev(
                2 * h + 1,
                "linux.syslog",
                Some(format!("h{h}")),
                t + 90 * S,
                format!("sshd[{k}]: {msg}"),
                false,
            ));
        }
    }
    // Steady syslog hosts with a hole each.
    let hosts = 40;
    for h in 0..hosts {
        let input = inputs.len() as u32;
        inputs.push(InputSummary {
            path: format!("s{h}/syslog"),
            format: "linux.syslog".into(),
            ..Default::default()
        });
        let mut t = t0;
        let hole = t0 + (h as i64 + 1) * 3600 * S;
        for k in 0..(2 * quarter / hosts) {
            t += rng.exp(15.0 * S as f64);
            if (hole..hole + 2400 * S).contains(&t) {
                t = hole + 2400 * S;
            }
            events.push(ev(
                input,
                "linux.syslog",
                Some(format!("s{h}")),
                t,
                format!("CRON[{k}]: (root) CMD (job)"),
                true,
            ));
        }
        if h == 0 {
            let mut e = ev(
                input,
                "linux.syslog",
                Some("s0".into()),
                hole - 10 * S,
                "sudo: systemctl stop rsyslog".into(),
                true,
            );
            e.tag(Tag::LoggingTamper);
            events.push(e);
        }
    }
    // Bursty CloudTrail.
    let input = inputs.len() as u32;
    inputs.push(InputSummary {
        path: "cloud/trail.json".into(),
        format: "aws.cloudtrail".into(),
        ..Default::default()
    });
    let mut t = t0;
    let mut k = 0;
    while events.len() < n {
        t += rng.exp(1200.0 * S as f64);
        for _ in 0..(rng.next() % 200) {
            t += (rng.next() % (2 * S as u64)) as i64;
            let mut e = ev(
                input,
                "aws.cloudtrail",
                None,
                t,
                "s3:GetObject".into(),
                true,
            );
            e.attributes.insert(
                "region",
                ["us-east-1", "eu-west-1", "ap-south-1", "sa-east-1"][k % 4].into(),
            );
            e.attributes.insert("account", "123456789012".into());
            events.push(e);
            k += 1;
        }
    }
    events.sort_unstable_by_key(|e| (e.ts_us, e.input));
    let last = events.last().map_or(t0, |e| e.ts_us);
    Timeline {
        events,
        findings: Vec::new(),
        inputs,
        run: RunInfo {
            t0_us: t0 + 3 * 3600 * S,
            t0_given: true,
            window: (t0, last),
            window_given: true,
            ..RunInfo::default()
        },
    }
}

#[divan::bench(args = [100_000, 1_000_000], sample_count = 5, sample_size = 1)]
fn findings(bencher: divan::Bencher, n: usize) {
    let mut tl = timeline(n);
    let cfg = FindingsConfig::default();
    bencher
        .counter(divan::counter::ItemsCount::new(tl.events.len()))
        .bench_local(move || analyse(&mut tl, &cfg).len());
}
