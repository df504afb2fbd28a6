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
///
/// The block buffers are kept from one window to the next: a fresh buffer per block grew
/// by reallocation (a JSONL block is about 2 MB) and had its pages faulted in again for
/// every block, over a gigabyte of them for a million events.
pub(crate) fn write_blocks<F>(events: &[Event], out: &mut dyn Write, render: F) -> io::Result<()>
where
    F: Fn(&[Event], &mut Vec<u8>) -> io::Result<()> + Sync,
{
    let window = BLOCK * 2 * rayon::current_num_threads().max(1);
    let mut bufs: Vec<Vec<u8>> = Vec::new();
    for group in events.chunks(window) {
        let n = group.len().div_ceil(BLOCK);
        if bufs.len() < n {
            bufs.resize_with(n, Vec::new);
        }
        group
            .par_chunks(BLOCK)
            .zip(bufs[..n].par_iter_mut())
            .try_for_each(|(block, buf)| {
                buf.clear();
                render(block, buf)
            })?;
        for buf in &bufs[..n] {
            out.write_all(buf)?;
        }
    }
    Ok(())
}
