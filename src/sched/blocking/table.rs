//! One exhaustive search for every NoC-hop count
//! (docs/model/blocking.md#one-search-for-every-hop-count).
//!
//! A layer's partitions often give its nodes the same share and differ only
//! in how far data travel over the NoC (the partition's unit hops), and
//! layers of the same shape read inputs laid out differently: the same
//! per-node problem with other hops. A blocking's hops enter its price only
//! through its NoC energy, the unit hops times its DRAM-level fetch counts
//! (its *trips*). So one enumeration, priced without hops, keeps the best
//! blockings of each trip vector, and the best under any hops are among
//! them: within one trip vector every blocking pays the same NoC energy.

use super::enumerate::{
    Chunks, chunk_may_fit, constrained_chunks, fi_may_fit, for_each_fitting_candidate,
};
use super::scheme::{Blocking, BlockingContext, BlockingStats};
use crate::fasthash::FastMap;
use crate::sched::model::energy::{LayerCost, noc_hops};
use crate::sched::options::{Goal, RankKey};
use crate::sched::types::PerData;
use rayon::prelude::*;

/// A blocking kept in a table: its place in the enumeration (ties go to the
/// earlier), the blocking, and what its price depends on besides its trips
/// and the hops: its access energy and its time.
type Entry = (u64, Blocking, f64, u64);

/// The blockings of one trip vector.
#[derive(Clone, Debug)]
struct Group {
    /// The best `ntops` without hops, by key then place.
    kept: Vec<(RankKey, Entry)>,
    /// Blockings not kept that `ntops` earlier ones did not beat under
    /// every hops when they were left out ([`Group::leave_out`]), at most
    /// [`SPARE`].
    spare: Vec<Entry>,
    /// Beyond [`SPARE`], the least access energy and the least time of the
    /// others: with the vector's NoC energy, a price none of them can beat.
    overflow: Option<(f64, u64)>,
}

/// The spare blockings a group keeps whole.
const SPARE: usize = 64;

fn least(a: Option<(f64, u64)>, b: (f64, u64)) -> (f64, u64) {
    match a {
        None => b,
        Some((ra, rt)) => (ra.min(b.0), rt.min(b.1)),
    }
}

impl Group {
    fn new() -> Self {
        Group {
            kept: Vec::new(),
            spare: Vec::new(),
            overflow: None,
        }
    }

    /// Records a blocking left out of the kept, unless `ntops` earlier
    /// ones cost no more access energy and take no more time: under any
    /// hops those rank before it (same trips, same NoC energy, rounding
    /// monotone, ties to the earlier), so it can never be among the best.
    fn leave_out(&mut self, e: Entry, ntops: usize) {
        let (place, _, a, t) = e;
        let before = self
            .kept
            .iter()
            .filter(|(_, (p, _, ka, kt))| *p < place && *ka <= a && *kt <= t)
            .count();
        if before >= ntops {
            return;
        }
        if self.spare.len() < SPARE {
            self.spare.push(e);
        } else {
            self.overflow = Some(least(self.overflow, (a, t)));
        }
    }

    /// Adds a blocking that comes after every kept one.
    fn add(&mut self, key: RankKey, e: Entry, ntops: usize) {
        let pos = self.kept.partition_point(|x| x.0 <= key);
        if pos < ntops {
            self.kept.insert(pos, (key, e));
            if self.kept.len() > ntops
                && let Some((_, out)) = self.kept.pop()
            {
                self.leave_out(out, ntops);
            }
        } else {
            self.leave_out(e, ntops);
        }
    }

    /// Adds `later`, whose blockings all come after this group's.
    fn merge(&mut self, later: Group, ntops: usize) {
        for (key, e) in later.kept {
            self.add(key, e, ntops);
        }
        for e in later.spare {
            self.leave_out(e, ntops);
        }
        if let Some(o) = later.overflow {
            self.overflow = Some(least(self.overflow, o));
        }
    }
}

/// The best blockings of one loop nest for every trip vector, found once
/// for any NoC hops.
#[derive(Clone, Debug)]
pub(crate) struct HopTable {
    groups: Vec<([u64; 3], Group)>,
    ntops: usize,
    /// The nest's ops over all nodes, the same for every blocking.
    ops: f64,
}

impl HopTable {
    /// Does a table answer for `ctx` exactly? It ranks by energy first
    /// (the energy goal), with nnc's pruning model, without buffer sharing,
    /// whose hops are not trips, and for nests whose loop orders matter.
    pub(crate) fn serves(ctx: &BlockingContext<'_>) -> bool {
        ctx.goal == Goal::E
            && ctx.floor_prunes()
            && ctx.share.is_none()
            && !super::search::orders_irrelevant(ctx)
    }

    /// Enumerates every blocking of `ctx` (its hops aside) once.
    pub(crate) fn build(ctx: &BlockingContext<'_>, ntops: usize) -> Self {
        let mut hopless = ctx.clone();
        hopless.unit_nhops = PerData::splat(0);
        let ctx = &hopless;
        let (chunks, fbs) = constrained_chunks(ctx);
        // A few long runs rather than many short ones: each run's groups
        // are merged into the table's, which costs more than it balances.
        let per = chunks
            .len()
            .div_ceil(4 * rayon::current_num_threads().max(1))
            .max(super::search::CHUNKS_PER_TASK);
        let runs = chunks.len().div_ceil(per);
        let per_run: Vec<(FastMap<[u64; 3], Group>, f64)> = (0..runs)
            .into_par_iter()
            .map(|r| {
                run_groups(
                    ctx,
                    &chunks,
                    &fbs,
                    r * per..chunks.len().min((r + 1) * per),
                    ntops,
                )
            })
            .collect();
        let mut all: FastMap<[u64; 3], Group> = FastMap::default();
        let mut ops = 0.0;
        for (run, run_ops) in per_run {
            ops = f64::max(ops, run_ops);
            for (trips, g) in run {
                all.entry(trips).or_insert_with(Group::new).merge(g, ntops);
            }
        }
        let mut groups: Vec<([u64; 3], Group)> = all.into_iter().collect();
        groups.sort_by_key(|g| g.0);
        HopTable { groups, ntops, ops }
    }

