//! AWS CloudTrail in every shape analysts hold (format id `aws.cloudtrail`).
//!
//! Shapes: the S3 delivery file `{"Records":[...]}` (plain or gzip, the engine
//! decompresses), a bare JSON array of records, one record per line (CloudTrail Lake and
//! CloudWatch Logs exports, log shippers), `aws cloudtrail lookup-events` output
//! (`{"Events":[...]}` or one item per line, each record a JSON *string* in
//! `CloudTrailEvent`), and the EventBridge envelope (`detail-type` "AWS API Call via
//! CloudTrail", the record in `detail`). Digest files (`digestStartTime`, `logFiles`) are
//! integrity data: their one document is counted as one skipped record.
//!
//! Each record is read alone into borrowed typed structs: by `crate::walk` for the common
//! shape (plain strings, no duplicate members), else by serde_json. In a wrapping array
//! (`{"Records":[...]}`, a bare array) the deserialiser reads each element in place and so
//! finds where it ends; what it cannot read goes back to the byte scanner and is framed,
//! read and reported as a located error exactly as a lone record would be. The array of a
//! delivery file is read before the document around it is checked, its records held until
//! then (see `frame::read_ahead`), so the file is scanned once. Request and
//! response bodies stay raw text: masked and cut to an excerpt in one pass when simple,
//! parsed as a `serde_json::Value` only when that pass declines or a field is looked up.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use tplus_model::{
    json, text, time, ActorKind, CompactString, Confidence, Event, Family, Location, Outcome,
    Parser, RecordSink, Sniff, Tag, TimeValue,
};

use crate::frame::{frame_with, Framed, Item};
use crate::jsonx::{de_error, raw_str_to_value, Body, Text};
use crate::walk::Walk;

/// The format id.
pub const ID: &str = "aws.cloudtrail";

/// Skip reason for digest files.
pub const DIGEST_SKIP: &str = "CloudTrail digest file (integrity data)";

/// Skip reason for EventBridge events that do not carry a CloudTrail record.
pub const NOT_CLOUDTRAIL_SKIP: &str = "EventBridge event that is not from CloudTrail";

/// The CloudTrail parser.
#[derive(Debug, Default, Clone, Copy)]
pub struct CloudTrail;

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct UserIdentity<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Text<'a>,
    #[serde(borrow, default)]
    arn: Text<'a>,
    #[serde(borrow, default)]
    user_name: Text<'a>,
    #[serde(borrow, default)]
    principal_id: Text<'a>,
    #[serde(borrow, default)]
    account_id: Text<'a>,
    #[serde(borrow, default)]
    access_key_id: Text<'a>,
    #[serde(borrow, default)]
    invoked_by: Text<'a>,
    #[serde(borrow, default)]
    source_identity: Text<'a>,
    #[serde(borrow, default)]
    session_context: Option<SessionContext<'a>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SessionContext<'a> {
    #[serde(borrow, default)]
    session_issuer: Option<SessionIssuer<'a>>,
    #[serde(borrow, default)]
    attributes: Option<SessionAttributes<'a>>,
    #[serde(borrow, default)]
    source_identity: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SessionIssuer<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Text<'a>,
    #[serde(borrow, default)]
    arn: Text<'a>,
    #[serde(borrow, default)]
    user_name: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SessionAttributes<'a> {
    #[serde(borrow, default)]
    mfa_authenticated: Text<'a>,
}

#[derive(Debug, Deserialize)]
struct Resource<'a> {
    #[serde(borrow, default, rename = "ARN")]
    arn: Text<'a>,
}

/// One CloudTrail record, or one of the wrappers around records.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Record<'a> {
    #[serde(borrow, default)]
    event_version: Text<'a>,
    #[serde(borrow, default)]
    event_time: Text<'a>,
    #[serde(borrow, default)]
    event_source: Text<'a>,
    #[serde(borrow, default)]
    event_name: Text<'a>,
    #[serde(borrow, default)]
    aws_region: Text<'a>,
    #[serde(borrow, default, rename = "sourceIPAddress")]
    source_ip_address: Text<'a>,
    #[serde(borrow, default)]
    user_agent: Text<'a>,
    #[serde(borrow, default)]
    error_code: Text<'a>,
    #[serde(borrow, default)]
    error_message: Text<'a>,
    #[serde(borrow, default, rename = "eventID")]
    event_id: Text<'a>,
    #[serde(borrow, default)]
    event_type: Text<'a>,
    #[serde(borrow, default)]
    event_category: Text<'a>,
    #[serde(borrow, default)]
    read_only: Text<'a>,
    #[serde(borrow, default)]
    recipient_account_id: Text<'a>,
    #[serde(borrow, default, rename = "requestID")]
    request_id: Text<'a>,
    #[serde(borrow, default, rename = "sharedEventID")]
    shared_event_id: Text<'a>,
    #[serde(borrow, default)]
    session_credential_from_console: Text<'a>,
    #[serde(borrow, default)]
    user_identity: Option<UserIdentity<'a>>,
    #[serde(borrow, default, deserialize_with = "raw_text")]
    request_parameters: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "raw_text")]
    response_elements: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "raw_text")]
    additional_event_data: Option<&'a str>,
    #[serde(borrow, default, deserialize_with = "raw_text")]
    insight_details: Option<&'a str>,
    #[serde(borrow, default)]
    resources: Option<Vec<Resource<'a>>>,
    /// A log shipper's copy of the time (Logstash, Filebeat).
    #[serde(borrow, default, rename = "@timestamp")]
    shipper_timestamp: Text<'a>,
    // Digest files.
    #[serde(borrow, default)]
    digest_start_time: Text<'a>,
    #[serde(borrow, default, deserialize_with = "raw_text")]
    log_files: Option<&'a str>,
    // EventBridge envelope.
    #[serde(borrow, default, rename = "detail-type")]
    detail_type: Text<'a>,
    #[serde(borrow, default, deserialize_with = "raw_text")]
    detail: Option<&'a str>,
    #[serde(borrow, default)]
    time: Text<'a>,
    #[serde(borrow, default)]
    id: Text<'a>,
    // lookup-events item.
    #[serde(borrow, default, rename = "CloudTrailEvent")]
    cloudtrail_event: Text<'a>,
    #[serde(borrow, default, rename = "EventTime")]
    lookup_event_time: Text<'a>,
}

/// An optional member kept as its raw JSON text, as `Option<&RawValue>` reads it (`null` is
/// absent).
fn raw_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de str>, D::Error> {
    Ok(Option::<&'de RawValue>::deserialize(d)?.map(RawValue::get))
}

/// A [`Text`] read by [`Walk::text`].
fn walk_text<'a>(w: &mut Walk<'a>) -> Option<Text<'a>> {
    Some(Text(w.text()?.map(Cow::Borrowed)))
}

/// An optional struct member read by [`Walk`]: `null` is `None`, an object is read by `read`.
fn walk_opt<'a, T>(
    w: &mut Walk<'a>,
    read: impl FnOnce(&mut Walk<'a>) -> Option<T>,
) -> Option<Option<T>> {
    if w.null_or_object()? {
        Some(None)
    } else {
        read(w).map(Some)
    }
}

/// One record read by [`Walk`] (the same `Record` serde_json gives, see [`crate::walk`]) and
/// where it ends; `None` hands the record to serde_json.
fn walk_record(t: &str) -> Option<(Record<'_>, usize)> {
    let mut r = Record::default();
    let end = walk_record_into(t, &mut r)?;
    Some((r, end))
}

/// [`walk_record`] into a default record `r` (left in any state when `None`), so a record
/// read into its place in a vector is not moved there.
fn walk_record_into<'a>(t: &'a str, r: &mut Record<'a>) -> Option<usize> {
    let mut w = Walk::new(t);
    w.object(|k, w| {
        Some(match k {
            "eventVersion" => {
                r.event_version = walk_text(w)?;
                1 << 0
            }
            "eventTime" => {
                r.event_time = walk_text(w)?;
                1 << 1
            }
            "eventSource" => {
                r.event_source = walk_text(w)?;
                1 << 2
            }
            "eventName" => {
                r.event_name = walk_text(w)?;
                1 << 3
            }
            "awsRegion" => {
                r.aws_region = walk_text(w)?;
                1 << 4
            }
            "sourceIPAddress" => {
                r.source_ip_address = walk_text(w)?;
                1 << 5
            }
            "userAgent" => {
                r.user_agent = walk_text(w)?;
                1 << 6
            }
            "errorCode" => {
                r.error_code = walk_text(w)?;
                1 << 7
            }
            "errorMessage" => {
                r.error_message = walk_text(w)?;
                1 << 8
            }
            "eventID" => {
                r.event_id = walk_text(w)?;
                1 << 9
            }
            "eventType" => {
                r.event_type = walk_text(w)?;
                1 << 10
            }
            "eventCategory" => {
                r.event_category = walk_text(w)?;
                1 << 11
            }
            "readOnly" => {
                r.read_only = walk_text(w)?;
                1 << 12
            }
            "recipientAccountId" => {
                r.recipient_account_id = walk_text(w)?;
                1 << 13
            }
            "requestID" => {
                r.request_id = walk_text(w)?;
                1 << 14
            }
            "sharedEventID" => {
                r.shared_event_id = walk_text(w)?;
                1 << 15
            }
            "sessionCredentialFromConsole" => {
                r.session_credential_from_console = walk_text(w)?;
                1 << 16
            }
            "userIdentity" => {
                r.user_identity = walk_opt(w, walk_user_identity)?;
                1 << 17
            }
            "requestParameters" => {
                r.request_parameters = w.raw()?;
                1 << 18
            }
            "responseElements" => {
                r.response_elements = w.raw()?;
                1 << 19
            }
            "additionalEventData" => {
                r.additional_event_data = w.raw()?;
                1 << 20
            }
            "insightDetails" => {
                r.insight_details = w.raw()?;
                1 << 21
            }
            // Rare enough to leave to serde_json.
            "resources" => return None,
            "@timestamp" => {
                r.shipper_timestamp = walk_text(w)?;
                1 << 23
            }
            "digestStartTime" => {
                r.digest_start_time = walk_text(w)?;
                1 << 24
            }
            "logFiles" => {
                r.log_files = w.raw()?;
                1 << 25
            }
            "detail-type" => {
                r.detail_type = walk_text(w)?;
                1 << 26
            }
            "detail" => {
                r.detail = w.raw()?;
                1 << 27
            }
            "time" => {
                r.time = walk_text(w)?;
                1 << 28
            }
            "id" => {
                r.id = walk_text(w)?;
                1 << 29
            }
            "CloudTrailEvent" => {
                r.cloudtrail_event = walk_text(w)?;
                1 << 30
            }
            "EventTime" => {
                r.lookup_event_time = walk_text(w)?;
                1 << 31
            }
            _ => w.ignore()?,
        })
    })?;
    Some(w.pos())
}

