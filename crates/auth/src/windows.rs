//! Windows Security events: binary EVTX (`windows.evtx`, via the `evtx` crate) and
//! evtx_dump / Winlogbeat JSON exports (`windows.json`). Both become the same flat record,
//! mapped once by [`map`]; the XML (`windows_xml`) and PowerShell (`windows_ps`) shapes
//! build the same record so one happening maps identically whatever the export.

use std::collections::BTreeMap;

use serde_json::Value;
use tplus_model::{
    json, text, time, ActorKind, Event, Family, Location, Outcome, Parser, RecordSink, Sniff, Tag,
    TimeValue,
};

use crate::idp_json::{for_each_record, s};

/// How a record's time text is read: each export writes `TimeCreated` its own way.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeForm {
    /// RFC 3339 text that must carry its zone (evtx_dump, Winlogbeat `@timestamp`).
    #[default]
    Zoned,
    /// `TimeCreated@SystemTime` of the XML: UTC by definition, so a missing `Z` still
    /// means UTC rather than an unknown local zone.
    SystemTime,
    /// PowerShell `ConvertTo-Json`: `/Date(<ms>)/` (Windows PowerShell 5.1) or ISO text with
    /// an offset (PowerShell 7). ISO text without a zone is the exporting machine's local
    /// time and stays [`TimeValue::Local`] for the engine to resolve, never guessed here.
    PowerShell,
}

/// A Windows event reduced to what the mapping needs.
#[derive(Debug, Default)]
pub(crate) struct WinEvent {
    pub(crate) id: u32,
    pub(crate) provider: String,
    pub(crate) channel: String,
    pub(crate) computer: String,
    pub(crate) record_id: String,
    pub(crate) time: String,
    pub(crate) time_form: TimeForm,
    pub(crate) keywords: String,
    pub(crate) data: BTreeMap<String, String>,
    /// The text Windows rendered for the event (XML `RenderingInfo/Message`, PowerShell
    /// `Message`), when the export carries it.
    pub(crate) message: Option<String>,
}

/// Longest rendered message kept: Windows texts run to a few KB, an attacker's can be larger.
const MAX_MESSAGE: usize = 8000;

impl WinEvent {
    /// A non-empty, non-`-` EventData value.
    pub(crate) fn get(&self, k: &str) -> Option<&str> {
        self.data
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty() && *v != "-")
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(x) => Some(x.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(o) => o.get("#text").and_then(scalar),
        _ => None,
    }
}

/// From the evtx_dump JSON shape: `{"Event":{"System":{...},"EventData":{...}}}`.
fn from_evtx_json(v: &Value) -> Result<WinEvent, String> {
    let ev = v.get("Event").ok_or("no `Event` object")?;
    let sys = ev.get("System").ok_or("no `System` object")?;
    let id = sys.get("EventID").and_then(scalar).ok_or("no EventID")?;
    let id: u32 = id
        .trim()
        .parse()
        .map_err(|_| format!("EventID {:?} not a number", text::excerpt(&id, 40)))?;
    let time = sys
        .pointer("/TimeCreated/#attributes/SystemTime")
        .and_then(Value::as_str)
        .ok_or("no TimeCreated@SystemTime")?
        .to_owned();
    let mut data = BTreeMap::new();
    for sect in ["EventData", "UserData"] {
        let Some(Value::Object(o)) = ev.get(sect) else {
            continue;
        };
        // UserData nests one more element (e.g. LogFileCleared).
        let inner: Vec<(&String, &Value)> = if sect == "UserData" {
            o.values()
                .filter_map(Value::as_object)
                .flat_map(|m| m.iter())
                .collect()
        } else {
            o.iter().collect()
        };
        for (k, val) in inner {
            if k.starts_with('#') {
                continue;
            }
            if let Some(x) = scalar(val) {
                data.insert(k.clone(), x);
            }
        }
    }
    Ok(WinEvent {
        id,
        provider: s(sys, "/Provider/#attributes/Name")
            .unwrap_or("")
            .to_owned(),
        channel: sys.get("Channel").and_then(scalar).unwrap_or_default(),
        computer: sys.get("Computer").and_then(scalar).unwrap_or_default(),
        record_id: sys
            .get("EventRecordID")
            .and_then(scalar)
            .unwrap_or_default(),
        time,
        keywords: sys.get("Keywords").and_then(scalar).unwrap_or_default(),
        data,
        ..WinEvent::default()
    })
}

