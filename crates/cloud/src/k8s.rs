//! Kubernetes audit events (format id `k8s.audit`), `audit.k8s.io/v1` and `v1beta1`.
//!
//! Shapes: the log backend's one event per line, a JSON array, and the webhook backend's
//! `{"kind":"EventList","items":[...]}`.
//!
//! The API server logs one request once per stage (`RequestReceived`, `ResponseStarted`,
//! `ResponseComplete`, `Panic`) under the same `auditID`. The parser keeps ONE event per
//! `auditID`: the completed stage (`ResponseComplete` or `Panic`, which carries the response
//! status), else the furthest stage seen; every other stage of that `auditID` is a skipped
//! record with the reason [`STAGE_SKIP`].
//!
//! Time: the event time is `requestReceivedTimestamp` (when the request reached the API
//! server). Every stage of a request carries the same value, so the kept event sorts where
//! the request began whichever stage was kept, and a long `exec`/`watch` does not sort at its
//! end; `stageTimestamp` (when that stage was reached) is kept as an attribute.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::value::RawValue;
use tplus_model::{
    json, text, time, ActorKind, Confidence, Event, Family, Location, Outcome, Parser, RecordSink,
    Sniff, Tag,
};

use crate::frame::{frame, Item};
use crate::jsonx::{body_excerpt, de_error, Text};

/// The format id.
pub const ID: &str = "k8s.audit";

/// Skip reason for the other stages of a request already kept.
pub const STAGE_SKIP: &str =
    "Kubernetes audit: another stage of an auditID whose completed stage is kept";

/// The Kubernetes audit parser.
#[derive(Debug, Default, Clone, Copy)]
pub struct K8sAudit;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Key<'a> {
    #[serde(borrow, default, rename = "auditID")]
    audit_id: Text<'a>,
    #[serde(borrow, default)]
    stage: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
struct UserInfo<'a> {
    #[serde(borrow, default)]
    username: Text<'a>,
    #[serde(borrow, default)]
    groups: Option<Vec<Text<'a>>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ObjectRef<'a> {
    #[serde(borrow, default)]
    resource: Text<'a>,
    #[serde(borrow, default)]
    namespace: Text<'a>,
    #[serde(borrow, default)]
    name: Text<'a>,
    #[serde(borrow, default)]
    api_group: Text<'a>,
    #[serde(borrow, default)]
    subresource: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
struct Status<'a> {
    #[serde(borrow, default)]
    code: Text<'a>,
    #[serde(borrow, default)]
    message: Text<'a>,
    #[serde(borrow, default)]
    reason: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    #[serde(borrow, default)]
    creation_timestamp: Text<'a>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuditEvent<'a> {
    #[serde(borrow, default)]
    api_version: Text<'a>,
    #[serde(borrow, default)]
    level: Text<'a>,
    #[serde(borrow, default, rename = "auditID")]
    audit_id: Text<'a>,
    #[serde(borrow, default)]
    stage: Text<'a>,
    #[serde(borrow, default, rename = "requestURI")]
    request_uri: Text<'a>,
    #[serde(borrow, default)]
    verb: Text<'a>,
    #[serde(borrow, default)]
    user: Option<UserInfo<'a>>,
    #[serde(borrow, default)]
    impersonated_user: Option<UserInfo<'a>>,
    #[serde(borrow, default, rename = "sourceIPs")]
    source_ips: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    user_agent: Text<'a>,
    #[serde(borrow, default)]
    object_ref: Option<ObjectRef<'a>>,
    #[serde(borrow, default)]
    response_status: Option<Status<'a>>,
    #[serde(borrow, default)]
    request_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    response_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    request_received_timestamp: Text<'a>,
    #[serde(borrow, default)]
    stage_timestamp: Text<'a>,
    #[serde(borrow, default)]
    timestamp: Text<'a>,
    #[serde(borrow, default)]
    metadata: Option<Metadata<'a>>,
    #[serde(borrow, default)]
    annotations: Option<HashMap<String, Text<'a>>>,
}

impl Parser for K8sAudit {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Cloud
    }
    fn describe(&self) -> &'static str {
        "Kubernetes audit events (audit.k8s.io v1/v1beta1): one per line, arrays, EventList; one event per auditID"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if !matches!(json::first_byte(head), Some(b'{' | b'[')) {
            return Sniff::NO;
        }
        let has = |k: &str| json::contains(head, k);
        if has("audit.k8s.io/") && has("\"auditID\"") {
            return Sniff::CERTAIN;
        }
        if has("\"auditID\"") && has("\"stage\"") && (has("\"verb\"") || has("\"requestURI\"")) {
            return Sniff::CERTAIN;
        }
        if has("audit.k8s.io/") {
            return Sniff::STRONG;
        }
        Sniff::NO
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        let mut items = Vec::new();
        frame(data, &["items"], &mut |item| items.push(item));
        // Pass 1: which record of each auditID is kept.
        let mut best: HashMap<String, (u8, usize)> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            if let Item::Record(bytes, _) = item {
                if let Ok(k) = serde_json::from_slice::<Key>(bytes) {
                    if let (Some(id), Some(stage)) = (k.audit_id.non_empty(), k.stage.non_empty()) {
                        let r = stage_rank(stage);
                        match best.get_mut(id) {
                            Some(b) if b.0 >= r => {}
                            Some(b) => *b = (r, i),
                            None => {
                                best.insert(id.to_owned(), (r, i));
                            }
                        }
                    }
                }
            }
        }
        // Pass 2: one sink call per record, in input order.
        for (i, item) in items.into_iter().enumerate() {
            match item {
                Item::Record(bytes, loc) => record(bytes, loc, i, &best, sink),
                Item::Error(loc, msg) => sink.error(loc, msg),
                Item::Skip(loc, why) => sink.skipped(loc, why),
            }
        }
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

