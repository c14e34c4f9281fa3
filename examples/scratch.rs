use nnc::ir::*;
use nnc::sched::Compat;
use nnc::sched::layer::{Machine, SearchOptions};
use nnc::sched::partition::{FilterSources, NodeRegion, PartitionOptions};
use nnc::sched::resource::*;
use nnc::sched::types::*;
use serde_json::Value;

fn d2(v: &Value) -> Dim2 {
    Dim2::new(v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

pub fn load(path: &str) -> Network {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let inp = &v["input"];
    let mut b = NetworkBuilder::new(
        v["network"].as_str().unwrap(),
        DataInput {
            name: "__input__".into(),
            channels: inp["nofm"].as_u64().unwrap(),
            size: d2(&inp["ofmap"]),
            span: Span::Api,
        },
    )
    .unwrap();
    for e in v["externs"].as_array().unwrap() {
        b.add_extern(DataInput {
            name: e["name"].as_str().unwrap().into(),
            channels: e["nofm"].as_u64().unwrap(),
            size: d2(&e["ofmap"]),
            span: Span::Api,
        })
        .unwrap();
    }
    for l in v["layers"].as_array().unwrap() {
        let u = |k: &str| l[k].as_u64().unwrap();
        let (kind, shape) = match l["kind"].as_str().unwrap() {
            "conv" => (
                LayerKind::Conv,
                LayerShape::Conv(ConvShape {
                    nifm: u("nifm"),
                    nofm: u("nofm"),
                    ofmap: d2(&l["ofmap"]),
                    filter: d2(&l["kernel"]),
                    stride: d2(&l["stride"]),
                }),
            ),
            "fc" => (
                LayerKind::Fc,
                LayerShape::Conv(ConvShape::fc(u("nifm"), u("nofm"), d2(&l["kernel"]))),
            ),
            "pool" => (
                LayerKind::Pool,
                LayerShape::Local(LocalShape::pool(
                    u("nofm"),
                    d2(&l["ofmap"]),
                    d2(&l["region"]),
                    d2(&l["stride"]),
                )),
            ),
            "eltwise" => (
                LayerKind::Eltwise,
                LayerShape::Local(LocalShape::eltwise(u("nofm"), d2(&l["ofmap"]), u("nreg"))),
            ),
            k => panic!("{k}"),
        };
        let inputs = l["prevs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| b.source(p.as_str().unwrap()).unwrap())
            .collect();
        b.add_layer(Layer {
            name: l["name"].as_str().unwrap().into(),
            kind,
            shape,
            inputs,
            span: Span::Api,
        })
        .unwrap();
    }
    b.finish()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let net = load(&args[1]);
    let hw = nnc::hw::load(&args[2]).unwrap();
    let batch: u64 = args[3].parse().unwrap();
    let flags = &args[4..];
    let has = |f: &str| flags.iter().any(|x| x == f);
    let nodes = hw.nodes;
    let dram = NodeRegion::dram(nodes, hw.memory);
    let machine = Machine {
        node: hw.node_resource(),
        cost: hw.cost(),
        proc_region: NodeRegion::proc(nodes),
        dram_region: dram,
        fil_sources: FilterSources::from_region(&dram),
    };
    let opts = SearchOptions {
        batch,
        partition: PartitionOptions {
            hybrid: has("hybrid"),
            batch: has("batchp"),
            ifmaps: has("ifmaps"),
        },
        forwarding: false,
        blocking: BlockingOptions {
            bypass: if has("nobypass") {
                PerData::splat(false)
            } else {
                PerData::splat(true)
            },
            solver: if has("analytic") {
                Solver::Analytic
            } else {
                Solver::Exhaustive
            },
            goal: Goal::E,
            ntops: 1,
        },
        compat: if has("nnc") {
            Compat::Nnc
        } else {
            Compat::NnDataflow
        },
    };
    let t0 = std::time::Instant::now();
    let s = nnc::sched::network::search(&net, &machine, &opts, &|_, _| {}).unwrap();
    let el = t0.elapsed();
    let s = &s[0];
    for (id, r) in s.in_order() {
        let st = &r.candidate.stats;
        let c = &machine.cost;
        let dram: f64 =
            st.access[MemLevel::Dram].0.iter().sum::<f64>() * c.mem_hier[MemLevel::Dram];
        let rf: f64 = st.access[MemLevel::Regf].0.iter().sum::<f64>() * c.mem_hier[MemLevel::Regf];
        println!(
            "{:10} ops {:.4e} alu {:.3} dram {:.3} rf {:.3} time {} cost {:.6e} util {:.3} onchip/time {:.1}",
            net.layer(id).name,
            st.ops,
            r.cost.op / 1e9,
            dram / 1e9,
            rf / 1e9,
            r.time,
            r.cost.total,
            r.candidate.mapping.util,
            (r.cost.total - dram) / r.time as f64
        );
    }
    let t = s.totals();
    println!(
        "total cost {} time {} ops {} elapsed {:?}",
        t.cost, t.time, t.ops, el
    );
    let f = nnc::schedule::build(&net, &hw, &opts, s);
    print!("{}", nnc::report::summary(&f));
    if has("json") {
        println!("{}", serde_json::to_string_pretty(&f).unwrap());
    }
}
