//! A node's dataflow through the binary: `--set node.dataflow`, the
//! schedule file, `nnc report` and `nnc diff` of it, and the refusal of
//! `--compat nn_dataflow` with another dataflow.

use super::{nnc, text};

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nnc-cli-df-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn compat_with_another_dataflow_is_a_usage_error() {
    let out = nnc(&[
        "schedule",
        "nns/mlp_s.nn",
        "--hw",
        "isca16-ws",
        "--compat",
        "nn_dataflow",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("only the row-stationary dataflow"),
        "{stderr}"
    );
    assert!(stderr.contains("`weight-stationary`"), "{stderr}");
    assert!(out.stdout.is_empty());
    // Row stationary set on the same preset is fine.
    let out = nnc(&[
        "schedule",
        "nns/mlp_s.nn",
        "--hw",
        "isca16-ws",
        "--set",
        "node.dataflow=row-stationary",
        "--set",
        "node.regf_bytes=512",
        "--compat",
        "nn_dataflow",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn the_summary_names_a_dataflow_other_than_row_stationary() {
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--hw", "isca16-osc"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(
            "MLP-S on isca16-osc (1x1 nodes of 16x16 PEs, output-stationary-c), batch 1"
        ),
        "{stdout}"
    );
}

#[test]
fn an_unknown_dataflow_lists_the_names() {
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--set", "node.dataflow=ws"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unknown dataflow `ws`"), "{stderr}");
    assert!(stderr.contains("`no-local-reuse`"), "{stderr}");
}

