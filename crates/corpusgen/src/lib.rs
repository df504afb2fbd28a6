//! A seeded, byte-reproducible benchmark corpus.
//!
//! The same seed and scale always give the same bytes (no clock, no OS randomness, gzip
//! headers with a zero mtime), so benchmark figures can be reproduced anywhere. At scale 1.0
//! it writes about 1M classic-syslog auth lines over four hosts and 100 CloudTrail delivery
//! files of 1,000 records (half `.json`, half `.json.gz`), plus journald, GCP audit,
//! Kubernetes audit and GitHub Actions inputs in proportion: about 200 MB.
#![deny(missing_docs)]

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// splitmix64: tiny, fast, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mmm dd hh:mm:ss` for an epoch second (read as the local wall time of the host).
pub fn classic(ts: i64) -> String {
    let (_, m, d) = civil(ts.div_euclid(86_400));
    let s = ts.rem_euclid(86_400);
    format!(
        "{} {:>2} {:02}:{:02}:{:02}",
        MONTHS[(m - 1) as usize],
        d,
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// RFC 3339 UTC with `frac` fraction digits taken from `sub` (nanoseconds).
pub fn rfc3339(ts: i64, sub_ns: u32, frac: usize) -> String {
    let (y, m, d) = civil(ts.div_euclid(86_400));
    let s = ts.rem_euclid(86_400);
    let mut o = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        s / 3600,
        (s / 60) % 60,
        s % 60
    );
    if frac > 0 {
        let f = format!("{sub_ns:09}");
        o.push('.');
        o.push_str(&f[..frac.min(9)]);
    }
    o.push('Z');
    o
}

/// 2025-03-03T00:00:00Z: the corpus starts here.
pub const START: i64 = 1_740_960_000;

fn ip(rng: &mut Rng, private: bool) -> String {
    if private {
        format!(
            "10.{}.{}.{}",
            rng.below(4),
            rng.below(255),
            1 + rng.below(253)
        )
    } else {
        format!(
            "{}.{}.{}.{}",
            rng.pick(&[198, 203, 185, 45, 91]),
            rng.below(255),
            rng.below(255),
            1 + rng.below(253)
        )
    }
}

/// Classic-syslog auth lines for one host: a realistic sshd/sudo/cron/pam/logind mix,
/// chronological, about 100 bytes a line.
pub fn syslog_auth(rng: &mut Rng, host: &str, lines: usize) -> Vec<u8> {
    let users = ["alice", "bob", "deploy", "carol", "backup", "ops"];
    let probes = [
        "admin", "test", "oracle", "user", "ubuntu", "pi", "postgres", "git",
    ];
    let mut out = Vec::with_capacity(lines * 110);
    let mut t = START;
    let mut pid = 1000u64;
    let mut n = 0;
    let mut line = String::with_capacity(256);
    while n < lines {
        t += rng.below(3) as i64;
        pid = pid % 60_000 + 1 + rng.below(5);
        let ts = classic(t);
        line.clear();
        let r = rng.below(100);
        let _ = match r {
            0..=39 => {
                let u = rng.pick(&probes);
                let a = ip(rng, false);
                let port = 1024 + rng.below(60_000);
                if rng.below(2) == 0 {
                    write!(line, "{ts} {host} sshd[{pid}]: Failed password for invalid user {u} from {a} port {port} ssh2")
                } else {
                    write!(line, "{ts} {host} sshd[{pid}]: Failed password for root from {a} port {port} ssh2")
                }
            }
            40..=54 => {
                let a = ip(rng, false);
                let port = 1024 + rng.below(60_000);
                write!(line, "{ts} {host} sshd[{pid}]: Connection closed by authenticating user root {a} port {port} [preauth]")
            }
            55..=64 => {
                let u = rng.pick(&probes);
                let a = ip(rng, false);
                write!(line, "{ts} {host} sshd[{pid}]: Invalid user {u} from {a} port {}", 1024 + rng.below(60_000))
            }
            65..=69 => {
                let u = rng.pick(&users);
                let a = ip(rng, true);
                write!(line, "{ts} {host} sshd[{pid}]: Accepted publickey for {u} from {a} port {} ssh2: ED25519 SHA256:{:016x}{:016x}", 1024 + rng.below(60_000), rng.next_u64(), rng.next_u64())
            }
            70..=74 => {
                let u = rng.pick(&users);
                write!(line, "{ts} {host} sshd[{pid}]: pam_unix(sshd:session): session opened for user {u}(uid={}) by (uid=0)", 1000 + rng.below(10))
            }
            75..=79 => {
                let u = rng.pick(&users);
                write!(line, "{ts} {host} sudo:   {u} : TTY=pts/{} ; PWD=/home/{u} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", rng.below(4))
            }
            80..=89 => write!(line, "{ts} {host} CRON[{pid}]: pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)"),
            90..=94 => write!(line, "{ts} {host} CRON[{pid}]: (root) CMD (/usr/local/bin/healthcheck >/dev/null 2>&1)"),
            95..=97 => write!(line, "{ts} {host} systemd-logind[612]: New session {} of user {}.", rng.below(100_000), rng.pick(&users)),
            _ => write!(line, "{ts} {host} sshd[{pid}]: Received disconnect from {} port {}:11: Bye Bye [preauth]", ip(rng, false), 1024 + rng.below(60_000)),
        };
        line.push('\n');
        out.extend_from_slice(line.as_bytes());
        n += 1;
    }
    out
}

fn uuid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0x3fff | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// One CloudTrail record as JSON.
pub fn cloudtrail_record(rng: &mut Rng, t: i64) -> String {
    let events = [
        ("s3.amazonaws.com", "GetObject", true),
        ("s3.amazonaws.com", "PutObject", false),
        ("ec2.amazonaws.com", "DescribeInstances", true),
        ("sts.amazonaws.com", "AssumeRole", false),
        ("iam.amazonaws.com", "ListUsers", true),
        ("kms.amazonaws.com", "Decrypt", true),
        ("lambda.amazonaws.com", "Invoke", false),
        ("iam.amazonaws.com", "CreateAccessKey", false),
        ("cloudtrail.amazonaws.com", "LookupEvents", true),
    ];
    let (src, name, ro) = *rng.pick(&events);
    let acct = "123456789012";
    let ident = if rng.below(3) == 0 {
        format!(
            r#"{{"type":"IAMUser","principalId":"AIDA{:016X}","arn":"arn:aws:iam::{acct}:user/{u}","accountId":"{acct}","accessKeyId":"AKIA{:016X}","userName":"{u}"}}"#,
            rng.next_u64(),
            rng.next_u64(),
            u = rng.pick(&["alice", "bob", "ci-deployer", "ops-admin"])
        )
    } else {
        let role = rng.pick(&[
            "app-prod",
            "github-deploy",
            "lambda-exec",
            "AWSReservedSSO_Admin_0123abcd",
        ]);
        format!(
            r#"{{"type":"AssumedRole","principalId":"AROA{:016X}:session-{}","arn":"arn:aws:sts::{acct}:assumed-role/{role}/session-{}","accountId":"{acct}","accessKeyId":"ASIA{:016X}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{:016X}","arn":"arn:aws:iam::{acct}:role/{role}","accountId":"{acct}","userName":"{role}"}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"false"}}}}}}"#,
            rng.next_u64(),
            rng.below(1000),
            rng.below(1000),
            rng.next_u64(),
            rng.next_u64(),
            rfc3339(t - 600, 0, 0)
        )
    };
    let srcip = if rng.below(4) == 0 {
        format!("{}.amazonaws.com", src.split('.').next().unwrap_or("ec2"))
    } else {
        ip(rng, false)
    };
    let err = if rng.below(20) == 0 {
        r#","errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation""#
    } else {
        ""
    };
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{ident},"eventTime":"{}","eventSource":"{src}","eventName":"{name}","awsRegion":"{}","sourceIPAddress":"{srcip}","userAgent":"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5","requestParameters":{{"bucketName":"data-{}","key":"exports/{:x}.csv"}},"responseElements":null,"requestID":"{}","eventID":"{}","readOnly":{ro},"eventType":"AwsApiCall","managementEvent":{},"recipientAccountId":"{acct}","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{src}"}}{err}}}"#,
        rfc3339(t, 0, 0),
        rng.pick(&["us-east-1", "eu-west-1", "eu-central-1"]),
        rng.below(20),
        rng.next_u64(),
        uuid(rng),
        uuid(rng),
        !src.starts_with("s3"),
    )
}

