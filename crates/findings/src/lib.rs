//! Findings: what the timeline says about the evidence itself.
//!
//! The analysis reads the finished, sorted timeline and never re-parses anything: parsers mark
//! what matters (tags such as [`Tag::LoggingTamper`]) and the engine's per-file accounting says
//! where records were lost. Each finding carries a one-sentence summary an analyst can paste
//! and evidence pointing at events or lines.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

use tplus_model::{Event, Finding, FindingKind, Severity, Tag, Timeline};

/// Tunable thresholds. The defaults are meant to be right without tuning.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FindingsConfig {
    /// How many error locations a parse_errors finding lists.
    pub max_error_locations: usize,
    /// Format ids the case file expects; an absent one is a `source_missing` finding.
    pub expected_sources: Vec<String>,
}

impl Default for FindingsConfig {
    fn default() -> Self {
        FindingsConfig {
            max_error_locations: 5,
            expected_sources: Vec::new(),
        }
    }
}

/// `path:line` or `path#record`: how findings point at evidence.
pub fn evidence_ref(tl: &Timeline, e: &Event) -> String {
    let path = tl
        .inputs
        .get(e.input as usize)
        .map_or("?", |i| i.path.as_str());
    match (e.location.line, e.location.record) {
        (Some(l), _) => format!("{path}:{l}"),
        (None, Some(r)) => format!("{path}#{r}"),
        (None, None) => format!("{path}@{}", e.location.offset),
    }
}

/// Runs every analysis over the timeline and returns the findings, most severe first, then
/// by time.
pub fn analyse(tl: &Timeline, cfg: &FindingsConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    input_findings(tl, cfg, &mut out);
    tamper_findings(tl, &mut out);
    missing_sources(tl, cfg, &mut out);
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.start_us.cmp(&b.start_us))
            .then(a.kind.cmp(&b.kind))
            .then(a.path.cmp(&b.path))
    });
    out
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

fn tamper_findings(tl: &Timeline, out: &mut Vec<Finding>) {
    for e in tl.events.iter().filter(|e| e.has_tag(Tag::LoggingTamper)) {
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
        out.push(Finding {
            kind: FindingKind::LoggingTamper,
            severity: if failed {
                Severity::Medium
            } else {
                Severity::High
            },
            source: Some(e.source.to_owned()),
            host: e.host.clone(),
            path: tl.inputs.get(e.input as usize).map(|i| i.path.clone()),
            start_us: Some(e.ts_us),
            end_us: Some(e.ts_us),
            summary: format!(
                "{what} by {who}{} at {} ({}): logging may be incomplete after this point.",
                if failed { " (attempt refused)" } else { "" },
                tplus_model::time::format_utc(e.ts_us),
                tplus_model::time::format_offset(tl.offset_us(e.ts_us)),
            ),
            evidence: vec![e.event_id.clone().unwrap_or_else(|| evidence_ref(tl, e))],
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
