//! The two models of docs/compat.md on one layer: each fix makes only its
//! documented difference — the models agree where the reference's bug does
//! not apply and differ, in the expected direction, where it does.

use nnc::internals::sched::Compat;
use nnc::internals::sched::dataflow::MappingError;
use nnc::internals::sched::machine::{Bandwidth, Cost, NodeResource};
use nnc::internals::sched::options::{BlockingOptions, Goal, Solver};
use nnc::internals::sched::search::node::{NodeCandidate, NodeProblem};
use nnc::internals::sched::types::PerLevel;
use nnc::ir::{ConvShape, Dim2, LayerShape, LocalShape};
use proptest::prelude::*;

fn conv(nifm: u64, nofm: u64, ofmap: u64, filter: u64) -> LayerShape {
    LayerShape::Conv(ConvShape {
        nifm,
        nofm,
        ofmap: Dim2::square(ofmap),
        filter: Dim2::square(filter),
        stride: Dim2::square(1),
        groups: 1,
        dilation: Dim2::square(1),
        filter_data: Default::default(),
        shuffle: nnc::ir::Dim2::square(1),
    })
}

fn node(gbuf: u64, regf: u64, bus: Option<u64>, dram: Bandwidth) -> NodeResource {
    NodeResource {
        sram: None,
        dim_array: Dim2::square(16),
        size_gbuf: gbuf,
        size_regf: regf,
        array_bus_width: bus,
        dram_bandwidth: dram,
        no_time_mux: false,
        dataflow: Default::default(),
    }
}

fn cost(idl_unit: f64) -> Cost {
    Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 10.0, idl_unit)
}

fn best(
    layer: &LayerShape,
    batch: u64,
    res: &NodeResource,
    cost: &Cost,
    options: &BlockingOptions,
    compat: Compat,
) -> Result<Option<NodeCandidate>, MappingError> {
    let problem = NodeProblem::one_node(layer, batch, res, cost, options, compat);
    Ok(problem.best()?.into_iter().next())
}

fn both(
    layer: &LayerShape,
    batch: u64,
    res: &NodeResource,
    cost: &Cost,
    options: &BlockingOptions,
) -> (NodeCandidate, NodeCandidate) {
    let get = |c| best(layer, batch, res, cost, options, c).unwrap().unwrap();
    (get(Compat::Nnc), get(Compat::NnDataflow))
}

/// The layer of layer vector L15-L17 (tests/data/layer_vectors.json): bus and DRAM bound.
fn bus_bound() -> (LayerShape, NodeResource) {
    (
        conv(64, 128, 28, 3),
        node(32768, 64, Some(4), Bandwidth::Words(2.0)),
    )
}

#[test]
fn delay_goal_ranks_by_time_in_nnc() {
    let (layer, res) = bus_bound();
    let options = BlockingOptions {
        goal: Goal::D,
        ..BlockingOptions::default()
    };
    let (nnc, reference) = both(&layer, 4, &res, &cost(0.0), &options);
    // The reference's delay search keeps the first candidate of every chunk
    // (docs/compat.md#delay_goal_nan) and lands on a DRAM-bound blocking.
    assert_eq!(reference.stats.time, 2080768);
    assert_eq!(nnc.stats.time, 1376256);
    // The energy goal is not affected.
    let options = BlockingOptions::default();
    let (nnc, reference) = both(&layer, 4, &res, &cost(0.0), &options);
    assert_eq!(nnc.blocking, reference.blocking);
    assert_eq!(nnc.stats.cost(), reference.stats.cost());
}

#[test]
fn low_utilization_is_scheduled_in_nnc() {
    let layer = conv(8, 8, 17, 3);
    let res = node(65536, 64, None, Bandwidth::Unlimited);
    let options = BlockingOptions::default();
    let reference = best(&layer, 1, &res, &cost(0.0), &options, Compat::NnDataflow);
    assert!(matches!(
        reference,
        Err(MappingError::LowUtilization { .. })
    ));
    let nnc = best(&layer, 1, &res, &cost(0.0), &options, Compat::Nnc).unwrap();
    assert!(nnc.is_some());
}

