//! The whole-network search (docs/model/network.md): layers in scheduling order,
//! each scheduled given where its producers left their outputs, keeping the
//! best few partial schedules at every step.

use super::segment::{
    LayerMemo, Memos, Partial, SchedPlace, ScheduledSegment, SegmentFailure, Start, segment_search,
    sort_keep,
};
use super::{Cancel, SearchError};
use crate::ir::{LayerId, Network};
use crate::sched::Compat;
use crate::sched::machine::Machine;
use crate::sched::model::energy::LayerCost;
use crate::sched::model::limits::check_search;
use crate::sched::options::Options;
use crate::sched::partition::{
    DataLayout, FmapRange, HopCache, NodeRegion, PartTarget, PartitionScheme, partition_candidates,
};
use crate::sched::pipeline::dag::Dag;
use crate::sched::pipeline::segment::SegmentContext;
use crate::sched::pipeline::{PipelineSegment, gen_segments, gen_segments_bounded, rescaled_cost};
use crate::sched::search::cache::NodeCache;
use crate::sched::search::layer::{LayerResult, LayerSearch};
use crate::sched::search::order::vertex_order;
use crate::sched::types::{MemLevel, PerLevel};
use std::sync::Arc;

/// A complete schedule of a network.
#[derive(Clone, Debug)]
pub struct NetworkSchedule {
    /// Layers in the order they were scheduled.
    pub order: Vec<LayerId>,
    /// Each layer's result, indexed by layer id.
    pub layers: Vec<Arc<LayerResult>>,
    /// Each layer's place, indexed by layer id.
    pub places: Vec<SchedPlace>,
    /// The segments, in order (one per layer without pipelining).
    pub segments: Vec<ScheduledSegment>,
    /// How the network input is laid out in memory.
    pub input_layout: DataLayout,
    /// The partition the input layout projects.
    pub input_part: PartitionScheme,
    /// How each extern input is laid out, in declaration order.
    pub extern_layouts: Vec<DataLayout>,
    /// Total energy: the sum over layers in scheduling order, static
    /// energy charged over the pipelined time
    /// (docs/model/pipelining.md#static-energy-rescaling).
    pub total_cost: f64,
    /// Total cycles: the segments' times added up
    /// (docs/model/pipelining.md#segment-timing).
    pub total_time: u64,
    /// The layers' times added up (as if they ran one after another).
    pub sum_time: u64,
}

