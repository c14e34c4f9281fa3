//! Invariants of the partition model, checked on random inputs.

use nnc::internals::sched::Compat;
use nnc::internals::sched::machine::MemType;
use nnc::internals::sched::partition::{
    Coord, DataLayout, FilterSources, FmapPosition, FmapRange, HopCache, HopQuery, NodeRegion,
    ParallelDim, PartTarget, PartitionScheme, Partitioning, RegionKind, gen_partition, unit_nhops,
};
use nnc::ir::{ConvShape, Dim2, LayerShape};
use proptest::prelude::*;
use std::collections::HashSet;

fn dim2(max: u64) -> impl Strategy<Value = Dim2> {
    (1..=max, 1..=max).prop_map(|(h, w)| Dim2::new(h, w))
}

/// A random scheme: a permutation of the four dimensions and small factors.
fn any_scheme(max: u64) -> impl Strategy<Value = PartitionScheme> {
    (
        Just(ParallelDim::ALL).prop_shuffle(),
        [dim2(max), dim2(max), dim2(max), dim2(max)],
    )
        .prop_map(|(order, pdims)| {
            let order = [order[0], order[1], order[2], order[3]];
            PartitionScheme::new(order, pdims).expect("valid scheme")
        })
}

fn any_range() -> impl Strategy<Value = FmapRange> {
    (
        (0..3u64, 0..3u64, 0..3u64, 0..3u64),
        (0..9u64, 0..20u64, 0..12u64, 0..12u64),
    )
        .prop_map(|((b, n, h, w), (db, dn, dh, dw))| {
            FmapRange::new(
                FmapPosition::new(b, n, h, w),
                FmapPosition::new(b + db, n + dn, h + dh, w + dw),
            )
        })
}

fn options() -> impl Strategy<Value = Partitioning> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(hybrid, batch, ifmaps)| {
        Partitioning::from_flags(hybrid, batch, hybrid && ifmaps).unwrap()
    })
}

