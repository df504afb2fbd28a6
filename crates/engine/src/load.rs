//! Reading an input once: memory map (or standard input), hash, decompress.

use std::fs::File;
use std::io::Read;

use chrono::{DateTime, Utc};
use memmap2::Mmap;
use tplus_custody::{sha256_hex, HashingReader};

use crate::discover::SourceFile;

/// The bytes of one input, on disk and as parsed.
#[derive(Debug)]
pub struct Loaded {
    data: Data,
    /// Bytes on disk.
    pub size: u64,
    /// SHA-256 of the bytes on disk.
    pub sha256: Option<String>,
    /// Modification time.
    pub mtime: Option<DateTime<Utc>>,
    /// Whether the file was gzip.
    pub compressed: bool,
    /// A gzip stream that ended early or is corrupt: what was decompressed is kept.
    pub stream_error: Option<String>,
    /// The file could not be read at all.
    pub fatal: Option<String>,
}

#[derive(Debug)]
enum Data {
    Empty,
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl Loaded {
    /// The bytes the parser reads (decompressed when the file was gzip).
    pub fn bytes(&self) -> &[u8] {
        match &self.data {
            Data::Empty => &[],
            Data::Mapped(m) => m,
            Data::Owned(v) => v,
        }
    }

    fn failed(why: String) -> Loaded {
        Loaded {
            data: Data::Empty,
            size: 0,
            sha256: None,
            mtime: None,
            compressed: false,
            stream_error: None,
            fatal: Some(why),
        }
    }
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// Loads one input: opened read-only, mapped, hashed from the mapped bytes, and gunzipped
/// from memory when it starts with the gzip magic. Never fails: problems are in the result.
pub fn load(f: &SourceFile) -> Loaded {
    let Some(path) = &f.fs_path else {
        return load_stdin();
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return Loaded::failed(format!("cannot open: {e}")),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Loaded::failed(format!("cannot stat: {e}")),
    };
    if !meta.is_file() {
        return Loaded::failed("not a regular file".to_owned());
    }
    let mtime = meta.modified().ok().map(DateTime::<Utc>::from);
    let size = meta.len();
    if size == 0 {
        return Loaded {
            data: Data::Empty,
            size,
            sha256: Some(sha256_hex(b"")),
            mtime,
            compressed: false,
            stream_error: None,
            fatal: None,
        };
    }
    // SAFETY: the file is opened read-only and only read through this map. Another process
    // truncating or rewriting it while we read is the one risk of mapping; the hash is taken
    // from the same mapped bytes the parser reads, so custody describes what was parsed.
    let map = match unsafe { Mmap::map(&file) } {
        Ok(m) => m,
        Err(e) => return Loaded::failed(format!("cannot map: {e}")),
    };
    let sha256 = Some(sha256_hex(&map));
    if map.starts_with(GZIP_MAGIC) {
        let (data, stream_error) = gunzip(&map);
        return Loaded {
            data: Data::Owned(data),
            size,
            sha256,
            mtime,
            compressed: true,
            stream_error,
            fatal: None,
        };
    }
    Loaded {
        data: Data::Mapped(map),
        size,
        sha256,
        mtime,
        compressed: false,
        stream_error: None,
        fatal: None,
    }
}

fn gunzip(bytes: &[u8]) -> (Vec<u8>, Option<String>) {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
    let mut dec = flate2::read::MultiGzDecoder::new(bytes);
    match dec.read_to_end(&mut out) {
        Ok(_) => (out, None),
        Err(e) => {
            let n = out.len();
            (out, Some(format!("gzip stream truncated or corrupt after {n} decompressed bytes ({e}); the part before it was read")))
        }
    }
}

fn load_stdin() -> Loaded {
    let mut r = HashingReader::new(std::io::stdin().lock());
    let mut raw = Vec::new();
    let err = r.read_to_end(&mut raw).err();
    let (sha, size) = r.finish();
    if let Some(e) = err {
        return Loaded::failed(format!("cannot read standard input: {e}"));
    }
    let (data, compressed, stream_error) = if raw.starts_with(GZIP_MAGIC) {
        let (d, e) = gunzip(&raw);
        (d, true, e)
    } else {
        (raw, false, None)
    };
    Loaded {
        data: Data::Owned(data),
        size,
        sha256: Some(sha),
        mtime: None,
        compressed,
        stream_error,
        fatal: None,
    }
}
