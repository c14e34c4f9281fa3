//! SCALE-Sim's fixed mapping priced in nnc's model
//! (docs/model/dataflows.md#scale-sims-mapping-priced-in-nncs-model):
//! the one mapping SCALE-Sim runs on a systolic node — its folds, the
//! column folds outside the row folds, each SRAM holding what SCALE-Sim's
//! holds — costed with nnc's energies and cycles, without searching. nnc's
//! own search over the same folds chooses the order and what each SRAM
//! holds, so its schedule should never be dearer; the tests check it.

use crate::ir::{ConvShape, LayerShape};
use crate::sched::Compat;
use crate::sched::dataflow::{NodeShare, systolic};
use crate::sched::machine::{Dataflow, Machine};
use crate::sched::model::energy::buffer_energy;
use crate::sched::types::{DataKind, LoopDim, MemLevel, PerData, PerLevel};

/// What SCALE-Sim's mapping of a layer costs in nnc's model.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MappingCost {
    /// The whole energy: MACs, accesses and static energy.
    pub energy: f64,
    /// The energy of the MACs.
    pub mac_energy: f64,
    /// Accesses per memory level and data kind.
    pub accesses: PerLevel<PerData<f64>>,
    /// The energy of the accesses per memory level.
    pub access_energy: PerLevel<f64>,
    /// Cycles: the folds', or the DRAM's when longer.
    pub cycles: u64,
}

impl MappingCost {
    /// `n` runs of the same work (the groups of a grouped convolution).
    fn repeated(self, n: u64) -> MappingCost {
        #[allow(clippy::cast_precision_loss)]
        let k = n as f64;
        MappingCost {
            energy: self.energy * k,
            mac_energy: self.mac_energy * k,
            accesses: PerLevel::from_fn(|m| PerData::from_fn(|d| self.accesses[m][d] * k)),
            access_energy: PerLevel::from_fn(|m| self.access_energy[m] * k),
            cycles: self.cycles.saturating_mul(n),
        }
    }
}

/// SCALE-Sim's mapping of `layer` at `batch` on `machine`'s node, priced
/// in nnc's model; `None` unless the node is one systolic array (SCALE-Sim
/// has no multi-array runs) and the layer a convolution or matrix product
/// (SCALE-Sim has no pooling or element-wise layers).
pub fn scalesim_mapping_cost(
    layer: &LayerShape,
    batch: u64,
    machine: &Machine,
) -> Option<MappingCost> {
    let dataflow = machine.node.dataflow;
    if !dataflow.is_systolic() || machine.nodes.size() != 1 {
        return None;
    }
    let LayerShape::Conv(c) = layer else {
        return None;
    };
    if c.is_plain() {
        return plain_cost(c, batch, machine);
    }
    // As nnc schedules them (docs/model/layers.md#grouped-convolution,
    // docs/model/layers.md#matmul): a grouped or dilated convolution as
    // its groups' dense convolutions, a matmul as batch-1 runs.
    let one = c.one_group();
    if c.is_matmul() {
        let runs = c.runs().saturating_mul(batch);
        return plain_cost(&one, 1, machine).map(|m| m.repeated(runs));
    }
    plain_cost(&one, batch, machine).map(|m| m.repeated(c.groups))
}

/// How often each kind comes from DRAM, over its distinct words, in
/// SCALE-Sim's fold order with SCALE-Sim's SRAM contents.
fn dram_rounds(
    dataflow: Dataflow,
    loops: [u64; 3],
    fits_whole: impl Fn(DataKind) -> bool,
    fits_fold: impl Fn(DataKind) -> bool,
) -> PerData<u64> {
    let [k_folds, m_folds, p_folds] = loops;
    // Partial sums over the folds of `K` that spill go out and come back.
    let psums = |fits: bool| if fits { 1 } else { 2 * k_folds - 1 };
    match dataflow {
        // Columns (M) outside, rows (P) inside: the filters of a column
        // fold serve its row folds; the ifmap serves every column fold.
        Dataflow::SystolicOs => PerData([
            if fits_fold(DataKind::Fil) { 1 } else { p_folds },
            if fits_whole(DataKind::Ifm) {
                1
            } else {
                m_folds
            },
            1,
        ]),
        // Columns (P) outside, rows (K) inside: the filters serve every
        // column fold; the outputs of a column fold accumulate over its
        // row folds.
        Dataflow::SystolicIs => PerData([
            if fits_whole(DataKind::Fil) {
                1
            } else {
                p_folds
            },
            1,
            psums(fits_fold(DataKind::Ofm)),
        ]),
        // Weight stationary: columns (M) outside, rows (K) inside.
        _ => PerData([
            1,
            if fits_whole(DataKind::Ifm) {
                1
            } else {
                m_folds
            },
            psums(fits_fold(DataKind::Ofm)),
        ]),
    }
}

