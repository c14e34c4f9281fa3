//! nnc's model against the reference's (docs/compat.md): for each difference in
//! the partition and hop model, the two agree where the reference's bug does
//! not apply and differ, in the expected direction, where it does.

use super::support::{layer, region, scheme, vectors};
use nnc::internals::sched::Compat;
use nnc::internals::sched::machine::MemType;
use nnc::internals::sched::partition::{
    DataLayout, FilterSources, FmapRange, HopCache, HopQuery, NodeRegion, ParallelDim, PartTarget,
    PartitionScheme, Partitioning, gen_partition, proc_data_range, unit_nhops,
};
use nnc::internals::sched::types::DataKind;
use nnc::ir::{ConvShape, Dim2, LayerShape, LocalShape};

use ParallelDim::{Batp, Inpp, Ofmp, Outp};

fn d(h: u64, w: u64) -> Dim2 {
    Dim2::new(h, w)
}

fn part(order: [ParallelDim; 4], pdims: [(u64, u64); 4]) -> PartitionScheme {
    PartitionScheme::new(order, pdims.map(|(h, w)| d(h, w))).expect("valid scheme")
}

/// The setting of the UN-* vectors: ifmaps stored over the DRAM region with
/// `in_part` projected onto it, ofmaps with the layer's partition projected.
struct Setting {
    layer: LayerShape,
    batch: u64,
    proc_region: NodeRegion,
    sources: FilterSources,
    part: PartitionScheme,
    ifmap: DataLayout,
    ofmap: DataLayout,
}

impl Setting {
    fn new(
        layer: LayerShape,
        batch: u64,
        nodes: Dim2,
        mem: MemType,
        part: PartitionScheme,
        in_part: PartitionScheme,
    ) -> Self {
        let dram = NodeRegion::dram(nodes, mem);
        let (i, o) = (layer.ifmap(), layer.ofmap());
        let ifrng = FmapRange::full(batch, layer.nifm(), i.h, i.w);
        let ofrng = FmapRange::full(batch, layer.nofm(), o.h, o.w);
        Setting {
            layer,
            batch,
            proc_region: NodeRegion::proc(nodes),
            sources: FilterSources::from_region(&dram),
            part,
            ifmap: DataLayout::single(ifrng, dram, in_part.projection(&dram, true))
                .expect("ifmap layout"),
            ofmap: DataLayout::single(ofrng, dram, part.projection(&dram, true))
                .expect("ofmap layout"),
        }
    }

    fn query(&self) -> HopQuery<'_> {
        HopQuery {
            layer: self.layer,
            batch: self.batch,
            proc_region: self.proc_region,
            part: self.part,
            fil_sources: &self.sources,
            ifmap_layout: &self.ifmap,
            ofmap_layout: &self.ofmap,
            forwarding: false,
        }
    }

    fn hops(&self, compat: Compat) -> [u64; 3] {
        unit_nhops(&self.query(), compat).0
    }
}

fn ofmp(n: u64) -> PartitionScheme {
    part([Outp, Batp, Inpp, Ofmp], [(1, 1), (n, n), (1, 1), (1, 1)])
}

// ---- Channel windows of local-region layers in the hop model
// (docs/compat.md#pool_eltwise_hop_window) ----

#[test]
fn convolutions_get_the_same_hops_in_both_models() {
    // The window quirk only concerns local-region layers: every conv vector
    // agrees, range by range and hop by hop.
    let mut convs = 0;
    for v in vectors("unit_nhops") {
        let l = layer(&v["input"]["layer"]);
        if !l.is_conv() {
            continue;
        }
        convs += 1;
        let p = scheme(&v["input"]["part"]);
        for pidx in p.pidxs() {
            let a = proc_data_range(&l, 4, &p, &pidx, Compat::Nnc);
            let b = proc_data_range(&l, 4, &p, &pidx, Compat::NnDataflow);
            assert_eq!(a, b, "{}", v["id"]);
        }
        let nodes = region(&v["input"]["proc_region"]).dim();
        let s = Setting::new(l, 4, nodes, MemType::TwoD, p, ofmp(nodes.h));
        assert_eq!(
            s.hops(Compat::Nnc),
            s.hops(Compat::NnDataflow),
            "{}",
            v["id"]
        );
    }
    assert_eq!(convs, 10);
}

