//! `nnc report`: the page is well-formed, its bars are the schedule's
//! numbers at the chart's scale, a small report is pinned by a snapshot,
//! and every shipped network on every preset gets a report.

use super::xml::{self, Element};
use super::{Dir, OutputText, nnc_in, schedule};
use nnc::report::html::{PLOT_HEIGHT, html};
use nnc::schedule::read::from_text;

const COMPONENTS: [&str; 7] = ["op", "dram", "gbuf", "array", "regf", "noc", "static"];

/// The page of a schedule, and the schedule file's JSON (read on its own,
/// not through the reader under test).
fn page(net: &str, hw: &str, batch: u64) -> (String, serde_json::Value) {
    let text = nnc::schedule::to_text(&schedule(net, hw, batch)).unwrap();
    let saved = from_text(&text, net).unwrap();
    (html(&saved), serde_json::from_str(&text).unwrap())
}

fn num(e: &Element, attr: &str) -> f64 {
    e.attr(attr).unwrap().parse().unwrap()
}

/// The `<svg class="CLASS">` chart of the page.
fn chart<'a>(root: &'a Element, class: &str) -> &'a Element {
    let charts = root.find("svg", class);
    assert_eq!(charts.len(), 1, "one {class} chart");
    charts[0]
}

/// Checks the energy chart against the schedule: one bar group per layer
/// in network order, one rectangle per non-zero component, bottom up, of
/// the height the component's energy has at the chart's scale, and a
/// lower-bound tick at the bound's height.
fn check_energy_bars(root: &Element, json: &serde_json::Value) {
    let svg = chart(root, "energy");
    let axis_max = num(svg, "data-axis-max");
    assert_eq!(num(svg, "data-plot-height"), PLOT_HEIGHT);
    let layers = json["layers"].as_array().unwrap();
    let largest = layers
        .iter()
        .map(|l| {
            let e = l["energy"].as_f64().unwrap();
            e.max(l["lower_bound"]["energy"].as_f64().unwrap())
        })
        .fold(0.0, f64::max);
    // Every bar fits, and the axis is not much taller than the tallest.
    assert!(
        axis_max >= largest && axis_max <= 2.5 * largest.max(1e-300),
        "{axis_max} {largest}"
    );
    let scale = PLOT_HEIGHT / axis_max;
    let groups = svg.find("g", "layer");
    assert_eq!(groups.len(), layers.len());
    for (g, l) in groups.iter().zip(layers) {
        let name = l["name"].as_str().unwrap();
        assert_eq!(g.attr("data-layer"), Some(name));
        let b = &l["energy_breakdown"];
        let expected: Vec<(&str, f64)> = COMPONENTS
            .iter()
            .map(|&c| (c, b[c].as_f64().unwrap()))
            .filter(|(_, v)| *v > 0.0)
            .collect();
        let rects: Vec<&Element> = g
            .children
            .iter()
            .filter(|c| c.name == "rect" && c.attr("class") != Some("bound"))
            .collect();
        assert_eq!(rects.len(), expected.len(), "{name}");
        let base = rects
            .first()
            .map(|r| num(r, "y") + num(r, "height"))
            .unwrap_or(0.0);
        let mut top = base;
        for (r, (c, v)) in rects.iter().zip(&expected) {
            assert_eq!(r.attr("class"), Some(format!("c-{c}").as_str()), "{name}");
            // Written with two decimals: within half a hundredth, plus
            // the float noise of the stacking.
            let h = num(r, "height");
            assert!(
                (h - v * scale).abs() <= 0.006,
                "{name} {c}: {h} vs {}",
                v * scale
            );
            assert!((num(r, "y") + h - top).abs() <= 0.011, "{name} {c} stacks");
            top = num(r, "y");
            let title = r.title().unwrap();
            assert!(title.starts_with(&format!("{name}: {c} ")), "{title}");
        }
        let total: f64 = l["energy"].as_f64().unwrap();
        assert!(
            (base - top - total * scale).abs() <= 0.05,
            "{name}: the stack is the energy"
        );
        let bound = g.find("rect", "bound");
        assert_eq!(bound.len(), 1, "{name}");
        let lb = l["lower_bound"]["energy"].as_f64().unwrap();
        let mid = num(bound[0], "y") + num(bound[0], "height") / 2.0;
        if !expected.is_empty() {
            assert!(
                (base - mid - lb * scale).abs() <= 0.011,
                "{name}: bound at {mid}"
            );
        }
    }
}

