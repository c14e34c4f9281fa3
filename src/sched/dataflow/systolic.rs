//! Systolic arrays in nnc's own model (docs/model/dataflows.md#systolic-arrays):
//! a layer is the matrix product SCALE-Sim sees (docs/model/scalesim.md#the-layer-as-a-matrix-product),
//! two of its dimensions laid on the array's rows and columns and the third
//! stepped through in time; one **fold** (one pass of the NLD) fills the
//! array, streams, and drains. Operands enter at the array's edge from the
//! buffer, pass between neighbouring PEs (one array access per hop), and the
//! stationary operand sits in each PE's register. The three variants differ
//! only in which dimension goes where, so they share this one file.

use crate::ir::{ConvShape, Dim2, LayerShape};
use crate::sched::dataflow::pass::{Pass, local_pass};
use crate::sched::dataflow::{Dataflow, DataflowMapping, MappingError, MappingSummary, NodeShare};
use crate::sched::types::{DataLoops, MemLevel, PerData, PerLevel, PerLoop};

/// The geometry of one fold of a systolic mapping: what the array's rows,
/// columns and time carry (docs/model/dataflows.md#systolic-arrays).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Fold {
    /// Rows and columns a full fold uses.
    pub used: Dim2,
    /// Steps in time of one fold (`T`).
    pub steps: u64,
    /// Cycles of one fold, fill and drain included.
    pub cycles: u64,
    /// The NLD's loop counts (input-channel, output-channel and batch or
    /// pixel-block folds) and their occupancies.
    pub loops: (PerLoop<u64>, PerLoop<f64>),
}

/// Cycles of one fold of `steps` steps on an `array` (rows, columns):
/// `2 R + C + T - 2` when an operand is preloaded (ws, is: `R` cycles of
/// preload, then the skewed stream), `R + C + T - 2` for output stationary
/// (docs/model/dataflows.md#cycles-of-a-fold).
pub(crate) const fn fold_cycles(dataflow: Dataflow, array: Dim2, steps: u64) -> u64 {
    let preload = match dataflow {
        Dataflow::SystolicOs => 0,
        _ => array.h,
    };
    preload + array.h + array.w + steps - 2
}

/// The systolic mapping of a node's share: one NLD per choice of how many
/// samples a weight-stationary fold streams (one, or the whole batch);
/// one NLD for the others.
pub(crate) fn map(
    share: &NodeShare<'_>,
    dataflow: Dataflow,
) -> Result<DataflowMapping, MappingError> {
    let array = share.dim_array;
    let mut out = DataflowMapping::default();
    let c = match share.layer {
        LayerShape::Conv(c) => c,
        LayerShape::Local(l) => {
            // Pooling and element-wise layers have no weights: each PE
            // sums one output in its register, as in the taxonomy
            // (docs/model/dataflows.md#local-region-layers).
            let (pass, tile) = local_pass(l, share.batch, array.size(), true);
            out.push(dataflow, tile, 1, array.size(), pass.nld(share.occupancy));
            return Ok(out);
        }
    };
    for fold in folds(c, share.batch, array, dataflow) {
        let pass = fold_pass(share.layer, c, dataflow, &fold);
        let mut nld = pass.nld(share.occupancy);
        nld.buffer_by_energy = true;
        let pes = array.size() as f64;
        let folds: u64 = fold.loops.0.0.iter().product();
        let cycles = (folds as f64) * nld.unit_time as f64;
        // The PEs holding work, averaged over the folds: the product's
        // dimensions on rows and columns over the array's area per fold.
        let (sr, sc) = spans(c, share.batch, dataflow);
        let (fr, fc) = row_col_folds(dataflow, &fold);
        let mapping_eff = (sr * sc) as f64 / (fr * fc) as f64 / pes;
        out.summaries.push(MappingSummary::Systolic {
            dataflow,
            used: fold.used,
            folds: Dim2::new(fr, fc),
            mapping_eff,
            util: nld.total_ops() / (pes * cycles.max(1.0)),
        });
        out.nlds.push(nld);
    }
    Ok(out)
}

/// The reduction length `K` of the product: window positions times input
/// channels.
const fn reduction(c: &ConvShape) -> u64 {
    c.filter.h * c.filter.w * c.nifm
}

/// The matrix dimensions on the rows and on the columns: `(K, M)` for
/// weight stationary, `(P, M)` for output stationary, `(K, P)` for input
/// stationary, with `P` the output pixels of the whole batch.
pub(crate) const fn spans(c: &ConvShape, batch: u64, dataflow: Dataflow) -> (u64, u64) {
    let pixels = c.ofmap.h * c.ofmap.w * batch;
    match dataflow {
        Dataflow::SystolicOs => (pixels, c.nofm),
        Dataflow::SystolicIs => (reduction(c), pixels),
        _ => (reduction(c), c.nofm),
    }
}

