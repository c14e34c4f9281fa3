//! Exhaustive loop-blocking search (docs/model/blocking.md#exhaustive-search).
//!
//! Candidates are generated in the reference's order — input-channel factor
//! triples, output-channel triples (one "chunk" per pair), batch triples,
//! then level-0 and level-1 orders — and ties always go to the earlier one.
//! For the convolution pattern only the canonical orders are generated at
//! all (the reference enumerates all 36 order pairs and skips the
//! non-canonical ones: same survivors, same order), and factor triples that
//! cannot fit the buffers are rejected before any order is looked at.
//! Chunks run in parallel and are merged in chunk order, so the result is
//! the same with any number of threads.

use super::enumerate::{
    Chunk, PERMUTATIONS, chunk_may_fit, chunks, constrained_chunks, fi_may_fit, for_each_candidate,
    for_each_fitting_candidate, for_each_order_pair,
};
use super::scheme::{Blocking, BlockingContext, BlockingStats};
use super::{Factors, Orders};
use crate::sched::model::limits::MAX_TOP;
use crate::sched::options::{Goal, RankKey};
use crate::sched::types::{LoopDim, PerLoop};
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

/// Counts of the exhaustive sweep of one NLD, as the reference reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepCounts {
    /// Candidates generated (factor triples times 36 order pairs).
    pub enumerated: u64,
    /// Candidates left after the skip rule.
    pub after_skip: u64,
    /// Candidates that fit the buffers.
    pub valid: u64,
}

/// A ranked candidate.
pub(super) type Ranked = (Blocking, BlockingStats, RankKey);

/// Inserts into a list sorted by key, after every equal key, keeping `n`;
/// false if the item did not make it.
fn push_stable(list: &mut Vec<Ranked>, item: Ranked, n: usize) -> bool {
    let pos = list.partition_point(|x| x.2 <= item.2);
    if pos < n {
        list.insert(pos, item);
        list.truncate(n);
        true
    } else {
        false
    }
}

/// Do loop orders leave the price of a blocking unchanged? They do for
/// local-region layers, whose input-channel loop is trivial: every fetch count
/// is 1 whatever the order (docs/model/blocking.md#fetch-counts), so all 36
/// order pairs of a factor choice tie and the reference keeps them in
/// generation order.
pub(super) fn orders_irrelevant(ctx: &BlockingContext<'_>) -> bool {
    !ctx.nld.data_loops.is_conv() && ctx.nld.loopcnt[LoopDim::Ifm] == 1
}

/// Adds the candidates of one chunk to `best` when orders do not matter: each factor
/// choice is priced once, then its order pairs enter the ranking in
/// generation order until one does not make it (the rest tie with it).
fn chunk_best_orderless(
    ctx: &BlockingContext<'_>,
    chunk: &Chunk,
    fbs: &[[u64; 3]],
    ntops: usize,
    best: &mut Vec<Ranked>,
) {
    for (factors, stats) in orderless_choices(ctx, chunk, fbs) {
        let key = ctx.key(&stats);
        for_each_order_pair(ctx, factors, |b| push_stable(best, (b, stats, key), ntops));
    }
}

/// The factor choices of one chunk that the context admits and that fit,
/// each priced once, in generation order, for when loop orders leave the
/// price unchanged ([`orders_irrelevant`]); every order pair of a choice
/// then ties with the first, which the reference keeps first.
pub(super) fn orderless_choices<'c>(
    ctx: &'c BlockingContext<'_>,
    chunk: &'c Chunk,
    fbs: &'c [[u64; 3]],
) -> impl Iterator<Item = (Factors, BlockingStats)> + 'c {
    let first: Orders = [PerLoop(PERMUTATIONS[0]); 2];
    fbs.iter().filter_map(move |fb| {
        let factors = chunk.factors(fb);
        if !ctx.top_factors_admitted(&factors) {
            return None;
        }
        let stats = ctx.prepare(&factors).and_then(|p| ctx.finish(&p, &first))?;
        Some((factors, stats))
    })
}

/// The best `ntops` valid blockings of the context's NLD, best first, found
/// by exhaustive search.
pub(crate) fn search(ctx: &BlockingContext<'_>, ntops: usize) -> Vec<(Blocking, BlockingStats)> {
    search_below(ctx, ntops, None)
}

