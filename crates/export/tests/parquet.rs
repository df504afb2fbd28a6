//! The Parquet export read back: by the parquet crate (every cell against the JSONL object of
//! the same event), then by DuckDB and pyarrow (when installed), plus the refusal cases.

mod common;

use std::path::{Path, PathBuf};

use arrow_array::{
    Array, Float64Array, Int32Array, Int64Array, ListArray, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{json, Map, Value};
use tplus_export::{synthetic_timeline, write_parquet, ExportError, ParquetOptions};
use tplus_model::{Timeline, TimelineSink};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn cell(col: &dyn Array, i: usize) -> Value {
    if col.is_null(i) {
        return Value::Null;
    }
    let any = col.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        return json!(a.value(i));
    }
    if let Some(a) = any.downcast_ref::<Int64Array>() {
        return json!(a.value(i));
    }
    if let Some(a) = any.downcast_ref::<Int32Array>() {
        return json!(a.value(i));
    }
    if let Some(a) = any.downcast_ref::<Float64Array>() {
        return json!(a.value(i));
    }
    if let Some(a) = any.downcast_ref::<TimestampMicrosecondArray>() {
        return json!(a.value(i));
    }
    if let Some(a) = any.downcast_ref::<ListArray>() {
        let v = a.value(i);
        return Value::Array((0..v.len()).map(|j| cell(v.as_ref(), j)).collect());
    }
    panic!("unexpected column type {:?}", col.data_type());
}

/// A Parquet row rebuilt as the JSONL object of the event.
fn as_jsonl(batch: &RecordBatch, i: usize) -> Value {
    let mut row = Map::new();
    let mut evidence = Map::new();
    for (f, col) in batch.schema().fields().iter().zip(batch.columns()) {
        let v = cell(col.as_ref(), i);
        match f.name().as_str() {
            "ts" => {
                row.insert("__ts".into(), v);
            }
            "ts_us" => {
                row.insert("timestamp".into(), v);
            }
            "attributes" => {
                let s = v.as_str().expect("attributes is a string");
                row.insert("attributes".into(), serde_json::from_str(s).expect("JSON"));
            }
            "evidence_sha256" => {
                evidence.insert("sha256".into(), if v.is_null() { json!("") } else { v });
            }
            n if n.starts_with("evidence_") => {
                evidence.insert(n.trim_start_matches("evidence_").into(), v);
            }
            n => {
                row.insert(n.into(), v);
            }
        }
    }
    let ts = row.remove("__ts").expect("ts");
    assert_eq!(ts, row["timestamp"], "ts and ts_us agree");
    row.insert("evidence".into(), Value::Object(evidence));
    Value::Object(row)
}

fn read_rows(path: &Path) -> Vec<Value> {
    let f = std::fs::File::open(path).expect("open");
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .expect("parquet")
        .build()
        .expect("reader");
    let mut rows = Vec::new();
    for b in reader {
        let b = b.expect("batch");
        for i in 0..b.num_rows() {
            rows.push(as_jsonl(&b, i));
        }
    }
    rows
}

fn small_groups() -> ParquetOptions {
    ParquetOptions {
        batch_rows: 700,
        row_group_bytes: 16 << 10,
        max_rows_per_file: 1500,
        ..ParquetOptions::default()
    }
}

fn write_sidecars(dir: &Path, tl: &Timeline) -> (PathBuf, PathBuf) {
    let jsonl = dir.join("timeline.jsonl");
    let mut buf = Vec::new();
    tplus_report::JsonlSink.write(tl, &mut buf).expect("jsonl");
    std::fs::write(&jsonl, buf).expect("write");
    let findings = dir.join("findings.json");
    let mut buf = Vec::new();
    tplus_report::FindingsSink
        .write(tl, &mut buf)
        .expect("findings");
    std::fs::write(&findings, buf).expect("write");
    (jsonl, findings)
}

