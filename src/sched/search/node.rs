//! One layer's share on one node: map it onto the PE array, then block every
//! resulting loop nest, and rank what comes out (docs/model/network.md#scheduling-one-layer);
//! for one capacity of the global buffer or several at once
//! (docs/sweep.md#shared-layer-searches).

use crate::ir::{Dim2, LayerShape};
use crate::sched::Compat;
use crate::sched::blocking::{self, Blocking, BlockingContext, BlockingStats, DataHome, HopTable};
use crate::sched::dataflow::{MappingError, MappingSummary, Nld, NodeShare};
use crate::sched::machine::{Cost, NodeResource};
use crate::sched::options::{BlockingOptions, Goal, RankKey, Solver};
use crate::sched::pipeline::LayerConstraint;
use crate::sched::pipeline::bufshr::BufShare;
use crate::sched::types::PerData;
use std::sync::Arc;

/// A candidate dataflow of one layer on its nodes: which loop nest (one per
/// spatial choice of the node's dataflow, e.g. row stationary's replication
/// choices) and which blocking of it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeCandidate {
    /// How the layer was mapped onto the PE array.
    pub mapping: MappingSummary,
    /// Index of the nested-loop description among the mapping's.
    pub nld_index: usize,
    /// That nested-loop description.
    pub nld: Nld,
    /// The loop blocking.
    pub blocking: Blocking,
    /// Its costs and times.
    pub stats: BlockingStats,
}

/// The per-node problem: a layer (already partitioned), how many nodes run
/// it, and what surrounds it.
///
/// Its quantities must be within the model's limits (`sched::model::limits`):
/// the network search checks them (`sched::model::limits::check_search`) before it builds any
/// problem; used directly, beyond them, its integer counts may overflow.
///
#[derive(Clone, Copy, Debug)]
pub struct NodeProblem<'a> {
    /// The per-node layer.
    pub layer: &'a LayerShape,
    /// Per-node batch.
    pub batch: u64,
    /// Fraction of useful work of the per-node layer (1 unless the
    /// partitioning is uneven).
    pub occupancy: f64,
    /// Nodes that run the layer.
    pub nodes: u64,
    /// NoC word-hops to move each data kind once (0 on one node).
    pub unit_nhops: PerData<u64>,
    /// Access-forwarding divisors of DRAM accesses (1 without forwarding).
    pub accfwd: PerData<u64>,
    /// One node's resources.
    pub resource: &'a NodeResource,
    /// Energy costs.
    pub cost: &'a Cost,
    /// Search options.
    pub options: &'a BlockingOptions,
    /// Which model.
    pub compat: Compat,
    /// The top-level blocking constraint of the layer's pipeline segment
    /// (free for a layer alone).
    pub constraint: LayerConstraint,
    /// Where the layer's input lives.
    pub src: DataHome,
    /// Where the layer's output lives.
    pub dst: DataHome,
    /// Who shares each data kind's buffer tile (buffer sharing on).
    pub share: Option<BufShare>,
}

/// What a per-node search's results depend on besides the node's resources
/// (its filter pinning aside), the costs and the options: the key of a
/// cache of results on one machine under fixed options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NodeKey {
    layer: LayerShape,
    batch: u64,
    occupancy: u64,
    nodes: u64,
    unit_nhops: [u64; 3],
    accfwd: [u64; 3],
    constraint: LayerConstraint,
    src: DataHome,
    dst: DataHome,
    no_time_mux: bool,
    /// Buffer-sharing groups and neighbour distances (as bits).
    share: Option<([Dim2; 3], [[u64; 2]; 3])>,
}

/// A per-node search's results, as a cache keeps them.
pub(crate) type NodeResults = Result<Arc<Vec<NodeCandidate>>, MappingError>;

impl<'a> NodeProblem<'a> {
    /// A layer alone on one node, with the whole batch, no NoC traffic and no
    /// access forwarding (the setting of the per-layer vectors).
    pub fn one_node(
        layer: &'a LayerShape,
        batch: u64,
        resource: &'a NodeResource,
        cost: &'a Cost,
        options: &'a BlockingOptions,
        compat: Compat,
    ) -> Self {
        NodeProblem {
            layer,
            batch,
            occupancy: 1.0,
            nodes: 1,
            unit_nhops: PerData::splat(0),
            accfwd: PerData::splat(1),
            resource,
            cost,
            options,
            compat,
            constraint: LayerConstraint::FREE,
            src: DataHome::Dram,
            dst: DataHome::Dram,
            share: None,
        }
    }

