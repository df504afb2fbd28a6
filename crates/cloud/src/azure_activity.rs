//! Azure Activity Log in the shapes analysts hold: the REST/CLI shape (`eventTimestamp`,
//! `caller`, `operationName.value`, `status.value`, `eventDataId`; also the Python SDK's
//! snake_case spelling of the same fields), and the diagnostic-settings shape (`{"records":
//! [...]}` or one per line: `time`, `operationName`, `resultType`, `callerIpAddress`,
//! `identity`).
//!
//! Actor kind: a caller that is a GUID with an `appid` claim and no UPN is an application
//! (service principal: automation); a UPN is unknown (a person or a script may hold it).

use serde_json::Value;
use tplus_model::json::{contains, first_byte};
use tplus_model::text::excerpt;
use tplus_model::time::parse_instant;
use tplus_model::{
    ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag, TimeValue,
};

use crate::frame;

/// The Azure Activity Log parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct AzureActivity;

/// The format id.
pub const ID: &str = "azure.activity";

/// The first of `keys` present, as text (a `{value: ...}` object gives its value).
fn field<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| {
        let x = v.get(*k)?;
        x.as_str()
            .or_else(|| x.get("value").and_then(Value::as_str))
    })
}

fn classify(op: &str) -> (Option<Tag>, u8) {
    let o = op.to_ascii_lowercase();
    if o.contains("microsoft.insights/diagnosticsettings/delete")
        || o.contains("microsoft.insights/diagnosticsettings/write")
        || o.contains("microsoft.insights/logprofiles/delete")
        || o.contains("microsoft.operationalinsights/workspaces/delete")
    {
        return (Some(Tag::LoggingTamper), 95);
    }
    if o.contains("microsoft.authorization/roleassignments/write")
        || o.contains("microsoft.authorization/elevateaccess")
    {
        return (Some(Tag::PrivilegeChange), 85);
    }
    if o.contains("microsoft.authorization/roledefinitions/write")
        || o.contains("microsoft.authorization/policy")
    {
        return (Some(Tag::PolicyChange), 70);
    }
    if o.contains("listkeys") || o.contains("/secrets/") || o.contains("regeneratekey") {
        return (Some(Tag::CredentialChange), 75);
    }
    if o.contains("runcommand") || o.contains("extensions/write") {
        return (Some(Tag::Execution), 70);
    }
    if o.ends_with("/delete") {
        return (None, 40);
    }
    (None, 10)
}

fn to_event(bytes: &[u8], at: Location) -> Result<Event, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not a JSON record: {e}"))?;
    let raw = field(&v, &["eventTimestamp", "event_timestamp", "time"])
        .ok_or("activity record without eventTimestamp or time")?;
    let t = parse_instant(raw).map_err(|e| format!("time: {e}"))?;
    let op = field(&v, &["operationName", "operation_name"]).unwrap_or("unknown");
    let status = field(&v, &["status", "resultType"]).unwrap_or("");
    let claims = v.get("claims").or_else(|| v.pointer("/identity/claims"));
    let upn = claims.and_then(|c| {
        c.get("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn")
            .or_else(|| c.get("upn"))
            .and_then(Value::as_str)
    });
    let caller = field(&v, &["caller"]).or(upn).map(str::to_owned);
    let is_app = claims.is_some_and(|c| {
        c.get("appid").is_some() && c.get("idtyp").and_then(Value::as_str) == Some("app")
    }) && upn.is_none();
    let kind = if is_app {
        ActorKind::Automation
    } else {
        ActorKind::Unknown
    };
    let ip = v
        .pointer("/httpRequest/clientIpAddress")
        .or_else(|| v.pointer("/http_request/client_ip_address"))
        .and_then(Value::as_str)
        .or_else(|| field(&v, &["callerIpAddress"]));
    let outcome = match status.to_ascii_lowercase().as_str() {
        "succeeded" | "success" | "accepted" => Outcome::Success,
        "failed" | "failure" | "canceled" | "cancelled" => Outcome::Failure,
        _ => Outcome::Unknown,
    };
    let resource = field(&v, &["resourceId", "resource_id"]).map(str::to_owned);
    let (tag, significance) = classify(op);
    let mut message = format!("{op} by {}", caller.as_deref().unwrap_or("unknown caller"));
    if !status.is_empty() {
        message.push_str(&format!(": {status}"));
    }
    let id = field(&v, &["eventDataId", "event_data_id"])
        .or_else(|| field(&v, &["correlationId"]).filter(|_| v.get("records").is_none()));
    let mut b = Event::builder(ID, TimeValue::Instant(t), raw)
        .message(message)
        .desc("Activity")
        .actor(caller, kind)
        .action(op.to_owned())
        .target(resource.map(|r| excerpt(&r, 512).into_owned()))
        .src_ip(ip)
        .outcome(outcome)
        .event_id(id)
        .at(at)
        .significance(significance);
    if let Some(tag) = tag {
        b = b.tag(tag);
    }
    for (k, keys) in [
        ("correlation_id", &["correlationId", "correlation_id"][..]),
        ("category", &["category"][..]),
        ("level", &["level"][..]),
        ("event_name", &["eventName", "event_name"][..]),
        (
            "sub_status",
            &["subStatus", "sub_status", "resultSignature"][..],
        ),
        (
            "subscription_id",
            &["subscriptionId", "subscription_id"][..],
        ),
        (
            "resource_group",
            &["resourceGroupName", "resource_group_name"][..],
        ),
    ] {
        if let Some(x) = field(&v, keys).filter(|x| !x.is_empty()) {
            b = b.attr(k, x);
        }
    }
    Ok(b.build())
}

