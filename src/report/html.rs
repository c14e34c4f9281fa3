//! `nnc report`: one self-contained HTML page of a schedule file
//! (docs/report.md#nnc-report): the hardware and options, the totals with
//! their units and the distance to the lower bound, per-layer stacked
//! energy bars by component (as in Eyeriss ISCA'16, Fig. 10) with each
//! layer's lower bound marked, per-layer time and PE utilization, and the
//! complete per-layer table.
//!
//! Inline CSS and SVG only: nothing is fetched, no script runs, the page
//! opens from disk. The text is a function of the file alone, so the same
//! schedule gives the same bytes. Every element is closed (`<meta/>`), so
//! the page past its doctype is well-formed XML (tested).

/// The most PEs the report draws one by one (a larger array is a schematic).
pub use super::drawing::MAX_PES_DRAWN;
use super::facts::{energy, header};
use super::grouped;
use super::layer_text;
use super::svg::{Svg, axis, escape, num, tick_count};
use crate::schedule::LayerOut;
use crate::schedule::read::SavedSchedule;
use std::fmt::Write;

/// The energy components as drawn: the schedule file's key, the CSS class
/// and the legend's name, bottom of the stack first.
const COMPONENTS: [(&str, &str, &str); 7] = [
    ("op", "c-op", "op (MAC)"),
    ("dram", "c-dram", "DRAM"),
    ("gbuf", "c-gbuf", "global buffer"),
    ("array", "c-array", "array"),
    ("regf", "c-regf", "RF"),
    ("noc", "c-noc", "NoC"),
    ("static", "c-static", "static"),
];

/// Height of a chart's plot area, pixels.
pub const PLOT_HEIGHT: f64 = 300.0;
pub(super) const LEFT: f64 = 80.0;
pub(super) const TOP: f64 = 16.0;
const BOTTOM: f64 = 100.0;

