//! `nnc report` of a `--compat scalesim` schedule (docs/report.md#nnc-report):
//! one self-contained HTML page of SCALE-Sim's numbers, in the style of
//! the schedule's page (`html.rs`): the config and totals, per-layer
//! cycles (compute and stalls), utilisation, DRAM traffic by operand, and
//! the table of every layer's report columns.
//!
//! One bar and one table row per layer (a `DP` row's runs are one layer,
//! with their count), so the page grows with the topology's rows and
//! nothing else. Inline CSS and SVG only; the same file gives the same
//! bytes.

use super::grouped;
use super::html::{CSS, LEFT, PLOT_HEIGHT, TOP, facts, frame, legend, slots};
use super::scalesim::{NO_ENERGY, config_line, layer_name};
use super::svg::escape;
use crate::schedule::scalesim::{OperandsOut, ScaleSimLayerOut, ScaleSimSchedule};
use std::fmt::Write;

/// The page's facts: the totals and the config.
fn header(s: &ScaleSimSchedule) -> String {
    let t = &s.totals;
    let c = &s.config;
    let words = |o: &OperandsOut<u64>, verb: &str| {
        format!(
            "ifmap {}, filter {} {verb}; ofmap {} written (words)",
            grouped(o.ifmap),
            grouped(o.filter),
            grouped(o.ofmap)
        )
    };
    let totals = [
        ("cycles", format!("{} cycles", grouped(t.cycles))),
        ("stalls", format!("{} cycles", grouped(t.stall_cycles))),
        (
            "with DRAM prefetch and write-back",
            format!("{} cycles", grouped(t.cycles_incl_prefetch)),
        ),
        ("ops", format!("{} MACs", grouped(t.ops))),
        (
            "utilisation",
            format!("{:.1}% (MACs over cycles x PEs)", 100.0 * t.utilization),
        ),
        ("SRAM", words(&t.sram, "read")),
        ("DRAM", words(&t.dram, "read")),
        ("energy", "none (not part of SCALE-Sim's model)".to_owned()),
    ];
    let bandwidth = match c.bandwidth_words_per_cycle {
        Some(b) => format!(
            "USER: ifmap {}, filter {}, ofmap {} words per cycle",
            b.ifmap, b.filter, b.ofmap
        ),
        None => "CALC: as the layer needs, never stalling".to_owned(),
    };
    let config = [
        ("run name", c.run_name.clone()),
        ("array", format!("{}x{} PEs", c.array.h, c.array.w)),
        ("dataflow", c.dataflow.to_string()),
        (
            "SRAMs",
            format!(
                "ifmap {} kB, filter {} kB, ofmap {} kB (1-byte words)",
                c.sram_kb.ifmap, c.sram_kb.filter, c.sram_kb.ofmap
            ),
        ),
        ("interface bandwidth", bandwidth),
    ];
    let inputs = [
        ("topology SHA-256", s.inputs.topology_sha256.clone()),
        ("config SHA-256", s.inputs.config_sha256.clone()),
        ("nnc", s.nnc_version.clone()),
    ];
    let mut out = format!(
        "<h1>{}: SCALE-Sim 3.0.0's report</h1>\n<p class=\"sub\">{} layers on {}; {}</p>\n",
        escape(&s.network),
        s.layers.len(),
        escape(&config_line(c)),
        escape(NO_ENERGY)
    );
    out += "<div class=\"facts\">\n";
    out += &facts("totals", &totals);
    out += &facts("config", &config);
    out += &facts("inputs", &inputs);
    out += "</div>\n";
    out
}

/// One part of a stacked bar: its value, CSS class and name.
type Part = (f64, &'static str, &'static str);

/// A per-layer chart of stacked bars: `parts(l)` gives each bar's parts as
/// (value, CSS class, name), bottom up; `title(l)` the bar's tooltip.
#[allow(clippy::cast_precision_loss)]
fn stacked_chart(
    s: &ScaleSimSchedule,
    class: &str,
    y_title: &str,
    parts: &dyn Fn(&ScaleSimLayerOut) -> Vec<Part>,
    title: &dyn Fn(&ScaleSimLayerOut) -> String,
) -> String {
    let names: Vec<String> = s.layers.iter().map(layer_name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let max = s
        .layers
        .iter()
        .map(|l| parts(l).iter().map(|p| p.0).sum::<f64>())
        .fold(0.0, f64::max);
    let n = s.layers.len();
    let (mut svg, scale) = frame(class, n, max, y_title, &names);
    let (slot, bar) = slots(n);
    let base = TOP + PLOT_HEIGHT;
    for (i, l) in s.layers.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        svg.open("g", &[("class", "layer"), ("data-layer", &l.name)]);
        let title = title(l);
        let mut y = base;
        for (v, class, name) in parts(l) {
            if v <= 0.0 {
                continue;
            }
            y -= v * scale;
            svg.rect(
                x,
                y,
                bar,
                v * scale,
                class,
                Some(&format!("{title}; {name} {}", grouped(v as u64))),
            );
        }
        svg.close();
    }
    svg.finish()
}

