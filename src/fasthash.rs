//! A fast, deterministic hasher for the search's memo tables (the FxHash
//! mixing step): memo keys are small integers and coordinates, for which
//! the standard library's DoS-resistant SipHash costs more than the work it
//! saves; and [`Memo`], such a map shared by a search's threads.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;

/// A hash map with [`FxHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Multiply-rotate hashing of machine words.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
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
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    fn hash(v: impl Hash) -> u64 {
        let mut h = FxHasher::default();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn equal_values_hash_equal_and_small_changes_differ() {
        assert_eq!(hash((1u64, [2i64, 3])), hash((1u64, [2i64, 3])));
        assert_ne!(hash((1u64, [2i64, 3])), hash((1u64, [3i64, 2])));
        assert_ne!(hash("ab"), hash("ba"));
    }
}

/// Values computed once per key and shared by threads (a search's memos:
/// a layer is searched from many input layouts and in many segments, over
/// the same partitions).
#[derive(Debug)]
pub(crate) struct Memo<K, V>(Mutex<FastMap<K, V>>);

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo(Mutex::new(FastMap::default()))
    }
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// The value of `key`, made by `make` unless known (made without
    /// holding the lock; the first kept wins, they are equal).
    pub(crate) fn get_or(&self, key: K, make: impl FnOnce() -> V) -> V {
        if let Ok(m) = self.0.lock()
            && let Some(v) = m.get(&key)
        {
            return v.clone();
        }
        let v = make();
        if let Ok(mut m) = self.0.lock() {
            m.entry(key).or_insert_with(|| v.clone());
        }
        v
    }
}
