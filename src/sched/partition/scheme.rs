//! Partition schemes (docs/model/partitioning.md): how a layer is split over
//! a region of nodes, which node gets which part, the per-node sub-layer, and
//! the projection of a scheme onto another region.

use super::arith::{get_ith_range, idivc};
use super::fmap::{FmapPosition, FmapRange};
use super::region::{Coord, NodeRegion};
use super::{ParallelDim, PartitionError, PerDim};
use crate::ir::{ConvShape, Dim2, LayerShape, LocalShape};
use crate::sched::Compat;
use std::fmt;

/// A partition index: per dimension, which of its `pdims[p]` parts a node
/// holds (`0 <= pidx[p] < pdims[p]` component-wise).
pub(crate) type PartIndex = PerDim<Dim2>;

/// How a layer is split over a region of nodes: `pdims[p]` parts of dimension
/// `p` along node height and width, nested in `order` (first = top level,
/// coarsest; last = bottom level, adjacent nodes).
///
/// Invariant: `order` is a permutation of the four dimensions and every factor
/// is at least 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartitionScheme {
    order: [ParallelDim; 4],
    pdims: PerDim<Dim2>,
}

/// The per-node sub-layer of a partitioned layer
/// (docs/model/partitioning.md#per-node-sub-layers): the work one node does,
/// its batch, and the fraction of the node's work that is useful when the split
/// is uneven.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PartLayer {
    /// The sub-layer's shape.
    pub layer: LayerShape,
    /// The sub-layer's batch size.
    pub batch: u64,
    /// `ops(layer, batch) / (ops(sub-layer, sub-batch) * nodes)`, at most 1.
    pub occupancy: f64,
}

impl PartitionScheme {
    /// A scheme from its order (top level first) and factors; fails unless the
    /// order is a permutation and every factor is at least 1.
    pub fn new(order: [ParallelDim; 4], pdims: [Dim2; 4]) -> Result<Self, PartitionError> {
        let mut seen = [false; 4];
        for p in order {
            if std::mem::replace(&mut seen[p.index()], true) {
                return Err(PartitionError::InvalidOrder {
                    order: order.map(ParallelDim::index),
                });
            }
        }
        for p in ParallelDim::ALL {
            let d = pdims[p.index()];
            if d.h == 0 || d.w == 0 {
                return Err(PartitionError::ZeroFactor { dim: p, factors: d });
            }
        }
        Ok(PartitionScheme {
            order,
            pdims: PerDim(pdims),
        })
    }

    /// A scheme from integer dimension values (as in the reference's JSON).
    pub fn from_indices(order: [usize; 4], pdims: [Dim2; 4]) -> Result<Self, PartitionError> {
        let mut dims = [ParallelDim::Outp; 4];
        for (slot, &i) in dims.iter_mut().zip(&order) {
            *slot = ParallelDim::from_index(i).ok_or(PartitionError::InvalidOrder { order })?;
        }
        PartitionScheme::new(dims, pdims)
    }

    /// The nesting order, top level first.
    pub const fn order(&self) -> [ParallelDim; 4] {
        self.order
    }

    /// The factors of every dimension.
    pub const fn pdims(&self) -> &PerDim<Dim2> {
        &self.pdims
    }

    /// The factors of dimension `p`.
    pub fn pdim(&self, p: ParallelDim) -> Dim2 {
        self.pdims[p]
    }

    /// Element-wise product of the factors of the listed dimensions.
    pub fn dim_of(&self, dims: &[ParallelDim]) -> Dim2 {
        dims.iter().fold(Dim2::square(1), |acc, &p| {
            let d = self.pdims[p];
            Dim2::new(acc.h * d.h, acc.w * d.w)
        })
    }

    /// The node grid the scheme spans: the product of all factors.
    pub fn dim(&self) -> Dim2 {
        self.dim_of(&ParallelDim::ALL)
    }

