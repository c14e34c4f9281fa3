//! The ranges a schedule file's values are read back within
//! (docs/limits.md#reports): what nnc can have written. A file edited or
//! damaged beyond them is refused (R006) rather than drawn, so that the
//! report and the diff stay bounded in time and size for any file: a
//! hardware of 9e15 nodes would be drawn node by node, an energy of 1.7e308
//! overflows an axis to infinity.
//!
//! The bounds are the model's (`sched::machine`): the hardware file's own
//! ranges for the hardware; every energy and count below 10^110 (the
//! model's energies of at most 2^32 layers stay below it); shares
//! (utilizations, occupancies) between 0 and 1.

use super::SavedSchedule;
use crate::hw::Hardware;
use crate::hw::MAX_CLOCK_MHZ;
use crate::sched::machine::{MAX_ENERGY, MAX_HW_SIZE, MAX_NODE_SIDE, MAX_PE_SIDE, MAX_WORD_BITS};
use crate::sched::scalesim::ScaleSimReport;
use crate::sched::scalesim::limits::{MAX_ARRAY_SIDE, MAX_BANDWIDTH, MAX_WORDS};
use crate::schedule::scalesim::{ConfigOut, ScaleSimLayerOut, ScaleSimSchedule};
use crate::schedule::types::TotalsOut;
use crate::schedule::{EnergyOut, LayerOut, LevelsOut, LowerBoundOut, SegmentOut};

/// The largest energy, count or time in seconds a schedule file may hold:
/// the model's totals stay below it.
pub(crate) const MAX_VALUE: f64 = 1e110;

/// A value out of its range: its JSON path in the file
/// (`layers[3].energy`) and why.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct OutOfRange {
    /// The JSON path.
    pub(crate) path: String,
    /// What it is, and what it should be.
    pub(crate) why: String,
}

impl OutOfRange {
    fn new(path: &str, why: String) -> Self {
        OutOfRange {
            path: path.to_owned(),
            why,
        }
    }

    /// The same error, below `parent` (`layers[3]`).
    fn under(self, parent: &str) -> Self {
        OutOfRange {
            path: format!("{parent}.{}", self.path),
            why: self.why,
        }
    }
}

/// Every value of `s` within its range, or the first one out of it.
pub(crate) fn schedule(s: &SavedSchedule) -> Result<(), OutOfRange> {
    hardware(&s.hardware.file).map_err(|e| e.under("hardware"))?;
    totals(&s.totals).map_err(|e| e.under("totals"))?;
    for (i, seg) in s.segments.iter().enumerate() {
        segment(seg).map_err(|e| e.under(&format!("segments[{i}]")))?;
    }
    for (i, l) in s.layers.iter().enumerate() {
        layer(l).map_err(|e| e.under(&format!("layers[{i}]")))?;
    }
    Ok(())
}

/// `x` at `path` is a non-negative number of at most [`MAX_VALUE`].
fn amount(path: &str, x: f64) -> Result<(), OutOfRange> {
    if (0.0..=MAX_VALUE).contains(&x) {
        return Ok(());
    }
    Err(OutOfRange::new(
        path,
        format!(
            "{x:e} is out of range: a schedule's energies and counts are from 0 to {MAX_VALUE:e}"
        ),
    ))
}

/// `x` at `path` is a share from 0 to 1.
fn share(path: &str, x: f64) -> Result<(), OutOfRange> {
    if (0.0..=1.0).contains(&x) {
        return Ok(());
    }
    Err(OutOfRange::new(
        path,
        format!("{x:e} is out of range: a share is from 0 to 1"),
    ))
}

/// `ok`, or `path` is `value`, expected `expected`.
fn within(
    ok: bool,
    path: &str,
    value: impl std::fmt::Display,
    expected: &str,
) -> Result<(), OutOfRange> {
    if ok {
        return Ok(());
    }
    Err(OutOfRange::new(
        path,
        format!("{value} is out of range: expected {expected}"),
    ))
}

fn energies(path: &str, e: &EnergyOut) -> Result<(), OutOfRange> {
    for (name, v) in e.components() {
        amount(&format!("{path}.{name}"), v)?;
    }
    Ok(())
}

fn bound(path: &str, b: &LowerBoundOut) -> Result<(), OutOfRange> {
    amount(&format!("{path}.energy"), b.energy)?;
    energies(&format!("{path}.energy_breakdown"), &b.energy_breakdown)
}

