//! One layer over the whole node array
//! (docs/model/network.md#scheduling-one-layer): every partition scheme, each
//! node's share mapped and blocked, the NoC hops to bring the data, and the
//! best few results by the goal's key.

use super::blocking::{BlockingStats, DataHome};
use super::energy::LayerCost;
use super::fasthash::FastMap;
use super::mapping::MappingError;
use super::multicap::CapacityGroup;
use super::node::{NodeCandidate, NodeProblem};
use super::options::Options;
use super::partition::{
    DataLayout, FilterSources, FmapRange, HopCache, HopQuery, MemType, NodeRegion, PartLayer,
    PartTarget, PartitionScheme, accfwd_reduction, partition_candidates, unit_nhops,
};
use super::pipeline::LayerConstraint;
use super::pipeline::bufshr::BufShare;
use super::resource::{Cost, NodeResource, RankKey, Solver};
use super::types::{DataKind, PerData};
use crate::ir::{Dim2, LayerShape};
use rayon::prelude::*;
use std::sync::{Arc, Mutex};

/// The fixed hardware of a search: nodes, their resources, memory placement
/// and costs.
#[derive(Clone, Debug)]
pub struct Machine {
    /// One node's resources (`no_time_mux` set by the network search).
    pub node: NodeResource,
    /// Energy costs.
    pub cost: Cost,
    /// The processing nodes.
    pub proc_region: NodeRegion,
    /// The DRAM channels: where filters live, inputs come from and outputs go.
    pub dram_region: NodeRegion,
    /// The distinct DRAM nodes filters can be read from.
    pub fil_sources: FilterSources,
}

impl Machine {
    /// A node array of `nodes` with DRAM placed by `memory`
    /// (docs/model/hardware.md#where-dram-sits), each node offering `node`,
    /// priced by `cost`.
    pub fn new(nodes: Dim2, memory: MemType, node: NodeResource, cost: Cost) -> Self {
        let dram_region = NodeRegion::dram(nodes, memory);
        Machine {
            node,
            cost,
            proc_region: NodeRegion::proc(nodes),
            dram_region,
            fil_sources: FilterSources::from_region(&dram_region),
        }
    }
}

/// Where a layer runs and under what rules: the whole machine for a layer
/// alone, or its place in a pipeline segment
/// (docs/model/pipelining.md#spatial-and-temporal-allocation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
            proc_region: machine.proc_region,
            dst_region: machine.dram_region,
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
/// the formula its blocking was ranked by (`sched::energy`), with the
/// partition's hops (the reference ranked without them).
fn price(s: &BlockingStats, unit_nhops: PerData<u64>, cost: &Cost) -> (PerData<f64>, LayerCost) {
    let total_nhops = s.noc_hops(unit_nhops);
    let energy = LayerCost::new(cost, s.ops, s.energy.access, total_nhops, s.time);
    (total_nhops, energy)
}

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
        (part, part_layer, accfwd): (PartitionScheme, PartLayer, PerData<u64>),
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

/// What a per-node search's results depend on, on a given machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct NodeKey {
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

pub(super) type NodeResults = Result<Arc<Vec<NodeCandidate>>, MappingError>;

/// Per-node search results by problem: layers of the same shape (ResNet
/// repeats a few dozens of times) are searched once. A cache may also be
/// the view of one capacity of a [`CapacityGroup`] ([`NodeCache::shared`]).
#[derive(Debug, Default)]
pub struct NodeCache {
    map: Mutex<FastMap<NodeKey, NodeResults>>,
    group: Option<(Arc<CapacityGroup>, usize)>,
}

impl NodeCache {
    /// An empty cache.
    pub fn new() -> Self {
        NodeCache::default()
    }

    /// The view of `group`'s capacity of index `slot`.
    pub(super) fn with_group(group: Arc<CapacityGroup>, slot: usize) -> Self {
        NodeCache {
            map: Mutex::default(),
            group: Some((group, slot)),
        }
    }