fn conv() -> impl Strategy<Value = LayerShape> {
    (1..40u64, 1..40u64, dim2(9), dim2(3), dim2(2)).prop_map(
        |(nifm, nofm, ofmap, filter, stride)| {
            LayerShape::Conv(ConvShape {
                nifm,
                nofm,
                ofmap,
                filter,
                stride,
                groups: 1,
                dilation: Dim2::square(1),
                filter_data: Default::default(),
                shuffle: nnc::ir::Dim2::square(1),
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The parts of a range held by the nodes of a scheme tile the range:
    /// disjoint, and together as large as it (each repeated once per INPP part).
    #[test]
    fn fmap_ranges_tile_the_range(s in any_scheme(3), r in any_range()) {
        let parts: Vec<_> = s.pidxs()
            .filter(|p| p[ParallelDim::Inpp] == Dim2::default())
            .map(|p| s.fmap_range(&r, &p))
            .collect();
        prop_assert_eq!(parts.iter().map(FmapRange::size).sum::<u64>(), r.size());
        for (i, a) in parts.iter().enumerate() {
            prop_assert_eq!(a.overlap_size(&r), a.size());
            for b in &parts[i + 1..] {
                prop_assert_eq!(a.overlap_size(b), 0);
            }
        }
    }

    /// A scheme maps its partition indices one to one onto a region of
    /// exactly its size, folded or not.
    #[test]
    fn coordinates_are_a_bijection(s in any_scheme(3), cut in 0..8u64) {
        let dim = s.dim();
        let parent = NodeRegion::proc(Dim2::new(dim.h, dim.w + 8));
        // A region folded by allocation (when the cut allows one).
        let subs = parent.allocate(&[cut * dim.h, dim.size()]);
        let region = subs.get(1).copied().unwrap_or_else(|| NodeRegion::proc(dim));
        let nodes: HashSet<Coord> = region.iter_nodes().collect();
        let got: HashSet<Coord> = s.pidxs().map(|p| s.coordinate(&region, &p)).collect();
        prop_assert_eq!(got.len() as u64, s.size());
        prop_assert_eq!(got, nodes);
    }

    /// Projection onto a region fits the region and keeps the order.
    #[test]
    fn projections_fit(s in any_scheme(4), r in dim2(6), appl in any::<bool>()) {
        let region = NodeRegion::new(r, Coord::new(0, 0), RegionKind::Dram);
        let p = s.projection(&region, appl);
        prop_assert!(p.dim().h <= r.h && p.dim().w <= r.w);
        prop_assert_eq!(p.order(), s.order());
        if appl {
            prop_assert!(p.is_applicable_to_fmap_range());
        }
    }

    /// Every generated scheme spans exactly the nodes, no scheme repeats, and
    /// with `guaranteed` there is always one.
    #[test]
    fn generated_schemes_span_the_nodes(
        l in conv(), batch in 1..9u64, nodes in dim2(4), opts in options(),
    ) {
        let all = gen_partition(&PartTarget::Layer(l), batch, nodes, opts, true);
        prop_assert!(!all.is_empty());
        let distinct: HashSet<_> = all.iter().collect();
        prop_assert_eq!(distinct.len(), all.len());
        for s in &all {
            prop_assert_eq!(s.dim(), nodes);
            if !opts.splits_ifmaps() {
                prop_assert_eq!(s.pdim(ParallelDim::Inpp).size(), 1);
            }
            if !opts.splits_batch() {
                prop_assert_eq!(s.pdim(ParallelDim::Batp).size(), 1);
            }
        }
    }

    /// Allocated subregions are disjoint and inside the region.
    #[test]
    fn allocation_partitions_the_region(nodes in dim2(5), reqs in prop::collection::vec(1..8u64, 1..4)) {
        let r = NodeRegion::proc(nodes);
        let subs = r.allocate(&reqs);
        if reqs.iter().sum::<u64>() > nodes.size() {
            prop_assert!(subs.is_empty());
        }
        let mut seen = HashSet::new();
        for (sub, &n) in subs.iter().zip(&reqs) {
            prop_assert_eq!(sub.dim().size(), n);
            for c in sub.iter_nodes() {
                prop_assert!(r.contains_node(c));
                prop_assert!(seen.insert(c));
            }
        }
    }

    /// Both memos return the exact hops when every query is new to them, and
    /// nnc's memo always does; forwarding to one node changes nothing.
    #[test]
    fn memo_and_exact_hops(l in conv(), batch in 1..5u64, nodes in dim2(3), idx in 0..64usize, fwd in any::<bool>()) {
        let opts = Partitioning::from_flags(true, true, true).unwrap();
        let parts = gen_partition(&PartTarget::Layer(l), batch, nodes, opts, true);
        let part = parts[idx % parts.len()];
        let dram = NodeRegion::dram(nodes, MemType::TwoD);
        let (i, o) = (l.ifmap(), l.ofmap());
        let in_part = parts[0].projection(&dram, true);
        let ifmap = DataLayout::single(FmapRange::full(batch, l.nifm(), i.h, i.w), dram, in_part)
            .expect("ifmap layout");
        let ofmap = DataLayout::single(FmapRange::full(batch, l.nofm(), o.h, o.w), dram, part.projection(&dram, true))
            .expect("ofmap layout");
        let sources = FilterSources::from_region(&dram);
        let q = HopQuery {
            layer: l, batch, proc_region: NodeRegion::proc(nodes), part,
            fil_sources: &sources, ifmap_layout: &ifmap, ofmap_layout: &ofmap, forwarding: fwd,
        };
        let exact = unit_nhops(&q, Compat::NnDataflow);
        prop_assert_eq!(HopCache::new(Compat::NnDataflow).unit_nhops(&q), exact);
        let mut nnc = HopCache::new(Compat::Nnc);
        for p in &parts {
            let q2 = HopQuery { part: *p, ..q };
            prop_assert_eq!(nnc.unit_nhops(&q2), unit_nhops(&q2, Compat::Nnc));
        }
        let whole = FmapRange::full(batch, l.nifm(), i.h, i.w);
        let one = [Coord::new(0, 0)];
        prop_assert_eq!(ifmap.nhops_to(&whole, &one, true), ifmap.nhops_to(&whole, &one, false));
    }
}
