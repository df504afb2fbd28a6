//! Versions of the timeline for the meeting documents: pseudonymised (people become
//! `user-1`, `user-2`, or the role labels of the case file) and redacted (secrets and tokens
//! removed). Only the pre-read and the HTML report use them: `timeline.jsonl`, `timeline.csv`
//! and `findings.json` are the forensic record and stay complete.
//!
//! Who is a person: every actor whose kind is `human` or `unknown` (a log line rarely says),
//! except accounts that are plainly not people: `root`, Windows' built-in identities,
//! machine accounts ending in `$`, `system:` identities, `[bot]` accounts and cloud roles.
//! Automation and service identities keep their names: they are what the review is about.

use std::collections::BTreeMap;

use regex::Regex;
use tplus_model::{ActorKind, Timeline};

/// Accounts that are not people, whatever the format said about them.
fn is_system_account(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "root"
            | "system"
            | "local service"
            | "network service"
            | "anonymous logon"
            | "nobody"
            | "daemon"
            | "-"
            | ""
    ) || name.ends_with('$')
        || lower.starts_with("system:")
        || lower.contains("[bot]")
        || lower.starts_with("arn:aws:")
        || lower.starts_with("nt authority")
        || lower.starts_with("dwm-")
        || lower.starts_with("umfd-")
}

/// The pseudonym map, in order of first appearance in time (stable for the same evidence).
pub fn pseudonym_map(tl: &Timeline, roles: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut map: Vec<(String, String)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut n = 0;
    let mut role_uses: BTreeMap<&str, u32> = BTreeMap::new();
    for e in &tl.events {
        let Some(a) = e.actor.as_deref() else {
            continue;
        };
        if !matches!(e.actor_kind, ActorKind::Human | ActorKind::Unknown)
            || is_system_account(a)
            || !seen.insert(a.to_owned())
        {
            continue;
        }
        let label = match roles.get(a) {
            Some(role) => {
                let k = role_uses.entry(role.as_str()).or_default();
                *k += 1;
                if *k == 1 {
                    role.clone()
                } else {
                    format!("{role} {k}")
                }
            }
            None => {
                n += 1;
                format!("user-{n}")
            }
        };
        map.push((a.to_owned(), label));
    }
    map
}

/// A copy of the timeline with the names of `map` replaced in actors, targets and messages
/// (whole words only, longest names first).
pub fn pseudonymise(tl: &Timeline, map: &[(String, String)]) -> Timeline {
    let mut out = tl.clone();
    if map.is_empty() {
        return out;
    }
    let by_name: BTreeMap<&str, &str> = map.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let mut names: Vec<&str> = map
        .iter()
        .map(|(a, _)| a.as_str())
        .filter(|n| n.chars().count() >= 3)
        .collect();
    names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let pattern = names
        .iter()
        .map(|n| regex::escape(n))
        .collect::<Vec<_>>()
        .join("|");
    let re = (!names.is_empty())
        .then(|| Regex::new(&format!(r"\b(?:{pattern})\b")))
        .and_then(Result::ok);
    let swap = |s: &str| -> String {
        match &re {
            Some(re) => re
                .replace_all(s, |c: &regex::Captures<'_>| {
                    by_name.get(&c[0]).copied().unwrap_or(&c[0]).to_owned()
                })
                .into_owned(),
            None => s.to_owned(),
        }
    };
    for e in &mut out.events {
        if let Some(a) = e.actor.as_deref() {
            if let Some(p) = by_name.get(a) {
                e.actor = Some((*p).to_owned());
            }
        }
        if let Some(t) = e.target.as_deref() {
            e.target = Some(by_name.get(t).map_or_else(|| swap(t), |p| (*p).to_owned()));
        }
        e.message = swap(&e.message);
    }
    for f in &mut out.findings {
        f.summary = swap(&f.summary);
    }
    out
}