fn walk_user_identity<'a>(w: &mut Walk<'a>) -> Option<UserIdentity<'a>> {
    let mut u = UserIdentity::default();
    w.object(|k, w| {
        Some(match k {
            "type" => {
                u.kind = walk_text(w)?;
                1 << 0
            }
            "arn" => {
                u.arn = walk_text(w)?;
                1 << 1
            }
            "userName" => {
                u.user_name = walk_text(w)?;
                1 << 2
            }
            "principalId" => {
                u.principal_id = walk_text(w)?;
                1 << 3
            }
            "accountId" => {
                u.account_id = walk_text(w)?;
                1 << 4
            }
            "accessKeyId" => {
                u.access_key_id = walk_text(w)?;
                1 << 5
            }
            "invokedBy" => {
                u.invoked_by = walk_text(w)?;
                1 << 6
            }
            "sourceIdentity" => {
                u.source_identity = walk_text(w)?;
                1 << 7
            }
            "sessionContext" => {
                u.session_context = walk_opt(w, walk_session_context)?;
                1 << 8
            }
            _ => w.ignore()?,
        })
    })?;
    Some(u)
}

fn walk_session_context<'a>(w: &mut Walk<'a>) -> Option<SessionContext<'a>> {
    let mut c = SessionContext::default();
    w.object(|k, w| {
        Some(match k {
            "sessionIssuer" => {
                c.session_issuer = walk_opt(w, |w| {
                    let mut i = SessionIssuer::default();
                    w.object(|k, w| {
                        Some(match k {
                            "type" => {
                                i.kind = walk_text(w)?;
                                1 << 0
                            }
                            "arn" => {
                                i.arn = walk_text(w)?;
                                1 << 1
                            }
                            "userName" => {
                                i.user_name = walk_text(w)?;
                                1 << 2
                            }
                            _ => w.ignore()?,
                        })
                    })?;
                    Some(i)
                })?;
                1 << 0
            }
            "attributes" => {
                c.attributes = walk_opt(w, |w| {
                    let mut a = SessionAttributes::default();
                    w.object(|k, w| {
                        Some(match k {
                            "mfaAuthenticated" => {
                                a.mfa_authenticated = walk_text(w)?;
                                1 << 0
                            }
                            _ => w.ignore()?,
                        })
                    })?;
                    Some(a)
                })?;
                1 << 1
            }
            "sourceIdentity" => {
                c.source_identity = walk_text(w)?;
                1 << 2
            }
            _ => w.ignore()?,
        })
    })?;
    Some(c)
}

/// Which wrapper a record came in, kept as the `shape` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Plain,
    Lookup,
    EventBridge,
}

impl Shape {
    fn as_str(self) -> &'static str {
        match self {
            Shape::Plain => "record",
            Shape::Lookup => "lookup-events",
            Shape::EventBridge => "eventbridge",
        }
    }
}

impl Parser for CloudTrail {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Cloud
    }
    fn describe(&self) -> &'static str {
        "AWS CloudTrail: S3 delivery files, bare arrays, one record per line (Lake/CloudWatch), lookup-events, EventBridge; digests skipped"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        sniff(head)
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        // Valid UTF-8 as a whole (checked once, fast for ASCII) lets the deserialiser skip
        // checking each string again.
        let text = std::str::from_utf8(data).ok();
        frame_with(
            data,
            &["Records", "Events"],
            &mut Records {
                sink,
                text,
                held: None,
                read_ahead: true,
            },
        );
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

fn sniff(head: &[u8]) -> Sniff {
    if !matches!(json::first_byte(head), Some(b'{' | b'[')) {
        return Sniff::NO;
    }
    let has = |k: &str| json::contains(head, k);
    if has("\"digestStartTime\"") && has("\"logFiles\"") {
        return Sniff::CERTAIN;
    }
    if has("\"CloudTrailEvent\"") && (has("\"EventId\"") || has("\\\"eventSource\\\"")) {
        return Sniff::CERTAIN;
    }
    if has("\"detail-type\"") && has("via CloudTrail") {
        return Sniff::CERTAIN;
    }
    if has("\"eventSource\"") && has("\"eventName\"") {
        if has("\"eventVersion\"") || has("\"Records\"") {
            return Sniff::CERTAIN;
        }
        if has("\"userIdentity\"") || has(".amazonaws.com\"") {
            return Sniff::STRONG;
        }
    }
    Sniff::NO
}

/// Hands framed records to the sink; the elements of a wrapping array are parsed in place.
struct Records<'s, 'a> {
    sink: &'s mut dyn RecordSink,
    /// The whole input when it is valid UTF-8.
    text: Option<&'a str>,
    /// What is held back while the framer reads ahead (see [`Framed::hold`]): records
    /// read but not yet turned into events, so nothing is built that may be dropped.
    held: Option<Vec<Pending<'a>>>,
    /// Whether to let the framer read ahead (always, but for the tests that compare).
    read_ahead: bool,
}

/// A framed piece held back, in input order.
// One vector in input order; boxing the record would allocate per record.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Pending<'a> {
    /// An element read in place.
    Read(Record<'a>, Location),
    /// Anything else the framer handed over.
    Item(Item<'a>),
}

impl<'a> Records<'_, 'a> {
    fn handle(&mut self, item: Item<'a>) {
        match item {
            Item::Record(bytes, loc) => record(bytes, loc, self.sink),
            Item::Error(loc, msg) => self.sink.error(loc, msg),
            Item::Skip(loc, why) => self.sink.skipped(loc, why),
        }
    }
}

impl<'a> Framed<'a> for Records<'_, 'a> {
    fn item(&mut self, item: Item<'a>) {
        match &mut self.held {
            Some(h) => h.push(Pending::Item(item)),
            None => self.handle(item),
        }
    }

    fn hold(&mut self) -> bool {
        if self.read_ahead {
            self.held = Some(Vec::new());
        }
        self.read_ahead
    }

    fn release(&mut self, keep: bool) {
        let Some(held) = self.held.take() else { return };
        if !keep {
            return;
        }
        for p in held {
            match p {
                Pending::Read(rec, loc) => handle(&rec, loc, self.sink),
                Pending::Item(item) => self.handle(item),
            }
        }
    }

    /// One pass per record: the deserialiser finds where the record ends while it reads
    /// it. Anything it does not read cleanly (not an object, malformed, too deep...) goes
    /// back to the scanner and then to [`record`], which gives the located error as before.
    fn tail(&mut self, tail: &'a [u8], loc: Location) -> Option<usize> {
        if tail.first() != Some(&b'{') {
            return None;
        }
        let (rec, end) = match self.text {
            Some(text) => {
                // `tail` ends the input and starts with `{`, so it is a suffix on a
                // character boundary.
                let t = text.get(text.len().checked_sub(tail.len())?..)?;
                let walked = match &mut self.held {
                    Some(h) => {
                        // Read in place: a record is about a kilobyte.
                        h.push(Pending::Read(Record::default(), loc));
                        if let Some(Pending::Read(r, _)) = h.last_mut() {
                            if let Some(end) = walk_record_into(t, r) {
                                return Some(end);
                            }
                        }
                        h.pop();
                        None
                    }
                    None => walk_record(t),
                };
                match walked {
                    Some(read) => read,
                    None => {
                        let mut stream =
                            serde_json::Deserializer::from_str(t).into_iter::<Record<'a>>();
                        let rec = stream.next()?.ok()?;
                        (rec, stream.byte_offset())
                    }
                }
            }
            None => {
                let mut stream =
                    serde_json::Deserializer::from_slice(tail).into_iter::<Record<'a>>();
                let rec = stream.next()?.ok()?;
                (rec, stream.byte_offset())
            }
        };
        match &mut self.held {
            Some(h) => h.push(Pending::Read(rec, loc)),
            None => handle(&rec, loc, self.sink),
        }
        Some(end)
    }
}

fn record(bytes: &[u8], loc: Location, sink: &mut dyn RecordSink) {
    // A line or lone record the walker reads whole (what follows it is white space, all
    // serde_json allows) is the record serde_json would give.
    if let Ok(t) = std::str::from_utf8(bytes) {
        if let Some((rec, end)) = walk_record(t) {
            let rest = t.as_bytes().get(end..).unwrap_or_default();
            if rest
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                return handle(&rec, loc, sink);
            }
        }
    }
    let rec: Record = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) => {
            return sink.error(
                loc,
                format!("not a readable CloudTrail record: {}", de_error(&e)),
            )
        }
    };
    handle(&rec, loc, sink);
}

/// What a record that deserialised says: a digest, a wrapper around a record, or a record.
fn handle(rec: &Record<'_>, loc: Location, sink: &mut dyn RecordSink) {
    if rec.digest_start_time.get().is_some() && rec.log_files.is_some() {
        return sink.skipped(loc, DIGEST_SKIP);
    }
    if let Some(inner) = rec.cloudtrail_event.get() {
        // lookup-events: the record is a JSON document inside a string.
        let inner_rec: Record = match serde_json::from_str(inner) {
            Ok(r) => r,
            Err(e) => {
                return sink.error(
                    loc,
                    format!(
                        "CloudTrailEvent is not a readable CloudTrail record: {}",
                        de_error(&e)
                    ),
                )
            }
        };
        let fallback = rec
            .lookup_event_time
            .get()
            .map(|t| (t, "eventTime missing; time from lookup-events EventTime"));
        return emit(&inner_rec, loc, Shape::Lookup, fallback, None, sink);
    }
    if let Some(dt) = rec.detail_type.get() {
        let Some(detail) = rec.detail.filter(|_| dt.contains("CloudTrail")) else {
            return sink.skipped(loc, NOT_CLOUDTRAIL_SKIP);
        };
        let inner_rec: Record = match serde_json::from_str(detail) {
            Ok(r) => r,
            Err(e) => {
                return sink.error(
                    loc,
                    format!(
                        "EventBridge `detail` is not a readable CloudTrail record: {}",
                        de_error(&e)
                    ),
                )
            }
        };
        let fallback = rec.time.get().map(|t| {
            (
                t,
                "eventTime missing; time from the EventBridge envelope's `time`",
            )
        });
        return emit(
            &inner_rec,
            loc,
            Shape::EventBridge,
            fallback,
            rec.id.get(),
            sink,
        );
    }
    emit(rec, loc, Shape::Plain, None, None, sink);
}

