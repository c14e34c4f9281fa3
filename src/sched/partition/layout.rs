//! Data layouts (docs/model/noc.md#data-layouts): where the pieces of a
//! batched fmap are stored, and how many word-hops it takes to deliver a
//! range of it to some nodes, with or without forwarding between them.

use super::PartitionError;
use super::fmap::{FmapPosition, FmapRange, StridedRange};
use super::region::{Coord, NodeRegion};
use super::scheme::PartitionScheme;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// One piece of a [`DataLayout`]: the range `frng` stored in `region`, split
/// over its nodes by `part` (which must not split input channels and must fit
/// in the region).
///
/// A piece of a channel slice (docs/model/noc.md#channel-slices) is part
/// of a stored piece: `cut` counts the stored channels before and after
/// `frng`, and `part` splits the whole stored piece, so each channel stays
/// on the node that holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LayoutPiece {
    /// The range, in the layout's channels.
    pub frng: FmapRange,
    /// The nodes storing it.
    pub region: NodeRegion,
    /// How the stored piece is split over the nodes.
    pub part: PartitionScheme,
    /// Stored channels left out before and after `frng` (`[0, 0]` but in a
    /// channel slice).
    pub cut: [u64; 2],
}

impl LayoutPiece {
    /// The blocks the piece's nodes hold of `frng`: the stored piece split
    /// by `part`, each node's share cut to `frng`.
    fn blocks(&self) -> impl Iterator<Item = Block> + '_ {
        let [before, after] = self.cut;
        let (b, e) = (self.frng.beg, self.frng.end);
        let len = e.n.saturating_sub(b.n);
        // The stored piece, its first channel at `b.n - before`, counted
        // from 0 so that no channel number goes below 0.
        let stored = FmapRange::new(
            FmapPosition::new(b.b, 0, b.h, b.w),
            FmapPosition::new(e.b, before + len + after, e.h, e.w),
        );
        self.part.pidxs().filter_map(move |pidx| {
            let mut range = self.part.fmap_range(&stored, &pidx);
            let (lo, hi) = (range.beg.n.max(before), range.end.n.min(before + len));
            if hi <= lo {
                return None;
            }
            range.beg.n = lo - before + b.n;
            range.end.n = hi - before + b.n;
            Some(Block {
                range,
                node: self.part.coordinate(&self.region, &pidx),
            })
        })
    }
}

/// Where a batched fmap is stored: pieces along the channel dimension, each
/// split over a region (docs/model/noc.md#data-layouts). Cheap to clone (shared).
///
/// Invariant: at least one piece; the first begins at the origin; all pieces
/// have the same batch, height and width extents; channel ranges follow each
/// other without gap; every piece's scheme is applicable to fmap ranges and
/// fits its region.
#[derive(Clone, Debug)]
pub struct DataLayout(Arc<LayoutInner>);

#[derive(Debug)]
struct LayoutInner {
    pieces: Vec<LayoutPiece>,
    /// Every stored block: the sub-range one node holds, per piece in order.
    blocks: Vec<Block>,
    /// `blocks[spans[i].0..spans[i].1]` belong to piece `i`.
    spans: Vec<(usize, usize)>,
    /// Hash of `pieces`, so memo keys hash a layout in O(1).
    fingerprint: u64,
}

#[derive(Clone, Copy, Debug)]
struct Block {
    range: FmapRange,
    node: Coord,
}

impl PartialEq for DataLayout {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.fingerprint == other.0.fingerprint && self.0.pieces == other.0.pieces)
    }
}

impl Eq for DataLayout {}

impl Hash for DataLayout {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.fingerprint);
    }
}

