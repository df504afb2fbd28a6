//! telemetry_gap: silences that are abnormal for the stream they happen in.
//!
//! A stream is one source seen from one place: format × host, and × region / log id /
//! channel when the event has one ([`stream_key`], the one place to extend). Each stream's
//! cadence is learned from the whole stream with order statistics of its inter-arrival
//! times, in linear time (selection, no sorting):
//! - the 99th percentile describes its everyday rhythm (bursts included);
//! - the `rank`-th longest silence describes the quiet periods that *recur* in it (between
//!   bursts, at night, at weekends).
//!
//! A silence is a gap when it is longer than `min_silence`, than `cadence_factor` × the
//! 99th percentile *and* than `recurrence_factor` × the recurring silence. Streams with fewer
//! than `gap_min_events` events have no cadence and give no gap findings; a stream whose
//! recurring silences are long (sparse, irregular) raises its own bar.

use tplus_model::{Event, Finding, FindingKind, Outcome, Severity, Timeline};

use crate::util::{at, ev_ref, fmt_dur, nth_largest, quantile, scope_of, FastMap};
use crate::FindingsConfig;

/// Attribute keys that split a source into streams (first match wins): a CloudTrail region,
/// a GCP log id, a Windows channel each have their own cadence.
pub const STREAM_ATTRIBUTES: &[&str] = &[
    "region",
    "aws_region",
    "awsRegion",
    "log_id",
    "log_name",
    "logName",
    "channel",
    "Channel",
];

/// One stream: a source seen from one host, region, log or channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamKey<'a> {
    /// The format id.
    pub source: &'static str,
    /// The host as logged.
    pub host: Option<&'a str>,
    /// The splitting attribute and its value, when the event has one.
    pub sub: Option<(&'static str, &'a str)>,
}

impl StreamKey<'_> {
    /// `linux.syslog on web-1`, `aws.cloudtrail (region us-east-1)`.
    pub fn describe(&self) -> String {
        let mut s = self.source.to_owned();
        if let Some(h) = self.host {
            s.push_str(" on ");
            s.push_str(h);
        }
        if let Some((k, v)) = self.sub {
            s.push_str(&format!(" ({k} {v})"));
        }
        s
    }
}

/// The stream an event belongs to.
pub fn stream_key(e: &Event) -> StreamKey<'_> {
    // One pass over the event's few attributes, keeping the splitting key that comes first in
    // STREAM_ATTRIBUTES: a lookup per candidate key (eight binary searches for every event)
    // was the findings' hottest spot.
    let mut sub: Option<(usize, &str)> = None;
    for (k, v) in e.attributes.iter() {
        let Some(rank) = STREAM_ATTRIBUTES.iter().position(|s| *s == k) else {
            continue;
        };
        if sub.is_some_and(|(first, _)| first < rank) {
            continue;
        }
        if let Some(v) = v.as_str().filter(|v| !v.is_empty()) {
            sub = Some((rank, v));
        }
    }
    StreamKey {
        source: e.source,
        host: e.host.as_deref(),
        sub: sub.map(|(rank, v)| (STREAM_ATTRIBUTES[rank], v)),
    }
}

/// A stream, its events (indices into the timeline and times, in time order) and its
/// cadence when it has one.
pub(crate) struct Stream<'a> {
    pub key: StreamKey<'a>,
    pub idx: Vec<usize>,
    pub times: Vec<i64>,
    /// Where it happens (host, else account) for "other sources were active there".
    pub scope: Option<&'a str>,
    pub cadence: Option<Cadence>,
}

/// Groups the timeline's events by stream in one pass (one hash per event) and learns each
/// stream's cadence; streams in order of first event.
pub(crate) fn group<'a>(tl: &'a Timeline, cfg: &FindingsConfig) -> Vec<Stream<'a>> {
    let mut at_key: FastMap<StreamKey<'a>, usize> = FastMap::default();
    let mut streams: Vec<Stream<'a>> = Vec::new();
    for (i, e) in tl.events.iter().enumerate() {
        let k = stream_key(e);
        let n = *at_key.entry(k).or_insert_with(|| {
            streams.push(Stream {
                key: k,
                idx: Vec::new(),
                times: Vec::new(),
                scope: scope_of(e),
                cadence: None,
            });
            streams.len() - 1
        });
        if let Some(s) = streams.get_mut(n) {
            s.idx.push(i);
            s.times.push(e.ts_us);
        }
    }
    for s in &mut streams {
        s.cadence = cadence(&s.times, cfg);
    }
    streams
}

