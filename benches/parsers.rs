//! Each foundation parser alone, single thread, over generated input (MB/s): classic syslog
//! auth lines and CloudTrail delivery files, beside plain `serde_json::Value` deserialisation
//! of the same CloudTrail bytes as the floor a JSON parser cannot beat by much.

use std::sync::OnceLock;

use divan::counter::BytesCount;
use divan::Bencher;
use tplus_corpusgen::Rng;

/// The allocator the shipped binary uses (crates/cli/main.rs): a parser's cost is mostly
/// small allocations for its events, so the benches measure what ships, not glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn syslog() -> &'static [u8] {
    static D: OnceLock<Vec<u8>> = OnceLock::new();
    D.get_or_init(|| tplus_corpusgen::syslog_auth(&mut Rng::new(1), "web-01", 200_000))
}

fn cloudtrail() -> &'static [u8] {
    static D: OnceLock<Vec<u8>> = OnceLock::new();
    D.get_or_init(|| {
        tplus_corpusgen::cloudtrail_file(&mut Rng::new(2), tplus_corpusgen::START, 20_000)
    })
}

#[divan::bench(sample_count = 10)]
fn syslog_classic(b: Bencher) {
    let data = syslog();
    let p = tplus_auth::syslog::Syslog;
    b.counter(BytesCount::new(data.len()))
        .bench(|| tplus_model::collect(&p, data));
}

#[divan::bench(sample_count = 10)]
fn cloudtrail_s3(b: Bencher) {
    let data = cloudtrail();
    let p = tplus_cloud::cloudtrail::CloudTrail;
    b.counter(BytesCount::new(data.len()))
        .bench(|| tplus_model::collect(&p, data));
}

#[divan::bench(sample_count = 10)]
fn cloudtrail_serde_value_floor(b: Bencher) {
    let data = cloudtrail();
    b.counter(BytesCount::new(data.len()))
        .bench(|| serde_json::from_slice::<serde_json::Value>(data).map(|v| v.is_object()));
}
