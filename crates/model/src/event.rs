//! The event: one happening seen in one input, with where it came from and how sure we are
//! of its time.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, NaiveTime, Utc};
use compact_str::CompactString;
use serde::Serialize;

use crate::attributes::{AttrKey, Attributes};
use crate::shared::{Reason, SharedStr};

/// The time as the parser found it, before the engine resolves zone and year.
///
/// Parsers never guess: a timestamp without a zone stays [`TimeValue::Local`] and one
/// without a year stays [`TimeValue::LocalNoYear`]; the engine resolves both with the
/// run's `--tz` and `--year` settings and records how it decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeValue {
    /// A fixed instant: the text carried `Z`, an offset, or was an epoch.
    Instant(DateTime<Utc>),
    /// A wall-clock time with a date but no zone.
    Local(NaiveDateTime),
    /// A wall-clock time without year or zone (classic syslog `Mmm dd hh:mm:ss`).
    LocalNoYear {
        /// Month, 1-12.
        month: u32,
        /// Day of month, 1-31 (Feb 29 is legal: it constrains the year).
        day: u32,
        /// Time of day, with any fraction the line had.
        time: NaiveTime,
    },
}

/// Who acted, as far as the format itself says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ActorKind {
    /// A person.
    Human,
    /// CI, bots, schedulers, service accounts acting on their own.
    Automation,
    /// The system or a cloud service acting for itself (SYSTEM, `AWSService`, `system:` users).
    Service,
    /// The format does not say.
    #[default]
    Unknown,
}

impl ActorKind {
    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Human => "human",
            ActorKind::Automation => "automation",
            ActorKind::Service => "service",
            ActorKind::Unknown => "unknown",
        }
    }
}

/// Whether the action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It worked.
    Success,
    /// It was refused or failed.
    Failure,
    /// The record does not say, or the action has no outcome.
    #[default]
    Unknown,
}

impl Outcome {
    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Unknown => "unknown",
        }
    }
}

/// How far the event's time (and its attribution) can be trusted. Ordered: `Low < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Defaulted zone, unresolved DST fold or gap, suspected skew, out of order.
    Low,
    /// Zone or year from configuration or inference; a fold resolved from file order.
    Medium,
    /// The timestamp carries its own zone and nothing contradicts it.
    #[default]
    High,
}

impl Confidence {
    /// The contract's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// Marks that the findings engine and the pre-read rank and group by.
///
/// Parsers set them from what the record says (an API name, an event id), so the
/// analysis never has to re-parse messages. A new variant goes last and into [`Tags::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Tag {
    /// Logging was stopped, deleted, reconfigured or cleared.
    LoggingTamper,
    /// A login or authentication attempt.
    Authentication,
    /// Privileges were raised (sudo to root, admin group add, special privileges).
    PrivilegeChange,
    /// A credential was created or changed (access key, password, login profile).
    CredentialChange,
    /// An account was created, enabled, disabled or deleted.
    AccountChange,
    /// A permission policy changed.
    PolicyChange,
    /// A console or interactive login without MFA.
    LoginWithoutMfa,
    /// A deploy began.
    DeployStarted,
    /// A deploy finished well.
    DeploySucceeded,
    /// A deploy failed or was cancelled.
    DeployFailed,
    /// A rollback to an earlier version.
    Rollback,
    /// A scale up or down.
    Scaled,
    /// A session started or ended.
    Session,
    /// A process or command ran.
    Execution,
}

/// An event's tags, each at most once, in the order they were added, packed into one word.
///
/// A `Vec<Tag>` was 24 bytes in every event and an allocation in every tagged one (most auth
/// lines); a tag fits in four bits, and an event carries each of the 14 at most once, so 64
/// bits hold any set in its order. Outputs iterate in insertion order, as they did.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Tags(u64);

impl Tags {
    /// Every tag in declaration order: a tag's code is its place here plus one (0 ends the list).
    pub const ALL: [Tag; 14] = [
        Tag::LoggingTamper,
        Tag::Authentication,
        Tag::PrivilegeChange,
        Tag::CredentialChange,
        Tag::AccountChange,
        Tag::PolicyChange,
        Tag::LoginWithoutMfa,
        Tag::DeployStarted,
        Tag::DeploySucceeded,
        Tag::DeployFailed,
        Tag::Rollback,
        Tag::Scaled,
        Tag::Session,
        Tag::Execution,
    ];
    /// No tags.
    pub const fn new() -> Self {
        Tags(0)
    }

