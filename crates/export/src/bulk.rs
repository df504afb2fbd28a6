//! `--bulk FILE`: OpenSearch / Elasticsearch bulk NDJSON, and the index template beside it.
//!
//! Each event is two lines, both newline-terminated:
//! `{"index":{"_index":NAME,"_id":ID}}` then the event document, which is exactly the event's
//! `timeline.jsonl` object (so Timesketch, OpenSearch and the JSONL agree field for field).
//!
//! The `_id` ([`bulk_id`]) makes a re-import idempotent: the `index` action replaces the
//! document with the same id instead of adding a second copy.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};
use tplus_custody::{HashingWriter, OutputRecord};
use tplus_model::text::decimal;
use tplus_model::{Event, Timeline, TimelineSink};

use crate::ExportError;

/// The default index name.
pub const DEFAULT_INDEX: &str = "tplus-timeline";

/// Checks an index name against the rules OpenSearch and Elasticsearch share: lower case,
/// none of `\ / * ? " < > | , #`, spaces or `:`, not starting with `-`, `_` or `+`, not `.`
/// or `..`, at most 255 bytes.
///
/// # Errors
/// A sentence saying what is wrong.
pub fn validate_index_name(name: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("--bulk-index {name:?}: {why}"));
    if name.is_empty() {
        return bad("an index name cannot be empty");
    }
    if name.len() > 255 {
        return bad("an index name is at most 255 bytes");
    }
    if name == "." || name == ".." {
        return bad("an index name cannot be . or ..");
    }
    if name.starts_with(['-', '_', '+']) {
        return bad("an index name cannot start with -, _ or +");
    }
    if name.chars().any(|c| c.is_uppercase()) {
        return bad("an index name must be lower case");
    }
    if let Some(c) = name.chars().find(|c| {
        matches!(
            c,
            '\\' | '/' | '*' | '?' | '"' | '<' | '>' | '|' | ',' | '#' | ':'
        ) || c.is_whitespace()
            || c.is_control()
    }) {
        return bad(&format!("an index name cannot contain {c:?}"));
    }
    Ok(())
}

/// The stable document id of an event: the first 128 bits, in hex, of
/// SHA-256(`evidence` NUL `source` NUL `line` NUL `record` NUL `offset`).
///
/// "The same event" is the same record of the same evidence read as the same format:
/// - `evidence` is the input file's SHA-256, so the id survives the evidence being copied,
///   renamed or collected again under another path; when the input has no hash (standard
///   input that could not be hashed) its listed path stands in;
/// - `line`, `record` and `offset` locate the record in the (decompressed) stream; one
///   record yields one event, so the location is unique within a file;
/// - `source` (the format id) separates two readings of the same bytes.
///
/// The time is deliberately left out: re-running with a corrected `--tz` or `--year` then
/// updates the documents in place instead of duplicating them. So are the output's order and
/// the run's T0.
pub fn bulk_id(tl: &Timeline, e: &Event) -> String {
    let hex = bulk_id_hex(tl, e);
    String::from_utf8_lossy(&hex).into_owned()
}

/// [`bulk_id`] as its 32 hex bytes, without allocating: the bulk file computes one per event.
fn bulk_id_hex(tl: &Timeline, e: &Event) -> [u8; 32] {
    let input = tl.inputs.get(e.input as usize);
    let evidence = match input.and_then(|i| i.sha256.as_deref()) {
        Some(sha) if !sha.is_empty() => sha,
        _ => input.map_or("", |i| i.path.as_str()),
    };
    let mut h = Sha256::new();
    let mut digits = [0u8; 20];
    h.update(evidence.as_bytes());
    h.update([0u8]);
    h.update(e.source.as_bytes());
    h.update([0u8]);
    for part in [e.location.line, e.location.record, Some(e.location.offset)] {
        if let Some(v) = part {
            h.update(decimal(v, &mut digits));
        }
        h.update([0u8]);
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let d = h.finalize();
    let mut out = [0u8; 32];
    for (i, b) in d.iter().take(16).enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 15)];
    }
    out
}