/// What a stream's own rhythm says a normal silence is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cadence {
    /// The longest silence the stream's rhythm explains.
    pub threshold: i64,
}

/// Learns the cadence of sorted `times`; `None` when the stream is too sparse.
pub(crate) fn cadence(times: &[i64], cfg: &FindingsConfig) -> Option<Cadence> {
    if times.len() < cfg.gap_min_events.max(3) {
        return None;
    }
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        return None;
    };
    if (last - first) / (times.len() as i64 - 1) > cfg.gap_sparse_mean_us {
        return None;
    }
    let mut gaps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let q99 = quantile(&mut gaps, 0.99)?;
    let recurring = nth_largest(&mut gaps, cfg.gap_recurrence_rank.max(1))?;
    let threshold = (cfg.gap_min_silence_us as f64)
        .max(cfg.gap_cadence_factor * q99 as f64)
        .max(cfg.gap_recurrence_factor * recurring as f64);
    Some(Cadence {
        threshold: threshold.min(i64::MAX as f64) as i64,
    })
}

/// A gap found, with what it links to.
#[derive(Debug)]
pub(crate) struct Gap {
    pub finding: Finding,
    /// The logging_tamper event before it, if any.
    pub tamper: Option<usize>,
}

/// Streams per scope, for "other sources were active there during the silence".
struct Activity<'s, 'a> {
    streams: &'s [Stream<'a>],
    by_scope: FastMap<&'a str, Vec<usize>>,
}

impl<'s, 'a> Activity<'s, 'a> {
    fn new(streams: &'s [Stream<'a>]) -> Self {
        let mut by_scope: FastMap<&'a str, Vec<usize>> = FastMap::default();
        for (i, s) in streams.iter().enumerate() {
            if let Some(sc) = s.scope {
                by_scope.entry(sc).or_default().push(i);
            }
        }
        Activity { streams, by_scope }
    }

    /// Events strictly inside `(start, end)` on `scope` from sources other than `source`,
    /// and which sources.
    fn others(
        &self,
        scope: &str,
        source: &str,
        start: i64,
        end: i64,
    ) -> (usize, Vec<&'static str>) {
        let mut n = 0;
        let mut names = Vec::new();
        for s in self.by_scope.get(scope).into_iter().flatten() {
            let Some(st) = self.streams.get(*s) else {
                continue;
            };
            if st.key.source == source {
                continue;
            }
            let a = st.times.partition_point(|t| *t <= start);
            let b = st.times.partition_point(|t| *t < end);
            if b > a {
                n += b - a;
                if !names.contains(&st.key.source) {
                    names.push(st.key.source);
                }
            }
        }
        names.sort_unstable();
        (n, names)
    }
}

/// The most recent tamper event that explains a silence starting at `start` (up to `link`
/// before it, or inside it) on the same scope, or of the same source when it has no scope.
/// Refused attempts do not explain a silence.
pub(crate) fn linked_tamper(
    tl: &Timeline,
    tampers: &[usize],
    scope: Option<&str>,
    source: &str,
    start: i64,
    end: i64,
    link: i64,
) -> Option<usize> {
    tampers
        .iter()
        .copied()
        .filter(|i| {
            tl.events.get(*i).is_some_and(|t| {
                t.outcome != Outcome::Failure
                    && t.ts_us >= start.saturating_sub(link)
                    && t.ts_us < end
                    && match (scope_of(t), scope) {
                        (Some(a), Some(b)) => a == b,
                        (None, _) => t.source == source,
                        (Some(_), None) => false,
                    }
            })
        })
        .max_by_key(|i| tl.events.get(*i).map_or(0, |t| t.ts_us))
}