/// [`search`] for a caller that already holds `ntops` candidates ranked at
/// or before `cut` (docs/model/blocking.md#a-cut-from-the-caller): the
/// blockings whose key ranks at or before `cut` are all among those
/// returned, in their places; a blocking whose floor ranks after it is not
/// looked at, so the list may hold fewer than `ntops`, or others ranked
/// after `cut` that the caller drops. Without pruning by floors (the
/// reference's model) the cut is ignored.
pub(crate) fn search_below(
    ctx: &BlockingContext<'_>,
    ntops: usize,
    cut: Option<RankKey>,
) -> Vec<(Blocking, BlockingStats)> {
    if ntops == 0 {
        return Vec::new();
    }
    if ctx.goal == Goal::D && ctx.compat.delay_goal_nan() {
        return search_delay_quirk(ctx, ntops);
    }
    let (chunks, fbs) = constrained_chunks(ctx);
    // Chunks are mostly small (few factor triples fit), so each parallel
    // task walks a run of consecutive chunks into one list: a chunk's
    // best in its run's list are the same as on its own, and runs merge in
    // order, so ties still go to the earlier candidate.
    let runs = chunks.len().div_ceil(CHUNKS_PER_TASK);
    let shared = SharedBest::new(ntops, cut.filter(|_| ctx.floor_prunes()));
    let per_run: Vec<Vec<Ranked>> = (0..runs)
        .into_par_iter()
        .map(|r| {
            let mut best = Vec::with_capacity(ntops.min(MAX_TOP) + 1);
            let shared = &shared;
            let end = chunks.len().min((r + 1) * CHUNKS_PER_TASK);
            let mut i = r * CHUNKS_PER_TASK;
            while i < end {
                let chunk = chunks.get(i);
                if i.is_multiple_of(chunks.per_fi()) && !fi_may_fit(ctx, &chunk) {
                    // No chunk of this input-channel triple fits.
                    i += chunks.per_fi();
                    continue;
                }
                if chunk_may_fit(ctx, &chunk) {
                    chunk_best(ctx, &chunk, &fbs, ntops, &mut best, shared);
                }
                i += 1;
            }
            best
        })
        .collect();
    let mut best = Vec::with_capacity(ntops.min(MAX_TOP) + 1);
    for item in per_run.into_iter().flatten() {
        push_stable(&mut best, item, ntops);
    }
    best.into_iter().map(|(b, s, _)| (b, s)).collect()
}

/// Chunks one parallel task walks in order.
pub(super) const CHUNKS_PER_TASK: usize = 64;

/// Adds the candidates of one chunk to `best`, the list of the best
/// `ntops` so far, in generation order.
fn chunk_best(
    ctx: &BlockingContext<'_>,
    chunk: &Chunk,
    fbs: &[[u64; 3]],
    ntops: usize,
    best: &mut Vec<Ranked>,
    shared: &SharedBest,
) {
    if orders_irrelevant(ctx) {
        chunk_best_orderless(ctx, chunk, fbs, ntops, best);
        return;
    }
    let lazy_sharing = ctx.ranks_sharing();
    let prunes = ctx.floor_prunes();
    // Whether the factors and top-level order of the last candidate were
    // found hopeless: the inner orders of one come one after another.
    let mut last: Option<(Factors, PerLoop<u8>, bool)> = None;
    for_each_fitting_candidate(ctx, chunk, fbs, |b, p| {
        if prunes {
            let hopeless = match last {
                Some((f, o, h)) if f == b.factors && o == b.orders[0] => h,
                _ => {
                    // Strictly worse than the last kept, whatever the
                    // order: it could not make the list, and a tie could
                    // not either, coming later.
                    let floor = ctx.floor_key(p, &b.orders);
                    let h = shared.beaten(floor)
                        || best.len() >= ntops && best.last().is_some_and(|w: &Ranked| floor > w.2);
                    last = Some((b.factors, b.orders[0], h));
                    h
                }
            };
            if hopeless {
                return true;
            }
        }
        if lazy_sharing {
            // Buffer sharing's sweep is the costly part and only
            // adds energy: price it only for blockings whose
            // energy without it could still make the list.
            let Some(s) = ctx.finish_unshared(p, &b.orders) else {
                return true;
            };
            if best.len() >= ntops && best.last().is_some_and(|w: &Ranked| ctx.key(&s) >= w.2) {
                return true;
            }
            let s = ctx.with_sharing_priced(&b, s);
            let key = ctx.key(&s);
            if push_stable(best, (b, s, key), ntops) {
                shared.found(key);
            }
        } else if let Some(s) = ctx.finish(p, &b.orders) {
            let key = ctx.key(&s);
            if push_stable(best, (b, s, key), ntops) {
                shared.found(key);
            }
        }
        true
    });
}

