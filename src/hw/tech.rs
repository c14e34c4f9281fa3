//! The hardware file's `[tech]` section (docs/hardware.md#tech-the-technology-model): the
//! process node and DRAM interface the design is priced in. With it, every
//! `[energy]` key the file leaves out comes from the technology model
//! (`crate::tech`), sized by the file's own capacities and word, and the
//! design's area is rolled up per component; explicit energies still win,
//! key by key.
//!
//! This module turns the file's sections into the resolved [`Energy`], the
//! [`Tech`] echo and the [`Area`]; what it cannot price is a [`Fault`]
//! naming the key to blame, which the parser turns into a diagnostic.

use super::error::Problem;
use super::{Energy, EnergyUnit};
use crate::tech::{
    AreaBreakdown, AreaComponent, Bytes, ComponentAreas, Design, DramInterface, MAX_FLIPFLOP_REGF,
    Ports, ProcessNode, RegfImpl, TechError, Technology, WordBits,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::str::FromStr;

/// `[tech]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TechSection {
    node: String,
    #[serde(default)]
    dram: Option<String>,
    #[serde(default)]
    sram_word_bits: Option<u64>,
}

/// `[energy]` as written: every key optional, since `[tech]` may derive it.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EnergySection {
    mac: Option<f64>,
    dram: Option<f64>,
    gbuf: Option<f64>,
    array: Option<f64>,
    regf: Option<f64>,
    noc_hop: Option<f64>,
    static_per_cycle: Option<f64>,
}

/// The DRAM interface a `[tech]` section without `dram` is priced with
/// (docs/hardware.md#tech-the-technology-model).
pub const DEFAULT_DRAM: DramInterface = DramInterface::Lpddr4;

/// The technology a hardware is priced in, as the schedule file records it
/// (`hardware.tech`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tech {
    /// The process node (`[tech] node`).
    #[serde(serialize_with = "by_name", deserialize_with = "from_name")]
    pub node: ProcessNode,
    /// The DRAM interface (`[tech] dram`; [`DEFAULT_DRAM`] when not given).
    #[serde(serialize_with = "by_name", deserialize_with = "from_name")]
    pub dram: DramInterface,
    /// Bits the global buffer's SRAM reads or writes at once
    /// (`[tech] sram_word_bits`; the data word when not given).
    pub sram_word_bits: u64,
    /// The `[energy]` keys the model gave (those the file left out), in
    /// the file's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<String>,
}

fn by_name<T: std::fmt::Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

fn from_name<'de, T, D>(d: D) -> Result<T, D::Error>
where
    T: FromStr<Err = TechError>,
    D: Deserializer<'de>,
{
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

/// Area per component, mm² (docs/model/technology.md#area-roll-up).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaParts {
    /// The PEs' MAC units.
    pub mac: f64,
    /// The PEs' register files.
    pub regf: f64,
    /// The global buffer SRAMs.
    pub gbuf: f64,
    /// The NoC routers.
    pub noc: f64,
}

impl AreaParts {
    fn of(c: &ComponentAreas) -> AreaParts {
        AreaParts {
            mac: c[AreaComponent::Macs],
            regf: c[AreaComponent::RegisterFiles],
            gbuf: c[AreaComponent::GlobalBuffers],
            noc: c[AreaComponent::Noc],
        }
    }

    /// Each component's report name with its area, mm².
    pub fn iter(&self) -> [(&'static str, f64); 4] {
        [
            ("mac", self.mac),
            ("regf", self.regf),
            ("gbuf", self.gbuf),
            ("noc", self.noc),
        ]
    }
}

/// The area of a design priced by `[tech]`, as the schedule file records
/// it (`hardware.area`). Wiring, control and I/O are left out
/// (docs/model/technology.md#what-is-left-out).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// The whole chip, mm².
    pub total_mm2: f64,
    /// The whole chip per component, mm².
    pub chip_mm2: AreaParts,
    /// One node per component, mm².
    pub node_mm2: AreaParts,
}

impl Area {
    fn of(a: &AreaBreakdown) -> Area {
        Area {
            total_mm2: a.total_mm2(),
            chip_mm2: AreaParts::of(&a.chip()),
            node_mm2: AreaParts::of(&a.per_node),
        }
    }
}

