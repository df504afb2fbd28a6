//! Throughput of the Windows (EVTX) and IdP (Okta, Entra) parsers, in bytes per second.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use tplus_auth::{EntraSignIn, OktaSystemLog, WindowsEvtx};
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