/// The folds over the rows and the columns of a fold geometry.
const fn row_col_folds(dataflow: Dataflow, fold: &Fold) -> (u64, u64) {
    let l = &fold.loops.0.0;
    match dataflow {
        Dataflow::SystolicOs => (l[2], l[1]),
        Dataflow::SystolicIs => (l[0], l[2]),
        _ => (l[0], l[1]),
    }
}

/// Pixel blocks along one side of `side` PEs: `p` output pixels of one
/// sample per fold, or `b` whole samples when a sample has fewer pixels
/// than the side; returns `(pixels per fold, folds over pixels and batch,
/// occupancy)`.
fn pixel_blocks(c: &ConvShape, batch: u64, side: u64) -> (u64, u64, f64) {
    let per_sample = c.ofmap.size();
    let (used, folds) = if per_sample >= side {
        (side, per_sample.div_ceil(side) * batch)
    } else {
        let b = (side / per_sample).clamp(1, batch);
        (per_sample * b, batch.div_ceil(b))
    };
    let occ = (per_sample * batch) as f64 / (used * folds) as f64;
    (used, folds, occ)
}

/// The fold geometries of a convolution on `array` by `dataflow`.
fn folds(c: &ConvShape, batch: u64, array: Dim2, dataflow: Dataflow) -> Vec<Fold> {
    let k = reduction(c);
    let occ = |n: u64, per: u64, cnt: u64| n as f64 / (per * cnt) as f64;
    match dataflow {
        Dataflow::SystolicOs => {
            let (p, pf, pocc) = pixel_blocks(c, batch, array.h);
            let m = c.nofm.min(array.w);
            let mf = c.nofm.div_ceil(m);
            vec![Fold {
                used: Dim2::new(p, m),
                steps: k,
                cycles: fold_cycles(dataflow, array, k),
                loops: (
                    PerLoop([1, mf, pf]),
                    PerLoop([1.0, occ(c.nofm, m, mf), pocc]),
                ),
            }]
        }
        Dataflow::SystolicIs => {
            let kr = k.min(array.h);
            let kf = k.div_ceil(kr);
            let (p, pf, pocc) = pixel_blocks(c, batch, array.w);
            vec![Fold {
                used: Dim2::new(kr, p),
                steps: c.nofm,
                cycles: fold_cycles(dataflow, array, c.nofm),
                loops: (PerLoop([kf, 1, pf]), PerLoop([occ(k, kr, kf), 1.0, pocc])),
            }]
        }
        _ => {
            let kr = k.min(array.h);
            let kf = k.div_ceil(kr);
            let m = c.nofm.min(array.w);
            let mf = c.nofm.div_ceil(m);
            // A fold streams one sample's pixels, or the whole batch's:
            // the longer stream spreads fill and drain over more steps, the
            // shorter needs less buffer.
            let mut samples = vec![1, batch];
            samples.dedup();
            samples
                .into_iter()
                .map(|b| {
                    let steps = c.ofmap.size() * b;
                    Fold {
                        used: Dim2::new(kr, m),
                        steps,
                        cycles: fold_cycles(dataflow, array, steps),
                        loops: (
                            PerLoop([kf, mf, batch / b]),
                            PerLoop([occ(k, kr, kf), occ(c.nofm, m, mf), 1.0]),
                        ),
                    }
                })
                .collect()
        }
    }
}

/// Input words of one channel that a block of `pixels` consecutive output
/// pixels of a sample reads (or of `pixels / E F` whole samples), on
/// average when `pixels` is: whole input rows once the block spans an
/// output row, else part of `window.h` rows.
fn block_inputs(layer: &LayerShape, pixels: f64) -> f64 {
    let (o, win, s, i) = (layer.ofmap(), layer.window(), layer.stride(), layer.ifmap());
    let f = |x: u64| x as f64;
    let per_sample = f(o.size());
    if pixels >= per_sample {
        pixels / per_sample * f(i.size())
    } else if pixels >= f(o.w) {
        let rows = pixels / f(o.w);
        (f(win.h) + (rows - 1.0) * f(s.h)).min(f(i.h)) * f(i.w)
    } else {
        f(win.h) * (f(win.w) + (pixels - 1.0) * f(s.w)).min(f(i.w))
    }
}

