//! The dataflows of the Eyeriss taxonomy and the systolic arrays
//! (docs/model/dataflows.md): the ISCA'16 comparison on AlexNet, and every
//! dataflow on every shipped network with both solvers and with pipelining.

use nnc::Dataflow;
use nnc::PipelineOptions;
use nnc::ir::{LayerKind, Network};
use nnc::schedule::ScheduleFile;
use nnc::{Options, Solver};

/// The ISCA'16 presets, in the paper's order, with their dataflows.
const PRESETS: [(&str, Dataflow); 6] = [
    ("isca16-rs", Dataflow::RowStationary),
    ("isca16-ws", Dataflow::WeightStationary),
    ("isca16-osa", Dataflow::OutputStationaryA),
    ("isca16-osb", Dataflow::OutputStationaryB),
    ("isca16-osc", Dataflow::OutputStationaryC),
    ("isca16-nlr", Dataflow::NoLocalReuse),
];

fn compile(path: &std::path::Path) -> Network {
    let text = std::fs::read_to_string(path).unwrap();
    nnc::lang::compile(&text)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .0
}

/// Energy per op and DRAM accesses per op over the layers of one kind.
fn per_op(s: &ScheduleFile, kind: LayerKind) -> (f64, f64) {
    let layers: Vec<_> = s.layers.iter().filter(|l| l.kind == kind).collect();
    assert!(!layers.is_empty());
    let ops: f64 = layers.iter().map(|l| l.ops).sum();
    let energy: f64 = layers.iter().map(|l| l.energy).sum();
    let dram: f64 = layers
        .iter()
        .map(|l| {
            let d = &l.accesses.dram;
            d.fil + d.ifm + d.ofm
        })
        .sum();
    (energy / ops, dram / ops)
}

/// AlexNet, and options that schedule it layer by layer (as the paper
/// compares the dataflows) at `batch`.
fn alexnet_layer_by_layer(batch: u64) -> (Network, Options) {
    let net = compile(std::path::Path::new("nns/alex_net.nn"));
    let options = Options::builder()
        .batch(batch)
        .widening(nnc::Widening::NARROWEST)
        .build()
        .unwrap();
    (net, options)
}

#[test]
fn the_isca16_presets_give_each_dataflow_the_same_storage_area() {
    // RF bytes cost 1.6 buffer bytes of area: every preset's storage is
    // 256 x 512 B of register file plus 128 KiB of buffer, re-divided
    // (docs/model/dataflows.md#the-isca16-presets).
    let area = 1.6 * 256.0 * 512.0 + 131_072.0;
    for (name, dataflow) in PRESETS {
        let hw = nnc::hw::load(name).unwrap();
        assert_eq!(hw.dataflow, dataflow, "{name}");
        assert_eq!((hw.pe_array.h, hw.pe_array.w, hw.word_bits), (16, 16, 16));
        let used = 1.6 * 256.0 * hw.regf_bytes as f64 + hw.gbuf_bytes as f64;
        // Whole words: at most one word short of the area.
        assert!(
            used <= area && area - used < 2.0,
            "{name}: {used} of {area}"
        );
    }
    let nlr = nnc::hw::load("isca16-nlr").unwrap();
    assert_eq!(nlr.regf_bytes, 0);
    let ratio = nlr.gbuf_bytes as f64 / 131_072.0;
    assert!((ratio - 2.6).abs() < 1e-4, "{ratio}");
}

