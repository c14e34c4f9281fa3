//! Parity with `tests/data/layer_vectors.json` (nn_dataflow 2.1, one node),
//! in the reference-compatible model: every value to a relative 1e-9, the
//! same blocking factors, orders and loop-nest index.

use super::support::*;
use nnc::internals::sched::Compat;
use nnc::internals::sched::blocking::{Blocking, BlockingContext, sweep_counts};
use nnc::internals::sched::dataflow::{Nld, map_layer};
use nnc::internals::sched::model::factor::ordered_factors;
use nnc::internals::sched::search::node::NodeProblem;
use nnc::internals::sched::types::{PerData, PerLoop};
use serde_json::Value;
use std::sync::LazyLock;

static VECTORS: LazyLock<Value> = LazyLock::new(|| {
    let text = include_str!("../data/layer_vectors.json");
    serde_json::from_str(text).expect("layer_vectors.json parses")
});

fn vectors(kind: &str) -> &'static [Value] {
    VECTORS[kind].as_array().expect("vector list")
}

fn flat(m: &nnc::internals::sched::types::PerLevel<PerData<f64>>) -> Vec<f64> {
    m.0.iter().flat_map(|d| d.0).collect()
}

fn flat_json(v: &Value) -> Vec<f64> {
    v.as_array().expect("matrix").iter().flat_map(f3).collect()
}

fn check_nld(id: &str, nld: &Nld, want: &Value) {
    assert_eq!(nld.loopcnt.0, u3(&want["loopcnt"]), "{id} loopcnt");
    assert_eq!(nld.usize_gbuf.0, u3(&want["usize_gbuf"]), "{id} usize_gbuf");
    assert_eq!(nld.usize_regf.0, u3(&want["usize_regf"]), "{id} usize_regf");
    assert_close_n(
        &format!("{id} unit_access"),
        &flat(&nld.unit_access),
        &flat_json(&want["unit_access"]),
    );
    assert_close(
        &format!("{id} unit_ops"),
        nld.unit_ops,
        f(&want["unit_ops"]),
    );
    assert_eq!(nld.unit_time, u(&want["unit_time"]), "{id} unit_time");
}

#[test]
fn factorizations() {
    for v in vectors("factorize_vectors") {
        let got = ordered_factors(u(&v["value"]), u(&v["num"]) as usize);
        let want: Vec<Vec<u64>> = serde_json::from_value(v["expected"].clone()).expect("tuples");
        assert_eq!(got, want, "F({}, {})", v["value"], v["num"]);
    }
}

#[test]
fn mappings() {
    for v in vectors("mapping_vectors") {
        let id = v["id"].as_str().unwrap_or("?");
        let layer = layer(&v["layer"]);
        let got = map_layer(
            &layer,
            u(&v["batch"]),
            f(&v["occupancy"]),
            dim(&v["dim_array"]),
            Compat::NnDataflow,
        );
        let want = &v["expected"];
        if want.get("error").is_some() {
            assert!(got.is_err(), "{id}: the reference aborts, nnc mapped it");
            continue;
        }
        let m = got.unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(m.ops_lpe, u(&want["ops_lpe"]), "{id} ops_lpe");
        assert_eq!(m.dim_lpeset, dim(&want["dim_lpeset"]), "{id} lpeset");
        assert_eq!(m.fold, dim(&want["fold"]), "{id} fold");
        assert_eq!(m.repl, dim(&want["repl"]), "{id} repl");
        assert_eq!(m.dim_flpeset, dim(&want["dim_flpeset"]), "{id} flpeset");
        assert_eq!(m.dim_ppeset, dim(&want["dim_ppeset"]), "{id} ppeset");
        assert_close(&format!("{id} util"), m.util, f(&want["util"]));
        let up = &want["unitpass"];
        assert_close(&format!("{id} unitpass ops"), m.unitpass.ops, f(&up["ops"]));
        assert_eq!(m.unitpass.time, u(&up["time"]), "{id} unitpass time");
        assert_close_n(
            &format!("{id} unitpass access"),
            &flat(&m.unitpass.access),
            &flat_json(&up["access"]),
        );
        assert_eq!(
            m.unitpass.size_gbuf.0,
            u3(&up["size_gbuf"]),
            "{id} unitpass gbuf"
        );
        assert_eq!(
            m.unitpass.size_regf.0,
            u3(&up["size_regf"]),
            "{id} unitpass regf"
        );
        assert_close(
            &format!("{id} amp"),
            m.unitpass.amp_acc_ifm,
            f(&up["amp_acc_ifm"]),
        );
        let nlds = want["nlds"].as_array().expect("nlds");
        assert_eq!(m.nlds.len(), nlds.len(), "{id} number of nlds");
        for (i, (nld, w)) in m.nlds.iter().zip(nlds).enumerate() {
            check_nld(&format!("{id} nld {i}"), nld, w);
        }
    }
}

