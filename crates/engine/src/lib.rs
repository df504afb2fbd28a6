//! The tplus build: from input paths to a sorted, resolved [`Timeline`].
//!
//! Data flows in five steps, each parallel where it can be:
//! 1. [`discover`]: walk the inputs (sorted, so runs are reproducible);
//! 2. load: memory-map each file read-only, hash the mapped bytes (custody in the same pass
//!    as parsing: the file is read from disk once), decompress gzip from memory;
//! 3. sniff and parse: every family's parsers score the first 64 KiB, the best one parses
//!    (large line files in line-aligned chunks on several threads);
//! 4. resolve: zone-less and year-less times per file ([`tplus_model::time::resolve_file`]),
//!    with the span of the other sources as evidence for the year; then duplicates merged
//!    (native ids, rotation overlaps) and counted;
//! 5. sort on `(time, input, position)` in parallel, set T0 and the window, run the findings.
//!
//! Outputs are written by [`write_outputs`] through the model's [`TimelineSink`]s.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod dedup;
mod discover;
mod load;
mod output;
mod registry;
mod rotation;

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use thiserror::Error;
use tplus_model::time::{resolve_file_dated, FileContext, YearEvidence, ZoneMap};
use tplus_model::{
    Collected, Confidence, Event, InputSummary, Parser, RunInfo, TimeValue, Timeline,
};

pub use discover::{discover, SourceFile};
pub use load::{load, Loaded};
pub use output::{write_outputs, OutputError};
pub use registry::{FormatOverride, Registry};
pub use tplus_findings::FindingsConfig;

/// Errors that stop a build (bad input paths, a thread pool that cannot start). Problems
/// inside files never do: they are counted and reported.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum EngineError {
    /// An INPUT argument does not exist or cannot be read.
    #[error("input {path}: {source}")]
    Input {
        /// The INPUT as given.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// The worker pool could not be created.
    #[error("cannot start {0} worker threads: {1}")]
    Threads(usize, String),
}

/// Hooks for a progress display; the engine calls them from worker threads.
pub trait Progress: Send + Sync {
    /// A new phase begins (`parse`, `resolve`, `sort`, `findings`, `write`).
    fn phase(&self, name: &'static str);
    /// The inputs to read: how many files and bytes.
    fn inputs(&self, files: u64, bytes: u64);
    /// One input was parsed.
    fn file_done(&self, bytes: u64, events: u64);
}

/// A shared progress display (a no-op when none is set).
#[derive(Clone, Default)]
pub struct ProgressHandle(Option<std::sync::Arc<dyn Progress>>);

impl ProgressHandle {
    /// Wraps a display.
    pub fn new(p: std::sync::Arc<dyn Progress>) -> Self {
        ProgressHandle(Some(p))
    }
    fn phase(&self, name: &'static str) {
        if let Some(p) = &self.0 {
            p.phase(name);
        }
    }
    fn inputs(&self, files: u64, bytes: u64) {
        if let Some(p) = &self.0 {
            p.inputs(files, bytes);
        }
    }
    fn file_done(&self, bytes: u64, events: u64) {
        if let Some(p) = &self.0 {
            p.file_done(bytes, events);
        }
    }
}

impl std::fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressHandle(on)"
        } else {
            "ProgressHandle(off)"
        })
    }
}

/// Everything a build needs, validated (the CLI builds it; libraries never see clap).
#[derive(Debug, Default)]
pub struct BuildConfig {
    /// Files, folders, or `-` for standard input.
    pub inputs: Vec<String>,
    /// Paths never to read (the output folder).
    pub exclude: Vec<PathBuf>,
    /// Zone rules.
    pub zones: ZoneMap,
    /// `--year`.
    pub year: Option<i32>,
    /// `--format PATTERN=FORMAT`.
    pub format_overrides: Vec<FormatOverride>,
    /// T0 in µs, if given.
    pub t0_us: Option<i64>,
    /// The incident window in µs, if given.
    pub window: Option<(i64, i64)>,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Thresholds for the findings.
    pub findings: FindingsConfig,
    /// Progress display.
    pub progress: ProgressHandle,
}

