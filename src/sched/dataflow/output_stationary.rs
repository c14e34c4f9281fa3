//! Output stationary (Eyeriss ISCA'16 §IV-B; docs/model/dataflows.md#output-stationary):
//! each PE keeps the partial sum of one output pixel of one output channel
//! in its register file while the input channels and the window go by, one
//! position per cycle; the weight of the cycle is multicast to the PEs of
//! its output channel, the inputs to the PEs of every output channel, and
//! neighbouring PEs pass inputs on so that each input word of a pixel block
//! leaves the buffer once per input channel. Three variants differ in what
//! the PEs side by side cover:
//!
//! - A, SOC-MOP: a block of output pixels of a single output channel;
//! - B, MOC-MOP: a block of pixels of several output channels;
//! - C, MOC-SOP: one output pixel of many output channels.

use crate::ir::{ConvShape, Dim2, LayerShape};
use crate::sched::dataflow::pass::{Pass, SpatialTile, channel_loops, fewest_passes, local_pass};
use crate::sched::dataflow::{Dataflow, DataflowMapping, MappingError, NodeShare};
use crate::sched::model::factor::ordered_factors2;
use crate::sched::types::{DataLoops, MemLevel, PerData, PerLevel};

/// Which output-stationary variant (docs/model/dataflows.md#output-stationary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Variant {
    /// SOC-MOP: single output channel, multiple output pixels.
    A,
    /// MOC-MOP: multiple output channels, multiple output pixels.
    B,
    /// MOC-SOP: multiple output channels, single output pixel.
    C,
}

impl Variant {
    const fn dataflow(self) -> Dataflow {
        match self {
            Variant::A => Dataflow::OutputStationaryA,
            Variant::B => Dataflow::OutputStationaryB,
            Variant::C => Dataflow::OutputStationaryC,
        }
    }
}

/// The output-stationary mapping of a node's share by `variant`: one NLD
/// per spatial choice with the fewest passes.
pub(crate) fn map(
    share: &NodeShare<'_>,
    variant: Variant,
) -> Result<DataflowMapping, MappingError> {
    let pes = share.dim_array.size();
    let mut out = DataflowMapping::default();
    let c = match share.layer {
        LayerShape::Conv(c) => c,
        LayerShape::Local(l) => {
            let (pass, tile) = local_pass(l, share.batch, pes, true);
            out.push(variant.dataflow(), tile, 1, pes, pass.nld(share.occupancy));
            return Ok(out);
        }
    };
    let choices = tiles(c, share.dim_array, variant)
        .into_iter()
        .map(|tile| {
            let loops = pass_loops(c, share.batch, tile);
            ((tile, loops), loops.0)
        })
        .collect();
    for (tile, loops) in fewest_passes(choices) {
        let pass = pass(share.layer, c, tile, loops);
        out.push(variant.dataflow(), tile, 1, pes, pass.nld(share.occupancy));
    }
    Ok(out)
}

