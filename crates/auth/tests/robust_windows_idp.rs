//! No panic and exact accounting for arbitrary bytes and mutated inputs, on the Windows and
//! IdP parsers (stand-in for cargo-fuzz, which is not run here).

use proptest::prelude::*;
use tplus_auth::{
    EntraSignIn, OktaSystemLog, WindowsEvtx, WindowsJson, WindowsPowerShellJson, WindowsXml,
};
use tplus_model::{collect, Parser, RecordSink};

fn parsers() -> Vec<Box<dyn Parser>> {
    vec![
        Box::new(OktaSystemLog),
        Box::new(EntraSignIn),
        Box::new(WindowsEvtx),
        Box::new(WindowsJson),
        Box::new(WindowsXml),
        Box::new(WindowsPowerShellJson),
    ]
}

/// Counts sink calls independently of `Collected`.
#[derive(Default)]
struct Count(u64, Option<tplus_model::Event>);
impl RecordSink for Count {
    fn event(&mut self, e: tplus_model::Event) {
        self.0 += 1;
        self.1 = Some(e);
    }
    fn skipped(&mut self, _: tplus_model::Location, _: &str) {
        self.0 += 1;
    }
    fn error(&mut self, _: tplus_model::Location, _: String) {
        self.0 += 1;
    }
    fn previous(&mut self) -> Option<&mut tplus_model::Event> {
        self.1.as_mut()
    }
}

fn check(data: &[u8]) {
    for p in parsers() {
        let _ = p.sniff(data);
        let c = collect(p.as_ref(), data);
        let mut n = Count::default();
        p.parse(data, &mut n);
        assert_eq!(c.records(), n.0);
    }
}

const OKTA: &str = include_str!("../../../fixtures/auth/idp/okta_system_log.json");
const ENTRA: &str = include_str!("../../../fixtures/auth/idp/entra_signins.json");
const WEVTUTIL: &str = include_str!("../../../fixtures/auth/windows/wevtutil_security.xml");
const SAVED_XML: &str = include_str!("../../../fixtures/auth/windows/eventviewer_saved.xml");
const POWERSHELL: &str = include_str!("../../../fixtures/auth/windows/powershell_winevent.json");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&data);
    }
    #[test]
    fn mutated_fixtures(pick in 0usize..6, cut in 0usize..13000, pos in 0usize..13000, byte in any::<u8>()) {
        let mut d = match pick { 0 => OKTA.as_bytes().to_vec(), 1 => ENTRA.as_bytes().to_vec(),
            2 => WEVTUTIL.as_bytes().to_vec(), 3 => SAVED_XML.as_bytes().to_vec(),
            4 => POWERSHELL.as_bytes().to_vec(), _ => {
            let mut v = b"ElfFile\0".to_vec(); v.resize(4096, 0); v } };
        let l = d.len();
        if let Some(b) = d.get_mut(pos % l.max(1)) { *b = byte; }
        d.truncate(cut.min(l));
        check(&d);
    }
}

#[test]
fn mutated_real_evtx() {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/auth/deepbluecli-evtx/new-user-security.evtx"
    );
    let Ok(orig) = std::fs::read(p) else {
        eprintln!("{p} absent: skipping");
        return;
    };
    // Deterministic corruption: every 4099th byte flipped in one pass, truncations in others.
    let mut d = orig.clone();
    for i in (4096..d.len()).step_by(4099) {
        if let Some(b) = d.get_mut(i) {
            *b ^= 0xA5;
        }
    }
    check(&d);
    for cut in [8usize, 4096, 70_000, orig.len() / 2] {
        check(&orig[..cut.min(orig.len())]);
    }
}
