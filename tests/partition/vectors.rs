//! Parity with the reference: every partition-related vector of
//! `search_unit_vectors.json` (docs/model/README.md#test-vectors), in compatible mode.

use super::support::{
    coord, coords, dim, frng, i, layer, region, scheme, scheme_json, target, u, vectors,
};
use nnc::internals::sched::Compat;
use nnc::internals::sched::partition::{
    DataLayout, FilterSources, HopCache, HopQuery, NodeRegion, Partitioning, RegionKind,
    gen_partition, proc_data_range, unit_nhops,
};
use nnc::ir::{Dim2, LayerShape};
use serde_json::Value;

#[test]
fn node_region_rel2abs() {
    let vs = vectors("node_region_rel2abs");
    assert_eq!(vs.len(), 7);
    for v in vs {
        let r = region(&v["input"]);
        let got: Vec<_> = r.iter_nodes().collect();
        assert_eq!(
            got,
            coords(&v["expected"]["abs_coords_in_iter_order"]),
            "{}",
            v["id"]
        );
    }
}

#[test]
fn node_region_allocate() {
    let vs = vectors("node_region_allocate");
    assert_eq!(vs.len(), 7);
    for v in vs {
        let id = &v["id"];
        let r = region(&v["input"]["region"]);
        let requests: Vec<u64> = v["input"]["requests"]
            .as_array()
            .expect("requests")
            .iter()
            .map(u)
            .collect();
        let got = r.allocate(&requests);
        let want = v["expected"]["subregions"].as_array().expect("subregions");
        assert_eq!(got.len(), want.len(), "{id}");
        for (g, w) in got.iter().zip(want) {
            let kind = if w["type"] == "PROC" {
                RegionKind::Proc
            } else {
                RegionKind::Dram
            };
            assert_eq!(g.dim(), dim(&w["dim"]), "{id}");
            assert_eq!(g.origin(), coord(&w["origin"]), "{id}");
            assert_eq!(g.dist(), dim(&w["dist"]), "{id}");
            assert_eq!(g.kind(), kind, "{id}");
            assert_eq!(g.wtot(), u(&w["wtot"]), "{id}");
            assert_eq!(g.wbeg(), i(&w["wbeg"]), "{id}");
            let nodes: Vec<_> = g.iter_nodes().collect();
            assert_eq!(nodes, coords(&w["abs_coords_in_iter_order"]), "{id}");
        }
    }
}

#[test]
fn gen_partition_order_and_pruning() {
    let vs = vectors("gen_partition");
    assert_eq!(vs.len(), 11);
    for v in vs {
        let id = &v["id"];
        let inp = &v["input"];
        let flag = |k: &str| inp["options"][k].as_bool().unwrap_or(false);
        let opts = Partitioning::from_flags(
            flag("partition_hybrid"),
            flag("partition_batch"),
            flag("partition_ifmaps"),
        )
        .unwrap();
        let got = gen_partition(
            &target(&inp["layer"]),
            u(&inp["batch"]),
            dim(&inp["dim_nodes"]),
            opts,
            true,
        );
        let got: Vec<Value> = got.iter().map(scheme_json).collect();
        let want = v["expected"]["schemes_in_order"]
            .as_array()
            .expect("schemes");
        assert_eq!(got.len() as u64, u(&v["expected"]["count"]), "{id}");
        assert_eq!(&got, want, "{id}");
    }
}

#[test]
fn projection() {
    let vs = vectors("projection");
    assert_eq!(vs.len(), 5);
    for v in vs {
        let inp = &v["input"];
        let appl2frng = inp["appl2frng"].as_bool().expect("appl2frng");
        let got = scheme(&inp["part"]).projection(&region(&inp["region"]), appl2frng);
        assert_eq!(scheme_json(&got), v["expected"], "{}", v["id"]);
    }
}

/// One `unit_nhops` vector, decoded.
struct HopVector {
    id: String,
    layer: LayerShape,
    batch: u64,
    proc_region: NodeRegion,
    sources: FilterSources,
    part: nnc::internals::sched::partition::PartitionScheme,
    ifmap: DataLayout,
    ofmap: DataLayout,
    forwarding: bool,
    expected: &'static Value,
}

impl HopVector {
    fn query(&self) -> HopQuery<'_> {
        HopQuery {
            layer: self.layer,
            batch: self.batch,
            proc_region: self.proc_region,
            part: self.part,
            fil_sources: &self.sources,
            ifmap_layout: &self.ifmap,
            ofmap_layout: &self.ofmap,
            forwarding: self.forwarding,
        }
    }

    fn unit_nhops(&self) -> [u64; 3] {
        let e = &self.expected["unit_nhops"];
        [u(&e[0]), u(&e[1]), u(&e[2])]
    }
}

