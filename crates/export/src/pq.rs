//! `--parquet DIR`: the timeline as Parquet, Hive-partitioned by UTC day, and the findings as
//! a second table.
//!
//! Layout: `DIR/timeline/date=YYYY-MM-DD/part-NNNNN.parquet` and
//! `DIR/findings/findings.parquet`. The partition column `date` lives only in the folder name
//! (the Hive convention every engine expects); each file holds the columns of
//! [`timeline_schema`].
//!
//! Design:
//! - Files are independent units (one per day, or several for a day above
//!   [`ParquetOptions::max_rows_per_file`]), written in parallel with rayon; within a file
//!   the columns of a batch are encoded in parallel too (see `write_file`).
//! - Each file is written in record batches of [`ParquetOptions::batch_rows`] events, and a
//!   row group is closed once its encoded size reaches [`ParquetOptions::row_group_bytes`],
//!   so memory stays bounded (two batches, the one encoded and the next, plus an open row
//!   group per file in progress) however large the timeline: the table is never
//!   materialised as a whole.
//! - Everything is written under a hidden staging folder in DIR, hashed while written, and
//!   only renamed into place once every file is complete; on any failure the staging folder
//!   is removed and nothing partial is left behind.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{ArrayRef, RecordBatch, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnWriter};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;
use tplus_custody::{HashingWriter, OutputRecord};
use tplus_model::{Event, Finding, Tag, Timeline};

use crate::fmt::{date_string, day_of, push_datetime, push_offset};
use crate::ExportError;

/// Tuning of the Parquet writer. The defaults suit Spark, Athena, Trino and DuckDB.
#[derive(Debug, Clone)]
pub struct ParquetOptions {
    /// Events per record batch handed to the writer (bounds the memory of a batch).
    pub batch_rows: usize,
    /// A row group is closed once the writer's estimate of its size in the file (pages
    /// encoded and compressed, plus the open pages) reaches this many bytes: 32 MiB gives the
    /// "tens of MB" row groups that Spark, Athena and Trino split work on, and bounds the
    /// memory each worker holds for its open row group.
    pub row_group_bytes: usize,
    /// A day with more events is split into several files (`part-00000`, `part-00001`...).
    /// 512 Ki rows (about 20-30 MB of zstd Parquet for log events) keeps files in the size
    /// engines split well and lets one busy day be written on several threads; the split
    /// depends only on the data, never on the thread count, so runs are reproducible.
    pub max_rows_per_file: usize,
    /// zstd level (1 is fast and already compresses logs well).
    pub zstd_level: i32,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            batch_rows: 32 * 1024,
            row_group_bytes: 32 << 20,
            max_rows_per_file: 1 << 19,
            zstd_level: 1,
        }
    }
}

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn list_of_strings() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

/// The columns of every timeline file, in order.
///
/// The JSONL fields, typed: `ts` as `Timestamp(Microsecond, "UTC")` (Parquet `INT64`
/// `TIMESTAMP(MICROS, isAdjustedToUTC=true)`, never INT96) with `ts_us` beside it (Athena and
/// Trino Hive tables read timestamps at millisecond precision; the integer keeps
/// sub-millisecond order), the evidence flattened as in `timeline.csv` (plain top-level
/// columns need no struct DDL in Athena/Hive, get their own statistics for pushdown, and read
/// the same in every engine), counts as signed 64-bit (unsigned Parquet types become
/// `DECIMAL(20,0)` in Spark), `attributes` as a JSON string (its keys differ per source).
pub fn timeline_schema() -> SchemaRef {
    let s = |n: &str, null: bool| Field::new(n, DataType::Utf8, null);
    Arc::new(Schema::new(vec![
        Field::new("ts", ts_type(), false),
        Field::new("ts_us", DataType::Int64, false),
        s("datetime", false),
        s("timestamp_desc", false),
        s("message", false),
        s("t_offset", false),
        Field::new("t_offset_seconds", DataType::Float64, false),
        s("source", false),
        s("host", true),
        s("actor", true),
        s("actor_kind", false),
        s("action", true),
        s("target", true),
        s("src_ip", true),
        s("outcome", false),
        s("confidence", false),
        Field::new("confidence_reasons", list_of_strings(), false),
        s("event_id", true),
        s("ts_raw", false),
        s("evidence_path", false),
        s("evidence_sha256", true),
        Field::new("evidence_line", DataType::Int64, true),
        Field::new("evidence_record", DataType::Int64, true),
        Field::new("evidence_offset", DataType::Int64, false),
        Field::new("tags", list_of_strings(), false),
        Field::new("significance", DataType::Int32, false),
        Field::new("count", DataType::Int64, false),
        s("attributes", false),
    ]))
}

