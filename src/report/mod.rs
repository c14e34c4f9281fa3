//! The human summaries: of a checked network (`nnc check`) and of a
//! schedule (`nnc schedule`): one line per layer and the totals, as text
//! tables built by one [`Table`]. `scalesim` and `scalesim_html` do the
//! same for `--compat scalesim`'s schedules.

pub mod diff;
pub mod html;
mod layer_text;
pub mod scalesim;
pub mod scalesim_html;
pub(crate) mod svg;
pub mod sweep;

use crate::ir::{LayerKind, Network};
use crate::schedule::{LayerOut, ScheduleFile};
use layer_text::partition;
use std::fmt::Write;

/// A text table: one header row, columns left- or right-aligned to the
/// widest cell of the header and the body, two spaces apart, no trailing
/// spaces.
#[derive(Clone, Debug)]
pub struct Table {
    right: Vec<bool>,
    widths: Vec<usize>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns: header and whether it is right-aligned.
    pub fn new(columns: &[(&str, bool)]) -> Self {
        let mut t = Table {
            right: columns.iter().map(|c| c.1).collect(),
            widths: vec![0; columns.len()],
            rows: Vec::new(),
        };
        t.row(columns.iter().map(|c| c.0.to_owned()).collect());
        t
    }

    /// Adds a row of the body.
    pub fn row(&mut self, cells: Vec<String>) {
        for (w, c) in self.widths.iter_mut().zip(&cells) {
            *w = (*w).max(c.chars().count());
        }
        self.rows.push(cells);
    }

    fn line(&self, cells: &[String], out: &mut String) {
        let mut l = String::new();
        for ((c, &w), &right) in cells.iter().zip(&self.widths).zip(&self.right) {
            let pad = " ".repeat(w.saturating_sub(c.chars().count()));
            if right {
                l.push_str(&pad);
                l.push_str(c);
            } else {
                l.push_str(c);
                l.push_str(&pad);
            }
            l.push_str("  ");
        }
        out.push_str(l.trim_end());
        out.push('\n');
    }

    /// The header and body, then `footer` rows aligned to them (a footer,
    /// such as a total, does not widen the columns).
    pub fn render(&self, footer: &[Vec<String>]) -> String {
        let mut out = String::new();
        for r in self.rows.iter().chain(footer) {
            self.line(r, &mut out);
        }
        out
    }
}

/// `1234567` as `1,234,567`.
pub fn grouped(n: impl Into<u128>) -> String {
    let s = n.into().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The summary of a checked network: its inputs, one row per layer (names
/// and kinds left-aligned, numbers right-aligned), then totals.
pub fn network_summary(net: &Network) -> String {
    let mut table = Table::new(&[
        ("layer", false),
        ("kind", false),
        ("in", true),
        ("out", true),
        ("ofmap", true),
        ("kernel", true),
        ("stride", true),
        ("MACs", true),
    ]);
    for l in net.layers() {
        let s = &l.shape;
        let kernel = match l.kind {
            LayerKind::Eltwise => format!("{} in", l.inputs.len()),
            _ => s.window().to_string(),
        };
        table.row(vec![
            l.name.clone(),
            l.kind.to_string(),
            s.nifm().to_string(),
            s.nofm().to_string(),
            s.ofmap().to_string(),
            kernel,
            s.stride().to_string(),
            grouped(s.total_ops(1)),
        ]);
    }
    let mut out = format!(
        "network {}: input `{}` {}x{}",
        net.name(),
        net.input().name,
        net.input().channels,
        net.input().size
    );
    for e in net.externs() {
        let _ = write!(out, ", extern `{}` {}x{}", e.name, e.channels, e.size);
    }
    out += "\n\n";
    out += &table.render(&[]);
    // Summed wide: a network built through the library may have more
    // layers than the front end allows.
    let sum = |f: fn(&crate::ir::LayerShape) -> u64| -> u128 {
        net.layers().iter().map(|l| u128::from(f(&l.shape))).sum()
    };
    let _ = writeln!(
        out,
        "\n{} layers, {} MACs per sample, {} weights, {} parameters with biases",
        net.layers().len(),
        grouped(sum(|s| s.total_ops(1))),
        grouped(
            net.layers()
                .iter()
                .map(|l| u128::from(l.weights()))
                .sum::<u128>()
        ),
        grouped(
            net.layers()
                .iter()
                .map(|l| u128::from(l.params()))
                .sum::<u128>()
        )
    );
    terminal_safe(out)
}

/// An energy with four significant digits.
fn energy(e: f64) -> String {
    format!("{e:.3e}")
}

/// `a / b` as `1.234x`; `-` when the bound is zero (a network without ops
/// or costs).
pub fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.3}x", a / b)
    } else {
        "-".to_owned()
    }
}

