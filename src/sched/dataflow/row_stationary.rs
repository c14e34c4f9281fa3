//! Row-stationary mapping of one (per-node) layer onto the PE array
//! (Eyeriss, ISCA'16; docs/model/mapping.md): logical PE sets, folding and
//! replication, the unit pass, and one nested-loop description per
//! replication choice.

use crate::ir::{Dim2, LayerShape};
use crate::sched::Compat;
use crate::sched::dataflow::{DataflowMapping, MappingSummary, Nld, NodeShare};
use crate::sched::model::factor::ordered_factors2;
use crate::sched::types::{DataLoops, LoopDim, MemLevel, PerData, PerLevel, PerLoop};
use serde::Serialize;
use thiserror::Error;

/// Why a layer cannot be mapped (in the reference's model these abort the
/// search; nnc reports them as "no schedule").
#[derive(Clone, Copy, Debug, Error, PartialEq, Serialize)]
pub enum MappingError {
    /// The reference refuses mappings that use at most half of the PE array
    /// (docs/model/mapping.md#folding-and-replication,
    /// docs/compat.md#half_array_assert). Only in the compatible model.
    #[error("PE utilization {util:.3} is at most 50% (nn_dataflow refuses such mappings)")]
    LowUtilization {
        /// Fraction of the array doing useful work.
        util: f64,
    },
    /// The reference's mapping cannot take a multi-input element-wise layer
    /// directly (docs/compat.md#eltwise_reads_one_input). Only in the compatible model.
    #[error("nn_dataflow's mapping cannot read {ntrd} input channels per output channel")]
    ChannelStride {
        /// Input channels per output channel.
        ntrd: u64,
    },
}

/// The work of one unit pass: one input channel, one output channel, one sample
/// and one width fold, through all filter-row folds
/// (docs/model/mapping.md#unit-pass-and-processing-pass).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct UnitPass {
    /// Ops of the pass.
    pub ops: f64,
    /// Cycles of the pass.
    pub time: u64,
    /// Accesses per memory level and data kind.
    pub access: PerLevel<PerData<f64>>,
    /// Global-buffer words per data kind.
    pub size_gbuf: PerData<u64>,
    /// Register-file words per PE per data kind.
    pub size_regf: PerData<u64>,
    /// Input re-read factor of overlapping height pieces (self-check only).
    pub amp_acc_ifm: f64,
}

/// A layer mapped onto the array.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mapping {
    /// Ops of one logical PE (a 1D convolution of one row).
    pub ops_lpe: u64,
    /// Logical PE set of one 2D convolution (rows, columns).
    pub dim_lpeset: Dim2,
    /// Folds of the logical set (height, width).
    pub fold: Dim2,
    /// Replications of the folded set (height, width).
    pub repl: Dim2,
    /// Folded logical set.
    pub dim_flpeset: Dim2,
    /// Physical PEs used by the replicated folded sets.
    pub dim_ppeset: Dim2,
    /// Fraction of the PE array doing useful work.
    pub util: f64,
    /// The unit pass.
    pub unitpass: UnitPass,
    /// One nested-loop description per kept replication choice, in
    /// generation order.
    pub nlds: Vec<Nld>,
}

/// Ceiling division of integers.
pub(crate) const fn ceil_div(a: u64, b: u64) -> u64 {
    a.div_ceil(b)
}

/// The row-stationary mapping of a node's share behind the dataflow
/// interface: [`map_layer`], in short, and its loop nests.
pub(crate) fn map(share: &NodeShare<'_>) -> Result<DataflowMapping, MappingError> {
    let m = map_layer(
        share.layer,
        share.batch,
        share.occupancy,
        share.dim_array,
        share.compat,
    )?;
    let summary = MappingSummary::RowStationary {
        fold: m.fold,
        repl: m.repl,
        util: m.util,
    };
    Ok(DataflowMapping {
        summaries: vec![summary; m.nlds.len()],
        nlds: m.nlds,
    })
}

