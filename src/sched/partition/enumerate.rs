//! Which partition schemes the search tries for a layer, and in which order
//! (docs/model/partitioning.md#naive-and-hybrid-enumeration). The order is part
//! of the model: ties between equally good schemes keep the first generated.

use super::arith::approx_dividable;
use super::scheme::PartitionScheme;
use super::{ParallelDim, PerDim};
use crate::ir::{Dim2, LayerShape};
use crate::sched::Compat;
use crate::sched::model::factor::ordered_factors as factorize;

/// What is being partitioned: a layer, or the network input (or an extern
/// input), which has only an output side and is partitioned to choose how the
/// input data are laid out in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartTarget {
    /// A conv/fc or local-region (pool, eltwise) layer.
    Layer(LayerShape),
    /// The network input or an extern input: `nofm` channels of `ofmap` size.
    Input {
        /// Channels.
        nofm: u64,
        /// Fmap size.
        ofmap: Dim2,
    },
}

impl PartTarget {
    fn nofm(&self) -> u64 {
        match self {
            PartTarget::Layer(l) => l.nofm(),
            PartTarget::Input { nofm, .. } => *nofm,
        }
    }

    fn ofmap(&self) -> Dim2 {
        match self {
            PartTarget::Layer(l) => l.ofmap(),
            PartTarget::Input { ofmap, .. } => *ofmap,
        }
    }
}

/// How the search may split layers over the nodes (the reference's
/// `partition_hybrid`, `partition_batch` and `partition_ifmaps`), as a value
/// that cannot ask for a forbidden combination: input channels (INPP) are
/// only ever split by hybrid partitioning. Batch partitioning (BATP) exists
/// in both kinds; it only applies where the batch is a multiple of the
/// split, and a batch of 1 is never split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Partitioning {
    /// One dimension per layer kind: ofmap tiles (OFMP), or output channels
    /// (OUTP) for fc-like layers whose ofmap is 1x1.
    Naive {
        /// Also split the batch (BATP).
        batch: bool,
    },
    /// Any mix of output channels, ofmap tiles, the batch and input
    /// channels, each roughly divisible by its split.
    Hybrid {
        /// Also split the batch (BATP).
        batch: bool,
        /// Also split input channels (INPP), with partial sums reduced
        /// across nodes.
        ifmaps: bool,
    },
}

/// The kind of a [`Partitioning`], as written in schedule files (`naive`,
/// `hybrid`) and given to `--partition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartitionKind {
    /// [`Partitioning::Naive`].
    Naive,
    /// [`Partitioning::Hybrid`].
    Hybrid,
}

impl PartitionKind {
    /// The lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            PartitionKind::Naive => "naive",
            PartitionKind::Hybrid => "hybrid",
        }
    }
}

impl std::fmt::Display for PartitionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Default for Partitioning {
    /// Naive, without batch partitioning (the reference's default).
    fn default() -> Self {
        Partitioning::Naive { batch: false }
    }
}

/// The reference's three partitioning flags ask for input-channel
/// partitioning without hybrid partitioning, which naive partitioning never
/// does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "input-channel (ifmap) partitioning needs hybrid partitioning: naive partitioning never splits input channels"
)]
pub struct IfmapsWithoutHybrid;

impl Partitioning {
    /// From the reference's three flags (`partition_hybrid`,
    /// `partition_batch`, `partition_ifmaps`); fails on ifmap partitioning
    /// without hybrid.
    pub const fn from_flags(
        hybrid: bool,
        batch: bool,
        ifmaps: bool,
    ) -> Result<Self, IfmapsWithoutHybrid> {
        match (hybrid, ifmaps) {
            (true, _) => Ok(Partitioning::Hybrid { batch, ifmaps }),
            (false, false) => Ok(Partitioning::Naive { batch }),
            (false, true) => Err(IfmapsWithoutHybrid),
        }
    }

    /// Naive or hybrid.
    pub const fn kind(self) -> PartitionKind {
        match self {
            Partitioning::Naive { .. } => PartitionKind::Naive,
            Partitioning::Hybrid { .. } => PartitionKind::Hybrid,
        }
    }

    /// May the batch be split?
    pub const fn splits_batch(self) -> bool {
        match self {
            Partitioning::Naive { batch } | Partitioning::Hybrid { batch, .. } => batch,
        }
    }

    /// May input channels be split?
    pub const fn splits_ifmaps(self) -> bool {
        matches!(self, Partitioning::Hybrid { ifmaps: true, .. })
    }
}

/// The 24 permutations of the four dimensions in lexicographic order.
fn orders() -> impl Iterator<Item = [ParallelDim; 4]> {
    let all = ParallelDim::ALL;
    all.into_iter().flat_map(move |a| {
        all.into_iter().flat_map(move |b| {
            all.into_iter().flat_map(move |c| {
                all.into_iter().filter_map(move |d| {
                    let o = [a, b, c, d];
                    let distinct = (0..4).all(|i| (i + 1..4).all(|j| o[i] != o[j]));
                    distinct.then_some(o)
                })
            })
        })
    })
}