/// What every parallel task of one search knows beats a floor: the
/// caller's cut, and, when only the best is kept, the least first key
/// component any task has found. A blocking whose floor ranks strictly
/// after either cannot be kept, whatever task or place in the enumeration
/// it has, so skipping it changes no result. Keys are never negative
/// (energies, times and their product), so their bits order as their
/// values.
struct SharedBest {
    best: Option<AtomicU64>,
    cut: Option<RankKey>,
}

impl SharedBest {
    fn new(ntops: usize, cut: Option<RankKey>) -> Self {
        SharedBest {
            best: (ntops == 1).then(|| AtomicU64::new(f64::INFINITY.to_bits())),
            cut,
        }
    }

    fn found(&self, key: RankKey) {
        if let Some(b) = &self.best {
            b.fetch_min(key.0.to_bits(), AtomicOrdering::Relaxed);
        }
    }

    fn beaten(&self, floor: RankKey) -> bool {
        self.cut.is_some_and(|c| floor > c)
            || self
                .best
                .as_ref()
                .is_some_and(|b| floor.0 > f64::from_bits(b.load(AtomicOrdering::Relaxed)))
    }
}

/// The reference's delay search (docs/model/blocking.md#ranking-and-ties,
/// docs/compat.md#delay_goal_nan;
/// docs/model/blocking.md#the-delay-goal-in-the-reference): its per-chunk key
/// reads a time not computed yet, so each chunk keeps its first `ntops`
/// candidates in a fixed permuted order, and only the selection across chunks
/// ranks by (time, energy).
fn search_delay_quirk(ctx: &BlockingContext<'_>, ntops: usize) -> Vec<(Blocking, BlockingStats)> {
    let (chunks, fbs) = chunks(ctx);
    let per_chunk: Vec<Vec<(Blocking, Option<BlockingStats>)>> = (0..chunks.len())
        .into_par_iter()
        .map(|i| {
            let chunk = &chunks.get(i);
            let mut first = Vec::with_capacity(ntops.min(MAX_TOP));
            for_each_candidate(ctx, chunk, &fbs, |b, prepared| {
                let stats = prepared.and_then(|p| ctx.finish(p, &b.orders));
                first.push((b, stats));
                first.len() < ntops
            });
            let valid: Vec<bool> = first.iter().map(|(_, s)| s.is_some()).collect();
            python_nsmallest_order(&valid)
                .into_iter()
                .map(|i| first[i])
                .collect()
        })
        .collect();
    let key = |s: &Option<BlockingStats>| match s {
        Some(s) => RankKey(s.time as f64, s.energy.access),
        None => RankKey(f64::INFINITY, f64::INFINITY),
    };
    let mut all: Vec<_> = per_chunk.into_iter().flatten().collect();
    all.sort_by_key(|c| key(&c.1));
    all.into_iter()
        .take(ntops)
        .filter_map(|(b, s)| s.map(|s| (b, s)))
        .collect()
}

