//! The hardware file (docs/hardware.md): a tiled array
//! of Eyeriss-style nodes, read from TOML, checked, and turned into what the
//! model needs — per-node resources in words and energy costs.
//!
//! Presets ship inside the binary (`--hw eyeriss`).
//!
//! - `parse`: reading and checking a description, step by step;
//! - `error`: what can be wrong with one, and its diagnostics;
//! - `unit`: the energy unit and what a clock turns cycles into;
//! - `size`: sizes in bytes or with a binary unit (`"64 KiB"`);
//! - `set`: one-off changes of a key (`--set node.gbuf_bytes=65536`);
//! - `tech`: `[tech]`, the energies and area the technology model gives.

mod error;
mod parse;
mod set;
mod size;
#[cfg(test)]
mod sram_tests;
mod tech;
#[cfg(test)]
mod tech_tests;
mod unit;

pub use error::{HwError, HwWarning, Problem};
pub use parse::{COUPLED_KEYS, parse_with};
pub use set::{Set, SetError};
pub use size::{SIZE_EXPECTED, parse_size};
pub use tech::{Area, AreaParts, DEFAULT_DRAM, Tech, format_mm2};

pub use unit::{EnergyUnit, MAX_UNIT_LEN, format_seconds, format_watts};

use crate::ir::Dim2;
use crate::sched::machine::PerData;
use crate::sched::machine::{Bandwidth, Cost, Dataflow, Machine, MemType, NodeResource, PerLevel};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A tiled accelerator: checked, in the units of the file (bytes, energies).
///
/// It serializes to, and deserializes from, the `hardware` object of a
/// schedule file (the hardware file itself is TOML in sections, read by
/// [`parse`]); unknown keys are refused there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hardware {
    /// Name (for reports).
    pub name: String,
    /// Bits of one data word.
    pub word_bits: u64,
    /// The node array (rows, columns).
    pub nodes: Dim2,
    /// DRAM placement.
    pub memory: MemType,
    /// PE array of one node (rows, columns).
    pub pe_array: Dim2,
    /// Register file per PE, bytes.
    pub regf_bytes: u64,
    /// Global buffer per node, bytes; with per-operand SRAMs, the three
    /// SRAMs' bytes together.
    pub gbuf_bytes: u64,
    /// Per-operand SRAMs instead of one global buffer (`[node.sram]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sram: Option<Sram>,
    /// Array multicast bus width in bits; 0 = unlimited.
    pub bus_width_bits: u64,
    /// How a node lays a layer onto its PE array (`[node] dataflow`;
    /// left out of files when it is the default, row stationary).
    #[serde(default, skip_serializing_if = "Dataflow::is_row_stationary")]
    pub dataflow: Dataflow,
    /// DRAM bandwidth in bytes per cycle (infinite = unlimited; `null` in
    /// a schedule file, as JSON has no infinity).
    #[serde(default = "unlimited", deserialize_with = "unlimited_if_null")]
    pub dram_bandwidth_bytes_per_cycle: f64,
    /// The unit of every energy below and of the schedules' energies.
    pub energy_unit: EnergyUnit,
    /// Clock frequency in MHz, if given: what turns cycles into seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_mhz: Option<f64>,
    /// Energy costs per op, word access and hop: the file's, and with
    /// `[tech]` the model's for those it leaves out.
    pub energy: Energy,
    /// The technology the design is priced in (`[tech]`), if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tech: Option<Tech>,
    /// The design's area from the technology model; `None` without `[tech]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<Area>,
    /// The changes applied to the text (`--set`, a sweep's point), as
    /// `KEY=VALUE`; the fields above are the changed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    /// SHA-256 (hex) of the text this hardware was read from, preset or
    /// file, before any change: the schedule file's
    /// `inputs.hardware_sha256`.
    #[serde(skip)]
    pub text_sha256: String,
    /// What is allowed but likely a mistake (the command line prints them).
    #[serde(skip)]
    pub warnings: Vec<HwWarning>,
}

/// An unlimited DRAM bandwidth.
const fn unlimited() -> f64 {
    f64::INFINITY
}

/// A DRAM bandwidth as a schedule file holds it: `null` is unlimited.
fn unlimited_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
}

