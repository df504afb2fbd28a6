//! `preread.md`: what the team reads before the post-incident meeting.
//!
//! Short however large the input: repeated events collapse into one row with a count and a
//! span, rows are chosen by significance, and the document says how many events it left out.
//! Blameless wording: it states what happened, never who failed.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use std::fmt::Write as _;
use std::io::{self, Write};
use tplus_model::hash::FastMap;

use tplus_model::time::{format_offset, format_utc};
use tplus_model::{ActorKind, Confidence, Event, Outcome, Tag, Timeline, TimelineSink};

use crate::escape::{md_cell, md_text};

/// Writes `preread.md`.
#[derive(Debug, Clone, Default)]
pub struct PrereadSink {
    /// How this version was altered for sharing, shown at the top.
    pub notice: Option<String>,
}

/// At most this many rows in the condensed timeline.
const MAX_ROWS: usize = 30;
/// At most this many findings listed one per line.
const MAX_FINDINGS: usize = 15;
/// At most this many files listed one per row in the inventory.
const MAX_FILES: usize = 15;
/// Events of one kind closer than this are one row.
const COLLAPSE_GAP_US: i64 = 15 * 60 * 1_000_000;

/// A run of similar events shown as one row.
///
/// There are nearly as many rows as events before the best are chosen (840,000 for 1.18M
/// events on the bench corpus, most failed logins from their own address), and the rows
/// were the build's peak memory: so indices are `u32` (like the name numbers: events fit in
/// memory, far fewer than 4G of them) and what few rows have is boxed (64 bytes, was 104).
#[derive(Debug, Clone)]
struct Group {
    /// First and last event (indices into the timeline).
    first: u32,
    last: u32,
    count: u64,
    members: u64,
    score: u32,
    /// Distinct accounts in the row (at most 64).
    actors: Accounts,
    /// The address of the first event, if any.
    address: Option<u32>,
    confidence: Confidence,
    /// Notes for the row (few rows have any).
    #[expect(
        clippy::box_collection,
        reason = "8 bytes in each of a million rows instead of 24; few rows have notes"
    )]
    notes: Option<Box<Vec<String>>>,
}

impl Group {
    fn note(&mut self, n: String) {
        self.notes.get_or_insert_with(Box::default).push(n);
    }

    fn notes(&self) -> &[String] {
        self.notes.as_deref().map_or(&[], Vec::as_slice)
    }
}

/// The distinct accounts of a row, by number (see [`Numbered`]), at most 64. The first is
/// kept inline: most rows have one account, and a vector for each of a million rows cost an
/// allocation each.
#[derive(Debug, Clone, Default)]
struct Accounts {
    first: Option<u32>,
    #[expect(
        clippy::box_collection,
        reason = "8 bytes in each of a million rows instead of 24; few rows have a second account"
    )]
    rest: Option<Box<Vec<u32>>>,
}

impl Accounts {
    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.rest.as_ref().map_or(0, |r| r.len())
    }

    fn add(&mut self, a: u32) {
        match self.first {
            None => self.first = Some(a),
            Some(f) if f == a => {}
            Some(_) => {
                if self.len() < 64 && !self.rest.as_ref().is_some_and(|r| r.contains(&a)) {
                    self.rest.get_or_insert_with(Box::default).push(a);
                }
            }
        }
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.first
            .into_iter()
            .chain(self.rest.iter().flat_map(|r| r.iter().copied()))
    }
}

/// Rows scoring below this are routine (sessions, reads) and left out.
const MIN_SCORE: u32 = 20;
/// Rows scoring at least this make their actors and addresses "of interest".
const INTEREST_SCORE: u32 = 40;

pub(crate) fn tag_bonus(e: &Event) -> u32 {
    let mut b = 0;
    for t in &e.tags {
        b += match t {
            Tag::LoggingTamper => 60,
            Tag::PrivilegeChange
            | Tag::CredentialChange
            | Tag::PolicyChange
            | Tag::AccountChange => 35,
            Tag::LoginWithoutMfa | Tag::Rollback | Tag::DeployFailed => 30,
            Tag::DeployStarted | Tag::DeploySucceeded | Tag::Scaled => 25,
            Tag::Authentication => 5,
            _ => 0,
        };
    }
    b
}