impl DataLayout {
    /// A layout from its pieces, validated (see the type's invariant).
    pub fn new(pieces: Vec<LayoutPiece>) -> Result<Self, PartitionError> {
        let first = pieces.first().ok_or(PartitionError::EmptyLayout)?;
        if first.frng.beg != FmapPosition::default() {
            return Err(PartitionError::LayoutNotContiguous {
                piece: 0,
                reason: "the first piece must begin at the origin",
            });
        }
        let (b0, e0) = (first.frng.beg, first.frng.end);
        let mut next_n = b0.n;
        for (i, p) in pieces.iter().enumerate() {
            let (b, e) = (p.frng.beg, p.frng.end);
            if (b.b, b.h, b.w, e.b, e.h, e.w) != (b0.b, b0.h, b0.w, e0.b, e0.h, e0.w) {
                return Err(PartitionError::LayoutNotContiguous {
                    piece: i,
                    reason: "batch, height and width extents differ from the first piece",
                });
            }
            if b.n != next_n || e.n < b.n {
                return Err(PartitionError::LayoutNotContiguous {
                    piece: i,
                    reason: "channel ranges must follow each other without gap",
                });
            }
            next_n = e.n;
            if !p.part.is_applicable_to_fmap_range() {
                return Err(PartitionError::LayoutSplitsInputs { piece: i });
            }
            let (needed, have) = (p.part.dim(), p.region.dim());
            if needed.h > have.h || needed.w > have.w {
                return Err(PartitionError::LayoutDoesNotFit {
                    piece: i,
                    needed,
                    region: have,
                });
            }
        }
        let mut blocks = Vec::new();
        let mut spans = Vec::with_capacity(pieces.len());
        for p in &pieces {
            let start = blocks.len();
            if p.cut == [0, 0] {
                blocks.extend(p.part.pidxs().map(|pidx| Block {
                    range: p.part.fmap_range(&p.frng, &pidx),
                    node: p.part.coordinate(&p.region, &pidx),
                }));
            } else {
                blocks.extend(p.blocks());
            }
            spans.push((start, blocks.len()));
        }
        let mut h = DefaultHasher::new();
        pieces.hash(&mut h);
        let fingerprint = h.finish();
        Ok(DataLayout(Arc::new(LayoutInner {
            pieces,
            blocks,
            spans,
            fingerprint,
        })))
    }

    /// A one-piece layout: `frng` split over `region` by `part`.
    pub fn single(
        frng: FmapRange,
        region: NodeRegion,
        part: PartitionScheme,
    ) -> Result<Self, PartitionError> {
        DataLayout::new(vec![LayoutPiece {
            frng,
            region,
            part,
            cut: [0, 0],
        }])
    }

    /// The pieces, in channel order.
    pub fn pieces(&self) -> &[LayoutPiece] {
        &self.0.pieces
    }

    /// The whole stored range: from the first piece's begin to the last's end.
    pub fn complete_fmap_range(&self) -> FmapRange {
        let p = &self.0.pieces;
        FmapRange {
            beg: p[0].frng.beg,
            end: p[p.len() - 1].frng.end,
        }
    }

    /// Is this the layout "`part` over `region`", one piece, i.e. the data
    /// stays on the nodes that computed it?
    pub fn is_local_partition(&self, region: &NodeRegion, part: &PartitionScheme) -> bool {
        matches!(&self.0.pieces[..], [p] if p.region == *region && p.part == *part && p.cut == [0, 0])
    }

    /// Channel concatenation: the layouts' pieces in order, each layout's
    /// ranges moved up by the channels of the layouts before it.
    pub fn concat(layouts: &[&DataLayout]) -> Result<Self, PartitionError> {
        let mut pieces = Vec::new();
        let mut offset = 0;
        for l in layouts {
            let full = l.complete_fmap_range();
            for p in l.pieces() {
                pieces.push(LayoutPiece {
                    frng: p.frng.shift_n(offset),
                    ..*p
                });
            }
            offset += full.end.n - full.beg.n;
        }
        DataLayout::new(pieces)
    }

