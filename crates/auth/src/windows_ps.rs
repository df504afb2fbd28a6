//! PowerShell `Get-WinEvent … | ConvertTo-Json` (and `| Select-Object * | ConvertTo-Json`)
//! exports (`windows.powershell_json`).
//!
//! PowerShell serialises the .NET `EventLogRecord`: `Id`, `RecordId`, `ProviderName`,
//! `LogName`, `MachineName`, `TimeCreated`, the rendered `Message`, and `Properties`, the
//! event data as a *positional* array of `{"Value": …}` with no names. The names come from
//! the event's manifest order (the `EventData/Data` order of Microsoft's per-event pages),
//! tabled in [`field_names`] for the events [`map`] knows; later event versions only append
//! fields, so a prefix of names stays right for every version. Positions without a name
//! (unknown ids, fields newer than the table) are kept as `property_N` attributes, never
//! dropped and never guessed.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tplus_model::{json, text, time, Event, Family, Location, Parser, RecordSink, Sniff};

use crate::idp_json::{for_each_record, s};
use crate::windows::{map, TimeForm, WinEvent};

const SOURCE: &str = "windows.powershell_json";

/// Longest property value kept as an attribute.
const MAX_PROPERTY: usize = 1000;

/// Why one PowerShell record could not become an event.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PsRecordError {
    /// The record is not a JSON object.
    #[error("record is not a JSON object")]
    NotObject,
    /// `Id` is missing or not an event id.
    #[error("no numeric `Id`")]
    NoId,
    /// `TimeCreated` is missing or of an unknown shape.
    #[error("no readable `TimeCreated`")]
    NoTime,
}

/// The EventData names of `id`, in manifest order, for the events the mapping knows.
///
/// Checked against the Event XML samples of Microsoft Learn's "4624(S): An account was
/// successfully logged on." and sibling pages (and the message templates' `%n` insertion
/// order, which is the same order).
#[rustfmt::skip]
pub(crate) fn field_names(id: u32) -> Option<&'static [&'static str]> {
    const SUBJECT: [&str; 4] = [
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
        "SubjectLogonId",
    ];
    Some(match id {
        4624 => &[
            SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3],
            "TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId",
            "LogonType", "LogonProcessName", "AuthenticationPackageName", "WorkstationName",
            "LogonGuid", "TransmittedServices", "LmPackageName", "KeyLength",
            "ProcessId", "ProcessName", "IpAddress", "IpPort",
            "ImpersonationLevel", "RestrictedAdminMode", "TargetOutboundUserName",
            "TargetOutboundDomainName", "VirtualAccount", "TargetLinkedLogonId", "ElevatedToken",
        ],
        4625 => &[
            SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3],
            "TargetUserSid", "TargetUserName", "TargetDomainName",
            "Status", "FailureReason", "SubStatus", "LogonType", "LogonProcessName",
            "AuthenticationPackageName", "WorkstationName", "TransmittedServices",
            "LmPackageName", "KeyLength", "ProcessId", "ProcessName", "IpAddress", "IpPort",
        ],
        4634 => &["TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId", "LogonType"],
        4647 => &["TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId"],
        4648 => &[
            SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3],
            "LogonGuid", "TargetUserName", "TargetDomainName", "TargetLogonGuid",
            "TargetServerName", "TargetInfo", "ProcessId", "ProcessName", "IpAddress", "IpPort",
        ],
        4672 => &[SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3], "PrivilegeList"],
        4688 => &[
            SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3],
            "NewProcessId", "NewProcessName", "TokenElevationType", "ProcessId", "CommandLine",
            "TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId",
            "ParentProcessName", "MandatoryLabel",
        ],
        4719 => &[
            SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3],
            "CategoryId", "SubcategoryId", "SubcategoryGuid", "AuditPolicyChanges",
        ],
        4720 => &[
            "TargetUserName", "TargetDomainName", "TargetSid",
            SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3],
            "PrivilegeList", "SamAccountName", "DisplayName", "UserPrincipalName",
            "HomeDirectory", "HomePath", "ScriptPath", "ProfilePath", "UserWorkstations",
            "PasswordLastSet", "AccountExpires", "PrimaryGroupId", "AllowedToDelegateTo",
            "OldUacValue", "NewUacValue", "UserAccountControl", "UserParameters",
            "SidHistory", "LogonHours",
        ],
        4722 | 4724 => &[
            "TargetUserName", "TargetDomainName", "TargetSid",
            SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3],
        ],
        4728 | 4732 | 4756 => &[
            "MemberName", "MemberSid", "TargetUserName", "TargetDomainName", "TargetSid",
            SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3], "PrivilegeList",
        ],
        4768 => &[
            "TargetUserName", "TargetDomainName", "TargetSid", "ServiceName", "ServiceSid",
            "TicketOptions", "Status", "TicketEncryptionType", "PreAuthType",
            "IpAddress", "IpPort", "CertIssuerName", "CertSerialNumber", "CertThumbprint",
        ],
        4769 => &[
            "TargetUserName", "TargetDomainName", "ServiceName", "ServiceSid",
            "TicketOptions", "TicketEncryptionType", "IpAddress", "IpPort", "Status",
            "LogonGuid", "TransmittedServices",
        ],
        4771 => &[
            "TargetUserName", "TargetSid", "ServiceName", "TicketOptions", "Status",
            "PreAuthType", "IpAddress", "IpPort", "CertIssuerName", "CertSerialNumber",
            "CertThumbprint",
        ],
        4776 => &["PackageName", "TargetUserName", "Workstation", "Status"],
        1102 => &[SUBJECT[0], SUBJECT[1], SUBJECT[2], SUBJECT[3]],
        _ => return None,
    })
}

