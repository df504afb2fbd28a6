//! Throughput of the Windows (EVTX, XML, PowerShell JSON) and IdP (Okta, Entra) parsers, in
//! bytes per second.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use tplus_auth::{EntraSignIn, OktaSystemLog, WindowsEvtx, WindowsPowerShellJson, WindowsXml};
use tplus_model::collect;

fn main() {
    divan::main();
}

fn evtx_sample() -> Option<Vec<u8>> {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/auth/deepbluecli-evtx/smb-password-guessing-security.evtx"
    );
    match std::fs::read(p) {
        Ok(d) => Some(d),
        Err(_) => {
            eprintln!("{p} absent: EVTX bench skipped");
            None
        }
    }
}

fn okta_lines(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            r#"{{"uuid":"u-{i}","published":"2024-05-14T08:{:02}:{:02}.117Z","eventType":"user.session.start","displayMessage":"User login to Okta","legacyEventType":"core.user_auth.login_failed","actor":{{"id":"00u{i}","type":"User","alternateId":"user{}@example.com","displayName":"User"}},"client":{{"ipAddress":"198.51.100.{}","userAgent":{{"rawUserAgent":"Mozilla/5.0"}}}},"authenticationContext":{{"authenticationProvider":"OKTA_AUTHENTICATION_PROVIDER","credentialType":"PASSWORD"}},"outcome":{{"result":"FAILURE","reason":"INVALID_CREDENTIALS"}},"target":[]}}"#,
            (i / 60) % 60,
            i % 60,
            i % 97,
            i % 250
        ));
        s.push('\n');
    }
    s.into_bytes()
}

fn entra_doc(n: usize) -> Vec<u8> {
    let mut s = String::from("{\"value\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"id":"id-{i}","createdDateTime":"2024-05-14T08:{:02}:{:02}Z","userPrincipalName":"user{}@contoso.com","appDisplayName":"Azure Portal","ipAddress":"203.0.113.{}","isInteractive":true,"conditionalAccessStatus":"notApplied","authenticationRequirement":"singleFactorAuthentication","status":{{"errorCode":50126,"failureReason":"Invalid username or password."}},"authenticationDetails":[{{"authenticationMethod":"Password","succeeded":false}}]}}"#,
            (i / 60) % 60,
            i % 60,
            i % 97,
            i % 250
        ));
    }
    s.push_str("]}");
    s.into_bytes()
}

/// `wevtutil qe Security /f:xml` shape: one 4625 `<Event>` a line, 21 named Data values.
fn wevtutil_xml(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{{54849625-5478-4994-a5ba-3e3b0328c30d}}"/><EventID>4625</EventID><Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8010000000000000</Keywords><TimeCreated SystemTime="2024-05-14T08:{:02}:{:02}.4778789Z"/><EventRecordID>{i}</EventRecordID><Correlation/><Execution ProcessID="752" ThreadID="4068"/><Channel>Security</Channel><Computer>DC01.corp.local</Computer><Security/></System><EventData><Data Name="SubjectUserSid">S-1-0-0</Data><Data Name="SubjectUserName">-</Data><Data Name="SubjectDomainName">-</Data><Data Name="SubjectLogonId">0x0</Data><Data Name="TargetUserSid">S-1-0-0</Data><Data Name="TargetUserName">user{}</Data><Data Name="TargetDomainName">CORP</Data><Data Name="Status">0xc000006d</Data><Data Name="FailureReason">%%2313</Data><Data Name="SubStatus">0xc000006a</Data><Data Name="LogonType">3</Data><Data Name="LogonProcessName">NtLmSsp </Data><Data Name="AuthenticationPackageName">NTLM</Data><Data Name="WorkstationName">WS{}</Data><Data Name="TransmittedServices">-</Data><Data Name="LmPackageName">-</Data><Data Name="KeyLength">0</Data><Data Name="ProcessId">0x0</Data><Data Name="ProcessName">-</Data><Data Name="IpAddress">198.51.100.{}</Data><Data Name="IpPort">50249</Data></EventData></Event>"#,
            (i / 60) % 60,
            i % 60,
            i % 97,
            i % 31,
            i % 250
        ));
        s.push('\n');
    }
    s.into_bytes()
}

/// Windows PowerShell 5.1 `Get-WinEvent | ConvertTo-Json` shape: an array of 4625 objects
/// with positional Properties and the rendered Message.
fn powershell_json(n: usize) -> Vec<u8> {
    let mut s = String::from("[\r\n");
    for i in 0..n {
        if i > 0 {
            s.push_str(",\r\n");
        }
        s.push_str(&format!(
            r#"    {{"Id":  4625, "Version":  0, "Keywords":  -9218868437227405312, "RecordId":  {i}, "ProviderName":  "Microsoft-Windows-Security-Auditing", "LogName":  "Security", "MachineName":  "DC01.corp.local", "TimeCreated":  "\/Date({})\/", "KeywordsDisplayNames":  ["Audit Failure"], "Message":  "An account failed to log on.\r\n\r\nAccount For Which Logon Failed:\r\n\tAccount Name:\t\tuser{}", "Properties":  [{{"Value":  "S-1-0-0"}}, {{"Value":  "-"}}, {{"Value":  "-"}}, {{"Value":  0}}, {{"Value":  "S-1-0-0"}}, {{"Value":  "user{}"}}, {{"Value":  "CORP"}}, {{"Value":  3221225581}}, {{"Value":  "%%2313"}}, {{"Value":  3221225578}}, {{"Value":  3}}, {{"Value":  "NtLmSsp "}}, {{"Value":  "NTLM"}}, {{"Value":  "WS{}"}}, {{"Value":  "-"}}, {{"Value":  "-"}}, {{"Value":  0}}, {{"Value":  0}}, {{"Value":  "-"}}, {{"Value":  "198.51.100.{}"}}, {{"Value":  "50249"}}]}}"#,
            1_715_673_600_000u64 + i as u64 * 1000,
            i % 97,
            i % 97,
            i % 31,
            i % 250
        ));
    }
    s.push_str("\r\n]\r\n");
    s.into_bytes()
}

#[divan::bench]
fn windows_xml_20k(b: Bencher) {
    let data = wevtutil_xml(20_000);
    assert_eq!(
        collect(&WindowsXml, &data).events.len(),
        20_000,
        "bench input must parse"
    );
    b.counter(BytesCount::of_slice(&data))
        .bench(|| collect(&WindowsXml, black_box(&data)).events.len());
}

#[divan::bench]
fn windows_powershell_json_20k(b: Bencher) {
    let data = powershell_json(20_000);
    assert_eq!(
        collect(&WindowsPowerShellJson, &data).events.len(),
        20_000,
        "bench input must parse"
    );
    b.counter(BytesCount::of_slice(&data)).bench(|| {
        collect(&WindowsPowerShellJson, black_box(&data))
            .events
            .len()
    });
}

#[divan::bench]
fn evtx_smb_password_guessing(b: Bencher) {
    let Some(data) = evtx_sample() else { return };
    b.counter(BytesCount::of_slice(&data))
        .bench(|| collect(&WindowsEvtx, black_box(&data)).events.len());
}

#[divan::bench]
fn okta_jsonl_20k(b: Bencher) {
    let data = okta_lines(20_000);
    b.counter(BytesCount::of_slice(&data))
        .bench(|| collect(&OktaSystemLog, black_box(&data)).events.len());
}

#[divan::bench]
fn entra_graph_20k(b: Bencher) {
    let data = entra_doc(20_000);
    b.counter(BytesCount::of_slice(&data))
        .bench(|| collect(&EntraSignIn, black_box(&data)).events.len());
}