/// A CloudTrail delivery file `{"Records":[...]}` of `n` records from `t0`.
pub fn cloudtrail_file(rng: &mut Rng, t0: i64, n: usize) -> Vec<u8> {
    let mut s = String::with_capacity(n * 1100);
    s.push_str("{\"Records\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&cloudtrail_record(rng, t0 + (i as i64) * 3 / 2));
    }
    s.push_str("]}");
    s.into_bytes()
}

/// journald `-o json` lines for a host.
pub fn journald(rng: &mut Rng, host: &str, n: usize) -> Vec<u8> {
    let mut s = String::with_capacity(n * 900);
    let mut t = START * 1_000_000;
    for i in 0..n {
        t += rng.below(2_000_000) as i64;
        let pid = 2000 + rng.below(30_000);
        let (ident, msg) = if rng.below(2) == 0 {
            (
                "sshd",
                format!(
                    "Failed password for invalid user {} from {} port {} ssh2",
                    rng.pick(&["admin", "test", "guest"]),
                    ip(rng, false),
                    1024 + rng.below(60_000)
                ),
            )
        } else {
            (
                "sudo",
                format!(
                    "{} : TTY=pts/0 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/apt-get upgrade",
                    rng.pick(&["alice", "bob"])
                ),
            )
        };
        let _ = writeln!(
            s,
            r#"{{"__CURSOR":"s=6b2f1c0e2b7e4a0d8a1f9c3e5d7b9a1c;i={:x};b=0f1e2d3c4b5a69788796a5b4c3d2e1f0;m={:x};t={t:x};x={:016x}","__REALTIME_TIMESTAMP":"{t}","__MONOTONIC_TIMESTAMP":"{}","_BOOT_ID":"0f1e2d3c4b5a69788796a5b4c3d2e1f0","PRIORITY":"6","SYSLOG_FACILITY":"10","SYSLOG_IDENTIFIER":"{ident}","_PID":"{pid}","_UID":"0","_GID":"0","_COMM":"{ident}","_EXE":"/usr/sbin/{ident}","_SYSTEMD_UNIT":"ssh.service","_TRANSPORT":"syslog","_HOSTNAME":"{host}","_MACHINE_ID":"3c4b5a69788796a5b4c3d2e1f00f1e2d","MESSAGE":"{msg}","_SOURCE_REALTIME_TIMESTAMP":"{}"}}"#,
            i,
            i,
            rng.next_u64(),
            t - START * 1_000_000 + 5_000_000,
            t - rng.below(500) as i64,
        );
    }
    s.into_bytes()
}