/// One file after parsing, before the merge.
struct Parsed {
    summary: InputSummary,
    collected: Collected,
    parser: Option<&'static dyn Parser>,
    rel: String,
    mtime: Option<DateTime<Utc>>,
    time_notes: Vec<String>,
}

/// Runs a build and returns the timeline (outputs are written separately).
///
/// # Errors
/// [`EngineError`] only for problems with the INPUT arguments themselves or the thread pool.
pub fn build(cfg: &BuildConfig) -> Result<Timeline, EngineError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()
        .map_err(|e| EngineError::Threads(cfg.threads, e.to_string()))?;
    let files = discover(&cfg.inputs, &cfg.exclude)?;
    let registry = Registry::global();
    pool.install(|| build_in_pool(cfg, registry, files))
}

fn build_in_pool(
    cfg: &BuildConfig,
    registry: &'static Registry,
    files: Vec<SourceFile>,
) -> Result<Timeline, EngineError> {
    let total: u64 = files
        .iter()
        .filter_map(|f| f.fs_path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    cfg.progress.inputs(files.len() as u64, total);
    cfg.progress.phase("parse");
    let parsed: Vec<Parsed> = files
        .par_iter()
        .map(|f| {
            let p = parse_file(registry, cfg, f);
            cfg.progress.file_done(p.summary.size, p.summary.events);
            p
        })
        .collect();
    cfg.progress.phase("resolve");

    // Anchors for year inference: the span of the events that carry a full, zoned timestamp.
    let anchors = parsed
        .par_iter()
        .flat_map_iter(|p| p.collected.events.iter())
        .filter_map(|e| match e.time {
            TimeValue::Instant(t) if e.confidence == Confidence::High => Some(t.timestamp_micros()),
            _ => None,
        })
        .fold(
            || None,
            |acc: Option<(i64, i64)>, t| Some(acc.map_or((t, t), |(a, b)| (a.min(t), b.max(t)))),
        )
        .reduce(
            || None,
            |x, y| match (x, y) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (x, None) => x,
                (None, y) => y,
            },
        );

    // Rotated sets are resolved newest file first, each older file bounded by the first
    // date of the next newer one; sets and single files run in parallel.
    let shape: Vec<(&str, &str, bool)> = parsed
        .iter()
        .map(|p| {
            let year_less = p
                .collected
                .events
                .iter()
                .any(|e| matches!(e.time, TimeValue::LocalNoYear { .. }));
            (p.rel.as_str(), p.summary.format.as_str(), year_less)
        })
        .collect();
    let chains = rotation::chains(&shape);
    let mut slots: Vec<Option<Parsed>> = parsed.into_iter().map(Some).collect();
    let mut work: Vec<Vec<(usize, rotation::Rank, Parsed)>> = chains
        .into_iter()
        .map(|c| {
            c.into_iter()
                .filter_map(|(i, r)| slots[i].take().map(|p| (i, r, p)))
                .collect()
        })
        .collect();
    work.par_iter_mut().for_each(|chain| {
        let mut bound: Option<(chrono::NaiveDate, String)> = None;
        for (idx, rank, p) in chain.iter_mut() {
            let rotated_before = bound.clone().or_else(|| {
                rank.rotated_on().map(|d| {
                    (
                        d,
                        format!("{} was rotated on {d} (its name says)", p.summary.path),
                    )
                })
            });
            let chronological = p.parser.is_some_and(|x| x.chronological());
            let mut zones = cfg.zones.for_file(&p.rel, &p.summary.path);
            let mut ctx = FileContext {
                zones: &mut zones,
                year: YearEvidence {
                    given: cfg.year,
                    mtime: p.mtime,
                    anchors,
                    rotated_before,
                },
                chronological,
            };
            let (notes, first) = resolve_file_dated(&mut p.collected.events, &mut ctx);
            p.time_notes = notes;
            if let Some(first) = first {
                bound = Some((
                    first,
                    format!("the newer {} starts on {first}", p.summary.path),
                ));
            }
            for e in &mut p.collected.events {
                e.input = *idx as u32;
            }
        }
    });
    for (idx, _, p) in work.into_iter().flatten() {
        slots[idx] = Some(p);
    }
    let parsed: Vec<Parsed> = slots.into_iter().flatten().collect();

    let mut inputs: Vec<InputSummary> = Vec::with_capacity(parsed.len());
    let mut per_file: Vec<Vec<Event>> = Vec::with_capacity(parsed.len());
    let mut time_notes = Vec::new();
    let mut dedup_flags = Vec::new();
    for p in parsed {
        for n in &p.time_notes {
            time_notes.push(format!("{}: {n}", p.summary.path));
        }
        dedup_flags.push((
            p.parser.is_some_and(|x| x.dedup_by_event_id()),
            p.parser.is_some_and(|x| x.line_oriented()),
        ));
        inputs.push(p.summary);
        per_file.push(p.collected.events);
    }
    let dup = dedup::merge_duplicates(&mut per_file, &mut inputs, &dedup_flags);

    cfg.progress.phase("sort");
    let events = merge_sorted(per_file);

    let first = events.first().map(|e| e.ts_us);
    let last = events.last().map(|e| e.ts_us);
    let t0_us = cfg.t0_us.or(first).unwrap_or(0);
    let window = cfg
        .window
        .unwrap_or((t0_us, last.unwrap_or(t0_us).max(t0_us)));
    let run = RunInfo {
        t0_us,
        t0_given: cfg.t0_us.is_some(),
        window,
        window_given: cfg.window.is_some(),
        time_notes,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        duplicates_merged: dup.merged,
        ..RunInfo::default()
    };
    let mut tl = Timeline {
        events,
        findings: Vec::new(),
        inputs,
        run,
    };
    cfg.progress.phase("findings");
    let mut findings = tplus_findings::analyse(&mut tl, &cfg.findings);
    findings.extend(dup.findings);
    tl.findings = findings;
    Ok(tl)
}

