//! Weight stationary (Eyeriss ISCA'16 §IV-A; docs/model/dataflows.md#weight-stationary):
//! each PE keeps one weight; inputs are multicast from the buffer to the
//! PEs holding the weights they meet, and partial sums accumulate spatially,
//! passing from PE to PE along each output channel's chain.

use crate::ir::LayerShape;
use crate::sched::dataflow::pass::{Pass, local_pass, reduction_choices};
use crate::sched::dataflow::{Dataflow, DataflowMapping, MappingError, NodeShare};
use crate::sched::types::{DataKind, DataLoops, MemLevel, PerData, PerLevel};

/// The weight-stationary mapping of a node's share: one NLD per reduction
/// layout with the fewest passes.
pub(crate) fn map(share: &NodeShare<'_>) -> Result<DataflowMapping, MappingError> {
    reduction_mapping(share, Dataflow::WeightStationary)
}

/// A reduction-layout mapping (weight stationary, or no local reuse) of a
/// node's share.
pub(crate) fn reduction_mapping(
    share: &NodeShare<'_>,
    dataflow: Dataflow,
) -> Result<DataflowMapping, MappingError> {
    let pes = share.dim_array.size();
    let stationary = dataflow == Dataflow::WeightStationary;
    let mut out = DataflowMapping::default();
    let c = match share.layer {
        LayerShape::Conv(c) => c,
        LayerShape::Local(l) => {
            // No weights to keep: weight stationary's one register holds
            // the running sum; no local reuse has none.
            let (pass, tile) = local_pass(l, share.batch, pes, stationary);
            out.push(dataflow, tile, 1, pes, pass.nld(share.occupancy));
            return Ok(out);
        }
    };
    let window = c.filter.size();
    let (ofmap, ifmap) = (c.ofmap.size() as f64, share.layer.ifmap().size());
    for r in reduction_choices(window, c.nifm, c.nofm, share.batch, pes) {
        let (ifms, ofms) = (r.tile.ifm as f64, r.tile.ofm as f64);
        let weights = r.window_avg * ifms * ofms;
        let ops = ofmap * weights;
        let inputs = ofmap * r.window_avg * ifms;
        let mut access = PerLevel::splat(PerData::splat(0.0));
        access[MemLevel::Dram] = PerData([weights, (ifmap * r.tile.ifm) as f64, ofmap * ofms]);
        access[MemLevel::Gbuf] =
            PerData([if stationary { weights } else { ops }, inputs, ofmap * ofms]);
        access[MemLevel::Array] = PerData([if stationary { weights } else { ops }, inputs, ops]);
        // A MAC reads its weight from its register file and the input
        // from the PE's input register; with no local storage, both come
        // straight off the array (docs/model/dataflows.md#register-file-accesses).
        let operand = if stationary { ops } else { 0.0 };
        access[MemLevel::Regf] = PerData([operand, operand, 0.0]);
        let pass = Pass {
            loopcnt: r.loops.0,
            locc: r.loops.1,
            access,
            ops,
            time: c.ofmap.size(),
            usize_gbuf: PerData([
                r.tile.window * r.tile.ifm * r.tile.ofm,
                ifmap * r.tile.ifm,
                c.ofmap.size() * r.tile.ofm,
            ]),
            usize_regf: PerData([u64::from(stationary), 0, 0]),
            regf_keeps: PerData([stationary, false, false]),
            data_loops: DataLoops::CONV,
        };
        let mut nld = pass.nld(share.occupancy);
        // A weight stays in its PE for all its uses: the blocking may not
        // take it out and bring it back (docs/model/dataflows.md#weight-stationary).
        nld.regf_once[DataKind::Fil] = stationary;
        out.push(dataflow, r.tile, r.folds, pes, nld);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ConvShape, Dim2};
    use crate::sched::Compat;
    use crate::sched::dataflow::MappingSummary;

    fn share(layer: &LayerShape) -> NodeShare<'_> {
        NodeShare {
            layer,
            batch: 2,
            occupancy: 1.0,
            dim_array: Dim2::square(16),
            compat: Compat::Nnc,
        }
    }

    #[test]
    fn alexnet_conv3_keeps_the_layouts_with_fewest_passes() {
        // 3x3 window: 28 channel slots of 256 PEs; 256 -> 384 channels.
        let layer = crate::sched::dataflow::square_conv(256, 384, 13, 3);
        let m = map(&share(&layer)).unwrap();
        assert!(!m.nlds.is_empty());
        for (s, nld) in m.summaries.iter().zip(&m.nlds) {
            let MappingSummary::Spatial { tile, folds, .. } = *s else {
                panic!("{s:?}");
            };
            assert_eq!((tile.window, folds), (9, 1));
            assert_eq!(tile.ifm * tile.ofm, 28);
            // Every op once, every weight, input plane and output once.
            let ops = layer.total_ops(2) as f64;
            assert!((nld.total_ops() - ops).abs() < 1e-6 * ops);
            let fil = nld.total_access(MemLevel::Dram, DataKind::Fil);
            assert!((fil - layer.total_filter_size() as f64).abs() < 1e-6 * fil);
            assert_eq!(nld.unit_time, 169);
            assert_eq!(nld.usize_regf, PerData([1, 0, 0]));
        }
    }

    #[test]
    fn a_window_wider_than_the_array_is_cut_into_slices() {
        // 17x17 = 289 positions on 256 PEs: two slices of 145.
        let layer = LayerShape::Conv(ConvShape::fc(4, 8, Dim2::square(17)));
        let m = map(&share(&layer)).unwrap();
        let MappingSummary::Spatial { tile, folds, .. } = m.summaries[0] else {
            panic!();
        };
        assert_eq!((tile.window, folds, tile.ifm, tile.ofm), (145, 2, 1, 1));
        let nld = &m.nlds[0];
        assert_eq!(nld.loopcnt.0, [8, 8, 2]);
        let ops = layer.total_ops(2) as f64;
        assert!((nld.total_ops() - ops).abs() < 1e-6 * ops);
    }
}