/// Maps `layer` (already partitioned to one node) with batch `batch` and
/// external occupancy `occ` onto a `dim_array` PE array.
pub fn map_layer(
    layer: &LayerShape,
    batch: u64,
    occ: f64,
    dim_array: Dim2,
    compat: Compat,
) -> Result<Mapping, MappingError> {
    let ofmap = layer.ofmap();
    let (lpeset, ops_lpe) = match layer {
        LayerShape::Conv(c) => (Dim2::new(c.filter.h, ofmap.h), c.filter.w * ofmap.w),
        LayerShape::Local(l) => (
            Dim2::new(l.region.h, ofmap.h),
            l.nreg * l.region.w * ofmap.w,
        ),
    };
    if let LayerShape::Local(l) = layer
        && l.ntrd != 1
        && compat.eltwise_reads_one_input()
    {
        return Err(MappingError::ChannelStride { ntrd: l.ntrd });
    }

    // Folding and replication (docs/model/mapping.md#folding-and-replication).
    let fit = |logical: u64, array: u64| {
        if logical > array {
            (ceil_div(logical, array), 1)
        } else {
            (1, array / logical)
        }
    };
    let (fold_h, mut repl_h) = fit(lpeset.h, dim_array.h);
    let (mut fold_w, repl_w) = fit(lpeset.w, dim_array.w);
    let k = repl_h.min(fold_w);
    fold_w = ceil_div(fold_w, k);
    repl_h /= k;
    let fold = Dim2::new(fold_h, fold_w);
    let repl = Dim2::new(repl_h, repl_w);
    let flpeset = Dim2::new(ceil_div(lpeset.h, fold_h), ceil_div(lpeset.w, fold_w));
    let ppeset = Dim2::new(flpeset.h * repl_h * k, ceil_div(flpeset.w * repl_w, k));
    debug_assert!(ppeset.h <= dim_array.h && ppeset.w <= dim_array.w);
    let util = (lpeset.size() * repl.size()) as f64 / (dim_array.size() * fold.size()) as f64;
    if compat.half_array_assert() && util <= 0.5 {
        return Err(MappingError::LowUtilization { util });
    }

    let unitpass = unit_pass(layer, fold, flpeset, ops_lpe);
    let nlds = replication_choices(layer, batch, fold, repl)
        .into_iter()
        .map(|choice| build_nld(layer, &unitpass, &choice, occ))
        .collect();
    Ok(Mapping {
        ops_lpe,
        dim_lpeset: lpeset,
        fold,
        repl,
        dim_flpeset: flpeset,
        dim_ppeset: ppeset,
        util,
        unitpass,
        nlds,
    })
}

/// The unit pass of docs/model/mapping.md#unit-pass-quantities. Accesses use
/// the average width-fold piece (`hofm / fold_w` as a real), buffer sizes the
/// largest one.
fn unit_pass(layer: &LayerShape, fold: Dim2, flpeset: Dim2, ops_lpe: u64) -> UnitPass {
    let ofmap = layer.ofmap();
    let ifmap = layer.ifmap();
    let stride = layer.stride();
    let win = layer.window();
    let hofm_f = ofmap.h as f64 / fold.w as f64;
    let hofm_b = ceil_div(ofmap.h, fold.w);
    let hifm_f = win.h as f64 + (hofm_f - 1.0) * stride.h as f64;
    let hifm_b = win.h + (hofm_b - 1) * stride.h;
    let fl = flpeset.size();
    let (fold_h, wifm, wofm) = (fold.h, ifmap.w, ofmap.w);
    let time = fold_h * ops_lpe;
    let ifm_dram = hifm_f * wifm as f64;
    let ofm_dram = hofm_f * wofm as f64;
    let amp_acc_ifm = hifm_f * fold.w as f64 / ifmap.h as f64;
    let mut access = PerLevel::splat(PerData::splat(0.0));
    let (ops, size_gbuf, size_regf);
    match layer {
        LayerShape::Conv(c) => {
            let fil = (c.filter.h * c.filter.w) as f64;
            ops = hofm_f * wofm as f64 * fil;
            access[MemLevel::Dram] = PerData([fil, ifm_dram, ofm_dram]);
            access[MemLevel::Gbuf] =
                PerData([fil, ifm_dram * fold_h as f64, ofm_dram * fold_h as f64]);
            access[MemLevel::Array] = PerData([
                (c.filter.w * fl * fold_h) as f64,
                (wifm * fl * fold_h) as f64,
                (wofm * fl * fold_h) as f64,
            ]);
            access[MemLevel::Regf] = PerData::splat(ops);
            size_gbuf = PerData([c.filter.h * c.filter.w, hifm_b * wifm, hofm_b * wofm]);
            size_regf = PerData([c.filter.w, c.filter.w, 1]);
        }
        LayerShape::Local(l) => {
            // nnc's model reads all `ntrd` input channels of an output
            // channel; the reference's sub-layers always have ntrd = 1.
            let ntrd = l.ntrd as f64;
            ops = hofm_f * wofm as f64 * (l.nreg * l.region.h * l.region.w) as f64;
            access[MemLevel::Dram] = PerData([0.0, ifm_dram * ntrd, ofm_dram]);
            access[MemLevel::Gbuf] = PerData([0.0, ifm_dram * ntrd, ofm_dram * fold_h as f64]);
            access[MemLevel::Array] = PerData([
                0.0,
                (wifm * fl * l.ntrd) as f64,
                (wofm * fl * fold_h) as f64,
            ]);
            access[MemLevel::Regf] = PerData([0.0, ops, ops]);
            size_gbuf = PerData([0, hifm_b * wifm * l.ntrd, hofm_b * wofm]);
            size_regf = PerData([0, l.region.w, 1]);
        }
    }
    UnitPass {
        ops,
        time,
        access,
        size_gbuf,
        size_regf,
        amp_acc_ifm,
    }
}

