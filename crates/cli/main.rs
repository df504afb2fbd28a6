//! `tplus`: the thin binary. It parses arguments, builds one validated configuration,
//! connects the engine to the report sinks and custody, and maps errors to exit codes
//! (0 built, 1 could not build, 2 usage error).
#![deny(unsafe_op_in_unsafe_fn)]

mod args;
mod config;
mod progress;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Parser;
use tplus_custody::{inputs_listing, InputRecord, Manifest, OutputRecord, Tool};
use tplus_engine::{FormatOverride, Registry};
use tplus_report::escape::terminal;

use crate::args::{Cli, Command};
use crate::config::{ConfigError, RunConfig};

/// mimalloc instead of the system allocator: a build makes millions of small, short-lived
/// allocations on every worker thread, where glibc's per-thread arenas cost CPU and
/// fragment (measured: user time 19-20 s -> 13-16 s on the 222 MB bench corpus).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build(a) => {
            let export = Export {
                parquet: a.parquet.clone(),
                bulk: a.bulk.clone(),
                bulk_index: a.bulk_index.clone(),
            };
            if let Err(m) = tplus_export::validate_index_name(&export.bulk_index) {
                eprintln!("tplus: {}", terminal(&m));
                return ExitCode::from(2);
            }
            match RunConfig::from_args(a) {
                Ok(cfg) => build(cfg, export),
                Err(ConfigError::Usage(m)) => {
                    eprintln!("tplus: {}", terminal(&m));
                    return ExitCode::from(2);
                }
                Err(ConfigError::Case(m)) => Err(anyhow::anyhow!(m)),
            }
        }
        Command::Verify { manifest, base } => verify(&manifest, base.as_deref()),
        Command::Formats => formats(),
        Command::Sniff { inputs, formats } => sniff(&inputs, &formats),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tplus: {}", terminal(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

fn prepare_out(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("output {} exists and is not a folder", dir.display());
        }
        let non_empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read output folder {}", dir.display()))?
            .next()
            .is_some();
        if non_empty && !force {
            bail!(
                "output folder {} is not empty (use --force to write into it)",
                dir.display()
            );
        }
    } else {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}", dir.display()))?;
    }
    Ok(())
}

/// The hand-off outputs (`--parquet`, `--bulk`).
struct Export {
    parquet: Option<PathBuf>,
    bulk: Option<PathBuf>,
    bulk_index: String,
}

/// Custody path of a hand-off output: relative to the output folder when inside it (like the
/// other outputs), else as given on the command line (relative to the build's `base`).
fn output_path(out: &Path, written: &str) -> String {
    Path::new(written)
        .strip_prefix(out)
        .map_or_else(|_| written.to_owned(), |p| p.display().to_string())
}

