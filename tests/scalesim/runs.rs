//! Every layer of our SCALE-Sim 3.0.0 runs (tests/data/scalesim/runs.json,
//! recorded by tests/data/scalesim/run.py, and fuzz-runs.json, random cases
//! recorded by fuzz.py) matches exactly: the config and
//! topology as run, read by nnc's readers, simulated by nnc's model;
//! integer columns equal, the rest within 1e-9 relative.

use nnc::scalesim::ScaleSimReport;
use nnc::scalesim::{TopologyKind, read_config, read_topology};
use serde_json::Value;
use std::collections::HashMap;

/// SCALE-Sim's report columns (report, column) and the model's field;
/// `true` for the integer ones.
const COLUMNS: [(&str, &str, &str, bool); 31] = [
    (
        "compute",
        "Total Cycles (incl. prefetch)",
        "total_cycles_incl_prefetch",
        true,
    ),
    ("compute", "Total Cycles", "total_cycles", true),
    ("compute", "Stall Cycles", "stall_cycles", true),
    ("compute", "Overall Util %", "overall_util_pct", false),
    ("compute", "Mapping Efficiency %", "mapping_eff_pct", false),
    ("compute", "Compute Util %", "compute_util_pct", false),
    ("bandwidth", "Avg IFMAP SRAM BW", "avg_ifmap_sram_bw", false),
    (
        "bandwidth",
        "Avg FILTER SRAM BW",
        "avg_filter_sram_bw",
        false,
    ),
    ("bandwidth", "Avg OFMAP SRAM BW", "avg_ofmap_sram_bw", false),
    ("bandwidth", "Avg IFMAP DRAM BW", "avg_ifmap_dram_bw", false),
    (
        "bandwidth",
        "Avg FILTER DRAM BW",
        "avg_filter_dram_bw",
        false,
    ),
    ("bandwidth", "Avg OFMAP DRAM BW", "avg_ofmap_dram_bw", false),
    (
        "detailed_access",
        "SRAM IFMAP Start Cycle",
        "sram_ifmap_start",
        true,
    ),
    (
        "detailed_access",
        "SRAM IFMAP Stop Cycle",
        "sram_ifmap_stop",
        true,
    ),
    (
        "detailed_access",
        "SRAM IFMAP Reads",
        "sram_ifmap_reads",
        true,
    ),
    (
        "detailed_access",
        "SRAM Filter Start Cycle",
        "sram_filter_start",
        true,
    ),
    (
        "detailed_access",
        "SRAM Filter Stop Cycle",
        "sram_filter_stop",
        true,
    ),
    (
        "detailed_access",
        "SRAM Filter Reads",
        "sram_filter_reads",
        true,
    ),
    (
        "detailed_access",
        "SRAM OFMAP Start Cycle",
        "sram_ofmap_start",
        true,
    ),
    (
        "detailed_access",
        "SRAM OFMAP Stop Cycle",
        "sram_ofmap_stop",
        true,
    ),
    (
        "detailed_access",
        "SRAM OFMAP Writes",
        "sram_ofmap_writes",
        true,
    ),
    (
        "detailed_access",
        "DRAM IFMAP Start Cycle",
        "dram_ifmap_start",
        true,
    ),
    (
        "detailed_access",
        "DRAM IFMAP Stop Cycle",
        "dram_ifmap_stop",
        true,
    ),
    (
        "detailed_access",
        "DRAM IFMAP Reads",
        "dram_ifmap_reads",
        true,
    ),
    (
        "detailed_access",
        "DRAM Filter Start Cycle",
        "dram_filter_start",
        true,
    ),
    (
        "detailed_access",
        "DRAM Filter Stop Cycle",
        "dram_filter_stop",
        true,
    ),
    (
        "detailed_access",
        "DRAM Filter Reads",
        "dram_filter_reads",
        true,
    ),
    (
        "detailed_access",
        "DRAM OFMAP Start Cycle",
        "dram_ofmap_start",
        true,
    ),
    (
        "detailed_access",
        "DRAM OFMAP Stop Cycle",
        "dram_ofmap_stop",
        true,
    ),
    (
        "detailed_access",
        "DRAM OFMAP Writes",
        "dram_ofmap_writes",
        true,
    ),
    // Not a column: the difference of the first two, checked below.
    ("compute", "Total Cycles", "compute_cycles", true),
];

