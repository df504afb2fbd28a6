//! The shared contract of tplus: what an event is, how a parser hands events over, how
//! time is resolved, and what a sink receives.
//!
//! Every parser crate (`tplus-auth`, `tplus-cloud`, `tplus-deploy`) depends only on this
//! crate, so the three parser families can grow independently. The engine drives parsers
//! through [`Parser`], resolves the times they could not pin down with [`time`], and hands
//! the finished [`Timeline`] to the report sinks.
//!
//! ```
//! use tplus_model::{time, TimeValue};
//! let t = time::parse_timestamp("2025-11-02T05:22:30.5+01:00").unwrap();
//! assert!(matches!(t, TimeValue::Instant(_)));
//! ```
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod attributes;
mod event;
mod finding;
pub mod hash;
pub mod json;
pub mod lines;
mod parser;
mod shared;
pub mod text;
pub mod time;
mod timeline;

pub use attributes::{AttrKey, Attributes};
/// The inline-when-short string of an event's timestamp text, target and address.
pub use compact_str::CompactString;
pub use event::{
    ActorKind, Confidence, Event, EventBuilder, Location, Outcome, Tag, Tags, TagsIter, TimeValue,
};
pub use finding::{Finding, FindingKind, Severity};
pub use parser::{collect, Collected, Family, Parser, RecordSink, Sniff};
pub use shared::{Interner, Reason, SharedStr};
pub use timeline::{InputSummary, RunInfo, Timeline, TimelineSink};
