//! Seeded generators of event streams for the findings tests (no fixtures: every scenario
//! is built from its description, so a test cannot be tuned to one file).
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use tplus_model::{Event, InputSummary, Outcome, RunInfo, Tag, TimeValue, Timeline};

pub const S: i64 = 1_000_000;
pub const MIN: i64 = 60 * S;
pub const H: i64 = 60 * MIN;
pub const DAY: i64 = 24 * H;

/// 2025-10-13 (a Monday) 00:00:00Z in µs.
pub fn monday() -> i64 {
    NaiveDate::from_ymd_opt(2025, 10, 13)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp_micros())
}

/// SplitMix64: small, seeded, good enough for test streams.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [a, b).
    pub fn range(&mut self, a: i64, b: i64) -> i64 {
        if b <= a {
            return a;
        }
        a + (self.next_u64() % (b - a) as u64) as i64
    }
    /// Exponential with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}

/// Poisson arrivals with `mean_us` between events, in `[start, end)`.
pub fn poisson(rng: &mut Rng, start: i64, end: i64, mean_us: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut t = start as f64;
    loop {
        t += rng.exp(mean_us as f64);
        if t >= end as f64 {
            return out;
        }
        out.push(t as i64);
    }
}

/// Arrivals with a time-varying rate `rate(t)` (events per µs), by thinning.
pub fn thinned(
    rng: &mut Rng,
    start: i64,
    end: i64,
    max_rate: f64,
    rate: impl Fn(i64) -> f64,
) -> Vec<i64> {
    let mut out = Vec::new();
    let mut t = start as f64;
    loop {
        t += rng.exp(1.0 / max_rate);
        if t >= end as f64 {
            return out;
        }
        if rng.unit() * max_rate < rate(t as i64) {
            out.push(t as i64);
        }
    }
}

/// Drops the times inside `[a, b)`.
pub fn hole(times: Vec<i64>, a: i64, b: i64) -> Vec<i64> {
    times.into_iter().filter(|t| *t < a || *t >= b).collect()
}

/// Builds a timeline input by input.
#[derive(Debug, Default)]
pub struct Gen {
    pub events: Vec<Event>,
    pub inputs: Vec<InputSummary>,
}

impl Gen {
    pub fn input(&mut self, path: &str, format: &str) -> u32 {
        self.inputs.push(InputSummary {
            path: path.to_owned(),
            format: format.to_owned(),
            ..InputSummary::default()
        });
        (self.inputs.len() - 1) as u32
    }

    /// One event; `zoned` = the time carried its own zone.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        input: u32,
        source: &'static str,
        host: Option<&str>,
        ts: i64,
        message: &str,
        zoned: bool,
    ) -> &mut Event {
        let dt = DateTime::<Utc>::from_timestamp_micros(ts).unwrap_or_default();
        let tv = if zoned {
            TimeValue::Instant(dt)
        } else {
            TimeValue::Local(dt.naive_utc())
        };
        let line = self.inputs.get(input as usize).map_or(0, |i| i.records) + 1;
        let mut e = Event::builder(source, tv, dt.to_rfc3339())
            .message(message)
            .host(host)
            .at(tplus_model::Location::line(line, line * 100))
            .build();
        e.ts_us = ts;
        e.input = input;
        if let Some(i) = self.inputs.get_mut(input as usize) {
            i.records += 1;
            i.events += 1;
        }
        self.events.push(e);
        let n = self.events.len() - 1;
        &mut self.events[n]
    }

    /// A stream of plain events at `times`.
    pub fn stream(&mut self, input: u32, source: &'static str, host: Option<&str>, times: &[i64]) {
        for (k, t) in times.iter().enumerate() {
            self.push(
                input,
                source,
                host,
                *t,
                &format!("CRON[{k}]: (root) CMD (run-parts /etc/cron.hourly) #{k}"),
                true,
            );
        }
    }

    /// A logging-tamper event (a sudo that stops rsyslog).
    pub fn tamper(
        &mut self,
        input: u32,
        source: &'static str,
        host: &str,
        ts: i64,
        outcome: Outcome,
    ) -> usize {
        let e = self.push(
            input,
            source,
            Some(host),
            ts,
            "sudo: root : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/systemctl stop rsyslog",
            true,
        );
        e.tag(Tag::LoggingTamper);
        e.action = Some("service.stop rsyslog".into());
        e.actor = Some("deploy".into());
        e.outcome = outcome;
        self.events.len() - 1
    }

    /// The sorted timeline; `t0`/`window` given or defaulted as the engine does.
    pub fn timeline(mut self, t0: Option<i64>, window: Option<(i64, i64)>) -> Timeline {
        self.events
            .sort_by_key(|e| (e.ts_us, e.input, e.location.offset));
        let first = self.events.first().map_or(0, |e| e.ts_us);
        let last = self.events.last().map_or(0, |e| e.ts_us);
        let t0_us = t0.unwrap_or(first);
        Timeline {
            events: self.events,
            findings: Vec::new(),
            inputs: self.inputs,
            run: RunInfo {
                t0_us,
                t0_given: t0.is_some(),
                window: window.unwrap_or((t0_us, last.max(t0_us))),
                window_given: window.is_some(),
                ..RunInfo::default()
            },
        }
    }
}
