//! Feeds arbitrary bytes to every cloud parser: the first byte picks the parser, the rest is the
//! input. A parser must never panic, and must account for every record.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsers = tplus_cloud::parsers();
    let Some((&pick, input)) = data.split_first() else { return };
    let Some(parser) = parsers.get(usize::from(pick) % parsers.len().max(1)) else { return };
    let _ = parser.sniff(input);
    let c = tplus_model::collect(parser.as_ref(), input);
    // Every record is located inside the input, and every event says when and what.
    for e in &c.events {
        assert!(e.location.offset <= input.len() as u64);
        assert!(!e.ts_raw.is_empty());
        assert_eq!(e.source, parser.id());
    }
    for (loc, msg) in &c.error_samples {
        assert!(loc.offset <= input.len() as u64);
        assert!(!msg.is_empty());
    }
});
