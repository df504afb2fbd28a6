//! The meaning of Linux auth messages (sshd, sudo, su, pam_unix, cron, systemd-logind,
//! account tools, logging daemons), shared by every carrier of them (syslog files, journald).
//!
//! User names and addresses are read from the right (`… from <ip> port <n>`): invalid user
//! names are attacker-controlled and may contain spaces or the word `from`.
//!
//! Actor kind, from what the line says: cron jobs and cron sessions are automation; sessions
//! opened for `root` by `root` with no terminal are automation; everything else about a named
//! account is `unknown`, because a log line cannot tell a person from a script using the
//! same account.

use std::borrow::Cow;

use memchr::{memchr, memchr_iter, memrchr_iter};
use tplus_model::{ActorKind, Outcome, Tag, Tags};

/// Substring search for the short ASCII needles of log messages: candidates by `memchr` on
/// one byte of the needle, then a compare. Same results as the `str` methods of the same
/// names, without building a two-way searcher for every call (which cost more than the
/// search itself on lines of a hundred bytes). Needles must be non-empty ASCII, so every
/// match starts and ends on a character boundary.
pub(crate) trait AsciiFind {
    /// `str::find`.
    fn afind(&self, needle: &str) -> Option<usize>;
    /// `str::rfind`.
    fn arfind(&self, needle: &str) -> Option<usize>;
    /// `str::contains`.
    fn acontains(&self, needle: &str) -> bool {
        self.afind(needle).is_some()
    }
    /// `str::split_once`.
    fn asplit_once(&self, needle: &str) -> Option<(&str, &str)>;
    /// `str::rsplit_once`.
    fn arsplit_once(&self, needle: &str) -> Option<(&str, &str)>;
}

impl AsciiFind for str {
    fn afind(&self, needle: &str) -> Option<usize> {
        let (h, n) = (self.as_bytes(), needle.as_bytes());
        debug_assert!(!n.is_empty() && n.is_ascii());
        let last = h.len().checked_sub(n.len())?;
        let k = probe(n);
        // A match starting at `i` has `n[k]` at `i + k`: every start is a candidate.
        memchr_iter(n[k], &h[k..=last + k]).find(|&i| h[i..].starts_with(n))
    }
    fn arfind(&self, needle: &str) -> Option<usize> {
        let (h, n) = (self.as_bytes(), needle.as_bytes());
        debug_assert!(!n.is_empty() && n.is_ascii());
        let last = h.len().checked_sub(n.len())?;
        let k = probe(n);
        memrchr_iter(n[k], &h[k..=last + k]).find(|&i| h[i..].starts_with(n))
    }
    fn asplit_once(&self, needle: &str) -> Option<(&str, &str)> {
        let i = self.afind(needle)?;
        Some((&self[..i], &self[i + needle.len()..]))
    }
    fn arsplit_once(&self, needle: &str) -> Option<(&str, &str)> {
        let i = self.arfind(needle)?;
        Some((&self[..i], &self[i + needle.len()..]))
    }
}

/// The needle byte to scan for: the first that is not a space, since spaces are the
/// commonest byte of a log line (` from ` is found by its `f`, not by every space).
fn probe(n: &[u8]) -> usize {
    n.iter().position(|&b| b != b' ').unwrap_or(0)
}

/// `s.strip_prefix(p)`, rejecting on the first byte before comparing the rest: most of the
/// prefixes tried on a message do not match, and the full compare is a library call.
#[inline(always)]
fn pre<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    match (s.as_bytes().first(), p.as_bytes().first()) {
        (Some(a), Some(c)) if a != c => None,
        _ => s.strip_prefix(p),
    }
}

/// Position of the first `c` in `b`, eight bytes at a time: hosts, tags, users and
/// addresses are a few bytes long, where `memchr`'s setup costs more than the search and a
/// byte loop takes a compare and a branch per byte.
pub(crate) fn find_byte(b: &[u8], c: u8) -> Option<usize> {
    const LO: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let pattern = u64::from_ne_bytes([c; 8]);
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ pattern;
        // The high bit of each byte of `x` that is zero, exactly (no borrow between bytes).
        let zero = !(((x & LO) + LO) | x | LO);
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&x| x == c)
        .map(|i| at + i)
}

/// `s.split_once(c)` for an ASCII `c`, as a plain loop: the fields split here are a few
/// bytes long, where the `char`-pattern searcher costs more than the search.
fn split1(s: &str, c: u8) -> Option<(&str, &str)> {
    debug_assert!(c.is_ascii());
    let i = find_byte(s.as_bytes(), c)?;
    Some((&s[..i], &s[i + 1..]))
}

/// `s.split(c).next()` for an ASCII `c`: the text before the first `c`, or all of it.
fn before(s: &str, c: u8) -> &str {
    split1(s, c).map_or(s, |(head, _)| head)
}

/// `str::split` by an ASCII needle (see [`AsciiFind`]).
struct SplitStr<'a, 'n> {
    rest: Option<&'a str>,
    needle: &'n str,
}

impl<'a, 'n> SplitStr<'a, 'n> {
    fn new(s: &'a str, needle: &'n str) -> Self {
        SplitStr {
            rest: Some(s),
            needle,
        }
    }
}