/// The columns of `findings.parquet`: the fields of `findings.json`, times typed as in the
/// timeline (`start`/`end` as UTC timestamps, `start_us`/`end_us` as integers).
pub fn findings_schema() -> SchemaRef {
    let s = |n: &str, null: bool| Field::new(n, DataType::Utf8, null);
    Arc::new(Schema::new(vec![
        s("kind", false),
        s("severity", false),
        s("source", true),
        s("host", true),
        s("path", true),
        Field::new("start", ts_type(), true),
        Field::new("end", ts_type(), true),
        Field::new("start_us", DataType::Int64, true),
        Field::new("end_us", DataType::Int64, true),
        s("t_start", true),
        s("t_end", true),
        Field::new("duration_seconds", DataType::Float64, true),
        s("summary", false),
        Field::new("evidence", list_of_strings(), false),
    ]))
}

/// The snake_case name of a tag, as in the JSONL.
fn tag_name(t: Tag) -> String {
    match serde_json::to_value(t) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{t:?}"),
    }
}

/// Builds the record batch of `events` (in order).
pub(crate) fn timeline_batch(
    tl: &Timeline,
    events: &[&Event],
    schema: &SchemaRef,
    tags: &mut Vec<(Tag, String)>,
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let n = events.len();
    let text = |per: usize| StringBuilder::with_capacity(n, n * per);
    let mut ts = Vec::with_capacity(n);
    let mut ts_us = Int64Builder::with_capacity(n);
    let mut datetime = text(27);
    let mut desc = text(16);
    let mut message = StringBuilder::with_capacity(n, events.iter().map(|e| e.message.len()).sum());
    let mut t_offset = text(10);
    let mut t_secs = Float64Builder::with_capacity(n);
    let mut source = text(16);
    let mut host = text(12);
    let mut actor = text(12);
    let mut actor_kind = text(7);
    let mut action = text(16);
    let mut target = text(16);
    let mut src_ip = text(12);
    let mut outcome = text(7);
    let mut confidence = text(6);
    let mut reasons = ListBuilder::new(StringBuilder::new());
    let mut event_id = text(16);
    let mut ts_raw = text(24);
    let mut ev_path = text(24);
    let mut ev_sha = text(64);
    let mut ev_line = Int64Builder::with_capacity(n);
    let mut ev_record = Int64Builder::with_capacity(n);
    let mut ev_offset = Int64Builder::with_capacity(n);
    let mut tag_list = ListBuilder::new(StringBuilder::new());
    let mut significance = Int32Builder::with_capacity(n);
    let mut count = Int64Builder::with_capacity(n);
    let mut attributes = text(2);

    let mut buf = String::with_capacity(32);
    let mut json = Vec::with_capacity(256);
    for e in events {
        ts.push(e.ts_us);
        ts_us.append_value(e.ts_us);
        buf.clear();
        push_datetime(&mut buf, e.ts_us);
        datetime.append_value(&buf);
        desc.append_value(&e.timestamp_desc);
        message.append_value(&e.message);
        let off = tl.offset_us(e.ts_us);
        buf.clear();
        push_offset(&mut buf, off);
        t_offset.append_value(&buf);
        t_secs.append_value(tplus_model::time::offset_seconds(off));
        source.append_value(e.source);
        host.append_option(e.host.as_deref());
        actor.append_option(e.actor.as_deref());
        actor_kind.append_value(e.actor_kind.as_str());
        action.append_option(e.action.as_deref());
        target.append_option(e.target.as_deref());
        src_ip.append_option(e.src_ip.as_deref());
        outcome.append_value(e.outcome.as_str());
        confidence.append_value(e.confidence.as_str());
        for r in &e.confidence_reasons {
            reasons.values().append_value(r);
        }
        reasons.append(true);
        event_id.append_option(e.event_id.as_deref());
        ts_raw.append_value(&e.ts_raw);
        let input = tl.inputs.get(e.input as usize);
        ev_path.append_value(input.map_or("", |i| i.path.as_str()));
        ev_sha.append_option(input.and_then(|i| i.sha256.as_deref()));
        ev_line.append_option(e.location.line.map(clamp_i64));
        ev_record.append_option(e.location.record.map(clamp_i64));
        ev_offset.append_value(clamp_i64(e.location.offset));
        for t in &e.tags {
            let name = match tags.iter().find(|(k, _)| k == t) {
                Some((_, v)) => v.as_str(),
                None => {
                    tags.push((*t, tag_name(*t)));
                    tags.last().map_or("", |(_, v)| v.as_str())
                }
            };
            tag_list.values().append_value(name);
        }
        tag_list.append(true);
        significance.append_value(i32::from(e.significance));
        count.append_value(clamp_i64(e.count));
        if e.attributes.is_empty() {
            attributes.append_value("{}");
        } else {
            json.clear();
            serde_json::to_writer(&mut json, &e.attributes)
                .map_err(|x| arrow_schema::ArrowError::ExternalError(Box::new(x)))?;
            attributes.append_value(String::from_utf8_lossy(&json));
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(TimestampMicrosecondArray::from(ts).with_timezone("UTC")),
        Arc::new(ts_us.finish()),
        Arc::new(datetime.finish()),
        Arc::new(desc.finish()),
        Arc::new(message.finish()),
        Arc::new(t_offset.finish()),
        Arc::new(t_secs.finish()),
        Arc::new(source.finish()),
        Arc::new(host.finish()),
        Arc::new(actor.finish()),
        Arc::new(actor_kind.finish()),
        Arc::new(action.finish()),
        Arc::new(target.finish()),
        Arc::new(src_ip.finish()),
        Arc::new(outcome.finish()),
        Arc::new(confidence.finish()),
        Arc::new(reasons.finish()),
        Arc::new(event_id.finish()),
        Arc::new(ts_raw.finish()),
        Arc::new(ev_path.finish()),
        Arc::new(ev_sha.finish()),
        Arc::new(ev_line.finish()),
        Arc::new(ev_record.finish()),
        Arc::new(ev_offset.finish()),
        Arc::new(tag_list.finish()),
        Arc::new(significance.finish()),
        Arc::new(count.finish()),
        Arc::new(attributes.finish()),
    ];
    RecordBatch::try_new(schema.clone(), columns)
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn findings_batch(
    tl: &Timeline,
    findings: &[Finding],
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut kind = StringBuilder::new();
    let mut severity = StringBuilder::new();
    let mut source = StringBuilder::new();
    let mut host = StringBuilder::new();
    let mut path = StringBuilder::new();
    let mut start = Vec::new();
    let mut end = Vec::new();
    let mut t_start = StringBuilder::new();
    let mut t_end = StringBuilder::new();
    let mut duration = Float64Builder::new();
    let mut summary = StringBuilder::new();
    let mut evidence = ListBuilder::new(StringBuilder::new());
    let mut buf = String::new();
    for f in findings {
        kind.append_value(f.kind.as_str());
        severity.append_value(f.severity.as_str());
        source.append_option(f.source.as_deref());
        host.append_option(f.host.as_deref());
        path.append_option(f.path.as_deref());
        start.push(f.start_us);
        end.push(f.end_us);
        for (b, t) in [(&mut t_start, f.start_us), (&mut t_end, f.end_us)] {
            match t {
                Some(us) => {
                    buf.clear();
                    push_offset(&mut buf, tl.offset_us(us));
                    b.append_value(&buf);
                }
                None => b.append_null(),
            }
        }
        duration.append_option(match (f.start_us, f.end_us) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a) as f64 / 1e6),
            _ => None,
        });
        summary.append_value(&f.summary);
        for x in &f.evidence {
            evidence.values().append_value(x);
        }
        evidence.append(true);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(kind.finish()),
        Arc::new(severity.finish()),
        Arc::new(source.finish()),
        Arc::new(host.finish()),
        Arc::new(path.finish()),
        Arc::new(TimestampMicrosecondArray::from(start.clone()).with_timezone("UTC")),
        Arc::new(TimestampMicrosecondArray::from(end.clone()).with_timezone("UTC")),
        Arc::new(arrow_array::Int64Array::from(start)),
        Arc::new(arrow_array::Int64Array::from(end)),
        Arc::new(t_start.finish()),
        Arc::new(t_end.finish()),
        Arc::new(duration.finish()),
        Arc::new(summary.finish()),
        Arc::new(evidence.finish()),
    ];
    RecordBatch::try_new(findings_schema(), columns)
}

