//! Building networks and machines from the reference's vector files.

use crate::model::support::{cost, dim, f, u};
use nnc::internals::sched::Compat;
use nnc::internals::sched::machine::{Bandwidth, Machine, MemType, NodeResource};
use nnc::internals::sched::options::{BlockingOptions, Goal, Options, Solver};
use nnc::internals::sched::partition::Partitioning;
use nnc::internals::sched::pipeline::{PipelineOptions, TimeOverhead};
use nnc::internals::sched::types::PerData;
use nnc::ir::{
    ConvShape, DataInput, Dim2, Layer, LayerKind, LayerShape, LocalShape, Network, NetworkBuilder,
    Span, View,
};
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
                    groups: 1,
                    dilation: Dim2::square(1),
                    filter_data: Default::default(),
                    shuffle: nnc::ir::Dim2::square(1),
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
        let inputs: Vec<View> = l["prevs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| b.source(p.as_str().unwrap()).unwrap().into())
            .collect();
        let name = l["name"].as_str().unwrap().to_owned();
        b.add_layer(Layer::api(&name, kind, shape, inputs)).unwrap();
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
    let node = NodeResource {
        sram: None,
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
        dataflow: Default::default(),
    };
    Machine::new(nodes, mem, node, cost(&resolved["cost"]))
}

/// The search options of a vector's `resolved` options.
pub(crate) fn options(o: &Value, batch: u64) -> Options {
    let by = &o["sw_gbuf_bypass"];
    let partitioning = Partitioning::from_flags(
        o["partition_hybrid"] == true,
        o["partition_batch"] == true,
        o["partition_ifmaps"] == true,
    )
    .unwrap();
    Options::builder()
        .batch(batch)
        .partitioning(partitioning)
        .access_forwarding(o["hw_access_forwarding"] == true)
        .gbuf_sharing(o["hw_gbuf_sharing"] == true)
        .blocking(BlockingOptions {
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
        })
        .pipeline(pipeline_options(o))
        .compat(Compat::NnDataflow)
        .build()
        .unwrap()
}

/// The pipelining options of a vector's `resolved` options.
pub(crate) fn pipeline_options(o: &Value) -> PipelineOptions {
    let finite = |v: &Value| Some(f(v)).filter(|x| x.is_finite());
    let spatial = o["partition_interlayer"] == true;
    let temporal = o["hw_gbuf_save_writeback"] == true;
    let on = spatial || temporal;
    PipelineOptions {
        spatial,
        temporal,
        basic: on && o["layer_pipeline_opt"] == false,
        max_degree: finite(&o["layer_pipeline_max_degree"])
            .filter(|_| on)
            .map(|x| x as u64),
        time_overhead: finite(&o["layer_pipeline_time_ovhd"])
            .filter(|_| on)
            .and_then(TimeOverhead::new),
    }
}

/// Checks one layer's result against the reference's scheme fields (the
/// common part of the `network_vectors.json` layers and the
/// `layer_schedule` vectors): partition, blocking, fetches, hops, accesses,
/// energy and time.
pub(crate) fn check_layer_result(
    at: &dyn Fn(&str) -> String,
    r: &nnc::internals::sched::search::layer::LayerResult,
    w: &Value,
) {
    use crate::model::support::{assert_close, assert_close_n, u3};
    let order: Vec<u64> = r.part.order().iter().map(|p| p.index() as u64).collect();
    let want: Vec<u64> = w["part"]["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(u)
        .collect();
    assert_eq!(order, want, "{}", at("partition order"));
    for p in nnc::internals::sched::partition::ParallelDim::ALL {
        assert_eq!(
            r.part.pdim(p),
            dim(&w["part"]["pdims"][p.index()]),
            "{}",
            at("pdims")
        );
    }
    let st = &r.candidate.stats;
    let b = &r.candidate.blocking;
    let tv = &w["tvals"];
    assert_eq!(
        b.factors.map(|x| x.0),
        [u3(&tv[0]), u3(&tv[1]), u3(&tv[2])],
        "{}",
        at("factors")
    );
    let ords = &w["orders"];
    let orders = b.orders.map(|x| x.0.map(u64::from));
    assert_eq!(orders, [u3(&ords[0]), u3(&ords[1])], "{}", at("orders"));
    let fetch = st.fetch.map(|x| x.0);
    assert_eq!(
        fetch,
        [u3(&w["fetch"][0]), u3(&w["fetch"][1])],
        "{}",
        at("fetch")
    );
    assert_eq!(r.unit_nhops.0, u3(&w["unit_nhops"]), "{}", at("unit hops"));
    assert_eq!(
        r.accfwd.0,
        u3(&w["accfwd_reduction"]),
        "{}",
        at("forwarding")
    );
    let floats = |v: &Value| -> Vec<f64> {
        match v {
            Value::Array(a) => a
                .iter()
                .flat_map(|x| match x {
                    Value::Array(row) => row.iter().map(f).collect::<Vec<_>>(),
                    x => vec![f(x)],
                })
                .collect(),
            x => vec![f(x)],
        }
    };
    let access: Vec<f64> = st.access.0.iter().flat_map(|d| d.0).collect();
    assert_close_n(&at("access"), &access, &floats(&w["access"]));
    assert_close_n(
        &at("total_nhops"),
        &r.total_nhops.0,
        &floats(&w["total_nhops"]),
    );
    assert_close(&at("cost_op"), r.cost.op, f(&w["cost_op"]));
    assert_close(&at("cost_access"), r.cost.access, f(&w["cost_access"]));
    assert_close(&at("cost_noc"), r.cost.noc, f(&w["cost_noc"]));
    assert_close(&at("cost_static"), r.cost.static_, f(&w["cost_static"]));
    assert_close(&at("cost"), r.cost.total, f(&w["cost"]));
    let times = [r.time, st.proc_time, st.bus_time, st.dram_time];
    let want = [
        u(&w["time"]),
        u(&w["proc_time"]),
        u(&w["bus_time"]),
        u(&w["dram_time"]),
    ];
    assert_eq!(times, want, "{}", at("times"));
}

static NETWORK_VECTORS: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/network_vectors.json")).expect("vectors parse")
});

/// The whole-network vector `id` of `tests/data/network_vectors.json`: the
/// vector, its network, the machine and the options its command line
/// resolved to.
pub(crate) fn network_vector(id: &str) -> (&'static Value, Network, Machine, Options) {
    let v = NETWORK_VECTORS["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap();
    let net = network(&NETWORK_VECTORS["networks"][v["network"].as_str().unwrap()]);
    let args: Vec<&str> = v["cli_args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let batch = args
        .iter()
        .position(|a| *a == "--batch")
        .map(|i| args[i + 1].parse().unwrap())
        .unwrap();
    let m = machine(&v["resolved"]);
    let o = options(&v["resolved"]["options"], batch);
    (v, net, m, o)
}
