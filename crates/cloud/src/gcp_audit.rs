//! GCP Cloud Audit Logs: LogEntry records whose `protoPayload` is an `AuditLog`, as
//! `gcloud logging read --format=json` prints them (an array, newest first: the engine sorts)
//! or as a logging sink writes them (one LogEntry per line).
//!
//! The event time is `timestamp` (when the call happened, nanosecond fractions), never
//! `receiveTimestamp` (when Logging received it; kept as an attribute). `insertId` is the
//! event id and duplicates across exports are merged. Actor kind: service accounts
//! (`*.gserviceaccount.com`) are automation, Google-internal agents (`system:`, `service-…@`)
//! service; other principals unknown, because an e-mail does not say whether a person or a
//! script used it.

use serde::Deserialize;
use serde_json::Value;
use tplus_model::json::{contains, first_byte};
use tplus_model::text::excerpt;
use tplus_model::time::parse_instant;
use tplus_model::{ActorKind, Event, Family, Outcome, Parser, RecordSink, Sniff, Tag, TimeValue};

use crate::frame;

/// The GCP audit log parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct GcpAudit;

/// The format id.
pub const ID: &str = "gcp.audit";

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Payload {
    service_name: Option<String>,
    method_name: Option<String>,
    resource_name: Option<String>,
    authentication_info: Option<Value>,
    request_metadata: Option<Value>,
    status: Option<Value>,
    request: Option<Value>,
    service_data: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    insert_id: Option<String>,
    log_name: Option<String>,
    timestamp: Option<String>,
    receive_timestamp: Option<String>,
    severity: Option<String>,
    #[serde(default)]
    proto_payload: Option<Payload>,
    #[serde(default)]
    resource: Option<Value>,
    text_payload: Option<String>,
    #[serde(default)]
    json_payload: Option<Value>,
}

/// A LogEntry of the same export that is not an audit record (a sink often routes other
/// logs too): kept as an event with its text, at its own timestamp.
fn plain_entry(e: Entry, at: tplus_model::Location) -> Result<Event, String> {
    let raw = e.timestamp.clone().ok_or("LogEntry without timestamp")?;
    let t = parse_instant(&raw).map_err(|err| format!("timestamp: {err}"))?;
    let text = match (&e.text_payload, &e.json_payload) {
        (Some(t), _) => t.clone(),
        (None, Some(j)) => j
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| j.to_string(), str::to_owned),
        (None, None) => String::new(),
    };
    let mut b = Event::builder(ID, TimeValue::Instant(t), raw)
        .message(excerpt(&text, 4096).into_owned())
        .desc("Log Entry")
        .action("gcp:log_entry")
        .event_id(e.insert_id.clone())
        .at(at);
    if let Some(l) = &e.log_name {
        b = b.attr("log_id", log_id(l)).attr("log_name", l.as_str());
    }
    if let Some(s) = &e.severity {
        b = b.attr("severity", s.as_str());
    }
    if let Some(project) = e
        .resource
        .as_ref()
        .and_then(|r| r.pointer("/labels/project_id"))
        .and_then(Value::as_str)
    {
        b = b.attr("project_id", project);
    }
    Ok(b.build())
}

fn log_id(name: &str) -> &str {
    let tail = name.rsplit('/').next().unwrap_or(name);
    tail.rsplit("%2F").next().unwrap_or(tail)
}

fn classify(method: &str, request: Option<&Value>) -> (Option<Tag>, u8) {
    let m = method.to_ascii_lowercase();
    if m.contains("configservicev2.deletesink")
        || m.contains("configservicev2.updatesink")
        || m.contains("deletelogmetric")
    {
        return (Some(Tag::LoggingTamper), 95);
    }
    if m.ends_with("setiampolicy") {
        let audit_config = request.is_some_and(|r| r.to_string().contains("auditConfigs"));
        return if audit_config {
            (Some(Tag::LoggingTamper), 90)
        } else {
            (Some(Tag::PolicyChange), 75)
        };
    }
    if m.contains("createserviceaccountkey")
        || m.contains("uploadserviceaccountkey")
        || m.contains("signjwt")
        || m.contains("generateaccesstoken")
    {
        return (Some(Tag::CredentialChange), 80);
    }
    if m.contains("createserviceaccount")
        || m.contains("createrole")
        || m.contains("deleteserviceaccount")
    {
        return (Some(Tag::AccountChange), 65);
    }
    if m.contains("instances.insert")
        || m.contains("setmetadata")
        || m.contains("setcommoninstancemetadata")
    {
        return (Some(Tag::Execution), 50);
    }
    (None, 10)
}

