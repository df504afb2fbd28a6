//! clock_skew: one happening seen by two sources, with two times.
//!
//! - **Same host**: the same line in journald and in a syslog file of that host (matched on
//!   host + message text, the `tag[pid]: ` prefix removed, only texts that occur once in each
//!   so repeated lines never pair by chance). The offset is the median of the pairwise
//!   differences (robust to a few wrong pairs); beyond `skew_host_tolerance_us` it is a skew.
//!   The overlap itself is reported as an info finding: it is evidence, not an error.
//! - **IdP and cloud**: a login seen by the identity provider (Okta, Entra) and the cloud
//!   trail's `ConsoleLogin` / `AssumeRoleWithSAML` of the same user within
//!   `skew_login_match_us`: the median difference beyond `skew_login_tolerance_us`.
//!
//! The skewed side is the one whose times were zone-less or inferred; when both or neither
//! were, both sides are lowered, and the reason says against what.

use std::collections::HashMap;

use rayon::prelude::*;

use tplus_model::{
    Confidence, Event, Finding, FindingKind, Outcome, Severity, Tag, TimeValue, Timeline,
};

use crate::util::{ev_ref, fmt_dur, fmt_signed, median, FastMap};
use crate::FindingsConfig;

/// The journald format id.
pub const JOURNALD: &str = "linux.journald";
/// Syslog format ids start with this.
pub const SYSLOG_PREFIX: &str = "linux.syslog";
/// Identity-provider format ids start with one of these.
pub const IDP_PREFIXES: &[&str] = &["okta.", "entra."];
/// The cloud trail whose logins are compared with the IdP's.
pub const CLOUD_LOGIN_SOURCE: &str = "aws.cloudtrail";
/// Cloud actions that are the far end of an IdP login.
pub const CLOUD_LOGIN_ACTIONS: &[&str] = &["ConsoleLogin", "AssumeRoleWithSAML"];

/// Confidence to lower: events of `source` (on `host`, or every host when `None`).
#[derive(Debug, Clone)]
pub(crate) struct Lower {
    pub source: &'static str,
    pub host: Option<String>,
    pub reason: tplus_model::Reason,
}

/// The message text without a leading `tag[pid]: ` (syslog lines carry it, journald's
/// MESSAGE does not).
pub fn message_text(m: &str) -> &str {
    let m = strip_syslog_header(m.trim());
    let head = m.get(..m.len().min(80)).unwrap_or(m);
    if let Some(p) = head.find(": ") {
        let tag = &m[..p];
        let name = tag.split_once('[').map_or(tag, |(n, rest)| {
            if rest.ends_with(']') && rest[..rest.len() - 1].bytes().all(|b| b.is_ascii_digit()) {
                n
            } else {
                ""
            }
        });
        if !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-./@()".contains(&b))
        {
            return m[p + 2..].trim_start();
        }
    }
    m
}

/// Drops a leading `Mmm dd hh:mm:ss host ` or `YYYY-MM-DDThh:mm:ss[.f](Z|±hh:mm) host `, in
/// case a syslog message was kept as the whole line.
fn strip_syslog_header(m: &str) -> &str {
    let b = m.as_bytes();
    let traditional = b.len() > 16
        && tplus_model::time::month_from_abbrev(b.get(..3).unwrap_or_default()).is_some()
        && b.get(3) == Some(&b' ')
        && b.get(6) == Some(&b' ')
        && b.get(9) == Some(&b':')
        && b.get(12) == Some(&b':')
        && b.get(15) == Some(&b' ');
    let rfc3339 = b.len() > 20
        && b.get(..4).is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && b.get(4) == Some(&b'-')
        && b.get(10) == Some(&b'T');
    let rest = if traditional {
        m.get(16..)
    } else if rfc3339 {
        m.split_once(' ').map(|(_, r)| r)
    } else {
        None
    };
    match rest.and_then(|r| r.trim_start().split_once(' ')) {
        Some((_host, msg)) => msg,
        None => m,
    }
}

fn zoneless(e: &Event) -> bool {
    !matches!(e.time, TimeValue::Instant(_))
}

#[derive(Default, Clone, Copy)]
struct Slot {
    j: (u32, usize),
    s: (u32, usize),
}

/// Runs both comparisons; returns the findings and the confidence changes to apply.
pub(crate) fn clock_skew(tl: &Timeline, cfg: &FindingsConfig) -> (Vec<Finding>, Vec<Lower>) {
    let mut out = Vec::new();
    let mut lower = Vec::new();
    same_host(tl, cfg, &mut out, &mut lower);
    idp_cloud(tl, cfg, &mut out, &mut lower);
    (out, lower)
}

