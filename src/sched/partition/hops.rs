//! Per-node data ranges and the unit NoC hops of a partition
//! (docs/model/noc.md): which filters, ifmaps and ofmaps every node works on,
//! and how many word-hops it takes to move each category once between where it
//! is stored and the nodes.

use super::ParallelDim;
use super::arith::{get_ith_range, idivc};
use super::fmap::{FmapPosition, FmapRange, StridedRange};
use super::layout::{DataLayout, prim};
use super::region::{Coord, NodeRegion};
use super::scheme::{PartIndex, PartitionScheme};
use crate::fasthash::Memo;
use crate::ir::{Dim2, LayerShape, LocalShape};
use crate::sched::Compat;
use crate::sched::types::{DataKind, PerData};
use std::sync::Arc;

/// The filters one node needs: input channels `ifm.0..ifm.1` of output
/// channels `ofm.0..ofm.1` (each a full `filter`-sized kernel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FilterRange {
    /// Input channel range `[beg, end)`.
    pub ifm: (u64, u64),
    /// Output channel range `[beg, end)`.
    pub ofm: (u64, u64),
}

/// The data one node works on (docs/model/noc.md#per-node-data-ranges).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeData {
    /// Filters; `None` for local-region layers, which have none.
    pub filter: Option<FilterRange>,
    /// Input data read, in the layer's own (padded) ifmap coordinates.
    pub ifmap: StridedRange,
    /// Output data produced.
    pub ofmap: FmapRange,
}

/// The nodes filters are read from: the distinct nodes of the DRAM region,
/// sorted. Build it once per search; cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FilterSources(Arc<[Coord]>);

impl FilterSources {
    /// The distinct nodes of `dram` (corners of a 1-wide array coincide).
    pub fn from_region(dram: &NodeRegion) -> Self {
        FilterSources::new(dram.iter_nodes().collect())
    }

    /// The distinct nodes among `nodes`.
    pub fn new(mut nodes: Vec<Coord>) -> Self {
        nodes.sort_unstable();
        nodes.dedup();
        FilterSources(nodes.into())
    }

    /// The nodes, sorted.
    pub fn nodes(&self) -> &[Coord] {
        &self.0
    }

    /// Hops from `c` to the nearest source (0 when there is none).
    fn dist(&self, c: Coord) -> u64 {
        self.0.iter().map(|s| s.hop_dist(c)).min().unwrap_or(0)
    }
}

/// Everything the unit hops of one partition depend on (docs/model/noc.md#unit-hops).
#[derive(Clone, Copy, Debug)]
pub struct HopQuery<'a> {
    /// The (whole) layer.
    pub layer: LayerShape,
    /// The batch size.
    pub batch: u64,
    /// The processing nodes the layer runs on.
    pub proc_region: NodeRegion,
    /// How the layer is split over them.
    pub part: PartitionScheme,
    /// Where filters are read from.
    pub fil_sources: &'a FilterSources,
    /// Where the layer's input is stored.
    pub ifmap_layout: &'a DataLayout,
    /// Where the layer's output goes.
    pub ofmap_layout: &'a DataLayout,
    /// Access forwarding (the reference's `hw_access_forwarding` or
    /// `hw_gbuf_sharing`): nodes needing the same data read it once and pass
    /// it on.
    pub forwarding: bool,
}