    /// The best `ntops` blockings under `ctx`'s hops, best first, priced
    /// as [`BlockingContext::finish`] prices them: what the exhaustive
    /// search finds. `None` when rounding leaves a blocking left out of a
    /// group too close to call, so that only the search can tell.
    pub(crate) fn best(&self, ctx: &BlockingContext<'_>) -> Option<Vec<(Blocking, BlockingStats)>> {
        let price = |access: f64, trips: [u64; 3], time: u64| {
            let e = LayerCost::new(
                ctx.cost,
                self.ops,
                access,
                noc_hops(ctx.unit_nhops, PerData(trips)),
                time,
            );
            ctx.goal.key(e.total, time as f64)
        };
        let mut all: Vec<(RankKey, u64, Blocking)> = Vec::new();
        for (trips, g) in &self.groups {
            for &(place, b, access, time) in g.kept.iter().map(|(_, e)| e).chain(&g.spare) {
                all.push((price(access, *trips, time), place, b));
            }
        }
        all.sort_by_key(|x| (x.0, x.1));
        all.truncate(self.ntops);
        if all.len() == self.ntops
            && let Some(worst) = all.last().map(|x| x.0.0)
        {
            for (trips, g) in &self.groups {
                // Rounding is monotone: no blocking summed up prices below
                // this, but one priced at it could tie with the worst kept.
                if let Some((access, time)) = g.overflow
                    && price(access, *trips, time).0 <= worst
                {
                    return None;
                }
            }
        }
        // Priced again whole, as the search prices them (the same sums).
        all.into_iter()
            .map(|(_, _, b)| Some((b, ctx.evaluate(&b)?)))
            .collect()
    }
}

/// The groups of the chunks `run`, in enumeration order, and the nest's
/// ops (0 if no blocking fits).
fn run_groups(
    ctx: &BlockingContext<'_>,
    chunks: &Chunks,
    fbs: &[[u64; 3]],
    run: std::ops::Range<usize>,
    ntops: usize,
) -> (FastMap<[u64; 3], Group>, f64) {
    let mut groups: FastMap<[u64; 3], Group> = FastMap::default();
    let mut ops = 0.0;
    let mut i = run.start;
    while i < run.end {
        let chunk = chunks.get(i);
        if i.is_multiple_of(chunks.per_fi()) && !fi_may_fit(ctx, &chunk) {
            i += chunks.per_fi();
            continue;
        }
        if !chunk_may_fit(ctx, &chunk) {
            i += 1;
            continue;
        }
        let mut pos: u64 = 0;
        for_each_fitting_candidate(ctx, &chunk, fbs, |b, p| {
            pos += 1;
            if let Some(s) = ctx.finish_brief(p, &b.orders) {
                ops = s.ops;
                let place = (i as u64) << 32 | pos;
                groups.entry(s.trips).or_insert_with(Group::new).add(
                    s.key,
                    (place, b, s.access, s.time),
                    ntops,
                );
            }
            true
        });
        i += 1;
    }
    (groups, ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::Compat;
    use crate::sched::blocking::search::search_below;
    use crate::sched::blocking::test_support::{drawn, pruning_cost};
    use crate::sched::pipeline::LayerConstraint;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// A table built under one NoC-hop count answers for others
        /// exactly what the search finds under them, blockings and prices,
        /// for every dataflow, partition, forwarding and segment constraint
        /// (docs/model/blocking.md#one-search-for-every-hop-count).
        #[test]
        fn a_table_answers_as_the_search_under_any_hops(
            d in drawn(),
            topbat in prop::sample::select(vec![0u64, 1, 2]),
            ntops in 1usize..4,
            built in any::<[u8; 3]>(),
            asked in prop::collection::vec(any::<[u8; 3]>(), 1..4),
        ) {
            let compat = Compat::Nnc;
            let Some(m) = d.mapped(compat) else {
                return Ok(());
            };
            let cost = pruning_cost();
            let hops = |h: [u8; 3]| PerData(h.map(u64::from));
            let constraint = LayerConstraint { topbat, ..LayerConstraint::FREE };
            for nld in &m.nlds {
                let ctx = |h: [u8; 3]| {
                    BlockingContext::new(nld, &d.node, &cost, PerData(d.bypass), Goal::E, compat)
                        .with_partition(d.nodes, hops(h), PerData([1, d.accfwd, 1]))
                        .with_segment(constraint, crate::sched::blocking::DataHome::Dram, crate::sched::blocking::DataHome::Dram)
                };
                let first = ctx(built);
                if !HopTable::serves(&first) {
                    continue;
                }
                let table = HopTable::build(&first, ntops);
                for &h in std::iter::once(&built).chain(&asked) {
                    let want = search_below(&ctx(h), ntops, None);
                    prop_assert_eq!(table.best(&ctx(h)), Some(want), "hops {:?}", h);
                }
            }
        }
    }
}