fn pool16() -> LayerShape {
    // UN-40's layer: 16 channels, 4x4 out of 8x8, 2x2 windows, stride 2.
    LayerShape::Local(LocalShape::pool(16, d(4, 4), d(2, 2), d(2, 2)))
}

#[test]
fn pooling_without_channel_split_agrees() {
    // Without OUTP every node reads all channels: the extra channel of the
    // reference's window is clipped away.
    let s = Setting::new(pool16(), 4, d(2, 2), MemType::TwoD, ofmp(2), ofmp(2));
    assert_eq!(s.hops(Compat::Nnc), s.hops(Compat::NnDataflow));
    let s = Setting::new(pool16(), 4, d(4, 4), MemType::TwoD, ofmp(4), ofmp(2));
    assert_eq!(s.hops(Compat::Nnc), s.hops(Compat::NnDataflow));
}

#[test]
fn pooling_with_channel_split_reads_fewer_channels_in_nnc() {
    // UN-40: OUTP (2,2); the reference reads one channel more per node.
    let p = part([Ofmp, Batp, Inpp, Outp], [(2, 2), (1, 1), (1, 1), (1, 1)]);
    let s = Setting::new(pool16(), 4, d(2, 2), MemType::TwoD, p, ofmp(2));
    assert_eq!(s.hops(Compat::NnDataflow), [0, 4864, 0]);
    // Each node reads its 4 channels x 4 samples x 8x8 = 1024 words, a quarter
    // from each DRAM node, at distances 0, 1, 1, 2.
    assert_eq!(s.hops(Compat::Nnc), [0, 4096, 0]);
}

fn eltwise8() -> LayerShape {
    // Two operands of 8 channels, 8x8.
    LayerShape::Local(LocalShape::eltwise(8, d(8, 8), 2))
}

#[test]
fn eltwise_reads_every_operand_in_nnc() {
    let l = eltwise8();
    let p = ofmp(4);
    for pidx in p.pidxs() {
        let nnc = proc_data_range(&l, 4, &p, &pidx, Compat::Nnc);
        let refr = proc_data_range(&l, 4, &p, &pidx, Compat::NnDataflow);
        // The reference: channels 0..9 of 16; nnc: 0..8 and 8..16.
        assert_eq!(
            (
                refr.ifmap.first.beg.n,
                refr.ifmap.first.end.n,
                refr.ifmap.copies
            ),
            (0, 9, 1)
        );
        assert_eq!((nnc.ifmap.first.beg.n, nnc.ifmap.first.end.n), (0, 8));
        assert_eq!((nnc.ifmap.copies, nnc.ifmap.n_step), (2, 8));
        assert_eq!(nnc.ifmap.size() * 9, refr.ifmap.size() * 16);
        assert_eq!(nnc.ofmap, refr.ofmap);
    }
    // UN-39: stored where it is used, so no hops either way.
    let s = Setting::new(l, 4, d(2, 2), MemType::TwoD, ofmp(2), ofmp(2));
    assert_eq!(s.hops(Compat::Nnc), [0, 0, 0]);
    assert_eq!(s.hops(Compat::NnDataflow), [0, 0, 0]);
    // On 4x4 nodes fed from the corners, reading all 16 channels costs more
    // than the reference's 9: 16/9 of it exactly, as every channel plane is
    // stored alike.
    let s = Setting::new(l, 4, d(4, 4), MemType::TwoD, ofmp(4), ofmp(4));
    let (nnc, refr) = (s.hops(Compat::Nnc), s.hops(Compat::NnDataflow));
    assert_eq!(nnc[0], 0);
    assert!(nnc[1] > refr[1], "{nnc:?} vs {refr:?}");
    assert_eq!(nnc[1] * 9, refr[1] * 16);
    assert_eq!(nnc[2], refr[2]);
}

