//! AWS CloudTrail log files as delivered to S3: `{"Records":[...]}` (`.json` or `.json.gz`).
//!
//! Each record is framed by the model's JSON scanner and deserialised on its own, so every
//! event keeps its record index and byte offset and a broken record is one located error.
//! Digest files (integrity data) are recognised and their one document counted as skipped.
//!
//! Actor kind, from `userIdentity` only:
//! - `AWSService`, or `invokedBy` set (a service acting for the principal): service;
//! - `AssumedRole` whose session name is an EC2 instance id (`i-…`), `AWSAccount`: automation;
//! - `Root`, `IAMUser`, `IdentityCenterUser`, `FederatedUser`, and `AssumedRole` through an
//!   `AWSReservedSSO_*` role (Identity Center people): human;
//! - anything else (other assumed roles): unknown, because the record does not say whether a
//!   person or a program holds the session.

use serde::Deserialize;
use serde_json::Value;
use tplus_model::json::{array_elements, contains, find_key_start, first_byte, value_end};
use tplus_model::text::{excerpt, mask_secret};
use tplus_model::time::parse_instant;
use tplus_model::{
    ActorKind, Confidence, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag,
    TimeValue,
};

/// The CloudTrail S3 delivery parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudTrail;

/// The format id.
pub const ID: &str = "aws.cloudtrail";

