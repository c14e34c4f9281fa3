//! The whole-network search (docs/model/network.md): layers in scheduling order,
//! each scheduled given where its producers left their outputs, keeping the
//! best few partial schedules at every step.

use crate::fasthash::FastMap;
use crate::ir::{Dim2, LayerId, LayerShape, Network, Source};
use crate::sched::blocking::DataHome;
use crate::sched::machine::Machine;
use crate::sched::model::limits::{RangeError, check_search};
use crate::sched::options::Options;
use crate::sched::options::{Goal, RankKey};
use crate::sched::partition::{
    DataLayout, FmapPosition, FmapRange, HopCache, LayoutPiece, NodeRegion, PartTarget,
    PartitionScheme, partition_candidates,
};
use crate::sched::pipeline::dag::Dag;
use crate::sched::pipeline::segment::SegmentContext;
use crate::sched::pipeline::{
    DataRegion, LayerConstraint, LayerTiming, PipelineSegment, SegmentTiming, gen_segments,
    rescaled_cost,
};
use crate::sched::search::cache::NodeCache;
use crate::sched::search::layer::{LayerEnv, LayerError, LayerResult, LayerSearch};
use crate::sched::search::order::{schedule_order, vertex_order};
use crate::sched::types::{LoopDim, MemLevel, PerLevel};
use std::borrow::Cow;
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
    pub breakdown: crate::sched::model::energy::LayerCost,
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
        let mut b = crate::sched::model::energy::LayerCost::default();
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

/// Where a layer sits in a schedule: its segment (by index in the
/// schedule), spatial group and temporal index
/// (docs/model/pipelining.md#segments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct SchedPlace {
    /// The segment's index in the schedule.
    pub segment: usize,
    /// The spatial group in the segment.
    pub sp: usize,
    /// The position in the group.
    pub tm: usize,
}

/// One segment of a schedule: its layers and regions and its timing.
#[derive(Clone, Debug)]
pub struct ScheduledSegment {
    /// The spatial groups, each its layers in order.
    pub groups: Vec<Vec<LayerId>>,
    /// Per group, its subregion of the processing nodes.
    pub regions: Vec<NodeRegion>,
    /// When its layers run (docs/model/pipelining.md#segment-timing).
    pub timing: SegmentTiming,
}

#[derive(Clone)]
struct Partial {
    layers: Vec<Option<Arc<LayerResult>>>,
    places: Vec<Option<SchedPlace>>,
    segments: Vec<Arc<ScheduledSegment>>,
    start: usize,
    sum_cost: f64,
    sum_static: f64,
    sum_time: u64,
}

impl Partial {
    /// The (pipelined) time so far (docs/model/pipelining.md#segment-timing).
    fn total_time(&self, nlayers: usize) -> u64 {
        match self.segments.as_slice() {
            [one] if one.groups.iter().map(Vec::len).sum::<usize>() == nlayers => {
                one.timing.critical_time()
            }
            segs => segs
                .iter()
                .fold(0u64, |t, s| t.saturating_add(s.timing.time())),
        }
    }

    /// The energy so far, static energy charged over the pipelined time
    /// (docs/model/pipelining.md#static-energy-rescaling).
    fn total_cost(&self, total_time: u64) -> f64 {
        if total_time == self.sum_time {
            return self.sum_cost;
        }
        rescaled_cost(self.sum_cost, self.sum_static, self.sum_time, total_time)
    }

