//! The summary and the diff of `--compat scalesim` schedules
//! (`nnc-scalesim/1`, docs/scalesim.md#the-schedule-file): SCALE-Sim's
//! cycles, utilisation and memory accesses per layer. The HTML page is
//! `scalesim_html.rs`.

use super::diff::{Change, Compared, Quantity, ScheduleDiff, assemble, keys, number, text, texts};
use super::{Table, grouped};
use crate::sched::scalesim::Dataflow;
use crate::schedule::scalesim::{BandwidthMode, ConfigOut, ScaleSimLayerOut, ScaleSimSchedule};
use std::fmt::Write;

/// What the summary and the page say of energy.
pub const NO_ENERGY: &str = "energy: none; SCALE-Sim models cycles and memory accesses, not energy, and nnc does not invent one";

/// The config in one line: `32x32 PEs, weight stationary (ws), SRAMs
/// 64/64/64 kB (ifmap/filter/ofmap), CALC bandwidth`.
pub fn config_line(c: &ConfigOut) -> String {
    let bandwidth = match (c.interface_bandwidth, c.bandwidth_words_per_cycle) {
        (BandwidthMode::User, Some(b)) => format!(
            "USER bandwidth {}/{}/{} words per cycle",
            b.ifmap, b.filter, b.ofmap
        ),
        _ => "CALC bandwidth".to_owned(),
    };
    let dataflow = match c.dataflow {
        Dataflow::Ws => "weight stationary",
        Dataflow::Os => "output stationary",
        Dataflow::Is => "input stationary",
    };
    format!(
        "{}x{} PEs, {dataflow} ({}), SRAMs {}/{}/{} kB (ifmap/filter/ofmap), {bandwidth}",
        c.array.h, c.array.w, c.dataflow, c.sram_kb.ifmap, c.sram_kb.filter, c.sram_kb.ofmap,
    )
}

/// A percentage of a share from 0 to 1.
fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// A layer's name, with its runs when SCALE-Sim runs it more than once
/// (the channels of a `DP` row).
pub fn layer_name(l: &ScaleSimLayerOut) -> String {
    if l.runs > 1 {
        format!("{} (x{})", l.name, l.runs)
    } else {
        l.name.clone()
    }
}

/// What the summary's columns mean.
const LEGEND: &str = "\
util: SCALE-Sim's overall utilisation, MACs over cycles x PEs; mapping: the share of the array its folds use
SRAM and DRAM columns: words read (ifmap, filter) and written (ofmap), all runs; (xN): a DP row's N one-channel runs
";

/// The summary table of a `--compat scalesim` schedule.
pub fn summary(s: &ScaleSimSchedule) -> String {
    let mut out = format!(
        "{} on SCALE-Sim's systolic array: {}; model {}\n\n",
        s.network,
        config_line(&s.config),
        crate::schedule::scalesim::SCALESIM_MODEL
    );
    let mut table = Table::new(&[
        ("layer", false),
        ("cycles", true),
        ("stall (cycles)", true),
        ("util", true),
        ("mapping", true),
        ("SRAM ifmap (words)", true),
        ("SRAM filter", true),
        ("SRAM ofmap", true),
        ("DRAM ifmap (words)", true),
        ("DRAM filter", true),
        ("DRAM ofmap", true),
    ]);
    for l in &s.layers {
        let r = &l.scalesim;
        let all = |x: u64| grouped(l.runs.saturating_mul(x));
        let mut row = vec![
            layer_name(l),
            grouped(l.cycles),
            all(r.stall_cycles),
            pct(l.utilization),
            format!("{:.1}%", r.mapping_eff_pct),
        ];
        row.extend(r.traffic().map(all));
        table.row(row);
    }
    let t = &s.totals;
    let mut total = vec![
        "total".to_owned(),
        grouped(t.cycles),
        grouped(t.stall_cycles),
        pct(t.utilization),
        String::new(),
    ];
    total.extend(t.traffic().map(grouped));
    out += &table.render(&[total]);
    out.push('\n');
    out += LEGEND;
    out.push('\n');
    let _ = writeln!(
        out,
        "time {} cycles ({} stalled; {} with each layer's DRAM prefetch and write-back); {} MACs; utilisation {}",
        grouped(t.cycles),
        grouped(t.stall_cycles),
        grouped(t.cycles_incl_prefetch),
        grouped(t.ops),
        pct(t.utilization),
    );
    out += NO_ENERGY;
    out.push('\n');
    out
}

