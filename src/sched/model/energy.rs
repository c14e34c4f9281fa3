//! A layer's energy, in one place: the formula the blocking search ranks
//! candidates by and the one the schedule reports are the same function
//! (docs/model/blocking.md#the-energy-of-a-blocking).
//!
//! Why the sums are written out as they are: floating-point addition is not
//! associative, and nnc reproduces the reference's totals bit for bit, so
//! every sum keeps the reference's order — per level the data kinds in
//! order FIL, IFM, OFM starting from `0.0`, the levels outermost (DRAM)
//! first, and the layer's energy as `((op + access) + noc) + static`.
//! Reordering any of them changes the last bits of published numbers.

use crate::sched::machine::Cost;
use crate::sched::types::{MemLevel, PerData, PerLevel};
use serde::Serialize;

/// The energy of a layer's dataflow, by where it goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LayerCost {
    /// Ops.
    pub op: f64,
    /// Memory accesses at every level.
    pub access: f64,
    /// NoC hops.
    pub noc: f64,
    /// Static energy over the layer's time.
    pub static_: f64,
    /// The sum: `((op + access) + noc) + static`.
    pub total: f64,
}

/// Energy of `ops` ops.
pub(crate) fn op_energy(cost: &Cost, ops: f64) -> f64 {
    cost.mac_op * ops
}

/// Static energy over `time` cycles.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn static_energy(cost: &Cost, time: u64) -> f64 {
    cost.idl_unit * time as f64
}

/// Energy of the words each memory level moves: the level's cost per word
/// times its words.
pub(crate) fn words_energy(cost: &Cost, words: PerLevel<f64>) -> PerLevel<f64> {
    PerLevel::from_fn(|m| cost.mem_hier[m] * words[m])
}

/// Energy of the buffer level's accesses `words` per data kind: the one
/// global buffer's cost per word times their sum, or with per-operand SRAM
/// energies each kind's words at its own SRAM's cost, added in order FIL,
/// IFM, OFM (docs/model/hardware.md#per-operand-sram-energies).
pub(crate) fn buffer_energy(cost: &Cost, words: PerData<f64>) -> f64 {
    match cost.sram {
        None => cost.mem_hier[MemLevel::Gbuf] * words.sum_in_order(),
        Some(e) => PerData::from_fn(|d| e[d] * words[d]).sum_in_order(),
    }
}

/// Energy of the accesses at each memory level: the level's cost per word
/// times the words of all data kinds (at the buffer level,
/// [`buffer_energy`]).
pub(crate) fn level_energy(cost: &Cost, access: &PerLevel<PerData<f64>>) -> PerLevel<f64> {
    let mut levels = words_energy(cost, access.map(PerData::sum_in_order));
    if cost.sram.is_some() {
        levels[MemLevel::Gbuf] = buffer_energy(cost, access[MemLevel::Gbuf]);
    }
    levels
}

/// The levels' energies added, DRAM first.
pub(crate) fn sum_levels(levels: PerLevel<f64>) -> f64 {
    MemLevel::ALL
        .into_iter()
        .fold(0.0, |acc, m| acc + levels[m])
}

/// Energy of all memory accesses: the levels' energies, DRAM first.
pub(crate) fn access_energy(cost: &Cost, access: &PerLevel<PerData<f64>>) -> f64 {
    sum_levels(level_energy(cost, access))
}

/// NoC word-hops of each data kind over the whole layer: the hops to move
/// it once times the times it is fetched from DRAM. The exact product,
/// rounded to `f64` once: in `u64` when it fits (the usual case, and the
/// fast one: `u128` to `f64` is a software routine in the search's hottest
/// loop), else in `u128`, which cannot overflow (`sched::model::limits`).
#[allow(clippy::cast_precision_loss)]
pub(crate) fn noc_hops(unit_nhops: PerData<u64>, dram_fetches: PerData<u64>) -> PerData<f64> {
    PerData::from_fn(|d| match unit_nhops[d].checked_mul(dram_fetches[d]) {
        Some(p) => p as f64,
        None => (u128::from(unit_nhops[d]) * u128::from(dram_fetches[d])) as f64,
    })
}

