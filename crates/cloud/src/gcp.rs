//! GCP Cloud Audit Logs (format id `gcp.audit`): LogEntry records with an AuditLog payload.
//!
//! Shapes: `gcloud logging read --format=json` arrays (newest first: the engine sorts), sink
//! files with one LogEntry per line, and the API's `{"entries":[...]}`. Entries of other
//! logs found in the same export (text or JSON payloads) are kept as plain log entries.
//!
//! Time: `timestamp` (the event time, up to nanoseconds); `receiveTimestamp` is when Logging
//! received the entry and is only used, at medium confidence, when `timestamp` is missing.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use tplus_model::{
    json, text, time, ActorKind, Confidence, Event, Family, Location, Outcome, Parser, RecordSink,
    Sniff, Tag,
};

use crate::frame::{frame, Item};
use crate::jsonx::{body_excerpt, de_error, raw_to_value, Text, BODY_MAX};

/// The format id.
pub const ID: &str = "gcp.audit";

/// The GCP audit log parser.
#[derive(Debug, Default, Clone, Copy)]
pub struct GcpAudit;

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AuthInfo<'a> {
    #[serde(borrow, default)]
    principal_email: Text<'a>,
    #[serde(borrow, default)]
    principal_subject: Text<'a>,
    #[serde(borrow, default)]
    service_account_key_name: Text<'a>,
    #[serde(borrow, default)]
    service_account_delegation_info: Option<&'a RawValue>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RequestMetadata<'a> {
    #[serde(borrow, default)]
    caller_ip: Text<'a>,
    #[serde(borrow, default)]
    caller_supplied_user_agent: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
struct RpcStatus<'a> {
    #[serde(borrow, default)]
    code: Text<'a>,
    #[serde(borrow, default)]
    message: Text<'a>,
}

#[derive(Debug, Deserialize)]
struct AuthzInfo<'a> {
    #[serde(borrow, default)]
    granted: Text<'a>,
    #[serde(borrow, default)]
    permission: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AuditLog<'a> {
    #[serde(borrow, default, rename = "@type")]
    type_url: Text<'a>,
    #[serde(borrow, default)]
    service_name: Text<'a>,
    #[serde(borrow, default)]
    method_name: Text<'a>,
    #[serde(borrow, default)]
    resource_name: Text<'a>,
    #[serde(borrow, default)]
    authentication_info: Option<AuthInfo<'a>>,
    #[serde(borrow, default)]
    request_metadata: Option<RequestMetadata<'a>>,
    #[serde(borrow, default)]
    status: Option<RpcStatus<'a>>,
    #[serde(borrow, default)]
    authorization_info: Option<Vec<AuthzInfo<'a>>>,
    #[serde(borrow, default)]
    request: Option<&'a RawValue>,
    #[serde(borrow, default)]
    response: Option<&'a RawValue>,
    #[serde(borrow, default)]
    service_data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
}

#[derive(Debug, Deserialize, Default)]
struct MonitoredResource<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Text<'a>,
    #[serde(borrow, default)]
    labels: Option<&'a RawValue>,
}

#[derive(Debug, Deserialize, Default)]
struct Operation<'a> {
    #[serde(borrow, default)]
    id: Text<'a>,
    #[serde(borrow, default)]
    first: Text<'a>,
    #[serde(borrow, default)]
    last: Text<'a>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogEntry<'a> {
    #[serde(borrow, default)]
    insert_id: Text<'a>,
    #[serde(borrow, default)]
    log_name: Text<'a>,
    #[serde(borrow, default)]
    timestamp: Text<'a>,
    #[serde(borrow, default)]
    receive_timestamp: Text<'a>,
    #[serde(borrow, default)]
    severity: Text<'a>,
    #[serde(borrow, default)]
    proto_payload: Option<AuditLog<'a>>,
    #[serde(borrow, default)]
    text_payload: Text<'a>,
    #[serde(borrow, default)]
    json_payload: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource: Option<MonitoredResource<'a>>,
    #[serde(borrow, default)]
    operation: Option<Operation<'a>>,
}

impl Parser for GcpAudit {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Cloud
    }
    fn describe(&self) -> &'static str {
        "GCP Cloud Audit Logs (LogEntry + AuditLog): gcloud JSON arrays, one entry per line, {\"entries\":[...]}"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if !matches!(json::first_byte(head), Some(b'{' | b'[')) {
            return Sniff::NO;
        }
        let has = |k: &str| json::contains(head, k);
        if has("google.cloud.audit.AuditLog")
            || (has("cloudaudit.googleapis.com") && has("\"logName\""))
        {
            return Sniff::CERTAIN;
        }
        if has("\"insertId\"") && has("\"logName\"") && has("\"receiveTimestamp\"") {
            return Sniff::STRONG;
        }
        Sniff::NO
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        frame(data, &["entries"], &mut |item| match item {
            Item::Record(bytes, loc) => record(bytes, loc, sink),
            Item::Error(loc, msg) => sink.error(loc, msg),
            Item::Skip(loc, why) => sink.skipped(loc, why),
        });
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

