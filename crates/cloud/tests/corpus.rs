//! Conformance over the real samples in `../shared/corpus/cloud/` (see its PROVENANCE.md):
//! each file goes through the parser its content sniffs as, with exact counts pinned.
//!
//! Not parsed here: licence files, and `otrf-aws-ec2-proxy-s3-exfil/ec2_proxy_s3_exfiltration.zip`
//! (a zip is not a container the engine opens; PROVENANCE says its single member is the
//! `.json` file next to it, byte for byte, which is pinned instead).

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use tplus_model::{collect, ActorKind, Collected, Confidence, Outcome, Parser, Sniff, Tag};

/// (path under corpus/cloud, format id, records, events, skipped, errors)
const PINNED: &[(&str, &str, u64, u64, u64, u64)] = &[
    ("falco-k8s-audit-traces/anonymous_creates_namespace_foo.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/attach_cluster_admin_role.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/attach_pod.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_cluster_role_pod_exec.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_cluster_role_wildcard_resources.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_cluster_role_wildcard_verbs.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_cluster_role_write_privileges.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_clusterrole.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_clusterrolebinding.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_configmap.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_configmap_no_sensitive_values.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_configmap_sensitive_values.json", "k8s.audit", 6, 6, 0, 0),
    ("falco-k8s-audit-traces/create_deployment.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_kube_system_secret.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_hostnetwork.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_nohostnetwork.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_privileged.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_privileged_2nd_container.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_sensitive_mount.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_sensitive_mount_2nd_container.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_unprivileged.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_pod_unsensitive_mount.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_service_nodeport.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_nginx_service_nonodeport.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_pod_kube_public_namespace.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_pod_kube_system_namespace.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_secret.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_service.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_service_account_token_secret.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_serviceaccount.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_serviceaccount_kube_public_namespace.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/create_serviceaccount_kube_system_namespace.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_cluster_role_kube_aggregator.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_clusterrole.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_clusterrolebinding.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_configmap.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_deployment.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_namespace_foo.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_secret.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_service.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/delete_serviceaccount.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/exec_pod.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/fal_01_003.json", "m365.audit", 1, 0, 0, 1),
    ("falco-k8s-audit-traces/minikube_creates_namespace_foo.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/modify_cluster_role_node_problem_detector.json", "k8s.audit", 1, 1, 0, 0),
    ("falco-k8s-audit-traces/some-user_creates_namespace_foo.json", "k8s.audit", 1, 1, 0, 0),
    ("loki-lambda-promtail-cloudtrail/cloudtrail-log-file.json.gz", "aws.cloudtrail", 2, 2, 0, 0),
    ("otrf-aws-ec2-proxy-s3-exfil/ec2_proxy_s3_exfiltration_2020-09-14011940.json", "aws.cloudtrail", 103, 103, 0, 0),
    ("plaso-jsonl/aws_cloudtrail.jsonl", "aws.cloudtrail", 6, 6, 0, 0),
    ("plaso-jsonl/azure_activity_log.jsonl", "azure.activity", 4, 4, 0, 0),
    ("plaso-jsonl/gcp_logging.jsonl", "gcp.audit", 11, 11, 0, 0),
    ("plaso-jsonl/microsoft_audit_log.jsonl", "m365.audit", 4, 4, 0, 0),
    ("stratus-red-team-detonation-logs/aws.credential-access.ec2-get-password-data.json", "aws.cloudtrail", 34, 34, 0, 0),
    ("stratus-red-team-detonation-logs/aws.credential-access.ec2-steal-instance-credentials.json", "aws.cloudtrail", 45, 45, 0, 0),
    ("stratus-red-team-detonation-logs/aws.credential-access.secretsmanager-batch-retrieve-secrets.json", "aws.cloudtrail", 5, 5, 0, 0),
    ("stratus-red-team-detonation-logs/aws.credential-access.secretsmanager-retrieve-secrets.json", "aws.cloudtrail", 21, 21, 0, 0),
    ("stratus-red-team-detonation-logs/aws.credential-access.ssm-retrieve-securestring-parameters.json", "aws.cloudtrail", 10, 10, 0, 0),
    ("stratus-red-team-detonation-logs/aws.defense-evasion.cloudtrail-delete.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.defense-evasion.cloudtrail-event-selectors.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.defense-evasion.cloudtrail-stop.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.defense-evasion.dns-delete-logs.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.defense-evasion.organizations-leave.json", "aws.cloudtrail", 3, 3, 0, 0),
    ("stratus-red-team-detonation-logs/aws.defense-evasion.vpc-remove-flow-logs.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.discovery.ec2-download-user-data.json", "aws.cloudtrail", 19, 19, 0, 0),
    ("stratus-red-team-detonation-logs/aws.execution.ec2-launch-unusual-instances.json", "aws.cloudtrail", 3, 3, 0, 0),
    ("stratus-red-team-detonation-logs/aws.execution.ec2-user-data.json", "aws.cloudtrail", 35, 35, 0, 0),
    ("stratus-red-team-detonation-logs/aws.execution.ssm-send-command.json", "aws.cloudtrail", 56, 56, 0, 0),
    ("stratus-red-team-detonation-logs/aws.execution.ssm-start-session.json", "aws.cloudtrail", 29, 29, 0, 0),
    ("stratus-red-team-detonation-logs/aws.exfiltration.ec2-security-group-open-port-22-ingress.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.exfiltration.ec2-share-ami.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.exfiltration.ec2-share-ebs-snapshot.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.exfiltration.rds-share-snapshot.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.impact.bedrock-invoke-model.json", "aws.cloudtrail", 15, 15, 0, 0),
    ("stratus-red-team-detonation-logs/aws.initial-access.console-login-without-mfa.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.lateral-movement.ec2-instance-connect.json", "aws.cloudtrail", 3, 3, 0, 0),
    ("stratus-red-team-detonation-logs/aws.lateral-movement.ec2-serial-console-send-ssh-public-key.json", "aws.cloudtrail", 4, 4, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.iam-backdoor-role.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.iam-backdoor-user.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.iam-create-admin-user.json", "aws.cloudtrail", 3, 3, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.iam-create-backdoor-role.json", "aws.cloudtrail", 2, 2, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.iam-create-user-login-profile.json", "aws.cloudtrail", 3, 3, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.lambda-backdoor-function.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.lambda-layer-extension.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.lambda-overwrite-code.json", "aws.cloudtrail", 1, 1, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.rolesanywhere-create-trust-anchor.json", "aws.cloudtrail", 2, 2, 0, 0),
    ("stratus-red-team-detonation-logs/aws.persistence.sts-federation-token.json", "aws.cloudtrail", 2, 2, 0, 0),
    ("stratus-red-team-detonation-logs/aws.privilege-escalation.iam-update-user-login-profile.json", "aws.cloudtrail", 1, 1, 0, 0),
];

const NOT_PARSED: &[&str] = &["otrf-aws-ec2-proxy-s3-exfil/ec2_proxy_s3_exfiltration.zip"];

fn corpus() -> Option<PathBuf> {
    let p = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/cloud"
    ));
    if p.is_dir() {
        Some(p.to_path_buf())
    } else {
        eprintln!("skipping: corpus folder {} is absent", p.display());
        None
    }
}

