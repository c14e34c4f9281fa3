//! The machine a search runs on, in one place: the node array, where its
//! DRAM sits, what one node offers (PE array, register files, global
//! buffer, buses, DRAM bandwidth) and what each op, access, hop and cycle
//! costs (docs/model/hardware.md), and the range of each quantity the
//! model accepts (why each bound: `sched::model::limits`). Sizes are in
//! words; the hardware file's bytes are converted by `crate::hw`, which
//! builds a [`Machine`] and needs nothing else of the scheduler.

use crate::ir::Dim2;
use serde::{Deserialize, Serialize};

/// The data kinds and memory levels, and the values per kind and per level
/// [`Cost`] prices by.
pub(crate) use crate::sched::types::{DataKind, MemLevel, PerData, PerLevel};

/// The fixed hardware of a search: the node array, where its DRAM sits,
/// what each node offers and what everything costs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Machine {
    /// The node array (rows, columns).
    pub nodes: Dim2,
    /// Where the DRAM sits (docs/model/hardware.md#where-dram-sits).
    pub memory: MemType,
    /// One node's resources (`no_time_mux` set by the network search).
    pub node: NodeResource,
    /// Energy costs.
    pub cost: Cost,
}

impl Machine {
    /// A node array of `nodes` with DRAM placed by `memory`, each node
    /// offering `node`, priced by `cost`.
    pub const fn new(nodes: Dim2, memory: MemType, node: NodeResource, cost: Cost) -> Self {
        Machine {
            nodes,
            memory,
            node,
            cost,
        }
    }
}

/// Where the DRAM nodes sit relative to the processing array
/// (docs/model/hardware.md#where-dram-sits).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum MemType {
    /// Off-chip DRAM reached at the four corners of the array (`memory = "2d"`).
    #[default]
    #[serde(rename = "2d")]
    TwoD,
    /// A DRAM vault stacked on every node (`memory = "3d"`).
    #[serde(rename = "3d")]
    ThreeD,
}

/// Energy per op and per word access (the reference's `Cost`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Cost {
    /// Energy of one op (one MAC).
    pub mac_op: f64,
    /// Energy per word access at each memory level; at the buffer level,
    /// the one global buffer's (with per-operand SRAMs priced each its
    /// own, see `sram`, the price of none).
    pub mem_hier: PerLevel<f64>,
    /// Per-operand SRAMs priced each its own
    /// (docs/model/hardware.md#per-operand-sram-energies): the energy per
    /// word access of each data kind's SRAM, in place of
    /// `mem_hier[Gbuf]`. `None`: every kind's buffer access costs
    /// `mem_hier[Gbuf]`.
    pub sram: Option<PerData<f64>>,
    /// Energy per word per hop on the network-on-chip.
    pub noc_hop: f64,
    /// Static energy of the whole chip per cycle (the reference's `idl_unit`).
    pub idl_unit: f64,
}

impl Cost {
    /// The reference's cost: energy per op (MAC), per word access at each
    /// level, per word per hop and per cycle of the whole chip, one buffer
    /// price for every data kind (no per-operand SRAMs).
    pub const fn new(mac_op: f64, mem_hier: PerLevel<f64>, noc_hop: f64, idl_unit: f64) -> Cost {
        Cost {
            mac_op,
            mem_hier,
            sram: None,
            noc_hop,
            idl_unit,
        }
    }

    /// Cost per word access at `level`.
    pub fn level(&self, level: MemLevel) -> f64 {
        self.mem_hier[level]
    }

