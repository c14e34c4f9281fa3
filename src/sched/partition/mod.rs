//! Partitioning a layer over a tiled array of nodes
//! (docs/model/partitioning.md,
//! docs/model/buffer-sharing.md#buffer-sharing-groups): node regions, partition
//! schemes, fmap ranges, data layouts, NoC hops.
//!
//! Input: a layer shape, a batch size, the node array and the options.
//! Output: the partition schemes worth trying ([`gen_partition`]), the
//! per-node sub-layer of each ([`PartitionScheme::part_layer`]), and the
//! word-hops to move each data category once between memory and the nodes
//! ([`hops::unit_nhops`], through [`GroupsMemo`] in a search, or [`HopCache::unit_nhops`] for the reference's memo).
//!
//! Files, one concept each:
//!
//! - `arith`: the helper arithmetic (ranges, factorisations;
//!   docs/model/partitioning.md#helper-arithmetic);
//! - `region`: node regions, coordinates, subregion allocation, DRAM placement;
//! - `scheme`: partition schemes, partition indices, projection, sub-layers;
//! - `enumerate`: which schemes the search tries, in the reference's order;
//! - `fmap`: fmap ranges;
//! - `layout`: data layouts and the hops to read from them;
//! - `hops`: per-node data ranges and the unit hops of a partition;
//! - `memo`: the hop memo of the network search
//!   (docs/model/noc.md#the-references-hop-memo);
//! - `groups`: access-forwarding groups
//!   (docs/model/buffer-sharing.md#buffer-sharing-groups).
//!
//! Node counts, ranges and hop counts are integers throughout; the only float
//! is a sub-layer's occupancy.

pub(crate) mod arith;
pub(crate) mod enumerate;
pub(crate) mod fmap;
pub(crate) mod groups;
pub(crate) mod hops;
pub(crate) mod layout;
pub(crate) mod memo;
pub(crate) mod region;
pub(crate) mod scheme;

pub(crate) use enumerate::{
    IfmapsWithoutHybrid, PartTarget, PartitionKind, Partitioning, partition_candidates,
};
pub(crate) use fmap::{FmapPosition, FmapRange};
pub(crate) use groups::{accfwd_reduction, sharing_group_dims};
pub(crate) use hops::{FilterSources, GroupsMemo, HopQuery};
pub(crate) use layout::{DataLayout, LayoutPiece};
pub(crate) use memo::HopCache;
pub(crate) use region::NodeRegion;
pub(crate) use scheme::{PartLayer, PartitionScheme};

use crate::ir::Dim2;
use std::fmt;
use std::ops::{Index, IndexMut};
use thiserror::Error;

/// A dimension a layer can be split along over the nodes (the reference's
/// `ParallelEnum`). The integer values index `PerDim` and appear in the
/// reference's JSON of schemes; schedule files write the lowercase names.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum ParallelDim {
    /// Output channels: each node computes some of the ofmaps.
    Outp = 0,
    /// Ofmap tiles: each node computes a spatial tile of every ofmap.
    Ofmp = 1,
    /// Batch: each node computes some of the samples.
    Batp = 2,
    /// Input channels: each node reads some of the ifmaps and produces partial
    /// sums that are reduced across nodes.
    Inpp = 3,
}

impl ParallelDim {
    /// All four dimensions in enum order.
    pub const ALL: [ParallelDim; 4] = [
        ParallelDim::Outp,
        ParallelDim::Ofmp,
        ParallelDim::Batp,
        ParallelDim::Inpp,
    ];

    /// The integer value (0..3).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The dimension with integer value `i`, if any.
    pub const fn from_index(i: usize) -> Option<Self> {
        match i {
            0 => Some(ParallelDim::Outp),
            1 => Some(ParallelDim::Ofmp),
            2 => Some(ParallelDim::Batp),
            3 => Some(ParallelDim::Inpp),
            _ => None,
        }
    }

    /// The lowercase short name (`outp`, `ofmp`, `batp`, `inpp`), as in
    /// schedule files and reports.
    pub const fn as_str_lower(self) -> &'static str {
        match self {
            ParallelDim::Outp => "outp",
            ParallelDim::Ofmp => "ofmp",
            ParallelDim::Batp => "batp",
            ParallelDim::Inpp => "inpp",
        }
    }

    /// The reference's short name (`OUTP`, `OFMP`, `BATP`, `INPP`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ParallelDim::Outp => "OUTP",
            ParallelDim::Ofmp => "OFMP",
            ParallelDim::Batp => "BATP",
            ParallelDim::Inpp => "INPP",
        }
    }
}

impl fmt::Display for ParallelDim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One value per [`ParallelDim`], indexed by it (e.g. the split factors of a
/// scheme, or a partition index).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PerDim<T>(pub [T; 4]);

impl<T> Index<ParallelDim> for PerDim<T> {
    type Output = T;
    fn index(&self, p: ParallelDim) -> &T {
        &self.0[p.index()]
    }
}

impl<T> IndexMut<ParallelDim> for PerDim<T> {
    fn index_mut(&mut self, p: ParallelDim) -> &mut T {
        &mut self.0[p.index()]
    }
}

/// Why a region, scheme, sub-layer or layout could not be built.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PartitionError {
    /// A folded region's first stripe must hold between 1 and `wtot` nodes.
    #[error("node region folding: need 0 < |wbeg| <= wtot, got wbeg {wbeg}, wtot {wtot}")]
    InvalidFolding {
        /// Signed width of the first stripe.
        wbeg: i64,
        /// Width of a stripe.
        wtot: u64,
    },
    /// A scheme's order must list each dimension exactly once.
    #[error("partition order {order:?} is not a permutation of the four dimensions")]
    InvalidOrder {
        /// The order as given (integer values).
        order: [usize; 4],
    },
    /// Every split factor must be at least 1.
    #[error("partition factor of {dim} is {factors}: factors must be at least 1")]
    ZeroFactor {
        /// The dimension.
        dim: ParallelDim,
        /// Its factors.
        factors: Dim2,
    },
    /// Local-region layers (pool, eltwise) cannot be split over input channels.
    #[error("a local-region layer cannot be split over input channels (INPP {inpp})")]
    InppOnLocalLayer {
        /// The INPP factors.
        inpp: Dim2,
    },
    /// A sub-layer with no ops has no occupancy (only for degenerate shapes).
    #[error("the per-node sub-layer of this partition has no ops")]
    EmptySubLayer,
    /// A data layout needs at least one piece.
    #[error("a data layout needs at least one piece")]
    EmptyLayout,
    /// A layout piece's scheme splits input channels, which is not a split of
    /// the stored data.
    #[error("layout piece {piece}: its partition splits input channels (INPP)")]
    LayoutSplitsInputs {
        /// Index of the piece.
        piece: usize,
    },
    /// A layout piece's scheme needs more nodes than its region has.
    #[error("layout piece {piece}: partition of {needed} nodes does not fit region {region}")]
    LayoutDoesNotFit {
        /// Index of the piece.
        piece: usize,
        /// Nodes the partition spans.
        needed: Dim2,
        /// The region's nodes.
        region: Dim2,
    },
    /// The pieces of a layout must form one fmap: starting at the origin,
    /// equal batch and spatial extents, contiguous increasing channels.
    #[error("layout piece {piece}: {reason}")]
    LayoutNotContiguous {
        /// Index of the piece.
        piece: usize,
        /// What is wrong.
        reason: &'static str,
    },
}