impl Parser for AzureActivity {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Cloud
    }
    fn describe(&self) -> &'static str {
        "Azure Activity Log: REST/CLI/SDK records and diagnostic-settings exports ({\"records\":[...]} or one per line)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if !matches!(first_byte(head), Some(b'{' | b'[')) {
            return Sniff::NO;
        }
        let rest = (contains(head, "\"eventDataId\"") || contains(head, "\"event_data_id\""))
            && (contains(head, "\"eventTimestamp\"")
                || contains(head, "\"event_timestamp\"")
                || contains(head, "\"submission_timestamp\""));
        let diag = contains(head, "\"resourceId\"")
            && contains(head, "\"operationName\"")
            && contains(head, "\"category\"")
            && contains(head, "\"time\"");
        if rest {
            Sniff::CERTAIN
        } else if diag
            && (contains(head, "\"Administrative\"") || contains(head, "\"callerIpAddress\""))
        {
            Sniff::STRONG
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for (at, rec) in frame::records(data, &["records", "value"]) {
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
    fn rest_and_diagnostic_shapes() {
        let rest = br#"[{"eventDataId":"e1","eventTimestamp":"2025-01-01T00:00:00.1234567Z","caller":"eve@contoso.com","operationName":{"value":"Microsoft.Insights/diagnosticSettings/delete"},"status":{"value":"Succeeded"},"resourceId":"/subscriptions/s/providers/x","httpRequest":{"clientIpAddress":"198.51.100.4"},"correlationId":"c1"}]"#;
        assert_eq!(AzureActivity.sniff(rest), Sniff::CERTAIN);
        let c = collect(&AzureActivity, rest);
        assert_eq!(c.events.len(), 1);
        let e = &c.events[0];
        assert!(e.has_tag(Tag::LoggingTamper));
        assert_eq!(
            (e.outcome, e.src_ip.as_deref(), e.event_id.as_deref()),
            (Outcome::Success, Some("198.51.100.4"), Some("e1"))
        );
        let diag = br#"{"records":[{"time":"2025-01-01T00:00:01Z","resourceId":"/subscriptions/s","operationName":"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE","category":"Administrative","resultType":"Success","callerIpAddress":"203.0.113.8","identity":{"claims":{"upn":"eve@contoso.com"}}},{"resourceId":"x"}]}"#;
        let c = collect(&AzureActivity, diag);
        assert_eq!((c.events.len(), c.errors), (1, 1));
        assert!(c.events[0].has_tag(Tag::PrivilegeChange));
        assert_eq!(c.events[0].actor.as_deref(), Some("eve@contoso.com"));
    }
}