impl<'a> Iterator for SplitStr<'a, '_> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match s.asplit_once(self.needle) {
            Some((part, rest)) => {
                self.rest = Some(rest);
                Some(part)
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// How many attributes a [`Meaning`] holds without allocating: the most any message here
/// sets (an accepted or failed ssh login, a sudo command: four).
const ATTRS_INLINE: usize = 4;

/// A meaning's extra attributes, in the order they were set: the first [`ATTRS_INLINE`] in
/// place (no vector allocated and grown for every message), any more in a vector.
/// Unused slots hold empty strings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attrs {
    inline: [(&'static str, String); ATTRS_INLINE],
    len: usize,
    more: Vec<(&'static str, String)>,
}

impl Attrs {
    /// Appends `k` = `v`.
    #[inline]
    pub fn push(&mut self, k: &'static str, v: String) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = (k, v);
                self.len += 1;
            }
            None => self.more.push((k, v)),
        }
    }
    /// How many are set.
    pub fn len(&self) -> usize {
        self.len + self.more.len()
    }
    /// Whether none is set.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The attributes in the order set.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.inline[..self.len]
            .iter()
            .chain(&self.more)
            .map(|(k, v)| (*k, v.as_str()))
    }
    /// Takes the attributes out in key order, stably (of two values for one key, the one
    /// set later comes later), leaving `self` empty. The entries are not moved to be
    /// sorted: their indices are, and each value is taken from its place.
    pub fn take_sorted(&mut self) -> TakeSorted<'_> {
        let mut order = [0, 1, 2, 3];
        if self.more.is_empty() {
            let inline = &self.inline;
            order[..self.len].sort_by(|&a, &b| key_cmp(inline[a].0, inline[b].0));
        } else {
            let mut all: Vec<_> = self.inline[..self.len]
                .iter_mut()
                .map(|(k, v)| (*k, std::mem::take(v)))
                .collect();
            all.append(&mut self.more);
            all.sort_by(|a, b| a.0.cmp(b.0));
            self.len = 0;
            self.more = all;
        }
        TakeSorted {
            attrs: self,
            order,
            next: 0,
        }
    }
}

/// `a.cmp(b)` for attribute names, as a byte loop: names are a few bytes long and differ
/// within the first two or three, where the library compare costs more than the loop.
#[inline]
fn key_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    for (p, q) in x.iter().zip(y) {
        if p != q {
            return p.cmp(q);
        }
    }
    x.len().cmp(&y.len())
}

/// `a < b` for attribute names (see [`key_cmp`]).
#[inline]
fn key_lt(a: &str, b: &str) -> bool {
    key_cmp(a, b).is_lt()
}

/// What [`Attrs::take_sorted`] returns.
#[derive(Debug)]
pub struct TakeSorted<'a> {
    attrs: &'a mut Attrs,
    order: [usize; ATTRS_INLINE],
    next: usize,
}

impl TakeSorted<'_> {
    /// The next attribute, when its key sorts before `k`.
    #[inline]
    pub fn next_before(&mut self, k: &str) -> Option<(&'static str, String)> {
        let a = &*self.attrs;
        let key = match self.next.checked_sub(a.len) {
            None => a.inline[self.order[self.next]].0,
            Some(i) => a.more.get(i)?.0,
        };
        if key_lt(key, k) {
            self.next()
        } else {
            None
        }
    }
}

impl Iterator for TakeSorted<'_> {
    type Item = (&'static str, String);
    fn next(&mut self) -> Option<Self::Item> {
        let a = &mut *self.attrs;
        let (k, v) = match self.next.checked_sub(a.len) {
            None => &mut a.inline[self.order[self.next]],
            Some(i) => a.more.get_mut(i)?,
        };
        self.next += 1;
        Some((*k, std::mem::take(v)))
    }
}

impl IntoIterator for Attrs {
    type Item = (&'static str, String);
    type IntoIter = std::iter::Chain<
        std::iter::Take<std::array::IntoIter<(&'static str, String), ATTRS_INLINE>>,
        std::vec::IntoIter<(&'static str, String)>,
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.inline.into_iter().take(self.len).chain(self.more)
    }
}

/// What a message means.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meaning<'a> {
    /// Normalised action (`ssh.login`, `sudo.command`...), `None` when the line is not an
    /// auth event this module knows.
    pub action: Option<&'static str>,
    /// Who acted: borrowed from the message (the event takes its shared copy).
    pub actor: Option<Cow<'a, str>>,
    /// Their kind.
    pub actor_kind: ActorKind,
    /// What it was done to (an account, a command), borrowed from the message.
    pub target: Option<Cow<'a, str>>,
    /// Client address, borrowed from the message.
    pub src_ip: Option<Cow<'a, str>>,
    /// Outcome.
    pub outcome: Outcome,
    /// Tags.
    pub tags: Tags,
    /// 0-100.
    pub significance: u8,
    /// `timestamp_desc`.
    pub desc: &'static str,
    /// Extra attributes (auth method, port, tty, command, ...).
    pub attrs: Attrs,
}

impl<'a> Meaning<'a> {
    /// The same meaning, owning what it borrowed from a message that is about to go.
    fn into_owned(self) -> Meaning<'static> {
        Meaning {
            action: self.action,
            actor: self.actor.map(|a| Cow::Owned(a.into_owned())),
            actor_kind: self.actor_kind,
            target: self.target.map(|t| Cow::Owned(t.into_owned())),
            src_ip: self.src_ip.map(|i| Cow::Owned(i.into_owned())),
            outcome: self.outcome,
            tags: self.tags,
            significance: self.significance,
            desc: self.desc,
            attrs: self.attrs,
        }
    }

    #[inline(always)]
    fn new(action: &'static str, outcome: Outcome, significance: u8) -> Self {
        Meaning {
            action: Some(action),
            outcome,
            significance,
            desc: "Event Recorded",
            ..Meaning::default()
        }
    }
    #[inline(always)]
    fn actor(&mut self, a: &'a str, kind: ActorKind) -> &mut Self {
        if !a.is_empty() {
            self.actor = Some(Cow::Borrowed(a));
        }
        self.actor_kind = kind;
        self
    }
    #[inline(always)]
    fn target(&mut self, t: &'a str) -> &mut Self {
        if !t.is_empty() {
            self.target = Some(Cow::Borrowed(t));
        }
        self
    }
    #[inline(always)]
    fn ip(&mut self, ip: &'a str) -> &mut Self {
        if !ip.is_empty() {
            self.src_ip = Some(Cow::Borrowed(ip));
        }
        self
    }
    #[inline(always)]
    fn tag(&mut self, t: Tag) -> &mut Self {
        self.tags.insert(t);
        self
    }
    #[inline(always)]
    fn desc(&mut self, d: &'static str) -> &mut Self {
        self.desc = d;
        self
    }
    #[inline(always)]
    fn attr(&mut self, k: &'static str, v: &str) -> &mut Self {
        if !v.is_empty() {
            self.attrs.push(k, v.to_owned());
        }
        self
    }
}

