//! The human summary of a schedule: one line per layer (energy and share,
//! time, active PEs, partition and blocking in short) and the totals.

use crate::sched::partition::ParallelDim;
use crate::schedule::{LayerOut, ScheduleFile};
use std::fmt::Write;

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An energy with four significant digits.
fn energy(e: f64) -> String {
    format!("{e:.3e}")
}

/// The partition in short: the non-trivial levels, top first, e.g.
/// `batp 2x1 · ofmp 2x2`; `-` on one node.
fn partition(l: &LayerOut) -> String {
    let f = &l.partition.factors;
    let parts: Vec<String> = l
        .partition
        .order
        .iter()
        .filter_map(|&p| {
            let d = match p {
                ParallelDim::Outp => f.outp,
                ParallelDim::Ofmp => f.ofmp,
                ParallelDim::Batp => f.batp,
                ParallelDim::Inpp => f.inpp,
            };
            (d.size() > 1).then(|| format!("{} {}x{}", p.as_str_lower(), d.h, d.w))
        })
        .collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// The blocking in short: per loop its factors at the DRAM, GBUF and REGF
/// levels, then what the global buffer holds.
fn blocking(l: &LayerOut) -> String {
    let f = &l.blocking.factors;
    let held: Vec<&str> = [
        ("fil", l.blocking.stored_in_gbuf.fil),
        ("ifm", l.blocking.stored_in_gbuf.ifm),
        ("ofm", l.blocking.stored_in_gbuf.ofm),
    ]
    .into_iter()
    .filter_map(|(n, s)| s.then_some(n))
    .collect();
    format!(
        "i {}·{}·{}  o {}·{}·{}  b {}·{}·{}  gbuf: {}",
        f.dram.ifm,
        f.gbuf.ifm,
        f.regf.ifm,
        f.dram.ofm,
        f.gbuf.ofm,
        f.regf.ofm,
        f.dram.bat,
        f.gbuf.bat,
        f.regf.bat,
        if held.is_empty() {
            "-".to_owned()
        } else {
            held.join(",")
        }
    )
}

/// The summary table of a schedule.
pub fn summary(s: &ScheduleFile) -> String {
    let hw = &s.hardware.file;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} on {} ({}x{} nodes of {}x{} PEs), batch {}, {} search, {} partitioning, model {}",
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
    let headers = [
        "layer",
        "energy",
        "share",
        "time",
        "active PEs",
        "partition",
        "blocking (dram·gbuf·regf)",
    ];
    let total = s.totals.energy;
    let rows: Vec<[String; 7]> = s
        .layers
        .iter()
        .map(|l| {
            [
                l.name.clone(),
                energy(l.energy),
                format!(
                    "{:.1}%",
                    if total > 0.0 {
                        100.0 * l.energy / total
                    } else {
                        0.0
                    }
                ),
                grouped(l.time.total),
                format!("{:.1}", l.active_pes),
                partition(l),
                blocking(l),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut l = String::new();
        for (i, (c, w)) in cells.iter().zip(widths).enumerate() {
            let pad = w.saturating_sub(c.chars().count());
            // Numbers right-aligned, text left-aligned.
            if (1..=4).contains(&i) {
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            } else {
                l.push_str(c);
                if i + 1 < cells.len() {
                    l.push_str(&" ".repeat(pad));
                }
            }
            if i + 1 < cells.len() {
                l.push_str("  ");
            }
        }
        l.trim_end().to_owned()
    };
    let _ = writeln!(out, "{}", line(&headers.map(str::to_owned)));
    for r in &rows {
        let _ = writeln!(out, "{}", line(r));
    }
    let t = &s.totals;
    let _ = writeln!(
        out,
        "{}",
        line(&[
            "total".to_owned(),
            energy(t.energy),
            "100.0%".to_owned(),
            grouped(t.time),
            String::new(),
            String::new(),
            String::new(),
        ])
    );
    out.push('\n');
    let b = &t.energy_breakdown;
    let pct = |x: f64| if total > 0.0 { 100.0 * x / total } else { 0.0 };
    let _ = writeln!(
        out,
        "energy {} = op {} ({:.1}%) + dram {} ({:.1}%) + gbuf {} ({:.1}%) + array {} ({:.1}%) + regf {} ({:.1}%) + noc {} ({:.1}%) + static {} ({:.1}%)",
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
    let _ = writeln!(
        out,
        "time {} cycles; {} ops; accesses dram {} gbuf {} array {} regf {}; noc {} word-hops",
        grouped(t.time),
        energy(t.ops),
        energy(t.accesses.dram),
        energy(t.accesses.gbuf),
        energy(t.accesses.array),
        energy(t.accesses.regf),
        energy(t.noc_hops),
    );
    out
}
