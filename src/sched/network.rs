//! The whole-network search (search-model §5): layers in scheduling order,
//! each scheduled given where its producers left their outputs, keeping the
//! best few partial schedules at every step.

use super::fasthash::FastMap;
use super::layer::{LayerError, LayerResult, LayerSearch, Machine, NodeCache};
use super::options::Options;
use super::order::schedule_order;
use super::partition::{
    DataLayout, FmapRange, HopCache, PartTarget, PartitionScheme, gen_partition,
};
use super::types::{DataKind, MemLevel, PerLevel};
use crate::ir::{LayerId, Network, Source};
use std::cmp::Ordering;
use std::sync::Arc;

/// A complete schedule of a network.
#[derive(Clone, Debug)]
pub struct NetworkSchedule {
    /// Layers in the order they were scheduled.
    pub order: Vec<LayerId>,
    /// Each layer's result, indexed by layer id.
    pub layers: Vec<Arc<LayerResult>>,
    /// How the network input is laid out in memory.
    pub input_layout: DataLayout,
    /// The partition the input layout projects.
    pub input_part: PartitionScheme,
    /// How each extern input is laid out, in declaration order.
    pub extern_layouts: Vec<DataLayout>,
    /// Total energy (the sum over layers, in scheduling order).
    pub total_cost: f64,
    /// Total cycles (layers run one after another).
    pub total_time: u64,
}

/// Totals of a schedule, summed over layers in scheduling order.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Totals {
    /// Energy.
    pub cost: f64,
    /// Energy by where it goes.
    pub breakdown: super::layer::LayerCost,
    /// Cycles.
    pub time: u64,
    /// Ops.
    pub ops: f64,
    /// Word accesses per memory level.
    pub accesses: PerLevel<f64>,
    /// NoC word-hops.
    pub noc_hops: f64,
}

impl NetworkSchedule {
    /// The layers' results in scheduling order.
    pub fn in_order(&self) -> impl Iterator<Item = (LayerId, &LayerResult)> + '_ {
        self.order
            .iter()
            .map(|&id| (id, self.layers[id.index()].as_ref()))
    }

    /// Totals over all layers.
    pub fn totals(&self) -> Totals {
        let mut accesses = PerLevel::splat(0.0);
        let (mut ops, mut noc_hops) = (0.0, 0.0);
        let mut b = super::layer::LayerCost::default();
        for (_, r) in self.in_order() {
            let s = &r.candidate.stats;
            ops += s.ops;
            for m in MemLevel::ALL {
                accesses[m] += 0.0
                    + s.access[m][DataKind::Fil]
                    + s.access[m][DataKind::Ifm]
                    + s.access[m][DataKind::Ofm];
            }
            noc_hops += 0.0
                + r.total_nhops[DataKind::Fil]
                + r.total_nhops[DataKind::Ifm]
                + r.total_nhops[DataKind::Ofm];
            b.op += r.cost.op;
            b.access += r.cost.access;
            b.noc += r.cost.noc;
            b.static_ += r.cost.static_;
            b.total += r.cost.total;
        }
        Totals {
            cost: self.total_cost,
            breakdown: b,
            time: self.total_time,
            ops,
            accesses,
            noc_hops,
        }
    }
}

/// Why a network has no schedule: the first layer that cannot be placed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("layer `{layer}` cannot be scheduled: {error}")]
pub struct SearchError {
    /// The layer's name.
    pub layer: String,
    /// Why.
    pub error: LayerError,
}

#[derive(Clone)]
struct Partial {
    layers: Vec<Option<Arc<LayerResult>>>,
    start: usize,
    sum_cost: f64,
    sum_time: u64,
}

struct Start {
    part: PartitionScheme,
    input: DataLayout,
    externs: Vec<DataLayout>,
}

/// The input layouts to start from (§5.3): one per partition of the input
/// over the source memory, externs laid out the same way.
fn starts(net: &Network, machine: &Machine, options: &Options) -> Vec<Start> {
    let src = machine.dram_region;
    let input = net.input();
    let target = PartTarget::Input {
        nofm: input.channels,
        ofmap: input.size,
    };
    let layout = |channels: u64, size: crate::ir::Dim2, part: PartitionScheme| {
        DataLayout::single(
            FmapRange::full(options.batch, channels, size.h, size.w),
            src,
            part,
        )
        .ok()
    };
    gen_partition(
        &target,
        options.batch,
        src.dim(),
        options.partitioning,
        true,
    )
    .into_iter()
    .filter_map(|p| {
        let part = p.projection(&src, true);
        let input = layout(input.channels, input.size, part)?;
        let externs = net
            .externs()
            .iter()
            .map(|e| layout(e.channels, e.size, part))
            .collect::<Option<_>>()?;
        Some(Start {
            part,
            input,
            externs,
        })
    })
    .collect()
}