impl LayerCost {
    /// The energy of a layer that does `ops` ops, spends `access` on memory
    /// accesses, moves `nhops` word-hops over the NoC and takes `time`
    /// cycles.
    pub fn new(cost: &Cost, ops: f64, access: f64, nhops: PerData<f64>, time: u64) -> Self {
        let op = op_energy(cost, ops);
        let noc = cost.noc_hop * nhops.sum_in_order();
        let static_ = static_energy(cost, time);
        LayerCost {
            op,
            access,
            noc,
            static_,
            total: op + access + noc + static_,
        }
    }

    /// The energy of `n` runs of the same work, part by part (the groups of
    /// a grouped convolution, docs/model/layers.md#grouped-convolution).
    pub fn repeated(&self, n: u64) -> Self {
        let n = n as f64;
        LayerCost {
            op: self.op * n,
            access: self.access * n,
            noc: self.noc * n,
            static_: self.static_ * n,
            total: self.total * n,
        }
    }

    /// Adds `o` part by part (network totals).
    pub fn add(&mut self, o: &LayerCost) {
        self.op += o.op;
        self.access += o.access;
        self.noc += o.noc;
        self.static_ += o.static_;
        self.total += o.total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::types::DataKind;

    #[test]
    fn sums_in_the_reference_order() {
        let cost = Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 10.0, 0.5);
        let access = PerLevel([
            PerData([1.0, 2.0, 3.0]),
            PerData([0.0, 1.0, 0.0]),
            PerData([1e16, 1.0, 1.0]),
            PerData([0.0, 0.0, 4.0]),
        ]);
        // (1e16 + 1) + 1 rounds to 1e16 twice; 1e16 + (1 + 1) would not.
        assert_eq!(PerData([1e16, 1.0, 1.0]).sum_in_order(), 1e16);
        assert_eq!(PerData([1.0, 1.0, 1e16]).sum_in_order(), 1e16 + 2.0);
        // From 0.0: a sum of negative zeros is a positive zero.
        assert!(PerData([-0.0; 3]).sum_in_order().is_sign_positive());
        assert_eq!(level_energy(&cost, &access).0, [1200.0, 6.0, 2e16, 4.0]);
        // ((1200 + 6) + 2e16) rounds to 2e16 + 1208, then + 4.
        assert_eq!(access_energy(&cost, &access), 2e16 + 1212.0);
        let hops = noc_hops(PerData([u64::MAX, 1, 0]), PerData([u64::MAX, 3, 5]));
        #[allow(clippy::cast_precision_loss)]
        let big = (u128::from(u64::MAX) * u128::from(u64::MAX)) as f64;
        assert_eq!(hops.0, [big, 3.0, 0.0]);
        let c = LayerCost::new(&cost, 8.0, 100.0, PerData([1.0, 2.0, 3.0]), 4);
        assert_eq!((c.op, c.noc, c.static_, c.total), (8.0, 60.0, 2.0, 170.0));
    }

    #[test]
    fn per_operand_srams_price_each_kind_at_its_own() {
        let one = Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 0.0, 0.0);
        // FIL, IFM, OFM at 1, 10 and 4 per word.
        let srams = Cost {
            sram: Some(PerData([1.0, 10.0, 4.0])),
            ..one
        };
        let words = PerData([3.0, 5.0, 7.0]);
        assert_eq!(buffer_energy(&one, words), 6.0 * 15.0);
        assert_eq!(buffer_energy(&srams, words), 3.0 + 50.0 + 28.0);
        assert_eq!(srams.buffer(DataKind::Ifm), 10.0);
        assert_eq!(one.buffer(DataKind::Ifm), 6.0);
        // Only the buffer level changes.
        let access = PerLevel::splat(words);
        let (a, b) = (level_energy(&one, &access), level_energy(&srams, &access));
        assert_eq!((a[MemLevel::Gbuf], b[MemLevel::Gbuf]), (90.0, 81.0));
        for m in [MemLevel::Dram, MemLevel::Array, MemLevel::Regf] {
            assert_eq!(a[m], b[m]);
        }
        assert_eq!(access_energy(&srams, &access), sum_levels(b));
    }
}