    /// The channels `from..to` of the layout, renumbered from 0: what a
    /// layer reading a channel slice reads (docs/model/noc.md#channel-slices).
    /// Each channel stays where it is stored; pieces outside the range
    /// are left out.
    pub fn channels(&self, from: u64, to: u64) -> Result<Self, PartitionError> {
        let pieces = self
            .pieces()
            .iter()
            .filter_map(|p| {
                let (b, e) = (p.frng.beg.n, p.frng.end.n);
                let (lo, hi) = (b.max(from), e.min(to));
                if hi <= lo {
                    return None;
                }
                let mut frng = p.frng;
                frng.beg.n = lo - from;
                frng.end.n = hi - from;
                Some(LayoutPiece {
                    frng,
                    cut: [p.cut[0] + (lo - b), p.cut[1] + (e - hi)],
                    ..*p
                })
            })
            .collect();
        DataLayout::new(pieces)
    }

    /// Does every node of the layout lie in one of `regions` of its own kind?
    pub fn is_in(&self, regions: &[NodeRegion]) -> bool {
        self.0.pieces.iter().all(|p| {
            p.region.iter_nodes().all(|c| {
                regions
                    .iter()
                    .any(|r| r.kind() == p.region.kind() && r.contains_node(c))
            })
        })
    }

    /// Word-hops to deliver `range` to each of `dests` (docs/model/noc.md#delivering-a-range).
    /// Without forwarding: every destination reads its data from where it is
    /// stored, and the counts add up. With forwarding: the cheapest destination
    /// reads, and the stored data is passed along a minimum spanning tree of the
    /// distinct destinations.
    pub fn nhops_to(&self, range: &FmapRange, dests: &[Coord], forwarding: bool) -> u64 {
        self.nhops_to_set(&StridedRange::from(*range), dests, forwarding)
    }

    /// [`DataLayout::nhops_to`] for a set of boxes: the hops of the boxes'
    /// union (per destination, the sum over the boxes).
    pub fn nhops_to_set(&self, range: &StridedRange, dests: &[Coord], forwarding: bool) -> u64 {
        if dests.is_empty() {
            return 0;
        }
        if !forwarding {
            let mut total = 0;
            self.for_each_overlap(range, |ov, node| {
                total += ov * dests.iter().map(|d| d.hop_dist(node)).sum::<u64>();
            });
            return total;
        }
        let first = self.nearest_nhops(range, dests);
        let stored = range.overlap_size(&self.complete_fmap_range());
        first + stored * mst_weight(dests)
    }

    /// The least of [`DataLayout::nhops_to_node`] over `dests` (0 for
    /// none): the blocks holding the range are found once for all.
    pub fn nearest_nhops(&self, range: &StridedRange, dests: &[Coord]) -> u64 {
        let mut held: Vec<(u64, Coord)> = Vec::new();
        self.for_each_overlap(range, |ov, node| held.push((ov, node)));
        dests
            .iter()
            .map(|&d| {
                held.iter()
                    .map(|&(ov, node)| ov * d.hop_dist(node))
                    .sum::<u64>()
            })
            .min()
            .unwrap_or(0)
    }

    /// Word-hops to deliver `range` to the single node `dest`.
    pub fn nhops_to_node(&self, range: &StridedRange, dest: Coord) -> u64 {
        let mut total = 0;
        self.for_each_overlap(range, |ov, node| total += ov * dest.hop_dist(node));
        total
    }

    /// Calls `f(overlap, node)` for every stored block that holds part of
    /// `range`, skipping pieces that do not overlap at all.
    fn for_each_overlap(&self, range: &StridedRange, mut f: impl FnMut(u64, Coord)) {
        let inner = &*self.0;
        for (p, &(s, e)) in inner.pieces.iter().zip(&inner.spans) {
            if range.overlap_size(&p.frng) == 0 {
                continue;
            }
            for blk in &inner.blocks[s..e] {
                let ov = range.overlap_size(&blk.range);
                if ov > 0 {
                    f(ov, blk.node);
                }
            }
        }
    }
}

/// Weight of a minimum spanning tree over `nodes` with hop distances
/// (duplicates cost nothing). Prim's algorithm, O(n²).
pub(crate) fn mst_weight(nodes: &[Coord]) -> u64 {
    let Some((&root, rest)) = nodes.split_first() else {
        return 0;
    };
    let mut best: Vec<u64> = rest.iter().map(|n| n.hop_dist(root)).collect();
    prim(rest, &mut best)
}