    /// The problem's key in a cache of one machine's results under fixed
    /// options.
    pub(crate) fn key(&self) -> NodeKey {
        NodeKey {
            layer: *self.layer,
            batch: self.batch,
            occupancy: self.occupancy.to_bits(),
            nodes: self.nodes,
            unit_nhops: self.unit_nhops.0,
            accfwd: self.accfwd.0,
            constraint: self.constraint,
            src: self.src,
            dst: self.dst,
            no_time_mux: self.resource.no_time_mux,
            share: self
                .share
                .map(|b| (b.dims.0, b.nbr_dists.0.map(|a| a.map(f64::to_bits)))),
        }
    }
}

impl NodeKey {
    /// The key with the NoC hops left out: that of every problem that
    /// differs only in where its data come from over the NoC.
    pub(crate) fn without_hops(self) -> NodeKey {
        NodeKey {
            unit_nhops: [0; 3],
            ..self
        }
    }
}

impl<'a> NodeProblem<'a> {
    /// The node's share of the layer, as its dataflow sees it.
    pub(crate) fn share(&self) -> NodeShare<'a> {
        NodeShare {
            layer: self.layer,
            batch: self.batch,
            occupancy: self.occupancy,
            dim_array: self.resource.dim_array,
            compat: self.compat,
        }
    }

    /// The node's dataflow's mapping of the layer, in short, and its loop
    /// nests.
    fn mapping(&self) -> Result<(Vec<MappingSummary>, Vec<Nld>), MappingError> {
        let m = crate::sched::dataflow::map(self.resource.dataflow, &self.share())?;
        Ok((m.summaries, m.nlds))
    }

    /// What blocking loop nest `nld` depends on: the node, the costs, the
    /// options, the partition, the segment and the buffer sharing.
    fn blocking_context<'b>(&'b self, nld: &'b Nld) -> BlockingContext<'b> {
        BlockingContext::new(
            nld,
            self.resource,
            self.cost,
            self.options.bypass,
            self.options.goal,
            self.compat,
        )
        .with_partition(self.nodes, self.unit_nhops, self.accfwd)
        .with_segment(self.constraint, self.src, self.dst)
        .with_sharing(self.share)
    }

    /// Does the analytical solver block `nld`? When asked for, on the
    /// convolution-pattern nests whose register files hold every loop (row
    /// stationary's); the others fall back to the exhaustive search
    /// (docs/model/dataflows.md#blocking-and-the-solver).
    fn solved(&self, nld: &Nld) -> bool {
        self.options.solver == Solver::Analytic && nld.data_loops.is_conv() && nld.regf_keeps_all()
    }

    /// The blockings of one loop nest in `ctx`, with their buffer sharing
    /// priced: the analytical solver's for a nest it is made for when
    /// asked for, else the exhaustive search's best `ntops`.
    fn blockings(&self, ctx: &BlockingContext<'_>) -> Vec<(Blocking, BlockingStats)> {
        self.blockings_below(ctx, None)
    }

    /// [`NodeProblem::blockings`], the exhaustive search told that `cut`
    /// ranks at or after `ntops` candidates the caller holds
    /// ([`blocking::search_below`]).
    fn blockings_below(
        &self,
        ctx: &BlockingContext<'_>,
        cut: Option<RankKey>,
    ) -> Vec<(Blocking, BlockingStats)> {
        let found = if self.solved(ctx.nld) {
            blocking::solve(ctx)
        } else {
            blocking::search_below(ctx, self.options.ntops, cut)
        };
        found
            .into_iter()
            .map(|(b, stats)| (b, ctx.with_sharing_priced(&b, stats)))
            .collect()
    }

    /// The best candidates of every loop nest of the mapping, in mapping
    /// order, each nest's list best first: what the layer-level ranking
    /// chooses from. At most `ntops` per nest from the exhaustive search;
    /// every valid solver result with the analytic solver.
    pub fn candidates(&self) -> Result<Vec<NodeCandidate>, MappingError> {
        self.candidates_below(None)
    }

    /// [`NodeProblem::candidates`] for a caller that already holds `ntops`
    /// candidates ranked at or before `cut`: every candidate ranked at or
    /// before it is among those returned, in its place; others may be
    /// missing (docs/model/blocking.md#a-cut-from-the-caller). The nests
    /// are searched from the least floor up, each told the `ntops`-th best
    /// key of those searched before it too, since a candidate ranked after
    /// `ntops` of the problem's own cannot be kept either; the list stays in
    /// mapping order.
    pub(crate) fn candidates_below(
        &self,
        cut: Option<RankKey>,
    ) -> Result<Vec<NodeCandidate>, MappingError> {
        let (summaries, nlds) = self.mapping()?;
        let goal = self.options.goal;
        let ntops = self.options.ntops;
        let contexts: Vec<BlockingContext<'_>> =
            nlds.iter().map(|nld| self.blocking_context(nld)).collect();
        let mut order: Vec<usize> = (0..nlds.len()).collect();
        if contexts.iter().all(BlockingContext::floor_prunes) {
            order.sort_by_key(|&i| {
                let (energy, time) = contexts[i].floor();
                (goal.key(energy, time as f64), i)
            });
        }
        // The keys of the best `ntops` found so far, best first.
        let mut kept: Vec<RankKey> = Vec::new();
        let mut found: Vec<Vec<(Blocking, BlockingStats)>> = vec![Vec::new(); nlds.len()];
        for i in order {
            let ctx = &contexts[i];
            let own = (kept.len() == ntops).then(|| kept[ntops - 1]);
            let below = match (cut, own) {
                (Some(c), Some(o)) => Some(c.min(o)),
                (c, o) => c.or(o),
            };
            found[i] = self.blockings_below(ctx, below.filter(|_| ctx.floor_prunes()));
            kept.extend(
                found[i]
                    .iter()
                    .map(|(_, s)| goal.key(s.cost(), s.time as f64)),
            );
            kept.sort();
            kept.truncate(ntops);
        }
        let mut out = Vec::new();
        for (nld_index, ((nld, &summary), found)) in
            nlds.iter().zip(&summaries).zip(found).enumerate()
        {
            out.extend(candidates_of(summary, nld_index, nld, found));
        }
        Ok(out)
    }

    /// Could problems that differ from this one only in their NoC hops
    /// share one enumeration ([`HopTable`],
    /// docs/model/blocking.md#one-search-for-every-hop-count)?
    pub(crate) fn shares_hop_tables(&self) -> bool {
        self.options.goal == Goal::E
            && !self.compat.rank_by_access_energy()
            && self.share.is_none()
            && self.options.solver == Solver::Exhaustive
    }

    /// The hop tables of the mapping's nests, in mapping order, searched
    /// once for every NoC hop count; `None` for a nest no table serves,
    /// which [`NodeProblem::candidates_from`] searches itself.
    pub(crate) fn hop_tables(&self) -> Result<Vec<Option<HopTable>>, MappingError> {
        let (_, nlds) = self.mapping()?;
        Ok(nlds
            .iter()
            .map(|nld| {
                let ctx = self.blocking_context(nld);
                (!self.solved(nld) && HopTable::serves(&ctx))
                    .then(|| HopTable::build(&ctx, self.options.ntops))
            })
            .collect())
    }

    /// [`NodeProblem::candidates`] read from the hop tables of a problem
    /// that differs from this one only in its hops; `None` when a table
    /// cannot tell (rounding too close to call) and the search must run.
    pub(crate) fn candidates_from(
        &self,
        tables: &[Option<HopTable>],
    ) -> Option<Result<Vec<NodeCandidate>, MappingError>> {
        let (summaries, nlds) = match self.mapping() {
            Ok(m) => m,
            Err(e) => return Some(Err(e)),
        };
        let mut out = Vec::new();
        for (nld_index, ((nld, &summary), table)) in
            nlds.iter().zip(&summaries).zip(tables).enumerate()
        {
            let ctx = self.blocking_context(nld);
            let found = match table {
                Some(t) => t.best(&ctx)?,
                None => self.blockings(&ctx),
            };
            out.extend(candidates_of(summary, nld_index, nld, found));
        }
        Some(Ok(out))
    }

    /// A key no candidate of [`NodeProblem::candidates`] ranks before: the
    /// goal's key of the least [`BlockingContext::floor`] of its loop nests
    /// (docs/model/network.md#pruning-partitions). `None` if the layer does
    /// not map, so that it has no candidate at all.
    pub(crate) fn floor(&self) -> Option<RankKey> {
        let (_, nlds) = self.mapping().ok()?;
        let goal = self.options.goal;
        nlds.iter()
            .map(|nld| {
                let (energy, time) = self.blocking_context(nld).floor();
                goal.key(energy, time as f64)
            })
            .min()
    }

    /// [`NodeProblem::candidates`] for several capacities of the global
    /// buffer (words per node, in any order): element `i` is what it finds
    /// with `capacities[i]` words, the problem's own capacity aside.
    ///
    /// The exhaustive search runs once for all capacities
    /// ([`blocking::search_capacities`]). The analytical solver's blockings
    /// are formulas of the capacity: solved once per capacity (they are few
    /// and cheap). Buffer sharing reads the capacity beyond the fit (its
    /// subgroups shrink into the free words), so each capacity is searched
    /// alone.
    pub fn candidates_capacities(
        &self,
        capacities: &[u64],
    ) -> Result<Vec<Vec<NodeCandidate>>, MappingError> {
        let (summaries, nlds) = self.mapping()?;
        let resources: Vec<NodeResource> = capacities
            .iter()
            .map(|&size_gbuf| NodeResource {
                size_gbuf,
                ..*self.resource
            })
            .collect();
        let mut out = vec![Vec::new(); capacities.len()];
        for (nld_index, (nld, &summary)) in nlds.iter().zip(&summaries).enumerate() {
            let ctx = self.blocking_context(nld);
            let solved = self.solved(nld);
            let found = if solved || self.share.is_some() {
                resources
                    .iter()
                    .map(|r| {
                        let mut one = ctx.clone();
                        one.resource = r;
                        self.blockings(&one)
                    })
                    .collect()
            } else {
                blocking::search_capacities(&ctx, capacities, self.options.ntops)
            };
            for (list, found) in out.iter_mut().zip(found) {
                list.extend(candidates_of(summary, nld_index, nld, found));
            }
        }
        Ok(out)
    }

    /// The best `ntops` candidates by the goal's key on (total cost, time),
    /// stable: among equal keys the earlier candidate wins.
    pub fn best(&self) -> Result<Vec<NodeCandidate>, MappingError> {
        let mut all = self.candidates()?;
        let goal = self.options.goal;
        all.sort_by_key(|c| goal.key(c.stats.cost(), c.stats.time as f64));
        all.truncate(self.options.ntops);
        Ok(all)
    }
}