/// The same lines seen by journald and a syslog file of one host.
#[derive(Debug, Clone)]
pub struct HostOverlap<'a> {
    /// The host.
    pub host: &'a str,
    /// `(journald event, syslog event)` indices into the timeline, in journald order.
    pub pairs: Vec<(usize, usize)>,
    /// Median of syslog time minus journald time, µs.
    pub offset_us: i64,
    /// Median absolute deviation of the differences from `offset_us`, µs.
    pub spread_us: i64,
}

/// Pairs the lines that journald and a syslog file of the same host both hold (texts that
/// occur exactly once on each side) and estimates the offset per host.
///
/// One pass finds the hosts that have both sides; only their lines are compared, one host
/// per thread (hosts are independent), each in a table sized for its lines up front so it is
/// never rehashed (a rehash reads every message again).
pub fn host_overlaps(tl: &Timeline) -> Vec<HostOverlap<'_>> {
    // Per host: has journald lines, has syslog lines, the candidate events in time order.
    let mut by_host: FastMap<&str, (bool, bool, Vec<usize>)> = FastMap::default();
    for (i, e) in tl.events.iter().enumerate() {
        let is_j = e.source == JOURNALD;
        let is_s = e.source.starts_with(SYSLOG_PREFIX);
        if !is_j && !is_s {
            continue;
        }
        let Some(h) = e.host.as_deref() else { continue };
        let (j, s, idx) = by_host.entry(h).or_default();
        *j |= is_j;
        *s |= is_s;
        idx.push(i);
    }
    let mut hosts: Vec<(&str, Vec<usize>)> = by_host
        .into_iter()
        .filter(|(_, (j, s, _))| *j && *s)
        .map(|(h, (_, _, idx))| (h, idx))
        .collect();
    hosts.sort_unstable_by(|a, b| a.0.cmp(b.0));
    hosts
        .into_par_iter()
        .filter_map(|(h, idx)| host_overlap(tl, h, &idx))
        .collect()
}

/// [`host_overlaps`] for one host's journald and syslog events (`idx`, in time order).
fn host_overlap<'a>(tl: &'a Timeline, host: &'a str, idx: &[usize]) -> Option<HostOverlap<'a>> {
    let mut slots: FastMap<&str, Slot> =
        FastMap::with_capacity_and_hasher(idx.len(), Default::default());
    for &i in idx {
        let e = tl.events.get(i)?;
        let text = message_text(&e.message);
        if text.len() < 8 {
            continue;
        }
        let slot = slots.entry(text).or_default();
        let side = if e.source == JOURNALD {
            &mut slot.j
        } else {
            &mut slot.s
        };
        if side.0 == 0 {
            side.1 = i;
        }
        side.0 = side.0.saturating_add(1);
    }
    let mut ps: Vec<(usize, usize)> = slots
        .values()
        .filter(|s| s.j.0 == 1 && s.s.0 == 1)
        .map(|s| (s.j.1, s.s.1))
        .collect();
    drop(slots);
    ps.sort_unstable();
    let mut diffs: Vec<i64> = ps
        .iter()
        .filter_map(|(a, b)| Some(tl.events.get(*b)?.ts_us - tl.events.get(*a)?.ts_us))
        .collect();
    let m = median(&mut diffs)?;
    let mut dev: Vec<i64> = diffs.iter().map(|d| (d - m).abs()).collect();
    let spread = median(&mut dev).unwrap_or(0);
    Some(HostOverlap {
        host,
        pairs: ps,
        offset_us: m,
        spread_us: spread,
    })
}