/// GCP Cloud Audit Log entries, one per line (a logging sink file).
pub fn gcp_audit(rng: &mut Rng, n: usize) -> Vec<u8> {
    let mut s = String::with_capacity(n * 1200);
    let mut t = START;
    for _ in 0..n {
        t += rng.below(4) as i64;
        let sa = rng.below(2) == 0;
        let who = if sa {
            "deployer@prod-123.iam.gserviceaccount.com".to_owned()
        } else {
            format!("{}@example.com", rng.pick(&["alice", "bob"]))
        };
        let (svc, method) = *rng.pick(&[
            ("storage.googleapis.com", "storage.objects.get"),
            ("compute.googleapis.com", "v1.compute.instances.insert"),
            (
                "iam.googleapis.com",
                "google.iam.admin.v1.CreateServiceAccountKey",
            ),
            ("cloudresourcemanager.googleapis.com", "SetIamPolicy"),
        ]);
        let log = if method.ends_with("get") {
            "data_access"
        } else {
            "activity"
        };
        let ns = rng.below(1_000_000_000) as u32;
        let _ = writeln!(
            s,
            r#"{{"protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{{}},"authenticationInfo":{{"principalEmail":"{who}"}},"requestMetadata":{{"callerIp":"{}","callerSuppliedUserAgent":"google-cloud-sdk gcloud/480.0.0"}},"serviceName":"{svc}","methodName":"{method}","resourceName":"projects/prod-123/resources/{:x}"}},"insertId":"{:x}","resource":{{"type":"gce_instance","labels":{{"project_id":"prod-123","zone":"europe-west1-b"}}}},"timestamp":"{}","severity":"NOTICE","logName":"projects/prod-123/logs/cloudaudit.googleapis.com%2F{log}","receiveTimestamp":"{}"}}"#,
            ip(rng, false),
            rng.next_u64(),
            rng.next_u64(),
            rfc3339(t, ns, 9),
            rfc3339(t + 1, ns / 2, 9),
        );
    }
    s.into_bytes()
}

