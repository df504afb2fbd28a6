//! `report.html`: one self-contained page (no network) with a lane per source and host on a
//! shared time axis, gaps shaded, findings and T0 marked, zoom and pan, and a filterable,
//! paged event table with the evidence of each event.
//!
//! All log text travels as JSON inside a `<script type="application/json">` block (escaped
//! by [`crate::escape::script_json`]) and is put on the page with `textContent` only, so no
//! log line can become markup.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use tplus_model::time::{format_offset, format_utc};
use tplus_model::{Timeline, TimelineSink};

use crate::escape::{html, script_json};

/// Writes `report.html`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlSink;

/// Lanes per (source, host) up to this many; beyond it, one lane per source.
const MAX_HOST_LANES: usize = 24;
/// At most this many events travel in the page for the table and the detail view. Beyond
/// it the page carries every significant event and an even sample of the rest, and says so;
/// the lanes are always drawn from every event.
pub const MAX_EMBEDDED_EVENTS: usize = 100_000;
/// Time buckets per lane for the density drawing.
const LANE_BUCKETS: usize = 2048;

/// One event as a row of the page's table: borrowed fields, serialised without building a
/// JSON tree.
#[derive(Serialize)]
struct Row<'a>(
    i64,
    usize,
    String,
    String,
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    &'a str,
    String,
    String,
    &'a str,
    Option<&'a str>,
    &'a str,
    u64,
    &'a str,
    &'a str,
);

#[derive(Serialize)]
struct FindingView<'a> {
    kind: &'a str,
    severity: &'a str,
    source: Option<&'a str>,
    host: Option<&'a str>,
    start: Option<i64>,
    end: Option<i64>,
    summary: &'a str,
}

#[derive(Serialize)]
struct Page<'a> {
    lanes: Vec<String>,
    #[serde(rename = "byHost")]
    by_host: bool,
    /// [start ms, end ms] of the buckets, and per lane the event count of each bucket.
    span: [i64; 2],
    buckets: Vec<Vec<u32>>,
    events: Vec<Row<'a>>,
    total: usize,
    findings: Vec<FindingView<'a>>,
    t0: i64,
    window: [i64; 2],
}

/// Which events travel in the page: all of them up to [`MAX_EMBEDDED_EVENTS`], else the
/// significant ones first and an even sample of the rest, in time order.
fn embedded(tl: &Timeline) -> Vec<usize> {
    let n = tl.events.len();
    if n <= MAX_EMBEDDED_EVENTS {
        return (0..n).collect();
    }
    let mut keep = vec![false; n];
    let mut kept = 0;
    for (i, e) in tl.events.iter().enumerate() {
        if kept >= MAX_EMBEDDED_EVENTS / 2 {
            break;
        }
        if e.significance >= 50 || !e.tags.is_empty() && e.significance >= 30 {
            keep[i] = true;
            kept += 1;
        }
    }
    let room = MAX_EMBEDDED_EVENTS - kept;
    let step = n.div_ceil(room.max(1));
    for i in (0..n).step_by(step.max(1)) {
        keep[i] = true;
    }
    (0..n).filter(|&i| keep[i]).collect()
}