fn levels(path: &str, l: &LevelsOut<f64>) -> Result<(), OutOfRange> {
    for (name, v) in [
        ("dram", l.dram),
        ("gbuf", l.gbuf),
        ("array", l.array),
        ("regf", l.regf),
    ] {
        amount(&format!("{path}.{name}"), v)?;
    }
    Ok(())
}

/// The hardware: the hardware file's ranges (docs/hardware.md).
fn hardware(h: &Hardware) -> Result<(), OutOfRange> {
    within(
        (8..=MAX_WORD_BITS).contains(&h.word_bits) && h.word_bits.is_multiple_of(8),
        "word_bits",
        h.word_bits,
        &format!("a multiple of 8 from 8 to {MAX_WORD_BITS}"),
    )?;
    for (path, d, max) in [
        ("nodes", h.nodes, MAX_NODE_SIDE),
        ("pe_array", h.pe_array, MAX_PE_SIDE),
    ] {
        within(
            (1..=max).contains(&d.h) && (1..=max).contains(&d.w),
            path,
            format_args!("[{}, {}]", d.h, d.w),
            &format!("two counts from 1 to {max}"),
        )?;
    }
    for (path, v) in [
        ("regf_bytes", h.regf_bytes),
        ("gbuf_bytes", h.gbuf_bytes),
        ("bus_width_bits", h.bus_width_bits),
    ] {
        within(v <= MAX_HW_SIZE, path, v, &format!("at most {MAX_HW_SIZE}"))?;
    }
    if let Some(mhz) = h.clock_mhz {
        within(
            mhz > 0.0 && mhz <= MAX_CLOCK_MHZ,
            "clock_mhz",
            mhz,
            &format!("above 0 and at most {MAX_CLOCK_MHZ:e}"),
        )?;
    }
    let e = &h.energy;
    for (name, v) in [
        ("mac", e.mac),
        ("dram", e.dram),
        ("gbuf", e.gbuf),
        ("array", e.array),
        ("regf", e.regf),
        ("noc_hop", e.noc_hop),
        ("static_per_cycle", e.static_per_cycle),
    ] {
        within(
            (0.0..=MAX_ENERGY).contains(&v),
            &format!("energy.{name}"),
            v,
            &format!("an energy from 0 to {MAX_ENERGY:e}"),
        )?;
    }
    Ok(())
}

/// The totals.
fn totals(t: &TotalsOut) -> Result<(), OutOfRange> {
    amount("energy", t.energy)?;
    energies("energy_breakdown", &t.energy_breakdown)?;
    for (path, v) in [
        ("seconds", t.seconds),
        ("average_power_w", t.average_power_w),
    ] {
        if let Some(v) = v {
            amount(path, v)?;
        }
    }
    amount("ops", t.ops)?;
    share("utilization", t.utilization)?;
    levels("accesses", &t.accesses)?;
    amount("noc_hops", t.noc_hops)?;
    bound("lower_bound", &t.lower_bound)
}

/// One layer.
fn layer(l: &LayerOut) -> Result<(), OutOfRange> {
    amount("ops", l.ops)?;
    share(
        "partition.per_node.occupancy",
        l.partition.per_node.occupancy,
    )?;
    share("mapping.util", l.mapping.util())?;
    within(
        l.partition.nodes <= MAX_NODE_SIDE * MAX_NODE_SIDE,
        "partition.nodes",
        l.partition.nodes,
        &format!("at most {}", MAX_NODE_SIDE * MAX_NODE_SIDE),
    )?;
    for (name, a) in [
        ("dram", &l.accesses.dram),
        ("gbuf", &l.accesses.gbuf),
        ("array", &l.accesses.array),
        ("regf", &l.accesses.regf),
    ] {
        for (kind, v) in [("fil", a.fil), ("ifm", a.ifm), ("ofm", a.ofm)] {
            amount(&format!("accesses.{name}.{kind}"), v)?;
        }
    }
    for (kind, v) in [
        ("fil", l.noc_hops.fil),
        ("ifm", l.noc_hops.ifm),
        ("ofm", l.noc_hops.ofm),
    ] {
        amount(&format!("noc_hops.{kind}"), v)?;
    }
    amount("energy", l.energy)?;
    energies("energy_breakdown", &l.energy_breakdown)?;
    let pes = (MAX_PE_SIDE * MAX_PE_SIDE) as f64;
    within(
        (0.0..=pes).contains(&l.active_pes),
        "active_pes",
        l.active_pes,
        &format!("from 0 to {pes:e}"),
    )?;
    share("utilization", l.utilization)?;
    bound("lower_bound", &l.lower_bound)
}

