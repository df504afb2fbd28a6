//! A fast, deterministic hasher for per-event maps.

/// The Firefox/rustc hash: a multiply and a rotate per word. The analysis and pre-read maps
/// are keyed by format ids, hosts, actors and message texts and hashed once per event;
/// SipHash cost a third of those passes. Iteration order is fixed (no random seed), which
/// keeps outputs reproducible. The trade-off: keys come from logs an attacker may have
/// written, and colliding keys can be crafted, which would slow a build (never change its
/// result); a seeded hash would close that at the cost of a fixed order.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // The tail as a zero-padded little-endian word, assembled in registers (a
            // variable-length copy into a buffer was a `memcpy` call per key).
            let w = rest
                .iter()
                .enumerate()
                .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
            self.add(w ^ rest.len() as u64);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

    use super::*;

    /// The tail is hashed as the zero-padded little-endian word it always was: map orders
    /// (and so any output that follows them) do not change with the implementation.
    #[test]
    fn tail_word_is_zero_padded_little_endian() {
        for len in 0..20usize {
            let bytes: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37) ^ 0xa5).collect();
            let mut h = FxHasher::default();
            h.write(&bytes);
            let mut expected = FxHasher::default();
            let mut chunks = bytes.chunks_exact(8);
            for c in &mut chunks {
                expected.add(u64::from_le_bytes(c.try_into().unwrap()));
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                let mut w = [0u8; 8];
                w[..rest.len()].copy_from_slice(rest);
                expected.add(u64::from_le_bytes(w) ^ rest.len() as u64);
            }
            assert_eq!(h.finish(), expected.finish(), "length {len}");
        }
    }
}