/// Events gathered per rendered chunk of the merge (big enough to amortise the task, small
/// enough to balance the threads).
const MERGE_CHUNK: usize = 16 * 1024;

/// Waves of the merge: the sorted vector is filled in this many slices of the key order, and
/// after each one the files' memory that no later wave reads is given back to the OS.
const MERGE_WAVES: usize = 12;

/// Events per block of a file's vector: the unit of release (1.6 MB of `Event`s).
const MERGE_BLOCK: usize = 4096;

/// Joins the files' events into one vector sorted on the total key `(time, input, byte
/// offset, record or line)`: unique per event, so the order does not depend on the number
/// of threads.
///
/// An event is about 400 bytes, so a comparison sort that swaps events moves each one
/// log(n) times, and joining the files first copies them all once more. Instead the keys
/// (40 bytes, with the event's file and index) are sorted in parallel, and the sorted vector
/// is then filled in parallel, each thread moving a run of events straight from the files'
/// vectors to their final place: every event is moved exactly once, by all threads.
///
/// The fill runs in waves (slices of the key order). A file's vector is cut into blocks; once
/// every event of a block has been moved, the block's pages are given back to the OS (Linux),
/// so the files' vectors shrink in memory while the sorted vector grows, instead of both
/// being resident at the end (log files are mostly chronological: their blocks complete
/// progressively).
pub fn merge_sorted(per_file: Vec<Vec<Event>>) -> Vec<Event> {
    merge_in_waves(per_file, MERGE_WAVES, MERGE_BLOCK).0
}