#[test]
fn eltwise_with_channel_split_reads_the_matching_channels() {
    // OUTP (1,2): node 1 computes output channels 4..8 and reads 4..8 and
    // 12..16 in nnc; the reference reads the window 3..9 of the concatenation.
    let l = eltwise8();
    let p = part([Ofmp, Batp, Inpp, Outp], [(1, 2), (1, 1), (1, 1), (1, 1)]);
    let pidx = p.pidxs().nth(1).expect("two nodes");
    let nnc = proc_data_range(&l, 1, &p, &pidx, Compat::Nnc);
    let refr = proc_data_range(&l, 1, &p, &pidx, Compat::NnDataflow);
    let chans = |r: FmapRange| (r.beg.n, r.end.n);
    assert_eq!(
        nnc.ifmap.boxes().map(chans).collect::<Vec<_>>(),
        [(4, 8), (12, 16)]
    );
    assert_eq!(chans(refr.ifmap.first), (3, 9));
}

// ---- Eltwise sub-layers keep their operands (docs/compat.md#eltwise_reads_one_input) ----

#[test]
fn sublayers_differ_only_for_eltwise() {
    let conv = LayerShape::Conv(ConvShape {
        nifm: 8,
        nofm: 16,
        ofmap: d(8, 8),
        filter: d(3, 3),
        stride: d(1, 1),
        groups: 1,
        dilation: Dim2::square(1),
        filter_data: Default::default(),
        shuffle: nnc::ir::Dim2::square(1),
    });
    let p = part([Batp, Inpp, Outp, Ofmp], [(1, 2), (2, 1), (1, 1), (1, 1)]);
    for l in [conv, pool16()] {
        let a = p.part_layer(&l, 4, Compat::Nnc).expect("sub-layer");
        let b = p.part_layer(&l, 4, Compat::NnDataflow).expect("sub-layer");
        assert_eq!(a, b);
    }
    let a = p
        .part_layer(&eltwise8(), 4, Compat::Nnc)
        .expect("sub-layer");
    let b = p
        .part_layer(&eltwise8(), 4, Compat::NnDataflow)
        .expect("sub-layer");
    let (LayerShape::Local(la), LayerShape::Local(lb)) = (a.layer, b.layer) else {
        panic!("local sub-layers expected")
    };
    assert_eq!((la.ntrd, lb.ntrd), (2, 1));
    // Same work, twice the input read in nnc.
    assert_eq!(a.layer.total_ops(a.batch), b.layer.total_ops(b.batch));
    assert_eq!(a.occupancy.to_bits(), b.occupancy.to_bits());
    assert_eq!(
        a.layer.total_ifmap_size(a.batch),
        2 * b.layer.total_ifmap_size(b.batch)
    );
}

// ---- The NoC hop memo (docs/model/noc.md#the-references-hop-memo,
// docs/compat.md#inexact_hop_memo) ----

/// AlexNet `pool1_a`, batch 16, on 4x4 nodes with corner DRAM, its input in
/// `conv1_a`'s layout (docs/model/noc.md#the-references-hop-memo): the two orders of OUTP (2,1),
/// OFMP (2,1), BATP (1,4) with INPP and BATP on top.
fn alexnet_pool1a() -> (Setting, Setting) {
    let pool = LayerShape::Local(LocalShape::pool(48, d(27, 27), d(3, 3), d(2, 2)));
    let nodes = d(4, 4);
    let dram = NodeRegion::dram(nodes, MemType::TwoD);
    let conv1a = part([Outp, Inpp, Batp, Ofmp], [(1, 1), (2, 1), (1, 2), (1, 1)]);
    let ifmap =
        DataLayout::single(FmapRange::full(16, 48, 55, 55), dram, conv1a).expect("ifmap layout");
    let make = |order| {
        let p = part(order, [(2, 1), (2, 1), (1, 4), (1, 1)]);
        let mut s = Setting::new(pool, 16, nodes, MemType::TwoD, p, conv1a);
        s.ifmap = ifmap.clone();
        s
    };
    (
        make([Inpp, Batp, Outp, Ofmp]),
        make([Inpp, Batp, Ofmp, Outp]),
    )
}

