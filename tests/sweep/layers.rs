//! `nnc sweep --per-layer`: one row per design point and layer beside the
//! results, each layer's numbers those of `nnc schedule` of its point, a
//! point's layers adding up to its results row; written the same for any
//! thread count, shards merged, and a resume.

use super::support::{fields, net, nnc, nnc_ok, schedule, scratch, sweep, write};
use std::path::Path;

/// Two networks, a register file too small for AlexNet's schedule at one
/// point (a point without a schedule), two buffer sizes.
fn spec() -> String {
    format!(
        r#"
networks = ["{}", "{}"]
batch = [2]
[options]
solver = "analytic"
[vary]
"node.regf_bytes" = [512, 8]
"node.gbuf_bytes" = [32768, 131072]
"#,
        net("mlp_s.nn"),
        net("alex_net.nn")
    )
}

/// The rows of a CSV file after its two header lines, as fields, and the
/// column index of a name.
fn table(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.lines();
    lines.next();
    let header = fields(lines.next().unwrap());
    (header, lines.map(fields).collect())
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|c| c == name).unwrap()
}

/// A number cell.
fn num(cell: &str) -> f64 {
    cell.parse().unwrap()
}

#[test]
fn layer_rows_are_the_schedules_layers_and_add_up_to_the_totals() {
    let dir = scratch("layers");
    let spec = write(&dir, "spec.toml", &spec());
    let out = dir.join("out.csv");
    let results = sweep(&spec, &out, &["--per-layer"]);
    let layers = std::fs::read_to_string(dir.join("out.layers.csv")).unwrap();
    assert!(layers.starts_with("# nnc-sweep-layers/1 spec="), "{layers}");
    let (rh, rows) = table(&results);
    let (lh, lrows) = table(&layers);
    assert_eq!(
        lh.join(","),
        "network,batch,node.regf_bytes,node.gbuf_bytes,area_mm2,layer_index,layer,energy_unit,\
energy,time,time_proc,time_bus,time_dram,energy_op,energy_dram,energy_gbuf,energy_array,energy_regf,\
energy_noc,energy_static,seconds,macs,utilization,accesses_dram,accesses_gbuf,accesses_array,\
accesses_regf,noc_hops,bound_energy,bound_time,status,checksum"
    );
    let keys = col(&rh, "area_mm2") + 1;
    let (mut scheduled, mut unscheduled, mut at) = (0, 0, 0);
    for row in &rows {
        let key = &row[..keys];
        let mine: Vec<&Vec<String>> = lrows[at..]
            .iter()
            .take_while(|l| &l[..keys] == key)
            .collect();
        at += mine.len();
        let status = &row[col(&rh, "status")];
        if status != "ok" {
            // One row with the status and nothing else.
            assert_eq!(mine.len(), 1, "{row:?}");
            assert_eq!(&mine[0][col(&lh, "status")], status);
            let cells = &mine[0][keys..col(&lh, "status")];
            assert!(cells.iter().all(String::is_empty), "{:?}", mine[0]);
            unscheduled += 1;
            continue;
        }
        let v = schedule(&[
            &row[0],
            "--batch",
            &row[1],
            "--solver",
            "analytic",
            "--set",
            &format!("node.regf_bytes={}", row[2]),
            "--set",
            &format!("node.gbuf_bytes={}", row[3]),
        ]);
        let expected = v["layers"].as_array().unwrap();
        assert_eq!(mine.len(), expected.len(), "{row:?}");
        let sum = |name: &str| mine.iter().map(|l| num(&l[col(&lh, name)])).sum::<f64>();
        for (i, (l, e)) in mine.iter().zip(expected).enumerate() {
            let cell = |name: &str| l[col(&lh, name)].clone();
            assert_eq!(cell("layer_index"), i.to_string());
            assert_eq!(cell("layer"), e["name"].as_str().unwrap());
            assert_eq!(
                cell("energy_unit"),
                v["totals"]["energy_unit"].as_str().unwrap()
            );
            let b = &e["energy_breakdown"];
            let t = &e["time"];
            let words = |level: &str| {
                let a = &e["accesses"][level];
                (a["fil"].as_f64().unwrap() + a["ifm"].as_f64().unwrap())
                    + a["ofm"].as_f64().unwrap()
            };
            let h = &e["noc_hops"];
            let hops = (h["fil"].as_f64().unwrap() + h["ifm"].as_f64().unwrap())
                + h["ofm"].as_f64().unwrap();
            for (name, want) in [
                ("energy", e["energy"].as_f64().unwrap()),
                ("time", t["total"].as_f64().unwrap()),
                ("time_proc", t["proc"].as_f64().unwrap()),
                ("time_bus", t["bus"].as_f64().unwrap()),
                ("time_dram", t["dram"].as_f64().unwrap()),
                ("energy_op", b["op"].as_f64().unwrap()),
                ("energy_dram", b["dram"].as_f64().unwrap()),
                ("energy_gbuf", b["gbuf"].as_f64().unwrap()),
                ("energy_regf", b["regf"].as_f64().unwrap()),
                ("energy_static", b["static"].as_f64().unwrap()),
                ("macs", e["ops"].as_f64().unwrap()),
                ("utilization", e["utilization"].as_f64().unwrap()),
                ("accesses_dram", words("dram")),
                ("accesses_gbuf", words("gbuf")),
                ("accesses_regf", words("regf")),
                ("noc_hops", hops),
                ("bound_energy", e["lower_bound"]["energy"].as_f64().unwrap()),
                ("bound_time", e["lower_bound"]["time"].as_f64().unwrap()),
            ] {
                assert_eq!(num(&cell(name)).to_bits(), want.to_bits(), "{name}: {l:?}");
            }
            // The presets give no clock.
            assert_eq!(cell("seconds"), "");
        }
        // A point's layers add up to its totals: energy to rounding, MACs
        // and (one layer at a time) cycles exactly.
        let total = |name: &str| num(&row[col(&rh, name)]);
        for name in [
            "energy",
            "energy_op",
            "energy_dram",
            "energy_gbuf",
            "energy_regf",
        ] {
            let (s, t) = (sum(name), total(name));
            assert!((s - t).abs() <= 1e-12 * t, "{name}: {s} vs {t}");
        }
        assert_eq!(sum("macs"), total("macs"));
        assert_eq!(sum("time"), total("time"));
        scheduled += 1;
    }
    assert_eq!(at, lrows.len(), "layer rows of no point");
    assert_eq!((scheduled, unscheduled), (6, 2));
}

