//! Azure Activity Log (format id `azure.activity`).
//!
//! Shapes: the REST/CLI `EventData` (`az monitor activity-log list`: a JSON array; the REST
//! `{"value":[...]}` page; the Python SDK's snake_case keys, as plaso stores them) and the
//! diagnostic-settings export (`{"records":[...]}` blobs or Event Hub batches, and newer
//! blobs with one record per line).
//!
//! Time: `eventTimestamp` (REST shape) or `time` (diagnostic shape) is the event time;
//! `submissionTimestamp` is when the event became available and is only used, at medium
//! confidence, when neither is present.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use tplus_model::{
    json, text, time, ActorKind, Confidence, Event, Family, Location, Outcome, Parser, RecordSink,
    Sniff, Tag,
};

use crate::frame::{frame, Item};
use crate::jsonx::{body_excerpt, de_error, raw_to_value, Named, Text};

/// The format id.
pub const ID: &str = "azure.activity";

/// The Azure Activity Log parser.
#[derive(Debug, Default, Clone, Copy)]
pub struct AzureActivity;

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct HttpRequest<'a> {
    #[serde(borrow, default, alias = "client_ip_address")]
    client_ip_address: Text<'a>,
    #[serde(borrow, default)]
    method: Text<'a>,
}

#[derive(Debug, Deserialize, Default)]
struct Authorization<'a> {
    #[serde(borrow, default)]
    action: Text<'a>,
    #[serde(borrow, default)]
    scope: Text<'a>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActivityRecord<'a> {
    #[serde(borrow, default, alias = "event_timestamp")]
    event_timestamp: Text<'a>,
    #[serde(borrow, default, alias = "submission_timestamp")]
    submission_timestamp: Text<'a>,
    #[serde(borrow, default)]
    time: Text<'a>,
    #[serde(borrow, default)]
    caller: Text<'a>,
    #[serde(borrow, default, alias = "operation_name")]
    operation_name: Named<'a>,
    #[serde(borrow, default)]
    status: Named<'a>,
    #[serde(borrow, default, alias = "sub_status")]
    sub_status: Named<'a>,
    #[serde(borrow, default, alias = "event_name")]
    event_name: Named<'a>,
    #[serde(borrow, default)]
    category: Named<'a>,
    #[serde(borrow, default)]
    level: Named<'a>,
    #[serde(borrow, default, alias = "resource_id", alias = "resourceID")]
    resource_id: Text<'a>,
    #[serde(borrow, default, alias = "resource_group_name")]
    resource_group_name: Text<'a>,
    #[serde(borrow, default, alias = "correlation_id")]
    correlation_id: Text<'a>,
    #[serde(borrow, default, alias = "operation_id")]
    operation_id: Text<'a>,
    #[serde(borrow, default, alias = "event_data_id")]
    event_data_id: Text<'a>,
    #[serde(borrow, default, alias = "subscription_id")]
    subscription_id: Text<'a>,
    #[serde(borrow, default, alias = "http_request")]
    http_request: Option<HttpRequest<'a>>,
    #[serde(borrow, default)]
    caller_ip_address: Text<'a>,
    #[serde(borrow, default)]
    result_type: Named<'a>,
    #[serde(borrow, default)]
    result_signature: Named<'a>,
    #[serde(borrow, default)]
    authorization: Option<Authorization<'a>>,
    #[serde(borrow, default)]
    claims: Option<&'a RawValue>,
    #[serde(borrow, default)]
    identity: Option<&'a RawValue>,
    #[serde(borrow, default)]
    properties: Option<&'a RawValue>,
}

impl Parser for AzureActivity {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Cloud
    }
    fn describe(&self) -> &'static str {
        "Azure Activity Log: REST/CLI EventData (camelCase or SDK snake_case), diagnostic-settings {\"records\":[...]} and per-line"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if !matches!(json::first_byte(head), Some(b'{' | b'[')) {
            return Sniff::NO;
        }
        let has = |k: &str| json::contains(head, k);
        let rest_shape = (has("\"eventDataId\"") || has("\"event_data_id\""))
            && (has("\"eventTimestamp\"") || has("\"event_timestamp\""));
        if rest_shape {
            return Sniff::CERTAIN;
        }
        // Diagnostic-settings shape: shared with other Azure resource logs (Entra ID
        // diagnostics use the same envelope), so the Activity categories decide.
        if has("\"resourceId\"")
            && has("\"operationName\"")
            && has("\"category\"")
            && has("\"time\"")
        {
            if [
                "\"Administrative\"",
                "\"Policy\"",
                "\"Security\"",
                "\"ServiceHealth\"",
                "\"Autoscale\"",
                "\"ResourceHealth\"",
                "\"Recommendation\"",
                "\"Alert\"",
            ]
            .iter()
            .any(|c| has(c))
            {
                return Sniff::STRONG;
            }
            return Sniff::WEAK;
        }
        Sniff::NO
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        frame(data, &["records", "value"], &mut |item| match item {
            Item::Record(bytes, loc) => record(bytes, loc, sink),
            Item::Error(loc, msg) => sink.error(loc, msg),
            Item::Skip(loc, why) => sink.skipped(loc, why),
        });
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

