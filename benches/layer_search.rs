//! Per-layer search time: AlexNet's conv and fc layers (one tower each) on
//! the `eyeriss` preset, batch 16, exhaustive search and analytic solver —
//! the same problems `bench/reference_layers.py` times in nn_dataflow.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nnc::internals::sched::Compat;
use nnc::internals::sched::blocking::{BlockingContext, sweep_counts};
use nnc::internals::sched::dataflow::map_layer;
use nnc::internals::sched::options::{BlockingOptions, Solver};
use nnc::internals::sched::search::node::NodeProblem;
use nnc::ir::{ConvShape, Dim2, LayerShape};
use std::hint::black_box;

fn conv(nifm: u64, nofm: u64, ofmap: u64, filter: u64, stride: u64) -> LayerShape {
    LayerShape::Conv(ConvShape {
        nifm,
        nofm,
        ofmap: Dim2::square(ofmap),
        filter: Dim2::square(filter),
        stride: Dim2::square(stride),
        groups: 1,
        dilation: Dim2::square(1),
        filter_data: Default::default(),
        shuffle: nnc::ir::Dim2::square(1),
    })
}

fn alexnet() -> Vec<(&'static str, LayerShape)> {
    vec![
        ("conv1_a", conv(3, 48, 55, 11, 4)),
        ("conv2_a", conv(48, 128, 27, 5, 1)),
        ("conv3_a", conv(256, 192, 13, 3, 1)),
        ("conv4_a", conv(192, 192, 13, 3, 1)),
        ("conv5_a", conv(192, 128, 13, 3, 1)),
        (
            "fc1",
            LayerShape::Conv(ConvShape::fc(256, 4096, Dim2::square(6))),
        ),
        (
            "fc2",
            LayerShape::Conv(ConvShape::fc(4096, 4096, Dim2::square(1))),
        ),
        (
            "fc3",
            LayerShape::Conv(ConvShape::fc(4096, 1000, Dim2::square(1))),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let Ok(hw) = nnc::hw::load("eyeriss") else {
        return;
    };
    let (res, cost) = (hw.node_resource(), hw.cost());
    let mut group = c.benchmark_group("alexnet_b16_eyeriss");
    for solver in [Solver::Exhaustive, Solver::Analytic] {
        let options = BlockingOptions {
            solver,
            ..BlockingOptions::default()
        };
        for (name, layer) in alexnet() {
            let problem =
                NodeProblem::one_node(&layer, 16, &res, &cost, &options, Compat::NnDataflow);
            if solver == Solver::Exhaustive
                && let Ok(m) = map_layer(&layer, 16, 1.0, res.dim_array, Compat::NnDataflow)
            {
                let evals: u64 = m
                    .nlds
                    .iter()
                    .map(|nld| {
                        let ctx = BlockingContext::new(
                            nld,
                            &res,
                            &cost,
                            options.bypass,
                            options.goal,
                            Compat::NnDataflow,
                        );
                        sweep_counts(&ctx).after_skip
                    })
                    .sum();
                eprintln!("{name}: {evals} candidate blockings after the skip rule");
            }
            if let Ok(best) = problem.best()
                && let Some(b) = best.first()
            {
                eprintln!(
                    "{name} {solver:?}: best cost {:?}, time {}",
                    b.stats.cost(),
                    b.stats.time
                );
            }
            let id = BenchmarkId::new(format!("{solver:?}").to_lowercase(), name);
            group.bench_function(id, |b| b.iter(|| black_box(problem.best())));
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