#[test]
fn ten_thousand_events_over_four_days_read_back_cell_for_cell() {
    let tmp = tempfile::tempdir().expect("tmp");
    let tl = synthetic_timeline(10_000, 4);
    let pq = tmp.path().join("pq");
    let records = write_parquet(&pq, &tl, &small_groups()).expect("export");

    let files = files_under(&pq);
    // 4 days of 2500 events, split at 1500 rows per file: 2 files a day, plus the findings.
    assert_eq!(files.len(), 9, "{files:?}");
    assert_eq!(records.len(), 9);
    for r in &records {
        let bytes = std::fs::read(&r.path).expect("listed output exists");
        assert_eq!(tplus_custody::sha256_hex(&bytes), r.sha256, "{}", r.path);
        assert!(r.path.starts_with(&pq.display().to_string()));
    }
    let mut days: Vec<String> = files
        .iter()
        .filter_map(|p| p.parent()?.file_name()?.to_str().map(str::to_owned))
        .filter(|d| d.starts_with("date="))
        .collect();
    days.dedup();
    assert_eq!(
        days,
        [
            "date=2025-11-01",
            "date=2025-11-02",
            "date=2025-11-03",
            "date=2025-11-04"
        ]
    );

    let mut rows = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.to_string_lossy().contains("timeline"))
    {
        let r = read_rows(f);
        let date = f
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        for row in &r {
            let dt = row["datetime"].as_str().expect("datetime");
            assert_eq!(
                date.as_deref(),
                Some(format!("date={}", &dt[..10]).as_str()),
                "row in its day"
            );
        }
        rows.extend(r);
    }
    assert_eq!(rows.len(), tl.events.len());
    for (row, e) in rows.iter().zip(&tl.events) {
        assert_eq!(*row, tplus_report::event_json(&tl, e));
    }

    // Several row groups per file (small row-group target here), each zstd, ts as INT64 micros.
    let first = pq.join("timeline/date=2025-11-01/part-00000.parquet");
    let f = std::fs::File::open(first).expect("open");
    let b = ParquetRecordBatchReaderBuilder::try_new(f).expect("parquet");
    let md = b.metadata();
    assert!(
        md.num_row_groups() > 1,
        "row groups: {}",
        md.num_row_groups()
    );
    let col = md.row_group(0).column(0);
    assert!(matches!(
        col.compression(),
        parquet::basic::Compression::ZSTD(_)
    ));
    assert_eq!(col.column_type(), parquet::basic::Type::INT64);
    assert_eq!(
        b.schema().field(0).data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    let kv = md.file_metadata().key_value_metadata().expect("metadata");
    assert!(kv
        .iter()
        .any(|k| k.key == "tplus.t0_us" && k.value.as_deref() == Some(&*tl.run.t0_us.to_string())));

    // The findings table.
    let findings = read_findings(&pq.join("findings/findings.parquet"));
    assert_eq!(findings.len(), tl.findings.len());
    for (row, f) in findings.iter().zip(&tl.findings) {
        let want = tplus_report::finding_json(&tl, f);
        for k in [
            "kind",
            "severity",
            "source",
            "host",
            "path",
            "t_start",
            "t_end",
            "duration_seconds",
            "summary",
            "evidence",
        ] {
            assert_eq!(row[k], want[k], "findings column {k}");
        }
        assert_eq!(row["start_us"], json!(f.start_us));
        assert_eq!(row["start"], json!(f.start_us));
    }

    // And by real engines.
    let (jsonl, fj) = write_sidecars(tmp.path(), &tl);
    common::run_checker("check_parquet.py", &[&pq, &jsonl, &fj]);
}

/// The files do not depend on the number of threads: files are written in parallel and a
/// file's columns are encoded on the pool, but each column by one writer in row order.
#[test]
fn one_thread_and_four_write_the_same_bytes() {
    let tl = synthetic_timeline(20_000, 3);
    let tmp = tempfile::tempdir().expect("tmp");
    let write = |threads: usize, name: &str| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let dir = tmp.path().join(name);
        let opts = ParquetOptions {
            batch_rows: 900,
            row_group_bytes: 64 << 10,
            max_rows_per_file: 4000,
            ..ParquetOptions::default()
        };
        pool.install(|| write_parquet(&dir, &tl, &opts))
            .expect("parquet");
        dir
    };
    let one = write(1, "one");
    let four = write(4, "four");
    let (a, b) = (files_under(&one), files_under(&four));
    assert!(a.len() > 4, "{a:?}");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.strip_prefix(&one).ok(), y.strip_prefix(&four).ok());
        let same = std::fs::read(x).expect("read") == std::fs::read(y).expect("read");
        assert!(same, "{} differs between 1 and 4 threads", x.display());
    }
}

fn read_findings(path: &Path) -> Vec<Map<String, Value>> {
    let f = std::fs::File::open(path).expect("open");
    let reader = ParquetRecordBatchReaderBuilder::try_new(f)
        .expect("parquet")
        .build()
        .expect("reader");
    let mut out = Vec::new();
    for b in reader {
        let b = b.expect("batch");
        for i in 0..b.num_rows() {
            let mut m = Map::new();
            for (f, c) in b.schema().fields().iter().zip(b.columns()) {
                m.insert(f.name().clone(), cell(c.as_ref(), i));
            }
            out.push(m);
        }
    }
    out
}