/// Finds the telemetry gaps of every stream.
pub(crate) fn find_gaps(
    tl: &Timeline,
    cfg: &FindingsConfig,
    streams: &[Stream<'_>],
    tampers: &[usize],
) -> Vec<Gap> {
    struct Cand<'a> {
        key: StreamKey<'a>,
        cad: Cadence,
        a: usize,
        b: usize,
        tamper: Option<usize>,
        similar: usize,
    }
    let mut cands: Vec<Cand<'_>> = Vec::new();
    for s in streams {
        let times = &s.times;
        let Some(cad) = s.cadence else {
            continue;
        };
        // After a tamper event a silence needs less to be believed.
        let relaxed = (cad.threshold / 2).max(cfg.gap_min_silence_us);
        // The stream's long silences, longest first: how many others are comparable to a
        // candidate (two thirds of it or more) says whether it recurs (weekends do).
        let mut long: Vec<i64> = times
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d * 3 > relaxed * 2)
            .collect();
        long.sort_unstable_by(|a, b| b.cmp(a));
        for (j, w) in times.windows(2).enumerate() {
            let silence = w[1] - w[0];
            if silence <= relaxed {
                continue;
            }
            let (Some(&a), Some(&b)) = (s.idx.get(j), s.idx.get(j + 1)) else {
                continue;
            };
            let scope = tl.events.get(a).and_then(scope_of);
            let tamper = linked_tamper(
                tl,
                tampers,
                scope,
                s.key.source,
                w[0],
                w[1],
                cfg.gap_tamper_link_us,
            );
            if silence > cad.threshold || tamper.is_some() {
                cands.push(Cand {
                    key: s.key,
                    cad,
                    a,
                    b,
                    tamper,
                    similar: long
                        .partition_point(|d| *d * 3 >= silence * 2)
                        .saturating_sub(1),
                });
            }
        }
    }
    if cands.is_empty() {
        return Vec::new();
    }
    let activity = Activity::new(streams);
    cands
        .into_iter()
        .filter_map(|c| {
            let (ea, eb) = (tl.events.get(c.a)?, tl.events.get(c.b)?);
            Some(gap_finding(
                tl, cfg, &activity, c.key, c.cad, ea, eb, c.tamper, c.similar,
            ))
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn gap_finding(
    tl: &Timeline,
    cfg: &FindingsConfig,
    activity: &Activity<'_, '_>,
    key: StreamKey<'_>,
    cad: Cadence,
    ea: &Event,
    eb: &Event,
    tamper: Option<usize>,
    similar: usize,
) -> Gap {
    let (start, end) = (ea.ts_us, eb.ts_us);
    let silence = end - start;
    let ratio = silence as f64 / cad.threshold.max(1) as f64;
    let recurs = similar >= cfg.gap_similar_recurring;
    let mut level: u8 = if ratio >= 2.0 && silence >= 2 * cfg.gap_min_silence_us && !recurs {
        2
    } else {
        1
    };
    let mut why: Vec<String> = Vec::new();
    if recurs {
        why.push(format!(
            "but {similar} other silences of this stream are nearly as long, so it may be its rhythm (nights, weekends)"
        ));
    }
    let t0 = tl.run.t0_us;
    if start < t0 && t0 < end {
        level += 1;
        why.push("it spans T0".to_owned());
    } else if tl.run.window_given && start < tl.run.window.1 && end > tl.run.window.0 {
        level += 1;
        why.push("it overlaps the incident window".to_owned());
    }
    let scope = scope_of(ea);
    if let Some(sc) = scope {
        let (n, names) = activity.others(sc, key.source, start, end);
        if n >= 3 {
            level += 1;
            why.push(format!(
                "{n} events from {} on {sc} show activity meanwhile",
                names.join(", ")
            ));
        }
    }
    let mut evidence = vec![ev_ref(tl, ea), ev_ref(tl, eb)];
    if let Some(t) = tamper.and_then(|i| tl.events.get(i)) {
        level = 3;
        why.push(format!(
            "it follows {} by {} at {}",
            t.action.as_deref().unwrap_or("a logging change"),
            t.actor.as_deref().unwrap_or("an unknown actor"),
            at(t.ts_us)
        ));
        let r = ev_ref(tl, t);
        if !evidence.contains(&r) {
            evidence.insert(0, r);
        }
    }
    let severity = match level {
        0 | 1 => Severity::Low,
        2 => Severity::Medium,
        _ => Severity::High,
    };
    let explain = if silence > cad.threshold {
        format!(
            "{:.1}x the longest silence its own rhythm explains ({})",
            ratio,
            fmt_dur(cad.threshold)
        )
    } else {
        format!(
            "shorter than its usual longest silence ({}) but right after logging was tampered with",
            fmt_dur(cad.threshold)
        )
    };
    let summary = format!(
        "{} fell silent for {} from {} to {} ({} to {}), {}{}{}.",
        key.describe(),
        fmt_dur(silence),
        at(start),
        at(end),
        tplus_model::time::format_offset(tl.offset_us(start)),
        tplus_model::time::format_offset(tl.offset_us(end)),
        explain,
        if why.is_empty() { "" } else { "; " },
        why.join("; ")
    );
    Gap {
        finding: Finding {
            kind: FindingKind::TelemetryGap,
            severity,
            source: Some(key.source.to_owned()),
            host: key.host.map(str::to_owned),
            path: tl.inputs.get(ea.input as usize).map(|i| i.path.clone()),
            start_us: Some(start),
            end_us: Some(end),
            summary,
            evidence,
        },
        tamper,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000;

    #[test]
    fn too_few_events_or_too_sparse_have_no_cadence() {
        let cfg = FindingsConfig::default();
        let few: Vec<i64> = (0..29).map(|k| k * MIN).collect();
        assert!(cadence(&few, &cfg).is_none());
        let sparse: Vec<i64> = (0..100).map(|k| k * 61 * MIN).collect();
        assert!(cadence(&sparse, &cfg).is_none());
        let ok: Vec<i64> = (0..100).map(|k| k * MIN).collect();
        assert!(cadence(&ok, &cfg).is_some());
    }

    #[test]
    fn the_threshold_follows_the_recurring_silences() {
        let cfg = FindingsConfig::default();
        // Every minute, but every 50th silence lasts an hour (bursts with quiet between).
        let mut t = Vec::new();
        let mut x = 0;
        for k in 0..1000 {
            x += if k % 50 == 49 { 60 * MIN } else { MIN };
            t.push(x);
        }
        let c = cadence(&t, &cfg).expect("cadence");
        // 2% of the silences last an hour: the 99th percentile is an hour, x 4.
        assert_eq!(c.threshold, 240 * MIN);
        // A steady minute: the floor.
        let t: Vec<i64> = (0..1000).map(|k| k * MIN).collect();
        assert_eq!(cadence(&t, &cfg).map(|c| c.threshold), Some(10 * MIN));
    }

    #[test]
    fn stream_keys_split_by_region_and_describe_themselves() {
        use tplus_model::{Event, TimeValue};
        let t = TimeValue::Instant(chrono::DateTime::UNIX_EPOCH);
        let e = Event::builder("aws.cloudtrail", t, "0")
            .attr("region", "eu-west-1")
            .build();
        let k = stream_key(&e);
        assert_eq!(k.sub, Some(("region", "eu-west-1")));
        assert_eq!(k.describe(), "aws.cloudtrail (region eu-west-1)");
        let e = Event::builder("linux.syslog", t, "0")
            .host(Some("web-1"))
            .build();
        assert_eq!(stream_key(&e).describe(), "linux.syslog on web-1");
    }

    /// The splitting key is the first of STREAM_ATTRIBUTES (not of the event's own, sorted
    /// keys) whose value is a non-empty string.
    #[test]
    fn stream_key_takes_the_first_listed_key_with_a_text_value() {
        use tplus_model::{Event, TimeValue};
        let t = TimeValue::Instant(chrono::DateTime::UNIX_EPOCH);
        let e = Event::builder("x", t, "0")
            .attr("region", "")
            .attr("log_id", 5)
            .attr("channel", "Security")
            .attr("awsRegion", "us-east-1")
            .attr("Channel", "System")
            .build();
        assert_eq!(stream_key(&e).sub, Some(("awsRegion", "us-east-1")));
        let e = Event::builder("x", t, "0")
            .attr("Channel", "System")
            .attr("log_name", "audit")
            .attr("zone", "a")
            .build();
        assert_eq!(stream_key(&e).sub, Some(("log_name", "audit")));
        let e = Event::builder("x", t, "0").attr("zone", "a").build();
        assert_eq!(stream_key(&e).sub, None);
    }
}
