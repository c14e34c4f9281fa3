//! `nnc schedule TOPOLOGY.csv --hw CONFIG.cfg --compat scalesim` and the
//! commands that read its file, end to end through the binary.
//!
//! The cases in `tests/fixtures/scalesim/runs/` are recorded runs (see its
//! README): each config of `tests/data/scalesim/runs.json` with the rows
//! recorded on it, conv and GEMM rows in two files. The schedule file's
//! `scalesim` objects must equal SCALE-Sim's recorded columns.

use super::runs::differences;
use crate::cli::{nnc, text};
use crate::lang::snapshot_settings;
use nnc::schedule::read::{AnySchedule, any_from_text};
use nnc::schedule::scalesim::ScaleSimSchedule;
use serde_json::Value;
use std::path::{Path, PathBuf};

const RUNS: &str = "tests/fixtures/scalesim/runs";

fn runs_json() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/scalesim/runs.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every fixture case: (config name, topology file, config file).
fn cases() -> Vec<(String, PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(RUNS);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".csv") else {
            continue;
        };
        let config = stem
            .strip_suffix("-conv")
            .or_else(|| stem.strip_suffix("-gemm"))
            .unwrap()
            .to_owned();
        let cfg = dir.join(format!("{config}.cfg"));
        out.push((config, PathBuf::from(RUNS).join(&name), cfg));
    }
    out.sort();
    assert!(out.len() >= 6, "the fixture cases are there");
    out
}

/// Runs `nnc schedule --compat scalesim` and reads its file back.
fn schedule(topology: &Path, config: &Path) -> ScaleSimSchedule {
    let out = nnc(&[
        "schedule",
        topology.to_str().unwrap(),
        "--hw",
        config.to_str().unwrap(),
        "--compat",
        "scalesim",
        "-o",
        "-",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    match any_from_text(&text(&out.stdout), "schedule").unwrap() {
        AnySchedule::ScaleSim(s) => *s,
        AnySchedule::Nnc(_) => panic!("a SCALE-Sim schedule"),
    }
}

#[test]
fn the_fixtures_are_recorded_runs() {
    let data = runs_json();
    for (config, topology, cfg) in cases() {
        assert_eq!(
            std::fs::read_to_string(&cfg).unwrap(),
            data["configs"][&config].as_str().unwrap(),
            "{config}"
        );
        let text = std::fs::read_to_string(&topology).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        for row in lines {
            let recorded = data["cases"].as_array().unwrap().iter().any(|c| {
                c["config"] == config.as_str()
                    && c["topology"].as_str().unwrap() == format!("{header}\n{row}\n")
            });
            assert!(
                recorded,
                "{}: `{row}` is not a recorded run",
                topology.display()
            );
        }
    }
}

#[test]
fn the_schedule_file_holds_scalesims_columns() {
    let data = runs_json();
    let mut compared = 0;
    for (config, topology, cfg) in cases() {
        let s = schedule(&topology, &cfg);
        for layer in &s.layers {
            // The recorded layers of this row: itself, or a DP row's runs.
            let case = data["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == format!("{config}/{}", layer.name).as_str())
                .unwrap_or_else(|| panic!("{config}/{} recorded", layer.name));
            let recorded = case["layers"].as_array().unwrap();
            assert_eq!(layer.runs as usize, recorded.len(), "{}", layer.name);
            for want in recorded {
                let diffs = differences(want, &layer.scalesim);
                assert!(diffs.is_empty(), "{config}/{}: {diffs:?}", layer.name);
                compared += 1;
            }
            assert_eq!(
                layer.cycles,
                layer.runs * layer.scalesim.total_cycles,
                "{}",
                layer.name
            );
        }
        let t = &s.totals;
        let sum = |f: fn(&nnc::schedule::scalesim::ScaleSimLayerOut) -> u64| -> u64 {
            s.layers.iter().map(f).sum()
        };
        assert_eq!(t.cycles, sum(|l| l.cycles));
        assert_eq!(t.ops, sum(|l| l.ops));
        assert_eq!(
            t.dram.filter,
            sum(|l| l.runs * l.scalesim.dram_filter_reads)
        );
    }
    assert!(compared >= 30, "{compared} layers compared");
}

/// The summary, warnings and errors of a command, as a user sees them.
fn shown(args: &[&str]) -> String {
    let out = nnc(args);
    format!(
        "$ nnc {}\nexit {}\n----- stdout\n{}----- stderr\n{}",
        args.join(" "),
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr)
    )
}

#[test]
fn the_summary_shows_cycles_utilisation_and_accesses() {
    let conv = format!("{RUNS}/os-32x32-8k-user2-conv.csv");
    let cfg = format!("{RUNS}/os-32x32-8k-user2.cfg");
    let gemm = format!("{RUNS}/is-128x128-64k-calc-gemm.csv");
    let calc = format!("{RUNS}/is-128x128-64k-calc.cfg");
    let user = shown(&["schedule", &conv, "--hw", &cfg, "--compat", "scalesim"]);
    let calc = shown(&["schedule", &gemm, "--hw", &calc, "--compat", "scalesim"]);
    let check = shown(&["check", &conv]);
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("scalesim_summary_user", user);
        insta::assert_snapshot!("scalesim_summary_calc_gemm", calc);
        insta::assert_snapshot!("scalesim_check_topology", check);
    });
}

