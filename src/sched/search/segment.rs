//! One segment's search (docs/model/pipelining.md#searching-a-segment):
//! the partial schedules of a network search and how a segment extends
//! them, layer by layer, under each combination of its constraints; where
//! each layer's input is.

use super::SearchError;
use super::persistent::Persistent;
use crate::fasthash::FastMap;
use crate::ir::{Dim2, LayerId, LayerShape, Network, Source, View};
use crate::sched::blocking::DataHome;
use crate::sched::options::{Goal, RankKey};
use crate::sched::partition::{
    DataLayout, FmapPosition, FmapRange, HopCache, LayoutPiece, NodeRegion, PartitionScheme,
};
use crate::sched::pipeline::segment::Place;
use crate::sched::pipeline::{
    DataRegion, LayerConstraint, LayerTiming, PipelineSegment, SegmentTiming, rescaled_cost,
};
use crate::sched::search::layer::{LayerEnv, LayerError, LayerResult, LayerSearch};
use crate::sched::types::LoopDim;
use std::borrow::Cow;
use std::sync::Arc;

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

/// A partial schedule: the layers scheduled so far, their places and
/// segments, and the sums its ranking key needs. Extending one by a layer
/// copies none of what it shares with its parent (persistent arrays and a
/// list of segments), and its time is kept as it grows: the search's cost
/// is linear in the layers (issue 26).
#[derive(Clone)]
pub(super) struct Partial {
    /// Each layer's result, by layer id (`None`: not scheduled yet).
    pub(super) layers: Persistent<Arc<LayerResult>>,
    /// Each layer's place, by layer id.
    pub(super) places: Persistent<SchedPlace>,
    /// The segments before the last, the latest first.
    earlier: Option<Arc<Earlier>>,
    /// The last segment, the one layers are added to.
    last: Option<Arc<ScheduledSegment>>,
    /// How many segments.
    nsegments: usize,
    /// The times of the segments before the last added up (saturating).
    earlier_time: u64,
    /// The input layouts it starts from (an index of the search's starts).
    pub(super) start: usize,
    /// The layers' energies added up.
    pub(super) sum_cost: f64,
    /// The layers' static energies added up.
    pub(super) sum_static: f64,
    /// The layers' times added up.
    pub(super) sum_time: u64,
}

/// A segment before a partial schedule's last, and those before it.
struct Earlier {
    segment: Arc<ScheduledSegment>,
    before: Option<Arc<Earlier>>,
}

impl Drop for Earlier {
    /// One link at a time: dropping a list of 65,535 segments recursively
    /// would overflow the stack.
    fn drop(&mut self) {
        let mut next = self.before.take();
        while let Some(link) = next {
            next = match Arc::try_unwrap(link) {
                Ok(mut e) => e.before.take(),
                // Shared with another partial schedule: it stays.
                Err(_) => None,
            };
        }
    }
}

impl Partial {
    /// An empty schedule from the input layouts of start `start`, for a
    /// network of `n` layers.
    pub(super) fn empty(start: usize, n: usize) -> Self {
        Partial {
            layers: Persistent::new(n),
            places: Persistent::new(n),
            earlier: None,
            last: None,
            nsegments: 0,
            earlier_time: 0,
            start,
            sum_cost: 0.0,
            sum_static: 0.0,
            sum_time: 0,
        }
    }

    /// The segments, in order.
    pub(super) fn segments(&self) -> Vec<Arc<ScheduledSegment>> {
        let mut out: Vec<Arc<ScheduledSegment>> = Vec::with_capacity(self.nsegments);
        out.extend(self.last.clone());
        let mut at = self.earlier.as_deref();
        while let Some(e) = at {
            out.push(e.segment.clone());
            at = e.before.as_deref();
        }
        out.reverse();
        out
    }

    /// Starts a new last segment.
    fn push_segment(&mut self, segment: ScheduledSegment) {
        if let Some(last) = self.last.take() {
            self.earlier_time = self.earlier_time.saturating_add(last.timing.time());
            self.earlier = Some(Arc::new(Earlier {
                segment: last,
                before: self.earlier.take(),
            }));
        }
        self.last = Some(Arc::new(segment));
        self.nsegments += 1;
    }

    /// The (pipelined) time so far (docs/model/pipelining.md#segment-timing):
    /// the segments' times added up, or the critical time of a segment
    /// that holds every layer.
    pub(super) fn total_time(&self, nlayers: usize) -> u64 {
        match &self.last {
            None => 0,
            Some(one)
                if self.nsegments == 1
                    && one.groups.iter().map(Vec::len).sum::<usize>() == nlayers =>
            {
                one.timing.critical_time()
            }
            Some(last) => self.earlier_time.saturating_add(last.timing.time()),
        }
    }

