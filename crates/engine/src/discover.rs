//! Finding the files behind the INPUT arguments.

use std::path::{Path, PathBuf};

use crate::EngineError;

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The INPUT argument joined with the file's path below it: what custody lists.
    pub listed: String,
    /// The path relative to its INPUT (the file name for a file INPUT), for `--tz` and
    /// `--format` globs.
    pub rel: String,
    /// Where to open it; `None` for standard input.
    pub fs_path: Option<PathBuf>,
}

/// Walks the inputs: files as given, folders recursively in name order, `-` as standard
/// input. The result is sorted by listed path and free of repeats, so the same inputs always
/// give the same order. Paths under `exclude` (the output folder) are never read.
///
/// # Errors
/// [`EngineError::Input`] when an INPUT does not exist or a folder cannot be listed.
pub fn discover(inputs: &[String], exclude: &[PathBuf]) -> Result<Vec<SourceFile>, EngineError> {
    let exclude: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let mut out = Vec::new();
    for input in inputs {
        if input == "-" {
            out.push(SourceFile {
                listed: "-".to_owned(),
                rel: "-".to_owned(),
                fs_path: None,
            });
            continue;
        }
        let path = Path::new(input);
        let meta = std::fs::metadata(path).map_err(|source| EngineError::Input {
            path: input.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(path, input, "", &exclude, &mut out).map_err(|source| EngineError::Input {
                path: input.clone(),
                source,
            })?;
        } else {
            let name = path
                .file_name()
                .map_or_else(|| input.clone(), |n| n.to_string_lossy().into_owned());
            out.push(SourceFile {
                listed: input.clone(),
                rel: name,
                fs_path: Some(path.to_owned()),
            });
        }
    }
    out.sort_by(|a, b| a.listed.cmp(&b.listed));
    out.dedup_by(|a, b| a.listed == b.listed);
    Ok(out)
}

fn join_listed(input: &str, rel: &str) -> String {
    if input.ends_with('/') {
        format!("{input}{rel}")
    } else {
        format!("{input}/{rel}")
    }
}

fn walk(
    dir: &Path,
    input: &str,
    rel_dir: &str,
    exclude: &[PathBuf],
    out: &mut Vec<SourceFile>,
) -> std::io::Result<()> {
    if let Ok(c) = dir.canonicalize() {
        if exclude.contains(&c) {
            return Ok(());
        }
    }
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if rel_dir.is_empty() {
            name.clone()
        } else {
            format!("{rel_dir}/{name}")
        };
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            // A folder we cannot list is reported as an unreadable file, not a failed build.
            if walk(&path, input, &rel, exclude, out).is_err() {
                out.push(SourceFile {
                    listed: join_listed(input, &rel),
                    rel,
                    fs_path: Some(path),
                });
            }
        } else if ft.is_symlink() {
            // Follow links to files; links to folders are not followed (no loops).
            if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                out.push(SourceFile {
                    listed: join_listed(input, &rel),
                    rel,
                    fs_path: Some(path),
                });
            }
        } else {
            out.push(SourceFile {
                listed: join_listed(input, &rel),
                rel,
                fs_path: Some(path),
            });
        }
    }
    Ok(())
}
