//! Versions of the timeline for sharing: `--pseudonymise` replaces human names with stable
//! pseudonyms, `--redact` removes secrets, tokens and e-mail addresses. Both apply to the
//! pre-read and the HTML report only; the evidence outputs (timeline.jsonl, timeline.csv,
//! findings.json) stay complete.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use tplus_model::{ActorKind, Tag, Timeline};

/// One pseudonym: the real name, what replaces it, and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pseudonym {
    /// The name as logged.
    pub real: String,
    /// `user-N` or the role label from the case file.
    pub pseudonym: String,
    /// `role` (from the case file `[roles]`) or `numbered`.
    pub origin: &'static str,
    /// Time of its first appearance (RFC 3339 UTC).
    pub first_seen: String,
}

/// Accounts that are plainly not people, whatever kind the format gave them.
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
    ) || name.ends_with('$')
        || lower.starts_with("system:")
        || lower.contains("[bot]")
        || lower.starts_with("arn:aws:")
        || lower.starts_with("nt authority")
        || lower.starts_with("dwm-")
        || lower.starts_with("umfd-")
}

/// Names that belong to people: actors the formats call human, actors of unknown kind that
/// are not plainly system accounts (a syslog line names an account, not whether a person
/// used it, and an analyst shares a pre-read expecting accounts to be hidden), and the
/// targets of account, privilege and credential changes that are not automation, service
/// or system identities.
fn human_names(tl: &Timeline) -> Vec<String> {
    let machine: HashSet<&str> = tl
        .events
        .iter()
        .filter(|e| matches!(e.actor_kind, ActorKind::Automation | ActorKind::Service))
        .filter_map(|e| e.actor.as_deref())
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut order = Vec::new();
    for e in &tl.events {
        let person = match e.actor_kind {
            ActorKind::Human => true,
            ActorKind::Unknown => e
                .actor
                .as_deref()
                .is_some_and(|a| !is_system_account(a) && !machine.contains(a)),
            _ => false,
        };
        if person {
            if let Some(a) = e.actor.as_deref() {
                if !a.is_empty() && seen.insert(a) {
                    order.push(a.to_owned());
                }
            }
        }
        let account_target = e.has_tag(Tag::AccountChange)
            || e.has_tag(Tag::PrivilegeChange)
            || e.has_tag(Tag::CredentialChange);
        if account_target {
            if let Some(t) = e.target.as_deref() {
                if !t.is_empty()
                    && !machine.contains(t)
                    && !is_system_account(t)
                    && t.len() <= 128
                    && seen.insert(t)
                {
                    order.push(t.to_owned());
                }
            }
        }
    }
    order
}

/// Replaces human names in everything the pre-read and report show. Stable: names are
/// numbered by first appearance in time order, so the same input gives the same pseudonyms.
/// `roles` maps a real name to a role label (case file `[roles]`).
pub fn pseudonymise(tl: &mut Timeline, roles: &BTreeMap<String, String>) -> Vec<Pseudonym> {
    let names = human_names(tl);
    let first_seen: HashMap<&str, i64> = {
        let mut m = HashMap::new();
        for e in &tl.events {
            for n in [e.actor.as_deref(), e.target.as_deref()]
                .into_iter()
                .flatten()
            {
                m.entry(n).or_insert(e.ts_us);
            }
        }
        m
    };
    let mut used: HashMap<String, u32> = HashMap::new();
    let mut next = 0u32;
    let mut table: Vec<Pseudonym> = Vec::new();
    for n in &names {
        let (p, origin) = match roles.get(n) {
            Some(role) => {
                let k = used.entry(role.clone()).or_insert(0);
                *k += 1;
                let label = if *k == 1 {
                    role.clone()
                } else {
                    format!("{role} ({k})")
                };
                (label, "role")
            }
            None => {
                next += 1;
                (format!("user-{next}"), "numbered")
            }
        };
        table.push(Pseudonym {
            real: n.clone(),
            pseudonym: p,
            origin,
            first_seen: first_seen
                .get(n.as_str())
                .map(|&t| tplus_model::time::format_utc(t))
                .unwrap_or_default(),
        });
    }
    if table.is_empty() {
        return table;
    }
    let map: HashMap<&str, &str> = table
        .iter()
        .map(|p| (p.real.as_str(), p.pseudonym.as_str()))
        .collect();
    // Longest names first so `alice.smith` wins over `alice`; word boundaries keep `bob`
    // from rewriting `bobcat`.
    let mut alts: Vec<&str> = map.keys().copied().collect();
    alts.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let pattern = alts
        .iter()
        .map(|a| regex::escape(a))
        .collect::<Vec<_>>()
        .join("|");
    let re = match Regex::new(&pattern) {
        Ok(r) => r,
        Err(_) => return table,
    };
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let sub = |s: &str| -> Option<String> {
        if let Some(p) = map.get(s) {
            return Some((*p).to_owned());
        }
        let mut out = String::new();
        let mut last = 0;
        for m in re.find_iter(s) {
            let before = s[..m.start()].chars().next_back();
            let after = s[m.end()..].chars().next();
            let name = m.as_str();
            let starts_word = word(name.chars().next());
            let ends_word = word(name.chars().next_back());
            if (starts_word && word(before)) || (ends_word && word(after)) {
                continue;
            }
            out.push_str(&s[last..m.start()]);
            out.push_str(map.get(name).copied().unwrap_or(name));
            last = m.end();
        }
        if last == 0 {
            return None;
        }
        out.push_str(&s[last..]);
        Some(out)
    };
    rewrite(tl, &|s| sub(s), true);
    for list in [&mut tl.run.hypotheses, &mut tl.run.open_questions] {
        for h in list.iter_mut() {
            if let Some(n) = sub(h) {
                *h = n;
            }
        }
    }
    table
}

