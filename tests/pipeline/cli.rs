//! The pipelining flags of `nnc schedule` through the binary: the
//! combinations the model refuses are usage errors that say why, and a
//! pipelined search never ends above the same search without pipelining.

use crate::cli::{nnc, text};

const SMALL: &str = "tests/fixtures/schedule/small_conv.nn";
/// Hybrid and batch partitioning, and nothing else of nnc's defaults
/// (docs/model/network.md#default-options): a flag after these turns its
/// option back on.
const TETRIS_HYBRID: [&str; 11] = [
    "--hw",
    "tetris",
    "--batch",
    "4",
    "--partition",
    "hybrid",
    "--batch-partition",
    "--no-ifmap-partition",
    "--no-access-forwarding",
    "--no-interlayer",
    "--no-save-writeback",
];

#[test]
fn refused_combinations_are_usage_errors() {
    for (args, says) in [
        (
            vec!["--layer-by-layer", "--basic-interlayer"],
            "--basic-interlayer needs --interlayer or --save-writeback",
        ),
        (
            vec!["--layer-by-layer", "--pipeline-time-overhead", "0.5"],
            "--pipeline-time-overhead needs --interlayer",
        ),
        (
            vec!["--layer-by-layer", "--pipeline-max-degree", "2"],
            "--pipeline-max-degree needs --interlayer",
        ),
        (
            vec![
                "--save-writeback",
                "--solver",
                "analytic",
                "--compat",
                "nn_dataflow",
            ],
            "--solver analytic cannot be combined with --save-writeback under --compat nn_dataflow",
        ),
        (
            vec!["--gbuf-sharing", "--solver", "analytic"],
            "--solver analytic cannot be combined with --gbuf-sharing",
        ),
        (
            vec!["--gbuf-sharing", "--access-forwarding"],
            "--access-forwarding is implied by --gbuf-sharing",
        ),
        (
            vec!["--interlayer", "--pipeline-time-overhead", "-1"],
            "`-1` is not a time overhead",
        ),
        (
            vec!["--interlayer", "--pipeline-time-overhead", "NaN"],
            "is not a time overhead",
        ),
        (
            vec!["--interlayer", "--pipeline-max-degree", "0"],
            "--pipeline-max-degree",
        ),
    ] {
        let mut all = vec!["schedule", "nns/mlp_s.nn"];
        all.extend(&args);
        let out = nnc(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

/// The analytical solver with save-writeback, refused by the reference
/// only (docs/compat.md#solver_refuses_save_writeback): in nnc's model the
/// pair runs, and its schedule is no worse than the solver's layer by layer
/// (a layer alone is one of its segments).
#[test]
fn the_solver_runs_with_save_writeback_in_nncs_model() {
    let alone = energy(&["--solver", "analytic"]);
    let kept = energy(&["--solver", "analytic", "--save-writeback"]);
    assert!(kept <= alone, "{kept} > {alone}");
}

/// The total energy a `nnc schedule` run prints.
fn energy(extra: &[&str]) -> f64 {
    let mut args = vec!["schedule", SMALL, "--quiet", "-o", "-"];
    args.extend(TETRIS_HYBRID);
    args.extend(extra);
    let out = nnc(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{extra:?}: {}",
        text(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["totals"]["energy"].as_f64().unwrap()
}

#[test]
fn pipelining_is_never_worse_and_the_flags_take_effect() {
    let alone = energy(&[]);
    let spatial = energy(&["--interlayer"]);
    let both = energy(&["--interlayer", "--save-writeback"]);
    let basic = energy(&["--interlayer", "--basic-interlayer"]);
    // The one-layer segmentation is always a candidate.
    for (what, e) in [("spatial", spatial), ("both", both), ("basic", basic)] {
        assert!(e <= alone, "{what}: {e} > {alone}");
    }
    // Segments over the stem, the residual pair and the classifier pay off
    // on this array.
    assert!(spatial < alone, "{spatial} !< {alone}");
    // No overhead allowed keeps at most the segments that cost no time.
    let strict = energy(&["--interlayer", "--pipeline-time-overhead", "0"]);
    assert!(strict <= alone && strict >= spatial, "{strict}");
    let one = energy(&["--interlayer", "--pipeline-max-degree", "1"]);
    assert!(one <= alone && one >= spatial, "{one}");
}

/// Buffer sharing (docs/model/buffer-sharing.md#buffer-sharing) on small
/// buffers that must hold everything: without it AlexNet's first layer does
/// not fit 8 KiB; with 32 KiB it fits either way and sharing saves energy,
/// and it never costs more than forwarding alone (not sharing at all is
/// always among its candidates).
#[test]
fn buffer_sharing_fits_smaller_buffers_and_never_costs_more() {
    let run = |gbuf: &str, sharing: &str| {
        let set = format!("node.gbuf_bytes={gbuf}");
        let mut args = vec!["schedule", "nns/alex_net.nn", "-q", "-o", "-"];
        args.extend(TETRIS_HYBRID);
        args.extend(["--set", &set, "--no-bypass", "i,o,f", sharing]);
        let out = nnc(&args);
        match out.status.code() {
            Some(0) => {
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                // Written only when on.
                let on = v["options"]["gbuf_sharing"].as_bool().unwrap_or(false);
                assert_eq!(on, sharing == "--gbuf-sharing");
                Some(v)
            }
            Some(3) => None,
            c => panic!("{gbuf} {sharing}: exit {c:?}: {}", text(&out.stderr)),
        }
    };
    assert!(run("8192", "--access-forwarding").is_none());
    let small = run("8192", "--gbuf-sharing").expect("sharing fits 8 KiB");
    let layers = small["layers"].as_array().unwrap();
    let conv1 = &layers[0]["blocking"]["sharing"];
    assert!(
        conv1["subgroup"]
            .as_object()
            .unwrap()
            .values()
            .any(|s| s.as_u64().unwrap() > 1)
    );
    let e = |v: &serde_json::Value| v["totals"]["energy"].as_f64().unwrap();
    let fwd = run("32768", "--access-forwarding").unwrap();
    let shared = run("32768", "--gbuf-sharing").unwrap();
    assert!(e(&shared) < e(&fwd), "{} !< {}", e(&shared), e(&fwd));
    for (a, b) in shared["layers"]
        .as_array()
        .unwrap()
        .iter()
        .zip(fwd["layers"].as_array().unwrap())
    {
        let (x, y) = (a["energy"].as_f64().unwrap(), b["energy"].as_f64().unwrap());
        assert!(x <= y, "{}: {x} > {y}", a["name"]);
    }
}

#[test]
fn the_summary_groups_layers_by_segment() {
    let mut args = vec!["schedule", SMALL];
    args.extend(TETRIS_HYBRID);
    args.extend(["--interlayer", "--save-writeback"]);
    let out = nnc(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(table.contains("segment 0"), "{table}");
    crate::lang::snapshot_settings().bind(|| {
        insta::assert_snapshot!("pipeline_summary_small_conv_tetris_hybrid", table);
    });
}

#[test]
fn the_schedule_file_records_segments_and_places() {
    let mut args = vec!["schedule", SMALL, "-q", "-o", "-"];
    args.extend(TETRIS_HYBRID);
    args.extend(["--interlayer", "--pipeline-time-overhead", "0.5"]);
    let out = nnc(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "nnc-schedule/2");
    assert_eq!(v["options"]["interlayer"], true);
    assert_eq!(v["options"]["pipeline_time_overhead"], 0.5);
    let segments = v["segments"].as_array().unwrap();
    // Every layer is in exactly the segment and group its place names.
    let mut seen = 0;
    for l in v["layers"].as_array().unwrap() {
        let p = &l["place"];
        let seg = &segments[p["segment"].as_u64().unwrap() as usize];
        let group = &seg["groups"][p["group"].as_u64().unwrap() as usize];
        assert_eq!(group[p["position"].as_u64().unwrap() as usize], l["name"]);
        assert_eq!(
            p["region"],
            seg["regions"][p["group"].as_u64().unwrap() as usize]
        );
        seen += 1;
    }
    assert_eq!(seen, 6);
    // The pipelined time is the segments' times added up.
    let sum: u64 = segments.iter().map(|s| s["time"].as_u64().unwrap()).sum();
    assert_eq!(v["totals"]["time"].as_u64().unwrap(), sum);
}

#[test]
fn pipelined_schedules_are_the_same_bytes_with_one_or_many_threads() {
    let run = |threads: &str| {
        let mut args = vec!["schedule", SMALL, "-q", "-o", "-", "--threads", threads];
        args.extend(TETRIS_HYBRID);
        args.extend(["--interlayer", "--save-writeback", "--top", "3"]);
        let out = nnc(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        out.stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
    assert_eq!(one, run("4"));
}

#[test]
fn pipelining_never_costs_more_on_the_shipped_networks() {
    // The analytical solver keeps this quick. The one-layer segmentation
    // is always a candidate, but the search keeps the best `--top`
    // schedules at each layer whatever layout they leave the next layer,
    // so this is a property of these networks, not of every network.
    let mut nets: Vec<_> = std::fs::read_dir("nns")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "nn"))
        .collect();
    nets.sort();
    assert!(nets.len() >= 10, "{nets:?}");
    let mut better = 0;
    for net in &nets {
        let run = |extra: &[&str]| {
            let mut args = vec!["schedule", net.to_str().unwrap(), "-q", "-o", "-"];
            args.extend(TETRIS_HYBRID);
            args.extend(["--solver", "analytic"]);
            args.extend(extra);
            let out = nnc(&args);
            assert_eq!(out.status.code(), Some(0), "{net:?}: {}", text(&out.stderr));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            v["totals"]["energy"].as_f64().unwrap()
        };
        let (alone, piped) = (run(&[]), run(&["--interlayer"]));
        assert!(piped <= alone, "{net:?}: {piped} > {alone}");
        if piped < alone {
            better += 1;
        }
    }
    // And it pays off on most of them.
    assert!(
        better * 2 > nets.len(),
        "better on {better} of {}",
        nets.len()
    );
}

/// No pipelined schedule is below its energy lower bound, per layer or in
/// total: data passed between layers on chip is exactly what the bound
/// leaves out with pipelining (docs/model/bound.md#one-bound-for-every-schedule).
#[test]
fn pipelined_schedules_stay_above_their_lower_bounds() {
    let mut runs: Vec<(String, Vec<&str>)> = vec![
        (SMALL.to_owned(), vec!["--interlayer"]),
        (SMALL.to_owned(), vec!["--interlayer", "--save-writeback"]),
        (SMALL.to_owned(), vec!["--save-writeback"]),
    ];
    for net in [
        "nns/alex_net.nn",
        "nns/googlenet.nn",
        "nns/resnet50.nn",
        "nns/mlp_m.nn",
    ] {
        runs.push((net.to_owned(), vec!["--interlayer", "--solver", "analytic"]));
    }
    for (net, extra) in &runs {
        let mut args = vec!["schedule", net.as_str(), "-q", "-o", "-"];
        args.extend(TETRIS_HYBRID);
        args.extend(extra);
        let out = nnc(&args);
        assert_eq!(out.status.code(), Some(0), "{net}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let above = |what: &str, x: &serde_json::Value| {
            let (e, b) = (
                x["energy"].as_f64().unwrap(),
                x["lower_bound"]["energy"].as_f64().unwrap(),
            );
            assert!(
                e >= b * (1.0 - 1e-12),
                "{net} {extra:?} {what}: {e} < bound {b}"
            );
        };
        for l in v["layers"].as_array().unwrap() {
            above(l["name"].as_str().unwrap(), l);
        }
        above("total", &v["totals"]);
    }
}
