//! One layer over the whole node array
//! (docs/model/network.md#scheduling-one-layer): every partition scheme, each
//! node's share mapped and blocked, the NoC hops to bring the data, and the
//! best few results by the goal's key.

use crate::ir::{Dim2, LayerShape};
use crate::sched::blocking::{BlockingStats, DataHome};
use crate::sched::dataflow::MappingError;
use crate::sched::machine::{Cost, Machine, NodeResource};
use crate::sched::model::energy::LayerCost;
use crate::sched::options::{Options, RankKey, Solver};
use crate::sched::partition::{
    DataLayout, FilterSources, FmapRange, HopCache, HopQuery, NodeRegion, PartLayer, PartTarget,
    PartitionScheme, accfwd_reduction, partition_candidates,
};
use crate::sched::pipeline::LayerConstraint;
use crate::sched::pipeline::bufshr::BufShare;
use crate::sched::search::Cancel;
use crate::sched::search::cache::NodeCache;
use crate::sched::search::node::{NodeCandidate, NodeProblem, NodeResults};
use crate::sched::types::{DataKind, PerData};
use rayon::prelude::*;
use std::sync::Arc;

/// One partition's per-node problem as the search asks about it: the
/// layer part on each node, the nodes, the NoC hops and forwarding per
/// unit of data, the buffer sharing.
#[derive(Clone, Copy)]
struct NodeQuery<'p> {
    part_layer: &'p PartLayer,
    nodes: u64,
    unit_nhops: PerData<u64>,
    accfwd: PerData<u64>,
    share: Option<BufShare>,
}

/// Where a layer runs and under what rules: the whole machine for a layer
/// alone, or its place in a pipeline segment
/// (docs/model/pipelining.md#spatial-and-temporal-allocation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayerEnv {
    /// The nodes that compute it.
    pub proc_region: NodeRegion,
    /// Where its output is laid out.
    pub dst_region: NodeRegion,
    /// Is its input in DRAM, in other nodes or in its own?
    pub src: DataHome,
    /// Is its output in DRAM, in other nodes or in its own?
    pub dst: DataHome,
    /// Its top-level blocking constraint.
    pub constraint: LayerConstraint,
    /// May its filters stay pinned on chip?
    pub no_time_mux: bool,
}

impl LayerEnv {
    /// A layer alone on the whole machine, reading from and writing to DRAM.
    pub fn whole(machine: &Machine) -> Self {
        LayerEnv {
            proc_region: NodeRegion::proc(machine.nodes),
            dst_region: NodeRegion::dram(machine.nodes, machine.memory),
            src: DataHome::Dram,
            dst: DataHome::Dram,
            constraint: LayerConstraint::FREE,
            no_time_mux: machine.node.no_time_mux,
        }
    }
}

/// One scheduled layer: how it is partitioned, mapped and blocked, and what
/// that costs.
#[derive(Clone, Debug)]
pub struct LayerResult {
    /// The partition scheme over the nodes.
    pub part: PartitionScheme,
    /// Each node's share.
    pub part_layer: PartLayer,
    /// The mapping and blocking of one node's share.
    pub candidate: NodeCandidate,
    /// NoC word-hops to move each data kind once.
    pub unit_nhops: PerData<u64>,
    /// Access-forwarding divisors.
    pub accfwd: PerData<u64>,
    /// NoC word-hops of each data kind over the whole layer.
    pub total_nhops: PerData<f64>,
    /// Where the layer's output is stored.
    pub ofmap_layout: DataLayout,
    /// Energy.
    pub cost: LayerCost,
    /// Cycles.
    pub time: u64,
    /// How many times the mapped and blocked share runs: the groups of a
    /// grouped convolution, each scheduled as the same dense convolution of
    /// one group (docs/model/layers.md#grouped-convolution), `groups x
    /// batch` runs of batch 1 for a matmul (docs/model/layers.md#matmul);
    /// 1 otherwise.
    /// Costs, cycles and stats above are those of all runs.
    pub groups: u64,
}

/// The NoC hops and energy of a candidate given its partition's unit hops:
/// the formula its blocking was ranked by (`sched::model::energy`), with the
/// partition's hops (the reference ranked without them).
fn price(s: &BlockingStats, unit_nhops: PerData<u64>, cost: &Cost) -> (PerData<f64>, LayerCost) {
    let total_nhops = s.noc_hops(unit_nhops);
    let energy = LayerCost::new(cost, s.ops, s.energy.access, total_nhops, s.time);
    (total_nhops, energy)
}