/// [`block_inputs`] for the largest block of `pixels`, which may straddle
/// one more output row: the buffer words it needs.
fn block_inputs_max(layer: &LayerShape, pixels: u64) -> u64 {
    let (o, win, s, i) = (layer.ofmap(), layer.window(), layer.stride(), layer.ifmap());
    if pixels >= o.size() {
        return pixels.div_ceil(o.size()) * i.size();
    }
    let rows = (pixels.div_ceil(o.w) + 1).min(o.h);
    (win.h + (rows - 1) * s.h).min(i.h) * i.w
}

/// One full fold as a pass of the NLD: its accesses per level and data
/// kind (docs/model/dataflows.md#systolic-arrays), ops, cycles, buffer and
/// register words.
#[allow(clippy::cast_precision_loss)]
fn fold_pass(layer: &LayerShape, c: &ConvShape, dataflow: Dataflow, fold: &Fold) -> Pass {
    let f = |x: u64| x as f64;
    let (rows, cols, steps) = (f(fold.used.h), f(fold.used.w), f(fold.steps));
    let ops = rows * cols * steps;
    // Words that enter at the edge and shift to their PE: the one at
    // distance `i` from the edge makes `i + 1` hops.
    let shifted = |lanes: f64, depth: f64| lanes * depth * (depth + 1.0) / 2.0;
    let window = c.filter.size();
    let mut access = PerLevel::splat(PerData::splat(0.0));
    let (usize_gbuf, stationary) = match dataflow {
        Dataflow::SystolicOs => {
            // Rows: output pixels; columns: output channels; time: K.
            let inputs = block_inputs(layer, rows) * f(c.nifm);
            access[MemLevel::Dram] = PerData([steps * cols, inputs, rows * cols]);
            access[MemLevel::Gbuf] = PerData([steps * cols, rows * steps, rows * cols]);
            access[MemLevel::Array] = PerData([ops, ops, shifted(cols, rows)]);
            access[MemLevel::Regf] = PerData([ops, ops, ops]);
            let ifm = block_inputs_max(layer, fold.used.h) * c.nifm;
            let words = PerData([fold.steps * fold.used.w, ifm, fold.used.size()]);
            (words, PerData([false, false, true]))
        }
        Dataflow::SystolicIs => {
            // Rows: K; columns: output pixels; time: output channels.
            let channels = rows / f(window);
            let inputs = block_inputs(layer, cols) * channels;
            access[MemLevel::Dram] = PerData([rows * steps, inputs, cols * steps]);
            access[MemLevel::Gbuf] = PerData([rows * steps, rows * cols, cols * steps]);
            access[MemLevel::Array] = PerData([ops, shifted(cols, rows), ops]);
            access[MemLevel::Regf] = PerData([ops, ops, 0.0]);
            let ifm = block_inputs_max(layer, fold.used.w) * fold_channels(c, fold.used.h);
            let words = PerData([fold.used.h * fold.steps, ifm, fold.used.w * fold.steps]);
            (words, PerData([false, true, false]))
        }
        _ => {
            // Rows: K; columns: output channels; time: output pixels.
            let channels = rows / f(window);
            let inputs = block_inputs(layer, steps) * channels;
            access[MemLevel::Dram] = PerData([rows * cols, inputs, steps * cols]);
            access[MemLevel::Gbuf] = PerData([rows * cols, steps * rows, steps * cols]);
            access[MemLevel::Array] = PerData([shifted(cols, rows), ops, ops]);
            access[MemLevel::Regf] = PerData([ops, ops, 0.0]);
            let ifm = block_inputs_max(layer, fold.steps) * fold_channels(c, fold.used.h);
            let words = PerData([fold.used.size(), ifm, fold.steps * fold.used.w]);
            (words, PerData([true, false, false]))
        }
    };
    Pass {
        loopcnt: fold.loops.0,
        locc: fold.loops.1,
        access,
        ops,
        time: fold.cycles,
        usize_gbuf,
        usize_regf: PerData::from_fn(|d| u64::from(stationary[d])),
        regf_keeps: stationary,
        data_loops: DataLoops::CONV,
    }
}

