//! The progress bar on stderr: only when stderr is a terminal and `--quiet` is not given.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tplus_engine::Progress;

pub struct Bar {
    bar: ProgressBar,
    files: AtomicU64,
    files_total: AtomicU64,
    events: AtomicU64,
}

impl Bar {
    pub fn for_stderr(quiet: bool) -> Option<Arc<Bar>> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style =
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {bytes}/{total_bytes} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        Some(Arc::new(Bar {
            bar,
            files: AtomicU64::new(0),
            files_total: AtomicU64::new(0),
            events: AtomicU64::new(0),
        }))
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn phase(&self, name: &'static str) {
        self.bar.set_prefix(name);
    }
    fn inputs(&self, files: u64, bytes: u64) {
        self.files_total.store(files, Ordering::Relaxed);
        self.bar.set_length(bytes);
    }
    fn file_done(&self, bytes: u64, events: u64) {
        let f = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        let e = self.events.fetch_add(events, Ordering::Relaxed) + events;
        self.bar.inc(bytes);
        self.bar.set_message(format!(
            "{f}/{} files, {e} events",
            self.files_total.load(Ordering::Relaxed)
        ));
    }
}

/// Phase timings on stderr (`--timings`): where a build spends its time.
pub struct Timings {
    start: std::time::Instant,
    last: std::sync::Mutex<(&'static str, std::time::Instant)>,
}

impl Timings {
    pub fn new() -> Arc<Timings> {
        let now = std::time::Instant::now();
        Arc::new(Timings {
            start: now,
            last: std::sync::Mutex::new(("start", now)),
        })
    }

    pub fn finish(&self) {
        self.phase("done");
    }
}

/// The process's resident memory now and at its peak so far, where the system says
/// (Linux `/proc`): with the phase times it shows which phase sets the peak.
fn memory_so_far() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().strip_suffix(" kB"))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => format!(", RSS {} MB, peak {} MB", now / 1024, peak / 1024),
        _ => String::new(),
    }
}

impl Progress for Timings {
    fn phase(&self, name: &'static str) {
        let now = std::time::Instant::now();
        if let Ok(mut last) = self.last.lock() {
            eprintln!(
                "tplus: timing {:>9}: {:>8.3} s (at {:.3} s){}",
                last.0,
                (now - last.1).as_secs_f64(),
                (now - self.start).as_secs_f64(),
                memory_so_far()
            );
            *last = (name, now);
        }
    }
    fn inputs(&self, _files: u64, _bytes: u64) {}
    fn file_done(&self, _bytes: u64, _events: u64) {}
}
