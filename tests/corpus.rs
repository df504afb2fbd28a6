//! Every dataset of the shared sample corpus builds end to end: exact accounting per file,
//! events out, fewer than 1% of records in error, and outputs that meet the contract. The
//! per-file counts are pinned in each parser crate's own corpus tests; this checks the whole
//! build path (discovery, gzip, sniffing, dedup, sinks, custody) over the same files.
//! Skipped with a message when `../shared/corpus` is absent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

use std::path::Path;

use util::*;

/// Files whose errors are the point of the sample (deliberately malformed test input).
const DELIBERATE: &[(&str, u64)] = &[
    // plaso's syslog test files carry a `MMM 22` line and a "Wrong line" made to be rejected.
    ("auth/plaso-syslog/syslog", 1),
    ("auth/plaso-syslog/syslog.gz", 2),
    // EVTX records whose header time is zero (1601-01-01): slack/placeholder records that
    // PROVENANCE points out; each is one located error.
    (
        "auth/evtx-attack-samples/CA_4624_4625_LogonType2_LogonProc_chrome.evtx",
        1,
    ),
    ("auth/evtx-attack-samples/kerberos_pwd_spray_4771.evtx", 1),
    ("auth/deepbluecli-evtx/password-spray.evtx", 1),
    // A Falco trace that holds only `{"kind": 0}`.
    ("cloud/falco-k8s-audit-traces/fal_01_003.json", 1),
];

/// Files in a format tplus does not read yet, and why they are still in the corpus.
const UNSUPPORTED: &[(&str, &str)] = &[];

fn build_dataset(dataset: &str) {
    let Some(corpus) = corpus() else {
        eprintln!("SKIP corpus {dataset}: ../shared/corpus is not beside this checkout");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run_in(
        &corpus,
        &["build", dataset, "-o", out.to_str().unwrap(), "--quiet"],
    );
    ok(&o);
    assert_accounting(&out);
    contract_check(&corpus, &out);
    let c = custody(&out);
    let mut records = 0u64;
    let mut errors = 0u64;
    let mut events = 0u64;
    for i in c["inputs"].as_array().unwrap() {
        let path = i["path"].as_str().unwrap();
        let name = Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_string();
        if name.starts_with("LICENSE")
            || name.starts_with("COPYING")
            || path.contains("/raw/")
            || name.ends_with(".zip")
        {
            // Licence texts, and PyGithub's raw HTTP replay captures (recorder exchanges, not
            // an export format; their bodies are in the dataset as JSON files): not logs. A
            // .zip is not a container tplus opens (it says so in custody: extract it first).
            continue;
        }
        if let Some((_, why)) = UNSUPPORTED.iter().find(|(p, _)| *p == path) {
            assert_eq!(i["format"], "unknown", "{path}: {why}");
            continue;
        }
        let e = i["errors"].as_u64().unwrap();
        let r = i["records"].as_u64().unwrap();
        let allowed = DELIBERATE
            .iter()
            .find(|(p, _)| *p == path)
            .map_or(r / 100, |(_, n)| *n);
        assert!(e <= allowed, "{path}: {e} errors of {r} records: {i:#}");
        if allowed == r / 100 {
            records += r;
            errors += e;
        }
        events += i["events"].as_u64().unwrap();
    }
    assert!(events > 0, "{dataset}: no events");
    assert!(
        errors * 100 <= records,
        "{dataset}: {errors} errors in {records} records"
    );
}

macro_rules! dataset_tests {
    ($($name:ident => $path:literal,)*) => {
        $(
            #[test]
            fn $name() {
                build_dataset($path);
            }
        )*
    };
}

dataset_tests! {
    auth_plaso_syslog => "auth/plaso-syslog",
    auth_loghub_openssh => "auth/loghub-openssh-2k",
    auth_fail2ban => "auth/fail2ban-auth-variants",
    auth_journald => "auth/lnav-journald-json",
    auth_evtx_attack_samples => "auth/evtx-attack-samples",
    auth_deepbluecli_evtx => "auth/deepbluecli-evtx",
    cloud_loki_cloudtrail => "cloud/loki-lambda-promtail-cloudtrail",
    cloud_otrf_cloudtrail_shipper => "cloud/otrf-aws-ec2-proxy-s3-exfil",
    cloud_stratus_cloudtrail_arrays => "cloud/stratus-red-team-detonation-logs",
    cloud_falco_k8s_audit => "cloud/falco-k8s-audit-traces",
    cloud_plaso_jsonl => "cloud/plaso-jsonl",
    deploy_gitlab_webhooks => "deploy/go-gitlab-webhooks",
    deploy_github_deployments => "deploy/pygithub-replay-deployments",
    deploy_github_webhooks => "deploy/octokit-webhooks-payloads",
    deploy_github_actions => "deploy/pygithub-replay-actions",
    deploy_helm => "deploy/helm-history-golden",
    deploy_argocd => "deploy/argocd-application-history",
}
