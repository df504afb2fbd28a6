//! Output writers over a generated incident (100k and 1M events): each sink renders into a
//! counting writer. `cargo bench --bench report`.

use std::io::{self, Write};
use std::sync::OnceLock;

use tplus_model::{Timeline, TimelineSink};
use tplus_report::synth::incident;
use tplus_report::{CsvSink, FindingsSink, HtmlSink, JsonlSink, PrereadSink};

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [100_000, 1_000_000];

fn timeline(n: usize) -> &'static Timeline {
    static SMALL: OnceLock<Timeline> = OnceLock::new();
    static LARGE: OnceLock<Timeline> = OnceLock::new();
    if n <= 100_000 {
        SMALL.get_or_init(|| incident(n, false))
    } else {
        LARGE.get_or_init(|| incident(n, false))
    }
}

#[derive(Default)]
struct Count(u64);

impl Write for Count {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn run(b: divan::Bencher, n: usize, sink: &dyn TimelineSink) {
    let tl = timeline(n);
    let mut probe = Count::default();
    let _ = sink.write(tl, &mut probe);
    b.counter(divan::counter::BytesCount::new(probe.0))
        .bench(|| {
            let mut c = Count::default();
            let _ = sink.write(tl, &mut c);
            c.0
        });
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn jsonl(b: divan::Bencher, n: usize) {
    run(b, n, &JsonlSink);
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn csv(b: divan::Bencher, n: usize) {
    run(b, n, &CsvSink);
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn findings_json(b: divan::Bencher, n: usize) {
    run(b, n, &FindingsSink);
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn preread(b: divan::Bencher, n: usize) {
    run(b, n, &PrereadSink::default());
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn html(b: divan::Bencher, n: usize) {
    run(b, n, &HtmlSink::default());
}
