//! Loop blocking (Yang et al., arXiv 1606.04209; TETRIS ASPLOS'17 for
//! bypass): how a layer's loop nest is tiled over the memory hierarchy, and
//! what one such tiling costs (docs/model/blocking.md).
//!
//! `scheme` prices one blocking; `search` enumerates them all; `capacities`
//! does that search once for several global-buffer capacities; `sharing`
//! prices buffer sharing inside one blocking; `solver` is the analytical
//! bypass solver.

pub(crate) mod capacities;
mod enumerate;
mod floor;
pub(crate) mod scheme;
pub(crate) mod search;
pub(crate) mod sharing;
pub(crate) mod solver;
pub(crate) mod table;
#[cfg(test)]
mod test_support;

pub(crate) use capacities::search_capacities;
pub(crate) use scheme::{Blocking, BlockingContext, BlockingStats, DataHome};
pub(crate) use search::search_below;

pub(crate) use solver::solve;
pub(crate) use table::HopTable;

use super::types::PerLoop;

/// Blocking levels: level 0 walks over GBUF-sized tiles (DRAM traffic),
/// level 1 over REGF-sized tiles inside one (GBUF traffic), level 2 is the
/// work held in the register files.
pub(crate) const LEVELS: usize = 3;

/// Factors of one loop at the three levels, or of the three loops at one
/// level, depending on the index order.
pub(crate) type Factors = [PerLoop<u64>; LEVELS];

/// Loop order of the two outer levels: per loop its position, 0 innermost.
pub(crate) type Orders = [PerLoop<u8>; 2];
