//! From raw arguments and the case file to a validated [`RunConfig`]: all validation in one
//! place, command-line options winning over the case file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tplus_engine::{BuildConfig, FindingsConfig, FormatOverride};
use tplus_model::time::{parse_instant, ZoneMap, ZoneOrigin, ZoneRule};

use crate::args::BuildArgs;

/// A usage error (exit 2) or a build failure (exit 1).
#[derive(Debug)]
pub enum ConfigError {
    Usage(String),
    Case(String),
}

/// The case file. Unknown keys are an error naming the key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// Title of the incident review.
    pub title: Option<String>,
    /// Incident start (RFC 3339 with zone).
    pub t0: Option<String>,
    /// Incident window.
    pub window: Option<CaseWindow>,
    /// Zone map: `PATTERN = "ZONE"`, `"host:NAME" = "ZONE"`, `default = "ZONE"`.
    #[serde(default)]
    pub tz: BTreeMap<String, String>,
    /// People invited to the review.
    #[serde(default)]
    pub attendees: Vec<String>,
    /// Hypotheses to test.
    #[serde(default)]
    pub hypotheses: Vec<String>,
    /// Open questions.
    #[serde(default)]
    pub questions: Vec<String>,
    /// Format ids the evidence should contain.
    #[serde(default)]
    pub expected_sources: Vec<String>,
    /// Role labels for `--pseudonymise`: `"real name" = "role label"`.
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
}

/// `window = { start = "...", end = "..." }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseWindow {
    pub start: String,
    pub end: String,
}

pub struct RunConfig {
    pub build: BuildConfig,
    pub out: PathBuf,
    pub force: bool,
    pub quiet: bool,
    pub title: Option<String>,
    pub attendees: Vec<String>,
    pub hypotheses: Vec<String>,
    pub questions: Vec<String>,
    pub pseudonymise: bool,
    pub redact: bool,
    pub roles: BTreeMap<String, String>,
}

fn read_case(path: &Path) -> Result<CaseFile, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::Case(format!("case file {}: {e}", path.display())))?;
    toml::from_str(&text)
        .map_err(|e| ConfigError::Case(format!("case file {}: {e}", path.display())))
}

fn instant_us(s: &str, what: &str) -> Result<i64, String> {
    parse_instant(s).map(|t| t.timestamp_micros()).map_err(|e| {
        format!("{what} {s:?}: {e}; expected RFC 3339 with a zone, e.g. 2025-11-02T05:22:30Z")
    })
}

impl RunConfig {
    pub fn from_args(a: BuildArgs) -> Result<RunConfig, ConfigError> {
        let case = match &a.case {
            Some(p) => read_case(p)?,
            None => CaseFile::default(),
        };
        let t0_us = match (&a.t0, &case.t0) {
            (Some(t), _) => Some(instant_us(t, "--t0").map_err(ConfigError::Usage)?),
            (None, Some(t)) => Some(instant_us(t, "case file t0").map_err(ConfigError::Case)?),
            (None, None) => None,
        };
        let window = match (&a.window, &case.window) {
            (Some(w), _) => {
                let (s, e) = w.split_once("..").ok_or_else(|| {
                    ConfigError::Usage(format!("--window {w:?}: expected START..END"))
                })?;
                Some((
                    instant_us(s, "--window start").map_err(ConfigError::Usage)?,
                    instant_us(e, "--window end").map_err(ConfigError::Usage)?,
                ))
            }
            (None, Some(w)) => Some((
                instant_us(&w.start, "case file window.start").map_err(ConfigError::Case)?,
                instant_us(&w.end, "case file window.end").map_err(ConfigError::Case)?,
            )),
            (None, None) => None,
        };
        if let Some((s, e)) = window {
            if s > e {
                return Err(ConfigError::Usage(
                    "the window's start is after its end".to_owned(),
                ));
            }
        }
        let mut zones = ZoneMap::default();
        for spec in &a.tz {
            zones.push(
                ZoneRule::parse(spec, ZoneOrigin::CommandLine)
                    .map_err(|e| ConfigError::Usage(e.to_string()))?,
            );
        }
        for (pat, zone) in &case.tz {
            let spec = if pat == "default" {
                zone.clone()
            } else {
                format!("{pat}={zone}")
            };
            zones.push(
                ZoneRule::parse(&spec, ZoneOrigin::CaseFile)
                    .map_err(|e| ConfigError::Case(format!("case file tz: {e}")))?,
            );
        }
        if let Some(y) = a.year {
            if !(1970..=9999).contains(&y) {
                return Err(ConfigError::Usage(format!(
                    "--year {y}: expected a year from 1970 to 9999"
                )));
            }
        }
        let format_overrides = a
            .formats
            .iter()
            .map(|s| FormatOverride::parse(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(ConfigError::Usage)?;
        let mut findings = FindingsConfig::default();
        findings.expected_sources = case.expected_sources.clone();
        let build = BuildConfig {
            inputs: a.inputs,
            exclude: vec![a.out.clone()],
            zones,
            year: a.year,
            format_overrides,
            t0_us,
            window,
            threads: a.threads,
            findings,
        };
        Ok(RunConfig {
            build,
            out: a.out,
            force: a.force,
            quiet: a.quiet,
            title: case.title,
            attendees: case.attendees,
            hypotheses: case.hypotheses,
            questions: case.questions,
            pseudonymise: a.pseudonymise,
            redact: a.redact,
            roles: case.roles,
        })
    }
}