/// Applies `f` to an optional text field, whatever string type holds it.
fn fix_opt<T>(s: &mut Option<T>, f: &dyn Fn(&str) -> Option<String>)
where
    T: std::ops::Deref<Target = str> + From<String>,
{
    if let Some(v) = s.as_mut() {
        if let Some(n) = f(v) {
            *v = n.into();
        }
    }
}

/// Applies `f` to every piece of free text the pre-read and report show.
fn rewrite(tl: &mut Timeline, f: &dyn Fn(&str) -> Option<String>, names: bool) {
    let fix = |s: &mut String| {
        if let Some(n) = f(s) {
            *s = n;
        }
    };
    for e in &mut tl.events {
        fix(&mut e.message);
        fix_opt(&mut e.actor, f);
        fix_opt(&mut e.target, f);
        if !names {
            fix_opt(&mut e.event_id, f);
        }
        for r in &mut e.confidence_reasons {
            if let Some(n) = f(r) {
                *r = n.into();
            }
        }
        for v in e.attributes.values_mut() {
            if let serde_json::Value::String(s) = v {
                fix(s);
            }
        }
    }
    for fd in &mut tl.findings {
        fix(&mut fd.summary);
        for ev in &mut fd.evidence {
            fix(ev);
        }
    }
    for i in &mut tl.inputs {
        for n in &mut i.notes {
            fix(n);
        }
        for n in &mut i.error_samples {
            fix(n);
        }
    }
}

fn secret_patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        let raw: [(&str, &str); 10] = [
            (r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", "[redacted-private-key]"),
            (r"\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|AIPA)[A-Z0-9]{12,}\b", "[redacted-access-key-id]"),
            (r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}", "Bearer [redacted-token]"),
            (r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", "[redacted-jwt]"),
            (r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9_-]{20,})", "[redacted-token]"),
            (r"(?i)(://[^/\s:@]+:)[^/\s@]+@", "${1}[redacted]@"),
            (r#"(?i)((?:--?|\b)(?:password|passwd|pass|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|client[_-]?secret|auth)(?:\s*[=:]\s*|\s+))("[^"]*"|'[^']*'|[^\s&;,"']+)"#, "${1}[redacted]"),
            (r"(\s-p)[^\s-][^\s]*", "${1}[redacted]"),
            (r"(?i)\b(aws_secret_access_key|secretaccesskey)(\W+)[A-Za-z0-9/+=]{30,}", "${1}${2}[redacted]"),
            (r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b", "[redacted-email]"),
        ];
        raw.iter()
            .filter_map(|(p, r)| Regex::new(p).ok().map(|re| (re, *r)))
            .collect()
    })
}

