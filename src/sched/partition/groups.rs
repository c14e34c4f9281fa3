//! Node groups that need the same data
//! (docs/model/buffer-sharing.md#buffer-sharing-groups), used by access
//! forwarding: each shared piece is read from DRAM once per group and passed
//! between the group's nodes (that traffic is in the hop model).

use super::ParallelDim;
use super::scheme::PartitionScheme;
use crate::ir::{Dim2, LayerShape};
use crate::sched::types::{DataKind, PerData};

/// Per data category, the node grid sharing the same data: the group of the
/// category's first unrelated loop. Conv: filters are shared by the batch
/// group (BATP and/or OFMP), ifmaps by OUTP, ofmaps by INPP. Local-region
/// layers: INPP (1x1) for all three.
///
/// The batch group: BATP when OFMP is 1x1; OFMP when BATP is 1x1; both
/// together when they are adjacent in the order; otherwise the lower of the
/// two in the order.
pub(crate) fn sharing_group_dims(part: &PartitionScheme, layer: &LayerShape) -> PerData<Dim2> {
    use ParallelDim::{Batp, Inpp, Ofmp, Outp};
    let inpp = part.pdim(Inpp);
    match layer {
        LayerShape::Local(_) => PerData([inpp; 3]),
        LayerShape::Conv(_) => {
            let (bat, ofm) = (part.pdim(Batp), part.pdim(Ofmp));
            let pos = |p: ParallelDim| part.order().iter().position(|&q| q == p).unwrap_or(0);
            let batch_group = if ofm.size() == 1 {
                bat
            } else if bat.size() == 1 {
                ofm
            } else if pos(Batp).abs_diff(pos(Ofmp)) == 1 {
                Dim2::new(bat.h * ofm.h, bat.w * ofm.w)
            } else if pos(Batp) > pos(Ofmp) {
                bat
            } else {
                ofm
            };
            PerData([batch_group, part.pdim(Outp), inpp])
        }
    }
}

/// How much access forwarding divides each category's DRAM accesses by: the
/// sharing group's size with forwarding (`hw_access_forwarding` or
/// `hw_gbuf_sharing`), 1 without.
pub(crate) fn accfwd_reduction(
    part: &PartitionScheme,
    layer: &LayerShape,
    forwarding: bool,
) -> PerData<u64> {
    if !forwarding {
        return PerData([1; 3]);
    }
    let g = sharing_group_dims(part, layer);
    PerData(DataKind::ALL.map(|c| g[c].size()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ConvShape, LocalShape};
    use ParallelDim::{Batp, Inpp, Ofmp, Outp};

    fn d(h: u64, w: u64) -> Dim2 {
        Dim2::new(h, w)
    }

    fn conv() -> LayerShape {
        LayerShape::Conv(ConvShape::dense(32, 32, d(8, 8), d(3, 3), d(1, 1)))
    }

    #[test]
    fn conv_groups() {
        // L-conv32-4x4-af: (OFMP, INPP, BATP, OUTP) / OUTP (2,4), BATP (2,1).
        let s = PartitionScheme::new(
            [Ofmp, Inpp, Batp, Outp],
            [d(2, 4), d(1, 1), d(2, 1), d(1, 1)],
        )
        .expect("valid");
        assert_eq!(accfwd_reduction(&s, &conv(), true).0, [2, 8, 1]);
        assert_eq!(accfwd_reduction(&s, &conv(), false).0, [1, 1, 1]);
        // BS-44: BATP and OFMP adjacent.
        let s = PartitionScheme::new(
            [Outp, Ofmp, Batp, Inpp],
            [d(1, 1), d(2, 2), d(1, 2), d(1, 1)],
        )
        .expect("valid");
        assert_eq!(sharing_group_dims(&s, &conv())[DataKind::Fil], d(2, 4));
        // Not adjacent: the lower one.
        let s = PartitionScheme::new(
            [Ofmp, Outp, Batp, Inpp],
            [d(2, 1), d(2, 1), d(1, 2), d(1, 1)],
        )
        .expect("valid");
        assert_eq!(sharing_group_dims(&s, &conv())[DataKind::Fil], d(1, 2));
        let s = PartitionScheme::new(
            [Batp, Outp, Ofmp, Inpp],
            [d(2, 1), d(2, 1), d(1, 2), d(1, 1)],
        )
        .expect("valid");
        assert_eq!(sharing_group_dims(&s, &conv())[DataKind::Fil], d(2, 1));
        // BS-43: OFM shared by INPP.
        let s = PartitionScheme::new(
            [Outp, Ofmp, Batp, Inpp],
            [d(1, 1), d(2, 2), d(1, 1), d(2, 2)],
        )
        .expect("valid");
        assert_eq!(
            sharing_group_dims(&s, &conv()).0,
            [d(2, 2), d(1, 1), d(2, 2)]
        );
    }

    #[test]
    fn local_layers_share_nothing() {
        let pool = LayerShape::Local(LocalShape::pool(8, d(4, 4), d(2, 2), d(2, 2)));
        let s = PartitionScheme::new(
            [Outp, Ofmp, Batp, Inpp],
            [d(2, 2), d(1, 1), d(2, 1), d(1, 1)],
        )
        .expect("valid");
        assert_eq!(accfwd_reduction(&s, &pool, true).0, [1, 1, 1]);
    }
}
