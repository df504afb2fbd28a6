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
    /// Role labels for `--pseudonymise`: `"account name" = "role label"`.
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
    pub timings: bool,
    pub pseudonymise: bool,
    pub redact: bool,
    pub roles: BTreeMap<String, String>,
    pub title: Option<String>,
    pub attendees: Vec<String>,
    pub hypotheses: Vec<String>,
    pub questions: Vec<String>,
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

/// Applies the `--gap-*` / `--skew-*` options over the findings defaults.
fn apply_thresholds(t: &crate::args::FindingsArgs, f: &mut FindingsConfig) -> Result<(), String> {
    fn secs(v: Option<f64>, flag: &str, into: &mut i64) -> Result<(), String> {
        if let Some(s) = v {
            if !s.is_finite() || !(0.0..=1e9).contains(&s) {
                return Err(format!("--{flag} {s}: expected a number of seconds >= 0"));
            }
            *into = (s * 1e6).round() as i64;
        }
        Ok(())
    }
    fn factor(v: Option<f64>, flag: &str, into: &mut f64) -> Result<(), String> {
        if let Some(x) = v {
            if !x.is_finite() || x < 1.0 {
                return Err(format!("--{flag} {x}: expected a factor >= 1"));
            }
            *into = x;
        }
        Ok(())
    }
    secs(
        t.gap_min_silence,
        "gap-min-silence",
        &mut f.gap_min_silence_us,
    )?;
    factor(
        t.gap_cadence_factor,
        "gap-cadence-factor",
        &mut f.gap_cadence_factor,
    )?;
    factor(
        t.gap_recurrence_factor,
        "gap-recurrence-factor",
        &mut f.gap_recurrence_factor,
    )?;
    if let Some(n) = t.gap_min_events {
        f.gap_min_events = n.max(3);
    }
    secs(
        t.gap_sparse_mean,
        "gap-sparse-mean",
        &mut f.gap_sparse_mean_us,
    )?;
    secs(
        t.gap_tamper_link,
        "gap-tamper-link",
        &mut f.gap_tamper_link_us,
    )?;
    secs(
        t.gap_coverage_tolerance,
        "gap-coverage-tolerance",
        &mut f.coverage_tolerance_us,
    )?;
    secs(
        t.skew_tolerance,
        "skew-tolerance",
        &mut f.skew_host_tolerance_us,
    )?;
    secs(
        t.skew_login_tolerance,
        "skew-login-tolerance",
        &mut f.skew_login_tolerance_us,
    )?;
    Ok(())
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
        apply_thresholds(&a.thresholds, &mut findings).map_err(ConfigError::Usage)?;
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
            progress: tplus_engine::ProgressHandle::default(),
        };
        Ok(RunConfig {
            build,
            out: a.out,
            force: a.force,
            quiet: a.quiet,
            timings: a.timings,
            pseudonymise: a.pseudonymise,
            redact: a.redact,
            roles: case.roles,
            title: case.title,
            attendees: case.attendees,
            hypotheses: case.hypotheses,
            questions: case.questions,
        })
    }
}

#[cfg(test)]
mod threshold_tests {
    use super::*;
    use clap::CommandFactory;

    /// The `[default: N]` in the help of each `--gap-*` / `--skew-*` flag is the library's.
    #[test]
    fn threshold_help_states_the_library_defaults() {
        let d = FindingsConfig::default();
        let us = |v: i64| format!("[default: {}]", v / 1_000_000);
        let want = [
            ("gap-min-silence", us(d.gap_min_silence_us)),
            (
                "gap-cadence-factor",
                format!("[default: {}]", d.gap_cadence_factor),
            ),
            (
                "gap-recurrence-factor",
                format!("[default: {}]", d.gap_recurrence_factor),
            ),
            ("gap-min-events", format!("[default: {}]", d.gap_min_events)),
            ("gap-sparse-mean", us(d.gap_sparse_mean_us)),
            ("gap-tamper-link", us(d.gap_tamper_link_us)),
            ("gap-coverage-tolerance", us(d.coverage_tolerance_us)),
            ("skew-tolerance", us(d.skew_host_tolerance_us)),
            ("skew-login-tolerance", us(d.skew_login_tolerance_us)),
        ];
        let mut cmd = crate::args::Cli::command();
        let build = cmd.find_subcommand_mut("build").expect("build subcommand");
        for (flag, default) in want {
            let arg = build
                .get_arguments()
                .find(|a| a.get_long() == Some(flag))
                .unwrap_or_else(|| panic!("--{flag} exists"));
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            assert!(help.ends_with(&default), "--{flag}: {help} vs {default}");
        }
    }

    #[test]
    fn thresholds_apply_and_bad_values_are_usage_errors() {
        let mut f = FindingsConfig::default();
        let t = crate::args::FindingsArgs {
            gap_min_silence: Some(300.0),
            gap_cadence_factor: Some(6.0),
            ..Default::default()
        };
        apply_thresholds(&t, &mut f).expect("valid");
        assert_eq!(f.gap_min_silence_us, 300_000_000);
        assert_eq!(f.gap_cadence_factor, 6.0);
        let bad = crate::args::FindingsArgs {
            gap_cadence_factor: Some(0.5),
            ..Default::default()
        };
        assert!(apply_thresholds(&bad, &mut f).is_err());
    }
}
