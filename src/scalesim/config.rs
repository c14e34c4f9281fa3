//! SCALE-Sim's config `.cfg` (docs/scalesim.md#config-files): an INI file
//! read the way Python's `configparser` reads it (sections by exact name,
//! keys in any case, `=` or `:` between key and value, whole-line comments
//! starting with `#` or `;`), with every key SCALE-Sim 3.0.0 reads.

use super::error::{FileKind, ReadError, ReadErrorKind};
use crate::sched::scalesim::conventions::sram_words;
use crate::sched::scalesim::{Dataflow, InterfaceBandwidth, ScaleSimArray, limits};
use crate::sched::types::{DataKind, PerData};
use crate::suggest::suggest;
use std::ops::Range;

/// The banks of one read SRAM (`[layout]`). nnc reads them as SCALE-Sim
/// does; only the bandwidth matters, and only in USER mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SramBanks {
    /// `...SRAMBankBandwidth`: words per cycle of the whole SRAM, which is
    /// the operand's fill bandwidth in USER mode.
    pub bandwidth: u64,
    /// `...SRAMBankNum`.
    pub banks: u64,
    /// `...SRAMBankPort`.
    pub ports: u64,
}

/// A SCALE-Sim config, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleSimConfig {
    /// `[general] run_name`.
    pub run_name: String,
    /// `ArrayHeight`: PE rows.
    pub array_rows: u64,
    /// `ArrayWidth`: PE columns.
    pub array_cols: u64,
    /// `IfmapSramSzkB`, `FilterSramSzkB`, `OfmapSramSzkB`, in kB.
    pub sram_kb: PerData<u64>,
    /// `IfmapOffset`, `FilterOffset`, `OfmapOffset`: where each operand's
    /// addresses start (no effect on any number: each has its own SRAM).
    pub offsets: PerData<u64>,
    /// `Dataflow`.
    pub dataflow: Dataflow,
    /// `ReadRequestBuffer` (read, no effect).
    pub read_request_buffer: u64,
    /// `WriteRequestBuffer` (read, no effect).
    pub write_request_buffer: u64,
    /// `[run_presets] InterfaceBandwidth` with the bandwidths USER mode
    /// uses.
    pub bandwidth: InterfaceBandwidth,
    /// `Bandwidth`, in USER mode (empty in CALC, where it is not read).
    pub bandwidths: Vec<u64>,
    /// `[layout]`: the ifmap and filter SRAMs' banks.
    pub ifmap_banks: SramBanks,
    /// The filter SRAM's banks.
    pub filter_banks: SramBanks,
    /// Keys of the file SCALE-Sim does not read (such as v2's
    /// `MemoryBanks`), as `[section] key` with their place: a caller may
    /// warn about them.
    pub ignored: Vec<(String, Range<usize>)>,
}

impl ScaleSimConfig {
    /// The array and SRAMs the model simulates.
    pub fn array(&self) -> ScaleSimArray {
        ScaleSimArray {
            rows: self.array_rows,
            cols: self.array_cols,
            dataflow: self.dataflow,
            sram_words: self.sram_kb.map(sram_words),
            bandwidth: self.bandwidth,
        }
    }
}

/// One `key = value` line.
#[derive(Clone, Debug)]
struct Entry {
    /// The key as written.
    key: String,
    key_span: Range<usize>,
    value: String,
    value_span: Range<usize>,
    used: bool,
}

/// One `[section]` and its keys.
#[derive(Clone, Debug)]
struct Section {
    name: String,
    span: Range<usize>,
    entries: Vec<Entry>,
}

/// The INI structure of a file.
struct Ini<'t> {
    text: &'t str,
    sections: Vec<Section>,
}

