//! Focuses the fuzzer on the text-based Windows shapes (`windows.xml`,
//! `windows.powershell_json`), whose framing scans hand-written code before quick-xml or
//! serde_json see a record: the first byte picks the parser, the rest is the input (a
//! UTF-16 byte-order mark reaches the transcoding path). The `auth` target covers them too,
//! among every other auth parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tplus_model::Parser;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, input)) = data.split_first() else { return };
    let parser: &dyn Parser = if pick % 2 == 0 {
        &tplus_auth::WindowsXml
    } else {
        &tplus_auth::WindowsPowerShellJson
    };
    let _ = parser.sniff(input);
    let _ = tplus_model::collect(parser, input);
});