#[test]
fn hop_memo_aliases_orders_in_the_reference_only() {
    let (first, second) = alexnet_pool1a();
    // Both are schemes the search tries, first before second.
    let tried = gen_partition(
        &PartTarget::Layer(first.layer),
        16,
        d(4, 4),
        Partitioning::from_flags(true, true, false).unwrap(),
        false,
    );
    let pos = |s: &PartitionScheme| tried.iter().position(|t| t == s);
    assert!(pos(&first.part).expect("tried") < pos(&second.part).expect("tried"));

    // The exact hops differ. IFM from the spec; all values also checked with
    // nn_dataflow 2.1's `unit_nhops_to_proc_region`, each order alone in a
    // fresh process (in one process the second returns the first's IFM).
    assert_eq!(first.hops(Compat::NnDataflow), [0, 3_665_200, 839_808]);
    assert_eq!(second.hops(Compat::NnDataflow), [0, 2_500_960, 839_808]);
    // (nnc's own numbers also lack pooling's extra channel:
    // docs/compat.md#pool_eltwise_hop_window.)
    assert_eq!(second.hops(Compat::Nnc)[1], 2_449_920);

    // The reference's memo charges the second the first's IFM hops.
    let mut memo = HopCache::new(Compat::NnDataflow);
    let a = memo.unit_nhops(&first.query());
    let b = memo.unit_nhops(&second.query());
    assert_eq!(a.0, first.hops(Compat::NnDataflow));
    assert_eq!(b[DataKind::Ifm], 3_665_200);
    // Only the aliased category: the ofmap layouts differ, so OFM is exact.
    assert_eq!(b[DataKind::Ofm], second.hops(Compat::NnDataflow)[2]);

    // Evaluated alone, or in nnc's model, each gets its own hops.
    let mut fresh = HopCache::new(Compat::NnDataflow);
    assert_eq!(
        fresh.unit_nhops(&second.query()).0,
        second.hops(Compat::NnDataflow)
    );
    let mut nnc = HopCache::new(Compat::Nnc);
    assert_eq!(nnc.unit_nhops(&first.query()).0, first.hops(Compat::Nnc));
    assert_eq!(nnc.unit_nhops(&second.query()).0, second.hops(Compat::Nnc));
    // The charged hops are higher than the real ones (here).
    assert!(b[DataKind::Ifm] > second.hops(Compat::NnDataflow)[1]);
}

#[test]
fn hop_memo_agrees_without_aliasing() {
    // A run of different layers through both memos: no two groupings alias,
    // so both memos return the exact hops.
    let mut refr = HopCache::new(Compat::NnDataflow);
    let mut nnc = HopCache::new(Compat::Nnc);
    for v in vectors("unit_nhops") {
        let l = layer(&v["input"]["layer"]);
        if !l.is_conv() {
            continue;
        }
        let nodes = region(&v["input"]["proc_region"]).dim();
        let s = Setting::new(
            l,
            4,
            nodes,
            MemType::TwoD,
            scheme(&v["input"]["part"]),
            ofmp(2),
        );
        let q = s.query();
        assert_eq!(
            refr.unit_nhops(&q),
            unit_nhops(&q, Compat::NnDataflow),
            "{}",
            v["id"]
        );
        assert_eq!(
            nnc.unit_nhops(&q),
            unit_nhops(&q, Compat::Nnc),
            "{}",
            v["id"]
        );
    }
}

#[test]
fn hop_memo_forgets_beyond_its_capacity() {
    // After 1024 other IFM groupings the aliased entry is gone, and the second
    // order gets its exact hops again.
    let (first, second) = alexnet_pool1a();
    let mut memo = HopCache::new(Compat::NnDataflow);
    memo.unit_nhops(&first.query());
    let conv = |nifm| {
        LayerShape::Conv(ConvShape {
            nifm,
            nofm: 4,
            ofmap: d(2, 2),
            filter: d(1, 1),
            stride: d(1, 1),
            groups: 1,
            dilation: Dim2::square(1),
            filter_data: Default::default(),
            shuffle: nnc::ir::Dim2::square(1),
        })
    };
    for n in 1..=1024 {
        let s = Setting::new(conv(n), 1, d(1, 1), MemType::TwoD, ofmp(1), ofmp(1));
        memo.unit_nhops(&s.query());
    }
    assert_eq!(
        memo.unit_nhops(&second.query()).0,
        second.hops(Compat::NnDataflow)
    );
}
