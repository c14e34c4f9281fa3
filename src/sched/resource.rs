//! What the model is given: the per-node resources, the energy costs and the
//! search options (layer-model §2). Sizes are in words; the hardware file's
//! bytes are converted by `crate::hw`.

use super::types::{MemLevel, PerData, PerLevel};
use serde::Serialize;

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
    /// Cycles to move `words`: `ceil(words / bandwidth)`, 0 when unlimited.
    pub fn cycles(self, words: f64) -> u64 {
        match self {
            Bandwidth::Unlimited => 0,
            Bandwidth::Words(bw) => (words / bw).ceil() as u64,
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
    /// Each layer owns its resources for the whole run (filters can stay
    /// pinned on chip; search-model §5.4, §7.5).
    pub no_time_mux: bool,
}

/// What the search optimizes (the reference's `opt_goal`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
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

impl Goal {
    /// The key of a (cost, time) pair under this goal; smaller is better.
    /// Compared lexicographically; the `ed` key has its product first.
    pub fn key(self, cost: f64, time: f64) -> (f64, f64) {
        match self {
            Goal::E => (cost, time),
            Goal::D => (time, cost),
            Goal::Ed => (cost * time, 0.0),
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// Enumerate every blocking (the reference's default).
    #[default]
    Exhaustive,
    /// The analytical bypass solver of TETRIS (conv-pattern layers only;
    /// others fall back to exhaustive search).
    Analytic,
}

/// Options of the per-layer search (layer-model §2.4).
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