impl super::Hardware {
    /// The summary's area line: `area: 9.86 mm² in 45nm (mac 0.289, regf
    /// 9.16, gbuf 0.411)`, or why there is none.
    pub fn area_line(&self) -> String {
        match (&self.tech, &self.area) {
            (None, _) => "area: unknown (no [tech] node)".to_owned(),
            (Some(t), None) => format!(
                "area: unknown (a size outside the {} technology tables)",
                t.node
            ),
            (Some(t), Some(a)) => {
                let parts: Vec<String> = a
                    .chip_mm2
                    .iter()
                    .iter()
                    .filter(|(_, mm2)| *mm2 > 0.0)
                    .map(|(name, mm2)| format!("{name} {}", format_mm2(*mm2)))
                    .collect();
                format!(
                    "area: {} mm² in {} ({}; docs/model/technology.md)",
                    format_mm2(a.total_mm2),
                    t.node,
                    parts.join(", ")
                )
            }
        }
    }
}

impl super::Hardware {
    /// The largest global buffer, in whole words' bytes, that keeps the
    /// chip's area within `budget_mm2`: the budget less everything but
    /// the buffers, shared among the nodes, and the largest SRAM of that
    /// area (Eyeriss ISCA'16's equal-area rule;
    /// docs/sweep.md#holding-the-area-fixed). `Err` says why there is none.
    pub fn gbuf_bytes_within(&self, budget_mm2: f64) -> Result<u64, String> {
        let (Some(tech), Some(area)) = (&self.tech, &self.area) else {
            return Err("no area to budget: give the hardware a [tech] node".to_owned());
        };
        let rest = area.total_mm2 - area.chip_mm2.gbuf;
        let nodes = self.nodes.size() as f64;
        let per_node = (budget_mm2 - rest) / nodes;
        if per_node <= 0.0 {
            return Err(format!(
                "everything but the global buffers takes {} mm², leaving nothing of the {budget_mm2} mm² budget",
                format_mm2(rest)
            ));
        }
        let word = WordBits(u32::try_from(tech.sram_word_bits).unwrap_or(u32::MAX));
        let bytes = Technology::new(tech.node)
            .sram_capacity_within(per_node, word, Ports::One)
            .map_err(|e| {
                format!(
                    "{} mm² per node for the global buffer: {e}",
                    format_mm2(per_node)
                )
            })?;
        // Whole words: the model counts the buffer in words.
        Ok(bytes.0 - bytes.0 % self.word_bytes())
    }
}

/// An area in mm² with three significant digits (`12.3`, `0.0412`).
pub fn format_mm2(mm2: f64) -> String {
    if mm2 == 0.0 || !mm2.is_finite() {
        return format!("{mm2}");
    }
    let digits = (2 - mm2.abs().log10().floor() as i32).max(0) as usize;
    format!("{mm2:.digits$}")
}

/// What the model cannot price, and the key to blame.
#[derive(Debug)]
pub(super) struct Fault {
    /// The dotted key.
    pub key: &'static str,
    /// Which kind of error.
    pub problem: Problem,
    /// What is wrong, without the key's name.
    pub message: String,
}

impl Fault {
    fn new(key: &'static str, problem: Problem, message: impl Into<String>) -> Fault {
        Fault {
            key,
            problem,
            message: message.into(),
        }
    }
}

/// What the technology model is asked about: the file's sizes.
pub(super) struct Sizes {
    pub word_bits: u64,
    pub nodes: u64,
    pub pes_per_node: u64,
    pub regf_bytes: u64,
    pub gbuf_bytes: u64,
    /// The node's buffers for the area: the global buffer, or the three
    /// per-operand SRAMs (`[node.sram]`), each its own SRAM.
    pub buffers: Vec<u64>,
}

/// A file's energies as the model uses them, with what `[tech]` made of
/// the file.
pub(super) struct Resolved {
    /// The energies: the file's, and the model's for those it leaves out.
    pub energy: Energy,
    /// The technology echo, with `[tech]`.
    pub tech: Option<Tech>,
    /// The area, with `[tech]` and sizes the model covers.
    pub area: Option<Area>,
    /// Why there is no area although the file has `[tech]`: a size outside
    /// the tables, harmless while every energy is given (a warning).
    pub unpriced: Option<Fault>,
}