fn is_guid_like(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && s.bytes().all(|b| b == b'-' || b.is_ascii_alphanumeric())
}

/// The actor kind, from what the record says: `claims.idtyp` `app`, an `appid` claim without
/// a user principal name, or `evidence.principalType` ServicePrincipal → automation;
/// `principalType` User or a caller with `@` → human; a GUID caller (an application's
/// service principal id) → automation.
fn actor_kind(
    caller: &str,
    claims: Option<&Value>,
    identity: Option<&Value>,
) -> (ActorKind, &'static str) {
    let claim = |k: &str| claims.and_then(|c| c.get(k)).and_then(Value::as_str);
    let ptype = identity
        .and_then(|i| i.get("authorization"))
        .and_then(|a| a.get("evidence"))
        .and_then(|e| e.get("principalType"))
        .and_then(Value::as_str);
    match (claim("idtyp"), ptype) {
        (Some("app"), _) | (_, Some("ServicePrincipal")) => {
            return (
                ActorKind::Automation,
                "application identity (idtyp app / ServicePrincipal)",
            )
        }
        (Some("user"), _) | (_, Some("User")) => {
            return (
                ActorKind::Human,
                "user identity (idtyp user / principalType User)",
            )
        }
        _ => {}
    }
    if caller.contains('@') {
        (ActorKind::Human, "caller is a user principal name")
    } else if is_guid_like(caller) {
        (
            ActorKind::Automation,
            "caller is an application (service principal) id",
        )
    } else {
        (ActorKind::Unknown, "the record does not say")
    }
}

fn record(bytes: &[u8], loc: Location, sink: &mut dyn RecordSink) {
    let r: ActivityRecord = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) => {
            return sink.error(
                loc,
                format!("not a readable Activity Log record: {}", de_error(&e)),
            )
        }
    };
    let Some(op) = r.operation_name.0.non_empty().map(str::to_owned) else {
        return sink.error(
            loc,
            "not an Activity Log record: no operationName".to_owned(),
        );
    };
    let (ts_raw, lowered) = match (
        r.event_timestamp.non_empty().or(r.time.non_empty()),
        r.submission_timestamp.non_empty(),
    ) {
        (Some(t), _) => (t, None),
        (None, Some(t)) => (
            t,
            Some("eventTimestamp missing; submissionTimestamp is when the event became available"),
        ),
        (None, None) => {
            return sink.error(
                loc,
                format!("Activity Log record {op} has no eventTimestamp or time"),
            )
        }
    };
    let tv = match time::parse_timestamp(ts_raw) {
        Ok(t) => t,
        Err(e) => return sink.error(loc, format!("bad event time {ts_raw:?}: {e}")),
    };
    let claims = raw_to_value(r.claims);
    let identity = raw_to_value(r.identity);
    let claims_ref = claims
        .as_ref()
        .or_else(|| identity.as_ref().and_then(|i| i.get("claims")));
    let caller = r.caller.non_empty().map(str::to_owned).or_else(|| {
        claims_ref.and_then(|c| {
            [
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
                "upn",
                "appid",
            ]
            .iter()
            .find_map(|k| c.get(*k).and_then(Value::as_str))
            .map(str::to_owned)
        })
    });
    let (kind, basis) = actor_kind(
        caller.as_deref().unwrap_or(""),
        claims_ref,
        identity.as_ref(),
    );
    let status = r
        .status
        .0
        .non_empty()
        .or(r.result_type.0.non_empty())
        .unwrap_or("");
    let outcome = match status.to_ascii_lowercase().as_str() {
        "succeeded" | "success" => Outcome::Success,
        "failed" | "failure" => Outcome::Failure,
        _ => Outcome::Unknown,
    };
    let ip = r
        .http_request
        .as_ref()
        .and_then(|h| h.client_ip_address.non_empty())
        .or(r.caller_ip_address.non_empty());
    let target = r
        .resource_id
        .non_empty()
        .or(r.authorization.as_ref().and_then(|a| a.scope.non_empty()))
        .map(str::to_owned);
    let phase = r.event_name.0.non_empty();
    let mut b = Event::builder(ID, tv, ts_raw)
        .at(loc)
        .event_id(r.event_data_id.non_empty())
        .actor(caller.clone(), kind)
        .attr("actor_kind_basis", basis)
        .action(op.clone())
        .target(target.clone())
        .src_ip(ip)
        .outcome(outcome)
        .desc(match phase {
            Some("BeginRequest") => "Operation Started",
            Some("EndRequest") => "Operation Completed",
            _ => "Activity Logged",
        });
    if let Some(why) = lowered {
        b = b.lower(Confidence::Medium, why);
    }
    if !status.is_empty() {
        b = b.attr("status", status);
    }
    for (k, v) in [
        ("sub_status", &r.sub_status.0),
        ("event_name", &r.event_name.0),
        ("category", &r.category.0),
        ("level", &r.level.0),
        ("result_signature", &r.result_signature.0),
        ("correlation_id", &r.correlation_id),
        ("operation_id", &r.operation_id),
        ("resource_group", &r.resource_group_name),
        ("subscription", &r.subscription_id),
        ("submission_timestamp", &r.submission_timestamp),
    ] {
        if let Some(s) = v.non_empty() {
            b = b.attr(k, text::excerpt(s, 512).into_owned());
        }
    }
    if let Some(m) = r.http_request.as_ref().and_then(|h| h.method.non_empty()) {
        b = b.attr("http_method", m);
    }
    if let Some(a) = r.authorization.as_ref().and_then(|a| a.action.non_empty()) {
        b = b.attr("authorization_action", a);
    }
    if let Some(p) = body_excerpt(r.properties) {
        b = b.attr("properties", p);
    }
    let (tags, sig) = classify(&op);
    for t in tags {
        b = b.tag(t);
    }
    let sig = if outcome == Outcome::Failure {
        sig.saturating_add(10).min(100)
    } else {
        sig
    };
    let mut msg = op.clone();
    if !status.is_empty() {
        msg.push_str(&format!(" {status}"));
    }
    if let Some(c) = &caller {
        msg.push_str(&format!(" by {c}"));
    }
    if let Some(t) = &target {
        msg.push_str(&format!(" on {t}"));
    }
    if let Some(ip) = ip {
        msg.push_str(&format!(" from {ip}"));
    }
    let event = b
        .significance(sig)
        .message(text::excerpt(&msg, 1024).into_owned())
        .build();
    sink.event(event);
}