fn read(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .expect("gzip");
        out
    } else {
        raw
    }
}

/// The parser whose sniff scores highest (ties: registration order); when nothing sniffs,
/// the parser named in the pin (only the deliberately invalid Falco file).
fn pick<'a>(
    parsers: &'a [Box<dyn Parser>],
    data: &[u8],
    pinned_id: &str,
) -> (&'a dyn Parser, Sniff) {
    let head = &data[..data.len().min(64 * 1024)];
    let mut best: Option<(&dyn Parser, Sniff)> = None;
    for p in parsers {
        let s = p.sniff(head);
        if s > Sniff::NO && best.is_none_or(|(_, b)| s > b) {
            best = Some((p.as_ref(), s));
        }
    }
    best.unwrap_or_else(|| {
        let p = parsers
            .iter()
            .find(|p| p.id() == pinned_id)
            .expect("pinned parser exists");
        (p.as_ref(), Sniff::NO)
    })
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            v.extend(files(&p));
        } else {
            v.push(p);
        }
    }
    v.sort();
    v
}

fn run(rel: &str) -> Option<Collected> {
    let root = corpus()?;
    let parsers = tplus_cloud::parsers();
    let (_, id, ..) = PINNED.iter().find(|r| r.0 == rel).expect("pinned");
    let data = read(&root.join(rel));
    let (p, _) = pick(&parsers, &data, id);
    Some(collect(p, &data))
}