/// Secrets and tokens that must not reach a widely shared document.
fn secret_patterns() -> Vec<(Regex, &'static str)> {
    let table: [(&str, &str); 8] = [
        (
            r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{16}\b",
            "[redacted AWS key id]",
        ),
        (r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*", "Bearer [redacted]"),
        (
            r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
            "[redacted JWT]",
        ),
        (r"\bgh[pousr]_[A-Za-z0-9]{30,}", "[redacted GitHub token]"),
        (r"\bxox[abprs]-[A-Za-z0-9-]{10,}", "[redacted Slack token]"),
        (
            r"(?i)\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|client[_-]?secret)(\s*[=:]\s*)[^\s;,&]+",
            "$1$2[redacted]",
        ),
        (
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)",
            "[redacted private key]",
        ),
        (r"\b[A-Za-z0-9/+]{40}\b", "[redacted secret]"),
    ];
    table
        .iter()
        .filter_map(|(p, r)| Regex::new(p).ok().map(|re| (re, *r)))
        .collect()
}

/// Removes secrets from a text.
pub fn redact_text(s: &str) -> String {
    thread_local! {
        static PATTERNS: Vec<(Regex, &'static str)> = secret_patterns();
    }
    PATTERNS.with(|ps| {
        let mut out = s.to_owned();
        for (re, rep) in ps {
            if re.is_match(&out) {
                out = re.replace_all(&out, *rep).into_owned();
            }
        }
        out
    })
}

/// Removes secrets from the messages, targets and finding summaries of the timeline.
pub fn redact(tl: &mut Timeline) {
    for e in &mut tl.events {
        e.message = redact_text(&e.message);
        if let Some(t) = &e.target {
            e.target = Some(redact_text(t));
        }
        if let Some(id) = &e.event_id {
            e.event_id = Some(redact_text(id));
        }
    }
    for f in &mut tl.findings {
        f.summary = redact_text(&f.summary);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use tplus_model::{Event, TimeValue};

    fn ev(actor: &str, kind: ActorKind, msg: &str) -> Event {
        let t = TimeValue::Instant(DateTime::UNIX_EPOCH);
        Event::builder("t", t, "0")
            .actor(Some(actor), kind)
            .target(Some(actor))
            .message(msg)
            .build()
    }

    #[test]
    fn people_get_stable_pseudonyms_and_roles() {
        let tl = Timeline {
            events: vec![
                ev(
                    "alice",
                    ActorKind::Unknown,
                    "Accepted password for alice from 10.0.0.1",
                ),
                ev("root", ActorKind::Unknown, "session opened for user root"),
                ev("ci-bot[bot]", ActorKind::Automation, "run"),
                ev(
                    "bob",
                    ActorKind::Human,
                    "bob logged in; alicea is someone else",
                ),
                ev("alice", ActorKind::Unknown, "again alice"),
            ],
            ..Timeline::default()
        };
        let roles = BTreeMap::from([("bob".to_owned(), "incident commander".to_owned())]);
        let map = pseudonym_map(&tl, &roles);
        assert_eq!(
            map,
            vec![
                ("alice".to_owned(), "user-1".to_owned()),
                ("bob".to_owned(), "incident commander".to_owned())
            ]
        );
        let p = pseudonymise(&tl, &map);
        assert_eq!(p.events[0].actor.as_deref(), Some("user-1"));
        assert_eq!(
            p.events[0].message,
            "Accepted password for user-1 from 10.0.0.1"
        );
        assert_eq!(p.events[1].actor.as_deref(), Some("root"));
        assert_eq!(p.events[2].actor.as_deref(), Some("ci-bot[bot]"));
        assert_eq!(
            p.events[3].message,
            "incident commander logged in; alicea is someone else"
        );
        assert_eq!(p.events[4].message, "again user-1");
    }

    #[test]
    fn secrets_are_removed() {
        let s = "key AKIAIOSFODNN7EXAMPLE Authorization: Bearer abc.def-ghi token=s3cr3t password: hunter2 ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let r = redact_text(s);
        for gone in [
            "AKIAIOSFODNN7EXAMPLE",
            "abc.def-ghi",
            "s3cr3t",
            "hunter2",
            "ghp_aaaa",
        ] {
            assert!(!r.contains(gone), "{gone} left in {r}");
        }
        assert!(r.contains("[redacted AWS key id]"));
        assert_eq!(redact_text("nothing secret here"), "nothing secret here");
    }
}
