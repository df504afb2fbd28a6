//! CloudTrail parse speed over generated S3 delivery files (~50 MB, seeded), beside plain
//! `serde_json::from_slice::<Value>` of the same bytes as the floor.
//!
//! Run: `cargo bench --bench cloud`. Both benches count bytes, so divan prints MB/s.

use std::sync::OnceLock;

use divan::counter::BytesCount;
use divan::Bencher;
use tplus_model::{Event, Location, RecordSink};

fn main() {
    divan::main();
}

/// xorshift64*: a small seeded generator, so every run parses the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[(self.next() % 16) as usize]))
            .collect()
    }
    fn upper(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(self.next() % 32) as usize]))
            .collect()
    }
}

const EVENTS: &[(&str, &str, &str)] = &[
    (
        "ec2.amazonaws.com",
        "DescribeInstances",
        r#"{"instancesSet":{"items":[{"instanceId":"i-0abc1234def567890"}]},"filterSet":{}}"#,
    ),
    (
        "s3.amazonaws.com",
        "GetObject",
        r#"{"bucketName":"corp-data","key":"reports/2025/q1.csv","Host":"corp-data.s3.us-east-1.amazonaws.com"}"#,
    ),
    (
        "s3.amazonaws.com",
        "PutObject",
        r#"{"bucketName":"corp-logs","key":"app/2025/03/01/log.gz","x-amz-server-side-encryption":"aws:kms"}"#,
    ),
    (
        "sts.amazonaws.com",
        "AssumeRole",
        r#"{"roleArn":"arn:aws:iam::111122223333:role/deploy","roleSessionName":"ci-12345","durationSeconds":3600}"#,
    ),
    (
        "iam.amazonaws.com",
        "CreateAccessKey",
        r#"{"userName":"svc-backup"}"#,
    ),
    ("iam.amazonaws.com", "ListUsers", "null"),
    (
        "kms.amazonaws.com",
        "Decrypt",
        r#"{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"arn:aws:lambda:us-east-1:111122223333:function:api"}}"#,
    ),
    (
        "lambda.amazonaws.com",
        "Invoke",
        r#"{"functionName":"api","invocationType":"RequestResponse"}"#,
    ),
    (
        "cloudtrail.amazonaws.com",
        "LookupEvents",
        r#"{"maxResults":50,"lookupAttributes":[{"attributeKey":"EventName","attributeValue":"ConsoleLogin"}]}"#,
    ),
    (
        "ssm.amazonaws.com",
        "GetParameter",
        r#"{"name":"/prod/db/password","withDecryption":true}"#,
    ),
];

fn record(r: &mut Rng, i: u64) -> String {
    let (source, name, params) = EVENTS[(r.next() % EVENTS.len() as u64) as usize];
    let user = r.pick(&["alice", "bob", "carol", "deploy-bot", "svc-backup"]);
    let (identity, key) = if r.next() % 3 == 0 {
        let key = format!("ASIA{}", r.upper(16));
        (
            format!(
                r#"{{"type":"AssumedRole","principalId":"AROA{}:i-0{}","arn":"arn:aws:sts::111122223333:assumed-role/app-role/i-0{}","accountId":"111122223333","accessKeyId":"{key}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{}","arn":"arn:aws:iam::111122223333:role/app-role","accountId":"111122223333","userName":"app-role"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"2025-03-01T09:00:00Z","mfaAuthenticated":"false"}},"ec2RoleDelivery":"2.0"}}}}"#,
                r.upper(17),
                r.hex(16),
                r.hex(16),
                r.upper(17)
            ),
            key,
        )
    } else {
        let key = format!("AKIA{}", r.upper(16));
        (
            format!(
                r#"{{"type":"IAMUser","principalId":"AIDA{}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"{key}","userName":"{user}"}}"#,
                r.upper(17)
            ),
            key,
        )
    };
    let _ = key;
    let (h, m, s) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
    let error = if r.next() % 20 == 0 {
        r#","errorCode":"AccessDenied","errorMessage":"User is not authorized to perform this operation""#
    } else {
        ""
    };
    let ip = format!(
        "{}.{}.{}.{}",
        10 + r.next() % 200,
        r.next() % 256,
        r.next() % 256,
        1 + r.next() % 254
    );
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"2025-03-01T{h:02}:{m:02}:{s:02}Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 command/{name}","requestParameters":{params},"responseElements":null{error},"requestID":"{}-{}-{}-{}-{}","eventID":"{}-{}-{}-{}-{}","readOnly":{},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{}.us-east-1.amazonaws.com"}}}}"#,
        r.hex(8),
        r.hex(4),
        r.hex(4),
        r.hex(4),
        r.hex(12),
        r.hex(8),
        r.hex(4),
        r.hex(4),
        r.hex(4),
        r.hex(12),
        name.starts_with("Get")
            || name.starts_with("List")
            || name.starts_with("Describe")
            || name.starts_with("Lookup"),
        source.trim_end_matches(".amazonaws.com"),
    )
}

/// 50 delivery files of about 1 MB each, `{"Records":[...]}` as CloudTrail writes them.
fn files() -> &'static [Vec<u8>] {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut r = Rng(0x5EED_C10D_7A11);
        let mut out = Vec::new();
        let mut n = 0u64;
        for _ in 0..50 {
            let mut f = String::from("{\"Records\":[");
            let mut first = true;
            while f.len() < 1_000_000 {
                if !first {
                    f.push(',');
                }
                first = false;
                f.push_str(&record(&mut r, n));
                n += 1;
            }
            f.push_str("]}");
            out.push(f.into_bytes());
        }
        out
    })
}

fn total() -> usize {
    files().iter().map(Vec::len).sum()
}

/// Counts without keeping events: what the engine's per-file sink costs is not measured here.
#[derive(Default)]
struct Count {
    events: u64,
    other: u64,
}

impl RecordSink for Count {
    fn event(&mut self, event: Event) {
        self.events += divan::black_box(event).count;
    }
    fn skipped(&mut self, _: Location, _: &str) {
        self.other += 1;
    }
    fn error(&mut self, _: Location, _: String) {
        self.other += 1;
    }
    fn previous(&mut self) -> Option<&mut Event> {
        None
    }
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn cloudtrail_parse(b: Bencher) {
    let parser = tplus_cloud::CloudTrail;
    b.counter(BytesCount::new(total())).bench(|| {
        let mut sink = Count::default();
        for f in files() {
            tplus_model::Parser::parse(&parser, f, &mut sink);
        }
        assert_eq!(sink.other, 0);
        sink.events
    });
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn serde_json_value_floor(b: Bencher) {
    b.counter(BytesCount::new(total())).bench(|| {
        let mut n = 0usize;
        for f in files() {
            let v: serde_json::Value = serde_json::from_slice(f).expect("valid JSON");
            n += v["Records"].as_array().map_or(0, Vec::len);
        }
        n
    });
}
