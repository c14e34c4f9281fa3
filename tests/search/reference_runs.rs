//! Whole networks against nn_dataflow 2.1 runs (`tests/data/reference_runs.json`),
//! through the binary and its flags, in the reference-compatible model:
//! the same total energy and time, bit for bit.

use crate::cli::{nnc, text};
use serde_json::Value;

#[test]
fn totals_equal_the_reference() {
    let doc: Value = serde_json::from_str(include_str!("../data/reference_runs.json")).unwrap();
    for run in doc["runs"].as_array().unwrap() {
        let name = run["name"].as_str().unwrap();
        let got = replay(run);
        assert_eq!(
            got["totals"]["energy"].as_f64(),
            run["total_cost"].as_f64(),
            "{name}: energy"
        );
        assert_eq!(got["totals"]["time"], run["total_time"], "{name}: time");
    }
}

#[test]
fn a_one_layer_network_pins_its_filters() {
    // docs/model/network.md#filter-pinning: alone, the convolution reads no filters from DRAM
    // (and is cheaper); followed by pooling, it reads them once.
    let dram_filters = |file: &str| {
        let out = nnc(&[
            "schedule",
            file,
            "--batch",
            "4",
            "--compat",
            "nn_dataflow",
            "-o",
            "-",
            "-q",
        ]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let conv = &v["layers"][0];
        (
            conv["accesses"]["dram"]["fil"].as_f64().unwrap(),
            conv["energy"].as_f64().unwrap(),
        )
    };
    let (alone, alone_energy) = dram_filters("tests/fixtures/schedule/one_conv.nn");
    let (with_pool, with_pool_energy) = dram_filters("tests/fixtures/schedule/conv_pool.nn");
    assert_eq!(alone, 0.0);
    assert_eq!(with_pool, 16.0 * 32.0 * 9.0);
    assert!(alone_energy < with_pool_energy);
}

#[test]
fn the_hop_memo_aliasing_of_the_reference_is_reproduced() {
    // docs/model/noc.md#the-references-hop-memo: AlexNet, batch 16, hybrid and batch partitioning,
    // analytic solver. nn_dataflow charges some partitions the NoC hops of
    // another and reports 85028840864.0; nnc's own model charges exact hops.
    let run = |compat: &[&str]| {
        let mut args = vec![
            "schedule",
            "nns/alex_net.nn",
            "--hw",
            "tests/fixtures/schedule/memo-example.toml",
            "--batch",
            "16",
            "--partition",
            "hybrid",
            "--batch-partition",
            "--solver",
            "analytic",
            "-o",
            "-",
            "-q",
        ];
        args.extend(compat);
        let out = nnc(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["totals"]["energy"].as_f64().unwrap()
    };
    assert_eq!(run(&["--compat", "nn_dataflow"]), 85028840864.0);
    assert_ne!(run(&[]), 85028840864.0);
}

/// Runs one recorded reference run's network, hardware, batch and flags
/// through `nnc schedule --compat nn_dataflow` and returns the schedule file.
pub(crate) fn replay(run: &Value) -> Value {
    let name = run["name"].as_str().unwrap();
    let batch = run["batch"].to_string();
    let mut args = vec![
        "schedule",
        run["network"].as_str().unwrap(),
        "--hw",
        run["hw"].as_str().unwrap(),
        "--batch",
        &batch,
        "--compat",
        "nn_dataflow",
        "-o",
        "-",
        "-q",
    ];
    args.extend(
        run["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap()),
    );
    let out = nnc(&args);
    assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}