/// Who acted and what kind of actor, from `userIdentity` alone.
///
/// The rule keeps to what the record says:
/// - `type` AWSService → service (AWS acting for itself);
/// - `invokedBy` set (e.g. `ec2.amazonaws.com`, `AWS Internal`) → service acting for the
///   principal;
/// - AssumedRole whose session name is an EC2 instance id (`i-…`) → automation (an
///   instance profile);
/// - AssumedRole of an IAM Identity Center permission set (`AWSReservedSSO_…`), or whose
///   session name is an e-mail address → human (an SSO user);
/// - Root, IAMUser, IdentityCenterUser → human: the record names a person's credentials
///   and nothing in it says a machine holds them (AWS does not mark automation that uses
///   a user's access key);
/// - anything else (other role sessions, Role, FederatedUser, AWSAccount, Unknown) →
///   unknown: the record cannot tell.
///
/// The basis is kept in the `actor_kind_basis` attribute.
fn actor_of(ui: &UserIdentity<'_>) -> (Option<String>, ActorKind, &'static str) {
    let kind = ui.kind.get().unwrap_or("");
    let issuer = ui
        .session_context
        .as_ref()
        .and_then(|s| s.session_issuer.as_ref());
    let session_name = ui
        .arn
        .get()
        .filter(|a| a.contains(":assumed-role/"))
        .and_then(|a| a.rsplit('/').next())
        .or_else(|| {
            ui.principal_id
                .get()
                .and_then(|p| p.split_once(':').map(|(_, s)| s))
        });
    let actor = ui
        .arn
        .non_empty()
        .or(ui.user_name.non_empty())
        .or(issuer.and_then(|i| i.arn.non_empty()))
        .or(ui.principal_id.non_empty())
        .or(ui.invoked_by.non_empty())
        .or(ui.account_id.non_empty().filter(|_| kind == "AWSAccount"))
        .map(str::to_owned);
    if kind == "AWSService" {
        let who = ui.invoked_by.non_empty().map(str::to_owned).or(actor);
        return (who, ActorKind::Service, "userIdentity.type AWSService");
    }
    if ui.invoked_by.non_empty().is_some() {
        return (
            actor,
            ActorKind::Service,
            "invokedBy: an AWS service acted for the principal",
        );
    }
    match kind {
        "AssumedRole" => {
            let role = issuer
                .and_then(|i| i.user_name.get().or(i.arn.get()))
                .unwrap_or("");
            if session_name.is_some_and(is_instance_id) {
                (
                    actor,
                    ActorKind::Automation,
                    "role session named after an EC2 instance (instance profile)",
                )
            } else if role.contains("AWSReservedSSO_") {
                (
                    actor,
                    ActorKind::Human,
                    "IAM Identity Center permission-set role",
                )
            } else if session_name.is_some_and(|s| s.contains('@')) {
                (
                    actor,
                    ActorKind::Human,
                    "role session named with an e-mail address",
                )
            } else {
                (
                    actor,
                    ActorKind::Unknown,
                    "role session: the record does not say who holds it",
                )
            }
        }
        "Root" => (actor, ActorKind::Human, "root user"),
        "IAMUser" => (actor, ActorKind::Human, "IAM user"),
        "IdentityCenterUser" => (actor, ActorKind::Human, "Identity Center user"),
        "" => (actor, ActorKind::Unknown, "no userIdentity.type"),
        _ => (actor, ActorKind::Unknown, "userIdentity.type does not say"),
    }
}

fn is_instance_id(s: &str) -> bool {
    s.strip_prefix("i-")
        .is_some_and(|r| (8..=17).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Keys of `requestParameters` that name what was acted on, in order of preference.
const TARGET_KEYS: [&str; 28] = [
    "userName",
    "roleName",
    "groupName",
    "policyArn",
    "roleArn",
    "bucketName",
    "instanceId",
    "name",
    "trailName",
    "detectorId",
    "functionName",
    "secretId",
    "keyId",
    "logGroupName",
    "groupId",
    "keyName",
    "dBInstanceIdentifier",
    "clusterName",
    "repositoryName",
    "tableName",
    "queueUrl",
    "topicArn",
    "stackName",
    "resourceArn",
    "resolverQueryLogConfigId",
    "accountId",
    "documentName",
    "target",
];

/// The members of `requestParameters` that [`target_of`] reads, deserialised from the raw
/// text without building a `Value`. Anything unusual (duplicate members, members of
/// another type than expected, the rarer nested shapes) fails or is flagged, and the
/// `Value` path decides.
#[derive(Deserialize, Default)]
struct Targets<'a> {
    #[serde(borrow, default, rename = "userName")]
    f_user_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "roleName")]
    f_role_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "groupName")]
    f_group_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "policyArn")]
    f_policy_arn: StrOnly<'a>,
    #[serde(borrow, default, rename = "roleArn")]
    f_role_arn: StrOnly<'a>,
    #[serde(borrow, default, rename = "bucketName")]
    f_bucket_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "instanceId")]
    f_instance_id: StrOnly<'a>,
    #[serde(borrow, default, rename = "name")]
    f_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "trailName")]
    f_trail_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "detectorId")]
    f_detector_id: StrOnly<'a>,
    #[serde(borrow, default, rename = "functionName")]
    f_function_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "secretId")]
    f_secret_id: StrOnly<'a>,
    #[serde(borrow, default, rename = "keyId")]
    f_key_id: StrOnly<'a>,
    #[serde(borrow, default, rename = "logGroupName")]
    f_log_group_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "groupId")]
    f_group_id: StrOnly<'a>,
    #[serde(borrow, default, rename = "keyName")]
    f_key_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "dBInstanceIdentifier")]
    f_d_b_instance_identifier: StrOnly<'a>,
    #[serde(borrow, default, rename = "clusterName")]
    f_cluster_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "repositoryName")]
    f_repository_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "tableName")]
    f_table_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "queueUrl")]
    f_queue_url: StrOnly<'a>,
    #[serde(borrow, default, rename = "topicArn")]
    f_topic_arn: StrOnly<'a>,
    #[serde(borrow, default, rename = "stackName")]
    f_stack_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "resourceArn")]
    f_resource_arn: StrOnly<'a>,
    #[serde(borrow, default, rename = "resolverQueryLogConfigId")]
    f_resolver_query_log_config_id: StrOnly<'a>,
    #[serde(borrow, default, rename = "accountId")]
    f_account_id: StrOnly<'a>,
    #[serde(borrow, default, rename = "documentName")]
    f_document_name: StrOnly<'a>,
    #[serde(borrow, default, rename = "target")]
    f_target: StrOnly<'a>,
    #[serde(borrow, default, rename = "key")]
    f_key: StrOnly<'a>,
    #[serde(borrow, default, rename = "flowLogIds")]
    f_flow_log_ids: Option<Vec<StrOnly<'a>>>,
    #[serde(borrow, default, rename = "names")]
    f_names: Option<Vec<StrOnly<'a>>>,
    #[serde(borrow, default, rename = "parameterNames")]
    f_parameter_names: Option<Vec<StrOnly<'a>>>,
    #[serde(borrow, default, rename = "secretIdList")]
    f_secret_id_list: Option<Vec<StrOnly<'a>>>,
    #[serde(borrow, default, rename = "instanceIds")]
    f_instance_ids: Option<Vec<StrOnly<'a>>>,
    #[serde(borrow, default, rename = "instancesSet")]
    instances_set: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "DeleteFlowLogsRequest")]
    delete_flow_logs: Option<&'a RawValue>,
}

impl<'a> Targets<'a> {
    fn get(&self, k: &str) -> &StrOnly<'_> {
        match k {
            "userName" => &self.f_user_name,
            "roleName" => &self.f_role_name,
            "groupName" => &self.f_group_name,
            "policyArn" => &self.f_policy_arn,
            "roleArn" => &self.f_role_arn,
            "bucketName" => &self.f_bucket_name,
            "instanceId" => &self.f_instance_id,
            "name" => &self.f_name,
            "trailName" => &self.f_trail_name,
            "detectorId" => &self.f_detector_id,
            "functionName" => &self.f_function_name,
            "secretId" => &self.f_secret_id,
            "keyId" => &self.f_key_id,
            "logGroupName" => &self.f_log_group_name,
            "groupId" => &self.f_group_id,
            "keyName" => &self.f_key_name,
            "dBInstanceIdentifier" => &self.f_d_b_instance_identifier,
            "clusterName" => &self.f_cluster_name,
            "repositoryName" => &self.f_repository_name,
            "tableName" => &self.f_table_name,
            "queueUrl" => &self.f_queue_url,
            "topicArn" => &self.f_topic_arn,
            "stackName" => &self.f_stack_name,
            "resourceArn" => &self.f_resource_arn,
            "resolverQueryLogConfigId" => &self.f_resolver_query_log_config_id,
            "accountId" => &self.f_account_id,
            "documentName" => &self.f_document_name,
            "target" => &self.f_target,
            _ => &self.f_key,
        }
    }
    /// The string member named `k` and its bit among them, for [`walk_targets`].
    fn str_mut(&mut self, k: &str) -> Option<(&mut StrOnly<'a>, u64)> {
        Some(match k {
            "userName" => (&mut self.f_user_name, 1 << 0),
            "roleName" => (&mut self.f_role_name, 1 << 1),
            "groupName" => (&mut self.f_group_name, 1 << 2),
            "policyArn" => (&mut self.f_policy_arn, 1 << 3),
            "roleArn" => (&mut self.f_role_arn, 1 << 4),
            "bucketName" => (&mut self.f_bucket_name, 1 << 5),
            "instanceId" => (&mut self.f_instance_id, 1 << 6),
            "name" => (&mut self.f_name, 1 << 7),
            "trailName" => (&mut self.f_trail_name, 1 << 8),
            "detectorId" => (&mut self.f_detector_id, 1 << 9),
            "functionName" => (&mut self.f_function_name, 1 << 10),
            "secretId" => (&mut self.f_secret_id, 1 << 11),
            "keyId" => (&mut self.f_key_id, 1 << 12),
            "logGroupName" => (&mut self.f_log_group_name, 1 << 13),
            "groupId" => (&mut self.f_group_id, 1 << 14),
            "keyName" => (&mut self.f_key_name, 1 << 15),
            "dBInstanceIdentifier" => (&mut self.f_d_b_instance_identifier, 1 << 16),
            "clusterName" => (&mut self.f_cluster_name, 1 << 17),
            "repositoryName" => (&mut self.f_repository_name, 1 << 18),
            "tableName" => (&mut self.f_table_name, 1 << 19),
            "queueUrl" => (&mut self.f_queue_url, 1 << 20),
            "topicArn" => (&mut self.f_topic_arn, 1 << 21),
            "stackName" => (&mut self.f_stack_name, 1 << 22),
            "resourceArn" => (&mut self.f_resource_arn, 1 << 23),
            "resolverQueryLogConfigId" => (&mut self.f_resolver_query_log_config_id, 1 << 24),
            "accountId" => (&mut self.f_account_id, 1 << 25),
            "documentName" => (&mut self.f_document_name, 1 << 26),
            "target" => (&mut self.f_target, 1 << 27),
            "key" => (&mut self.f_key, 1 << 28),
            _ => return None,
        })
    }
    fn arrays(&self) -> [&Option<Vec<StrOnly<'_>>>; 5] {
        [
            &self.f_flow_log_ids,
            &self.f_names,
            &self.f_parameter_names,
            &self.f_secret_id_list,
            &self.f_instance_ids,
        ]
    }
}

