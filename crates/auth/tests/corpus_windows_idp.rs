//! Conformance over the real EVTX samples in the shared corpus, and the IdP fixtures.

use std::path::PathBuf;

use tplus_auth::{parsers, EntraSignIn, OktaSystemLog};
use tplus_model::{collect, ActorKind, Collected, Outcome, Parser, Tag, TimeValue};

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/auth"
    ));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("corpus folder {} absent: skipping", p.display());
        None
    }
}

fn run(path: &PathBuf) -> (String, Collected) {
    let data = std::fs::read(path).unwrap_or_default();
    let head = &data[..data.len().min(65536)];
    let all = parsers();
    let best = all.iter().max_by_key(|p| p.sniff(head)).map(|p| p.as_ref());
    let Some(p) = best else {
        return (String::new(), Collected::default());
    };
    (p.id().to_owned(), collect(p, &data))
}

/// (file, records, events, skipped, errors)
const PINNED: &[(&str, u64, usize, u64, u64)] = &[
    (
        "evtx-attack-samples/CA_4624_4625_LogonType2_LogonProc_chrome.evtx",
        4,
        4,
        0,
        0,
    ),
    (
        "evtx-attack-samples/DE_Fake_ComputerAccount_4720.evtx",
        2,
        2,
        0,
        0,
    ),
    (
        "evtx-attack-samples/DE_RDP_Tunneling_4624.evtx",
        18,
        18,
        0,
        0,
    ),
    (
        "evtx-attack-samples/LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx",
        6,
        6,
        0,
        0,
    ),
    (
        "evtx-attack-samples/kerberos_pwd_spray_4771.evtx",
        12,
        12,
        0,
        0,
    ),
    ("deepbluecli-evtx/new-user-security.evtx", 4, 4, 0, 0),
    ("deepbluecli-evtx/password-spray.evtx", 295, 295, 0, 0),
    (
        "deepbluecli-evtx/smb-password-guessing-security.evtx",
        3561,
        3561,
        0,
        0,
    ),
];

#[test]
fn evtx_counts_pinned() {
    let Some(root) = corpus() else { return };
    let mut bad = Vec::new();
    for (f, rec, ev, sk, er) in PINNED {
        let (id, c) = run(&root.join(f));
        println!(
            "{f}: {id} records={} events={} skipped={} errors={} {:?}",
            c.records(),
            c.events.len(),
            c.skipped,
            c.errors,
            c.error_samples.first()
        );
        if id != "windows.evtx"
            || (c.records(), c.events.len(), c.skipped, c.errors) != (*rec, *ev, *sk, *er)
        {
            bad.push(*f);
        }
    }
    assert!(bad.is_empty(), "counts differ for {bad:?}");
}

#[test]
fn evtx_spot_checks() {
    let Some(root) = corpus() else { return };
    let (_, c) = run(&root.join("deepbluecli-evtx/smb-password-guessing-security.evtx"));
    let fails: Vec<_> = c
        .events
        .iter()
        .filter(|e| e.action.as_deref() == Some("windows.logon_failed"))
        .collect();
    println!(
        "4625 count {} first {:?}",
        fails.len(),
        fails
            .first()
            .map(|e| (&e.actor, &e.src_ip, &e.message, &e.ts_raw))
    );
    assert!(!fails.is_empty());
    let f = fails[0];
    assert_eq!(f.outcome, Outcome::Failure);
    assert_eq!(f.src_ip.as_deref(), Some("192.168.198.149"));
    assert_eq!(f.ts_raw, "2016-09-19T16:50:06.4778789Z");
    assert!(f.message.contains("user name does not exist"));
    assert!(f.has_tag(Tag::Authentication));
    let (_, c) = run(&root.join("deepbluecli-evtx/new-user-security.evtx"));
    let created: Vec<_> = c
        .events
        .iter()
        .filter(|e| e.action.as_deref() == Some("windows.user_created"))
        .collect();
    println!(
        "4720 {:?}",
        created
            .first()
            .map(|e| (&e.actor, &e.target, &e.message, &e.ts_raw))
    );
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].target.as_deref(), Some("IE8Win7\\IEUser"));
    assert!(created[0].has_tag(Tag::AccountChange));
}

#[test]
fn idp_fixtures() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/auth/idp"
    ));
    let okta = std::fs::read(dir.join("okta_system_log.json")).unwrap_or_default();
    assert!(OktaSystemLog.sniff(&okta) > EntraSignIn.sniff(&okta));
    let c = collect(&OktaSystemLog, &okta);
    assert_eq!((c.records(), c.events.len(), c.errors), (3, 2, 1));
    assert_eq!(c.events[0].actor_kind, ActorKind::Human);
    assert_eq!(c.events[0].outcome, Outcome::Failure);
    assert_eq!(c.events[1].actor_kind, ActorKind::Service);
    let ent = std::fs::read(dir.join("entra_signins.json")).unwrap_or_default();
    assert!(EntraSignIn.sniff(&ent) > OktaSystemLog.sniff(&ent));
    let c = collect(&EntraSignIn, &ent);
    assert_eq!((c.records(), c.events.len(), c.errors), (2, 2, 0));
    assert_eq!(c.events[0].src_ip.as_deref(), Some("203.0.113.42"));
    assert_eq!(c.events[1].actor_kind, ActorKind::Automation);
    let lines = std::fs::read(dir.join("okta_bad.jsonl")).unwrap_or_default();
    let c = collect(&OktaSystemLog, &lines);
    assert_eq!(
        (c.records(), c.events.len(), c.skipped, c.errors),
        (3, 1, 0, 2)
    );
}