/// Splits `text` into sections of entries, as `configparser` would.
fn parse_ini(text: &str) -> Result<Ini<'_>, ReadError> {
    let err = |kind, span| ReadError::new(kind, text, span);
    let mut sections: Vec<Section> = Vec::new();
    let mut at = 0;
    let mut after_key: Option<String> = None;
    for raw in text.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        let lead = line.len() - line.trim_start().len();
        let span = start + lead..start + lead + trimmed.len();
        if trimmed.is_empty() {
            after_key = None;
            continue;
        }
        if trimmed.starts_with(['#', ';']) {
            continue;
        }
        if lead > 0
            && let Some(key) = after_key.take()
        {
            return Err(err(ReadErrorKind::Continuation { key }, span));
        }
        if let Some(inner) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            let name = inner.trim().to_owned();
            if sections.iter().any(|s| s.name == name) {
                return Err(err(ReadErrorKind::DuplicateSection { name }, span));
            }
            sections.push(Section {
                name,
                span,
                entries: Vec::new(),
            });
            after_key = None;
            continue;
        }
        let Some(d) = trimmed.find(['=', ':']) else {
            return Err(err(ReadErrorKind::BadLine, span));
        };
        let (key, value) = (trimmed[..d].trim_end(), trimmed[d + 1..].trim());
        if key.is_empty() {
            return Err(err(ReadErrorKind::BadLine, span));
        }
        let Some(section) = sections.last_mut() else {
            return Err(err(ReadErrorKind::KeyOutsideSection, span));
        };
        let key_span = span.start..span.start + key.len();
        if section
            .entries
            .iter()
            .any(|e| e.key.eq_ignore_ascii_case(key))
        {
            return Err(err(
                ReadErrorKind::DuplicateKey {
                    key: key.to_owned(),
                },
                key_span,
            ));
        }
        let value_start = span.start + trimmed.len() - value.len();
        section.entries.push(Entry {
            key: key.to_owned(),
            key_span,
            value: value.to_owned(),
            value_span: value_start..value_start + value.len(),
            used: false,
        });
        after_key = Some(key.to_owned());
    }
    if sections.is_empty() {
        return Err(err(
            ReadErrorKind::Empty {
                file: FileKind::Config,
            },
            0..0,
        ));
    }
    Ok(Ini { text, sections })
}

impl Ini<'_> {
    fn err(&self, kind: ReadErrorKind, span: Range<usize>) -> ReadError {
        ReadError::new(kind, self.text, span)
    }

    /// The value of `key` in `section` (or in `[DEFAULT]`, as
    /// `configparser` falls back), marked as read.
    fn get(
        &mut self,
        section: &'static str,
        key: &'static str,
    ) -> Result<(String, Range<usize>), ReadError> {
        let Some(si) = self.sections.iter().position(|s| s.name == section) else {
            let found = self
                .sections
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(section))
                .map(|s| s.name.clone());
            let span = match &found {
                Some(f) => self
                    .sections
                    .iter()
                    .find(|s| &s.name == f)
                    .map(|s| s.span.clone()),
                None => None,
            }
            .unwrap_or(self.text.len()..self.text.len());
            return Err(self.err(
                ReadErrorKind::MissingSection {
                    name: section,
                    found,
                },
                span,
            ));
        };
        let lookup = |s: &Section| {
            s.entries
                .iter()
                .position(|e| e.key.eq_ignore_ascii_case(key))
        };
        let default = self.sections.iter().position(|s| s.name == "DEFAULT");
        let place = lookup(&self.sections[si])
            .map(|ei| (si, ei))
            .or_else(|| default.and_then(|d| lookup(&self.sections[d]).map(|ei| (d, ei))));
        let Some((si2, ei)) = place else {
            let s = &self.sections[si];
            let suggestion = suggest(key, s.entries.iter().map(|e| e.key.as_str()));
            let kind = ReadErrorKind::MissingKey {
                section,
                key,
                suggestion,
            };
            return Err(self.err(kind, s.span.clone()));
        };
        let e = &mut self.sections[si2].entries[ei];
        e.used = true;
        Ok((e.value.clone(), e.value_span.clone()))
    }

    /// A whole number of at least `min`.
    fn number(
        &mut self,
        section: &'static str,
        key: &'static str,
        min: u64,
    ) -> Result<u64, ReadError> {
        let (text, span) = self.get(section, key)?;
        parse_number(&text, min).ok_or_else(|| {
            self.err(
                ReadErrorKind::NotANumber {
                    what: format!("`{key}`"),
                    text,
                    min,
                },
                span,
            )
        })
    }

    /// A whole number from `min` to `max` (the model's limit, in `unit`).
    fn bounded(
        &mut self,
        section: &'static str,
        key: &'static str,
        min: u64,
        (max, unit): (u64, &'static str),
    ) -> Result<u64, ReadError> {
        let value = self.number(section, key, min)?;
        if value > max {
            let (_, span) = self.get(section, key)?;
            let kind = ReadErrorKind::OutOfRange {
                key,
                value,
                max,
                unit,
            };
            return Err(self.err(kind, span));
        }
        Ok(value)
    }

    /// A boolean as `configparser.getboolean` reads it, which must be
    /// false: the key turns on `feature`, which nnc does not model.
    fn off(
        &mut self,
        section: &'static str,
        key: &'static str,
        feature: &'static str,
    ) -> Result<(), ReadError> {
        let (text, span) = self.get(section, key)?;
        match text.to_ascii_lowercase().as_str() {
            "0" | "no" | "false" | "off" => Ok(()),
            "1" | "yes" | "true" | "on" => {
                Err(self.err(ReadErrorKind::Unsupported { key, feature }, span))
            }
            _ => Err(self.err(
                ReadErrorKind::BadValue {
                    key,
                    text,
                    expected: "`True` or `False`",
                },
                span,
            )),
        }
    }

    /// One of `choices` (exactly, as SCALE-Sim compares them).
    fn choice<T: Copy>(
        &mut self,
        section: &'static str,
        key: &'static str,
        choices: &[(&str, T)],
        expected: &'static str,
    ) -> Result<T, ReadError> {
        let (text, span) = self.get(section, key)?;
        choices
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                self.err(
                    ReadErrorKind::BadValue {
                        key,
                        text,
                        expected,
                    },
                    span,
                )
            })
    }

    /// The keys nobody read.
    fn unused(&self) -> Vec<(String, Range<usize>)> {
        self.sections
            .iter()
            .flat_map(|s| {
                s.entries
                    .iter()
                    .filter(|e| !e.used)
                    .map(move |e| (format!("[{}] {}", s.name, e.key), e.key_span.clone()))
            })
            .collect()
    }
}

