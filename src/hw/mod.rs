//! The hardware file (docs/hardware.md): a tiled array
//! of Eyeriss-style nodes, read from TOML, checked, and turned into what the
//! model needs — per-node resources in words and energy costs.
//!
//! Presets ship inside the binary (`--hw eyeriss`).
//!
//! - `unit`: the energy unit and what a clock turns cycles into;
//! - `size`: sizes in bytes or with a binary unit (`"64 KiB"`);
//! - `set`: one-off changes of a key (`--set node.gbuf_bytes=65536`).

mod set;
mod size;
mod unit;

pub use set::{Set, SetError};
pub use size::{SIZE_EXPECTED, parse_size};

pub use unit::{EnergyUnit, MAX_UNIT_LEN, format_seconds, format_watts};

use crate::ir::Dim2;
use crate::sched::machine::{
    Bandwidth, Cost, MAX_ENERGY, MAX_HW_SIZE, MAX_NODE_SIDE, MAX_PE_SIDE, MAX_WORD_BITS,
    MIN_BANDWIDTH, Machine, MemType, NodeResource, PerLevel,
};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A tiled accelerator: checked, in the units of the file (bytes, energies).
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    /// Global buffer per node, bytes.
    pub gbuf_bytes: u64,
    /// Array multicast bus width in bits; 0 = unlimited.
    pub bus_width_bits: u64,
    /// DRAM bandwidth in bytes per cycle (infinite = unlimited).
    pub dram_bandwidth_bytes_per_cycle: f64,
    /// The unit of every energy below and of the schedules' energies.
    pub energy_unit: EnergyUnit,
    /// Clock frequency in MHz, if given: what turns cycles into seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_mhz: Option<f64>,
    /// Energy costs per op, word access and hop.
    pub energy: Energy,
    /// The changes applied to the text (`--set`, a sweep's point), as
    /// `KEY=VALUE`; the fields above are the changed values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
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

