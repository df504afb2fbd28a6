//! Okta System Log (`/api/v1/logs` LogEvent): API JSON array or one event per line.

use serde_json::Value;
use tplus_model::{
    json, text, time, ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag,
    TimeValue,
};

use crate::idp_json::{for_each_record, s};

/// Okta System Log parser (`okta.system_log`).
#[derive(Debug, Default)]
pub struct OktaSystemLog;

const ID: &str = "okta.system_log";

impl Parser for OktaSystemLog {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Auth
    }
    fn describe(&self) -> &'static str {
        "Okta System Log events (API JSON array or JSON lines)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let keys = [
            "\"eventType\"",
            "\"published\"",
            "\"legacyEventType\"",
            "\"displayMessage\"",
            "\"authenticationContext\"",
        ];
        let n = keys.iter().filter(|k| json::contains(head, k)).count();
        match n {
            4.. => Sniff::CERTAIN,
            2..=3 if json::contains(head, "\"eventType\"") => Sniff::STRONG,
            _ => Sniff::NO,
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(data, &[], sink, &mut |v, loc, sink| map(&v, loc, sink));
    }
}

fn map(v: &Value, loc: Location, sink: &mut dyn RecordSink) {
    if !v.is_object() {
        sink.error(loc, "Okta record is not a JSON object".to_owned());
        return;
    }
    let Some(raw) = s(v, "/published") else {
        sink.error(loc, "Okta event without `published` time".to_owned());
        return;
    };
    let t = match time::parse_instant(raw) {
        Ok(t) => t,
        Err(e) => {
            sink.error(
                loc,
                format!(
                    "Okta `published` {:?} unreadable: {e}",
                    text::excerpt(raw, 80)
                ),
            );
            return;
        }
    };
    let event_type = s(v, "/eventType").unwrap_or("unknown");
    let actor = s(v, "/actor/alternateId").or_else(|| s(v, "/actor/displayName"));
    let actor_type = s(v, "/actor/type").unwrap_or("");
    let kind = match actor_type {
        "User" => ActorKind::Human,
        "SystemPrincipal" => ActorKind::Service,
        "PublicClientApp" | "AppInstance" | "Client" => ActorKind::Automation,
        _ => ActorKind::Unknown,
    };
    let result = s(v, "/outcome/result").unwrap_or("");
    let outcome = match result {
        "SUCCESS" | "ALLOW" => Outcome::Success,
        "FAILURE" | "DENY" => Outcome::Failure,
        _ => Outcome::Unknown,
    };
    let reason = s(v, "/outcome/reason");
    let ip = s(v, "/client/ipAddress").or_else(|| s(v, "/request/ipChain/0/ip"));
    let target = v
        .pointer("/target/0")
        .and_then(|t| s(t, "/alternateId").or_else(|| s(t, "/displayName")))
        .map(str::to_owned);
    let display = s(v, "/displayMessage").unwrap_or(event_type);
    let mut msg = format!("{display} ({event_type}) by {} ", actor.unwrap_or("-"));
    msg.push_str(result);
    if let Some(r) = reason {
        msg.push_str(": ");
        msg.push_str(&text::excerpt(r, 200));
    }
    let mut b = Event::builder(ID, TimeValue::Instant(t), raw)
        .desc("Okta event published")
        .message(msg)
        .action(event_type)
        .actor(actor, kind)
        .target(target)
        .src_ip(ip)
        .outcome(outcome)
        .event_id(s(v, "/uuid"))
        .at(loc)
        .significance(20);
    if let Some(r) = reason {
        b = b.attr("outcome_reason", text::excerpt(r, 500).into_owned());
    }
    for (k, p) in [
        (
            "authentication_provider",
            "/authenticationContext/authenticationProvider",
        ),
        ("credential_type", "/authenticationContext/credentialType"),
        (
            "external_session_id",
            "/authenticationContext/externalSessionId",
        ),
        ("factor", "/debugContext/debugData/factor"),
        ("behaviors", "/debugContext/debugData/behaviors"),
        ("risk", "/debugContext/debugData/risk"),
        ("severity", "/severity"),
        ("user_agent", "/client/userAgent/rawUserAgent"),
    ] {
        if let Some(x) = s(v, p) {
            b = b.attr(k, text::excerpt(x, 500).into_owned());
        }
    }
    let et = event_type;
    let auth = et.starts_with("user.session.start")
        || et.starts_with("user.authentication.")
        || et.starts_with("user.mfa.");
    if auth {
        b = b
            .tag(Tag::Authentication)
            .significance(if outcome == Outcome::Failure { 45 } else { 35 });
    }
    if et.starts_with("user.session.") {
        b = b.tag(Tag::Session);
    }
    if et.starts_with("user.mfa.factor.")
        || et.starts_with("user.account.reset_password")
        || et.starts_with("user.account.update_password")
    {
        b = b.tag(Tag::CredentialChange).significance(60);
    }
    if et.starts_with("user.lifecycle.") {
        b = b.tag(Tag::AccountChange).significance(50);
    }
    if et.starts_with("group.user_membership.add") || et.starts_with("user.account.privilege.grant")
    {
        b = b.tag(Tag::PrivilegeChange).significance(60);
    }
    if et.starts_with("policy.") {
        b = b.tag(Tag::PolicyChange).significance(55);
    }
    if et == "system.log_stream.deactivate" || et == "system.log_stream.delete" {
        b = b.tag(Tag::LoggingTamper).significance(85);
    }
    sink.event(b.build());
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn array_lines_and_missing_published() {
        let arr = br#"[{"uuid":"u1","published":"2024-03-01T10:00:00.000Z","eventType":"user.session.start","actor":{"type":"User","alternateId":"a@x.com"},"client":{"ipAddress":"203.0.113.5"},"outcome":{"result":"FAILURE","reason":"INVALID_CREDENTIALS"}},{"uuid":"u2","eventType":"x"}]"#;
        let c = collect(&OktaSystemLog, arr);
        assert_eq!((c.events.len(), c.errors), (1, 1));
        let e = &c.events[0];
        assert_eq!(e.outcome, Outcome::Failure);
        assert_eq!(e.actor_kind, ActorKind::Human);
        assert_eq!(e.src_ip.as_deref(), Some("203.0.113.5"));
        let nd = b"{\"published\":\"2024-03-01T10:00:00Z\",\"eventType\":\"a\",\"actor\":{\"type\":\"SystemPrincipal\",\"alternateId\":\"system@okta.com\"}}\nnot json\n\n";
        let c = collect(&OktaSystemLog, nd);
        assert_eq!((c.events.len(), c.errors, c.skipped), (1, 1, 1));
        assert_eq!(c.events[0].actor_kind, ActorKind::Service);
    }
}