/// [`scalesim_mapping_cost`] of a plain convolution.
#[allow(clippy::cast_precision_loss)]
fn plain_cost(c: &ConvShape, batch: u64, machine: &Machine) -> Option<MappingCost> {
    let node = &machine.node;
    let layer = LayerShape::Conv(*c);
    let share = NodeShare {
        layer: &layer,
        batch,
        occupancy: 1.0,
        dim_array: node.dim_array,
        compat: Compat::Nnc,
    };
    // SCALE-Sim streams the whole batch through a weight-stationary fold:
    // the last of the mapping's nests.
    let mapping = systolic::map(&share, node.dataflow).ok()?;
    let nld = mapping.nlds.last()?;
    let l = nld.loopcnt;
    let lcnt = (l[LoopDim::Ifm] * l[LoopDim::Ofm] * l[LoopDim::Bat]) as f64;
    // What must fit for a kind to stay on chip: all of it (the buffer
    // words of every fold of its loops), or one fold's tile.
    let whole = PerData::from_fn(|d| nld.usize_gbuf[d].saturating_mul(nld.data_loop_product(d)));
    let capacity = capacities(machine, whole, nld.usize_gbuf);
    let rounds = dram_rounds(
        node.dataflow,
        l.0,
        |d| whole[d] <= capacity[d],
        |d| nld.usize_gbuf[d] <= capacity[d],
    );
    let mut accesses = PerLevel::splat(PerData::splat(0.0));
    // Every fold once: its operands read at the edge, its outputs written,
    // partial sums of the folds over `K` read back before each later one;
    // nnc's model counts partial sums in the buffer and on the array per
    // write and read back, `2 f - 1` times (docs/model/blocking.md#accesses).
    let k_folds = l[LoopDim::Ifm] as f64;
    let per_fold = |m: MemLevel| {
        PerData::from_fn(|d| {
            let each = nld.unit_access[m][d] * lcnt;
            match d {
                DataKind::Ofm => each / k_folds * (2.0 * k_folds - 1.0),
                _ => each,
            }
        })
    };
    accesses[MemLevel::Gbuf] = per_fold(MemLevel::Gbuf);
    accesses[MemLevel::Array] = per_fold(MemLevel::Array);
    // An operand whose fold tile does not fit its SRAM streams through it:
    // every read at the array's edge is a DRAM read.
    accesses[MemLevel::Dram] = PerData::from_fn(|d| {
        if nld.usize_gbuf[d] <= capacity[d] {
            nld.total_access(MemLevel::Dram, d) * rounds[d] as f64
        } else {
            accesses[MemLevel::Gbuf][d]
        }
    });
    // A partial sum kept in a PE is read and written per MAC
    // (docs/model/blocking.md#accesses).
    let k = PerData([1.0, 1.0, 2.0]);
    accesses[MemLevel::Regf] =
        PerData::from_fn(|d| nld.unit_access[MemLevel::Regf][d] * lcnt * k[d]);
    let cost = &machine.cost;
    let access_energy = PerLevel::from_fn(|m| match m {
        MemLevel::Gbuf => buffer_energy(cost, accesses[m]),
        _ => {
            cost.level(m)
                * DataKind::ALL
                    .into_iter()
                    .map(|d| accesses[m][d])
                    .sum::<f64>()
        }
    });
    let ops = nld.total_ops();
    let dram_words: f64 = DataKind::ALL
        .into_iter()
        .map(|d| accesses[MemLevel::Dram][d])
        .sum();
    let proc = nld.unit_time.saturating_mul(l.0.iter().product());
    let cycles = proc.max(node.dram_bandwidth.cycles(dram_words)?);
    let mac_energy = cost.mac_op * ops;
    let energy = mac_energy + access_energy.0.iter().sum::<f64>() + cost.idl_unit * cycles as f64;
    Some(MappingCost {
        energy,
        mac_energy,
        accesses,
        access_energy,
        cycles,
    })
}