/// From the Winlogbeat / Elastic shape: `winlog.*`, `event.code`, `@timestamp`.
fn from_winlogbeat(v: &Value) -> Result<WinEvent, String> {
    let w = v.get("winlog").ok_or("no `winlog` object")?;
    let id = w
        .get("event_id")
        .and_then(scalar)
        .or_else(|| v.pointer("/event/code").and_then(scalar))
        .ok_or("no event_id")?;
    let id: u32 = id
        .trim()
        .parse()
        .map_err(|_| format!("event id {:?} not a number", text::excerpt(&id, 40)))?;
    let time = s(v, "/@timestamp")
        .or_else(|| s(v, "/event/created"))
        .ok_or("no @timestamp")?
        .to_owned();
    let mut data = BTreeMap::new();
    if let Some(Value::Object(o)) = w.get("event_data") {
        for (k, val) in o {
            if let Some(x) = scalar(val) {
                data.insert(k.clone(), x);
            }
        }
    }
    let kw = w.get("keywords").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(",")
    });
    Ok(WinEvent {
        id,
        provider: s(w, "/provider_name").unwrap_or("").to_owned(),
        channel: s(w, "/channel").unwrap_or("").to_owned(),
        computer: s(w, "/computer_name").unwrap_or("").to_owned(),
        record_id: w.get("record_id").and_then(scalar).unwrap_or_default(),
        time,
        keywords: kw.unwrap_or_default(),
        data,
        ..WinEvent::default()
    })
}

fn logon_type_name(t: &str) -> Option<&'static str> {
    Some(match t {
        "2" => "interactive",
        "3" => "network",
        "4" => "batch",
        "5" => "service",
        "7" => "unlock",
        "8" => "network_cleartext",
        "9" => "new_credentials",
        "10" => "remote_interactive",
        "11" => "cached_interactive",
        "12" => "cached_remote_interactive",
        "13" => "cached_unlock",
        _ => return None,
    })
}

/// Readable names for the NTSTATUS and Kerberos codes the logon events carry.
fn status_name(code: &str) -> Option<&'static str> {
    let c = code.trim().to_ascii_lowercase();
    Some(match c.as_str() {
        "0xc0000064" => "user name does not exist",
        "0xc000006a" => "wrong password",
        "0xc000006d" => "bad user name or password",
        "0xc000006e" => "account restriction",
        "0xc000006f" => "logon outside allowed hours",
        "0xc0000070" => "workstation restriction",
        "0xc0000071" => "password expired",
        "0xc0000072" => "account disabled",
        "0xc0000133" => "clock skew between DC and client",
        "0xc000015b" => "logon type not granted",
        "0xc0000193" => "account expired",
        "0xc0000224" => "password must change at next logon",
        "0xc0000234" => "account locked out",
        "0xc000005e" => "no logon servers available",
        "0x6" => "kerberos: client not found in database",
        "0x12" => "kerberos: client revoked (disabled/locked/expired)",
        "0x17" => "kerberos: password expired",
        "0x18" => "kerberos: pre-authentication failed (bad password)",
        "0x25" => "kerberos: clock skew too great",
        "0x20" => "kerberos: ticket expired",
        _ => return None,
    })
}

fn account(domain: Option<&str>, user: Option<&str>) -> Option<String> {
    let u = user?;
    Some(match domain {
        Some(d) if !u.contains('\\') && !u.contains('@') => format!("{d}\\{u}"),
        _ => u.to_owned(),
    })
}

fn kind_of(
    user: Option<&str>,
    sid: Option<&str>,
    logon_type: Option<&str>,
    interactive_logon: bool,
) -> ActorKind {
    let u = user.unwrap_or("");
    let up = u.to_ascii_uppercase();
    if matches!(sid, Some("S-1-5-18" | "S-1-5-19" | "S-1-5-20"))
        || up == "SYSTEM"
        || up == "LOCAL SERVICE"
        || up == "NETWORK SERVICE"
        || up == "ANONYMOUS LOGON"
        || up.starts_with("DWM-")
        || up.starts_with("UMFD-")
    {
        return ActorKind::Service;
    }
    if u.ends_with('$') || matches!(logon_type, Some("4" | "5")) {
        return ActorKind::Automation;
    }
    if u.is_empty() {
        return ActorKind::Unknown;
    }
    if interactive_logon {
        ActorKind::Human
    } else {
        ActorKind::Unknown
    }
}