/// Splits `<user> from <ip> port <p>[ rest]` from the right. Returns (user, ip, port, rest).
fn user_from_ip(s: &str) -> Option<(&str, &str, &str, &str)> {
    let idx = s.arfind(" from ")?;
    let user = &s[..idx];
    let after = &s[idx + 6..];
    let (ip, rest) = split1(after, b' ').unwrap_or((after, ""));
    let (port, rest) = match pre(rest, "port ") {
        Some(r) => split1(r, b' ').unwrap_or((r, "")),
        None => ("", rest),
    };
    Some((user, ip, port, rest))
}

/// `[authenticating |invalid ]user <u> <ip> port <p>` or `<ip> port <p>`, read from the right.
fn preamble_ip(s: &str) -> (Option<&str>, &str, &str, bool) {
    // `trim_end_matches(" [preauth]")`, without building a substring searcher.
    let mut s = s;
    while let Some(t) = s.strip_suffix(" [preauth]") {
        s = t;
    }
    let (head, port) = match s.arfind(" port ") {
        Some(i) => {
            let p = &s[i + 6..];
            (
                &s[..i],
                &p[..p
                    .bytes()
                    .position(|c| c == b' ' || c == b':')
                    .unwrap_or(p.len())],
            )
        }
        None => (s, ""),
    };
    let (user_part, ip) = match head.bytes().rposition(|c| c == b' ') {
        Some(i) => (Some(&head[..i]), &head[i + 1..]),
        None => (None, head),
    };
    let mut invalid = false;
    let user = user_part.map(|u| {
        if let Some(x) = pre(u, "invalid user ") {
            invalid = true;
            x
        } else {
            pre(u, "authenticating user ")
                .or_else(|| pre(u, "user "))
                .unwrap_or(u)
        }
    });
    (user, ip, port, invalid)
}

fn sshd(msg: &str) -> Option<Meaning<'_>> {
    let preauth = msg.ends_with("[preauth]");
    let msg = msg
        .strip_prefix("error: ")
        .or_else(|| pre(msg, "fatal: "))
        .unwrap_or(msg);
    let mut m = if let Some(rest) = pre(msg, "PAM: Authentication failure for ") {
        let (user, ip, _, _) = user_from_ip(rest)?;
        let user = pre(user, "illegal user ").unwrap_or(user);
        let mut m = Meaning::new("ssh.login_failed", Outcome::Failure, 35);
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .ip(ip)
            .tag(Tag::Authentication)
            .desc("Login Failed");
        m
    } else if let Some(rest) = pre(
        msg,
        "PAM: User not known to the underlying authentication module for ",
    ) {
        let (user, ip, _, _) = user_from_ip(rest.trim_end())?;
        let user = pre(user, "illegal user ").unwrap_or(user);
        let mut m = Meaning::new("ssh.invalid_user", Outcome::Failure, 30);
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .ip(ip)
            .tag(Tag::Authentication)
            .desc("Login Failed");
        m
    } else if let Some(rest) = msg
        .strip_prefix("User ")
        .filter(|r| r.acontains(" not allowed because "))
    {
        let (who, why) = rest.asplit_once(" not allowed because ")?;
        let (user, ip) = who.arsplit_once(" from ")?;
        let mut m = Meaning::new("ssh.login_denied", Outcome::Failure, 35);
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .ip(ip)
            .tag(Tag::Authentication)
            .desc("Login Failed")
            .attr("reason", why);
        m
    } else if let Some(rest) = pre(msg, "Illegal user ") {
        let (user, ip) = match user_from_ip(rest) {
            Some((u, ip, _, _)) => (u, ip),
            None => (rest, ""),
        };
        let mut m = Meaning::new("ssh.invalid_user", Outcome::Failure, 30);
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .ip(ip)
            .tag(Tag::Authentication)
            .desc("Login Failed");
        m
    } else if let Some(rest) = pre(msg, "Accepted ") {
        let (method, rest) = rest.asplit_once(" for ")?;
        let (user, ip, port, tail) = user_from_ip(rest)?;
        let key = tail.asplit_once(": ").map(|x| x.1).unwrap_or("");
        let mut m = Meaning::new("ssh.login", Outcome::Success, 55);
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .ip(ip)
            .tag(Tag::Authentication)
            .desc("Login")
            .attr("auth_method", method)
            .attr("port", port)
            .attr("key", key);
        m
    } else if let Some(rest) = msg
        .strip_prefix("Failed ")
        .or_else(|| pre(msg, "Partial "))
        .or_else(|| pre(msg, "Postponed "))
    {
        let partial = !msg.starts_with("Failed ");
        let (method, rest) = rest.asplit_once(" for ")?;
        let (user, ip, port, _) = user_from_ip(rest)?;
        let (user, invalid) = match pre(user, "invalid user ") {
            Some(u) => (u, true),
            None => (user, false),
        };
        let mut m = if partial {
            let mut m = Meaning::new("ssh.auth_partial", Outcome::Unknown, 25);
            m.desc("Authentication Step");
            m
        } else {
            let mut m = Meaning::new("ssh.login_failed", Outcome::Failure, 35);
            m.desc("Login Failed");
            m
        };
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .ip(ip)
            .tag(Tag::Authentication)
            .attr("auth_method", method)
            .attr("port", port);
        if invalid {
            m.attr("invalid_user", "true");
        }
        m
    } else if let Some(rest) = pre(msg, "Invalid user ") {
        let (user, ip, port) = match user_from_ip(rest) {
            Some((u, ip, p, _)) => (u, ip, p),
            None => (rest, "", ""),
        };
        let mut m = Meaning::new("ssh.invalid_user", Outcome::Failure, 30);
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .ip(ip)
            .tag(Tag::Authentication)
            .desc("Login Failed")
            .attr("port", port);
        m
    } else if let Some(rest) = pre(msg, "maximum authentication attempts exceeded for ") {
        let (user, ip, port, _) = user_from_ip(rest)?;
        let user = pre(user, "invalid user ").unwrap_or(user);
        let mut m = Meaning::new("ssh.max_auth_attempts", Outcome::Failure, 40);
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .ip(ip)
            .tag(Tag::Authentication)
            .desc("Login Failed")
            .attr("port", port);
        m
    } else if let Some(rest) = pre(msg, "Disconnecting ") {
        let (who, why) = rest.asplit_once(": ").unwrap_or((rest, ""));
        let (user, ip, port, _) = preamble_ip(who);
        let fails = why.acontains("Too many authentication failures");
        let mut m = Meaning::new(
            if fails {
                "ssh.too_many_failures"
            } else {
                "ssh.disconnect"
            },
            if fails {
                Outcome::Failure
            } else {
                Outcome::Unknown
            },
            if fails { 40 } else { 10 },
        );
        m.ip(ip).attr("port", port).attr("reason", why);
        if let Some(u) = user {
            m.actor(u, ActorKind::Unknown).target(u);
        }
        if fails {
            m.tag(Tag::Authentication).desc("Login Failed");
        }
        m
    } else if let Some(rest) = msg
        .strip_prefix("Connection closed by ")
        .or_else(|| pre(msg, "Disconnected from "))
        .or_else(|| pre(msg, "Connection reset by "))
    {
        let (user, ip, port, _) = preamble_ip(rest);
        let action = if msg.starts_with("Disconnected") {
            "ssh.disconnect"
        } else if msg.starts_with("Connection reset") {
            "ssh.connection_reset"
        } else {
            "ssh.connection_closed"
        };
        let mut m = Meaning::new(action, Outcome::Unknown, 10);
        m.ip(ip).attr("port", port).tag(Tag::Session);
        if let Some(u) = user {
            m.actor(u, ActorKind::Unknown).target(u);
        }
        m
    } else if let Some(rest) = pre(msg, "Received disconnect from ") {
        let (ip, rest) = split1(rest, b' ').unwrap_or((rest, ""));
        let port = rest
            .strip_prefix("port ")
            .map(|r| before(r, b':'))
            .unwrap_or("");
        let mut m = Meaning::new("ssh.disconnect", Outcome::Unknown, 10);
        m.ip(ip).attr("port", port).tag(Tag::Session);
        m
    } else if let Some(rest) = pre(msg, "reverse mapping checking getaddrinfo for ") {
        let ip = rest
            .asplit_once(" [")
            .and_then(|(_, r)| r.split_once(']'))
            .map_or("", |x| x.0);
        let mut m = Meaning::new("ssh.reverse_mapping_failed", Outcome::Unknown, 15);
        m.ip(ip)
            .attr("claimed_host", rest.split(' ').next().unwrap_or(""));
        m
    } else if let Some(rest) = pre(msg, "Connection from ") {
        let (ip, rest) = split1(rest, b' ').unwrap_or((rest, ""));
        let mut m = Meaning::new("ssh.connection", Outcome::Unknown, 5);
        m.ip(ip).attr(
            "port",
            pre(rest, "port ").map(|r| before(r, b' ')).unwrap_or(""),
        );
        m
    } else if let Some(rest) = pre(msg, "Did not receive identification string from ") {
        let (ip, rest) = split1(rest, b' ').unwrap_or((rest, ""));
        let mut m = Meaning::new("ssh.no_identification", Outcome::Failure, 15);
        m.ip(ip).attr("port", pre(rest, "port ").unwrap_or(""));
        m
    } else if msg.starts_with("Server listening on ")
        || msg.starts_with("Received signal 15")
        || msg.starts_with("Received SIGHUP")
    {
        Meaning::new("ssh.service", Outcome::Unknown, 5)
    } else {
        return None;
    };
    if preauth {
        m.attr("preauth", "true");
    }
    Some(m)
}

