//! Profiling driver for the Parquet export: writes the generated timeline of `N` events over
//! `DAYS` UTC days (as in `benches/export.rs`) `REPS` times into fresh folders under
//! `$TMPDIR`, and prints the wall time and the process's CPU time of each write (the
//! generation is outside both), and the start of each file's SHA-256 (to check that a change
//! keeps the bytes).
//!
//! `cargo build --release -p tplus-export --example pq_drive`, then
//! `target/release/examples/pq_drive [N] [DAYS] [REPS] [KEEP]` (with KEEP, a folder that
//! must not exist yet, the last repetition's export is left there for inspection), or under
//! `valgrind --tool=callgrind` for instruction counts (`callgrind_annotate --inclusive=yes`
//! shows the share of `write_parquet`).

use std::time::Instant;

use tplus_export::{synthetic_timeline, write_parquet, ParquetOptions};

/// CPU time of the whole process (every thread), in seconds, when the kernel says.
fn cpu_s() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = s.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn main() {
    let arg = |i: usize, d: usize| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(d)
    };
    let (n, days, reps) = (arg(1, 1_000_000), arg(2, 7), arg(3, 1));
    let keep = std::env::args().nth(4).map(std::path::PathBuf::from);
    let tl = synthetic_timeline(n, u32::try_from(days).unwrap_or(u32::MAX));
    for rep in 0..reps {
        let dir = tempfile::tempdir().expect("tmp");
        let cpu0 = cpu_s();
        let t = Instant::now();
        let files = write_parquet(&dir.path().join("pq"), &tl, &ParquetOptions::default())
            .expect("parquet");
        let wall = t.elapsed().as_secs_f64();
        let cpu = cpu_s().zip(cpu0).map(|(b, a)| b - a);
        let bytes: u64 = walk(dir.path());
        if let Some(keep) = keep.as_ref().filter(|_| rep + 1 == reps) {
            std::fs::rename(dir.path().join("pq"), keep).expect("keep");
        }
        let shas: Vec<&str> = files
            .iter()
            .map(|f| f.sha256.get(..8).unwrap_or(""))
            .collect();
        println!(
            "{n} events, {days} days: {} files, {:.1} MB, {wall:.3} s wall, {} s CPU, {}",
            files.len(),
            bytes as f64 / 1e6,
            cpu.map_or("?".to_owned(), |c| format!("{c:.2}")),
            shas.join(" "),
        );
    }
}

/// Total size of the files below `dir`.
fn walk(dir: &std::path::Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => walk(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