/// Reads the event's time the way its export writes it (see [`TimeForm`]).
fn event_time(w: &WinEvent) -> Result<TimeValue, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!(
            "TimeCreated {:?} unreadable: {e}",
            text::excerpt(&w.time, 60)
        )
    };
    let t = match w.time_form {
        TimeForm::Zoned => {
            TimeValue::Instant(time::parse_instant(&w.time).map_err(|e| unreadable(&e))?)
        }
        TimeForm::SystemTime => match time::parse_timestamp(&w.time).map_err(|e| unreadable(&e))? {
            TimeValue::Local(naive) => TimeValue::Instant(naive.and_utc()),
            other => other,
        },
        TimeForm::PowerShell => match crate::windows_ps::dotnet_date(&w.time) {
            Some(r) => TimeValue::Instant(r.map_err(|e| unreadable(&e))?),
            None => time::parse_timestamp(&w.time).map_err(|e| unreadable(&e))?,
        },
    };
    let zero = match t {
        TimeValue::Instant(i) => i.timestamp() <= -11_644_473_600,
        TimeValue::Local(n) => n.and_utc().timestamp() <= -11_644_473_600,
        TimeValue::LocalNoYear { .. } => false,
    };
    if zero || w.time.starts_with("1601-01-01") {
        return Err(format!(
            "record {} has a zero timestamp ({})",
            w.record_id, w.time
        ));
    }
    Ok(t)
}

