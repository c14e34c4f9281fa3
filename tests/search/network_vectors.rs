//! Parity with the non-pipelined whole-network vectors (N1, N2, N5, N8) of
//! `tests/data/network_vectors.json`, in the reference-compatible model.

use super::support::{machine, network, options};
use crate::model::support::{assert_close, assert_close_n, f, u, u3};
use nnc::sched::network::search;
use nnc::sched::partition::ParallelDim;
use nnc::sched::types::{DataKind, MemLevel};
use serde_json::Value;
use std::sync::LazyLock;

static VECTORS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/network_vectors.json")).expect("vectors parse")
});

fn check(id: &str) {
    let v = VECTORS["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap();
    let net = network(&VECTORS["networks"][v["network"].as_str().unwrap()]);
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
        let part = &w["part"];
        let order: Vec<u64> = r.part.order().iter().map(|p| p.index() as u64).collect();
        let want_order: Vec<u64> = part["order"].as_array().unwrap().iter().map(u).collect();
        assert_eq!(order, want_order, "{}", at("partition order"));
        for p in ParallelDim::ALL {
            let d = r.part.pdim(p);
            let wd = &part["pdims"][p.index()];
            assert_eq!([d.h, d.w], [u(&wd[0]), u(&wd[1])], "{}", at("pdims"));
        }
        let st = &r.candidate.stats;
        let tv = &w["tvals"];
        let b = &r.candidate.blocking;
        assert_eq!(
            b.factors.map(|x| x.0),
            [u3(&tv[0]), u3(&tv[1]), u3(&tv[2])],
            "{}",
            at("factors")
        );
        let ords = &w["orders"];
        assert_eq!(
            b.orders.map(|x| x.0.map(u64::from)),
            [u3(&ords[0]), u3(&ords[1])],
            "{}",
            at("orders")
        );
        assert_eq!(r.unit_nhops.0, u3(&w["unit_nhops"]), "{}", at("unit hops"));
        assert_eq!(
            st.fetch.map(|x| x.0),
            [u3(&w["fetch"][0]), u3(&w["fetch"][1])],
            "{}",
            at("fetch")
        );
        let access: Vec<f64> = st.access.0.iter().flat_map(|d| d.0).collect();
        let want: Vec<f64> = w["access"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap().iter().map(f))
            .collect();
        assert_close_n(&at("access"), &access, &want);
        assert_close(&at("cost_op"), r.cost.op, f(&w["cost_op"]));
        assert_close(&at("cost_access"), r.cost.access, f(&w["cost_access"]));
        assert_close(&at("cost_noc"), r.cost.noc, f(&w["cost_noc"]));
        assert_close(&at("cost_static"), r.cost.static_, f(&w["cost_static"]));
        assert_close(&at("cost"), r.cost.total, f(&w["cost"]));
        assert_eq!(
            [r.time, st.proc_time, st.bus_time, st.dram_time],
            [
                u(&w["time"]),
                u(&w["proc_time"]),
                u(&w["bus_time"]),
                u(&w["dram_time"])
            ],
            "{}",
            at("times")
        );
        let _ = (DataKind::Fil, MemLevel::Dram);
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
