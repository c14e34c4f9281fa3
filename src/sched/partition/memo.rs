//! The NoC hop memo of a network search
//! (docs/model/noc.md#the-references-hop-memo,
//! docs/compat.md#inexact_hop_memo).
//!
//! The reference memoises the unit-hop computation in LRU caches that live for
//! the whole search: an exact memo of the whole computation in front of one
//! memo per category. The per-category memos key a grouping of nodes by data
//! range only by its *set* of ranges and its *set* of node lists, so two
//! partitions whose groupings pair the same ranges with the same lists
//! differently share an entry: the later one is charged the earlier one's
//! hops. [`Compat::NnDataflow`] reproduces this bit for bit; nnc keys the
//! groupings exactly, so the memo only saves work.

use super::fmap::{FmapRange, StridedRange};
use super::hops::{FilterRange, FilterSources, Groups, HopQuery, fil_hops, ifm_hops, ofm_hops};
use super::layout::DataLayout;
use super::region::{Coord, NodeRegion};
use super::scheme::PartitionScheme;
use crate::fasthash::FastMap;
use crate::ir::LayerShape;
use crate::sched::Compat;
use crate::sched::types::{DataKind, PerData};
use std::hash::Hash;
use std::sync::Arc;

/// Entries per memo, as in the reference.
pub(crate) const MEMO_CAPACITY: usize = 1024;

/// The hop memo of one network search. The caller creates one per search
/// (it starts empty) and passes it to every [`HopCache::unit_nhops`] call of
/// that search, in the order the reference evaluates partitions: the result
/// of a call can depend on the calls before it in [`Compat::NnDataflow`].
/// Use one option set (one forwarding flag) per cache.
#[derive(Debug)]
pub struct HopCache {
    compat: Compat,
    whole: Lru<WholeKey, PerData<u64>>,
    fil: Lru<CatKey<(LayerShape, FilterSources), FilterRange>, u64>,
    ifm: Lru<CatKey<DataLayout, StridedRange>, u64>,
    ofm: Lru<CatKey<DataLayout, FmapRange>, u64>,
    hits: u64,
    misses: u64,
}

/// All inputs of the unit-hop computation (exact).
#[derive(Debug, PartialEq, Eq, Hash)]
struct WholeKey {
    layer: LayerShape,
    batch: u64,
    proc_region: NodeRegion,
    part: PartitionScheme,
    fil_sources: FilterSources,
    ifmap_layout: DataLayout,
    ofmap_layout: DataLayout,
    forwarding: bool,
}

/// Key of a per-category memo: the data source, a grouping and the
/// forwarding flag. The grouping is `ranges` and `lists`; both sorted
/// independently in the reference's aliasing form, or `lists[i]` the nodes of
/// `ranges[i]` in the exact form.
#[derive(Debug, PartialEq, Eq, Hash)]
struct CatKey<S, R> {
    source: S,
    ranges: Vec<R>,
    lists: Vec<Vec<Coord>>,
    forwarding: bool,
}

impl<S, R: Ord + Clone> CatKey<S, R> {
    fn new(source: S, groups: &[(R, Vec<Coord>)], forwarding: bool, aliasing: bool) -> Self {
        let (mut ranges, mut lists): (Vec<R>, Vec<Vec<Coord>>);
        if aliasing {
            ranges = groups.iter().map(|(r, _)| r.clone()).collect();
            lists = groups.iter().map(|(_, l)| l.clone()).collect();
            ranges.sort_unstable();
            lists.sort_unstable();
        } else {
            let mut pairs: Vec<&(R, Vec<Coord>)> = groups.iter().collect();
            pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            ranges = pairs.iter().map(|(r, _)| r.clone()).collect();
            lists = pairs.iter().map(|(_, l)| l.clone()).collect();
        }
        CatKey {
            source,
            ranges,
            lists,
            forwarding,
        }
    }
}

impl HopCache {
    /// An empty memo for a search in model `compat`.
    pub fn new(compat: Compat) -> Self {
        HopCache {
            compat,
            whole: Lru::new(MEMO_CAPACITY),
            fil: Lru::new(MEMO_CAPACITY),
            ifm: Lru::new(MEMO_CAPACITY),
            ofm: Lru::new(MEMO_CAPACITY),
            hits: 0,
            misses: 0,
        }
    }

    /// The model the memo serves.
    pub const fn compat(&self) -> Compat {
        self.compat
    }

    /// `(hits, misses)` of the whole-computation memo so far (informational).
    pub const fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }

    /// Unit hops `[FIL, IFM, OFM]` of `q` (docs/model/noc.md#unit-hops) through the memo. In nnc's
    /// model always equal to [`unit_nhops`](super::hops::unit_nhops); in the
    /// reference's, possibly those of an earlier partition (see the module
    /// doc). The reference only computes hops for partitions whose per-node
    /// search found a blocking, and skips them on a layer-level memo hit; the
    /// caller reproduces that by calling this only then.
    pub fn unit_nhops(&mut self, q: &HopQuery<'_>) -> PerData<u64> {
        let key = WholeKey {
            layer: q.layer,
            batch: q.batch,
            proc_region: q.proc_region,
            part: q.part,
            fil_sources: q.fil_sources.clone(),
            ifmap_layout: q.ifmap_layout.clone(),
            ofmap_layout: q.ofmap_layout.clone(),
            forwarding: q.forwarding,
        };
        if let Some(v) = self.whole.get(&key) {
            self.hits += 1;
            return v;
        }
        self.misses += 1;
        let aliasing = self.compat.inexact_hop_memo();
        let fwd = q.forwarding;
        let g = Groups::of(q, self.compat);
        let mut hops = PerData([0; 3]);

        let k = CatKey::new((q.layer, q.fil_sources.clone()), &g.fil, fwd, aliasing);
        hops[DataKind::Fil] = self
            .fil
            .get_or_insert_with(k, || fil_hops(&q.layer, q.fil_sources, &g.fil, fwd));

        let k = CatKey::new(q.ifmap_layout.clone(), &g.ifm, fwd, aliasing);
        hops[DataKind::Ifm] = self
            .ifm
            .get_or_insert_with(k, || ifm_hops(q.ifmap_layout, &g.ifm, fwd));

        if !q.ofmap_layout.is_local_partition(&q.proc_region, &q.part) {
            let k = CatKey::new(q.ofmap_layout.clone(), &g.ofm, fwd, aliasing);
            hops[DataKind::Ofm] = self
                .ofm
                .get_or_insert_with(k, || ofm_hops(q.ofmap_layout, &g.ofm, fwd));
        }
        self.whole.insert(key, hops);
        hops
    }
}