#[test]
fn the_page_is_well_formed_and_the_bars_are_the_numbers() {
    for (net, hw, batch) in [
        ("nns/alex_net.nn", "eyeriss", 16),
        ("tests/fixtures/schedule/small_conv.nn", "tetris", 4),
        ("nns/resnet50.nn", "tetris", 1),
    ] {
        let (page, json) = page(net, hw, batch);
        let root = xml::parse(&page).unwrap_or_else(|e| panic!("{net} on {hw}: {e}"));
        assert_eq!(root.name, "html");
        check_energy_bars(&root, &json);
        // Time and utilization: one group per layer too.
        let n = json["layers"].as_array().unwrap().len();
        assert_eq!(chart(&root, "time").find("g", "layer").len(), n);
        assert_eq!(chart(&root, "util").find("g", "layer").len(), n);
        // The table lists every layer, plus a header and a total row.
        let table = &root.find("table", "layers")[0];
        assert_eq!(table.children.len(), n + 2);
        // Nothing to fetch, nothing to run.
        // (The SVG namespace is a name, not a fetch.)
        let rest = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for bad in ["<script", "http:", "https:", "src=", "url(", "@import"] {
            assert!(!rest.contains(bad), "{net}: {bad}");
        }
    }
}

#[test]
fn a_dram_bound_layer_shows_its_wait() {
    // fc layers on eyeriss-chip at batch 1 wait on nothing; a finite DRAM
    // bandwidth makes time DRAM-bound.
    let (page, json) = page("nns/mlp_s.nn", "tests/report/slow_dram.toml", 1);
    let root = xml::parse(&page).unwrap();
    let layers = json["layers"].as_array().unwrap();
    let groups = chart(&root, "time").find("g", "layer");
    let mut waits = 0;
    for (g, l) in groups.iter().zip(layers) {
        let t = &l["time"];
        let (total, proc) = (t["total"].as_f64().unwrap(), t["proc"].as_f64().unwrap());
        let dram = g.find("rect", "t-dram");
        assert_eq!(dram.len(), usize::from(total > proc), "{}", l["name"]);
        if total > proc {
            waits += 1;
            let title = dram[0].title().unwrap();
            assert!(title.contains("DRAM-bound"), "{title}");
        }
    }
    assert!(waits > 0, "some layer waits on DRAM");
}

#[test]
fn a_small_report_snapshot() {
    let (page, _) = page(
        "tests/fixtures/schedule/conv_pool.nn",
        "tests/report/clocked.toml",
        4,
    );
    // The clock gives seconds and watts.
    assert!(page.contains("<td>seconds</td>") && page.contains("<td>average power</td>"));
    let mut settings = crate::lang::snapshot_settings();
    settings.add_filter("[0-9a-f]{64}", "[sha256]");
    settings.add_filter(
        "<td>nnc</td><td>[^<]*</td>",
        "<td>nnc</td><td>[version]</td>",
    );
    settings.bind(|| insta::assert_snapshot!("report_conv_pool_clocked", page));
}

#[test]
fn every_shipped_network_on_every_preset() {
    let mut nets: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/nns"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "nn"))
        .collect();
    nets.sort();
    assert!(nets.len() >= 14);
    for net in &nets {
        let net = format!("nns/{}", net.file_name().unwrap().to_str().unwrap());
        for hw in nnc::hw::preset_names() {
            let (page, json) = page(&net, hw, 1);
            let root = xml::parse(&page).unwrap_or_else(|e| panic!("{net} on {hw}: {e}"));
            check_energy_bars(&root, &json);
        }
    }
}

