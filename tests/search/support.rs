//! Building networks and machines from the reference's vector files.

use crate::model::support::{dim, f, u};
use nnc::ir::{
    ConvShape, DataInput, Dim2, Layer, LayerKind, LayerShape, LocalShape, Network, NetworkBuilder,
    Source, Span,
};
use nnc::sched::Compat;
use nnc::sched::layer::{Machine, SearchOptions};
use nnc::sched::partition::{FilterSources, MemType, NodeRegion, PartitionOptions};
use nnc::sched::resource::{Bandwidth, BlockingOptions, Cost, Goal, NodeResource, Solver};
use nnc::sched::types::{PerData, PerLevel};
use serde_json::Value;

/// A network of `network_vectors.json`'s `networks` table.
pub(crate) fn network(v: &Value) -> Network {
    let input = &v["input"];
    let data = |name: &str, x: &Value| DataInput {
        name: name.into(),
        channels: u(&x["nofm"]),
        size: dim(&x["sofm"]),
        span: Span::Api,
    };
    let mut b = NetworkBuilder::new(v["name"].as_str().unwrap(), data("__INPUT__", input)).unwrap();
    for e in v["ext"].as_array().unwrap() {
        b.add_extern(data(e["name"].as_str().unwrap(), e)).unwrap();
    }
    for l in v["layers"].as_array().unwrap() {
        let (kind, shape) = match l["type"].as_str().unwrap() {
            "Conv" => (
                LayerKind::Conv,
                LayerShape::Conv(ConvShape {
                    nifm: u(&l["nifm"]),
                    nofm: u(&l["nofm"]),
                    ofmap: dim(&l["sofm"]),
                    filter: dim(&l["sfil"]),
                    stride: dim(&l["strd"]),
                }),
            ),
            "Pooling" => (
                LayerKind::Pool,
                LayerShape::Local(LocalShape::pool(
                    u(&l["nofm"]),
                    dim(&l["sofm"]),
                    dim(&l["sreg"]),
                    dim(&l["strd"]),
                )),
            ),
            "Eltwise" => (
                LayerKind::Eltwise,
                LayerShape::Local(LocalShape::eltwise(
                    u(&l["nofm"]),
                    dim(&l["sofm"]),
                    u(&l["nreg"]),
                )),
            ),
            other => panic!("layer type {other}"),
        };
        let inputs: Vec<Source> = l["prevs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| b.source(p.as_str().unwrap()).unwrap())
            .collect();
        let name = l["name"].as_str().unwrap().to_owned();
        b.add_layer(Layer {
            name,
            kind,
            shape,
            inputs,
            span: Span::Api,
        })
        .unwrap();
    }
    b.finish()
}

fn bandwidth(v: &Value) -> Bandwidth {
    let x = f(v);
    if x.is_infinite() {
        Bandwidth::Unlimited
    } else {
        Bandwidth::Words(x)
    }
}

/// The machine of a vector's `resolved` resource and cost.
pub(crate) fn machine(resolved: &Value) -> Machine {
    let r = &resolved["resource"];
    let nodes = dim(&r["proc_region"]["dim"]);
    let dram = &r["dram_region"];
    let mem = if dim(&dram["dim"]) == nodes && dim(&dram["dist"]) == Dim2::square(1) {
        MemType::ThreeD
    } else {
        MemType::TwoD
    };
    let bus = f(&r["array_bus_width"]);
    let c = &resolved["cost"];
    let h = &c["mem_hier"];
    let dram_region = NodeRegion::dram(nodes, mem);
    Machine {
        node: NodeResource {
            dim_array: dim(&r["dim_array"]),
            size_gbuf: u(&r["size_gbuf"]),
            size_regf: u(&r["size_regf"]),
            array_bus_width: if bus.is_infinite() {
                None
            } else {
                Some(bus as u64)
            },
            dram_bandwidth: bandwidth(&r["dram_bandwidth"]),
            no_time_mux: false,
        },
        cost: Cost {
            mac_op: f(&c["mac_op"]),
            mem_hier: PerLevel([f(&h[0]), f(&h[1]), f(&h[2]), f(&h[3])]),
            noc_hop: f(&c["noc_hop"]),
            idl_unit: f(&c["idl_unit"]),
        },
        proc_region: NodeRegion::proc(nodes),
        dram_region,
        fil_sources: FilterSources::from_region(&dram_region),
    }
}

/// The search options of a vector's `resolved` options.
pub(crate) fn options(o: &Value, batch: u64) -> SearchOptions {
    let by = &o["sw_gbuf_bypass"];
    SearchOptions {
        batch,
        partition: PartitionOptions {
            hybrid: o["partition_hybrid"] == true,
            batch: o["partition_batch"] == true,
            ifmaps: o["partition_ifmaps"] == true,
        },
        forwarding: o["hw_access_forwarding"] == true,
        blocking: BlockingOptions {
            bypass: PerData([by[0] == true, by[1] == true, by[2] == true]),
            solver: if o["sw_solve_loopblocking"] == true {
                Solver::Analytic
            } else {
                Solver::Exhaustive
            },
            goal: match o["opt_goal"].as_str() {
                Some("d") => Goal::D,
                Some("ed") => Goal::Ed,
                _ => Goal::E,
            },
            ntops: o.get("ntops").and_then(Value::as_u64).unwrap_or(1) as usize,
        },
        compat: Compat::NnDataflow,
    }
}
