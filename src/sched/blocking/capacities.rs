//! The exhaustive loop-blocking search for several global-buffer capacities
//! at once (docs/sweep.md#shared-layer-searches).
//!
//! The capacity of the global buffer takes part in a blocking's price only
//! through the two capacity checks (docs/model/blocking.md#bypass-and-capacity-checks):
//! the fetch counts, the bypass decision, the accesses, the time and the
//! energy do not read it. So every candidate is priced once, with the
//! largest capacity, and the words it keeps in the buffer say which
//! capacities it fits: all those at least as large. Each candidate enters
//! the ranking of the smallest capacity it fits (its "slot"); the result of a
//! capacity is the best of its own slot and of every smaller one, in the
//! search's exact order: by key, ties to the earlier candidate of the
//! enumeration.

use super::enumerate::{Chunk, chunks, for_each_fitting_candidate, for_each_order_pair};
use super::scheme::{Blocking, BlockingContext, BlockingStats};
use super::search::{Ranked, orderless_choices, orders_irrelevant, search};
use crate::sched::machine::NodeResource;
use crate::sched::model::limits::MAX_TOP;
use crate::sched::options::Goal;
use rayon::prelude::*;

/// Words of global buffer per node a priced blocking keeps: the smallest
/// capacity its stats fit (capacity check 2; check 1 asks for less, the
/// data that may not bypass being among those kept).
pub(crate) fn gbuf_need(s: &BlockingStats) -> u64 {
    s.size[0]
        .0
        .iter()
        .fold(0u64, |acc, &w| acc.saturating_add(w))
}

/// A ranked candidate with its place in its chunk's enumeration.
type Placed = (Ranked, u64);

/// Inserts into a list sorted by key, after every equal key (the earlier
/// candidate first), keeping `n`; false if the item did not make it.
fn push_placed(list: &mut Vec<Placed>, item: Placed, n: usize) -> bool {
    let pos = list.partition_point(|x| x.0.2 <= item.0.2);
    if pos >= n {
        return false;
    }
    // Dropped before the insertion, so that a full list does not grow.
    if list.len() == n {
        list.pop();
    }
    list.insert(pos, item);
    true
}

/// The capacities in increasing order, without repeats, and the slot of
/// each capacity as given.
fn slots(capacities: &[u64]) -> (Vec<u64>, Vec<usize>) {
    let mut sorted = capacities.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let slot_of = capacities
        .iter()
        .map(|c| sorted.partition_point(|s| s < c))
        .collect();
    (sorted, slot_of)
}

/// The best `ntops` candidates of one chunk per slot.
fn chunk_slots(
    ctx: &BlockingContext<'_>,
    chunk: &Chunk,
    fbs: &[[u64; 3]],
    sorted: &[u64],
    ntops: usize,
) -> Vec<Vec<Placed>> {
    let mut best: Vec<Vec<Placed>> = vec![Vec::new(); sorted.len()];
    let mut seq = 0u64;
    let slot = |s: &BlockingStats| {
        let need = gbuf_need(s);
        let j = sorted.partition_point(|&c| c < need);
        (j < sorted.len()).then_some(j)
    };
    if orders_irrelevant(ctx) {
        // As `search`'s orderless chunks: one price per factor choice, its
        // order pairs entered until one does not make it into its slot.
        for (factors, stats) in orderless_choices(ctx, chunk, fbs) {
            let Some(j) = slot(&stats) else {
                continue;
            };
            let key = ctx.key(&stats);
            for_each_order_pair(ctx, factors, |b| {
                seq += 1;
                push_placed(&mut best[j], ((b, stats, key), seq), ntops)
            });
        }
        return best;
    }
    for_each_fitting_candidate(ctx, chunk, fbs, |b, p| {
        if let Some(s) = ctx.finish(p, &b.orders)
            && let Some(j) = slot(&s)
        {
            seq += 1;
            push_placed(&mut best[j], ((b, s, ctx.key(&s)), seq), ntops);
        }
        true
    });
    best
}

