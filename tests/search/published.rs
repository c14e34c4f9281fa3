//! The published results nn_dataflow reproduces, reproduced by nnc in the
//! reference-compatible model: Eyeriss ISCA'16 Fig. 10, the Eyeriss
//! ISSCC'16/JSSC'17 chip table, and TETRIS ASPLOS'17 Fig. 8.

use nnc::internals::sched::Compat;
use nnc::internals::sched::options::{Options, Solver};
use nnc::internals::sched::partition::Partitioning;
use nnc::internals::sched::types::PerData;
use nnc::ir::Network;
use nnc::schedule::{LayerOut, ScheduleFile};

fn alexnet() -> Network {
    let (net, _) = nnc::lang::compile(include_str!("../../nns/alex_net.nn")).unwrap();
    net
}

/// The reference's published-result setup: exhaustive search, every data
/// kind kept in the global buffer (`--no-bypass i,o,f`), naive partitioning.
fn no_bypass(batch: u64) -> Options {
    Options::builder()
        .batch(batch)
        .bypass(PerData::splat(false))
        .compat(Compat::NnDataflow)
        .build()
        .unwrap()
}

fn schedule(hw: &str, options: &Options) -> ScheduleFile {
    nnc::schedule(&alexnet(), &nnc::hw::load(hw).unwrap(), options).unwrap()
}

/// The layers of one AlexNet layer, both towers (`conv1` = `conv1_a` and
/// `conv1_b`; `fc1` alone).
fn towers<'a>(s: &'a ScheduleFile, name: &str) -> Vec<&'a LayerOut> {
    let found: Vec<&LayerOut> = s
        .layers
        .iter()
        .filter(|l| {
            l.name == name || l.name.strip_suffix("_a").or(l.name.strip_suffix("_b")) == Some(name)
        })
        .collect();
    assert!(!found.is_empty(), "no layer {name}");
    found
}

fn sum(layers: &[&LayerOut], f: impl Fn(&LayerOut) -> f64) -> f64 {
    layers.iter().map(|l| f(l)).sum()
}

#[test]
fn eyeriss_isca16_fig10_energy_breakdown() {
    // AlexNet, batch 16, on the Eyeriss ISCA'16 model; ALU, DRAM and RF
    // energy per layer in units of 1e9 MACs.
    let s = schedule("eyeriss", &no_bypass(16));
    let paper = [
        ("conv1", 1.69, 2.46, 6.75),
        ("conv2", 3.58, 2.27, 14.33),
        ("conv3", 2.39, 2.02, 9.57),
        ("conv4", 1.79, 1.57, 7.18),
        ("conv5", 1.20, 1.05, 4.78),
        ("fc1", 0.60, 7.78, 2.42),
        ("fc2", 0.27, 3.39, 1.07),
        ("fc3", 0.07, 0.84, 0.26),
    ];
    for (name, alu, dram, rf) in paper {
        let l = towers(&s, name);
        let got = [
            sum(&l, |l| l.energy_breakdown.op),
            sum(&l, |l| l.energy_breakdown.dram),
            sum(&l, |l| l.energy_breakdown.regf),
        ]
        .map(|e| e / 1e9);
        for (what, g, p) in [
            ("ALU", got[0], alu),
            ("DRAM", got[1], dram),
            ("RF", got[2], rf),
        ] {
            assert!(
                (g - p).abs() <= 0.1,
                "{name} {what}: nnc {g:.3}e9, paper {p}e9"
            );
        }
    }
}

#[test]
fn eyeriss_isscc16_chip_table() {
    // AlexNet, batch 4, on the Eyeriss chip at 200 MHz.
    let s = schedule("eyeriss-chip", &no_bypass(4));
    let paper = [
        // (layer, power mW, latency ms, MOPs, active PEs, filter size in thousands)
        ("conv1", 332.0, 16.5, 421.66, 151, 34.8),
        ("conv2", 288.0, 39.2, 895.79, 135, 307.2),
        ("conv3", 266.0, 21.8, 598.1, 156, 884.7),
        ("conv4", 235.0, 16.0, 448.6, 156, 663.6),
        ("conv5", 236.0, 10.0, 299.0, 156, 442.4),
    ];
    const HZ: f64 = 200e6;
    for (name, power, latency, mops, active, filters) in paper {
        let l = towers(&s, name);
        let cycles = sum(&l, |l| l.time.total as f64);
        let onchip = sum(&l, |l| l.energy - l.energy_breakdown.dram); // pJ
        let got_power = onchip / cycles * HZ * 1e-12 * 1e3;
        assert!(
            got_power > 0.6 * power && got_power < power,
            "{name} power {got_power:.1} mW vs {power}"
        );
        let got_latency = cycles / HZ * 1e3;
        assert!(
            got_latency > 0.8 * latency && got_latency < latency,
            "{name} latency {got_latency:.2} ms vs {latency}"
        );
        let got_mops = sum(&l, |l| l.ops) / 1e6;
        assert!(
            (got_mops - mops).abs() <= 0.1,
            "{name} MOPs {got_mops:.2} vs {mops}"
        );
        let got_active = (sum(&l, |l| l.ops) / cycles) as u64;
        assert_eq!(got_active, active, "{name} active PEs");
        let got_filters = sum(&l, |l| {
            (l.shape.nifm * l.shape.nofm * l.shape.kernel.size()) as f64
        }) / 1e3;
        assert!(
            (got_filters - filters).abs() <= 0.1,
            "{name} filters {got_filters:.1}k vs {filters}k"
        );
    }
}

#[test]
fn tetris_asplos17_fig8_headline() {
    // AlexNet, batch 16: 16 small 3D-stacked nodes against one large 2D
    // node, hybrid partitioning, analytic solver, bypass allowed.
    let options = Options::builder()
        .batch(16)
        .partitioning(Partitioning::Hybrid {
            batch: false,
            ifmaps: false,
        })
        .solver(Solver::Analytic)
        .compat(Compat::NnDataflow)
        .build()
        .unwrap();
    let l1 = schedule("tetris-l1", &options);
    let t16 = schedule("tetris", &options);
    assert_eq!(t16.totals.ops, l1.totals.ops);
    let pe_ratio = (16.0 * 16.0) / (14.0 * 14.0 * 16.0);
    let time_bound = 1.2 * l1.totals.time as f64 * pe_ratio;
    assert!(
        (t16.totals.time as f64) < time_bound,
        "T-16 time {} vs bound {time_bound}",
        t16.totals.time
    );
    let energy = t16.totals.energy / l1.totals.energy;
    assert!(energy < 0.72, "T-16 uses {energy:.3} of L-1's energy");
}
