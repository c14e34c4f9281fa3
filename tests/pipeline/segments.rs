//! The `segments` vectors of `search_unit_vectors.json` (SG-45..48): the
//! scheduling DAG, its vertex runs, the valid segments in order with their
//! allocation, constraint symbols and first constraints
//! (docs/model/pipelining.md, from "The scheduling DAG" to "Scheduling constraints").

use crate::search::support::network;
use nnc::internals::sched::partition::{NodeRegion, RegionKind};
use nnc::internals::sched::pipeline::dag::Dag;
use nnc::internals::sched::pipeline::generate::{PipelineSegment, gen_segments};
use nnc::internals::sched::pipeline::segment::{PipelineOptions, SegmentContext};
use nnc::internals::sched::pipeline::{DataRegion, LayerConstraint};
use nnc::internals::sched::search::order::vertex_order;
use nnc::ir::Network;
use serde_json::{Value, json};

fn vector(id: &str) -> Value {
    let text = include_str!("../data/search_unit_vectors.json");
    let all: Value = serde_json::from_str(text).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap()
        .clone()
}

fn networks() -> Value {
    serde_json::from_str(include_str!("../data/network_vectors.json")).unwrap()
}

fn names(net: &Network, ids: &[nnc::ir::LayerId]) -> Value {
    json!(
        ids.iter()
            .map(|&l| net.layer(l).name.clone())
            .collect::<Vec<_>>()
    )
}

fn region_json(r: &NodeRegion) -> Value {
    json!({
        "dim": [r.dim().h, r.dim().w],
        "origin": [r.origin().h, r.origin().w],
        "dist": [r.dist().h, r.dist().w],
        "type": if r.kind() == RegionKind::Proc { "PROC" } else { "DRAM" },
        "wtot": r.wtot(),
        "wbeg": r.wbeg(),
    })
}

fn data_region(r: DataRegion) -> Value {
    match r {
        DataRegion::Dram => json!("DRAM"),
        DataRegion::Sub(g) => json!(format!("PROC_SUB_{g}")),
    }
}

fn constraint_json(net: &Network, c: &LayerConstraint) -> Value {
    let lazy: Vec<String> = c
        .lazy_topofm
        .iter()
        .map(|&l| net.layer(l).name.clone())
        .collect();
    json!({"topbat": c.topbat, "topifm": c.topifm, "topofm": c.topofm, "lazy_topofm_from": lazy})
}

/// The segment as the vector writes it.
fn segment_json(net: &Network, s: &PipelineSegment) -> Value {
    let seg: Vec<Value> = s.segment.groups.iter().map(|g| names(net, g)).collect();
    let allocation: Vec<Value> = s
        .alloc
        .places
        .iter()
        .map(|g| {
            g.iter()
                .map(|p| {
                    json!({
                        "proc_region": region_json(&s.alloc.regions[p.group]),
                        "src": data_region(p.src),
                        "dst": data_region(p.dst),
                        "no_time_mux": s.alloc.no_time_mux,
                    })
                })
                .collect::<Vec<_>>()
        })
        .map(Value::from)
        .collect();
    let mut symvals = serde_json::Map::new();
    let syms = s.constraints.symbol_values();
    if syms.is_empty() {
        symvals.insert("_dummy".into(), json!([null]));
    }
    for (name, d) in syms {
        symvals.insert(name, json!(d));
    }
    let combos = s.constraints.combinations(None);
    let first: Vec<Value> = combos
        .iter()
        .take(4)
        .map(|c| {
            json!({
                "hints": c.hints,
                "constraints": c.constraints.iter().map(|g| {
                    g.iter().map(|c| constraint_json(net, c)).collect::<Vec<_>>()
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "seg": seg,
        "allocation": allocation,
        "symvals": Value::Object(symvals),
        "num_sp_fbs": s.constraints.num_sp_fbs,
        "num_constraints": combos.len(),
        "first_constraints": first,
    })
}

fn check(id: &str) {
    let v = vector(id);
    let input = &v["input"];
    let nets = networks();
    let net = network(&nets["networks"][input["network"].as_str().unwrap()]);
    let o = &input["options"];
    let options = PipelineOptions {
        spatial: o["partition_interlayer"] == true,
        temporal: o["hw_gbuf_save_writeback"] == true,
        basic: o["layer_pipeline_opt"] == false,
        max_degree: None,
        time_overhead: None,
    };
    let n = &input["nodes"];
    let nodes = nnc::ir::Dim2::new(n[0].as_u64().unwrap(), n[1].as_u64().unwrap());
    let cx = SegmentContext {
        net: &net,
        proc_region: NodeRegion::proc(nodes),
        size_gbuf: input["size_gbuf_words"].as_u64().unwrap(),
        batch: input["batch"].as_u64().unwrap(),
        options,
    };
    let e = &v["expected"];
    let dag = Dag::new(&net, vertex_order(&net));
    let vertices: Vec<Value> = dag.vertices.iter().map(|g| names(&net, g)).collect();
    assert_eq!(json!(vertices), e["dag_vertices"], "{id} vertices");
    let order: Vec<_> = dag.vertices.iter().flatten().copied().collect();
    assert_eq!(names(&net, &order), e["ordered_layers"], "{id} order");
    assert_eq!(json!(dag.runs()), e["vsegs"], "{id} runs");
    let mut got: Vec<Value> = gen_segments(&cx, &dag)
        .iter()
        .map(|s| segment_json(&net, s))
        .collect();
    let want = e["valid_segments_in_order"].as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{id}: number of valid segments");
    // The spatial and temporal candidates of one vertex run may come in
    // either order in the reference (docs/compat.md#hash_set_ties); nnc puts the
    // spatial one first.
    let layers = |v: &Value| {
        let mut l: Vec<String> = v["seg"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g.as_array().unwrap().iter().map(|x| x.to_string()))
            .collect();
        l.sort();
        l
    };
    for i in 0..want.len() {
        if got[i] != want[i] && i + 1 < want.len() && layers(&want[i]) == layers(&want[i + 1]) {
            assert!(
                got[i]["seg"].as_array().unwrap().len() > 1,
                "{id}: the spatial candidate comes first"
            );
            got.swap(i, i + 1);
        }
        assert_eq!(got[i], want[i], "{id}: segment {}", want[i]["seg"]);
    }
}

#[test]
fn sg45_tnet_a_spatial_and_temporal() {
    check("SG-45");
}

#[test]
fn sg46_tnet_c_spatial_and_temporal() {
    check("SG-46");
}

#[test]
fn sg47_tnet_c_basic_spatial() {
    check("SG-47");
}

#[test]
fn sg48_tnet_b_shared_memory_source() {
    check("SG-48");
}
