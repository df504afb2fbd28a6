//! Prints the pre-read of a generated incident: `cargo run -p tplus-report --example preread_demo -- 1000000`.
use tplus_model::TimelineSink;
fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let tl = tplus_report::synth::incident(n, false);
    let mut out = Vec::new();
    if tplus_report::PrereadSink::default()
        .write(&tl, &mut out)
        .is_ok()
    {
        print!("{}", String::from_utf8_lossy(&out));
    }
}
