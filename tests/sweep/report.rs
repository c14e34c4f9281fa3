//! `nnc report results.csv`: the sweep's page.

use super::support::{net, nnc, scratch, sweep, write};
use nnc::sweep::Results;

#[test]
fn a_sweep_report_marks_the_pareto_front() {
    let dir = scratch("report");
    let spec = write(
        &dir,
        "spec.toml",
        &format!(
            "networks = [\"{}\"]\n[options]\nsolver = \"analytic\"\n[vary]\n\"node.pe_array\" = [[8, 8], [16, 16]]\n\"node.regf_bytes\" = [8, 512]\n",
            net("alex_net.nn")
        ),
    );
    let csv = dir.join("out.csv");
    let text = sweep(&spec, &csv, &[]);
    // regf 8 has no schedule: two rows of four.
    assert_eq!(
        text.lines().filter(|l| l.contains(",ok,")).count(),
        2,
        "{text}"
    );
    let page = dir.join("out.html");
    let o = nnc(&[
        "report",
        csv.to_str().unwrap(),
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("nnc sweep: 4 rows, 2 with a schedule"),
        "{html}"
    );
    // One energy-time chart, energy and time against area (the eyeriss
    // preset's [tech] node gives every point an area), and one per varied
    // column (a PE array's rows and columns are two).
    assert_eq!(html.matches("<svg").count(), 6);
    // Two rows in each of the six charts.
    assert_eq!(html.matches("<circle").count(), 12);
    assert!(html.contains("class=\"pareto\""));
    // Units on the axes: the preset's energy unit, cycles, mm².
    assert!(
        html.contains(">energy (MAC") && html.contains(">time (cycles"),
        "{html}"
    );
    assert!(html.contains(">area (mm²"), "{html}");
    // The front numbered in the chart and in its table.
    assert!(html.contains("<text class=\"num\""), "{html}");
    assert!(html.contains("<tr><th>#</th>"), "{html}");
    // Self-contained: nothing fetched, no script.
    for fetch in ["<script", "src=", "href=", "@import"] {
        assert!(!html.contains(fetch), "{fetch}");
    }
    // Not a results file: an error naming the line.
    let bad = write(&dir, "bad.csv", "a,b\n1,2\n");
    let o = nnc(&["report", bad.to_str().unwrap(), "-o", "-"]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("error[R007]: not a results file") && stderr.contains("bad.csv:1:1"),
        "{stderr}"
    );
}

/// A results table of `n` rows read back as `nnc report` reads it: four
/// varied keys (four values each but the last), energies over three
/// decades and times over one, from a fixed generator.
fn results(n: usize) -> Results {
    let keys = [
        "node.gbuf_bytes",
        "node.pe_array.rows",
        "node.pe_array.cols",
        "energy.dram",
    ];
    let mut columns: Vec<String> = vec!["network".into(), "batch".into()];
    columns.extend(keys.iter().map(|k| k.to_string()));
    columns.extend(["energy", "time", "status"].map(String::from));
    let mut state: u64 = 12345;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let rows = (0..n)
        .map(|i| {
            let mut r = vec!["net.nn".to_owned(), "1".to_owned()];
            r.push((4096 << (i % 4)).to_string());
            r.push((4 << (i / 4 % 4)).to_string());
            r.push((4 << (i / 16 % 4)).to_string());
            r.push(format!("{}", 100 + i / 64));
            let energy = 1e9 * 10f64.powf(3.0 * next());
            let time = (1e6 * 10f64.powf(next())).round();
            r.extend([energy.to_string(), time.to_string(), "ok".to_owned()]);
            r
        })
        .collect();
    Results {
        spec_sha256: "0".repeat(64),
        energy_unit: Some("pJ".to_owned()),
        columns,
        keys: keys.map(String::from).to_vec(),
        rows,
    }
}

/// Energies over three decades: a log axis with decade ticks; times over
/// one: linear. Every varied key's chart is coloured by the others.
#[test]
fn wide_values_get_log_axes_and_keys_colours() {
    let html = nnc::report::sweep::html(&results(64));
    assert!(html.contains(">energy (pJ, log)</text>"), "{html}");
    assert!(html.contains(">time (cycles)</text>"), "{html}");
    for decade in ["1e9", "1e10", "1e11"] {
        assert!(html.contains(&format!(">{decade}</text>")), "{decade}");
    }
    // Four key charts, each with a legend of the other keys' colours.
    assert_eq!(html.matches("; colour:").count(), 4, "{html}");
    assert!(html.contains("<span class=\"sw c0\"></span>"));
    assert!(html.contains("class=\"c1"));
}

/// A sweep of 100,000 rows: its page is under a megabyte, every chart
/// still drawn.
#[test]
fn a_big_sweeps_page_is_under_a_megabyte() {
    let html = nnc::report::sweep::html(&results(100_000));
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
    assert_eq!(html.matches("<svg").count(), 5);
    assert!(html.matches("<circle").count() > 5_000);
}

/// The page of a small sweep, whole.
#[test]
fn a_sweep_page_snapshot() {
    let html = nnc::report::sweep::html(&results(16));
    crate::lang::snapshot_settings().bind(|| insta::assert_snapshot!("sweep_report_page", html));
}