/// `key=value` fields of a pam_unix authentication failure.
fn kv<'a>(s: &'a str, key: &str) -> &'a str {
    s.split_whitespace()
        .find_map(|w| w.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or("")
}

fn strip_uid(s: &str) -> &str {
    before(s, b'(').trim()
}

fn pam(msg: &str) -> Option<Meaning<'_>> {
    // pam_unix(<service>:<type>): <text>
    let rest = pre(msg, "pam_unix(")?;
    let (svc, text) = rest.asplit_once("): ")?;
    let service = before(svc, b':');
    let cron = service == "cron" || service == "crond";
    if let Some(r) = pre(text, "session opened for user ") {
        let (user, by) = match r.asplit_once(" by ") {
            Some((u, b)) => (strip_uid(u), strip_uid(b)),
            None => (strip_uid(r), ""),
        };
        let (actor, target) = match service {
            "sudo" | "su" | "su-l" | "sudo-i" => (if by.is_empty() { user } else { by }, user),
            _ => (user, user),
        };
        let kind = if cron || (user == "root" && by == "root") {
            ActorKind::Automation
        } else {
            ActorKind::Unknown
        };
        let mut m = Meaning::new("session.open", Outcome::Success, if cron { 3 } else { 25 });
        m.actor(actor, kind)
            .target(target)
            .tag(Tag::Session)
            .attr("pam_service", service);
        if matches!(service, "sudo" | "su" | "su-l") && target == "root" && actor != "root" {
            m.tag(Tag::PrivilegeChange).desc("Privilege Change");
            m.significance = 60;
        }
        return Some(m);
    }
    if let Some(r) = pre(text, "session closed for user ") {
        let user = strip_uid(r);
        let kind = if cron {
            ActorKind::Automation
        } else {
            ActorKind::Unknown
        };
        let mut m = Meaning::new("session.close", Outcome::Unknown, if cron { 2 } else { 10 });
        m.actor(user, kind)
            .target(user)
            .tag(Tag::Session)
            .attr("pam_service", service);
        return Some(m);
    }
    if text.starts_with("authentication failure;") {
        let user = kv(text, "user");
        let ruser = kv(text, "ruser");
        let rhost = kv(text, "rhost");
        let actor = if !ruser.is_empty() { ruser } else { user };
        let mut m = Meaning::new("pam.auth_failure", Outcome::Failure, 35);
        m.actor(actor, ActorKind::Unknown)
            .target(user)
            .ip(rhost)
            .tag(Tag::Authentication)
            .desc("Login Failed")
            .attr("pam_service", service)
            .attr("rhost", rhost)
            .attr("tty", kv(text, "tty"));
        return Some(m);
    }
    if let Some(r) = pre(text, "password changed for ") {
        let user = r.trim();
        let mut m = Meaning::new("account.password_changed", Outcome::Success, 70);
        m.target(user)
            .tag(Tag::CredentialChange)
            .attr("pam_service", service);
        return Some(m);
    }
    if text.starts_with("check pass; user unknown") {
        let mut m = Meaning::new("pam.unknown_user", Outcome::Failure, 25);
        m.tag(Tag::Authentication).attr("pam_service", service);
        return Some(m);
    }
    None
}

