//! Node regions (docs/model/partitioning.md#node-regions): rectangles of nodes, possibly folded
//! into a snake of stripes, their absolute coordinates, the allocation of
//! subregions, and where the DRAM nodes sit.
//!
//! Processing and DRAM nodes share one coordinate space; the hop distance
//! between two nodes is the Manhattan distance of their coordinates.

use super::PartitionError;
use super::arith::gcd;
use crate::ir::Dim2;
use crate::sched::machine::MemType;
use std::fmt;

/// An absolute node coordinate (row, column). Signed so that intermediate
/// coordinate arithmetic of folded regions never wraps; valid regions only
/// produce non-negative coordinates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Coord {
    /// Row.
    pub h: i64,
    /// Column.
    pub w: i64,
}

impl Coord {
    /// The coordinate `(h, w)`.
    pub const fn new(h: i64, w: i64) -> Self {
        Coord { h, w }
    }

    /// NoC hops between two nodes: the Manhattan distance.
    pub const fn hop_dist(self, other: Coord) -> u64 {
        self.h.abs_diff(other.h) + self.w.abs_diff(other.w)
    }
}

impl fmt::Display for Coord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.h, self.w)
    }
}

/// What a region's nodes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegionKind {
    /// Processing nodes (PE array + global buffer).
    Proc = 0,
    /// DRAM channels (memory vaults or off-chip interfaces).
    Dram = 1,
}

/// A region of nodes: `dim` nodes laid out from `origin`, `dist` apart, and
/// optionally folded so that each row of `dim.w` nodes runs along a snake of
/// stripes `wtot` wide (the first stripe holding `|wbeg|` nodes, running left
/// to right when `wbeg > 0`). An unfolded region has `wtot = wbeg = dim.w`.
///
/// Invariant: `0 < |wbeg| <= wtot` unless the region is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeRegion {
    dim: Dim2,
    origin: Coord,
    dist: Dim2,
    kind: RegionKind,
    wtot: u64,
    wbeg: i64,
}

impl NodeRegion {
    /// An unfolded region of `dim` adjacent nodes whose first node is `origin`.
    pub const fn new(dim: Dim2, origin: Coord, kind: RegionKind) -> Self {
        #[allow(clippy::cast_possible_wrap)]
        let wbeg = dim.w as i64;
        NodeRegion {
            dim,
            origin,
            dist: Dim2::square(1),
            kind,
            wtot: dim.w,
            wbeg,
        }
    }

    /// The same region with nodes `dist` apart in absolute coordinates.
    #[must_use]
    pub const fn with_dist(mut self, dist: Dim2) -> Self {
        self.dist = dist;
        self
    }

    /// The same region folded along stripes `wtot` wide, the first holding
    /// `|wbeg|` nodes (see the type's doc); fails unless
    /// `0 < |wbeg| <= wtot` for a non-empty region.
    pub fn folded(self, wtot: u64, wbeg: i64) -> Result<Self, PartitionError> {
        if self.dim.size() > 0 && (wbeg == 0 || wbeg.unsigned_abs() > wtot) {
            return Err(PartitionError::InvalidFolding { wbeg, wtot });
        }
        Ok(NodeRegion { wtot, wbeg, ..self })
    }

    /// The processing region of the search tool: all `nodes` from `(0, 0)`.
    pub const fn proc(nodes: Dim2) -> Self {
        NodeRegion::new(nodes, Coord::new(0, 0), RegionKind::Proc)
    }

    /// The DRAM region for a processing array of `nodes`
    /// (docs/model/hardware.md#where-dram-sits): the four corners for
    /// [`MemType::TwoD`] (coinciding nodes are kept; as in the reference,
    /// docs/compat.md#known_limitations), every node for [`MemType::ThreeD`].
    pub const fn dram(nodes: Dim2, mem: MemType) -> Self {
        match mem {
            MemType::TwoD => {
                NodeRegion::new(Dim2::square(2), Coord::new(0, 0), RegionKind::Dram).with_dist(
                    Dim2::new(nodes.h.saturating_sub(1), nodes.w.saturating_sub(1)),
                )
            }
            MemType::ThreeD => NodeRegion::new(nodes, Coord::new(0, 0), RegionKind::Dram),
        }
    }