/// The log id of a `logName`, URL-decoded (`cloudaudit.googleapis.com/activity`).
fn log_id(log_name: &str) -> String {
    let id = log_name.split_once("/logs/").map_or(log_name, |(_, id)| id);
    id.replace("%2F", "/").replace("%2f", "/")
}

/// Service accounts (`*.gserviceaccount.com`, `serviceAccount:` subjects) are automation,
/// `system:` principals (GKE control plane) are service, other e-mail principals are human.
fn actor_kind(email: &str, subject: &str) -> ActorKind {
    if email.ends_with(".gserviceaccount.com") || subject.starts_with("serviceAccount:") {
        ActorKind::Automation
    } else if email.starts_with("system:") {
        ActorKind::Service
    } else if email.contains('@') || subject.starts_with("user:") {
        ActorKind::Human
    } else {
        ActorKind::Unknown
    }
}

fn record(bytes: &[u8], loc: Location, sink: &mut dyn RecordSink) {
    let e: LogEntry = match serde_json::from_slice(bytes) {
        Ok(e) => e,
        Err(err) => return sink.error(loc, format!("not a readable LogEntry: {}", de_error(&err))),
    };
    if e.log_name.non_empty().is_none() && e.insert_id.non_empty().is_none() {
        return sink.error(
            loc,
            "not a Cloud Logging LogEntry: no logName or insertId".to_owned(),
        );
    }
    let (ts_raw, lowered) = match (e.timestamp.non_empty(), e.receive_timestamp.non_empty()) {
        (Some(t), _) => (t, None),
        (None, Some(t)) => (
            t,
            Some("timestamp missing; receiveTimestamp is when Logging received the entry"),
        ),
        (None, None) => return sink.error(loc, "LogEntry has no timestamp".to_owned()),
    };
    let tv = match time::parse_timestamp(ts_raw) {
        Ok(t) => t,
        Err(err) => return sink.error(loc, format!("bad timestamp {ts_raw:?}: {err}")),
    };
    let log_name = e.log_name.get().unwrap_or("");
    let lid = log_id(log_name);
    let short_log = lid
        .strip_prefix("cloudaudit.googleapis.com/")
        .unwrap_or(&lid)
        .to_owned();
    let mut b = Event::builder(ID, tv, ts_raw)
        .at(loc)
        .event_id(e.insert_id.non_empty())
        .attr("log_id", short_log.as_str())
        .attr("log_name", log_name);
    if let Some(why) = lowered {
        b = b.lower(Confidence::Medium, why);
    }
    if let Some(r) = e.receive_timestamp.non_empty() {
        b = b.attr("receive_timestamp", r);
    }
    if let Some(s) = e.severity.non_empty() {
        b = b.attr("severity", s);
    }
    let res = e.resource.unwrap_or_default();
    if let Some(t) = res.kind.non_empty() {
        b = b.attr("resource_type", t);
    }
    let labels = raw_to_value(res.labels);
    if let Some(l) = &labels {
        b = b.attr(
            "resource_labels",
            text::excerpt(&l.to_string(), 512).into_owned(),
        );
        if let Some(p) = l.get("project_id").and_then(Value::as_str) {
            b = b.attr("project", p);
        }
    }
    if let Some(op) = &e.operation {
        if let Some(id) = op.id.non_empty() {
            b = b.attr("operation_id", id);
        }
        if op.first.get() == Some("true") {
            b = b.attr("operation_first", true);
        }
        if op.last.get() == Some("true") {
            b = b.attr("operation_last", true);
        }
    }

    let audit = e.proto_payload.filter(|p| {
        p.type_url
            .get()
            .is_some_and(|t| t.ends_with("google.cloud.audit.AuditLog"))
            || p.method_name.non_empty().is_some()
    });
    let Some(p) = audit else {
        // Another log in the same export: keep it as a plain entry.
        let body = e
            .text_payload
            .non_empty()
            .map(|t| text::excerpt(t, BODY_MAX).into_owned())
            .or_else(|| body_excerpt(e.json_payload))
            .unwrap_or_default();
        let event = b
            .desc("Log Entry Written")
            .action(format!("log:{short_log}"))
            .significance(5)
            .message(text::excerpt(&format!("{short_log}: {body}"), 1024).into_owned())
            .build();
        return sink.event(event);
    };

    let service = p.service_name.non_empty().unwrap_or("");
    let method = p.method_name.non_empty().unwrap_or("");
    let svc_short = service.strip_suffix(".googleapis.com").unwrap_or(service);
    let action = format!("{svc_short}:{method}");
    let auth = p.authentication_info.unwrap_or_default();
    let email = auth.principal_email.non_empty().unwrap_or("");
    let subject = auth.principal_subject.non_empty().unwrap_or("");
    let kind = actor_kind(email, subject);
    let actor = auth
        .principal_email
        .non_empty()
        .or(auth.principal_subject.non_empty())
        .map(str::to_owned);
    let meta = p.request_metadata.unwrap_or_default();
    let code = p
        .status
        .as_ref()
        .and_then(|s| s.code.get())
        .and_then(|c| c.parse::<i64>().ok())
        .unwrap_or(0);
    let denied = p
        .authorization_info
        .iter()
        .flatten()
        .any(|a| a.granted.get() == Some("false"));
    let outcome = if code != 0 || denied {
        Outcome::Failure
    } else {
        Outcome::Success
    };
    let target = p.resource_name.non_empty().map(str::to_owned).or_else(|| {
        res.kind.non_empty().map(|t| {
            format!(
                "{t} {}",
                labels.as_ref().map(Value::to_string).unwrap_or_default()
            )
        })
    });

    b = b
        .actor(actor.as_deref().map(|a| sink.intern(a)), kind)
        .src_ip(meta.caller_ip.non_empty())
        .action(sink.intern(&action))
        .target(target.clone())
        .outcome(outcome);
    if let Some(ip) = meta.caller_ip.non_empty() {
        if text::normalise_ip(ip).is_none() {
            b = b.attr("caller_ip", ip);
        }
    }
    if let Some(ua) = meta.caller_supplied_user_agent.non_empty() {
        b = b.attr("user_agent", text::excerpt(ua, 512).into_owned());
    }
    if let Some(k) = auth.service_account_key_name.non_empty() {
        b = b.attr("service_account_key", k);
    }
    if let Some(d) = raw_to_value(auth.service_account_delegation_info) {
        b = b.attr(
            "delegation",
            text::excerpt(&d.to_string(), 512).into_owned(),
        );
    }
    let perms: Vec<&str> = p
        .authorization_info
        .iter()
        .flatten()
        .filter_map(|a| a.permission.non_empty())
        .collect();
    if !perms.is_empty() {
        b = b.attr(
            "permissions",
            text::excerpt(&perms.join(","), 512).into_owned(),
        );
    }
    let status_msg = p
        .status
        .as_ref()
        .and_then(|s| s.message.non_empty())
        .map(|m| text::excerpt(m, 512).into_owned());
    if code != 0 {
        b = b.attr("status_code", code);
    }
    if let Some(m) = &status_msg {
        b = b.attr("status_message", m.as_str());
    }
    for (k, raw) in [
        ("request", p.request),
        ("response", p.response),
        ("service_data", p.service_data),
        ("metadata", p.metadata),
    ] {
        if let Some(x) = body_excerpt(raw) {
            b = b.attr(k, x);
        }
    }
    let audit_config = [p.request, p.service_data]
        .iter()
        .flatten()
        .any(|r| r.get().contains("auditConfig"));
    let (tags, sig) = classify(svc_short, method, audit_config);
    for t in tags {
        b = b.tag(t);
    }
    let sig = if outcome == Outcome::Failure {
        sig.saturating_add(10).min(100)
    } else {
        sig
    };
    let mut msg = action.clone();
    if let Some(a) = &actor {
        msg.push_str(&format!(" by {a}"));
    }
    if let Some(t) = &target {
        msg.push_str(&format!(" on {t}"));
    }
    if let Some(ip) = meta.caller_ip.non_empty() {
        msg.push_str(&format!(" from {ip}"));
    }
    if outcome == Outcome::Failure {
        msg.push_str(&format!(
            " failed ({})",
            status_msg.as_deref().unwrap_or("permission denied")
        ));
    }
    let desc = match short_log.as_str() {
        "activity" => "Admin Activity",
        "data_access" => "Data Access",
        "system_event" => "System Event",
        "policy" => "Policy Denied",
        _ => "Audit Log",
    };
    let event = b
        .desc(desc)
        .significance(sig)
        .message(text::excerpt(&msg, 1024).into_owned())
        .build();
    sink.event(event);
}