/// The composable index template (`PUT _index_template/NAME`) for the documents, valid for
/// OpenSearch 1.x/2.x and Elasticsearch 7.8+/8.x.
///
/// `datetime` is a `date` (`strict_date_optional_time_nanos` parses the microseconds;
/// Timesketch maps it the same way) and `timestamp` the exact microseconds as a `long`, which
/// keeps sub-millisecond order for sorting. Ids and enumerations are `keyword`, `src_ip` is
/// `ip`, `message` is `text` with a `keyword` sub-field. `attributes` differ per source and
/// may hold the same key with different types, so they are kept in `_source` but not
/// indexed (`enabled: false`): a type clash there would otherwise reject whole documents.
/// `dynamic: false` keeps any later field from being guessed into the mapping.
pub fn index_template(index: &str) -> serde_json::Value {
    let kw = || json!({ "type": "keyword", "ignore_above": 8191 });
    json!({
        "index_patterns": [index],
        "priority": 200,
        "_meta": {
            "description": "tplus timeline events (written by tplus --bulk)",
            "tplus_version": env!("CARGO_PKG_VERSION"),
        },
        "template": {
            "settings": {
                "index": { "number_of_shards": 1 }
            },
            "mappings": {
                "dynamic": false,
                "properties": {
                    "datetime": { "type": "date", "format": "strict_date_optional_time_nanos" },
                    "timestamp": { "type": "long" },
                    "timestamp_desc": kw(),
                    "message": {
                        "type": "text",
                        "fields": { "keyword": { "type": "keyword", "ignore_above": 8191 } }
                    },
                    "t_offset": kw(),
                    "t_offset_seconds": { "type": "double" },
                    "source": kw(),
                    "host": kw(),
                    "actor": kw(),
                    "actor_kind": kw(),
                    "action": kw(),
                    "target": kw(),
                    "src_ip": { "type": "ip" },
                    "outcome": kw(),
                    "confidence": kw(),
                    "confidence_reasons": kw(),
                    "event_id": kw(),
                    "ts_raw": kw(),
                    "evidence": {
                        "properties": {
                            "path": kw(),
                            "sha256": kw(),
                            "line": { "type": "long" },
                            "record": { "type": "long" },
                            "offset": { "type": "long" }
                        }
                    },
                    "tags": kw(),
                    "significance": { "type": "short" },
                    "count": { "type": "long" },
                    "attributes": { "type": "object", "enabled": false }
                }
            }
        }
    })
}

/// The template's path: `FILE.template.json` beside `FILE`.
pub fn template_path(file: &Path) -> PathBuf {
    let mut name = file
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".template.json");
    file.with_file_name(name)
}

/// Checks, without writing anything, that [`write_bulk`] can start: `file` names a file in
/// an existing folder, and neither it nor its template exists (unless `replace`).
///
/// # Errors
/// [`ExportError::Exists`] or [`ExportError::Io`] naming the path.
pub fn check_bulk_target(file: &Path, replace: bool) -> Result<(), ExportError> {
    let io = |kind, why: &str| ExportError::Io {
        path: file.to_owned(),
        cause: std::io::Error::new(kind, why.to_owned()),
    };
    if file.file_name().is_none() || file.is_dir() {
        return Err(io(std::io::ErrorKind::InvalidInput, "not a file name"));
    }
    // Missing folders are created (as for -o and --parquet); the nearest existing one must
    // be a folder.
    let mut p = file.parent();
    while let Some(a) = p {
        if a.as_os_str().is_empty() {
            break;
        }
        if a.exists() {
            if !a.is_dir() {
                return Err(io(
                    std::io::ErrorKind::NotADirectory,
                    &format!("{} is not a folder", a.display()),
                ));
            }
            break;
        }
        p = a.parent();
    }
    if !replace {
        for p in [file.to_owned(), template_path(file)] {
            if p.exists() {
                return Err(ExportError::Exists {
                    path: p,
                    what: "bulk file of an earlier export (--force replaces it)",
                });
            }
        }
    }
    Ok(())
}

