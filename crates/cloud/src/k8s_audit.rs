//! Kubernetes audit events (`audit.k8s.io/v1` and `v1beta1`): one event per line as the API
//! server's log backend writes them, a JSON array, or an `EventList` (`{"items":[...]}`).
//!
//! A request is logged once per stage (RequestReceived, ResponseStarted, ResponseComplete,
//! Panic) under one `auditID`. The timeline keeps one event per `auditID`, the completed
//! stage (ResponseComplete or Panic, else the last stage seen), at its `stageTimestamp`; the
//! other stages are skipped with a reason, so every line is still accounted for.
//!
//! Actor kind: `system:serviceaccount:*` users are automation, other `system:` users (the
//! control plane, nodes, `system:anonymous`) are service; anyone else is unknown, because the
//! record names an identity, not whether a person used it.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;
use tplus_model::json::{array_elements, contains, find_key_start, first_byte, skip_ws};
use tplus_model::text::excerpt;
use tplus_model::time::parse_instant;
use tplus_model::{
    ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag, TimeValue,
};

/// The Kubernetes audit parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct K8sAudit;

/// The format id.
pub const ID: &str = "k8s.audit";

#[derive(Deserialize, Default)]
#[serde(default)]
struct User {
    username: Option<String>,
    groups: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct ObjectRef {
    resource: Option<String>,
    subresource: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    api_group: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Status {
    code: Option<i64>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuditEvent {
    #[serde(rename = "auditID")]
    audit_id: Option<String>,
    stage: Option<String>,
    verb: Option<String>,
    request_uri: Option<String>,
    #[serde(default)]
    user: Option<User>,
    #[serde(default)]
    impersonated_user: Option<User>,
    #[serde(rename = "sourceIPs", default)]
    source_ips: Option<Vec<String>>,
    user_agent: Option<String>,
    #[serde(default)]
    object_ref: Option<ObjectRef>,
    #[serde(default)]
    response_status: Option<Status>,
    request_received_timestamp: Option<String>,
    stage_timestamp: Option<String>,
    /// v1beta1 and early exports.
    timestamp: Option<String>,
    #[serde(default)]
    request_object: Option<Value>,
    #[serde(default)]
    annotations: Option<Value>,
}

fn actor_kind(user: &str) -> ActorKind {
    if user.starts_with("system:serviceaccount:") {
        ActorKind::Automation
    } else if user.starts_with("system:") {
        ActorKind::Service
    } else {
        ActorKind::Unknown
    }
}

fn to_event(a: &AuditEvent, at: Location) -> Result<Event, String> {
    let (raw, desc) = match (
        &a.stage_timestamp,
        &a.request_received_timestamp,
        &a.timestamp,
    ) {
        (Some(t), _, _) => (
            t.clone(),
            format!("Audit {}", a.stage.as_deref().unwrap_or("Stage")),
        ),
        (None, Some(t), _) => (t.clone(), "Request Received".to_owned()),
        (None, None, Some(t)) => (t.clone(), "Audit Event".to_owned()),
        _ => {
            return Err("audit event without stageTimestamp or requestReceivedTimestamp".to_owned())
        }
    };
    let t = parse_instant(&raw).map_err(|e| format!("timestamp: {e}"))?;
    let verb = a.verb.as_deref().unwrap_or("unknown");
    let obj = a.object_ref.as_ref();
    let resource = obj.and_then(|o| o.resource.as_deref()).unwrap_or("");
    let sub = obj.and_then(|o| o.subresource.as_deref());
    let res = match sub {
        Some(s) => format!("{resource}/{s}"),
        None => resource.to_owned(),
    };
    let action = if res.is_empty() {
        format!("k8s:{verb}")
    } else {
        format!("k8s:{verb} {res}")
    };
    let target = obj.and_then(|o| match (&o.namespace, &o.name) {
        (Some(ns), Some(n)) => Some(format!("{ns}/{n}")),
        (None, Some(n)) => Some(n.clone()),
        (Some(ns), None) => Some(format!("{ns}/*")),
        (None, None) => None,
    });
    let user = a.user.as_ref().and_then(|u| u.username.clone());
    let kind = user.as_deref().map_or(ActorKind::Unknown, actor_kind);
    let code = a.response_status.as_ref().and_then(|s| s.code);
    let outcome = match code {
        Some(c) if (200..400).contains(&c) => Outcome::Success,
        Some(_) => Outcome::Failure,
        None => Outcome::Unknown,
    };
    let mut significance = 10u8;
    let mut tags = Vec::new();
    let write = matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    );
    match (resource, sub, write) {
        ("secrets", _, _) => significance = 60,
        ("clusterrolebindings" | "rolebindings", _, true) => {
            tags.push(Tag::PrivilegeChange);
            significance = 80;
        }
        ("clusterroles" | "roles", _, true) => {
            tags.push(Tag::PolicyChange);
            significance = 70;
        }
        ("pods", Some("exec" | "attach" | "portforward"), _) => {
            tags.push(Tag::Execution);
            significance = 75;
        }
        ("serviceaccounts", Some("token"), _) => {
            tags.push(Tag::CredentialChange);
            significance = 75;
        }
        ("serviceaccounts", _, true) => {
            tags.push(Tag::AccountChange);
            significance = 55;
        }
        (_, _, true) => significance = 30,
        _ => {}
    }
    let who = user.as_deref().unwrap_or("unknown user");
    let mut message = format!(
        "{who} {verb} {}",
        if res.is_empty() {
            a.request_uri.as_deref().unwrap_or("")
        } else {
            &res
        }
    );
    if let Some(t) = &target {
        message.push_str(&format!(" {t}"));
    }
    if let Some(c) = code {
        message.push_str(&format!(" → {c}"));
    }
    let mut b = Event::builder(ID, TimeValue::Instant(t), raw)
        .message(message)
        .desc(desc)
        .actor(user, kind)
        .action(action)
        .target(target)
        .src_ip(
            a.source_ips
                .as_ref()
                .and_then(|v| v.first())
                .map(String::as_str),
        )
        .outcome(outcome)
        .event_id(a.audit_id.clone())
        .at(at)
        .significance(significance);
    for t in tags {
        b = b.tag(t);
    }
    for (k, v) in [
        ("stage", a.stage.clone()),
        (
            "request_uri",
            a.request_uri
                .as_deref()
                .map(|u| excerpt(u, 512).into_owned()),
        ),
        (
            "user_agent",
            a.user_agent
                .as_deref()
                .map(|u| excerpt(u, 256).into_owned()),
        ),
        ("request_received", a.request_received_timestamp.clone()),
        ("api_group", obj.and_then(|o| o.api_group.clone())),
        (
            "impersonated_user",
            a.impersonated_user
                .as_ref()
                .and_then(|u| u.username.clone()),
        ),
        (
            "status_message",
            a.response_status
                .as_ref()
                .and_then(|s| s.message.as_deref().map(|m| excerpt(m, 512).into_owned())),
        ),
    ] {
        if let Some(v) = v {
            b = b.attr(k, v);
        }
    }
    if let Some(g) = a.user.as_ref().and_then(|u| u.groups.as_ref()) {
        b = b.attr("groups", g.join(","));
    }
    if let Some(c) = code {
        b = b.attr("response_code", c);
    }
    if let Some(d) = a
        .annotations
        .as_ref()
        .and_then(|v| v.get("authorization.k8s.io/decision"))
        .and_then(Value::as_str)
    {
        b = b.attr("authorization", d);
    }
    // Request bodies: a bounded excerpt, never for Secrets (their data is the secret).
    if let Some(obj) = a
        .request_object
        .as_ref()
        .filter(|_| resource != "secrets" && resource != "configmaps")
    {
        let text = serde_json::to_string(obj).unwrap_or_default();
        b = b.attr("request_object", excerpt(&text, 2048).into_owned());
    }
    Ok(b.build())
}

/// Frames the records: `(location, bytes)` for an array, an EventList or one per line.
fn frame(data: &[u8]) -> Vec<(Location, Result<&[u8], String>)> {
    let start = skip_ws(data, 0);
    let list = if data.get(start) == Some(&b'[') {
        Some(start)
    } else {
        match find_key_start(data, start, "items") {
            Ok(Some(i)) if contains(&data[..data.len().min(4096)], "\"EventList\"") => Some(i),
            _ => None,
        }
    };
    if let Some(list) = list {
        return array_elements(data, list)
            .enumerate()
            .map(|(i, span)| match span {
                Ok((s, e)) => (Location::record(i as u64, s as u64), Ok(&data[s..e])),
                Err(err) => (
                    Location::record(i as u64, list as u64),
                    Err(format!("record cannot be framed: {err}")),
                ),
            })
            .collect();
    }
    tplus_model::lines::lines(data)
        .map(|l| {
            (
                Location::line_record(l.number, l.number - 1, l.offset),
                Ok(l.bytes),
            )
        })
        .collect()
}

impl Parser for K8sAudit {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Cloud
    }
    fn describe(&self) -> &'static str {
        "Kubernetes audit events (audit.k8s.io v1/v1beta1; one per line, arrays, EventList); one event per auditID, the completed stage"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if !matches!(first_byte(head), Some(b'{' | b'[')) {
            return Sniff::NO;
        }
        if contains(head, "\"auditID\"")
            && (contains(head, "\"stage\"") || contains(head, "audit.k8s.io"))
        {
            Sniff::CERTAIN
        } else if contains(head, "audit.k8s.io") {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        let records = frame(data);
        let parsed: Vec<Option<Result<AuditEvent, String>>> = records
            .iter()
            .map(|(_, r)| match r {
                Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => None,
                Ok(bytes) => Some(
                    serde_json::from_slice::<AuditEvent>(bytes)
                        .map_err(|e| format!("not a Kubernetes audit event: {e}")),
                ),
                Err(e) => Some(Err(e.clone())),
            })
            .collect();
        // The stage to keep per auditID: the completed one, else the last one seen.
        let mut keep: HashMap<&str, usize> = HashMap::new();
        for (i, p) in parsed.iter().enumerate() {
            if let Some(Ok(a)) = p {
                if let Some(id) = a.audit_id.as_deref() {
                    let done = matches!(a.stage.as_deref(), Some("ResponseComplete" | "Panic"));
                    match keep.get(id) {
                        Some(&j)
                            if !done
                                && matches!(&parsed[j], Some(Ok(b)) if matches!(b.stage.as_deref(), Some("ResponseComplete" | "Panic"))) =>
                            {}
                        _ => {
                            keep.insert(id, i);
                        }
                    }
                }
            }
        }
        for (i, ((at, _), p)) in records.iter().zip(&parsed).enumerate() {
            match p {
                None => sink.skipped(*at, "blank line"),
                Some(Err(e)) => sink.error(*at, e.clone()),
                Some(Ok(a)) => {
                    let kept = a
                        .audit_id
                        .as_deref()
                        .is_none_or(|id| keep.get(id) == Some(&i));
                    if !kept {
                        sink.skipped(
                            *at,
                            "another stage of an auditID kept once (the completed stage)",
                        );
                        continue;
                    }
                    match to_event(a, *at) {
                        Ok(ev) => sink.event(ev),
                        Err(m) => sink.error(*at, m),
                    }
                }
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
    fn one_event_per_audit_id() {
        let data = concat!(
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseStarted","verb":"create","user":{"username":"alice@example.com"},"sourceIPs":["10.0.0.9"],"objectRef":{"resource":"clusterrolebindings","name":"pwn"},"responseStatus":{"code":201},"requestReceivedTimestamp":"2025-01-01T00:00:00.000001Z","stageTimestamp":"2025-01-01T00:00:00.100000Z"}"#,
            "\n",
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseComplete","verb":"create","user":{"username":"alice@example.com"},"sourceIPs":["10.0.0.9"],"objectRef":{"resource":"clusterrolebindings","name":"pwn"},"responseStatus":{"code":201},"requestReceivedTimestamp":"2025-01-01T00:00:00.000001Z","stageTimestamp":"2025-01-01T00:00:00.200000Z"}"#,
            "\n",
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a2","stage":"ResponseComplete","verb":"get","user":{"username":"system:serviceaccount:kube-system:x"},"objectRef":{"resource":"secrets","namespace":"prod","name":"db"},"responseStatus":{"code":403},"stageTimestamp":"2025-01-01T00:00:01Z","requestObject":{"data":{"password":"c2VjcmV0"}}}"#,
            "\n{\"kind\": 0}\n"
        );
        let c = collect(&K8sAudit, data.as_bytes());
        assert_eq!((c.events.len(), c.skipped, c.errors), (2, 1, 1));
        let e = &c.events[0];
        assert_eq!(e.ts_raw, "2025-01-01T00:00:00.200000Z");
        assert_eq!(e.action.as_deref(), Some("k8s:create clusterrolebindings"));
        assert!(e.has_tag(Tag::PrivilegeChange));
        assert_eq!(e.src_ip.as_deref(), Some("10.0.0.9"));
        let s = &c.events[1];
        assert_eq!(
            (s.actor_kind, s.outcome),
            (ActorKind::Automation, Outcome::Failure)
        );
        assert_eq!(s.target.as_deref(), Some("prod/db"));
        assert!(
            !s.attributes.contains_key("request_object"),
            "secret bodies are never copied"
        );
        assert_eq!(c.error_samples[0].0.line, Some(4));
    }
}