/// The data the node with partition index `pidx` works on (docs/model/noc.md#per-node-data-ranges).
///
/// Local-region input channels: in [`Compat::NnDataflow`] an LRN-style window
/// `[n0 - nreg/2, n1 + nreg - nreg/2)` around the output channels, clipped to
/// the input (docs/compat.md#pool_eltwise_hop_window: pooling reads one extra channel, an eltwise
/// a window of the concatenated operands). nnc reads the channels actually
/// used: `[n0, n1)` for pooling; the same channels of each of the `ntrd`
/// concatenated operands for an eltwise; the window for LRN-like layers
/// (`nreg > 1`, `ntrd = 1`), where it is right.
pub fn proc_data_range(
    layer: &LayerShape,
    batch: u64,
    part: &PartitionScheme,
    pidx: &PartIndex,
    compat: Compat,
) -> NodeData {
    let ofmap = layer.ofmap();
    let full = FmapRange::full(batch, layer.nofm(), ofmap.h, ofmap.w);
    let orng = part.fmap_range(&full, pidx);
    let (b, e) = (orng.beg, orng.end);
    let (stride, window) = (layer.stride(), layer.window());
    let in_span = |o0: u64, o1: u64, s: u64, k: u64| {
        let beg = o0 * s;
        let end = if o1 == 0 { 0 } else { (o1 - 1) * s + k };
        (beg, beg.max(end))
    };
    let (h0, h1) = in_span(b.h, e.h, stride.h, window.h);
    let (w0, w1) = in_span(b.w, e.w, stride.w, window.w);
    let spatial = |n0: u64, n1: u64| FmapRange {
        beg: FmapPosition::new(b.b, n0, h0, w0),
        end: FmapPosition::new(e.b, n1, h1, w1),
    };
    match layer {
        LayerShape::Conv(c) => {
            let inpp = part.pdim(ParallelDim::Inpp).size();
            let chn = get_ith_range((0, c.nifm), part.flat_index(ParallelDim::Inpp, pidx), inpp);
            NodeData {
                filter: Some(FilterRange {
                    ifm: chn,
                    ofm: (b.n, e.n),
                }),
                ifmap: spatial(chn.0, chn.1).into(),
                ofmap: orng,
            }
        }
        LayerShape::Local(l) => {
            let ifmap = local_channels(l, b.n, e.n, compat, spatial);
            NodeData {
                filter: None,
                ifmap,
                ofmap: orng,
            }
        }
    }
}

/// Input channels a local-region node reads for output channels `[n0, n1)`.
fn local_channels(
    l: &LocalShape,
    n0: u64,
    n1: u64,
    compat: Compat,
    spatial: impl Fn(u64, u64) -> FmapRange,
) -> StridedRange {
    let nifm = l.nofm * l.ntrd;
    let window = || {
        let half = l.nreg / 2;
        spatial(n0.saturating_sub(half), nifm.min(n1 + l.nreg - half)).into()
    };
    if compat.pool_eltwise_hop_window() {
        window()
    } else if l.ntrd > 1 {
        StridedRange {
            first: spatial(n0, n1),
            copies: l.ntrd,
            n_step: l.nofm,
        }
    } else if l.nreg == 1 {
        spatial(n0, n1).into()
    } else {
        window()
    }
}

/// Nodes grouped by the data they need: per distinct range, the nodes in
/// partition-index order (docs/model/noc.md#unit-hops).
#[derive(Debug, Default)]
pub(crate) struct Groups {
    pub(crate) fil: Vec<(FilterRange, Vec<Coord>)>,
    pub(crate) ifm: Vec<(StridedRange, Vec<Coord>)>,
    pub(crate) ofm: Vec<(FmapRange, Vec<Coord>)>,
}

fn add_to<R: PartialEq>(groups: &mut Vec<(R, Vec<Coord>)>, key: R, node: Coord) {
    match groups.iter_mut().find(|(k, _)| *k == key) {
        Some((_, nodes)) => nodes.push(node),
        None => groups.push((key, vec![node])),
    }
}

impl Groups {
    /// Groups the nodes of `q`'s partition, skipping nodes with no work.
    pub(crate) fn of(q: &HopQuery<'_>, compat: Compat) -> Groups {
        let mut g = Groups::default();
        for pidx in q.part.pidxs() {
            let d = proc_data_range(&q.layer, q.batch, &q.part, &pidx, compat);
            if d.ifmap.is_empty() || d.ofmap.is_empty() {
                continue;
            }
            let node = q.part.coordinate(&q.proc_region, &pidx);
            if let Some(f) = d.filter.filter(|f| f.ifm.1 > f.ifm.0 && f.ofm.1 > f.ofm.0) {
                add_to(&mut g.fil, f, node);
            }
            add_to(&mut g.ifm, d.ifmap, node);
            add_to(&mut g.ofm, d.ofmap, node);
        }
        g
    }
}

