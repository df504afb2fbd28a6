//! Output sinks. Each renders the finished [`Timeline`] into one file and escapes every piece
//! of log text for its medium; none of them analyses anything.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod blocks;
mod csv;
pub mod escape;
mod findings;
mod html;
mod jsonl;
mod numbers;
mod preread;
pub mod privacy;
#[doc(hidden)]
pub mod synth;

pub use csv::CsvSink;
pub use findings::{finding_json, FindingsSink};
pub use html::HtmlSink;
pub use jsonl::{event_json, JsonlSink};
pub use preread::PrereadSink;

use tplus_model::{Timeline, TimelineSink};

/// The outputs every build writes, in the order custody lists them.
pub fn default_sinks() -> Vec<Box<dyn TimelineSink>> {
    vec![
        Box::new(JsonlSink),
        Box::new(CsvSink),
        Box::new(FindingsSink),
        Box::new(PrereadSink::default()),
        Box::new(HtmlSink::default()),
    ]
}

/// The evidence outputs: complete and unaltered whatever `--pseudonymise`/`--redact` say.
pub fn evidence_sinks() -> Vec<Box<dyn TimelineSink>> {
    vec![
        Box::new(JsonlSink),
        Box::new(CsvSink),
        Box::new(FindingsSink),
    ]
}

/// The reading outputs (pre-read and report), with a notice saying how the shared version
/// was altered (pseudonymised, redacted), shown at the top of each.
pub fn reading_sinks(notice: Option<String>) -> Vec<Box<dyn TimelineSink>> {
    vec![
        Box::new(PrereadSink {
            notice: notice.clone(),
        }),
        Box::new(HtmlSink {
            notice,
            ..HtmlSink::default()
        }),
    ]
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
