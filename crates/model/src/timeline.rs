//! What the engine hands to the output sinks.

use std::io;

use crate::event::Event;
use crate::finding::Finding;

/// One input of the run, as custody.json lists it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InputSummary {
    /// The INPUT argument joined with the file's path below it.
    pub path: String,
    /// Size in bytes on disk.
    pub size: u64,
    /// SHA-256 of the bytes on disk (`None` when the file could not be read).
    pub sha256: Option<String>,
    /// Modification time, RFC 3339 UTC.
    pub modified: Option<String>,
    /// Detected (or forced) format id, `unknown` when none matched.
    pub format: String,
    /// Lines (line formats) or records (structured formats) seen.
    pub records: u64,
    /// Records that became events (before cross-file duplicate merging).
    pub events: u64,
    /// Records deliberately not turned into events, duplicates included.
    pub skipped: u64,
    /// Records that could not be read.
    pub errors: u64,
    /// Why the file as a whole could not be read, if so.
    pub error: Option<String>,
    /// Skip reasons with counts, and other per-file remarks.
    pub notes: Vec<String>,
    /// The first error locations and messages.
    pub error_samples: Vec<String>,
}

/// Facts about the run the outputs need (title, T0, window, how zones were decided).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunInfo {
    /// The case title, if a case file gave one.
    pub title: Option<String>,
    /// T0 in microseconds since the epoch.
    pub t0_us: i64,
    /// Whether T0 was given (`--t0` or the case file) rather than taken from the first event.
    pub t0_given: bool,
    /// The incident window (microseconds).
    pub window: (i64, i64),
    /// Whether the window was given rather than defaulted.
    pub window_given: bool,
    /// How time zones and years were decided, one line each.
    pub time_notes: Vec<String>,
    /// The evidence digest: SHA-256 of inputs.sha256.
    pub inputs_digest: String,
    /// The tool version.
    pub tool_version: String,
    /// People invited to the review (case file).
    pub attendees: Vec<String>,
    /// Hypotheses to test (case file).
    pub hypotheses: Vec<String>,
    /// Open questions (case file).
    pub open_questions: Vec<String>,
    /// Duplicate records merged across inputs.
    pub duplicates_merged: u64,
}

/// The finished timeline: events sorted by time, findings, inputs and run facts.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// Events sorted by `(ts_us, input, offset)`.
    pub events: Vec<Event>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Inputs in the order of `input` indices on events.
    pub inputs: Vec<InputSummary>,
    /// Run facts.
    pub run: RunInfo,
}

impl Timeline {
    /// The offset of `ts_us` from T0 in microseconds.
    pub fn offset_us(&self, ts_us: i64) -> i64 {
        ts_us.saturating_sub(self.run.t0_us)
    }
}

/// One output format. Sinks render and escape; they do no analysis, so adding a format
/// never touches the engine.
pub trait TimelineSink: Send + Sync {
    /// The file name written in the output folder.
    fn file_name(&self) -> &'static str;
    /// Writes the whole output.
    ///
    /// # Errors
    /// Only the writer's own I/O errors.
    fn write(&self, timeline: &Timeline, out: &mut dyn io::Write) -> io::Result<()>;
}