/// Writes the bulk NDJSON to `file` (all events, each `index` action then the document) and
/// the index template to [`template_path`].
///
/// Both are written to temporary names beside them and renamed once complete. An existing
/// `file` or template is refused unless `replace`.
///
/// # Errors
/// [`ExportError::Exists`] or [`ExportError::Io`] naming the path; nothing partial is left.
pub fn write_bulk(
    file: &Path,
    index: &str,
    tl: &Timeline,
    replace: bool,
) -> Result<Vec<OutputRecord>, ExportError> {
    validate_index_name(index).map_err(ExportError::Options)?;
    check_bulk_target(file, replace)?;
    let template = template_path(file);
    let mut created = Vec::new();
    if let Some(parent) = file.parent() {
        crate::pq::create_dirs(parent, &mut created)?;
    }
    let undo = |created: &[PathBuf]| {
        for d in created.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    };
    let bulk_sha = match write_atomic(file, |w| {
        let head = format!("{{\"index\":{{\"_index\":{},\"_id\":\"", json!(index));
        // The ids (a SHA-256 each) on every thread first; the interleaver then only copies.
        let ids: Vec<[u8; 32]> = tl.events.par_iter().map(|e| bulk_id_hex(tl, e)).collect();
        // Buffered before the interleaver too: it then scans large blocks for line ends.
        let mut buffered = BufWriter::with_capacity(
            256 << 10,
            Interleave {
                out: w,
                ids: &ids,
                head: head.as_bytes(),
                next: 0,
                at_line_start: true,
            },
        );
        tplus_report::JsonlSink.write(tl, &mut buffered)?;
        let lines = buffered.into_inner().map_err(|e| e.into_error())?;
        if lines.next != ids.len() || !lines.at_line_start {
            return Err(std::io::Error::other(format!(
                "the JSONL writer gave {} lines for {} events",
                lines.next,
                tl.events.len()
            )));
        }
        Ok(())
    }) {
        Ok(s) => s,
        Err(e) => {
            undo(&created);
            return Err(e);
        }
    };
    let template_sha = match write_atomic(&template, |w| {
        serde_json::to_writer_pretty(&mut *w, &index_template(index))?;
        w.write_all(b"\n")
    }) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(file);
            undo(&created);
            return Err(e);
        }
    };
    Ok(vec![
        OutputRecord {
            path: file.display().to_string(),
            sha256: bulk_sha,
        },
        OutputRecord {
            path: template.display().to_string(),
            sha256: template_sha,
        },
    ])
}

fn write_atomic(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<String, ExportError> {
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(path.file_name().unwrap_or_default());
    tmp_name.push(format!(".{}.partial", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let f = File::create(&tmp)?;
        // The buffer sits in front of the hasher, so SHA-256 sees large blocks rather than
        // every small piece the JSON serialiser writes.
        let mut w = BufWriter::with_capacity(1 << 20, HashingWriter::new(f));
        body(&mut w)?;
        let (f, sha) = w.into_inner().map_err(|e| e.into_error())?.finish()?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(sha)
    })();
    result.map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        ExportError::Io {
            path: path.to_owned(),
            cause: source,
        }
    })
}

/// Puts the `index` action line before every line the JSONL sink writes, so each document is
/// the event's `timeline.jsonl` line byte for byte (JSON strings escape newlines: the only raw
/// newline bytes are line ends, one per event, in timeline order).
struct Interleave<'a> {
    out: &'a mut dyn Write,
    /// Each event's `_id`, in timeline order.
    ids: &'a [[u8; 32]],
    head: &'a [u8],
    next: usize,
    at_line_start: bool,
}

impl Write for Interleave<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            if self.at_line_start {
                let id = self.ids.get(self.next).ok_or_else(|| {
                    std::io::Error::other("the JSONL writer wrote more lines than there are events")
                })?;
                self.out.write_all(self.head)?;
                self.out.write_all(id)?;
                self.out.write_all(b"\"}}\n")?;
                self.next += 1;
                self.at_line_start = false;
            }
            match memchr::memchr(b'\n', rest) {
                Some(i) => {
                    let (line, more) = rest.split_at(i + 1);
                    self.out.write_all(line)?;
                    self.at_line_start = true;
                    rest = more;
                }
                None => {
                    self.out.write_all(rest)?;
                    rest = &[];
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The id is SHA-256 over the parts as text, each followed by NUL: written out here with
    /// `to_string`, so the allocation-free digits cannot drift from it (a changed id would
    /// duplicate every document on the next import).
    #[test]
    fn bulk_id_is_the_documented_digest() {
        let tl = crate::synthetic_timeline(500, 2);
        for e in &tl.events {
            let evidence = tl.inputs[e.input as usize]
                .sha256
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| tl.inputs[e.input as usize].path.clone());
            let text = |v: Option<u64>| v.map_or_else(String::new, |x| x.to_string());
            let mut h = Sha256::new();
            for part in [
                evidence,
                e.source.to_owned(),
                text(e.location.line),
                text(e.location.record),
                e.location.offset.to_string(),
            ] {
                h.update(part.as_bytes());
                h.update([0u8]);
            }
            let want: String = h.finalize()[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(bulk_id(&tl, e), want);
        }
        let mut buf = [0u8; 20];
        for v in [0, 7, 10, 99, 100, 12_345, u64::MAX] {
            assert_eq!(decimal(v, &mut buf), v.to_string().as_bytes());
        }
    }
}