/// A node's per-operand SRAMs (`[node.sram]`, docs/hardware.md#per-operand-srams):
/// one for each data kind, each double-buffered, so half of each holds
/// the data in use while the other half fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sram {
    /// The ifmap (input activations) SRAM, bytes.
    pub ifmap_bytes: u64,
    /// The filter (weights) SRAM, bytes.
    pub filter_bytes: u64,
    /// The ofmap (outputs and partial sums) SRAM, bytes.
    pub ofmap_bytes: u64,
}

impl Sram {
    /// The three SRAMs' bytes together.
    pub const fn total(&self) -> u64 {
        self.ifmap_bytes + self.filter_bytes + self.ofmap_bytes
    }

    /// Usable words per data kind of `word_bytes` bytes: half of each
    /// SRAM, as it is double-buffered.
    pub fn usable_words(&self, word_bytes: u64) -> PerData<u64> {
        let half = |bytes: u64| bytes / word_bytes / 2;
        PerData([
            half(self.filter_bytes),
            half(self.ifmap_bytes),
            half(self.ofmap_bytes),
        ])
    }
}

/// Energy per op, per word access at each level, per word per NoC hop, and
/// static energy of the chip per cycle.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Energy {
    /// One MAC.
    pub mac: f64,
    /// One DRAM word access.
    pub dram: f64,
    /// One global-buffer word access.
    pub gbuf: f64,
    /// One word over the PE array interconnect (nn_dataflow's ITCN).
    pub array: f64,
    /// One register-file word access.
    pub regf: f64,
    /// One word over one NoC hop.
    #[serde(default)]
    pub noc_hop: f64,
    /// Static energy of all nodes per cycle.
    #[serde(default)]
    pub static_per_cycle: f64,
}

/// The highest clock a hardware file may give, in MHz (1 THz): far above
/// any accelerator, low enough that seconds and watts stay finite.
pub const MAX_CLOCK_MHZ: f64 = 1e6;

/// The presets shipped in the binary: name and TOML text.
pub const PRESETS: [(&str, &str); 11] = [
    ("eyeriss", include_str!("../../hw/eyeriss.toml")),
    ("eyeriss-chip", include_str!("../../hw/eyeriss-chip.toml")),
    ("tetris-l1", include_str!("../../hw/tetris-l1.toml")),
    ("tetris", include_str!("../../hw/tetris.toml")),
    ("isca16-rs", include_str!("../../hw/isca16-rs.toml")),
    ("isca16-ws", include_str!("../../hw/isca16-ws.toml")),
    ("isca16-osa", include_str!("../../hw/isca16-osa.toml")),
    ("isca16-osb", include_str!("../../hw/isca16-osb.toml")),
    ("isca16-osc", include_str!("../../hw/isca16-osc.toml")),
    ("isca16-nlr", include_str!("../../hw/isca16-nlr.toml")),
    ("tpu-v1", include_str!("../../hw/tpu-v1.toml")),
];

/// Names of the presets.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}

/// The file `--hw ARG` names: `arg` if it ends in `.toml` or contains a
/// path separator; `None` for a preset name.
pub fn file_path(arg: &str) -> Option<&Path> {
    let looks_like_path = arg.ends_with(".toml") || arg.contains('/') || arg.contains('\\');
    looks_like_path.then(|| Path::new(arg))
}

/// Loads `--hw ARG`: a file if `arg` ends in `.toml` or contains a path
/// separator, otherwise a preset.
pub fn load(arg: &str) -> Result<Hardware, HwError> {
    load_with(arg, &[])
}

/// Loads `--hw ARG` with `sets` applied in order (a later change of the
/// same key wins).
pub fn load_with(arg: &str, sets: &[Set]) -> Result<Hardware, HwError> {
    let (text, origin) = read(arg)?;
    parse_with(&text, &origin, sets)
}

/// The text of `--hw ARG` and where it came from (the path, or `preset
/// NAME`): a file if `arg` ends in `.toml` or contains a path separator,
/// otherwise a preset.
pub fn read(arg: &str) -> Result<(String, String), HwError> {
    if let Some(path) = file_path(arg) {
        let text = crate::bounded::read_to_string(path, crate::bounded::MAX_HARDWARE_BYTES)
            .map_err(|source| HwError::Read {
                path: path.to_owned(),
                source,
            })?;
        return Ok((text, arg.to_owned()));
    }
    match PRESETS.iter().find(|(n, _)| *n == arg) {
        Some((name, text)) => Ok(((*text).to_owned(), format!("preset {name}"))),
        None => Err(HwError::UnknownPreset {
            name: arg.to_owned(),
            suggestion: suggest_preset(arg),
        }),
    }
}

