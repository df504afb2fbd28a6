//! Findings: what the timeline says about the evidence itself.
//!
//! The analysis reads the finished, sorted timeline and never re-parses anything: parsers mark
//! what matters (tags such as [`Tag::LoggingTamper`]) and the engine's per-file accounting says
//! where records were lost. Each finding carries a one-sentence summary an analyst can paste
//! and evidence pointing at events or lines.
//!
//! | kind | from | severity |
//! |---|---|---|
//! | `telemetry_gap` | per stream (format x host x region/log/channel, [`stream_key`]): a silence beyond the stream's own cadence (see `gaps`) | low; medium when far beyond it and unique; +1 over T0 or a given window; +1 when other sources on the host/account were active; high after a tamper event |
//! | `coverage_gap` | a source (format x host) starting after a given T0 or ending before a given window's end | medium (starts late, or ends before T0), low (ends early), high after a tamper event |
//! | `logging_tamper` | events tagged [`Tag::LoggingTamper`], linked to the silence that follows | high; medium when refused |
//! | `clock_skew` | journald vs syslog copies of one host's lines; IdP vs cloud-trail logins ([`skew`]) | medium; high beyond an hour |
//! | `duplicate_records` | journald and syslog holding the same lines in agreement | info |
//! | `parse_errors`, `unread_input`, `source_missing` | the engine's per-file accounting, the case file | low/medium, medium, high |
//!
//! Everything is linear in the number of events: one grouping pass (one hash per event),
//! order statistics by selection, binary searches for the few candidate silences.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod coverage;
mod gaps;
pub mod skew;
mod util;

use tplus_model::{Finding, FindingKind, Severity, Tag, Timeline};

pub use gaps::{stream_key, StreamKey, STREAM_ATTRIBUTES};
pub use util::{evidence_ref, scope_of};

/// Tunable thresholds. The defaults are meant to be right without tuning; each one says why.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FindingsConfig {
    /// How many error locations a parse_errors finding lists (5: enough to find the pattern).
    pub max_error_locations: usize,
    /// Format ids the case file expects; an absent one is a `source_missing` finding.
    pub expected_sources: Vec<String>,
    /// A stream needs at least this many events before its cadence is learned and its
    /// silences judged (30): fewer (three deploys a day) give no gap findings.
    pub gap_min_events: usize,
    /// A stream whose mean inter-arrival time is longer than this (1 h) is sparse: three
    /// deploys a day have no cadence to break, so they give no gap findings.
    pub gap_sparse_mean_us: i64,
    /// No silence shorter than this is ever a gap (10 min): a shorter one is rarely what an
    /// incident review needs to discuss, whatever the stream's cadence.
    pub gap_min_silence_us: i64,
    /// A gap must exceed this multiple of the stream's 99th-percentile inter-arrival time (4):
    /// for a steady stream that is far beyond anything its own rhythm produces.
    pub gap_cadence_factor: f64,
    /// ... and this multiple of the stream's recurring long silences (3), the
    /// `gap_recurrence_rank`-th longest one: quiet between bursts, nights and weekends recur,
    /// so a bursty or office-hours stream is judged against its own quiet periods.
    pub gap_recurrence_factor: f64,
    /// Which longest silence counts as "recurring" (4th: up to three real holes in one stream
    /// do not hide each other).
    pub gap_recurrence_rank: usize,
    /// A gap with at least this many other silences of the stream two thirds as long or
    /// longer recurs (1: two weekends in a fortnight, two nightly maintenance windows) and
    /// stays low severity unless its context (T0, other sources, tamper) raises it.
    pub gap_similar_recurring: usize,
    /// A logging_tamper event up to this long before a silence (or inside it) is linked to it
    /// (15 min: a service stopped, then the last buffered lines flushed).
    pub gap_tamper_link_us: i64,
    /// A source that starts after T0 or ends before the window's end by less than this is
    /// not a coverage gap (5 min), nor by less than its own gap threshold.
    pub coverage_tolerance_us: i64,
    /// The same line in journald and in a syslog file of one host: offsets up to this are
    /// normal (2 s: traditional syslog truncates to the second, and rsyslog writes a moment
    /// after journald stores).
    pub skew_host_tolerance_us: i64,
    /// An IdP login and the cloud trail's login for the same actor: median offsets up to this
    /// are normal (120 s: the SAML hand-off and a user choosing the app tile take time).
    pub skew_login_tolerance_us: i64,
    /// How far apart an IdP login and a cloud login may be and still be paired (10 min).
    pub skew_login_match_us: i64,
    /// How many matched pairs an offset estimate needs (3).
    pub skew_min_pairs: usize,
}

