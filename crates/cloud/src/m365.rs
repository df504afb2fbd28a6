//! Microsoft 365 unified audit log records (format id `m365.audit`): the Management Activity
//! API / `Search-UnifiedAuditLog` `AuditData` objects (`CreationTime`, `Id`, `Operation`,
//! `Workload`, `RecordType`, `UserId`, `UserType`), as a JSON array, one per line or
//! wrapped in `{"value":[...]}`.
//!
//! Time: `CreationTime` is written without a zone. Microsoft documents it as UTC, but the
//! text does not say so, so it stays a zone-less local time and the engine resolves it
//! (with `--tz`, or as UTC at low confidence); the `documented_zone` attribute says UTC.

use serde::Deserialize;
use tplus_model::{
    json, text, time, ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag,
};

use crate::frame::{frame, Item};
use crate::jsonx::{de_error, Text};

/// The format id.
pub const ID: &str = "m365.audit";

/// The Microsoft 365 unified audit log parser.
#[derive(Debug, Default, Clone, Copy)]
pub struct M365Audit;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AuditData<'a> {
    #[serde(borrow, default)]
    creation_time: Text<'a>,
    #[serde(borrow, default)]
    id: Text<'a>,
    #[serde(borrow, default)]
    operation: Text<'a>,
    #[serde(borrow, default)]
    workload: Text<'a>,
    #[serde(borrow, default)]
    record_type: Text<'a>,
    #[serde(borrow, default)]
    result_status: Text<'a>,
    #[serde(borrow, default)]
    user_id: Text<'a>,
    #[serde(borrow, default)]
    user_key: Text<'a>,
    #[serde(borrow, default)]
    user_type: Text<'a>,
    #[serde(borrow, default, rename = "ClientIP")]
    client_ip: Text<'a>,
    #[serde(borrow, default)]
    object_id: Text<'a>,
    #[serde(borrow, default)]
    organization_id: Text<'a>,
}

impl Parser for M365Audit {
    fn id(&self) -> &'static str {
        ID
    }
    fn family(&self) -> Family {
        Family::Cloud
    }
    fn describe(&self) -> &'static str {
        "Microsoft 365 unified audit log (AuditData: CreationTime, Operation, Workload, UserId)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if !matches!(json::first_byte(head), Some(b'{' | b'[')) {
            return Sniff::NO;
        }
        let has = |k: &str| json::contains(head, k);
        if has("\"CreationTime\"")
            && has("\"Operation\"")
            && has("\"Workload\"")
            && has("\"RecordType\"")
        {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        frame(data, &["value"], &mut |item| match item {
            Item::Record(bytes, loc) => record(bytes, loc, sink),
            Item::Error(loc, msg) => sink.error(loc, msg),
            Item::Skip(loc, why) => sink.skipped(loc, why),
        });
    }
    fn dedup_by_event_id(&self) -> bool {
        true
    }
}

/// `UserType` as Microsoft documents it: 0 Regular and 2 Admin are people; 3 DcAdmin
/// (datacenter operator), 4 System and 8 SystemPolicy are Microsoft acting (service);
/// 5 Application and 6 ServicePrincipal are automation.
fn actor_kind(user_type: Option<&str>) -> ActorKind {
    match user_type {
        Some("0" | "2" | "Regular" | "Admin") => ActorKind::Human,
        Some("3" | "4" | "8" | "DcAdmin" | "System" | "SystemPolicy") => ActorKind::Service,
        Some("5" | "6" | "Application" | "ServicePrincipal") => ActorKind::Automation,
        _ => ActorKind::Unknown,
    }
}