fn blocking(v: &Value) -> Blocking {
    let ts = &v["bl_ts"];
    let ords = &v["bl_ords"];
    let o = |i: usize| PerLoop(u3(&ords[i]).map(|x| x as u8));
    Blocking {
        factors: [
            PerLoop(u3(&ts[0])),
            PerLoop(u3(&ts[1])),
            PerLoop(u3(&ts[2])),
        ],
        orders: [o(0), o(1)],
    }
}

fn u2x3(v: &Value) -> [[u64; 3]; 2] {
    [u3(&v[0]), u3(&v[1])]
}

#[test]
fn single_blockings() {
    for v in vectors("lbs_vectors") {
        let id = v["id"].as_str().unwrap_or("?");
        let layer = reference_node_layer(&v["layer"]);
        let m = map_layer(
            &layer,
            u(&v["batch"]),
            1.0,
            dim(&v["resource"]["dim_array"]),
            Compat::NnDataflow,
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        let nld = &m.nlds[u(&v["nld_index"]) as usize];
        check_nld(id, nld, &v["nld"]);
        let (res, cost, opts) = (
            resource(&v["resource"]),
            cost(&v["cost"]),
            options(&v["options"]),
        );
        let ctx =
            BlockingContext::new(nld, &res, &cost, opts.bypass, opts.goal, Compat::NnDataflow);
        let got = ctx.evaluate(&blocking(v));
        let want = &v["expected"];
        assert_eq!(got.is_some(), want["valid"] == true, "{id} validity");
        let Some(s) = got else { continue };
        assert_eq!(s.fetch.map(|x| x.0), u2x3(&want["fetch"]), "{id} fetch");
        let stored: Vec<bool> = want["stored_in_gbuf"]
            .as_array()
            .expect("flags")
            .iter()
            .map(|b| b == true)
            .collect();
        assert_eq!(s.stored.0.to_vec(), stored, "{id} stored");
        assert_eq!(
            s.unit_cnt.map(|x| x.0),
            u2x3(&want["unit_cnt"]),
            "{id} unit_cnt"
        );
        assert_eq!(s.size.map(|x| x.0), u2x3(&want["size"]), "{id} size");
        assert_close_n(
            &format!("{id} access"),
            &flat(&s.access),
            &flat_json(&want["access"]),
        );
        assert_close(&format!("{id} ops"), s.ops, f(&want["ops"]));
        assert_eq!(
            [s.proc_time, s.bus_time, s.dram_time, s.time],
            [
                u(&want["proc_time"]),
                u(&want["bus_time"]),
                u(&want["dram_time"]),
                u(&want["time"])
            ],
            "{id} times"
        );
        assert_close(
            &format!("{id} access_cost"),
            s.energy.access,
            f(&want["access_cost"]),
        );
    }
}

#[test]
fn whole_layer_searches() {
    for v in vectors("layer_vectors") {
        let id = v["id"].as_str().unwrap_or("?");
        let layer = reference_node_layer(&v["layer"]);
        let batch = u(&v["batch"]);
        let (res, cost, opts) = (
            resource(&v["resource"]),
            cost(&v["cost"]),
            options(&v["options"]),
        );
        let want = &v["expected"];
        let info = &want["layer_info"];
        let original = super::support::layer(&v["layer"]);
        assert_eq!(original.nifm(), u(&info["nifm"]), "{id} nifm");
        assert_eq!(
            original.ifmap(),
            nnc::ir::Dim2::new(u(&info["hifm"]), u(&info["wifm"])),
            "{id} ifmap"
        );
        assert_eq!(
            original.total_ops(1),
            u(&info["total_ops_batch1"]),
            "{id} ops"
        );
        assert_eq!(
            original.ops_per_neuron(),
            u(&info["ops_per_neuron"]),
            "{id} ops/neuron"
        );

        let m = map_layer(&layer, batch, 1.0, res.dim_array, Compat::NnDataflow)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(m.fold, dim(&want["mapping"]["fold"]), "{id} fold");
        assert_eq!(m.repl, dim(&want["mapping"]["repl"]), "{id} repl");
        for (i, (nld, w)) in m
            .nlds
            .iter()
            .zip(want["nlds"].as_array().expect("nlds"))
            .enumerate()
        {
            check_nld(&format!("{id} nld {i}"), nld, w);
        }
        if let Some(sweeps) = want.get("sweep_counts").and_then(Value::as_array) {
            for (i, (nld, w)) in m.nlds.iter().zip(sweeps).enumerate() {
                let ctx = BlockingContext::new(
                    nld,
                    &res,
                    &cost,
                    opts.bypass,
                    opts.goal,
                    Compat::NnDataflow,
                );
                let c = sweep_counts(&ctx);
                assert_eq!(
                    [c.enumerated, c.after_skip, c.valid],
                    [u(&w["enumerated"]), u(&w["after_skip"]), u(&w["valid"])],
                    "{id} nld {i} sweep counts"
                );
            }
        }

        let problem = NodeProblem::one_node(&layer, batch, &res, &cost, &opts, Compat::NnDataflow);
        let tops = problem.best().unwrap_or_else(|e| panic!("{id}: {e}"));
        let wants = want["tops"].as_array().expect("tops");
        assert_eq!(tops.len(), wants.len(), "{id} number of results");
        for (rank, (t, w)) in tops.iter().zip(wants).enumerate() {
            let id = format!("{id} top {rank}");
            let s = &t.stats;
            assert_eq!(t.nld_index as u64, u(&w["nld_index"]), "{id} nld");
            assert_eq!(t.blocking, blocking(w), "{id} blocking");
            assert_close(&format!("{id} cost"), s.cost(), f(&w["cost"]));
            assert_close(&format!("{id} cost_op"), s.energy.op, f(&w["cost_op"]));
            assert_close(
                &format!("{id} cost_access"),
                s.energy.access,
                f(&w["cost_access"]),
            );
            assert_close(
                &format!("{id} cost_static"),
                s.energy.static_,
                f(&w["cost_static"]),
            );
            assert_close(&format!("{id} cost_noc"), s.energy.noc, f(&w["cost_noc"]));
            assert_close(&format!("{id} ops"), s.ops, f(&w["ops"]));
            assert_eq!(
                [s.time, s.proc_time, s.bus_time, s.dram_time],
                [
                    u(&w["time"]),
                    u(&w["proc_time"]),
                    u(&w["bus_time"]),
                    u(&w["dram_time"])
                ],
                "{id} times"
            );
            assert_close_n(
                &format!("{id} access"),
                &flat(&s.access),
                &flat_json(&w["access"]),
            );
            assert_eq!(s.fetch.map(|x| x.0), u2x3(&w["fetch"]), "{id} fetch");
            assert_eq!(
                s.unit_cnt.map(|x| x.0),
                u2x3(&w["unit_cnt"]),
                "{id} unit_cnt"
            );
            assert_eq!(s.size.map(|x| x.0), u2x3(&w["size"]), "{id} size");
        }
    }
}