/// Filter hops (docs/model/noc.md#filters): each group's filters go from the nearest source to
/// every node, or with forwarding along a spanning tree rooted at the sources.
pub(crate) fn fil_hops(
    layer: &LayerShape,
    sources: &FilterSources,
    groups: &[(FilterRange, Vec<Coord>)],
    forwarding: bool,
) -> u64 {
    let kernel = match layer {
        LayerShape::Conv(c) => c.filter,
        LayerShape::Local(_) => Dim2::default(),
    };
    let mut total = 0;
    for (f, nodes) in groups {
        let size = (f.ifm.1 - f.ifm.0) * (f.ofm.1 - f.ofm.0) * kernel.size();
        let hops = if forwarding {
            let mut best: Vec<u64> = nodes.iter().map(|&n| sources.dist(n)).collect();
            prim(nodes, &mut best)
        } else {
            nodes.iter().map(|&n| sources.dist(n)).sum()
        };
        total += size * hops;
    }
    total
}

/// Ifmap hops (docs/model/noc.md#ifmaps): each group reads its range from the ifmap layout.
pub(crate) fn ifm_hops(
    layout: &DataLayout,
    groups: &[(StridedRange, Vec<Coord>)],
    forwarding: bool,
) -> u64 {
    groups
        .iter()
        .map(|(r, nodes)| layout.nhops_to_set(r, nodes, forwarding))
        .sum()
}

/// Ofmap hops (docs/model/noc.md#ofmaps): the nodes of a group (which differ only in INPP) hold
/// partial sums of one range; one node reads and writes the range, the others
/// send it their partial sums (half-sized on average: read and write).
pub(crate) fn ofm_hops(
    layout: &DataLayout,
    groups: &[(FmapRange, Vec<Coord>)],
    forwarding: bool,
) -> u64 {
    let mut total = 0;
    for (r, nodes) in groups {
        let set = StridedRange::from(*r);
        if forwarding {
            let read = layout.nearest_nhops(&set, nodes);
            let accum = layout.nhops_to_set(&set, nodes, true);
            total += idivc(read + accum, 2);
        } else {
            let mid = nodes.len() / 2;
            let m = nodes[mid];
            total += layout.nhops_to_node(&set, m);
            total += nodes
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != mid)
                .map(|(_, &n)| idivc(r.size() * n.hop_dist(m), 2))
                .sum::<u64>();
        }
    }
    total
}

/// Word-hops to move each category once between its storage and the nodes of
/// the partition, `[FIL, IFM, OFM]` (docs/model/noc.md#unit-hops), computed
/// exactly, without a memo. OFM hops are 0 when the ofmap layout is the
/// partition itself on the processing region (the output stays where it is
/// computed).
///
/// In [`Compat::NnDataflow`] the search must go through
/// [`HopCache::unit_nhops`](super::HopCache::unit_nhops) instead, which
/// reproduces the reference's memo.
pub fn unit_nhops(q: &HopQuery<'_>, compat: Compat) -> PerData<u64> {
    unit_nhops_of(q, &Groups::of(q, compat))
}

