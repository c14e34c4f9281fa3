//! `nnc diff`: what changed between two schedule files (docs/report.md#nnc-diff).
//!
//! Layers are matched by name. For the totals and every layer that
//! changed: the energy and each component of it, the time and its parts,
//! then the choices (partition, mapping, blocking) as text, each with the
//! absolute and relative change. Layers come biggest |energy change| first,
//! ties in network order, so the line that explains a difference is on top.

use super::layer_text;
use crate::report::grouped;
use crate::schedule::read::SavedSchedule;
use crate::schedule::{EnergyOut, LayerOut};
use std::fmt::Write;

/// What a number measures, for its unit and format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quantity {
    /// An energy, in the files' unit.
    Energy,
    /// Cycles.
    Cycles,
    /// A count or average (ops, PEs, words), with its unit (`MACs`,
    /// `PEs`, `words`; empty when the label says it).
    Count(&'static str),
    /// A whole number shown with every digit, grouped (SCALE-Sim's access
    /// counts and cycle numbers, which may be negative).
    Whole,
}

/// One changed field.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Change {
    /// A number: old, new.
    Number {
        label: String,
        quantity: Quantity,
        a: f64,
        b: f64,
    },
    /// A choice or setting, as text: old, new.
    Text { label: String, a: String, b: String },
}

/// A layer (or the totals) that changed.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Section {
    pub(super) name: String,
    /// Network position in the first file (totals: none), for ties.
    pub(super) position: usize,
    /// The change of what the layers are sorted by: energy, or cycles in
    /// a SCALE-Sim diff.
    pub(super) delta: f64,
    pub(super) changes: Vec<Change>,
}

/// The difference of two schedule files.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleDiff {
    pub(super) names: [String; 2],
    pub(super) headlines: [String; 2],
    /// The energy units; empty in a SCALE-Sim diff, which has none.
    pub(super) units: [String; 2],
    pub(super) equal: bool,
    pub(super) settings: Vec<Change>,
    pub(super) total: Option<Section>,
    pub(super) layers: Vec<Section>,
    /// Layers in one file only, with their energy (or cycles, in a
    /// SCALE-Sim diff).
    pub(super) only: [Vec<(String, f64)>; 2],
    pub(super) unchanged: usize,
}

impl ScheduleDiff {
    /// Do the files hold the same schedule (every field equal)?
    pub fn is_equal(&self) -> bool {
        self.equal
    }
}

pub(super) fn number(label: &str, quantity: Quantity, a: f64, b: f64, out: &mut Vec<Change>) {
    // Exact comparison: the files are written deterministically, so equal
    // numbers are equal bits.
    if a != b {
        out.push(Change::Number {
            label: label.to_owned(),
            quantity,
            a,
            b,
        });
    }
}

pub(super) fn text(label: &str, a: String, b: String, out: &mut Vec<Change>) {
    if a != b {
        out.push(Change::Text {
            label: label.to_owned(),
            a,
            b,
        });
    }
}

fn energies(total: (f64, f64), a: &EnergyOut, b: &EnergyOut, out: &mut Vec<Change>) {
    number("energy", Quantity::Energy, total.0, total.1, out);
    for ((name, x), (_, y)) in a.components().into_iter().zip(b.components()) {
        number(&format!("  {name}"), Quantity::Energy, x, y, out);
    }
}

fn layer_changes(a: &LayerOut, b: &LayerOut) -> Vec<Change> {
    let mut c = Vec::new();
    energies(
        (a.energy, b.energy),
        &a.energy_breakdown,
        &b.energy_breakdown,
        &mut c,
    );
    let cycles = [
        ("time", a.time.total, b.time.total),
        ("  compute", a.time.proc, b.time.proc),
        ("  bus", a.time.bus, b.time.bus),
        ("  dram", a.time.dram, b.time.dram),
    ];
    for (name, x, y) in cycles {
        number(name, Quantity::Cycles, x as f64, y as f64, &mut c);
    }
    let pes = Quantity::Count("PEs");
    number("active PEs", pes, a.active_pes, b.active_pes, &mut c);
    let words = [
        (
            "partition",
            layer_text::partition(a),
            layer_text::partition(b),
        ),
        ("mapping", layer_text::mapping(a), layer_text::mapping(b)),
        ("blocking", layer_text::blocking(a), layer_text::blocking(b)),
    ];
    texts(words, &mut c);
    number(
        "lower bound",
        Quantity::Energy,
        a.lower_bound.energy,
        b.lower_bound.energy,
        &mut c,
    );
    number("ops", Quantity::Count("MACs"), a.ops, b.ops, &mut c);
    let sum = |k: &crate::schedule::KindsOut<f64>| k.fil + k.ifm + k.ofm;
    for (name, unit, x, y) in [
        ("dram accesses", "words", &a.accesses.dram, &b.accesses.dram),
        ("gbuf accesses", "words", &a.accesses.gbuf, &b.accesses.gbuf),
        (
            "array accesses",
            "words",
            &a.accesses.array,
            &b.accesses.array,
        ),
        ("regf accesses", "words", &a.accesses.regf, &b.accesses.regf),
        ("noc traffic", "word-hops", &a.noc_hops, &b.noc_hops),
    ] {
        number(name, Quantity::Count(unit), sum(x), sum(y), &mut c);
    }
    let shape = |l: &LayerOut| serde_json::to_string(&l.shape).unwrap_or_default();
    text("shape", shape(a), shape(b), &mut c);
    if c.is_empty() && a != b {
        // Per-kind accesses that moved between kinds, buffer sizes, ...
        c.push(Change::Text {
            label: "other fields".to_owned(),
            a: "(see the files)".to_owned(),
            b: "differ".to_owned(),
        });
    }
    c
}