fn same_host(tl: &Timeline, cfg: &FindingsConfig, out: &mut Vec<Finding>, lower: &mut Vec<Lower>) {
    for ov in host_overlaps(tl) {
        let (h, ps, m, spread) = (ov.host, &ov.pairs, ov.offset_us, ov.spread_us);
        let n = ps.len();
        let ev = |i: usize| tl.events.get(i);
        let (Some(&(ja, sa)), true) = (ps.first(), n > 0) else {
            continue;
        };
        let (Some(je), Some(se)) = (ev(ja), ev(sa)) else {
            continue;
        };
        let (jsrc, ssrc) = (je.source, se.source);
        let path = tl.inputs.get(se.input as usize).map(|i| i.path.clone());
        let evidence: Vec<String> = ps
            .iter()
            .take(3)
            .flat_map(|(a, b)| [ev(*a), ev(*b)])
            .flatten()
            .map(|e| ev_ref(tl, e))
            .collect();
        if n >= cfg.skew_min_pairs && m.abs() > cfg.skew_host_tolerance_us {
            let s_zl = ps.iter().any(|(_, b)| ev(*b).is_some_and(zoneless));
            let j_zl = ps.iter().any(|(a, _)| ev(*a).is_some_and(zoneless));
            let (skewed, blame): (Vec<(&'static str, &'static str, i64)>, &str) = match (s_zl, j_zl)
            {
                (true, false) => (
                    vec![(ssrc, jsrc, m)],
                    "the syslog copy, whose times carry no zone",
                ),
                (false, true) => (
                    vec![(jsrc, ssrc, -m)],
                    "the journald copy, whose times carry no zone",
                ),
                _ => (
                    vec![(ssrc, jsrc, m), (jsrc, ssrc, -m)],
                    "either copy (which clock is wrong cannot be told)",
                ),
            };
            for (src, other, off) in &skewed {
                lower.push(Lower {
                    source: src,
                    host: Some(h.to_owned()),
                    reason: format!("clock skew of {} against {other} on {h}", fmt_signed(*off))
                        .into(),
                });
            }
            out.push(Finding {
                kind: FindingKind::ClockSkew,
                severity: if m.abs() >= 3600 * crate::SECOND {
                    Severity::High
                } else {
                    Severity::Medium
                },
                source: Some(ssrc.to_owned()),
                host: Some(h.to_owned()),
                path,
                start_us: ev(ja).map(|e| e.ts_us),
                end_us: ps.last().and_then(|(a, _)| ev(*a)).map(|e| e.ts_us),
                summary: format!(
                    "{ssrc} on {h} is {} against {jsrc} on the same host (median over {n} lines seen by both, spread {}); the skew is put on {blame}, whose events are now low confidence.",
                    fmt_signed(m),
                    fmt_dur(spread)
                ),
                evidence,
            });
        } else {
            out.push(Finding {
                kind: FindingKind::DuplicateRecords,
                severity: Severity::Info,
                source: Some(ssrc.to_owned()),
                host: Some(h.to_owned()),
                path,
                start_us: ev(ja).map(|e| e.ts_us),
                end_us: ps.last().and_then(|(a, _)| ev(*a)).map(|e| e.ts_us),
                summary: format!(
                    "{n} lines of {ssrc} on {h} also appear in {jsrc} (median offset {}): both copies are kept, and their agreement is evidence that neither clock is skewed.",
                    fmt_signed(m)
                ),
                evidence,
            });
        }
    }
}

/// The part of an actor that an IdP and a cloud trail agree on: the last path segment, its
/// local part before `@`, lowercased (`AssumedRole/Admin/Alice@Example.com` -> `alice`).
pub fn login_key(actor: &str) -> String {
    let last = actor.rsplit(['/', ':']).next().unwrap_or(actor);
    let local = last.split('@').next().unwrap_or(last);
    local.trim().to_ascii_lowercase()
}