/// Fields the XML renders in hexadecimal (HexInt32, HexInt64, Pointer) but PowerShell
/// writes as plain numbers; rendering them as the XML does keeps status names, success
/// tests and logon-id correlation identical across shapes.
fn is_hex_field(name: &str) -> bool {
    matches!(
        name,
        "SubjectLogonId"
            | "TargetLogonId"
            | "TargetLinkedLogonId"
            | "Status"
            | "SubStatus"
            | "ProcessId"
            | "NewProcessId"
            | "TicketOptions"
            | "TicketEncryptionType"
            | "OldUacValue"
            | "NewUacValue"
    )
}

/// Reads `/Date(<ms>)/` or `/Date(<ms>+hhmm)/`: `None` when `s` is not of that form.
///
/// The milliseconds are since the Unix epoch in UTC whatever offset follows them (the
/// offset only says how the value was displayed), so the result is always an instant.
pub(crate) fn dotnet_date(s: &str) -> Option<Result<DateTime<Utc>, time::TimeError>> {
    let inner = s.trim().strip_prefix("/Date(")?.strip_suffix(")/")?;
    let cut = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '+' | '-'))
        .map_or(inner.len(), |(i, _)| i);
    Some(match inner.get(..cut).map(str::parse::<i128>) {
        Some(Ok(ms)) => time::from_epoch(ms, time::EpochUnit::Millis),
        _ => Err(time::TimeError::Malformed(s.to_owned())),
    })
}

/// One property value as text, rendered the way the XML shape renders it.
fn property_text(name: Option<&str>, v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(x) => Some(x.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) if name.is_some_and(is_hex_field) => n
            .as_u64()
            .or_else(|| n.as_i64().map(|i| i as u64))
            .map(|u| format!("{u:#x}"))
            .or_else(|| Some(n.to_string())),
        Value::Number(n) => Some(n.to_string()),
        // Deeper ConvertTo-Json depths expand a SecurityIdentifier into an object whose
        // `Value` is the SID string.
        Value::Object(o) => match o.get("Value").or_else(|| o.get("value")) {
            Some(inner) => property_text(name, inner),
            None => Some(text::excerpt(&v.to_string(), MAX_PROPERTY).into_owned()),
        },
        Value::Array(_) => Some(text::excerpt(&v.to_string(), MAX_PROPERTY).into_owned()),
    }
}