    /// Number of nodes of the listed dimensions' product.
    pub fn size_of(&self, dims: &[ParallelDim]) -> u64 {
        self.dim_of(dims).size()
    }

    /// Number of nodes the scheme spans.
    pub fn size(&self) -> u64 {
        self.dim().size()
    }

    /// All partition indices in the reference's order: OUTP outermost, then
    /// OFMP, BATP, INPP; height before width within each.
    pub fn pidxs(&self) -> PidxIter {
        let d = &self.pdims.0;
        PidxIter {
            radix: [
                d[0].h, d[0].w, d[1].h, d[1].w, d[2].h, d[2].w, d[3].h, d[3].w,
            ],
            cur: [0; 8],
            done: false,
        }
    }

    /// Position of `pidx` inside the scheme's grid, before the region's fold:
    /// each level, top first, refines the coordinate by its factor.
    pub fn rel_coordinate(&self, pidx: &PartIndex) -> Dim2 {
        self.order.iter().fold(Dim2::default(), |c, &p| {
            let (d, i) = (self.pdims[p], pidx[p]);
            Dim2::new(c.h * d.h + i.h, c.w * d.w + i.w)
        })
    }

    /// Absolute coordinate of the node holding `pidx` in `region`.
    pub fn coordinate(&self, region: &NodeRegion, pidx: &PartIndex) -> Coord {
        region.rel2abs(self.rel_coordinate(pidx))
    }

    /// Row-major flat index of `pidx[p]` among the `size(p)` parts of `p`.
    pub fn flat_index(&self, p: ParallelDim, pidx: &PartIndex) -> u64 {
        pidx[p].h * self.pdims[p].w + pidx[p].w
    }

    /// The part of the 4D range `frng` held by `pidx`: batch split by BATP,
    /// channels by OUTP, height and width by OFMP; INPP does not split.
    pub fn fmap_range(&self, frng: &FmapRange, pidx: &PartIndex) -> FmapRange {
        let (b, e) = (frng.beg, frng.end);
        let bat = get_ith_range(
            (b.b, e.b),
            self.flat_index(ParallelDim::Batp, pidx),
            self.pdims[ParallelDim::Batp].size(),
        );
        let chn = get_ith_range(
            (b.n, e.n),
            self.flat_index(ParallelDim::Outp, pidx),
            self.pdims[ParallelDim::Outp].size(),
        );
        let (ofmp, oidx) = (self.pdims[ParallelDim::Ofmp], pidx[ParallelDim::Ofmp]);
        let hgt = get_ith_range((b.h, e.h), oidx.h, ofmp.h);
        let wid = get_ith_range((b.w, e.w), oidx.w, ofmp.w);
        FmapRange {
            beg: FmapPosition {
                b: bat.0,
                n: chn.0,
                h: hgt.0,
                w: wid.0,
            },
            end: FmapPosition {
                b: bat.1,
                n: chn.1,
                h: hgt.1,
                w: wid.1,
            },
        }
    }

    /// Can the scheme describe how stored data is split? Only when it does not
    /// split input channels (INPP is 1x1).
    pub fn is_applicable_to_fmap_range(&self) -> bool {
        self.pdims[ParallelDim::Inpp].size() == 1
    }

