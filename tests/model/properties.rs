//! Invariants of the per-layer model over generated layers and nodes.

use nnc::internals::sched::Compat;
use nnc::internals::sched::machine::{Bandwidth, Cost, NodeResource};
use nnc::internals::sched::options::{BlockingOptions, Goal, Solver};
use nnc::internals::sched::search::node::{NodeCandidate, NodeProblem};
use nnc::internals::sched::types::{DataKind, MemLevel, PerData, PerLevel};
use nnc::ir::{ConvShape, Dim2, LayerShape, LocalShape};
use proptest::prelude::*;

fn conv_layer() -> impl Strategy<Value = LayerShape> {
    (1u64..=48, 1u64..=48, 1u64..=14, 1u64..=5, 1u64..=2).prop_map(|(nifm, nofm, o, k, s)| {
        LayerShape::Conv(ConvShape {
            nifm,
            nofm,
            ofmap: Dim2::square(o),
            filter: Dim2::square(k),
            stride: Dim2::square(s),
            groups: 1,
            dilation: Dim2::square(1),
            filter_data: Default::default(),
            shuffle: nnc::ir::Dim2::square(1),
        })
    })
}

fn any_layer() -> impl Strategy<Value = LayerShape> {
    prop_oneof![
        3 => conv_layer(),
        1 => (1u64..=64, 1u64..=512).prop_map(|(i, o)| LayerShape::Conv(ConvShape::fc(i, o, Dim2::square(1)))),
        1 => (1u64..=32, 1u64..=14, 1u64..=3).prop_map(|(n, o, k)| {
            LayerShape::Local(LocalShape::pool(n, Dim2::square(o), Dim2::square(k), Dim2::square(k)))
        }),
        1 => (1u64..=32, 1u64..=14, 1u64..=3).prop_map(|(n, o, k)| {
            LayerShape::Local(LocalShape { ntrd: 1, ..LocalShape::eltwise(n, Dim2::square(o), k) })
        }),
    ]
}

fn node() -> impl Strategy<Value = NodeResource> {
    (
        2u64..=16,
        2u64..=16,
        8u64..=128,
        9u64..=15,
        prop::option::of(1u64..=8),
    )
        .prop_map(|(h, w, regf, gbuf_log2, bus)| NodeResource {
            sram: None,
            dim_array: Dim2::new(h, w),
            size_gbuf: 1 << gbuf_log2,
            size_regf: regf,
            array_bus_width: bus,
            dram_bandwidth: Bandwidth::Unlimited,
            no_time_mux: false,
            dataflow: Default::default(),
        })
}

fn cost(idl_unit: f64) -> Cost {
    Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 10.0, idl_unit)
}

fn solve(
    layer: &LayerShape,
    batch: u64,
    res: &NodeResource,
    cost: &Cost,
    options: &BlockingOptions,
    compat: Compat,
) -> Vec<NodeCandidate> {
    let problem = NodeProblem::one_node(layer, batch, res, cost, options, compat);
    problem.candidates().unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Whatever the search keeps fits the buffers, and every weight is read
    /// and every output written at least once.
    #[test]
    fn kept_blockings_fit_and_touch_all_data(
        layer in any_layer(), batch in 1u64..=4, res in node(), bypass in prop::array::uniform3(any::<bool>()),
        nnc in any::<bool>(),
    ) {
        let compat = if nnc { Compat::Nnc } else { Compat::NnDataflow };
        let options = BlockingOptions { bypass: PerData(bypass), ntops: 2, ..BlockingOptions::default() };
        for c in solve(&layer, batch, &res, &cost(0.0), &options, compat) {
            let s = &c.stats;
            prop_assert!(s.size[0].0.iter().sum::<u64>() <= res.size_gbuf);
            prop_assert!(s.size[1].0.iter().sum::<u64>() <= res.size_regf);
            let slack = 1e-9;
            let fil = layer.total_filter_size() as f64;
            prop_assert!(s.access[MemLevel::Dram][DataKind::Fil] >= fil * (1.0 - slack));
            let ofm = layer.total_ofmap_size(batch) as f64;
            prop_assert!(s.access[MemLevel::Dram][DataKind::Ofm] >= ofm * (1.0 - slack));
            prop_assert!(s.time >= s.proc_time && s.proc_time > 0);
        }
    }

    /// With the energy goal and no static energy, the analytic solver never
    /// beats the exhaustive search on access energy.
    #[test]
    fn solver_never_beats_exhaustive(layer in conv_layer(), batch in 1u64..=4, res in node(), nnc in any::<bool>()) {
        let compat = if nnc { Compat::Nnc } else { Compat::NnDataflow };
        let exhaustive = BlockingOptions { goal: Goal::E, ..BlockingOptions::default() };
        let analytic = BlockingOptions { solver: Solver::Analytic, ..exhaustive };
        let best = |cands: Vec<NodeCandidate>| {
            cands.iter().map(|c| c.stats.energy.access).fold(f64::INFINITY, f64::min)
        };
        let e = best(solve(&layer, batch, &res, &cost(0.0), &exhaustive, compat));
        let a = best(solve(&layer, batch, &res, &cost(0.0), &analytic, compat));
        prop_assert!(a >= e * (1.0 - 1e-12), "analytic {a} below exhaustive {e}");
    }
}