/// A whole number of at least `min`: an optional `+`, then digits.
fn parse_number(text: &str, min: u64) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&v| v >= min)
}

const ARCH: &str = "architecture_presets";
const LAYOUT: &str = "layout";

/// The largest array side the model takes, in PEs.
const SIDE: (u64, &str) = (limits::MAX_ARRAY_SIDE, "PEs");
/// The largest SRAM the model takes, in kB (of 1-byte words).
const SRAM: (u64, &str) = (limits::MAX_WORDS / 1024, "kB");
/// The largest bandwidth the model takes.
const BANDWIDTH: (u64, &str) = (limits::MAX_BANDWIDTH, "words per cycle");

/// Reads a config file: every key SCALE-Sim 3.0.0 reads must be present and
/// valid. Sparsity, custom layouts and Ramulator traces must be off.
pub fn read_config(text: &str) -> Result<ScaleSimConfig, ReadError> {
    let mut ini = parse_ini(text)?;
    let (run_name, _) = ini.get("general", "run_name")?;
    let user = ini.choice(
        "run_presets",
        "InterfaceBandwidth",
        &[("CALC", false), ("USER", true)],
        "`CALC` or `USER`",
    )?;
    ini.off("run_presets", "UseRamulatorTrace", "Ramulator DRAM traces")?;
    let array_rows = ini.bounded(ARCH, "ArrayHeight", 1, SIDE)?;
    let array_cols = ini.bounded(ARCH, "ArrayWidth", 1, SIDE)?;
    let sram = [
        ini.bounded(ARCH, "IfmapSramSzkB", 1, SRAM)?,
        ini.bounded(ARCH, "FilterSramSzkB", 1, SRAM)?,
        ini.bounded(ARCH, "OfmapSramSzkB", 1, SRAM)?,
    ];
    let offsets = [
        ini.number(ARCH, "IfmapOffset", 0)?,
        ini.number(ARCH, "FilterOffset", 0)?,
        ini.number(ARCH, "OfmapOffset", 0)?,
    ];
    let dataflow = ini.choice(
        ARCH,
        "Dataflow",
        &[
            ("ws", Dataflow::Ws),
            ("os", Dataflow::Os),
            ("is", Dataflow::Is),
        ],
        "`ws`, `os` or `is`",
    )?;
    let read_request_buffer = ini.number(ARCH, "ReadRequestBuffer", 0)?;
    let write_request_buffer = ini.number(ARCH, "WriteRequestBuffer", 0)?;
    ini.off(LAYOUT, "IfmapCustomLayout", "custom ifmap layouts")?;
    ini.off(LAYOUT, "FilterCustomLayout", "custom filter layouts")?;
    let mut banks = |prefix: [&'static str; 3]| -> Result<SramBanks, ReadError> {
        Ok(SramBanks {
            bandwidth: ini.bounded(LAYOUT, prefix[0], 1, BANDWIDTH)?,
            banks: ini.number(LAYOUT, prefix[1], 1)?,
            ports: ini.number(LAYOUT, prefix[2], 1)?,
        })
    };
    let ifmap_banks = banks([
        "IfmapSRAMBankBandwidth",
        "IfmapSRAMBankNum",
        "IfmapSRAMBankPort",
    ])?;
    let filter_banks = banks([
        "FilterSRAMBankBandwidth",
        "FilterSRAMBankNum",
        "FilterSRAMBankPort",
    ])?;
    ini.off("sparsity", "SparsitySupport", "sparsity")?;
    let (bandwidth, bandwidths) = if user {
        user_bandwidths(&mut ini, ifmap_banks, filter_banks)?
    } else {
        // Read only in USER mode, yet in every config SCALE-Sim ships: not
        // a key to warn about.
        let _ = ini.get(ARCH, "Bandwidth");
        (InterfaceBandwidth::Calc, Vec::new())
    };
    // `[DEFAULT]` keys fill in for every section; they are not ignored.
    let ignored = ini
        .unused()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("[DEFAULT]"))
        .collect();
    Ok(ScaleSimConfig {
        run_name,
        array_rows,
        array_cols,
        sram_kb: by_operand(sram),
        offsets: by_operand(offsets),
        dataflow,
        read_request_buffer,
        write_request_buffer,
        bandwidth,
        bandwidths,
        ifmap_banks,
        filter_banks,
        ignored,
    })
}