fn build(mut cfg: RunConfig, export: Export) -> Result<ExitCode> {
    let started = Instant::now();
    // `-j` bounds the whole run: the engine builds on a pool of its own, but the outputs
    // (sinks in parallel, JSONL/CSV blocks, Parquet columns) run on rayon's global pool,
    // which otherwise takes every core whatever `-j` says.
    rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.build.threads)
        .build_global()
        .with_context(|| format!("cannot start {} worker threads", cfg.build.threads))?;
    // Refuse what is bound to fail before spending the build on it.
    if let Some(dir) = &export.parquet {
        tplus_export::check_parquet_target(dir)?;
        cfg.build.exclude.push(dir.clone());
    }
    if let Some(file) = &export.bulk {
        tplus_export::check_bulk_target(file, cfg.force)?;
        cfg.build.exclude.push(file.clone());
    }
    prepare_out(&cfg.out, cfg.force)?;
    let bar = if cfg.timings {
        None
    } else {
        progress::Bar::for_stderr(cfg.quiet)
    };
    if let Some(b) = &bar {
        cfg.build.progress = tplus_engine::ProgressHandle::new(b.clone());
    }
    let timings = cfg.timings.then(progress::Timings::new);
    if let Some(t) = &timings {
        cfg.build.progress = tplus_engine::ProgressHandle::new(t.clone());
    }
    let mut tl = tplus_engine::build(&cfg.build)?;
    if let Some(b) = &bar {
        tplus_engine::Progress::phase(b.as_ref(), "write");
    }
    if let Some(t) = &timings {
        tplus_engine::Progress::phase(t.as_ref(), "write");
    }
    tl.run.title = cfg.title.clone();
    tl.run.attendees = cfg.attendees.clone();
    tl.run.hypotheses = cfg.hypotheses.clone();
    tl.run.open_questions = cfg.questions.clone();

    let inputs: Vec<InputRecord> = tl
        .inputs
        .iter()
        .map(|i| InputRecord {
            path: i.path.clone(),
            size: i.size,
            sha256: i.sha256.clone(),
            modified: i.modified.clone(),
            format: i.format.clone(),
            records: i.records,
            events: i.events,
            skipped: i.skipped,
            errors: i.errors,
            error: i.error.clone(),
            notes: i.notes.clone(),
            first_errors: i.error_samples.clone(),
        })
        .collect();
    let (listing, digest) = inputs_listing(&inputs);
    tl.run.inputs_digest = digest.clone();
    let listing_path = cfg.out.join("inputs.sha256");
    std::fs::write(&listing_path, &listing)
        .with_context(|| format!("cannot write {}", listing_path.display()))?;

    // The hand-off files are written while the outputs are: both mostly wait on the disk
    // (the bulk file alone is the size of the JSONL), and both run on the same `-j` threads.
    let (outputs, handed) = rayon::join(
        || write_the_outputs(&cfg, &tl),
        || hand_off(&export, &tl, cfg.force),
    );
    let mut outputs = outputs?;
    let handed = handed?;
    outputs.push(OutputRecord {
        path: "inputs.sha256".to_owned(),
        sha256: digest.clone(),
    });
    outputs.extend(handed.into_iter().map(|r| OutputRecord {
        path: output_path(&cfg.out, &r.path),
        sha256: r.sha256,
    }));

    let manifest = Manifest {
        tool: Tool {
            name: "tplus".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        created: chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string(),
        command: std::env::args().collect(),
        base: std::env::current_dir()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        inputs_digest: digest,
        inputs,
        outputs,
    };
    let custody_path = cfg.out.join("custody.json");
    let json = serde_json::to_vec_pretty(&manifest).context("cannot serialise custody.json")?;
    std::fs::write(&custody_path, json)
        .with_context(|| format!("cannot write {}", custody_path.display()))?;

    if let Some(b) = &bar {
        b.finish();
    }
    if let Some(t) = &timings {
        t.finish();
    }
    if !cfg.quiet {
        let errors: u64 = tl.inputs.iter().map(|i| i.errors).sum();
        let unread = tl.inputs.iter().filter(|i| i.error.is_some()).count();
        let mut err = std::io::stderr().lock();
        for i in tl
            .inputs
            .iter()
            .filter(|i| i.error.is_some() || i.errors > 0)
        {
            let why = i.error.clone().unwrap_or_else(|| {
                format!("{} of {} records could not be read", i.errors, i.records)
            });
            let _ = writeln!(err, "tplus: {}: {}", terminal(&i.path), terminal(&why));
        }
        let _ = writeln!(
            err,
            "tplus: {} events from {} inputs ({} records in error, {} inputs not fully read), {} findings, in {:.2} s -> {}",
            tl.events.len(),
            tl.inputs.len(),
            errors,
            unread,
            tl.findings.len(),
            started.elapsed().as_secs_f64(),
            terminal(&cfg.out.display().to_string())
        );
    }
    // The process ends here: freeing a million events' strings one by one would add seconds
    // to the build for nothing, the OS reclaims the memory at once.
    std::mem::forget(std::mem::take(&mut tl.events));
    Ok(ExitCode::SUCCESS)
}