    fn get_or_search(&self, key: NodeKey, problem: &NodeProblem<'_>) -> NodeResults {
        if let Some((group, slot)) = &self.group {
            return group.get_or_search(key, problem, *slot);
        }
        if let Ok(map) = self.map.lock()
            && let Some(hit) = map.get(&key)
        {
            return hit.clone();
        }
        let found = problem.candidates().map(Arc::new);
        if let Ok(mut map) = self.map.lock() {
            map.entry(key).or_insert_with(|| found.clone());
        }
        found
    }
}

/// Searches one layer given where its input is.
pub struct LayerSearch<'a> {
    /// The hardware.
    pub machine: &'a Machine,
    /// The options.
    pub options: &'a Options,
    /// Per-node results shared across layers.
    pub cache: &'a NodeCache,
}

impl LayerSearch<'_> {
    fn node_results(
        &self,
        env: &LayerEnv,
        part_layer: &PartLayer,
        nodes: u64,
        unit_nhops: PerData<u64>,
        accfwd: PerData<u64>,
        share: Option<BufShare>,
    ) -> NodeResults {
        let o = self.options;
        // The reference ranks per-node blockings without NoC energy, so its
        // results do not depend on the hops.
        let ranked_hops = if o.compat.rank_by_access_energy() {
            PerData::splat(0)
        } else {
            unit_nhops
        };
        let key = NodeKey {
            layer: part_layer.layer,
            batch: part_layer.batch,
            occupancy: part_layer.occupancy.to_bits(),
            nodes,
            unit_nhops: ranked_hops.0,
            accfwd: accfwd.0,
            constraint: env.constraint,
            src: env.src,
            dst: env.dst,
            no_time_mux: env.no_time_mux,
            share: share.map(|b| (b.dims.0, b.nbr_dists.0.map(|a| a.map(f64::to_bits)))),
        };
        let resource = NodeResource {
            no_time_mux: env.no_time_mux,
            ..self.machine.node
        };
        let problem = NodeProblem {
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
        };
        self.cache.get_or_search(key, &problem)
    }

    fn ofmap_layout(
        &self,
        env: &LayerEnv,
        layer: &LayerShape,
        part: &PartitionScheme,
    ) -> Option<DataLayout> {
        let o = layer.ofmap();
        let dst = env.dst_region;
        let range = FmapRange::full(self.options.batch, layer.nofm(), o.h, o.w);
        DataLayout::single(range, dst, part.projection(&dst, true)).ok()
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
                ..*self
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
        let m = self.machine;
        let parts = partition_candidates(
            &PartTarget::Layer(*layer),
            o.batch,
            env.proc_region.dim(),
            o.partitioning,
            true,
            o.compat,
        );
        let prepared: Vec<(PartitionScheme, PartLayer, PerData<u64>)> = parts
            .into_iter()
            .filter_map(|part| {
                let pl = part.part_layer(layer, o.batch, o.compat).ok()?;
                Some((
                    part,
                    pl,
                    accfwd_reduction(&part, layer, o.access_forwarding()),
                ))
            })
            .collect();
        let share = |part: &PartitionScheme| {
            o.gbuf_sharing()
                .then(|| BufShare::new(part, &env.proc_region, layer))
        };
        let mut parts: Vec<PartResults> = Vec::new();
        if o.compat.inexact_hop_memo() {
            // The memo's answers depend on the order of its queries, so hops
            // are computed the reference's way: after the per-node searches
            // (possible because the reference ranks blockings without NoC
            // energy, `Compat::rank_by_access_energy`), in partition order,
            // only for partitions with a result.
            debug_assert!(o.compat.rank_by_access_energy());
            let found: Vec<NodeResults> = prepared
                .par_iter()
                .map(|(part, pl, fwd)| {
                    self.node_results(env, pl, part.size(), PerData::splat(0), *fwd, share(part))
                })
                .collect();
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
        } else {
            // Exact hops need no memo and no order: each partition computes
            // its own, in parallel, before its per-node search ranks
            // blockings by the whole energy.
            let found: Vec<Option<PartResults>> = prepared
                .into_par_iter()
                .map(|(part, part_layer, accfwd)| {
                    let ofmap = self.ofmap_layout(env, layer, &part)?;
                    let q = self.hop_query(env, layer, &part, ifmap_layout, &ofmap);
                    let unit_nhops = unit_nhops(&q, o.compat);
                    let found = self
                        .node_results(
                            env,
                            &part_layer,
                            part.size(),
                            unit_nhops,
                            accfwd,
                            share(&part),
                        )
                        .ok()?;
                    let prepared = (part, part_layer, accfwd);
                    Some(PartResults::new(prepared, ofmap, unit_nhops, found))
                })
                .collect();
            parts = found.into_iter().flatten().collect();
        }
        // Rank (partition, candidate) pairs stably by the goal's key; build
        // results only for those kept.
        let goal = o.blocking.goal;
        let mut ranked: Vec<(usize, usize, RankKey)> = Vec::new();
        for (pi, p) in parts.iter().enumerate() {
            for (ci, c) in p.found.iter().enumerate() {
                let (_, cost) = price(&c.stats, p.unit_nhops, &m.cost);
                ranked.push((pi, ci, goal.key(cost.total, c.stats.time as f64)));
            }
        }
        ranked.sort_by_key(|r| r.2);
        ranked.truncate(o.blocking.ntops);
        Ok(ranked
            .into_iter()
            .map(|(pi, ci, _)| {
                let p = &parts[pi];
                let candidate = p.found[ci].clone();
                let (total_nhops, cost) = price(&candidate.stats, p.unit_nhops, &m.cost);
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
            .collect())
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
        let parts = partition_candidates(
            &PartTarget::Layer(*layer),
            o.batch,
            self.machine.proc_region.dim(),
            o.partitioning,
            true,
            o.compat,
        );
        let (mut regf, mut gbuf) = (u64::MAX, u64::MAX);
        // Does one loop nest fit both buffers with every loop at the DRAM
        // level? Then a blocking fits (it needs the least of both).
        let mut one_fits = false;
        for part in parts {
            let Ok(pl) = part.part_layer(layer, o.batch, o.compat) else {
                continue;
            };
            let Ok(m) = super::mapping::map_layer(
                &pl.layer,
                pl.batch,
                pl.occupancy,
                node.dim_array,
                o.compat,
            ) else {
                continue;
            };
            for nld in &m.nlds {
                let r: u64 = nld.usize_regf.0.iter().sum();
                let forced = DataKind::ALL.into_iter().filter(|&d| !o.blocking.bypass[d]);
                let g: u64 = forced.map(|d| nld.usize_gbuf[d]).sum();
                one_fits |= r <= node.size_regf && g <= node.size_gbuf;
                regf = regf.min(r);
                gbuf = gbuf.min(g);
            }
        }
        let why = if regf > node.size_regf && regf != u64::MAX {
            format!(
                "a PE needs at least {regf} words of register file (one filter row, input window and partial sum), the hardware has {}",
                node.size_regf
            )
        } else if gbuf > node.size_gbuf && gbuf != u64::MAX {
            format!(
                "the data that may not bypass the global buffer need at least {gbuf} words of it per node, the hardware has {}",
                node.size_gbuf
            )
        } else if !one_fits {
            "no partition of it over the nodes has a loop blocking that fits the buffers".to_owned()
        } else if o.compat.delay_goal_nan() && o.blocking.goal == super::resource::Goal::D {
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
            fil_sources: &self.machine.fil_sources,
            ifmap_layout,
            ofmap_layout,
            forwarding: self.options.access_forwarding(),
        }
    }
}