/// Labelled pairs of words that differ, in order.
pub(super) fn texts<const N: usize>(pairs: [(&str, String, String); N], out: &mut Vec<Change>) {
    for (label, a, b) in pairs {
        text(label, a, b, out);
    }
}

/// Top-level keys of two serializable values that differ, as compact JSON.
pub(super) fn keys<T: serde::Serialize>(prefix: &str, a: &T, b: &T, out: &mut Vec<Change>) {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return;
    };
    let show = |v: Option<&serde_json::Value>| match v {
        None => "(absent)".to_owned(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    };
    let mut names: Vec<&String> = a.keys().collect();
    names.extend(b.keys().filter(|k| !a.contains_key(*k)));
    for k in names {
        text(&format!("{prefix}{k}"), show(a.get(k)), show(b.get(k)), out);
    }
}

fn headline(s: &SavedSchedule) -> String {
    format!(
        "{} on {}, batch {}, model {}: {:.4e} {}, {} cycles",
        s.network,
        s.hardware.file.name,
        s.batch,
        s.model.name(),
        s.totals.energy,
        s.totals.energy_unit.name(),
        grouped(s.totals.time)
    )
}

/// Compares `a` (named `a_name` in the output) with `b`.
pub fn diff(a: &SavedSchedule, a_name: &str, b: &SavedSchedule, b_name: &str) -> ScheduleDiff {
    let mut settings = Vec::new();
    keys("inputs.", &a.inputs, &b.inputs, &mut settings);
    let inputs = [
        ("model", a.model.name().into(), b.model.name().into()),
        ("nnc_version", a.nnc_version.clone(), b.nnc_version.clone()),
        ("network", a.network.clone(), b.network.clone()),
        ("batch", a.batch.to_string(), b.batch.to_string()),
    ];
    texts(inputs, &mut settings);
    keys("hardware.", &a.hardware, &b.hardware, &mut settings);
    keys("options.", &a.options, &b.options, &mut settings);
    text(
        "schedule order",
        a.schedule_order.join(" "),
        b.schedule_order.join(" "),
        &mut settings,
    );

    let (ta, tb) = (&a.totals, &b.totals);
    let mut total = Vec::new();
    energies(
        (ta.energy, tb.energy),
        &ta.energy_breakdown,
        &tb.energy_breakdown,
        &mut total,
    );
    number(
        "time",
        Quantity::Cycles,
        ta.time as f64,
        tb.time as f64,
        &mut total,
    );
    if let (Some(x), Some(y)) = (ta.seconds, tb.seconds) {
        text("seconds", format!("{x:e}"), format!("{y:e}"), &mut total);
    }
    number(
        "lower bound",
        Quantity::Energy,
        ta.lower_bound.energy,
        tb.lower_bound.energy,
        &mut total,
    );
    number("ops", Quantity::Count("MACs"), ta.ops, tb.ops, &mut total);
    // The chips' areas, when both have one (docs/hardware.md#tech-the-technology-model).
    if let (Some(x), Some(y)) = (&a.hardware.file.area, &b.hardware.file.area) {
        let mm2 = Quantity::Count("mm²");
        number("area", mm2, x.total_mm2, y.total_mm2, &mut total);
    }
    let delta = tb.energy - ta.energy;
    let units = [&ta.energy_unit, &tb.energy_unit].map(|u| u.name().to_owned());
    assemble([(a, a_name), (b, b_name)], units, settings, (total, delta))
}

/// One file's schedule as `nnc diff` compares it: its layers by name, each
/// ranked by one figure.
pub(super) trait Compared: PartialEq {
    type Layer: PartialEq;
    fn layers(&self) -> &[Self::Layer];
    fn layer(&self, name: &str) -> Option<&Self::Layer>;
    fn name(l: &Self::Layer) -> &str;
    /// What layers are ranked by: energy, or cycles in a SCALE-Sim diff.
    fn figure(l: &Self::Layer) -> f64;
    fn changes(a: &Self::Layer, b: &Self::Layer) -> Vec<Change>;
    /// The one-line description of the file.
    fn headline(&self) -> String;
}

