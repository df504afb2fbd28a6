//! coverage_gap: a source (format × host) that starts after T0 or ends before the end of
//! the incident window. Only judged against what was given: a defaulted T0 is the first
//! event and a defaulted window ends at the last one, so neither can be missed.

use std::collections::HashMap;

use tplus_model::{Finding, FindingKind, Severity, Timeline};

use crate::gaps::{cadence, linked_tamper};
use crate::util::{at, ev_ref, fmt_dur, scope_of};
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
    tampers: &[usize],
) -> Vec<Coverage> {
    let run = &tl.run;
    if !run.t0_given && !run.window_given {
        return Vec::new();
    }
    // (source, host) -> event indices in time order.
    let mut order: Vec<(&'static str, Option<&str>)> = Vec::new();
    let mut by: HashMap<(&'static str, Option<&str>), Vec<i64>> = HashMap::new();
    let mut ends: HashMap<(&'static str, Option<&str>), (usize, usize)> = HashMap::new();
    for (i, e) in tl.events.iter().enumerate() {
        let k = (e.source, e.host.as_deref());
        let v = by.entry(k).or_insert_with(|| {
            order.push(k);
            Vec::new()
        });
        v.push(e.ts_us);
        ends.entry(k).and_modify(|x| x.1 = i).or_insert((i, i));
    }
    let mut out = Vec::new();
    for k in order {
        let (Some(times), Some(&(fi, li))) = (by.get(&k), ends.get(&k)) else {
            continue;
        };
        let (Some(first), Some(last)) = (tl.events.get(fi), tl.events.get(li)) else {
            continue;
        };
        if times.len() < 2 {
            continue;
        }
        let own = match cadence(times, cfg) {
            Some(c) => c.threshold,
            None => {
                let span = last.ts_us - first.ts_us;
                3 * span / (times.len() as i64 - 1)
            }
        };
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
