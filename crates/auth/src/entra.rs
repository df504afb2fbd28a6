//! Microsoft Entra ID sign-in logs: Graph `signIn` resources (`{"value":[...]}`, a bare
//! array or one per line) and diagnostic-settings exports (`{"records":[...]}` with
//! `time` and `properties.*`).

use serde_json::Value;
use tplus_model::{
    json, text, time, ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag,
    TimeValue,
};

use crate::idp_json::{for_each_record, s};

/// Entra ID sign-in log parser (`entra.signin`).
#[derive(Debug, Default)]
pub struct EntraSignIn;

const ID: &str = "entra.signin";

impl Parser for EntraSignIn {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Auth
    }
    fn describe(&self) -> &'static str {
        "Microsoft Entra ID sign-in logs (Graph signIn JSON or diagnostic-settings records)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let keys = [
            "\"userPrincipalName\"",
            "\"createdDateTime\"",
            "\"appDisplayName\"",
            "\"conditionalAccessStatus\"",
            "\"authenticationRequirement\"",
        ];
        let n = keys.iter().filter(|k| json::contains(head, k)).count();
        match n {
            4.. => Sniff::CERTAIN,
            2..=3 if json::contains(head, "\"userPrincipalName\"") => Sniff::STRONG,
            _ => Sniff::NO,
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(data, &["value", "records"], sink, &mut |v, loc, sink| {
            map(&v, loc, sink)
        });
    }
}

fn map(v: &Value, loc: Location, sink: &mut dyn RecordSink) {
    if !v.is_object() {
        sink.error(loc, "Entra record is not a JSON object".to_owned());
        return;
    }
    // Diagnostic-settings records carry the signIn resource under `properties`.
    let (p, raw) = match v.get("properties").filter(|p| p.is_object()) {
        Some(p) => (p, s(v, "/time").or_else(|| s(p, "/createdDateTime"))),
        None => (v, s(v, "/createdDateTime")),
    };
    let Some(raw) = raw else {
        sink.error(
            loc,
            "Entra sign-in without `createdDateTime`/`time`".to_owned(),
        );
        return;
    };
    let t = match time::parse_instant(raw) {
        Ok(t) => t,
        Err(e) => {
            sink.error(
                loc,
                format!("Entra time {:?} unreadable: {e}", text::excerpt(raw, 80)),
            );
            return;
        }
    };
    let code = p.pointer("/status/errorCode").and_then(Value::as_i64);
    let outcome = match code {
        Some(0) => Outcome::Success,
        Some(_) => Outcome::Failure,
        None => Outcome::Unknown,
    };
    let failure = s(p, "/status/failureReason");
    let sp = s(p, "/servicePrincipalName").or_else(|| s(p, "/servicePrincipalId"));
    let is_sp = s(p, "/signInEventTypes/0") == Some("servicePrincipal")
        || (s(p, "/userPrincipalName").is_none() && sp.is_some());
    let (actor, kind) = if is_sp {
        (
            sp.or_else(|| s(p, "/appDisplayName")),
            ActorKind::Automation,
        )
    } else {
        // A user sign-in: Entra says interactive or not.
        let interactive = p.get("isInteractive").and_then(Value::as_bool);
        let kind = if interactive == Some(true) {
            ActorKind::Human
        } else {
            ActorKind::Unknown
        };
        (
            s(p, "/userPrincipalName").or_else(|| s(p, "/userDisplayName")),
            kind,
        )
    };
    let app = s(p, "/appDisplayName");
    let requirement = s(p, "/authenticationRequirement");
    let mut msg = format!(
        "sign-in by {} to {}",
        actor.unwrap_or("-"),
        app.unwrap_or("-")
    );
    match (code, failure) {
        (Some(0), _) => msg.push_str(": success"),
        (Some(c), f) => msg.push_str(&format!(
            ": failure {c} {}",
            f.map(|f| text::excerpt(f, 200)).unwrap_or_default()
        )),
        _ => {}
    }
    let mut b = Event::builder(ID, TimeValue::Instant(t), raw)
        .desc("Entra sign-in created")
        .message(msg)
        .action(if is_sp {
            "entra.service_principal_signin"
        } else {
            "entra.signin"
        })
        .actor(actor, kind)
        .target(app)
        .src_ip(s(p, "/ipAddress"))
        .outcome(outcome)
        .event_id(s(p, "/id").or_else(|| s(v, "/correlationId")))
        .at(loc)
        .tag(Tag::Authentication)
        .significance(if outcome == Outcome::Failure { 45 } else { 35 });
    if let Some(c) = code {
        b = b.attr("error_code", c);
    }
    if let Some(f) = failure {
        b = b.attr("failure_reason", text::excerpt(f, 500).into_owned());
    }
    if let Some(r) = requirement {
        b = b.attr("authentication_requirement", r);
    }
    if let Some(m) = s(p, "/mfaDetail/authMethod") {
        b = b.attr("mfa_method", m);
    }
    if let Some(m) = p
        .pointer("/authenticationDetails")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find_map(|d| s(d, "/authenticationMethod")))
    {
        b = b.attr("authentication_method", m);
    }
    for (k, ptr) in [
        ("client_app", "/clientAppUsed"),
        ("conditional_access", "/conditionalAccessStatus"),
        ("risk_level", "/riskLevelDuringSignIn"),
        ("city", "/location/city"),
        ("country", "/location/countryOrRegion"),
    ] {
        if let Some(x) = s(p, ptr) {
            b = b.attr(k, text::excerpt(x, 200).into_owned());
        }
    }
    if !is_sp
        && outcome == Outcome::Success
        && requirement == Some("singleFactorAuthentication")
        && kind == ActorKind::Human
    {
        b = b.tag(Tag::LoginWithoutMfa).significance(55);
    }
    sink.event(b.build());
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn graph_and_diagnostic_shapes() {
        let g = br#"{"value":[{"id":"s1","createdDateTime":"2024-03-01T10:00:00Z","userPrincipalName":"a@x.com","isInteractive":true,"ipAddress":"198.51.100.7","appDisplayName":"Azure Portal","status":{"errorCode":50126,"failureReason":"Invalid username or password"}},{"id":"s2"}]}"#;
        let c = collect(&EntraSignIn, g);
        assert_eq!((c.events.len(), c.errors), (1, 1));
        assert_eq!(c.events[0].outcome, Outcome::Failure);
        assert_eq!(c.events[0].actor_kind, ActorKind::Human);
        let d = br#"{"records":[{"time":"2024-03-01T10:00:00Z","properties":{"id":"s3","servicePrincipalName":"deploy-bot","signInEventTypes":["servicePrincipal"],"status":{"errorCode":0}}}]}"#;
        let c = collect(&EntraSignIn, d);
        assert_eq!(c.events.len(), 1);
        assert_eq!(c.events[0].actor_kind, ActorKind::Automation);
        assert_eq!(c.events[0].outcome, Outcome::Success);
    }
}