#[test]
fn unsorted_events_still_land_in_their_day() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut tl = synthetic_timeline(3000, 3);
    tl.events.reverse();
    let pq = tmp.path().join("pq");
    write_parquet(&pq, &tl, &ParquetOptions::default()).expect("export");
    let mut total = 0;
    for f in files_under(&pq.join("timeline")) {
        let day = f
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rows = read_rows(&f);
        let ts: Vec<i64> = rows
            .iter()
            .map(|r| r["timestamp"].as_i64().unwrap_or_default())
            .collect();
        assert!(ts.windows(2).all(|w| w[0] <= w[1]), "sorted within {day}");
        for r in &rows {
            assert_eq!(
                day,
                format!("date={}", &r["datetime"].as_str().unwrap_or_default()[..10])
            );
        }
        total += rows.len();
    }
    assert_eq!(total, 3000);
}

#[test]
fn an_empty_timeline_writes_the_findings_table_only() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut tl = synthetic_timeline(0, 1);
    tl.findings.truncate(1);
    let pq = tmp.path().join("a/b/pq");
    let records = write_parquet(&pq, &tl, &ParquetOptions::default()).expect("export");
    assert_eq!(records.len(), 1);
    assert_eq!(files_under(&pq), vec![pq.join("findings/findings.parquet")]);
    assert!(pq.join("timeline").is_dir());
    assert_eq!(
        read_findings(&pq.join("findings/findings.parquet")).len(),
        1
    );
    let (jsonl, fj) = write_sidecars(tmp.path(), &tl);
    common::run_checker("check_parquet.py", &[&pq, &jsonl, &fj]);
}

#[test]
fn an_existing_partition_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let pq = tmp.path().join("pq");
    write_parquet(&pq, &synthetic_timeline(100, 1), &ParquetOptions::default()).expect("first");
    let before: Vec<(PathBuf, Vec<u8>)> = files_under(&pq)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("read");
            (p, b)
        })
        .collect();
    // Two days, the first of which is already there.
    let err = write_parquet(&pq, &synthetic_timeline(200, 2), &ParquetOptions::default())
        .expect_err("refused");
    match &err {
        ExportError::Exists { path, .. } => {
            assert!(
                path.ends_with("timeline/date=2025-11-01"),
                "{}",
                path.display()
            );
        }
        e => panic!("unexpected error {e}"),
    }
    assert!(err.to_string().contains("date=2025-11-01"), "{err}");
    let after: Vec<(PathBuf, Vec<u8>)> = files_under(&pq)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("read");
            (p, b)
        })
        .collect();
    assert_eq!(before, after, "nothing added, nothing changed");
    assert!(!pq.join("timeline/date=2025-11-02").exists());

    // A new day into the same folder: refused too, because the findings table is there.
    let mut later = synthetic_timeline(10, 1);
    for e in &mut later.events {
        e.ts_us += 10 * 86_400_000_000;
    }
    let err = write_parquet(&pq, &later, &ParquetOptions::default()).expect_err("refused");
    assert!(err.to_string().contains("findings.parquet"), "{err}");
    assert!(!pq.join("timeline/date=2025-11-11").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&pq)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "only timeline/ and findings/: {leftovers:?}"
    );
}

#[test]
fn an_unwritable_folder_is_an_error_naming_it_and_leaves_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, "x").expect("write");
    // A folder below a regular file cannot be created (this holds for root too).
    let pq = file.join("pq");
    let err = write_parquet(&pq, &synthetic_timeline(50, 1), &ParquetOptions::default())
        .expect_err("refused");
    assert!(
        err.to_string().contains(&*pq.display().to_string()),
        "{err}"
    );
    // DIR itself a regular file.
    let err = write_parquet(
        &file,
        &synthetic_timeline(50, 1),
        &ParquetOptions::default(),
    )
    .expect_err("refused");
    assert!(err.to_string().contains("plain-file"), "{err}");
    assert_eq!(std::fs::read(&file).expect("read"), b"x");
    assert_eq!(std::fs::read_dir(tmp.path()).expect("dir").count(), 1);
}

#[test]
fn a_failure_while_writing_removes_the_staging_folder() {
    // A zstd level the codec refuses fails inside the writer after DIR was created.
    let tmp = tempfile::tempdir().expect("tmp");
    let pq = tmp.path().join("new/pq");
    let opts = ParquetOptions {
        zstd_level: 99,
        ..ParquetOptions::default()
    };
    let err = write_parquet(&pq, &synthetic_timeline(50, 1), &opts).expect_err("refused");
    assert!(!err.to_string().is_empty());
    assert!(
        !tmp.path().join("new").exists(),
        "folders this export created are removed"
    );
}