/// [`merge_sorted`] with its wave count and block size; also returns the bytes released
/// after each wave.
fn merge_in_waves(
    mut per_file: Vec<Vec<Event>>,
    waves: usize,
    block: usize,
) -> (Vec<Event>, Vec<usize>) {
    let mut keys: Vec<(i64, u32, u64, u64, u32, usize)> = per_file
        .par_iter()
        .enumerate()
        .flat_map_iter(|(f, events)| {
            // The run's inputs are numbered in u32 (`Event::input`), so files are too.
            let f = f as u32;
            events.iter().enumerate().map(move |(i, e)| {
                (
                    e.ts_us,
                    e.input,
                    e.location.offset,
                    e.location.record.or(e.location.line).unwrap_or(0),
                    f,
                    i,
                )
            })
        })
        .collect();
    keys.par_sort_unstable();
    let total = keys.len();
    let block = block.max(1);
    let waves = waves.max(1);

    // Every block of every file, with the last destination position of its events: the
    // block may be released once the waves have filled that position.
    let first_block: Vec<usize> = per_file
        .iter()
        .scan(0, |n, events| {
            let first = *n;
            *n += events.len().div_ceil(block);
            Some(first)
        })
        .collect();
    let mut last_pos = vec![0usize; per_file.iter().map(|v| v.len().div_ceil(block)).sum()];
    for (pos, &(.., f, i)) in keys.iter().enumerate() {
        // Positions only grow, so the last write is the block's largest position.
        last_pos[first_block[f as usize] + i / block] = pos;
    }
    let mut blocks: Vec<(usize, usize, usize)> = first_block
        .iter()
        .zip(&per_file)
        .enumerate()
        .flat_map(|(f, (&first, events))| {
            let last_pos = &last_pos;
            (0..events.len().div_ceil(block)).map(move |b| (last_pos[first + b], f, b))
        })
        .collect();
    blocks.sort_unstable();

    // The events are read through raw pointers from here on, and the vectors no longer count
    // them: they stay allocated (and are dropped, as empty vectors, at the end), but a panic
    // can never drop an event that was moved out or whose memory was released.
    let sources: Vec<Source> = per_file
        .iter_mut()
        .map(|events| {
            let source = Source {
                base: events.as_mut_ptr(),
                len: events.len(),
            };
            // SAFETY: zero is within capacity, and `Event` needs no initialisation to be
            // forgotten; the events stay in the buffer, read through `base` below.
            unsafe { events.set_len(0) };
            source
        })
        .collect();

    let mut sorted: Vec<Event> = Vec::with_capacity(total);
    let mut released = vec![0; waves];
    let mut next_block = 0;
    let mut done = 0;
    for wave in 1..=waves {
        let end = total * wave / waves;
        let sources = &sources;
        sorted.spare_capacity_mut()[done..end]
            .par_chunks_mut(MERGE_CHUNK)
            .zip(keys[done..end].par_chunks(MERGE_CHUNK))
            .for_each(|(slots, keys)| {
                for (slot, &(.., f, i)) in slots.iter_mut().zip(keys) {
                    let source = sources[f as usize];
                    assert!(i < source.len);
                    // SAFETY: `base` points to the file's buffer (alive until the end of this
                    // function) and `i` is below its length, so `base + i` is a live,
                    // initialised event, and its block has not been released (its last
                    // position is at or beyond this wave). Every (file, index) pair is in
                    // exactly one key, so each event is copied out exactly once, and the
                    // original is never dropped or read again: the copy is its only owner.
                    slot.write(unsafe { std::ptr::read(source.base.add(i)) });
                }
            });
        done = end;
        while let Some(&(last, f, b)) = blocks.get(next_block) {
            if last >= done {
                break;
            }
            next_block += 1;
            let source = sources[f];
            let from = b * block;
            let to = (from + block).min(source.len);
            // SAFETY: `from..to` is within the file's events, all of which were moved into
            // `sorted` (the block's last position is below `done`) and are never read again.
            released[wave - 1] += unsafe { release(source.base.add(from), to - from) };
        }
    }
    // SAFETY: there is one key per event and one slot per key, and every slot of the first
    // `total` was written by the waves, which cover `0..total` (a panic would have stopped
    // before this line, leaving the events leaked, never dropped twice).
    unsafe { sorted.set_len(total) };
    // The vectors are empty: dropping them frees their buffers and drops no event.
    drop(per_file);
    (sorted, released)
}

