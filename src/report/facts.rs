//! The facts at the top of the HTML report: totals, hardware and options,
//! each with its unit.

use super::drawing::{hardware_drawing, memory};
use super::grouped;
use super::svg::escape;
use crate::schedule::read::SavedSchedule;
use std::fmt::Write;

/// An energy with five significant digits.
pub(super) fn energy(e: f64) -> String {
    format!("{e:.4e}")
}

/// A two-column table of facts.
pub(super) fn facts(title: &str, rows: &[(&str, String)]) -> String {
    let mut out = format!("<table><tr><th colspan=\"2\">{}</th></tr>\n", escape(title));
    for (k, v) in rows {
        let _ = writeln!(out, "<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v));
    }
    out += "</table>\n";
    out
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// The page's title and its facts: totals, hardware, options, and the
/// hardware drawn.
pub(super) fn header(s: &SavedSchedule) -> String {
    let (hw, o) = (&s.hardware.file, &s.options);
    let mut out = String::new();
    let _ = write!(
        out,
        "<h1>{} on {}</h1>\n<p class=\"sub\">batch {}, {} layers, {} search, {} partitioning, model {}; energies in {}</p>\n",
        escape(&s.network),
        escape(&hw.name),
        s.batch,
        s.layers.len(),
        o.solver.as_str(),
        o.partition,
        s.model.name(),
        escape(s.totals.energy_unit.name())
    );
    out += "<div class=\"facts\">\n";
    out += &facts("totals", &totals(s));
    out += &facts("hardware", &hardware(s));
    out += &facts("options", &options(s));
    out += "<div>\n";
    out += &hardware_drawing(s);
    out += "</div>\n</div>\n";
    out
}

/// The hardware's facts, each with its unit.
fn hardware(s: &SavedSchedule) -> Vec<(&'static str, String)> {
    let (hw, words) = (&s.hardware.file, &s.hardware);
    let unit = s.totals.energy_unit.name();
    let e = &hw.energy;
    let opt_or = |v: Option<f64>, none: &str, u: &str| match v {
        Some(x) => format!("{x} {u}"),
        None => none.to_owned(),
    };
    vec![
        ("name", hw.name.clone()),
        (
            "nodes",
            format!("{}x{}, {} memory", hw.nodes.h, hw.nodes.w, memory(s)),
        ),
        (
            "PEs per node",
            format!("{}x{}", hw.pe_array.h, hw.pe_array.w),
        ),
        ("word", format!("{} bits", hw.word_bits)),
        (
            "RF per PE",
            format!("{} B ({} words)", hw.regf_bytes, words.regf_words),
        ),
        (
            "global buffer per node",
            format!("{} B ({} words)", hw.gbuf_bytes, words.gbuf_words),
        ),
        (
            "array bus",
            match words.bus_width_words {
                Some(w) => format!("{w} words per cycle"),
                None => "unlimited".to_owned(),
            },
        ),
        (
            "DRAM bandwidth",
            opt_or(
                words.dram_bandwidth_words_per_cycle,
                "unlimited",
                "words per cycle",
            ),
        ),
        (
            "energy per op / word",
            format!(
                "MAC {}, DRAM {}, gbuf {}, array {}, RF {}, NoC hop {}, static {} per cycle ({unit})",
                e.mac, e.dram, e.gbuf, e.array, e.regf, e.noc_hop, e.static_per_cycle
            ),
        ),
        ("clock", opt_or(hw.clock_mhz, "not given", "MHz")),
    ]
}

/// The search options the schedule was found with.
fn options(s: &SavedSchedule) -> Vec<(&'static str, String)> {
    let o = &s.options;
    let no_bypass: Vec<&str> = o.no_bypass.iter().map(|k| k.as_str()).collect();
    vec![
        ("solver", o.solver.as_str().to_owned()),
        ("partitioning", o.partition.to_string()),
        ("batch partition", yes(o.batch_partition)),
        ("ifmap partition", yes(o.ifmap_partition)),
        (
            "access forwarding",
            if o.gbuf_sharing {
                "yes, with buffer sharing".to_owned()
            } else {
                yes(o.access_forwarding)
            },
        ),
        (
            "kept in gbuf",
            if no_bypass.is_empty() {
                "- (all may bypass)".to_owned()
            } else {
                no_bypass.join(", ")
            },
        ),
        ("goal", o.goal.as_str().to_owned()),
        ("top", o.top.to_string()),
        ("model", s.model.name().to_owned()),
        ("nnc", s.nnc_version.clone()),
    ]
}

/// The schedule's totals, each with its unit, and its energy by component.
fn totals(s: &SavedSchedule) -> Vec<(&'static str, String)> {
    let t = &s.totals;
    let unit = t.energy_unit.name();
    let mut totals = vec![
        ("energy", format!("{} {unit}", energy(t.energy))),
        (
            "lower bound",
            format!(
                "{} {unit}: the schedule spends {} of it",
                energy(t.lower_bound.energy),
                super::ratio(t.energy, t.lower_bound.energy)
            ),
        ),
        ("time", format!("{} cycles", grouped(t.time))),
    ];
    if let Some(sec) = t.seconds {
        totals.push(("seconds", crate::hw::format_seconds(sec)));
    }
    if let Some(w) = t.average_power_w {
        totals.push(("average power", crate::hw::format_watts(w)));
    }
    totals.push(("ops", format!("{} MACs", energy(t.ops))));
    totals.push((
        "utilization",
        format!(
            "{:.1}% of all PEs over the whole time",
            100.0 * t.utilization
        ),
    ));
    let b = t.energy_breakdown.components();
    let parts: Vec<String> = b
        .iter()
        .map(|(k, v)| {
            let pct = if t.energy > 0.0 {
                100.0 * v / t.energy
            } else {
                0.0
            };
            format!("{k} {pct:.1}%")
        })
        .collect();
    totals.push(("energy by component", parts.join(", ")));
    totals
}
