//! Parity with the single-layer schedules of `search_unit_vectors.json`
//! (partitions x mapping x blocking x NoC hops, end to end), except the one
//! with buffer sharing, which nnc does not model yet.

use crate::model::support::{assert_close, assert_close_n, dim, f, u, u3};
use crate::partition::support::{frng, layer, scheme, vectors};
use nnc::sched::Compat;
use nnc::sched::layer::{LayerSearch, Machine, NodeCache, SearchOptions};
use nnc::sched::partition::{
    DataLayout, FilterSources, HopCache, MemType, NodeRegion, ParallelDim, PartitionOptions,
};
use nnc::sched::resource::{Bandwidth, BlockingOptions, Cost, NodeResource};
use nnc::sched::types::{PerData, PerLevel};
use serde_json::Value;

fn check(v: &Value) {
    let id = v["id"].as_str().unwrap();
    let i = &v["input"];
    let nodes = dim(&i["nodes"]);
    let mem = if i["mem_type"] == "3D" {
        MemType::ThreeD
    } else {
        MemType::TwoD
    };
    let dram = NodeRegion::dram(nodes, mem);
    let c = &i["cost"];
    let h = &c["mem_hier"];
    let machine = Machine {
        node: NodeResource {
            dim_array: dim(&i["dim_array"]),
            size_gbuf: u(&i["size_gbuf_words"]),
            size_regf: u(&i["size_regf_words"]),
            array_bus_width: None,
            dram_bandwidth: Bandwidth::Unlimited,
            no_time_mux: false,
        },
        cost: Cost {
            mac_op: f(&c["mac_op"]),
            mem_hier: PerLevel([f(&h[0]), f(&h[1]), f(&h[2]), f(&h[3])]),
            noc_hop: f(&c["noc_hop"]),
            idl_unit: f(&c["idl_unit"]),
        },
        proc_region: NodeRegion::proc(nodes),
        dram_region: dram,
        fil_sources: FilterSources::from_region(&dram),
    };
    let o = &i["options"];
    let by = &o["sw_gbuf_bypass"];
    let options = SearchOptions {
        batch: u(&i["batch"]),
        partition: PartitionOptions {
            hybrid: o["partition_hybrid"] == true,
            batch: o["partition_batch"] == true,
            ifmaps: false,
        },
        forwarding: o["hw_access_forwarding"] == true,
        blocking: BlockingOptions {
            bypass: PerData([by[0] == true, by[1] == true, by[2] == true]),
            ntops: u(&i["ntops"]) as usize,
            ..BlockingOptions::default()
        },
        compat: Compat::NnDataflow,
    };
    let il = &i["ifmap_layout"];
    let ifmap = DataLayout::single(
        frng(&il["frng"]),
        dram,
        scheme(&il["part"]).projection(&dram, true),
    )
    .unwrap();
    let cache = NodeCache::new();
    let search = LayerSearch {
        machine: &machine,
        options: &options,
        cache: &cache,
    };
    let mut hops = HopCache::new(Compat::NnDataflow);
    let results = search
        .schedule(&layer(&i["layer"]), &ifmap, &mut hops)
        .unwrap();
    let r = &results[0];
    let w = &v["expected"];
    let at = |what: &str| format!("{id} {what}");
    let order: Vec<u64> = r.part.order().iter().map(|p| p.index() as u64).collect();
    let want: Vec<u64> = w["part"]["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(u)
        .collect();
    assert_eq!(order, want, "{}", at("partition order"));
    for p in ParallelDim::ALL {
        let d = r.part.pdim(p);
        assert_eq!(d, dim(&w["part"]["pdims"][p.index()]), "{}", at("pdims"));
    }
    let st = &r.candidate.stats;
    let tv = &w["tvals"];
    assert_eq!(
        r.candidate.blocking.factors.map(|x| x.0),
        [u3(&tv[0]), u3(&tv[1]), u3(&tv[2])],
        "{}",
        at("factors")
    );
    assert_eq!(r.unit_nhops.0, u3(&w["unit_nhops"]), "{}", at("unit hops"));
    assert_eq!(
        r.accfwd.0,
        u3(&w["accfwd_reduction"]),
        "{}",
        at("forwarding")
    );
    let access: Vec<f64> = st.access.0.iter().flat_map(|d| d.0).collect();
    let want: Vec<f64> = w["access"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(f))
        .collect();
    assert_close_n(&at("access"), &access, &want);
    assert_close_n(
        &at("total_nhops"),
        &r.total_nhops.0,
        &w["total_nhops"]
            .as_array()
            .unwrap()
            .iter()
            .map(f)
            .collect::<Vec<_>>(),
    );
    assert_close(&at("cost_noc"), r.cost.noc, f(&w["cost_noc"]));
    assert_close(&at("cost"), r.cost.total, f(&w["cost"]));
    assert_eq!(r.time, u(&w["time"]), "{}", at("time"));
}

#[test]
fn single_layer_schedules() {
    let all = vectors("layer_schedule");
    let mut checked = 0;
    for v in all {
        if v["input"]["options"]["hw_gbuf_sharing"] == true {
            continue; // buffer sharing: a later step (search-model §7.3)
        }
        check(v);
        checked += 1;
    }
    assert_eq!(checked, 3);
}