/// Commands that stop or erase logging.
fn tamper_command(cmd: &str) -> bool {
    let c = cmd.to_ascii_lowercase();
    // Every command caught below names one of these words: most commands are answered by
    // five searches instead of fifteen.
    if !["syslog", "journal", "audit", "/var/log", "history"]
        .iter()
        .any(|w| c.acontains(w))
    {
        return false;
    }
    let stops_logger = [
        "rsyslog",
        "syslog-ng",
        "systemd-journald",
        "auditd",
        "journald",
    ]
    .iter()
    .any(|d| c.acontains(d))
        && ["stop", "disable", "kill", "mask"]
            .iter()
            .any(|v| c.acontains(v));
    stops_logger
        || c.acontains("auditctl -e 0")
        // Lowercased: also `auditctl -D` (delete every rule).
        || c.acontains("auditctl -d")
        || (c.acontains("/var/log")
            && (c.acontains("rm ")
                || c.acontains("shred")
                || c.acontains("truncate")
                || c.acontains("> /var/log")))
        || c.acontains("journalctl --vacuum")
        || c.acontains("history -c")
}

fn sudo(msg: &str) -> Option<Meaning<'_>> {
    // <user> : [<reason> ; ]TTY=<tty> ; PWD=<cwd> ; USER=<runas> ; COMMAND=<cmd>
    let msg = msg.trim_start();
    let (user, rest) = msg.asplit_once(" : ")?;
    if user.bytes().any(|c| c == b' ') || !rest.acontains("COMMAND=") && !rest.acontains("TTY=") {
        return None;
    }
    let mut reason = "";
    let mut tty = "";
    let mut pwd = "";
    let mut runas = "";
    let mut command = "";
    for part in SplitStr::new(rest, " ; ") {
        if let Some(v) = pre(part, "TTY=") {
            tty = v;
        } else if let Some(v) = pre(part, "PWD=") {
            pwd = v;
        } else if let Some(v) = pre(part, "USER=") {
            runas = v;
        } else if let Some(v) = pre(part, "COMMAND=") {
            command = v;
        } else if part.bytes().any(|c| c == b'=') {
        } else if reason.is_empty() {
            reason = part;
        }
    }
    // COMMAND= is last and may itself contain " ; ".
    if let Some(i) = rest.afind("COMMAND=") {
        command = &rest[i + 8..];
    }
    let denied = !reason.is_empty();
    let mut m = if denied {
        let mut m = Meaning::new("sudo.denied", Outcome::Failure, 55);
        m.desc("Privilege Change Failed");
        m
    } else {
        let mut m = Meaning::new("sudo.command", Outcome::Success, 45);
        m.desc("Privilege Change");
        m
    };
    m.actor(user, ActorKind::Unknown)
        .target(runas)
        .tag(Tag::Execution)
        .attr("tty", tty)
        .attr("pwd", pwd)
        .attr("command", command)
        .attr("reason", reason);
    if runas == "root" && user != "root" {
        m.tag(Tag::PrivilegeChange);
        m.significance += 15;
    }
    if tamper_command(command) && !denied {
        m.tag(Tag::LoggingTamper);
        m.significance = 95;
    }
    Some(m)
}

fn su(msg: &str) -> Option<Meaning<'_>> {
    let (failed, rest) = if let Some(r) = pre(msg, "FAILED SU (to ") {
        (true, r)
    } else if let Some(r) = pre(msg, "(to ") {
        (false, r)
    } else if let Some(r) = pre(msg, "Successful su for ") {
        let (target, user) = r.asplit_once(" by ")?;
        return Some(su_meaning(false, target, user.trim(), ""));
    } else if let Some(r) = pre(msg, "FAILED su for ") {
        let (target, user) = r.asplit_once(" by ")?;
        return Some(su_meaning(true, target, user.trim(), ""));
    } else {
        return None;
    };
    let (target, rest) = rest.asplit_once(") ")?;
    let (user, tty) = rest.arsplit_once(" on ").unwrap_or((rest, ""));
    Some(su_meaning(failed, target, user, tty))
}

fn su_meaning<'a>(failed: bool, target: &'a str, user: &'a str, tty: &str) -> Meaning<'a> {
    let mut m = if failed {
        let mut m = Meaning::new("su.failed", Outcome::Failure, 55);
        m.desc("Privilege Change Failed");
        m
    } else {
        let mut m = Meaning::new("su", Outcome::Success, 45);
        m.desc("Privilege Change");
        m
    };
    m.actor(user, ActorKind::Unknown)
        .target(target)
        .tag(Tag::Authentication)
        .attr("tty", tty);
    if target == "root" && user != "root" {
        m.tag(Tag::PrivilegeChange);
        m.significance += 15;
    }
    m
}

fn cron(msg: &str) -> Option<Meaning<'_>> {
    let rest = msg.strip_prefix('(')?;
    let (user, rest) = rest.asplit_once(") ")?;
    let cmd = rest
        .strip_prefix("CMD (")?
        .strip_suffix(')')
        .unwrap_or(rest);
    let mut m = Meaning::new("cron.command", Outcome::Unknown, 3);
    m.actor(user, ActorKind::Automation)
        .tag(Tag::Execution)
        .attr("command", cmd);
    Some(m)
}