/// One segment: its regions are parts of the node array.
fn segment(s: &SegmentOut) -> Result<(), OutOfRange> {
    within(
        s.regions.len() == s.groups.len(),
        "regions",
        format_args!("{} regions", s.regions.len()),
        &format!("one per group ({})", s.groups.len()),
    )?;
    for (i, r) in s.regions.iter().enumerate() {
        within(
            (1..=MAX_NODE_SIDE).contains(&r.dim.h) && (1..=MAX_NODE_SIDE).contains(&r.dim.w),
            &format!("regions[{i}].dim"),
            format_args!("[{}, {}]", r.dim.h, r.dim.w),
            &format!("two counts from 1 to {MAX_NODE_SIDE}"),
        )?;
    }
    Ok(())
}

/// Every value of a `--compat scalesim` schedule file within its range
/// (the config's, docs/scalesim.md#config-files; shares from 0 to 1,
/// percentages from 0 to 100, bandwidths of at most [`MAX_VALUE`]), or
/// the first one out of it.
pub(crate) fn scalesim(s: &ScaleSimSchedule) -> Result<(), OutOfRange> {
    config(&s.config).map_err(|e| e.under("config"))?;
    share("totals.utilization", s.totals.utilization)?;
    for (i, l) in s.layers.iter().enumerate() {
        scalesim_layer(l).map_err(|e| e.under(&format!("layers[{i}]")))?;
    }
    Ok(())
}

fn config(c: &ConfigOut) -> Result<(), OutOfRange> {
    for (path, side) in [("array[0]", c.array.h), ("array[1]", c.array.w)] {
        within(
            (1..=MAX_ARRAY_SIDE).contains(&side),
            path,
            side,
            &format!("1 to {MAX_ARRAY_SIDE} PEs"),
        )?;
    }
    let kb = MAX_WORDS / 1024;
    for (name, v) in [
        ("ifmap", c.sram_kb.ifmap),
        ("filter", c.sram_kb.filter),
        ("ofmap", c.sram_kb.ofmap),
    ] {
        within(
            (1..=kb).contains(&v),
            &format!("sram_kb.{name}"),
            v,
            &format!("1 to {kb} kB"),
        )?;
    }
    if let Some(b) = &c.bandwidth_words_per_cycle {
        for (name, v) in [("ifmap", b.ifmap), ("filter", b.filter), ("ofmap", b.ofmap)] {
            within(
                (1..=MAX_BANDWIDTH).contains(&v),
                &format!("bandwidth_words_per_cycle.{name}"),
                v,
                &format!("1 to {MAX_BANDWIDTH} words per cycle"),
            )?;
        }
    }
    Ok(())
}

fn scalesim_layer(l: &ScaleSimLayerOut) -> Result<(), OutOfRange> {
    share("utilization", l.utilization)?;
    report(&l.scalesim).map_err(|e| e.under("scalesim"))
}

/// SCALE-Sim's report of a layer: its percentages and its bandwidths.
fn report(r: &ScaleSimReport) -> Result<(), OutOfRange> {
    for (path, pct) in [
        ("overall_util_pct", r.overall_util_pct),
        ("mapping_eff_pct", r.mapping_eff_pct),
        ("compute_util_pct", r.compute_util_pct),
    ] {
        within(
            (0.0..=100.0).contains(&pct),
            path,
            format!("{pct:e}"),
            "a percentage from 0 to 100",
        )?;
    }
    for (path, bw) in [
        ("avg_ifmap_sram_bw", r.avg_ifmap_sram_bw),
        ("avg_filter_sram_bw", r.avg_filter_sram_bw),
        ("avg_ofmap_sram_bw", r.avg_ofmap_sram_bw),
        ("avg_ifmap_dram_bw", r.avg_ifmap_dram_bw),
        ("avg_filter_dram_bw", r.avg_filter_dram_bw),
        ("avg_ofmap_dram_bw", r.avg_ofmap_dram_bw),
    ] {
        amount(path, bw)?;
    }
    Ok(())
}
