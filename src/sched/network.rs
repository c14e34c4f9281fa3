//! The whole-network search (docs/model/network.md): layers in scheduling order,
//! each scheduled given where its producers left their outputs, keeping the
//! best few partial schedules at every step.

use super::fasthash::FastMap;
use super::layer::{LayerError, LayerResult, LayerSearch, Machine, NodeCache};
use super::limits::{RangeError, check_search};
use super::options::Options;
use super::order::schedule_order;
use super::partition::{
    DataLayout, FmapRange, HopCache, PartTarget, PartitionScheme, partition_candidates,
};
use super::resource::RankKey;
use super::types::{DataKind, MemLevel, PerLevel};
use crate::ir::{LayerId, Network, Source};
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
    pub breakdown: super::energy::LayerCost,
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
        let mut b = super::energy::LayerCost::default();
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
            b.add(&r.cost);
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

/// Why a network has no schedule.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SearchError {
    /// The first layer that cannot be placed.
    #[error("layer `{layer}` cannot be scheduled: {error}")]
    Layer {
        /// The layer's name.
        layer: String,
        /// Why.
        error: LayerError,
    },
    /// The network, batch or hardware is beyond the model's limits.
    #[error(transparent)]
    Range(#[from] RangeError),
    /// Every schedule's total time exceeds what a `u64` counts.
    #[error(
        "every schedule of it takes more than {} cycles, beyond what the model counts",
        u64::MAX
    )]
    TimeOverflow,
    /// A broken invariant of the search: a bug, not a property of the input.
    #[error("internal error: {0}")]
    Internal(String),
}

impl SearchError {
    fn layer(net: &Network, id: LayerId, error: LayerError) -> Self {
        SearchError::Layer {
            layer: net.layer(id).name.clone(),
            error,
        }
    }
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

/// The input layouts to start from (docs/model/network.md#input-layouts): one
/// per partition of the input over the source memory, externs laid out the same
/// way.
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
    partition_candidates(
        &target,
        options.batch,
        src.dim(),
        options.partitioning,
        true,
        options.compat,
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

/// Does every layer of `net` own the hardware for the whole run? True for a
/// network of one layer: its filters may stay on chip (docs/model/network.md#filter-pinning).
pub fn owns_hardware(net: &Network) -> bool {
    net.layers().len() == 1
}

/// Schedules `net`: the best `ntops` schedules, best first (at least one).
/// `progress` is called after each layer with (layers done, layers in all).
/// Fails before searching if the network, batch or hardware is beyond the
/// model's limits (`sched::limits`).
pub fn search(
    net: &Network,
    machine: &Machine,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<NetworkSchedule>, SearchError> {
    search_cached(net, machine, options, progress, &NodeCache::new())
}

/// [`search`] with per-node results taken from and added to `cache`, which
/// other searches may share: those on the same machine, with the same
/// options but for the batch (part of the cache's key), and of networks
/// that agree on [`owns_hardware`]. A sweep shares one between the
/// networks of a design point; the results are the same as without it.
pub fn search_cached(
    net: &Network,
    machine: &Machine,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    cache: &NodeCache,
) -> Result<Vec<NetworkSchedule>, SearchError> {
    check_search(net, options.batch, machine)?;
    // A network of one layer owns the hardware for the whole run, so its
    // filters may stay on chip (docs/model/network.md#filter-pinning).
    let mut machine = machine.clone();
    machine.node.no_time_mux = owns_hardware(net);
    let search = LayerSearch {
        machine: &machine,
        options,
        cache,
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
            let ifmap = ifmap_layout(net, id, p, &starts[p.start])?;
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
        // Every extension of every previous schedule, ranked stably; one
        // whose total time would not fit a u64 is beyond the model's range.
        let mut ext: Vec<(usize, usize, RankKey)> = Vec::new();
        let mut overflowed = false;
        for (pi, (p, found)) in tops.iter().zip(&per_prev).enumerate() {
            for (ri, r) in found.iter().enumerate() {
                let cost = p.sum_cost + r.cost.total;
                let Some(time) = p.sum_time.checked_add(r.time) else {
                    overflowed = true;
                    continue;
                };
                ext.push((pi, ri, goal.key(cost, time as f64)));
            }
        }
        if ext.is_empty() {
            if overflowed {
                return Err(SearchError::TimeOverflow);
            }
            let error = first_error.unwrap_or_else(|| search.explain_no_blocking(&layer.shape));
            return Err(SearchError::layer(net, id, error));
        }
        ext.sort_by_key(|e| e.2);
        ext.truncate(options.blocking.ntops);
        tops = ext
            .into_iter()
            .map(|(pi, ri, _)| {
                let mut next = tops[pi].clone();
                let r = &per_prev[pi][ri];
                next.sum_cost += r.cost.total;
                // Checked when ranked: only extensions that fit were kept.
                next.sum_time = next.sum_time.saturating_add(r.time);
                next.layers[id.index()] = Some(Arc::new(r.clone()));
                next
            })
            .collect();
        progress(done + 1, n);
    }
    if tops.is_empty() {
        return Err(SearchError::Internal(
            "the search kept no schedule and reported no error".into(),
        ));
    }
    tops.into_iter()
        .map(|p| {
            let start = &starts[p.start];
            // Indexed by layer id: a missing layer would shift the others.
            let layers = p
                .layers
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    r.ok_or_else(|| {
                        SearchError::Internal(format!(
                            "layer `{}` is missing from a finished schedule",
                            net.layers()[i].name
                        ))
                    })
                })
                .collect::<Result<_, _>>()?;
            Ok(NetworkSchedule {
                order: order.clone(),
                layers,
                input_layout: start.input.clone(),
                input_part: start.part,
                extern_layouts: start.externs.clone(),
                total_cost: p.sum_cost,
                total_time: p.sum_time,
            })
        })
        .collect()
}

/// Where layer `id`'s input is: its producers' outputs, concatenated in
/// order.
fn ifmap_layout(
    net: &Network,
    id: LayerId,
    p: &Partial,
    start: &Start,
) -> Result<DataLayout, SearchError> {
    let layouts: Vec<&DataLayout> = net
        .layer(id)
        .inputs
        .iter()
        .map(|s| match s {
            Source::Input => Ok(&start.input),
            Source::Extern(i) => start.externs.get(*i as usize).ok_or_else(|| {
                SearchError::Internal(format!("extern input {i} has no layout"))
            }),
            Source::Layer(src) => match &p.layers[src.index()] {
                Some(r) => Ok(&r.ofmap_layout),
                // The scheduling order is topological, so producers are done.
                None => Err(SearchError::Internal(format!(
                    "producer `{}` of `{}` is not scheduled yet (the scheduling order is not topological)",
                    net.layer(*src).name,
                    net.layer(id).name
                ))),
            },
        })
        .collect::<Result<_, _>>()?;
    match layouts.as_slice() {
        [one] => Ok((*one).clone()),
        many => DataLayout::concat(many)
            .map_err(|e| SearchError::layer(net, id, LayerError::Inputs(e.to_string()))),
    }
}