impl Compared for SavedSchedule {
    type Layer = LayerOut;
    fn layers(&self) -> &[LayerOut] {
        &self.layers
    }
    fn layer(&self, name: &str) -> Option<&LayerOut> {
        SavedSchedule::layer(self, name)
    }
    fn name(l: &LayerOut) -> &str {
        &l.name
    }
    fn figure(l: &LayerOut) -> f64 {
        l.energy
    }
    fn changes(a: &LayerOut, b: &LayerOut) -> Vec<Change> {
        layer_changes(a, b)
    }
    fn headline(&self) -> String {
        headline(self)
    }
}

/// The diff of two files from their settings and totals' changes (with
/// the totals' change of the ranking figure): layers matched by name, the
/// biggest change first.
pub(super) fn assemble<S: Compared>(
    files: [(&S, &str); 2],
    units: [String; 2],
    settings: Vec<Change>,
    (total, delta): (Vec<Change>, f64),
) -> ScheduleDiff {
    let [(a, a_name), (b, b_name)] = files;
    let total = (!total.is_empty()).then(|| Section {
        name: "total".to_owned(),
        position: 0,
        delta,
        changes: total,
    });
    let mut layers = Vec::new();
    let mut unchanged = 0;
    let mut only_a = Vec::new();
    for (position, la) in a.layers().iter().enumerate() {
        match b.layer(S::name(la)) {
            None => only_a.push((S::name(la).to_owned(), S::figure(la))),
            Some(lb) if lb == la => unchanged += 1,
            Some(lb) => layers.push(Section {
                name: S::name(la).to_owned(),
                position,
                delta: S::figure(lb) - S::figure(la),
                changes: S::changes(la, lb),
            }),
        }
    }
    // Stable: ties keep network order.
    layers.sort_by(|x, y| y.delta.abs().total_cmp(&x.delta.abs()));
    let only_b = b
        .layers()
        .iter()
        .filter(|l| a.layer(S::name(l)).is_none())
        .map(|l| (S::name(l).to_owned(), S::figure(l)))
        .collect();
    ScheduleDiff {
        names: [a_name.to_owned(), b_name.to_owned()],
        headlines: [a.headline(), b.headline()],
        units,
        equal: a == b,
        settings,
        total,
        layers,
        only: [only_a, only_b],
        unchanged,
    }
}

/// An energy or count: five significant digits, or every digit when that
/// is what tells `x` from `other`.
fn value(x: f64, other: f64, quantity: Quantity) -> String {
    match quantity {
        Quantity::Cycles => grouped(x as u64),
        Quantity::Whole => signed(x),
        // PEs, small counts: whole ones as they are, averages to two
        // decimals (more when two decimals do not tell them apart).
        Quantity::Count(_) if x.abs().max(other.abs()) < 1e5 => small(x, other),
        _ => {
            let short = format!("{x:.4e}");
            if short == format!("{other:.4e}") {
                format!("{x:e}")
            } else {
                short
            }
        }
    }
}

/// A number below 1e5: whole as it is, else to four significant digits
/// (two decimals at least), or every digit when that shows it equal to
/// `other`.
fn small(x: f64, other: f64) -> String {
    if x.fract() == 0.0 {
        return format!("{x}");
    }
    // Digits before the point, less one: 2 for 161.7, -2 for 0.0111.
    let magnitude = x.abs().log10().floor().clamp(-12.0, 5.0) as i32;
    let decimals = (3 - magnitude).max(2) as usize;
    let short = format!("{x:.decimals$}");
    if x != other && short == format!("{other:.decimals$}") {
        format!("{x}")
    } else {
        short
    }
}

/// A whole number with its digits grouped, and its sign when negative.
fn signed(x: f64) -> String {
    let digits = grouped(x.abs() as u64);
    if x < 0.0 {
        format!("-{digits}")
    } else {
        digits
    }
}

fn delta(a: f64, b: f64, quantity: Quantity) -> String {
    let d = b - a;
    let abs = match quantity {
        Quantity::Cycles | Quantity::Whole => {
            let sign = if d < 0.0 { "-" } else { "+" };
            format!("{sign}{}", grouped(d.abs() as u64))
        }
        Quantity::Count(_) if a.abs().max(b.abs()) < 1e5 => {
            let s = small(d.abs(), 0.0);
            if d < 0.0 {
                format!("-{s}")
            } else {
                format!("+{s}")
            }
        }
        _ => format!("{d:+.3e}"),
    };
    let rel = if a != 0.0 {
        format!("{:+.2}%", 100.0 * d / a)
    } else {
        "new".to_owned()
    };
    format!("{abs} ({rel})")
}