/// A partition scheme with its per-node share and access-forwarding
/// divisors.
type Prepared = (PartitionScheme, PartLayer, PerData<u64>);

/// One partition's per-node results, with what they need to be priced.
struct PartResults {
    part: PartitionScheme,
    part_layer: PartLayer,
    accfwd: PerData<u64>,
    ofmap: DataLayout,
    unit_nhops: PerData<u64>,
    found: Arc<Vec<NodeCandidate>>,
}

impl PartResults {
    fn new(
        (part, part_layer, accfwd): Prepared,
        ofmap: DataLayout,
        unit_nhops: PerData<u64>,
        found: Arc<Vec<NodeCandidate>>,
    ) -> Self {
        PartResults {
            part,
            part_layer,
            accfwd,
            ofmap,
            unit_nhops,
            found,
        }
    }
}

/// A partition ready for its per-node search: its place in the partition
/// order, the floor of its cost without NoC hops, and what the search needs.
struct Staged {
    index: usize,
    floor: RankKey,
    share: Option<BufShare>,
    prepared: Prepared,
}

/// Why a layer has no schedule.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LayerError {
    /// The reference model cannot map it.
    #[error("{0}")]
    Mapping(#[from] MappingError),
    /// No loop blocking fits the buffers in any partition.
    #[error("no loop blocking fits: {0}")]
    NoBlocking(String),
    /// Every loop blocking that fits the buffers takes more cycles than a
    /// `u64` counts (the DRAM bandwidth or the array bus is too slow).
    #[error(
        "every loop blocking that fits the buffers takes more than {} cycles, beyond what the model counts (the DRAM bandwidth or the array bus is too slow)",
        u64::MAX
    )]
    TimeOverflow,
    /// The inputs cannot be read as one fmap.
    #[error("its inputs cannot be concatenated: {0}")]
    Inputs(String),
}

/// Searches one layer given where its input is.
#[derive(Clone, Debug)]
pub struct LayerSearch<'a> {
    /// The hardware.
    pub machine: &'a Machine,
    /// The options.
    pub options: &'a Options,
    /// Per-node results shared across layers.
    pub cache: &'a NodeCache,
    /// The DRAM nodes filters are read from.
    fil_sources: FilterSources,
    /// Set when the caller stops the search.
    cancel: Cancel,
}

impl<'a> LayerSearch<'a> {
    /// A search on `machine` under `options`, keeping per-node results in
    /// `cache`.
    pub fn new(machine: &'a Machine, options: &'a Options, cache: &'a NodeCache) -> Self {
        let dram = NodeRegion::dram(machine.nodes, machine.memory);
        LayerSearch {
            machine,
            options,
            cache,
            fil_sources: FilterSources::from_region(&dram),
            cancel: Cancel::default(),
        }
    }

    /// Has the caller stopped the search?
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The search, stopped by `cancel`: once it is set, every partition
    /// candidate not yet searched finds nothing, and the network search
    /// returns [`SearchError::Cancelled`](super::SearchError::Cancelled).
    pub fn with_cancel(self, cancel: &Cancel) -> Self {
        LayerSearch {
            cancel: cancel.clone(),
            ..self
        }
    }

