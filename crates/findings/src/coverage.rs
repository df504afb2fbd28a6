//! coverage_gap: a source (format × host) that starts after T0 or ends before the end of
//! the incident window. Only judged against what was given: a defaulted T0 is the first
//! event and a defaulted window ends at the last one, so neither can be missed.

use tplus_model::{Finding, FindingKind, Severity, Timeline};

use crate::gaps::{linked_tamper, Stream};
use crate::util::{at, ev_ref, fmt_dur, scope_of, FastMap};
use crate::FindingsConfig;

/// A coverage gap and the tamper event that explains where it ends, if any.
#[derive(Debug)]
pub(crate) struct Coverage {
    pub finding: Finding,
    pub tamper: Option<usize>,
}

pub(crate) fn coverage_gaps(
    tl: &Timeline,
    cfg: &FindingsConfig,
    streams: &[Stream<'_>],
    tampers: &[usize],
) -> Vec<Coverage> {
    let run = &tl.run;
    if !run.t0_given && !run.window_given {
        return Vec::new();
    }
    // A source is format x host: its streams (regions, channels) merged.
    struct Src {
        first: usize,
        last: usize,
        n: usize,
        own: Option<i64>,
    }
    let ts = |i: usize| tl.events.get(i).map_or(0, |e| e.ts_us);
    let mut order: Vec<(&'static str, Option<&str>)> = Vec::new();
    let mut by: FastMap<(&'static str, Option<&str>), Src> = FastMap::default();
    for s in streams {
        let (Some(&f), Some(&l)) = (s.idx.first(), s.idx.last()) else {
            continue;
        };
        let k = (s.key.source, s.key.host);
        let own = s.cadence.map(|c| c.threshold);
        match by.get_mut(&k) {
            Some(x) => {
                if ts(f) < ts(x.first) {
                    x.first = f;
                }
                if ts(l) > ts(x.last) {
                    x.last = l;
                }
                x.n += s.idx.len();
                x.own = match (x.own, own) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
            }
            None => {
                order.push(k);
                by.insert(
                    k,
                    Src {
                        first: f,
                        last: l,
                        n: s.idx.len(),
                        own,
                    },
                );
            }
        }
    }
    let mut out = Vec::new();
    for k in order {
        let Some(src) = by.get(&k) else { continue };
        let (Some(first), Some(last)) = (tl.events.get(src.first), tl.events.get(src.last)) else {
            continue;
        };
        if src.n < 2 {
            continue;
        }
        let own = src
            .own
            .unwrap_or_else(|| 3 * (last.ts_us - first.ts_us) / (src.n as i64 - 1));
        let tol = cfg.coverage_tolerance_us.max(own);
        let name = match k.1 {
            Some(h) => format!("{} on {h}", k.0),
            None => k.0.to_owned(),
        };
        let path = tl.inputs.get(first.input as usize).map(|i| i.path.clone());
        if run.t0_given && first.ts_us > run.t0_us + tol {
            let late = first.ts_us - run.t0_us;
            out.push(Coverage {
                finding: Finding {
                    kind: FindingKind::CoverageGap,
                    severity: Severity::Medium,
                    source: Some(k.0.to_owned()),
                    host: k.1.map(str::to_owned),
                    path: path.clone(),
                    start_us: Some(run.t0_us),
                    end_us: Some(first.ts_us),
                    summary: format!(
                        "{name} starts only at {}, {} after T0: it says nothing about the start of the incident.",
                        at(first.ts_us),
                        fmt_dur(late)
                    ),
                    evidence: vec![ev_ref(tl, first)],
                },
                tamper: None,
            });
        }
        if run.window_given && last.ts_us < run.window.1 - tol {
            let early = run.window.1 - last.ts_us;
            let tamper = linked_tamper(
                tl,
                tampers,
                scope_of(last),
                k.0,
                last.ts_us,
                run.window.1,
                cfg.gap_tamper_link_us,
            );
            let mut evidence = vec![ev_ref(tl, last)];
            let mut severity = if last.ts_us < run.t0_us {
                Severity::Medium
            } else {
                Severity::Low
            };
            let mut tail = String::new();
            if let Some(t) = tamper.and_then(|i| tl.events.get(i)) {
                severity = Severity::High;
                evidence.insert(0, ev_ref(tl, t));
                tail = format!(
                    ", right after {} by {} at {}",
                    t.action.as_deref().unwrap_or("a logging change"),
                    t.actor.as_deref().unwrap_or("an unknown actor"),
                    at(t.ts_us)
                );
            }
            out.push(Coverage {
                finding: Finding {
                    kind: FindingKind::CoverageGap,
                    severity,
                    source: Some(k.0.to_owned()),
                    host: k.1.map(str::to_owned),
                    path,
                    start_us: Some(last.ts_us),
                    end_us: Some(run.window.1),
                    summary: format!(
                        "{name} ends at {}, {} before the end of the incident window{tail}.",
                        at(last.ts_us),
                        fmt_dur(early)
                    ),
                    evidence,
                },
                tamper,
            });
        }
    }
    out
}