#[test]
fn every_sample_has_exact_pinned_counts() {
    let Some(root) = corpus() else { return };
    let parsers = tplus_cloud::parsers();
    let mut seen = BTreeSet::new();
    let (mut total_records, mut total_errors, mut total_events) = (0u64, 0u64, 0u64);
    for path in files(&root) {
        let rel = path
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with("LICENSE")
            || name == "COPYING"
            || name == "PROVENANCE.md"
            || NOT_PARSED.contains(&rel.as_str())
        {
            continue;
        }
        let Some(&(_, id, records, events, skipped, errors)) = PINNED.iter().find(|r| r.0 == rel)
        else {
            panic!("{rel}: new sample without pinned counts");
        };
        seen.insert(rel.clone());
        let data = read(&path);
        let (p, score) = pick(&parsers, &data, id);
        assert_eq!(p.id(), id, "{rel}: sniffed as {} ({score:?})", p.id());
        if score == Sniff::NO {
            assert_eq!(
                rel, "falco-k8s-audit-traces/fal_01_003.json",
                "only the invalid Falco file may sniff as nothing"
            );
        }
        let c = collect(p, &data);
        assert_eq!(
            (c.records(), c.events.len() as u64, c.skipped, c.errors),
            (records, events, skipped, errors),
            "{rel}: records/events/skipped/errors; errors: {:?}",
            c.error_samples
        );
        for e in &c.events {
            assert_eq!(e.source, id, "{rel}");
            assert!(
                !e.ts_raw.is_empty() && !e.message.is_empty(),
                "{rel}: {e:?}"
            );
        }
        total_records += c.records();
        total_errors += c.errors;
        total_events += c.events.len() as u64;
    }
    assert_eq!(seen.len(), PINNED.len(), "every pinned sample exists");
    assert!(total_events > 0);
    assert!(
        total_errors * 100 < total_records,
        "{total_errors} errors of {total_records} records"
    );
}

#[test]
fn provenance_totals() {
    let Some(_) = corpus() else { return };
    let sum = |prefix: &str| -> (u64, u64) {
        PINNED
            .iter()
            .filter(|r| r.0.starts_with(prefix))
            .fold((0, 0), |(e, x), r| (e + r.3, x + r.5))
    };
    // "Records: 310 over 35 files".
    assert_eq!(sum("stratus-red-team-detonation-logs/"), (310, 0));
    assert_eq!(
        PINNED.iter().filter(|r| r.0.starts_with("stratus")).count(),
        35
    );
    // "51 audit events plus one non-event" over 47 files.
    assert_eq!(sum("falco-k8s-audit-traces/"), (51, 1));
    assert_eq!(
        PINNED.iter().filter(|r| r.0.starts_with("falco")).count(),
        47
    );
    // OTRF "Records: 103 (103 lines)".
    assert_eq!(sum("otrf-aws-ec2-proxy-s3-exfil/"), (103, 0));
}

