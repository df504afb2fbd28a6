//! Chain of custody: what was read, its SHA-256, what was written, and how to check it later.
//!
//! Inputs are hashed from the same bytes the parsers read (one pass over the data, never a
//! second read of the file), outputs through [`HashingWriter`] while they are written. The
//! manifest is `custody.json`; `inputs.sha256` is the same inputs in `sha256sum` format so
//! the evidence set can be checked with standard tools, and its own hash is the evidence
//! digest printed in the pre-read.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Errors of the custody crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CustodyError {
    /// The manifest could not be read.
    #[error("cannot read manifest {path}: {source}")]
    ReadManifest {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: io::Error,
    },
    /// The manifest is not valid custody JSON.
    #[error("{path} is not a tplus custody manifest: {source}")]
    BadManifest {
        /// Path.
        path: PathBuf,
        /// Cause.
        source: serde_json::Error,
    },
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(d: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(d.len() * 2);
    for b in d {
        s.push(H[usize::from(b >> 4)] as char);
        s.push(H[usize::from(b & 15)] as char);
    }
    s
}

/// Hashes a file by streaming it (used by `verify`, where nothing else reads the file).
///
/// # Errors
/// I/O errors opening or reading the file.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((hex(&h.finalize()), n))
}

/// A reader that hashes what passes through it (standard input, streamed gzip).
#[derive(Debug)]
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
    /// The hex digest and byte count of everything read so far.
    pub fn finish(self) -> (String, u64) {
        (hex(&self.hasher.finalize()), self.bytes)
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// A writer that hashes what it writes, so outputs are hashed in the same pass.
#[derive(Debug)]
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> HashingWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
        }
    }
    /// Flushes and returns the inner writer and the hex digest.
    ///
    /// # Errors
    /// The flush error.
    pub fn finish(mut self) -> io::Result<(W, String)> {
        self.inner.flush()?;
        Ok((self.inner, hex(&self.hasher.finalize())))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The tool that made the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Tool {
    /// `tplus`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// One input in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputRecord {
    /// The INPUT argument joined with the file's path below it (`-` for standard input).
    pub path: String,
    /// Bytes on disk.
    pub size: u64,
    /// SHA-256 of the bytes on disk; null when the file could not be read.
    pub sha256: Option<String>,
    /// Modification time (RFC 3339 UTC).
    pub modified: Option<String>,
    /// Format id or `unknown`.
    pub format: String,
    /// Lines or records seen.
    pub records: u64,
    /// Records that became timeline events.
    pub events: u64,
    /// Records deliberately not turned into events (duplicates included).
    pub skipped: u64,
    /// Records that could not be read.
    pub errors: u64,
    /// Why the file as a whole could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Skip reasons with counts and other remarks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The first errors, located.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first_errors: Vec<String>,
}

/// One output in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutputRecord {
    /// File name inside the output folder (or the path given for `--bulk`/`--parquet`).
    pub path: String,
    /// SHA-256 of the bytes written.
    pub sha256: String,
}

/// `custody.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// The tool.
    pub tool: Tool,
    /// When the build ran (RFC 3339 UTC): the one value that differs between identical runs.
    pub created: String,
    /// argv.
    pub command: Vec<String>,
    /// The working directory of the build; relative input paths resolve against it.
    pub base: String,
    /// SHA-256 of `inputs.sha256`: one value that pins the whole evidence set.
    pub inputs_digest: String,
    /// Inputs, sorted by path.
    pub inputs: Vec<InputRecord>,
    /// Outputs.
    pub outputs: Vec<OutputRecord>,
}

/// Renders `inputs.sha256` (`<hex>  <path>` per line, sorted by path) for the inputs that
/// could be hashed, and its own SHA-256 (the evidence digest).
pub fn inputs_listing(inputs: &[InputRecord]) -> (String, String) {
    let mut rows: Vec<(&str, &str)> = inputs
        .iter()
        .filter_map(|i| i.sha256.as_deref().map(|h| (i.path.as_str(), h)))
        .collect();
    rows.sort_unstable();
    let mut s = String::new();
    for (p, h) in rows {
        // sha256sum escapes names with a newline or backslash; such names are listed as they
        // are in custody.json and a leading backslash marks them, as GNU coreutils does.
        if p.contains('\n') || p.contains('\\') {
            s.push('\\');
            s.push_str(h);
            s.push_str("  ");
            s.push_str(&p.replace('\\', "\\\\").replace('\n', "\\n"));
        } else {
            s.push_str(h);
            s.push_str("  ");
            s.push_str(p);
        }
        s.push('\n');
    }
    let digest = sha256_hex(s.as_bytes());
    (s, digest)
}