/// Maps one Windows event; `Err` is a located error message. The computer, account and
/// action come shared from `sink` (a log names few of each).
pub(crate) fn map(
    w: &WinEvent,
    source: &'static str,
    loc: Location,
    sink: &mut dyn RecordSink,
) -> Result<Event, String> {
    let t = event_time(w)?;
    let lt = w.get("LogonType");
    let lt_name = lt.and_then(logon_type_name);
    let interactive = matches!(lt, Some("2" | "7" | "10" | "11" | "12" | "13"));
    let subject = account(w.get("SubjectDomainName"), w.get("SubjectUserName"));
    let target_acct = account(w.get("TargetDomainName"), w.get("TargetUserName"));
    let subj_kind = kind_of(
        w.get("SubjectUserName"),
        w.get("SubjectUserSid"),
        None,
        false,
    );
    let tgt_kind = kind_of(
        w.get("TargetUserName"),
        w.get("TargetUserSid"),
        lt,
        interactive,
    );
    let (action, mut tags, mut sig, actor_is_target): (String, Vec<Tag>, u8, bool) = match w.id {
        4624 => (
            "windows.logon".into(),
            vec![Tag::Authentication, Tag::Session],
            30,
            true,
        ),
        4625 => (
            "windows.logon_failed".into(),
            vec![Tag::Authentication],
            45,
            true,
        ),
        4634 => ("windows.logoff".into(), vec![Tag::Session], 10, true),
        4647 => ("windows.logoff_user".into(), vec![Tag::Session], 10, true),
        4648 => (
            "windows.explicit_credentials".into(),
            vec![Tag::Authentication],
            40,
            false,
        ),
        4672 => (
            "windows.special_privileges".into(),
            vec![Tag::PrivilegeChange],
            30,
            false,
        ),
        4688 => (
            "windows.process_created".into(),
            vec![Tag::Execution],
            20,
            false,
        ),
        4720 => (
            "windows.user_created".into(),
            vec![Tag::AccountChange],
            65,
            false,
        ),
        4722 => (
            "windows.user_enabled".into(),
            vec![Tag::AccountChange],
            55,
            false,
        ),
        4724 => (
            "windows.password_reset".into(),
            vec![Tag::CredentialChange],
            60,
            false,
        ),
        4728 | 4732 | 4756 => (
            "windows.group_member_added".into(),
            vec![Tag::PrivilegeChange],
            70,
            false,
        ),
        4768 => (
            "windows.kerberos_tgt".into(),
            vec![Tag::Authentication],
            25,
            true,
        ),
        4769 => (
            "windows.kerberos_service_ticket".into(),
            vec![Tag::Authentication],
            20,
            true,
        ),
        4771 => (
            "windows.kerberos_preauth_failed".into(),
            vec![Tag::Authentication],
            45,
            true,
        ),
        4776 => (
            "windows.ntlm_validation".into(),
            vec![Tag::Authentication],
            25,
            true,
        ),
        1102 => (
            "windows.log_cleared".into(),
            vec![Tag::LoggingTamper],
            95,
            false,
        ),
        4719 => (
            "windows.audit_policy_changed".into(),
            vec![Tag::LoggingTamper, Tag::PolicyChange],
            90,
            false,
        ),
        id => {
            let p = if w.provider.is_empty() {
                "windows"
            } else {
                w.provider.as_str()
            };
            (format!("{p}/{id}"), Vec::new(), 10, false)
        }
    };
    // §17: for logons the account that logged on is the actor; for management events
    // the Subject acted on the Target.
    let (actor, kind, target) = if actor_is_target {
        let a = target_acct
            .clone()
            .or_else(|| w.get("TargetUserName").map(str::to_owned));
        let tgt = w
            .get("WorkstationName")
            .or(w.get("ServiceName"))
            .map(str::to_owned);
        (a, tgt_kind, tgt)
    } else if w.id == 4728 || w.id == 4732 || w.id == 4756 {
        (
            subject.clone(),
            subj_kind,
            w.get("MemberName")
                .or(w.get("MemberSid"))
                .map(|m| format!("{m} -> {}", target_acct.clone().unwrap_or_default())),
        )
    } else if w.id == 4688 {
        (
            subject.clone(),
            subj_kind,
            w.get("NewProcessName").map(str::to_owned),
        )
    } else {
        (subject.clone(), subj_kind, target_acct.clone())
    };
    let kw = w.keywords.to_ascii_lowercase();
    let status = w.get("Status").or(w.get("FailureCode"));
    let sub = w.get("SubStatus");
    let mut outcome = if kw.contains("0x8010") || kw.contains("failure") {
        Outcome::Failure
    } else if kw.contains("0x8020") || kw.contains("success") {
        Outcome::Success
    } else {
        Outcome::Unknown
    };
    if matches!(w.id, 4625 | 4771) {
        outcome = Outcome::Failure;
    }
    if matches!(w.id, 4768 | 4769 | 4776) {
        if let Some(st) = status {
            outcome = if st == "0x0" || st == "0" {
                Outcome::Success
            } else {
                Outcome::Failure
            };
        }
    }
    if outcome == Outcome::Failure && tags.contains(&Tag::Authentication) {
        sig = sig.max(45);
    }
    let ip = w
        .get("IpAddress")
        .map(|i| i.trim_start_matches("::ffff:"))
        .filter(|i| !matches!(*i, "::1" | "127.0.0.1"));
    let reason = sub
        .and_then(status_name)
        .or_else(|| status.and_then(status_name));
    let mut msg = format!("{} {} on {}", w.id, action, w.computer);
    if let Some(a) = &actor {
        msg.push_str(&format!(" by {a}"));
    }
    if let Some(t) = &target {
        msg.push_str(&format!(" -> {}", text::excerpt(t, 200)));
    }
    if let Some(n) = lt_name {
        msg.push_str(&format!(" ({n})"));
    }
    if let Some(i) = ip {
        msg.push_str(&format!(" from {i}"));
    }
    if let Some(r) = reason {
        msg.push_str(&format!(": {r}"));
    }
    // The text Windows rendered is what an analyst knows from Event Viewer, so it is the
    // message when the export has it; the one-line summary is kept beside it.
    let rendered = w
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let mut b = Event::builder(source, t, w.time.clone()).desc("Event created (TimeCreated)");
    b = match rendered {
        Some(m) => b
            .message(text::excerpt(m, MAX_MESSAGE).into_owned())
            .attr("summary", msg),
        None => b.message(msg),
    };
    b = b
        .host((!w.computer.is_empty()).then(|| sink.intern(&w.computer)))
        .action(sink.intern(&action))
        .actor(actor.as_deref().map(|a| sink.intern(a)), kind)
        .target(target)
        .src_ip(ip)
        .outcome(outcome)
        .event_id(Some(format!(
            "{}/{}/{}",
            w.computer, w.channel, w.record_id
        )))
        .at(loc)
        .significance(sig)
        .attr("windows_event_id", w.id)
        .attr("provider", w.provider.clone());
    for t in tags.drain(..) {
        b = b.tag(t);
    }
    if let Some(n) = lt_name {
        b = b.attr("logon_type", n);
    }
    for (k, key) in [
        ("workstation", "WorkstationName"),
        ("status", "Status"),
        ("sub_status", "SubStatus"),
        ("process", "ProcessName"),
        ("command_line", "CommandLine"),
        ("auth_package", "AuthenticationPackageName"),
        ("logon_id", "TargetLogonId"),
    ] {
        if let Some(x) = w.get(key) {
            b = b.attr(k, text::excerpt(x, 1000).into_owned());
        }
    }
    if let Some(r) = reason {
        b = b.attr("status_meaning", r);
    }
    Ok(b.build())
}