/// What [`target_of`] finds in `requestParameters`, read from its raw text: `None` when the
/// `Value` path must decide, `Some(None)` when the parameters name no target.
fn target_from_raw(raw: &str) -> Option<Option<String>> {
    if !raw.starts_with('{') {
        return None;
    }
    let t = match walk_targets(raw) {
        Some(t) => t,
        None => serde_json::from_str::<Targets>(raw).ok()?,
    };
    if t.instances_set.is_some() || t.delete_flow_logs.is_some() {
        return None;
    }
    for k in TARGET_KEYS {
        if let Some(s) = t.get(k).0.as_deref().filter(|s| !s.is_empty()) {
            if k == "bucketName" {
                if let Some(key) = t.f_key.0.as_deref() {
                    let mut out = String::with_capacity(6 + s.len() + key.len());
                    out.push_str("s3://");
                    out.push_str(s);
                    out.push('/');
                    out.push_str(key);
                    return Some(Some(out));
                }
            }
            return Some(Some(s.to_owned()));
        }
    }
    for a in t.arrays().into_iter().flatten() {
        let ids: Vec<&str> = a.iter().filter_map(|x| x.0.as_deref()).collect();
        if !ids.is_empty() {
            return Some(Some(text::excerpt(&ids.join(","), 256).into_owned()));
        }
    }
    Some(None)
}

/// [`Targets`] read by [`Walk`] as serde_json reads them, for the common shape: string or
/// literal members, `null` arrays; anything else is `None` and serde_json reads them.
fn walk_targets(raw: &str) -> Option<Targets<'_>> {
    let mut w = Walk::new(raw);
    let mut t = Targets::default();
    w.object(|k, w| {
        if let Some((slot, bit)) = t.str_mut(k) {
            // What `StrOnly` reads, but numbers (parsed by serde_json, which may refuse
            // one) and structures are left to serde_json.
            *slot = StrOnly(w.str_or_literal()?.map(Cow::Borrowed));
            return Some(bit);
        }
        match k {
            "flowLogIds"
            | "names"
            | "parameterNames"
            | "secretIdList"
            | "instanceIds"
            | "instancesSet"
            | "DeleteFlowLogsRequest" => {
                // Only `null` (absent) is read here.
                w.raw()?.is_none().then_some(())?;
                Some(match k {
                    "flowLogIds" => 1 << 40,
                    "names" => 1 << 41,
                    "parameterNames" => 1 << 42,
                    "secretIdList" => 1 << 43,
                    "instanceIds" => 1 << 44,
                    "instancesSet" => 1 << 45,
                    _ => 1 << 46,
                })
            }
            _ => w.ignore(),
        }
    })?;
    w.ws();
    (w.pos() == raw.len()).then_some(t)
}

/// A JSON string, borrowed when it can be; any other value reads as absent (as
/// `Value::as_str` does).
#[derive(Debug, Default)]
struct StrOnly<'a>(Option<std::borrow::Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for StrOnly<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StrOnly<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(StrOnly(Some(std::borrow::Cow::Borrowed(v))))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrOnly(Some(std::borrow::Cow::Owned(v.to_owned()))))
            }
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(StrOnly(None))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(StrOnly(None))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(StrOnly(None))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(StrOnly(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(StrOnly(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                while m
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(StrOnly(None))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut q: A,
            ) -> Result<Self::Value, A::Error> {
                while q.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(StrOnly(None))
            }
        }
        d.deserialize_any(V)
    }
}

fn target_of(params: Option<&Value>, resources: Option<&[Resource<'_>]>) -> Option<String> {
    if let Some(p) = params.and_then(Value::as_object) {
        for k in TARGET_KEYS {
            if let Some(s) = p.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()) {
                if k == "bucketName" {
                    if let Some(key) = p.get("key").and_then(Value::as_str) {
                        let mut t = String::with_capacity(6 + s.len() + key.len());
                        t.push_str("s3://");
                        t.push_str(s);
                        t.push('/');
                        t.push_str(key);
                        return Some(t);
                    }
                }
                return Some(s.to_owned());
            }
        }
        // EC2 `instancesSet.items[].instanceId`, `flowLogIds`, `names`, `parameterNames`...
        if let Some(items) = p
            .get("instancesSet")
            .and_then(|v| v.get("items"))
            .and_then(Value::as_array)
        {
            let ids: Vec<&str> = items
                .iter()
                .filter_map(|i| i.get("instanceId").and_then(Value::as_str))
                .collect();
            if !ids.is_empty() {
                return Some(ids.join(","));
            }
        }
        for k in [
            "flowLogIds",
            "names",
            "parameterNames",
            "secretIdList",
            "instanceIds",
        ] {
            if let Some(a) = p.get(k).and_then(Value::as_array) {
                let ids: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                if !ids.is_empty() {
                    return Some(text::excerpt(&ids.join(","), 256).into_owned());
                }
            }
        }
        if let Some(s) = p
            .get("DeleteFlowLogsRequest")
            .and_then(|v| v.get("FlowLogId"))
        {
            if let Some(s) = s.as_str() {
                return Some(s.to_owned());
            }
        }
    }
    resources?
        .iter()
        .find_map(|r| r.arn.non_empty())
        .map(str::to_owned)
}

/// Tags and significance of an action: what the pre-read should rank.
fn classify(service: &str, name: &str, failed: bool) -> (Vec<Tag>, u8) {
    use Tag::*;
    let (tags, sig): (Vec<Tag>, u8) = match (service, name) {
        (
            "cloudtrail",
            "StopLogging"
            | "DeleteTrail"
            | "UpdateTrail"
            | "PutEventSelectors"
            | "PutInsightSelectors",
        )
        | ("ec2", "DeleteFlowLogs")
        | (
            "guardduty",
            "DeleteDetector"
            | "DisassociateFromMasterAccount"
            | "DisassociateFromAdministratorAccount",
        )
        | (
            "route53resolver",
            "DeleteResolverQueryLogConfig" | "DisassociateResolverQueryLogConfig",
        )
        | (
            "config",
            "StopConfigurationRecorder" | "DeleteConfigurationRecorder" | "DeleteDeliveryChannel",
        )
        | ("logs", "DeleteLogGroup" | "DeleteLogStream") => (vec![LoggingTamper], 95),
        (
            "iam",
            "CreateAccessKey"
            | "CreateLoginProfile"
            | "UpdateLoginProfile"
            | "CreateServiceSpecificCredential",
        ) => (vec![CredentialChange], 80),
        ("iam", "DeactivateMFADevice" | "DeleteVirtualMFADevice") => (vec![CredentialChange], 80),
        (
            "iam",
            "UpdateAccessKey" | "UploadSSHPublicKey" | "ChangePassword" | "DeleteLoginProfile"
            | "DeleteAccessKey",
        ) => (vec![CredentialChange], 65),
        ("ec2", "CreateKeyPair" | "ImportKeyPair") => (vec![CredentialChange], 60),
        (
            "iam",
            "AttachUserPolicy"
            | "AttachRolePolicy"
            | "AttachGroupPolicy"
            | "PutUserPolicy"
            | "PutRolePolicy"
            | "PutGroupPolicy"
            | "CreatePolicyVersion"
            | "SetDefaultPolicyVersion"
            | "UpdateAssumeRolePolicy",
        ) => (vec![PolicyChange], 80),
        ("iam", "AddUserToGroup") => (vec![PrivilegeChange, AccountChange], 75),
        ("iam", "CreateUser" | "DeleteUser" | "CreateRole") => (vec![AccountChange], 70),
        ("organizations", "LeaveOrganization") => (vec![AccountChange], 85),
        (
            "s3",
            "PutBucketPolicy"
            | "PutBucketAcl"
            | "DeleteBucketPolicy"
            | "DeletePublicAccessBlock"
            | "PutPublicAccessBlock",
        ) => (vec![PolicyChange], 70),
        (
            "ec2",
            "AuthorizeSecurityGroupIngress" | "ModifySnapshotAttribute" | "ModifyImageAttribute",
        ) => (vec![PolicyChange], 60),
        ("kms", "PutKeyPolicy") => (vec![PolicyChange], 65),
        ("kms", "ScheduleKeyDeletion" | "DisableKey") => (vec![], 65),
        ("signin", "ConsoleLogin") => (vec![Authentication], 50),
        ("sts", "GetSessionToken" | "GetFederationToken") => (vec![Authentication], 40),
        ("sts", "AssumeRole" | "AssumeRoleWithSAML" | "AssumeRoleWithWebIdentity") => {
            (vec![Authentication], 25)
        }
        ("ssm", "SendCommand" | "StartSession") => (vec![Execution], 65),
        ("lambda", n) if n.starts_with("UpdateFunctionCode") => (vec![Execution], 60),
        ("ec2", "RunInstances") => (vec![Execution], 50),
        ("ec2", "GetPasswordData")
        | ("secretsmanager", "GetSecretValue" | "BatchGetSecretValue") => (vec![], 55),
        ("ssm", "GetParameter" | "GetParameters") => (vec![], 45),
        ("ec2", "ModifyInstanceAttribute") => (vec![], 55),
        (_, n)
            if n.starts_with("Get")
                || n.starts_with("List")
                || n.starts_with("Describe")
                || n.starts_with("Head") =>
        {
            (vec![], 5)
        }
        _ => (vec![], 20),
    };
    let sig = if failed && !tags.contains(&LoggingTamper) {
        sig.saturating_add(10).min(100)
    } else {
        sig
    };
    (tags, sig)
}