impl ScheduleDiff {
    fn unit(&self, quantity: Quantity) -> String {
        match quantity {
            Quantity::Energy if self.units[0] == self.units[1] => self.units[0].clone(),
            Quantity::Energy => format!("{}|{}", self.units[0], self.units[1]),
            Quantity::Cycles => "cycles".to_owned(),
            Quantity::Count(unit) => unit.to_owned(),
            Quantity::Whole => String::new(),
        }
    }

    fn section(&self, title: &str, changes: &[Change], out: &mut String) {
        let _ = writeln!(out, "{title}");
        let width = changes
            .iter()
            .map(|c| match c {
                Change::Number { label, .. } | Change::Text { label, .. } => label.chars().count(),
            })
            .max()
            .unwrap_or(0);
        for c in changes {
            match c {
                Change::Number {
                    label,
                    quantity,
                    a,
                    b,
                } => {
                    let unit = self.unit(*quantity);
                    let unit = if unit.is_empty() {
                        unit
                    } else {
                        format!(" {unit}")
                    };
                    let _ = writeln!(
                        out,
                        "  {label:width$}  {} -> {}{unit}  {}",
                        value(*a, *b, *quantity),
                        value(*b, *a, *quantity),
                        delta(*a, *b, *quantity),
                    );
                }
                Change::Text { label, a, b } => {
                    let _ = writeln!(out, "  {label:width$}  {a}");
                    let _ = writeln!(out, "  {:width$}  -> {b}", "");
                }
            }
        }
    }

    /// The diff as text: the two files, changed settings, the totals, the
    /// changed layers biggest energy change first, then layers found in
    /// one file only and how many are unchanged.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let [na, nb] = &self.names;
        if self.equal {
            let _ = writeln!(out, "`{na}` and `{nb}` hold the same schedule.");
            return super::terminal_safe(out);
        }
        let _ = writeln!(out, "--- {na}: {}", self.headlines[0]);
        let _ = writeln!(out, "+++ {nb}: {}", self.headlines[1]);
        if self.units[0] != self.units[1] {
            let _ = writeln!(
                out,
                "note: the energy units differ ({} and {}); energies are compared as numbers",
                self.units[0], self.units[1]
            );
        }
        if !self.settings.is_empty() {
            out.push('\n');
            self.section("settings", &self.settings, &mut out);
        }
        if let Some(t) = &self.total {
            out.push('\n');
            self.section("total", &t.changes, &mut out);
        }
        for l in &self.layers {
            out.push('\n');
            self.section(&format!("layer {}", l.name), &l.changes, &mut out);
        }
        for (i, only) in self.only.iter().enumerate() {
            if !only.is_empty() {
                let list: Vec<String> = only
                    .iter()
                    .map(|(n, e)| match self.units[i].as_str() {
                        "" => format!("{n} ({} cycles)", grouped(*e as u64)),
                        unit => format!("{n} ({e:.4e} {unit})"),
                    })
                    .collect();
                let _ = writeln!(out, "\nonly in {}: {}", self.names[i], list.join(", "));
            }
        }
        let changed = self.layers.len();
        let _ = writeln!(
            out,
            "\n{changed} layer{} changed, {} unchanged, {} only in {na}, {} only in {nb}",
            if changed == 1 { "" } else { "s" },
            self.unchanged,
            self.only[0].len(),
            self.only[1].len(),
        );
        super::terminal_safe(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_carry_sign_and_relative_change() {
        assert_eq!(delta(200.0, 150.0, Quantity::Energy), "-5.000e1 (-25.00%)");
        assert_eq!(delta(1000.0, 2500.0, Quantity::Cycles), "+1,500 (+150.00%)");
        assert_eq!(delta(0.0, 3.0, Quantity::Energy), "+3.000e0 (new)");
        // Five digits cannot tell these apart: all digits are shown.
        assert_eq!(value(1.00001, 1.00002, Quantity::Energy), "1.00001e0");
        assert_eq!(value(1.5, 2.5, Quantity::Energy), "1.5000e0");
        // Averages to two decimals, with their unit's digits otherwise.
        assert_eq!(
            value(161.68421052631578, 192.0, Quantity::Count("PEs")),
            "161.68"
        );
        assert_eq!(value(192.0, 1.0, Quantity::Count("PEs")), "192");
        assert_eq!(
            delta(192.0, 161.68421052631578, Quantity::Count("PEs")),
            "-30.32 (-15.79%)"
        );
        assert_eq!(value(1.001, 1.002, Quantity::Count("PEs")), "1.001");
        assert_eq!(value(0.011083004877, 0.2, Quantity::Count("")), "0.01108");
    }
}