/// A file's events during the merge: its buffer and how many events it held.
#[derive(Clone, Copy)]
struct Source {
    base: *mut Event,
    len: usize,
}

// SAFETY: a `Source` is only used to move distinct events out of a buffer that outlives the
// waves (each (file, index) is read by exactly one thread, once), and `Event` is `Send`.
unsafe impl Send for Source {}
// SAFETY: as for `Send`: shared between the threads of a wave, which read disjoint events.
unsafe impl Sync for Source {}

/// Gives back to the OS the whole pages strictly inside the `n` events at `at` and returns
/// their size in bytes (Linux; elsewhere nothing is released).
///
/// # Safety
/// `at..at + n` is inside a live allocation whose events were all moved out and will never be
/// read again (nor dropped) through it.
#[cfg(target_os = "linux")]
unsafe fn release(at: *mut Event, n: usize) -> usize {
    let page = page_size();
    let start = (at as usize).next_multiple_of(page);
    let end = (at as usize + n * std::mem::size_of::<Event>()) / page * page;
    if end <= start {
        return 0;
    }
    let offset = start - at as usize;
    // SAFETY: `start..end` is whole pages strictly inside the events' bytes, inside the live
    // allocation (the caller's promise). The allocator keeps no metadata there (the bytes are
    // part of a live block handed to `Vec`), and DONTNEED on private anonymous memory only
    // replaces those pages by zero-filled ones on the next touch: no one reads or drops the
    // moved-out events, so their bytes no longer matter. Failure (EINVAL, EAGAIN) only means
    // nothing was released; the merge does not depend on it.
    let done = unsafe {
        libc::madvise(
            at.cast::<u8>().add(offset).cast::<libc::c_void>(),
            end - start,
            libc::MADV_DONTNEED,
        )
    };
    if done == 0 {
        end - start
    } else {
        0
    }
}

/// Off Linux the merge releases nothing.
///
/// # Safety
/// As on Linux (nothing is done here).
#[cfg(not(target_os = "linux"))]
unsafe fn release(_at: *mut Event, _n: usize) -> usize {
    0
}

/// The system's page size (cached).
#[cfg(target_os = "linux")]
fn page_size() -> usize {
    static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PAGE.get_or_init(|| {
        // SAFETY: `sysconf` with a valid name only reads a system value.
        let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(n)
            .ok()
            .filter(|n| n.is_power_of_two())
            .unwrap_or(4096)
    })
}

