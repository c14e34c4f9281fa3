//! Systolic arrays in nnc's own model (docs/model/dataflows.md#systolic-arrays):
//! on every layer of every shipped network, nnc's schedule is never dearer
//! than SCALE-Sim's fixed mapping priced in nnc's model
//! (`scalesim_mapping_cost`, docs/model/dataflows.md#scale-sims-mapping-priced-in-nncs-model),
//! on the TPU-like preset and on one small array of each systolic dataflow;
//! and the search serves several arrays, pipelining and both solvers.

use nnc::internals::sched::dataflow::scalesim_mapping_cost;
use nnc::ir::Network;
use nnc::{Dataflow, Options, PipelineOptions};

fn shipped() -> Vec<(String, Network)> {
    let mut paths: Vec<_> = std::fs::read_dir("nns")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "nn"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20, "{paths:?}");
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let net = nnc::lang::compile(&text)
                .unwrap_or_else(|e| panic!("{}: {e:?}", p.display()))
                .0;
            (p.display().to_string(), net)
        })
        .collect()
}

/// The TPU-like preset, and a 16x12 array of each systolic dataflow with
/// small per-operand SRAMs (so that some layers spill and refetch).
fn configs() -> Vec<(String, nnc::hw::Hardware)> {
    let mut out = vec![("tpu-v1".to_owned(), nnc::hw::load("tpu-v1").unwrap())];
    for dataflow in Dataflow::SYSTOLIC {
        let sets: Vec<nnc::hw::Set> = [
            format!("node.dataflow={dataflow}"),
            "node.pe_array=16x12".to_owned(),
            "node.sram.ifmap_bytes=64 KiB".to_owned(),
            "node.sram.filter_bytes=16 KiB".to_owned(),
            "node.sram.ofmap_bytes=32 KiB".to_owned(),
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let hw = nnc::hw::load_with("tpu-v1", &sets).unwrap();
        out.push((format!("{dataflow} 16x12"), hw));
    }
    out
}

#[test]
fn nncs_schedule_is_never_dearer_than_scalesims_mapping() {
    let options = Options::default();
    let mut compared = 0;
    for (hw_name, hw) in configs() {
        let machine = hw.machine();
        for (path, net) in shipped() {
            let s = nnc::schedule(&net, &hw, &options)
                .unwrap_or_else(|e| panic!("{path} on {hw_name}: {e}"));
            for l in &s.layers {
                let id = net.find(&l.name).unwrap();
                let shape = net.layer(id).shape;
                // Pooling and element-wise layers have no SCALE-Sim mapping.
                let Some(fixed) = scalesim_mapping_cost(&shape, 1, &machine) else {
                    assert!(!shape.is_conv(), "{path} {} on {hw_name}", l.name);
                    continue;
                };
                compared += 1;
                assert!(
                    l.energy <= fixed.energy * (1.0 + 1e-9),
                    "{path} {} on {hw_name}: nnc {} > SCALE-Sim's mapping {}",
                    l.name,
                    l.energy,
                    fixed.energy
                );
            }
        }
    }
    assert!(compared > 4 * 1000, "{compared} layers compared");
}

#[test]
fn several_arrays_pipeline_every_network() {
    // hw/examples/tpu-2x2.toml: four 128x128 arrays; the partition search
    // spreads each layer over them, --interlayer pipelines layers across
    // them. (tests/model/dataflows.rs runs each systolic dataflow on every
    // network with both solvers and on 2x2 nodes.)
    let hw = nnc::hw::load("hw/examples/tpu-2x2.toml").unwrap();
    let pipelined = Options::builder()
        .pipeline(PipelineOptions {
            spatial: true,
            ..PipelineOptions::default()
        })
        .build()
        .unwrap();
    for (path, net) in shipped() {
        let alone = nnc::schedule(&net, &hw, &Options::default())
            .unwrap_or_else(|e| panic!("{path} on tpu-2x2: {e}"));
        let s = nnc::schedule(&net, &hw, &pipelined)
            .unwrap_or_else(|e| panic!("{path} on tpu-2x2 (--interlayer): {e}"));
        for s in [&alone, &s] {
            assert!(
                s.layers
                    .iter()
                    .all(|l| l.mapping.dataflow() == Dataflow::SystolicWs)
            );
        }
        // Layer by layer, some use more than one array.
        assert!(
            alone.layers.iter().any(|l| l.partition.nodes > 1),
            "{path}: every layer on one array"
        );
    }
}