    /// How many tags are set.
    pub fn len(self) -> usize {
        (64 - self.0.leading_zeros() as usize).div_ceil(4)
    }

    /// Whether none is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `tag` is set.
    pub fn contains(self, tag: Tag) -> bool {
        self.iter().any(|t| t == tag)
    }

    /// Adds `tag` after the others unless it is already set; returns whether it was added.
    pub fn insert(&mut self, tag: Tag) -> bool {
        if self.contains(tag) {
            return false;
        }
        self.0 |= (tag as u64 + 1) << (4 * self.len());
        true
    }

    /// The tags in the order they were added.
    pub fn iter(self) -> TagsIter {
        TagsIter(self.0)
    }
}

// Four bits a tag, 0 for none: at most 15 tags, all of them in `Tags::ALL`.
const _: () = assert!(Tags::ALL.len() < 16 && Tag::Execution as usize + 1 == Tags::ALL.len());

impl FromIterator<Tag> for Tags {
    fn from_iter<I: IntoIterator<Item = Tag>>(iter: I) -> Self {
        let mut tags = Tags::new();
        for t in iter {
            tags.insert(t);
        }
        tags
    }
}

/// The tags of a [`Tags`] in the order they were added.
#[derive(Debug, Clone)]
pub struct TagsIter(u64);

impl Iterator for TagsIter {
    type Item = Tag;
    fn next(&mut self) -> Option<Tag> {
        let code = (self.0 & 0xf) as usize;
        if code == 0 {
            return None;
        }
        self.0 >>= 4;
        Some(Tags::ALL[code - 1])
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = Tags(self.0).len();
        (n, Some(n))
    }
}

impl ExactSizeIterator for TagsIter {}

impl IntoIterator for Tags {
    type Item = Tag;
    type IntoIter = TagsIter;
    fn into_iter(self) -> TagsIter {
        TagsIter(self.0)
    }
}

impl IntoIterator for &Tags {
    type Item = Tag;
    type IntoIter = TagsIter;
    fn into_iter(self) -> TagsIter {
        TagsIter(self.0)
    }
}

impl std::fmt::Debug for Tags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Tags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// Where in its input an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Location {
    /// 1-based line, for line formats.
    pub line: Option<u64>,
    /// 0-based record index, for structured formats.
    pub record: Option<u64>,
    /// Byte offset in the (decompressed) stream.
    pub offset: u64,
}

impl Location {
    /// A line-format location.
    pub fn line(line: u64, offset: u64) -> Self {
        Location {
            line: Some(line),
            record: None,
            offset,
        }
    }
    /// A structured-format location.
    pub fn record(record: u64, offset: u64) -> Self {
        Location {
            line: None,
            record: Some(record),
            offset,
        }
    }
    /// A record that also has a line (one JSON object per line).
    pub fn line_record(line: u64, record: u64, offset: u64) -> Self {
        Location {
            line: Some(line),
            record: Some(record),
            offset,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.record) {
            (Some(l), _) => write!(f, "line {l} (byte {})", self.offset),
            (None, Some(r)) => write!(f, "record {r} (byte {})", self.offset),
            (None, None) => write!(f, "byte {}", self.offset),
        }
    }
}