fn parse_file(registry: &'static Registry, cfg: &BuildConfig, f: &SourceFile) -> Parsed {
    let loaded = load(f);
    let mut summary = InputSummary {
        path: f.listed.clone(),
        size: loaded.size,
        sha256: loaded.sha256.clone(),
        modified: loaded
            .mtime
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
        format: "unknown".to_owned(),
        ..InputSummary::default()
    };
    let mut parsed = Parsed {
        summary: InputSummary::default(),
        collected: Collected::default(),
        parser: None,
        rel: f.rel.clone(),
        mtime: loaded.mtime,
        time_notes: Vec::new(),
    };
    if let Some(fatal) = &loaded.fatal {
        summary.error = Some(fatal.clone());
        parsed.summary = summary;
        return parsed;
    }
    let data = loaded.bytes();
    if data.is_empty() {
        summary.format = "empty".to_owned();
        summary.notes.push("empty file".to_owned());
        if let Some(e) = &loaded.stream_error {
            summary.error = Some(e.clone());
        }
        parsed.summary = summary;
        return parsed;
    }
    let parser = registry.choose(&f.rel, &f.listed, data, &cfg.format_overrides);
    let mut collected = Collected::default();
    match parser {
        Some(p) => {
            summary.format = p.id().to_owned();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                registry::parse_all(p, data)
            }));
            match run {
                Ok(c) => collected = c,
                Err(_) => {
                    let n = tplus_model::lines::count_lines(data);
                    collected = Collected {
                        errors: n,
                        ..Collected::default()
                    };
                    summary.error = Some(format!("the {} parser failed on this file (a bug in tplus); its {n} lines are counted as errors", p.id()));
                }
            }
            parsed.parser = Some(p);
        }
        None => {
            let n = tplus_model::lines::count_lines(data);
            collected.errors = n;
            summary.error = Some(format!("format not recognised ({}); use --format PATTERN=FORMAT if it is a supported format", describe_head(data)));
        }
    }
    if let Some(e) = &loaded.stream_error {
        // The part of the stream that could not be decompressed is one more record in error.
        collected.errors += 1;
        collected.error_samples.push((
            tplus_model::Location {
                offset: data.len() as u64,
                ..Default::default()
            },
            e.clone(),
        ));
        summary.notes.push(e.clone());
    }
    summary.records = collected.records();
    summary.events = collected.events.len() as u64;
    summary.skipped = collected.skipped;
    summary.errors = collected.errors;
    for (reason, (n, at)) in &collected.skip_reasons {
        summary
            .notes
            .push(format!("skipped {n}: {reason} (first at {at})"));
    }
    summary.error_samples = collected
        .error_samples
        .iter()
        .map(|(at, m)| format!("{}: {at}: {m}", f.listed))
        .collect();
    if loaded.compressed {
        summary
            .notes
            .push("gzip: offsets are in the decompressed stream".to_owned());
    }
    parsed.summary = summary;
    parsed.collected = collected;
    parsed
}

fn describe_head(data: &[u8]) -> String {
    let head = &data[..data.len().min(512)];
    if head.starts_with(b"PK\x03\x04") {
        return "a zip archive: extract it first".to_owned();
    }
    let nul = head.iter().filter(|b| **b == 0).count();
    if nul > 0
        || std::str::from_utf8(head).is_err()
            && String::from_utf8_lossy(head)
                .chars()
                .filter(|c| *c == '\u{fffd}')
                .count()
                > 8
    {
        return "binary content".to_owned();
    }
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let text: String = String::from_utf8_lossy(first_line)
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    format!("first line {text:?}")
}