fn stage_rank(stage: &str) -> u8 {
    match stage {
        "ResponseComplete" | "Panic" => 3,
        "ResponseStarted" => 2,
        "RequestReceived" => 1,
        _ => 0,
    }
}

/// `system:serviceaccount:` users are automation; other `system:` users are the control plane
/// (service); `system:anonymous` is unauthenticated (unknown); other users are people or
/// OIDC identities (human).
fn actor_kind(user: &str, groups: &[Text<'_>]) -> ActorKind {
    if user.starts_with("system:serviceaccount:")
        || groups
            .iter()
            .any(|g| g.get() == Some("system:serviceaccounts"))
    {
        ActorKind::Automation
    } else if user == "system:anonymous" || user.is_empty() {
        ActorKind::Unknown
    } else if user.starts_with("system:") {
        ActorKind::Service
    } else {
        ActorKind::Human
    }
}

fn record(
    bytes: &[u8],
    loc: Location,
    index: usize,
    best: &HashMap<String, (u8, usize)>,
    sink: &mut dyn RecordSink,
) {
    let ev: AuditEvent = match serde_json::from_slice(bytes) {
        Ok(e) => e,
        Err(e) => {
            return sink.error(
                loc,
                format!("not a readable Kubernetes audit event: {}", de_error(&e)),
            )
        }
    };
    let (Some(audit_id), Some(stage)) = (ev.audit_id.non_empty(), ev.stage.non_empty()) else {
        return sink.error(
            loc,
            "not a Kubernetes audit event: no auditID or stage".to_owned(),
        );
    };
    if best.get(audit_id).is_some_and(|b| b.1 != index) {
        return sink.skipped(loc, STAGE_SKIP);
    }
    let (ts_raw, lowered) = match (ev.request_received_timestamp.non_empty(), ev.stage_timestamp.non_empty()) {
        (Some(t), _) => (t, None),
        (None, Some(t)) => (t, Some("requestReceivedTimestamp missing; time is the stage's stageTimestamp")),
        (None, None) => match ev.timestamp.non_empty().or(ev.metadata.as_ref().and_then(|m| m.creation_timestamp.non_empty())) {
            Some(t) => (t, Some("requestReceivedTimestamp missing; time from the older timestamp/creationTimestamp field")),
            None => return sink.error(loc, format!("audit event {audit_id} has no timestamp")),
        },
    };
    let tv = match time::parse_timestamp(ts_raw) {
        Ok(t) => t,
        Err(e) => return sink.error(loc, format!("bad requestReceivedTimestamp {ts_raw:?}: {e}")),
    };
    let verb = ev.verb.non_empty().unwrap_or("unknown");
    let oref = ev.object_ref.unwrap_or_default();
    let resource = match (oref.resource.non_empty(), oref.subresource.non_empty()) {
        (Some(r), Some(s)) => Some(format!("{r}/{s}")),
        (Some(r), None) => Some(r.to_owned()),
        _ => None,
    };
    let uri_path = ev
        .request_uri
        .get()
        .map(|u| u.split('?').next().unwrap_or(u));
    let action = match &resource {
        Some(r) => format!("{verb}:{r}"),
        None => format!("{verb}:{}", uri_path.unwrap_or("?")),
    };
    let target = match (oref.namespace.non_empty(), oref.name.non_empty()) {
        (Some(ns), Some(n)) => Some(format!("{ns}/{n}")),
        (None, Some(n)) => Some(n.to_owned()),
        (Some(ns), None) => Some(ns.to_owned()),
        (None, None) => uri_path.map(str::to_owned),
    };
    let user = ev.user.unwrap_or_default();
    let username = user.username.non_empty().unwrap_or("");
    let groups = user.groups.unwrap_or_default();
    let kind = actor_kind(username, &groups);
    let code = ev
        .response_status
        .as_ref()
        .and_then(|s| s.code.get())
        .and_then(|c| c.parse::<u16>().ok());
    let outcome = match code {
        Some(c) if c < 400 => Outcome::Success,
        Some(_) => Outcome::Failure,
        None => Outcome::Unknown,
    };
    let ips: Vec<&str> = ev
        .source_ips
        .iter()
        .flatten()
        .filter_map(Text::non_empty)
        .collect();

    let mut b = Event::builder(ID, tv, ts_raw)
        .at(loc)
        .event_id(Some(audit_id))
        .desc("Request Received (apiserver)")
        .actor((!username.is_empty()).then(|| sink.intern(username)), kind)
        .action(sink.intern(&action))
        .target(target.clone())
        .src_ip(ips.first().copied())
        .outcome(outcome)
        .attr("stage", stage)
        .attr("verb", verb);
    if let Some(why) = lowered {
        b = b.lower(Confidence::Medium, why);
    }
    for (k, v) in [
        ("api_version", &ev.api_version),
        ("level", &ev.level),
        ("stage_timestamp", &ev.stage_timestamp),
        ("user_agent", &ev.user_agent),
        ("api_group", &oref.api_group),
        ("namespace", &oref.namespace),
    ] {
        if let Some(s) = v.non_empty() {
            b = b.attr(k, text::excerpt(s, 512).into_owned());
        }
    }
    if let Some(r) = &resource {
        b = b.attr("resource", r.as_str());
    }
    if let Some(u) = ev.request_uri.non_empty() {
        b = b.attr("request_uri", text::excerpt(u, 1024).into_owned());
    }
    if ips.len() > 1 {
        b = b.attr("source_ips", ips.join(","));
    }
    if !groups.is_empty() {
        let g: Vec<&str> = groups.iter().filter_map(Text::get).collect();
        b = b.attr("groups", text::excerpt(&g.join(","), 512).into_owned());
    }
    if let Some(imp) = ev
        .impersonated_user
        .as_ref()
        .and_then(|u| u.username.non_empty())
    {
        b = b.attr("impersonated_user", imp);
    }
    if let Some(c) = code {
        b = b.attr("response_code", u64::from(c));
    }
    if let Some(st) = &ev.response_status {
        if let Some(m) = st.message.non_empty().or(st.reason.non_empty()) {
            b = b.attr("response_message", text::excerpt(m, 512).into_owned());
        }
    }
    let mut decision = None;
    if let Some(ann) = &ev.annotations {
        decision = ann
            .get("authorization.k8s.io/decision")
            .and_then(Text::non_empty)
            .map(str::to_owned);
        if let Some(d) = &decision {
            b = b.attr("authorization_decision", d.as_str());
        }
        if let Some(r) = ann
            .get("authorization.k8s.io/reason")
            .and_then(Text::non_empty)
        {
            b = b.attr("authorization_reason", text::excerpt(r, 512).into_owned());
        }
    }
    if let Some(x) = body_excerpt(ev.request_object) {
        b = b.attr("request_object", x);
    }
    if let Some(x) = body_excerpt(ev.response_object) {
        b = b.attr("response_object", x);
    }
    let (tags, sig) = classify(
        verb,
        oref.resource.get().unwrap_or(""),
        oref.subresource.get().unwrap_or(""),
        username,
        &oref,
        ev.request_object,
    );
    for t in tags {
        b = b.tag(t);
    }
    let sig = if outcome == Outcome::Failure {
        sig.saturating_add(10).min(100)
    } else {
        sig
    };
    let mut msg = action.clone();
    if let Some(t) = &target {
        msg.push_str(&format!(" {t}"));
    }
    msg.push_str(&format!(
        " by {}",
        if username.is_empty() { "?" } else { username }
    ));
    if let Some(ip) = ips.first() {
        msg.push_str(&format!(" from {ip}"));
    }
    if let Some(c) = code {
        msg.push_str(&format!(" -> {c}"));
    }
    if decision.as_deref() == Some("forbid") {
        msg.push_str(" (forbidden)");
    }
    let event = b
        .significance(sig)
        .message(text::excerpt(&msg, 1024).into_owned())
        .build();
    sink.event(event);
}

fn classify(
    verb: &str,
    resource: &str,
    sub: &str,
    user: &str,
    oref: &ObjectRef<'_>,
    request: Option<&RawValue>,
) -> (Vec<Tag>, u8) {
    use Tag::*;
    let write = matches!(
        verb,
        "create" | "update" | "patch" | "delete" | "deletecollection"
    );
    let req = request.map(RawValue::get).unwrap_or("");
    let mut tags = Vec::new();
    let mut sig: u8 = if write { 25 } else { 5 };
    match (resource, sub) {
        ("clusterrolebindings" | "rolebindings", "") if write => {
            tags.push(PrivilegeChange);
            sig = if req.contains("cluster-admin") {
                90
            } else {
                75
            };
        }
        ("clusterroles" | "roles", "") if write => {
            tags.push(PolicyChange);
            sig = 60;
        }
        ("pods", "exec" | "attach" | "portforward") => {
            tags.push(Execution);
            sig = 75;
        }
        ("serviceaccounts", "token") => {
            tags.push(CredentialChange);
            sig = 70;
        }
        ("serviceaccounts", "") if write => {
            tags.push(AccountChange);
            sig = 50;
        }
        ("secrets", "") if write && verb != "delete" => {
            tags.push(CredentialChange);
            sig = 60;
        }
        ("secrets", "") => sig = if write { 45 } else { 35 },
        ("certificatesigningrequests", _) if write => {
            tags.push(CredentialChange);
            sig = 60;
        }
        ("mutatingwebhookconfigurations" | "validatingwebhookconfigurations", "") if write => {
            sig = 70
        }
        ("pods" | "deployments" | "daemonsets" | "statefulsets", "") if verb == "create" => {
            sig = if req.contains("\"privileged\":true")
                || req.contains("\"hostNetwork\":true")
                || req.contains("\"hostPath\"")
            {
                70
            } else if oref.namespace.get() == Some("kube-system") {
                55
            } else {
                30
            };
        }
        _ => {}
    }
    if user == "system:anonymous" {
        tags.push(Authentication);
        sig = sig.max(if write { 80 } else { 50 });
    }
    (tags, sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    const RC: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/secrets","verb":"create","user":{"username":"alice","groups":["system:authenticated"]},"sourceIPs":["10.0.0.5","192.168.1.1"],"objectRef":{"resource":"secrets","namespace":"default","name":"db","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"requestObject":{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},"data":{"password":"aHVudGVyMg=="}},"requestReceivedTimestamp":"2020-04-21T17:57:05.541358Z","stageTimestamp":"2020-04-21T17:57:05.548299Z"}"#;

    #[test]
    fn one_event_per_audit_id_and_secret_data_never_copied() {
        let rr = RC
            .replace("ResponseComplete", "RequestReceived")
            .replace(r#""responseStatus":{"metadata":{},"code":201},"#, "");
        let other = RC
            .replace("\"a1\"", "\"a2\"")
            .replace("alice", "system:serviceaccount:kube-system:x")
            .replace("\"code\":201", "\"code\":403");
        let doc = format!("{rr}\n{RC}\n{other}\n");
        assert_eq!(K8sAudit.sniff(doc.as_bytes()), Sniff::CERTAIN);
        let c = collect(&K8sAudit, doc.as_bytes());
        assert_eq!(
            (c.records(), c.events.len(), c.skipped, c.errors),
            (3, 2, 1, 0)
        );
        assert!(c.skip_reasons.contains_key(STAGE_SKIP));
        let e = &c.events[0];
        assert_eq!(e.location.line, Some(2));
        assert_eq!(e.action.as_deref(), Some("create:secrets"));
        assert_eq!(e.target.as_deref(), Some("default/db"));
        assert_eq!(e.actor_kind, ActorKind::Human);
        assert_eq!(e.src_ip.as_deref(), Some("10.0.0.5"));
        assert_eq!(e.outcome, Outcome::Success);
        assert_eq!(e.ts_raw, "2020-04-21T17:57:05.541358Z");
        assert!(e.has_tag(Tag::CredentialChange));
        let req = e.attributes["request_object"].as_str().unwrap();
        assert!(!req.contains("aHVudGVyMg=="), "{req}");
        let f = &c.events[1];
        assert_eq!(f.actor_kind, ActorKind::Automation);
        assert_eq!(f.outcome, Outcome::Failure);
    }

    #[test]
    fn event_list_and_kind_zero() {
        let doc =
            format!(r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{RC}]}}"#);
        let c = collect(&K8sAudit, doc.as_bytes());
        assert_eq!((c.events.len(), c.errors), (1, 0));
        assert_eq!(c.events[0].location.record, Some(0));
        let c = collect(&K8sAudit, br#"{"kind": 0}"#);
        assert_eq!((c.records(), c.errors), (1, 1));
        assert_eq!(c.error_samples[0].0.offset, 0);
        assert_eq!(actor_kind("system:node:n1", &[]), ActorKind::Service);
    }
}
