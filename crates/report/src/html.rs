//! `report.html`: one self-contained page (no network) with a lane per source and host on a
//! shared time axis, gaps shaded, findings and T0 marked, zoom and pan, and a filterable,
//! paged event table with the evidence of each event.
//!
//! All log text travels as JSON inside a `<script type="application/json">` block (escaped
//! by [`crate::escape::script_json`]) and is put on the page with `textContent` only, so no
//! log line can become markup.

use std::collections::BTreeMap;

use std::io::{self, Write};
use tplus_model::hash::FastMap;

use serde::Serialize;
use serde_json::json;
use tplus_model::time::format_utc;
use tplus_model::{Timeline, TimelineSink};

use crate::escape::{html, script_json};

/// Writes `report.html`.
#[derive(Debug, Clone)]
pub struct HtmlSink {
    /// How this version was altered for sharing, shown at the top.
    pub notice: Option<String>,
    /// At most this many events are embedded for the table and the detail view. Beyond it,
    /// the page keeps the most significant ones and draws the lanes from per-lane counts of
    /// every event, so a million-event timeline still opens in a browser in seconds.
    pub max_events: usize,
}

impl Default for HtmlSink {
    fn default() -> Self {
        HtmlSink {
            notice: None,
            max_events: HtmlSink::DEFAULT_MAX_EVENTS,
        }
    }
}

impl HtmlSink {
    /// The default cap: the issue's responsiveness bar (100,000 events) with room to spare;
    /// such a page is about 15 MB and opens in a couple of seconds.
    pub const DEFAULT_MAX_EVENTS: usize = 150_000;
}

/// Time bins per lane for the counts of all events when the page embeds only some.
const LANE_BINS: usize = 2_000;

/// Lanes per (source, host) up to this many; beyond it, one lane per source.
const MAX_HOST_LANES: usize = 24;

/// Interns strings into one table; index 0 is the empty string (and stands for "none").
struct Strings<'a> {
    table: Vec<&'a str>,
    index: FastMap<&'a str, u32>,
}