#[test]
fn what_does_not_go_together_says_what_to_do() {
    let conv = format!("{RUNS}/ws-32x32-64k-calc-conv.csv");
    let cfg = format!("{RUNS}/ws-32x32-64k-calc.cfg");
    let cases: Vec<Vec<&str>> = vec![
        // A config without the compat mode.
        vec!["schedule", &conv, "--hw", &cfg],
        // The compat mode without a config.
        vec!["schedule", &conv, "--compat", "scalesim"],
        vec!["schedule", &conv, "--hw", "tetris", "--compat", "scalesim"],
        // A network that is not a topology.
        vec![
            "schedule",
            "nns/alex_net.nn",
            "--hw",
            &cfg,
            "--compat",
            "scalesim",
        ],
        // The search's options.
        vec![
            "schedule", &conv, "--hw", &cfg, "--compat", "scalesim", "--batch", "16",
        ],
        vec![
            "schedule",
            &conv,
            "--hw",
            &cfg,
            "--compat",
            "scalesim",
            "--set",
            "node.gbuf_bytes=1024",
        ],
        // `--gemm` of a network that is not a topology.
        vec!["check", "nns/alex_net.nn", "--gemm"],
        // A topology needs no import.
        vec!["import", &conv, "-o", "-"],
        // Forced GEMM rows in a conv topology: the row's place.
        vec!["check", &conv, "--gemm"],
        // A layer beyond the model's limits on this array, at its row.
        vec![
            "schedule",
            "tests/fixtures/scalesim/cli/huge_gemm.csv",
            "--hw",
            &cfg,
            "--compat",
            "scalesim",
        ],
    ];
    let mut all = String::new();
    for args in &cases {
        let out = nnc(args);
        let code = out.status.code();
        assert!(matches!(code, Some(1 | 2)), "{args:?}: {code:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        all += &shown(args);
        all += "\n";
    }
    snapshot_settings().bind(|| insta::assert_snapshot!("scalesim_usage_errors", all));
}

#[test]
fn report_and_diff_read_the_file() {
    let dir = std::env::temp_dir().join(format!("nnc-scalesim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conv = format!("{RUNS}/ws-32x32-64k-calc-conv.csv");
    let gemm = format!("{RUNS}/ws-32x32-64k-calc-gemm.csv");
    let (a, b, c) = (dir.join("a.json"), dir.join("b.json"), dir.join("c.json"));
    for (file, topology, cfg) in [
        (&a, &conv, "ws-32x32-64k-calc"),
        (&b, &gemm, "ws-32x32-64k-calc"),
        (&c, &gemm, "os-32x32-8k-user2"),
    ] {
        let cfg = format!("{RUNS}/{cfg}.cfg");
        let out = nnc(&[
            "schedule",
            topology,
            "--hw",
            &cfg,
            "--compat",
            "scalesim",
            "-o",
            file.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let (a, b, c) = (
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        c.to_str().unwrap(),
    );
    // Read back and written again: the same bytes.
    let written = std::fs::read_to_string(a).unwrap();
    let AnySchedule::ScaleSim(read) = any_from_text(&written, "a.json").unwrap() else {
        panic!("a SCALE-Sim schedule")
    };
    assert_eq!(read.to_text().unwrap(), written);
    // The page: every layer, SCALE-Sim's columns, no energy made up.
    let page = dir.join("a.html");
    let out = nnc(&["report", a, "-o", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    for needed in [
        "small_s4",
        "mobilenet_dwDP",
        "alexnet_conv3",
        "DRAM ifmap reads",
        "overall util",
        "not part of SCALE-Sim",
    ] {
        assert!(html.contains(needed), "the page shows `{needed}`");
    }
    crate::report::xml::parse(&html).unwrap_or_else(|e| panic!("not well-formed: {e}"));
    // Bounded: one bar per chart (three charts) and one row per layer,
    // nothing per run (the DP row runs 8 times).
    assert_eq!(html.matches("<g class=\"layer\"").count(), 3 * 4);
    assert_eq!(html.matches("<tr><td class=\"n\">").count(), 4);
    assert!(html.len() < 40_000, "{} bytes", html.len());
    // The same file: equal; another config: the cycles first.
    let same = nnc(&["diff", a, a]);
    assert_eq!(same.status.code(), Some(0));
    let diff = nnc(&["diff", b, c]);
    assert_eq!(diff.status.code(), Some(1));
    let shown = text(&diff.stdout)
        .replace(b, "ws.json")
        .replace(c, "os.json");
    // Mixed kinds cannot be compared.
    let nnc_file = dir.join("nnc.json");
    let out = nnc(&["schedule", &gemm, "-o", nnc_file.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mixed = nnc(&["diff", a, nnc_file.to_str().unwrap()]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(text(&mixed.stderr).contains("cannot be compared"));
    std::fs::remove_dir_all(&dir).unwrap();
    snapshot_settings().bind(|| insta::assert_snapshot!("scalesim_diff", shown));
}