/// The outputs of the output folder, in custody order: with `--pseudonymise`/`--redact`, the
/// evidence from the timeline as built and the reading outputs from an altered copy.
fn write_the_outputs(cfg: &RunConfig, tl: &tplus_model::Timeline) -> Result<Vec<OutputRecord>> {
    Ok(if cfg.pseudonymise || cfg.redact {
        // The evidence outputs stay complete; only the reading outputs are altered.
        let mut outputs =
            tplus_engine::write_outputs(&cfg.out, tl, &tplus_report::evidence_sinks())?;
        let mut shared = tl.clone();
        let mut notice = Vec::new();
        if cfg.pseudonymise {
            let table = tplus_report::privacy::pseudonymise(&mut shared, &cfg.roles);
            let csv = tplus_report::privacy::pseudonyms_csv(&table);
            let path = cfg.out.join("pseudonyms.csv");
            std::fs::write(&path, &csv)
                .with_context(|| format!("cannot write {}", path.display()))?;
            outputs.push(OutputRecord {
                path: "pseudonyms.csv".to_owned(),
                sha256: tplus_custody::sha256_hex(csv.as_bytes()),
            });
            notice.push(format!(
                "{} human names replaced by pseudonyms (mapping in pseudonyms.csv, for the facilitator only)",
                table.len()
            ));
        }
        if cfg.redact {
            let n = tplus_report::privacy::redact(&mut shared);
            notice.push(format!(
                "secrets, tokens, passwords and e-mail addresses redacted ({n} fields); timeline.jsonl and timeline.csv keep the complete evidence"
            ));
        }
        outputs.extend(tplus_engine::write_outputs(
            &cfg.out,
            &shared,
            &tplus_report::reading_sinks(Some(notice.join("; "))),
        )?);
        outputs
    } else {
        tplus_engine::write_outputs(&cfg.out, tl, &tplus_report::default_sinks())?
    })
}

/// `--parquet` and `--bulk`, in that order.
fn hand_off(export: &Export, tl: &tplus_model::Timeline, force: bool) -> Result<Vec<OutputRecord>> {
    let mut handed = Vec::new();
    if let Some(dir) = &export.parquet {
        handed.extend(tplus_export::write_parquet(
            dir,
            tl,
            &tplus_export::ParquetOptions::default(),
        )?);
    }
    if let Some(file) = &export.bulk {
        handed.extend(tplus_export::write_bulk(
            file,
            &export.bulk_index,
            tl,
            force,
        )?);
    }
    Ok(handed)
}

fn verify(manifest: &Path, base: Option<&Path>) -> Result<ExitCode> {
    let m = tplus_custody::read_manifest(manifest)?;
    let base = base.map_or_else(|| Path::new(&m.base).to_owned(), Path::to_owned);
    let r = tplus_custody::verify(&m, &base);
    let mut err = std::io::stderr().lock();
    for (p, e) in &r.missing {
        let _ = writeln!(err, "MISSING {}: {}", terminal(p), terminal(e));
    }
    for (p, want, got) in &r.changed {
        let _ = writeln!(err, "CHANGED {}: expected {want}, found {got}", terminal(p));
    }
    for p in &r.unhashed {
        let _ = writeln!(
            err,
            "NOT CHECKED {} (no hash recorded: standard input or unreadable at build time)",
            terminal(p)
        );
    }
    println!("{} of {} inputs verified", r.matched.len(), m.inputs.len());
    Ok(if r.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn formats() -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{:<24} {:<7} reads", "format", "family")?;
    for p in Registry::global().parsers() {
        writeln!(
            out,
            "{:<24} {:<7} {}",
            p.id(),
            p.family().as_str(),
            p.describe()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn sniff(inputs: &[String], formats: &[String]) -> Result<ExitCode> {
    let overrides = match formats
        .iter()
        .map(|s| FormatOverride::parse(s))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(o) => o,
        Err(m) => {
            eprintln!("tplus: {}", terminal(&m));
            return Ok(ExitCode::from(2));
        }
    };
    let rows = tplus_engine::sniff(inputs, &overrides)?;
    let mut out = std::io::stdout().lock();
    for (path, size, fmt) in rows {
        writeln!(out, "{}\t{}\t{}", terminal(&path), size, terminal(&fmt))?;
    }
    Ok(ExitCode::SUCCESS)
}