/// A hardware description that is valid but likely not what was meant.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HwWarning {
    /// More than one node, yet moving data between nodes costs nothing.
    #[error(
        "`{origin}` has {nodes} nodes but `[energy] noc_hop` is {given}: moving data between nodes costs nothing, so layers are split as if the NoC were free (give the energy of one word over one hop)"
    )]
    FreeNoc {
        /// Where the description came from.
        origin: String,
        /// The node array, e.g. `4x4`.
        nodes: String,
        /// `0` or `not given`.
        given: &'static str,
    },
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    word_bits: u64,
    #[serde(default)]
    energy_unit: Option<String>,
    #[serde(default)]
    clock_mhz: Option<f64>,
    nodes: NodesSection,
    node: NodeSection,
    #[serde(default)]
    dram: DramSection,
    energy: Energy,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodesSection {
    dims: [u64; 2],
    memory: MemType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeSection {
    pe_array: [u64; 2],
    regf_bytes: size::Bytes,
    gbuf_bytes: size::Bytes,
    #[serde(default)]
    bus_width_bits: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DramSection {
    #[serde(default = "infinite")]
    bandwidth_bytes_per_cycle: f64,
}

impl Default for DramSection {
    fn default() -> Self {
        DramSection {
            bandwidth_bytes_per_cycle: f64::INFINITY,
        }
    }
}

fn infinite() -> f64 {
    f64::INFINITY
}

/// The highest clock a hardware file may give, in MHz (1 THz): far above
/// any accelerator, low enough that seconds and watts stay finite.
pub const MAX_CLOCK_MHZ: f64 = 1e6;

/// The presets shipped in the binary: name and TOML text.
pub const PRESETS: [(&str, &str); 4] = [
    ("eyeriss", include_str!("../../hw/eyeriss.toml")),
    ("eyeriss-chip", include_str!("../../hw/eyeriss-chip.toml")),
    ("tetris-l1", include_str!("../../hw/tetris-l1.toml")),
    ("tetris", include_str!("../../hw/tetris.toml")),
];

/// Why a hardware description cannot be used.
#[derive(Debug, Error)]
pub enum HwError {
    /// The file cannot be read.
    #[error("cannot read hardware file `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Neither a file nor a preset.
    #[error("unknown hardware preset `{name}`{} (presets: {}; a file path must end in `.toml` or contain `/`)",
        suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default(),
        preset_names().join(", "))]
    UnknownPreset {
        /// What was asked for.
        name: String,
        /// The preset it is probably a typo of (same letters in another
        /// case, or a few edits away).
        suggestion: Option<String>,
    },
    /// A changed key's value is out of range (or not one the key takes).
    #[error("hardware key `{set}`: {message}")]
    SetValue {
        /// The change, `KEY=VALUE`.
        set: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The TOML is malformed, or a key is unknown, missing or of the wrong
    /// type, or a value is out of range.
    #[error("{message}")]
    Invalid {
        /// Where the text came from (a path or `preset NAME`).
        origin: String,
        /// The text, for rendering the place.
        text: String,
        /// Byte range of the offending key or value, if known.
        span: Option<Range<usize>>,
        /// What is wrong and what was expected.
        message: String,
    },
}

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
        let text = std::fs::read_to_string(path).map_err(|source| HwError::Read {
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

/// Parses a hardware description, applies `sets` to the document (a later
/// change of the same key wins), then checks the result: the text must be
/// a valid file by itself, and a changed value out of range is an error
/// naming the change ([`HwError::SetValue`]).
pub fn parse_with(text: &str, origin: &str, sets: &[Set]) -> Result<Hardware, HwError> {
    let invalid = |span: Option<Range<usize>>, message: String| HwError::Invalid {
        origin: origin.to_owned(),
        text: text.to_owned(),
        span,
        message,
    };
    let de_error = |e: toml::de::Error| {
        let mut message = e.message().to_owned();
        // serde does not tell a size's parser its key: name it from the line.
        if message.contains(SIZE_EXPECTED)
            && let Some(key) = e.span().and_then(|s| key_of_line(text, s.start))
        {
            message = format!("`{key}`: {message}");
        }
        invalid(e.span(), message)
    };
    let mut file: File = toml::from_str(text).map_err(de_error)?;
    if !sets.is_empty() {
        let mut doc: toml::Table = toml::from_str(text).map_err(de_error)?;
        for s in sets {
            s.apply(&mut doc);
        }
        // The kinds were checked with each change; what is left is a value
        // the key does not take (`nodes.memory=4d`).
        file = doc
            .try_into()
            .map_err(|e: toml::de::Error| HwError::SetValue {
                set: sets
                    .iter()
                    .map(Set::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                message: e.message().trim().to_owned(),
            })?;
    }
    // Range checks, each pointing at its key, or naming the change that set it.
    let key_span = |key: &str| find_key(text, key);
    let check = |ok: bool, key: &str, expected: &str| {
        if ok {
            return Ok(());
        }
        if let Some(s) = sets.iter().rev().find(|s| s.key() == key) {
            return Err(HwError::SetValue {
                set: s.to_string(),
                message: format!("expected {expected}"),
            });
        }
        let short = key.rsplit('.').next().unwrap_or(key);
        Err(invalid(
            key_span(short),
            format!("`{short}`: expected {expected}"),
        ))
    };
    // The limits are the model's (`sched::model::limits`, which says why each
    // keeps the model's arithmetic in range).
    // Sizes are whole bytes and the model (as the reference) counts whole
    // words of whole bytes: a 12-bit word would silently take 2 bytes, so
    // widths it cannot represent are refused (docs/hardware.md#word-widths).
    check(
        (8..=MAX_WORD_BITS).contains(&file.word_bits) && file.word_bits.is_multiple_of(8),
        "word_bits",
        &format!(
            "a multiple of 8 from 8 to {MAX_WORD_BITS} bits (the model stores a word in whole bytes, so a 12-bit word would count as 16; a wider word is a vector of words)"
        ),
    )?;
    let within = |v: u64, max: u64| (1..=max).contains(&v);
    check(
        file.nodes.dims.iter().all(|&d| within(d, MAX_NODE_SIDE)),
        "nodes.dims",
        &format!(
            "two node counts from 1 to {MAX_NODE_SIDE} (NoC hop counts multiply words by nodes and distances)"
        ),
    )?;
    check(
        file.node.pe_array.iter().all(|&d| within(d, MAX_PE_SIDE)),
        "node.pe_array",
        &format!(
            "two PE counts from 1 to {MAX_PE_SIDE} (the mapping multiplies fmap sizes by the array's)"
        ),
    )?;
    let word_bytes = file.word_bits.div_ceil(8);
    let size = format!(
        "room for at least one word ({word_bytes} bytes), and at most {MAX_HW_SIZE} bytes (2^53, exact in the model's float formulas)"
    );
    let (regf_bytes, gbuf_bytes) = (file.node.regf_bytes.0, file.node.gbuf_bytes.0);
    check(
        (word_bytes..=MAX_HW_SIZE).contains(&regf_bytes),
        "node.regf_bytes",
        &size,
    )?;
    check(
        (word_bytes..=MAX_HW_SIZE).contains(&gbuf_bytes),
        "node.gbuf_bytes",
        &size,
    )?;
    check(
        file.node.bus_width_bits <= MAX_HW_SIZE,
        "node.bus_width_bits",
        &format!("0 (unlimited) to {MAX_HW_SIZE} bits (2^53)"),
    )?;
    let bw = file.dram.bandwidth_bytes_per_cycle;
    check(
        bw >= MIN_BANDWIDTH,
        "dram.bandwidth_bytes_per_cycle",
        &format!("`inf` or a number of at least {MIN_BANDWIDTH:e} bytes per cycle"),
    )?;
    let energy_unit = match &file.energy_unit {
        None => EnergyUnit::PJ,
        Some(u) => EnergyUnit::parse(u).map_err(|why| {
            match sets.iter().rev().find(|s| s.key() == "energy_unit") {
                Some(s) => HwError::SetValue {
                    set: s.to_string(),
                    message: why.to_string(),
                },
                None => invalid(key_span("energy_unit"), format!("`energy_unit`: {why}")),
            }
        })?,
    };
    if let Some(mhz) = file.clock_mhz {
        check(
            mhz > 0.0 && mhz <= MAX_CLOCK_MHZ,
            "clock_mhz",
            &format!("a clock frequency in MHz above 0 and at most {MAX_CLOCK_MHZ:e}"),
        )?;
    }
    let e = file.energy;
    for (key, v) in [
        ("energy.mac", e.mac),
        ("energy.dram", e.dram),
        ("energy.gbuf", e.gbuf),
        ("energy.array", e.array),
        ("energy.regf", e.regf),
        ("energy.noc_hop", e.noc_hop),
        ("energy.static_per_cycle", e.static_per_cycle),
    ] {
        check(
            (0.0..=MAX_ENERGY).contains(&v),
            key,
            &format!(
                "a finite, non-negative energy of at most {MAX_ENERGY:e} (keeps the model's totals finite)"
            ),
        )?;
    }
    let nodes = Dim2::new(file.nodes.dims[0], file.nodes.dims[1]);
    let mut warnings = Vec::new();
    if nodes.size() > 1 && e.noc_hop == 0.0 {
        warnings.push(HwWarning::FreeNoc {
            origin: origin.to_owned(),
            nodes: format!("{}x{}", nodes.h, nodes.w),
            given: if key_span("noc_hop").is_some() {
                "0"
            } else {
                "not given"
            },
        });
    }
    Ok(Hardware {
        name: file.name,
        word_bits: file.word_bits,
        nodes,
        memory: file.nodes.memory,
        pe_array: Dim2::new(file.node.pe_array[0], file.node.pe_array[1]),
        regf_bytes,
        gbuf_bytes,
        bus_width_bits: file.node.bus_width_bits,
        dram_bandwidth_bytes_per_cycle: bw,
        energy_unit,
        clock_mhz: file.clock_mhz,
        energy: e,
        set: sets.iter().map(Set::to_string).collect(),
        text_sha256: crate::sha256::hex(text.as_bytes()),
        warnings,
    })
}

/// The key assigned on the line holding byte `at`, if the line is `key = ...`.
fn key_of_line(text: &str, at: usize) -> Option<&str> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(key)
}

/// The byte range of the first line that assigns `key`.
fn find_key(text: &str, key: &str) -> Option<Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let start = offset + (line.len() - trimmed.len());
            return Some(start..start + key.len());
        }
        offset += line.len();
    }
    None
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
        NodeResource {
            dim_array: self.pe_array,
            size_gbuf: self.gbuf_bytes / w,
            size_regf: self.regf_bytes / w,
            array_bus_width: (bus > 0).then_some(bus),
            dram_bandwidth: if bw.is_infinite() {
                Bandwidth::Unlimited
            } else {
                Bandwidth::Words(bw / w as f64)
            },
            no_time_mux: false,
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
            assert_eq!(hw.word_bits, 16);
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
            (tetris.replace("noc_hop = 40.0\n", ""), "not given"),
        ] {
            let hw = parse(&text, "t.toml").unwrap();
            assert_eq!(
                hw.warnings,
                [HwWarning::FreeNoc {
                    origin: "t.toml".into(),
                    nodes: "4x4".into(),
                    given
                }]
            );
        }
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
    fn out_of_range_changes_name_the_change() {
        for (arg, says) in [
            ("node.gbuf_bytes=1", "room for at least one word"),
            ("node.pe_array=0x16", "two PE counts"),
            ("energy.dram=-1", "non-negative energy"),
            ("nodes.memory=4d", "4d"),
            ("energy_unit=PJ", "did you mean `pJ`"),
            ("word_bits=0", "a multiple of 8"),
        ] {
            let e = load_with("eyeriss", &sets(&[arg])).unwrap_err();
            let HwError::SetValue { set, message } = &e else {
                panic!("{arg}: {e}");
            };
            assert_eq!(arg.split('=').next(), set.split('=').next(), "{e}");
            assert!(message.contains(says), "{arg}: {message}");
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
