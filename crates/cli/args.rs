//! Command-line arguments as clap sees them. They are turned into validated library
//! configurations in `config.rs`; no library crate sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Reconstructs incident timelines from log exports.
#[derive(Debug, Parser)]
#[command(name = "tplus", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the timeline, findings, pre-read, report and custody manifest.
    Build(BuildArgs),
    /// Re-hash every input listed in a custody manifest.
    Verify {
        /// custody.json of a build.
        manifest: PathBuf,
        /// Resolve relative input paths against DIR instead of the build's working directory.
        #[arg(long, value_name = "DIR")]
        base: Option<PathBuf>,
    },
    /// List every supported format.
    Formats,
    /// Show each file's detected format and size without building.
    Sniff {
        /// Files or folders.
        #[arg(required = true)]
        inputs: Vec<String>,
        /// Override detection for matching files (PATTERN=FORMAT).
        #[arg(long = "format", value_name = "PATTERN=FORMAT")]
        formats: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Files or folders (walked recursively), `-` for standard input.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output folder.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// Write into a non-empty output folder.
    #[arg(long)]
    pub force: bool,
    /// Incident start, RFC 3339 with a zone.
    #[arg(long, value_name = "TIME")]
    pub t0: Option<String>,
    /// Incident window START..END (RFC 3339 times).
    #[arg(long, value_name = "START..END")]
    pub window: Option<String>,
    /// IANA zone for zone-less timestamps: ZONE, GLOB=ZONE or host:NAME=ZONE (repeatable).
    #[arg(long = "tz", value_name = "[PATTERN=]ZONE")]
    pub tz: Vec<String>,
    /// Year of the first line of year-less files (classic syslog).
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Override detection for matching files (repeatable).
    #[arg(long = "format", value_name = "PATTERN=FORMAT")]
    pub formats: Vec<String>,
    /// TOML case file (title, t0, window, zones, attendees, hypotheses, expected sources).
    #[arg(long, value_name = "FILE")]
    pub case: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long = "threads", value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// No progress or summary on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Replace human names in preread.md and report.html with stable pseudonyms (`user-1`
    /// or case-file `[roles]` labels); the mapping goes to pseudonyms.csv.
    #[arg(long, alias = "pseudonymize")]
    pub pseudonymise: bool,
    /// Remove secrets, tokens, passwords and e-mail addresses from preread.md and report.html.
    #[arg(long)]
    pub redact: bool,
}
