//! What the model is given: the per-node resources, the energy costs and the
//! search options (docs/model/hardware.md). Sizes are in words; the hardware file's
//! bytes are converted by `crate::hw`.

use super::types::{MemLevel, PerData, PerLevel};
use serde::Serialize;
use std::cmp::Ordering;

/// Energy per op and per word access (the reference's `Cost`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Cost {
    /// Energy of one op (one MAC).
    pub mac_op: f64,
    /// Energy per word access at each memory level.
    pub mem_hier: PerLevel<f64>,
    /// Energy per word per hop on the network-on-chip.
    pub noc_hop: f64,
    /// Static energy of the whole chip per cycle (the reference's `idl_unit`).
    pub idl_unit: f64,
}

impl Cost {
    /// Cost per word access at `level`.
    pub fn level(&self, level: MemLevel) -> f64 {
        self.mem_hier[level]
    }
}

/// The words per cycle a bus or memory channel moves.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Bandwidth {
    /// No limit: the transfer takes no time.
    Unlimited,
    /// This many words per cycle (> 0).
    Words(f64),
}

impl Bandwidth {
    /// Cycles to move `words`: `ceil(words / bandwidth)`, 0 when unlimited;
    /// `None` when they do not fit a `u64` (beyond the model's range, see
    /// `sched::limits`).
    pub fn cycles(self, words: f64) -> Option<u64> {
        match self {
            Bandwidth::Unlimited => Some(0),
            Bandwidth::Words(bw) => whole_cycles((words / bw).ceil()),
        }
    }

    /// The bandwidth as a number, infinity when unlimited.
    pub fn as_f64(self) -> f64 {
        match self {
            Bandwidth::Unlimited => f64::INFINITY,
            Bandwidth::Words(bw) => bw,
        }
    }
}

/// A whole, non-negative number of cycles as a `u64`, or `None` when it
/// does not fit one (`as` would saturate silently).
pub(crate) fn whole_cycles(x: f64) -> Option<u64> {
    // 2^64 is exact as a float; every float below it converts exactly
    // after `ceil`.
    #[allow(clippy::cast_precision_loss)]
    const LIMIT: f64 = u64::MAX as f64;
    (x < LIMIT).then_some(x as u64)
}

/// What one node offers the loop blocking of a layer (the per-node part of
/// the reference's `Resource`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NodeResource {
    /// PE array of one node (rows, columns).
    pub dim_array: crate::ir::Dim2,
    /// Global buffer capacity of one node, in words.
    pub size_gbuf: u64,
    /// Register file capacity of one PE, in words.
    pub size_regf: u64,
    /// Array multicast bus: words per cycle per data kind; `None` = unlimited.
    pub array_bus_width: Option<u64>,
    /// DRAM bandwidth for all of the layer's DRAM traffic.
    pub dram_bandwidth: Bandwidth,
    /// Each layer owns its resources for the whole run (filters can stay pinned
    /// on chip; docs/model/network.md#filter-pinning,
    /// docs/model/buffer-sharing.md#filter-pinning).
    pub no_time_mux: bool,
}

/// What the search optimizes (the reference's `opt_goal`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    /// Energy, ties broken by time.
    #[default]
    E,
    /// Delay (time), ties broken by energy.
    D,
    /// Energy-delay product.
    Ed,
}

/// What candidates are ranked by: two numbers compared lexicographically,
/// smaller first, with [`f64::total_cmp`] (the model's energies and times
/// are finite, never NaN: `sched::limits`). Sorting by it is stable, so equal
/// keys keep the order the candidates were generated in.
#[derive(Clone, Copy, Debug)]
pub struct RankKey(pub f64, pub f64);

impl Ord for RankKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| self.1.total_cmp(&other.1))
    }
}

impl PartialOrd for RankKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RankKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RankKey {}

impl Goal {
    /// The key of a (cost, time) pair under this goal; smaller is better.
    /// The `ed` key has the product first.
    pub fn key(self, cost: f64, time: f64) -> RankKey {
        match self {
            Goal::E => RankKey(cost, time),
            Goal::D => RankKey(time, cost),
            Goal::Ed => RankKey(cost * time, 0.0),
        }
    }

    /// The flag value (`e`, `d`, `ed`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Goal::E => "e",
            Goal::D => "d",
            Goal::Ed => "ed",
        }
    }
}

/// The solver that picks a layer's loop blocking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// Enumerate every blocking (the reference's default).
    #[default]
    Exhaustive,
    /// The analytical bypass solver of TETRIS (conv-pattern layers only;
    /// others fall back to exhaustive search).
    Analytic,
}

impl Solver {
    /// The flag value (`exhaustive`, `analytic`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Solver::Exhaustive => "exhaustive",
            Solver::Analytic => "analytic",
        }
    }
}

/// Options of the per-layer search (docs/model/blocking.md#search-options).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct BlockingOptions {
    /// Per data kind: may it bypass the global buffer?
    pub bypass: PerData<bool>,
    /// Exhaustive search or analytical solver.
    pub solver: Solver,
    /// What to optimize.
    pub goal: Goal,
    /// How many best blockings to keep.
    pub ntops: usize,
}

impl Default for BlockingOptions {
    fn default() -> Self {
        BlockingOptions {
            bypass: PerData::splat(true),
            solver: Solver::Exhaustive,
            goal: Goal::E,
            ntops: 1,
        }
    }
}