pub(super) const CSS: &str = "\
body{font-family:sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:#555;margin:0 0 16px}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
.facts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.facts table td:first-child{color:#555}
.chart{overflow-x:auto}
.legend span{display:inline-block;margin-right:14px;font-size:13px}
.legend svg{vertical-align:-1px;margin-right:2px}
svg text{font-size:11px;fill:#333}svg text.tiny{font-size:8px}svg text.title{font-size:12px}
.axis{stroke:#888;stroke-width:1}.grid{stroke:#e4e4e4;stroke-width:1}
.bound{fill:#000}.node{fill:#dde7f3;stroke:#557}.pe{fill:#f3e6cf;stroke:#a86}
.vault{fill:#8c6bb1}.dram{fill:#8c6bb1}
.c-op{fill:#4e79a7}.c-dram{fill:#e15759}.c-gbuf{fill:#f28e2b}.c-array{fill:#76b7b2}
.c-regf{fill:#59a14f}.c-noc{fill:#edc948}.c-static{fill:#b07aa1}
.seg0{fill:#a0cbe8;stroke:#fff}.seg1{fill:#ffbe7d;stroke:#fff}
.t-proc{fill:#4e79a7}.t-dram{fill:#e15759}.t-bus{fill:#f28e2b}.u-pe{fill:#59a14f}
";

/// A tick label: `2e9`, `2.5e9`, `0`.
pub(super) fn tick(x: f64) -> String {
    if x == 0.0 || (0.01..1e4).contains(&x.abs()) {
        return num(x);
    }
    let s = format!("{x:.3e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let m = m.trim_end_matches('0').trim_end_matches('.');
            format!("{m}e{e}")
        }
        None => s,
    }
}

fn components(l: &LayerOut) -> [f64; 7] {
    l.energy_breakdown.components().map(|(_, v)| v)
}

/// Where a chart of `n` bars puts them: slot width and bar width.
pub(super) fn slots(n: usize) -> (f64, f64) {
    let slot = (1100.0 / n.max(1) as f64).clamp(7.0, 40.0);
    (slot, (slot * 0.72).max(4.0))
}

/// The frame of a bar chart: the root element (with `data-axis-max` and
/// `data-plot-height`, what a reader needs to turn heights back into
/// numbers), the y axis with its grid and labels, and the layers' names
/// under their slots. Returns the drawing and the scale (pixels per unit).
pub(super) fn frame(class: &str, n: usize, max: f64, y_title: &str, names: &[&str]) -> (Svg, f64) {
    let (slot, _) = slots(n);
    let (axis_max, step) = axis(max, 5);
    let width = LEFT + slot * n as f64 + 20.0;
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    let am = format!("{axis_max:e}");
    let ph = num(PLOT_HEIGHT);
    let mut s = Svg::new(
        width,
        height,
        &[
            ("class", class),
            ("data-axis-max", &am),
            ("data-plot-height", &ph),
            ("role", "img"),
        ],
    );
    let scale = PLOT_HEIGHT / axis_max;
    let base = TOP + PLOT_HEIGHT;
    let ticks = tick_count(axis_max, step);
    for i in 0..=ticks {
        let v = step * f64::from(i);
        let y = base - v * scale;
        s.line((LEFT, y), (width - 10.0, y), "grid");
        s.label(
            LEFT - 6.0,
            y + 4.0,
            "tick",
            &[("text-anchor", "end")],
            &tick(v),
        );
    }
    s.line((LEFT, TOP), (LEFT, base), "axis");
    s.line((LEFT, base), (width - 10.0, base), "axis");
    let (x, y) = (num(14.0), num(TOP + PLOT_HEIGHT / 2.0));
    let rot = format!("rotate(-90 {x} {y})");
    s.label(
        14.0,
        TOP + PLOT_HEIGHT / 2.0,
        "title",
        &[("text-anchor", "middle"), ("transform", &rot)],
        y_title,
    );
    let class = if n > 60 { "tiny" } else { "name" };
    for (i, name) in names.iter().enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        let y = base + 10.0;
        let rot = format!("rotate(-60 {} {})", num(x), num(y));
        s.label(
            x,
            y,
            class,
            &[("text-anchor", "end"), ("transform", &rot)],
            name,
        );
    }
    (s, scale)
}

/// The per-layer stacked energy bars, each layer one
/// `<g class="layer" data-layer="NAME">` of one rectangle per non-zero
/// component (bottom up in [`COMPONENTS`] order) and its lower bound as a
/// black tick.
fn energy_chart(s: &SavedSchedule) -> String {
    let unit = s.totals.energy_unit.name();
    let names: Vec<&str> = s.layers.iter().map(|l| l.name.as_str()).collect();
    let max = s
        .layers
        .iter()
        .map(|l| l.energy.max(l.lower_bound.energy))
        .fold(0.0, f64::max);
    let n = s.layers.len();
    let (mut svg, scale) = frame("energy", n, max, &format!("energy ({unit})"), &names);
    let (slot, bar) = slots(n);
    let base = TOP + PLOT_HEIGHT;
    for (i, l) in s.layers.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        svg.open("g", &[("class", "layer"), ("data-layer", &l.name)]);
        svg.text(
            "title",
            &[],
            &format!(
                "{}: {} {unit}, lower bound {} {unit} ({})",
                l.name,
                energy(l.energy),
                energy(l.lower_bound.energy),
                super::ratio(l.energy, l.lower_bound.energy)
            ),
        );
        let mut y = base;
        for (v, (key, class, _)) in components(l).into_iter().zip(COMPONENTS) {
            if v <= 0.0 {
                continue;
            }
            let h = v * scale;
            y -= h;
            let share = if l.energy > 0.0 {
                100.0 * v / l.energy
            } else {
                0.0
            };
            svg.rect(
                x,
                y,
                bar,
                h,
                class,
                Some(&format!(
                    "{}: {key} {} {unit} ({share:.1}% of the layer)",
                    l.name,
                    energy(v)
                )),
            );
        }
        let yb = base - l.lower_bound.energy * scale;
        svg.rect(
            x - 2.0,
            yb - 1.0,
            bar + 4.0,
            2.0,
            "bound",
            Some(&format!(
                "{}: lower bound {} {unit}; the schedule spends {} of it",
                l.name,
                energy(l.lower_bound.energy),
                super::ratio(l.energy, l.lower_bound.energy)
            )),
        );
        svg.close();
    }
    svg.finish()
}

/// What bounds a layer's time: compute, or DRAM or the array bus when the
/// model says they take longer.
fn bound_by(l: &LayerOut) -> &'static str {
    let t = &l.time;
    if t.total > t.proc && t.dram == t.total {
        "DRAM"
    } else if t.total > t.proc && t.bus == t.total {
        "bus"
    } else {
        "compute"
    }
}

/// Per-layer time: the compute cycles, and above them the cycles the layer
/// waits on DRAM (or the array bus) when the model finds those longer.
fn time_chart(s: &SavedSchedule) -> String {
    let names: Vec<&str> = s.layers.iter().map(|l| l.name.as_str()).collect();
    let max = s
        .layers
        .iter()
        .map(|l| l.time.total as f64)
        .fold(0.0, f64::max);
    let n = s.layers.len();
    let (mut svg, scale) = frame("time", n, max, "time (cycles)", &names);
    let (slot, bar) = slots(n);
    let base = TOP + PLOT_HEIGHT;
    for (i, l) in s.layers.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let t = &l.time;
        svg.open("g", &[("class", "layer"), ("data-layer", &l.name)]);
        let proc = t.proc.min(t.total) as f64;
        let title = format!(
            "{}: {} cycles, {}-bound (compute {}, bus {}, DRAM {})",
            l.name,
            grouped(t.total),
            bound_by(l),
            grouped(t.proc),
            grouped(t.bus),
            grouped(t.dram)
        );
        svg.rect(
            x,
            base - proc * scale,
            bar,
            proc * scale,
            "t-proc",
            Some(&title),
        );
        let wait = t.total.saturating_sub(t.proc) as f64;
        if wait > 0.0 {
            let class = if bound_by(l) == "bus" {
                "t-bus"
            } else {
                "t-dram"
            };
            svg.rect(
                x,
                base - (proc + wait) * scale,
                bar,
                wait * scale,
                class,
                Some(&title),
            );
        }
        svg.close();
    }
    svg.finish()
}

/// Per-layer PE utilization: the PEs busy on average while computing, as
/// a share of one node's array.
fn utilization_chart(s: &SavedSchedule) -> String {
    let names: Vec<&str> = s.layers.iter().map(|l| l.name.as_str()).collect();
    let pes = s.hardware.file.pe_array.size().max(1) as f64;
    let n = s.layers.len();
    let (mut svg, scale) = frame("util", n, 100.0, "PEs busy (%)", &names);
    let (slot, bar) = slots(n);
    let base = TOP + PLOT_HEIGHT;
    for (i, l) in s.layers.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let pct = (100.0 * l.active_pes / pes).min(100.0);
        svg.open("g", &[("class", "layer"), ("data-layer", &l.name)]);
        svg.rect(
            x,
            base - pct * scale,
            bar,
            pct * scale,
            "u-pe",
            Some(&format!(
                "{}: {:.1} of {} PEs busy on average while computing ({pct:.1}%); mapping utilization {:.1}%; all PEs over the whole time {:.1}%",
                l.name,
                l.active_pes,
                pes,
                100.0 * l.mapping.util(),
                100.0 * l.utilization
            )),
        );
        svg.close();
    }
    svg.finish()
}

pub(super) fn legend(items: &[(&str, &str)]) -> String {
    let mut out = "<p class=\"legend\">".to_owned();
    for (class, name) in items {
        let _ = write!(
            out,
            "<span><svg width=\"12\" height=\"12\"><rect class=\"{class}\" width=\"12\" height=\"12\"/></svg> {}</span>",
            escape(name)
        );
    }
    out += "</p>\n";
    out
}

fn layer_table(s: &SavedSchedule) -> String {
    let unit = escape(s.totals.energy_unit.name());
    let mut out = format!(
        "<table class=\"layers\">\n<tr><th>#</th><th>layer</th><th>kind</th><th>energy ({unit})</th><th>share</th><th>/ bound</th>\
<th>time (cycles)</th><th>compute</th><th>bus</th><th>DRAM</th><th>bound by</th><th>active PEs</th><th>util</th>\
<th>partition</th><th>mapping</th><th>blocking (dram·gbuf·regf)</th></tr>\n"
    );
    let total = s.totals.energy;
    for (i, l) in s.layers.iter().enumerate() {
        let share = if total > 0.0 {
            100.0 * l.energy / total
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{share:.1}%</td>\
<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
<td>{}</td><td class=\"n\">{:.1}</td><td class=\"n\">{:.1}%</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            escape(&l.name),
            l.kind,
            energy(l.energy),
            super::ratio(l.energy, l.lower_bound.energy),
            grouped(l.time.total),
            grouped(l.time.proc),
            grouped(l.time.bus),
            grouped(l.time.dram),
            bound_by(l),
            l.active_pes,
            100.0 * l.utilization,
            escape(&layer_text::partition(l)),
            escape(&layer_text::mapping(l)),
            escape(&layer_text::blocking(l)),
        );
    }
    let t = &s.totals;
    let _ = writeln!(
        out,
        "<tr><th></th><th>total</th><th></th><th class=\"n\">{}</th><th class=\"n\">100.0%</th><th class=\"n\">{}</th>\
<th class=\"n\">{}</th><th colspan=\"5\"></th><th class=\"n\">{:.1}%</th><th colspan=\"3\"></th></tr>\n</table>",
        energy(t.energy),
        super::ratio(t.energy, t.lower_bound.energy),
        grouped(t.time),
        100.0 * t.utilization
    );
    out
}

/// Width of the segment timeline's time axis, pixels.
const TIMELINE_WIDTH: f64 = 1000.0;

/// The timeline of a pipelined schedule's segments
/// (docs/model/pipelining.md#segments), when some segment holds more than
/// one layer: segments one after another along the time axis, each as wide
/// as its cycles; inside one, its spatial groups stacked, each as tall as
/// its share of the node array. Without pipelining (one layer per
/// segment) there is nothing to show beyond the time chart: `None`.
fn segment_timeline(s: &SavedSchedule) -> Option<String> {
    let pipelined = s
        .segments
        .iter()
        .any(|seg| seg.groups.iter().map(Vec::len).sum::<usize>() > 1);
    if !pipelined {
        return None;
    }
    let total: u64 = s.segments.iter().map(|seg| seg.time).sum();
    let nodes = s.hardware.file.nodes.size().max(1) as f64;
    let (axis_max, step) = axis(total as f64, 5);
    let scale = TIMELINE_WIDTH / axis_max;
    let width = LEFT + TIMELINE_WIDTH + 30.0;
    let base = TOP + PLOT_HEIGHT;
    let am = format!("{axis_max:e}");
    let ph = num(PLOT_HEIGHT);
    let mut svg = Svg::new(
        width,
        base + 50.0,
        &[
            ("class", "segments"),
            ("data-axis-max", &am),
            ("data-plot-height", &ph),
            ("role", "img"),
        ],
    );
    let ticks = tick_count(axis_max, step);
    for i in 0..=ticks {
        let x = LEFT + step * f64::from(i) * scale;
        svg.line((x, TOP), (x, base), "grid");
        svg.label(
            x,
            base + 16.0,
            "tick",
            &[("text-anchor", "middle")],
            &tick(step * f64::from(i)),
        );
    }
    svg.line((LEFT, base), (LEFT + TIMELINE_WIDTH, base), "axis");
    svg.label(
        LEFT + TIMELINE_WIDTH / 2.0,
        base + 36.0,
        "title",
        &[("text-anchor", "middle")],
        "time (cycles)",
    );
    let (x, y) = (num(14.0), num(TOP + PLOT_HEIGHT / 2.0));
    let rot = format!("rotate(-90 {x} {y})");
    svg.label(
        14.0,
        TOP + PLOT_HEIGHT / 2.0,
        "title",
        &[("text-anchor", "middle"), ("transform", &rot)],
        "nodes (share of the array)",
    );
    let mut t0 = 0u64;
    for (i, seg) in s.segments.iter().enumerate() {
        let index = i.to_string();
        svg.open("g", &[("class", "segment"), ("data-segment", &index)]);
        let x = LEFT + t0 as f64 * scale;
        let w = seg.time as f64 * scale;
        let mut y = TOP;
        for (j, (layers, region)) in seg.groups.iter().zip(&seg.regions).enumerate() {
            let h = region.dim.size() as f64 / nodes * PLOT_HEIGHT;
            let title = format!(
                "segment {i}, group {j}: {} on {} nodes from ({}, {}); the segment takes {} cycles from cycle {} (critical {}, DRAM {})",
                layers.join(", "),
                region.dim,
                region.origin[0],
                region.origin[1],
                grouped(seg.time),
                grouped(t0),
                grouped(seg.critical_time),
                grouped(seg.dram_time)
            );
            svg.rect(
                x,
                y,
                w,
                h,
                if j % 2 == 0 { "seg0" } else { "seg1" },
                Some(&title),
            );
            // Names only where they fit (about 6 px a character).
            let names = layers.join(" ");
            if w >= 6.0 * names.chars().count() as f64 + 6.0 && h >= 14.0 {
                svg.label(x + 3.0, y + 12.0, "name", &[], &names);
            }
            y += h;
        }
        svg.close();
        t0 += seg.time;
    }
    Some(svg.finish())
}

/// The report of `s`: a whole HTML page.
pub fn html(s: &SavedSchedule) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
<title>nnc report: {} on {}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        escape(&s.network),
        escape(&s.hardware.file.name)
    );
    out += &header(s);
    let unit = escape(s.totals.energy_unit.name());
    let _ = writeln!(
        out,
        "<h2>Energy per layer ({unit}), by component; black ticks: the layer's lower bound</h2>"
    );
    let items: Vec<(&str, &str)> = COMPONENTS
        .iter()
        .map(|(_, c, n)| (*c, *n))
        .chain([("bound", "lower bound")])
        .collect();
    out += &legend(&items);
    out += "<div class=\"chart\">\n";
    out += &energy_chart(s);
    out += "</div>\n<h2>Time per layer (cycles): computing, and waiting on DRAM or the array bus where the model finds that longer</h2>\n";
    out += &legend(&[
        ("t-proc", "compute"),
        ("t-dram", "DRAM-bound"),
        ("t-bus", "bus-bound"),
    ]);
    out += "<div class=\"chart\">\n";
    out += &time_chart(s);
    out += "</div>\n<h2>PE utilization per layer: PEs busy on average while computing, of one node's array</h2>\n<div class=\"chart\">\n";
    out += &utilization_chart(s);
    out += "</div>\n";
    if let Some(timeline) = segment_timeline(s) {
        out += "<h2>Segments over time: each segment's spatial groups on their share of the node array</h2>\n<div class=\"chart\">\n";
        out += &timeline;
        out += "</div>\n";
    }
    out += &super::area::section(s);
    out += "<h2>Layers</h2>\n";
    out += &layer_table(s);
    out += "</body>\n</html>\n";
    out
}