    /// The energy so far, static energy charged over the pipelined time
    /// (docs/model/pipelining.md#static-energy-rescaling).
    pub(super) fn total_cost(&self, total_time: u64) -> f64 {
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

/// Where a schedule's inputs are: the network input's layout, the
/// partition it projects, and each extern input's layout
/// (docs/model/network.md#input-layouts).
pub(super) struct Start {
    /// The partition the input layout projects.
    pub(super) part: PartitionScheme,
    /// The network input's layout.
    pub(super) input: DataLayout,
    /// Each extern input's layout, in declaration order.
    pub(super) externs: Vec<DataLayout>,
}

/// Sorts partial schedules stably by the goal's key and keeps `ntops`.
pub(super) fn sort_keep(list: &mut Vec<Partial>, goal: Goal, nlayers: usize, ntops: usize) {
    let mut keyed: Vec<(RankKey, Partial)> =
        list.drain(..).map(|p| (p.key(goal, nlayers), p)).collect();
    keyed.sort_by_key(|k| k.0);
    keyed.truncate(ntops);
    list.extend(keyed.into_iter().map(|(_, p)| p));
}

/// Why a layer searched alone gave nothing.
#[derive(Default)]
pub(super) struct SegmentFailure {
    /// The first reason a layer has no schedule.
    pub(super) error: Option<LayerError>,
    /// Did adding a layer's time overflow?
    pub(super) overflowed: bool,
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
            region,
            part: p.part.projection(&region, true),
            ..*p
        })
        .collect();
    DataLayout::new(pieces).map_err(|e| SearchError::Internal(format!("forwarded layout: {e}")))
}

/// One segment's search (docs/model/pipelining.md#searching-a-segment):
/// what every step needs of the segment and the search, and what it keeps
/// between steps.
struct SegmentSearch<'s> {
    net: &'s Network,
    search: &'s LayerSearch<'s>,
    starts: &'s [Start],
    seg: &'s PipelineSegment,
    /// The machine's DRAM nodes.
    dram: NodeRegion,
    /// Where a layer reads its input instead of its producers' layout:
    /// shared memory sources from the fetcher's subregion, ofmap-forwarding
    /// consumers from the producer's.
    fwd: FastMap<Place, NodeRegion>,
    /// Results of layer searches, shared by the segments of a network
    /// search ([`LayerMemo`]).
    memo: &'s mut LayerMemo,
    failure: &'s mut SegmentFailure,
}

/// Results of layer searches by (shape, place, ifmap layout): combinations
/// of a segment's constraints often repeat a layer's problem, and so do
/// the repeated blocks of a network (a transformer's layers), whose
/// segments see the same shapes from the same layouts. Each result keeps
/// why the layer had none. In nnc's model a search's result depends on
/// nothing else; the reference's hop memo depends on the order of its
/// queries (docs/model/noc.md#the-references-hop-memo), so under
/// `--compat nn_dataflow` the memo lives for one segment only, as the
/// reference's does.
pub(super) type LayerMemo =
    FastMap<(LayerShape, LayerEnv, DataLayout), (Arc<Vec<LayerResult>>, Option<LayerError>)>;

/// The memos a network search keeps across its segments: the NoC-hop memo
/// and the layer searches' results.
pub(super) struct Memos {
    /// The NoC-hop memo.
    pub(super) hops: HopCache,
    /// The layer searches' results.
    pub(super) layers: LayerMemo,
}

/// The best schedules ending with `seg`, from the best schedules `prev` of
/// the layers before it (docs/model/pipelining.md#searching-a-segment):
/// for each combination of the segment's constraint values not dominated by
/// one that already gave a schedule, its layers in order, each extending
/// the best partial schedules so far.
pub(super) fn segment_search(
    net: &Network,
    search: &LayerSearch<'_>,
    memos: &mut Memos,
    starts: &[Start],
    seg: &PipelineSegment,
    prev: &[Partial],
    failure: &mut SegmentFailure,
) -> Result<Vec<Partial>, SearchError> {
    if prev.is_empty() {
        return Ok(Vec::new());
    }
    let Memos { hops, layers: memo } = memos;
    let options = search.options;
    if options.compat.inexact_hop_memo() {
        memo.clear();
    }
    let max_overhead = options.pipeline.time_overhead.map(|o| o.get());
    let mut s = SegmentSearch {
        net,
        search,
        starts,
        seg,
        dram: NodeRegion::dram(search.machine.nodes, search.machine.memory),
        fwd: forwarding_regions(seg),
        memo,
        failure,
    };
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
        for (place, id) in seg.segment.layers() {
            let base = combo.constraints[place.0][place.1];
            cur = s.extend_all(&cur, place, id, base, hops)?;
            if cur.is_empty() {
                break;
            }
        }
        if let Some(limit) = max_overhead {
            // The segments before this one passed when they were searched.
            cur.retain(|p| {
                p.last
                    .as_ref()
                    .is_none_or(|s| s.timing.time_overhead() <= limit)
            });
        }
        if !cur.is_empty() {
            frontier.push(combo.hints.clone());
        }
        out.extend(cur);
    }
    let nlayers = net.layers().len();
    sort_keep(
        &mut out,
        options.blocking.goal,
        nlayers,
        options.blocking.ntops,
    );
    Ok(out)
}