/// Kubernetes audit events, one per line, each request in two stages.
pub fn k8s_audit(rng: &mut Rng, n: usize) -> Vec<u8> {
    let mut s = String::with_capacity(n * 900);
    let mut t = START;
    for _ in 0..n / 2 {
        t += rng.below(3) as i64;
        let id = uuid(rng);
        let user = if rng.below(2) == 0 {
            "system:serviceaccount:kube-system:replicaset-controller".to_owned()
        } else {
            format!("{}@example.com", rng.pick(&["alice", "bob"]))
        };
        let (verb, res) = *rng.pick(&[
            ("get", "pods"),
            ("list", "secrets"),
            ("create", "deployments"),
            ("patch", "configmaps"),
            ("delete", "pods"),
        ]);
        let us = rng.below(1_000_000) as u32 * 1000;
        for (stage, dt) in [("ResponseStarted", 0), ("ResponseComplete", 1)] {
            let _ = writeln!(
                s,
                r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"{stage}","requestURI":"/api/v1/namespaces/prod/{res}","verb":"{verb}","user":{{"username":"{user}","groups":["system:authenticated"]}},"sourceIPs":["{}"],"userAgent":"kubectl/v1.30.2","objectRef":{{"resource":"{res}","namespace":"prod","name":"web-{:x}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":{}}},"requestReceivedTimestamp":"{}","stageTimestamp":"{}"}}"#,
                ip(rng, true),
                rng.below(1 << 20),
                if rng.below(10) == 0 { 403 } else { 200 },
                rfc3339(t, us, 6),
                rfc3339(t + dt, us, 6),
            );
        }
    }
    s.into_bytes()
}

/// A GitHub Actions REST list of `n` workflow runs.
pub fn github_runs(rng: &mut Rng, t0: i64, n: usize) -> Vec<u8> {
    let mut s = String::with_capacity(n * 1500);
    let _ = write!(s, "{{\"total_count\":{n},\"workflow_runs\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        let t = t0 + (i as i64) * 900;
        let id = 9_000_000_000 + rng.below(1_000_000_000);
        let actor = rng.pick(&["dana-dev", "sam-oncall", "dependabot[bot]", "renovate[bot]"]);
        let kind = if actor.ends_with("[bot]") {
            "Bot"
        } else {
            "User"
        };
        let (name, path) = *rng.pick(&[
            ("Deploy production", ".github/workflows/deploy.yml"),
            ("CI", ".github/workflows/ci.yml"),
            ("Release", ".github/workflows/release.yml"),
        ]);
        let concl = rng.pick(&["success", "success", "success", "failure", "cancelled"]);
        let _ = write!(
            s,
            r#"{{"id":{id},"name":"{name}","node_id":"WFR_{id:x}","head_branch":"main","head_sha":"{:016x}{:016x}","path":"{path}","display_title":"{name}","run_number":{},"event":"{}","status":"completed","conclusion":"{concl}","workflow_id":55120,"url":"https://api.github.com/repos/example-org/web/actions/runs/{id}","html_url":"https://github.com/example-org/web/actions/runs/{id}","created_at":"{}","updated_at":"{}","run_started_at":"{}","run_attempt":1,"actor":{{"login":"{actor}","id":{},"type":"{kind}"}},"triggering_actor":{{"login":"{actor}","id":{},"type":"{kind}"}},"repository":{{"id":7001,"name":"web","full_name":"example-org/web","private":true}}}}"#,
            rng.next_u64(),
            rng.next_u64(),
            100 + i,
            rng.pick(&["push", "workflow_dispatch", "schedule", "pull_request"]),
            rfc3339(t, 0, 0),
            rfc3339(t + 300 + rng.below(600) as i64, 0, 0),
            rfc3339(t + 5, 0, 0),
            1000 + rng.below(100),
            1000 + rng.below(100),
        );
    }
    s.push_str("]}");
    s.into_bytes()
}