/// One event of the timeline.
///
/// Parsers fill everything but `ts_us`, `input` and the time-derived confidence; the
/// engine resolves [`TimeValue`] into `ts_us` and lowers `confidence` with a reason
/// whenever it had to infer something.
#[derive(Debug, Clone)]
pub struct Event {
    /// The time as parsed.
    pub time: TimeValue,
    /// The resolved UTC instant in microseconds since the Unix epoch (set by the engine).
    pub ts_us: i64,
    /// The timestamp exactly as written in the source (inline up to 24 bytes: a syslog or
    /// CloudTrail stamp costs no allocation).
    pub ts_raw: CompactString,
    /// What the time means (`Event Recorded`, `Login`, `Deploy Started`...): almost always a
    /// parser's constant, so borrowed rather than allocated per event.
    pub timestamp_desc: Cow<'static, str>,
    /// The line's message as written, or a one-line summary of a structured record.
    pub message: String,
    /// The format id (`linux.syslog`, `aws.cloudtrail`...).
    pub source: &'static str,
    /// Host as logged (shared: a file names few hosts).
    pub host: Option<SharedStr>,
    /// Who acted (shared: a file names few actors).
    pub actor: Option<SharedStr>,
    /// What kind of actor, from what the format says.
    pub actor_kind: ActorKind,
    /// What was done, normalised per format (`ssh.login`, `iam:CreateAccessKey`...): a small
    /// vocabulary, so shared.
    pub action: Option<SharedStr>,
    /// What it was done to (inline up to 24 bytes: mostly an account name).
    pub target: Option<CompactString>,
    /// The client address, only when it is an IP address (always inline).
    pub src_ip: Option<CompactString>,
    /// Success or failure.
    pub outcome: Outcome,
    /// The source's own id for the event.
    pub event_id: Option<String>,
    /// Trust in the time and attribution.
    pub confidence: Confidence,
    /// Why the confidence is below high, or what was inferred.
    pub confidence_reasons: Vec<Reason>,
    /// Where the event is in its input.
    pub location: Location,
    /// Index of the input in the run (set by the engine).
    pub input: u32,
    /// Marks for ranking and findings.
    pub tags: Tags,
    /// 0-100: how much an analyst would want to see this in a short summary.
    pub significance: u8,
    /// How many identical happenings this one event stands for (`last message repeated`,
    /// Kubernetes event counts). 1 for a plain event.
    pub count: u64,
    /// Format-specific fields worth keeping (versions, environments, logon types...).
    pub attributes: Attributes,
}

impl Event {
    /// Starts an event; see [`EventBuilder`].
    pub fn builder(
        source: &'static str,
        time: TimeValue,
        ts_raw: impl Into<CompactString>,
    ) -> EventBuilder {
        EventBuilder {
            event: Event::new(source, time, ts_raw.into(), "Event Recorded"),
        }
    }

    /// An event with the builder's defaults and the given timestamp text and description,
    /// for hot parsers that set the public fields in place rather than moving a builder
    /// through a chain of calls.
    pub fn new(
        source: &'static str,
        time: TimeValue,
        ts_raw: CompactString,
        timestamp_desc: impl Into<Cow<'static, str>>,
    ) -> Event {
        Event {
            time,
            ts_us: 0,
            ts_raw,
            timestamp_desc: timestamp_desc.into(),
            message: String::new(),
            source,
            host: None,
            actor: None,
            actor_kind: ActorKind::Unknown,
            action: None,
            target: None,
            src_ip: None,
            outcome: Outcome::Unknown,
            event_id: None,
            confidence: Confidence::High,
            confidence_reasons: Vec::new(),
            location: Location::default(),
            input: 0,
            tags: Tags::new(),
            significance: 0,
            count: 1,
            attributes: Attributes::new(),
        }
    }

    /// Lowers the confidence to at most `level` and records why. Never raises it.
    pub fn lower_confidence(&mut self, level: Confidence, reason: impl Into<Reason>) {
        if level < self.confidence {
            self.confidence = level;
        }
        let reason = reason.into();
        if !self.confidence_reasons.contains(&reason) {
            self.confidence_reasons.push(reason);
        }
    }

    /// Adds a tag once.
    pub fn tag(&mut self, tag: Tag) {
        self.tags.insert(tag);
    }

    /// Whether the event carries `tag`.
    pub fn has_tag(&self, tag: Tag) -> bool {
        self.tags.contains(tag)
    }

    /// The resolved time as a chrono value.
    pub fn datetime(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_micros(self.ts_us).unwrap_or_default()
    }
}

/// Fluent construction of an [`Event`], so parsers state only what they know.
#[derive(Debug)]
#[must_use]
pub struct EventBuilder {
    event: Event,
}

