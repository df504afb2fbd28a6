//! The engine's own costs: the parallel merge-sort of a million events, and a whole build (parse,
//! resolve, dedup, sort, findings; no writing) over a small generated corpus.

use std::sync::OnceLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;
use tplus_model::{Event, Location, TimeValue};

fn main() {
    divan::main();
}

fn events(n: usize) -> Vec<Event> {
    let mut rng = tplus_corpusgen::Rng::new(42);
    (0..n)
        .map(|i| {
            let ts = 1_740_960_000_000_000 + rng.below(86_400_000_000) as i64;
            let t = chrono::DateTime::from_timestamp_micros(ts).unwrap_or_default();
            let mut e = Event::builder("bench", TimeValue::Instant(t), "x")
                .at(Location::line(i as u64 + 1, i as u64 * 100))
                .build();
            e.ts_us = ts;
            e.input = (i % 7) as u32;
            e
        })
        .collect()
}

/// The sort phase as the build runs it: seven files' events (shuffled times) merged into one
/// vector in time order.
#[divan::bench(args = [100_000, 1_000_000])]
fn sort(bencher: Bencher, n: usize) {
    let base = events(n);
    let mut per_file: Vec<Vec<Event>> = vec![Vec::new(); 7];
    for e in base {
        per_file[e.input as usize].push(e);
    }
    bencher
        .counter(ItemsCount::new(n))
        .with_inputs(|| per_file.clone())
        .bench_local_values(tplus_engine::merge_sorted);
}

fn corpus() -> &'static (std::path::PathBuf, u64) {
    static C: OnceLock<(std::path::PathBuf, u64)> = OnceLock::new();
    C.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tplus-bench-corpus-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let s = tplus_corpusgen::write_corpus(&dir, 0.02, 7).expect("corpus");
        (dir, s.bytes)
    })
}

#[divan::bench(sample_count = 10)]
fn build_small_corpus(bencher: Bencher) {
    let (dir, bytes) = corpus();
    let cfg = tplus_engine::BuildConfig {
        inputs: vec![dir.display().to_string()],
        ..Default::default()
    };
    bencher
        .counter(BytesCount::new(*bytes))
        .bench(|| tplus_engine::build(&cfg).expect("build"));
}