/// Schedules `net`: the best `ntops` schedules, best first. `progress` is
/// called after each layer with (layers done, layers in all).
pub fn search(
    net: &Network,
    machine: &Machine,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<NetworkSchedule>, SearchError> {
    // A network of one layer owns the hardware for the whole run, so its
    // filters may stay on chip (search-model §5.4).
    let mut machine = machine.clone();
    machine.node.no_time_mux = net.layers().len() == 1;
    let cache = NodeCache::new();
    let search = LayerSearch {
        machine: &machine,
        options,
        cache: &cache,
    };
    let mut hops = HopCache::new(options.compat);
    let starts = starts(net, &machine, options);
    let n = net.layers().len();
    let mut tops: Vec<Partial> = (0..starts.len())
        .map(|start| Partial {
            layers: vec![None; n],
            start,
            sum_cost: 0.0,
            sum_time: 0,
        })
        .collect();
    let order = schedule_order(net);
    let goal = options.blocking.goal;
    for (done, &id) in order.iter().enumerate() {
        let layer = net.layer(id);
        let mut memo: FastMap<DataLayout, Arc<Vec<LayerResult>>> = FastMap::default();
        let mut per_prev = Vec::with_capacity(tops.len());
        let mut first_error = None;
        for p in &tops {
            let ifmap = match ifmap_layout(net, &layer.inputs, p, &starts[p.start]) {
                Ok(l) => l,
                Err(error) => {
                    return Err(SearchError {
                        layer: layer.name.clone(),
                        error,
                    });
                }
            };
            let found = match memo.get(&ifmap) {
                Some(hit) => hit.clone(),
                None => match search.schedule(&layer.shape, &ifmap, &mut hops) {
                    Ok(r) => {
                        let r = Arc::new(r);
                        memo.insert(ifmap, r.clone());
                        r
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                        Arc::new(Vec::new())
                    }
                },
            };
            per_prev.push(found);
        }
        // Every extension of every previous schedule, ranked stably.
        let mut ext: Vec<(usize, usize, (f64, f64))> = Vec::new();
        for (pi, (p, found)) in tops.iter().zip(&per_prev).enumerate() {
            for (ri, r) in found.iter().enumerate() {
                let cost = p.sum_cost + r.cost.total;
                let time = p.sum_time + r.time;
                ext.push((pi, ri, goal.key(cost, time as f64)));
            }
        }
        if ext.is_empty() {
            let error = first_error.unwrap_or_else(|| search.explain_no_blocking(&layer.shape));
            return Err(SearchError {
                layer: layer.name.clone(),
                error,
            });
        }
        ext.sort_by(|a, b| a.2.partial_cmp(&b.2).unwrap_or(Ordering::Equal));
        ext.truncate(options.blocking.ntops);
        tops = ext
            .into_iter()
            .map(|(pi, ri, _)| {
                let mut next = tops[pi].clone();
                let r = &per_prev[pi][ri];
                next.sum_cost += r.cost.total;
                next.sum_time += r.time;
                next.layers[id.index()] = Some(Arc::new(r.clone()));
                next
            })
            .collect();
        progress(done + 1, n);
    }
    Ok(tops
        .into_iter()
        .map(|p| {
            let start = &starts[p.start];
            NetworkSchedule {
                order: order.clone(),
                layers: p.layers.into_iter().flatten().collect(),
                input_layout: start.input.clone(),
                input_part: start.part,
                extern_layouts: start.externs.clone(),
                total_cost: p.sum_cost,
                total_time: p.sum_time,
            }
        })
        .collect())
}

/// Where a layer's input is: its producers' outputs, concatenated in order.
fn ifmap_layout(
    net: &Network,
    inputs: &[Source],
    p: &Partial,
    start: &Start,
) -> Result<DataLayout, LayerError> {
    let layouts: Vec<&DataLayout> = inputs
        .iter()
        .map(|s| match s {
            Source::Input => &start.input,
            Source::Extern(i) => &start.externs[*i as usize],
            Source::Layer(id) => match &p.layers[id.index()] {
                Some(r) => &r.ofmap_layout,
                // The scheduling order is topological, so producers are done.
                None => unreachable!("producer `{}` not scheduled yet", net.layer(*id).name),
            },
        })
        .collect();
    match layouts.as_slice() {
        [one] => Ok((*one).clone()),
        many => DataLayout::concat(many).map_err(|e| LayerError::Inputs(e.to_string())),
    }
}
