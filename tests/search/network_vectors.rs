//! Parity with the non-pipelined whole-network vectors (N1, N2, N5, N8) of
//! `tests/data/network_vectors.json`, in the reference-compatible model.

use super::support::{check_layer_result, network_vector};
use crate::model::support::{assert_close, assert_close_n, f, u};
use nnc::internals::sched::search::network::search;

fn check(id: &str) {
    let (v, net, m, o) = network_vector(id);
    let schedules = search(&net, &m, &o, &|_, _| {}).unwrap_or_else(|e| panic!("{id}: {e}"));
    let s = &schedules[0];
    let t = s.totals();
    let e = &v["expected"];
    // Layer by layer first, in scheduling order, to localize a mismatch.
    let want_order: Vec<&str> = e["layers"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let got_order: Vec<&str> = s
        .order
        .iter()
        .map(|&l| net.layer(l).name.as_str())
        .collect();
    assert_eq!(got_order, want_order, "{id}: scheduling order");
    for (lid, r) in s.in_order() {
        let name = &net.layer(lid).name;
        let w = &e["layers"][name];
        let at = |what: &str| format!("{id} {name} {what}");
        check_layer_result(&at, r, w);
    }
    assert_close(&format!("{id} total_cost"), t.cost, f(&e["total_cost"]));
    assert_eq!(t.time, u(&e["total_time"]), "{id} total_time");
    assert_close(&format!("{id} total_ops"), t.ops, f(&e["total_ops"]));
    let acc: Vec<f64> = e["total_accesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(f)
        .collect();
    assert_close_n(&format!("{id} total_accesses"), &t.accesses.0, &acc);
    assert_close(
        &format!("{id} total_noc_hops"),
        t.noc_hops,
        f(&e["total_noc_hops"]),
    );
}

#[test]
fn n1_naive() {
    check("N1_naive");
}

#[test]
fn n2_hybrid_batch_ifmaps() {
    check("N2_hybrid_batch_ifmaps");
}

#[test]
fn n5_naive_3d_dram_bandwidth_static() {
    check("N5_naive_3d_drambw_idle");
}

#[test]
fn n8_hybrid_energy_delay_top2() {
    check("N8_hybrid_ed_top2");
}
