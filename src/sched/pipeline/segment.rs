//! Segments: runs of layers scheduled together, and their dependency rules
//! (docs/model/pipelining.md#segments, docs/model/pipelining.md#dependencies).

use crate::ir::{ChannelRange, LayerId, Network, Source};
use crate::sched::partition::NodeRegion;

/// A segment: spatial groups, each a run of layers executed one after
/// another on one subregion; the groups run concurrently. A layer's place
/// is `(sp, tm)`: its group and its position in the group.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    /// The spatial groups, each its layers in temporal order.
    pub groups: Vec<Vec<LayerId>>,
}

/// A layer's place in a segment: (spatial group, temporal index).
pub(crate) type Place = (usize, usize);

impl Segment {
    /// The segment of one layer alone on the whole array.
    pub fn single(l: LayerId) -> Self {
        Segment {
            groups: vec![vec![l]],
        }
    }

    /// Where `l` is in the segment.
    pub fn place(&self, l: LayerId) -> Option<Place> {
        self.groups
            .iter()
            .enumerate()
            .find_map(|(sp, g)| g.iter().position(|&x| x == l).map(|tm| (sp, tm)))
    }

    /// The layer at `p`.
    pub fn at(&self, p: Place) -> LayerId {
        self.groups[p.0][p.1]
    }

    /// The layers in segment order (groups in order, layers in order) with
    /// their places.
    pub fn layers(&self) -> impl Iterator<Item = (Place, LayerId)> + '_ {
        self.groups
            .iter()
            .enumerate()
            .flat_map(|(sp, g)| g.iter().enumerate().map(move |(tm, &l)| ((sp, tm), l)))
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.groups.iter().map(Vec::len).sum()
    }

    /// Does it hold no layer?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The last layer of the last group.
    pub fn last(&self) -> Option<LayerId> {
        self.groups.last().and_then(|g| g.last()).copied()
    }

    /// The first layer of the first group.
    pub fn first(&self) -> Option<LayerId> {
        self.groups.first().and_then(|g| g.first()).copied()
    }
}

/// Where a layer of a segment reads its input from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// Memory: producers outside the segment (or the network input).
    Memory,
    /// The last layer of an earlier group.
    Neighbour(Place),
    /// Only the previous layer of its own group.
    Local,
}

/// How one layer of a segment is connected (docs/model/pipelining.md#dependencies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerDeps {
    /// Where its input comes from.
    pub src: Src,
    /// Does any consumer sit outside the segment (or is it a network
    /// output)?
    pub dst_memory: bool,
    /// Consumers in other groups.
    pub neighbour_consumers: Vec<Place>,
    /// The consumer in its own group (the next layer), if any.
    pub local_consumer: Option<Place>,
    /// Does it have a producer in the segment?
    pub onchip_producer: bool,
}

/// The connections of a valid segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deps {
    /// Per group, per layer.
    pub layers: Vec<Vec<LayerDeps>>,
    /// Shared memory sources: layers at `tm = 0` reading the same producers
    /// from memory, in segment order; the first fetches for the others.
    pub ifm_fwd: Vec<Vec<Place>>,
    /// Layers whose output goes to memory and on chip: the producer and the
    /// on-chip consumers it forwards to.
    pub ofm_fwd: Vec<(Place, Vec<Place>)>,
}

impl Deps {
    /// The deps of the layer at `p`.
    pub fn at(&self, p: Place) -> &LayerDeps {
        &self.layers[p.0][p.1]
    }
}

/// A segment's largest allowed time overhead
/// (docs/model/pipelining.md#segment-timing): a non-negative number, `inf`
/// allowed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeOverhead(f64);

impl TimeOverhead {
    /// The overhead `x`, unless it is negative or NaN.
    pub fn new(x: f64) -> Option<Self> {
        (x >= 0.0).then_some(TimeOverhead(x))
    }

    /// The number.
    pub const fn get(self) -> f64 {
        self.0
    }
}

// Never NaN (checked by `new`), so equality is an equivalence.
impl Eq for TimeOverhead {}

impl std::hash::Hash for TimeOverhead {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

/// The pipelining options of a search (the reference's
/// `partition_interlayer`, `hw_gbuf_save_writeback`, `layer_pipeline_opt`,
/// `layer_pipeline_max_degree`, `layer_pipeline_time_ovhd`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct PipelineOptions {
    /// Spatial segments (`--interlayer`).
    pub spatial: bool,
    /// Temporal segments (`--save-writeback`).
    pub temporal: bool,
    /// The basic rules (`--basic-interlayer`).
    pub basic: bool,
    /// At most this many DAG vertices per segment (`None`: no limit).
    pub max_degree: Option<u64>,
    /// At most this time overhead per segment (`None`: no limit).
    pub time_overhead: Option<TimeOverhead>,
}

impl PipelineOptions {
    /// Are multi-layer segments possible at all?
    pub const fn enabled(&self) -> bool {
        self.spatial || self.temporal
    }
}

fn producers(net: &Network, l: LayerId) -> Vec<Option<LayerId>> {
    net.sources(l)
        .map(|s| match s {
            Source::Layer(p) => Some(p),
            Source::Input | Source::Extern(_) => None,
        })
        .collect()
}

