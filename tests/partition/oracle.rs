//! Random cases answered by the reference (see `data/README.md`).

use super::support::{frng, layer, region, scheme, scheme_json, target, u};
use nnc::internals::sched::Compat;
use nnc::internals::sched::partition::{
    DataLayout, FilterSources, HopQuery, LayoutPiece, Partitioning, gen_partition, unit_nhops,
};
use serde_json::Value;

fn cases() -> Value {
    let path = std::env::var("NNC_ORACLE_CASES").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/partition/data/oracle_cases.json"
        )
        .to_owned()
    });
    let text = std::fs::read_to_string(&path).expect("read oracle cases");
    serde_json::from_str(&text).expect("parse oracle cases")
}

fn layout(v: &Value) -> DataLayout {
    let pieces = v
        .as_array()
        .expect("pieces")
        .iter()
        .map(|p| LayoutPiece {
            frng: frng(&p["frng"]),
            region: region(&p["region"]),
            part: scheme(&p["part"]),
            cut: [0, 0],
        })
        .collect();
    DataLayout::new(pieces).expect("valid layout")
}

#[test]
fn oracle_gen_partition() {
    let all = cases();
    let cs = all["gen_partition"].as_array().expect("cases");
    assert!(!cs.is_empty());
    for (k, c) in cs.iter().enumerate() {
        let flag = |f: &str| c["options"][f].as_bool().unwrap_or(false);
        let opts = Partitioning::from_flags(
            flag("partition_hybrid"),
            flag("partition_batch"),
            flag("partition_ifmaps"),
        )
        .unwrap();
        let got = gen_partition(
            &target(&c["layer"]),
            u(&c["batch"]),
            super::support::dim(&c["dim_nodes"]),
            opts,
            true,
        );
        let got: Vec<Value> = got.iter().map(scheme_json).collect();
        assert_eq!(
            &got,
            c["schemes"].as_array().expect("schemes"),
            "case {k}: {c}"
        );
    }
}

#[test]
fn oracle_unit_nhops() {
    let all = cases();
    let cs = all["unit_nhops"].as_array().expect("cases");
    assert!(!cs.is_empty());
    for (k, c) in cs.iter().enumerate() {
        let dram = region(&c["dram_region"]);
        let sources = FilterSources::from_region(&dram);
        let (ifmap, ofmap) = (layout(&c["ifmap_layout"]), layout(&c["ofmap_layout"]));
        let q = HopQuery {
            layer: layer(&c["layer"]),
            batch: u(&c["batch"]),
            proc_region: region(&c["proc_region"]),
            part: scheme(&c["part"]),
            fil_sources: &sources,
            ifmap_layout: &ifmap,
            ofmap_layout: &ofmap,
            forwarding: c["forwarding"].as_bool().expect("forwarding"),
        };
        let want: Vec<u64> = c["unit_nhops"]
            .as_array()
            .expect("hops")
            .iter()
            .map(u)
            .collect();
        assert_eq!(
            unit_nhops(&q, Compat::NnDataflow).0.to_vec(),
            want,
            "case {k}: {c}"
        );
    }
}