#[test]
fn cloudtrail_spot_checks() {
    let Some(c) = run("loki-lambda-promtail-cloudtrail/cloudtrail-log-file.json.gz") else {
        return;
    };
    let e = &c.events[0];
    assert_eq!(e.action.as_deref(), Some("sts:AssumeRole"));
    assert_eq!(
        (e.actor.as_deref(), e.actor_kind),
        (Some("ec2.amazonaws.com"), ActorKind::Service)
    );
    assert_eq!(e.src_ip, None);
    assert_eq!(
        e.target.as_deref(),
        Some("arn:aws:iam::123456789:role/rolename")
    );
    assert_eq!(
        e.event_id.as_deref(),
        Some("94960c89-0827-44eb-9c4f-f979111461b8")
    );
    assert_eq!(
        e.datetime().to_rfc3339(),
        "1970-01-01T00:00:00+00:00",
        "the engine resolves ts_us, not the parser"
    );
    assert_eq!(e.ts_raw, "2023-05-19T07:44:30Z");
    assert_eq!(c.events[1].action.as_deref(), Some("ecr:BatchGetImage"));

    let c = run("stratus-red-team-detonation-logs/aws.defense-evasion.cloudtrail-stop.json")
        .expect("corpus");
    let e = &c.events[0];
    assert_eq!(e.action.as_deref(), Some("cloudtrail:StopLogging"));
    assert!(e.has_tag(Tag::LoggingTamper) && e.significance >= 90);
    assert_eq!(e.actor_kind, ActorKind::Human);
    assert_eq!(e.attributes["access_key_kind"], "long-term (AKIA)");
    assert!(!e.attributes["access_key_id"]
        .as_str()
        .expect("str")
        .contains("GGWFBBHBE7D3M9"));
    for f in [
        "cloudtrail-delete",
        "cloudtrail-event-selectors",
        "vpc-remove-flow-logs",
    ] {
        let c = run(&format!(
            "stratus-red-team-detonation-logs/aws.defense-evasion.{f}.json"
        ))
        .expect("corpus");
        assert!(
            c.events.iter().all(|e| e.has_tag(Tag::LoggingTamper)),
            "{f}"
        );
    }
    let c =
        run("stratus-red-team-detonation-logs/aws.initial-access.console-login-without-mfa.json")
            .expect("corpus");
    assert!(
        c.events[0].has_tag(Tag::LoginWithoutMfa),
        "{:?}",
        c.events[0]
    );
    let c = run("stratus-red-team-detonation-logs/aws.persistence.iam-create-admin-user.json")
        .expect("corpus");
    assert!(c
        .events
        .iter()
        .any(|e| e.action.as_deref() == Some("iam:CreateUser") && e.has_tag(Tag::AccountChange)));
    assert!(c.events.iter().any(
        |e| e.action.as_deref() == Some("iam:AttachUserPolicy") && e.has_tag(Tag::PolicyChange)
    ));
    let c =
        run("stratus-red-team-detonation-logs/aws.persistence.iam-create-user-login-profile.json")
            .expect("corpus");
    assert!(c
        .events
        .iter()
        .any(|e| e.action.as_deref() == Some("iam:CreateLoginProfile")
            && e.has_tag(Tag::CredentialChange)));
    let c =
        run("stratus-red-team-detonation-logs/aws.credential-access.ec2-get-password-data.json")
            .expect("corpus");
    assert!(c
        .events
        .iter()
        .any(|e| e.outcome == Outcome::Failure && e.attributes.contains_key("error_code")));
    // Anonymised impossible octets are not IPs.
    assert!(c.events.iter().all(|e| e
        .src_ip
        .as_deref()
        .is_none_or(|ip| ip.parse::<std::net::IpAddr>().is_ok())));

    let c = run("otrf-aws-ec2-proxy-s3-exfil/ec2_proxy_s3_exfiltration_2020-09-14011940.json")
        .expect("corpus");
    assert!(c
        .events
        .iter()
        .all(|e| e.confidence == Confidence::Medium && e.ts_raw.ends_with(".000Z")));
    assert_eq!(
        c.events
            .iter()
            .filter(|e| e.actor_kind == ActorKind::Service)
            .count(),
        5
    );
    assert_eq!(c.events[0].location.line, Some(1));

    let c = run("plaso-jsonl/aws_cloudtrail.jsonl").expect("corpus");
    assert!(c
        .events
        .iter()
        .all(|e| e.attributes["shape"] == "lookup-events"));
    assert_eq!(c.events[0].ts_raw, "2022-02-07T22:23:37Z");
}

#[test]
fn other_format_spot_checks() {
    let Some(c) = run("plaso-jsonl/gcp_logging.jsonl") else {
        return;
    };
    let last = c.events.last().expect("events");
    assert_eq!(
        last.action.as_deref(),
        Some("iam:google.iam.admin.v1.CreateServiceAccount")
    );
    assert_eq!(
        (last.actor_kind, last.outcome),
        (ActorKind::Automation, Outcome::Failure)
    );
    assert_eq!(last.ts_raw, "2024-12-03T17:58:44.882119699Z");
    assert!(c
        .events
        .iter()
        .any(|e| e.action.as_deref() == Some("log:testlog")));

    let c = run("plaso-jsonl/azure_activity_log.jsonl").expect("corpus");
    assert_eq!(
        c.events[0].action.as_deref(),
        Some("Microsoft.Compute/disks/delete")
    );
    assert_eq!(c.events[0].src_ip.as_deref(), Some("1.2.3.4"));
    assert_eq!(c.events[0].actor_kind, ActorKind::Automation);

    let c = run("falco-k8s-audit-traces/create_secret.json").expect("corpus");
    assert_eq!(c.events[0].action.as_deref(), Some("create:secrets"));
    assert_eq!(
        c.events[0].target.as_deref(),
        Some("default/example-secret")
    );
    assert_eq!(c.events[0].outcome, Outcome::Success);
    let c = run("falco-k8s-audit-traces/exec_pod.json").expect("corpus");
    assert!(c.events[0].has_tag(Tag::Execution));
    let c = run("falco-k8s-audit-traces/fal_01_003.json").expect("corpus");
    assert_eq!(
        (c.error_samples[0].0.record, c.error_samples[0].0.offset),
        (Some(0), 0)
    );
    let c = run("falco-k8s-audit-traces/create_configmap_sensitive_values.json").expect("corpus");
    for e in &c.events {
        let body = e
            .attributes
            .get("request_object")
            .map(|v| v.to_string())
            .unwrap_or_default();
        assert!(
            !body.contains("MY-KEY") && !body.contains("MY-ID"),
            "{body}"
        );
    }
}
