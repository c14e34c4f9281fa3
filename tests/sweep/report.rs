//! `nnc report results.csv`: the sweep's page.

use super::support::{net, nnc, scratch, sweep, write};

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
    assert_eq!(
        html.matches("class=\"pt\"").count()
            + html.matches("class=\"pareto\"").count()
            + html.matches("class=\"best\"").count(),
        12
    );
    assert!(html.contains("class=\"pareto\""));
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