/// The spatial tiles a variant may use on a `dim_array` array
/// (docs/model/dataflows.md#spatial-choices).
fn tiles(c: &ConvShape, dim_array: Dim2, variant: Variant) -> Vec<SpatialTile> {
    let pes = dim_array.size();
    let tile = |pixels: Dim2, ofm: u64| SpatialTile {
        ifm: 1,
        window: 1,
        ofm: ofm.min(c.nofm),
        pixels,
    };
    // A block of at most `n` output pixels: whole rows of the output first.
    let block = |n: u64| {
        let w = c.ofmap.w.min(n).max(1);
        Dim2::new(c.ofmap.h.min(n / w).max(1), w)
    };
    match variant {
        Variant::A => vec![tile(
            Dim2::new(c.ofmap.h.min(dim_array.h), c.ofmap.w.min(dim_array.w)),
            1,
        )],
        Variant::B => {
            let splits: Vec<(u64, u64)> = ordered_factors2(pes)
                .into_iter()
                .filter(|&(p, m)| p > 1 && m > 1)
                .collect();
            let splits = if splits.is_empty() {
                ordered_factors2(pes)
            } else {
                splits
            };
            let mut out: Vec<SpatialTile> = Vec::new();
            for (p, m) in splits {
                let t = tile(block(p), m);
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            out
        }
        Variant::C => vec![tile(Dim2::square(1), pes)],
    }
}

/// Loops of a pass over one pixel block: input channels one at a time,
/// output channels `tile.ofm` at a time, and every sample's pixel blocks.
fn pass_loops(
    c: &ConvShape,
    batch: u64,
    tile: SpatialTile,
) -> (
    crate::sched::types::PerLoop<u64>,
    crate::sched::types::PerLoop<f64>,
) {
    let blocks = c.ofmap.h.div_ceil(tile.pixels.h) * c.ofmap.w.div_ceil(tile.pixels.w);
    channel_loops(c.nifm, c.nofm, 1, tile.ofm, batch * blocks)
}

/// One pass: one input channel over one pixel block of `tile.ofm` output
/// channels, the window one position per cycle. Accesses use the average
/// block, buffer sizes the largest (as row stationary's height pieces do).
#[allow(clippy::cast_precision_loss)]
fn pass(
    layer: &LayerShape,
    c: &ConvShape,
    tile: SpatialTile,
    loops: (
        crate::sched::types::PerLoop<u64>,
        crate::sched::types::PerLoop<f64>,
    ),
) -> Pass {
    let f = |x: u64| x as f64;
    let (win, stride) = (layer.window(), layer.stride());
    let blocks = Dim2::new(
        c.ofmap.h.div_ceil(tile.pixels.h),
        c.ofmap.w.div_ceil(tile.pixels.w),
    );
    let (eh, ew) = (f(c.ofmap.h) / f(blocks.h), f(c.ofmap.w) / f(blocks.w));
    let pixels = eh * ew;
    let inputs = (f(win.h) + (eh - 1.0) * f(stride.h)) * (f(win.w) + (ew - 1.0) * f(stride.w));
    let inputs_b =
        (win.h + (tile.pixels.h - 1) * stride.h) * (win.w + (tile.pixels.w - 1) * stride.w);
    let window = c.filter.size();
    let ofms = f(tile.ofm);
    let ops = pixels * f(window) * ofms;
    let weights = f(window) * ofms;
    let mut access = PerLevel::splat(PerData::splat(0.0));
    access[MemLevel::Dram] = PerData([weights, inputs, pixels * ofms]);
    access[MemLevel::Gbuf] = PerData([weights, inputs, pixels * ofms]);
    access[MemLevel::Array] = PerData([weights, pixels * f(window), pixels * ofms]);
    // Each MAC reads its two operands from the PE's registers and reads and
    // writes its partial sum (docs/model/dataflows.md#register-file-accesses).
    access[MemLevel::Regf] = PerData([ops, ops, ops]);
    Pass {
        loopcnt: loops.0,
        locc: loops.1,
        access,
        ops,
        time: window,
        usize_gbuf: PerData([window * tile.ofm, inputs_b, tile.pixels.size() * tile.ofm]),
        usize_regf: PerData([0, 0, 1]),
        regf_keeps: PerData([false, false, true]),
        data_loops: DataLoops::CONV,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::Compat;
    use crate::sched::dataflow::MappingSummary;
    use crate::sched::types::DataKind;

    fn summary_tiles(
        layer: &LayerShape,
        variant: Variant,
    ) -> Vec<(SpatialTile, crate::sched::dataflow::Nld)> {
        let share = NodeShare {
            layer,
            batch: 4,
            occupancy: 1.0,
            dim_array: Dim2::square(16),
            compat: Compat::Nnc,
        };
        let m = map(&share, variant).unwrap();
        m.summaries
            .iter()
            .zip(m.nlds)
            .map(|(s, n)| match *s {
                MappingSummary::Spatial { tile, .. } => (tile, n),
                MappingSummary::RowStationary { .. } | MappingSummary::Systolic { .. } => {
                    panic!("{s:?}")
                }
            })
            .collect()
    }

    #[test]
    fn the_variants_cover_pixels_channels_or_both() {
        // AlexNet conv3: 13x13 output, 384 output channels.
        let conv3 = crate::sched::dataflow::square_conv(256, 384, 13, 3);
        let a = summary_tiles(&conv3, Variant::A);
        assert_eq!((a[0].0.pixels, a[0].0.ofm), (Dim2::square(13), 1));
        let c = summary_tiles(&conv3, Variant::C);
        assert_eq!((c[0].0.pixels, c[0].0.ofm), (Dim2::square(1), 256));
        for (tile, nld) in summary_tiles(&conv3, Variant::B) {
            assert!(tile.pixels.size() > 1 && tile.ofm > 1, "{tile:?}");
            assert!(tile.pes() <= 256);
            let ops = conv3.total_ops(4) as f64;
            assert!((nld.total_ops() - ops).abs() < 1e-6 * ops);
        }
        for (_, nld) in a.iter().chain(&c) {
            let ops = conv3.total_ops(4) as f64;
            assert!((nld.total_ops() - ops).abs() < 1e-6 * ops);
            // Every weight and output once; the psum stays in the PE.
            let fil = nld.total_access(MemLevel::Dram, DataKind::Fil);
            assert!((fil - conv3.total_filter_size() as f64).abs() < 1e-6 * fil);
            let ofm = nld.total_access(MemLevel::Dram, DataKind::Ofm);
            assert!((ofm - conv3.total_ofmap_size(4) as f64).abs() < 1e-6 * ofm);
            assert_eq!(nld.usize_regf, PerData([0, 0, 1]));
            assert_eq!(nld.unit_time, 9);
        }
    }
}