#[test]
fn eltwise_reads_every_input_in_nnc() {
    let res = node(65536, 64, None, Bandwidth::Unlimited);
    let options = BlockingOptions::default();
    let eltwise = LocalShape::eltwise(128, Dim2::square(28), 2);
    // nnc keeps the channel stride; the reference's sub-layer drops it.
    let nnc = best(
        &LayerShape::Local(eltwise),
        2,
        &res,
        &cost(0.0),
        &options,
        Compat::Nnc,
    );
    let reduced = LayerShape::Local(LocalShape { ntrd: 1, ..eltwise });
    let reference = best(&reduced, 2, &res, &cost(0.0), &options, Compat::NnDataflow);
    let (nnc, reference) = (nnc.unwrap().unwrap(), reference.unwrap().unwrap());
    // layer vector L10 (tests/data/layer_vectors.json)
    assert_eq!(reference.stats.cost(), 82690048.0);
    assert!(nnc.stats.cost() > reference.stats.cost());
    // Every input word is read from DRAM once: 2 inputs of 128 x 28 x 28 x 2.
    let ifm = nnc.stats.access[nnc::internals::sched::types::MemLevel::Dram]
        [nnc::internals::sched::types::DataKind::Ifm];
    assert_eq!(ifm, 2.0 * 128.0 * 28.0 * 28.0 * 2.0);
    // A pooling layer reads one input per output: the models agree.
    let pool = LayerShape::Local(LocalShape::pool(
        48,
        Dim2::square(27),
        Dim2::square(3),
        Dim2::square(2),
    ));
    let (a, b) = both(&pool, 4, &res, &cost(0.0), &options);
    assert_eq!(a.stats.cost(), b.stats.cost());
}

#[test]
fn solver_without_room_for_one_unit_gives_no_candidate_in_both() {
    // layer vector L20 (tests/data/layer_vectors.json) (register file of 6 words for 3x3 filters),
    // where the reference's solver crashes.
    let layer = conv(16, 16, 8, 3);
    let res = node(65536, 6, None, Bandwidth::Unlimited);
    let options = BlockingOptions {
        solver: Solver::Analytic,
        ..BlockingOptions::default()
    };
    for compat in [Compat::Nnc, Compat::NnDataflow] {
        assert_eq!(
            best(&layer, 1, &res, &cost(0.0), &options, compat).unwrap(),
            None
        );
    }
}

#[test]
fn ranking_by_full_cost_finds_cheaper_layers_with_static_energy() {
    // layer vector L18 (tests/data/layer_vectors.json): static energy 500
    // per cycle. The reference ranks blockings by access energy only and
    // keeps a slower one.
    let (layer, res) = bus_bound();
    let options = BlockingOptions::default();
    let (nnc, reference) = both(&layer, 4, &res, &cost(500.0), &options);
    assert_eq!(reference.stats.cost(), 2223161344.0);
    // There the cheapest-access blocking is also the fastest: no difference.
    assert_eq!(nnc.stats.cost(), reference.stats.cost());
    // A bus-bound layer: the reference keeps a slower blocking with slightly
    // less access energy, and pays 15% more in total.
    let layer = conv(128, 128, 7, 3);
    let res = node(32768, 64, Some(2), Bandwidth::Words(2.0));
    let (nnc, reference) = both(&layer, 16, &res, &cost(500.0), &options);
    assert_eq!((nnc.stats.time, reference.stats.time), (663552, 1078272));
    assert_eq!(
        (nnc.stats.cost(), reference.stats.cost()),
        (1160712192.0, 1337700352.0)
    );
    assert!(nnc.stats.energy.access > reference.stats.energy.access);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Ranking by the whole energy never raises the chosen layer's energy;
    /// without static energy on one node it changes nothing.
    #[test]
    fn full_cost_ranking_never_costs_more(
        nifm in 1u64..=64, nofm in 1u64..=64, o in 1u64..=16, k in 1u64..=3, batch in 1u64..=8,
        idl in prop_oneof![Just(0.0), 1.0f64..1000.0], bw in prop_oneof![Just(Bandwidth::Unlimited), (1u64..=8).prop_map(|b| Bandwidth::Words(b as f64))],
    ) {
        let layer = conv(nifm, nofm, o, k);
        let res = node(16384, 64, Some(4), bw);
        let options = BlockingOptions::default();
        let Ok(Some(nnc)) = best(&layer, batch, &res, &cost(idl), &options, Compat::Nnc) else { return Ok(()) };
        let Ok(Some(reference)) = best(&layer, batch, &res, &cost(idl), &options, Compat::NnDataflow) else {
            return Ok(());
        };
        prop_assert!(nnc.stats.cost() <= reference.stats.cost() * (1.0 + 1e-12));
        if idl == 0.0 {
            let rel = (nnc.stats.cost() - reference.stats.cost()).abs() / reference.stats.cost();
            prop_assert!(rel <= 1e-12);
        }
    }

    /// The corrected delay goal never picks a slower layer.
    #[test]
    fn delay_goal_never_slower(nifm in 1u64..=64, nofm in 1u64..=64, o in 1u64..=16, batch in 1u64..=8) {
        let layer = conv(nifm, nofm, o, 3);
        let res = node(16384, 64, Some(4), Bandwidth::Words(2.0));
        let options = BlockingOptions { goal: Goal::D, ..BlockingOptions::default() };
        let Ok(Some(nnc)) = best(&layer, batch, &res, &cost(0.0), &options, Compat::Nnc) else { return Ok(()) };
        let Ok(Some(reference)) = best(&layer, batch, &res, &cost(0.0), &options, Compat::NnDataflow) else {
            return Ok(());
        };
        prop_assert!(nnc.stats.time <= reference.stats.time);
    }
}