/// The dependency rules (docs/model/pipelining.md#dependencies): the connections of `seg`, or why not.
pub(crate) fn deps(net: &Network, seg: &Segment, basic: bool) -> Option<Deps> {
    let mut layers: Vec<Vec<LayerDeps>> = Vec::with_capacity(seg.groups.len());
    for (sp, g) in seg.groups.iter().enumerate() {
        let mut group_deps = Vec::with_capacity(g.len());
        let mut has_neighbour_src = false;
        for (tm, &l) in g.iter().enumerate() {
            let d = layer_deps(net, seg, basic, (sp, tm), l, &mut has_neighbour_src)?;
            group_deps.push(d);
        }
        layers.push(group_deps);
    }
    let ifm_fwd = shared_sources(net, seg);
    let ofm_fwd = forwarded_outputs(seg, &layers);
    Some(Deps {
        layers,
        ifm_fwd,
        ofm_fwd,
    })
}

/// How layer `l` at `(sp, tm)` is connected, or `None` when it breaks a
/// rule; `has_neighbour_src` says whether an earlier layer of its group
/// reads a neighbour (a group has at most one such source).
fn layer_deps(
    net: &Network,
    seg: &Segment,
    basic: bool,
    (sp, tm): Place,
    l: LayerId,
    has_neighbour_src: &mut bool,
) -> Option<LayerDeps> {
    let g = &seg.groups[sp];
    let (mut mem_p, mut local_p, mut nbr_p) = (false, 0usize, Vec::new());
    for p in producers(net, l) {
        match p.and_then(|p| seg.place(p)) {
            None => mem_p = true,
            Some((psp, ptm)) if psp == sp => {
                // Local producers are the previous layer (asserted by
                // the reference; the dependency rules make it so).
                if ptm + 1 != tm {
                    return None;
                }
                local_p += 1;
            }
            Some(pp) => nbr_p.push(pp),
        }
    }
    let consumers = net.consumers(l);
    let mut mem_c = consumers.is_empty();
    let (mut local_c, mut nbr_c) = (Vec::new(), Vec::new());
    for c in consumers {
        match seg.place(c) {
            None => mem_c = true,
            Some((csp, ctm)) if csp == sp => local_c.push((csp, ctm)),
            Some(cp) => nbr_c.push(cp),
        }
    }
    if mem_p && !nbr_p.is_empty() {
        return None;
    }
    if !nbr_p.is_empty() {
        if *has_neighbour_src {
            return None;
        }
        *has_neighbour_src = true;
    }
    if tm + 1 < g.len() && local_c.is_empty() {
        return None;
    }
    if !local_c.is_empty() && local_c != [(sp, tm + 1)] {
        return None;
    }
    let onchip_p = local_p + nbr_p.len();
    if basic
        && (onchip_p > 1
            || local_c.len() + nbr_c.len() > 1
            || ((sp, tm) != (0, 0) && onchip_p == 0))
    {
        return None;
    }
    let src = match nbr_p.as_slice() {
        [] if mem_p => Src::Memory,
        [] => Src::Local,
        [one] => {
            // Neighbour producers are the last layer of an earlier
            // group (asserted by the reference).
            if one.0 >= sp || one.1 + 1 != seg.groups[one.0].len() {
                return None;
            }
            Src::Neighbour(*one)
        }
        // Several neighbour producers in one layer: two sources.
        _ => return None,
    };
    Some(LayerDeps {
        src,
        dst_memory: mem_c,
        neighbour_consumers: nbr_c,
        local_consumer: local_c.first().copied(),
        onchip_producer: onchip_p > 0,
    })
}

/// Shared memory sources: first layers of groups reading only memory,
/// grouped by identical producer tuples, in segment order; only groups of
/// several.
fn shared_sources(net: &Network, seg: &Segment) -> Vec<Vec<Place>> {
    type Key = Vec<(Option<LayerId>, Option<ChannelRange>)>;
    let mut ifm_fwd: Vec<(Key, Vec<Place>)> = Vec::new();
    for (sp, g) in seg.groups.iter().enumerate() {
        let l = g[0];
        let ps = producers(net, l);
        // Identical sources: the same producers, and the same channels of
        // each (docs/model/layers.md#channel-slices).
        let key: Key = ps
            .iter()
            .zip(&net.layer(l).inputs)
            .map(|(&p, v)| (p, v.channels))
            .collect();
        if ps.iter().all(|p| p.is_none_or(|p| seg.place(p).is_none())) {
            match ifm_fwd.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push((sp, 0)),
                None => ifm_fwd.push((key, vec![(sp, 0)])),
            }
        }
    }
    ifm_fwd
        .into_iter()
        .map(|(_, v)| v)
        .filter(|v| v.len() > 1)
        .collect()
}

/// Layers whose output goes to memory and on chip, with the on-chip
/// consumers they forward it to.
fn forwarded_outputs(seg: &Segment, layers: &[Vec<LayerDeps>]) -> Vec<(Place, Vec<Place>)> {
    let mut ofm_fwd = Vec::new();
    for (p, _) in seg.layers() {
        let d = &layers[p.0][p.1];
        if d.dst_memory {
            if !d.neighbour_consumers.is_empty() {
                ofm_fwd.push((p, d.neighbour_consumers.clone()));
            } else if let Some(c) = d.local_consumer {
                ofm_fwd.push((p, vec![c]));
            }
        }
    }
    ofm_fwd
}

/// What segment generation needs of the machine and the search.
#[derive(Clone, Copy, Debug)]
pub struct SegmentContext<'a> {
    /// The network.
    pub net: &'a Network,
    /// The whole processing region.
    pub proc_region: NodeRegion,
    /// One node's global buffer, in words.
    pub size_gbuf: u64,
    /// Samples per batch.
    pub batch: u64,
    /// The pipelining options.
    pub options: PipelineOptions,
}