fn windows_fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/auth/windows"
    ))
    .join(name)
}

/// (fixture, parser picked by sniffing among all auth parsers, records, events, errors)
const WINDOWS_FIXTURES: &[(&str, &str, u64, usize, u64)] = &[
    ("wevtutil_security.xml", "windows.xml", 9, 6, 3),
    ("eventviewer_saved.xml", "windows.xml", 2, 2, 0),
    (
        "powershell_winevent.json",
        "windows.powershell_json",
        7,
        5,
        2,
    ),
    (
        "powershell7_single.json",
        "windows.powershell_json",
        1,
        1,
        0,
    ),
    ("evtx_dump_same_events.jsonl", "windows.json", 2, 2, 0),
];

#[test]
fn windows_fixtures_sniffed_and_counted() {
    for (f, want, rec, ev, er) in WINDOWS_FIXTURES {
        let (id, c) = run(&windows_fixture(f));
        assert_eq!(&id, want, "{f} sniffed as {id}");
        assert_eq!(
            (c.records(), c.events.len(), c.skipped, c.errors),
            (*rec, *ev, 0, *er),
            "{f}: {:?}",
            c.error_samples
        );
    }
}

/// The XML and PowerShell fixtures carry two real events of the corpus EVTX files: both
/// must map exactly as the binary EVTX path maps them.
#[test]
fn xml_and_powershell_shapes_match_evtx() {
    let Some(root) = corpus() else { return };
    let key = |e: &tplus_model::Event| {
        (
            e.action.clone(),
            e.actor.clone(),
            e.actor_kind,
            e.target.clone(),
            e.outcome,
            e.src_ip.clone(),
            e.event_id.clone(),
            e.tags,
        )
    };
    for (evtx, event_id) in [
        (
            "deepbluecli-evtx/smb-password-guessing-security.evtx",
            "DESKTOP-M5SN04R/Security/2455",
        ),
        (
            "evtx-attack-samples/DE_RDP_Tunneling_4624.evtx",
            "PC02.example.corp/Security/5315",
        ),
    ] {
        let (_, c) = run(&root.join(evtx));
        let Some(reference) = c
            .events
            .iter()
            .find(|e| e.event_id.as_deref() == Some(event_id))
        else {
            panic!("{event_id} not in {evtx}");
        };
        let mut compared = 0;
        for (f, ..) in WINDOWS_FIXTURES {
            let (id, c) = run(&windows_fixture(f));
            for e in c
                .events
                .iter()
                .filter(|e| e.event_id.as_deref() == Some(event_id))
            {
                assert_eq!(key(e), key(reference), "{f} ({id}) vs {evtx}");
                // Windows PowerShell's `/Date(ms)/` keeps milliseconds only.
                let (TimeValue::Instant(a), TimeValue::Instant(b)) = (e.time, reference.time)
                else {
                    panic!("{f}: {} not an instant", e.ts_raw);
                };
                let tolerance_us = if id == "windows.powershell_json" {
                    1000
                } else {
                    0
                };
                assert!(
                    (a - b)
                        .num_microseconds()
                        .is_some_and(|d| d.abs() < tolerance_us.max(1)),
                    "{f}: {a} vs {b}"
                );
                compared += 1;
            }
        }
        assert!(compared >= 3, "{event_id} compared {compared} times");
    }
}

/// Every record of every corpus EVTX file, rendered as XML the way `evtx_dump -o xml` writes
/// it (a `Record <n>` line, a declaration, the event), must map exactly as the EVTX path
/// maps it: the whole corpus becomes a cross-check of the XML shape on real events.
#[test]
fn xml_rendering_of_the_corpus_evtx_maps_like_evtx() {
    let Some(root) = corpus() else { return };
    for (f, ..) in PINNED {
        let data = std::fs::read(root.join(f)).unwrap_or_default();
        let Ok(mut p) = evtx::EvtxParser::from_buffer(data.clone()) else {
            panic!("{f} unreadable");
        };
        let mut xml = String::new();
        for r in p.records().flatten() {
            xml.push_str(&format!("Record {}\n{}\n", r.event_record_id, r.data));
        }
        let from_xml = collect(&tplus_auth::WindowsXml, xml.as_bytes());
        let from_evtx = collect(&tplus_auth::WindowsEvtx, &data);
        assert_eq!(
            (from_xml.events.len(), from_xml.errors),
            (from_evtx.events.len(), from_evtx.errors),
            "{f}: {:?}",
            from_xml.error_samples.first()
        );
        for (x, e) in from_xml.events.iter().zip(&from_evtx.events) {
            let key = |e: &tplus_model::Event| {
                (
                    e.action.clone(),
                    e.actor.clone(),
                    e.actor_kind,
                    e.target.clone(),
                    e.outcome,
                    e.src_ip.clone(),
                    e.event_id.clone(),
                    e.time,
                )
            };
            assert_eq!(key(x), key(e), "{f}");
        }
    }
}