const NIL: usize = usize::MAX;

/// A least-recently-used map of fixed capacity: a hit makes the entry the most
/// recent; inserting into a full map drops the least recent entry. Slots form
/// a doubly linked list from most (`head`) to least (`tail`) recent.
#[derive(Debug)]
struct Lru<K, V> {
    cap: usize,
    index: FastMap<Arc<K>, usize>,
    slots: Vec<Slot<K, V>>,
    head: usize,
    tail: usize,
}

#[derive(Debug)]
struct Slot<K, V> {
    key: Arc<K>,
    value: V,
    prev: usize,
    next: usize,
}

impl<K: Hash + Eq, V: Copy> Lru<K, V> {
    fn new(cap: usize) -> Self {
        Lru {
            cap,
            index: FastMap::default(),
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
        }
    }

    fn unlink(&mut self, i: usize) {
        let (prev, next) = (self.slots[i].prev, self.slots[i].next);
        match prev {
            NIL => self.head = next,
            p => self.slots[p].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.slots[n].prev = prev,
        }
    }

    fn push_front(&mut self, i: usize) {
        self.slots[i].prev = NIL;
        self.slots[i].next = self.head;
        match self.head {
            NIL => self.tail = i,
            h => self.slots[h].prev = i,
        }
        self.head = i;
    }

    /// The value of `key`, made most recent.
    fn get(&mut self, key: &K) -> Option<V> {
        let i = *self.index.get(key)?;
        if self.head != i {
            self.unlink(i);
            self.push_front(i);
        }
        Some(self.slots[i].value)
    }

    /// Stores `key` (absent) as the most recent entry, dropping the least
    /// recent one when full.
    fn insert(&mut self, key: K, value: V) {
        if self.cap == 0 {
            return;
        }
        let key = Arc::new(key);
        let i = if self.slots.len() < self.cap {
            self.slots.push(Slot {
                key: Arc::clone(&key),
                value,
                prev: NIL,
                next: NIL,
            });
            self.slots.len() - 1
        } else {
            let i = self.tail;
            self.unlink(i);
            let old = std::mem::replace(
                &mut self.slots[i],
                Slot {
                    key: Arc::clone(&key),
                    value,
                    prev: NIL,
                    next: NIL,
                },
            );
            self.index.remove(&*old.key);
            i
        };
        self.index.insert(key, i);
        self.push_front(i);
    }

    /// The value of `key` if stored (made most recent), else `make()` stored.
    fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> V {
        if let Some(v) = self.get(&key) {
            return v;
        }
        let v = make();
        self.insert(key, v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_evicts_least_recent() {
        let mut l: Lru<u32, u32> = Lru::new(2);
        l.insert(1, 10);
        l.insert(2, 20);
        assert_eq!(l.get(&1), Some(10)); // 1 is now most recent
        l.insert(3, 30); // drops 2
        assert_eq!(l.get(&2), None);
        assert_eq!(l.get(&1), Some(10));
        assert_eq!(l.get(&3), Some(30));
        l.insert(4, 40); // drops 1
        assert_eq!(l.get(&1), None);
        assert_eq!(l.get(&3), Some(30));
        assert_eq!(l.get(&4), Some(40));
        assert_eq!(l.get_or_insert_with(5, || 50), 50);
        assert_eq!(l.get_or_insert_with(5, || 0), 50);
        assert_eq!(l.index.len(), 2);
    }

    #[test]
    fn lru_of_capacity_one_and_zero() {
        let mut l: Lru<u32, u32> = Lru::new(1);
        l.insert(1, 1);
        l.insert(2, 2);
        assert_eq!((l.get(&1), l.get(&2)), (None, Some(2)));
        let mut z: Lru<u32, u32> = Lru::new(0);
        z.insert(1, 1);
        assert_eq!(z.get(&1), None);
    }

    #[test]
    fn aliasing_keys_forget_the_pairing() {
        let c = |h, w| Coord::new(h, w);
        let a = [(1u32, vec![c(0, 0)]), (2, vec![c(0, 1)])];
        let b = [(2u32, vec![c(0, 0)]), (1, vec![c(0, 1)])];
        assert_eq!(
            CatKey::new((), &a, false, true),
            CatKey::new((), &b, false, true)
        );
        assert_ne!(
            CatKey::new((), &a, false, false),
            CatKey::new((), &b, false, false)
        );
        // Group order never matters.
        let a2 = [a[1].clone(), a[0].clone()];
        assert_eq!(
            CatKey::new((), &a, false, false),
            CatKey::new((), &a2, false, false)
        );
    }
}