/// The attribute names this parser writes, sorted.
const ATTR_NAMES: [&str; 33] = [
    "access_key_id",
    "access_key_kind",
    "account",
    "actor_account",
    "actor_kind_basis",
    "additional_event_data",
    "error_code",
    "error_message",
    "event_category",
    "event_type",
    "event_version",
    "eventbridge_id",
    "insight_details",
    "insight_state",
    "insight_type",
    "invoked_by",
    "mfa_authenticated",
    "mfa_used",
    "principal_id",
    "read_only",
    "region",
    "request_id",
    "request_parameters",
    "response_elements",
    "session_credential_from_console",
    "session_issuer",
    "session_issuer_type",
    "shape",
    "shared_event_id",
    "source_identity",
    "source_ip_address",
    "user_agent",
    "user_identity_type",
];

/// Where each name is in [`ATTR_NAMES`]: attributes are set by slot, not looked up by name.
mod slot {
    pub(super) const ACCESS_KEY_ID: usize = 0;
    pub(super) const ACCESS_KEY_KIND: usize = 1;
    pub(super) const ACCOUNT: usize = 2;
    pub(super) const ACTOR_ACCOUNT: usize = 3;
    pub(super) const ACTOR_KIND_BASIS: usize = 4;
    pub(super) const ADDITIONAL_EVENT_DATA: usize = 5;
    pub(super) const ERROR_CODE: usize = 6;
    pub(super) const ERROR_MESSAGE: usize = 7;
    pub(super) const EVENT_CATEGORY: usize = 8;
    pub(super) const EVENT_TYPE: usize = 9;
    pub(super) const EVENT_VERSION: usize = 10;
    pub(super) const EVENTBRIDGE_ID: usize = 11;
    pub(super) const INSIGHT_DETAILS: usize = 12;
    pub(super) const INSIGHT_STATE: usize = 13;
    pub(super) const INSIGHT_TYPE: usize = 14;
    pub(super) const INVOKED_BY: usize = 15;
    pub(super) const MFA_AUTHENTICATED: usize = 16;
    pub(super) const MFA_USED: usize = 17;
    pub(super) const PRINCIPAL_ID: usize = 18;
    pub(super) const READ_ONLY: usize = 19;
    pub(super) const REGION: usize = 20;
    pub(super) const REQUEST_ID: usize = 21;
    pub(super) const REQUEST_PARAMETERS: usize = 22;
    pub(super) const RESPONSE_ELEMENTS: usize = 23;
    pub(super) const SESSION_CREDENTIAL_FROM_CONSOLE: usize = 24;
    pub(super) const SESSION_ISSUER: usize = 25;
    pub(super) const SESSION_ISSUER_TYPE: usize = 26;
    pub(super) const SHAPE: usize = 27;
    pub(super) const SHARED_EVENT_ID: usize = 28;
    pub(super) const SOURCE_IDENTITY: usize = 29;
    pub(super) const SOURCE_IP_ADDRESS: usize = 30;
    pub(super) const USER_AGENT: usize = 31;
    pub(super) const USER_IDENTITY_TYPE: usize = 32;
}

/// Attributes gathered by slot and turned into the event's map once, in name order: the
/// same map as one `insert` per attribute (a later value for a name wins), built without
/// searching the map per attribute or moving the event around.
struct Attrs {
    known: [Option<Value>; ATTR_NAMES.len()],
    /// How many slots are set.
    set: usize,
}

impl Attrs {
    fn new() -> Self {
        Attrs {
            known: std::array::from_fn(|_| None),
            set: 0,
        }
    }

    /// Sets the attribute in slot `i` (a [`slot`] constant).
    fn put(&mut self, i: usize, v: impl Into<Value>) {
        if let Some(x) = self.known.get_mut(i) {
            if x.replace(v.into()).is_none() {
                self.set += 1;
            }
        }
    }

    fn into_map(mut self) -> tplus_model::Attributes {
        let mut a = tplus_model::Attributes::with_capacity(self.set);
        // Taken slot by slot: moving the whole array into an iterator copies every slot.
        for (k, x) in ATTR_NAMES.iter().zip(self.known.iter_mut()) {
            if let Some(x) = x.take() {
                a.insert(*k, x);
            }
        }
        a
    }
}

/// `text::excerpt(s, max)` as an owned string, without a second copy when nothing is cut.
fn excerpt_owned(s: String, max: usize) -> String {
    if s.len() <= max {
        s
    } else {
        text::excerpt(&s, max).into_owned()
    }
}