/// The outcome of re-hashing a manifest's inputs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Inputs that match.
    pub matched: Vec<String>,
    /// Inputs not found (or unreadable), with the error.
    pub missing: Vec<(String, String)>,
    /// Inputs whose hash changed: (path, expected, found).
    pub changed: Vec<(String, String, String)>,
    /// Inputs the manifest has no hash for (unreadable at build time, or standard input).
    pub unhashed: Vec<String>,
}

impl VerifyReport {
    /// Whether every hashed input is present and unchanged.
    pub fn ok(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty()
    }
}

/// Reads a manifest.
///
/// # Errors
/// [`CustodyError`] when it cannot be read or parsed.
pub fn read_manifest(path: &Path) -> Result<Manifest, CustodyError> {
    let bytes = std::fs::read(path).map_err(|source| CustodyError::ReadManifest {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|source| CustodyError::BadManifest {
        path: path.to_owned(),
        source,
    })
}

/// Re-hashes every input of `manifest`, resolving relative paths against `base`.
pub fn verify(manifest: &Manifest, base: &Path) -> VerifyReport {
    let mut r = VerifyReport::default();
    for i in &manifest.inputs {
        let Some(want) = &i.sha256 else {
            r.unhashed.push(i.path.clone());
            continue;
        };
        if i.path == "-" {
            r.unhashed.push(i.path.clone());
            continue;
        }
        let p = Path::new(&i.path);
        let full = if p.is_absolute() {
            p.to_owned()
        } else {
            base.join(p)
        };
        match sha256_file(&full) {
            Ok((got, _)) if &got == want => r.matched.push(i.path.clone()),
            Ok((got, _)) => r.changed.push((i.path.clone(), want.clone(), got)),
            Err(e) => r.missing.push((i.path.clone(), e.to_string())),
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str, sha: &str) -> InputRecord {
        InputRecord {
            path: path.into(),
            size: 0,
            sha256: Some(sha.into()),
            modified: None,
            format: "x".into(),
            records: 0,
            events: 0,
            skipped: 0,
            errors: 0,
            error: None,
            notes: vec![],
            first_errors: vec![],
        }
    }

    #[test]
    fn known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn listing_is_sorted_and_digest_is_its_hash() {
        let (s, d) = inputs_listing(&[input("b", "22"), input("a", "11")]);
        assert_eq!(s, "11  a\n22  b\n");
        assert_eq!(d, sha256_hex(s.as_bytes()));
    }

    #[test]
    fn hashing_reader_and_writer_agree() {
        let mut r = HashingReader::new(&b"hello"[..]);
        let mut v = Vec::new();
        r.read_to_end(&mut v).unwrap();
        let (h, n) = r.finish();
        let mut w = HashingWriter::new(Vec::new());
        w.write_all(b"hello").unwrap();
        let (_, h2) = w.finish().unwrap();
        assert_eq!((h.as_str(), n), (h2.as_str(), 5));
    }

    #[test]
    fn verify_names_changed_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), b"abc").unwrap();
        std::fs::write(dir.path().join("b"), b"xyz").unwrap();
        let m = Manifest {
            tool: Tool {
                name: "tplus".into(),
                version: "0".into(),
            },
            created: String::new(),
            command: vec![],
            base: String::new(),
            inputs_digest: String::new(),
            inputs: vec![
                input("a", &sha256_hex(b"abc")),
                input("b", &sha256_hex(b"abc")),
                input("c", "00"),
            ],
            outputs: vec![],
        };
        let r = verify(&m, dir.path());
        assert_eq!(r.matched, vec!["a"]);
        assert_eq!(r.changed.len(), 1);
        assert_eq!(r.missing.len(), 1);
        assert!(!r.ok());
    }
}