fn to_event(bytes: &[u8], at: tplus_model::Location) -> Result<Event, String> {
    let mut e: Entry =
        serde_json::from_slice(bytes).map_err(|err| format!("not a LogEntry: {err}"))?;
    let Some(p) = e.proto_payload.take() else {
        return plain_entry(e, at);
    };
    let raw = e.timestamp.clone().ok_or("LogEntry without timestamp")?;
    let t = parse_instant(&raw).map_err(|err| format!("timestamp: {err}"))?;
    let service = p.service_name.as_deref().unwrap_or("unknown");
    let short = service.strip_suffix(".googleapis.com").unwrap_or(service);
    let method = p.method_name.as_deref().unwrap_or("unknown");
    let who = p
        .authentication_info
        .as_ref()
        .and_then(|a| a.get("principalEmail"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let kind = match who.as_deref() {
        Some(w)
            if w.ends_with(".gserviceaccount.com")
                && (w.starts_with("service-") || w.contains("@gcp-sa-")) =>
        {
            ActorKind::Service
        }
        Some(w) if w.ends_with(".gserviceaccount.com") => ActorKind::Automation,
        Some(w) if w.starts_with("system:") => ActorKind::Service,
        _ => ActorKind::Unknown,
    };
    let ip = p
        .request_metadata
        .as_ref()
        .and_then(|m| m.get("callerIp"))
        .and_then(Value::as_str);
    let code = p
        .status
        .as_ref()
        .and_then(|s| s.get("code"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let outcome = if code == 0 {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    let (tag, significance) = classify(method, p.request.as_ref());
    let mut message = format!(
        "{short}:{method} by {}",
        who.as_deref().unwrap_or("unknown principal")
    );
    if let Some(r) = &p.resource_name {
        message.push_str(&format!(" on {}", excerpt(r, 200)));
    }
    if code != 0 {
        let m = p
            .status
            .as_ref()
            .and_then(|s| s.get("message"))
            .and_then(Value::as_str)
            .unwrap_or("");
        message.push_str(&format!(" failed: code {code} {}", excerpt(m, 200)));
    }
    let mut b = Event::builder(ID, TimeValue::Instant(t), raw)
        .message(message)
        .desc("API Call")
        .actor(who, kind)
        .action(format!("{short}:{method}"))
        .target(p.resource_name.clone())
        .src_ip(ip)
        .outcome(outcome)
        .event_id(e.insert_id.clone())
        .at(at)
        .significance(significance);
    if let Some(tag) = tag {
        b = b.tag(tag);
    }
    if let Some(l) = &e.log_name {
        b = b.attr("log_id", log_id(l)).attr("log_name", l.as_str());
    }
    if let Some(r) = &e.receive_timestamp {
        b = b.attr("receive_timestamp", r.as_str());
    }
    if let Some(s) = &e.severity {
        b = b.attr("severity", s.as_str());
    }
    if let Some(ua) = p
        .request_metadata
        .as_ref()
        .and_then(|m| m.get("callerSuppliedUserAgent"))
        .and_then(Value::as_str)
    {
        b = b.attr("user_agent", excerpt(ua, 256).into_owned());
    }
    if let Some(project) = e
        .resource
        .as_ref()
        .and_then(|r| r.pointer("/labels/project_id"))
        .and_then(Value::as_str)
    {
        b = b.attr("project_id", project);
    }
    if let Some(rt) = e
        .resource
        .as_ref()
        .and_then(|r| r.get("type"))
        .and_then(Value::as_str)
    {
        b = b.attr("resource_type", rt);
    }
    if code != 0 {
        b = b.attr("status_code", code);
    }
    if let Some(r) = p.request.as_ref().or(p.service_data.as_ref()) {
        b = b.attr("request", excerpt(&r.to_string(), 2048).into_owned());
    }
    Ok(b.build())
}

impl Parser for GcpAudit {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Cloud
    }
    fn describe(&self) -> &'static str {
        "GCP Cloud Audit Logs (LogEntry with AuditLog payload): gcloud logging read JSON arrays and sink files, one entry per line"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if !matches!(first_byte(head), Some(b'{' | b'[')) {
            return Sniff::NO;
        }
        if contains(head, "google.cloud.audit.AuditLog") && contains(head, "\"insertId\"") {
            Sniff::CERTAIN
        } else if contains(head, "cloudaudit.googleapis.com") {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for (at, rec) in frame::records(data, &["entries"]) {
            match rec {
                Ok(b) if b.iter().all(u8::is_ascii_whitespace) => sink.skipped(at, "blank line"),
                Ok(b) => match to_event(b, at) {
                    Ok(ev) => sink.event(ev),
                    Err(m) => sink.error(at, m),
                },
                Err(m) => sink.error(at, m),
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

    #[test]
    fn entries() {
        let data = br#"[
 {"insertId":"a","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"deployer@p.iam.gserviceaccount.com"},"methodName":"google.iam.admin.v1.CreateServiceAccountKey","resourceName":"projects/p/serviceAccounts/x","serviceName":"iam.googleapis.com","requestMetadata":{"callerIp":"203.0.113.7"}},"receiveTimestamp":"2025-01-01T00:00:02.123456789Z","timestamp":"2025-01-01T00:00:01.987654321Z"},
 {"insertId":"b","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"eve@example.com"},"methodName":"google.logging.v2.ConfigServiceV2.DeleteSink","serviceName":"logging.googleapis.com","status":{"code":7,"message":"denied"}},"timestamp":"2025-01-01T00:00:03Z"},
 {"insertId":"c","protoPayload":{"methodName":"x"}},
 {"insertId":"d","textPayload":"plain","timestamp":"2025-01-01T00:00:04Z","logName":"projects/p/logs/syslog"}
]"#;
        let c = collect(&GcpAudit, data);
        assert_eq!((c.events.len(), c.errors), (3, 1));
        assert_eq!(c.events[2].message, "plain");
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2025-01-01T00:00:01.987654321Z");
        assert_eq!(e.actor_kind, ActorKind::Automation);
        assert!(e.has_tag(Tag::CredentialChange));
        assert_eq!(e.attributes["log_id"], "activity");
        let d = &c.events[1];
        assert!(d.has_tag(Tag::LoggingTamper));
        assert_eq!(d.outcome, Outcome::Failure);
    }
}