/// The candidates of loop nest `nld_index` of a mapping, from its blockings.
fn candidates_of(
    mapping: MappingSummary,
    nld_index: usize,
    nld: &Nld,
    found: Vec<(Blocking, BlockingStats)>,
) -> impl Iterator<Item = NodeCandidate> + '_ {
    found
        .into_iter()
        .map(move |(blocking, stats)| NodeCandidate {
            mapping,
            nld_index,
            nld: *nld,
            blocking,
            stats,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ConvShape;
    use crate::sched::machine::Bandwidth;
    use crate::sched::types::PerLevel;
    use proptest::prelude::*;

    fn node(size_gbuf: u64) -> NodeResource {
        NodeResource {
            sram: None,
            dim_array: Dim2::new(4, 6),
            size_gbuf,
            size_regf: 48,
            array_bus_width: None,
            dram_bandwidth: Bandwidth::Unlimited,
            no_time_mux: false,
            dataflow: Default::default(),
        }
    }

    const COST: Cost = Cost::new(1.0, PerLevel([100.0, 4.0, 2.0, 1.0]), 2.0, 0.0);

    fn options(solver: Solver, ntops: usize) -> BlockingOptions {
        BlockingOptions {
            solver,
            ntops,
            ..BlockingOptions::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The per-node candidates of every capacity, found at once, are
        /// those of a separate problem per capacity, with either solver.
        #[test]
        fn candidates_of_several_capacities_equal_separate_problems(
            c in 1u64..=32,
            k in 1u64..=32,
            hw in 3u64..=12,
            batch in 1u64..=4,
            caps in prop::collection::vec(8u64..2048, 1..4),
            analytic in any::<bool>(),
            ntops in 1usize..4,
        ) {
            let layer = LayerShape::Conv(ConvShape::dense(c, k, Dim2::square(hw), Dim2::square(3), Dim2::square(1)));
            let solver = if analytic { Solver::Analytic } else { Solver::Exhaustive };
            let o = options(solver, ntops);
            let problem_at = |r| NodeProblem {
                layer: &layer,
                batch,
                occupancy: 1.0,
                nodes: 1,
                unit_nhops: PerData::splat(0),
                accfwd: PerData::splat(1),
                resource: r,
                cost: &COST,
                options: &o,
                compat: Compat::Nnc,
                constraint: LayerConstraint::FREE,
                src: DataHome::Dram,
                dst: DataHome::Dram,
                share: None,
            };
            let base = node(1);
            let together = problem_at(&base).candidates_capacities(&caps);
            let nodes: Vec<NodeResource> = caps.iter().map(|&cap| node(cap)).collect();
            let apart: Result<Vec<_>, _> = nodes
                .iter()
                .map(|r| problem_at(r).candidates())
                .collect();
            prop_assert_eq!(together, apart);
        }
    }
}