/// The preset `arg` is probably a typo of: one that differs only in case,
/// or else the closest by edit distance (case ignored) if close enough.
fn suggest_preset(arg: &str) -> Option<String> {
    let lower = arg.to_lowercase();
    preset_names()
        .into_iter()
        .find(|n| *n == lower)
        .map(str::to_owned)
        .or_else(|| crate::suggest::suggest(&lower, preset_names()))
}

/// Parses and checks a hardware description; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> Result<Hardware, HwError> {
    parse_with(text, origin, &[])
}

impl Hardware {
    /// Bytes per word: `ceil(word_bits / 8)`.
    pub fn word_bytes(&self) -> u64 {
        self.word_bits.div_ceil(8)
    }

    /// What one node offers the model, in words (the reference's conversion:
    /// sizes divided down, bus width in words, 0 = unlimited).
    pub fn node_resource(&self) -> NodeResource {
        let w = self.word_bytes();
        let bus = self.bus_width_bits / self.word_bits;
        let bw = self.dram_bandwidth_bytes_per_cycle;
        let sram = self.sram.map(|s| s.usable_words(w));
        NodeResource {
            sram,
            dim_array: self.pe_array,
            size_gbuf: sram.map_or(self.gbuf_bytes / w, |s| s.0.iter().sum()),
            size_regf: self.regf_bytes / w,
            array_bus_width: (bus > 0).then_some(bus),
            dram_bandwidth: if bw.is_infinite() {
                Bandwidth::Unlimited
            } else {
                Bandwidth::Words(bw / w as f64)
            },
            no_time_mux: false,
            dataflow: self.dataflow,
        }
    }

    /// The whole machine as the search sees it: nodes, memory placement,
    /// per-node resources and costs.
    pub fn machine(&self) -> Machine {
        Machine::new(self.nodes, self.memory, self.node_resource(), self.cost())
    }

    /// `cycles` in seconds, when the file gives a clock.
    pub fn seconds(&self, cycles: u64) -> Option<f64> {
        self.clock_mhz.map(|mhz| cycles as f64 / (mhz * 1e6))
    }

    /// The average power in watts of spending `energy` (in the file's unit)
    /// over `cycles`: only with a clock, an SI energy unit and a time.
    pub fn average_power_w(&self, energy: f64, cycles: u64) -> Option<f64> {
        let joules = self.energy_unit.joules()?;
        let seconds = self.seconds(cycles).filter(|&s| s > 0.0)?;
        Some(energy * joules / seconds)
    }