/// Binary EVTX parser (`windows.evtx`).
#[derive(Debug, Default)]
pub struct WindowsEvtx;

impl Parser for WindowsEvtx {
    fn id(&self) -> &'static str {
        "windows.evtx"
    }
    fn family(&self) -> Family {
        Family::Auth
    }
    fn describe(&self) -> &'static str {
        "Windows event logs, binary EVTX (Security and others)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        if head.starts_with(b"ElfFile\0") {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        let mut parser = match evtx::EvtxParser::from_buffer(data.to_vec()) {
            Ok(p) => p,
            Err(e) => {
                sink.error(
                    Location::record(0, 0),
                    format!("not a readable EVTX file: {e}"),
                );
                return;
            }
        };
        // Records carry no byte offset in the crate's serialised form: offset 0 with the
        // record index (0-based, iteration order).
        for (idx, rec) in (0u64..).zip(parser.records_json_value()) {
            let loc = Location::record(idx, 0);
            match rec {
                // The event time is TimeCreated (a zero one is refused in `map`). A record whose
                // own header time is zero but whose TimeCreated is real is still that event;
                // the odd header is kept as an attribute.
                Ok(r) => match from_evtx_json(&r.data).and_then(|w| {
                    let header_zero = r.timestamp.as_second() <= -11_644_473_600;
                    map(&w, "windows.evtx", loc, sink).map(|mut e| {
                        if header_zero {
                            e.attributes.insert("record_header_time_zero", true.into());
                        }
                        e
                    })
                }) {
                    Ok(e) => sink.event(e),
                    Err(m) => sink.error(loc, m),
                },
                Err(e) => sink.error(
                    loc,
                    format!(
                        "unreadable EVTX record: {}",
                        text::excerpt(&e.to_string(), 300)
                    ),
                ),
            }
        }
    }
}

/// evtx_dump JSON and Winlogbeat JSON parser (`windows.json`).
#[derive(Debug, Default)]
pub struct WindowsJson;

