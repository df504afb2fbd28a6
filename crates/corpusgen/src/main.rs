//! `tplus-corpusgen OUT [--scale F] [--seed N]`: writes the benchmark corpus.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut scale = 1.0f64;
    let mut seed = 20_251_123u64;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scale" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) if v > 0.0 => scale = v,
                _ => return usage("--scale takes a positive number"),
            },
            "--seed" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => seed = v,
                None => return usage("--seed takes an integer"),
            },
            "-h" | "--help" => return usage(""),
            other if out.is_none() && !other.starts_with('-') => out = Some(other.to_owned()),
            other => return usage(&format!("unexpected argument {other:?}")),
        }
    }
    let Some(out) = out else {
        return usage("OUT is required");
    };
    match tplus_corpusgen::write_corpus(std::path::Path::new(&out), scale, seed) {
        Ok(s) => {
            println!(
                "wrote {} files, {} bytes, to {out} (scale {scale}, seed {seed})",
                s.files.len(),
                s.bytes
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tplus-corpusgen: {e}");
            ExitCode::from(1)
        }
    }
}

fn usage(why: &str) -> ExitCode {
    if !why.is_empty() {
        eprintln!("tplus-corpusgen: {why}");
    }
    eprintln!("usage: tplus-corpusgen OUT [--scale F] [--seed N]   (scale 1.0 = about 200 MB)");
    ExitCode::from(2)
}