    /// The energy costs in the model's form.
    pub fn cost(&self) -> Cost {
        let e = &self.energy;
        Cost {
            mac_op: e.mac,
            mem_hier: PerLevel([e.dram, e.gbuf, e.array, e.regf]),
            noc_hop: e.noc_hop,
            idl_unit: e.static_per_cycle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_load_and_convert_to_words() {
        for name in preset_names() {
            let hw = load(name).unwrap();
            assert_eq!(hw.name, name);
            assert_eq!(hw.word_bits, if name == "tpu-v1" { 8 } else { 16 });
            assert_eq!(hw.node_resource().array_bus_width, None);
        }
        let eyeriss = load("eyeriss").unwrap().node_resource();
        assert_eq!((eyeriss.size_regf, eyeriss.size_gbuf), (256, 65536));
        let chip = load("eyeriss-chip").unwrap().node_resource();
        // 108 KiB of 16-bit words, as in docs/hardware.md#presets.
        assert_eq!((chip.size_regf, chip.size_gbuf), (261, 55296));
        let tetris = load("tetris").unwrap();
        assert_eq!(
            (tetris.nodes, tetris.memory),
            (Dim2::new(4, 4), MemType::ThreeD)
        );
    }

    #[test]
    fn energy_units_and_clocks() {
        // The presets name their units; none gives a clock.
        for (name, unit) in [
            ("eyeriss", "MAC"),
            ("eyeriss-chip", "pJ"),
            ("tetris-l1", "pJ"),
            ("tetris", "pJ"),
        ] {
            let hw = load(name).unwrap();
            assert_eq!((hw.energy_unit.name(), hw.clock_mhz), (unit, None));
            assert_eq!(hw.seconds(1000), None);
        }
        // A file without `energy_unit` is in pJ.
        let tetris = PRESETS[3].1;
        let text = tetris.replace("energy_unit = \"pJ\"\n", "");
        assert_ne!(text, tetris);
        assert_eq!(parse(&text, "t").unwrap().energy_unit, EnergyUnit::PJ);
        // 500 MHz: 1000 cycles are 2 µs; 1e7 pJ over them is 5 W.
        let text = tetris.replace(
            "energy_unit = \"pJ\"",
            "energy_unit = \"pJ\"\nclock_mhz = 500",
        );
        let hw = parse(&text, "t").unwrap();
        assert_eq!(hw.seconds(1000), Some(2e-6));
        let w = hw.average_power_w(1e7, 1000).unwrap();
        assert!((w - 5.0).abs() < 1e-12, "{w}");
        assert_eq!(hw.average_power_w(1e7, 0), None);
        // A unit of the file's own has seconds but no watts.
        let mac = text.replace("\"pJ\"", "\"MAC\"");
        let hw = parse(&mac, "t").unwrap();
        assert_eq!(hw.seconds(1000), Some(2e-6));
        assert_eq!(hw.average_power_w(1e7, 1000), None);
        // Bad values name the key and point at it.
        for (from, to, key, says) in [
            ("clock_mhz = 500", "clock_mhz = 0", "clock_mhz", "above 0"),
            (
                "clock_mhz = 500",
                "clock_mhz = 2e6",
                "clock_mhz",
                "at most 1e6",
            ),
            ("clock_mhz = 500", "clock_mhz = nan", "clock_mhz", "above 0"),
            ("\"pJ\"", "\"PJ\"", "energy_unit", "did you mean `pJ`"),
            ("\"pJ\"", "\"\"", "energy_unit", "an SI energy unit"),
        ] {
            let bad = text.replace(from, to);
            let HwError::Invalid {
                span: Some(span),
                message,
                ..
            } = parse(&bad, "t").unwrap_err()
            else {
                panic!("expected an invalid-file error for {to}");
            };
            assert!(message.starts_with(&format!("`{key}`: ")), "{message}");
            assert!(message.contains(says), "{message}");
            assert_eq!(&bad[span], key);
        }
    }

    #[test]
    fn bus_and_dram_bandwidth_in_words() {
        let text = PRESETS[0]
            .1
            .replace("bus_width_bits = 0", "bus_width_bits = 64")
            .replace(
                "bandwidth_bytes_per_cycle = inf",
                "bandwidth_bytes_per_cycle = 64",
            );
        let r = parse(&text, "test").unwrap().node_resource();
        assert_eq!(r.array_bus_width, Some(4));
        assert_eq!(r.dram_bandwidth, Bandwidth::Words(32.0));
    }

    #[test]
    fn errors_name_the_key_and_place() {
        // The message names the key and the span covers it.
        for (from, to, key) in [
            ("regf = 1.0", "regf = 1.0\nregff = 2.0", "regff"),
            ("word_bits = 16", "word_bits = 0", "word_bits"),
            ("pe_array = [16, 16]", "pe_array = [16, 65537]", "pe_array"),
        ] {
            let text = PRESETS[0].1.replace(from, to);
            let HwError::Invalid {
                span: Some(span),
                message,
                ..
            } = parse(&text, "t").unwrap_err()
            else {
                panic!("expected an invalid-file error");
            };
            assert!(message.contains(key), "{message}");
            assert_eq!(&text[span], key);
        }

        // A pair of three numbers is no pair (toml's reader would drop the
        // third into `[u64; 2]`).
        let text = PRESETS[0]
            .1
            .replace("pe_array = [16, 16]", "pe_array = [16, 16, 3]");
        let HwError::Invalid {
            span: Some(span),
            message,
            problem: Problem::BadValue,
            ..
        } = parse(&text, "t").unwrap_err()
        else {
            panic!("expected a bad value");
        };
        assert!(message.contains("invalid length 3"), "{message}");
        assert_eq!(&text[span], "[16, 16, 3]");

        let text = PRESETS[0].1.replace("memory = \"2d\"", "memory = \"4d\"");
        assert!(matches!(
            parse(&text, "t"),
            Err(HwError::Invalid { span: Some(_), .. })
        ));
        assert!(matches!(load("eyeris"), Err(HwError::UnknownPreset { .. })));
        assert!(matches!(
            load("/nonexistent/hw.toml"),
            Err(HwError::Read { .. })
        ));
    }

    #[test]
    fn sizes_word_widths_warnings_and_suggestions() {
        let eyeriss = PRESETS[0].1;
        // Binary units, as strings.
        let text = eyeriss
            .replace("regf_bytes = 512", "regf_bytes = \"512 B\"")
            .replace("gbuf_bytes = 131072", "gbuf_bytes = \"128 KiB\"");
        assert_ne!(text, eyeriss);
        let hw = parse(&text, "t").unwrap();
        assert_eq!((hw.regf_bytes, hw.gbuf_bytes), (512, 131_072));
        let text = eyeriss.replace("gbuf_bytes = 131072", "gbuf_bytes = \"1 MB\"");
        let HwError::Invalid { span, message, .. } = parse(&text, "t").unwrap_err() else {
            panic!("expected an invalid-file error");
        };
        assert!(
            message.contains("a whole number of bytes, or a size like \"64 KiB\""),
            "{message}"
        );
        assert_eq!(&text[span.unwrap()], "\"1 MB\"");
        // Word widths: whole bytes only.
        for bits in [8, 16, 24, 1024] {
            let text = eyeriss.replace("word_bits = 16", &format!("word_bits = {bits}"));
            assert_eq!(parse(&text, "t").unwrap().word_bits, bits);
        }
        for bits in [0, 1, 7, 12, 1032] {
            let text = eyeriss.replace("word_bits = 16", &format!("word_bits = {bits}"));
            let HwError::Invalid { message, .. } = parse(&text, "t").unwrap_err() else {
                panic!("expected an invalid-file error");
            };
            assert!(
                message.starts_with("`word_bits`: expected a multiple of 8"),
                "{message}"
            );
        }
        // A multi-node array without NoC energy is allowed, with a warning.
        let tetris = PRESETS[3].1;
        assert!(parse(tetris, "t").unwrap().warnings.is_empty());
        for (text, given) in [
            (tetris.replace("noc_hop = 40.0", "noc_hop = 0"), "0"),
            (
                tetris
                    .replace("noc_hop = 40.0\n", "")
                    .replace("[tech]\nnode = \"45nm\"\n", ""),
                "not given",
            ),
        ] {
            let hw = parse(&text, "t.toml").unwrap();
            let span = (given == "0")
                .then(|| text.find("noc_hop").map(|i| i..i + "noc_hop".len()))
                .flatten();
            assert_eq!(
                hw.warnings,
                [HwWarning::FreeNoc {
                    origin: "t.toml".into(),
                    nodes: "4x4".into(),
                    given,
                    span
                }]
            );
        }
        // With `[tech]`, a hop not given is the model's: no warning.
        let hw = parse(&tetris.replace("noc_hop = 40.0\n", ""), "t.toml").unwrap();
        assert!(hw.warnings.is_empty(), "{:?}", hw.warnings);
        assert!(hw.energy.noc_hop > 0.0);
        assert_eq!(hw.tech.unwrap().derived, ["noc_hop"]);
        // One node has no NoC: no warning.
        assert!(parse(eyeriss, "t").unwrap().warnings.is_empty());
        // Presets: case and typos.
        for (arg, want) in [
            ("Eyeriss", Some("eyeriss")),
            ("TETRIS", Some("tetris")),
            ("eyeris", Some("eyeriss")),
            ("tetris_l1", Some("tetris-l1")),
            ("gpu", None),
        ] {
            let Err(HwError::UnknownPreset { suggestion, .. }) = load(arg) else {
                panic!("{arg} is no preset");
            };
            assert_eq!(suggestion.as_deref(), want, "{arg}");
        }
    }
}

#[cfg(test)]
mod set_tests {
    use super::*;

    fn sets(args: &[&str]) -> Vec<Set> {
        args.iter().map(|a| a.parse().unwrap()).collect()
    }

    #[test]
    fn changes_apply_before_the_checks() {
        let base = load("eyeriss").unwrap();
        let hw = load_with(
            "eyeriss",
            &sets(&[
                "node.gbuf_bytes=65536",
                "node.pe_array=8x8",
                "energy.dram=100",
                "nodes.dims=[2, 2]",
                "dram.bandwidth_bytes_per_cycle=64",
            ]),
        )
        .unwrap();
        assert_eq!(hw.gbuf_bytes, 65536);
        assert_eq!(hw.pe_array, Dim2::new(8, 8));
        assert_eq!(hw.energy.dram, 100.0);
        assert_eq!(hw.nodes, Dim2::new(2, 2));
        assert_eq!(hw.dram_bandwidth_bytes_per_cycle, 64.0);
        // The rest is the preset's, and the digest is the preset text's.
        assert_eq!(hw.energy.gbuf, base.energy.gbuf);
        assert_eq!(hw.text_sha256, base.text_sha256);
        assert_eq!(hw.set.len(), 5);
        assert!(base.set.is_empty());
        // A later change of the same key wins.
        let hw = load_with("eyeriss", &sets(&["energy.dram=1", "energy.dram=2"])).unwrap();
        assert_eq!(hw.energy.dram, 2.0);
    }

    #[test]
    fn the_dataflow_is_a_key_of_the_node() {
        // Default: row stationary, left out of the schedule file.
        let hw = load("eyeriss").unwrap();
        assert_eq!(hw.dataflow, Dataflow::RowStationary);
        assert_eq!(hw.node_resource().dataflow, Dataflow::RowStationary);
        let json = serde_json::to_string(&hw).unwrap();
        assert!(!json.contains("dataflow"), "{json}");
        // Named in the file or by a change.
        let text = PRESETS[0].1.replace(
            "bus_width_bits = 0",
            "bus_width_bits = 0\ndataflow = \"row-stationary\"",
        );
        assert_eq!(parse(&text, "t").unwrap().dataflow, Dataflow::RowStationary);
        let hw = load_with("eyeriss", &sets(&["node.dataflow=row-stationary"])).unwrap();
        assert_eq!(hw.dataflow, Dataflow::RowStationary);
        // An unknown name points at the key, suggests and lists the names.
        let bad = text.replace("\"row-stationary\"", "\"row_stationary\"");
        let HwError::Invalid {
            span: Some(span),
            message,
            problem: Problem::BadValue,
            ..
        } = parse(&bad, "t").unwrap_err()
        else {
            panic!("expected a bad value");
        };
        assert_eq!(&bad[span], "dataflow");
        assert!(
            message.contains("did you mean `row-stationary`?"),
            "{message}"
        );
        for name in Dataflow::names() {
            assert!(message.contains(&format!("`{name}`")), "{message}");
        }
        let e = load_with("eyeriss", &sets(&["node.dataflow=systolic"])).unwrap_err();
        let HwError::SetValue { set, message, .. } = &e else {
            panic!("{e}");
        };
        assert!(set.starts_with("node.dataflow="), "{set}");
        assert!(message.contains("unknown dataflow `systolic`"), "{message}");
    }

    #[test]
    fn out_of_range_changes_name_the_change() {
        let (range, value) = (Problem::OutOfRange, Problem::BadValue);
        for (arg, says, kind) in [
            ("node.gbuf_bytes=1", "room for at least one word", range),
            ("node.pe_array=0x16", "two PE counts", range),
            ("energy.dram=-1", "non-negative energy", range),
            ("nodes.memory=4d", "4d", value),
            ("energy_unit=PJ", "did you mean `pJ`", value),
            ("word_bits=0", "a multiple of 8", range),
        ] {
            let e = load_with("eyeriss", &sets(&[arg])).unwrap_err();
            let HwError::SetValue {
                set,
                message,
                problem,
                origin,
            } = &e
            else {
                panic!("{arg}: {e}");
            };
            assert_eq!(arg.split('=').next(), set.split('=').next(), "{e}");
            assert!(message.contains(says), "{arg}: {message}");
            assert_eq!((problem, origin.as_str()), (&kind, "preset eyeriss"), "{e}");
        }
        // A base file that is not a hardware file is reported as before,
        // with its place; ranges are checked after the changes.
        let text = PRESETS[0]
            .1
            .replace("regf = 1.0", "regf = 1.0\nregff = 2.0");
        assert!(matches!(
            parse_with(&text, "t", &sets(&["word_bits=16"])),
            Err(HwError::Invalid { span: Some(_), .. })
        ));
    }
}
