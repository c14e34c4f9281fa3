//! Parity with the single-layer schedules of `search_unit_vectors.json`
//! (partitions x mapping x blocking x NoC hops, end to end), except the one
//! with buffer sharing, which nnc does not model yet.

use crate::model::support::{cost, dim, u};
use crate::partition::support::{frng, layer, scheme, vectors};
use nnc::sched::Compat;
use nnc::sched::layer::{LayerSearch, Machine, NodeCache};
use nnc::sched::options::Options;
use nnc::sched::partition::{DataLayout, HopCache, MemType, Partitioning};
use nnc::sched::resource::{Bandwidth, NodeResource};
use nnc::sched::types::PerData;
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
        dim_array: dim(&i["dim_array"]),
        size_gbuf: u(&i["size_gbuf_words"]),
        size_regf: u(&i["size_regf_words"]),
        array_bus_width: None,
        dram_bandwidth: Bandwidth::Unlimited,
        no_time_mux: false,
    };
    let machine = Machine::new(nodes, mem, node, cost(&i["cost"]));
    let dram = machine.dram_region;
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
    let at = |what: &str| format!("{id} {what}");
    super::support::check_layer_result(&at, r, &v["expected"]);
}

#[test]
fn single_layer_schedules() {
    let all = vectors("layer_schedule");
    let mut checked = 0;
    for v in all {
        if v["input"]["options"]["hw_gbuf_sharing"] == true {
            continue; // buffer sharing: a later step (docs/model/buffer-sharing.md#buffer-sharing)
        }
        check(v);
        checked += 1;
    }
    assert_eq!(checked, 3);
}
