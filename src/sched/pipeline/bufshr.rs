//! The geometry of buffer sharing (docs/model/buffer-sharing.md): which
//! nodes share each data kind, how far apart neighbours of a partition
//! dimension are, how a subgroup of them is laid out, and the NoC hops of
//! rotating data around it or fetching wide from it
//! (docs/model/buffer-sharing.md#rotation-and-wide-fetch).
//!
//! Distances are floats: infinite along an axis with no neighbour. A move
//! of zero hops costs nothing even along such an axis.

use crate::ir::{Dim2, LayerShape};
use crate::sched::partition::{
    NodeRegion, ParallelDim, PartitionScheme, PerDim, sharing_group_dims,
};
use crate::sched::types::{DataKind, PerData};

/// Distances between neighbours along (rows, columns).
pub(crate) type AxisDist = [f64; 2];

/// The neighbour distance of every partition dimension
/// (docs/model/buffer-sharing.md#buffer-sharing-groups): per axis, the
/// average over the partition indices whose index of the dimension on that
/// axis is not zero of the hops to the node one index lower; infinite when
/// no index has one.
pub fn part_neighbor_dist(part: &PartitionScheme, region: &NodeRegion) -> PerDim<AxisDist> {
    let mut out = PerDim([[f64::INFINITY; 2]; 4]);
    for p in ParallelDim::ALL {
        for axis in 0..2 {
            let (mut sum, mut n) = (0u64, 0u64);
            for pidx in part.pidxs() {
                let i = pidx[p];
                let at = if axis == 0 { i.h } else { i.w };
                if at == 0 {
                    continue;
                }
                let mut lower = pidx;
                if axis == 0 {
                    lower[p].h -= 1;
                } else {
                    lower[p].w -= 1;
                }
                let a = part.coordinate(region, &pidx);
                let b = part.coordinate(region, &lower);
                sum += a.hop_dist(b);
                n += 1;
            }
            if n > 0 {
                out[p][axis] = sum as f64 / n as f64;
            }
        }
    }
    out
}

/// `n` hops of `dist` each: zero hops cost nothing, even at an infinite
/// distance.
fn hops(n: u64, dist: f64) -> f64 {
    if n == 0 { 0.0 } else { n as f64 * dist }
}

/// Who shares each data kind of a layer partitioned by a scheme, and how far
/// apart they sit (the reference's `BufShrScheme`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BufShare {
    /// Per data kind, the group of nodes needing the same data.
    pub dims: PerData<Dim2>,
    /// Per data kind, the neighbour distance inside its group.
    pub nbr_dists: PerData<AxisDist>,
}

impl BufShare {
    /// The sharing of `layer` partitioned by `part` over `region`.
    pub fn new(part: &PartitionScheme, region: &NodeRegion, layer: &LayerShape) -> Self {
        use ParallelDim::{Batp, Inpp, Ofmp, Outp};
        let dist = part_neighbor_dist(part, region);
        let dims = sharing_group_dims(part, layer);
        let nbr_dists = match layer {
            LayerShape::Local(_) => PerData([dist[Inpp]; 3]),
            LayerShape::Conv(_) => {
                let (bat, ofm) = (part.pdim(Batp), part.pdim(Ofmp));
                let pos = |p: ParallelDim| part.order().iter().position(|&q| q == p).unwrap_or(0);
                // The batch group's dimension, as `sharing_group_dims`
                // chooses it; both together: the nearer neighbour per axis.
                let batch = if ofm.size() == 1 {
                    dist[Batp]
                } else if bat.size() == 1 {
                    dist[Ofmp]
                } else if pos(Batp).abs_diff(pos(Ofmp)) == 1 {
                    [0, 1].map(|a| dist[Batp][a].min(dist[Ofmp][a]))
                } else if pos(Batp) > pos(Ofmp) {
                    dist[Batp]
                } else {
                    dist[Ofmp]
                };
                PerData([batch, dist[Outp], dist[Inpp]])
            }
        };
        BufShare { dims, nbr_dists }
    }

    /// The priority axis of `d`'s group: the one with the nearer
    /// neighbours, rows on ties (0 rows, 1 columns).
    pub fn priority_axis(&self, d: DataKind) -> usize {
        let [h, w] = self.nbr_dists[d];
        usize::from(w < h)
    }

    /// The layout of a subgroup of `s` nodes of `d`'s group: `s` rounded up
    /// to a divisor of the group size, as much of it along the priority axis
    /// as divides the group's extent there.
    pub fn subgroup_dim(&self, d: DataKind, s: u64) -> Dim2 {
        let g = self.dims[d];
        let size = g.size().max(1);
        let s2 = (s.max(1)..=size)
            .find(|x| size.is_multiple_of(*x))
            .unwrap_or(size);
        let (ext_p, _) = self.along(d, g);
        let dp = (1..=ext_p)
            .rev()
            .find(|x| ext_p.is_multiple_of(*x) && s2.is_multiple_of(*x))
            .unwrap_or(1);
        let dn = s2 / dp;
        if self.priority_axis(d) == 0 {
            Dim2::new(dp, dn)
        } else {
            Dim2::new(dn, dp)
        }
    }

    /// `(priority, other)` extents of `dim` for `d`'s priority axis.
    fn along(&self, d: DataKind, dim: Dim2) -> (u64, u64) {
        if self.priority_axis(d) == 0 {
            (dim.h, dim.w)
        } else {
            (dim.w, dim.h)
        }
    }

    /// Hops to rotate all of `d`'s data once around a subgroup of `s`
    /// nodes, in rotation units of `units` (`None`: as many as nodes):
    /// the snake chain and its loop back, for the share of the data that
    /// moves, in every subgroup of the group.
    pub fn rotate_all(&self, d: DataKind, s: u64, units: Option<u64>) -> f64 {
        let s = s.max(1);
        let sub = self.subgroup_dim(d, s);
        let (dp, dn) = self.along(d, sub);
        let [dh, dw] = self.nbr_dists[d];
        let (dist_p, dist_o) = if self.priority_axis(d) == 0 {
            (dh, dw)
        } else {
            (dw, dh)
        };
        let chain = hops((dp - 1) * dn, dist_p) + hops(dn - 1, dist_o);
        let last = s - 1;
        let (q, r) = (last / dp, last % dp);
        let along = if q % 2 == 1 { dp - 1 - r } else { r };
        let loopback = hops(along, dist_p) + hops(q, dist_o);
        let sf = s as f64;
        let stay = units.map_or(1.0, |u| (sf / u as f64).max(1.0));
        let groups = (self.dims[d].size() / s) as f64;
        (chain + loopback) * (sf - stay) / sf * groups
    }

    /// Hops of one wide fetch of `d` of width `w` from a subgroup of `s`
    /// nodes: 0 when the width is at most 1.
    pub fn wide_fetch_once(&self, d: DataKind, s: u64, w: f64) -> f64 {
        if w <= 1.0 || s <= 1 {
            return 0.0;
        }
        let step = self.rotate_all(d, s, Some(s)) / (s - 1) as f64;
        let k = w.ceil();
        step * ((k - 1.0) * k / 2.0 - (k - 1.0) * (k - w)) / w
    }
}