/// `-o` over the schedule being read is refused and the file kept.
#[test]
fn the_page_never_overwrites_its_schedule() {
    let dir = Dir::new("report-self");
    dir.schedule("s.json", &["tests/fixtures/schedule/conv_pool.nn"]);
    let before = std::fs::read(dir.path("s.json")).unwrap();
    let out = nnc_in(&dir, &["report", "s.json", "-o", "./s.json"]);
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr_text());
    assert!(
        out.stderr_text().contains("is the input"),
        "{}",
        out.stderr_text()
    );
    assert_eq!(std::fs::read(dir.path("s.json")).unwrap(), before);
}

#[test]
fn the_command_writes_the_page_or_says_why_not() {
    let dir = Dir::new("report-cli");
    dir.schedule("s.json", &["tests/fixtures/schedule/conv_pool.nn"]);
    let out = nnc_in(&dir, &["report", "s.json", "-o", "s.html"]);
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr_text());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let file = std::fs::read_to_string(dir.path("s.html")).unwrap();
    let out = nnc_in(&dir, &["report", "s.json", "-o", "-"]);
    assert_eq!(out.stdout_text(), file, "-o - writes the same page");
    assert!(file.starts_with("<!DOCTYPE html>\n"));

    let text = std::fs::read_to_string(dir.path("s.json")).unwrap();
    std::fs::write(dir.path("cut.json"), &text[..100]).unwrap();
    let out = nnc_in(&dir, &["report", "cut.json", "-o", "cut.html"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr_text()
            .starts_with("error[R001]: not a schedule file: EOF while parsing"),
        "{}",
        out.stderr_text()
    );
    assert!(!dir.path("cut.html").exists(), "nothing written");

    let out = nnc_in(&dir, &["report", "absent.json", "-o", "a.html"]);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(dir.path("sweep.csv"), "a,b\n").unwrap();
    // A `.csv` is read as sweep results (tests/sweep/report.rs); this is none.
    let out = nnc_in(&dir, &["report", "sweep.csv", "-o", "sweep.html"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr_text()
            .contains("error[R007]: not a results file of `nnc sweep`"),
        "{}",
        out.stderr_text()
    );
    let out = nnc_in(&dir, &["report", "s.json"]);
    assert_eq!(out.status.code(), Some(2), "-o is required");
    let out = nnc_in(&dir, &["report", "s.json", "-o", "no/such/dir/x.html"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr_text()
            .starts_with("error: cannot write `no/such/dir/x.html`")
    );
}

#[test]
fn a_pipelined_schedule_gets_a_segment_timeline() {
    let dir = Dir::new("report-segments");
    let args = [
        "tests/fixtures/schedule/small_conv.nn",
        "--hw",
        "tetris",
        "--batch",
        "4",
        "--partition",
        "hybrid",
        "--batch-partition",
        "--layer-by-layer",
    ];
    dir.schedule("flat.json", &args);
    let mut pipelined = args.to_vec();
    pipelined.push("--interlayer");
    dir.schedule("pipe.json", &pipelined);
    for (name, expect) in [("flat", false), ("pipe", true)] {
        let text = std::fs::read_to_string(dir.path(&format!("{name}.json"))).unwrap();
        let page = html(&from_text(&text, name).unwrap());
        let root = xml::parse(&page).unwrap();
        let timelines = root.find("svg", "segments");
        assert_eq!(timelines.len(), usize::from(expect), "{name}");
        if !expect {
            continue;
        }
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let segments = json["segments"].as_array().unwrap();
        let svg = timelines[0];
        let scale = 1000.0 / num(svg, "data-axis-max");
        let groups = svg.find("g", "segment");
        assert_eq!(groups.len(), segments.len());
        let mut x: Option<f64> = None;
        for (g, seg) in groups.iter().zip(segments) {
            let rects: Vec<&Element> = g.children.iter().filter(|c| c.name == "rect").collect();
            assert_eq!(rects.len(), seg["groups"].as_array().unwrap().len());
            let t = seg["time"].as_f64().unwrap();
            for r in &rects {
                assert!((num(r, "width") - t * scale).abs() <= 0.006);
            }
            // One after another.
            if let Some(x) = x {
                assert!((num(rects[0], "x") - x).abs() <= 0.011);
            }
            x = Some(num(rects[0], "x") + num(rects[0], "width"));
        }
    }
}