/// Texts numbered in the order first seen, each with what is counted for it. The pass over
/// the events hashes each host, account, address and action once per event to find its
/// number; from then on grouping and counting are on `u32`s and vectors rather than on the
/// strings (cloud accounts are ARNs of 60 bytes with long common prefixes).
#[derive(Debug)]
struct Numbered<'a, T> {
    ids: FastMap<&'a str, u32>,
    items: Vec<(&'a str, T)>,
}

impl<T> Default for Numbered<'_, T> {
    fn default() -> Self {
        Numbered {
            ids: FastMap::default(),
            items: Vec::new(),
        }
    }
}

impl<'a, T: Default> Numbered<'a, T> {
    /// The number of `text`, given the next one (with a default item) if new.
    fn id(&mut self, text: &'a str) -> u32 {
        let items = &mut self.items;
        *self.ids.entry(text).or_insert_with(|| {
            items.push((text, T::default()));
            // Fewer distinct texts than events, and events fit in memory.
            (items.len() - 1) as u32
        })
    }

    /// The item of a number that [`Numbered::id`] gave.
    fn item(&mut self, id: u32) -> &mut T {
        &mut self.items[id as usize].1
    }
}

/// What is counted for one account or address text. Accounts and addresses share numbers,
/// since rows group by "the address, or else the account" as text.
#[derive(Debug, Default)]
struct Name {
    /// Events with this account, per actor kind, in the order the kinds were seen.
    accounts: Vec<(ActorKind, u64)>,
    /// Authentication failures from this address so far.
    failures: u64,
    /// First and last group of this account as a human's or unknown kind's actor.
    actor_span: Option<(u32, u32)>,
    /// First and last group of this address.
    address_span: Option<(u32, u32)>,
}

/// Source, action, outcome, and the address or else the account: the events of a row.
type GroupKey = (u32, u32, Outcome, u32);

/// In a [`GroupKey`], no action or no name.
const NONE: u32 = u32::MAX;

