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
    Float64Builder, ListBuilder, NullBufferBuilder, OffsetBufferBuilder, StringBuilder,
};
use arrow_array::{
    ArrayRef, Float64Array, Int32Array, Int64Array, ListArray, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnWriter};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding, ZstdLevel};
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnPath;
use rayon::prelude::*;
use tplus_custody::{HashingWriter, OutputRecord};
use tplus_model::{Event, Finding, Tag, Timeline};

use crate::fmt::{date_string, day_of, push_offset, Clock};
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

/// A `Utf8` column written straight into its value and offset buffers: what `StringBuilder`
/// does, but the time strings and the attributes' JSON are written in place instead of going
/// through a `String` each. The buffers are checked once when the array is made (UTF-8 and
/// offsets, in [`Text::finish`]).
struct Text {
    offsets: OffsetBufferBuilder<i32>,
    values: Vec<u8>,
    nulls: NullBufferBuilder,
    start: usize,
}

impl Text {
    fn with_capacity(rows: usize, bytes: usize) -> Self {
        Text {
            offsets: OffsetBufferBuilder::new(rows),
            values: Vec::with_capacity(bytes),
            nulls: NullBufferBuilder::new(rows),
            start: 0,
        }
    }

    /// Ends the value written into `values` since the last one.
    fn close(&mut self) {
        let end = self.values.len();
        self.offsets.push_length(end - self.start);
        self.start = end;
        self.nulls.append_non_null();
    }

    fn push(&mut self, s: &str) {
        self.values.extend_from_slice(s.as_bytes());
        self.close();
    }

    fn push_opt(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.push(s),
            None => {
                self.offsets.push_length(0);
                self.nulls.append_null();
            }
        }
    }

    fn finish(mut self) -> Result<StringArray, arrow_schema::ArrowError> {
        if i32::try_from(self.values.len()).is_err() {
            return Err(arrow_schema::ArrowError::InvalidArgumentError(format!(
                "{} bytes of text in one column of a batch, more than Utf8 offsets address",
                self.values.len()
            )));
        }
        StringArray::try_new(
            self.offsets.finish(),
            self.values.into(),
            self.nulls.finish(),
        )
    }
}

/// A `List<Utf8>` column (reasons, tags), never null.
struct TextList {
    offsets: OffsetBufferBuilder<i32>,
    items: Text,
    open: usize,
}

impl TextList {
    fn with_capacity(rows: usize) -> Self {
        TextList {
            offsets: OffsetBufferBuilder::new(rows),
            items: Text::with_capacity(rows / 2, rows * 8),
            open: 0,
        }
    }

    fn push_item(&mut self, s: &str) {
        self.items.push(s);
        self.open += 1;
    }

    /// Ends the row's list.
    fn close(&mut self) {
        self.offsets.push_length(self.open);
        self.open = 0;
    }

    fn finish(self, field: &Field) -> Result<ListArray, arrow_schema::ArrowError> {
        let item = match field.data_type() {
            DataType::List(item) => item.clone(),
            _ => Arc::new(Field::new("item", DataType::Utf8, true)),
        };
        ListArray::try_new(
            item,
            self.offsets.finish(),
            Arc::new(self.items.finish()?),
            None,
        )
    }
}

/// The text columns whose size varies with the evidence, in [`Batcher::bytes`] order.
const SIZED: usize = 8;

/// Builds the record batches of one file, in order. Remembers what the previous batch needed
/// (the date and offset strings, tag names, the bytes of each text column per row) so the
/// next one starts with buffers of the right size and the calendar is worked out once.
pub(crate) struct Batcher<'a> {
    tl: &'a Timeline,
    schema: SchemaRef,
    clock: Clock,
    tags: Vec<(Tag, String)>,
    /// Bytes per row of the variable text columns in the previous batch (×16, rounded up).
    bytes: Option<[usize; SIZED]>,
}

