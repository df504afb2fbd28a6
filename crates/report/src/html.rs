//! `report.html`: one self-contained page (no network) with a lane per source and host on a
//! shared time axis, gaps shaded, findings and T0 marked, zoom and pan, and a filterable,
//! paged event table with the evidence of each event.
//!
//! All log text travels as JSON inside a `<script type="application/json">` block (escaped
//! by [`crate::escape::script_json`]) and is put on the page with `textContent` only, so no
//! log line can become markup.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use serde_json::json;
use tplus_model::time::format_utc;
use tplus_model::{Timeline, TimelineSink};

use crate::escape::{html, script_json};

/// Writes `report.html`.
#[derive(Debug, Clone, Default)]
pub struct HtmlSink {
    /// How this version was altered for sharing, shown at the top.
    pub notice: Option<String>,
}

/// Lanes per (source, host) up to this many; beyond it, one lane per source.
const MAX_HOST_LANES: usize = 24;

/// Interns strings into one table; index 0 is the empty string (and stands for "none").
struct Strings<'a> {
    table: Vec<&'a str>,
    index: HashMap<&'a str, u32>,
}

impl<'a> Strings<'a> {
    fn new() -> Self {
        let mut s = Strings {
            table: Vec::new(),
            index: HashMap::new(),
        };
        s.id("");
        s
    }
    fn id(&mut self, v: &'a str) -> u32 {
        if let Some(&i) = self.index.get(v) {
            return i;
        }
        let i = self.table.len() as u32;
        self.table.push(v);
        self.index.insert(v, i);
        i
    }
    fn opt(&mut self, v: &'a Option<String>) -> u32 {
        v.as_deref().map_or(0, |v| self.id(v))
    }
}