/// The energies, the technology and the area of a file: explicit energies
/// as given, the rest from `tech`; without `tech` every energy but
/// `noc_hop` and `static_per_cycle` must be given.
pub(super) fn resolve(
    tech: Option<&TechSection>,
    energy: &EnergySection,
    unit: &EnergyUnit,
    sizes: &Sizes,
) -> Result<Resolved, Fault> {
    let Some(section) = tech else {
        return Ok(Resolved {
            energy: explicit(energy)?,
            tech: None,
            area: None,
            unpriced: None,
        });
    };
    let (node, dram) = names(section)?;
    let sram_word_bits = section.sram_word_bits.unwrap_or(sizes.word_bits);
    let echo = |derived| Tech {
        node,
        dram,
        sram_word_bits,
        derived,
    };
    let e = energy;
    let priced = match Priced::new(node, dram, section, sizes) {
        Ok(p) => p,
        Err(f) => {
            let given = [e.mac, e.dram, e.gbuf, e.array, e.regf, e.noc_hop];
            if given.iter().all(Option::is_some) {
                return Ok(Resolved {
                    energy: explicit(e)?,
                    tech: Some(echo(Vec::new())),
                    area: None,
                    unpriced: Some(f),
                });
            }
            return Err(f);
        }
    };
    let mut derived = Vec::new();
    // The model's energies are pJ; the file's unit may be another SI unit.
    let per_pj = unit.joules().map(|j| 1e-12 / j);
    let mut pick = |key: &'static str, given: Option<f64>, pj: f64| -> Result<f64, Fault> {
        if let Some(v) = given {
            return Ok(v);
        }
        let Some(k) = per_pj else {
            return Err(Fault::new(
                "energy_unit",
                Problem::BadValue,
                format!(
                    "`{}` is not an SI energy unit, so `[energy] {key}` cannot come from `[tech]` (its energies are in pJ): give every energy, or an SI unit such as \"pJ\"",
                    unit.name()
                ),
            ));
        };
        derived.push(key.to_owned());
        Ok(pj * k)
    };
    let energy = Energy {
        mac: pick("mac", e.mac, priced.mac_pj)?,
        dram: pick("dram", e.dram, priced.dram_pj)?,
        gbuf: pick("gbuf", e.gbuf, priced.gbuf_pj)?,
        array: pick("array", e.array, priced.array_pj)?,
        regf: pick("regf", e.regf, priced.regf_pj)?,
        noc_hop: pick("noc_hop", e.noc_hop, priced.noc_hop_pj)?,
        // Leakage needs a clock to become energy per cycle, and the
        // presets' static energies are measured, so the model gives none.
        static_per_cycle: e.static_per_cycle.unwrap_or(0.0),
    };
    Ok(Resolved {
        energy,
        tech: Some(echo(derived)),
        area: Some(Area::of(&priced.area)),
        unpriced: None,
    })
}

/// The node and DRAM interface `[tech]` names.
fn names(section: &TechSection) -> Result<(ProcessNode, DramInterface), Fault> {
    let node = parse_name::<ProcessNode>(
        "tech.node",
        &section.node,
        &ProcessNode::ALL.map(ProcessNode::name),
        "process node",
    )?;
    let dram = match &section.dram {
        None => DEFAULT_DRAM,
        Some(d) => parse_name::<DramInterface>(
            "tech.dram",
            d,
            &DramInterface::ALL.map(DramInterface::name),
            "DRAM interface",
        )?,
    };
    Ok((node, dram))
}