impl<'a> Strings<'a> {
    fn new() -> Self {
        let mut s = Strings {
            table: Vec::new(),
            index: FastMap::default(),
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
    fn opt(&mut self, v: Option<&'a str>) -> u32 {
        v.map_or(0, |v| self.id(v))
    }
}

/// The lanes: one per (source, host) when there are few, else one per source. Returns the
/// lane names, whether they are per host, and each event's lane.
fn lanes(tl: &Timeline) -> (Vec<String>, bool, Vec<u32>) {
    // One hash per event: each event gets its (source, host) pair's number, and the pairs'
    // lanes are decided once their count is known.
    let mut pair_id: FastMap<(&str, &str), u32> = FastMap::default();
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let of_pair: Vec<u32> = tl
        .events
        .iter()
        .map(|e| {
            let key = (e.source, e.host.as_deref().unwrap_or(""));
            *pair_id.entry(key).or_insert_with(|| {
                pairs.push(key);
                (pairs.len() - 1) as u32
            })
        })
        .collect();
    let by_host = pairs.len() <= MAX_HOST_LANES;
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.sort_unstable_by_key(|&p| pairs[p]);
    let mut names: Vec<String> = Vec::new();
    let mut lane_of_pair = vec![0u32; pairs.len()];
    for p in order {
        let (s, h) = pairs[p];
        let name = if by_host && !h.is_empty() {
            format!("{s} · {h}")
        } else {
            s.to_owned()
        };
        let idx = match names.iter().position(|l| *l == name) {
            Some(i) => i,
            None => {
                names.push(name);
                names.len() - 1
            }
        };
        lane_of_pair[p] = idx as u32;
    }
    let of_event = of_pair
        .into_iter()
        .map(|p| lane_of_pair[p as usize])
        .collect();
    (names, by_host, of_event)
}

/// How much the page wants an event when it cannot hold them all: the pre-read's ranking,
/// with failures just above their successes.
fn rank(e: &tplus_model::Event) -> u32 {
    u32::from(e.significance)
        + crate::preread::tag_bonus(e)
        + u32::from(e.outcome == tplus_model::Outcome::Failure)
}

/// The events the page embeds when there are more than `max`: the most significant (by the
/// pre-read's ranking, ties to the earlier event), always with the first and last event of
/// each lane so every lane's extent stays explorable; returned in time order.
fn select(tl: &Timeline, lane: &[u32], lanes: usize, max: usize) -> Vec<usize> {
    let mut first = vec![usize::MAX; lanes];
    let mut last = vec![usize::MAX; lanes];
    for (i, l) in lane.iter().enumerate() {
        let l = *l as usize;
        if first[l] == usize::MAX {
            first[l] = i;
        }
        last[l] = i;
    }
    let mut ranked: Vec<(u32, usize)> = tl
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let ends = first[lane[i] as usize] == i || last[lane[i] as usize] == i;
            let score = if ends { u32::MAX } else { rank(e) };
            (score, i)
        })
        .collect();
    let by_rank = |a: &(u32, usize), b: &(u32, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    let max = max.max(1);
    if ranked.len() > max {
        ranked.select_nth_unstable_by(max - 1, by_rank);
        ranked.truncate(max);
    }
    let mut keep: Vec<usize> = ranked.into_iter().map(|(_, i)| i).collect();
    keep.sort_unstable();
    keep
}

/// Per-lane counts of every event in [`LANE_BINS`] equal time bins, so the lanes show the
/// whole timeline even when the table holds only part of it.
fn lane_bins(tl: &Timeline, lane: &[u32], lanes: usize) -> serde_json::Value {
    let (Some(a), Some(b)) = (tl.events.first(), tl.events.last()) else {
        return serde_json::Value::Null;
    };
    let start = a.ts_us.div_euclid(1000);
    let end = b.ts_us.div_euclid(1000);
    let width = ((end - start) / LANE_BINS as i64 + 1).max(1);
    let mut counts = vec![vec![0u32; LANE_BINS]; lanes];
    for (e, l) in tl.events.iter().zip(lane) {
        let bin = ((e.ts_us.div_euclid(1000) - start) / width).clamp(0, LANE_BINS as i64 - 1);
        if let Some(c) = counts.get_mut(*l as usize) {
            c[bin as usize] = c[bin as usize].saturating_add(1);
        }
    }
    json!({ "start": start, "width": width, "counts": counts })
}

/// The event table's columns, in the order each row is filled.
const COLUMNS: [&str; 22] = [
    "t", "lane", "msg", "actor", "kind", "action", "target", "ip", "host", "outcome", "conf",
    "reasons", "input", "line", "record", "offset", "id", "raw", "count", "source", "desc",
    "tamper",
];

/// The page's data, serialised straight from typed fields (a `serde_json::Value` per cell
/// cost a third of the sink's time at 150,000 events × 22 columns). Fields are in the
/// order the page has always had them; the columns by name.
#[derive(Serialize)]
struct PageData<'a> {
    n: usize,
    total: usize,
    bins: serde_json::Value,
    lanes: Vec<String>,
    #[serde(rename = "byHost")]
    by_host: bool,
    strings: Vec<&'a str>,
    cols: BTreeMap<&'static str, Vec<i64>>,
    inputs: Vec<serde_json::Value>,
    findings: Vec<serde_json::Value>,
    t0: i64,
    window: [i64; 2],
}

