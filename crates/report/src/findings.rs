//! `findings.json`.

use std::io::{self, Write};

use serde_json::json;
use tplus_model::time::{format_offset, format_utc};
use tplus_model::{Finding, Timeline, TimelineSink};

/// Writes `findings.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FindingsSink;

/// One finding as JSON, with contract times and T+ offsets.
pub fn finding_json(tl: &Timeline, f: &Finding) -> serde_json::Value {
    let t = |us: Option<i64>| us.map(format_utc);
    let off = |us: Option<i64>| us.map(|u| format_offset(tl.offset_us(u)));
    let duration = match (f.start_us, f.end_us) {
        (Some(a), Some(b)) => Some((b - a) as f64 / 1e6),
        _ => None,
    };
    json!({
        "kind": f.kind.as_str(),
        "severity": f.severity.as_str(),
        "source": f.source,
        "host": f.host,
        "path": f.path,
        "start": t(f.start_us),
        "end": t(f.end_us),
        "t_start": off(f.start_us),
        "t_end": off(f.end_us),
        "duration_seconds": duration,
        "summary": f.summary,
        "evidence": f.evidence,
    })
}

impl TimelineSink for FindingsSink {
    fn file_name(&self) -> &'static str {
        "findings.json"
    }

    fn write(&self, tl: &Timeline, out: &mut dyn Write) -> io::Result<()> {
        let list: Vec<_> = tl.findings.iter().map(|f| finding_json(tl, f)).collect();
        serde_json::to_writer_pretty(&mut *out, &json!({ "findings": list }))?;
        out.write_all(b"\n")
    }
}
