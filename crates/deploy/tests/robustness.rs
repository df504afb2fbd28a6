//! Property tests: arbitrary bytes and mutated real samples never make a deploy parser panic,
//! and every parser hands over one result per record (its record count never depends on
//! anything but the sink calls it made, so a panic or a silent drop is what can go wrong).

use std::path::Path;

use proptest::prelude::*;
use tplus_model::{collect, Location, RecordSink};

/// Counts sink calls and checks each location is sane.
#[derive(Default)]
struct Checking {
    calls: u64,
    len: u64,
    last_event: Option<tplus_model::Event>,
}

impl Checking {
    fn located(&mut self, at: Location) {
        self.calls += 1;
        assert!(
            at.offset <= self.len,
            "offset {} past the end {}",
            at.offset,
            self.len
        );
        assert!(at.line.is_some() || at.record.is_some(), "unlocated result");
    }
}

impl RecordSink for Checking {
    fn event(&mut self, event: tplus_model::Event) {
        self.located(event.location);
        assert!(!event.ts_raw.is_empty(), "an event without its raw time");
        self.last_event = Some(event);
    }
    fn skipped(&mut self, at: Location, reason: &str) {
        assert!(!reason.is_empty());
        self.located(at);
    }
    fn error(&mut self, at: Location, message: String) {
        assert!(!message.is_empty());
        self.located(at);
    }
    fn previous(&mut self) -> Option<&mut tplus_model::Event> {
        self.last_event.as_mut()
    }
}

fn samples() -> Vec<Vec<u8>> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/deploy"
    ));
    let mut v: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    v.sort();
    v
}

fn run_all(data: &[u8]) {
    for p in tplus_deploy::parsers() {
        let _ = p.sniff(data);
        let mut sink = Checking {
            len: data.len() as u64,
            ..Default::default()
        };
        p.parse(data, &mut sink);
        let c = collect(p.as_ref(), data);
        assert_eq!(
            c.records(),
            sink.calls,
            "{}: deterministic and one call per record",
            p.id()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run_all(&data);
    }

    #[test]
    fn mutated_samples(pick in any::<prop::sample::Index>(), edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..12), cut in any::<prop::sample::Index>()) {
        let all = samples();
        prop_assume!(!all.is_empty());
        let mut data = all[pick.index(all.len())].clone();
        for (at, byte, op) in edits {
            if data.is_empty() { break; }
            let i = at.index(data.len());
            match op {
                0 => data[i] = byte,
                1 => data.insert(i, byte),
                _ => { data.remove(i); }
            }
        }
        let keep = cut.index(data.len() + 1);
        data.truncate(keep.max(data.len() / 2));
        run_all(&data);
    }
}