impl Default for FindingsConfig {
    fn default() -> Self {
        FindingsConfig {
            max_error_locations: 5,
            expected_sources: Vec::new(),
            gap_min_events: 30,
            gap_sparse_mean_us: 60 * MINUTE,
            gap_min_silence_us: 10 * MINUTE,
            gap_cadence_factor: 4.0,
            gap_recurrence_factor: 3.0,
            gap_recurrence_rank: 4,
            gap_similar_recurring: 1,
            gap_tamper_link_us: 15 * MINUTE,
            coverage_tolerance_us: 5 * MINUTE,
            skew_host_tolerance_us: 2 * SECOND,
            skew_login_tolerance_us: 120 * SECOND,
            skew_login_match_us: 10 * MINUTE,
            skew_min_pairs: 3,
        }
    }
}

/// One second in microseconds.
pub const SECOND: i64 = 1_000_000;
/// One minute in microseconds.
pub const MINUTE: i64 = 60 * SECOND;

/// Runs every analysis over the timeline and returns the findings, most severe first, then
/// by time. Clock skew lowers the confidence of the skewed source's events (with the reason),
/// hence `&mut`.
pub fn analyse(tl: &mut Timeline, cfg: &FindingsConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    input_findings(tl, cfg, &mut out);
    let tampers = tamper_events(tl);
    let streams = gaps::group(tl, cfg);
    let gap_list = gaps::find_gaps(tl, cfg, &streams, &tampers);
    let cov = coverage::coverage_gaps(tl, cfg, &streams, &tampers);
    drop(streams);
    tamper_findings(tl, &tampers, &gap_list, &cov, &mut out);
    out.extend(gap_list.into_iter().map(|g| g.finding));
    out.extend(cov.into_iter().map(|c| c.finding));
    missing_sources(tl, cfg, &mut out);
    let (skew_findings, lowered) = skew::clock_skew(tl, cfg);
    out.extend(skew_findings);
    skew::apply(tl, &lowered);
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.start_us.cmp(&b.start_us))
            .then(a.kind.cmp(&b.kind))
            .then(a.path.cmp(&b.path))
    });
    out
}

/// Indices of the events marked [`Tag::LoggingTamper`], in time order.
fn tamper_events(tl: &Timeline) -> Vec<usize> {
    tl.events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.has_tag(Tag::LoggingTamper))
        .map(|(i, _)| i)
        .collect()
}

fn input_findings(tl: &Timeline, cfg: &FindingsConfig, out: &mut Vec<Finding>) {
    for i in &tl.inputs {
        if let Some(err) = &i.error {
            let unread = i.events == 0;
            out.push(Finding {
                kind: if unread {
                    FindingKind::UnreadInput
                } else {
                    FindingKind::ParseErrors
                },
                severity: if unread {
                    Severity::Medium
                } else {
                    Severity::Low
                },
                source: Some(i.format.clone()),
                host: None,
                path: Some(i.path.clone()),
                start_us: None,
                end_us: None,
                summary: format!("{} could not be read in full: {err}.", i.path),
                evidence: vec![i.path.clone()],
            });
            continue;
        }
        if i.errors > 0 {
            let share = i.errors as f64 / i.records.max(1) as f64;
            let severity = if share >= 0.1 {
                Severity::Medium
            } else {
                Severity::Low
            };
            let locs: Vec<String> = i
                .error_samples
                .iter()
                .take(cfg.max_error_locations)
                .cloned()
                .collect();
            out.push(Finding {
                kind: FindingKind::ParseErrors,
                severity,
                source: Some(i.format.clone()),
                host: None,
                path: Some(i.path.clone()),
                start_us: None,
                end_us: None,
                summary: format!(
                    "{} of {} records in {} ({}) could not be read; first: {}.",
                    i.errors,
                    i.records,
                    i.path,
                    i.format,
                    locs.first().map_or("-", String::as_str)
                ),
                evidence: locs,
            });
        }
    }
}