/// Runs the sweep into `out` with `extra` flags and `--per-layer`: the
/// results and the layers file.
fn both(spec: &Path, out: &Path, extra: &[&str]) -> (String, String) {
    let mut flags = vec!["--per-layer"];
    flags.extend(extra);
    let results = sweep(spec, out, &flags);
    let layers = std::fs::read_to_string(out.with_extension("layers.csv")).unwrap();
    (results, layers)
}

#[test]
fn layer_rows_are_the_same_on_any_threads_shards_and_resume() {
    let dir = scratch("layers-order");
    let spec = write(&dir, "spec.toml", &spec());
    let whole = both(&spec, &dir.join("whole.csv"), &["--threads", "2"]);
    assert_eq!(
        both(&spec, &dir.join("one.csv"), &["--threads", "1"]),
        whole
    );
    // Shards, merged.
    let mut args = vec!["sweep".to_owned(), spec.display().to_string()];
    args.push("--merge".into());
    for i in 0..3 {
        let part = dir.join(format!("part{i}.csv"));
        both(&spec, &part, &["--shard", &format!("{i}/3")]);
        args.push(part.display().to_string());
    }
    let merged = dir.join("merged.csv");
    args.extend([
        "--per-layer".into(),
        "-o".into(),
        merged.display().to_string(),
    ]);
    nnc_ok(&args);
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    assert_eq!((read(&merged), read(&dir.join("merged.layers.csv"))), whole);
    // A kill after a point's layers, before its results row (and in the
    // middle of the next point's layers): the rerun ends as a whole run.
    let out = dir.join("resumed.csv");
    let layers = dir.join("resumed.layers.csv");
    let results_lines: Vec<&str> = whole.0.split_inclusive('\n').collect();
    let layer_lines: Vec<&str> = whole.1.split_inclusive('\n').collect();
    std::fs::write(&out, results_lines[..4].concat()).unwrap();
    // Header, then mlp_s's three layers at each of the two points, then a
    // layer and a torn line.
    std::fs::write(&layers, layer_lines[..10].concat() + "mlp").unwrap();
    assert_eq!(both(&spec, &out, &[]), whole);
    // Resuming without --per-layer would leave the layers behind: refused,
    // the files as they were.
    std::fs::write(&out, results_lines[..4].concat()).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["sweep", spec.to_str().unwrap(), "-o", out.to_str().unwrap()];
        args.extend(extra);
        nnc(&args)
    };
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("give --per-layer"), "{stderr}");
    assert_eq!(read(&layers), whole.1);
    // Results written without --per-layer cannot gain their layers.
    std::fs::remove_file(&layers).unwrap();
    let o = run(&["--per-layer"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("lacks the per-layer rows of 2 of the 2 rows"),
        "{stderr}"
    );
    assert!(!layers.exists());
    // A layer row changed since nnc wrote it is never kept.
    let changed = whole.1.replacen(",fc2,", ",fc9,", 1);
    std::fs::write(&layers, &changed).unwrap();
    let o = run(&["--per-layer"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("R011"), "{stderr}");
}