/// One way to spend the replicated unit passes on channels
/// (docs/model/mapping.md#replication-choices).
struct Choice {
    loopcnt: PerLoop<u64>,
    locc: PerLoop<f64>,
    rsz: u64,
    rcnt: PerData<u64>,
}

fn replication_choices(layer: &LayerShape, batch: u64, fold: Dim2, repl: Dim2) -> Vec<Choice> {
    let (nifm, nofm) = (layer.nifm(), layer.nofm());
    let bat = batch * fold.w;
    match layer {
        LayerShape::Conv(_) => {
            let mut out = Vec::new();
            let mut best = u64::MAX;
            for (a, c) in ordered_factors2(repl.h) {
                let ifms = a.min(nifm);
                let ofms = (c * repl.w).min(nofm);
                let loopcnt = PerLoop([ceil_div(nifm, ifms), ceil_div(nofm, ofms), bat]);
                let cnt = loopcnt.0.iter().product::<u64>();
                // A running minimum: a choice emitted early stays even when a
                // later one is strictly better
                // (docs/model/mapping.md#replication-choices,
                // docs/compat.md#known_limitations; kept in both models,
                // docs/compat.md#known_limitations).
                if cnt > best {
                    continue;
                }
                best = cnt;
                let locc = PerLoop([
                    nifm as f64 / ifms as f64 / loopcnt[LoopDim::Ifm] as f64,
                    nofm as f64 / ofms as f64 / loopcnt[LoopDim::Ofm] as f64,
                    1.0,
                ]);
                out.push(Choice {
                    loopcnt,
                    locc,
                    rsz: ifms * ofms,
                    rcnt: PerData([ifms * ofms, ifms, ofms]),
                });
            }
            out
        }
        LayerShape::Local(_) => {
            let ofms = (repl.h * repl.w).min(nofm);
            let loopcnt = PerLoop([1, ceil_div(nofm, ofms), bat]);
            let locc = PerLoop([
                1.0,
                nofm as f64 / ofms as f64 / loopcnt[LoopDim::Ofm] as f64,
                1.0,
            ]);
            vec![Choice {
                loopcnt,
                locc,
                rsz: ofms,
                rcnt: PerData([0, ofms, ofms]),
            }]
        }
    }
}