    /// The scheme that distributes the same data over `region`
    /// (docs/model/partitioning.md#projections), e.g. a layer's ofmaps over the
    /// DRAM nodes. With `appl2frng`, INPP is dropped first. Per axis, spare
    /// nodes extend BATP; too few nodes shrink the levels from the top, the
    /// bottom levels keeping their factors. The mapping is by index, not by
    /// space (docs/compat.md#known_limitations; kept in both models,
    /// docs/compat.md#known_limitations).
    #[must_use]
    pub fn projection(&self, region: &NodeRegion, appl2frng: bool) -> PartitionScheme {
        let mut pdims = self.pdims;
        if appl2frng {
            pdims[ParallelDim::Inpp] = Dim2::square(1);
        }
        let prod = ParallelDim::ALL.iter().fold(Dim2::square(1), |acc, &p| {
            Dim2::new(acc.h * pdims[p].h, acc.w * pdims[p].w)
        });
        let r = region.dim();
        // Each axis independently.
        fn comp(d: &mut Dim2, width: bool) -> &mut u64 {
            if width { &mut d.w } else { &mut d.h }
        }
        for (width, avail, used) in [(false, r.h, prod.h), (true, r.w, prod.w)] {
            if avail > used {
                *comp(&mut pdims[ParallelDim::Batp], width) *= avail / used;
            } else {
                let mut budget = avail;
                for &p in self.order.iter().rev() {
                    let f = comp(&mut pdims[p], width);
                    if budget >= *f {
                        budget /= *f;
                    } else {
                        *f = budget;
                        budget = 1;
                    }
                }
            }
        }
        PartitionScheme {
            order: self.order,
            pdims,
        }
    }

    /// The sub-layer one node computes
    /// (docs/model/partitioning.md#per-node-sub-layers): each split dimension
    /// divided by its factor, rounded up. Local-region layers cannot be split
    /// over input channels. In [`Compat::NnDataflow`] a local-region sub-layer
    /// loses its channel stride (`ntrd = 1`, so an eltwise node reads only its
    /// `nofm` input channels; docs/compat.md#eltwise_reads_one_input); nnc
    /// keeps it.
    pub fn part_layer(
        &self,
        layer: &LayerShape,
        batch: u64,
        compat: Compat,
    ) -> Result<PartLayer, PartitionError> {
        let ofmp = self.pdims[ParallelDim::Ofmp];
        let inpp = self.pdims[ParallelDim::Inpp];
        let ofmap = layer.ofmap();
        let p_ofmap = Dim2::new(idivc(ofmap.h, ofmp.h), idivc(ofmap.w, ofmp.w));
        let p_nofm = idivc(layer.nofm(), self.pdims[ParallelDim::Outp].size());
        let p_batch = idivc(batch, self.pdims[ParallelDim::Batp].size());
        let p_layer = match layer {
            LayerShape::Conv(c) => LayerShape::Conv(ConvShape {
                nifm: idivc(c.nifm, inpp.size()),
                nofm: p_nofm,
                ofmap: p_ofmap,
                ..*c
            }),
            LayerShape::Local(l) => {
                if inpp.size() != 1 {
                    return Err(PartitionError::InppOnLocalLayer { inpp });
                }
                let ntrd = if compat.eltwise_reads_one_input() {
                    1
                } else {
                    l.ntrd
                };
                LayerShape::Local(LocalShape {
                    nofm: p_nofm,
                    ofmap: p_ofmap,
                    ntrd,
                    ..*l
                })
            }
        };
        let denom = u128::from(p_layer.total_ops(p_batch)) * u128::from(self.size());
        if denom == 0 {
            return Err(PartitionError::EmptySubLayer);
        }
        #[allow(clippy::cast_precision_loss)]
        let occupancy = layer.total_ops(batch) as f64 / denom as f64;
        Ok(PartLayer {
            layer: p_layer,
            batch: p_batch,
            occupancy,
        })
    }
}

impl fmt::Display for PartitionScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order: Vec<_> = self.order.iter().map(|p| p.as_str()).collect();
        write!(f, "({})", order.join(", "))?;
        for p in ParallelDim::ALL {
            let d = self.pdims[p];
            if d.size() > 1 {
                write!(f, " {p} ({}, {})", d.h, d.w)?;
            }
        }
        Ok(())
    }
}

/// Iterator over the partition indices of a scheme in the reference's order
/// ([`PartitionScheme::pidxs`]).
#[derive(Clone, Debug)]
pub struct PidxIter {
    radix: [u64; 8],
    cur: [u64; 8],
    done: bool,
}

impl Iterator for PidxIter {
    type Item = PartIndex;