/// The words each kind's SRAM may keep: the usable half of its own with
/// per-operand SRAMs; with one global buffer, shared in the order
/// outputs, filters, ifmap, each taking what it needs of what is left
/// (all of it when it fits, else its fold's tile when that fits).
fn capacities(machine: &Machine, whole: PerData<u64>, fold: PerData<u64>) -> PerData<u64> {
    let node = &machine.node;
    if let Some(sram) = node.sram {
        return sram;
    }
    let mut left = node.size_gbuf;
    let mut cap = PerData::splat(0);
    for d in [DataKind::Ofm, DataKind::Fil, DataKind::Ifm] {
        let take = [whole[d], fold[d]].into_iter().find(|&w| w <= left);
        if let Some(w) = take {
            cap[d] = w;
            left -= w;
        }
    }
    cap
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Dim2;

    fn machine(dataflow: Dataflow, sram: Option<PerData<u64>>) -> Machine {
        let mut m = crate::hw::load("tpu-v1").unwrap().machine();
        m.node.dataflow = dataflow;
        m.node.dim_array = Dim2::square(16);
        m.node.dram_bandwidth = crate::sched::machine::Bandwidth::Unlimited;
        m.node.sram = sram;
        m.node.size_gbuf = sram.map_or(1 << 20, |s| s.0.iter().sum());
        m
    }

    fn conv() -> LayerShape {
        crate::sched::dataflow::square_conv(32, 48, 8, 3)
    }

    #[test]
    fn everything_fits_every_word_comes_from_dram_once() {
        let layer = conv();
        for dataflow in Dataflow::SYSTOLIC {
            let m = machine(dataflow, None);
            let cost = scalesim_mapping_cost(&layer, 1, &m).unwrap();
            let dram = cost.accesses[MemLevel::Dram];
            // 288 x 48 weights; 48 x 64 outputs.
            assert!(
                (dram[DataKind::Fil] - (288 * 48) as f64).abs() < 1e-6,
                "{dataflow}"
            );
            assert!(
                (dram[DataKind::Ofm] - (48 * 64) as f64).abs() < 1e-6,
                "{dataflow}"
            );
            assert!(cost.cycles > 0 && cost.energy > 0.0);
        }
    }

    #[test]
    fn small_srams_refetch_and_spill() {
        let layer = conv();
        // Filters and a fold's ifmap (3 channels' planes, 300 words) fit;
        // the whole ifmap (18 folds' worth) and a fold's outputs do not.
        let small = Some(PerData([1000, 1000, 16]));
        let m = machine(Dataflow::SystolicWs, small);
        let cost = scalesim_mapping_cost(&layer, 1, &m).unwrap();
        let dram = cost.accesses[MemLevel::Dram];
        // K = 288 in 18 row folds: partial sums spill 35 times per output;
        // 48 channels in 3 column folds: the ifmap comes 3 times.
        assert!((dram[DataKind::Ofm] - (35 * 48 * 64) as f64).abs() < 1e-6);
        let ifmap = 32.0 * 10.0 * 10.0;
        assert!((dram[DataKind::Ifm] - 3.0 * ifmap).abs() < 1e-6, "{dram:?}");
        // A fold's ifmap that does not fit streams: every edge read, the
        // 64 x 288 ifmap matrix once per column fold, comes from DRAM.
        let m = machine(Dataflow::SystolicWs, Some(PerData([1000, 16, 16])));
        let cost = scalesim_mapping_cost(&layer, 1, &m).unwrap();
        let ifm = cost.accesses[MemLevel::Dram][DataKind::Ifm];
        assert!((ifm - (3 * 64 * 288) as f64).abs() < 1e-6, "{ifm}");
    }

    #[test]
    fn only_a_single_systolic_array_has_scalesims_mapping() {
        let layer = conv();
        let mut m = machine(Dataflow::SystolicWs, None);
        m.node.dataflow = Dataflow::RowStationary;
        assert!(scalesim_mapping_cost(&layer, 1, &m).is_none());
        let m = crate::hw::load("hw/examples/tpu-2x2.toml")
            .unwrap()
            .machine();
        assert!(scalesim_mapping_cost(&layer, 1, &m).is_none());
    }
}