/// Input channels a fold of `rows` consecutive elements of `K` (window
/// innermost) may touch: a fold not aligned to the window straddles one
/// more channel.
const fn fold_channels(c: &ConvShape, rows: u64) -> u64 {
    let window = c.filter.h * c.filter.w;
    let aligned = rows.is_multiple_of(window) && reduction(c).is_multiple_of(rows);
    let n = rows.div_ceil(window) + if aligned { 0 } else { 1 };
    if n < c.nifm { n } else { c.nifm }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::Compat;
    use crate::sched::types::DataKind;

    fn share(layer: &LayerShape, batch: u64, array: Dim2) -> NodeShare<'_> {
        NodeShare {
            layer,
            batch,
            occupancy: 1.0,
            dim_array: array,
            compat: Compat::Nnc,
        }
    }

    fn conv() -> LayerShape {
        // 3x3, 64 -> 96 channels, 14x14 output: K = 576, P = 196.
        crate::sched::dataflow::square_conv(64, 96, 14, 3)
    }

    #[test]
    fn a_fold_lasts_fill_stream_and_drain() {
        let a = Dim2::new(32, 16);
        assert_eq!(
            fold_cycles(Dataflow::SystolicWs, a, 100),
            2 * 32 + 16 + 100 - 2
        );
        assert_eq!(
            fold_cycles(Dataflow::SystolicIs, a, 100),
            2 * 32 + 16 + 100 - 2
        );
        assert_eq!(fold_cycles(Dataflow::SystolicOs, a, 100), 32 + 16 + 100 - 2);
    }

    #[test]
    fn every_op_and_every_word_is_counted_once() {
        let layer = conv();
        let ops = layer.total_ops(2) as f64;
        for dataflow in Dataflow::SYSTOLIC {
            let m = map(&share(&layer, 2, Dim2::new(32, 16)), dataflow).unwrap();
            for nld in &m.nlds {
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b;
                assert!(close(nld.total_ops(), ops), "{dataflow}");
                // Each weight and output enters or leaves the buffer once
                // per pass over its loops (SCALE-Sim's matrices).
                let fil = nld.total_access(MemLevel::Dram, DataKind::Fil);
                assert!(close(fil, (576 * 96) as f64), "{dataflow}: {fil}");
            }
        }
    }

    #[test]
    fn weight_stationary_folds_k_over_rows_and_channels_over_columns() {
        let layer = conv();
        let m = map(&share(&layer, 2, Dim2::new(32, 16)), Dataflow::SystolicWs).unwrap();
        // One sample per fold, and the whole batch per fold.
        assert_eq!(m.nlds.len(), 2);
        let nld = &m.nlds[0];
        assert_eq!(nld.loopcnt.0, [18, 6, 2]);
        assert_eq!(nld.unit_time, 2 * 32 + 16 + 196 - 2);
        assert_eq!(nld.usize_regf, PerData([1, 0, 0]));
        let MappingSummary::Systolic {
            used, mapping_eff, ..
        } = m.summaries[0]
        else {
            panic!("{:?}", m.summaries[0]);
        };
        assert_eq!(used, Dim2::new(32, 16));
        assert!((mapping_eff - 1.0).abs() < 1e-12);
        // Twice the stream, one fill and drain fewer per sample.
        assert_eq!(m.nlds[1].loopcnt.0, [18, 6, 1]);
        assert_eq!(m.nlds[1].unit_time, 2 * 32 + 16 + 392 - 2);
    }

    #[test]
    fn output_stationary_takes_all_of_k_in_time_and_pixels_on_rows() {
        let layer = conv();
        let m = map(&share(&layer, 1, Dim2::new(32, 16)), Dataflow::SystolicOs).unwrap();
        let nld = &m.nlds[0];
        // 196 pixels in 7 blocks of 32 rows; 96 channels in 6 of 16.
        assert_eq!(nld.loopcnt.0, [1, 6, 7]);
        assert_eq!(nld.unit_time, 32 + 16 + 576 - 2);
        assert_eq!(nld.usize_regf, PerData([0, 0, 1]));
        // Each output leaves the array once.
        let ofm = nld.total_access(MemLevel::Gbuf, DataKind::Ofm);
        assert!((ofm - (196 * 96) as f64).abs() < 1e-6);
    }

    #[test]
    fn a_small_fmap_fills_the_rows_with_several_samples() {
        // A fully connected layer: one pixel per sample, 8 samples side by side.
        let layer = LayerShape::Conv(ConvShape::fc(100, 10, Dim2::square(1)));
        let m = map(&share(&layer, 8, Dim2::new(16, 16)), Dataflow::SystolicOs).unwrap();
        let MappingSummary::Systolic { used, .. } = m.summaries[0] else {
            panic!();
        };
        assert_eq!(used, Dim2::new(8, 10));
        assert_eq!(m.nlds[0].loopcnt.0, [1, 1, 1]);
    }

    #[test]
    fn input_stationary_preloads_windows_and_streams_channels() {
        let layer = conv();
        let m = map(&share(&layer, 1, Dim2::new(32, 16)), Dataflow::SystolicIs).unwrap();
        let nld = &m.nlds[0];
        assert_eq!(nld.loopcnt.0, [18, 1, 13]);
        assert_eq!(nld.unit_time, 2 * 32 + 16 + 96 - 2);
        assert_eq!(nld.usize_regf, PerData([0, 1, 0]));
    }
}