fn classify(service: &str, method: &str, audit_config: bool) -> (Vec<Tag>, u8) {
    use Tag::*;
    let m = method.rsplit('.').next().unwrap_or(method);
    let lower = method.to_ascii_lowercase();
    if service == "logging"
        && (m.contains("DeleteSink")
            || m.contains("UpdateSink")
            || m.contains("DeleteLog")
            || m.contains("DeleteBucket")
            || m.contains("UpdateBucket")
            || m.contains("CreateExclusion")
            || m.contains("UpdateExclusion"))
    {
        return (vec![LoggingTamper], 95);
    }
    if m == "SetIamPolicy"
        || lower.ends_with("setiampolicy")
        || lower.ends_with("setiampermissions")
    {
        return if audit_config {
            (vec![LoggingTamper, PolicyChange], 95)
        } else {
            (vec![PolicyChange], 75)
        };
    }
    match m {
        "CreateServiceAccountKey" | "UploadServiceAccountKey" => (vec![CredentialChange], 80),
        "GenerateAccessToken" | "GenerateIdToken" | "SignBlob" | "SignJwt" => {
            (vec![CredentialChange], 60)
        }
        "CreateServiceAccount" | "DeleteServiceAccount" | "EnableServiceAccount" => {
            (vec![AccountChange], 70)
        }
        "CreateRole" | "UpdateRole" => (vec![PolicyChange], 60),
        _ if lower.ends_with("instances.setmetadata")
            || lower.ends_with("projects.setcommoninstancemetadata") =>
        {
            (vec![CredentialChange], 60)
        }
        _ if lower.ends_with("instances.insert") => (vec![Execution], 45),
        _ if lower.contains("firewalls.insert")
            || lower.contains("firewalls.patch")
            || lower.contains("firewalls.update") =>
        {
            (vec![PolicyChange], 55)
        }
        _ if m.starts_with("Get")
            || m.starts_with("List")
            || lower.ends_with(".get")
            || lower.ends_with(".list") =>
        {
            (vec![], 5)
        }
        _ => (vec![], 20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn audit_entry_and_plain_entry() {
        let a = r#"{"insertId":"x1","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{"code":7,"message":"denied"},"authenticationInfo":{"principalEmail":"sa@p.iam.gserviceaccount.com"},"requestMetadata":{"callerIp":"34.72.217.225"},"serviceName":"iam.googleapis.com","methodName":"google.iam.admin.v1.CreateServiceAccountKey","resourceName":"projects/p/serviceAccounts/x"},"receiveTimestamp":"2024-12-03T17:58:45.716564605Z","timestamp":"2024-12-03T17:58:44.882119699Z"}"#;
        let t = r#"{"insertId":"x2","logName":"projects/p/logs/testlog","receiveTimestamp":"2021-10-19T02:04:00.272384509Z","textPayload":"hello","timestamp":"2021-10-19T02:04:00.1Z"}"#;
        let sink = r#"{"insertId":"x3","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"bob@example.com"},"requestMetadata":{"callerIp":"private"},"serviceName":"logging.googleapis.com","methodName":"google.logging.v2.ConfigServiceV2.DeleteSink","resourceName":"projects/p/sinks/s"},"timestamp":"2024-01-01T00:00:00Z"}"#;
        let doc = format!("[{a},\n{t},\n{sink}]");
        assert_eq!(GcpAudit.sniff(doc.as_bytes()), Sniff::CERTAIN);
        let c = collect(&GcpAudit, doc.as_bytes());
        assert_eq!((c.events.len(), c.errors), (3, 0));
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2024-12-03T17:58:44.882119699Z");
        assert_eq!(e.actor_kind, ActorKind::Automation);
        assert_eq!(e.outcome, Outcome::Failure);
        assert!(e.has_tag(Tag::CredentialChange));
        assert_eq!(e.event_id.as_deref(), Some("x1"));
        assert_eq!(e.attributes["log_id"], "activity");
        assert_eq!(c.events[1].action.as_deref(), Some("log:testlog"));
        let s = &c.events[2];
        assert!(s.has_tag(Tag::LoggingTamper));
        assert_eq!(s.actor_kind, ActorKind::Human);
        assert_eq!(s.src_ip, None);
        assert_eq!(s.attributes["caller_ip"], "private");
        assert!(GcpAudit.dedup_by_event_id());
    }

    #[test]
    fn audit_config_change_is_tamper() {
        let r = r#"{"insertId":"y","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","serviceName":"cloudresourcemanager.googleapis.com","methodName":"SetIamPolicy","serviceData":{"policyDelta":{"auditConfigDeltas":[{"action":"REMOVE","service":"allServices","logType":"DATA_READ"}]}}},"timestamp":"2024-01-01T00:00:00Z"}"#;
        let c = collect(&GcpAudit, r.as_bytes());
        assert!(c.events[0].has_tag(Tag::LoggingTamper) && c.events[0].has_tag(Tag::PolicyChange));
    }
}
