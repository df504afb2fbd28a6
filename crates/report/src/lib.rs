//! Output sinks. Each renders the finished [`Timeline`] into one file and escapes every piece
//! of log text for its medium; none of them analyses anything.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod csv;
pub mod escape;
mod findings;
mod html;
mod jsonl;
mod preread;
pub mod privacy;

pub use csv::CsvSink;
pub use findings::{finding_json, FindingsSink};
pub use html::HtmlSink;
pub use jsonl::{event_json, JsonlSink};
pub use preread::PrereadSink;

use tplus_model::{Timeline, TimelineSink};

/// The outputs every build writes, in the order custody lists them.
pub fn default_sinks() -> Vec<Box<dyn TimelineSink>> {
    let mut v = record_sinks();
    v.extend(meeting_sinks());
    v
}

/// The forensic record: complete, never pseudonymised or redacted.
pub fn record_sinks() -> Vec<Box<dyn TimelineSink>> {
    vec![
        Box::new(JsonlSink),
        Box::new(CsvSink),
        Box::new(FindingsSink),
    ]
}

/// The documents people read and circulate: these get `--pseudonymise` and `--redact`.
pub fn meeting_sinks() -> Vec<Box<dyn TimelineSink>> {
    vec![Box::new(PrereadSink), Box::new(HtmlSink)]
}

/// The path an event's evidence points to.
pub(crate) fn input_path(tl: &Timeline, input: u32) -> &str {
    tl.inputs
        .get(input as usize)
        .map_or("", |i| i.path.as_str())
}

/// The SHA-256 of an event's input.
pub(crate) fn input_sha(tl: &Timeline, input: u32) -> &str {
    tl.inputs
        .get(input as usize)
        .and_then(|i| i.sha256.as_deref())
        .unwrap_or("")
}