/// The page's data, columnar: one array per field, text fields as indices into one string
/// table, times as microsecond deltas. About a third the size of one JSON array per event.
fn data(tl: &Timeline) -> serde_json::Value {
    let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for e in &tl.events {
        *pairs
            .entry((e.source, e.host.as_deref().unwrap_or("")))
            .or_default() += 1;
    }
    let by_host = pairs.len() <= MAX_HOST_LANES;
    let mut lanes: Vec<String> = Vec::new();
    let mut lane_of: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (s, h) in pairs.keys() {
        let name = if by_host && !h.is_empty() {
            format!("{s} · {h}")
        } else {
            (*s).to_owned()
        };
        let idx = match lanes.iter().position(|l| *l == name) {
            Some(i) => i,
            None => {
                lanes.push(name);
                lanes.len() - 1
            }
        };
        lane_of.insert((s, h), idx);
    }
    let n = tl.events.len();
    let mut st = Strings::new();
    let mut reasons: Vec<String> = Vec::with_capacity(n);
    for e in &tl.events {
        reasons.push(e.confidence_reasons.join("; "));
    }
    let mut c: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
    for k in [
        "t", "lane", "msg", "actor", "kind", "action", "target", "ip", "host", "outcome", "conf",
        "reasons", "input", "line", "record", "offset", "id", "raw", "count", "source", "desc",
        "tamper",
    ] {
        c.insert(k, Vec::with_capacity(n));
    }
    let mut prev = 0i64;
    for (e, r) in tl.events.iter().zip(&reasons) {
        let lane = lane_of
            .get(&(e.source, e.host.as_deref().unwrap_or("")))
            .copied()
            .unwrap_or(0) as i64;
        let row: [(&'static str, i64); 22] = [
            ("t", e.ts_us.saturating_sub(prev)),
            ("lane", lane),
            ("msg", i64::from(st.id(&e.message))),
            ("actor", i64::from(st.opt(&e.actor))),
            ("kind", i64::from(st.id(e.actor_kind.as_str()))),
            ("action", i64::from(st.opt(&e.action))),
            ("target", i64::from(st.opt(&e.target))),
            ("ip", i64::from(st.opt(&e.src_ip))),
            ("host", i64::from(st.opt(&e.host))),
            ("outcome", i64::from(st.id(e.outcome.as_str()))),
            ("conf", i64::from(st.id(e.confidence.as_str()))),
            ("reasons", i64::from(st.id(r))),
            ("input", i64::from(e.input)),
            ("line", e.location.line.map_or(-1, |v| v as i64)),
            ("record", e.location.record.map_or(-1, |v| v as i64)),
            ("offset", e.location.offset as i64),
            ("id", i64::from(st.opt(&e.event_id))),
            ("raw", i64::from(st.id(&e.ts_raw))),
            ("count", e.count as i64),
            ("source", i64::from(st.id(e.source))),
            ("desc", i64::from(st.id(&e.timestamp_desc))),
            (
                "tamper",
                i64::from(e.has_tag(tplus_model::Tag::LoggingTamper)),
            ),
        ];
        prev = e.ts_us;
        for (k, v) in row {
            if let Some(col) = c.get_mut(k) {
                col.push(v);
            }
        }
    }
    let findings: Vec<serde_json::Value> = tl
        .findings
        .iter()
        .map(|f| {
            json!({
                "kind": f.kind.as_str(), "severity": f.severity.as_str(), "source": f.source, "host": f.host,
                "start": f.start_us.map(|u| u / 1000), "end": f.end_us.map(|u| u / 1000), "summary": f.summary,
                "evidence": f.evidence,
            })
        })
        .collect();
    let inputs: Vec<serde_json::Value> = tl
        .inputs
        .iter()
        .map(|i| json!([i.path, i.sha256, i.format]))
        .collect();
    json!({
        "n": n,
        "lanes": lanes,
        "byHost": by_host,
        "strings": st.table,
        "cols": c,
        "inputs": inputs,
        "findings": findings,
        "t0": tl.run.t0_us,
        "window": [tl.run.window.0 / 1000, tl.run.window.1 / 1000],
    })
}

const STYLE: &str = r#"
body{font:14px system-ui,sans-serif;margin:0;color:#1d2329;background:#fafbfc}
header{padding:12px 20px;background:#1d2a3a;color:#fff}header h1{margin:0;font-size:18px}
header p{margin:4px 0 0;font-size:12px;opacity:.85}
main{padding:12px 20px}
#lanes{width:100%;height:auto;border:1px solid #ccd;background:#fff;cursor:grab;display:block}
.controls{margin:8px 0;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
input[type=search]{padding:4px 8px;width:320px}
table{border-collapse:collapse;width:100%;font-size:12px;background:#fff}
th,td{border-bottom:1px solid #e3e6ea;padding:3px 6px;text-align:left;vertical-align:top}
tr.ev:hover{background:#eef4ff;cursor:pointer}tr.sel{background:#dde9ff}
td.msg{max-width:520px;overflow-wrap:anywhere}td:nth-child(-n+2){white-space:nowrap}
.low{color:#a33}.medium{color:#a66b00}.failure{color:#b00}
#detail{white-space:pre-wrap;font:12px ui-monospace,monospace;background:#fff;border:1px solid #ccd;padding:8px;min-height:40px;overflow-wrap:anywhere}
ul.findings li{margin:2px 0}.sev-high{color:#b00;font-weight:bold}.sev-medium{color:#a66b00}
"#;

const SCRIPT: &str = include_str!("report.js");

impl TimelineSink for HtmlSink {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn write(&self, tl: &Timeline, out: &mut dyn Write) -> io::Result<()> {
        let title = tl
            .run
            .title
            .clone()
            .unwrap_or_else(|| "Incident timeline".to_owned());
        let payload = script_json(&serde_json::to_string(&data(tl))?);
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
             <title>{t}</title><style>{STYLE}</style></head><body>\n\
             <header><h1>{t}</h1><p>T0 {t0} ({t0src}) · {n} events from {f} inputs · evidence digest {d}</p>{notice}</header>\n<main>\n\
             <div class=\"controls\"><strong>Lanes</strong> (wheel to zoom, drag to pan) <button id=\"reset\">Reset zoom</button></div>\n\
             <canvas id=\"lanes\"></canvas>\n<h2>Findings</h2><ul class=\"findings\" id=\"findings\"></ul>\n\
             <h2>Events</h2><div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter: text, actor, IP, host, source…\">\
             <button id=\"prev\">◀</button><button id=\"next\">▶</button><span id=\"pageinfo\"></span></div>\n\
             <table><thead><tr><th>T+</th><th>Time (UTC)</th><th>Source</th><th>Host</th><th>Actor</th><th>Action</th><th>Source IP</th><th>Outcome</th><th>Confidence</th><th>Message</th></tr></thead><tbody id=\"rows\"></tbody></table>\n\
             <h2>Event detail</h2><div id=\"detail\">Click an event.</div>\n<p id=\"status\" data-errors=\"0\">loading (this page needs JavaScript; it makes no network requests)</p>\n</main>\n\
             <script type=\"application/json\" id=\"tplus-data\">{payload}</script>\n<script>{SCRIPT}</script>\n</body></html>\n",
            t = html(&title),
            t0 = html(&format_utc(tl.run.t0_us)),
            t0src = if tl.run.t0_given { "given" } else { "not given: first event" },
            n = tl.events.len(),
            f = tl.inputs.len(),
            d = html(&tl.run.inputs_digest),
            notice = self
                .notice
                .as_deref()
                .map(|n| format!("<p id=\"notice\"><strong>Shared version:</strong> {}</p>", html(n)))
                .unwrap_or_default(),
        )
    }
}
