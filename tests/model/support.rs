//! Reading the reference's vector files into nnc's types.

use nnc::internals::sched::machine::{Bandwidth, Cost, NodeResource};
use nnc::internals::sched::options::{BlockingOptions, Goal, Solver};
use nnc::internals::sched::types::{PerData, PerLevel};
use nnc::ir::{ConvShape, Dim2, LayerShape, LocalShape};
use serde_json::Value;

pub(crate) fn u(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("not an unsigned integer: {v}"))
}

pub(crate) fn f(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "inf" => f64::INFINITY,
        _ => v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")),
    }
}

pub(crate) fn dim(v: &Value) -> Dim2 {
    match v {
        Value::Array(a) => Dim2::new(u(&a[0]), u(&a[1])),
        _ => Dim2::square(u(v)),
    }
}

pub(crate) fn u3(v: &Value) -> [u64; 3] {
    [u(&v[0]), u(&v[1]), u(&v[2])]
}

pub(crate) fn f3(v: &Value) -> [f64; 3] {
    [f(&v[0]), f(&v[1]), f(&v[2])]
}

/// A layer as the vector describes it (before any per-node rebuilding).
pub(crate) fn layer(v: &Value) -> LayerShape {
    let ty = v["type"].as_str().unwrap_or_default().to_ascii_lowercase();
    match ty.as_str() {
        "conv" => LayerShape::Conv(ConvShape {
            nifm: u(&v["nifm"]),
            nofm: u(&v["nofm"]),
            ofmap: dim(&v["sofm"]),
            filter: dim(&v["sfil"]),
            stride: dim(&v["strd"]),
            groups: 1,
            dilation: Dim2::square(1),
            filter_data: Default::default(),
            shuffle: nnc::ir::Dim2::square(1),
        }),
        "fc" => LayerShape::Conv(ConvShape::fc(u(&v["nifm"]), u(&v["nofm"]), dim(&v["sfil"]))),
        "pool" | "pooling" => LayerShape::Local(LocalShape::pool(
            u(&v["nofm"]),
            dim(&v["sofm"]),
            dim(&v["sreg"]),
            dim(&v["strd"]),
        )),
        "local_region" => LayerShape::Local(LocalShape {
            nofm: u(&v["nofm"]),
            ofmap: dim(&v["sofm"]),
            nreg: u(&v["nreg"]),
            region: dim(&v["sreg"]),
            stride: dim(&v["strd"]),
            ntrd: u(&v["ntrd"]),
        }),
        "eltwise" => LayerShape::Local(LocalShape::eltwise(
            u(&v["nofm"]),
            dim(&v["sofm"]),
            u(&v["nreg"]),
        )),
        other => panic!("unknown layer type {other}"),
    }
}

/// The layer the reference's scheduler actually maps on one node: local regions
/// are rebuilt without their channel stride
/// (docs/model/partitioning.md#per-node-sub-layers).
pub(crate) fn reference_node_layer(v: &Value) -> LayerShape {
    match layer(v) {
        LayerShape::Local(l) => LayerShape::Local(LocalShape { ntrd: 1, ..l }),
        conv => conv,
    }
}

pub(crate) fn resource(v: &Value) -> NodeResource {
    NodeResource {
        sram: None,
        dim_array: dim(&v["dim_array"]),
        size_gbuf: u(&v["size_gbuf"]),
        size_regf: u(&v["size_regf"]),
        array_bus_width: v["array_bus_width"].as_u64(),
        dram_bandwidth: match v["dram_bandwidth"].as_f64() {
            Some(bw) => Bandwidth::Words(bw),
            None => Bandwidth::Unlimited,
        },
        no_time_mux: false,
        dataflow: Default::default(),
    }
}

pub(crate) fn cost(v: &Value) -> Cost {
    let m = f3(&v["mem_hier"]);
    Cost::new(
        f(&v["mac_op"]),
        PerLevel([m[0], m[1], m[2], f(&v["mem_hier"][3])]),
        f(&v["noc_hop"]),
        f(&v["idl_unit"]),
    )
}

pub(crate) fn options(v: &Value) -> BlockingOptions {
    let b = &v["sw_gbuf_bypass"];
    BlockingOptions {
        bypass: PerData([b[0] == true, b[1] == true, b[2] == true]),
        solver: if v["sw_solve_loopblocking"] == true {
            Solver::Analytic
        } else {
            Solver::Exhaustive
        },
        goal: match v["opt_goal"].as_str() {
            Some("d") => Goal::D,
            Some("ed") => Goal::Ed,
            _ => Goal::E,
        },
        ntops: u(&v["ntops"]) as usize,
    }
}

/// Asserts two reals are equal bit for bit: the reference-compatible model
/// reproduces the reference exactly, which is stronger than the 1e-9 bar.
#[track_caller]
pub(crate) fn assert_close(what: &str, got: f64, want: f64) {
    let ok = got == want || (got.is_nan() && want.is_nan());
    assert!(ok, "{what}: got {got:?}, want {want:?}");
}

#[track_caller]
pub(crate) fn assert_close_n(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_close(&format!("{what}[{i}]"), *g, *w);
    }
}