/// [`unit_nhops`] with the groups of `q`'s partition already made.
fn unit_nhops_of(q: &HopQuery<'_>, g: &Groups) -> PerData<u64> {
    let mut hops = PerData([0; 3]);
    hops[DataKind::Fil] = fil_hops(&q.layer, q.fil_sources, &g.fil, q.forwarding);
    hops[DataKind::Ifm] = ifm_hops(q.ifmap_layout, &g.ifm, q.forwarding);
    if !q.ofmap_layout.is_local_partition(&q.proc_region, &q.part) {
        hops[DataKind::Ofm] = ofm_hops(q.ofmap_layout, &g.ofm, q.forwarding);
    }
    hops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ConvShape;
    use crate::sched::partition::ParallelDim::{Batp, Inpp, Ofmp, Outp};
    use crate::sched::partition::PerDim;

    fn d(h: u64, w: u64) -> Dim2 {
        Dim2::new(h, w)
    }

    #[test]
    fn conv_ranges_cover_the_window() {
        let conv = LayerShape::Conv(ConvShape::dense(4, 8, d(4, 4), d(3, 3), d(2, 2)));
        let part = PartitionScheme::new(
            [Outp, Ofmp, Batp, Inpp],
            [d(1, 1), d(2, 2), d(1, 1), d(1, 1)],
        )
        .expect("valid");
        let pidx = PerDim([d(0, 0), d(1, 0), d(0, 0), d(0, 0)]);
        let nd = proc_data_range(&conv, 2, &part, &pidx, Compat::NnDataflow);
        assert_eq!(
            nd.ofmap,
            FmapRange::new(FmapPosition::new(0, 0, 2, 0), FmapPosition::new(2, 8, 4, 2))
        );
        // Rows 2..4 of the ofmap read rows 4..9 of the 9x9 input.
        assert_eq!(nd.ifmap.first.beg, FmapPosition::new(0, 0, 4, 0));
        assert_eq!(nd.ifmap.first.end, FmapPosition::new(2, 4, 9, 5));
        assert_eq!(
            nd.filter,
            Some(FilterRange {
                ifm: (0, 4),
                ofm: (0, 8)
            })
        );
    }

    #[test]
    fn local_channel_windows_by_model() {
        let pool = LocalShape::pool(16, d(4, 4), d(2, 2), d(2, 2));
        let elt = LocalShape::eltwise(8, d(4, 4), 2);
        let f = |n0, n1| {
            FmapRange::new(
                FmapPosition::new(0, n0, 0, 0),
                FmapPosition::new(1, n1, 1, 1),
            )
        };
        let win = |l: &LocalShape, n0, n1, c| local_channels(l, n0, n1, c, f);
        assert_eq!(win(&pool, 4, 8, Compat::NnDataflow), f(4, 9).into());
        assert_eq!(win(&pool, 12, 16, Compat::NnDataflow), f(12, 16).into());
        assert_eq!(win(&pool, 4, 8, Compat::Nnc), f(4, 8).into());
        assert_eq!(win(&elt, 0, 8, Compat::NnDataflow), f(0, 9).into());
        assert_eq!(win(&elt, 2, 5, Compat::NnDataflow), f(1, 6).into());
        let nnc = win(&elt, 2, 5, Compat::Nnc);
        assert_eq!(nnc.boxes().collect::<Vec<_>>(), [f(2, 5), f(10, 13)]);
        // An LRN-like layer keeps its window in both models.
        let lrn = LocalShape {
            nreg: 5,
            ..LocalShape::pool(16, d(4, 4), d(1, 1), d(1, 1))
        };
        assert_eq!(win(&lrn, 4, 8, Compat::Nnc), f(2, 11).into());
        assert_eq!(win(&lrn, 4, 8, Compat::NnDataflow), f(2, 11).into());
    }

    #[test]
    fn filter_sources_deduplicate() {
        let s = FilterSources::from_region(&NodeRegion::dram(
            d(1, 1),
            crate::sched::machine::MemType::TwoD,
        ));
        assert_eq!(s.nodes(), [Coord::new(0, 0)]);
        assert_eq!(s.dist(Coord::new(2, 3)), 5);
    }
}

/// What the node groups of a partition depend on: the layer, the batch,
/// the region and the partition (not where data are stored).
type GroupsKey = (LayerShape, u64, NodeRegion, PartitionScheme);

/// The node groups of the partitions a search has priced: a layer is
/// priced from many input layouts and in many segments, over the same
/// partitions of the same region, and grouping its nodes by the data they
/// need is most of the work of its unit hops.
#[derive(Debug, Default)]
pub(crate) struct GroupsMemo(Memo<GroupsKey, Arc<Groups>>);

impl GroupsMemo {
    /// [`unit_nhops`], with `q`'s groups made once.
    pub(crate) fn unit_nhops(&self, q: &HopQuery<'_>, compat: Compat) -> PerData<u64> {
        let key = (q.layer, q.batch, q.proc_region, q.part);
        let groups = self.0.get_or(key, || Arc::new(Groups::of(q, compat)));
        unit_nhops_of(q, &groups)
    }
}
