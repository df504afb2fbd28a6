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
// Parsed once per run: boxing the build's arguments would buy nothing.
#[allow(clippy::large_enum_variant)]
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
    /// Write into a non-empty output folder (and replace an existing --bulk FILE).
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
    /// In the pre-read and the report, replace people's names with stable pseudonyms
    /// (user-1, or role labels from the case file); the mapping goes to pseudonyms.csv.
    #[arg(long, alias = "pseudonymize")]
    pub pseudonymise: bool,
    /// In the pre-read and the report, remove secrets and tokens (keys, bearer tokens,
    /// passwords in command lines) for a version that can be shared widely.
    #[arg(long)]
    pub redact: bool,
    /// Print how long each phase of the build took (on stderr).
    #[arg(long)]
    pub timings: bool,
    /// Also write the timeline as Parquet, Hive-partitioned by UTC day
    /// (DIR/timeline/date=YYYY-MM-DD/), and the findings (DIR/findings/).
    #[arg(long, value_name = "DIR")]
    pub parquet: Option<PathBuf>,
    /// Also write OpenSearch/Elasticsearch bulk NDJSON, and FILE.template.json beside it.
    #[arg(long, value_name = "FILE")]
    pub bulk: Option<PathBuf>,
    /// Index name in the bulk actions and the template.
    #[arg(long, value_name = "NAME", default_value = tplus_export::DEFAULT_INDEX, requires = "bulk")]
    pub bulk_index: String,
    #[command(flatten)]
    pub thresholds: Box<FindingsArgs>,
}

/// Findings thresholds. The defaults are meant to be right without tuning; change them only
/// when a finding is plainly wrong for your evidence.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "Findings thresholds")]
pub struct FindingsArgs {
    /// Telemetry gap: no silence shorter than this is a gap [default: 600]
    #[arg(long, value_name = "SECONDS")]
    pub gap_min_silence: Option<f64>,
    /// Telemetry gap: a silence must exceed F x the stream's 99th-percentile time between events [default: 4]
    #[arg(long, value_name = "F")]
    pub gap_cadence_factor: Option<f64>,
    /// Telemetry gap: ... and F x the stream's recurring long silence (its 4th longest), so quiet between bursts, nights and weekends are not gaps [default: 3]
    #[arg(long, value_name = "F")]
    pub gap_recurrence_factor: Option<f64>,
    /// Telemetry gap: streams with fewer events have no cadence and give no gap findings [default: 30]
    #[arg(long, value_name = "N")]
    pub gap_min_events: Option<usize>,
    /// Telemetry gap: streams averaging more than this between events are sparse and give no gap findings [default: 3600]
    #[arg(long, value_name = "SECONDS")]
    pub gap_sparse_mean: Option<f64>,
    /// Telemetry gap: a logging-tamper event up to this long before a silence is linked to it [default: 900]
    #[arg(long, value_name = "SECONDS")]
    pub gap_tamper_link: Option<f64>,
    /// Coverage gap: starting after T0 or ending before the window's end by less than this is not a gap [default: 300]
    #[arg(long, value_name = "SECONDS")]
    pub gap_coverage_tolerance: Option<f64>,
    /// Clock skew: offsets between journald and syslog copies of one host's lines up to this are normal [default: 2]
    #[arg(long, value_name = "SECONDS")]
    pub skew_tolerance: Option<f64>,
    /// Clock skew: median offsets between IdP and cloud-trail logins of the same users up to this are normal [default: 120]
    #[arg(long, value_name = "SECONDS")]
    pub skew_login_tolerance: Option<f64>,
}
