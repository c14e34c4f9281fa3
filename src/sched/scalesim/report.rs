//! The report: SCALE-Sim's COMPUTE_REPORT, BANDWIDTH_REPORT and
//! DETAILED_ACCESS_REPORT columns for one layer, assembled
//! (docs/model/scalesim.md#the-report).

use super::cycles::{Requests, compute_cycles, fold_length};
use super::generations::{MemoryRun, Traffic, calc_reads};
use super::matrix::Mapping;
use super::util::utilisation;
use super::write_buffer::WriteBuffer;
use super::{InterfaceBandwidth, ScaleSimArray, conventions, prefetch, sram};
use crate::sched::types::{DataKind, PerData};
use serde::Serialize;

/// SCALE-Sim's report of one layer, its columns in snake case. Cycles are
/// numbered from 0 at the first demand row; DRAM reads prefetched before
/// it have negative cycles.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSimReport {
    /// `Total Cycles`: the last demand row's cycle, stalls included.
    pub total_cycles: u64,
    /// `Stall Cycles`: cycles the array waited for memory (0 in CALC mode).
    pub stall_cycles: u64,
    /// `Total Cycles` less `Stall Cycles`.
    pub compute_cycles: u64,
    /// `Total Cycles (incl. prefetch)`: from the first DRAM read to the
    /// last DRAM write.
    pub total_cycles_incl_prefetch: u64,
    /// `Overall Util %`: MACs over (total cycles x PEs).
    pub overall_util_pct: f64,
    /// `Mapping Efficiency %`: the mean share of the array a fold uses.
    pub mapping_eff_pct: f64,
    /// `Compute Util %`: the mean share of PE-cycles a fold computes in.
    pub compute_util_pct: f64,
    /// `SRAM IFMAP Reads`.
    pub sram_ifmap_reads: u64,
    /// `SRAM IFMAP Start Cycle`.
    pub sram_ifmap_start: i64,
    /// `SRAM IFMAP Stop Cycle`.
    pub sram_ifmap_stop: i64,
    /// `SRAM Filter Reads`.
    pub sram_filter_reads: u64,
    /// `SRAM Filter Start Cycle`.
    pub sram_filter_start: i64,
    /// `SRAM Filter Stop Cycle`.
    pub sram_filter_stop: i64,
    /// `SRAM OFMAP Writes`.
    pub sram_ofmap_writes: u64,
    /// `SRAM OFMAP Start Cycle`.
    pub sram_ofmap_start: i64,
    /// `SRAM OFMAP Stop Cycle`.
    pub sram_ofmap_stop: i64,
    /// `DRAM IFMAP Reads`.
    pub dram_ifmap_reads: u64,
    /// `DRAM IFMAP Start Cycle`.
    pub dram_ifmap_start: i64,
    /// `DRAM IFMAP Stop Cycle`.
    pub dram_ifmap_stop: i64,
    /// `DRAM Filter Reads`.
    pub dram_filter_reads: u64,
    /// `DRAM Filter Start Cycle`.
    pub dram_filter_start: i64,
    /// `DRAM Filter Stop Cycle`.
    pub dram_filter_stop: i64,
    /// `DRAM OFMAP Writes`.
    pub dram_ofmap_writes: u64,
    /// `DRAM OFMAP Start Cycle`.
    pub dram_ofmap_start: i64,
    /// `DRAM OFMAP Stop Cycle`.
    pub dram_ofmap_stop: i64,
    /// `Avg IFMAP SRAM BW`: reads per total cycle.
    pub avg_ifmap_sram_bw: f64,
    /// `Avg FILTER SRAM BW`.
    pub avg_filter_sram_bw: f64,
    /// `Avg OFMAP SRAM BW`: writes per total cycle.
    pub avg_ofmap_sram_bw: f64,
    /// `Avg IFMAP DRAM BW`: words per cycle from the first to the last
    /// transfer, both included.
    pub avg_ifmap_dram_bw: f64,
    /// `Avg FILTER DRAM BW`.
    pub avg_filter_dram_bw: f64,
    /// `Avg OFMAP DRAM BW`.
    pub avg_ofmap_dram_bw: f64,
}

impl ScaleSimReport {
    /// The six access counts in the report's column order: SRAM ifmap
    /// reads, filter reads, ofmap writes, then the same at the DRAM.
    pub fn traffic(&self) -> [u64; 6] {
        [
            self.sram_ifmap_reads,
            self.sram_filter_reads,
            self.sram_ofmap_writes,
            self.dram_ifmap_reads,
            self.dram_filter_reads,
            self.dram_ofmap_writes,
        ]
    }
}