impl<'a> Batcher<'a> {
    pub(crate) fn new(tl: &'a Timeline, schema: SchemaRef) -> Self {
        Batcher {
            tl,
            schema,
            clock: Clock::default(),
            tags: Vec::new(),
            bytes: None,
        }
    }

    /// The record batch of `events` (in time order). One pass over the events, every column
    /// built at once.
    pub(crate) fn batch(
        &mut self,
        events: &[&Event],
    ) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let n = events.len();
        let tl = self.tl;
        // First batch: typical log lines; later ones: the previous batch's sizes.
        let per = self.bytes.unwrap_or([
            16 * 96,
            16 * 24,
            16 * 20,
            16 * 12,
            16 * 12,
            16 * 16,
            16 * 16,
            16 * 16,
        ]);
        let sized = |i: usize| Text::with_capacity(n, (n * per[i]).div_ceil(16) + 64);
        let fixed = |len: usize| Text::with_capacity(n, n * len);
        let mut message = sized(0);
        let mut ts_raw = sized(1);
        let mut event_id = sized(2);
        let mut host = sized(3);
        let mut actor = sized(4);
        let mut action = sized(5);
        let mut target = sized(6);
        let mut attributes = sized(7);
        let mut ts = Vec::with_capacity(n);
        let mut datetime = fixed(27);
        let mut desc = fixed(16);
        let mut t_offset = fixed(10);
        let mut t_secs = Vec::with_capacity(n);
        let mut source = fixed(16);
        let mut actor_kind = fixed(7);
        let mut src_ip = fixed(12);
        let mut outcome = fixed(7);
        let mut confidence = fixed(6);
        let mut reasons = TextList::with_capacity(n);
        let mut ev_path = fixed(24);
        let mut ev_sha = fixed(64);
        let mut ev_line = Vec::with_capacity(n);
        let mut ev_line_nulls = NullBufferBuilder::new(n);
        let mut ev_record = Vec::with_capacity(n);
        let mut ev_record_nulls = NullBufferBuilder::new(n);
        let mut ev_offset = Vec::with_capacity(n);
        let mut tag_list = TextList::with_capacity(n);
        let mut significance = Vec::with_capacity(n);
        let mut count = Vec::with_capacity(n);