fn gzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
    // GzEncoder writes a zero mtime and OS byte 255: the output depends on the bytes alone.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes)?;
    e.finish()
}

/// What [`write_corpus`] wrote.
#[derive(Debug, Default)]
pub struct CorpusSummary {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Bytes on disk.
    pub bytes: u64,
}

/// Writes the corpus below `dir`. `scale` 1.0 is about 200 MB.
///
/// # Errors
/// I/O errors creating folders or files.
pub fn write_corpus(dir: &Path, scale: f64, seed: u64) -> io::Result<CorpusSummary> {
    let mut rng = Rng::new(seed);
    let mut sum = CorpusSummary::default();
    let put = |rel: &str, bytes: &[u8], sum: &mut CorpusSummary| -> io::Result<()> {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, bytes)?;
        sum.bytes += bytes.len() as u64;
        sum.files.push(p);
        Ok(())
    };
    let scaled = |n: f64| ((n * scale).round() as usize).max(1);
    for h in 0..4 {
        let host = format!("web-{:02}", h + 1);
        let data = syslog_auth(&mut rng, &host, scaled(250_000.0));
        put(&format!("syslog/{host}/auth.log"), &data, &mut sum)?;
    }
    let files = scaled(100.0);
    for f in 0..files {
        let t0 = START + (f as i64) * 1500;
        let data = cloudtrail_file(&mut rng, t0, 1000);
        let name = format!(
            "cloudtrail/123456789012_CloudTrail_us-east-1_20250303T{:04}Z_{:016x}.json",
            f,
            rng.next_u64()
        );
        if f % 2 == 0 {
            put(&name, &data, &mut sum)?;
        } else {
            put(&format!("{name}.gz"), &gzip(&data)?, &mut sum)?;
        }
    }
    for h in 0..2 {
        let host = format!("db-{:02}", h + 1);
        let data = journald(&mut rng, &host, scaled(25_000.0));
        put(&format!("journald/{host}.json"), &data, &mut sum)?;
    }
    let data = gcp_audit(&mut rng, scaled(20_000.0));
    put("gcp/activity.json", &data, &mut sum)?;
    let data = k8s_audit(&mut rng, scaled(20_000.0));
    put("k8s/audit.log", &data, &mut sum)?;
    for r in 0..scaled(10.0) {
        let data = github_runs(&mut rng, START + (r as i64) * 86_400, 100);
        put(&format!("github/runs-{r:03}.json"), &data, &mut sum)?;
    }
    Ok(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_782), (2024, 2, 29));
        assert_eq!(classic(START), "Mar  3 00:00:00");
        assert_eq!(
            rfc3339(START, 123_456_789, 6),
            "2025-03-03T00:00:00.123456Z"
        );
    }

    #[test]
    fn same_seed_same_bytes() {
        let a = tempfile_dir("a");
        let b = tempfile_dir("b");
        write_corpus(&a, 0.002, 7).unwrap();
        write_corpus(&b, 0.002, 7).unwrap();
        let list = |d: &Path| {
            let mut v: Vec<(String, Vec<u8>)> = Vec::new();
            let mut stack = vec![d.to_owned()];
            while let Some(p) = stack.pop() {
                for e in std::fs::read_dir(&p).unwrap() {
                    let e = e.unwrap();
                    if e.file_type().unwrap().is_dir() {
                        stack.push(e.path());
                    } else {
                        v.push((
                            e.path().strip_prefix(d).unwrap().display().to_string(),
                            std::fs::read(e.path()).unwrap(),
                        ));
                    }
                }
            }
            v.sort();
            v
        };
        assert_eq!(list(&a), list(&b));
        let _ = std::fs::remove_dir_all(&a);
        let _ = std::fs::remove_dir_all(&b);
    }

    fn tempfile_dir(tag: &str) -> PathBuf {
        let p =
            std::env::temp_dir().join(format!("tplus-corpusgen-test-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        p
    }
}