fn logind(msg: &str) -> Option<Meaning<'_>> {
    if let Some(r) = pre(msg, "New session ") {
        let (id, rest) = r.asplit_once(" of user ")?;
        let user = rest.trim_end_matches('.');
        let mut m = Meaning::new("session.new", Outcome::Success, 15);
        m.actor(user, ActorKind::Unknown)
            .target(user)
            .tag(Tag::Session)
            .attr("session_id", id);
        return Some(m);
    }
    if let Some(r) = pre(msg, "Removed session ") {
        let mut m = Meaning::new("session.removed", Outcome::Unknown, 5);
        m.tag(Tag::Session)
            .attr("session_id", r.trim_end_matches('.'));
        return Some(m);
    }
    if let Some(r) = pre(msg, "Session ") {
        let (id, rest) = split1(r, b' ')?;
        if rest.starts_with("logged out") {
            let mut m = Meaning::new("session.logout", Outcome::Unknown, 5);
            m.tag(Tag::Session).attr("session_id", id);
            return Some(m);
        }
    }
    None
}

fn account_tools<'a>(program: &str, msg: &'a str) -> Option<Meaning<'a>> {
    let field = |key: &str| -> &str {
        msg.split([',', ' '])
            .find_map(|w| w.trim().strip_prefix(key).and_then(|r| r.strip_prefix('=')))
            .unwrap_or("")
    };
    match program {
        "useradd" | "adduser" if msg.starts_with("new user:") => {
            let name = field("name");
            let uid = field("UID");
            let mut m = Meaning::new("account.create", Outcome::Success, 70);
            m.target(name)
                .tag(Tag::AccountChange)
                .attr("uid", uid)
                .attr("shell", field("shell"));
            if uid == "0" {
                m.tag(Tag::PrivilegeChange);
                m.significance = 90;
            }
            Some(m)
        }
        "useradd" | "groupadd" if msg.starts_with("new group:") => {
            let mut m = Meaning::new("group.create", Outcome::Success, 40);
            m.target(field("name")).tag(Tag::AccountChange);
            Some(m)
        }
        "usermod" | "gpasswd" => {
            let q: Vec<&str> = msg.split('\'').collect();
            if msg.starts_with("add ") && q.len() >= 4 {
                let (user, group) = (q[1], q[3]);
                let mut m = Meaning::new("group.add_member", Outcome::Success, 55);
                m.target(user).tag(Tag::AccountChange).attr("group", group);
                if matches!(
                    group,
                    "sudo" | "wheel" | "admin" | "root" | "adm" | "docker"
                ) {
                    m.tag(Tag::PrivilegeChange);
                    m.significance = 80;
                }
                Some(m)
            } else {
                let mut m = Meaning::new("account.modify", Outcome::Success, 40);
                m.tag(Tag::AccountChange);
                Some(m)
            }
        }
        "userdel" => {
            let user = msg.split('\'').nth(1).unwrap_or("");
            let mut m = Meaning::new("account.delete", Outcome::Success, 60);
            m.target(user).tag(Tag::AccountChange);
            Some(m)
        }
        "passwd" | "chpasswd" if msg.acontains("password changed for") => {
            let user = msg.rsplit(' ').next().unwrap_or("");
            let mut m = Meaning::new("account.password_changed", Outcome::Success, 70);
            m.target(user).tag(Tag::CredentialChange);
            Some(m)
        }
        _ => None,
    }
}

fn logging_daemons<'a>(program: &str, msg: &'a str) -> Option<Meaning<'a>> {
    // Only these programs have a meaning here: any other gives `None` without lowering
    // its message into a new string.
    if !matches!(
        program,
        "rsyslogd"
            | "syslog-ng"
            | "systemd"
            | "auditd"
            | "auditctl"
            | "audit"
            | "kernel"
            | "systemd-journald"
    ) {
        return None;
    }
    let lower = msg.to_ascii_lowercase();
    let stopping = match program {
        "rsyslogd" | "syslog-ng" => {
            lower.acontains("exiting on signal")
                || lower.acontains("] exiting")
                || lower.acontains("shutting down")
        }
        "systemd" => {
            (lower.starts_with("stopping ") || lower.starts_with("stopped "))
                && (lower.acontains("logging service")
                    || lower.acontains("journal service")
                    || lower.acontains("rsyslog")
                    || lower.acontains("auditd")
                    || lower.acontains("security auditing"))
        }
        "auditd" | "auditctl" | "audit" | "kernel" => {
            lower.acontains("audit_enabled=0")
                || lower.acontains("auditd stopped")
                || lower.acontains("the audit daemon is exiting")
        }
        "systemd-journald" => {
            lower.acontains("journal stopped") || lower.acontains("received sigterm")
        }
        _ => false,
    };
    if stopping {
        let mut m = Meaning::new("logging.stopped", Outcome::Success, 95);
        m.tag(Tag::LoggingTamper);
        m.desc = "Logging Stopped";
        return Some(m);
    }
    let started = match program {
        "rsyslogd" | "syslog-ng" => lower.acontains("] start") || lower.acontains("starting up"),
        "systemd" => {
            lower.starts_with("started ")
                && (lower.acontains("logging service") || lower.acontains("rsyslog"))
        }
        _ => false,
    };
    started.then(|| {
        let mut m = Meaning::new("logging.started", Outcome::Success, 60);
        m.desc("Logging Started");
        m
    })
}

/// `str::trim`, skipping the Unicode-aware scan when both ends are ASCII that is not
/// whitespace (most messages).
fn trim(s: &str) -> &str {
    let plain = |b: u8| b.is_ascii() && !char::from(b).is_whitespace();
    match s.as_bytes() {
        [first, .., last] if plain(*first) && plain(*last) => s,
        _ => s.trim(),
    }
}