/// Request parameters and response elements are kept as excerpts of at most this size.
const EXCERPT_BYTES: usize = 2048;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SessionIssuer {
    #[serde(rename = "type")]
    kind: Option<String>,
    user_name: Option<String>,
    arn: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SessionContext {
    session_issuer: Option<SessionIssuer>,
    attributes: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct UserIdentity {
    #[serde(rename = "type")]
    kind: Option<String>,
    arn: Option<String>,
    user_name: Option<String>,
    principal_id: Option<String>,
    access_key_id: Option<String>,
    invoked_by: Option<String>,
    session_context: Option<SessionContext>,
    account_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    event_time: Option<String>,
    event_source: Option<String>,
    event_name: Option<String>,
    #[serde(default)]
    user_identity: Option<UserIdentity>,
    aws_region: Option<String>,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: Option<String>,
    user_agent: Option<String>,
    #[serde(default)]
    request_parameters: Option<Value>,
    #[serde(default)]
    response_elements: Option<Value>,
    #[serde(default)]
    additional_event_data: Option<Value>,
    error_code: Option<String>,
    error_message: Option<String>,
    #[serde(rename = "eventID")]
    event_id: Option<String>,
    event_type: Option<String>,
    read_only: Option<Value>,
    recipient_account_id: Option<String>,
    #[serde(default)]
    resources: Option<Vec<Value>>,
    /// Set by log shippers (Logstash, Elastic Agent) when the record went through them.
    #[serde(rename = "@timestamp")]
    shipper_time: Option<String>,
}

fn short_service(source: &str) -> &str {
    source.strip_suffix(".amazonaws.com").unwrap_or(source)
}

/// Logging tamper by API name (FORMATS §1).
fn is_tamper(service: &str, name: &str) -> bool {
    matches!(
        (service, name),
        (
            "cloudtrail",
            "StopLogging"
                | "DeleteTrail"
                | "UpdateTrail"
                | "PutEventSelectors"
                | "PutInsightSelectors"
        ) | ("ec2", "DeleteFlowLogs")
            | (
                "guardduty",
                "DeleteDetector" | "DisassociateFromMasterAccount" | "UpdateDetector"
            )
            | (
                "config",
                "StopConfigurationRecorder"
                    | "DeleteConfigurationRecorder"
                    | "DeleteDeliveryChannel"
            )
            | ("logs", "DeleteLogGroup" | "DeleteLogStream")
    )
}

/// Tags and significance for the incident events named in FORMATS §1.
fn classify(service: &str, name: &str) -> (Option<Tag>, u8) {
    if is_tamper(service, name) {
        return (Some(Tag::LoggingTamper), 95);
    }
    match name {
        "CreateAccessKey"
        | "CreateLoginProfile"
        | "UpdateLoginProfile"
        | "UpdateAccessKey"
        | "CreateServiceSpecificCredential" => (Some(Tag::CredentialChange), 80),
        "DeactivateMFADevice" | "DeleteVirtualMFADevice" => (Some(Tag::CredentialChange), 85),
        "AttachUserPolicy"
        | "AttachRolePolicy"
        | "AttachGroupPolicy"
        | "PutUserPolicy"
        | "PutRolePolicy"
        | "PutGroupPolicy"
        | "CreatePolicyVersion"
        | "SetDefaultPolicyVersion"
        | "UpdateAssumeRolePolicy"
        | "PutBucketPolicy"
        | "PutBucketAcl"
        | "DeletePublicAccessBlock"
        | "PutKeyPolicy"
        | "AuthorizeSecurityGroupIngress" => (Some(Tag::PolicyChange), 75),
        "AddUserToGroup" => (Some(Tag::PrivilegeChange), 75),
        "CreateUser" | "DeleteUser" | "CreateRole" => (Some(Tag::AccountChange), 70),
        "ConsoleLogin"
        | "GetSessionToken"
        | "AssumeRole"
        | "AssumeRoleWithSAML"
        | "AssumeRoleWithWebIdentity"
        | "GetFederationToken" => (
            Some(Tag::Authentication),
            if name == "ConsoleLogin" { 60 } else { 30 },
        ),
        "RunInstances"
        | "CreateKeyPair"
        | "ImportKeyPair"
        | "GetSecretValue"
        | "ScheduleKeyDeletion"
        | "UpdateFunctionCode" => (Some(Tag::Execution), 55),
        _ => (None, 10),
    }
}

fn actor_of(u: &UserIdentity) -> (Option<String>, ActorKind) {
    let kind = u.kind.as_deref().unwrap_or("");
    let issuer = u
        .session_context
        .as_ref()
        .and_then(|s| s.session_issuer.as_ref());
    let session_name = u
        .arn
        .as_deref()
        .and_then(|a| a.rsplit('/').next())
        .unwrap_or("");
    let actor = match kind {
        "AssumedRole" => u.arn.clone().or_else(|| issuer.and_then(|i| i.arn.clone())),
        "AWSService" => u.invoked_by.clone(),
        "Root" => u
            .arn
            .clone()
            .or_else(|| u.account_id.as_ref().map(|a| format!("root:{a}"))),
        _ => u
            .user_name
            .clone()
            .or_else(|| u.arn.clone())
            .or_else(|| u.principal_id.clone()),
    };
    let role = issuer.and_then(|i| i.user_name.as_deref()).unwrap_or("");
    let kind = if kind == "AWSService" || u.invoked_by.is_some() {
        ActorKind::Service
    } else if kind == "AWSAccount" || (kind == "AssumedRole" && session_name.starts_with("i-")) {
        ActorKind::Automation
    } else if matches!(
        kind,
        "Root" | "IAMUser" | "IdentityCenterUser" | "FederatedUser"
    ) || (kind == "AssumedRole" && role.starts_with("AWSReservedSSO_"))
    {
        ActorKind::Human
    } else {
        ActorKind::Unknown
    };
    (actor, kind)
}

/// A short, masked text of a JSON value: secrets that look like keys or tokens never leave
/// whole.
fn masked_excerpt(v: &Value) -> String {
    fn mask(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        let lk = k.to_ascii_lowercase();
                        let secret = lk.contains("secret")
                            || lk.contains("password")
                            || lk.contains("token")
                            || lk == "sessiontoken";
                        let val = match v {
                            Value::String(s) if secret || looks_like_key(s) => {
                                Value::String(mask_secret(s))
                            }
                            other => mask(other),
                        };
                        (k.clone(), val)
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(mask).collect()),
            Value::String(s) if looks_like_key(s) => Value::String(mask_secret(s)),
            other => other.clone(),
        }
    }
    let text = serde_json::to_string(&mask(v)).unwrap_or_default();
    excerpt(&text, EXCERPT_BYTES).into_owned()
}

