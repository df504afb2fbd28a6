//! The contract between the engine and every format parser.

use std::collections::BTreeMap;

use crate::event::{Event, Location};
use crate::shared::{Interner, SharedStr};

/// The three parser families; each lives in its own crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Authentication and access logs (syslog, journald, Windows Security, IdPs).
    Auth,
    /// Cloud control-plane audit trails.
    Cloud,
    /// Deploys and other changes.
    Deploy,
}

impl Family {
    /// Lower-case name for listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Auth => "auth",
            Family::Cloud => "cloud",
            Family::Deploy => "deploy",
        }
    }
}

/// How well a file's first bytes match a format: 0 means not at all. The engine picks the
/// highest score; a parser that checks distinctive keys should score above one that only
/// checks the line shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Sniff(pub u8);

impl Sniff {
    /// No match.
    pub const NO: Sniff = Sniff(0);
    /// Matches a generic shape (a syslog line, a JSON object).
    pub const WEAK: Sniff = Sniff(10);
    /// Matches the format's distinctive keys or markers.
    pub const STRONG: Sniff = Sniff(50);
    /// Matches keys no other format has.
    pub const CERTAIN: Sniff = Sniff(90);
}

/// Where a parser hands over each record's result: exactly one call per line or record.
///
/// That one-call rule is what makes `records == events + skipped + errors` hold for every
/// input, so a parser must never swallow a record without telling the sink.
pub trait RecordSink {
    /// A record became an event.
    fn event(&mut self, event: Event);
    /// A record was read and deliberately not turned into an event (blank line, comment,
    /// digest file, a repeat marker folded into the previous event's count).
    fn skipped(&mut self, at: Location, reason: &str);
    /// A record could not be read (malformed, no timestamp, truncated).
    fn error(&mut self, at: Location, message: String);
    /// The last event handed over, so a continuation line or a repeat marker can amend it.
    fn previous(&mut self) -> Option<&mut Event>;
    /// A hint that at most about `additional` more events are coming (a line parser can
    /// count its lines first), so a sink that keeps events can allocate for them once
    /// instead of growing and copying. Ignored by default.
    fn reserve(&mut self, additional: usize) {
        let _ = additional;
    }
    /// The shared copy of a host, actor or action text. A sink that keeps events hands out
    /// one copy per distinct text (see [`crate::Interner`]); by default each call allocates.
    fn intern(&mut self, text: &str) -> SharedStr {
        SharedStr::from(text)
    }
}

/// A log format the engine can read.
pub trait Parser: Send + Sync {
    /// The format id written in `source` (`linux.syslog`, `aws.cloudtrail`...).
    fn id(&self) -> &'static str;
    /// Which family it belongs to.
    fn family(&self) -> Family;
    /// One line for `tplus formats`.
    fn describe(&self) -> &'static str;
    /// Scores the first bytes (up to 64 KiB, decompressed) of an input.
    fn sniff(&self, head: &[u8]) -> Sniff;
    /// Parses a whole input, one sink call per line or record.
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink);
    /// Whether records are lines that can be parsed independently from any line boundary,
    /// so a large input may be split into line-aligned chunks parsed in parallel.
    fn line_oriented(&self) -> bool {
        false
    }
    /// Parses a line-aligned chunk whose first line has number `first_line` and starts at
    /// byte `base_offset` of the input. Only called when [`Parser::line_oriented`] is true.
    fn parse_chunk(
        &self,
        data: &[u8],
        first_line: u64,
        base_offset: u64,
        sink: &mut dyn RecordSink,
    ) {
        let _ = (first_line, base_offset);
        self.parse(data, sink);
    }
    /// Whether a chunk of a line-oriented input may start at `line`. Lines that amend the
    /// previous event (continuation lines, `last message repeated N times`) must return
    /// false so that chunked and whole-file parsing give identical results.
    fn is_chunk_boundary(&self, line: &[u8]) -> bool {
        let _ = line;
        true
    }
    /// Whether events with the same `event_id` in this format are one happening delivered
    /// more than once (CloudTrail `eventID`, GCP `insertId`), to be merged and counted.
    fn dedup_by_event_id(&self) -> bool {
        false
    }
    /// Whether the source writes records in time order, so a step back in time means a DST
    /// fold, a year rollover or a disorder worth reporting.
    fn chronological(&self) -> bool {
        false
    }
}

/// A [`RecordSink`] that keeps everything in memory, with counts and the reasons.
#[derive(Debug, Default)]
pub struct Collected {
    /// The events, in input order.
    pub events: Vec<Event>,
    /// Records skipped.
    pub skipped: u64,
    /// Skip reasons with their count and first location.
    pub skip_reasons: BTreeMap<String, (u64, Location)>,
    /// Records in error.
    pub errors: u64,
    /// The first errors (at most [`Collected::MAX_ERROR_SAMPLES`]).
    pub error_samples: Vec<(Location, String)>,
    /// The hosts, actors and actions handed out by [`RecordSink::intern`] for this parse
    /// (the events keep their references when it is dropped).
    pub names: Interner,
}

impl Collected {
    /// How many error messages are kept; the count is always exact.
    pub const MAX_ERROR_SAMPLES: usize = 20;

    /// Lines or records seen.
    pub fn records(&self) -> u64 {
        self.events.len() as u64 + self.skipped + self.errors
    }

    /// Appends another chunk's results (chunks are appended in input order).
    pub fn append(&mut self, mut other: Collected) {
        self.events.append(&mut other.events);
        self.skipped += other.skipped;
        for (reason, (n, loc)) in other.skip_reasons {
            let e = self.skip_reasons.entry(reason).or_insert((0, loc));
            e.0 += n;
        }
        self.errors += other.errors;
        for s in other.error_samples {
            if self.error_samples.len() < Self::MAX_ERROR_SAMPLES {
                self.error_samples.push(s);
            }
        }
    }
}

impl RecordSink for Collected {
    fn event(&mut self, event: Event) {
        self.events.push(event);
        // Hosts, actors and actions a parser did not take from `intern` (most go through
        // the builder, one string per event) are shared here, so every format keeps one
        // copy per distinct text; the hot parsers intern up front and skip the allocation.
        // (In place: changing the event before the push copied it once more.)
        if let Some(e) = self.events.last_mut() {
            self.names
                .share_all([&mut e.host, &mut e.actor, &mut e.action]);
        }
    }
    fn skipped(&mut self, at: Location, reason: &str) {
        self.skipped += 1;
        match self.skip_reasons.get_mut(reason) {
            Some(e) => e.0 += 1,
            None => {
                self.skip_reasons.insert(reason.to_owned(), (1, at));
            }
        }
    }
    fn error(&mut self, at: Location, message: String) {
        self.errors += 1;
        if self.error_samples.len() < Self::MAX_ERROR_SAMPLES {
            self.error_samples.push((at, message));
        }
    }
    fn previous(&mut self) -> Option<&mut Event> {
        self.events.last_mut()
    }
    fn reserve(&mut self, additional: usize) {
        // A hint: when the room cannot be had, the events grow as they come.
        let _ = self.events.try_reserve(additional);
    }
    fn intern(&mut self, text: &str) -> SharedStr {
        self.names.intern(text)
    }
}

/// Runs `parser` over `data` and keeps everything: the way tests and benches drive a parser.
pub fn collect(parser: &dyn Parser, data: &[u8]) -> Collected {
    let mut c = Collected::default();
    parser.parse(data, &mut c);
    c
}