fn page(tl: &Timeline) -> Page<'_> {
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
    let lane = |e: &tplus_model::Event| {
        lane_of
            .get(&(e.source, e.host.as_deref().unwrap_or("")))
            .copied()
            .unwrap_or(0)
    };
    let lo = tl.events.first().map_or(0, |e| e.ts_us / 1000);
    let hi = tl.events.last().map_or(1, |e| e.ts_us / 1000).max(lo + 1);
    let mut buckets = vec![vec![0u32; LANE_BUCKETS]; lanes.len()];
    for e in &tl.events {
        let b = (((e.ts_us / 1000 - lo) as f64 / (hi - lo) as f64) * (LANE_BUCKETS - 1) as f64)
            as usize;
        if let Some(row) = buckets.get_mut(lane(e)) {
            if let Some(c) = row.get_mut(b.min(LANE_BUCKETS - 1)) {
                *c = c.saturating_add(u32::try_from(e.count).unwrap_or(u32::MAX).max(1));
            }
        }
    }
    let events = embedded(tl)
        .into_iter()
        .map(|i| {
            let e = &tl.events[i];
            let p = crate::input_path(tl, e.input);
            let evidence = match (e.location.line, e.location.record) {
                (Some(l), _) => format!("{p}:{l} (byte {})", e.location.offset),
                (None, Some(r)) => format!("{p} record {r} (byte {})", e.location.offset),
                _ => format!("{p} byte {}", e.location.offset),
            };
            Row(
                e.ts_us / 1000,
                lane(e),
                format_utc(e.ts_us),
                format_offset(tl.offset_us(e.ts_us)),
                &e.message,
                e.actor.as_deref(),
                e.actor_kind.as_str(),
                e.action.as_deref(),
                e.target.as_deref(),
                e.src_ip.as_deref(),
                e.host.as_deref(),
                e.outcome.as_str(),
                e.confidence.as_str(),
                e.confidence_reasons.join("; "),
                evidence,
                crate::input_sha(tl, e.input),
                e.event_id.as_deref(),
                &e.ts_raw,
                e.count,
                e.source,
                &e.timestamp_desc,
            )
        })
        .collect();
    let findings = tl
        .findings
        .iter()
        .map(|f| FindingView {
            kind: f.kind.as_str(),
            severity: f.severity.as_str(),
            source: f.source.as_deref(),
            host: f.host.as_deref(),
            start: f.start_us.map(|u| u / 1000),
            end: f.end_us.map(|u| u / 1000),
            summary: &f.summary,
        })
        .collect();
    Page {
        lanes,
        by_host,
        span: [lo, hi],
        buckets,
        events,
        total: tl.events.len(),
        findings,
        t0: tl.run.t0_us / 1000,
        window: [tl.run.window.0 / 1000, tl.run.window.1 / 1000],
    }
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
td.msg{max-width:520px;overflow-wrap:anywhere}
.low{color:#a33}.medium{color:#a66b00}.failure{color:#b00}
#detail{white-space:pre-wrap;font:12px ui-monospace,monospace;background:#fff;border:1px solid #ccd;padding:8px;min-height:40px;overflow-wrap:anywhere}
ul.findings li{margin:2px 0}.sev-high{color:#b00;font-weight:bold}.sev-medium{color:#a66b00}
"#;

const SCRIPT: &str = r#"
(function(){
const D=JSON.parse(document.getElementById('tplus-data').textContent);
const E=D.events, L=D.lanes;
const cv=document.getElementById('lanes'), ctx=cv.getContext('2d');
const laneH=22, top=24, left=220;
let lanesDrawn=0;
let lo=D.span[0], hi=D.span[1];
if(hi<=lo){lo-=60000;hi+=60000;}
const pad=(hi-lo)*0.02; lo-=pad; hi+=pad;
const full=[lo,hi];
function size(){cv.width=cv.clientWidth*devicePixelRatio;cv.height=(top+L.length*laneH+20)*devicePixelRatio;cv.style.height=(top+L.length*laneH+20)+'px';ctx.setTransform(devicePixelRatio,0,0,devicePixelRatio,0,0);}
function x(t){const w=cv.clientWidth-left-10;return left+(t-lo)/(hi-lo)*w;}
function draw(){
 size(); const w=cv.clientWidth;
 ctx.clearRect(0,0,w,cv.height);
 ctx.font='11px system-ui';ctx.fillStyle='#556';
 for(let i=0;i<=6;i++){const t=lo+(hi-lo)*i/6;const xx=x(t);ctx.fillText(new Date(t).toISOString().slice(0,19).replace('T',' '),xx-50,12);ctx.fillRect(xx,16,1,L.length*laneH+8);}
 L.forEach((name,i)=>{const y=top+i*laneH;ctx.fillStyle=i%2?'#f4f6f8':'#fff';ctx.fillRect(left,y,w-left,laneH);ctx.fillStyle='#223';ctx.fillText(name.length>34?name.slice(0,33)+'…':name,6,y+15);});
 for(const f of D.findings){if(f.start==null||f.end==null)continue;
  const rows=L.map((n,i)=>i).filter(i=>!f.source||L[i].startsWith(f.source)&&(!f.host||!D.byHost||L[i].endsWith(' · '+f.host)));
  const x0=x(f.start),x1=Math.max(x(f.end),x0+2);
  if(f.kind==='telemetry_gap'||f.kind==='coverage_gap'){ctx.fillStyle='rgba(200,60,60,0.18)';for(const r of rows)ctx.fillRect(x0,top+r*laneH,x1-x0,laneH);}
  else{ctx.fillStyle='#c00';for(const r of rows){ctx.beginPath();const y=top+r*laneH;ctx.moveTo(x0,y+2);ctx.lineTo(x0-5,y-6);ctx.lineTo(x0+5,y-6);ctx.fill();}}
 }
 const cols=Math.max(1,Math.floor(w-left-10)); const bins=L.map(()=>new Float64Array(cols+1));
 const B=D.buckets, nb=B.length?B[0].length:1, s0=D.span[0], bw=(D.span[1]-D.span[0])/Math.max(1,nb-1);
 let mx=1; B.forEach((row,li)=>{for(let k=0;k<row.length;k++){if(!row[k])continue;const t=s0+k*bw;if(t<lo||t>hi)continue;const c=Math.floor((t-lo)/(hi-lo)*cols);bins[li][c]+=row[k];if(bins[li][c]>mx)mx=bins[li][c];}});
 bins.forEach((b,i)=>{const y=top+i*laneH;for(let c=0;c<=cols;c++){if(!b[c])continue;const h=Math.max(3,Math.log(1+b[c])/Math.log(1+mx)*(laneH-4));ctx.fillStyle='#2f6fd0';ctx.fillRect(left+c,y+laneH-2-h,1.5,h);}});
 if(hi-lo<(D.span[1]-D.span[0])/nb*8){ctx.fillStyle='#0a3d91';for(const e of E){if(e[0]<lo||e[0]>hi)continue;ctx.fillRect(x(e[0]),top+e[1]*laneH+2,1.5,laneH-4);}}
 lanesDrawn++;cv.dataset.drawn=String(lanesDrawn);
 const tx=x(D.t0); if(tx>=left){ctx.fillStyle='#d00';ctx.fillRect(tx,16,2,L.length*laneH+8);ctx.fillText('T0',tx+4,top-2);}
}
let drag=null;
cv.addEventListener('wheel',ev=>{ev.preventDefault();const r=cv.getBoundingClientRect();const px=ev.clientX-r.left;const w=cv.clientWidth-left-10;const t=lo+(px-left)/w*(hi-lo);const k=ev.deltaY<0?0.8:1.25;lo=t-(t-lo)*k;hi=t+(hi-t)*k;draw();},{passive:false});
cv.addEventListener('mousedown',ev=>{drag=[ev.clientX,lo,hi];cv.style.cursor='grabbing';});
window.addEventListener('mouseup',()=>{drag=null;cv.style.cursor='grab';});
window.addEventListener('mousemove',ev=>{if(!drag)return;const w=cv.clientWidth-left-10;const dt=(ev.clientX-drag[0])/w*(drag[2]-drag[1]);lo=drag[1]-dt;hi=drag[2]-dt;draw();});
document.getElementById('reset').addEventListener('click',()=>{lo=full[0];hi=full[1];draw();});
window.addEventListener('resize',draw);
const q=document.getElementById('filter'), tb=document.getElementById('rows'), info=document.getElementById('pageinfo');
const PAGE=200; let rows=E.map((e,i)=>i), page=0;
function cell(tr,text,cls){const td=document.createElement('td');td.textContent=text==null?'':String(text);if(cls)td.className=cls;tr.appendChild(td);}
function render(){
 tb.textContent=''; const start=page*PAGE;
 for(const i of rows.slice(start,start+PAGE)){const e=E[i];const tr=document.createElement('tr');tr.className='ev';tr.dataset.i=i;
  cell(tr,e[3]);cell(tr,e[2]);cell(tr,e[19]);cell(tr,e[10]);cell(tr,e[5]==null?'':e[5]+' ('+e[6]+')');cell(tr,e[7]);cell(tr,e[9]);cell(tr,e[11],e[11]);cell(tr,e[12],e[12]);cell(tr,(e[18]>1?e[18]+'× ':'')+e[4],'msg');
  tb.appendChild(tr);}
 tb.dataset.rows=String(rows.length);info.textContent=(rows.length?`${start+1}–${Math.min(start+PAGE,rows.length)} of ${rows.length} events`:'no events match')+(D.total>E.length?` (the page carries ${E.length} of ${D.total} events: every significant one and an even sample; all are in timeline.csv)`:'');
}
function apply(){const t=q.value.toLowerCase();rows=[];for(let i=0;i<E.length;i++){const e=E[i];if(!t||[e[4],e[5],e[7],e[8],e[9],e[10],e[19],e[11],e[12]].some(v=>v!=null&&String(v).toLowerCase().includes(t)))rows.push(i);}page=0;render();}
q.addEventListener('input',apply);
document.getElementById('prev').addEventListener('click',()=>{if(page>0){page--;render();}});
document.getElementById('next').addEventListener('click',()=>{if((page+1)*PAGE<rows.length){page++;render();}});
const names=['time_ms','lane','datetime','t_offset','message','actor','actor_kind','action','target','src_ip','host','outcome','confidence','confidence_reasons','evidence','evidence_sha256','event_id','ts_raw','count','source','timestamp_desc'];
tb.addEventListener('click',ev=>{const tr=ev.target.closest('tr');if(!tr)return;for(const s of tb.querySelectorAll('tr.sel'))s.classList.remove('sel');tr.classList.add('sel');const e=E[+tr.dataset.i];
 document.getElementById('detail').textContent=names.map((n,k)=>k<2?null:n+': '+(e[k]==null?'—':e[k])).filter(Boolean).join('\n');});
const fl=document.getElementById('findings');
for(const f of D.findings){const li=document.createElement('li');const b=document.createElement('span');b.className='sev-'+f.severity;b.textContent=f.severity+' '+f.kind+': ';li.appendChild(b);li.appendChild(document.createTextNode(f.summary));fl.appendChild(li);}
if(!D.findings.length){const li=document.createElement('li');li.textContent='No findings.';fl.appendChild(li);}
draw();
const m=/^#filter=(.*)$/.exec(location.hash);
if(m){q.value=decodeURIComponent(m[1]);apply();}else{render();}
document.body.dataset.ready='1';
})();
"#;

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
        let payload = script_json(&serde_json::to_string(&page(tl))?);
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
             <title>{t}</title><style>{STYLE}</style></head><body>\n\
             <header><h1>{t}</h1><p>T0 {t0} ({t0src}) · {n} events from {f} inputs · evidence digest {d}</p></header>\n<main>\n\
             <div class=\"controls\"><strong>Lanes</strong> (wheel to zoom, drag to pan) <button id=\"reset\">Reset zoom</button></div>\n\
             <canvas id=\"lanes\"></canvas>\n<h2>Findings</h2><ul class=\"findings\" id=\"findings\"></ul>\n\
             <h2>Events</h2><div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"Filter: text, actor, IP, host, source…\">\
             <button id=\"prev\">◀</button><button id=\"next\">▶</button><span id=\"pageinfo\"></span></div>\n\
             <table><thead><tr><th>T+</th><th>Time (UTC)</th><th>Source</th><th>Host</th><th>Actor</th><th>Action</th><th>Source IP</th><th>Outcome</th><th>Confidence</th><th>Message</th></tr></thead><tbody id=\"rows\"></tbody></table>\n\
             <h2>Event detail</h2><div id=\"detail\">Click an event.</div>\n</main>\n\
             <script>window.addEventListener('error',function(e){{document.body.dataset.errors=(document.body.dataset.errors||'')+e.message+';';}});</script>\n<script type=\"application/json\" id=\"tplus-data\">{payload}</script>\n<script>{SCRIPT}</script>\n</body></html>\n",
            t = html(&title),
            t0 = html(&format_utc(tl.run.t0_us)),
            t0src = if tl.run.t0_given { "given" } else { "not given: first event" },
            n = tl.events.len(),
            f = tl.inputs.len(),
            d = html(&tl.run.inputs_digest),
        )
    }
}
