//! A small driver for profiling the CloudTrail parser alone (callgrind gives stable
//! instruction counts on a shared machine):
//!
//! ```text
//! cargo build --release -p tplus-cloud --example cloudtrail_profile
//! valgrind --tool=callgrind target/release/examples/cloudtrail_profile FILE...
//! ```
//!
//! Each FILE is a plain (not gzipped) CloudTrail input; events are counted, not kept.

use tplus_model::{Event, Location, Parser, RecordSink};

#[derive(Default)]
struct Count {
    events: u64,
    bytes: u64,
    other: u64,
}

impl RecordSink for Count {
    fn event(&mut self, event: Event) {
        self.events += 1;
        self.bytes += (event.message.len() + event.attributes.len()) as u64;
    }
    fn skipped(&mut self, _: Location, _: &str) {
        self.other += 1;
    }
    fn error(&mut self, _: Location, _: String) {
        self.other += 1;
    }
    fn previous(&mut self) -> Option<&mut Event> {
        None
    }
}

fn main() -> std::io::Result<()> {
    let mut sink = Count::default();
    let mut total = 0usize;
    for path in std::env::args().skip(1) {
        let data = std::fs::read(&path)?;
        total += data.len();
        tplus_cloud::CloudTrail.parse(&data, &mut sink);
    }
    println!(
        "{total} bytes, {} events, {} skipped or errors, {} checksum",
        sink.events, sink.other, sink.bytes
    );
    Ok(())
}