/// The order in which Python's `heapq.nsmallest` returns `m` candidates whose
/// keys are unordered unless both are invalid
/// (docs/model/blocking.md#the-delay-goal-in-the-reference): a max-heapify
/// followed by CPython's small-list sort, under `lt(x, y) = both invalid and x
/// < y`.
pub(crate) fn python_nsmallest_order(valid: &[bool]) -> Vec<usize> {
    let m = valid.len();
    let lt = |x: usize, y: usize| !valid[x] && !valid[y] && x < y;
    let mut a: Vec<usize> = (0..m).collect();
    for start in (0..m / 2).rev() {
        // Sift the item at `start` down to a leaf, preferring the right child.
        let item = a[start];
        let mut pos = start;
        let mut child = 2 * pos + 1;
        while child < m {
            let right = child + 1;
            if right < m && !lt(a[right], a[child]) {
                child = right;
            }
            a[pos] = a[child];
            pos = child;
            child = 2 * pos + 1;
        }
        a[pos] = item;
        // Then back up while the parent is smaller.
        while pos > start {
            let parent = (pos - 1) / 2;
            if lt(a[parent], item) {
                a[pos] = a[parent];
                pos = parent;
            } else {
                break;
            }
        }
        a[pos] = item;
    }
    if m < 2 {
        return a;
    }
    // CPython's sort of a short list: leading run, then binary insertion.
    let mut run = 2;
    if lt(a[1], a[0]) {
        while run < m && lt(a[run], a[run - 1]) {
            run += 1;
        }
        a[..run].reverse();
    } else {
        while run < m && !lt(a[run], a[run - 1]) {
            run += 1;
        }
    }
    for i in run..m {
        let pivot = a[i];
        let (mut lo, mut hi) = (0, i);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if lt(pivot, a[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        a.copy_within(lo..i, lo + 1);
        a[lo] = pivot;
    }
    a
}

/// The reference's enumeration counts for the context's NLD: generated,
/// after the skip rule, and valid.
pub fn sweep_counts(ctx: &BlockingContext<'_>) -> SweepCounts {
    let (chunks, fbs) = chunks(ctx);
    let mut counts = SweepCounts {
        enumerated: (chunks.len() * fbs.len() * 36) as u64,
        ..SweepCounts::default()
    };
    for chunk in chunks.iter() {
        for_each_candidate(ctx, &chunk, &fbs, |b, prepared| {
            counts.after_skip += 1;
            if prepared.and_then(|p| ctx.finish(p, &b.orders)).is_some() {
                counts.valid += 1;
            }
            true
        });
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Dim2, LayerShape, LocalShape};
    use crate::sched::Compat;
    use crate::sched::blocking::test_support::{drawn, pruning_cost};
    use crate::sched::dataflow::map_layer;
    use crate::sched::machine::{Bandwidth, Cost, NodeResource};
    use crate::sched::types::{PerData, PerLevel};
    use proptest::prelude::*;

    /// The full enumeration of every order pair, for comparison.
    fn search_all_orders(
        ctx: &BlockingContext<'_>,
        ntops: usize,
    ) -> Vec<(Blocking, BlockingStats)> {
        let (chunks, fbs) = chunks(ctx);
        let mut best = Vec::new();
        for chunk in chunks.iter() {
            for_each_candidate(ctx, &chunk, &fbs, |b, prepared| {
                if let Some(s) = prepared.and_then(|p| ctx.finish(p, &b.orders)) {
                    push_stable(&mut best, (b, s, ctx.key(&s)), ntops);
                }
                true
            });
        }
        best.into_iter().map(|(b, s, _)| (b, s)).collect()
    }

    #[test]
    fn pricing_local_layers_once_per_factor_choice_changes_nothing() {
        let res = NodeResource {
            sram: None,
            dim_array: Dim2::square(16),
            size_gbuf: 4096,
            size_regf: 32,
            array_bus_width: Some(2),
            dram_bandwidth: Bandwidth::Words(3.0),
            no_time_mux: false,
            dataflow: Default::default(),
        };
        let cost = Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 0.0, 7.0);
        let layers = [
            LayerShape::Local(LocalShape::pool(
                48,
                Dim2::square(27),
                Dim2::square(3),
                Dim2::square(2),
            )),
            LayerShape::Local(LocalShape::eltwise(64, Dim2::square(14), 2)),
        ];
        for layer in layers {
            for compat in [Compat::Nnc, Compat::NnDataflow] {
                let layer = match (layer, compat) {
                    (LayerShape::Local(l), Compat::NnDataflow) => {
                        LayerShape::Local(LocalShape { ntrd: 1, ..l })
                    }
                    (l, _) => l,
                };
                let m = map_layer(&layer, 8, 1.0, res.dim_array, compat).unwrap();
                for nld in &m.nlds {
                    for goal in [Goal::E, Goal::Ed] {
                        let ctx = BlockingContext::new(
                            nld,
                            &res,
                            &cost,
                            PerData::splat(true),
                            goal,
                            compat,
                        );
                        assert!(orders_irrelevant(&ctx));
                        for ntops in [1, 3, 40, 100] {
                            assert_eq!(
                                search(&ctx, ntops),
                                search_all_orders(&ctx, ntops),
                                "{layer:?} {ntops}"
                            );
                        }
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Skipping batch triples by a smaller one's misfit drops only
        /// factors that do not fit: the fitting enumeration visits exactly
        /// the candidates of the full one that fit, in the same order.
        #[test]
        fn the_fitting_enumeration_skips_only_misfits(d in drawn()) {
            let Some(m) = d.mapped(Compat::Nnc) else {
                return Ok(());
            };
            let cost = pruning_cost();
            for nld in &m.nlds {
                let ctx = BlockingContext::new(nld, &d.node, &cost, PerData(d.bypass), Goal::E, Compat::Nnc);
                let (chunks, fbs) = chunks(&ctx);
                for chunk in chunks.iter() {
                    let mut all = Vec::new();
                    for_each_candidate(&ctx, &chunk, &fbs, |b, p| {
                        if p.is_some() {
                            all.push(b);
                        }
                        true
                    });
                    let mut fitting = Vec::new();
                    for_each_fitting_candidate(&ctx, &chunk, &fbs, |b, _| {
                        fitting.push(b);
                        true
                    });
                    prop_assert_eq!(&fitting, &all);
                }
            }
        }

        /// Weight stationary's weights enter their PEs once, and that
        /// depends on the loop orders: the search over canonical orders
        /// still finds the best of every order pair of every factor
        /// choice, and its best takes every weight in once
        /// (docs/model/blocking.md#bypass-and-capacity-checks).
        #[test]
        fn weight_stationary_finds_the_best_of_every_order(mut d in drawn()) {
            d.node.dataflow = crate::sched::dataflow::Dataflow::WeightStationary;
            let Some(m) = d.mapped(Compat::Nnc) else {
                return Ok(());
            };
            let cost = pruning_cost();
            for nld in &m.nlds {
                let ctx = BlockingContext::new(nld, &d.node, &cost, PerData(d.bypass), Goal::E, Compat::Nnc);
                let mut brute: Option<RankKey> = None;
                let (chunks, fbs) = chunks(&ctx);
                for chunk in chunks.iter() {
                    for_each_candidate(&ctx, &chunk, &fbs, |b, prepared| {
                        if let Some(p) = prepared {
                            for_each_order_pair(&ctx, b.factors, |o| {
                                if let Some(s) = ctx.finish(p, &o.orders) {
                                    let k = ctx.key(&s);
                                    brute = Some(brute.map_or(k, |b| b.min(k)));
                                }
                                true
                            });
                        }
                        true
                    });
                }
                let best = search(&ctx, 1);
                prop_assert_eq!(best.first().map(|(_, s)| ctx.key(s)), brute);
                if let Some((b, _)) = best.first() {
                    let (fetch, _) = ctx.fetches_and_storage(&b.factors, &b.orders).unwrap();
                    prop_assert_eq!(fetch[1][crate::sched::types::DataKind::Fil], 1);
                }
            }
        }

        /// Pruning by floors changes nothing: the pruned search keeps what
        /// the full enumeration keeps, and no blocking is priced below its
        /// floor, for every dataflow, goal, bypass, partition and model
        /// (docs/model/blocking.md#pruning-by-floors).
        #[test]
        fn pruned_search_equals_the_full_enumeration(
            d in drawn(),
            goal in prop::sample::select(vec![Goal::E, Goal::D, Goal::Ed]),
            compat in prop::sample::select(vec![Compat::Nnc, Compat::NnDataflow]),
            ntops in 1usize..4,
        ) {
            let Some(m) = d.mapped(compat) else {
                return Ok(());
            };
            let cost = pruning_cost();
            for nld in &m.nlds {
                let ctx = BlockingContext::new(nld, &d.node, &cost, PerData(d.bypass), goal, compat)
                    .with_partition(d.nodes, PerData([3, 1, 2]), PerData([1, d.accfwd, 1]));
                // The reference's delay search keeps its own order
                // (`search_delay_quirk`), and prunes nothing.
                if !(goal == Goal::D && compat.delay_goal_nan()) {
                    prop_assert_eq!(search(&ctx, ntops), search_all_orders(&ctx, ntops));
                }
                let (chunks, fbs) = chunks(&ctx);
                for chunk in chunks.iter() {
                    for_each_candidate(&ctx, &chunk, &fbs, |b, prepared| {
                        if let Some((p, s)) = prepared.and_then(|p| Some((p, ctx.finish(p, &b.orders)?))) {
                            let (energy, time) = ctx.prepared_floor(p, &b.orders);
                            assert!(energy <= s.cost() && time <= s.time, "{b:?}: floor {energy} {time}, price {} {}", s.cost(), s.time);
                        }
                        true
                    });
                }
            }
        }
    }

    #[test]
    fn nsmallest_order_of_valid_candidates() {
        assert_eq!(python_nsmallest_order(&[true]), vec![0]);
        assert_eq!(python_nsmallest_order(&[true; 2]), vec![1, 0]);
        assert_eq!(python_nsmallest_order(&[true; 3]), vec![2, 1, 0]);
        assert_eq!(python_nsmallest_order(&[true; 4]), vec![2, 3, 0, 1]);
        // Invalid candidates compare by number and sort ascending.
        assert_eq!(python_nsmallest_order(&[false; 4]), vec![0, 1, 2, 3]);
    }
}