/// Does the candidate `pdims` pass the per-candidate rules
/// (docs/model/partitioning.md#naive-and-hybrid-enumeration rules 1-4)?
fn accept_pdims(
    target: &PartTarget,
    batch: u64,
    nodes: Dim2,
    opts: Partitioning,
    pdims: &PerDim<Dim2>,
) -> bool {
    use ParallelDim::{Batp, Inpp, Ofmp, Outp};
    let size = |p: ParallelDim| pdims[p].size();

    // 1. Batch.
    if (!opts.splits_batch() && size(Batp) != 1) || !batch.is_multiple_of(size(Batp)) {
        return false;
    }
    // 2. Fill one node dimension first (OFMP excepted).
    let fills_both = |p: ParallelDim| {
        let d = pdims[p];
        1 < d.h && d.h < nodes.h && 1 < d.w && d.w < nodes.w
    };
    if [Outp, Batp, Inpp].into_iter().any(fills_both) {
        return false;
    }
    // 3. Hybrid or naive.
    let (nofm, ofmap) = (target.nofm(), target.ofmap());
    if let Partitioning::Hybrid { ifmaps, .. } = opts {
        let ofmp = pdims[Ofmp];
        if !approx_dividable(nofm, size(Outp))
            || !approx_dividable(ofmap.h, ofmp.h)
            || !approx_dividable(ofmap.w, ofmp.w)
        {
            return false;
        }
        if !ifmaps && size(Inpp) != 1 {
            return false;
        }
        match target {
            PartTarget::Layer(LayerShape::Conv(c)) => {
                if !approx_dividable(c.nifm, size(Inpp)) {
                    return false;
                }
            }
            PartTarget::Layer(LayerShape::Local(_)) => {
                if size(Inpp) != 1 {
                    return false;
                }
            }
            PartTarget::Input { .. } => {}
        }
    } else {
        // Naive partitioning has no divisibility test, in both models
        // (docs/compat.md#known_limitations).
        if size(Inpp) != 1 {
            return false;
        }
        let fc_like = ofmap.h == 1 && ofmap.w == 1;
        if (fc_like && size(Ofmp) != 1) || (!fc_like && size(Outp) != 1) {
            return false;
        }
    }
    // 4. Transposes of an all-1-D split are the same scheme: keep one.
    if size(Ofmp) == 1 && pdims.0.iter().all(|d| d.h == 1 || d.w == 1) {
        let hs = pdims.0.map(|d| d.h);
        let ws = pdims.0.map(|d| d.w);
        if hs > ws {
            return false;
        }
    }
    true
}

/// Does `order` pass the order rules for the accepted `pdims`
/// (docs/model/partitioning.md#naive-and-hybrid-enumeration)?
fn accept_order(order: &[ParallelDim; 4], pdims: &PerDim<Dim2>) -> bool {
    let size = |p: ParallelDim| pdims[p].size();
    for pair in order.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        // Trivial levels come first, in enum order.
        if size(a) == 1 && size(b) == 1 && a > b {
            return false;
        }
        if size(a) > 1 && size(b) == 1 {
            return false;
        }
        // Two 1-D levels along different axes commute: keep one order.
        let (da, db) = (pdims[a], pdims[b]);
        if a != ParallelDim::Batp && db.h == 1 && db.w > 1 && da.h > 1 && da.w == 1 {
            return false;
        }
    }
    // Batch is the topmost non-trivial level.
    if size(ParallelDim::Batp) > 1 {
        let trivial = ParallelDim::ALL.iter().filter(|&&p| size(p) == 1).count();
        if order[trivial] != ParallelDim::Batp {
            return false;
        }
    }
    true
}

/// The partition schemes of `target` with batch `batch` over `nodes`, in the
/// reference's order (docs/model/partitioning.md#naive-and-hybrid-enumeration):
/// factor candidates with the height factors in the outer loop, then the 24
/// orders lexicographically, each filtered by the reference's pruning rules.
/// With `guaranteed`, an empty result is replaced by one fallback scheme (OFMP
/// over all nodes, or OUTP for fc-like shapes). Empty when `nodes` has no node.
pub fn gen_partition(
    target: &PartTarget,
    batch: u64,
    nodes: Dim2,
    opts: Partitioning,
    guaranteed: bool,
) -> Vec<PartitionScheme> {
    let mut out = Vec::new();
    if nodes.size() == 0 {
        return out;
    }
    let hs = factorize(nodes.h, 4);
    let ws = factorize(nodes.w, 4);
    for ph in &hs {
        for pw in &ws {
            let pdims = PerDim([0, 1, 2, 3].map(|i| Dim2::new(ph[i], pw[i])));
            if !accept_pdims(target, batch, nodes, opts, &pdims) {
                continue;
            }
            for order in orders() {
                if accept_order(&order, &pdims) {
                    // Factors are positive and the order a permutation.
                    if let Ok(s) = PartitionScheme::new(order, pdims.0) {
                        out.push(s);
                    }
                }
            }
        }
    }
    if guaranteed && out.is_empty() {
        out.extend(fallback(target, nodes));
    }
    out
}