/// The scope counts and the condensed rows, from one pass over the events.
#[derive(Debug)]
struct Digest<'a> {
    /// Per source (in text order): events and the number of distinct input files.
    sources: Vec<(&'a str, u64, usize)>,
    /// Per host: events, most first, then by name.
    hosts: Vec<(&'a str, u64)>,
    /// Per account and actor kind: events, most first, then by account and kind.
    accounts: Vec<((&'a str, &'static str), u64)>,
    /// The rows of the condensed timeline, in time order.
    groups: Vec<Group>,
}

fn digest(tl: &Timeline) -> Digest<'_> {
    // Per source: events and which inputs (by index) had some.
    let mut sources: Numbered<'_, (u64, Vec<bool>)> = Numbered::default();
    let mut hosts: Numbered<'_, u64> = Numbered::default();
    let mut actions: Numbered<'_, ()> = Numbered::default();
    // Sized for as many names and rows as there are events, which addresses and rows
    // nearly reach when most failed logins come from their own address (840,000 of
    // 1.18M on the bench corpus). Growing instead rehashed every name so far at each
    // doubling, reading each key string from its event again: 15% of the pass.
    let n = tl.events.len();
    let mut names: Numbered<'_, Name> = Numbered {
        ids: FastMap::with_capacity_and_hasher(n, Default::default()),
        items: Vec::new(),
    };
    let mut groups: Vec<Group> = Vec::new();
    let mut open: FastMap<GroupKey, u32> = FastMap::with_capacity_and_hasher(n, Default::default());
    for (i, e) in tl.events.iter().enumerate() {
        // Event and row numbers fit in `u32`, as the name numbers do (see `Group`).
        let i = i as u32;
        let source = sources.id(e.source);
        let (n, inputs) = sources.item(source);
        *n += 1;
        let input = e.input as usize;
        if inputs.len() <= input {
            inputs.resize(input + 1, false);
        }
        inputs[input] = true;
        if let Some(h) = e.host.as_deref() {
            let h = hosts.id(h);
            *hosts.item(h) += 1;
        }
        let actor = e.actor.as_deref().map(|a| names.id(a));
        if let Some(a) = actor {
            let accounts = &mut names.item(a).accounts;
            match accounts.iter_mut().find(|(k, _)| *k == e.actor_kind) {
                Some((_, n)) => *n += 1,
                None => accounts.push((e.actor_kind, 1)),
            }
        }
        let ip = e.src_ip.as_deref().map(|a| names.id(a));

        let mut score = u32::from(e.significance) + tag_bonus(e);
        let mut after_failures = None;
        if let (Some(ip), Some(ip_text)) = (ip, e.src_ip.as_deref()) {
            let failures = &mut names.item(ip).failures;
            match e.outcome {
                Outcome::Failure if e.has_tag(Tag::Authentication) => *failures += e.count,
                Outcome::Success if e.has_tag(Tag::Authentication) && *failures > 0 => {
                    score += 60;
                    after_failures =
                        Some(format!("success after {failures} failures from {ip_text}"));
                }
                _ => {}
            }
        }
        let key = (
            source,
            e.action.as_deref().map_or(NONE, |a| actions.id(a)),
            e.outcome,
            ip.or(actor).unwrap_or(NONE),
        );
        let joined = match open.get(&key) {
            Some(&g)
                if after_failures.is_none()
                    && e.ts_us - tl.events[groups[g as usize].last as usize].ts_us
                        <= COLLAPSE_GAP_US =>
            {
                let gr = &mut groups[g as usize];
                gr.last = i;
                gr.count += e.count;
                gr.members += 1;
                gr.score = gr.score.max(score);
                gr.confidence = gr.confidence.min(e.confidence);
                if let Some(a) = actor {
                    gr.actors.add(a);
                }
                Some(g)
            }
            _ => None,
        };
        let g = match joined {
            Some(g) => g,
            None => {
                let g = groups.len() as u32;
                open.insert(key, g);
                groups.push(Group {
                    first: i,
                    last: i,
                    count: e.count,
                    members: 1,
                    score,
                    actors: Accounts {
                        first: actor,
                        rest: None,
                    },
                    address: ip,
                    confidence: e.confidence,
                    notes: after_failures.map(|n| Box::new(vec![n])),
                });
                g
            }
        };
        if let (Some(a), ActorKind::Human | ActorKind::Unknown) = (actor, e.actor_kind) {
            names.item(a).actor_span.get_or_insert((g, g)).1 = g;
        }
        if let Some(ip) = ip {
            names.item(ip).address_span.get_or_insert((g, g)).1 = g;
        }
    }

    let mut source_list: Vec<(&str, u64, usize)> = sources
        .items
        .into_iter()
        .map(|(s, (n, inputs))| (s, n, inputs.into_iter().filter(|&x| x).count()))
        .collect();
    source_list.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut host_list = hosts.items;
    host_list.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut accounts: Vec<((&str, &'static str), u64)> = names
        .items
        .iter()
        .flat_map(|(a, name)| name.accounts.iter().map(|&(k, n)| ((*a, k.as_str()), n)))
        .collect();
    accounts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let groups = choose_rows(groups, &names.items);
    Digest {
        sources: source_list,
        hosts: host_list,
        accounts,
        groups,
    }
}

/// Scores the groups, marks the first and last activity of the accounts and addresses seen
/// in significant rows, and keeps the [`MAX_ROWS`] best rows in time order.
fn choose_rows(mut groups: Vec<Group>, names: &[(&str, Name)]) -> Vec<Group> {
    for g in &mut groups {
        // Bursts of something that matters outrank a single attempt of the same kind;
        // routine repetition stays routine.
        if g.score >= MIN_SCORE {
            g.score += (64 - g.count.leading_zeros()) * 4;
        }
    }
    // First and last activity of each actor and address seen in a significant row.
    // Who appears in a significant row: collected once, so the filter below stays linear
    // however many accounts and addresses the evidence holds.
    let mut sig_actors = vec![false; names.len()];
    let mut sig_addresses = vec![false; names.len()];
    for g in groups.iter().filter(|g| g.score >= INTEREST_SCORE) {
        for a in g.actors.iter() {
            sig_actors[a as usize] = true;
        }
        if let Some(ip) = g.address {
            sig_addresses[ip as usize] = true;
        }
    }
    // The first twelve by kind ("actor" before "address") and then name; a name is listed
    // once per kind, so the order is total. Hundreds of thousands of addresses can qualify:
    // the twelve are selected, and only they sorted.
    let mut interest = Vec::new();
    for (id, (text, name)) in names.iter().enumerate() {
        if let Some((f, l)) = name.actor_span.filter(|(f, l)| f <= l && sig_actors[id]) {
            interest.push((("actor", text), (f, l)));
        }
        if let Some((f, l)) = name
            .address_span
            .filter(|(f, l)| f <= l && sig_addresses[id])
        {
            interest.push((("address", text), (f, l)));
        }
    }
    first_sorted(&mut interest, 12, |a, b| a.0.cmp(&b.0));
    for ((_, name), (f, l)) in interest {
        let marks: &[(u32, &str)] = if f == l {
            &[(f, "all activity of")]
        } else {
            &[(f, "first activity of"), (l, "last activity of")]
        };
        for &(g, what) in marks {
            if let Some(gr) = groups.get_mut(g as usize) {
                gr.score = gr.score.max(INTEREST_SCORE);
                gr.note(format!("{what} {name}"));
            }
        }
    }
    let mut order: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].score >= MIN_SCORE)
        .collect();
    if order.is_empty() {
        order = (0..groups.len()).collect();
    }
    // Best score first, then earliest; each group has its own first event, so the order is
    // total and selecting the best rows gives the rows a full sort would.
    first_sorted(&mut order, MAX_ROWS, |&a, &b| {
        groups[b]
            .score
            .cmp(&groups[a].score)
            .then(groups[a].first.cmp(&groups[b].first))
    });
    order.sort_unstable();
    order.into_iter().map(|i| groups[i].clone()).collect()
}

