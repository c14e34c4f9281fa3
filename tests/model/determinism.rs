//! The blocking search runs chunks in parallel; its result must not depend on
//! the number of threads.

use nnc::internals::sched::Compat;
use nnc::internals::sched::machine::{Bandwidth, Cost, NodeResource};
use nnc::internals::sched::options::{BlockingOptions, Goal};
use nnc::internals::sched::search::node::{NodeCandidate, NodeProblem};
use nnc::internals::sched::types::PerLevel;
use nnc::ir::{ConvShape, Dim2, LayerShape};

fn run(threads: usize, goal: Goal, compat: Compat) -> Vec<NodeCandidate> {
    let layer = LayerShape::Conv(ConvShape {
        nifm: 96,
        nofm: 256,
        ofmap: Dim2::square(27),
        filter: Dim2::square(5),
        stride: Dim2::square(1),
        groups: 1,
        dilation: Dim2::square(1),
        filter_data: Default::default(),
        shuffle: nnc::ir::Dim2::square(1),
    });
    let res = NodeResource {
        sram: None,
        dim_array: Dim2::square(16),
        size_gbuf: 65536,
        size_regf: 256,
        array_bus_width: Some(8),
        dram_bandwidth: Bandwidth::Words(4.0),
        no_time_mux: false,
        dataflow: Default::default(),
    };
    let cost = Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 0.0, 3.0);
    let options = BlockingOptions {
        goal,
        ntops: 5,
        ..BlockingOptions::default()
    };
    let problem = NodeProblem::one_node(&layer, 16, &res, &cost, &options, compat);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| problem.best().unwrap())
}

#[test]
fn same_result_with_one_or_many_threads() {
    for goal in [Goal::E, Goal::D, Goal::Ed] {
        for compat in [Compat::Nnc, Compat::NnDataflow] {
            let one = run(1, goal, compat);
            assert_eq!(one.len(), 5);
            for threads in [2, 4, 7] {
                assert_eq!(
                    run(threads, goal, compat),
                    one,
                    "{goal:?} {compat:?} {threads} threads"
                );
            }
        }
    }
}