/// Where each layer of `seg` that reads a shared or forwarded input reads
/// it from.
fn forwarding_regions(seg: &PipelineSegment) -> FastMap<Place, NodeRegion> {
    let alloc = &seg.alloc;
    let mut fwd: FastMap<Place, NodeRegion> = FastMap::default();
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
    fwd
}

impl SegmentSearch<'_> {
    /// The best `ntops` extensions of the partial schedules `cur` by layer
    /// `id` at `place`, under the combination's constraint `base`.
    fn extend_all(
        &mut self,
        cur: &[Partial],
        place: Place,
        id: LayerId,
        base: LayerConstraint,
        hops: &mut HopCache,
    ) -> Result<Vec<Partial>, SearchError> {
        let o = self.search.options;
        let nlayers = self.net.layers().len();
        let producers: Vec<Place> = self
            .net
            .layer(id)
            .inputs
            .iter()
            .filter_map(|s| match s.source {
                Source::Layer(p) => self.seg.segment.place(p),
                _ => None,
            })
            .collect();
        let mut next: Vec<(RankKey, Partial)> = Vec::new();
        for p in cur {
            let found = self.layer_results(p, place, id, base, hops)?;
            for r in found.iter() {
                if let Some(q) = self.extended(p, r, place, id, &producers)? {
                    next.push((q.key(o.blocking.goal, nlayers), q));
                }
            }
        }
        next.sort_by_key(|k| k.0);
        next.truncate(o.blocking.ntops);
        Ok(next.into_iter().map(|(_, p)| p).collect())
    }

    /// Layer `id`'s results at `place` after the partial schedule `p`:
    /// reading its input where `p` left it (or where the segment forwards
    /// it), under `base` with the lazy rule applied (the ofm factor an
    /// earlier convolution of `p` chose).
    fn layer_results(
        &mut self,
        p: &Partial,
        place: Place,
        id: LayerId,
        base: LayerConstraint,
        hops: &mut HopCache,
    ) -> Result<Arc<Vec<LayerResult>>, SearchError> {
        let net = self.net;
        let mut ifmap = ifmap_layout(net, id, p, &self.starts[p.start])?;
        if let Some(r) = self.fwd.get(&place) {
            ifmap = forwarded(&ifmap, *r)?;
        }
        let mut constraint = base;
        if let Some(conv) = base.lazy_topofm {
            let Some(r) = p.layers.get(conv.index()) else {
                return Err(SearchError::Internal(format!(
                    "`{}` follows `{}`, which is not scheduled yet",
                    net.layer(id).name,
                    net.layer(conv).name
                )));
            };
            constraint.topofm = r.candidate.blocking.factors[0][LoopDim::Ofm];
            constraint.lazy_topofm = None;
        }
        let env = self.env(place, constraint);
        let shape = net.layer(id).shape;
        let key = (shape, env, ifmap);
        if let Some((hit, error)) = self.memo.get(&key) {
            if let Some(e) = error {
                self.failure.error.get_or_insert_with(|| e.clone());
            }
            return Ok(hit.clone());
        }
        let (found, error) = match self.search.schedule_in(&env, &shape, &key.2, hops) {
            Ok(r) => (Arc::new(r), None),
            Err(e) => {
                self.failure.error.get_or_insert_with(|| e.clone());
                (Arc::new(Vec::new()), Some(e))
            }
        };
        self.memo.insert(key, (found.clone(), error));
        Ok(found)
    }

    /// Where the layer at `place` runs and what it reads and writes, under
    /// `constraint`.
    fn env(&self, (sp, tm): Place, constraint: LayerConstraint) -> LayerEnv {
        let alloc = &self.seg.alloc;
        let at = alloc.at((sp, tm));
        LayerEnv {
            proc_region: alloc.regions[sp],
            dst_region: alloc.region(at.dst, self.dram),
            src: home(at.src, sp),
            dst: home(at.dst, sp),
            constraint,
            no_time_mux: alloc.no_time_mux,
        }
    }

    /// The partial schedule `p` with layer `id` at `place` scheduled as
    /// `r`; `None` when its time overflows.
    fn extended(
        &mut self,
        p: &Partial,
        r: &LayerResult,
        (sp, tm): Place,
        id: LayerId,
        producers: &[Place],
    ) -> Result<Option<Partial>, SearchError> {
        let Some(sum_time) = p.sum_time.checked_add(r.time) else {
            self.failure.overflowed = true;
            return Ok(None);
        };
        let mut q = p.clone();
        q.sum_time = sum_time;
        q.sum_cost += r.cost.total;
        q.sum_static += r.cost.static_;
        let st = &r.candidate.stats;
        let b = &r.candidate.blocking;
        let alloc = &self.seg.alloc;
        let timing = LayerTiming {
            place: (sp, tm),
            conv: self.net.layer(id).shape.is_conv(),
            time: r.time,
            node_time: st.proc_time.max(st.bus_time),
            dram_time: st.dram_time,
            num_nodes: alloc.regions[sp].dim().size(),
            top_factors: b.factors[0].0,
            top_order: b.orders[0].0,
        };
        if (sp, tm) == (0, 0) {
            q.push_segment(ScheduledSegment {
                groups: self.seg.segment.groups.clone(),
                regions: alloc.regions.clone(),
                timing: SegmentTiming::new(),
            });
        }
        let Some(last) = q.last.as_mut() else {
            return Err(SearchError::Internal("a segment without a start".into()));
        };
        Arc::make_mut(last)
            .timing
            .add(timing, producers)
            .map_err(|e| SearchError::Internal(e.to_string()))?;
        q.places.set(
            id.index(),
            SchedPlace {
                segment: q.nsegments - 1,
                sp,
                tm,
            },
        );
        q.layers.set(id.index(), Arc::new(r.clone()));
        Ok(Some(q))
    }
}