/// The page's data as JSON, columnar: one array per field, text fields as indices into one
/// string table, times as microsecond deltas. About a third the size of one JSON array per
/// event.
fn data(tl: &Timeline, max_events: usize) -> serde_json::Result<String> {
    let (lane_names, by_host, lane) = lanes(tl);
    let total = tl.events.len();
    let keep = (total > max_events).then(|| select(tl, &lane, lane_names.len(), max_events));
    let bins = if keep.is_some() {
        lane_bins(tl, &lane, lane_names.len())
    } else {
        serde_json::Value::Null
    };
    let all: Vec<usize>;
    let chosen: &[usize] = match &keep {
        Some(k) => k,
        None => {
            all = (0..total).collect();
            &all
        }
    };
    let n = chosen.len();
    let mut st = Strings::new();
    let mut reasons: Vec<String> = Vec::with_capacity(n);
    for &i in chosen {
        reasons.push(tl.events[i].confidence_reasons.join("; "));
    }
    let mut cols: [Vec<i64>; COLUMNS.len()] = std::array::from_fn(|_| Vec::with_capacity(n));
    let mut prev = 0i64;
    for (&i, r) in chosen.iter().zip(&reasons) {
        let e = &tl.events[i];
        let row: [i64; COLUMNS.len()] = [
            e.ts_us.saturating_sub(prev),
            i64::from(lane[i]),
            i64::from(st.id(&e.message)),
            i64::from(st.opt(e.actor.as_deref())),
            i64::from(st.id(e.actor_kind.as_str())),
            i64::from(st.opt(e.action.as_deref())),
            i64::from(st.opt(e.target.as_deref())),
            i64::from(st.opt(e.src_ip.as_deref())),
            i64::from(st.opt(e.host.as_deref())),
            i64::from(st.id(e.outcome.as_str())),
            i64::from(st.id(e.confidence.as_str())),
            i64::from(st.id(r)),
            i64::from(e.input),
            e.location.line.map_or(-1, |v| v as i64),
            e.location.record.map_or(-1, |v| v as i64),
            e.location.offset as i64,
            i64::from(st.opt(e.event_id.as_deref())),
            i64::from(st.id(&e.ts_raw)),
            e.count as i64,
            i64::from(st.id(e.source)),
            i64::from(st.id(&e.timestamp_desc)),
            i64::from(e.has_tag(tplus_model::Tag::LoggingTamper)),
        ];
        prev = e.ts_us;
        for (col, v) in cols.iter_mut().zip(row) {
            col.push(v);
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
    serde_json::to_string(&PageData {
        n,
        total,
        bins,
        lanes: lane_names,
        by_host,
        strings: st.table,
        cols: COLUMNS.into_iter().zip(cols).collect(),
        inputs,
        findings,
        t0: tl.run.t0_us,
        window: [tl.run.window.0 / 1000, tl.run.window.1 / 1000],
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
        let payload = script_json(&data(tl, self.max_events)?);
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
             <title>{t}</title><style>{STYLE}</style></head><body>\n\
             <header><h1>{t}</h1><p>T0 {t0} ({t0src}) · {n} events from {f} inputs · evidence digest {d}</p>{notice}</header>\n<main>\n\
             <div class=\"controls\"><strong>Lanes</strong> (wheel to zoom, drag to pan) <button id=\"reset\">Reset zoom</button></div>\n\
             <canvas id=\"lanes\"></canvas>\n{sample}<h2>Findings</h2><ul class=\"findings\" id=\"findings\"></ul>\n\
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
            sample = if tl.events.len() > self.max_events {
                format!(
                    "<p id=\"sample\"><strong>This page holds the {} most significant of {} events</strong> (with the first and last of each lane); the lanes count every event. The whole timeline is in timeline.jsonl and timeline.csv.</p>\n",
                    self.max_events.max(1),
                    tl.events.len()
                )
            } else {
                String::new()
            },
            notice = self
                .notice
                .as_deref()
                .map(|n| format!("<p id=\"notice\"><strong>Shared version:</strong> {}</p>", html(n)))
                .unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::incident;

    #[test]
    fn a_small_timeline_is_embedded_whole_without_bins() {
        let tl = incident(2_000, false);
        let d: serde_json::Value = serde_json::from_str(&data(&tl, 10_000).unwrap()).unwrap();
        assert_eq!(d["n"], tl.events.len());
        assert_eq!(d["total"], tl.events.len());
        assert!(d["bins"].is_null());
    }

    #[test]
    fn a_large_timeline_keeps_the_most_significant_and_counts_every_event() {
        let tl = incident(30_000, false);
        let max = 1_000;
        let (names, _, lane) = lanes(&tl);
        let keep = select(&tl, &lane, names.len(), max);
        assert_eq!(keep.len(), max);
        assert!(keep.windows(2).all(|w| w[0] < w[1]), "kept in time order");
        // Every lane keeps its first and last event.
        for l in 0..names.len() as u32 {
            let first = lane.iter().position(|x| *x == l).unwrap();
            let last = lane.iter().rposition(|x| *x == l).unwrap();
            assert!(keep.binary_search(&first).is_ok() && keep.binary_search(&last).is_ok());
        }
        // No dropped event outranks a kept one (lane ends aside).
        let kept: std::collections::HashSet<usize> = keep.iter().copied().collect();
        let ends: std::collections::HashSet<usize> = (0..names.len() as u32)
            .flat_map(|l| {
                [
                    lane.iter().position(|x| *x == l).unwrap(),
                    lane.iter().rposition(|x| *x == l).unwrap(),
                ]
            })
            .collect();
        let min_kept = keep
            .iter()
            .filter(|i| !ends.contains(i))
            .map(|i| rank(&tl.events[*i]))
            .min()
            .unwrap();
        let max_dropped = (0..tl.events.len())
            .filter(|i| !kept.contains(i))
            .map(|i| rank(&tl.events[i]))
            .max()
            .unwrap();
        assert!(max_dropped <= min_kept, "{max_dropped} > {min_kept}");
        // Logging tamper is never left out.
        for (i, e) in tl.events.iter().enumerate() {
            if e.has_tag(tplus_model::Tag::LoggingTamper) {
                assert!(kept.contains(&i), "tamper event {i} left out");
            }
        }
        let d: serde_json::Value = serde_json::from_str(&data(&tl, max).unwrap()).unwrap();
        assert_eq!(d["n"], max);
        assert_eq!(d["total"], tl.events.len());
        let counted: u64 = d["bins"]["counts"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c.as_array().unwrap().iter())
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            counted,
            tl.events.len() as u64,
            "the bins count every event"
        );
    }

    /// The keys of a JSON object in the order written (a `serde_json::Value` keeps them only
    /// when some crate of the build turns on serde_json's `preserve_order`).
    fn top_level_keys(json: &str) -> Vec<String> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                let mut keys = Vec::new();
                while let Some((k, _)) = m.next_entry::<String, serde::de::IgnoredAny>()? {
                    keys.push(k);
                }
                Ok(keys)
            }
        }
        serde::Deserializer::deserialize_map(&mut serde_json::Deserializer::from_str(json), Keys)
            .unwrap()
    }

    /// The page reads its data by these keys, in this order, and rebuilds each event from
    /// the columns: time deltas add up to the event's time, text columns index the strings.
    #[test]
    fn page_data_keys_and_columns_rebuild_the_events() {
        let tl = incident(3_000, false);
        let json = data(&tl, 10_000).unwrap();
        let d: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            top_level_keys(&json),
            [
                "n", "total", "bins", "lanes", "byHost", "strings", "cols", "inputs", "findings",
                "t0", "window"
            ]
        );
        let mut names: Vec<&str> = COLUMNS.to_vec();
        names.sort_unstable();
        let cols_json = serde_json::to_string(&d["cols"]).unwrap();
        assert_eq!(top_level_keys(&cols_json), names);
        let cols = d["cols"].as_object().unwrap();
        let col = |k: &str| -> Vec<i64> {
            cols[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect()
        };
        let strings: Vec<&str> = d["strings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let (t, msg, offset) = (col("t"), col("msg"), col("offset"));
        let mut ts = 0i64;
        for (i, e) in tl.events.iter().enumerate() {
            ts += t[i];
            assert_eq!(ts, e.ts_us);
            assert_eq!(strings[msg[i] as usize], e.message);
            assert_eq!(offset[i] as u64, e.location.offset);
        }
    }

    #[test]
    fn the_page_says_when_it_holds_part_of_the_events() {
        let tl = incident(5_000, false);
        let sink = HtmlSink {
            notice: None,
            max_events: 100,
        };
        let mut out = Vec::new();
        sink.write(&tl, &mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.contains(&format!(
            "holds the 100 most significant of {} events",
            tl.events.len()
        )));
        let mut out = Vec::new();
        HtmlSink::default().write(&tl, &mut out).unwrap();
        assert!(!String::from_utf8(out).unwrap().contains("id=\"sample\""));
    }
}