#[test]
fn a_dataflow_is_written_read_back_reported_and_diffed() {
    let (rs, osb) = (tmp("rs.json"), tmp("osb.json"));
    for (path, sets) in [
        (&rs, vec![]),
        (&osb, vec!["--set", "node.dataflow=output-stationary-b"]),
    ] {
        let mut args = vec!["schedule", "nns/alex_net.nn", "-q", "-o"];
        args.push(path.to_str().unwrap());
        args.extend(sets);
        let out = nnc(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let read = |p: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    // Row stationary writes what files always had; another dataflow names
    // itself and its tile.
    let (a, b) = (read(&rs), read(&osb));
    assert!(a["hardware"].get("dataflow").is_none());
    assert!(a["layers"][0]["mapping"].get("dataflow").is_none());
    assert!(a["layers"][0]["mapping"]["fold"].is_array());
    assert_eq!(b["hardware"]["dataflow"], "output-stationary-b");
    let m = &b["layers"][0]["mapping"];
    assert_eq!(m["dataflow"], "output-stationary-b");
    assert!(m.get("fold").is_none() && m.get("repl").is_none(), "{m}");
    let tile = &m["tile"];
    let pes = tile["ifm"].as_u64().unwrap()
        * tile["window"].as_u64().unwrap()
        * tile["ofm"].as_u64().unwrap()
        * tile["pixels"][0].as_u64().unwrap()
        * tile["pixels"][1].as_u64().unwrap();
    assert_eq!(m["pes"].as_u64(), Some(pes));
    assert!(pes <= 256);
    // The report names the dataflow and its tile; diff shows the change.
    let html = tmp("osb.html");
    let out = nnc(&[
        "report",
        osb.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("output-stationary-b: "), "the mapping column");
    assert!(!page.contains("fold (1"), "no row-stationary folds");
    let out = nnc(&["diff", rs.to_str().unwrap(), osb.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("hardware.dataflow"), "{stdout}");
    assert!(stdout.contains("output-stationary-b"), "{stdout}");
    // A mapping that mixes dataflows' fields is refused on reading.
    let bad = tmp("bad.json");
    let text_b = std::fs::read_to_string(&osb).unwrap();
    let mixed = text_b.replacen("\"folds\": 1,", "\"folds\": 1, \"fold\": [1, 1],", 1);
    assert_ne!(mixed, text_b);
    std::fs::write(&bad, mixed).unwrap();
    let out = nnc(&[
        "report",
        bad.to_str().unwrap(),
        "-o",
        tmp("bad.html").to_str().unwrap(),
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("no `fold` or `repl`"),
        "{}",
        text(&out.stderr)
    );
    // So is a tile whose PE count overflows.
    let huge = text_b.replacen("\"window\": 1,", "\"window\": 18446744073709551615,", 1);
    assert_ne!(huge, text_b);
    std::fs::write(&bad, huge).unwrap();
    let out = nnc(&[
        "report",
        bad.to_str().unwrap(),
        "-o",
        tmp("bad.html").to_str().unwrap(),
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("do not fit"),
        "{}",
        text(&out.stderr)
    );
}

/// Runs `nnc sweep SPEC` into the scratch file `csv`, expecting success
/// and six rows, each with a schedule: the results file.
fn sweep_rows(spec: &str, csv: &str) -> String {
    let csv = tmp(csv);
    let out = nnc(&["sweep", spec, "-o", csv.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = rows.lines().skip(2).collect();
    assert_eq!(lines.len(), 6, "{rows}");
    assert!(lines.iter().all(|l| l.contains(",ok,")), "{rows}");
    rows
}

#[test]
fn a_sweep_varies_the_dataflow() {
    // sweeps/isca16.toml: the six ISCA'16 dataflows with their storage.
    let rows = sweep_rows("sweeps/isca16.toml", "isca16.csv");
    let lines: Vec<&str> = rows.lines().skip(2).collect();
    assert!(lines[0].contains(",row-stationary,512,131072,"), "{rows}");
    assert!(lines[5].contains(",no-local-reuse,0,340786,"), "{rows}");
    // Row stationary has the least energy.
    let energy = |l: &str| l.split(',').nth(6).unwrap().parse::<f64>().unwrap();
    assert!(
        lines[1..].iter().all(|l| energy(l) > energy(lines[0])),
        "{rows}"
    );
}

#[test]
fn a_sweep_varies_the_systolic_dataflow_and_an_sram() {
    // sweeps/systolic.toml: three systolic dataflows x two ifmap SRAMs.
    let rows = sweep_rows("sweeps/systolic.toml", "systolic.csv");
    let lines: Vec<&str> = rows.lines().skip(2).collect();
    for dataflow in ["systolic-ws", "systolic-os", "systolic-is"] {
        assert_eq!(
            lines.iter().filter(|l| l.contains(dataflow)).count(),
            2,
            "{rows}"
        );
    }
}

#[test]
fn a_systolic_schedule_of_an_onnx_model_is_written_read_back_and_reported() {
    let json = tmp("tpu.json");
    let out = nnc(&[
        "schedule",
        "tests/data/onnx/squeezenet1_1.onnx",
        "--hw",
        "tpu-v1",
        "-q",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(s["hardware"]["dataflow"], "systolic-ws");
    assert_eq!(s["hardware"]["sram"]["ifmap_bytes"], 24 << 20);
    // Each SRAM its own energy, written and read back by the report.
    assert_eq!(s["hardware"]["energy"]["sram"]["filter"], 1.37);
    let conv = s["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["mapping"].get("array_used").is_some())
        .expect("a conv layer on the array");
    let m = &conv["mapping"];
    assert_eq!(m["dataflow"], "systolic-ws");
    let eff = m["mapping_eff"].as_f64().unwrap();
    let util = m["util"].as_f64().unwrap();
    // Fill and drain: the array computes less often than it holds work.
    assert!(0.0 < util && util <= eff && eff <= 1.0, "{m}");
    let html = tmp("tpu.html");
    let out = nnc(&[
        "report",
        json.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("systolic-ws: "), "the mapping column");
    assert!(page.contains("mapping eff"), "the mapping column");
    assert!(
        page.contains("SRAMs ifmap 16.96 / filter 1.37 / ofmap 6.45"),
        "the hardware's energies"
    );
}
