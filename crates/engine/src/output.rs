//! Writing the outputs: every sink to a temporary name in parallel, hashed while written,
//! renamed into place only once complete.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use thiserror::Error;
use tplus_custody::{HashingWriter, OutputRecord};
use tplus_model::{Timeline, TimelineSink};

/// An output could not be written.
#[derive(Debug, Error)]
#[error("cannot write {path}: {source}")]
pub struct OutputError {
    /// The file.
    pub path: PathBuf,
    /// Cause.
    pub source: std::io::Error,
}

/// Writes every sink into `dir` and returns the records for custody, in sink order.
///
/// # Errors
/// The first [`OutputError`]; temporary files of failed outputs are removed.
pub fn write_outputs(
    dir: &Path,
    tl: &Timeline,
    sinks: &[Box<dyn TimelineSink>],
) -> Result<Vec<OutputRecord>, OutputError> {
    sinks
        .par_iter()
        .map(|s| write_one(dir, tl, s.as_ref()))
        .collect()
}

fn write_one(
    dir: &Path,
    tl: &Timeline,
    sink: &dyn TimelineSink,
) -> Result<OutputRecord, OutputError> {
    let path = dir.join(sink.file_name());
    let tmp = dir.join(format!(".{}.partial", sink.file_name()));
    let err = |source| OutputError {
        path: path.clone(),
        source,
    };
    let result = (|| {
        let f = File::create(&tmp)?;
        // Buffer in front of the hasher: sinks make many small writes, and SHA-256 is
        // fastest over large blocks.
        let mut w = BufWriter::with_capacity(1 << 20, HashingWriter::new(f));
        sink.write(tl, &mut w)?;
        let (file, sha) = w.into_inner().map_err(|e| e.into_error())?.finish()?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(sha)
    })();
    match result {
        Ok(sha256) => Ok(OutputRecord {
            path: sink.file_name().to_owned(),
            sha256,
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(err(e))
        }
    }
}