impl EventBuilder {
    /// Sets the message.
    pub fn message(mut self, m: impl Into<String>) -> Self {
        self.event.message = m.into();
        self
    }
    /// Sets what the time means.
    pub fn desc(mut self, d: impl Into<Cow<'static, str>>) -> Self {
        self.event.timestamp_desc = d.into();
        self
    }
    /// Sets the host.
    pub fn host(mut self, h: Option<impl Into<SharedStr>>) -> Self {
        self.event.host = h.map(Into::into);
        self
    }
    /// Sets the actor.
    pub fn actor(mut self, a: Option<impl Into<SharedStr>>, kind: ActorKind) -> Self {
        self.event.actor = a.map(Into::into);
        self.event.actor_kind = kind;
        self
    }
    /// Sets the action.
    pub fn action(mut self, a: impl Into<SharedStr>) -> Self {
        self.event.action = Some(a.into());
        self
    }
    /// Sets the target.
    pub fn target(mut self, t: Option<impl Into<CompactString>>) -> Self {
        self.event.target = t.map(Into::into);
        self
    }
    /// Sets the source IP; values that are not IP addresses are ignored.
    pub fn src_ip(mut self, ip: Option<&str>) -> Self {
        self.event.src_ip = ip.and_then(crate::text::normalise_ip);
        self
    }
    /// Sets the outcome.
    pub fn outcome(mut self, o: Outcome) -> Self {
        self.event.outcome = o;
        self
    }
    /// Sets the source's own id.
    pub fn event_id(mut self, id: Option<impl Into<String>>) -> Self {
        self.event.event_id = id.map(Into::into);
        self
    }
    /// Sets the location.
    pub fn at(mut self, loc: Location) -> Self {
        self.event.location = loc;
        self
    }
    /// Adds a tag.
    pub fn tag(mut self, t: Tag) -> Self {
        self.event.tag(t);
        self
    }
    /// Sets the significance (0-100).
    pub fn significance(mut self, s: u8) -> Self {
        self.event.significance = s.min(100);
        self
    }
    /// Adds an attribute.
    pub fn attr(mut self, k: impl Into<AttrKey>, v: impl Into<serde_json::Value>) -> Self {
        self.event.attributes.insert(k, v.into());
        self
    }
    /// Lowers the confidence with a reason.
    pub fn lower(mut self, level: Confidence, reason: impl Into<Reason>) -> Self {
        self.event.lower_confidence(level, reason);
        self
    }
    /// Finishes the event.
    pub fn build(self) -> Event {
        self.event
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowering_confidence_never_raises_and_keeps_reasons_once() {
        let t = TimeValue::Instant(DateTime::<Utc>::UNIX_EPOCH);
        let mut e = Event::builder("x", t, "0").build();
        e.lower_confidence(Confidence::Low, "a");
        e.lower_confidence(Confidence::Medium, "b");
        e.lower_confidence(Confidence::Medium, "b");
        assert_eq!(e.confidence, Confidence::Low);
        assert_eq!(e.confidence_reasons, vec!["a", "b"]);
    }

    #[test]
    fn tags_keep_their_order_once_each_and_serialise_as_a_list() {
        for (i, t) in Tags::ALL.iter().enumerate() {
            assert_eq!(*t as usize, i, "Tags::ALL is in declaration order");
        }
        let mut tags = Tags::new();
        assert!(tags.is_empty());
        assert!(tags.insert(Tag::Execution));
        assert!(tags.insert(Tag::LoggingTamper));
        assert!(!tags.insert(Tag::Execution));
        assert_eq!(tags.len(), 2);
        assert_eq!(
            tags.iter().collect::<Vec<_>>(),
            vec![Tag::Execution, Tag::LoggingTamper]
        );
        assert!(tags.contains(Tag::LoggingTamper) && !tags.contains(Tag::Session));
        assert_eq!(
            serde_json::to_string(&tags).unwrap(),
            r#"["execution","logging_tamper"]"#
        );
        // Every tag at once, in reverse: all fit and keep that order.
        let all: Tags = Tags::ALL.iter().rev().copied().collect();
        assert_eq!(all.len(), Tags::ALL.len());
        assert!(all.iter().eq(Tags::ALL.iter().rev().copied()));
    }

    /// A build holds every event at once (1.18M on the bench corpus), so a field that makes
    /// the event bigger costs that many times over: this fails first, to be decided on.
    #[test]
    fn the_event_stays_at_most_352_bytes() {
        let size = std::mem::size_of::<Event>();
        assert!(size <= 352, "Event is {size} bytes");
    }

    #[test]
    fn builder_drops_non_ip_source_addresses() {
        let t = TimeValue::Instant(DateTime::<Utc>::UNIX_EPOCH);
        let e = Event::builder("x", t, "0")
            .src_ip(Some("ec2.amazonaws.com"))
            .build();
        assert_eq!(e.src_ip, None);
        let e = Event::builder("x", t, "0")
            .src_ip(Some("::ffff:10.0.0.1"))
            .build();
        assert_eq!(e.src_ip.as_deref(), Some("10.0.0.1"));
    }
}