/// Keeps the first `n` items of `v` in the total order `cmp`, sorted: the `n` are selected
/// in linear time and only they are sorted, where a full sort of a million rows or
/// addresses cost a second.
fn first_sorted<T>(v: &mut Vec<T>, n: usize, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() > n && n > 0 {
        v.select_nth_unstable_by(n - 1, &mut cmp);
    }
    v.truncate(n);
    v.sort_unstable_by(cmp);
}

fn evidence_ref(tl: &Timeline, e: &Event) -> String {
    let p = crate::input_path(tl, e.input);
    match (e.location.line, e.location.record) {
        (Some(l), _) => format!("{p}:{l}"),
        (None, Some(r)) => format!("{p}#{r}"),
        _ => format!("{p}@{}", e.location.offset),
    }
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

fn span_text(us: i64) -> String {
    let s = us / 1_000_000;
    if s < 120 {
        format!("{s} s")
    } else if s < 7200 {
        format!("{} min", s / 60)
    } else {
        format!("{:.1} h", s as f64 / 3600.0)
    }
}

fn render(tl: &Timeline, notice: Option<&str>) -> String {
    let mut o = String::new();
    let title = tl
        .run
        .title
        .clone()
        .unwrap_or_else(|| "Incident review".to_owned());
    let _ = writeln!(o, "# {} — pre-read\n", md_text(&title));
    if let Some(n) = notice {
        let _ = writeln!(o, "> **Shared version**: {}\n", md_text(n));
    }
    let _ = writeln!(
        o,
        "_Prepared by tplus {} from {} input files ({} events). This document describes what happened and what the evidence can and cannot show; it does not assign blame. Evidence digest (SHA-256 of `inputs.sha256`): `{}`._\n",
        tl.run.tool_version,
        tl.inputs.len(),
        tl.events.len(),
        tl.run.inputs_digest
    );

    o.push_str("## Incident window and T0\n\n");
    if tl.run.t0_given {
        let _ = writeln!(o, "- **T0**: {} (given).", format_utc(tl.run.t0_us));
    } else {
        let _ = writeln!(o, "- **T0**: {} — **T0 was not given**: it is the first event of the timeline. Pass `--t0` (or `t0` in the case file) to anchor T+ offsets on the real incident start.", format_utc(tl.run.t0_us));
    }
    let (ws, we) = tl.run.window;
    let _ = writeln!(
        o,
        "- **Window**: {} to {} ({}, {}).",
        format_utc(ws),
        format_utc(we),
        span_text(we - ws),
        if tl.run.window_given {
            "given"
        } else {
            "T0 to the last event"
        }
    );
    if let (Some(f), Some(l)) = (tl.events.first(), tl.events.last()) {
        let _ = writeln!(
            o,
            "- **Evidence spans** {} to {}.",
            format_utc(f.ts_us),
            format_utc(l.ts_us)
        );
    }
    o.push('\n');

    o.push_str("## Scope\n\n");
    let d = digest(tl);
    let sources: Vec<String> = d
        .sources
        .iter()
        .map(|(s, n, files)| format!("{} ({n} events, {files} files)", md_cell(s)))
        .collect();
    let _ = writeln!(
        o,
        "- **Sources**: {}.",
        if sources.is_empty() {
            "none".to_owned()
        } else {
            sources.join(", ")
        }
    );
    let host_txt: Vec<String> = d
        .hosts
        .iter()
        .take(12)
        .map(|(h, n)| format!("{} ({n})", md_cell(h)))
        .collect();
    let more_hosts = d.hosts.len().saturating_sub(12);
    let _ = writeln!(
        o,
        "- **Hosts** ({}): {}{}.",
        d.hosts.len(),
        if host_txt.is_empty() {
            "none named".to_owned()
        } else {
            host_txt.join(", ")
        },
        if more_hosts > 0 {
            format!(" and {more_hosts} more")
        } else {
            String::new()
        }
    );
    let actor_txt: Vec<String> = d
        .accounts
        .iter()
        .take(12)
        .map(|((a, k), n)| format!("{} ({k}, {n})", md_cell(&short(a, 60))))
        .collect();
    let more_actors = d.accounts.len().saturating_sub(12);
    let _ = writeln!(
        o,
        "- **Accounts** ({}): {}{}.",
        d.accounts.len(),
        if actor_txt.is_empty() {
            "none named".to_owned()
        } else {
            actor_txt.join(", ")
        },
        if more_actors > 0 {
            format!(" and {more_actors} more")
        } else {
            String::new()
        }
    );
    if tl.run.time_notes.is_empty() {
        o.push_str("- **Time**: every timestamp carried its own zone.\n");
    } else {
        o.push_str("- **Time zones and years** (how zone-less and year-less times were read):\n");
        for n in tl.run.time_notes.iter().take(12) {
            let _ = writeln!(o, "  - {}", md_text(n));
        }
        if tl.run.time_notes.len() > 12 {
            let _ = writeln!(
                o,
                "  - … {} more in custody.json and the events' `confidence_reasons`.",
                tl.run.time_notes.len() - 12
            );
        }
    }
    o.push('\n');

    o.push_str("## Evidence inventory\n\n");
    if tl.inputs.len() <= MAX_FILES {
        o.push_str("| File | Format | Events | SHA-256 |\n|---|---|---:|---|\n");
        for i in &tl.inputs {
            let _ = writeln!(
                o,
                "| {} | {} | {} | `{}` |",
                md_cell(&i.path),
                md_cell(&i.format),
                i.events,
                i.sha256.as_deref().unwrap_or("unreadable")
            );
        }
    } else {
        o.push_str("| Format | Files | Events |\n|---|---:|---:|\n");
        let mut fm: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for i in &tl.inputs {
            let f = fm.entry(&i.format).or_default();
            f.0 += 1;
            f.1 += i.events;
        }
        for (f, (n, ev)) in fm {
            let _ = writeln!(o, "| {} | {n} | {ev} |", md_cell(f));
        }
        let _ = writeln!(
            o,
            "\nEvery file and its SHA-256 is in `inputs.sha256` (digest `{}`) and `custody.json`.",
            tl.run.inputs_digest
        );
    }
    let bad: u64 = tl.inputs.iter().map(|i| i.errors).sum();
    if bad > 0 {
        let _ = writeln!(o, "\n{bad} lines or records could not be read; see the findings below and `custody.json`.");
    }
    o.push('\n');

    o.push_str("## Condensed timeline\n\n");
    let groups = d.groups;
    if groups.is_empty() {
        o.push_str("No events.\n\n");
    } else {
        o.push_str("| T+ | Time (UTC) | Actor (kind) | Event | Source and evidence | Confidence | Note |\n|---|---|---|---|---|---|---|\n");
        for g in &groups {
            let e = &tl.events[g.first as usize];
            let l = &tl.events[g.last as usize];
            let actor = match g.actors.len() {
                0 => "—".to_owned(),
                1 => format!(
                    "{} ({})",
                    md_cell(&short(e.actor.as_deref().unwrap_or("?"), 40)),
                    e.actor_kind.as_str()
                ),
                n => format!("{n} accounts"),
            };
            let what = if e.message.is_empty() {
                e.action.as_deref().unwrap_or_default().to_owned()
            } else {
                e.message.clone()
            };
            let event = if g.count > 1 {
                format!("{}× {}", g.count, short(&what, 90))
            } else {
                short(&what, 110)
            };
            let mut note: Vec<String> = g.notes().iter().map(|n| short(n, 80)).collect();
            if g.count > 1 {
                note.push(format!("{} over {}", g.count, span_text(l.ts_us - e.ts_us)));
            }
            if let Some(ip) = &e.src_ip {
                note.push(format!("from {ip}"));
            }
            if e.outcome == Outcome::Failure {
                note.push("failed".to_owned());
            }
            if g.confidence < Confidence::High {
                if let Some(r) = e.confidence_reasons.first() {
                    note.push(short(r, 60));
                }
            }
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} `{}` | {} | {} |",
                format_offset(tl.offset_us(e.ts_us)),
                format_utc(e.ts_us),
                actor,
                md_cell(&event),
                md_cell(e.source),
                md_cell(&evidence_ref(tl, e)).replace('`', ""),
                g.confidence.as_str(),
                md_cell(&note.join("; "))
            );
        }
        let total = tl.events.len() as u64;
        let shown: u64 = groups.iter().map(|g| g.members).sum();
        let folded: u64 = groups
            .iter()
            .filter(|g| g.members > 1)
            .map(|g| g.members)
            .sum();
        let left = total.saturating_sub(shown);
        let _ = writeln!(
            o,
            "\n{} rows cover {shown} of {total} events ({folded} of them folded into repeated rows). **{left} events are left out here** as routine or less significant; every event is in `timeline.csv` and `timeline.jsonl`, and `report.html` shows them all (filter by source, host, actor or address).\n",
            groups.len()
        );
    }

    o.push_str("## Telemetry gaps and other findings\n\n");
    if tl.findings.is_empty() {
        o.push_str("No findings: no gaps, tamper, skew or unreadable records were detected.\n");
    } else {
        for f in tl.findings.iter().take(MAX_FINDINGS) {
            let mut where_ = Vec::new();
            if let Some(s) = &f.source {
                where_.push(s.clone());
            }
            if let Some(h) = &f.host {
                where_.push(format!("host {h}"));
            }
            if let (Some(a), Some(b)) = (f.start_us, f.end_us) {
                where_.push(format!(
                    "{} to {}",
                    format_offset(tl.offset_us(a)),
                    format_offset(tl.offset_us(b))
                ));
            }
            let _ = writeln!(
                o,
                "- **{}** {} — {} ({})",
                f.severity.as_str(),
                f.kind.as_str(),
                md_text(&f.summary),
                md_cell(&where_.join(", "))
            );
        }
        if tl.findings.len() > MAX_FINDINGS {
            let _ = writeln!(
                o,
                "- … {} more in `findings.json`.",
                tl.findings.len() - MAX_FINDINGS
            );
        }
    }
    o.push('\n');

    let list = |o: &mut String, title: &str, items: &[String], none: &str| {
        let _ = writeln!(o, "## {title}\n");
        if items.is_empty() {
            let _ = writeln!(o, "{none}\n");
        } else {
            for i in items {
                let _ = writeln!(o, "- {}", md_text(i));
            }
            o.push('\n');
        }
    };
    list(
        &mut o,
        "Hypotheses",
        &tl.run.hypotheses,
        "None recorded yet (add `hypotheses` to the case file).",
    );
    list(
        &mut o,
        "Open questions",
        &tl.run.open_questions,
        "None recorded yet (add `questions` to the case file).",
    );
    list(
        &mut o,
        "Attendees",
        &tl.run.attendees,
        "Not listed (add `attendees` to the case file).",
    );

    o.push_str("## Agenda\n\n");
    o.push_str("1. Confirm the incident window and T0 (5 min).\n");
    o.push_str("2. Walk through the condensed timeline; correct or add events (20 min).\n");
    o.push_str("3. Review telemetry gaps and other findings: what could we not see? (10 min)\n");
    o.push_str("4. Test the hypotheses against the evidence (10 min).\n");
    o.push_str("5. Agree on follow-up actions and owners for systems and processes (10 min).\n");
    o
}

impl TimelineSink for PrereadSink {
    fn file_name(&self) -> &'static str {
        "preread.md"
    }

    fn write(&self, tl: &Timeline, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(render(tl, self.notice.as_deref()).as_bytes())
    }
}