    /// The per-node problem of `q` in `env`, handed to `f`.
    fn with_problem<R>(
        &self,
        env: &LayerEnv,
        q: NodeQuery<'_>,
        f: impl FnOnce(&NodeProblem<'_>) -> R,
    ) -> R {
        let NodeQuery {
            part_layer,
            nodes,
            unit_nhops,
            accfwd,
            share,
        } = q;
        let o = self.options;
        // The reference ranks per-node blockings without NoC energy, so its
        // results do not depend on the hops.
        let ranked_hops = if o.compat.rank_by_access_energy() {
            PerData::splat(0)
        } else {
            unit_nhops
        };
        let resource = NodeResource {
            no_time_mux: env.no_time_mux,
            ..self.machine.node
        };
        f(&NodeProblem {
            layer: &part_layer.layer,
            batch: part_layer.batch,
            occupancy: part_layer.occupancy,
            nodes,
            unit_nhops: ranked_hops,
            accfwd,
            resource: &resource,
            cost: &self.machine.cost,
            options: &o.blocking,
            compat: o.compat,
            constraint: env.constraint,
            src: env.src,
            dst: env.dst,
            share,
        })
    }

    /// The per-node results of `q` in `env`, for a caller that holds
    /// `ntops` candidates ranked at or before `cut`
    /// ([`NodeCache::get_or_search_below`]).
    fn node_results(&self, env: &LayerEnv, q: NodeQuery<'_>, cut: Option<RankKey>) -> NodeResults {
        if self.cancel.is_cancelled() {
            // What the search finds is thrown away: skip the work.
            return Ok(Arc::new(Vec::new()));
        }
        self.with_problem(env, q, |p| self.cache.get_or_search_below(p, cut))
    }

    fn ofmap_layout(
        &self,
        env: &LayerEnv,
        layer: &LayerShape,
        part: &PartitionScheme,
    ) -> Option<DataLayout> {
        let dst = env.dst_region;
        let batch = self.options.batch;
        self.cache.ofmaps.get_or((*layer, batch, dst, *part), || {
            let o = layer.ofmap();
            let range = FmapRange::full(batch, layer.nofm(), o.h, o.w);
            DataLayout::single(range, dst, part.projection(&dst, true)).ok()
        })
    }

    /// The best results of `layer` reading its input from `ifmap_layout`,
    /// best first; `hops` is the search's NoC-hop memo.
    ///
    /// A grouped or dilated convolution is scheduled as its groups, each
    /// the dense convolution of one group ([`crate::ir::ConvShape::one_group`]) run on
    /// the whole machine one after another, all reading from the same
    /// layout (docs/model/layers.md#grouped-convolution): its cost is
    /// exactly that of its groups scheduled as separate layers from that
    /// layout, and its output is laid out as one fmap of all channels.
    pub fn schedule(
        &self,
        layer: &LayerShape,
        ifmap_layout: &DataLayout,
        hops: &mut HopCache,
    ) -> Result<Vec<LayerResult>, LayerError> {
        self.schedule_in(&LayerEnv::whole(self.machine), layer, ifmap_layout, hops)
    }

    /// [`LayerSearch::schedule`] in `env`: on a subregion, with a
    /// segment's constraint and data regions.
    pub fn schedule_in(
        &self,
        env: &LayerEnv,
        layer: &LayerShape,
        ifmap_layout: &DataLayout,
        hops: &mut HopCache,
    ) -> Result<Vec<LayerResult>, LayerError> {
        let LayerShape::Conv(c) = layer else {
            return self.schedule_one(env, layer, ifmap_layout, hops);
        };
        if c.is_plain() {
            return self.schedule_one(env, layer, ifmap_layout, hops);
        }
        let one = LayerShape::Conv(c.one_group());
        let (mut results, runs) = if c.is_matmul() {
            // A matmul's filter is its operand, one per sample: no two
            // samples share it, so each group of each sample is its own
            // run of batch 1 (docs/model/layers.md#matmul). The runs follow
            // one another, which a segment's batch constraint cannot split
            // further: a matmul is alone in its segment.
            let single = Options {
                batch: 1,
                ..*self.options
            };
            let search = LayerSearch {
                options: &single,
                ..self.clone()
            };
            let env = LayerEnv {
                constraint: LayerConstraint {
                    topbat: 0,
                    ..env.constraint
                },
                ..*env
            };
            let runs = c
                .runs()
                .checked_mul(self.options.batch)
                .ok_or(LayerError::TimeOverflow)?;
            (search.schedule_one(&env, &one, ifmap_layout, hops)?, runs)
        } else {
            (self.schedule_one(env, &one, ifmap_layout, hops)?, c.groups)
        };
        if runs == 1 {
            return Ok(results);
        }
        results.retain_mut(|r| {
            // Ranking is unchanged: every goal's key grows with both.
            let (Some(stats), Some(time)) =
                (r.candidate.stats.repeated(runs), r.time.checked_mul(runs))
            else {
                return false;
            };
            let Some(ofmap) = self.ofmap_layout(env, layer, &r.part) else {
                return false;
            };
            r.candidate.stats = stats;
            r.time = time;
            r.cost = r.cost.repeated(runs);
            r.total_nhops = r.total_nhops.map(|h| h * runs as f64);
            r.ofmap_layout = ofmap;
            r.groups = runs;
            true
        });
        if results.is_empty() {
            return Err(LayerError::TimeOverflow);
        }
        Ok(results)
    }

    /// [`LayerSearch::schedule`] for a shape the model maps directly.
    fn schedule_one(
        &self,
        env: &LayerEnv,
        layer: &LayerShape,
        ifmap_layout: &DataLayout,
        hops: &mut HopCache,
    ) -> Result<Vec<LayerResult>, LayerError> {
        let o = self.options;
        let prepared: Vec<Prepared> = self
            .partitions(o, env.proc_region.dim(), layer)
            .iter()
            .filter_map(|&part| {
                let pl = part.part_layer(layer, o.batch, o.compat).ok()?;
                Some((
                    part,
                    pl,
                    accfwd_reduction(&part, layer, o.access_forwarding()),
                ))
            })
            .collect();
        let parts = if o.compat.inexact_hop_memo() {
            self.parts_with_memo(env, layer, ifmap_layout, prepared, hops)?
        } else {
            self.parts_with_exact_hops(env, layer, ifmap_layout, prepared)
        };
        Ok(self.best(&parts))
    }

    /// The partition schemes a layer is tried with on `nodes` under `o`
    /// (docs/model/partitioning.md#naive-and-hybrid-enumeration).
    fn partitions(
        &self,
        o: &Options,
        nodes: Dim2,
        layer: &LayerShape,
    ) -> Arc<Vec<PartitionScheme>> {
        // The options are the search's but for the batch, which is a key.
        self.cache.partitions.get_or((*layer, o.batch, nodes), || {
            Arc::new(partition_candidates(
                &PartTarget::Layer(*layer),
                o.batch,
                nodes,
                o.partitioning,
                true,
                o.compat,
            ))
        })
    }

    /// Who shares each data kind's buffer tile under `part`, with buffer
    /// sharing on.
    fn share(
        &self,
        env: &LayerEnv,
        layer: &LayerShape,
        part: &PartitionScheme,
    ) -> Option<BufShare> {
        self.options
            .gbuf_sharing()
            .then(|| BufShare::new(part, &env.proc_region, layer))
    }

    /// The per-node results of each partition, hops from the reference's
    /// memo (docs/model/noc.md#the-references-hop-memo). The memo's answers
    /// depend on the order of its queries, so hops are computed the
    /// reference's way: after the per-node searches (possible because the
    /// reference ranks blockings without NoC energy,
    /// `Compat::rank_by_access_energy`), in partition order, only for
    /// partitions with a result.
    fn parts_with_memo(
        &self,
        env: &LayerEnv,
        layer: &LayerShape,
        ifmap_layout: &DataLayout,
        prepared: Vec<Prepared>,
        hops: &mut HopCache,
    ) -> Result<Vec<PartResults>, LayerError> {
        debug_assert!(self.options.compat.rank_by_access_energy());
        let found: Vec<NodeResults> = prepared
            .par_iter()
            .map(|(part, pl, fwd)| {
                let share = self.share(env, layer, part);
                let q = NodeQuery {
                    part_layer: pl,
                    nodes: part.size(),
                    unit_nhops: PerData::splat(0),
                    accfwd: *fwd,
                    share,
                };
                self.node_results(env, q, None)
            })
            .collect();
        let mut parts = Vec::new();
        for ((part, part_layer, accfwd), found) in prepared.into_iter().zip(found) {
            let found = found?;
            if found.is_empty() {
                continue;
            }
            let Some(ofmap) = self.ofmap_layout(env, layer, &part) else {
                continue;
            };
            let unit_nhops =
                hops.unit_nhops(&self.hop_query(env, layer, &part, ifmap_layout, &ofmap));
            parts.push(PartResults::new(
                (part, part_layer, accfwd),
                ofmap,
                unit_nhops,
                found,
            ));
        }
        Ok(parts)
    }

    /// The per-node results of each partition, with exact hops: they need
    /// no memo and no order, so each partition computes its own, in
    /// parallel, before its per-node search ranks blockings by the whole
    /// energy.
    ///
    /// Partitions are searched in waves, those with the least floor first
    /// ([`NodeProblem::floor`]); a partition whose floor ranks after the
    /// `ntops`-th best key found so far cannot be among the best, and is not
    /// searched (docs/model/network.md#pruning-partitions). The kept results
    /// are those of the full search, in partition order: ties still go to
    /// the earlier partition, and the result does not depend on the number of
    /// threads (a wave's size does, only what is pruned).
    fn parts_with_exact_hops(
        &self,
        env: &LayerEnv,
        layer: &LayerShape,
        ifmap_layout: &DataLayout,
        prepared: Vec<Prepared>,
    ) -> Vec<PartResults> {
        let none = PerData::splat(0);
        // The floors without NoC hops first: the hops, which need the
        // layouts, are computed only for the partitions searched.
        let staged: Vec<Staged> = prepared
            .into_par_iter()
            .enumerate()
            .filter_map(|(index, (part, part_layer, accfwd))| {
                let share = self.share(env, layer, &part);
                let q = NodeQuery {
                    part_layer: &part_layer,
                    nodes: part.size(),
                    unit_nhops: none,
                    accfwd,
                    share,
                };
                let floor = self.with_problem(env, q, |p| {
                    if self.cache.known_empty(p) {
                        None
                    } else {
                        p.floor()
                    }
                })?;
                Some(Staged {
                    index,
                    floor,
                    share,
                    prepared: (part, part_layer, accfwd),
                })
            })
            .collect();
        let mut order: Vec<&Staged> = staged.iter().collect();
        order.sort_by_key(|s| (s.floor, s.index));
        let ntops = self.options.blocking.ntops;
        let wave = 2 * rayon::current_num_threads().max(1);
        let cost = &self.machine.cost;
        let goal = self.options.blocking.goal;
        // The keys of the best candidates found so far, at most `ntops`.
        let mut best: Vec<RankKey> = Vec::new();
        let mut found: Vec<(usize, PartResults)> = Vec::new();
        let mut next = 0;
        while next < order.len() {
            let cut = (best.len() == ntops).then(|| best[ntops - 1]);
            let end = (next + wave).min(order.len());
            let batch: Vec<&Staged> = order[next..end]
                .iter()
                .copied()
                .take_while(|s| cut.is_none_or(|c| s.floor <= c))
                .collect();
            if batch.is_empty() {
                break;
            }
            next += batch.len();
            let results: Vec<Option<(usize, PartResults)>> = batch
                .par_iter()
                .map(|s| self.searched(env, layer, ifmap_layout, s, cut))
                .collect();
            for (index, p) in results.into_iter().flatten() {
                for c in p.found.iter() {
                    let (_, e) = price(&c.stats, p.unit_nhops, cost);
                    best.push(goal.key(e.total, c.stats.time as f64));
                }
                best.sort();
                best.truncate(ntops);
                found.push((index, p));
            }
        }
        found.sort_by_key(|(index, _)| *index);
        found.into_iter().map(|(_, p)| p).collect()
    }

    /// The per-node results of a staged partition with its exact hops,
    /// unless its floor with them ranks after `cut`.
    fn searched(
        &self,
        env: &LayerEnv,
        layer: &LayerShape,
        ifmap_layout: &DataLayout,
        s: &Staged,
        cut: Option<RankKey>,
    ) -> Option<(usize, PartResults)> {
        let (part, part_layer, accfwd) = s.prepared;
        let ofmap = self.ofmap_layout(env, layer, &part)?;
        let q = self.hop_query(env, layer, &part, ifmap_layout, &ofmap);
        let unit_nhops = self.cache.hop_groups.unit_nhops(&q, self.options.compat);
        let query = NodeQuery {
            part_layer: &part_layer,
            nodes: part.size(),
            unit_nhops,
            accfwd,
            share: s.share,
        };
        if let Some(c) = cut
            && self.with_problem(env, query, |p| p.floor())? > c
        {
            return None;
        }
        let found = self.node_results(env, query, cut).ok()?;
        Some((
            s.index,
            PartResults::new(s.prepared, ofmap, unit_nhops, found),
        ))
    }

    /// The best `ntops` (partition, candidate) pairs, ranked stably by the
    /// goal's key (docs/model/network.md#ranking-a-layers-candidates);
    /// results are built only for those kept.
    fn best(&self, parts: &[PartResults]) -> Vec<LayerResult> {
        let o = self.options;
        let cost = &self.machine.cost;
        let goal = o.blocking.goal;
        let mut ranked: Vec<(usize, usize, RankKey)> = Vec::new();
        for (pi, p) in parts.iter().enumerate() {
            for (ci, c) in p.found.iter().enumerate() {
                let (_, e) = price(&c.stats, p.unit_nhops, cost);
                ranked.push((pi, ci, goal.key(e.total, c.stats.time as f64)));
            }
        }
        ranked.sort_by_key(|r| r.2);
        ranked.truncate(o.blocking.ntops);
        ranked
            .into_iter()
            .map(|(pi, ci, _)| {
                let p = &parts[pi];
                let candidate = p.found[ci].clone();
                let (total_nhops, cost) = price(&candidate.stats, p.unit_nhops, cost);
                LayerResult {
                    part: p.part,
                    part_layer: p.part_layer,
                    time: candidate.stats.time,
                    candidate,
                    unit_nhops: p.unit_nhops,
                    accfwd: p.accfwd,
                    total_nhops,
                    ofmap_layout: p.ofmap.clone(),
                    cost,
                    groups: 1,
                }
            })
            .collect()
    }

    /// Why no partition of `layer` has a blocking: the smallest buffers one
    /// node's share needs against what the hardware has.
    pub fn explain_no_blocking(&self, layer: &LayerShape) -> LayerError {
        let matmul = layer.is_matmul();
        let one;
        let layer = match layer {
            LayerShape::Conv(c) if !c.is_plain() => {
                one = LayerShape::Conv(c.one_group());
                &one
            }
            _ => layer,
        };
        // A matmul runs sample by sample (docs/model/layers.md#matmul).
        let single;
        let o = if matmul {
            single = Options {
                batch: 1,
                ..*self.options
            };
            &single
        } else {
            self.options
        };
        let node = &self.machine.node;
        let parts = self.partitions(o, self.machine.nodes, layer);
        let (mut regf, mut gbuf) = (u64::MAX, u64::MAX);
        // Does one loop nest fit both buffers with every loop at the DRAM
        // level? Then a blocking fits (it needs the least of both).
        let mut one_fits = false;
        for &part in parts.iter() {
            let Ok(pl) = part.part_layer(layer, o.batch, o.compat) else {
                continue;
            };
            let share = crate::sched::dataflow::NodeShare {
                layer: &pl.layer,
                batch: pl.batch,
                occupancy: pl.occupancy,
                dim_array: node.dim_array,
                compat: o.compat,
            };
            let Ok(m) = crate::sched::dataflow::map(node.dataflow, &share) else {
                continue;
            };
            for nld in &m.nlds {
                let r: u64 = nld.usize_regf.0.iter().sum();
                let forced = PerData::from_fn(|d| !o.blocking.bypass[d]);
                let g: u64 = DataKind::ALL
                    .into_iter()
                    .filter(|&d| forced[d])
                    .map(|d| nld.usize_gbuf[d])
                    .sum();
                one_fits |= r <= node.size_regf && node.buffer_fits(nld.usize_gbuf, forced);
                regf = regf.min(r);
                gbuf = gbuf.min(g);
            }
        }
        let why = if regf > node.size_regf && regf != u64::MAX {
            let what = if node.dataflow.is_row_stationary() {
                "one filter row, input window and partial sum".to_owned()
            } else {
                format!("what {} keeps in a PE", node.dataflow)
            };
            format!(
                "a PE needs at least {regf} words of register file ({what}), the hardware has {}",
                node.size_regf
            )
        } else if node.sram.is_none() && gbuf > node.size_gbuf && gbuf != u64::MAX {
            format!(
                "the data that may not bypass the global buffer need at least {gbuf} words of it per node, the hardware has {}",
                node.size_gbuf
            )
        } else if !one_fits {
            "no partition of it over the nodes has a loop blocking that fits the buffers".to_owned()
        } else if o.compat.delay_goal_nan() && o.blocking.goal == crate::sched::options::Goal::D {
            "nn_dataflow's delay search keeps only the first candidate blocking of each chunk of its enumeration, and none of those fits the buffers (a bug of the reference, docs/compat.md#delay_goal_nan; nnc's model has no such problem)".to_owned()
        } else if o.blocking.solver == Solver::Analytic && layer.is_conv() {
            "none of the analytical solver's blockings fits the buffers (the exhaustive search may find one)".to_owned()
        } else {
            // A blocking fits the buffers (every loop at the DRAM level), so
            // the search dropped them all for their time.
            return LayerError::TimeOverflow;
        };
        LayerError::NoBlocking(why)
    }

    fn hop_query<'q>(
        &'q self,
        env: &LayerEnv,
        layer: &LayerShape,
        part: &PartitionScheme,
        ifmap_layout: &'q DataLayout,
        ofmap_layout: &'q DataLayout,
    ) -> HopQuery<'q> {
        HopQuery {
            layer: *layer,
            batch: self.options.batch,
            proc_region: env.proc_region,
            part: *part,
            fil_sources: &self.fil_sources,
            ifmap_layout,
            ofmap_layout,
            forwarding: self.options.access_forwarding(),
        }
    }
}
