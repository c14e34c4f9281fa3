//! Parity with the single-layer schedules of `search_unit_vectors.json`
//! (partitions x mapping x blocking x NoC hops, end to end), buffer sharing
//! included.

use crate::model::support::{cost, dim, u};
use crate::partition::support::{frng, layer, scheme, vectors};
use nnc::internals::sched::Compat;
use nnc::internals::sched::machine::{Bandwidth, Machine, MemType, NodeResource};
use nnc::internals::sched::options::Options;
use nnc::internals::sched::partition::{DataLayout, HopCache, NodeRegion, Partitioning};
use nnc::internals::sched::search::cache::NodeCache;
use nnc::internals::sched::search::layer::LayerSearch;
use nnc::internals::sched::types::PerData;
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
    let node = NodeResource {
        sram: None,
        dim_array: dim(&i["dim_array"]),
        size_gbuf: u(&i["size_gbuf_words"]),
        size_regf: u(&i["size_regf_words"]),
        array_bus_width: None,
        dram_bandwidth: Bandwidth::Unlimited,
        no_time_mux: false,
        dataflow: Default::default(),
    };
    let machine = Machine::new(nodes, mem, node, cost(&i["cost"]));
    let dram = NodeRegion::dram(nodes, mem);
    let o = &i["options"];
    let by = &o["sw_gbuf_bypass"];
    let partitioning = Partitioning::from_flags(
        o["partition_hybrid"] == true,
        o["partition_batch"] == true,
        false,
    )
    .unwrap();
    let options = Options::builder()
        .batch(u(&i["batch"]))
        .partitioning(partitioning)
        .access_forwarding(o["hw_access_forwarding"] == true)
        .gbuf_sharing(o["hw_gbuf_sharing"] == true)
        .bypass(PerData([by[0] == true, by[1] == true, by[2] == true]))
        .top(u(&i["ntops"]) as usize)
        .compat(Compat::NnDataflow)
        .build()
        .unwrap();
    let il = &i["ifmap_layout"];
    let ifmap = DataLayout::single(
        frng(&il["frng"]),
        dram,
        scheme(&il["part"]).projection(&dram, true),
    )
    .unwrap();
    let cache = NodeCache::new();
    let search = LayerSearch::new(&machine, &options, &cache);
    let mut hops = HopCache::new(Compat::NnDataflow);
    let results = search
        .schedule(&layer(&i["layer"]), &ifmap, &mut hops)
        .unwrap();
    let r = &results[0];
    let at = |what: &str| format!("{id} {what}");
    super::support::check_layer_result(&at, r, &v["expected"]);
    let w = &v["expected"];
    if let Some(sub) = w.get("bufshr_subgrp_size") {
        let sharing = r.candidate.stats.sharing;
        let got = sharing.map_or([1; 3], |s| s.subgroup.0);
        assert_eq!(got, crate::model::support::u3(sub), "{}", at("subgroups"));
        let hops = sharing.map_or([0.0; 3], |s| s.node_nhops.0);
        for (d, want) in w["node_nhops"].as_array().unwrap().iter().enumerate() {
            crate::model::support::assert_close(&at("node hops"), hops[d], want.as_f64().unwrap());
        }
    }
}

#[test]
fn single_layer_schedules() {
    let all = vectors("layer_schedule");
    let mut checked = 0;
    for v in all {
        check(v);
        checked += 1;
    }
    assert_eq!(checked, 4);
}