/// A file of runs in `tests/data/scalesim/`.
fn recorded(name: &str) -> Value {
    let path = format!("{}/tests/data/scalesim/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The named cases (`run.py`).
fn runs() -> Value {
    recorded("runs.json")
}

/// The differences between SCALE-Sim's row `want` and nnc's report.
pub(super) fn differences(want: &Value, got: &ScaleSimReport) -> Vec<String> {
    let got = serde_json::to_value(got).unwrap();
    let mut out = Vec::new();
    for (report, column, field, integer) in COLUMNS {
        let mut w = want[format!("{report}_report")][column].as_f64().unwrap();
        if field == "compute_cycles" {
            w -= want["compute_report"]["Stall Cycles"].as_f64().unwrap();
        }
        let g = got[field].as_f64().unwrap();
        let same = if integer {
            // Cycles are printed as floats (`9.0`), counts as integers.
            w == g && w.fract() == 0.0
        } else {
            (w - g).abs() <= 1e-9 * w.abs()
        };
        if !same {
            out.push(format!("{field}: SCALE-Sim {w}, nnc {g}"));
        }
    }
    out
}

#[test]
fn every_recorded_layer_matches_exactly() {
    every_layer_matches_exactly(&runs(), 150);
}

#[test]
fn every_fuzzed_layer_matches_exactly() {
    // 420 random cases of `fuzz.py` (seeds 1001-1010, and 2001-2004 in
    // USER mode with 1-4 words per cycle and 1-4 kB SRAMs, where stalls are
    // common): arrays 2x2 to 64x64, most not square; SRAM sizes of 1 to 64
    // kB, unequal between the operands in a third of the cases; conv rows
    // with 1x1 filters, filters as large as the ifmap, strides beyond the
    // filter, `DP` rows; GEMMs up to 200 on a side.
    let data = recorded("fuzz-runs.json");
    every_layer_matches_exactly(&data, 450);
    let stalled = data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["layers"].as_array().unwrap())
        .filter(|l| l["compute_report"]["Stall Cycles"].as_f64().unwrap() > 0.0)
        .count();
    assert!(stalled >= 60, "only {stalled} layers stall");
}

/// Every layer of every case of `data` matches nnc's model; at least
/// `min_layers` of them.
fn every_layer_matches_exactly(data: &Value, min_layers: usize) {
    assert_eq!(data["versions"]["scalesim"], "3.0.0");
    let mut failures = Vec::new();
    let mut layers = 0;
    for case in data["cases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        let cfg = data["configs"][case["config"].as_str().unwrap()]
            .as_str()
            .unwrap();
        let array = read_config(cfg).unwrap().array();
        let text = case["topology"].as_str().unwrap();
        let gemm = case["gemm"].as_bool().unwrap();
        let kind = if gemm {
            TopologyKind::Gemm
        } else {
            TopologyKind::Conv
        };
        let topology = read_topology(text, kind).unwrap();
        // The header alone tells the two kinds apart.
        assert_eq!(
            read_topology(text, TopologyKind::Auto).unwrap(),
            topology,
            "{id}"
        );
        let recorded = case["layers"].as_array().unwrap();
        let ours: Vec<_> = topology.rows.iter().flat_map(|r| r.layers()).collect();
        assert_eq!(ours.len(), recorded.len(), "{id}: layer count");
        // Each row through the one entry the command line uses too; a `DP`
        // row's runs share one report.
        let mut want = recorded.iter();
        for row in &topology.rows {
            let run = row.simulate(&array).unwrap();
            assert_eq!(run.runs as usize, row.layers().count(), "{id}");
            for (name, _) in row.layers() {
                let want = want.next().unwrap();
                assert_eq!(name, want["name"].as_str().unwrap(), "{id}");
                let diffs = differences(want, &run.report);
                if !diffs.is_empty() {
                    failures.push(format!("{id} {name}: {}", diffs.join("; ")));
                }
                layers += 1;
            }
        }
    }
    assert!(layers >= min_layers, "only {layers} layers recorded");
    assert!(
        failures.is_empty(),
        "{} of {layers} layers differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_runs_cover_what_the_model_must_reproduce() {
    let data = runs();
    let mut seen = HashMap::<&str, usize>::new();
    for case in data["cases"].as_array().unwrap() {
        let config = case["config"].as_str().unwrap();
        for part in config.split('-') {
            *seen.entry(part).or_default() += 1;
        }
        let layer = case["id"].as_str().unwrap().rsplit('/').next().unwrap();
        *seen.entry(layer).or_default() += 1;
    }
    for needed in [
        "ws",
        "os",
        "is",
        "8x8",
        "16x64",
        "32x32",
        "64x16",
        "128x128",
        "8k",
        "64k",
        "16m",
        "calc",
        "user10",
        "user2",
        "alexnet_conv1",
        "resnet50_stem",
        "resnet50_proj_s2",
        "vgg16_conv5_1",
        "bert_qkv",
        "bert_ffn1",
        "mobilenet_dwDP",
    ] {
        assert!(
            seen.contains_key(needed),
            "no recorded run covers `{needed}`"
        );
    }
}