#[test]
fn isca16_alexnet_row_stationary_is_the_most_energy_efficient() {
    // Eyeriss ISCA'16 §VI: AlexNet at batch 16 on 256 PEs under equal
    // storage area; row stationary 1.4–2.5x more energy-efficient than the
    // others on the conv layers, at least 1.3x on the fc layers. The README
    // puts nnc's figures beside the paper's.
    let (net, options) = alexnet_layer_by_layer(16);
    let runs: Vec<(Dataflow, ScheduleFile)> = PRESETS
        .iter()
        .map(|&(name, dataflow)| {
            let hw = nnc::hw::load(name).unwrap();
            let s = nnc::schedule(&net, &hw, &options).unwrap();
            (dataflow, s)
        })
        .collect();
    let conv: Vec<(f64, f64)> = runs
        .iter()
        .map(|(_, s)| per_op(s, LayerKind::Conv))
        .collect();
    let fc: Vec<(f64, f64)> = runs.iter().map(|(_, s)| per_op(s, LayerKind::Fc)).collect();
    // Row stationary is the lowest on both, by these ratios (nnc's model;
    // the paper's are 1.4–2.5x and at least 1.3x).
    let ratios = |v: &[(f64, f64)]| v.iter().map(|&(e, _)| e / v[0].0).collect::<Vec<_>>();
    let (rc, rf) = (ratios(&conv), ratios(&fc));
    let rounded = |r: &[f64]| {
        r.iter()
            .map(|x| (x * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    };
    assert_eq!(rounded(&rc), [1.0, 2.16, 1.47, 1.37, 2.63, 2.69], "conv");
    assert_eq!(rounded(&rf), [1.0, 1.19, 1.89, 1.45, 1.45, 1.52], "fc");
    assert!(rc[1..].iter().all(|&r| r > 1.3), "{rc:?}");
    assert!(rf[1..].iter().all(|&r| r > 1.1), "{rf:?}");
    // DRAM accesses per op on the conv layers: weight stationary the
    // most, as in the paper. Each weight enters its PE once and serves
    // every sample there (docs/model/dataflows.md#weight-stationary), so
    // each is read from DRAM once, and the inputs of every sample pass
    // again for each group of weights the array holds.
    let dram: Vec<f64> = conv.iter().map(|&(_, d)| d).collect();
    let most = dram
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| runs[i].0);
    assert_eq!(most, Some(Dataflow::WeightStationary), "{dram:?}");
    let ws = &runs[1].1;
    for (l, layer) in ws.layers.iter().zip(net.layers()) {
        let weights = layer.shape.total_filter_size() as f64;
        assert_eq!(l.accesses.dram.fil, weights, "{}", l.name);
    }
    let (inputs, samples): (f64, f64) = ws
        .layers
        .iter()
        .zip(net.layers())
        .filter(|(l, _)| l.kind == LayerKind::Conv)
        .map(|(l, layer)| (l.accesses.dram.ifm, layer.shape.total_ifmap_size(16) as f64))
        .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
    assert!(
        inputs > 10.0 * samples,
        "inputs read {} times",
        inputs / samples
    );
    // Each layer's mapping names the dataflow that made it.
    for (dataflow, s) in &runs {
        assert!(s.layers.iter().all(|l| l.mapping.dataflow() == *dataflow));
    }
}

#[test]
fn every_isca16_dataflow_reads_each_alexnet_weight_once_at_batch_1() {
    // At batch 1 a weight has no reuse across passes, so the buffer level
    // gives it no loop reuse. No local reuse still reads it from the buffer
    // once per MAC: streamed past the buffer, each of those reads would
    // come from DRAM (33x row stationary's conv energy per op, as nnc once
    // chose). The buffer keeps it because that costs less
    // (docs/model/blocking.md#bypass-and-capacity-checks).
    let (net, options) = alexnet_layer_by_layer(1);
    let rs_hw = nnc::hw::load("isca16-rs").unwrap();
    let (rs, _) = per_op(
        &nnc::schedule(&net, &rs_hw, &options).unwrap(),
        LayerKind::Conv,
    );
    for (name, _) in PRESETS {
        let hw = nnc::hw::load(name).unwrap();
        let s = nnc::schedule(&net, &hw, &options).unwrap();
        for (l, layer) in s.layers.iter().zip(net.layers()) {
            assert_eq!(l.name, layer.name);
            let weights = layer.shape.total_filter_size() as f64;
            assert_eq!(l.accesses.dram.fil, weights, "{name}: {}", l.name);
        }
        let (e, _) = per_op(&s, LayerKind::Conv);
        assert!(e < 3.0 * rs, "{name}: {e} MAC per op, row stationary {rs}");
    }
}

/// Schedules `net` on every ISCA'16 preset and the three systolic
/// dataflows on `tpu-v1` with `options` (and `sets` applied to each),
/// checking the schedule against its bound.
fn every_dataflow(net: &Network, options: &Options, sets: &[&str], what: &str) {
    let sets: Vec<nnc::hw::Set> = sets.iter().map(|s| s.parse().unwrap()).collect();
    // The systolic dataflows on the TPU-like preset (docs/model/dataflows.md#systolic-arrays).
    let systolic = Dataflow::SYSTOLIC.map(|d| ("tpu-v1", d));
    for (name, dataflow) in PRESETS.into_iter().chain(systolic) {
        let mut sets = sets.clone();
        sets.push(format!("node.dataflow={dataflow}").parse().unwrap());
        let hw = nnc::hw::load_with(name, &sets).unwrap();
        let s = nnc::schedule(net, &hw, options)
            .unwrap_or_else(|e| panic!("{} on {name} ({what}): {e}", net.name()));
        let t = &s.totals;
        // Pipelined runs too: filters a segment keeps on chip are out of
        // the bound (docs/model/bound.md#filters-kept-on-chip).
        assert!(
            t.energy >= t.lower_bound.energy * (1.0 - 1e-9),
            "{} on {name} ({what}): energy {} below the bound {}",
            net.name(),
            t.energy,
            t.lower_bound.energy
        );
        assert!(s.layers.iter().all(|l| l.mapping.dataflow() == dataflow));
    }
}

#[test]
fn every_dataflow_schedules_every_shipped_network() {
    let mut paths: Vec<_> = std::fs::read_dir("nns")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "nn"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "{paths:?}");
    let exhaustive = Options::default();
    let analytic = Options::builder().solver(Solver::Analytic).build().unwrap();
    let pipelined = Options::builder()
        .pipeline(PipelineOptions {
            spatial: true,
            ..PipelineOptions::default()
        })
        .build()
        .unwrap();
    for path in &paths {
        let net = compile(path);
        every_dataflow(&net, &exhaustive, &[], "exhaustive");
        every_dataflow(&net, &analytic, &[], "analytic");
        every_dataflow(
            &net,
            &pipelined,
            &["nodes.dims=[2, 2]", "energy.noc_hop=10"],
            "--interlayer on 2x2 nodes",
        );
    }
}