    fn key(&self, goal: Goal, nlayers: usize) -> RankKey {
        let t = self.total_time(nlayers);
        goal.key(self.total_cost(t), t as f64)
    }
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
pub fn owns_hardware(net: &Network) -> bool {
    net.layers().len() == 1
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
    let mut machine = *machine;
    machine.node.no_time_mux = owns_hardware(net);
    let search = LayerSearch::new(&machine, options, cache);
    let mut hops = HopCache::new(options.compat);
    let starts = starts(net, &machine, options);
    let n = net.layers().len();
    let initial: Vec<Partial> = (0..starts.len())
        .map(|start| Partial {
            layers: vec![None; n],
            places: vec![None; n],
            segments: Vec::new(),
            start,
            sum_cost: 0.0,
            sum_static: 0.0,
            sum_time: 0,
        })
        .collect();
    let order = schedule_order(net);
    let mut pos = vec![0usize; n];
    for (i, l) in order.iter().enumerate() {
        pos[l.index()] = i;
    }
    let cx = SegmentContext {
        net,
        proc_region: NodeRegion::proc(machine.nodes),
        size_gbuf: machine.node.size_gbuf,
        batch: options.batch,
        options: options.pipeline,
    };
    // Segments by the position of their last layer, duplicates dropped.
    let mut by_last: Vec<Vec<PipelineSegment>> = vec![Vec::new(); n];
    for seg in gen_segments(&cx, &Dag::new(net, vertex_order(net))) {
        let Some(last) = seg.segment.last() else {
            continue;
        };
        let list = &mut by_last[pos[last.index()]];
        if !list.iter().any(|s| s.segment == seg.segment) {
            list.push(seg);
        }
    }
    let mut tops: Vec<Vec<Partial>> = Vec::with_capacity(n);
    let goal = options.blocking.goal;
    // The first layer that could not be scheduled alone, and why.
    let mut first_failure: Option<(LayerId, Option<LayerError>, bool)> = None;
    for (done, &id) in order.iter().enumerate() {
        let mut all: Vec<Partial> = Vec::new();
        for seg in &by_last[done] {
            let Some(first) = seg.segment.first() else {
                continue;
            };
            let prev = match pos[first.index()] {
                0 => &initial,
                i => &tops[i - 1],
            };
            let alone = seg.segment.len() == 1;
            let mut failure = SegmentFailure::default();
            let found = segment_search(net, &search, &mut hops, &starts, seg, prev, &mut failure)?;
            if alone && found.is_empty() && first_failure.is_none() && !prev.is_empty() {
                first_failure = Some((id, failure.error, failure.overflowed));
            }
            all.extend(found);
        }
        sort_keep(&mut all, goal, n, options.blocking.ntops);
        tops.push(all);
        progress(done + 1, n);
    }
    let last = tops.pop().unwrap_or_default();
    if last.is_empty() {
        return Err(match first_failure {
            Some((_, _, true)) => SearchError::TimeOverflow,
            Some((id, error, false)) => {
                let error =
                    error.unwrap_or_else(|| search.explain_no_blocking(&net.layer(id).shape));
                SearchError::layer(net, id, error)
            }
            None => {
                SearchError::Internal("the search kept no schedule and reported no error".into())
            }
        });
    }
    last.into_iter()
        .map(|p| {
            let start = &starts[p.start];
            let total_time = p.total_time(n);
            let total_cost = p.total_cost(total_time);
            // Indexed by layer id: a missing layer would shift the others.
            let missing = |i: usize| {
                SearchError::Internal(format!(
                    "layer `{}` is missing from a finished schedule",
                    net.layers()[i].name
                ))
            };
            let layers = p
                .layers
                .into_iter()
                .enumerate()
                .map(|(i, r)| r.ok_or_else(|| missing(i)))
                .collect::<Result<_, _>>()?;
            let places = p
                .places
                .into_iter()
                .enumerate()
                .map(|(i, r)| r.ok_or_else(|| missing(i)))
                .collect::<Result<_, _>>()?;
            Ok(NetworkSchedule {
                order: order.clone(),
                layers,
                places,
                segments: p.segments.iter().map(|s| (**s).clone()).collect(),
                input_layout: start.input.clone(),
                input_part: start.part,
                extern_layouts: start.externs.clone(),
                total_cost,
                total_time,
                sum_time: p.sum_time,
            })
        })
        .collect()
}

/// Sorts partial schedules stably by the goal's key and keeps `ntops`.
fn sort_keep(list: &mut Vec<Partial>, goal: Goal, nlayers: usize, ntops: usize) {
    let mut keyed: Vec<(RankKey, Partial)> =
        list.drain(..).map(|p| (p.key(goal, nlayers), p)).collect();
    keyed.sort_by_key(|k| k.0);
    keyed.truncate(ntops);
    list.extend(keyed.into_iter().map(|(_, p)| p));
}

/// Why a layer searched alone gave nothing.
#[derive(Default)]
struct SegmentFailure {
    error: Option<LayerError>,
    overflowed: bool,
}

/// Where a layer's data live, seen from its own group `sp`.
fn home(r: DataRegion, sp: usize) -> DataHome {
    match r {
        DataRegion::Dram => DataHome::Dram,
        DataRegion::Sub(g) if g == sp => DataHome::OwnNodes,
        DataRegion::Sub(_) => DataHome::OtherNodes,
    }
}

/// `layout` read from `region` instead: every piece moved there, its
/// partition projected onto it (docs/model/pipelining.md#searching-a-segment).
fn forwarded(layout: &DataLayout, region: NodeRegion) -> Result<DataLayout, SearchError> {
    let pieces = layout
        .pieces()
        .iter()
        .map(|p| LayoutPiece {
            frng: p.frng,
            region,
            part: p.part.projection(&region, true),
        })
        .collect();
    DataLayout::new(pieces).map_err(|e| SearchError::Internal(format!("forwarded layout: {e}")))
}

/// The best schedules ending with `seg`, from the best schedules `prev` of
/// the layers before it (docs/model/pipelining.md#searching-a-segment).
#[allow(clippy::too_many_arguments)]
fn segment_search(
    net: &Network,
    search: &LayerSearch<'_>,
    hops: &mut HopCache,
    starts: &[Start],
    seg: &PipelineSegment,
    prev: &[Partial],
    failure: &mut SegmentFailure,
) -> Result<Vec<Partial>, SearchError> {
    if prev.is_empty() {
        return Ok(Vec::new());
    }
    let options = search.options;
    let machine = search.machine;
    let dram = NodeRegion::dram(machine.nodes, machine.memory);
    let goal = options.blocking.goal;
    let ntops = options.blocking.ntops;
    let nlayers = net.layers().len();
    let segment = &seg.segment;
    let alloc = &seg.alloc;
    // Forwarding regions: shared memory sources read from the fetcher's
    // subregion, ofmap-forwarding consumers from the producer's.
    let mut fwd: FastMap<(usize, usize), NodeRegion> = FastMap::default();
    for list in &seg.deps.ifm_fwd {
        let r = alloc.regions[list[0].0];
        for &p in &list[1..] {
            fwd.insert(p, r);
        }
    }
    for (src, dsts) in &seg.deps.ofm_fwd {
        let r = alloc.regions[src.0];
        for &p in dsts {
            fwd.insert(p, r);
        }
    }
    let max_overhead = options.pipeline.time_overhead.map(|o| o.get());
    // Results by (layer, ifmap layout, constraint): combinations often
    // repeat a layer's problem.
    let mut memo: FastMap<(LayerId, DataLayout, LayerConstraint), Arc<Vec<LayerResult>>> =
        FastMap::default();
    let mut frontier: Vec<Vec<u64>> = Vec::new();
    let mut out: Vec<Partial> = Vec::new();
    for combo in seg.constraints.combinations(max_overhead) {
        if frontier
            .iter()
            .any(|f| f.iter().zip(&combo.hints).all(|(a, b)| a <= b))
        {
            continue;
        }
        let mut cur: Vec<Partial> = prev.to_vec();
        for ((sp, tm), id) in segment.layers() {
            let place = alloc.at((sp, tm));
            let base = combo.constraints[sp][tm];
            let env_of = |constraint| LayerEnv {
                proc_region: alloc.regions[sp],
                dst_region: alloc.region(place.dst, dram),
                src: home(place.src, sp),
                dst: home(place.dst, sp),
                constraint,
                no_time_mux: alloc.no_time_mux,
            };
            let producers: Vec<(usize, usize)> = net
                .layer(id)
                .inputs
                .iter()
                .filter_map(|s| match s {
                    Source::Layer(p) => segment.place(*p),
                    _ => None,
                })
                .collect();
            let mut next: Vec<(RankKey, Partial)> = Vec::new();
            for p in &cur {
                let mut ifmap = ifmap_layout(net, id, p, &starts[p.start])?;
                if let Some(r) = fwd.get(&(sp, tm)) {
                    ifmap = forwarded(&ifmap, *r)?;
                }
                // The lazy rule: the ofm factor an earlier convolution chose.
                let mut constraint = base;
                if let Some(conv) = base.lazy_topofm {
                    let Some(r) = &p.layers[conv.index()] else {
                        return Err(SearchError::Internal(format!(
                            "`{}` follows `{}`, which is not scheduled yet",
                            net.layer(id).name,
                            net.layer(conv).name
                        )));
                    };
                    constraint.topofm = r.candidate.blocking.factors[0][LoopDim::Ofm];
                    constraint.lazy_topofm = None;
                }
                let key = (id, ifmap, constraint);
                let found = match memo.get(&key) {
                    Some(hit) => hit.clone(),
                    None => {
                        let env = env_of(constraint);
                        let r = match search.schedule_in(&env, &net.layer(id).shape, &key.1, hops) {
                            Ok(r) => Arc::new(r),
                            Err(e) => {
                                failure.error.get_or_insert(e);
                                Arc::new(Vec::new())
                            }
                        };
                        memo.insert(key, r.clone());
                        r
                    }
                };
                for r in found.iter() {
                    let Some(sum_time) = p.sum_time.checked_add(r.time) else {
                        failure.overflowed = true;
                        continue;
                    };
                    let mut q = p.clone();
                    q.sum_time = sum_time;
                    q.sum_cost += r.cost.total;
                    q.sum_static += r.cost.static_;
                    let st = &r.candidate.stats;
                    let b = &r.candidate.blocking;
                    let timing = LayerTiming {
                        place: (sp, tm),
                        conv: net.layer(id).shape.is_conv(),
                        time: r.time,
                        node_time: st.proc_time.max(st.bus_time),
                        dram_time: st.dram_time,
                        num_nodes: alloc.regions[sp].dim().size(),
                        top_factors: b.factors[0].0,
                        top_order: b.orders[0].0,
                    };
                    if (sp, tm) == (0, 0) {
                        q.segments.push(Arc::new(ScheduledSegment {
                            groups: segment.groups.clone(),
                            regions: alloc.regions.clone(),
                            timing: SegmentTiming::new(),
                        }));
                    }
                    let Some(last) = q.segments.last_mut() else {
                        return Err(SearchError::Internal("a segment without a start".into()));
                    };
                    Arc::make_mut(last)
                        .timing
                        .add(timing, &producers)
                        .map_err(|e| SearchError::Internal(e.to_string()))?;
                    q.places[id.index()] = Some(SchedPlace {
                        segment: q.segments.len() - 1,
                        sp,
                        tm,
                    });
                    q.layers[id.index()] = Some(Arc::new(r.clone()));
                    next.push((q.key(goal, nlayers), q));
                }
            }
            next.sort_by_key(|k| k.0);
            next.truncate(ntops);
            cur = next.into_iter().map(|(_, p)| p).collect();
            if cur.is_empty() {
                break;
            }
        }
        if let Some(limit) = max_overhead {
            cur.retain(|p| p.segments.iter().all(|s| s.timing.time_overhead() <= limit));
        }
        if !cur.is_empty() {
            frontier.push(combo.hints.clone());
        }
        out.extend(cur);
    }
    sort_keep(&mut out, goal, nlayers, ntops);
    Ok(out)
}

/// Where layer `id`'s input is: its producers' outputs, concatenated in
/// order.
fn ifmap_layout(
    net: &Network,
    id: LayerId,
    p: &Partial,
    start: &Start,
) -> Result<DataLayout, SearchError> {
    // A matmul's operand is read as its filter, not as part of its input.
    let layouts: Vec<Cow<'_, DataLayout>> = net
        .layer(id)
        .data_inputs()
        .iter()
        .map(|s| match s {
            Source::Input => Ok(Cow::Borrowed(&start.input)),
            Source::Extern(i) => start.externs.get(*i as usize).map(Cow::Borrowed).ok_or_else(|| {
                SearchError::Internal(format!("extern input {i} has no layout"))
            }),
            Source::Layer(src) => match &p.layers[src.index()] {
                Some(r) => Ok(Cow::Borrowed(&r.ofmap_layout)),
                // The scheduling order is topological, so producers are done.
                None => Err(SearchError::Internal(format!(
                    "producer `{}` of `{}` is not scheduled yet (the scheduling order is not topological)",
                    net.layer(*src).name,
                    net.layer(id).name
                ))),
            },
        })
        .collect::<Result<_, _>>()?;
    // What an upsampling's consumers read: its sub-pixel output shuffled
    // into space, on the same nodes (docs/model/layers.md#upsampling).
    let mut layouts = layouts;
    for (layout, src) in layouts.iter_mut().zip(net.layer(id).data_inputs()) {
        if let Source::Layer(src) = src
            && let LayerShape::Conv(c) = net.layer(*src).shape
            && c.is_shuffled()
        {
            let shuffled = shuffled(layout, c.shuffle)
                .map_err(|e| SearchError::layer(net, id, LayerError::Inputs(e)))?;
            *layout = Cow::Owned(shuffled);
        }
    }
    let refs: Vec<&DataLayout> = layouts.iter().map(|l| l.as_ref()).collect();
    match refs.as_slice() {
        [one] => Ok((*one).clone()),
        many => DataLayout::concat(many)
            .map_err(|e| SearchError::layer(net, id, LayerError::Inputs(e.to_string()))),
    }
}

/// The layout of a sub-pixel output as its consumers read it: each
/// piece's channels divided by `shuffle.h * shuffle.w` and its fmap
/// multiplied by `shuffle`, on the same nodes split the same way. A
/// layer's output is one piece (`LayerSearch::schedule`).
fn shuffled(layout: &DataLayout, shuffle: Dim2) -> Result<DataLayout, String> {
    let [piece] = layout.pieces() else {
        return Err("an upsampling's output in several pieces".into());
    };
    let (b, e) = (piece.frng.beg, piece.frng.end);
    let n = shuffle.size();
    let scaled =
        |p: FmapPosition| FmapPosition::new(p.b, p.n / n, p.h * shuffle.h, p.w * shuffle.w);
    DataLayout::single(
        FmapRange::new(scaled(b), scaled(e)),
        piece.region,
        piece.part,
    )
    .map_err(|e| e.to_string())
}