/// The raw `TimeCreated` text: a string, or PowerShell 5.1's `{"value": …, "DateTime": …}`
/// wrapper that `Get-Date`-style values carry.
fn time_text(v: &Value) -> Option<String> {
    match v.get("TimeCreated")? {
        Value::String(x) => Some(x.clone()),
        Value::Object(o) => o
            .get("value")
            .or_else(|| o.get("Value"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

/// `Keywords` as the XML writes it (`0x8010000000000000`), with the display names
/// (`Audit Failure`) appended: PowerShell writes the mask as a signed Int64.
fn keywords(v: &Value) -> String {
    let mut k = match v.get("Keywords") {
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|i| format!("{:#x}", i as u64))
            .or_else(|| n.as_u64().map(|u| format!("{u:#x}")))
            .unwrap_or_default(),
        Some(Value::String(x)) => x.clone(),
        _ => String::new(),
    };
    if let Some(names) = v.get("KeywordsDisplayNames").and_then(Value::as_array) {
        for n in names.iter().filter_map(Value::as_str) {
            k.push(',');
            k.push_str(n);
        }
    }
    k
}

/// What a record gives beside the [`WinEvent`]: positions that got no name.
#[derive(Debug, Default)]
struct Leftovers {
    unnamed: Vec<(usize, String)>,
    /// `Properties` present but not `{"Value": …}` objects (a `-Depth` too small).
    unreadable: bool,
}

/// Names the positional `Properties` of event `id` into `data`.
fn name_properties(id: u32, v: &Value, w: &mut WinEvent) -> Leftovers {
    let mut left = Leftovers::default();
    let Some(props) = v.get("Properties").and_then(Value::as_array) else {
        return left;
    };
    let names = field_names(id).unwrap_or(&[]);
    for (i, p) in props.iter().enumerate() {
        let Some(inner) = p.as_object().and_then(|o| o.get("Value")) else {
            left.unreadable = true;
            continue;
        };
        let name = names.get(i).copied();
        let Some(val) = property_text(name, inner) else {
            continue;
        };
        match name {
            Some(n) => {
                w.data.insert(n.to_owned(), val);
            }
            None => left.unnamed.push((i, val)),
        }
    }
    left
}

/// Builds the flat record from one PowerShell object.
fn from_powershell(v: &Value) -> Result<(WinEvent, Leftovers), PsRecordError> {
    if !v.is_object() {
        return Err(PsRecordError::NotObject);
    }
    let id = v
        .get("Id")
        .and_then(|x| {
            x.as_u64()
                .or_else(|| x.as_str().and_then(|t| t.trim().parse().ok()))
        })
        .and_then(|x| u32::try_from(x).ok())
        .ok_or(PsRecordError::NoId)?;
    let time = time_text(v).ok_or(PsRecordError::NoTime)?;
    let scalar = |k: &str| match v.get(k) {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let mut w = WinEvent {
        id,
        provider: scalar("ProviderName"),
        channel: scalar("LogName"),
        computer: scalar("MachineName"),
        record_id: scalar("RecordId"),
        time,
        time_form: TimeForm::PowerShell,
        keywords: keywords(v),
        message: s(v, "/Message").map(str::to_owned),
        ..WinEvent::default()
    };
    let left = name_properties(id, v, &mut w);
    Ok((w, left))
}

/// Maps one record, adding what the shared mapping does not know about.
fn to_event(v: &Value, loc: Location, sink: &mut dyn RecordSink) -> Result<Event, String> {
    let (w, left) = from_powershell(v).map_err(|e| e.to_string())?;
    let mut e = map(&w, SOURCE, loc, sink)?;
    for (i, val) in left.unnamed {
        e.attributes.insert(
            format!("property_{i}"),
            text::excerpt(&val, MAX_PROPERTY).into_owned().into(),
        );
    }
    if left.unreadable {
        e.attributes.insert("properties_unreadable", true.into());
    }
    if let Some(ver) = v.get("Version").and_then(Value::as_u64) {
        e.attributes.insert("event_version", ver.into());
    }
    Ok(e)
}

/// PowerShell `Get-WinEvent | ConvertTo-Json` parser (`windows.powershell_json`).
#[derive(Debug, Default)]
pub struct WindowsPowerShellJson;

impl Parser for WindowsPowerShellJson {
    fn id(&self) -> &'static str {
        SOURCE
    }
    fn family(&self) -> Family {
        Family::Auth
    }
    fn describe(&self) -> &'static str {
        "Windows events from PowerShell Get-WinEvent | ConvertTo-Json (positional Properties)"
    }
    fn sniff(&self, head: &[u8]) -> Sniff {
        let head = crate::utf16::sniff_view(head);
        let has = |k: &str| json::contains(&head, k);
        if has("\"ProviderName\"")
            && has("\"RecordId\"")
            && has("\"TimeCreated\"")
            && (has("\"MachineName\"") || has("\"LogName\""))
        {
            Sniff::CERTAIN
        } else {
            Sniff::NO
        }
    }
    fn parse(&self, data: &[u8], sink: &mut dyn RecordSink) {
        crate::utf16::parse_any(data, sink, &parse_utf8);
    }
}

/// Parses UTF-8 JSON: one pretty-printed object, an array, or one object a line.
fn parse_utf8(data: &[u8], sink: &mut dyn RecordSink) {
    let mut each =
        |v: Value, loc: Location, sink: &mut dyn RecordSink| match to_event(&v, loc, sink) {
            Ok(e) => sink.event(e),
            Err(m) => sink.error(loc, m),
        };
    // One event is written as one pretty-printed object, which the line framing would
    // split; a lone object spanning the input is therefore one record.
    let start = json::skip_ws(data, 0);
    if data.get(start) == Some(&b'{') {
        if let Ok(end) = json::value_end(data, start) {
            if json::skip_ws(data, end) >= data.len() {
                let loc = Location::line_record(1 + line_of(data, start), 0, start as u64);
                match data.get(start..end).map(serde_json::from_slice::<Value>) {
                    Some(Ok(v)) => each(v, loc, sink),
                    Some(Err(err)) => sink.error(loc, format!("invalid JSON record: {err}")),
                    None => sink.error(loc, "record span out of range".to_owned()),
                }
                return;
            }
        }
    }
    for_each_record(data, &[], sink, &mut each);
}

/// Newlines before `offset`.
fn line_of(data: &[u8], offset: usize) -> u64 {
    memchr::memchr_iter(b'\n', data.get(..offset).unwrap_or_default()).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use tplus_model::{collect, Outcome, TimeValue};

    #[test]
    fn dotnet_dates() {
        let t = dotnet_date("/Date(1700000000123)/").and_then(Result::ok);
        assert_eq!(t.map(|t| t.timestamp_millis()), Some(1_700_000_000_123));
        let t = dotnet_date("/Date(1700000000123+0100)/").and_then(Result::ok);
        assert_eq!(t.map(|t| t.timestamp_millis()), Some(1_700_000_000_123));
        let t = dotnet_date("/Date(-1000)/").and_then(Result::ok);
        assert_eq!(t.map(|t| t.timestamp_millis()), Some(-1000));
        assert!(matches!(dotnet_date("/Date(x)/"), Some(Err(_))));
        assert!(dotnet_date("2024-01-01T00:00:00Z").is_none());
    }

    #[test]
    fn every_table_has_unique_names() {
        for id in [
            4624, 4625, 4634, 4647, 4648, 4672, 4688, 4719, 4720, 4722, 4724, 4728, 4732, 4756,
            4768, 4769, 4771, 4776, 1102,
        ] {
            let names = field_names(id).unwrap_or_default();
            assert!(!names.is_empty(), "{id}");
            let mut sorted = names.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{id} repeats a name");
        }
        assert!(field_names(4625).is_some_and(|n| n[7] == "Status" && n[19] == "IpAddress"));
        assert!(field_names(4999).is_none());
    }

    #[test]
    fn hex_fields_render_like_the_xml() {
        let v: Value = serde_json::from_str(
            r#"{"Id":4625,"RecordId":5,"ProviderName":"Microsoft-Windows-Security-Auditing","LogName":"Security","MachineName":"WS1","TimeCreated":"\/Date(1700000000123)\/","Keywords":-9218868437227405312,
            "Properties":[{"Value":"S-1-5-18"},{"Value":"WS1$"},{"Value":"CORP"},{"Value":999},{"Value":"S-1-0-0"},{"Value":"bob"},{"Value":"CORP"},{"Value":3221225581},{"Value":"%%2313"},{"Value":3221225578},{"Value":3}]}"#,
        )
        .unwrap_or_default();
        let (w, left) = from_powershell(&v).expect("record");
        assert_eq!(w.get("Status"), Some("0xc000006d"));
        assert_eq!(w.get("SubStatus"), Some("0xc000006a"));
        assert_eq!(w.get("SubjectLogonId"), Some("0x3e7"));
        assert_eq!(w.get("LogonType"), Some("3"));
        assert_eq!(w.keywords, "0x8010000000000000");
        assert!(left.unnamed.is_empty() && !left.unreadable);
        let e = map(
            &w,
            SOURCE,
            Location::default(),
            &mut tplus_model::Collected::default(),
        )
        .expect("event");
        assert_eq!(e.outcome, Outcome::Failure);
        assert!(e.message.contains("wrong password"));
        assert!(matches!(e.time, TimeValue::Instant(_)));
    }

    #[test]
    fn unknown_ids_keep_positions_and_message() {
        let d = br#"[{"Id":5379,"RecordId":1,"ProviderName":"P","LogName":"Security","MachineName":"H","TimeCreated":"2024-01-02T03:04:05.123+01:00","Message":"Credential Manager credentials were read.","Properties":[{"Value":"a"},{"Value":null},{"Value":{"BinaryLength":12,"Value":"S-1-5-18"}}]}]"#;
        let c = collect(&WindowsPowerShellJson, d);
        assert_eq!((c.events.len(), c.errors), (1, 0), "{:?}", c.error_samples);
        let e = &c.events[0];
        assert_eq!(e.message, "Credential Manager credentials were read.");
        assert_eq!(e.attributes.get("property_0"), Some(&Value::from("a")));
        assert_eq!(e.attributes.get("property_1"), None);
        assert_eq!(
            e.attributes.get("property_2"),
            Some(&Value::from("S-1-5-18"))
        );
        assert_eq!(e.action.as_deref(), Some("P/5379"));
        let TimeValue::Instant(t) = e.time else {
            panic!("offset time not an instant")
        };
        assert_eq!(t.to_rfc3339(), "2024-01-02T02:04:05.123+00:00");
    }

    const PS51: &[u8] = include_bytes!("../../../fixtures/auth/windows/powershell_winevent.json");
    const PS7: &[u8] = include_bytes!("../../../fixtures/auth/windows/powershell7_single.json");

    #[test]
    fn windows_powershell_fixture_counts_and_bad_records() {
        assert_eq!(WindowsPowerShellJson.sniff(PS51), Sniff::CERTAIN);
        let c = collect(&WindowsPowerShellJson, PS51);
        assert_eq!(
            (c.records(), c.events.len(), c.skipped, c.errors),
            (7, 5, 0, 2),
            "{:?}",
            c.error_samples
        );
        assert!(
            c.error_samples[0].1.contains("Date(bogus)"),
            "{:?}",
            c.error_samples
        );
        assert!(c.error_samples[1].1.contains("no numeric `Id`"));
        assert_eq!(c.error_samples[1].0.record, Some(6));
        let hostile = &c.events[2];
        assert_eq!(
            hostile.actor.as_deref(),
            Some(".\\\u{1b}[31madmin\u{1b}[0m")
        );
        assert_eq!(
            hostile.attributes.get("workstation"),
            Some(&Value::from("=HYPERLINK(\"http://evil.invalid\",\"open\")"))
        );
        assert!(hostile.message.contains("<script>alert(1)</script>"));
        let ntlm = &c.events[3];
        assert_eq!(ntlm.action.as_deref(), Some("windows.ntlm_validation"));
        assert_eq!(ntlm.outcome, Outcome::Success, "Status 0 is 0x0");
        assert_eq!(ntlm.actor.as_deref(), Some("svc_backup"));
        assert_eq!(
            c.events[4].attributes.get("property_1"),
            Some(&Value::from("jdoe"))
        );
    }

    #[test]
    fn utf16_redirection_reads_the_same() {
        let data =
            include_bytes!("../../../fixtures/auth/windows/powershell_winevent_utf16le.json");
        assert_eq!(WindowsPowerShellJson.sniff(data), Sniff::CERTAIN);
        let c = collect(&WindowsPowerShellJson, data);
        let plain = collect(&WindowsPowerShellJson, PS51);
        assert_eq!((c.records(), c.events.len(), c.errors), (7, 5, 2));
        for (a, b) in c.events.iter().zip(&plain.events) {
            assert_eq!((&a.actor, &a.message), (&b.actor, &b.message));
            // Every character of the fixture is one UTF-16 unit: offsets double, plus the BOM.
            assert_eq!(a.location.offset, 2 + 2 * b.location.offset);
        }
    }

    #[test]
    fn powershell7_single_object_with_offset_time() {
        assert_eq!(WindowsPowerShellJson.sniff(PS7), Sniff::CERTAIN);
        let c = collect(&WindowsPowerShellJson, PS7);
        assert_eq!(
            (c.records(), c.events.len()),
            (1, 1),
            "{:?}",
            c.error_samples
        );
        let TimeValue::Instant(t) = c.events[0].time else {
            panic!("not an instant")
        };
        assert_eq!(t.to_rfc3339(), "2016-09-19T16:50:06.477878900+00:00");
        assert_eq!(c.events[0].src_ip.as_deref(), Some("192.168.198.149"));
    }

    #[test]
    fn compressed_lines_and_shallow_depth() {
        let d = concat!(
            r#"{"Id":4634,"RecordId":1,"ProviderName":"P","LogName":"Security","MachineName":"H","TimeCreated":"\/Date(1700000000000)\/","Properties":["System.Diagnostics.Eventing.Reader.EventProperty"]}"#,
            "\n\n",
            r#"{"Id":4634,"RecordId":2,"ProviderName":"P","LogName":"Security","MachineName":"H","TimeCreated":{"value":"\/Date(1700000000000)\/","DateTime":"Tuesday"}}"#,
            "\n"
        );
        let c = collect(&WindowsPowerShellJson, d.as_bytes());
        assert_eq!(
            (c.records(), c.events.len(), c.skipped),
            (3, 2, 1),
            "{:?}",
            c.error_samples
        );
        assert_eq!(
            c.events[0].attributes.get("properties_unreadable"),
            Some(&Value::Bool(true))
        );
        assert_eq!(c.events[1].event_id.as_deref(), Some("H/Security/2"));
    }

    #[test]
    fn zoneless_iso_time_stays_local() {
        let d = br#"{"Id":4634,"RecordId":1,"ProviderName":"P","LogName":"Security","MachineName":"H","TimeCreated":"2024-01-02T03:04:05"}"#;
        let c = collect(&WindowsPowerShellJson, d);
        assert_eq!(c.events.len(), 1, "{:?}", c.error_samples);
        assert!(matches!(c.events[0].time, TimeValue::Local(_)));
    }
}