/// Interprets one message of `program` (the syslog tag or journald `SYSLOG_IDENTIFIER`,
/// without the pid). Unknown messages give `None`: they are still events, without meaning.
pub fn interpret<'a>(program: &str, msg: &'a str) -> Option<Meaning<'a>> {
    // `program.rsplit('/').next()`, then `.split('(').next()`, as byte loops: a program
    // name is a few bytes, where the `char`-pattern searchers cost more than the search.
    let b = program.as_bytes();
    let base = match b.iter().rposition(|&c| c == b'/') {
        Some(i) => &program[i + 1..],
        None => program,
    };
    let base = match base.bytes().position(|c| c == b'(') {
        Some(i) => &base[..i],
        None => base,
    };
    // rsyslog escapes control characters: #012 is a newline.
    if memchr(b'#', msg.as_bytes()).is_some() && (msg.acontains("#012") || msg.acontains("#011")) {
        let decoded = msg.replace("#012", " ").replace("#011", " ");
        return meaning_of(base, &decoded).map(Meaning::into_owned);
    }
    meaning_of(base, msg)
}

/// [`interpret`] once the program's base name is known and the message decoded.
fn meaning_of<'a>(base: &str, msg: &'a str) -> Option<Meaning<'a>> {
    let msg = trim(msg);
    if msg.starts_with("pam_unix(") {
        if let Some(m) = pam(msg) {
            return Some(m);
        }
    }
    match base {
        "sshd" | "sshd-session" | "sshd-auth" => sshd(msg),
        "sudo" => sudo(msg),
        "su" => su(msg),
        "CRON" | "cron" | "crond" => cron(msg),
        "systemd-logind" => logind(msg),
        "useradd" | "adduser" | "groupadd" | "usermod" | "gpasswd" | "userdel" | "passwd"
        | "chpasswd" => account_tools(base, msg),
        _ => logging_daemons(base, msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The audit rules deleted one by one or all at once, and auditing switched off, are
    /// logging tamper whatever the case of the command; listing rules is not.
    #[test]
    fn auditctl_rule_deletion_is_tamper() {
        for cmd in [
            "/sbin/auditctl -D",
            "/sbin/auditctl -d exit,always -S open",
            "/usr/sbin/AUDITCTL -e 0",
            "/bin/systemctl stop auditd",
            "/usr/bin/truncate -s 0 /var/log/auth.log",
        ] {
            assert!(tamper_command(cmd), "{cmd}");
        }
        for cmd in [
            "/sbin/auditctl -l",
            "/bin/cat /var/log/syslog",
            "/usr/bin/apt upgrade",
        ] {
            assert!(!tamper_command(cmd), "{cmd}");
        }
    }

    /// `take_sorted` gives a stable sort of what was pushed, held inline or not.
    #[test]
    fn attrs_take_sorted_is_a_stable_sort() {
        let keys = [
            "port",
            "auth_method",
            "port",
            "key",
            "reason",
            "auth_method",
            "tty",
        ];
        for n in 0..=keys.len() {
            let mut a = Attrs::default();
            let mut v = Vec::new();
            for (i, k) in keys[..n].iter().enumerate() {
                a.push(k, i.to_string());
                v.push((*k, i.to_string()));
            }
            assert_eq!(a.len(), n);
            assert_eq!(a.iter().count(), n);
            v.sort_by(|x, y| x.0.cmp(y.0));
            assert_eq!(a.take_sorted().collect::<Vec<_>>(), v, "{n}");
        }
    }

    /// The word-at-a-time search finds the first match, at every length and position,
    /// with bytes that differ from the needle only in their high bit around it.
    #[test]
    fn find_byte_matches_position() {
        for len in 0..40 {
            for at in 0..=len {
                for fill in [b'a', 0xa0, 0x80, 0x00, 0xff, b' ' ^ 0x80, b' ' + 1] {
                    let mut v = vec![fill; len];
                    if at < len {
                        v[at] = b' ';
                    }
                    if at + 3 < len {
                        v[at + 3] = b' ';
                    }
                    let want = v.iter().position(|&x| x == b' ');
                    assert_eq!(find_byte(&v, b' '), want, "{len} {at} {fill}");
                }
            }
        }
    }

    /// `key_cmp` is `str::cmp`.
    #[test]
    fn key_cmp_is_str_cmp() {
        let keys = [
            "",
            "a",
            "ab",
            "b",
            "pid",
            "port",
            "program",
            "é",
            "severity_code",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(key_cmp(a, b), a.cmp(b), "{a:?} {b:?}");
                assert_eq!(key_lt(a, b), a < b, "{a:?} {b:?}");
            }
        }
    }

    /// `pre` is `strip_prefix`.
    #[test]
    fn pre_is_strip_prefix() {
        for s in ["", "a", "ab", "Failed x", "Fa", "é"] {
            for p in ["", "a", "ab", "Failed ", "F", "é", "x"] {
                assert_eq!(pre(s, p), s.strip_prefix(p), "{s:?} {p:?}");
            }
        }
    }

    /// The byte splitters agree with the `str` methods.
    #[test]
    fn byte_splits_match_str() {
        for h in [
            "",
            " ",
            "a b",
            "ab",
            " a",
            "a ",
            "é b:c",
            "a::b",
            "x(1)",
            "(",
            "1.2.3.4 port 5",
        ] {
            for c in [b' ', b':', b'('] {
                assert_eq!(split1(h, c), h.split_once(char::from(c)), "{h:?} {c}");
                assert_eq!(
                    Some(before(h, c)),
                    h.split(char::from(c)).next(),
                    "{h:?} {c}"
                );
            }
        }
    }

    /// The memchr-based searches agree with the `str` methods, overlaps and edges included.
    #[test]
    fn ascii_find_matches_str() {
        let hays = [
            "",
            "a",
            " from ",
            "from from",
            " from  from x",
            "x from y from z",
            "ab from",
            " from",
            "é from ü from",
            "aaa",
            "a ; b ; ; c ;",
            " ; ",
            "--- --- ---",
        ];
        let needles = [" from ", "from", " ; ", "a", "aa", "---", " --- ", "x"];
        for h in hays {
            for n in needles {
                assert_eq!(h.afind(n), h.find(n), "{h:?} {n:?}");
                assert_eq!(h.arfind(n), h.rfind(n), "{h:?} {n:?}");
                assert_eq!(h.acontains(n), h.contains(n), "{h:?} {n:?}");
                assert_eq!(h.asplit_once(n), h.split_once(n), "{h:?} {n:?}");
                assert_eq!(h.arsplit_once(n), h.rsplit_once(n), "{h:?} {n:?}");
                assert_eq!(
                    SplitStr::new(h, n).collect::<Vec<_>>(),
                    h.split(n).collect::<Vec<_>>(),
                    "{h:?} {n:?}"
                );
            }
        }
    }

    fn i<'a>(p: &str, m: &'a str) -> Meaning<'a> {
        interpret(p, m).unwrap_or_else(|| panic!("no meaning for {p}: {m}"))
    }

    #[test]
    fn sshd_lines() {
        let m = i(
            "sshd",
            "Accepted publickey for alice from 198.51.100.23 port 50122 ssh2: ED25519 SHA256:abc",
        );
        assert_eq!(
            (m.action, m.actor.as_deref(), m.src_ip.as_deref(), m.outcome),
            (
                Some("ssh.login"),
                Some("alice"),
                Some("198.51.100.23"),
                Outcome::Success
            )
        );
        assert!(m
            .attrs
            .iter()
            .any(|(k, v)| (k, v) == ("auth_method", "publickey")));
        let m = i(
            "sshd",
            "Failed password for invalid user admin from 203.0.113.45 port 40000 ssh2",
        );
        assert_eq!(
            (m.action, m.actor.as_deref(), m.outcome),
            (Some("ssh.login_failed"), Some("admin"), Outcome::Failure)
        );
        // A user name with spaces and the word "from" is read from the right.
        let m = i(
            "sshd",
            "Failed password for invalid user a from b from 10.0.0.1 port 22 ssh2",
        );
        assert_eq!(
            (m.actor.as_deref(), m.src_ip.as_deref()),
            (Some("a from b"), Some("10.0.0.1"))
        );
        let m = i(
            "sshd-session",
            "Invalid user oracle from 203.0.113.45 port 40022",
        );
        assert_eq!(
            (m.action, m.src_ip.as_deref()),
            (Some("ssh.invalid_user"), Some("203.0.113.45"))
        );
        let m = i(
            "sshd",
            "Connection closed by authenticating user root 203.0.113.45 port 40000 [preauth]",
        );
        assert_eq!(
            (m.actor.as_deref(), m.src_ip.as_deref()),
            (Some("root"), Some("203.0.113.45"))
        );
        let m = i(
            "sshd",
            "Received disconnect from 203.0.113.45 port 41877:11: disconnected by user",
        );
        assert_eq!(m.src_ip.as_deref(), Some("203.0.113.45"));
        let m = i("sshd", "reverse mapping checking getaddrinfo for ns.example.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!");
        assert_eq!(m.src_ip.as_deref(), Some("173.234.31.186"));
        let m = i("sshd", "Disconnecting invalid user test 10.1.1.1 port 2222: Too many authentication failures [preauth]");
        assert_eq!(
            (m.action, m.actor.as_deref()),
            (Some("ssh.too_many_failures"), Some("test"))
        );
        let m = i("sshd", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186  user=root");
        assert_eq!(
            (m.action, m.src_ip.as_deref(), m.target.as_deref()),
            (
                Some("pam.auth_failure"),
                Some("173.234.31.186"),
                Some("root")
            )
        );
        assert!(interpret("sshd", "some unknown line").is_none());
    }

    #[test]
    fn sudo_su_pam_cron_logind() {
        let m = i(
            "sudo",
            "  deploy : TTY=pts/1 ; PWD=/home/deploy ; USER=root ; COMMAND=/bin/bash",
        );
        assert_eq!(
            (m.action, m.actor.as_deref(), m.target.as_deref()),
            (Some("sudo.command"), Some("deploy"), Some("root"))
        );
        assert!(m.tags.contains(Tag::PrivilegeChange));
        let m = i("sudo", "deploy : 1 incorrect password attempt ; TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/pg_dumpall");
        assert_eq!(
            (m.action, m.outcome),
            (Some("sudo.denied"), Outcome::Failure)
        );
        let m = i(
            "sudo",
            "deploy : TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/systemctl stop rsyslog",
        );
        assert!(m.tags.contains(Tag::LoggingTamper));
        let m = i("su", "FAILED SU (to postgres) deploy on pts/0");
        assert_eq!(
            (m.action, m.actor.as_deref(), m.target.as_deref()),
            (Some("su.failed"), Some("deploy"), Some("postgres"))
        );
        let m = i("su", "(to root) alice on pts/2");
        assert!(m.tags.contains(Tag::PrivilegeChange));
        let m = i(
            "CRON",
            "(root) CMD (/usr/local/bin/healthcheck >/dev/null 2>&1)",
        );
        assert_eq!(
            (m.action, m.actor_kind),
            (Some("cron.command"), ActorKind::Automation)
        );
        let m = i(
            "CRON",
            "pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)",
        );
        assert_eq!(
            (m.action, m.actor_kind),
            (Some("session.open"), ActorKind::Automation)
        );
        let m = i(
            "sudo",
            "pam_unix(sudo:session): session opened for user root(uid=0) by deploy(uid=1001)",
        );
        assert_eq!(
            (m.actor.as_deref(), m.target.as_deref()),
            (Some("deploy"), Some("root"))
        );
        let m = i(
            "sshd",
            "pam_unix(sshd:session): session opened for user deploy by (uid=0)",
        );
        assert_eq!(m.actor.as_deref(), Some("deploy"));
        let m = i("systemd-logind", "New session 32 of user deploy.");
        assert_eq!(
            (m.action, m.actor.as_deref()),
            (Some("session.new"), Some("deploy"))
        );
        let m = i(
            "useradd",
            "new user: name=sysupdate, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/1",
        );
        assert_eq!(m.target.as_deref(), Some("sysupdate"));
        assert!(m.tags.contains(Tag::PrivilegeChange));
        let m = i("usermod", "add 'eve' to group 'sudo'");
        assert!(m.tags.contains(Tag::PrivilegeChange));
        let m = i(
            "rsyslogd",
            "[origin software=\"rsyslogd\" swVersion=\"8\" x-pid=\"1\"] exiting on signal 15.",
        );
        assert!(m.tags.contains(Tag::LoggingTamper));
    }
}