fn properties(
    tl: &Timeline,
    opts: &ParquetOptions,
    timeline: bool,
) -> Result<WriterProperties, ExportError> {
    let level =
        ZstdLevel::try_new(opts.zstd_level).map_err(|e| ExportError::Options(e.to_string()))?;
    let mut meta = vec![
        KeyValue::new(
            "tplus.version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
        KeyValue::new("tplus.t0_us".to_owned(), tl.run.t0_us.to_string()),
        KeyValue::new("tplus.t0_given".to_owned(), tl.run.t0_given.to_string()),
    ];
    if !tl.run.inputs_digest.is_empty() {
        meta.push(KeyValue::new(
            "tplus.inputs_digest".to_owned(),
            tl.run.inputs_digest.clone(),
        ));
    }
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_created_by(format!("tplus version {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(meta))
        .set_max_row_group_size(usize::MAX);
    if timeline {
        // Rows are sorted by time: say so, engines use it for merges and range pruning.
        b = b.set_sorting_columns(Some(vec![SortingColumn {
            column_idx: 0,
            descending: false,
            nulls_first: false,
        }]));
        // Columns that are (nearly) unique per row gain nothing from a dictionary: skip the
        // attempt and its fallback. `t_offset` has one value per second of the timeline:
        // its dictionary outgrows the page limit and falls back within busy days, and zstd
        // packs the sorted plain strings as small.
        for c in [
            "ts",
            "ts_us",
            "datetime",
            "message",
            "t_offset",
            "t_offset_seconds",
            "ts_raw",
            "evidence_offset",
            "evidence_line",
            "evidence_record",
            "event_id",
        ] {
            b = b.set_column_dictionary_enabled(ColumnPath::from(c), false);
        }
        // Min/max of free text prunes nothing: skip computing it.
        for c in [
            "datetime",
            "message",
            "t_offset",
            "ts_raw",
            "event_id",
            "attributes",
            "evidence_sha256",
        ] {
            b = b.set_column_statistics_enabled(ColumnPath::from(c), EnabledStatistics::None);
        }
    }
    Ok(b.build())
}

/// One file to write: the events `range` (indices into the timeline order) of one day.
#[derive(Debug, Clone)]
struct Unit {
    date: String,
    part: usize,
    range: std::ops::Range<usize>,
}

impl Unit {
    fn rel(&self) -> PathBuf {
        Path::new("timeline")
            .join(format!("date={}", self.date))
            .join(format!("part-{:05}.parquet", self.part))
    }
}

/// The timeline's order of events: the index itself when the events are sorted by time (as
/// the engine hands them over), else a stable sort by time.
fn order(tl: &Timeline) -> Option<Vec<usize>> {
    let sorted = tl.events.windows(2).all(|w| match w {
        [a, b] => a.ts_us <= b.ts_us,
        _ => true,
    });
    if sorted {
        return None;
    }
    let mut idx: Vec<usize> = (0..tl.events.len()).collect();
    idx.sort_by_key(|&i| tl.events.get(i).map_or(0, |e| e.ts_us));
    Some(idx)
}

fn units(tl: &Timeline, order: Option<&[usize]>, max_rows: usize) -> Vec<Unit> {
    let at = |i: usize| -> i64 {
        let j = order.and_then(|o| o.get(i).copied()).unwrap_or(i);
        tl.events.get(j).map_or(0, |e| e.ts_us)
    };
    let max_rows = max_rows.max(1);
    let mut out = Vec::new();
    let n = tl.events.len();
    let mut start = 0;
    while start < n {
        let day = day_of(at(start));
        let mut end = start + 1;
        while end < n && day_of(at(end)) == day {
            end += 1;
        }
        let date = date_string(day);
        let mut part = 0;
        let mut s = start;
        while s < end {
            let e = (s + max_rows).min(end);
            out.push(Unit {
                date: date.clone(),
                part,
                range: s..e,
            });
            part += 1;
            s = e;
        }
        start = end;
    }
    out
}

/// Writes one Parquet file from batches, hashing while writing; returns the hex SHA-256.
///
/// The bytes are those [`ArrowWriter`] writes (same writers, same row-group cuts), but the
/// columns of each batch are encoded on the rayon pool and the next batch is built meanwhile:
/// a day's file is then no longer one thread's work, so the last files of an export do not
/// leave a core idle. Each column is still encoded in row order by one writer, so the file
/// does not depend on the thread count.
fn write_file<'a>(
    path: &Path,
    schema: SchemaRef,
    props: WriterProperties,
    row_group_bytes: usize,
    mut batches: impl FnMut() -> Option<Result<RecordBatch, arrow_schema::ArrowError>> + Send + 'a,
) -> Result<String, ExportError> {
    let io = |source| ExportError::Io {
        path: path.to_owned(),
        cause: source,
    };
    let pq = |source| ExportError::Parquet {
        path: path.to_owned(),
        cause: source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let f = File::create(path).map_err(io)?;
    let w = HashingWriter::new(BufWriter::with_capacity(1 << 20, f));
    let (mut file, factory) = ArrowWriter::try_new(w, schema.clone(), Some(props))
        .and_then(ArrowWriter::into_serialized_writer)
        .map_err(pq)?;
    let mut group: Option<Vec<ArrowColumnWriter>> = None;
    let mut next = batches();
    while let Some(batch) = next.take() {
        let batch = batch.map_err(|e| pq(e.into()))?;
        if batch.num_rows() == 0 {
            // As ArrowWriter: an empty batch opens no row group.
            next = batches();
            continue;
        }
        let writers = match &mut group {
            Some(w) => w,
            None => group.insert(
                factory
                    .create_column_writers(file.flushed_row_groups().len())
                    .map_err(pq)?,
            ),
        };
        let mut leaves = Vec::with_capacity(writers.len());
        for (field, column) in schema.fields().iter().zip(batch.columns()) {
            leaves.extend(compute_leaves(field, column).map_err(pq)?);
        }
        let (encoded, following) = rayon::join(
            || {
                writers
                    .par_iter_mut()
                    .zip(leaves.par_iter())
                    .try_for_each(|(w, leaf)| w.write(leaf))
            },
            &mut batches,
        );
        encoded.map_err(pq)?;
        next = following;
        let size: usize = writers.iter().map(|w| w.get_estimated_total_bytes()).sum();
        if size >= row_group_bytes {
            if let Some(writers) = group.take() {
                append_row_group(&mut file, writers).map_err(pq)?;
            }
        }
    }
    if let Some(writers) = group.take() {
        append_row_group(&mut file, writers).map_err(pq)?;
    }
    let w = file.into_inner().map_err(pq)?;
    let (buf, sha) = w.finish().map_err(io)?;
    buf.into_inner()
        .map_err(|e| io(e.into_error()))?
        .sync_all()
        .map_err(io)?;
    Ok(sha)
}

/// Closes the column writers of a row group (flushing and compressing their last pages on
/// the pool) and appends the chunks to the file in column order.
fn append_row_group<W: std::io::Write + Send>(
    file: &mut SerializedFileWriter<W>,
    writers: Vec<ArrowColumnWriter>,
) -> Result<(), parquet::errors::ParquetError> {
    let chunks = writers
        .into_par_iter()
        .map(ArrowColumnWriter::close)
        .collect::<Result<Vec<_>, _>>()?;
    let mut row_group = file.next_row_group()?;
    for chunk in chunks {
        chunk.append_to_row_group(&mut row_group)?;
    }
    row_group.close()?;
    Ok(())
}

/// Writes `DIR/timeline/date=.../part-NNNNN.parquet` and `DIR/findings/findings.parquet`.
///
/// Returns one [`OutputRecord`] per file, its `path` being `dir` joined with the file's
/// place below it (as given, so it reads like the `--parquet` argument).
///
/// # Errors
/// [`ExportError::Exists`] when a partition folder or the findings file is already there
/// (nothing is written then); [`ExportError::Io`]/[`ExportError::Parquet`] naming the path
/// that could not be written. In every error case no file of this export is left behind.
pub fn write_parquet(
    dir: &Path,
    tl: &Timeline,
    opts: &ParquetOptions,
) -> Result<Vec<OutputRecord>, ExportError> {
    let order = order(tl);
    let units = units(tl, order.as_deref(), opts.max_rows_per_file);
    let findings_rel = Path::new("findings").join("findings.parquet");

    // Refuse before writing anything: an existing partition or findings table.
    let mut partitions: Vec<&str> = units.iter().map(|u| u.date.as_str()).collect();
    partitions.dedup();
    for d in &partitions {
        let p = dir.join("timeline").join(format!("date={d}"));
        if p.exists() {
            return Err(ExportError::Exists {
                path: p,
                what: "partition of an earlier export",
            });
        }
    }
    check_parquet_target(dir)?;

    let mut created = Vec::new();
    create_dirs(dir, &mut created)?;
    let stage = dir.join(format!(".tplus-partial-{}", std::process::id()));
    let cleanup = |created: &[PathBuf]| {
        let _ = std::fs::remove_dir_all(&stage);
        for d in created.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    };
    if let Err(source) = std::fs::create_dir(&stage) {
        cleanup(&created);
        return Err(ExportError::Io {
            path: dir.to_owned(),
            cause: source,
        });
    }

    let written = write_all(&stage, tl, order.as_deref(), &units, &findings_rel, opts);
    let mut records = match written {
        Ok(r) => r,
        Err(e) => {
            cleanup(&created);
            return Err(e);
        }
    };
    if let Err(e) = publish(dir, &stage, &partitions, &findings_rel, &mut created) {
        cleanup(&created);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&stage);
    for r in &mut records {
        r.path = dir.join(&r.path).display().to_string();
    }
    Ok(records)
}

/// Checks, without writing anything, that a Parquet export into `dir` can start: `dir` is a
/// folder or can be created (its nearest existing ancestor is a folder), and holds no
/// findings table yet. The partitions are checked by [`write_parquet`] once the days are
/// known.
///
/// # Errors
/// [`ExportError::Exists`] or [`ExportError::Io`] naming the path.
pub fn check_parquet_target(dir: &Path) -> Result<(), ExportError> {
    let not_folder = |p: &Path| ExportError::Io {
        path: p.to_owned(),
        cause: std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            "exists and is not a folder",
        ),
    };
    if dir.exists() {
        if !dir.is_dir() {
            return Err(not_folder(dir));
        }
        let findings = dir.join("findings").join("findings.parquet");
        if findings.exists() {
            return Err(ExportError::Exists {
                path: findings,
                what: "findings table of an earlier export",
            });
        }
        return Ok(());
    }
    let mut p = dir.parent();
    while let Some(a) = p {
        if a.as_os_str().is_empty() {
            break;
        }
        if a.exists() {
            if !a.is_dir() {
                return Err(ExportError::Io {
                    path: dir.to_owned(),
                    cause: std::io::Error::new(
                        std::io::ErrorKind::NotADirectory,
                        format!("{} is not a folder", a.display()),
                    ),
                });
            }
            break;
        }
        p = a.parent();
    }
    Ok(())
}

/// Creates `dir` and its missing ancestors, remembering which ones it created.
pub(crate) fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), ExportError> {
    let mut missing = Vec::new();
    let mut p = Some(dir);
    while let Some(d) = p {
        if d.as_os_str().is_empty() || d.exists() {
            break;
        }
        missing.push(d.to_owned());
        p = d.parent();
    }
    for d in missing.into_iter().rev() {
        match std::fs::create_dir(&d) {
            Ok(()) => created.push(d),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => {}
            Err(source) => {
                for c in created.iter().rev() {
                    let _ = std::fs::remove_dir(c);
                }
                return Err(ExportError::Io {
                    path: d,
                    cause: source,
                });
            }
        }
    }
    Ok(())
}

fn write_all(
    stage: &Path,
    tl: &Timeline,
    order: Option<&[usize]>,
    units: &[Unit],
    findings_rel: &Path,
    opts: &ParquetOptions,
) -> Result<Vec<OutputRecord>, ExportError> {
    let schema = timeline_schema();
    let batch_rows = opts.batch_rows.max(1);
    let mut records: Vec<OutputRecord> = units
        .par_iter()
        .map(|u| {
            let rel = u.rel();
            let props = properties(tl, opts, true)?;
            let mut next = u.range.start;
            let mut tags = Vec::new();
            let schema2 = schema.clone();
            let sha = write_file(
                &stage.join(&rel),
                schema.clone(),
                props,
                opts.row_group_bytes,
                || {
                    if next >= u.range.end {
                        return None;
                    }
                    let end = (next + batch_rows).min(u.range.end);
                    let refs: Vec<&Event> = (next..end)
                        .filter_map(|i| {
                            let j = order.and_then(|o| o.get(i).copied()).unwrap_or(i);
                            tl.events.get(j)
                        })
                        .collect();
                    next = end;
                    Some(timeline_batch(tl, &refs, &schema2, &mut tags))
                },
            )?;
            Ok(OutputRecord {
                path: rel.display().to_string(),
                sha256: sha,
            })
        })
        .collect::<Result<_, ExportError>>()?;
    let props = properties(tl, opts, false)?;
    let mut once = Some(findings_batch(tl, &tl.findings));
    let sha = write_file(
        &stage.join(findings_rel),
        findings_schema(),
        props,
        opts.row_group_bytes,
        || once.take(),
    )?;
    records.push(OutputRecord {
        path: findings_rel.display().to_string(),
        sha256: sha,
    });
    Ok(records)
}

/// Moves the staged partitions and the findings table into place. On failure the moves
/// already made are undone (`created` gains the folders made here, for the cleanup).
fn publish(
    dir: &Path,
    stage: &Path,
    partitions: &[&str],
    findings_rel: &Path,
    created: &mut Vec<PathBuf>,
) -> Result<(), ExportError> {
    let io = |path: &Path, source| ExportError::Io {
        path: path.to_owned(),
        cause: source,
    };
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for sub in ["timeline", "findings"] {
            let d = dir.join(sub);
            if !d.is_dir() {
                std::fs::create_dir(&d).map_err(|e| io(&d, e))?;
                created.push(d);
            }
        }
        for d in partitions {
            let name = format!("date={d}");
            let from = stage.join("timeline").join(&name);
            let to = dir.join("timeline").join(&name);
            if to.exists() {
                return Err(ExportError::Exists {
                    path: to,
                    what: "partition of an earlier export",
                });
            }
            std::fs::rename(&from, &to).map_err(|e| io(&to, e))?;
            moved.push((to, from));
        }
        let from = stage.join(findings_rel);
        let to = dir.join(findings_rel);
        if to.exists() {
            return Err(ExportError::Exists {
                path: to,
                what: "findings table of an earlier export",
            });
        }
        std::fs::rename(&from, &to).map_err(|e| io(&to, e))?;
        Ok(())
    })();
    if result.is_err() {
        for (to, from) in moved.iter().rev() {
            if std::fs::rename(to, from).is_err() {
                let _ = std::fs::remove_dir_all(to);
            }
        }
    }
    result
}