/// The blocking in short: per loop its factors at the DRAM, GBUF and REGF
/// levels, then what the global buffer holds.
fn blocking(l: &LayerOut) -> String {
    format!(
        "{}  gbuf: {}",
        layer_text::factors(l, "  "),
        layer_text::held(l)
    )
}

/// A region as `4x2 at (0,0)`, folded ones with their stripes.
fn region(r: &crate::schedule::RegionOut) -> String {
    let mut out = format!("{} at ({},{})", r.dim, r.origin[0], r.origin[1]);
    if r.wtot != r.dim.w || r.wbeg != r.dim.w as i64 {
        let _ = write!(out, " folded {}/{}", r.wtot, r.wbeg);
    }
    out
}

/// The table of a pipelined schedule: a row per segment (its energy, its
/// pipelined time and how many groups run at once), then its layers by
/// group with the region each group runs on
/// (docs/model/pipelining.md#segments).
fn segment_table(s: &ScheduleFile, energy_header: &str, pct: &dyn Fn(f64) -> f64) -> Table {
    let mut table = Table::new(&[
        ("segment / layer", false),
        (energy_header, true),
        ("share", true),
        ("time (cycles)", true),
        ("active PEs", true),
        ("util", true),
        ("group", true),
        ("region", false),
        ("partition", false),
        ("blocking (dram·gbuf·regf)", false),
    ]);
    let by_name = |n: &str| s.layers.iter().find(|l| l.name == n);
    for (i, seg) in s.segments.iter().enumerate() {
        let layers: Vec<&LayerOut> = seg
            .groups
            .iter()
            .flatten()
            .filter_map(|n| by_name(n))
            .collect();
        let e: f64 = layers.iter().map(|l| l.energy).sum();
        let groups = seg.groups.len();
        table.row(vec![
            format!("segment {i}"),
            energy(e),
            format!("{:.1}%", pct(e)),
            grouped(seg.time),
            String::new(),
            String::new(),
            String::new(),
            format!("{groups} group{}", if groups == 1 { "" } else { "s" }),
        ]);
        for (g, names) in seg.groups.iter().enumerate() {
            for l in names.iter().filter_map(|n| by_name(n)) {
                let r = seg.regions.get(g).map(region).unwrap_or_default();
                table.row(vec![
                    format!("  {}", l.name),
                    energy(l.energy),
                    format!("{:.1}%", pct(l.energy)),
                    grouped(l.time.total),
                    format!("{:.1}", l.active_pes),
                    format!("{:.1}%", 100.0 * l.utilization),
                    g.to_string(),
                    r,
                    partition(l),
                    blocking(l),
                ]);
            }
        }
    }
    table
}

/// What the summary's columns mean (docs/model/README.md#how-to-read-a-schedules-numbers).
const LEGEND: &str = "\
active PEs: PEs busy per node, on average over the compute time only; util: share of all PEs of all nodes busy over the whole time
blocking: factors of the input-channel (i), output-channel (o) and batch (b) loops at DRAM·gbuf·regf; b counts samples times the mapping's width folds; gbuf: the data kept in the global buffer (the rest bypass it)
";

