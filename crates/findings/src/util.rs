//! Small helpers shared by the analyses: evidence references, scopes, durations, quantiles.

pub(crate) use tplus_model::hash::FastMap;
use tplus_model::{Event, Timeline};

/// `path:line` or `path#record`: how findings point at evidence.
pub fn evidence_ref(tl: &Timeline, e: &Event) -> String {
    let path = tl
        .inputs
        .get(e.input as usize)
        .map_or("?", |i| i.path.as_str());
    match (e.location.line, e.location.record) {
        (Some(l), _) => format!("{path}:{l}"),
        (None, Some(r)) => format!("{path}#{r}"),
        (None, None) => format!("{path}@{}", e.location.offset),
    }
}

/// The event's own id when it has one, else its `path:line` / `path#record`.
pub(crate) fn ev_ref(tl: &Timeline, e: &Event) -> String {
    match &e.event_id {
        Some(id) if !id.is_empty() => id.clone(),
        _ => evidence_ref(tl, e),
    }
}

/// Attribute keys that name the account, project, tenant or subscription of a cloud event,
/// first match wins. Cloud events seldom have a host; their account is their scope.
pub const ACCOUNT_ATTRIBUTES: &[&str] = &[
    "account",
    "account_id",
    "recipient_account_id",
    "recipientAccountId",
    "project",
    "project_id",
    "tenant_id",
    "subscription_id",
];

/// Where an event happened, for "other sources were active there": the host, else the
/// cloud account (or project, tenant, subscription).
pub fn scope_of(e: &Event) -> Option<&str> {
    if let Some(h) = e.host.as_deref() {
        return Some(h);
    }
    ACCOUNT_ATTRIBUTES
        .iter()
        .find_map(|k| e.attributes.get(k).and_then(|v| v.as_str()))
}

/// `45 min`, `1 h 05 min`, `90 s`, `3 d 04 h`: durations as an analyst writes them.
pub(crate) fn fmt_dur(us: i64) -> String {
    let s = us.unsigned_abs() / 1_000_000;
    if s < 120 {
        let frac = us.unsigned_abs() as f64 / 1e6;
        if s < 10 && us.unsigned_abs() % 1_000_000 != 0 {
            return format!("{frac:.1} s");
        }
        return format!("{s} s");
    }
    let m = s / 60;
    if m < 120 {
        return format!("{m} min");
    }
    let h = m / 60;
    if h < 48 {
        return format!("{h} h {:02} min", m % 60);
    }
    format!("{} d {:02} h", h / 24, h % 24)
}

/// A signed duration: `+90 s`, `-2 min`.
pub(crate) fn fmt_signed(us: i64) -> String {
    let sign = if us < 0 { '-' } else { '+' };
    format!("{sign}{}", fmt_dur(us))
}

/// `HH:MM:SSZ` of a day, or the full RFC 3339 time when `full`.
pub(crate) fn at(us: i64) -> String {
    tplus_model::time::format_utc(us)
        .get(..19)
        .map(|s| format!("{}Z", s.replace('T', " ")))
        .unwrap_or_default()
}

/// The `q`-quantile (0..=1) of `v` by selection (linear time); `v` is reordered.
pub(crate) fn quantile(v: &mut [i64], q: f64) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    let k = ((v.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    let k = k.min(v.len() - 1);
    let (_, x, _) = v.select_nth_unstable(k);
    Some(*x)
}

/// The `rank`-th largest (1 = the largest) of `v`; `v` is reordered.
pub(crate) fn nth_largest(v: &mut [i64], rank: usize) -> Option<i64> {
    if v.is_empty() || rank == 0 {
        return None;
    }
    let rank = rank.min(v.len());
    let k = v.len() - rank;
    let (_, x, _) = v.select_nth_unstable(k);
    Some(*x)
}

/// The median of `v` (lower middle); `v` is reordered.
pub(crate) fn median(v: &mut [i64]) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    let k = (v.len() - 1) / 2;
    let (_, x, _) = v.select_nth_unstable(k);
    Some(*x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_an_analyst_writes_them() {
        assert_eq!(fmt_dur(90 * 1_000_000), "90 s");
        assert_eq!(fmt_dur(45 * 60 * 1_000_000), "45 min");
        assert_eq!(fmt_dur(125 * 60 * 1_000_000), "2 h 05 min");
        assert_eq!(fmt_dur(1_500_000), "1.5 s");
        assert_eq!(fmt_signed(-90 * 1_000_000), "-90 s");
        assert_eq!(fmt_dur(3 * 86_400 * 1_000_000), "3 d 00 h");
    }

    #[test]
    fn order_statistics() {
        let mut v = vec![5, 1, 9, 3, 7];
        assert_eq!(nth_largest(&mut v, 1), Some(9));
        assert_eq!(nth_largest(&mut v, 2), Some(7));
        assert_eq!(nth_largest(&mut v, 9), Some(1));
        assert_eq!(median(&mut v), Some(5));
        assert_eq!(quantile(&mut v, 1.0), Some(9));
        assert_eq!(quantile(&mut [], 0.5), None);
    }
}