        for e in events {
            ts.push(e.ts_us);
            self.clock.datetime(&mut datetime.values, e.ts_us);
            datetime.close();
            desc.push(&e.timestamp_desc);
            message.push(&e.message);
            let off = tl.offset_us(e.ts_us);
            self.clock.offset(&mut t_offset.values, off);
            t_offset.close();
            t_secs.push(tplus_model::time::offset_seconds(off));
            source.push(e.source);
            host.push_opt(e.host.as_deref());
            actor.push_opt(e.actor.as_deref());
            actor_kind.push(e.actor_kind.as_str());
            action.push_opt(e.action.as_deref());
            target.push_opt(e.target.as_deref());
            src_ip.push_opt(e.src_ip.as_deref());
            outcome.push(e.outcome.as_str());
            confidence.push(e.confidence.as_str());
            for r in &e.confidence_reasons {
                reasons.push_item(r);
            }
            reasons.close();
            event_id.push_opt(e.event_id.as_deref());
            ts_raw.push(&e.ts_raw);
            let input = tl.inputs.get(e.input as usize);
            ev_path.push(input.map_or("", |i| i.path.as_str()));
            ev_sha.push_opt(input.and_then(|i| i.sha256.as_deref()));
            for (v, nulls, x) in [
                (&mut ev_line, &mut ev_line_nulls, e.location.line),
                (&mut ev_record, &mut ev_record_nulls, e.location.record),
            ] {
                v.push(x.map_or(0, clamp_i64));
                nulls.append(x.is_some());
            }
            ev_offset.push(clamp_i64(e.location.offset));
            for t in &e.tags {
                let name = match self.tags.iter().find(|(k, _)| *k == t) {
                    Some((_, v)) => v.as_str(),
                    None => {
                        self.tags.push((t, tag_name(t)));
                        self.tags.last().map_or("", |(_, v)| v.as_str())
                    }
                };
                tag_list.push_item(name);
            }
            tag_list.close();
            significance.push(i32::from(e.significance));
            count.push(clamp_i64(e.count));
            if e.attributes.is_empty() {
                attributes.values.extend_from_slice(b"{}");
            } else {
                serde_json::to_writer(&mut attributes.values, &e.attributes)
                    .map_err(|x| arrow_schema::ArrowError::ExternalError(Box::new(x)))?;
            }
            attributes.close();
        }
        if n > 0 {
            let sizes = [
                &message,
                &ts_raw,
                &event_id,
                &host,
                &actor,
                &action,
                &target,
                &attributes,
            ];
            let mut per = [0; SIZED];
            for (p, t) in per.iter_mut().zip(sizes) {
                *p = (t.values.len() * 16).div_ceil(n);
            }
            self.bytes = Some(per);
        }
        let field = |i: usize| self.schema.field(i);
        let ts_us = Int64Array::new(ts.into(), None);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(
                TimestampMicrosecondArray::new(ts_us.values().clone(), None).with_timezone("UTC"),
            ),
            Arc::new(ts_us),
            Arc::new(datetime.finish()?),
            Arc::new(desc.finish()?),
            Arc::new(message.finish()?),
            Arc::new(t_offset.finish()?),
            Arc::new(Float64Array::new(t_secs.into(), None)),
            Arc::new(source.finish()?),
            Arc::new(host.finish()?),
            Arc::new(actor.finish()?),
            Arc::new(actor_kind.finish()?),
            Arc::new(action.finish()?),
            Arc::new(target.finish()?),
            Arc::new(src_ip.finish()?),
            Arc::new(outcome.finish()?),
            Arc::new(confidence.finish()?),
            Arc::new(reasons.finish(field(16))?),
            Arc::new(event_id.finish()?),
            Arc::new(ts_raw.finish()?),
            Arc::new(ev_path.finish()?),
            Arc::new(ev_sha.finish()?),
            Arc::new(Int64Array::new(ev_line.into(), ev_line_nulls.finish())),
            Arc::new(Int64Array::new(ev_record.into(), ev_record_nulls.finish())),
            Arc::new(Int64Array::new(ev_offset.into(), None)),
            Arc::new(tag_list.finish(field(24))?),
            Arc::new(Int32Array::new(significance.into(), None)),
            Arc::new(Int64Array::new(count.into(), None)),
            Arc::new(attributes.finish()?),
        ];
        RecordBatch::try_new(self.schema.clone(), columns)
    }
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
        // Within a file these rise (nearly) monotonically: DELTA_BINARY_PACKED stores the
        // differences bit-packed (about 11 bits a `ts` on the bench timeline instead of 64),
        // so the file is smaller (1M events: 48.3 -> 40.0 MB) and zstd has far fewer bytes to
        // go through (about 4% of the export's instructions). Every reader tplus names reads
        // it; Spark before 3.3 only with its vectorized reader off (see the README).
        for c in [
            "ts",
            "ts_us",
            "evidence_line",
            "evidence_record",
            "evidence_offset",
        ] {
            b = b.set_column_encoding(ColumnPath::from(c), Encoding::DELTA_BINARY_PACKED);
        }
        // Min/max cost a comparison per value. Skipped where they prune nothing: free text,
        // the closed vocabularies (a day's rows hold every outcome, kind, confidence and
        // description, so each page's range is the whole vocabulary) and list items, into
        // which the engines push no filter. `source`, `host`, `actor`, `action`, `target`,
        // `src_ip`, the evidence path and the numbers keep theirs.
        for c in [
            "datetime",
            "message",
            "t_offset",
            "ts_raw",
            "event_id",
            "attributes",
            "evidence_sha256",
            "timestamp_desc",
            "actor_kind",
            "outcome",
            "confidence",
            "confidence_reasons.list.item",
            "tags.list.item",
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
            let mut batcher = Batcher::new(tl, schema.clone());
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
                    Some(batcher.batch(&refs))
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