/// Removes secrets and sensitive values from one string; `None` when nothing matched.
pub fn redact_text(s: &str) -> Option<String> {
    let mut cur: Option<String> = None;
    for (re, rep) in secret_patterns() {
        let src = cur.as_deref().unwrap_or(s);
        if re.is_match(src) {
            cur = Some(re.replace_all(src, *rep).into_owned());
        }
    }
    cur
}

/// Removes access key ids, bearer tokens, JWTs, API tokens, passwords on command lines and
/// in URLs, private keys and e-mail addresses from everything the pre-read and report show.
/// Returns how many fields changed.
pub fn redact(tl: &mut Timeline) -> u64 {
    let changed = std::cell::Cell::new(0u64);
    let f = |s: &str| {
        let r = redact_text(s);
        if r.is_some() {
            changed.set(changed.get() + 1);
        }
        r
    };
    rewrite(tl, &f, false);
    for list in [&mut tl.run.hypotheses, &mut tl.run.open_questions] {
        for h in list.iter_mut() {
            if let Some(n) = redact_text(h) {
                *h = n;
            }
        }
    }
    changed.get()
}

/// The mapping file for the facilitator (`pseudonyms.csv`), formula-safe.
pub fn pseudonyms_csv(table: &[Pseudonym]) -> String {
    let mut o = String::from("pseudonym,real_name,origin,first_seen\r\n");
    for p in table {
        crate::escape::csv_text(&p.pseudonym, &mut o);
        o.push(',');
        crate::escape::csv_text(&p.real, &mut o);
        o.push(',');
        o.push_str(p.origin);
        o.push(',');
        o.push_str(&p.first_seen);
        o.push_str("\r\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets_and_keeps_the_rest() {
        let cases = [
            (
                "key AKIAIOSFODNN7EXAMPLE used",
                "key [redacted-access-key-id] used",
            ),
            (
                "Authorization: Bearer abc.def-123456789",
                "Authorization: Bearer [redacted-token]",
            ),
            ("mysql -u root -pS3cret db", "mysql -u root -p[redacted] db"),
            (
                "run --password=hunter2 now",
                "run --password=[redacted] now",
            ),
            (
                "curl https://bob:pw123@host/x",
                "curl https://bob:[redacted]@host/x",
            ),
            ("mail ops-admin@example.com", "mail [redacted-email]"),
            (
                "token ghp_abcdefghijklmnopqrstuvwxyz0123",
                "token [redacted]",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact_text(input).as_deref(), Some(want), "{input}");
        }
        assert_eq!(
            redact_text("Accepted publickey for carol from 192.0.2.10"),
            None
        );
        assert_eq!(redact_text("ssh -p 2222 host"), None);
    }

    #[test]
    fn pseudonyms_respect_word_boundaries_and_kinds() {
        let tl0 = crate::synth::incident(2000, false);
        let mut tl = tl0.clone();
        let table = pseudonymise(&mut tl, &BTreeMap::new());
        let numbered: Vec<&Pseudonym> = table.iter().filter(|p| p.origin == "numbered").collect();
        for (i, p) in numbered.iter().enumerate() {
            assert_eq!(
                p.pseudonym,
                format!("user-{}", i + 1),
                "numbered in time order"
            );
        }
        assert!(numbered
            .windows(2)
            .all(|w| w[0].first_seen <= w[1].first_seen));
        let carol = table
            .iter()
            .find(|p| p.real == "carol")
            .map(|p| p.pseudonym.clone())
            .unwrap_or_default();
        let e = tl
            .events
            .iter()
            .find(|e| e.message.starts_with("Accepted publickey"))
            .map(|e| e.message.clone());
        assert_eq!(
            e,
            Some(format!(
                "Accepted publickey for {carol} from 192.0.2.10 port 50022 ssh2"
            ))
        );
        // `deploy` is a person here, but `Deploy app` and `/home/deploy` keep their words
        // only where the name is not a whole word.
        assert!(tl
            .events
            .iter()
            .any(|e| e.message == "Deploy app v1.4.2 to production"));
        assert!(tl
            .events
            .iter()
            .any(|e| e.actor.as_deref() == Some("github-actions[bot]")));
        assert!(tl
            .events
            .iter()
            .all(|e| e.actor.as_deref() != Some("deploy")));
    }
}
