//! One layer's share on one node: map it onto the PE array, then block every
//! resulting loop nest, and rank what comes out (docs/model/network.md#scheduling-one-layer).

use crate::ir::LayerShape;
use crate::sched::Compat;
use crate::sched::blocking::{self, Blocking, BlockingContext, BlockingStats, DataHome};
use crate::sched::dataflow::Nld;
use crate::sched::dataflow::{MappingError, map_layer};
use crate::sched::machine::{Cost, NodeResource};
use crate::sched::options::{BlockingOptions, Solver};
use crate::sched::pipeline::LayerConstraint;
use crate::sched::pipeline::bufshr::BufShare;
use crate::sched::types::PerData;

/// A candidate dataflow of one layer on its nodes: which loop nest (one per
/// replication choice of the mapping) and which blocking of it.
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

/// The row-stationary mapping of a candidate, in short.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct MappingSummary {
    /// Folds of the logical PE set (height, width).
    pub fold: crate::ir::Dim2,
    /// Replications of the folded set (height, width).
    pub repl: crate::ir::Dim2,
    /// Fraction of the PE array doing useful work.
    pub util: f64,
}

/// The per-node problem: a layer (already partitioned), how many nodes run
/// it, and what surrounds it.
///
/// Its quantities must be within the model's limits (`sched::model::limits`):
/// the network search checks them ([`check_search`]) before it builds any
/// problem; used directly, beyond them, its integer counts may overflow.
///
/// [`check_search`]: crate::sched::model::limits::check_search
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

    /// The best candidates of every loop nest of the mapping, in mapping
    /// order, each nest's list best first: what the layer-level ranking
    /// chooses from. At most `ntops` per nest from the exhaustive search;
    /// every valid solver result with the analytic solver.
    pub fn candidates(&self) -> Result<Vec<NodeCandidate>, MappingError> {
        let mapping = map_layer(
            self.layer,
            self.batch,
            self.occupancy,
            self.resource.dim_array,
            self.compat,
        )?;
        let summary = MappingSummary {
            fold: mapping.fold,
            repl: mapping.repl,
            util: mapping.util,
        };
        let mut out = Vec::new();
        for (nld_index, nld) in mapping.nlds.iter().enumerate() {
            let ctx = BlockingContext::new(
                nld,
                self.resource,
                self.cost,
                self.options.bypass,
                self.options.goal,
                self.compat,
            )
            .with_partition(self.nodes, self.unit_nhops, self.accfwd)
            .with_segment(self.constraint, self.src, self.dst)
            .with_sharing(self.share);
            let found = if self.options.solver == Solver::Analytic && nld.data_loops.is_conv() {
                blocking::solve(&ctx)
            } else {
                blocking::search(&ctx, self.options.ntops)
            };
            out.extend(found.into_iter().map(|(blocking, stats)| NodeCandidate {
                mapping: summary,
                nld_index,
                nld: *nld,
                blocking,
                stats: ctx.with_sharing_priced(&blocking, stats),
            }));
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