fn build_nld(layer: &LayerShape, up: &UnitPass, ch: &Choice, occ: f64) -> Nld {
    let data_loops = if layer.is_conv() {
        DataLoops::CONV
    } else {
        DataLoops::LOCAL
    };
    let p = ch.locc[LoopDim::Ifm] * ch.locc[LoopDim::Ofm] * ch.locc[LoopDim::Bat];
    let aocc = PerData::from_fn(|d| {
        LoopDim::ALL
            .into_iter()
            .filter(|&l| data_loops.has(d, l))
            .fold(1.0, |acc, l| acc * ch.locc[l])
    });
    let rsz = ch.rsz as f64;
    let mut unit_access = PerLevel::splat(PerData::splat(0.0));
    for m in [MemLevel::Dram, MemLevel::Gbuf, MemLevel::Array] {
        unit_access[m] = PerData::from_fn(|d| up.access[m][d] * ch.rcnt[d] as f64 * aocc[d]);
    }
    unit_access[MemLevel::Regf] =
        PerData::from_fn(|d| up.access[MemLevel::Regf][d] * rsz * occ * p);
    Nld {
        loopcnt: ch.loopcnt,
        usize_gbuf: PerData::from_fn(|d| up.size_gbuf[d] * ch.rcnt[d]),
        usize_regf: up.size_regf,
        unit_access,
        unit_ops: up.ops * rsz * occ * p,
        unit_time: up.time,
        data_loops,
        regf_keeps: PerData([true; 3]),
        buffer_by_energy: false,
        regf_once: PerData::splat(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ConvShape, LocalShape};
    use crate::sched::types::DataKind;

    fn conv(nifm: u64, nofm: u64, ofmap: u64, filter: u64, stride: u64) -> LayerShape {
        LayerShape::Conv(ConvShape::dense(
            nifm,
            nofm,
            Dim2::square(ofmap),
            Dim2::square(filter),
            Dim2::square(stride),
        ))
    }

    #[test]
    fn alexnet_conv3_worked_example() {
        // docs/model/mapping.md#worked-example-alexnet-conv3.
        let m = map_layer(
            &conv(256, 384, 13, 3, 1),
            1,
            1.0,
            Dim2::square(16),
            Compat::NnDataflow,
        )
        .unwrap();
        assert_eq!((m.fold, m.repl), (Dim2::new(1, 1), Dim2::new(5, 1)));
        assert_eq!(m.dim_ppeset, Dim2::new(15, 13));
        assert_eq!(m.util, 0.76171875);
        assert_eq!(m.nlds.len(), 1);
        let n = &m.nlds[0];
        assert_eq!(n.loopcnt, PerLoop([256, 77, 1]));
        assert_eq!(n.usize_gbuf, PerData([45, 225, 845]));
        assert_eq!(
            n.unit_access[MemLevel::Dram][DataKind::Fil],
            44.883116883116884
        );
        assert_eq!(n.unit_ops, 7585.2467532467535);
        assert_eq!(n.total_access(MemLevel::Dram, DataKind::Fil), 884736.0);
        assert_eq!(n.total_ops(), 149520384.0);
    }

    #[test]
    fn low_utilization_is_an_error_only_in_the_reference_model() {
        let layer = conv(8, 8, 17, 3, 1);
        let r = map_layer(&layer, 1, 1.0, Dim2::square(16), Compat::NnDataflow);
        assert!(matches!(r, Err(MappingError::LowUtilization { .. })));
        let m = map_layer(&layer, 1, 1.0, Dim2::square(16), Compat::Nnc).unwrap();
        assert!(m.util <= 0.5 && m.util > 0.0);
    }

    #[test]
    fn unit_pass_totals_match_layer_sizes() {
        // The reference's self-checks
        // (docs/model/mapping.md#the-nested-loop-description) as identities, in
        // both models.
        let layers = [
            conv(3, 96, 55, 11, 4),
            conv(64, 128, 28, 3, 1),
            LayerShape::Local(LocalShape::pool(
                48,
                Dim2::square(27),
                Dim2::square(3),
                Dim2::square(2),
            )),
            LayerShape::Local(LocalShape::eltwise(64, Dim2::square(28), 2)),
        ];
        for layer in layers {
            let m = map_layer(&layer, 4, 1.0, Dim2::square(16), Compat::Nnc).unwrap();
            for nld in &m.nlds {
                let ops = layer.total_ops(4) as f64;
                assert!((nld.total_ops() - ops).abs() <= 1.0);
                let fil = nld.total_access(MemLevel::Dram, DataKind::Fil);
                assert!((fil - layer.total_filter_size() as f64).abs() <= 1.0);
                let ifm = nld.total_access(MemLevel::Dram, DataKind::Ifm) / m.unitpass.amp_acc_ifm;
                assert!(
                    (ifm - layer.total_ifmap_size(4) as f64).abs() <= 1.0,
                    "{layer:?}"
                );
                let ofm = nld.total_access(MemLevel::Dram, DataKind::Ofm);
                assert!((ofm - layer.total_ofmap_size(4) as f64).abs() <= 1.0);
            }
        }
    }
}