    /// Number of nodes along height and width.
    pub const fn dim(&self) -> Dim2 {
        self.dim
    }

    /// Absolute coordinate of the first node.
    pub const fn origin(&self) -> Coord {
        self.origin
    }

    /// Spacing of adjacent nodes in absolute coordinates.
    pub const fn dist(&self) -> Dim2 {
        self.dist
    }

    /// Processing or DRAM.
    pub const fn kind(&self) -> RegionKind {
        self.kind
    }

    /// Width of a stripe of the fold.
    pub const fn wtot(&self) -> u64 {
        self.wtot
    }

    /// Signed width of the first stripe (negative: it runs right to left).
    pub const fn wbeg(&self) -> i64 {
        self.wbeg
    }

    /// Absolute coordinate of the node at relative position `rel`
    /// (`rel < dim` component-wise), following the fold.
    #[allow(clippy::cast_possible_wrap)]
    pub fn rel2abs(&self, rel: Dim2) -> Coord {
        debug_assert!(
            rel.h < self.dim.h && rel.w < self.dim.w,
            "{rel} outside {}",
            self.dim
        );
        let wtot = self.wtot as i64;
        let abs_wbeg = self.wbeg.abs();
        let pos = rel.w as i64 + wtot - abs_wbeg;
        let (q, r) = (pos / wtot, pos % wtot);
        let forward = (self.wbeg > 0) == (q % 2 == 0);
        let wpos = if forward { r } else { wtot - 1 - r };
        let shift = if self.wbeg > 0 {
            wtot - self.wbeg
        } else {
            -self.wbeg - 1
        };
        let h = q * self.dim.h as i64 + rel.h as i64;
        let w = wpos - shift;
        Coord::new(
            self.origin.h + h * self.dist.h as i64,
            self.origin.w + w * self.dist.w as i64,
        )
    }

    /// Absolute coordinates of all nodes, relative positions in row-major
    /// order (duplicates kept, e.g. the corners of a 1-wide array).
    pub fn iter_nodes(&self) -> impl Iterator<Item = Coord> + '_ {
        (0..self.dim.h)
            .flat_map(move |h| (0..self.dim.w).map(move |w| self.rel2abs(Dim2::new(h, w))))
    }

    /// Is `c` one of the region's nodes?
    pub fn contains_node(&self, c: Coord) -> bool {
        self.iter_nodes().any(|n| n == c)
    }

    /// Splits the (unfolded) region into one subregion per request of that many
    /// nodes, in order, as stripes of height `gcd(dim.h, requests...)` snaking
    /// left to right then right to left
    /// (docs/model/partitioning.md#allocation). Empty when the requests need
    /// more nodes than the region has.
    pub fn allocate(&self, requests: &[u64]) -> Vec<NodeRegion> {
        let total = requests.iter().try_fold(0u64, |acc, &r| acc.checked_add(r));
        if total.is_none_or(|t| t > self.dim.size()) {
            return Vec::new();
        }
        let hstrp = requests.iter().fold(self.dim.h, |g, &r| gcd(g, r));
        if hstrp == 0 {
            return Vec::new();
        }
        let wtot = self.dim.w;
        let (mut ofs_h, mut ofs_w) = (0u64, 0u64);
        let mut rightwards = true;
        let mut out = Vec::with_capacity(requests.len());
        for &r in requests {
            let width = r / hstrp;
            #[allow(clippy::cast_possible_wrap)]
            let span = (wtot - ofs_w).min(width) as i64;
            let (local_w, wbeg) = if rightwards {
                (ofs_w, span)
            } else {
                (self.dim.w - ofs_w - 1, -span)
            };
            #[allow(clippy::cast_possible_wrap)]
            let origin = Coord::new(
                self.origin.h + (ofs_h * self.dist.h) as i64,
                self.origin.w + (local_w * self.dist.w) as i64,
            );
            out.push(NodeRegion {
                wtot,
                wbeg,
                ..NodeRegion::new(Dim2::new(hstrp, width), origin, self.kind).with_dist(self.dist)
            });
            ofs_w += width;
            while wtot > 0 && ofs_w >= wtot {
                ofs_w -= wtot;
                ofs_h += hstrp;
                rightwards = !rightwards;
            }
        }
        out
    }
}