/// The headline of a file in a diff.
fn headline(s: &ScaleSimSchedule) -> String {
    format!(
        "{} on {}; model {}: {} cycles",
        s.network,
        config_line(&s.config),
        crate::schedule::scalesim::SCALESIM_MODEL,
        grouped(s.totals.cycles)
    )
}

/// A layer's changes: its numbers (MACs, runs, cycles, utilisation, then
/// every column of SCALE-Sim's report) and its shape.
fn layer_changes(a: &ScaleSimLayerOut, b: &ScaleSimLayerOut) -> Vec<Change> {
    let mut c = Vec::new();
    numbers("", a, b, &mut c);
    let shape = |l: &ScaleSimLayerOut| serde_json::to_string(&l.shape).unwrap_or_default();
    text("shape", shape(a), shape(b), &mut c);
    c
}

/// The numbers of two serializable values, field by field (nested objects
/// flattened to `a.b`), that differ: cycle counts in cycles, the rest as
/// they are.
pub(super) fn numbers<T: serde::Serialize>(prefix: &str, a: &T, b: &T, out: &mut Vec<Change>) {
    fn walk(prefix: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<Change>) {
        use serde_json::Value;
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    if let Some(w) = y.get(k) {
                        walk(&format!("{prefix}{k}."), v, w, out);
                    }
                }
            }
            (Value::Number(x), Value::Number(y)) => {
                let label = prefix.trim_end_matches('.');
                // Cycle counts; a start or stop is a cycle number, which
                // may be negative (a prefetch): shown as it is.
                let quantity = if label.contains("cycles") {
                    Quantity::Cycles
                } else if x.is_f64() || y.is_f64() {
                    Quantity::Count("")
                } else {
                    Quantity::Whole
                };
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                number(label, quantity, x, y, out);
            }
            _ => {}
        }
    }
    if let (Ok(a), Ok(b)) = (serde_json::to_value(a), serde_json::to_value(b)) {
        walk(prefix, &a, &b, out);
    }
}

/// Compares two `--compat scalesim` schedules, `a` (named `a_name`) and
/// `b`, as `nnc diff` compares schedules: layers by name, the biggest
/// change of cycles first.
#[allow(clippy::cast_precision_loss)]
pub fn diff(
    a: &ScaleSimSchedule,
    a_name: &str,
    b: &ScaleSimSchedule,
    b_name: &str,
) -> ScheduleDiff {
    let mut settings = Vec::new();
    keys("inputs.", &a.inputs, &b.inputs, &mut settings);
    let inputs = [
        ("nnc_version", a.nnc_version.clone(), b.nnc_version.clone()),
        ("network", a.network.clone(), b.network.clone()),
    ];
    texts(inputs, &mut settings);
    keys("config.", &a.config, &b.config, &mut settings);
    let (ta, tb) = (&a.totals, &b.totals);
    let mut total = Vec::new();
    numbers("", ta, tb, &mut total);
    let delta = tb.cycles as f64 - ta.cycles as f64;
    let units = [String::new(), String::new()];
    assemble([(a, a_name), (b, b_name)], units, settings, (total, delta))
}

impl Compared for ScaleSimSchedule {
    type Layer = ScaleSimLayerOut;
    fn layers(&self) -> &[ScaleSimLayerOut] {
        &self.layers
    }
    fn layer(&self, name: &str) -> Option<&ScaleSimLayerOut> {
        ScaleSimSchedule::layer(self, name)
    }
    fn name(l: &ScaleSimLayerOut) -> &str {
        &l.name
    }
    #[allow(clippy::cast_precision_loss)]
    fn figure(l: &ScaleSimLayerOut) -> f64 {
        l.cycles as f64
    }
    fn changes(a: &ScaleSimLayerOut, b: &ScaleSimLayerOut) -> Vec<Change> {
        layer_changes(a, b)
    }
    fn headline(&self) -> String {
        headline(self)
    }
}