impl Parser for WindowsJson {
    fn id(&self) -> &'static str {
        "windows.json"
    }
    fn family(&self) -> Family {
        Family::Auth
    }
    fn describe(&self) -> &'static str {
        "Windows events as JSON (evtx_dump {\"Event\":...} or Winlogbeat winlog.*)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let evtx_dump = json::contains(head, "\"Event\"")
            && json::contains(head, "\"System\"")
            && json::contains(head, "\"EventID\"");
        let winlogbeat = json::contains(head, "\"winlog\"") && json::contains(head, "\"event_id\"");
        if evtx_dump || winlogbeat {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        for_each_record(data, &[], sink, &mut |v, loc, sink| {
            let w = if v.get("winlog").is_some() {
                from_winlogbeat(&v)
            } else {
                from_evtx_json(&v)
            };
            match w.and_then(|w| map(&w, "windows.json", loc, sink)) {
                Ok(e) => sink.event(e),
                Err(m) => sink.error(loc, m),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::collect;

    #[test]
    fn evtx_dump_json_4625() {
        let l = br##"{"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing"}},"EventID":4625,"Keywords":"0x8010000000000000","TimeCreated":{"#attributes":{"SystemTime":"2019-03-19T23:34:25.123Z"}},"EventRecordID":7,"Channel":"Security","Computer":"DC1"},"EventData":{"TargetUserName":"admin","TargetDomainName":"CORP","LogonType":"3","IpAddress":"::ffff:10.0.0.9","Status":"0xc000006d","SubStatus":"0xc000006a"}}}
{"Event":{"System":{"EventID":1102,"TimeCreated":{"#attributes":{"SystemTime":"1601-01-01T00:00:00Z"}}}}}
garbage"##;
        let c = collect(&WindowsJson, l);
        assert_eq!((c.events.len(), c.errors), (1, 2));
        let e = &c.events[0];
        assert_eq!(e.action.as_deref(), Some("windows.logon_failed"));
        assert_eq!(e.actor.as_deref(), Some("CORP\\admin"));
        assert_eq!(e.src_ip.as_deref(), Some("10.0.0.9"));
        assert_eq!(e.outcome, Outcome::Failure);
        assert!(e.message.contains("wrong password"));
        assert_eq!(e.event_id.as_deref(), Some("DC1/Security/7"));
    }

    /// What must not depend on the export shape.
    type Key = (
        Option<tplus_model::SharedStr>,
        Option<tplus_model::SharedStr>,
        ActorKind,
        Option<tplus_model::CompactString>,
        Outcome,
        Option<tplus_model::CompactString>,
        Option<String>,
        tplus_model::Tags,
        u8,
    );

    fn key(e: &Event) -> Key {
        (
            e.action.clone(),
            e.actor.clone(),
            e.actor_kind,
            e.target.clone(),
            e.outcome,
            e.src_ip.clone(),
            e.event_id.clone(),
            e.tags,
            e.significance,
        )
    }

    /// The events with `id` (`computer/channel/record`) from each shape's fixture.
    fn same_event_everywhere(id: &str) -> Vec<(&'static str, Key)> {
        let shapes: [(&dyn Parser, &[u8]); 5] = [
            (
                &WindowsJson,
                include_bytes!("../../../fixtures/auth/windows/evtx_dump_same_events.jsonl"),
            ),
            (
                &crate::WindowsXml,
                include_bytes!("../../../fixtures/auth/windows/wevtutil_security.xml"),
            ),
            (
                &crate::WindowsXml,
                include_bytes!("../../../fixtures/auth/windows/eventviewer_saved.xml"),
            ),
            (
                &crate::WindowsPowerShellJson,
                include_bytes!("../../../fixtures/auth/windows/powershell_winevent.json"),
            ),
            (
                &crate::WindowsPowerShellJson,
                include_bytes!("../../../fixtures/auth/windows/powershell7_single.json"),
            ),
        ];
        let mut out = Vec::new();
        for (p, data) in shapes {
            for e in collect(p, data).events {
                if e.event_id.as_deref() == Some(id) {
                    out.push((p.id(), key(&e)));
                }
            }
        }
        out
    }

    #[test]
    fn logon_4624_maps_the_same_in_every_shape() {
        let all = same_event_everywhere("PC02.example.corp/Security/5315");
        let shapes: Vec<&str> = all.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            shapes,
            ["windows.json", "windows.xml", "windows.powershell_json"]
        );
        let k = &all[0].1;
        assert_eq!(k.0.as_deref(), Some("windows.logon"));
        assert_eq!(k.1.as_deref(), Some("PC02\\IEUser"));
        assert_eq!(k.2, ActorKind::Human, "logon type 10 is interactive");
        assert_eq!(k.4, Outcome::Success);
        for (s, other) in &all {
            assert_eq!(other, k, "{s} differs");
        }
    }

    #[test]
    fn failed_logon_4625_maps_the_same_in_every_shape() {
        let all = same_event_everywhere("DESKTOP-M5SN04R/Security/2455");
        assert_eq!(all.len(), 5, "{all:?}");
        let k = &all[0].1;
        assert_eq!(k.0.as_deref(), Some("windows.logon_failed"));
        assert_eq!(k.4, Outcome::Failure);
        assert_eq!(k.5.as_deref(), Some("192.168.198.149"));
        for (s, other) in &all {
            assert_eq!(other, k, "{s} differs");
        }
    }
}