/// The energies of a file without `[tech]`: the five per-access ones must
/// be given.
fn explicit(e: &EnergySection) -> Result<Energy, Fault> {
    let need = |key: &'static str, v: Option<f64>| {
        v.ok_or_else(|| {
            Fault::new(
                match key {
                    "mac" => "energy.mac",
                    "dram" => "energy.dram",
                    "gbuf" => "energy.gbuf",
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
    Ok(Energy {
        mac: need("mac", e.mac)?,
        dram: need("dram", e.dram)?,
        gbuf: need("gbuf", e.gbuf)?,
        array: need("array", e.array)?,
        regf: need("regf", e.regf)?,
        noc_hop: e.noc_hop.unwrap_or(0.0),
        static_per_cycle: e.static_per_cycle.unwrap_or(0.0),
    })
}

/// Every per-access energy the model gives for a file's sizes, in pJ per
/// data word, and the design's area
/// (docs/hardware.md#what-tech-derives).
struct Priced {
    mac_pj: f64,
    dram_pj: f64,
    gbuf_pj: f64,
    array_pj: f64,
    regf_pj: f64,
    noc_hop_pj: f64,
    area: AreaBreakdown,
}

/// The mean of a read and a write: the model has one energy per access of
/// a level, and a buffer is both read and written.
fn access(read: f64, write: f64) -> f64 {
    0.5 * (read + write)
}

impl Priced {
    fn new(
        node: ProcessNode,
        dram: DramInterface,
        section: &TechSection,
        s: &Sizes,
    ) -> Result<Priced, Fault> {
        let t = Technology::new(node);
        let word = bits("word_bits", s.word_bits)?;
        let sram_key = if section.sram_word_bits.is_some() {
            "tech.sram_word_bits"
        } else {
            "word_bits"
        };
        let sram_word_bits = section.sram_word_bits.unwrap_or(s.word_bits);
        let sram_word = bits(sram_key, sram_word_bits)?;
        let blame = |key: &'static str| {
            move |e: TechError| {
                Fault::new(
                    key,
                    Problem::OutOfRange,
                    format!("the {node} technology model cannot price it: {e}"),
                )
            }
        };
        let mac = t.mac(word).map_err(blame("word_bits"))?;
        let regf_impl = if s.regf_bytes > MAX_FLIPFLOP_REGF.0 {
            RegfImpl::Sram
        } else {
            RegfImpl::FlipFlop
        };
        let (regf_pj, regf_area) = match (s.regf_bytes, regf_impl) {
            (0, _) => (0.0, 0.0),
            (b, RegfImpl::FlipFlop) => {
                let r = t
                    .register_file(Bytes(b), word)
                    .map_err(blame("node.regf_bytes"))?;
                (access(r.read_pj_per_word, r.write_pj_per_word), r.area_mm2)
            }
            (b, RegfImpl::Sram) => {
                let r = t
                    .sram(Bytes(b), word, Ports::One)
                    .map_err(blame("node.regf_bytes"))?;
                (access(r.read_pj_per_word, r.write_pj_per_word), r.area_mm2)
            }
        };
        let gbuf = t
            .sram(Bytes(s.gbuf_bytes), sram_word, Ports::One)
            .map_err(|e| match &e {
                TechError::OutOfRange { what, .. } if what.contains("width") => blame(sram_key)(e),
                _ => blame("node.gbuf_bytes")(e),
            })?;
        // One SRAM access carries sram_word / word data words.
        let gbuf_pj = access(gbuf.read_pj_per_word, gbuf.write_pj_per_word) * s.word_bits as f64
            / sram_word_bits as f64;
        let design = Design {
            nodes: u32::try_from(s.nodes).unwrap_or(u32::MAX),
            pes_per_node: u32::try_from(s.pes_per_node).unwrap_or(u32::MAX),
            word_bits: word,
            regf: Bytes(s.regf_bytes),
            regf_impl,
            // Per-operand SRAMs (`[node.sram]`) are one entry each. Their
            // energy per access is still the one buffer energy of the
            // model, priced above at their total (an upper bound for each).
            gbuf: s.buffers.iter().map(|&b| Bytes(b)).collect(),
            gbuf_word_bits: sram_word,
            gbuf_ports: Ports::One,
            noc_flit_bits: (s.nodes > 1).then_some(word),
        };
        let area = t.area(&design).map_err(blame("tech.node"))?;
        // A word crosses the PE array on a bus as long as the array's side
        // (the PEs' area as a square); a NoC hop is a router plus a link
        // as long as a node's side (docs/hardware.md#what-tech-derives).
        let pes = s.pes_per_node as f64;
        let array_side = (pes * (mac.area_mm2 + regf_area)).sqrt();
        let node_side = area.per_node.total_mm2().sqrt();
        let array_pj = t
            .noc_hop(word, array_side)
            .map_err(blame("tech.node"))?
            .link_pj_per_word;
        let noc_hop_pj = t
            .noc_hop(word, node_side)
            .map_err(blame("tech.node"))?
            .pj_per_word();
        Ok(Priced {
            mac_pj: mac.pj_per_mac,
            dram_pj: t.dram(dram).pj_per_word(word),
            gbuf_pj,
            array_pj,
            regf_pj,
            noc_hop_pj,
            area,
        })
    }
}

/// A width in bits as the model takes it.
fn bits(key: &'static str, b: u64) -> Result<WordBits, Fault> {
    u32::try_from(b).map(WordBits).map_err(|_| {
        Fault::new(
            key,
            Problem::OutOfRange,
            format!("{b} bits is outside the technology tables"),
        )
    })
}

/// A name of `names`, or a bad value suggesting the closest.
fn parse_name<T: FromStr>(
    key: &'static str,
    given: &str,
    names: &[&'static str],
    what: &str,
) -> Result<T, Fault> {
    given.parse::<T>().map_err(|_| {
        let lower = given.trim().to_lowercase().replace(" ", "");
        let hint = crate::suggest::suggest(&lower, names.iter().copied())
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default();
        Fault::new(
            key,
            Problem::BadValue,
            format!(
                "unknown {what} `{given}`; {hint}the technology model has {}",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}