/// Totals of a schedule, summed over layers in scheduling order.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Totals {
    /// Energy.
    pub cost: f64,
    /// Energy by where it goes.
    pub breakdown: LayerCost,
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
        let mut b = LayerCost::default();
        for (_, r) in self.in_order() {
            let s = &r.candidate.stats;
            ops += s.ops;
            for m in MemLevel::ALL {
                accesses[m] += s.access[m].sum_in_order();
            }
            // Other nodes' buffers read instead of DRAM are buffer accesses
            // (docs/model/buffer-sharing.md#non-dram-data-regions).
            accesses[MemLevel::Gbuf] += s.remote_gbuf.sum_in_order();
            noc_hops += r.total_nhops.sum_in_order();
            b.add(&r.cost);
        }
        if self.total_time != self.sum_time {
            // Static energy over the pipelined time
            // (docs/model/pipelining.md#static-energy-rescaling).
            b.static_ = rescaled_cost(b.static_, b.static_, self.sum_time, self.total_time);
            b.total = self.total_cost;
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

/// The input layouts to start from (docs/model/network.md#input-layouts): one
/// per partition of the input over the source memory, externs laid out the same
/// way.
fn starts(net: &Network, machine: &Machine, options: &Options) -> Vec<Start> {
    let src = NodeRegion::dram(machine.nodes, machine.memory);
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
pub(crate) fn owns_hardware(net: &Network) -> bool {
    net.layers().len() == 1
}

/// Could some options keep the filters of every layer of `net` on chip for
/// the whole run, on a machine of `nodes` nodes? A network of one layer
/// owns the hardware; otherwise only a segment of every layer pins filters
/// (an allocation's `no_time_mux`), which needs the scheduling DAG to be
/// one vertex run, no matmul or upsampling (always alone), and spatial
/// groups of at most one convolution each: one group of all layers
/// (save-writeback) with one convolution, or one group per vertex
/// (inter-layer pipelining), each on a node of its own. Necessary
/// conditions only, so `false` proves no schedule pins every filter
/// (docs/model/bound.md#filters-kept-on-chip).
pub(crate) fn filters_may_stay_pinned(net: &Network, nodes: crate::ir::Dim2) -> bool {
    if owns_hardware(net) {
        return true;
    }
    let layers = net.layers();
    let convs = |ids: &[LayerId]| {
        ids.iter()
            .filter(|&&l| net.layer(l).shape.is_conv())
            .count()
    };
    if layers.iter().any(|l| {
        l.shape.is_matmul() || matches!(l.shape, crate::ir::LayerShape::Conv(c) if c.is_shuffled())
    }) {
        return false;
    }
    let dag = Dag::new(net, vertex_order(net));
    let all: Vec<LayerId> = dag.vertices.iter().flatten().copied().collect();
    let temporal = convs(&all) <= 1;
    let spatial =
        dag.vertices.len() as u64 <= nodes.size() && dag.vertices.iter().all(|v| convs(v) <= 1);
    (temporal || spatial) && dag.runs().iter().any(|r| r.len() == dag.vertices.len())
}

/// Schedules `net`: the best `ntops` schedules, best first (at least one).
/// `progress` is called after each layer with (layers done, layers in all).
/// Fails before searching if the network, batch or hardware is beyond the
/// model's limits (`sched::model::limits`).
///
/// Layers are taken in scheduling order; at each layer every candidate
/// segment ending there (docs/model/pipelining.md#segment-generation; only
/// the layer alone without pipelining) is searched from the best schedules
/// of the layers before it, and the best `ntops` of all are kept
/// (docs/model/network.md#the-search, docs/model/pipelining.md#searching-a-segment).
pub fn search(
    net: &Network,
    machine: &Machine,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<NetworkSchedule>, SearchError> {
    search_cached(
        net,
        machine,
        options,
        progress,
        &Cancel::new(),
        &NodeCache::new(),
    )
}

/// [`search`] with per-node results taken from and added to `cache`, which
/// other searches on the same machine under the same options (the batch
/// aside) may share, or the view of a capacity group that keeps them all
/// apart ([`NodeCache::shared`]): the results are the same as without it.
/// `cancel` stops the search ([`Cancel`]).
/// The library's way to share is [`SharedSearch`](super::shared::SharedSearch).
pub(crate) fn search_cached(
    net: &Network,
    machine: &Machine,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    cancel: &Cancel,
    cache: &NodeCache,
) -> Result<Vec<NetworkSchedule>, SearchError> {
    check_search(net, options.batch, machine)?;
    if options.compat == Compat::NnDataflow && !machine.node.dataflow.is_row_stationary() {
        return Err(SearchError::CompatDataflow(machine.node.dataflow));
    }
    if options.compat == Compat::NnDataflow && machine.node.sram.is_some() {
        return Err(SearchError::CompatSram);
    }
    // A network of one layer owns the hardware for the whole run, so its
    // filters may stay on chip (docs/model/network.md#filter-pinning).
    let mut machine = *machine;
    machine.node.no_time_mux = owns_hardware(net);
    let mut s = NetworkSearch::new(net, &machine, options, cache);
    s.search = s.search.with_cancel(cancel);
    let last = s.run(progress)?;
    last.into_iter().map(|p| s.finished(p)).collect()
}

/// A network search under way: the layers in scheduling order, the
/// candidate segments ending at each, where the inputs may start, and the
/// memos every layer shares.
struct NetworkSearch<'a> {
    net: &'a Network,
    search: LayerSearch<'a>,
    /// The search's NoC-hop memo and layer results.
    memos: Memos,
    starts: Vec<Start>,
    /// The layers in scheduling order.
    order: Vec<LayerId>,
    /// Each layer's position in `order`, by layer id.
    pos: Vec<usize>,
    /// The candidate segments by the position of their last layer.
    by_last: Vec<Vec<PipelineSegment>>,
}

impl<'a> NetworkSearch<'a> {
    fn new(
        net: &'a Network,
        machine: &'a Machine,
        options: &'a Options,
        cache: &'a NodeCache,
    ) -> Self {
        let vertices = vertex_order(net);
        let order: Vec<LayerId> = vertices.iter().flatten().copied().collect();
        let mut pos = vec![0usize; net.layers().len()];
        for (i, l) in order.iter().enumerate() {
            pos[l.index()] = i;
        }
        let by_last = segments_by_last(net, machine, options, vertices, &pos);
        NetworkSearch {
            net,
            search: LayerSearch::new(machine, options, cache),
            memos: Memos {
                hops: HopCache::new(options.compat),
                layers: LayerMemo::default(),
            },
            starts: starts(net, machine, options),
            order,
            pos,
            by_last,
        }
    }

    /// The best schedules of the whole network, best first, or why there is
    /// none: layer by layer in scheduling order, the best schedules ending
    /// at each.
    fn run(
        &mut self,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Vec<Partial>, SearchError> {
        let n = self.net.layers().len();
        let initial: Vec<Partial> = (0..self.starts.len())
            .map(|start| Partial::empty(start, n))
            .collect();
        let mut tops: Vec<Vec<Partial>> = Vec::with_capacity(n);
        // The first layer that could not be scheduled alone, and why.
        let mut first_failure: Option<(LayerId, SegmentFailure)> = None;
        // The first position a segment ending at or after each position
        // starts at: the best schedules up to a position before it are
        // never read again, and are dropped (memory linear in the layers).
        let mut needed_from = vec![usize::MAX; self.order.len() + 1];
        for d in (0..self.order.len()).rev() {
            let first = self.by_last[d]
                .iter()
                .filter_map(|s| s.segment.first())
                .map(|f| self.pos[f.index()])
                .min()
                .unwrap_or(usize::MAX);
            needed_from[d] = first.min(needed_from[d + 1]);
        }
        let mut dropped = 0;
        for done in 0..self.order.len() {
            let all = self.ending_at(done, &initial, &tops, &mut first_failure);
            // Checked before the result: a cancelled layer's may be empty.
            if self.search.is_cancelled() {
                return Err(SearchError::Cancelled);
            }
            tops.push(all?);
            progress(done + 1, n);
            // `tops[i]` is read by segments starting at `i + 1`.
            let keep_from = needed_from[done + 1].saturating_sub(1).min(done);
            while dropped < keep_from {
                tops[dropped] = Vec::new();
                dropped += 1;
            }
        }
        let last = tops.pop().unwrap_or_default();
        if last.is_empty() {
            return Err(self.no_schedule(first_failure));
        }
        Ok(last)
    }

    /// The best schedules up to the layer at position `done` of the order:
    /// every candidate segment ending there, each searched from the best
    /// schedules before its first layer (`initial` before the first,
    /// `tops[i]` up to position `i`). Records in `first_failure` why the
    /// layer alone has no schedule, if it is the first.
    fn ending_at(
        &mut self,
        done: usize,
        initial: &[Partial],
        tops: &[Vec<Partial>],
        first_failure: &mut Option<(LayerId, SegmentFailure)>,
    ) -> Result<Vec<Partial>, SearchError> {
        let mut all: Vec<Partial> = Vec::new();
        for seg in &self.by_last[done] {
            let Some(first) = seg.segment.first() else {
                continue;
            };
            let prev = match self.pos[first.index()] {
                0 => initial,
                i => &tops[i - 1],
            };
            let mut failure = SegmentFailure::default();
            let found = segment_search(
                self.net,
                &self.search,
                &mut self.memos,
                &self.starts,
                seg,
                prev,
                &mut failure,
            )?;
            let alone = seg.segment.len() == 1;
            if alone && found.is_empty() && first_failure.is_none() && !prev.is_empty() {
                *first_failure = Some((self.order[done], failure));
            }
            all.extend(found);
        }
        let o = self.search.options;
        sort_keep(
            &mut all,
            o.blocking.goal,
            self.net.layers().len(),
            o.blocking.ntops,
        );
        Ok(all)
    }

    /// Why the search kept no schedule: the first layer that has none alone.
    fn no_schedule(&self, first_failure: Option<(LayerId, SegmentFailure)>) -> SearchError {
        match first_failure {
            Some((
                _,
                SegmentFailure {
                    overflowed: true, ..
                },
            )) => SearchError::TimeOverflow,
            Some((id, SegmentFailure { error, .. })) => {
                let error = error
                    .unwrap_or_else(|| self.search.explain_no_blocking(&self.net.layer(id).shape));
                SearchError::layer(self.net, id, error)
            }
            None => {
                SearchError::Internal("the search kept no schedule and reported no error".into())
            }
        }
    }

    /// A finished schedule: every layer's result and place by layer id,
    /// and the totals.
    fn finished(&self, p: Partial) -> Result<NetworkSchedule, SearchError> {
        let net = self.net;
        let start = &self.starts[p.start];
        let total_time = p.total_time(net.layers().len());
        let total_cost = p.total_cost(total_time);
        // Indexed by layer id: a missing layer would shift the others.
        fn every<T>(net: &Network, of: Vec<Option<T>>) -> Result<Vec<T>, SearchError> {
            of.into_iter()
                .enumerate()
                .map(|(i, r)| {
                    r.ok_or_else(|| {
                        SearchError::Internal(format!(
                            "layer `{}` is missing from a finished schedule",
                            net.layers()[i].name
                        ))
                    })
                })
                .collect()
        }
        let layers = every(net, p.layers.to_vec())?;
        let places = every(net, p.places.to_vec())?;
        Ok(NetworkSchedule {
            order: self.order.clone(),
            layers,
            places,
            segments: p.segments().iter().map(|s| (**s).clone()).collect(),
            input_layout: start.input.clone(),
            input_part: start.part,
            extern_layouts: start.externs.clone(),
            total_cost,
            total_time,
            sum_time: p.sum_time,
        })
    }
}

/// The candidate segments of `net` (docs/model/pipelining.md#segment-generation)
/// by the position of their last layer in the scheduling order (`pos`,
/// by layer id; `vertices` the scheduling DAG's), duplicates dropped.
fn segments_by_last(
    net: &Network,
    machine: &Machine,
    options: &Options,
    vertices: Vec<Vec<LayerId>>,
    pos: &[usize],
) -> Vec<Vec<PipelineSegment>> {
    let cx = SegmentContext {
        net,
        proc_region: NodeRegion::proc(machine.nodes),
        size_gbuf: machine.node.size_gbuf,
        batch: options.batch,
        options: options.pipeline,
    };
    let mut by_last: Vec<Vec<PipelineSegment>> = vec![Vec::new(); net.layers().len()];
    let dag = Dag::new(net, vertices);
    let segments = match options.compat {
        Compat::Nnc => gen_segments_bounded(&cx, &dag),
        Compat::NnDataflow => gen_segments(&cx, &dag),
    };
    for seg in segments {
        let Some(last) = seg.segment.last() else {
            continue;
        };
        let list = &mut by_last[pos[last.index()]];
        if !list.iter().any(|s| s.segment == seg.segment) {
            list.push(seg);
        }
    }
    by_last
}
