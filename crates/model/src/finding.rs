//! Findings: what the timeline says about the evidence itself (gaps, tamper, skew, errors).

use serde::Serialize;

/// What kind of finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingKind {
    /// A stream fell silent for longer than its own cadence explains.
    TelemetryGap,
    /// A source starts after T0 or ends before the end of the incident window.
    CoverageGap,
    /// An expected source (case file) is absent.
    SourceMissing,
    /// Logging was stopped, deleted, reconfigured or cleared.
    LoggingTamper,
    /// Two sources disagree on the time of one happening.
    ClockSkew,
    /// A file had lines or records that could not be read.
    ParseErrors,
    /// A file was not recognised as any supported format, or could not be read.
    UnreadInput,
    /// The same records arrived more than once (duplicate deliveries, overlapping rotations).
    DuplicateRecords,
}

impl FindingKind {
    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::TelemetryGap => "telemetry_gap",
            FindingKind::CoverageGap => "coverage_gap",
            FindingKind::SourceMissing => "source_missing",
            FindingKind::LoggingTamper => "logging_tamper",
            FindingKind::ClockSkew => "clock_skew",
            FindingKind::ParseErrors => "parse_errors",
            FindingKind::UnreadInput => "unread_input",
            FindingKind::DuplicateRecords => "duplicate_records",
        }
    }
}

/// How much a finding matters to the investigation. Ordered: `Info < Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Minor.
    Low,
    /// Should be looked at.
    Medium,
    /// Changes what the timeline can be trusted for.
    High,
}

impl Severity {
    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One finding. Times are microseconds since the epoch (UTC); the sinks render them.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// How much it matters.
    pub severity: Severity,
    /// The format id concerned, when one.
    pub source: Option<String>,
    /// The host concerned, when one.
    pub host: Option<String>,
    /// The input path concerned, when one.
    pub path: Option<String>,
    /// Start of the window (for a gap: the last event before the silence).
    pub start_us: Option<i64>,
    /// End of the window (for a gap: the first event after the silence).
    pub end_us: Option<i64>,
    /// One sentence an analyst can paste.
    pub summary: String,
    /// Event ids or evidence references (`path:line`, `path#record`) it rests on.
    pub evidence: Vec<String>,
}
