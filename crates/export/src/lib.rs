//! Hand-off of a finished timeline to the engines analysts already run, instead of tplus
//! growing a distributed engine of its own:
//! - [`write_parquet`]: Parquet through arrow-rs, Hive-partitioned by UTC day, for DuckDB,
//!   Spark, Athena and Trino, plus the findings as a second table;
//! - [`write_bulk`]: OpenSearch / Elasticsearch bulk NDJSON with a stable `_id` per event, and
//!   the index template beside it.
//!
//! Timesketch needs nothing here: `timeline.jsonl` carries `message`, `datetime`,
//! `timestamp_desc` and `timestamp` (µs) and imports as is.
//!
//! Every writer writes to temporary names and renames at the end, hashes what it writes
//! (for custody.json `outputs`), and leaves nothing partial behind on failure.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod bulk;
mod fmt;
mod pq;
mod synthetic;

use std::path::PathBuf;

use thiserror::Error;

pub use bulk::{
    bulk_id, check_bulk_target, index_template, template_path, validate_index_name, write_bulk,
    DEFAULT_INDEX,
};
pub use pq::{
    check_parquet_target, findings_schema, timeline_schema, write_parquet, ParquetOptions,
};
pub use synthetic::synthetic_timeline;

/// An export could not be written. Every variant names the path concerned.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The target is already there (a Parquet partition, the findings table, a bulk file).
    #[error("{path} already exists (the {what}); nothing was written")]
    Exists {
        /// The existing path.
        path: PathBuf,
        /// What it is.
        what: &'static str,
    },
    /// An I/O error.
    #[error("cannot write {path}: {cause}")]
    Io {
        /// The path being written.
        path: PathBuf,
        /// Cause (kept out of the error chain: the message already says it).
        cause: std::io::Error,
    },
    /// The Parquet or Arrow library refused.
    #[error("cannot write Parquet file {path}: {cause}")]
    Parquet {
        /// The file being written.
        path: PathBuf,
        /// Cause (kept out of the error chain: the message already says it).
        cause: parquet::errors::ParquetError,
    },
    /// Invalid options (index name, compression level).
    #[error("{0}")]
    Options(String),
}