fn emit(
    rec: &Record<'_>,
    loc: Location,
    shape: Shape,
    fallback_time: Option<(&str, &'static str)>,
    envelope_id: Option<&str>,
    sink: &mut dyn RecordSink,
) {
    let (Some(source), Some(name)) = (rec.event_source.non_empty(), rec.event_name.non_empty())
    else {
        return sink.error(
            loc,
            "not a CloudTrail record: no eventSource/eventName".to_owned(),
        );
    };
    // Time: eventTime; else the wrapper's or the shipper's copy, at medium confidence.
    let (ts_raw, lowered): (&str, Option<&'static str>) = match (rec.event_time.non_empty(), fallback_time) {
        (Some(t), _) => (t, None),
        (None, Some((t, why))) => (t, Some(why)),
        (None, None) => match rec.shipper_timestamp.non_empty() {
            Some(t) => (t, Some("eventTime missing; time from the log shipper's @timestamp (a copy made after delivery)")),
            None => return sink.error(loc, format!("CloudTrail record {name} has no eventTime")),
        },
    };
    let tv = match time::parse_timestamp(ts_raw) {
        Ok(t) => t,
        Err(e) => return sink.error(loc, format!("bad eventTime {ts_raw:?}: {e}")),
    };
    let service = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    let event_type = rec.event_type.get().unwrap_or("");
    let insight =
        event_type == "AwsCloudTrailInsight" || rec.event_category.get() == Some("Insight");

    let mut ev = Event::builder(ID, tv, ts_raw).at(loc).build();
    ev.event_id = rec.event_id.non_empty().map(str::to_owned);
    if let Some(why) = lowered {
        ev.lower_confidence(Confidence::Medium, why);
    }
    if let TimeValue::Local(_) = tv {
        ev.lower_confidence(Confidence::Low, "eventTime carries no zone");
    }
    let mut a = Attrs::new();
    a.put(slot::SHAPE, shape.as_str());
    for (k, v) in [
        (slot::REGION, &rec.aws_region),
        (slot::ACCOUNT, &rec.recipient_account_id),
        (slot::EVENT_TYPE, &rec.event_type),
        (slot::EVENT_CATEGORY, &rec.event_category),
        (slot::EVENT_VERSION, &rec.event_version),
        (slot::USER_AGENT, &rec.user_agent),
        (slot::REQUEST_ID, &rec.request_id),
        (slot::SHARED_EVENT_ID, &rec.shared_event_id),
    ] {
        if let Some(s) = v.non_empty() {
            a.put(k, text::excerpt(s, 512).into_owned());
        }
    }
    if let Some(ro) = rec.read_only.get() {
        a.put(slot::READ_ONLY, ro == "true");
    }
    if let Some(id) = envelope_id {
        a.put(slot::EVENTBRIDGE_ID, id);
    }
    let src_ip = rec.source_ip_address.non_empty();
    if let Some(ip) = src_ip {
        ev.src_ip = text::normalise_ip(ip);
        if ev.src_ip.is_none() {
            a.put(slot::SOURCE_IP_ADDRESS, text::excerpt(ip, 256).into_owned());
        }
    }

    if insight {
        let details = raw_str_to_value(rec.insight_details);
        let state = details
            .as_ref()
            .and_then(|d| d.get("state"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let itype = details
            .as_ref()
            .and_then(|d| d.get("insightType"))
            .and_then(Value::as_str)
            .unwrap_or("insight");
        let desc = match state {
            "Start" => "Insight Window Start",
            "End" => "Insight Window End",
            _ => "Insight",
        };
        if let Some(d) = details.as_ref() {
            a.put(
                slot::INSIGHT_DETAILS,
                text::excerpt(&d.to_string(), crate::jsonx::BODY_MAX).into_owned(),
            );
        }
        a.put(slot::INSIGHT_TYPE, itype);
        a.put(slot::INSIGHT_STATE, state);
        ev.timestamp_desc = desc.into();
        ev.action = Some(sink.intern(&format!("insight:{service}:{name}")));
        ev.significance = 40;
        ev.message = format!("CloudTrail Insight {itype} {state} for {service}:{name} (a summary of unusual activity, not an API call)");
        ev.attributes = a.into_map();
        return sink.event(ev);
    }

    let ui = rec.user_identity.as_ref();
    let default_ui = UserIdentity::default();
    let (actor, kind, basis) = actor_of(ui.unwrap_or(&default_ui));
    ev.actor_kind = kind;
    a.put(slot::ACTOR_KIND_BASIS, basis);
    if let Some(ui) = ui {
        if let Some(t) = ui.kind.non_empty() {
            a.put(slot::USER_IDENTITY_TYPE, t);
        }
        if let Some(v) = ui.invoked_by.non_empty() {
            a.put(slot::INVOKED_BY, v);
        }
        if let Some(v) = ui.principal_id.non_empty() {
            a.put(slot::PRINCIPAL_ID, v);
        }
        if let Some(v) = ui.account_id.non_empty() {
            a.put(slot::ACTOR_ACCOUNT, v);
        }
        if let Some(v) = ui.source_identity.non_empty().or(ui
            .session_context
            .as_ref()
            .and_then(|s| s.source_identity.non_empty()))
        {
            a.put(slot::SOURCE_IDENTITY, v);
        }
        if let Some(sc) = ui.session_context.as_ref() {
            if let Some(i) = sc.session_issuer.as_ref() {
                if let Some(arn) = i.arn.non_empty() {
                    a.put(slot::SESSION_ISSUER, arn);
                }
                if let Some(t) = i.kind.non_empty() {
                    a.put(slot::SESSION_ISSUER_TYPE, t);
                }
            }
            if let Some(m) = sc
                .attributes
                .as_ref()
                .and_then(|a| a.mfa_authenticated.non_empty())
            {
                a.put(slot::MFA_AUTHENTICATED, m == "true");
            }
        }
        if let Some(k) = ui.access_key_id.non_empty() {
            let kind = if k.starts_with("AKIA") {
                "long-term (AKIA)"
            } else if k.starts_with("ASIA") {
                "temporary (ASIA)"
            } else {
                "other"
            };
            a.put(slot::ACCESS_KEY_KIND, kind);
            a.put(slot::ACCESS_KEY_ID, text::mask_secret(k));
        }
    }

    // Outcome.
    let params = Body::from_text(rec.request_parameters);
    let response = Body::from_text(rec.response_elements);
    let extra = Body::from_text(rec.additional_event_data);
    let mut outcome = Outcome::Success;
    let mut fail_text = None;
    if let Some(code) = rec.error_code.non_empty() {
        outcome = Outcome::Failure;
        a.put(slot::ERROR_CODE, code);
        let msg = rec
            .error_message
            .non_empty()
            .map(|m| text::excerpt(m, 512).into_owned());
        if let Some(m) = &msg {
            a.put(slot::ERROR_MESSAGE, m.clone());
        }
        fail_text = Some(match msg {
            Some(m) => {
                let mut t = String::with_capacity(code.len() + 2 + m.len());
                t.push_str(code);
                t.push_str(": ");
                t.push_str(&m);
                t
            }
            None => code.to_owned(),
        });
    }
    let console_login = name == "ConsoleLogin";
    if console_login {
        match response
            .value()
            .and_then(|r| r.get("ConsoleLogin"))
            .and_then(Value::as_str)
        {
            Some("Success") => {}
            Some("Failure") => {
                outcome = Outcome::Failure;
                if fail_text.is_none() {
                    fail_text = Some("ConsoleLogin Failure".to_owned());
                }
            }
            _ if rec.error_code.non_empty().is_none() => outcome = Outcome::Unknown,
            _ => {}
        }
    }
    let mfa_used = extra
        .value()
        .and_then(|e| e.get("MFAUsed"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mfa_used = mfa_used.as_deref();
    if let Some(m) = mfa_used {
        a.put(slot::MFA_USED, m);
    }
    if let Some(v) = rec.session_credential_from_console.non_empty() {
        a.put(slot::SESSION_CREDENTIAL_FROM_CONSOLE, v == "true");
    }

    let failed = outcome == Outcome::Failure;
    let (tags, mut sig) = classify(service, name, failed);
    for t in tags {
        ev.tag(t);
    }
    if console_login {
        let root = ui.and_then(|u| u.kind.get()) == Some("Root");
        if outcome != Outcome::Failure && mfa_used == Some("No") {
            ev.tag(Tag::LoginWithoutMfa);
            sig = sig.max(75);
        }
        if root {
            sig = sig.saturating_add(20).min(100);
        }
    }
    let target = match params.raw().and_then(target_from_raw) {
        Some(Some(t)) => Some(t),
        Some(None) => target_of(None, rec.resources.as_deref()),
        None => target_of(params.value(), rec.resources.as_deref()),
    };
    if let Some(p) = params.excerpt() {
        a.put(slot::REQUEST_PARAMETERS, p);
    }
    if let Some(r) = response.excerpt() {
        a.put(slot::RESPONSE_ELEMENTS, r);
    }
    if let Some(r) = extra.excerpt() {
        a.put(slot::ADDITIONAL_EVENT_DATA, r);
    }
    let desc = match event_type {
        "AwsConsoleSignIn" => "Console Sign-in",
        "AwsConsoleAction" => "Console Action",
        "AwsServiceEvent" => "Service Event",
        "AwsVpceEvent" => "VPC Endpoint Event",
        _ => "API Call",
    };
    // The message starts with the action (`service:name`), which is taken from it shared.
    let action_len = service.len() + 1 + name.len();
    let mut message = String::with_capacity(
        action_len
            + 4
            + actor.as_ref().map_or(0, String::len)
            + 4
            + target.as_ref().map_or(0, String::len)
            + 6
            + src_ip.map_or(0, str::len)
            + 24,
    );
    message.push_str(service);
    message.push(':');
    message.push_str(name);
    if let Some(a) = &actor {
        message.push_str(" by ");
        message.push_str(a);
    }
    if let Some(t) = &target {
        message.push_str(" on ");
        message.push_str(t);
    }
    if let Some(ip) = src_ip {
        message.push_str(" from ");
        message.push_str(ip);
    }
    if let Some(f) = &fail_text {
        message.push_str(" failed (");
        message.push_str(f);
        message.push(')');
    }
    if console_login && outcome == Outcome::Success {
        message.push_str(match mfa_used {
            Some("No") => " succeeded without MFA",
            Some("Yes") => " succeeded with MFA",
            _ => " succeeded",
        });
    }
    ev.actor = actor.as_deref().map(|a| sink.intern(a));
    ev.timestamp_desc = desc.into();
    ev.action = Some(sink.intern(&message[..action_len]));
    ev.target = target.map(CompactString::from);
    ev.outcome = outcome;
    ev.significance = sig.min(100);
    ev.message = excerpt_owned(message, 1024);
    ev.attributes = a.into_map();
    sink.event(ev);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    fn rec(name: &str, extra: &str) -> String {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice","accessKeyId":"AKIAIOSFODNN7EXAMPLE","accountId":"111122223333"}},"eventTime":"2025-03-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2","eventID":"id-{name}","eventType":"AwsApiCall","readOnly":false,"recipientAccountId":"111122223333"{extra}}}"#
        )
    }

    /// Whether the walker read `t`; when it did, serde_json reads the same record, to the
    /// same end.
    fn walk_agrees(t: &str) -> bool {
        let Some((r, end)) = walk_record(t) else {
            return false;
        };
        let mut stream = serde_json::Deserializer::from_str(t).into_iter::<Record>();
        let r2 = match stream.next() {
            Some(Ok(r2)) => r2,
            other => panic!("walker read what serde_json refuses ({other:?}): {t}"),
        };
        assert_eq!(stream.byte_offset(), end, "{t}");
        assert_eq!(format!("{r:?}"), format!("{r2:?}"), "{t}");
        true
    }

    const FULL: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::1:assumed-role/r/s","accountId":"1","accessKeyId":"ASIAXXXXXXXXXXXXXXXX","userName":"u","invokedBy":"ec2.amazonaws.com","sourceIdentity":"si","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA","arn":"arn:aws:iam::1:role/r","accountId":"1","userName":"r"},"webIdFederationData":{},"attributes":{"creationDate":"2025-03-01T09:00:00Z","mfaAuthenticated":"false"},"sourceIdentity":"si2","ec2RoleDelivery":"2.0"}},"eventTime":"2025-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2 é","errorCode":"AccessDenied","errorMessage":"no","requestParameters":{"bucketName":"b","key":"k","n":[1,-2.5e3,true,null,{"x":"\"q\" \u00e9"}]},"responseElements":null,"additionalEventData":{"MFAUsed":"No"},"insightDetails":{"state":"Start"},"requestID":"r1","eventID":"e1","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"1","sharedEventID":"s1","sessionCredentialFromConsole":false,"eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3"},"@timestamp":"t","digestStartTime":"d","logFiles":[],"detail-type":"dt","detail":{"a":1},"time":"tm","id":"i","CloudTrailEvent":"c","EventTime":"et"}"#;

    #[test]
    fn walker_reads_every_member_as_serde_json_does() {
        assert!(walk_agrees(FULL));
        assert!(walk_agrees(&format!(" \n{FULL} ,[1]")[2..]));
        assert!(walk_agrees(&rec("CreateUser", "")));
        assert!(walk_agrees(
            r#"{"userIdentity":null,"sessionContext":1,"x":{}}"#
        ));
        assert!(walk_agrees(
            r#"{ "eventName" : "A" , "userIdentity" : { "sessionContext" : null } }"#
        ));
        // Left to serde_json: escapes or numbers where text is kept, duplicates, resources,
        // structures where it does not expect them.
        for t in [
            r#"{"eventName":"a\"b"}"#,
            r#"{"eventName":12}"#,
            r#"{"eventName":"a","eventName":"b"}"#,
            r#"{"resources":[{"ARN":"x"}]}"#,
            r#"{"userIdentity":"x"}"#,
            r#"{"userIdentity":{"type":{"a":1}}}"#,
            r#"{"eventName":"a",}"#,
            r#"{"eventName":"a"x"#,
            r#"{"eventName":"a\u0041"}"#,
            "{\"eventName\":\"a\tb\"}",
        ] {
            assert!(!walk_agrees(t), "{t}");
        }
    }

    #[test]
    fn lone_records_read_as_before() {
        // `record` with the walker against serde_json alone, on lines with and without
        // what serde_json refuses after the value.
        let serde_only = |bytes: &[u8]| {
            let mut c = tplus_model::Collected::default();
            match serde_json::from_slice::<Record>(bytes) {
                Ok(r) => handle(&r, Location::record(0, 0), &mut c),
                Err(e) => c.error(
                    Location::record(0, 0),
                    format!("not a readable CloudTrail record: {}", de_error(&e)),
                ),
            }
            format!("{c:?}")
        };
        let r = rec("CreateUser", "");
        for t in [
            r.clone(),
            format!("{r} \t\r\n"),
            format!("{r} x"),
            format!("{r}{{}}"),
            format!(" {r}"),
            FULL.to_owned(),
            r.replacen("CreateUser", "Create\\u0055ser", 1),
        ] {
            let mut c = tplus_model::Collected::default();
            record(t.as_bytes(), Location::record(0, 0), &mut c);
            assert_eq!(format!("{c:?}"), serde_only(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn walker_never_reads_what_serde_json_reads_otherwise() {
        // Every cut and every single-byte change of a full record: whatever the walker
        // takes, serde_json takes the same way (`walk_agrees` panics otherwise).
        let mut taken = 0;
        for cut in 0..=FULL.len() {
            if let Some(t) = FULL.get(..cut) {
                taken += usize::from(walk_agrees(t));
            }
        }
        assert_eq!(taken, 1);
        let bytes = [
            "{", "}", "[", "]", "\"", "\\", ",", ":", "0", "-", "t", "n", " ", "\u{1}", "é", "e",
            ".",
        ];
        for (i, _) in FULL.char_indices() {
            for b in bytes {
                let mut t = String::with_capacity(FULL.len() + 2);
                t.push_str(&FULL[..i]);
                t.push_str(b);
                let next = FULL[i..].chars().next().map_or(0, char::len_utf8);
                t.push_str(&FULL[i + next..]);
                walk_agrees(&t);
                // And with the byte inserted rather than replaced.
                let mut u = String::with_capacity(FULL.len() + 2);
                u.push_str(&FULL[..i]);
                u.push_str(b);
                u.push_str(&FULL[i..]);
                walk_agrees(&u);
            }
        }
    }

    /// What target_from_raw reads of [`Targets`].
    fn targets_view(t: &Targets<'_>) -> String {
        let strs: Vec<Option<&str>> = TARGET_KEYS
            .iter()
            .chain(["key"].iter())
            .map(|k| t.get(k).0.as_deref())
            .collect();
        let arrays: Vec<Option<Vec<Option<&str>>>> = t
            .arrays()
            .iter()
            .map(|a| {
                a.as_ref()
                    .map(|v| v.iter().map(|x| x.0.as_deref()).collect())
            })
            .collect();
        format!(
            "{strs:?} {arrays:?} {:?} {:?}",
            t.instances_set.map(RawValue::get),
            t.delete_flow_logs.map(RawValue::get)
        )
    }

    #[test]
    fn targets_walked_as_serde_json_reads_them() {
        let base = r#"{"bucketName":"b","key":"k/é","x":{"y":[1,2.5,"\"z"]},"name":true,"roleArn":null,"flowLogIds":null,"instancesSet":null,"keyId":"a:b"}"#;
        let mut cases: Vec<String> = vec![
            base.to_owned(),
            r#"{"userName":"u"}"#.to_owned(),
            r#"{"userName":"u","userName":"v"}"#.to_owned(),
            r#"{"userName":1e400}"#.to_owned(),
            r#"{"userName":"a\"b"}"#.to_owned(),
            r#"{"names":["a","b"]}"#.to_owned(),
            r#"{"instancesSet":{"items":[]}}"#.to_owned(),
            r#"{"target":"t"} "#.to_owned(),
        ];
        for (i, _) in base.char_indices() {
            for b in ["{", "}", "\"", ",", ":", "1", "t", " ", "\\"] {
                cases.push(format!("{}{b}{}", &base[..i], &base[i..]));
            }
        }
        let mut walked = 0;
        for c in &cases {
            if let Some(t) = walk_targets(c) {
                walked += 1;
                let s: Targets = serde_json::from_str(c)
                    .unwrap_or_else(|e| panic!("walked what serde_json refuses ({e}): {c}"));
                assert_eq!(targets_view(&t), targets_view(&s), "{c}");
            }
        }
        assert!(walk_targets(base).is_some() && walked > 2, "{walked}");
        for c in [
            r#"{"userName":"u","userName":"v"}"#,
            r#"{"userName":1}"#,
            r#"{"names":["a"]}"#,
        ] {
            assert!(walk_targets(c).is_none(), "{c}");
        }
    }

    #[test]
    fn reading_ahead_changes_nothing() {
        let run = |data: &[u8], read_ahead: bool| {
            let mut c = tplus_model::Collected::default();
            let text = std::str::from_utf8(data).ok();
            frame_with(
                data,
                &["Records", "Events"],
                &mut Records {
                    sink: &mut c,
                    text,
                    held: None,
                    read_ahead,
                },
            );
            format!("{c:?}")
        };
        let r = rec("CreateUser", "");
        let e = rec("CreateUser\\u0041", "");
        let docs = [
            format!(r#"{{"Records":[{r},{r}]}}"#),
            format!("{{\"Records\":[{r},{e}]}}\n"),
            format!("{{\"Records\":[{r}]}}\n{{\"Records\":[{r}]}}\n"),
            format!("{{\"Records\":[\n{r}]}}\n{{\"Records\":[{r}]}}"),
            format!(r#"{{"Records":[{r},{r}"#),
            format!(r#"{{"Records":[{r},{{"a":}}]}}"#),
            format!(r#"{{"Records":[{r},{{"a":}}}}]}}"#),
            format!(r#"{{"Records":[{r},"x",3]}}"#),
            format!(r#"{{"Events":[{r}],"Records":[{r},{r}]}}"#),
            format!(r#"{{"x":1,"Records":[{r}],"y":[1,2]}}"#),
            format!(r#"{{"Records":[{r}]}} trailing"#),
            format!(r#"{{"Records":[{r}]}}}}"#),
            format!(r#"{{"Records":[{r}] "y":2}}"#),
            format!(r#"{{"Records":[{r}]]}}"#),
            format!(r#"{{"Records":[{r}],"Records":[]}}"#),
            r#"{"Records":[]}"#.to_owned(),
            format!(r#"{{"a":"}}","Records":[{r}]}}"#),
            format!(r#"{{"a":{{"Records":[1]}},"Records":[{r}]}}"#),
            format!(r#"{{"Records":"x","Events":[{r}]}}"#),
        ];
        for d in &docs {
            assert_eq!(run(d.as_bytes(), true), run(d.as_bytes(), false), "{d}");
        }
        // The documents above exercise every way out: events, skips and errors.
        let all: String = docs.iter().map(|d| run(d.as_bytes(), true)).collect();
        assert!(all.contains("error_samples: [(") && all.contains("CreateUser"));
    }

    #[test]
    fn attribute_names_are_sorted_and_complete() {
        assert!(ATTR_NAMES.windows(2).all(|w| w[0] < w[1]));
        // Each slot constant is its name in capitals, and every slot is used.
        let src = include_str!("cloudtrail.rs");
        let consts = src
            .split("mod slot {")
            .nth(1)
            .and_then(|m| m.split('}').next())
            .unwrap();
        let mut n = 0;
        for line in consts.lines().filter(|l| l.contains("const ")) {
            let (name, i) = line
                .trim()
                .trim_start_matches("pub(super) const ")
                .trim_end_matches(';')
                .split_once(": usize = ")
                .unwrap();
            let i: usize = i.parse().unwrap();
            assert_eq!(ATTR_NAMES[i].to_ascii_uppercase(), name);
            assert!(src.contains(&format!("slot::{name}")), "{name}");
            n += 1;
        }
        assert_eq!(n, ATTR_NAMES.len());
    }

    #[test]
    fn delivery_file_maps_fields() {
        let doc = format!(
            r#"{{"Records":[{},{}]}}"#,
            rec(
                "CreateAccessKey",
                r#","requestParameters":{"userName":"bob"},"responseElements":{"accessKey":{"accessKeyId":"AKIAZZZZZZZZZZZZZZZZ","status":"Active","userName":"bob"}}"#
            ),
            rec(
                "AttachUserPolicy",
                r#","errorCode":"AccessDenied","errorMessage":"not allowed","requestParameters":{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#
            )
        );
        let c = collect(&CloudTrail, doc.as_bytes());
        assert_eq!((c.events.len(), c.skipped, c.errors), (2, 0, 0));
        let e = &c.events[0];
        assert_eq!(e.action.as_deref(), Some("iam:CreateAccessKey"));
        assert_eq!(e.target.as_deref(), Some("bob"));
        assert_eq!(
            e.actor.as_deref(),
            Some("arn:aws:iam::111122223333:user/alice")
        );
        assert_eq!(e.actor_kind, ActorKind::Human);
        assert_eq!(e.src_ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(e.event_id.as_deref(), Some("id-CreateAccessKey"));
        assert_eq!(e.outcome, Outcome::Success);
        assert!(e.has_tag(Tag::CredentialChange));
        assert_eq!(e.location.record, Some(0));
        assert_eq!(e.location.offset, 12);
        assert_eq!(e.attributes["access_key_kind"], "long-term (AKIA)");
        assert_eq!(e.attributes["access_key_id"], "AKIA…MPLE");
        assert!(!e.attributes["response_elements"]
            .as_str()
            .unwrap()
            .contains("AKIAZZZZZZZZZZZZZZZZ"));
        assert_eq!(e.ts_raw, "2025-03-01T10:00:00Z");
        let f = &c.events[1];
        assert_eq!(f.outcome, Outcome::Failure);
        assert!(f.message.contains("AccessDenied: not allowed"));
        assert!(f.has_tag(Tag::PolicyChange));
        assert_eq!(f.target.as_deref(), Some("bob"));
        assert!(CloudTrail.dedup_by_event_id());
        assert_eq!(sniff(doc.as_bytes()), Sniff::CERTAIN);
    }

    #[test]
    fn console_login_without_mfa_and_tamper() {
        let login = r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root","accountId":"1"},"eventTime":"2025-03-01T10:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.1","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"eventID":"e1"}"#;
        let bad = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"x"},"eventTime":"2025-03-01T10:00:01Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Failure"},"errorMessage":"Failed authentication","additionalEventData":{"MFAUsed":"No"},"eventID":"e2"}"#;
        let stop = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/i-0123456789abcdef0","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r"}}},"eventTime":"2025-03-01T10:00:02Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","sourceIPAddress":"AWS Internal","requestParameters":{"name":"main"},"eventID":"e3"}"#;
        let doc = format!("{login}\n{bad}\n{stop}\n");
        let c = collect(&CloudTrail, doc.as_bytes());
        assert_eq!((c.events.len(), c.errors), (3, 0));
        let e = &c.events[0];
        assert!(e.has_tag(Tag::LoginWithoutMfa) && e.has_tag(Tag::Authentication));
        assert_eq!(e.outcome, Outcome::Success);
        assert!(e.significance >= 90);
        assert_eq!(e.location.line, Some(1));
        let f = &c.events[1];
        assert_eq!(f.outcome, Outcome::Failure);
        assert!(!f.has_tag(Tag::LoginWithoutMfa));
        let s = &c.events[2];
        assert!(s.has_tag(Tag::LoggingTamper));
        assert!(s.significance >= 90);
        assert_eq!(s.actor_kind, ActorKind::Automation);
        assert_eq!(s.src_ip, None);
        assert_eq!(s.attributes["source_ip_address"], "AWS Internal");
        assert_eq!(s.target.as_deref(), Some("main"));
    }

    #[test]
    fn digest_is_one_skip() {
        let d = br#"{"awsAccountId":"1","digestStartTime":"2025-01-01T00:00:00Z","digestEndTime":"2025-01-01T01:00:00Z","logFiles":[{"s3Object":"x"}],"previousDigestSignature":"ab"}"#;
        assert_eq!(sniff(d), Sniff::CERTAIN);
        let c = collect(&CloudTrail, d);
        assert_eq!((c.events.len(), c.skipped, c.errors), (0, 1, 0));
        assert!(c.skip_reasons.contains_key(DIGEST_SKIP));
    }

    #[test]
    fn eventbridge_lookup_and_shipper() {
        let inner = rec(
            "CreateUser",
            r#","requestParameters":{"userName":"mallory"}"#,
        );
        let eb = format!(
            r#"{{"version":"0","id":"eb-1","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","time":"2025-03-01T10:00:00Z","detail":{inner}}}"#
        );
        let c = collect(&CloudTrail, eb.as_bytes());
        assert_eq!(c.events.len(), 1);
        assert!(c.events[0].has_tag(Tag::AccountChange));
        assert_eq!(c.events[0].attributes["shape"], "eventbridge");

        let lookup = serde_json::json!({"Events":[{"EventId":"x","EventTime":"2025-03-01 21:00:00+11:00","CloudTrailEvent": inner}]}).to_string();
        assert_eq!(sniff(lookup.as_bytes()), Sniff::CERTAIN);
        let c = collect(&CloudTrail, lookup.as_bytes());
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.events[0].target.as_deref(), Some("mallory"));
        assert_eq!(c.events[0].attributes["shape"], "lookup-events");

        let shipped = r#"{"@timestamp":"2020-09-14T00:44:23.000Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventID":"s1"}"#;
        let c = collect(&CloudTrail, shipped.as_bytes());
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.events[0].confidence, Confidence::Medium);
        assert_eq!(c.events[0].actor_kind, ActorKind::Service);
        assert_eq!(c.events[0].actor.as_deref(), Some("ec2.amazonaws.com"));
    }

    #[test]
    fn insight_is_kept_apart() {
        let r = r#"{"eventVersion":"1.08","eventTime":"2025-03-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","eventType":"AwsCloudTrailInsight","eventCategory":"Insight","eventID":"i1","insightDetails":{"state":"Start","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","insightType":"ApiCallRateInsight"}}"#;
        let c = collect(&CloudTrail, r.as_bytes());
        let e = &c.events[0];
        assert_eq!(e.action.as_deref(), Some("insight:iam:CreateAccessKey"));
        assert!(!e.has_tag(Tag::CredentialChange));
        assert_eq!(e.timestamp_desc, "Insight Window Start");
    }

    #[test]
    fn bad_records_are_located_errors() {
        let doc = format!(
            r#"{{"Records":[{}, {{"eventName":5}}, "x", {{"eventTime":1}}]}}"#,
            rec("ListUsers", "")
        );
        let c = collect(&CloudTrail, doc.as_bytes());
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.errors, 3);
        assert_eq!(c.error_samples[0].0.record, Some(1));
        let c = collect(&CloudTrail, br#"{"Records": {"eventName":"x"}}"#);
        assert_eq!((c.records(), c.errors), (1, 1));
        // Nesting deeper than serde_json allows: inside a body the event still comes out
        // and the body says why it was not kept; in typed fields the scalar reads as absent.
        for (field, n) in [
            ("requestParameters", 1000),
            ("requestParameters", 200_000),
            ("userIdentity", 1000),
        ] {
            let mut deep = format!(
                r#"{{"Records":[{{"eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"X","{field}":"#
            );
            deep.push_str(&"[".repeat(n));
            deep.push_str(&"]".repeat(n));
            deep.push_str("}]}");
            let c = collect(&CloudTrail, deep.as_bytes());
            assert_eq!(c.records(), 1);
            if field == "requestParameters" {
                assert!(c.events[0].attributes["request_parameters"]
                    .as_str()
                    .unwrap()
                    .contains("not kept"));
            }
        }
    }

    /// A record read in place from a `Records` array gives what the same record read
    /// alone (framed by the scanner, then deserialised) gives.
    fn same_in_place_and_alone(r: &[u8]) {
        let mut doc = b"{\"Records\":[".to_vec();
        doc.extend_from_slice(r);
        doc.extend_from_slice(b"]}");
        let a = collect(&CloudTrail, r);
        let b = collect(&CloudTrail, &doc);
        let show = |c: &tplus_model::Collected| {
            let mut events: Vec<Event> = c.events.clone();
            for e in &mut events {
                e.location = Location::default();
            }
            let errors: Vec<&String> = c.error_samples.iter().map(|(_, m)| m).collect();
            format!("{events:?} {} {} {errors:?}", c.skipped, c.errors)
        };
        assert_eq!(show(&a), show(&b), "{}", String::from_utf8_lossy(r));
    }

    #[test]
    fn in_place_records_read_as_alone() {
        let big = format!(
            r#","requestParameters":{{"bucketName":"b","key":"{}","items":[{}]}}"#,
            "k".repeat(5000),
            vec![r#"{"instanceId":"i-0123456789abcdef0"}"#; 300].join(",")
        );
        let cases: Vec<String> = vec![
            rec("CreateUser", r#","requestParameters":{"userName":"nul\u0000byte","tags":[{"key":"a\"b","value":"c\\d\n"}]}"#),
            rec("CreateUser", r#","requestParameters":{"userName":"\ud83d\ude00 é \u2603","policy":"{\"Effect\":\"Allow\"}"}"#),
            rec("CreateUser", r#","requestParameters":{"userName":"lone \ud83d"}"#),
            rec("GetObject", &big),
            rec("CreateUser", r#","requestParameters":null,"responseElements":null,"additionalEventData":null,"errorCode":null,"userIdentity":null"#),
            rec("CreateUser", r#","requestParameters":{},"responseElements":[],"additionalEventData":{}"#),
            rec("CreateUser", r#","requestParameters":"text","responseElements":[1,{"a":null}],"additionalEventData":42"#),
            rec("CreateUser", r#","requestParameters":{"password":"hunter2hunter2","n":{"token":1.5e3}},"responseElements":{"credentials":{"accessKeyId":"ASIAABCDEFGHIJKLMNOP","sessionToken":"zz"}}"#),
            rec("CreateUser", r#","requestParameters":{"a":1,"a":2},"readOnly":"true","eventTime":"2025-03-01T10:00:00.123+02:00""#),
            rec("CreateUser", r#","requestParameters":{"n":1e400}"#),
            rec("CreateUser", &format!(r#","requestParameters":{}{}"#, "[".repeat(300), "]".repeat(300))),
            rec("ConsoleLogin", r#","eventSource":"signin.amazonaws.com","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"}"#),
            rec("CreateUser", r#","eventTime":12345"#),
            rec("CreateUser", r#","eventTime":"not a time""#),
            rec("CreateUser", r#","eventID":"again""#),
            rec("CreateUser", r#","requestParameters":{"b":"bad \x escape"}"#),
            r#"{"eventVersion":"1.08","eventTime":"2025-03-01T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","eventType":"AwsCloudTrailInsight","eventCategory":"Insight","eventID":"i1","insightDetails":{"state":"Start","insightType":"ApiCallRateInsight"}}"#.to_owned(),
            r#"{"eventTime":"2025-03-01T10:00:00Z","eventName":"X"}"#.to_owned(),
            r#"{"eventSource":"s3.amazonaws.com","eventName":"X"}"#.to_owned(),
            r#"{"awsAccountId":"1","digestStartTime":"2025-01-01T00:00:00Z","logFiles":[]}"#.to_owned(),
            r#"{"version":"0","id":"eb-1","detail-type":"AWS API Call via CloudTrail","time":"2025-03-01T10:00:00Z","detail":{"eventSource":"s3.amazonaws.com","eventName":"X"}}"#.to_owned(),
            r#"{"detail-type":"Scheduled Event","detail":{}}"#.to_owned(),
            r#"{"EventId":"x","EventTime":"2025-03-01 21:00:00+11:00","CloudTrailEvent":"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"X\"}"}"#.to_owned(),
            r#"{"EventId":"x","CloudTrailEvent":"{not json"}"#.to_owned(),
            r#"{"eventName":5,"eventSource":true}"#.to_owned(),
            r#"{}"#.to_owned(),
            "{\n  \"eventTime\" : \"2025-03-01T10:00:00Z\" ,\n  \"eventSource\" : \"s3.amazonaws.com\", \"eventName\" : \"X\"\n}".to_owned(),
        ];
        for c in &cases {
            same_in_place_and_alone(c.as_bytes());
        }
        // Not UTF-8: the input is read byte-wise, and the bad string is an error as before.
        let mut bad = rec("CreateUser", r#","userAgent":"ab""#).into_bytes();
        let at = bad.len() - 3;
        bad.insert(at, 0xFF);
        same_in_place_and_alone(&bad);
        let mut bad = rec("CreateUser", r#","tlsDetails":{"x":"ab"}"#).into_bytes();
        let at = bad.len() - 4;
        bad.insert(at, 0xFF);
        same_in_place_and_alone(&bad);
    }

    #[test]
    fn truncated_final_record_after_in_place_ones() {
        let doc = format!(
            r#"{{"Records":[{},{},{}"#,
            rec("ListUsers", ""),
            rec("GetUser", ""),
            &rec("CreateUser", "")[..60]
        );
        let c = collect(&CloudTrail, doc.as_bytes());
        assert_eq!((c.events.len(), c.errors), (2, 1));
        assert_eq!(c.error_samples[0].0.record, Some(2));
        assert!(c.error_samples[0].1.contains("cannot be framed"));
        // Whole document, then data after it: each line is a record, as before.
        let two = format!(
            "{{\"Records\":[{}]}}\n{{\"Records\":[]}}\n",
            rec("ListUsers", "")
        );
        let c = collect(&CloudTrail, two.as_bytes());
        assert_eq!((c.events.len(), c.errors), (0, 2));
    }

    #[test]
    fn target_from_raw_matches_the_value_path() {
        let bodies = [
            r#"{"userName":"bob"}"#,
            r#"{"userName":"","roleName":"r"}"#,
            r#"{"userName":5,"groupName":"g"}"#,
            r#"{"bucketName":"b","key":"k/\u00e9"}"#,
            r#"{"bucketName":"b","key":7}"#,
            r#"{"bucketName":"b","key":""}"#,
            r#"{"bucketName":"","key":"k"}"#,
            r#"{"names":["a",1,null,"b"]}"#,
            r#"{"names":[],"instanceIds":["i-1"]}"#,
            r#"{"names":"x"}"#,
            r#"{"names":null,"target":"t"}"#,
            r#"{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}"#,
            r#"{"instancesSet":[[{"instanceId":"i-1"}]]}"#,
            r#"{"DeleteFlowLogsRequest":{"FlowLogId":"fl-1"}}"#,
            r#"{"userName":"a","userName":"b"}"#,
            r#"{"x":{"userName":"nested"}}"#,
            r#"{"name":"\ud83d\ude00 \"q\""}"#,
            r#"{"parameterNames":["p1","p2"],"documentName":"d"}"#,
            r#"{}"#,
            r#"[{"userName":"bob"}]"#,
            r#""userName""#,
            r#"{"secretIdList":[{"a":1},"s"]}"#,
        ];
        let res = [Resource {
            arn: crate::jsonx::Text(Some("arn:aws:s3:::r".into())),
        }];
        for raw in bodies {
            let v: Value = serde_json::from_str(raw).unwrap();
            let slow = target_of(Some(&v), Some(&res));
            let fast = match target_from_raw(raw) {
                Some(Some(t)) => Some(t),
                Some(None) => target_of(None, Some(&res)),
                None => continue,
            };
            assert_eq!(fast, slow, "{raw}");
        }
        assert_eq!(
            target_from_raw(r#"{"bucketName":"b","key":"k"}"#),
            Some(Some("s3://b/k".to_owned()))
        );
        assert_eq!(target_from_raw(r#"{"userName":"a","userName":"b"}"#), None);
    }
}
