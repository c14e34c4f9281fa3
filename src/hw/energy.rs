//! The hardware file's `[energy]` section as written, and the energy of
//! the node's buffer level: one global buffer's (`[energy] gbuf`), or with
//! per-operand SRAMs one for all three (`gbuf`) or each its own
//! (`[energy.sram]`, docs/hardware.md#per-operand-sram-energies).
//!
//! Where an energy the file leaves out comes from is the caller's (`[tech]`
//! or nowhere: `super::tech::resolve`); this module decides which energies
//! the buffer level needs and what is contradictory.

use super::error::{Fault, Problem};
use super::{Energy, SramEnergy};
use serde::Deserialize;

/// `[energy]` as written: every key optional, since `[tech]` may derive it.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnergySection {
    pub mac: Option<f64>,
    pub dram: Option<f64>,
    pub gbuf: Option<f64>,
    pub array: Option<f64>,
    pub regf: Option<f64>,
    pub noc_hop: Option<f64>,
    pub static_per_cycle: Option<f64>,
    pub sram: Option<SramEnergySection>,
}

/// `[energy.sram]` as written: each per-operand SRAM's energy per data-word
/// access, every key optional.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SramEnergySection {
    pub ifmap: Option<f64>,
    pub filter: Option<f64>,
    pub ofmap: Option<f64>,
}

/// The `[energy]` keys of the per-operand SRAMs, in the order of the
/// file's `[node.sram]` (ifmap, filter, ofmap): the index of each is its
/// SRAM's among the node's buffers.
pub(super) const SRAM_KEYS: [&str; 3] = ["sram.ifmap", "sram.filter", "sram.ofmap"];

/// The buffer level's energies, `(gbuf, sram)`: with one global buffer
/// (`per_operand` false) its energy; with per-operand SRAMs either one
/// energy for all three (`gbuf` given: `sram` is `None`) or each its own,
/// with `gbuf` the dearest of them (the one figure a summary shows).
/// `pick(key, given, buffer)` gives the energy of `key` (`"gbuf"` or one of
/// [`SRAM_KEYS`]) of the node's `buffer`-th buffer: the file's `given`, or
/// what the caller derives, or a fault.
pub(super) fn buffer_level(
    e: &EnergySection,
    per_operand: bool,
    mut pick: impl FnMut(&'static str, Option<f64>, usize) -> Result<f64, Fault>,
) -> Result<(f64, Option<SramEnergy>), Fault> {
    match (per_operand, e.gbuf, &e.sram) {
        (false, _, Some(_)) => Err(Fault::new(
            "energy.sram",
            Problem::BadValue,
            "`[energy.sram]` prices per-operand SRAMs (`[node.sram]`), and this node has one global buffer (`gbuf_bytes`): price it with `[energy] gbuf`",
        )),
        (false, given, None) => Ok((pick("gbuf", given, 0)?, None)),
        (true, Some(_), Some(_)) => Err(Fault::new(
            "energy.gbuf",
            Problem::BadValue,
            "one energy for all three per-operand SRAMs, and `[energy.sram]` gives each its own: give one of them, not both",
        )),
        (true, Some(gbuf), None) => Ok((gbuf, None)),
        (true, None, sram) => {
            let s = sram.as_ref();
            let ifmap = pick(SRAM_KEYS[0], s.and_then(|s| s.ifmap), 0)?;
            let filter = pick(SRAM_KEYS[1], s.and_then(|s| s.filter), 1)?;
            let ofmap = pick(SRAM_KEYS[2], s.and_then(|s| s.ofmap), 2)?;
            let sram = SramEnergy {
                ifmap,
                filter,
                ofmap,
            };
            Ok((ifmap.max(filter).max(ofmap), Some(sram)))
        }
    }
}

/// The energies of a file without `[tech]`: the per-access ones must be
/// given, the buffer level's as [`buffer_level`] asks.
pub(super) fn explicit(e: &EnergySection, per_operand: bool) -> Result<Energy, Fault> {
    let need = |key: &'static str, v: Option<f64>| {
        v.ok_or_else(|| {
            Fault::new(
                match key {
                    "mac" => "energy.mac",
                    "dram" => "energy.dram",
                    "array" => "energy.array",
                    _ => "energy.regf",
                },
                Problem::MissingKey,
                format!(
                    "missing field `{key}`: give `[energy] {key}`, or a `[tech] node` to derive the energies the file leaves out"
                ),
            )
        })
    };
    // In the file's order: the first missing key is the one named.
    let mac = need("mac", e.mac)?;
    let dram = need("dram", e.dram)?;
    let (gbuf, sram) = buffer_level(e, per_operand, |key, v, _| {
        v.ok_or_else(|| missing_buffer(key, e.sram.is_some()))
    })?;
    Ok(Energy {
        mac,
        dram,
        gbuf,
        sram,
        array: need("array", e.array)?,
        regf: need("regf", e.regf)?,
        noc_hop: e.noc_hop.unwrap_or(0.0),
        static_per_cycle: e.static_per_cycle.unwrap_or(0.0),
    })
}

/// The fault of a buffer energy `key` neither given nor derivable; `table`:
/// the file has `[energy.sram]`.
fn missing_buffer(key: &'static str, table: bool) -> Fault {
    let derive = "or a `[tech] node` to derive the energies the file leaves out";
    match key {
        "gbuf" => Fault::new(
            "energy.gbuf",
            Problem::MissingKey,
            format!("missing field `gbuf`: give `[energy] gbuf`, {derive}"),
        ),
        _ if !table => Fault::new(
            "energy.gbuf",
            Problem::MissingKey,
            format!(
                "missing field `gbuf`: per-operand SRAMs take one energy for all three (`[energy] gbuf`) or each its own (`[energy.sram]` with `ifmap`, `filter` and `ofmap`), {derive}"
            ),
        ),
        _ => {
            let short = key.rsplit('.').next().unwrap_or(key);
            Fault::new(
                "energy.sram",
                Problem::MissingKey,
                format!(
                    "missing `{short}`: give each of `ifmap`, `filter` and `ofmap` in `[energy.sram]`, {derive}"
                ),
            )
        }
    }
}
