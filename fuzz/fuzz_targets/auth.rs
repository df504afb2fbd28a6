//! Feeds arbitrary bytes to every auth parser (all of `tplus_auth::parsers()`, so the Windows
//! XML and PowerShell JSON shapes too): the first byte picks the parser, the rest is the
//! input. A parser must never panic, and must account for every record.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsers = tplus_auth::parsers();
    let Some((&pick, input)) = data.split_first() else { return };
    let Some(parser) = parsers.get(usize::from(pick) % parsers.len().max(1)) else { return };
    let _ = parser.sniff(input);
    let _ = tplus_model::collect(parser.as_ref(), input);
});
