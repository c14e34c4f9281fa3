//! Scheduling cost against the layer count (issue 26): chains of 1x1
//! convolutions of 1,000 to 8,000 layers on the `eyeriss` preset, batch 1.
//! The time per layer should stay flat (linear cost); it grew with the
//! layer count when every partial schedule copied the whole network's
//! state. Peak memory, which criterion does not measure, is in
//! docs/limits.md with the command that measures it.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// A chain of `n` 1x1 convolutions of 8 channels on a 4x4 fmap.
fn chain(n: usize) -> String {
    let mut text =
        String::from("network Chain\ninput data [8, 4]\nl0 = conv(data, 8, kernel: 1)\n");
    for i in 1..n {
        text += &format!("l{i} = conv(l{}, 8, kernel: 1)\n", i - 1);
    }
    text
}

fn bench(c: &mut Criterion) {
    let hw = nnc::hw::load("eyeriss").expect("the preset");
    let options = nnc::Options::builder().build().expect("defaults");
    let mut group = c.benchmark_group("chain");
    group.sample_size(10);
    for n in [1000, 2000, 4000, 8000] {
        let (net, _) = nnc::compile(&chain(n)).expect("a chain compiles");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &net, |b, net| {
            b.iter(|| nnc::schedule(black_box(net), &hw, &options).expect("a schedule"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
