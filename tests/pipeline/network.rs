//! Parity with the pipelined whole-network vectors of
//! `tests/data/network_vectors.json` (N3, N4, N6, N7, N9), in the
//! reference-compatible model: the segments chosen, each layer's place,
//! result and on-chip accesses, the segment times and the totals with the
//! static energy rescaled (docs/model/pipelining.md#searching-a-segment).

use crate::model::support::{assert_close, assert_close_n, f, u};
use crate::search::support::{check_layer_result, network_vector};
use nnc::internals::sched::search::network::search;
use nnc::internals::sched::types::PerData;
use serde_json::Value;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

fn check(id: &str) {
    let (v, net, m, o) = network_vector(id);
    assert!(o.pipeline().enabled(), "{id} is a pipelined vector");
    let schedules = search(&net, &m, &o, &|_, _| {}).unwrap_or_else(|e| panic!("{id}: {e}"));
    let s = &schedules[0];
    let e = &v["expected"];
    // The segments first: a different choice explains every other mismatch.
    let segments: Vec<Vec<Vec<String>>> = s
        .segments
        .iter()
        .map(|seg| {
            seg.groups
                .iter()
                .map(|g| g.iter().map(|&l| net.layer(l).name.clone()).collect())
                .collect()
        })
        .collect();
    let want: Vec<Vec<Vec<String>>> = serde_json::from_value(e["segments"].clone()).unwrap();
    assert_eq!(segments, want, "{id}: segments");
    for (lid, r) in s.in_order() {
        let name = &net.layer(lid).name;
        let w = &e["layers"][name];
        let at = |what: &str| format!("{id} {name} {what}");
        let p = s.places[lid.index()];
        assert_eq!(
            [p.segment as u64, p.sp as u64, p.tm as u64],
            [0, 1, 2].map(|i| u(&w["sched_seq"][i])),
            "{}",
            at("sched_seq")
        );
        check_layer_result(&at, r, w);
        let remote: PerData<f64> = r.candidate.stats.remote_gbuf;
        assert_close_n(
            &at("remote_gbuf_access"),
            &remote.0,
            &floats(&w["remote_gbuf_access"]),
        );
    }
    let seg_time: Vec<u64> = s.segments.iter().map(|x| x.timing.time()).collect();
    let want: Vec<u64> = e["segment_time"]
        .as_array()
        .unwrap()
        .iter()
        .map(u)
        .collect();
    assert_eq!(seg_time, want, "{id} segment_time");
    let dram_time: Vec<u64> = s.segments.iter().map(|x| x.timing.dram_time()).collect();
    let want: Vec<u64> = e["segment_dram_time"]
        .as_array()
        .unwrap()
        .iter()
        .map(u)
        .collect();
    assert_eq!(dram_time, want, "{id} segment_dram_time");
    let t = s.totals();
    assert_eq!(t.time, u(&e["total_time"]), "{id} total_time");
    assert_close(&format!("{id} total_cost"), t.cost, f(&e["total_cost"]));
    assert_close(
        &format!("{id} total_static_cost"),
        t.breakdown.static_,
        f(&e["total_static_cost"]),
    );
    assert_close(&format!("{id} total_ops"), t.ops, f(&e["total_ops"]));
    assert_close_n(
        &format!("{id} total_accesses"),
        &t.accesses.0,
        &floats(&e["total_accesses"]),
    );
    assert_close(
        &format!("{id} total_noc_hops"),
        t.noc_hops,
        f(&e["total_noc_hops"]),
    );
}

#[test]
fn n7_basic_interlayer() {
    check("N7_interlayer_basic");
}

#[test]
fn n9_interlayer_static_rescaled() {
    check("N9_interlayer_idle");
}

#[test]
fn n6_interlayer_shared_source() {
    check("N6_interlayer_shared_src");
}

#[test]
fn n3_interlayer_forwarding_save_writeback() {
    check("N3_interlayer_af_swb");
}

#[test]
fn n4_interlayer_gbuf_sharing_save_writeback() {
    check("N4_interlayer_bs_swb");
}
