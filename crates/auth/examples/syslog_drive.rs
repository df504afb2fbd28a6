//! Profiling driver: parses one file with the syslog parser, `REPS` times (default 1), on one
//! thread, and prints the counts and the throughput, by wall clock and by the thread's own
//! CPU time (from `/proc/thread-self/schedstat`, so a loaded machine skews it less). The
//! events of a pass are dropped outside the measured time, as in `benches/parsers.rs`.
//!
//! `cargo build --release -p tplus-auth --example syslog_drive`, then
//! `valgrind --tool=callgrind target/release/examples/syslog_drive FILE` for instruction
//! counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use mimalloc::MiMalloc;

/// Allocations go to mimalloc, the shipped binary's allocator (crates/cli/main.rs).
///
/// BUMP=1: allocations during a pass come from a pre-faulted arena and are never freed, so
/// the pass costs only the parsing and the writing of the events: what the parser would do
/// if allocating were free. (The allocator and page faults are the rest.)
struct Bump;

const ARENA: usize = 3 << 30;
static ON: AtomicBool = AtomicBool::new(false);
static BASE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
static USED: AtomicUsize = AtomicUsize::new(0);

fn in_arena(p: *mut u8) -> bool {
    let base = BASE.load(Relaxed) as usize;
    base != 0 && (base..base + ARENA).contains(&(p as usize))
}

// SAFETY: one thread allocates while the arena is on; the arena is only reset once every
// block from it has been dropped (between passes); blocks never overlap.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if ON.load(Relaxed) {
            let start = (USED.load(Relaxed) + l.align() - 1) & !(l.align() - 1);
            if start + l.size() <= ARENA {
                USED.store(start + l.size(), Relaxed);
                // SAFETY: in bounds of the arena, checked above.
                return unsafe { BASE.load(Relaxed).add(start) };
            }
        }
        // SAFETY: forwarded as is.
        unsafe { MiMalloc.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if !in_arena(p) {
            // SAFETY: not from the arena, so from mimalloc.
            unsafe { MiMalloc.dealloc(p, l) }
        }
    }
}

#[global_allocator]
static GLOBAL: Bump = Bump;

/// Nanoseconds this thread has run on a CPU, when the kernel says.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: syslog_drive FILE [REPS]");
        std::process::exit(2);
    };
    let reps: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mb = data.len() as f64 / 1e6;
    // FLOOR=1: instead of parsing, clone the events of a first parse into a new `Vec`: what
    // it costs only to allocate and fill the output, the floor a parser cannot go below.
    let floor = std::env::var_os("FLOOR")
        .is_some()
        .then(|| tplus_model::collect(&tplus_auth::syslog::Syslog, &data).events);
    if let Some(events) = &floor {
        for _ in 0..reps {
            let cpu0 = cpu_ns();
            let t = Instant::now();
            let mut out = Vec::new();
            for e in events {
                out.push(e.clone());
            }
            let wall = t.elapsed().as_secs_f64();
            let cpu = cpu_ns().zip(cpu0).map(|(b, a)| (b - a) as f64 / 1e9);
            println!(
                "floor: {} events cloned: {:.1} MB/s wall, {} MB/s CPU",
                out.len(),
                mb / wall,
                cpu.map_or("?".to_owned(), |s| format!("{:.1}", mb / s)),
            );
            drop(out);
        }
        return;
    }
    let bump = std::env::var_os("BUMP").is_some();
    if bump {
        let layout = Layout::from_size_align(ARENA, 4096).expect("arena layout");
        // SAFETY: non-zero size; zeroed so every page is faulted in before timing.
        let p = unsafe { System.alloc_zeroed(layout) };
        assert!(!p.is_null(), "no memory for the arena");
        BASE.store(p, Relaxed);
    }
    for _ in 0..reps {
        USED.store(0, Relaxed);
        ON.store(bump, Relaxed);
        let cpu0 = cpu_ns();
        let t = Instant::now();
        let c = tplus_model::collect(&tplus_auth::syslog::Syslog, &data);
        ON.store(false, Relaxed);
        let wall = t.elapsed().as_secs_f64();
        let cpu = cpu_ns().zip(cpu0).map(|(b, a)| (b - a) as f64 / 1e9);
        println!(
            "{} events, {} skipped, {} errors: {:.1} MB/s wall, {} MB/s CPU",
            c.events.len(),
            c.skipped,
            c.errors,
            mb / wall,
            cpu.map_or("?".to_owned(), |s| format!("{:.1}", mb / s)),
        );
        drop(c);
    }
}
