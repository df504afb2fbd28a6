//! The hand-off writers on one million generated events (7 UTC days), beside the JSONL
//! writer on the same events: Parquet (zstd, partitioned, files in parallel), the same
//! events within a single day (files split at 1M rows: one file), and the bulk NDJSON.
//!
//! `cargo bench --bench export`

use std::io::BufWriter;
use std::sync::LazyLock;

use divan::counter::ItemsCount;
use divan::Bencher;
use tplus_export::{synthetic_timeline, write_bulk, write_parquet, ParquetOptions};
use tplus_model::{Timeline, TimelineSink};

const N: usize = 1_000_000;

static WEEK: LazyLock<Timeline> = LazyLock::new(|| synthetic_timeline(N, 7));
static ONE_DAY: LazyLock<Timeline> = LazyLock::new(|| synthetic_timeline(N, 1));

fn main() {
    divan::main();
}

fn parquet(b: Bencher, tl: &'static Timeline) {
    LazyLock::force(&WEEK);
    b.counter(ItemsCount::new(tl.events.len()))
        .with_inputs(|| tempfile::tempdir().expect("tmp"))
        .bench_local_values(|dir| {
            write_parquet(&dir.path().join("pq"), tl, &ParquetOptions::default()).expect("parquet");
            dir
        });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn parquet_1m_events_7_days(b: Bencher) {
    parquet(b, &WEEK);
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn parquet_1m_events_1_day(b: Bencher) {
    parquet(b, &ONE_DAY);
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn jsonl_1m_events(b: Bencher) {
    let tl = &*WEEK;
    b.counter(ItemsCount::new(tl.events.len()))
        .with_inputs(|| tempfile::tempdir().expect("tmp"))
        .bench_local_values(|dir| {
            let f = std::fs::File::create(dir.path().join("timeline.jsonl")).expect("create");
            let mut w = BufWriter::with_capacity(1 << 20, f);
            tplus_report::JsonlSink.write(tl, &mut w).expect("jsonl");
            drop(w);
            dir
        });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn bulk_1m_events(b: Bencher) {
    let tl = &*WEEK;
    b.counter(ItemsCount::new(tl.events.len()))
        .with_inputs(|| tempfile::tempdir().expect("tmp"))
        .bench_local_values(|dir| {
            write_bulk(&dir.path().join("bulk.ndjson"), "tplus-timeline", tl, false).expect("bulk");
            dir
        });
}
