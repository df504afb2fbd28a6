//! parse_errors, unread_input and source_missing: one finding per file, counts and the
//! first locations.

mod common;

use common::*;
use tplus_findings::{analyse, FindingsConfig};
use tplus_model::{FindingKind, Severity};

#[test]
fn one_parse_errors_finding_per_file_with_counts_and_first_locations() {
    let mut g = Gen::default();
    let a = g.input("web-1/auth.log", "linux.syslog");
    let b = g.input("db-1/auth.log", "linux.syslog");
    let _unread = g.input("notes.txt", "unknown");
    g.stream(a, "linux.syslog", Some("web-1"), &[monday(), monday() + S]);
    g.stream(b, "linux.syslog", Some("db-1"), &[monday() + 2 * S]);
    let mut tl = g.timeline(None, None);
    tl.inputs[0].records = 1000;
    tl.inputs[0].errors = 7;
    tl.inputs[0].error_samples = (1..=7)
        .map(|k| format!("web-1/auth.log: line {k} (byte {}): no timestamp", k * 80))
        .collect();
    tl.inputs[2].error = Some("format not recognised".to_owned());
    let mut cfg = FindingsConfig::default();
    cfg.max_error_locations = 3;
    cfg.expected_sources = vec!["linux.syslog".into(), "aws.cloudtrail".into()];
    let f = analyse(&mut tl, &cfg);
    let pe: Vec<_> = f
        .iter()
        .filter(|f| f.kind == FindingKind::ParseErrors)
        .collect();
    assert_eq!(pe.len(), 1, "db-1 had no errors: {pe:#?}");
    assert_eq!(pe[0].path.as_deref(), Some("web-1/auth.log"));
    assert_eq!(pe[0].severity, Severity::Low);
    assert_eq!(pe[0].evidence.len(), 3);
    assert!(
        pe[0]
            .summary
            .starts_with("7 of 1000 records in web-1/auth.log"),
        "{}",
        pe[0].summary
    );
    assert!(pe[0].summary.contains("line 1 (byte 80)"));
    let un: Vec<_> = f
        .iter()
        .filter(|f| f.kind == FindingKind::UnreadInput)
        .collect();
    assert_eq!(un.len(), 1);
    let miss: Vec<_> = f
        .iter()
        .filter(|f| f.kind == FindingKind::SourceMissing)
        .collect();
    assert_eq!(miss.len(), 1);
    assert_eq!(miss[0].source.as_deref(), Some("aws.cloudtrail"));
    // Most severe first.
    assert!(f.windows(2).all(|w| w[0].severity >= w[1].severity));
}
