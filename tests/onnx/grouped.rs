//! Grouped and dilated convolution: their IR counts, and the model's
//! promise that a grouped layer costs no more than its groups scheduled as
//! separate layers (docs/model/layers.md#grouped-convolution).

use nnc::ir::Network;
use nnc::{Options, Solver};

fn compile(path: &str) -> Network {
    let text = std::fs::read_to_string(path).unwrap();
    nnc::compile(&text).map(|(n, _)| n).unwrap()
}

fn compile_text(text: &str) -> Network {
    nnc::compile(text).map(|(n, _)| n).unwrap()
}

fn energy(net: &Network, hw: &str, solver: Solver) -> (f64, f64) {
    let hw = nnc::hw::load(hw).unwrap();
    // Layer by layer: the towers and the grouped layers as layers.
    let options = Options::builder()
        .solver(solver)
        .pipeline(nnc::PipelineOptions::default())
        .build()
        .unwrap();
    let s = nnc::schedule(net, &hw, &options).unwrap();
    (s.totals.energy, s.totals.ops)
}

/// AlexNet's towers written as one grouped layer per conv (and one pool per
/// pair of pools) never cost more than the split towers of
/// nns/alex_net.nn, on every preset and with both solvers, for the same
/// ops.
#[test]
fn grouped_alexnet_costs_no_more_than_its_towers() {
    let towers = compile("nns/alex_net.nn");
    let grouped = compile("nns/alexnet_grouped.nn");
    assert_eq!(towers.total_ops(1), grouped.total_ops(1));
    assert_eq!(grouped.layers().len(), 11);
    for hw in ["eyeriss", "eyeriss-chip", "tetris", "tetris-l1"] {
        for solver in [Solver::Exhaustive, Solver::Analytic] {
            let (t, t_ops) = energy(&towers, hw, solver);
            let (g, g_ops) = energy(&grouped, hw, solver);
            assert_eq!(t_ops, g_ops, "{hw} {solver:?}");
            assert!(g <= t, "{hw} {solver:?}: grouped {g:e} > towers {t:e}");
        }
    }
}

/// On one node (no NoC) a grouped layer costs exactly its groups as
/// separate layers: `groups` times the dense convolution of one group.
#[test]
fn a_grouped_layer_costs_its_groups_run_one_after_another() {
    for (c, k, g) in [(64, 128, 2), (32, 32, 32), (96, 96, 4)] {
        let grouped = compile_text(&format!(
            "network g\ninput x [{c}, 28]\ny = conv(x, {k}, kernel: 3, pad: 1, groups: {g})\n"
        ));
        let one = compile_text(&format!(
            "network one\ninput x [{}, 28]\ny = conv(x, {}, kernel: 3, pad: 1)\n",
            c / g,
            k / g
        ));
        for solver in [Solver::Exhaustive, Solver::Analytic] {
            let (eg, og) = energy(&grouped, "eyeriss", solver);
            let (e1, o1) = energy(&one, "eyeriss", solver);
            let n = g as f64;
            assert_eq!(og, o1 * n);
            assert!(
                (eg - e1 * n).abs() <= 1e-9 * eg,
                "{c} {k} {g}: {eg:e} vs {n} x {e1:e}"
            );
        }
    }
}

#[test]
fn grouped_and_dilated_counts() {
    let net = compile_text(
        "network n\ninput x [32, 56]\n\
         dw = conv(x, 32, kernel: 3, pad: 1, groups: 32)\n\
         g = conv(dw, 64, kernel: 1, groups: 4)\n\
         d = conv(g, 64, kernel: 3, pad: 2, dilation: 2)\n",
    );
    let json = net.to_json();
    let [dw, g, d] = &json.layers[..] else {
        panic!("three layers")
    };
    // Depthwise: one input channel per output channel.
    assert_eq!((dw.groups, dw.ops), (32, 32 * 56 * 56 * 9));
    assert_eq!((g.groups, g.ops), (4, 64 * 56 * 56 * 8));
    // Dilation 2 spans 5 input points with 3 taps; same size with pad 2.
    assert_eq!(d.dilation, Some([2, 2]));
    assert_eq!(
        (d.kernel, d.ifmap, d.ofmap),
        (Some([3, 3]), [60, 60], [56, 56])
    );
    assert_eq!(d.ops, 64 * 56 * 56 * 9 * 64);
    let text = json.to_text();
    assert!(text.contains("\"groups\": 32"), "{text}");
}