/// Sniffs inputs without building: `(listed path, size, format id or unknown)`.
///
/// # Errors
/// As [`build`] for the INPUT arguments.
pub fn sniff(
    inputs: &[String],
    overrides: &[FormatOverride],
) -> Result<Vec<(String, u64, String)>, EngineError> {
    let files = discover(inputs, &[])?;
    let registry = Registry::global();
    Ok(files
        .par_iter()
        .map(|f| {
            let l = load(f);
            let fmt = match &l.fatal {
                Some(e) => format!("unreadable ({e})"),
                None if l.bytes().is_empty() => "empty".to_owned(),
                None => registry
                    .choose(&f.rel, &f.listed, l.bytes(), overrides)
                    .map_or_else(|| "unknown".to_owned(), |p| p.id().to_owned()),
            };
            let fmt = if l.compressed {
                format!("{fmt} (gzip)")
            } else {
                fmt
            };
            (f.listed.clone(), l.size, fmt)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use tplus_model::Location;

    use super::*;

    fn event(ts_us: i64, input: u32, line: u64) -> Event {
        let mut e = Event::builder("test", TimeValue::Local(Default::default()), "x")
            .at(Location::line(line, line * 10))
            .build();
        e.ts_us = ts_us;
        e.input = input;
        e.message = format!("{ts_us}/{input}/{line}");
        e
    }

    /// The merge gives exactly what a stable sort of the files joined in order gives, for
    /// sorted, reversed, shuffled and duplicated times, split into one or several files.
    #[test]
    fn merge_matches_a_stable_sort_of_the_joined_files() {
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for n in [0usize, 1, 2, 3, 17, 1000, 40_000] {
            let shapes: [Box<dyn Fn(usize, u64) -> i64>; 4] = [
                Box::new(|i, _| i as i64),
                Box::new(move |i, _| (n - i) as i64),
                Box::new(|_, r| (r % 1_000_000) as i64),
                Box::new(|_, r| (r % 5) as i64),
            ];
            for shape in &shapes {
                for files in [1usize, 3] {
                    let events: Vec<Event> = (0..n)
                        .map(|i| event(shape(i, next()), (next() % 3) as u32, i as u64 + 1))
                        .collect();
                    let expected: Vec<String> = {
                        let mut v = events.clone();
                        v.sort_by_key(|e| (e.ts_us, e.input, e.location.offset));
                        v.into_iter().map(|e| e.message).collect()
                    };
                    let per_file: Vec<Vec<Event>> = events
                        .chunks(n.div_ceil(files).max(1))
                        .map(<[Event]>::to_vec)
                        .collect();
                    let got: Vec<String> = merge_sorted(per_file)
                        .into_iter()
                        .map(|e| e.message)
                        .collect();
                    assert_eq!(got.len(), n);
                    assert_eq!(got, expected, "n = {n}, {files} files");
                }
            }
        }
    }

    /// The merge in waves releases the blocks of the files' vectors as their events are all
    /// moved (early for chronological files, late for a reversed one), and still gives what a
    /// stable sort gives, whatever the number of threads. A block released too early would
    /// hand zero-filled events to the sorted vector (empty messages, time 0).
    #[test]
    fn merge_in_waves_releases_moved_blocks_and_keeps_the_order() {
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        // Five files over the same hour: three chronological (one with stragglers, one with
        // equal times), one reversed, one shuffled; line numbers restart in each file.
        let mut per_file: Vec<Vec<Event>> = Vec::new();
        for (f, n) in [3000usize, 2500, 2000, 1500, 1000].into_iter().enumerate() {
            let input = (f % 3) as u32;
            let events: Vec<Event> = (0..n)
                .map(|i| {
                    let ts = match f {
                        0 => i as i64 * 1200,
                        1 if next() % 50 == 0 => (next() % 3_600_000) as i64,
                        1 => i as i64 * 1440,
                        2 => (i / 7) as i64 * 1800 * 7,
                        3 => (n - i) as i64 * 2400,
                        _ => (next() % 3_600_000) as i64,
                    };
                    event(ts, input, i as u64 + 1)
                })
                .collect();
            per_file.push(events);
        }
        let expected: Vec<String> = {
            let mut v: Vec<Event> = per_file.concat();
            v.sort_by_key(|e| (e.ts_us, e.input, e.location.offset));
            v.into_iter().map(|e| e.message).collect()
        };
        // Blocks of three pages and more: at least two whole pages inside each.
        #[cfg(target_os = "linux")]
        let page = page_size();
        #[cfg(not(target_os = "linux"))]
        let page = 4096;
        let block = (3 * page).div_ceil(std::mem::size_of::<Event>());
        assert!(per_file.iter().all(|v| v.len() >= 10 * block));
        for threads in [1, 2, 5] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let (sorted, released) = pool.install(|| merge_in_waves(per_file.clone(), 16, block));
            let got: Vec<String> = sorted.into_iter().map(|e| e.message).collect();
            assert_eq!(got, expected, "{threads} threads");
            if cfg!(target_os = "linux") {
                let bytes: usize = per_file
                    .iter()
                    .map(|v| v.len() * std::mem::size_of::<Event>())
                    .sum();
                let total: usize = released.iter().sum();
                // Every block is released by the end, all but at most two pages of each.
                let blocks = per_file
                    .iter()
                    .map(|v| v.len().div_ceil(block))
                    .sum::<usize>();
                assert!(
                    total + blocks * 2 * page >= bytes,
                    "{released:?} of {bytes}"
                );
                // Most waves release something, the first ones included.
                let early = released[..8].iter().filter(|&&r| r > 0).count();
                assert!(early >= 6, "{released:?}");
            }
        }
    }
}