/// The one scheme tried when no candidate passes the rules: OFMP over all
/// nodes, or OUTP for fc-like shapes.
fn fallback(target: &PartTarget, nodes: Dim2) -> Option<PartitionScheme> {
    use ParallelDim::{Batp, Inpp, Ofmp, Outp};
    let ofmap = target.ofmap();
    let mut pdims = PerDim([Dim2::square(1); 4]);
    let p = if ofmap.h == 1 && ofmap.w == 1 {
        Outp
    } else {
        Ofmp
    };
    pdims[p] = nodes;
    // Factors are positive and the order a permutation.
    PartitionScheme::new([Outp, Ofmp, Batp, Inpp], pdims.0).ok()
}

/// The partition schemes the layer search tries in the model `compat`
/// (docs/model/partitioning.md#hybrid-as-a-superset-of-naive): the
/// reference's list ([`gen_partition`]), except that in nnc's model hybrid
/// partitioning also tries every scheme naive partitioning (with the same
/// batch option) would, so that it is never worse than naive: first the
/// reference's hybrid schemes in their order, then the naive schemes not
/// among them in naive's order. The fallback scheme only when both are
/// empty.
pub(crate) fn partition_candidates(
    target: &PartTarget,
    batch: u64,
    nodes: Dim2,
    opts: Partitioning,
    guaranteed: bool,
    compat: Compat,
) -> Vec<PartitionScheme> {
    if !matches!(opts, Partitioning::Hybrid { .. }) || compat.hybrid_drops_naive_split() {
        return gen_partition(target, batch, nodes, opts, guaranteed);
    }
    let mut out = gen_partition(target, batch, nodes, opts, false);
    let naive = Partitioning::Naive {
        batch: opts.splits_batch(),
    };
    for s in gen_partition(target, batch, nodes, naive, false) {
        // Lists are short (tens of schemes): a linear scan keeps the order.
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if guaranteed && out.is_empty() {
        out.extend(fallback(target, nodes));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ConvShape;

    #[test]
    fn orders_are_lexicographic_permutations() {
        let all: Vec<_> = orders().map(|o| o.map(ParallelDim::index)).collect();
        assert_eq!(all.len(), 24);
        assert_eq!(all[0], [0, 1, 2, 3]);
        assert_eq!(all[1], [0, 1, 3, 2]);
        assert_eq!(all[23], [3, 2, 1, 0]);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn naive_conv_is_ofmp_only() {
        let conv = PartTarget::Layer(crate::sched::dataflow::square_conv(8, 16, 8, 3));
        let s = gen_partition(&conv, 4, Dim2::square(2), Partitioning::default(), false);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].pdim(ParallelDim::Ofmp), Dim2::square(2));
        assert!(gen_partition(&conv, 4, Dim2::new(0, 2), Partitioning::default(), true).is_empty());
    }

    #[test]
    fn hybrid_adds_naive_schemes_in_nncs_model_only() {
        // 14x14 over 4x4 nodes: the roughly-divisible test (16 vs 14) drops
        // naive's ofmap split 4x4 from the reference's hybrid list.
        let conv = PartTarget::Layer(crate::sched::dataflow::square_conv(16, 32, 14, 3));
        let nodes = Dim2::square(4);
        let hybrid = Partitioning::Hybrid {
            batch: false,
            ifmaps: false,
        };
        let naive = gen_partition(&conv, 16, nodes, Partitioning::default(), true);
        assert_eq!(naive.len(), 1);
        assert_eq!(naive[0].pdim(ParallelDim::Ofmp), nodes);
        let reference = gen_partition(&conv, 16, nodes, hybrid, true);
        assert!(!reference.contains(&naive[0]));
        assert_eq!(
            partition_candidates(&conv, 16, nodes, hybrid, true, Compat::NnDataflow),
            reference
        );
        let nnc = partition_candidates(&conv, 16, nodes, hybrid, true, Compat::Nnc);
        assert_eq!(nnc.len(), reference.len() + 1);
        assert_eq!(nnc[..reference.len()], reference[..]);
        assert_eq!(nnc.last(), Some(&naive[0]));
        // Naive partitioning is the same list in both models.
        let naive_opts = Partitioning::default();
        for compat in [Compat::Nnc, Compat::NnDataflow] {
            assert_eq!(
                partition_candidates(&conv, 16, nodes, naive_opts, true, compat),
                naive
            );
        }
        // Where hybrid already has naive's scheme, nothing is added twice.
        let even = PartTarget::Layer(LayerShape::Conv(ConvShape {
            ofmap: Dim2::square(16),
            ..match conv {
                PartTarget::Layer(LayerShape::Conv(c)) => c,
                _ => unreachable!(),
            }
        }));
        assert_eq!(
            partition_candidates(&even, 16, nodes, hybrid, true, Compat::Nnc),
            gen_partition(&even, 16, nodes, hybrid, true)
        );
    }
}