fn looks_like_key(s: &str) -> bool {
    (s.len() == 20
        && (s.starts_with("AKIA") || s.starts_with("ASIA"))
        && s.bytes().all(|b| b.is_ascii_alphanumeric()))
        || (s.len() == 40
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+'))
}

fn target_of(r: &Record) -> Option<String> {
    let p = r.request_parameters.as_ref()?;
    for k in [
        "userName",
        "roleName",
        "groupName",
        "policyArn",
        "roleArn",
        "bucketName",
        "name",
        "trailName",
        "functionName",
        "keyId",
        "secretId",
        "instanceId",
        "groupId",
        "detectorId",
        "keyName",
    ] {
        if let Some(v) = p.get(k).and_then(Value::as_str) {
            return Some(v.to_owned());
        }
    }
    if let Some(ids) = p
        .pointer("/instancesSet/items/0/instanceId")
        .and_then(Value::as_str)
    {
        return Some(ids.to_owned());
    }
    r.resources
        .as_ref()
        .and_then(|rs| rs.first())
        .and_then(|x| x.get("ARN"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Turns one CloudTrail record (already framed) into an event; shared with the other
/// CloudTrail shapes, which differ only in how records are framed.
///
/// # Errors
/// A message for a record that is not a CloudTrail record or has no usable `eventTime`.
pub fn record_to_event(bytes: &[u8], at: Location, source: &'static str) -> Result<Event, String> {
    let r: Record =
        serde_json::from_slice(bytes).map_err(|e| format!("not a CloudTrail record: {e}"))?;
    let (raw_time, from_shipper) = match (r.event_time.as_deref(), r.shipper_time.as_deref()) {
        (Some(t), _) => (t, false),
        (None, Some(t)) => (t, true),
        (None, None) => {
            return Err("record has no eventTime (nor a shipper's @timestamp)".to_owned())
        }
    };
    let t = parse_instant(raw_time).map_err(|e| format!("eventTime: {e}"))?;
    let src = r.event_source.as_deref().unwrap_or("unknown");
    let service = short_service(src);
    let name = r.event_name.as_deref().unwrap_or("unknown");
    let action = format!("{service}:{name}");
    let target = target_of(&r);
    let ident = r.user_identity.unwrap_or_default();
    let (actor, kind) = actor_of(&ident);
    let (tag, significance) = classify(service, name);

    let console = name == "ConsoleLogin";
    let console_result = r
        .response_elements
        .as_ref()
        .and_then(|v| v.get("ConsoleLogin"))
        .and_then(Value::as_str);
    let outcome = if r.error_code.is_some() {
        Outcome::Failure
    } else if console {
        match console_result {
            Some("Success") => Outcome::Success,
            Some(_) => Outcome::Failure,
            None => Outcome::Unknown,
        }
    } else {
        Outcome::Success
    };
    let mfa = r
        .additional_event_data
        .as_ref()
        .and_then(|v| v.get("MFAUsed"))
        .and_then(Value::as_str);

    let who = actor.as_deref().unwrap_or("unknown principal");
    let mut message = format!("{action} by {who}");
    if let Some(t) = &target {
        message.push_str(&format!(" on {t}"));
    }
    match (&r.error_code, console_result) {
        (Some(code), _) => message.push_str(&format!(" failed: {code}")),
        (None, Some(res)) => message.push_str(&format!(": {res}")),
        _ => {}
    }
    if console {
        if let Some(m) = mfa {
            message.push_str(&format!(" (MFA: {m})"));
        }
    }
    let desc = if console { "Console Login" } else { "API Call" };
    let mut b = Event::builder(source, TimeValue::Instant(t), raw_time)
        .message(message)
        .desc(desc)
        .actor(actor, kind)
        .action(action)
        .target(target)
        .src_ip(r.source_ip_address.as_deref())
        .outcome(outcome)
        .event_id(r.event_id.clone())
        .at(at)
        .significance(significance);
    if let Some(tag) = tag {
        b = b.tag(tag);
    }
    if console && mfa == Some("No") && outcome == Outcome::Success {
        b = b.tag(Tag::LoginWithoutMfa).significance(85);
    }
    if from_shipper {
        b = b.lower(
            Confidence::Medium,
            "no eventTime: time from the log shipper's @timestamp (when it handled the record, not when the call completed)",
        );
    }
    if let Some(v) = &r.aws_region {
        b = b.attr("aws_region", v.as_str());
    }
    if let Some(v) = &r.recipient_account_id {
        b = b.attr("account_id", v.as_str());
    }
    if let Some(v) = &r.event_type {
        b = b.attr("event_type", v.as_str());
    }
    if let Some(v) = &r.read_only {
        b = b.attr("read_only", v.clone());
    }
    if let Some(v) = &r.user_agent {
        b = b.attr("user_agent", excerpt(v, 256).into_owned());
    }
    if let Some(v) = &r.source_ip_address {
        if tplus_model::text::normalise_ip(v).is_none() {
            b = b.attr("source_service", v.as_str());
        }
    }
    if let Some(v) = ident.kind {
        b = b.attr("identity_type", v);
    }
    if let Some(v) = ident.invoked_by {
        b = b.attr("invoked_by", v);
    }
    if let Some(i) = ident
        .session_context
        .as_ref()
        .and_then(|s| s.session_issuer.as_ref())
    {
        if let Some(arn) = &i.arn {
            b = b.attr("session_issuer", arn.as_str());
        }
        if let Some(k) = &i.kind {
            b = b.attr("session_issuer_type", k.as_str());
        }
    }
    if let Some(m) = ident
        .session_context
        .as_ref()
        .and_then(|s| s.attributes.as_ref())
        .and_then(|a| a.get("mfaAuthenticated"))
    {
        b = b.attr("mfa_authenticated", m.clone());
    }
    if let Some(k) = &ident.access_key_id {
        let kind = if k.starts_with("AKIA") {
            "long-term"
        } else if k.starts_with("ASIA") {
            "temporary"
        } else {
            "other"
        };
        b = b
            .attr("access_key", mask_secret(k))
            .attr("access_key_kind", kind);
    }
    if let Some(m) = mfa {
        b = b.attr("mfa_used", m);
    }
    if let Some(c) = &r.error_code {
        b = b.attr("error_code", c.as_str());
    }
    if let Some(m) = &r.error_message {
        b = b.attr("error_message", excerpt(m, 512).into_owned());
    }
    if let Some(p) = r.request_parameters.as_ref().filter(|v| !v.is_null()) {
        b = b.attr("request_parameters", masked_excerpt(p));
    }
    if let Some(p) = r.response_elements.as_ref().filter(|v| !v.is_null()) {
        b = b.attr("response_elements", masked_excerpt(p));
    }
    Ok(b.build())
}

/// One element of any CloudTrail shape: a record, a `lookup-events` entry (the record as a JSON
/// string in `CloudTrailEvent`), or an EventBridge envelope (the record in `detail`).
fn element_to_event(bytes: &[u8], at: Location) -> Result<Event, String> {
    let start = tplus_model::json::skip_ws(bytes, 0);
    if let Ok(Some((s, e))) = find_key_start(bytes, start, "CloudTrailEvent")
        .map(|o| o.and_then(|s| value_end(bytes, s).ok().map(|e| (s, e))))
    {
        let inner: String = serde_json::from_slice(&bytes[s..e])
            .map_err(|err| format!("CloudTrailEvent is not a JSON string: {err}"))?;
        return record_to_event(inner.as_bytes(), at, ID).map(|mut ev| {
            ev.attributes
                .insert("shape".to_owned(), "lookup-events".into());
            ev
        });
    }
    if contains(bytes, "\"detail-type\"") {
        if let Ok(Some((s, e))) = find_key_start(bytes, start, "detail")
            .map(|o| o.and_then(|s| value_end(bytes, s).ok().map(|e| (s, e))))
        {
            return record_to_event(&bytes[s..e], at, ID).map(|mut ev| {
                ev.attributes
                    .insert("shape".to_owned(), "eventbridge".into());
                ev
            });
        }
    }
    record_to_event(bytes, at, ID)
}

fn looks_like_record(head: &[u8]) -> bool {
    (contains(head, "\"eventSource\"") && contains(head, "\"eventName\""))
        || (contains(head, "\"CloudTrailEvent\"") && contains(head, "\"EventName\""))
        || contains(head, "\"AWS API Call via CloudTrail\"")
}

impl CloudTrail {
    /// `[record, ...]` (bare arrays, `aws cloudtrail lookup-events` element lists).
    fn parse_array(data: &[u8], start: usize, sink: &mut dyn RecordSink) {
        for (i, span) in array_elements(data, start).enumerate() {
            match span {
                Ok((s, e)) => {
                    let at = Location::record(i as u64, s as u64);
                    match element_to_event(&data[s..e], at) {
                        Ok(ev) => sink.event(ev),
                        Err(m) => sink.error(at, m),
                    }
                }
                Err(err) => sink.error(
                    Location::record(i as u64, start as u64),
                    format!("record cannot be framed: {err}"),
                ),
            }
        }
    }

    /// One record per line (CloudTrail Lake, CloudWatch Logs exports, shippers).
    fn parse_lines(data: &[u8], sink: &mut dyn RecordSink) {
        for l in tplus_model::lines::lines(data) {
            let at = Location::line_record(l.number, l.number - 1, l.offset);
            if l.bytes.iter().all(u8::is_ascii_whitespace) {
                sink.skipped(at, "blank line");
                continue;
            }
            match element_to_event(l.bytes, at) {
                Ok(ev) => sink.event(ev),
                Err(m) => sink.error(at, m),
            }
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
        "AWS CloudTrail: S3 delivery files ({\"Records\":[...]}), bare arrays, one record per line (Lake, CloudWatch, shippers), lookup-events, EventBridge; digest files skipped"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if first_byte(head) == Some(b'[') {
            return if looks_like_record(head) {
                Sniff::STRONG
            } else {
                Sniff::NO
            };
        }
        if first_byte(head) != Some(b'{') {
            return Sniff::NO;
        }
        if !contains(head, "\"Records\"") && !contains(head, "\"digestStartTime\"") {
            let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
            return if contains(first_line, "\"AWS API Call via CloudTrail\"") {
                Sniff::CERTAIN
            } else if looks_like_record(first_line)
                && (contains(first_line, "\"userIdentity\"")
                    || contains(first_line, "\"CloudTrailEvent\""))
            {
                Sniff::STRONG
            } else {
                Sniff::NO
            };
        }
        let records = contains(head, "\"Records\"");
        let api_records =
            records && contains(head, "\"eventVersion\"") && contains(head, "\"eventSource\"");
        let digest = contains(head, "\"digestStartTime\"") && contains(head, "\"logFiles\"");
        if api_records || digest {
            Sniff::CERTAIN
        } else if records && contains(head, "\"eventTime\"") {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        let start = tplus_model::json::skip_ws(data, 0);
        if data.get(start) == Some(&b'[') {
            Self::parse_array(data, start, sink);
            return;
        }
        // A lookup-events document: {"Events":[{"CloudTrailEvent":"..."}]}.
        if let Ok(Some(ev)) = find_key_start(data, start, "Events") {
            if data.get(ev) == Some(&b'[')
                && !contains(&data[..data.len().min(4096)], "\"Records\"")
            {
                Self::parse_array(data, ev, sink);
                return;
            }
        }
        let head = &data[..data.len().min(64 * 1024)];
        let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
        if !contains(head, "\"Records\"")
            && !contains(head, "\"digestStartTime\"")
            && looks_like_record(first_line)
        {
            Self::parse_lines(data, sink);
            return;
        }
        let records = match find_key_start(data, start, "Records") {
            Ok(Some(s)) => s,
            Ok(None) => {
                let at = Location::record(0, start as u64);
                let digest = find_key_start(data, start, "digestStartTime")
                    .ok()
                    .flatten()
                    .is_some();
                if digest {
                    sink.skipped(at, "CloudTrail digest file (integrity data)");
                } else {
                    sink.error(at, "JSON object without a \"Records\" array".to_owned());
                }
                return;
            }
            Err(e) => {
                sink.error(
                    Location::record(0, start as u64),
                    format!("cannot frame the document: {e}"),
                );
                return;
            }
        };
        if data.get(records) != Some(&b'[') {
            sink.error(
                Location::record(0, records as u64),
                "\"Records\" is not an array".to_owned(),
            );
            return;
        }
        for (i, span) in array_elements(data, records).enumerate() {
            match span {
                Ok((s, e)) => {
                    let at = Location::record(i as u64, s as u64);
                    match record_to_event(&data[s..e], at, ID) {
                        Ok(ev) => sink.event(ev),
                        Err(m) => sink.error(at, m),
                    }
                }
                Err(err) => sink.error(
                    Location::record(i as u64, records as u64),
                    format!("record cannot be framed: {err}"),
                ),
            }
        }
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    const FILE: &str = r#"{"Records":[
 {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA1","arn":"arn:aws:iam::1:user/ops","accountId":"1","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"ops"},
  "eventTime":"2025-10-14T08:20:41Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.45",
  "requestParameters":{"userName":"backup"},"responseElements":{"accessKey":{"accessKeyId":"AKIAEXAMPLENEWKEY777","secretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","userName":"backup"}},"eventID":"e1"},
 {"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventTime":"2025-10-14T08:21:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","sourceIPAddress":"ec2.amazonaws.com","eventID":"e2"},
 {"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::1:root"},"eventTime":"2025-10-14T08:22:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No"},"eventID":"e3"},
 {"eventVersion":"1.08","eventTime":"not a time","eventSource":"s3.amazonaws.com","eventName":"GetObject"},
 {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","userName":"ops"},"eventTime":"2025-10-14T08:22:15Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","errorCode":"AccessDenied","requestParameters":{"name":"org"},"eventID":"e5"}
]}"#;

    #[test]
    fn maps_records() {
        let c = collect(&CloudTrail, FILE.as_bytes());
        assert_eq!((c.events.len(), c.skipped, c.errors), (4, 0, 1));
        let e = &c.events[0];
        assert_eq!(e.action.as_deref(), Some("iam:CreateAccessKey"));
        assert_eq!(e.actor.as_deref(), Some("ops"));
        assert_eq!(e.actor_kind, ActorKind::Human);
        assert_eq!(e.target.as_deref(), Some("backup"));
        assert_eq!(e.src_ip.as_deref(), Some("203.0.113.45"));
        assert!(e.has_tag(Tag::CredentialChange));
        assert_eq!(e.location.record, Some(0));
        let resp = e.attributes["response_elements"].as_str().unwrap();
        assert!(!resp.contains("wJalrXUtnFEMI"), "secret masked: {resp}");
        assert!(!resp.contains("AKIAEXAMPLENEWKEY777"), "key masked: {resp}");
        assert_eq!(e.attributes["access_key"], "AKIA…MPLE");
        let svc = &c.events[1];
        assert_eq!(svc.actor_kind, ActorKind::Service);
        assert_eq!(svc.src_ip, None);
        assert_eq!(svc.attributes["source_service"], "ec2.amazonaws.com");
        let login = &c.events[2];
        assert_eq!(login.outcome, Outcome::Success);
        assert!(login.has_tag(Tag::LoginWithoutMfa));
        let stop = &c.events[3];
        assert!(stop.has_tag(Tag::LoggingTamper));
        assert_eq!(stop.outcome, Outcome::Failure);
        assert_eq!(c.error_samples[0].0.record, Some(3));
    }

    #[test]
    fn digest_and_bad_shapes() {
        let d = br#"{"awsAccountId":"1","digestStartTime":"2025-10-14T07:40:00Z","digestEndTime":"x","logFiles":[]}"#;
        assert_eq!(CloudTrail.sniff(d), Sniff::CERTAIN);
        let c = collect(&CloudTrail, d);
        assert_eq!((c.events.len(), c.skipped, c.errors), (0, 1, 0));
        let c = collect(&CloudTrail, br#"{"Records": {"a":1}}"#);
        assert_eq!(c.errors, 1);
        let truncated = &FILE.as_bytes()[..FILE.len() / 2];
        let c = collect(&CloudTrail, truncated);
        assert!(
            c.events.len() == 1 && c.errors == 1,
            "{:?}",
            c.error_samples
        );
    }
}