fn idp_cloud(tl: &Timeline, cfg: &FindingsConfig, out: &mut Vec<Finding>, lower: &mut Vec<Lower>) {
    // actor key -> IdP login event indices (time order).
    let mut idp: HashMap<String, Vec<usize>> = HashMap::new();
    let mut clouds: Vec<usize> = Vec::new();
    for (i, e) in tl.events.iter().enumerate() {
        if e.outcome == Outcome::Failure {
            continue;
        }
        let Some(actor) = e.actor.as_deref() else {
            continue;
        };
        if IDP_PREFIXES.iter().any(|p| e.source.starts_with(p)) && e.has_tag(Tag::Authentication) {
            idp.entry(login_key(actor)).or_default().push(i);
        } else if e.source == CLOUD_LOGIN_SOURCE
            && e.action
                .as_deref()
                .is_some_and(|a| CLOUD_LOGIN_ACTIONS.iter().any(|x| a.ends_with(x)))
        {
            clouds.push(i);
        }
    }
    if idp.is_empty() || clouds.is_empty() {
        return;
    }
    // (idp source, cloud source) -> pairs
    let mut by_pair: HashMap<(&'static str, &'static str), Vec<(usize, usize)>> = HashMap::new();
    for c in clouds {
        let Some(ce) = tl.events.get(c) else { continue };
        let Some(list) = ce.actor.as_deref().and_then(|a| idp.get(&login_key(a))) else {
            continue;
        };
        let p = list.partition_point(|i| tl.events.get(*i).is_some_and(|e| e.ts_us <= ce.ts_us));
        let near = [p.checked_sub(1), Some(p)]
            .into_iter()
            .flatten()
            .filter_map(|k| list.get(k).copied())
            .filter_map(|i| tl.events.get(i).map(|e| (i, (ce.ts_us - e.ts_us).abs())))
            .filter(|(_, d)| *d <= cfg.skew_login_match_us)
            .min_by_key(|(_, d)| *d);
        if let Some((i, _)) = near {
            if let Some(ie) = tl.events.get(i) {
                by_pair
                    .entry((ie.source, ce.source))
                    .or_default()
                    .push((i, c));
            }
        }
    }
    let mut keys: Vec<_> = by_pair.keys().copied().collect();
    keys.sort_unstable();
    for k in keys {
        let Some(ps) = by_pair.get(&k) else { continue };
        let ev = |i: usize| tl.events.get(i);
        let mut diffs: Vec<i64> = ps
            .iter()
            .filter_map(|(a, b)| Some(ev(*b)?.ts_us - ev(*a)?.ts_us))
            .collect();
        let n = diffs.len();
        let Some(m) = median(&mut diffs) else {
            continue;
        };
        if n < cfg.skew_min_pairs || m.abs() <= cfg.skew_login_tolerance_us {
            continue;
        }
        let (isrc, csrc) = k;
        let c_zl = ps.iter().any(|(_, b)| ev(*b).is_some_and(zoneless));
        let i_zl = ps.iter().any(|(a, _)| ev(*a).is_some_and(zoneless));
        let skewed: Vec<(&'static str, &'static str, i64)> = match (c_zl, i_zl) {
            (true, false) => vec![(csrc, isrc, m)],
            (false, true) => vec![(isrc, csrc, -m)],
            _ => vec![(csrc, isrc, m), (isrc, csrc, -m)],
        };
        for (src, other, off) in &skewed {
            lower.push(Lower {
                source: src,
                host: None,
                reason: format!(
                    "clock skew of {} against {other} (the same users' logins)",
                    fmt_signed(*off)
                )
                .into(),
            });
        }
        let evidence: Vec<String> = ps
            .iter()
            .take(3)
            .flat_map(|(a, b)| [ev(*a), ev(*b)])
            .flatten()
            .map(|e| ev_ref(tl, e))
            .collect();
        out.push(Finding {
            kind: FindingKind::ClockSkew,
            severity: Severity::Medium,
            source: Some(csrc.to_owned()),
            host: None,
            path: None,
            start_us: ps.first().and_then(|(a, _)| ev(*a)).map(|e| e.ts_us),
            end_us: ps.last().and_then(|(_, b)| ev(*b)).map(|e| e.ts_us),
            summary: format!(
                "{csrc} logins come {} after the same users' {isrc} logins (median over {n} pairs), beyond the {} a sign-in hand-off takes: {} events are now low confidence.",
                fmt_signed(m),
                fmt_dur(cfg.skew_login_tolerance_us),
                skewed.iter().map(|s| s.0).collect::<Vec<_>>().join(" and ")
            ),
            evidence,
        });
    }
}

/// Lowers the confidence of the skewed sources' events, with the reason.
pub(crate) fn apply(tl: &mut Timeline, lower: &[Lower]) {
    if lower.is_empty() {
        return;
    }
    for e in &mut tl.events {
        for l in lower {
            if e.source == l.source && (l.host.is_none() || l.host.as_deref() == e.host.as_deref())
            {
                e.lower_confidence(Confidence::Low, &l.reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_drops_the_syslog_tag_only() {
        assert_eq!(
            message_text("sshd[812]: Accepted password for deploy from 1.2.3.4 port 22 ssh2"),
            "Accepted password for deploy from 1.2.3.4 port 22 ssh2"
        );
        assert_eq!(
            message_text("sudo:   alice : TTY=pts/0"),
            "alice : TTY=pts/0"
        );
        assert_eq!(
            message_text("Accepted password for x: y"),
            "Accepted password for x: y"
        );
        assert_eq!(message_text("weird[abc]: x"), "weird[abc]: x");
        assert_eq!(
            message_text("Oct 14 10:21:40 web-1 sudo: deploy : TTY=pts/0 ; COMMAND=/bin/true"),
            "deploy : TTY=pts/0 ; COMMAND=/bin/true"
        );
        assert_eq!(
            message_text("Oct  4 10:21:40 web-1 sshd[9]: Accepted password for a"),
            "Accepted password for a"
        );
        assert_eq!(
            message_text("2025-10-14T10:21:40.123+02:00 web-1 sshd[9]: Accepted password for a"),
            "Accepted password for a"
        );
    }

    #[test]
    fn login_keys_match_across_idp_and_cloud() {
        assert_eq!(login_key("Alice@Example.com"), "alice");
        assert_eq!(
            login_key("arn:aws:sts::1:assumed-role/Admin/alice@example.com"),
            "alice"
        );
    }
}
