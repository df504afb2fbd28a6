//! Rendering the per-event text outputs on the worker pool.
//!
//! Writing `timeline.jsonl` and `timeline.csv` is the longest phase of a large build (about
//! a kilobyte of text per event), and no event's text depends on another's, so blocks of
//! events are rendered in parallel and written in order. The bytes are the same whatever
//! the number of threads; memory stays bounded by one window of blocks.

use std::io::{self, Write};

use rayon::prelude::*;
use tplus_model::Event;

/// Events per rendered block.
const BLOCK: usize = 2048;

/// Renders `events` block by block with `render` (which appends a block's text to the
/// buffer) and writes the blocks to `out` in event order.
pub(crate) fn write_blocks<F>(events: &[Event], out: &mut dyn Write, render: F) -> io::Result<()>
where
    F: Fn(&[Event], &mut Vec<u8>) -> io::Result<()> + Sync,
{
    let window = BLOCK * 2 * rayon::current_num_threads().max(1);
    for group in events.chunks(window) {
        let rendered: Vec<io::Result<Vec<u8>>> = group
            .par_chunks(BLOCK)
            .map(|block| {
                let mut buf = Vec::with_capacity(block.len() * 768);
                render(block, &mut buf)?;
                Ok(buf)
            })
            .collect();
        for buf in rendered {
            out.write_all(&buf?)?;
        }
    }
    Ok(())
}