/// The table of every layer: SCALE-Sim's columns, all runs counted where
/// the column is a count.
fn layer_table(s: &ScaleSimSchedule) -> String {
    let mut out = "<table class=\"layers\">\n<tr><th>#</th><th>layer</th><th>runs</th>\
<th>cycles</th><th>stall cycles</th><th>cycles incl. prefetch</th><th>MACs</th>\
<th>overall util</th><th>mapping eff.</th><th>compute util</th>\
<th>SRAM ifmap reads</th><th>SRAM filter reads</th><th>SRAM ofmap writes</th>\
<th>DRAM ifmap reads</th><th>DRAM filter reads</th><th>DRAM ofmap writes</th>\
<th>avg DRAM BW ifmap / filter / ofmap (words per cycle)</th></tr>\n"
        .to_owned();
    for (i, l) in s.layers.iter().enumerate() {
        let r = &l.scalesim;
        let all = |x: u64| grouped(l.runs.saturating_mul(x));
        let _ = writeln!(
            out,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}%</td>\
<td class=\"n\">{:.2}%</td><td class=\"n\">{:.2}%</td>{}\
<td class=\"n\">{:.3} / {:.3} / {:.3}</td></tr>",
            i + 1,
            escape(&l.name),
            l.runs,
            grouped(l.cycles),
            all(r.stall_cycles),
            all(r.total_cycles_incl_prefetch),
            grouped(l.ops),
            r.overall_util_pct,
            r.mapping_eff_pct,
            r.compute_util_pct,
            cells("td", r.traffic().map(all)),
            r.avg_ifmap_dram_bw,
            r.avg_filter_dram_bw,
            r.avg_ofmap_dram_bw,
        );
    }
    let t = &s.totals;
    let _ = writeln!(
        out,
        "<tr><th></th><th>total</th><th></th><th class=\"n\">{}</th><th class=\"n\">{}</th>\
<th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{:.2}%</th><th colspan=\"2\"></th>\
{}<th></th></tr>\n</table>",
        grouped(t.cycles),
        grouped(t.stall_cycles),
        grouped(t.cycles_incl_prefetch),
        grouped(t.ops),
        100.0 * t.utilization,
        cells("th", t.traffic().map(grouped)),
    );
    out
}

/// Numeric cells of a row, `td` or `th`.
fn cells(tag: &str, values: [String; 6]) -> String {
    values
        .map(|v| format!("<{tag} class=\"n\">{v}</{tag}>"))
        .concat()
}

/// The page of `s`.
#[allow(clippy::cast_precision_loss)]
pub fn html(s: &ScaleSimSchedule) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
<title>nnc report: {} on SCALE-Sim 3.0.0</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        escape(&s.network)
    );
    out += &header(s);
    out += "<h2>Cycles per layer: computing, and stalled on memory (USER bandwidth only)</h2>\n";
    out += &legend(&[("t-proc", "compute"), ("t-dram", "stall")]);
    out += "<div class=\"chart\">\n";
    let runs = |l: &ScaleSimLayerOut, x: u64| l.runs.saturating_mul(x) as f64;
    out += &stacked_chart(
        s,
        "time",
        "cycles",
        &|l| {
            let r = &l.scalesim;
            vec![
                (runs(l, r.compute_cycles), "t-proc", "compute"),
                (runs(l, r.stall_cycles), "t-dram", "stall"),
            ]
        },
        &|l| format!("{}: {} cycles", layer_name(l), grouped(l.cycles)),
    );
    out += "</div>\n<h2>Utilisation per layer: SCALE-Sim's overall utilisation (%)</h2>\n<div class=\"chart\">\n";
    let names: Vec<String> = s.layers.iter().map(layer_name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut svg, scale) = frame("util", s.layers.len(), 100.0, "utilisation (%)", &names);
    let (slot, bar) = slots(s.layers.len());
    for (i, l) in s.layers.iter().enumerate() {
        let r = &l.scalesim;
        let pct = r.overall_util_pct.clamp(0.0, 100.0);
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        svg.open("g", &[("class", "layer"), ("data-layer", &l.name)]);
        svg.rect(
            x,
            TOP + PLOT_HEIGHT - pct * scale,
            bar,
            pct * scale,
            "u-pe",
            Some(&format!(
                "{}: overall {:.2}%, mapping efficiency {:.2}%, compute {:.2}%",
                layer_name(l),
                r.overall_util_pct,
                r.mapping_eff_pct,
                r.compute_util_pct
            )),
        );
        svg.close();
    }
    out += &svg.finish();
    out +=
        "</div>\n<h2>DRAM traffic per layer (words): ifmap and filter reads, ofmap writes</h2>\n";
    out += &legend(&[
        ("c-op", "ifmap reads"),
        ("c-gbuf", "filter reads"),
        ("c-dram", "ofmap writes"),
    ]);
    out += "<div class=\"chart\">\n";
    out += &stacked_chart(
        s,
        "dram",
        "DRAM words",
        &|l| {
            let r = &l.scalesim;
            vec![
                (runs(l, r.dram_ifmap_reads), "c-op", "ifmap reads"),
                (runs(l, r.dram_filter_reads), "c-gbuf", "filter reads"),
                (runs(l, r.dram_ofmap_writes), "c-dram", "ofmap writes"),
            ]
        },
        &|l| format!("{}: DRAM words", layer_name(l)),
    );
    out += "</div>\n<h2>Layers</h2>\n";
    out += &layer_table(s);
    out += "</body>\n</html>\n";
    out
}