    fn next(&mut self) -> Option<PartIndex> {
        if self.done {
            return None;
        }
        let c = self.cur;
        let item = PerDim([
            Dim2::new(c[0], c[1]),
            Dim2::new(c[2], c[3]),
            Dim2::new(c[4], c[5]),
            Dim2::new(c[6], c[7]),
        ]);
        // Advance the mixed-radix counter, last digit fastest.
        self.done = true;
        for k in (0..8).rev() {
            self.cur[k] += 1;
            if self.cur[k] < self.radix[k] {
                self.done = false;
                break;
            }
            self.cur[k] = 0;
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::partition::region::RegionKind;
    use ParallelDim::{Batp, Inpp, Ofmp, Outp};

    fn d(h: u64, w: u64) -> Dim2 {
        Dim2::new(h, w)
    }

    fn scheme(order: [ParallelDim; 4], pdims: [(u64, u64); 4]) -> PartitionScheme {
        PartitionScheme::new(order, pdims.map(|(h, w)| d(h, w))).expect("valid")
    }

    #[test]
    fn new_validates() {
        assert!(PartitionScheme::new([Outp, Outp, Batp, Inpp], [d(1, 1); 4]).is_err());
        assert!(
            PartitionScheme::new(
                [Outp, Ofmp, Batp, Inpp],
                [d(1, 0), d(1, 1), d(1, 1), d(1, 1)]
            )
            .is_err()
        );
        assert!(PartitionScheme::from_indices([0, 1, 2, 4], [d(1, 1); 4]).is_err());
    }

    #[test]
    fn pidx_order_is_lexicographic() {
        let s = scheme([Batp, Inpp, Outp, Ofmp], [(1, 2), (2, 1), (1, 1), (1, 1)]);
        let got: Vec<_> = s.pidxs().map(|p| (p[Outp], p[Ofmp])).collect();
        assert_eq!(
            got,
            [
                (d(0, 0), d(0, 0)),
                (d(0, 0), d(1, 0)),
                (d(0, 1), d(0, 0)),
                (d(0, 1), d(1, 0))
            ]
        );
        assert_eq!(
            scheme([Outp, Ofmp, Batp, Inpp], [(1, 1); 4])
                .pidxs()
                .count(),
            1
        );
    }

    #[test]
    fn coordinates_nest_levels_top_first() {
        // OUTP on top of OFMP along h: OUTP picks the half, OFMP the row in it.
        let s = scheme([Outp, Ofmp, Batp, Inpp], [(2, 1), (2, 1), (1, 1), (1, 1)]);
        let r = NodeRegion::new(d(4, 1), Coord::new(0, 0), RegionKind::Proc);
        let mut pidx = PerDim([d(1, 0), d(0, 0), d(0, 0), d(0, 0)]);
        assert_eq!(s.coordinate(&r, &pidx), Coord::new(2, 0));
        pidx[Ofmp] = d(1, 0);
        assert_eq!(s.coordinate(&r, &pidx), Coord::new(3, 0));
        // Swapped order: OFMP picks the half.
        let s = scheme([Ofmp, Outp, Batp, Inpp], [(2, 1), (2, 1), (1, 1), (1, 1)]);
        assert_eq!(s.coordinate(&r, &pidx), Coord::new(3, 0));
        pidx[Outp] = d(0, 0);
        assert_eq!(s.coordinate(&r, &pidx), Coord::new(2, 0));
    }

    #[test]
    fn fmap_range_splits_b_n_h_w() {
        let s = scheme([Outp, Ofmp, Batp, Inpp], [(1, 2), (2, 1), (2, 1), (2, 2)]);
        let full = FmapRange {
            beg: FmapPosition::default(),
            end: FmapPosition {
                b: 4,
                n: 16,
                h: 7,
                w: 5,
            },
        };
        let pidx = PerDim([d(0, 1), d(1, 0), d(1, 0), d(1, 1)]);
        let r = s.fmap_range(&full, &pidx);
        assert_eq!(
            r.beg,
            FmapPosition {
                b: 2,
                n: 8,
                h: 3,
                w: 0
            }
        );
        assert_eq!(
            r.end,
            FmapPosition {
                b: 4,
                n: 16,
                h: 7,
                w: 5
            }
        );
        assert!(!s.is_applicable_to_fmap_range());
    }

    #[test]
    fn projection_rules() {
        let corners =
            NodeRegion::new(d(2, 2), Coord::new(0, 0), RegionKind::Dram).with_dist(d(3, 3));
        // Shrink.
        let s = scheme([Outp, Ofmp, Batp, Inpp], [(1, 1), (4, 4), (1, 1), (1, 1)]);
        assert_eq!(s.projection(&corners, true).pdim(Ofmp), d(2, 2));
        // The bottom level keeps the budget.
        let s = scheme([Batp, Outp, Ofmp, Inpp], [(1, 2), (2, 2), (2, 1), (1, 1)]);
        let p = s.projection(&corners, true);
        assert_eq!(p.pdims().0, [d(1, 1), d(2, 2), d(1, 1), d(1, 1)]);
        assert_eq!(p.order(), s.order());
        // INPP dropped, spare nodes extend BATP.
        let s = scheme([Inpp, Outp, Ofmp, Batp], [(1, 1), (1, 1), (1, 1), (2, 2)]);
        let p = s.projection(&NodeRegion::proc(d(2, 2)), true);
        assert_eq!(p.pdims().0, [d(1, 1), d(1, 1), d(2, 2), d(1, 1)]);
        // Without appl2frng INPP is kept.
        let p = s.projection(&NodeRegion::proc(d(2, 2)), false);
        assert_eq!(p.pdims().0, [d(1, 1), d(1, 1), d(1, 1), d(2, 2)]);
        // Non-multiple: 3 nodes for 2 parts extend BATP by 1 (floor).
        let s = scheme([Outp, Ofmp, Batp, Inpp], [(1, 1), (2, 1), (1, 1), (1, 1)]);
        let p = s.projection(&NodeRegion::proc(d(3, 1)), true);
        assert_eq!(p.pdims().0, [d(1, 1), d(2, 1), d(1, 1), d(1, 1)]);
    }

    #[test]
    fn part_layer_conv_and_local() {
        let conv = LayerShape::Conv(ConvShape::dense(8, 10, d(7, 8), d(3, 3), d(1, 1)));
        let s = scheme([Outp, Ofmp, Batp, Inpp], [(1, 4), (2, 1), (1, 1), (1, 1)]);
        let p = s.part_layer(&conv, 4, Compat::NnDataflow).expect("valid");
        let LayerShape::Conv(c) = p.layer else {
            panic!("conv expected")
        };
        assert_eq!((c.nifm, c.nofm, c.ofmap), (8, 3, d(4, 8)));
        assert_eq!(p.batch, 4);
        let expected = (10.0 * 56.0) / (3.0 * 32.0 * 8.0);
        assert!((p.occupancy - expected).abs() < 1e-15);

        let elt = LayerShape::Local(LocalShape::eltwise(8, d(8, 8), 2));
        let s = scheme([Outp, Ofmp, Batp, Inpp], [(1, 1), (2, 2), (1, 1), (1, 1)]);
        let LayerShape::Local(l) = s
            .part_layer(&elt, 4, Compat::NnDataflow)
            .expect("valid")
            .layer
        else {
            panic!("local expected")
        };
        assert_eq!((l.nofm, l.ofmap, l.nreg, l.ntrd), (8, d(4, 4), 2, 1));
        let s = scheme([Outp, Ofmp, Batp, Inpp], [(1, 1), (1, 1), (1, 1), (2, 1)]);
        assert!(matches!(
            s.part_layer(&elt, 4, Compat::Nnc),
            Err(PartitionError::InppOnLocalLayer { .. })
        ));
    }
}