/// CALC mode: no stalls, so the SRAM cycles come from the first and last
/// folds, the reads from the generations, the writes from the write buffer.
fn calc_run(m: &Mapping, array: &ScaleSimArray) -> MemoryRun {
    let rows = PerData::from_fn(|op| sram::first_last_rows(m, op).unwrap_or((0, 0)));
    let sram = rows.map(|(first, last)| (first as i64, last as i64));
    let mut dram = PerData::splat(Traffic {
        words: 0,
        start: 0,
        stop: 0,
    });
    for op in [DataKind::Ifm, DataKind::Fil] {
        dram[op] = calc_reads(m, op, array.sram_words[op], rows[op].0);
    }
    let width = conventions::calc_drain_words_per_cycle(array.cols);
    let mut buffer = WriteBuffer::new(array.sram_words[DataKind::Ofm], width);
    let lf = fold_length(m);
    for index in 0..m.folds() {
        let req = Requests::new(m, DataKind::Ofm, m.fold(index));
        for tau in req.active() {
            // CALC drains at the array width: never a stall.
            buffer.write(req.count_at(tau), (index * lf + tau) as i64);
        }
    }
    dram[DataKind::Ofm] = buffer.finish(compute_cycles(m) as i64);
    MemoryRun {
        stalls: 0,
        sram,
        dram,
    }
}

/// Assembles the report of `m` on `array`.
pub(super) fn build(m: &Mapping, array: &ScaleSimArray) -> ScaleSimReport {
    let run = match array.bandwidth {
        InterfaceBandwidth::Calc => calc_run(m, array),
        InterfaceBandwidth::User { .. } => prefetch::user_run(m, array),
    };
    let total = compute_cycles(m) + run.stalls;
    let util = utilisation(m, total);
    let count = PerData::from_fn(|op| sram::accesses(m, op));
    let cycles = PerData::from_fn(|op| sram::start_stop(op, run.sram[op].0, run.sram[op].1));
    let sram_bw = |op: DataKind| count[op] as f64 / total as f64;
    let dram_bw = |op: DataKind| {
        let t = run.dram[op];
        t.words as f64 / (t.stop - t.start + 1) as f64
    };
    let d = run.dram;
    let first_read = d[DataKind::Ifm].start.min(d[DataKind::Fil].start);
    ScaleSimReport {
        total_cycles: total,
        stall_cycles: run.stalls,
        compute_cycles: total - run.stalls,
        total_cycles_incl_prefetch: (d[DataKind::Ofm].stop - first_read) as u64,
        overall_util_pct: util.overall,
        mapping_eff_pct: util.mapping,
        compute_util_pct: util.compute,
        sram_ifmap_reads: count[DataKind::Ifm],
        sram_ifmap_start: cycles[DataKind::Ifm].0,
        sram_ifmap_stop: cycles[DataKind::Ifm].1,
        sram_filter_reads: count[DataKind::Fil],
        sram_filter_start: cycles[DataKind::Fil].0,
        sram_filter_stop: cycles[DataKind::Fil].1,
        sram_ofmap_writes: count[DataKind::Ofm],
        sram_ofmap_start: cycles[DataKind::Ofm].0,
        sram_ofmap_stop: cycles[DataKind::Ofm].1,
        dram_ifmap_reads: d[DataKind::Ifm].words,
        dram_ifmap_start: d[DataKind::Ifm].start,
        dram_ifmap_stop: d[DataKind::Ifm].stop,
        dram_filter_reads: d[DataKind::Fil].words,
        dram_filter_start: d[DataKind::Fil].start,
        dram_filter_stop: d[DataKind::Fil].stop,
        dram_ofmap_writes: d[DataKind::Ofm].words,
        dram_ofmap_start: d[DataKind::Ofm].start,
        dram_ofmap_stop: d[DataKind::Ofm].stop,
        avg_ifmap_sram_bw: sram_bw(DataKind::Ifm),
        avg_filter_sram_bw: sram_bw(DataKind::Fil),
        avg_ofmap_sram_bw: sram_bw(DataKind::Ofm),
        avg_ifmap_dram_bw: dram_bw(DataKind::Ifm),
        avg_filter_dram_bw: dram_bw(DataKind::Fil),
        avg_ofmap_dram_bw: dram_bw(DataKind::Ofm),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SystolicLayer, simulate, test_grid};
    use super::*;

    #[test]
    fn the_report_has_scalesims_columns_in_snake_case_and_reads_back() {
        let (_, array) = test_grid()[0];
        let r = simulate(&SystolicLayer::gemm(5, 3, 4), &array).unwrap();
        let json = serde_json::to_value(r).unwrap();
        let mut keys: Vec<String> = json.as_object().unwrap().keys().cloned().collect();
        let mut want: Vec<String> = [
            "total_cycles",
            "stall_cycles",
            "compute_cycles",
            "total_cycles_incl_prefetch",
            "overall_util_pct",
            "mapping_eff_pct",
            "compute_util_pct",
        ]
        .map(String::from)
        .to_vec();
        for (what, verb) in [("ifmap", "reads"), ("filter", "reads"), ("ofmap", "writes")] {
            for level in ["sram", "dram"] {
                want.extend([verb, "start", "stop"].map(|end| format!("{level}_{what}_{end}")));
                want.push(format!("avg_{what}_{level}_bw"));
            }
        }
        keys.sort();
        want.sort();
        assert_eq!(keys, want);
        let back: ScaleSimReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }
}