/// Grows a tree over `nodes`, where `best[i]` is node `i`'s distance to the
/// tree so far (a root, or a set of sources, outside `nodes`); returns the
/// total weight of the edges added.
pub(crate) fn prim(nodes: &[Coord], best: &mut [u64]) -> u64 {
    const DONE: u64 = u64::MAX;
    let mut weight = 0;
    for _ in 0..nodes.len() {
        let mut pick = usize::MAX;
        for (i, &b) in best.iter().enumerate() {
            if b != DONE && (pick == usize::MAX || b < best[pick]) {
                pick = i;
            }
        }
        weight += best[pick];
        best[pick] = DONE;
        let c = nodes[pick];
        for (i, b) in best.iter_mut().enumerate() {
            if *b != DONE {
                *b = (*b).min(nodes[i].hop_dist(c));
            }
        }
    }
    weight
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Dim2;
    use crate::sched::partition::ParallelDim::{Batp, Inpp, Ofmp, Outp};
    use crate::sched::partition::region::RegionKind;

    fn c(h: i64, w: i64) -> Coord {
        Coord::new(h, w)
    }

    #[test]
    fn mst_of_square_and_line() {
        assert_eq!(mst_weight(&[]), 0);
        assert_eq!(mst_weight(&[c(0, 0)]), 0);
        assert_eq!(mst_weight(&[c(0, 0), c(0, 1), c(1, 0), c(1, 1)]), 3);
        assert_eq!(mst_weight(&[c(0, 0), c(0, 3), c(0, 1), c(0, 1)]), 3);
        assert_eq!(mst_weight(&[c(0, 0), c(3, 3), c(0, 3), c(3, 0)]), 9);
    }

    fn ofmp_layout(nodes: Dim2, region: NodeRegion, frng: FmapRange) -> DataLayout {
        let part = PartitionScheme::new(
            [Outp, Batp, Inpp, Ofmp],
            [Dim2::square(1), nodes, Dim2::square(1), Dim2::square(1)],
        )
        .expect("valid");
        DataLayout::single(frng, region, part).expect("valid")
    }

    #[test]
    fn nhops_with_and_without_forwarding() {
        // 4x1 rows over the 2x2 unit grid: quadrant (i, j) at node (i, j).
        let region = NodeRegion::new(Dim2::square(2), c(0, 0), RegionKind::Dram);
        let l = ofmp_layout(Dim2::square(2), region, FmapRange::full(1, 1, 2, 2));
        let all = FmapRange::full(1, 1, 2, 2);
        // One word at each node; node (0,0) is 0+1+1+2 = 4 hops away from them.
        assert_eq!(l.nhops_to(&all, &[c(0, 0)], false), 4);
        assert_eq!(l.nhops_to(&all, &[c(0, 0), c(1, 1)], false), 8);
        // Forwarding: 4 (cheapest read) + 4 words * MST 2.
        assert_eq!(l.nhops_to(&all, &[c(0, 0), c(1, 1)], true), 4 + 4 * 2);
        // Ranges outside the stored data cost nothing.
        let outside = FmapRange::new(FmapPosition::new(0, 1, 0, 0), FmapPosition::new(1, 2, 2, 2));
        assert_eq!(l.nhops_to(&outside, &[c(5, 5)], true), 0);
    }

    #[test]
    fn layouts_validate_and_concat() {
        let region = NodeRegion::new(Dim2::square(2), c(0, 0), RegionKind::Dram);
        let a = ofmp_layout(Dim2::square(2), region, FmapRange::full(2, 3, 4, 4));
        let b = ofmp_layout(Dim2::new(2, 1), region, FmapRange::full(2, 5, 4, 4));
        let ab = DataLayout::concat(&[&a, &b]).expect("valid");
        assert_eq!(ab.complete_fmap_range(), FmapRange::full(2, 8, 4, 4));
        assert_eq!(ab.pieces()[1].frng.beg.n, 3);
        assert!(ab.is_in(&[region]));
        assert!(!ab.is_in(&[NodeRegion::proc(Dim2::square(2))]));
        // Mismatched spatial extents.
        let c2 = ofmp_layout(Dim2::square(2), region, FmapRange::full(2, 3, 5, 4));
        assert!(DataLayout::concat(&[&a, &c2]).is_err());
    }

    /// A slice keeps each channel on the node that stores it
    /// (docs/model/noc.md#channel-slices).
    #[test]
    fn a_channel_slice_is_read_where_it_is_stored() {
        // 8 channels split in 4 over the output channels: 2 per node.
        let region = NodeRegion::new(Dim2::square(2), c(0, 0), RegionKind::Dram);
        let part = PartitionScheme::new(
            [Outp, Batp, Inpp, Ofmp],
            [
                Dim2::square(2),
                Dim2::square(1),
                Dim2::square(1),
                Dim2::square(1),
            ],
        )
        .expect("valid");
        let whole = DataLayout::single(FmapRange::full(1, 8, 1, 1), region, part).expect("valid");
        let blocks: Vec<(FmapRange, Coord)> =
            whole.0.blocks.iter().map(|b| (b.range, b.node)).collect();
        // Channels 3..7: one of the node holding 2..4, both of the next, one of the last.
        let slice = whole.channels(3, 7).expect("valid");
        assert_eq!(slice.complete_fmap_range(), FmapRange::full(1, 4, 1, 1));
        let got: Vec<(u64, u64, Coord)> = slice
            .0
            .blocks
            .iter()
            .map(|b| (b.range.beg.n, b.range.end.n, b.node))
            .collect();
        assert_eq!(
            got,
            [
                (0, 1, blocks[1].1),
                (1, 3, blocks[2].1),
                (3, 4, blocks[3].1)
            ]
        );
        // Delivering the slice costs what delivering those channels of
        // the whole costs.
        let dest = [c(0, 0)];
        let of_whole = FmapRange::new(FmapPosition::new(0, 3, 0, 0), FmapPosition::new(1, 7, 1, 1));
        assert_eq!(
            slice.nhops_to(&FmapRange::full(1, 4, 1, 1), &dest, false),
            whole.nhops_to(&of_whole, &dest, false)
        );
        // A slice of a concatenation, and the whole layout as a slice.
        let two = DataLayout::concat(&[&whole, &whole]).expect("valid");
        let cross = two.channels(6, 10).expect("valid");
        assert_eq!(cross.pieces().len(), 2);
        assert_eq!(cross.pieces()[0].cut, [6, 0]);
        assert_eq!(cross.pieces()[1].cut, [0, 6]);
        assert_eq!(whole.channels(0, 8).expect("valid"), whole);
        assert!(!slice.is_local_partition(&region, &part));
    }

    #[test]
    fn layout_rejects_bad_pieces() {
        let region = NodeRegion::new(Dim2::square(2), c(0, 0), RegionKind::Dram);
        let four = PartitionScheme::new(
            [Outp, Batp, Inpp, Ofmp],
            [
                Dim2::square(1),
                Dim2::square(4),
                Dim2::square(1),
                Dim2::square(1),
            ],
        )
        .expect("valid");
        assert!(matches!(
            DataLayout::single(FmapRange::full(1, 1, 4, 4), region, four),
            Err(PartitionError::LayoutDoesNotFit { .. })
        ));
        let inpp = PartitionScheme::new(
            [Outp, Batp, Ofmp, Inpp],
            [
                Dim2::square(1),
                Dim2::square(1),
                Dim2::square(1),
                Dim2::new(2, 1),
            ],
        )
        .expect("valid");
        assert!(matches!(
            DataLayout::single(FmapRange::full(1, 1, 4, 4), region, inpp),
            Err(PartitionError::LayoutSplitsInputs { .. })
        ));
        assert!(DataLayout::new(Vec::new()).is_err());
    }
}