fn classify(op: &str) -> (Vec<Tag>, u8) {
    use Tag::*;
    let o = op.to_ascii_lowercase();
    let ends = |s: &str| o.ends_with(s);
    if ends("/diagnosticsettings/delete") || ends("/logprofiles/delete") {
        return (vec![LoggingTamper], 95);
    }
    if ends("/elevateaccess/action") {
        return (vec![PrivilegeChange], 95);
    }
    if ends("roleassignments/write") || ends("roleassignments/delete") {
        return (vec![PrivilegeChange, PolicyChange], 80);
    }
    if ends("roledefinitions/write")
        || ends("policyassignments/delete")
        || ends("accesspolicies/write")
    {
        return (vec![PolicyChange], 70);
    }
    if ends("/listkeys/action") || ends("/regeneratekey/action") || ends("/begingetaccess/action") {
        return (vec![CredentialChange], 70);
    }
    if ends("/runcommand/action") || o.contains("/extensions/write") {
        return (vec![Execution], 70);
    }
    if o.contains("securityrules/write") || o.contains("networksecuritygroups/write") {
        return (vec![PolicyChange], 50);
    }
    if ends("/read") {
        return (vec![], 5);
    }
    if ends("/delete") {
        return (vec![], 35);
    }
    (vec![], 20)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn rest_shape_and_diagnostic_shape() {
        let rest = r#"[{"caller":"alice@contoso.com","eventDataId":"e1","correlationId":"c1","eventName":{"value":"EndRequest"},"operationName":{"value":"Microsoft.Insights/diagnosticSettings/delete","localizedValue":"x"},"status":{"value":"Succeeded"},"resourceId":"/subscriptions/s/providers/microsoft.insights/diagnosticSettings/d","httpRequest":{"clientIpAddress":"203.0.113.4"},"eventTimestamp":"2022-02-09T03:04:54.2978534Z","submissionTimestamp":"2022-02-09T03:06:00Z"}]"#;
        assert_eq!(AzureActivity.sniff(rest.as_bytes()), Sniff::CERTAIN);
        let c = collect(&AzureActivity, rest.as_bytes());
        assert_eq!((c.events.len(), c.errors), (1, 0));
        let e = &c.events[0];
        assert!(e.has_tag(Tag::LoggingTamper));
        assert_eq!(e.actor_kind, ActorKind::Human);
        assert_eq!(e.outcome, Outcome::Success);
        assert_eq!(e.src_ip.as_deref(), Some("203.0.113.4"));
        assert_eq!(e.attributes["correlation_id"], "c1");
        assert_eq!(e.timestamp_desc, "Operation Completed");

        let diag = r#"{"records":[{"time":"2023-01-01T00:00:00.1234567Z","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/X","operationName":"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE","category":"Administrative","resultType":"Failure","callerIpAddress":"198.51.100.7","correlationId":"c2","identity":{"authorization":{"evidence":{"principalType":"ServicePrincipal"}},"claims":{"appid":"a"}},"level":"Information"}]}"#;
        assert_eq!(AzureActivity.sniff(diag.as_bytes()), Sniff::STRONG);
        let c = collect(&AzureActivity, diag.as_bytes());
        assert_eq!((c.events.len(), c.errors), (1, 0));
        let e = &c.events[0];
        assert!(e.has_tag(Tag::PrivilegeChange));
        assert_eq!(e.actor_kind, ActorKind::Automation);
        assert_eq!(e.outcome, Outcome::Failure);
        assert_eq!(e.src_ip.as_deref(), Some("198.51.100.7"));
    }
}