/// The summary table of a schedule.
pub fn summary(s: &ScheduleFile) -> String {
    let hw = &s.hardware.file;
    let mut out = String::new();
    // Row stationary, the default, goes unsaid.
    let dataflow = if hw.dataflow.is_row_stationary() {
        String::new()
    } else {
        format!(", {}", hw.dataflow)
    };
    let _ = writeln!(
        out,
        "{} on {} ({}x{} nodes of {}x{} PEs{dataflow}), batch {}, {} search, {} partitioning, model {}",
        s.network,
        hw.name,
        hw.nodes.h,
        hw.nodes.w,
        hw.pe_array.h,
        hw.pe_array.w,
        s.batch,
        s.options.solver.as_str(),
        s.options.partition,
        s.model,
    );
    out.push('\n');
    let unit = &s.totals.energy_unit;
    let energy_header = format!("energy ({unit})");
    let mut table = Table::new(&[
        ("layer", false),
        (&energy_header, true),
        ("share", true),
        ("time (cycles)", true),
        ("active PEs", true),
        ("util", true),
        ("partition", false),
        ("blocking (dram·gbuf·regf)", false),
    ]);
    let total = s.totals.energy;
    let pct = |x: f64| if total > 0.0 { 100.0 * x / total } else { 0.0 };
    let pipelined = s
        .segments
        .iter()
        .any(|seg| seg.groups.iter().map(Vec::len).sum::<usize>() > 1);
    if pipelined {
        table = segment_table(s, &energy_header, &pct);
    }
    for l in s.layers.iter().filter(|_| !pipelined) {
        table.row(vec![
            l.name.clone(),
            energy(l.energy),
            format!("{:.1}%", pct(l.energy)),
            grouped(l.time.total),
            format!("{:.1}", l.active_pes),
            format!("{:.1}%", 100.0 * l.utilization),
            partition(l),
            blocking(l),
        ]);
    }
    let t = &s.totals;
    let total_row = vec![
        "total".to_owned(),
        energy(t.energy),
        "100.0%".to_owned(),
        grouped(t.time),
        String::new(),
        format!("{:.1}%", 100.0 * t.utilization),
    ];
    out += &table.render(&[total_row]);
    out.push('\n');
    out.push_str(LEGEND);
    out.push('\n');
    let b = &t.energy_breakdown;
    let _ = writeln!(
        out,
        "energy {} {unit} = op {} ({:.1}%) + dram {} ({:.1}%) + gbuf {} ({:.1}%) + array {} ({:.1}%) + regf {} ({:.1}%) + noc {} ({:.1}%) + static {} ({:.1}%)",
        energy(t.energy),
        energy(b.op),
        pct(b.op),
        energy(b.dram),
        pct(b.dram),
        energy(b.gbuf),
        pct(b.gbuf),
        energy(b.array),
        pct(b.array),
        energy(b.regf),
        pct(b.regf),
        energy(b.noc),
        pct(b.noc),
        energy(b.static_),
        pct(b.static_),
    );
    let lb = &t.lower_bound;
    let _ = writeln!(
        out,
        "lower bound {} {unit} (energy / bound {}; docs/model/bound.md)",
        energy(lb.energy),
        ratio(t.energy, lb.energy),
    );
    let mut time = format!("{} cycles", grouped(t.time));
    if let (Some(seconds), Some(mhz)) = (t.seconds, hw.clock_mhz) {
        let _ = write!(
            time,
            " = {} at {mhz} MHz",
            crate::hw::format_seconds(seconds)
        );
    }
    if let Some(w) = t.average_power_w {
        let _ = write!(time, ", average power {}", crate::hw::format_watts(w));
    }
    let _ = writeln!(
        out,
        "time {time}; {} ops; accesses dram {} gbuf {} array {} regf {}; noc {} word-hops",
        energy(t.ops),
        energy(t.accesses.dram),
        energy(t.accesses.gbuf),
        energy(t.accesses.array),
        energy(t.accesses.regf),
        energy(t.noc_hops),
    );
    terminal_safe(out)
}

/// `text` with every control character of a name in it shown as an
/// escape (`\u{1b}`), not sent to the terminal.
pub(crate) fn terminal_safe(text: String) -> String {
    match crate::diag::printable(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(safe) => safe,
    }
}

/// The summary's line for a network of token sequences (a transformer,
/// docs/model/layers.md#kv-cache): energy and time per token, `tokens`
/// per sample (a prefill's sequence, or 1 for a decode step) times the
/// batch, and tokens per second when the hardware has a clock.
#[allow(clippy::cast_precision_loss)]
pub fn per_token(s: &ScheduleFile, tokens: u64) -> String {
    let t = &s.totals;
    let n = tokens.saturating_mul(s.batch).max(1);
    let mut line = format!(
        "per token ({tokens} per sample x batch {}): energy {} {}, time {} cycles",
        s.batch,
        energy(t.energy / n as f64),
        t.energy_unit,
        grouped(t.time / n),
    );
    if let Some(seconds) = t.seconds.filter(|&x| x > 0.0) {
        let _ = write!(
            line,
            " = {}; {:.4e} tokens/s",
            crate::hw::format_seconds(seconds / n as f64),
            n as f64 / seconds
        );
    }
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_and_footers_do_not_widen() {
        let mut t = Table::new(&[("name", false), ("n", true), ("note", false)]);
        t.row(vec!["a".into(), "1,000".into(), "x".into()]);
        t.row(vec!["bb·c".into(), "7".into(), String::new()]);
        let text = t.render(&[vec!["total".into(), "1,000,007".into()]]);
        assert_eq!(
            text,
            "name      n  note\na     1,000  x\nbb·c      7\ntotal  1,000,007\n"
        );
        assert_eq!(grouped(0u64), "0");
        assert_eq!(grouped(1234567u64), "1,234,567");
        assert_eq!(
            grouped(u128::from(u64::MAX) * 2),
            "36,893,488,147,419,103,230"
        );
    }
}
