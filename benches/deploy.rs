//! Single-thread throughput of the deploy parsers over generated in-memory inputs.
//!
//! Run with `cargo bench --bench deploy`; divan reports bytes/s per parser.

use std::fmt::Write as _;
use std::sync::LazyLock;

use divan::counter::BytesCount;
use divan::Bencher;
use tplus_model::{collect, Parser};

fn main() {
    divan::main();
}

const N: usize = 5_000;

fn ts(i: usize) -> String {
    format!(
        "2025-03-{:02}T{:02}:{:02}:{:02}Z",
        1 + (i / 86_400) % 28,
        (i / 3600) % 24,
        (i / 60) % 60,
        i % 60
    )
}

static RUNS: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut s = format!(r#"{{"total_count":{N},"workflow_runs":["#);
    for i in 0..N {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"{{"id":{},"name":"{}","node_id":"WFR_kwLOGpsAJ876qe08","head_branch":"main","head_sha":"06ec040b2eeef6c0316dd5abcda0608525a3f{:03}","path":".github/workflows/{}.yml","display_title":"Merge pull request #{} from acme/feature","run_number":{},"event":"push","status":"completed","conclusion":"{}","workflow_id":48708658,"check_suite_id":11050312883,"url":"https://api.github.com/repos/acme/api/actions/runs/{}","html_url":"https://github.com/acme/api/actions/runs/{}","pull_requests":[],"created_at":"{}","updated_at":"{}","actor":{{"login":"alice","id":1,"node_id":"MDQ6VXNlcjQ0NzAwMjY5","avatar_url":"https://avatars.githubusercontent.com/u/1?v=4","url":"https://api.github.com/users/alice","html_url":"https://github.com/alice","type":"User","site_admin":false}},"run_attempt":1,"referenced_workflows":[],"run_started_at":"{}","triggering_actor":{{"login":"alice","id":1,"type":"User","site_admin":false}},"jobs_url":"https://api.github.com/repos/acme/api/actions/runs/{}/jobs","logs_url":"https://api.github.com/repos/acme/api/actions/runs/{}/logs","head_commit":{{"id":"06ec040b","message":"Fix the thing\n\nLonger body","timestamp":"{}"}},"repository":{{"id":1,"name":"api","full_name":"acme/api","private":false}}}}"#,
            1_000_000 + i,
            if i % 5 == 0 { "Deploy" } else { "CI" },
            i % 1000,
            if i % 5 == 0 { "deploy" } else { "ci" },
            i,
            i,
            if i % 7 == 0 { "failure" } else { "success" },
            i,
            i,
            ts(i * 60),
            ts(i * 60 + 154),
            ts(i * 60 + 2),
            i,
            i,
            ts(i * 60),
        );
    }
    s.push_str("]}");
    s.into_bytes()
});

static K8S: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut s = String::from(r#"{"apiVersion":"v1","kind":"List","items":["#);
    for i in 0..N {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"{{"apiVersion":"v1","count":{},"eventTime":null,"firstTimestamp":"{}","involvedObject":{{"apiVersion":"v1","fieldPath":"spec.containers{{api}}","kind":"Pod","name":"api-6c9f7-{i}","namespace":"prod","resourceVersion":"1","uid":"p-{i}"}},"kind":"Event","lastTimestamp":"{}","message":"Back-off restarting failed container api in pod api-6c9f7-{i}","metadata":{{"creationTimestamp":"{}","name":"api-6c9f7-{i}.182a2","namespace":"prod","resourceVersion":"{i}","uid":"e-{i}"}},"reason":"{}","reportingComponent":"kubelet","reportingInstance":"node-a","source":{{"component":"kubelet","host":"node-a"}},"type":"Warning"}}"#,
            1 + i % 20,
            ts(i),
            ts(i + 600),
            ts(i),
            if i % 3 == 0 {
                "ScalingReplicaSet"
            } else {
                "BackOff"
            },
        );
    }
    s.push_str("]}");
    s.into_bytes()
});

static HELM: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut s = String::from("[");
    for i in 0..N {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"{{"revision":{},"updated":"2025-03-01T10:58:02.913846106+01:00","status":"superseded","chart":"checkout-1.{}.0","app_version":"1.{}.0","description":"{}"}}"#,
            i + 1,
            i % 50,
            i % 50,
            if i % 10 == 9 {
                "Rollback to 3"
            } else {
                "Upgrade complete"
            }
        );
    }
    s.push(']');
    s.into_bytes()
});

static CHANGES: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut s = String::from("time,service,environment,version,commit,actor,actor_kind,action,outcome,link,description,ticket\n");
    for i in 0..N {
        let _ = writeln!(
            s,
            "{},checkout-api,prod,1.{}.0,9f2c1ab4e07d,jenkins,automation,{},success,https://ci.example.com/job/{i},\"Train {i}, see notes\",CHG-{i}",
            ts(i * 30),
            i % 90,
            if i % 10 == 0 { "rollback" } else { "deploy" }
        );
    }
    s.into_bytes()
});

static ARGO_YAML: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut s = String::from(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: checkout\n  namespace: argocd\n  uid: a-1\nspec:\n  destination:\n    name: prod\n    namespace: checkout\nstatus:\n  history:\n",
    );
    for i in 0..N {
        let _ = write!(
            s,
            "  - deployStartedAt: \"{}\"\n    deployedAt: \"{}\"\n    id: {i}\n    revision: ea8759964626a583667a2bfd08f334ec2070{:04}\n    initiatedBy:\n      username: alice\n    source:\n      path: instances/test\n      repoURL: https://github.com/foo/manifests.git\n      targetRevision: main\n",
            ts(i * 60),
            ts(i * 60 + 5),
            i % 7
        );
    }
    s.into_bytes()
});

fn run(bencher: Bencher, parser: &dyn Parser, data: &'static [u8]) {
    let c = collect(parser, data);
    assert_eq!(c.errors, 0, "{} errors: {:?}", parser.id(), c.error_samples);
    bencher
        .counter(BytesCount::of_slice(data))
        .bench(|| collect(parser, divan::black_box(data)));
}

#[divan::bench]
fn github_actions_runs(b: Bencher) {
    run(b, &tplus_deploy::gha::ActionsRuns, &RUNS);
}

#[divan::bench]
fn k8s_events(b: Bencher) {
    run(b, &tplus_deploy::k8s::KubeEvents, &K8S);
}

#[divan::bench]
fn helm_history_json(b: Bencher) {
    run(b, &tplus_deploy::helm::HelmHistory, &HELM);
}

#[divan::bench]
fn change_records_csv(b: Bencher) {
    run(b, &tplus_deploy::change::ChangeRecords, &CHANGES);
}

#[divan::bench]
fn argocd_application_yaml(b: Bencher) {
    run(b, &tplus_deploy::argocd::ArgoApplications, &ARGO_YAML);
}