fn tamper_findings(
    tl: &Timeline,
    tampers: &[usize],
    gaps: &[gaps::Gap],
    cov: &[coverage::Coverage],
    out: &mut Vec<Finding>,
) {
    for &i in tampers {
        let Some(e) = tl.events.get(i) else { continue };
        let what = match (
            e.action.as_deref(),
            e.attributes.get("command").and_then(|c| c.as_str()),
        ) {
            (Some(a), Some(cmd)) => format!("{a} `{}`", tplus_model::text::excerpt(cmd, 120)),
            (Some(a), None) => a.to_owned(),
            (None, _) => "logging change".to_owned(),
        };
        let who = e.actor.as_deref().unwrap_or("an unknown actor");
        let failed = e.outcome == tplus_model::Outcome::Failure;
        let mut evidence = vec![util::ev_ref(tl, e)];
        // The silence that follows, when there is one.
        let follow = gaps
            .iter()
            .filter(|g| g.tamper == Some(i))
            .map(|g| &g.finding)
            .chain(
                cov.iter()
                    .filter(|c| c.tamper == Some(i))
                    .map(|c| &c.finding),
            )
            .min_by_key(|f| f.start_us);
        let tail = match follow {
            Some(f) => {
                for r in &f.evidence {
                    if !evidence.contains(r) {
                        evidence.push(r.clone());
                    }
                }
                let name = match &f.host {
                    Some(h) => format!("{} on {h}", f.source.as_deref().unwrap_or("the log")),
                    None => f.source.clone().unwrap_or_else(|| "the log".to_owned()),
                };
                let what = match (f.kind, f.start_us, f.end_us) {
                    (FindingKind::TelemetryGap, Some(a), Some(b)) => format!(
                        "{name} then fell silent for {} (until {})",
                        util::fmt_dur(b - a),
                        util::at(b)
                    ),
                    (_, Some(a), _) => format!("{name} then ends at {}", util::at(a)),
                    _ => "a silence follows".to_owned(),
                };
                format!(": {what}")
            }
            None if failed => {
                ": the attempt was refused, so logging presumably continued".to_owned()
            }
            None => ": logging may be incomplete after this point".to_owned(),
        };
        out.push(Finding {
            kind: FindingKind::LoggingTamper,
            severity: if failed {
                Severity::Medium
            } else {
                Severity::High
            },
            source: Some(e.source.to_owned()),
            host: e.host.as_deref().map(str::to_owned),
            path: tl.inputs.get(e.input as usize).map(|i| i.path.clone()),
            start_us: Some(e.ts_us),
            end_us: Some(follow.and_then(|f| f.end_us).unwrap_or(e.ts_us)),
            summary: format!(
                "{what} by {who}{} at {} ({}){tail}.",
                if failed { " (attempt refused)" } else { "" },
                util::at(e.ts_us),
                tplus_model::time::format_offset(tl.offset_us(e.ts_us)),
            ),
            evidence,
        });
    }
}

fn missing_sources(tl: &Timeline, cfg: &FindingsConfig, out: &mut Vec<Finding>) {
    for want in &cfg.expected_sources {
        let present = tl.inputs.iter().any(|i| i.format == *want && i.events > 0);
        if !present {
            out.push(Finding {
                kind: FindingKind::SourceMissing,
                severity: Severity::High,
                source: Some(want.clone()),
                host: None,
                path: None,
                start_us: None,
                end_us: None,
                summary: format!("The case file expects {want} evidence, but no input of that format produced any event."),
                evidence: Vec::new(),
            });
        }
    }
}