impl fmt::Display for NodeRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            RegionKind::Proc => "proc",
            RegionKind::Dram => "dram",
        };
        write!(f, "{kind} {} at {}", self.dim, self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coords(r: &NodeRegion) -> Vec<(i64, i64)> {
        r.iter_nodes().map(|c| (c.h, c.w)).collect()
    }

    #[test]
    fn unfolded_region_is_row_major() {
        let r = NodeRegion::new(Dim2::new(2, 3), Coord::new(1, 2), RegionKind::Proc);
        assert_eq!(coords(&r), [(1, 2), (1, 3), (1, 4), (2, 2), (2, 3), (2, 4)]);
        assert!(r.contains_node(Coord::new(2, 4)));
        assert!(!r.contains_node(Coord::new(0, 0)));
    }

    #[test]
    fn folded_region_snakes() {
        let r = NodeRegion::new(Dim2::new(2, 5), Coord::new(0, 2), RegionKind::Proc)
            .folded(4, 2)
            .expect("valid");
        assert_eq!(
            coords(&r),
            [
                (0, 2),
                (0, 3),
                (2, 3),
                (2, 2),
                (2, 1),
                (1, 2),
                (1, 3),
                (3, 3),
                (3, 2),
                (3, 1)
            ]
        );
        let r = NodeRegion::new(Dim2::new(2, 5), Coord::new(0, 1), RegionKind::Proc)
            .folded(4, -2)
            .expect("valid");
        assert_eq!(
            coords(&r),
            [
                (0, 1),
                (0, 0),
                (2, 0),
                (2, 1),
                (2, 2),
                (1, 1),
                (1, 0),
                (3, 0),
                (3, 1),
                (3, 2)
            ]
        );
    }

    #[test]
    fn folding_is_validated() {
        let bad = |wtot, wbeg| {
            NodeRegion::new(Dim2::new(1, 3), Coord::default(), RegionKind::Proc).folded(wtot, wbeg)
        };
        assert!(bad(3, 0).is_err());
        assert!(bad(3, 4).is_err());
        assert!(bad(3, -4).is_err());
        assert!(bad(3, -3).is_ok());
    }

    #[test]
    fn dram_corners() {
        let d = NodeRegion::dram(Dim2::new(4, 4), MemType::TwoD);
        assert_eq!(coords(&d), [(0, 0), (0, 3), (3, 0), (3, 3)]);
        let d = NodeRegion::dram(Dim2::new(1, 4), MemType::TwoD);
        assert_eq!(coords(&d), [(0, 0), (0, 3), (0, 0), (0, 3)]);
        let d = NodeRegion::dram(Dim2::new(1, 1), MemType::TwoD);
        assert_eq!(coords(&d), [(0, 0); 4]);
        let d = NodeRegion::dram(Dim2::new(2, 2), MemType::ThreeD);
        assert_eq!(coords(&d), [(0, 0), (0, 1), (1, 0), (1, 1)]);
    }

    #[test]
    fn allocate_snakes_stripes() {
        let r = NodeRegion::proc(Dim2::new(4, 4));
        let subs = r.allocate(&[6, 10]);
        assert_eq!(subs.len(), 2);
        assert_eq!((subs[0].dim(), subs[0].wbeg()), (Dim2::new(2, 3), 3));
        assert_eq!(
            coords(&subs[1]),
            [
                (0, 3),
                (2, 3),
                (2, 2),
                (2, 1),
                (2, 0),
                (1, 3),
                (3, 3),
                (3, 2),
                (3, 1),
                (3, 0)
            ]
        );
        assert!(r.allocate(&[10, 8]).is_empty());
        assert!(r.allocate(&[]).is_empty());
    }

    #[test]
    fn hop_dist_is_manhattan() {
        assert_eq!(Coord::new(0, 3).hop_dist(Coord::new(2, 1)), 4);
    }
}