/// [`search`] for several capacities of the global buffer (words per node,
/// in any order, repeats allowed): element `i` is exactly what [`search`]
/// finds with the context's resource holding `capacities[i]` words; the
/// context's own capacity is not read.
///
/// The reference's delay search keeps candidates by their place in the
/// enumeration whether they fit or not, so its results are not those of
/// one shared ranking: it runs once per capacity.
pub(crate) fn search_capacities(
    ctx: &BlockingContext<'_>,
    capacities: &[u64],
    ntops: usize,
) -> Vec<Vec<(Blocking, BlockingStats)>> {
    let (sorted, slot_of) = slots(capacities);
    let with_capacity = |size_gbuf: u64| NodeResource {
        size_gbuf,
        ..*ctx.resource
    };
    if ntops == 0 || sorted.is_empty() {
        return vec![Vec::new(); capacities.len()];
    }
    if ctx.goal == Goal::D && ctx.compat.delay_goal_nan() {
        return capacities
            .iter()
            .map(|&c| {
                let resource = with_capacity(c);
                let mut one = ctx.clone();
                one.resource = &resource;
                search(&one, ntops)
            })
            .collect();
    }
    // Priced once with the largest capacity: every candidate that fits any
    // of them passes both checks there, with the same stats.
    let largest = with_capacity(sorted[sorted.len() - 1]);
    let mut wide = ctx.clone();
    wide.resource = &largest;
    let (chunks, fbs) = chunks(&wide);
    let per_chunk: Vec<Vec<Vec<Placed>>> = (0..chunks.len())
        .into_par_iter()
        .map(|i| chunk_slots(&wide, &chunks.get(i), &fbs, &sorted, ntops))
        .collect();
    slot_of
        .iter()
        .map(|&j| {
            // The best of every candidate that fits, by key and on equal
            // keys by place in the enumeration (chunk, then place in the
            // chunk): what `search`'s stable merge of its chunks keeps.
            let mut best: Vec<(&Ranked, usize, u64)> = Vec::with_capacity(ntops.min(MAX_TOP) + 1);
            for (ci, per_slot) in per_chunk.iter().enumerate() {
                for (item, seq) in per_slot[..=j].iter().flatten() {
                    let place = (item.2, ci, *seq);
                    let pos = best.partition_point(|x| (x.0.2, x.1, x.2) <= place);
                    if pos < ntops {
                        best.insert(pos, (item, ci, *seq));
                        best.truncate(ntops);
                    }
                }
            }
            best.into_iter().map(|(r, _, _)| (r.0, r.1)).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ConvShape, Dim2, LayerShape, LocalShape};
    use crate::sched::Compat;
    use crate::sched::dataflow::map_layer;
    use crate::sched::machine::{Bandwidth, Cost};
    use crate::sched::types::{PerData, PerLevel};
    use proptest::prelude::*;

    fn resource(size_gbuf: u64) -> NodeResource {
        NodeResource {
            sram: None,
            dim_array: Dim2::square(8),
            size_gbuf,
            size_regf: 64,
            array_bus_width: Some(4),
            dram_bandwidth: Bandwidth::Words(8.0),
            no_time_mux: false,
            dataflow: Default::default(),
        }
    }

    const COST: Cost = Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 1.0, 0.5);

    /// Separate searches, one per capacity, each with its own resource.
    fn separate(
        ctx: &BlockingContext<'_>,
        caps: &[u64],
        ntops: usize,
    ) -> Vec<Vec<(Blocking, BlockingStats)>> {
        caps.iter()
            .map(|&c| {
                let r = resource(c);
                let mut one = ctx.clone();
                one.resource = &r;
                search(&one, ntops)
            })
            .collect()
    }

    #[test]
    fn slots_sort_and_share_repeats() {
        let (sorted, slot_of) = slots(&[300, 100, 300, 200]);
        assert_eq!(sorted, vec![100, 200, 300]);
        assert_eq!(slot_of, vec![2, 0, 2, 1]);
    }

    #[test]
    fn a_capacity_too_small_for_every_blocking_gets_none() {
        let layer = crate::sched::dataflow::square_conv(16, 32, 8, 3);
        let m = map_layer(&layer, 4, 1.0, Dim2::square(8), Compat::Nnc).unwrap();
        let r = resource(1 << 20);
        let ctx = BlockingContext::new(
            &m.nlds[0],
            &r,
            &COST,
            PerData::splat(false),
            Goal::E,
            Compat::Nnc,
        );
        // Without bypass every kind keeps at least one unit in the buffer.
        let least = m.nlds[0].usize_gbuf.0.iter().sum::<u64>();
        let caps = [least - 1, 1 << 20];
        let found = search_capacities(&ctx, &caps, 3);
        assert!(found[0].is_empty());
        assert_eq!(found[1].len(), 3);
        assert_eq!(found, separate(&ctx, &caps, 3));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// One shared search equals separate searches per capacity, for
        /// convolutions and pooling layers, every goal, both models.
        #[test]
        fn shared_search_equals_separate_searches(
            c in 1u64..=24,
            k in 1u64..=24,
            hw in 2u64..=10,
            fh in prop::sample::select(vec![1u64, 3]),
            batch in 1u64..=8,
            pool in any::<bool>(),
            caps in prop::collection::vec(16u64..4096, 1..4),
            exact in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
            bypass in any::<[bool; 3]>(),
            goal in prop::sample::select(vec![Goal::E, Goal::D, Goal::Ed]),
            compat in prop::sample::select(vec![Compat::Nnc, Compat::NnDataflow]),
            ntops in 1usize..6,
        ) {
            let hw = hw.max(fh);
            let layer = if pool {
                LayerShape::Local(LocalShape::pool(k, Dim2::square(hw), Dim2::square(2), Dim2::square(2)))
            } else {
                LayerShape::Conv(ConvShape::dense(c, k, Dim2::square(hw), Dim2::square(fh), Dim2::square(1)))
            };
            let layer = match (layer, compat) {
                (LayerShape::Local(l), Compat::NnDataflow) => LayerShape::Local(LocalShape { ntrd: 1, ..l }),
                (l, _) => l,
            };
            let Ok(m) = map_layer(&layer, batch, 1.0, Dim2::square(8), compat) else {
                return Ok(());
            };
            let r = resource(1 << 20);
            for nld in &m.nlds {
                let ctx = BlockingContext::new(nld, &r, &COST, PerData(bypass), goal, compat)
                    .with_partition(2, PerData([3, 1, 2]), PerData::splat(1));
                // Capacities exactly what some good blockings need, and one
                // word less, where a blocking's slot changes.
                let needs: Vec<u64> = search(&ctx, 16).iter().map(|(_, s)| gbuf_need(s)).collect();
                let mut caps = caps.clone();
                if !needs.is_empty() {
                    for i in &exact {
                        let need = needs[i.index(needs.len())];
                        caps.extend([need, need.saturating_sub(1)]);
                    }
                }
                prop_assert_eq!(
                    search_capacities(&ctx, &caps, ntops),
                    separate(&ctx, &caps, ntops)
                );
            }
        }
    }
}