fn record(bytes: &[u8], loc: Location, sink: &mut dyn RecordSink) {
    let r: AuditData = match serde_json::from_slice(bytes) {
        Ok(r) => r,
        Err(e) => {
            return sink.error(
                loc,
                format!("not a readable unified audit log record: {}", de_error(&e)),
            )
        }
    };
    let Some(op) = r.operation.non_empty() else {
        return sink.error(
            loc,
            "not a unified audit log record: no Operation".to_owned(),
        );
    };
    let Some(ts_raw) = r.creation_time.non_empty() else {
        return sink.error(
            loc,
            format!("unified audit log record {op} has no CreationTime"),
        );
    };
    let tv = match time::parse_timestamp(ts_raw) {
        Ok(t) => t,
        Err(e) => return sink.error(loc, format!("bad CreationTime {ts_raw:?}: {e}")),
    };
    let workload = r.workload.non_empty().unwrap_or("M365");
    let status = r.result_status.non_empty();
    let outcome = match status.map(str::to_ascii_lowercase).as_deref() {
        Some("success" | "succeeded" | "true" | "partiallysucceeded") => Outcome::Success,
        Some("failed" | "failure" | "false") => Outcome::Failure,
        _ => Outcome::Unknown,
    };
    let actor = r.user_id.non_empty().or(r.user_key.non_empty());
    let action = format!("{workload}:{op}");
    let mut b = Event::builder(ID, tv, ts_raw)
        .at(loc)
        .event_id(r.id.non_empty())
        .desc("Audit Record Created")
        .actor(actor, actor_kind(r.user_type.get()))
        .action(action.clone())
        .target(
            r.object_id
                .non_empty()
                .map(|s| text::excerpt(s, 512).into_owned()),
        )
        .src_ip(r.client_ip.non_empty())
        .outcome(outcome)
        .attr("documented_zone", "UTC")
        .attr("workload", workload);
    for (k, v) in [
        ("record_type", &r.record_type),
        ("user_type", &r.user_type),
        ("result_status", &r.result_status),
        ("organization_id", &r.organization_id),
    ] {
        if let Some(s) = v.non_empty() {
            b = b.attr(k, s);
        }
    }
    let (tags, sig) = classify(op, outcome);
    for t in tags {
        b = b.tag(t);
    }
    let mut msg = action;
    if let Some(a) = actor {
        msg.push_str(&format!(" by {a}"));
    }
    if let Some(s) = status {
        msg.push_str(&format!(" ({s})"));
    }
    let event = b
        .significance(sig)
        .message(text::excerpt(&msg, 1024).into_owned())
        .build();
    sink.event(event);
}

fn classify(op: &str, outcome: Outcome) -> (Vec<Tag>, u8) {
    use Tag::*;
    match op {
        "UserLoggedIn" => (vec![Authentication], 30),
        "UserLoginFailed" => (vec![Authentication], 40),
        "Set-AdminAuditLogConfig"
        | "Set-MailboxAuditBypassAssociation"
        | "Set-OrganizationConfig" => (
            vec![LoggingTamper],
            if outcome == Outcome::Failure { 60 } else { 70 },
        ),
        "Add member to role." | "Add-RoleGroupMember" | "Add-MailboxPermission" => {
            (vec![PrivilegeChange], 75)
        }
        "Reset user password." | "Change user password." | "Add service principal credentials." => {
            (vec![CredentialChange], 70)
        }
        "Add user." | "Delete user." => (vec![AccountChange], 60),
        "New-InboxRule" | "Set-InboxRule" | "UpdateInboxRules" | "Set-Mailbox" => {
            (vec![PolicyChange], 60)
        }
        _ => (vec![], 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::{collect, TimeValue};

    #[test]
    fn maps_a_login() {
        let r = r#"{"CreationTime":"2022-05-08T15:13:41","Id":"0a45","Operation":"UserLoggedIn","RecordType":15,"ResultStatus":"Success","UserType":0,"Workload":"AzureActiveDirectory","ClientIP":"198.51.100.2","ObjectId":"x","UserId":"piet@example.com"}"#;
        assert_eq!(M365Audit.sniff(r.as_bytes()), Sniff::CERTAIN);
        let c = collect(&M365Audit, r.as_bytes());
        let e = &c.events[0];
        assert!(matches!(e.time, TimeValue::Local(_)));
        assert_eq!(e.actor_kind, ActorKind::Human);
        assert_eq!(
            e.action.as_deref(),
            Some("AzureActiveDirectory:UserLoggedIn")
        );
        assert!(e.has_tag(Tag::Authentication));
        assert_eq!(e.outcome, Outcome::Success);
        assert_eq!(e.src_ip.as_deref(), Some("198.51.100.2"));
    }
}
