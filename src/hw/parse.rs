//! Reading a hardware description (docs/hardware.md) in named steps:
//! [`parse_with`] deserializes the TOML ([`deserialize`]), applies the
//! changes (`--set`, a sweep's point), checks every value's range against
//! the model's limits ([`Checks`]), notes what is likely a mistake
//! ([`warnings`]) and builds the [`Hardware`].

use super::energy::EnergySection;
use super::error::{HwError, HwWarning, Problem};
use super::size::{self, SIZE_EXPECTED};
use super::tech::{self, Sizes, TechSection};
use super::{Energy, EnergyUnit, Hardware, MAX_CLOCK_MHZ, Set};
use crate::diag::SerdeProblem;
use crate::ir::Dim2;
use crate::sched::machine::{
    Dataflow, MAX_ENERGY, MAX_HW_SIZE, MAX_NODE_SIDE, MAX_PE_SIDE, MAX_WORD_BITS, MIN_BANDWIDTH,
    MemType,
};
use serde::{Deserialize, Deserializer};
use std::ops::Range;

/// The hardware file as written.
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
    #[serde(default)]
    tech: Option<TechSection>,
    #[serde(default)]
    energy: EnergySection,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodesSection {
    #[serde(deserialize_with = "pair")]
    dims: [u64; 2],
    memory: MemType,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeSection {
    #[serde(deserialize_with = "pair")]
    pe_array: [u64; 2],
    regf_bytes: size::Bytes,
    #[serde(default)]
    gbuf_bytes: Option<size::Bytes>,
    #[serde(default)]
    bus_width_bits: u64,
    #[serde(default)]
    dataflow: Option<String>,
    #[serde(default)]
    sram: Option<SramSection>,
}

/// Per-operand SRAMs, the alternative to one global buffer: all three or
/// none.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SramSection {
    #[serde(default)]
    ifmap_bytes: Option<size::Bytes>,
    #[serde(default)]
    filter_bytes: Option<size::Bytes>,
    #[serde(default)]
    ofmap_bytes: Option<size::Bytes>,
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

/// Two whole numbers, exactly. Why not `[u64; 2]` itself: the TOML reader
/// lets such an array drop a third number (`pe_array = [16, 16, 3]`).
fn pair<'de, D: Deserializer<'de>>(d: D) -> Result<[u64; 2], D::Error> {
    let v = Vec::<u64>::deserialize(d)?;
    <[u64; 2]>::try_from(v)
        .map_err(|v| serde::de::Error::invalid_length(v.len(), &"two whole numbers, as `[16, 16]`"))
}

/// Parses a hardware description, applies `sets` to the document (a later
/// change of the same key wins), then checks the result: the text must be
/// a valid file by itself, and a changed value out of range is an error
/// naming the change ([`HwError::SetValue`]).
pub fn parse_with(text: &str, origin: &str, sets: &[Set]) -> Result<Hardware, HwError> {
    let file = deserialize(text, origin, sets)?;
    let checks = Checks { text, origin, sets };
    checks.geometry(&file)?;
    let dataflow = checks.dataflow(&file)?;
    let (regf_bytes, buffers) = checks.sizes(&file, dataflow)?;
    let (gbuf_bytes, sram) = match buffers {
        Buffers::Global(bytes) => (bytes, None),
        Buffers::PerOperand(s) => (s.total(), Some(s)),
    };
    let nodes = Dim2::new(file.nodes.dims[0], file.nodes.dims[1]);
    let pe_array = Dim2::new(file.node.pe_array[0], file.node.pe_array[1]);
    let sizes = Sizes {
        word_bits: file.word_bits,
        nodes: nodes.size(),
        pes_per_node: pe_array.size(),
        regf_bytes,
        buffers: match &sram {
            Some(s) => vec![
                ("node.sram.ifmap_bytes", s.ifmap_bytes),
                ("node.sram.filter_bytes", s.filter_bytes),
                ("node.sram.ofmap_bytes", s.ofmap_bytes),
            ],
            None => vec![("node.gbuf_bytes", gbuf_bytes)],
        },
    };
    let (energy_unit, resolved) = checks.energies(&file, &sizes)?;
    let tech::Resolved {
        energy,
        tech,
        area,
        unpriced,
    } = resolved;
    let mut warnings = warnings(text, origin, nodes, &energy);
    if let Some(f) = unpriced {
        let short = f.key.rsplit('.').next().unwrap_or(f.key);
        // A changed key is named by its change, not placed in the text.
        let (why, span) = match sets.iter().rev().find(|s| s.key() == f.key) {
            Some(set) => (format!("`{set}`: {}", f.message), None),
            None => (format!("`{short}`: {}", f.message), find_key(text, short)),
        };
        warnings.push(HwWarning::NoArea {
            origin: origin.to_owned(),
            why,
            span,
        });
    }
    Ok(Hardware {
        name: file.name,
        word_bits: file.word_bits,
        nodes,
        memory: file.nodes.memory,
        pe_array,
        regf_bytes,
        gbuf_bytes,
        sram,
        bus_width_bits: file.node.bus_width_bits,
        dataflow,
        dram_bandwidth_bytes_per_cycle: file.dram.bandwidth_bytes_per_cycle,
        energy_unit,
        clock_mhz: file.clock_mhz,
        energy,
        tech,
        area,
        set: sets.iter().map(Set::to_string).collect(),
        text_sha256: crate::sha256::hex(text.as_bytes()),
        warnings,
    })
}

/// The file's keys as written, with `sets` applied: what is malformed,
/// unknown, missing or of the wrong type is an error here, in the text or
/// in the change.
fn deserialize(text: &str, origin: &str, sets: &[Set]) -> Result<File, HwError> {
    let de_error = |e: toml::de::Error| {
        let mut message = e.message().trim().to_owned();
        // serde does not tell a size's parser its key: name it from the line.
        if message.contains(SIZE_EXPECTED)
            && let Some(key) = e.span().and_then(|s| key_of_line(text, s.start))
        {
            message = format!("`{key}`: {message}");
        }
        let (problem, suggestion) = if text.parse::<toml::Table>().is_err() {
            (Problem::Syntax, None)
        } else {
            match SerdeProblem::of(&message) {
                SerdeProblem::UnknownKey { suggestion, .. } => (Problem::UnknownKey, suggestion),
                SerdeProblem::MissingKey => (Problem::MissingKey, None),
                SerdeProblem::BadValue => (Problem::BadValue, None),
            }
        };
        // A key missing at the top has the empty span at 0: the file as a
        // whole, not its first line.
        let span = e.span().filter(|s| !s.is_empty() || s.start > 0);
        HwError::Invalid {
            origin: origin.to_owned(),
            text: text.to_owned(),
            span,
            problem,
            message,
            suggestion,
        }
    };
    let file: File = toml::from_str(text).map_err(de_error)?;
    if sets.is_empty() {
        return Ok(file);
    }
    let mut doc: toml::Table = toml::from_str(text).map_err(de_error)?;
    for s in sets {
        s.apply(&mut doc);
    }
    // The kinds were checked with each change; what is left is a value
    // the key does not take (`nodes.memory=4d`).
    doc.try_into()
        .map_err(|e: toml::de::Error| HwError::SetValue {
            origin: origin.to_owned(),
            set: sets
                .iter()
                .map(Set::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            problem: Problem::BadValue,
            message: e.message().trim().to_owned(),
        })
}

/// The keys that a range check of another key reads besides its own: the
/// word's width (a memory holds at least one word), the dataflow (only
/// `no-local-reuse` runs without register files) and the buffer energy
/// (`gbuf` and `[energy.sram]` are not both given). Every other check reads
/// one key alone, and a sweep relies on it to check a large grid from a
/// few of its points (docs/sweep.md#large-grids): a new check that reads
/// two keys must add one of them here.
pub const COUPLED_KEYS: [&str; 3] = ["word_bits", "node.dataflow", "energy.gbuf"];

/// The range checks of a description's values, each pointing at its key,
/// or naming the change that set it. The limits are the model's
/// (`sched::model::limits`, which says why each keeps the model's arithmetic in
/// range).
struct Checks<'a> {
    text: &'a str,
    origin: &'a str,
    sets: &'a [Set],
}

impl Checks<'_> {
    /// An error unless `ok`: `key` (dotted) should be `expected`.
    fn check(&self, ok: bool, key: &str, expected: &str) -> Result<(), HwError> {
        if ok {
            return Ok(());
        }
        Err(self.error(key, Problem::OutOfRange, format!("expected {expected}")))
    }

    /// `problem` with `key` (dotted), at the change that set it or else at
    /// the key in the text.
    fn error(&self, key: &str, problem: Problem, why: String) -> HwError {
        if let Some(s) = self.sets.iter().rev().find(|s| s.key() == key) {
            return HwError::SetValue {
                origin: self.origin.to_owned(),
                set: s.to_string(),
                problem,
                message: why,
            };
        }
        let short = key.rsplit('.').next().unwrap_or(key);
        HwError::Invalid {
            origin: self.origin.to_owned(),
            text: self.text.to_owned(),
            span: find_key(self.text, short),
            problem,
            message: format!("`{short}`: {why}"),
            suggestion: None,
        }
    }

    /// The word and the arrays of nodes and PEs.
    fn geometry(&self, file: &File) -> Result<(), HwError> {
        // Sizes are whole bytes and the model (as the reference) counts
        // whole words of whole bytes: a 12-bit word would silently take 2
        // bytes, so widths it cannot represent are refused
        // (docs/hardware.md#word-widths).
        self.check(
            (8..=MAX_WORD_BITS).contains(&file.word_bits) && file.word_bits.is_multiple_of(8),
            "word_bits",
            &format!(
                "a multiple of 8 from 8 to {MAX_WORD_BITS} bits (the model stores a word in whole bytes, so a 12-bit word would count as 16; a wider word is a vector of words)"
            ),
        )?;
        let within = |v: u64, max: u64| (1..=max).contains(&v);
        self.check(
            file.nodes.dims.iter().all(|&d| within(d, MAX_NODE_SIDE)),
            "nodes.dims",
            &format!(
                "two node counts from 1 to {MAX_NODE_SIDE} (NoC hop counts multiply words by nodes and distances)"
            ),
        )?;
        self.check(
            file.node.pe_array.iter().all(|&d| within(d, MAX_PE_SIDE)),
            "node.pe_array",
            &format!(
                "two PE counts from 1 to {MAX_PE_SIDE} (the mapping multiplies fmap sizes by the array's)"
            ),
        )
    }

    /// The memories' sizes and the bandwidths: the register file in bytes
    /// and the node's buffers.
    fn sizes(&self, file: &File, dataflow: Dataflow) -> Result<(u64, Buffers), HwError> {
        let word_bytes = file.word_bits.div_ceil(8);
        let size = format!(
            "room for at least one word ({word_bytes} bytes), and at most {MAX_HW_SIZE} bytes (2^53, exact in the model's float formulas)"
        );
        let regf_bytes = file.node.regf_bytes.0;
        let fits = |bytes| (word_bytes..=MAX_HW_SIZE).contains(&bytes);
        // A dataflow whose PEs keep nothing runs without register files.
        let none = regf_bytes == 0 && dataflow == Dataflow::NoLocalReuse;
        self.check(
            fits(regf_bytes) || none,
            "node.regf_bytes",
            &format!("{size}; 0 only with dataflow = \"no-local-reuse\", whose PEs keep nothing"),
        )?;
        let buffers = self.buffers(file, &size, fits)?;
        self.check(
            file.node.bus_width_bits <= MAX_HW_SIZE,
            "node.bus_width_bits",
            &format!("0 (unlimited) to {MAX_HW_SIZE} bits (2^53)"),
        )?;
        self.check(
            file.dram.bandwidth_bytes_per_cycle >= MIN_BANDWIDTH,
            "dram.bandwidth_bytes_per_cycle",
            &format!("`inf` or a number of at least {MIN_BANDWIDTH:e} bytes per cycle"),
        )?;
        Ok((regf_bytes, buffers))
    }

    /// The node's buffers: one global buffer (`gbuf_bytes`) or three
    /// per-operand SRAMs (`[node.sram]`), never both, never some of the
    /// three (docs/hardware.md#per-operand-srams).
    fn buffers(
        &self,
        file: &File,
        size: &str,
        fits: impl Fn(u64) -> bool,
    ) -> Result<Buffers, HwError> {
        let n = &file.node;
        let Some(sram) = &n.sram else {
            let Some(gbuf) = n.gbuf_bytes else {
                return Err(self.at_table(
                    "node",
                    Problem::MissingKey,
                    "missing `gbuf_bytes`: a node has one global buffer (`gbuf_bytes`) or per-operand SRAMs (`[node.sram]` with `ifmap_bytes`, `filter_bytes` and `ofmap_bytes`)",
                ));
            };
            self.check(fits(gbuf.0), "node.gbuf_bytes", size)?;
            return Ok(Buffers::Global(gbuf.0));
        };
        if n.gbuf_bytes.is_some() {
            let why = "a node has one global buffer or per-operand SRAMs (`[node.sram]`), not both: remove `gbuf_bytes` or `[node.sram]`";
            // A change that added an SRAM is named as the culprit.
            if self.sets.iter().any(|s| s.key().starts_with("node.sram.")) {
                return Err(self.at_table("node.sram", Problem::BadValue, why));
            }
            return Err(self.error("node.gbuf_bytes", Problem::BadValue, why.to_owned()));
        }
        let keys = [
            ("node.sram.ifmap_bytes", sram.ifmap_bytes),
            ("node.sram.filter_bytes", sram.filter_bytes),
            ("node.sram.ofmap_bytes", sram.ofmap_bytes),
        ];
        let mut bytes = [0; 3];
        for (b, (key, v)) in bytes.iter_mut().zip(keys) {
            let Some(v) = v else {
                return Err(self.at_table(
                    "node.sram",
                    Problem::MissingKey,
                    &format!(
                        "missing `{}`: per-operand SRAMs give all three of `ifmap_bytes`, `filter_bytes` and `ofmap_bytes`",
                        key.rsplit('.').next().unwrap_or(key)
                    ),
                ));
            };
            self.check(fits(v.0), key, size)?;
            *b = v.0;
        }
        Ok(Buffers::PerOperand(super::Sram {
            ifmap_bytes: bytes[0],
            filter_bytes: bytes[1],
            ofmap_bytes: bytes[2],
        }))
    }

    /// `problem` with the table `[table]` (dotted), pointing at its header,
    /// or naming the changes that touched it.
    fn at_table(&self, table: &str, problem: Problem, why: &str) -> HwError {
        let prefix = format!("{table}.");
        let touched: Vec<String> = self
            .sets
            .iter()
            .filter(|s| s.key().starts_with(&prefix))
            .map(Set::to_string)
            .collect();
        if !touched.is_empty() {
            return HwError::SetValue {
                origin: self.origin.to_owned(),
                set: touched.join(", "),
                problem,
                message: why.to_owned(),
            };
        }
        HwError::Invalid {
            origin: self.origin.to_owned(),
            text: self.text.to_owned(),
            span: find_table(self.text, table),
            problem,
            message: why.to_owned(),
            suggestion: None,
        }
    }

    /// The node's dataflow: row stationary unless the file names another.
    fn dataflow(&self, file: &File) -> Result<Dataflow, HwError> {
        let Some(name) = &file.node.dataflow else {
            return Ok(Dataflow::RowStationary);
        };
        Dataflow::from_name(name).ok_or_else(|| {
            let names = Dataflow::names();
            let lower = name.to_lowercase().replace('_', "-");
            let close = Dataflow::from_name(&lower)
                .map(|d| d.name().to_owned())
                .or_else(|| crate::suggest::suggest(&lower, names.iter().copied()));
            let hint = close
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            self.error(
                "node.dataflow",
                Problem::BadValue,
                format!(
                    "unknown dataflow `{name}`; {hint}the dataflows are {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }

    /// The energy unit, the clock and the energies: the unit, and the
    /// energies with what `[tech]` derives of them and the area.
    fn energies(
        &self,
        file: &File,
        sizes: &Sizes,
    ) -> Result<(EnergyUnit, tech::Resolved), HwError> {
        let energy_unit = match &file.energy_unit {
            None => EnergyUnit::PJ,
            Some(u) => EnergyUnit::parse(u)
                .map_err(|why| self.error("energy_unit", Problem::BadValue, why.to_string()))?,
        };
        if let Some(mhz) = file.clock_mhz {
            self.check(
                mhz > 0.0 && mhz <= MAX_CLOCK_MHZ,
                "clock_mhz",
                &format!("a clock frequency in MHz above 0 and at most {MAX_CLOCK_MHZ:e}"),
            )?;
        }
        let priced =
            tech::resolve(file.tech.as_ref(), &file.energy, &energy_unit, sizes).map_err(|f| {
                match f.key {
                    // A table's fault points at its header.
                    "energy.sram" => self.at_table(f.key, f.problem, &f.message),
                    key => self.error(key, f.problem, f.message),
                }
            })?;
        let e = &priced.energy;
        let sram = e.sram.map(|s| [s.ifmap, s.filter, s.ofmap]);
        let sram_keys = [
            "energy.sram.ifmap",
            "energy.sram.filter",
            "energy.sram.ofmap",
        ];
        for (key, v) in [
            ("energy.mac", e.mac),
            ("energy.dram", e.dram),
            ("energy.gbuf", e.gbuf),
            ("energy.array", e.array),
            ("energy.regf", e.regf),
            ("energy.noc_hop", e.noc_hop),
            ("energy.static_per_cycle", e.static_per_cycle),
        ]
        .into_iter()
        .chain(
            sram.map(|v| sram_keys.into_iter().zip(v))
                .into_iter()
                .flatten(),
        ) {
            self.check(
                (0.0..=MAX_ENERGY).contains(&v),
                key,
                &format!(
                    "a finite, non-negative energy of at most {MAX_ENERGY:e} (keeps the model's totals finite)"
                ),
            )?;
        }
        Ok((energy_unit, priced))
    }
}

/// What is allowed but likely a mistake.
fn warnings(text: &str, origin: &str, nodes: Dim2, energy: &Energy) -> Vec<HwWarning> {
    let mut warnings = Vec::new();
    if nodes.size() > 1 && energy.noc_hop == 0.0 {
        let span = find_key(text, "noc_hop");
        warnings.push(HwWarning::FreeNoc {
            origin: origin.to_owned(),
            nodes: format!("{}x{}", nodes.h, nodes.w),
            given: if span.is_some() { "0" } else { "not given" },
            span,
        });
    }
    warnings
}

/// The key assigned on the line holding byte `at`, if the line is `key = ...`.
fn key_of_line(text: &str, at: usize) -> Option<&str> {
    let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(key)
}

/// The node's buffers as the file gives them.
enum Buffers {
    /// One global buffer, bytes.
    Global(u64),
    /// Per-operand SRAMs.
    PerOperand(super::Sram),
}

/// The byte range of the header `[table]`.
fn find_table(text: &str, table: &str) -> Option<Range<usize>> {
    let header = format!("[{table}]");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.trim_end() == header {
            let start = offset + (line.len() - trimmed.len());
            return Some(start..start + header.len());
        }
        offset += line.len();
    }
    None
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
