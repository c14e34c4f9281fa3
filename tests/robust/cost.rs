//! Scheduling cost linear in the layers (item 6): every partial schedule
//! copied the whole network's state, and asking a layer's consumers
//! scanned every layer, so time and memory grew with the square of the
//! layer count (8,000 layers: 11 s and 2.9 GB in a release build).

use std::time::{Duration, Instant};

/// A chain of `n` 1x1 convolutions.
fn chain(n: usize) -> String {
    let mut text =
        String::from("network Chain\ninput data [8, 4]\nl0 = conv(data, 8, kernel: 1)\n");
    for i in 1..n {
        text += &format!("l{i} = conv(l{}, 8, kernel: 1)\n", i - 1);
    }
    text
}

/// 8,000 layers in a test build: about 3 s when linear, minutes when
/// quadratic; and the schedule is the chain's, layer by layer.
#[test]
fn an_eight_thousand_layer_chain_schedules_in_seconds() {
    let (net, _) = nnc::compile(&chain(8000)).unwrap();
    let hw = nnc::hw::load("eyeriss").unwrap();
    let options = nnc::Options::builder()
        .solver(nnc::Solver::Analytic)
        .build()
        .unwrap();
    let start = Instant::now();
    let file = nnc::schedule(&net, &hw, &options).unwrap();
    let took = start.elapsed();
    assert_eq!(file.layers.len(), 8000);
    assert!(took < Duration::from_secs(40), "{took:?}");
    // The chain's inner layers are one problem: scheduled alike at any
    // depth.
    let inner = file.layers[1].energy;
    assert!(file.layers[1..7999].iter().all(|l| l.energy == inner));
}