/// USER mode's bandwidths: the ifmap and filter fills from `[layout]`
/// (each divisible by its bank count), the ofmap drain the first value of
/// `Bandwidth`; and the whole `Bandwidth` list.
fn user_bandwidths(
    ini: &mut Ini<'_>,
    ifmap_banks: SramBanks,
    filter_banks: SramBanks,
) -> Result<(InterfaceBandwidth, Vec<u64>), ReadError> {
    let (text, span) = ini.get(ARCH, "Bandwidth")?;
    let bandwidths = text
        .split(',')
        .map(|part| parse_number(part.trim(), 1))
        .collect::<Option<Vec<u64>>>()
        .ok_or_else(|| {
            let expected = "whole numbers of at least 1 separated by commas (words per cycle)";
            let kind = ReadErrorKind::BadValue {
                key: "Bandwidth",
                text: text.clone(),
                expected,
            };
            ini.err(kind, span.clone())
        })?;
    if bandwidths[0] > BANDWIDTH.0 {
        let kind = ReadErrorKind::OutOfRange {
            key: "Bandwidth",
            value: bandwidths[0],
            max: BANDWIDTH.0,
            unit: BANDWIDTH.1,
        };
        return Err(ini.err(kind, span));
    }
    for (key, b) in [
        ("IfmapSRAMBankBandwidth", ifmap_banks),
        ("FilterSRAMBankBandwidth", filter_banks),
    ] {
        if b.bandwidth % b.banks != 0 {
            let (_, span) = ini.get(LAYOUT, key)?;
            let kind = ReadErrorKind::BankBandwidth {
                key,
                bandwidth: b.bandwidth,
                banks: b.banks,
            };
            return Err(ini.err(kind, span));
        }
    }
    let bandwidth = InterfaceBandwidth::User {
        ifmap: ifmap_banks.bandwidth,
        filter: filter_banks.bandwidth,
        ofmap: bandwidths[0],
    };
    Ok((bandwidth, bandwidths))
}

/// Values given in SCALE-Sim's order (ifmap, filter, ofmap), per operand.
fn by_operand(v: [u64; 3]) -> PerData<u64> {
    PerData::from_fn(|kind| match kind {
        DataKind::Ifm => v[0],
        DataKind::Fil => v[1],
        DataKind::Ofm => v[2],
    })
}