/// Where layer `id`'s input is: what it reads of its producers' outputs
/// (all channels, or a channel slice), concatenated in order.
fn ifmap_layout(
    net: &Network,
    id: LayerId,
    p: &Partial,
    start: &Start,
) -> Result<DataLayout, SearchError> {
    // A matmul's operand is read as its filter, not as part of its input.
    let layouts = net
        .layer(id)
        .data_inputs()
        .iter()
        .map(|v| source_layout(net, id, *v, p, start))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&DataLayout> = layouts.iter().map(|l| l.as_ref()).collect();
    match refs.as_slice() {
        [one] => Ok((*one).clone()),
        many => DataLayout::concat(many)
            .map_err(|e| SearchError::layer(net, id, LayerError::Inputs(e.to_string()))),
    }
}

/// Where the part `v` of one producer's output that layer `id` reads is.
fn source_layout<'p>(
    net: &Network,
    id: LayerId,
    v: View,
    p: &'p Partial,
    start: &'p Start,
) -> Result<Cow<'p, DataLayout>, SearchError> {
    let mut layout = match v.source {
        Source::Input => Cow::Borrowed(&start.input),
        Source::Extern(i) => start
            .externs
            .get(i as usize)
            .map(Cow::Borrowed)
            .ok_or_else(|| SearchError::Internal(format!("extern input {i} has no layout")))?,
        Source::Layer(src) => match p.layers.get(src.index()) {
            Some(r) => Cow::Borrowed(&r.ofmap_layout),
            // The scheduling order is topological, so producers are done.
            None => {
                return Err(SearchError::Internal(format!(
                    "producer `{}` of `{}` is not scheduled yet (the scheduling order is not topological)",
                    net.layer(src).name,
                    net.layer(id).name
                )));
            }
        },
    };
    // What an upsampling's consumers read: its sub-pixel output shuffled
    // into space, on the same nodes (docs/model/layers.md#upsampling).
    if let Source::Layer(src) = v.source
        && let LayerShape::Conv(c) = net.layer(src).shape
        && c.is_shuffled()
    {
        let shuffled = shuffled(&layout, c.shuffle)
            .map_err(|e| SearchError::layer(net, id, LayerError::Inputs(e)))?;
        layout = Cow::Owned(shuffled);
    }
    // A channel slice: those channels, where they are stored
    // (docs/model/noc.md#channel-slices).
    if let Some(r) = v.channels {
        let sliced = layout
            .channels(r.from, r.to)
            .map_err(|e| SearchError::layer(net, id, LayerError::Inputs(e.to_string())))?;
        layout = Cow::Owned(sliced);
    }
    Ok(layout)
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