fn hop_vectors() -> Vec<HopVector> {
    vectors("unit_nhops")
        .into_iter()
        .map(|v| {
            let inp = &v["input"];
            let proc_region = region(&inp["proc_region"]);
            let dram = region(&inp["dram_region"]);
            let layout = |l: &Value| {
                let r = match l["region"].as_str() {
                    Some("dram_region") => dram,
                    Some("proc_region") => proc_region,
                    other => panic!("unknown region {other:?}"),
                };
                DataLayout::single(frng(&l["frng"]), r, scheme(&l["part"])).expect("valid layout")
            };
            HopVector {
                id: v["id"].as_str().unwrap_or_default().to_owned(),
                layer: layer(&inp["layer"]),
                batch: u(&inp["batch"]),
                proc_region,
                sources: FilterSources::from_region(&dram),
                part: scheme(&inp["part"]),
                ifmap: layout(&inp["ifmap_layout"]),
                ofmap: layout(&inp["ofmap_layout"]),
                forwarding: inp["forwarding"].as_bool().expect("forwarding"),
                expected: &v["expected"],
            }
        })
        .collect()
}

#[test]
fn unit_nhops_part_layer() {
    for v in hop_vectors() {
        let p = v
            .part
            .part_layer(&v.layer, v.batch, Compat::NnDataflow)
            .expect("sub-layer");
        assert_eq!(p.layer, layer(&v.expected["part_layer"]), "{}", v.id);
        assert_eq!(p.batch, u(&v.expected["p_batch"]), "{}", v.id);
        let occ = v.expected["p_occ"].as_f64().expect("p_occ");
        assert!(
            p.occupancy.to_bits() == occ.to_bits(),
            "{}: {} vs {occ}",
            v.id,
            p.occupancy
        );
    }
}

#[test]
fn unit_nhops_per_node_ranges() {
    for v in hop_vectors() {
        let want = v.expected["per_node"].as_array().expect("per_node");
        let pidxs: Vec<_> = v.part.pidxs().collect();
        assert_eq!(pidxs.len(), want.len(), "{}", v.id);
        for (pidx, w) in pidxs.iter().zip(want) {
            let ctx = format!("{} {w}", v.id);
            let wp: Vec<Dim2> = (0..4).map(|k| dim(&w["pidx"][k])).collect();
            assert_eq!(pidx.0.to_vec(), wp, "{ctx}");
            assert_eq!(
                v.part.coordinate(&v.proc_region, pidx),
                coord(&w["coord"]),
                "{ctx}"
            );
            let nd = proc_data_range(&v.layer, v.batch, &v.part, pidx, Compat::NnDataflow);
            let fil = nd.filter.map_or([(0, 0), (0, 0)], |f| [f.ifm, f.ofm]);
            let wf = [
                (u(&w["fil"][0][0]), u(&w["fil"][0][1])),
                (u(&w["fil"][1][0]), u(&w["fil"][1][1])),
            ];
            assert_eq!(fil, wf, "{ctx}");
            assert_eq!(nd.ifmap.copies, 1, "{ctx}");
            assert_eq!(nd.ifmap.first, frng(&w["ifm"]), "{ctx}");
            assert_eq!(nd.ofmap, frng(&w["ofm"]), "{ctx}");
        }
    }
}

#[test]
fn unit_nhops_exact() {
    let vs = hop_vectors();
    assert_eq!(vs.len(), 12);
    for v in &vs {
        assert_eq!(
            unit_nhops(&v.query(), Compat::NnDataflow).0,
            v.unit_nhops(),
            "{}",
            v.id
        );
    }
}

#[test]
fn unit_nhops_through_the_memo() {
    // Each vector on a fresh memo, and all of them through one memo in file
    // order, as a single search would.
    let vs = hop_vectors();
    let mut shared = HopCache::new(Compat::NnDataflow);
    for v in &vs {
        let mut fresh = HopCache::new(Compat::NnDataflow);
        assert_eq!(fresh.unit_nhops(&v.query()).0, v.unit_nhops(), "{}", v.id);
        assert_eq!(shared.unit_nhops(&v.query()).0, v.unit_nhops(), "{}", v.id);
        // A repeated query hits the whole-computation memo.
        assert_eq!(shared.unit_nhops(&v.query()).0, v.unit_nhops(), "{}", v.id);
    }
    assert_eq!(shared.stats(), (12, 12));
}
