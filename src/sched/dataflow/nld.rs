//! The nested-loop description (NLD) of a layer on one node
//! (docs/model/mapping.md#the-nested-loop-description): a three-deep loop nest
//! over input channels, output channels and batch, whose body is one processing
//! pass of the PE array.

use crate::sched::types::{DataKind, DataLoops, LoopDim, MemLevel, PerData, PerLevel, PerLoop};
use serde::Serialize;

/// A layer as a loop nest over [IFM, OFM, BAT] whose body is one processing
/// pass (the reference's `NestedLoopDesc`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Nld {
    /// Trip count of each loop.
    pub loopcnt: PerLoop<u64>,
    /// Global-buffer words one loop body occupies, per data kind.
    pub usize_gbuf: PerData<u64>,
    /// Register-file words per PE one loop body occupies, per data kind.
    pub usize_regf: PerData<u64>,
    /// Accesses of one loop body, per memory level and data kind.
    pub unit_access: PerLevel<PerData<f64>>,
    /// Ops of one loop body.
    pub unit_ops: f64,
    /// Cycles of one loop body.
    pub unit_time: u64,
    /// Which loops index which data.
    pub data_loops: DataLoops,
    /// The data kinds the PEs keep in their register files across loop
    /// iterations: all three for row stationary; for another dataflow only
    /// its stationary data (docs/model/dataflows.md#what-the-register-files-hold).
    /// Kinds not kept come from the buffer again for every iteration of
    /// the loops unrelated to them.
    pub regf_keeps: PerData<bool>,
    /// Does the loop blocking keep a kind in the buffer whenever that costs
    /// less energy than streaming it past the buffer, not only where the
    /// buffer level gives it loop reuse? Set by the systolic dataflows and
    /// the taxonomy, whose passes may read a buffered word more than once
    /// (a fold's overlapping windows, no local reuse's weight per MAC;
    /// docs/model/blocking.md#bypass-and-capacity-checks); row stationary
    /// keeps nn_dataflow's rule.
    #[serde(skip)]
    pub buffer_by_energy: bool,
    /// The kinds each PE takes into its register file once, to keep for
    /// all their uses: weight stationary's weights, which by the
    /// taxonomy's definition stay in their PE while every sample and
    /// output pixel that uses them goes by (Eyeriss ISCA'16 §IV-A;
    /// docs/model/dataflows.md#what-the-register-files-hold). The loop
    /// blocking accepts only blockings that fetch them into the register
    /// files once.
    #[serde(skip)]
    pub regf_once: PerData<bool>,
}

impl Nld {
    /// Do the register files keep every data kind, as row stationary's do?
    /// (The analytical solver is made for such nests.)
    pub fn regf_keeps_all(&self) -> bool {
        self.regf_keeps.0.iter().all(|&b| b)
    }

    /// May a blocking iterate loop `l` inside the register files (a
    /// factor above 1 at their level)? Only if they keep every data kind
    /// the loop does not index, which its iterations reuse.
    pub fn regf_may_iterate(&self, l: LoopDim) -> bool {
        DataKind::ALL
            .into_iter()
            .all(|d| self.data_loops.has(d, l) || self.regf_keeps[d])
    }
}

impl Nld {
    /// Product of the loop counts that index data `d`, in loop order.
    pub fn data_loop_product(&self, d: DataKind) -> u64 {
        LoopDim::ALL
            .into_iter()
            .filter(|&l| self.data_loops.has(d, l))
            .map(|l| self.loopcnt[l])
            .product()
    }

    /// Accesses at `level` that touch every distinct piece of `d` once.
    pub fn total_access(&self, level: MemLevel, d: DataKind) -> f64 {
        self.unit_access[level][d] * self.data_loop_product(d) as f64
    }

    /// Ops of the whole nest.
    pub fn total_ops(&self) -> f64 {
        self.unit_ops * self.loopcnt.0.iter().product::<u64>() as f64
    }
}