    /// Cost per word access of data kind `d` at the buffer level: its own
    /// SRAM's with per-operand SRAM energies, else the global buffer's.
    pub fn buffer(&self, d: DataKind) -> f64 {
        match self.sram {
            Some(e) => e[d],
            None => self.mem_hier[MemLevel::Gbuf],
        }
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
    /// `sched::model::limits`).
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
    pub dim_array: Dim2,
    /// Global buffer capacity of one node, in words; with per-operand
    /// SRAMs, the sum of their usable words.
    pub size_gbuf: u64,
    /// Per-operand SRAMs instead of one global buffer
    /// (docs/hardware.md#per-operand-srams): the usable words of each
    /// data kind's own SRAM, half of it as it is double-buffered. `None`:
    /// one global buffer shared by all kinds.
    pub sram: Option<PerData<u64>>,
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
    /// How a layer is laid onto the PE array (docs/model/dataflows.md).
    pub dataflow: Dataflow,
}

impl NodeResource {
    /// Do the buffer words `words` of the kinds `stored` fit the node:
    /// each kind its own SRAM when the node has per-operand SRAMs, else
    /// their sum the one global buffer
    /// (docs/model/blocking.md#bypass-and-capacity-checks)?
    pub fn buffer_fits(&self, words: PerData<u64>, stored: PerData<bool>) -> bool {
        match self.sram {
            Some(sram) => DataKind::ALL
                .into_iter()
                .all(|d| !stored[d] || words[d] <= sram[d]),
            None => {
                let sum = DataKind::ALL
                    .into_iter()
                    .filter(|&d| stored[d])
                    .fold(0u64, |acc, d| acc.saturating_add(words[d]));
                sum <= self.size_gbuf
            }
        }
    }
}

// The range of machines the model accepts (why: `sched::model::limits`).

/// The most node rows or columns (32: at most 1,024 nodes). NoC hop counts
/// multiply words by nodes and distances (see `sched::model::limits`).
pub(crate) const MAX_NODE_SIDE: u64 = 32;

/// The most PE rows or columns of one node's array (65,536). The mapping
/// multiplies fmap and kernel sides by the array's (see `sched::model::limits`).
pub(crate) const MAX_PE_SIDE: u64 = 1 << 16;

/// The largest hardware size: register file and global buffer bytes, bus
/// width bits (2^53, exact as a float).
pub(crate) const MAX_HW_SIZE: u64 = 1 << 53;

/// The widest data word, in bits (1,024). Wider is a vector of words: model
/// its elements as the words.
pub(crate) const MAX_WORD_BITS: u64 = 1024;

/// The slowest DRAM, in bytes per cycle (10^-9). Any positive bandwidth
/// would do for the arithmetic (times that do not fit a `u64` are dropped);
/// slower ones are typos, and vanishing ones (5e-324) would round to 0 words
/// per cycle.
pub(crate) const MIN_BANDWIDTH: f64 = 1e-9;

/// The largest energy per op, access, hop or cycle (10^30, in the hardware
/// file's unit): keeps every energy total finite (see `sched::model::limits`).
pub(crate) const MAX_ENERGY: f64 = 1e30;

/// How a node lays a layer onto its PE array: what stays in each PE, what
/// moves between PEs and where partial sums accumulate
/// (docs/model/dataflows.md; the code: `sched::dataflow`). Named in files and on the command line by
/// [`Dataflow::name`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Dataflow {
    /// Row stationary (Eyeriss, ISCA'16): a filter row, a sliding window of
    /// inputs and a partial sum stay in each PE (docs/model/mapping.md).
    #[default]
    RowStationary,
    /// Weight stationary: one weight stays in each PE; inputs are
    /// multicast, partial sums pass from PE to PE (docs/model/dataflows.md#weight-stationary).
    WeightStationary,
    /// Output stationary A, SOC-MOP: each PE keeps the partial sum of one
    /// pixel of a block of a single output channel
    /// (docs/model/dataflows.md#output-stationary).
    OutputStationaryA,
    /// Output stationary B, MOC-MOP: blocks of pixels of several output
    /// channels.
    OutputStationaryB,
    /// Output stationary C, MOC-SOP: one pixel of many output channels.
    OutputStationaryC,
    /// No local reuse: the PEs keep nothing; weights are unicast, inputs
    /// multicast, partial sums summed across PEs
    /// (docs/model/dataflows.md#no-local-reuse).
    NoLocalReuse,
    /// A systolic array, weight stationary (the TPU's): each PE holds one
    /// weight; inputs pass right from PE to PE, partial sums pass down
    /// (docs/model/dataflows.md#systolic-arrays).
    SystolicWs,
    /// A systolic array, output stationary: each PE accumulates one output;
    /// inputs pass right, weights pass down, the outputs drain at the end
    /// of a fold (docs/model/dataflows.md#systolic-arrays).
    SystolicOs,
    /// A systolic array, input stationary: each PE holds one input of a
    /// window; weights pass right, partial sums pass down
    /// (docs/model/dataflows.md#systolic-arrays).
    SystolicIs,
}

impl Dataflow {
    /// Every dataflow, in the order the docs list them.
    pub const ALL: [Dataflow; 9] = [
        Dataflow::RowStationary,
        Dataflow::WeightStationary,
        Dataflow::OutputStationaryA,
        Dataflow::OutputStationaryB,
        Dataflow::OutputStationaryC,
        Dataflow::NoLocalReuse,
        Dataflow::SystolicWs,
        Dataflow::SystolicOs,
        Dataflow::SystolicIs,
    ];

    /// The three systolic dataflows.
    pub const SYSTOLIC: [Dataflow; 3] = [
        Dataflow::SystolicWs,
        Dataflow::SystolicOs,
        Dataflow::SystolicIs,
    ];

    /// The name in hardware files, sweep specs and schedule files.
    pub const fn name(self) -> &'static str {
        match self {
            Dataflow::RowStationary => "row-stationary",
            Dataflow::WeightStationary => "weight-stationary",
            Dataflow::OutputStationaryA => "output-stationary-a",
            Dataflow::OutputStationaryB => "output-stationary-b",
            Dataflow::OutputStationaryC => "output-stationary-c",
            Dataflow::NoLocalReuse => "no-local-reuse",
            Dataflow::SystolicWs => "systolic-ws",
            Dataflow::SystolicOs => "systolic-os",
            Dataflow::SystolicIs => "systolic-is",
        }
    }

    /// The dataflow named `name` (exactly, as [`Dataflow::name`] writes it).
    pub fn from_name(name: &str) -> Option<Dataflow> {
        Dataflow::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The names of every dataflow, for messages.
    pub fn names() -> Vec<&'static str> {
        Dataflow::ALL.into_iter().map(Dataflow::name).collect()
    }

    /// Is this one of the systolic dataflows?
    pub const fn is_systolic(self) -> bool {
        matches!(
            self,
            Dataflow::SystolicWs | Dataflow::SystolicOs | Dataflow::SystolicIs
        )
    }

    /// Is this the default, row stationary? (Files leave it out then.)
    pub fn is_row_stationary(&self) -> bool {
        *self == Dataflow::RowStationary
    }
}

impl std::fmt::Display for Dataflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
