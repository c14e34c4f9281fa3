//! The sweep spec (docs/sweep.md#the-spec): a TOML file naming the
//! networks, the base hardware, the batches, the search options and the
//! hardware keys to vary. Errors carry the byte range of the offending
//! value, for a diagnostic that points at its line, and a code
//! (docs/diagnostics.md#sweep-specs).

use super::options::{Change, Flags, OptionError, OptionSet, option_key};
use crate::diag::{Code, Diagnostic, Report, SerdeProblem, Span};
use crate::hw::{self, Hardware, HwError, Set, SetError};
use crate::sched::options::{Options, OptionsError};
use serde::Deserialize;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The most rows a sweep may have: far more than a machine runs in a day,
/// few enough that the grid's keys fit in memory.
pub const MAX_ROWS: usize = 10_000_000;

/// A checked sweep spec.
#[derive(Clone, Debug)]
pub struct Spec {
    /// SHA-256 (hex) of the spec's text: the results file's first line.
    pub sha256: String,
    /// The networks, in spec order.
    pub networks: Vec<NetworkRef>,
    /// The base hardware's text and where it came from.
    pub hw_text: String,
    /// The base hardware's origin (a path or `preset NAME`).
    pub hw_origin: String,
    /// The base hardware, checked.
    pub base: Hardware,
    /// The batches, in spec order.
    pub batches: Vec<u64>,
    /// The search flags of `[options]`; a point's varied options change
    /// them, and the batch is set per row.
    pub options: Flags,
    /// The grid's dimensions: each `[vary]` key, then each `[[link]]`.
    pub dims: Vec<Dim>,
    /// The SRAM energy rule, if switched on.
    pub sram_energy: Option<SramRule>,
    /// The largest chip area a point may have, mm²: points over it are not
    /// scheduled (docs/sweep.md#area).
    pub max_area_mm2: Option<f64>,
    /// The chip area every point is held to, mm²: each point's global
    /// buffer is what the rest leaves (docs/sweep.md#holding-the-area-fixed).
    pub area_budget_mm2: Option<f64>,
}

/// A network of the spec.
#[derive(Clone, Debug)]
pub struct NetworkRef {
    /// As written in the spec: the `network` column.
    pub name: String,
    /// The file, relative to the spec's directory.
    pub path: PathBuf,
}

/// One dimension of the grid: keys that move together (one key for a
/// `[vary]` entry, several for a `[[link]]`), and their values, one change
/// per key for every step. A key is a hardware key or a search option.
#[derive(Clone, Debug)]
pub struct Dim {
    /// The keys (hardware keys dotted), in spec order.
    pub keys: Vec<&'static str>,
    /// Per step, a change of each key.
    pub steps: Vec<Vec<Change>>,
}

/// A first-order rule for an SRAM's energy per access as a function of its
/// capacity (docs/sweep.md#the-sram-energy-rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SramRule {
    /// Energy per access scales with the square root of capacity.
    Sqrt,
}

/// The capacity keys the SRAM rule follows, and the energy each drives.
pub const SRAM_KEYS: [(&str, &str); 2] = [
    ("node.gbuf_bytes", "energy.gbuf"),
    ("node.regf_bytes", "energy.regf"),
];

/// What is wrong with a spec, and where.
#[derive(Debug)]
pub struct SpecError {
    /// Its code (`S0xx`).
    pub code: Code,
    /// Byte range in the spec's text, if known.
    pub span: Option<Range<usize>>,
    /// What is wrong.
    pub message: String,
    /// What to do, when known.
    pub help: Option<String>,
    /// For a base hardware file that is not valid: its own error.
    pub hardware: Option<Box<HwError>>,
}

impl SpecError {
    fn at(code: Code, span: Range<usize>, message: impl Into<String>) -> Self {
        SpecError {
            code,
            span: Some(span),
            message: message.into(),
            help: None,
            hardware: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The error as a diagnostic of the spec's text.
    pub fn diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::new(self.code, format!("invalid sweep spec: {}", self.message));
        if let Some(span) = &self.span {
            d = d.primary(Span::from(span.clone()), "here");
        }
        match &self.help {
            Some(h) => d.help(h),
            None => d,
        }
    }

    /// What to print: the base hardware's own error if it has one, then
    /// the spec's (`name` and `text`, the spec's path and text).
    pub fn reports(&self, name: &str, text: &str) -> Vec<Report> {
        let mut out: Vec<Report> = self.hardware.iter().map(|h| h.report()).collect();
        out.push(Report::one(name, text, self.diagnostic()));
        out
    }

    /// A TOML or serde error: the text is not TOML, or a key is unknown,
    /// missing or of the wrong type.
    fn toml(text: &str, e: &toml::de::Error) -> Self {
        let message = e.message().trim().to_owned();
        let (code, help) = if text.parse::<toml::Table>().is_err() {
            (Code::SpecSyntax, None)
        } else {
            match SerdeProblem::of(&message) {
                SerdeProblem::UnknownKey { suggestion, .. } => (
                    Code::SpecUnknownKey,
                    Some(match suggestion {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => SPEC_DOC.to_owned(),
                    }),
                ),
                SerdeProblem::MissingKey => (Code::SpecMissingKey, Some(SPEC_DOC.to_owned())),
                SerdeProblem::BadValue => (Code::SpecBadValue, Some(SPEC_DOC.to_owned())),
            }
        };
        SpecError {
            code,
            span: e.span().filter(|s| !s.is_empty() || s.start > 0),
            message,
            help,
            hardware: None,
        }
    }

    /// A value that is not one of its option's.
    fn option(key: &str, span: Range<usize>, e: &OptionError) -> Self {
        match e {
            OptionError::UnknownKey(suggestion) => {
                let d = SpecError::at(
                    Code::SpecUnknownKey,
                    span,
                    format!("`[options]`: `{key}` is not a search option"),
                );
                match suggestion {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(OPTIONS_DOC),
                }
            }
            OptionError::BadValue(m) => SpecError::at(Code::SpecBadValue, span, m.clone()),
            OptionError::OutOfRange(m) => SpecError::at(Code::SpecOutOfRange, span, m.clone()),
        }
    }

    /// A varied key's value that is not a change of a hardware key.
    fn set(span: Range<usize>, e: &SetError) -> Self {
        match e {
            SetError::UnknownKey { key, suggestion } => {
                let d = SpecError::at(
                    Code::SpecUnknownHwKey,
                    span,
                    format!("unknown hardware key `{key}`"),
                );
                // A key without a section may be a misspelt option.
                let option = match OptionSet::new(key, &toml::Value::Boolean(false)) {
                    Err(OptionError::UnknownKey(s)) if !key.contains('.') => s,
                    _ => None,
                };
                match suggestion.or(option) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(
                        "the keys of the hardware file (docs/hardware.md) or a search option (docs/sweep.md#search-options)",
                    ),
                }
            }
            SetError::Syntax { .. } | SetError::Value { .. } => {
                SpecError::at(Code::SpecBadValue, span, e.to_string())
            }
        }
    }
}

/// Where the spec's keys are described, for the help lines.
const SPEC_DOC: &str = "the keys of a sweep spec: docs/sweep.md#the-spec";

/// Where the options are listed.
const OPTIONS_DOC: &str = "the search options of a sweep: docs/sweep.md#search-options";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    networks: Spanned<Vec<Spanned<String>>>,
    hw: Option<Spanned<String>>,
    batch: Option<Spanned<Vec<Spanned<i64>>>>,
    options: Option<Spanned<Ordered<toml::Value>>>,
    vary: Option<Spanned<Ordered<Values>>>,
    #[serde(default)]
    link: Vec<Spanned<Ordered<Values>>>,
    sram_energy: Option<Spanned<String>>,
    max_area_mm2: Option<Spanned<f64>>,
    area_budget_mm2: Option<Spanned<f64>>,
}

/// A varied key's values.
type Values = Vec<Spanned<toml::Value>>;

/// A table's entries in spec order, each key with the span of its value.
struct Ordered<V>(Vec<(String, Spanned<V>)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of keys and their values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Ordered<V>, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered(entries))
            }
        }
        d.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

/// Parses and checks a spec; `dir` is the directory its paths are relative
/// to. Reads the base hardware (not the networks).
pub fn parse(text: &str, dir: &Path) -> Result<Spec, SpecError> {
    let file: SpecFile = toml::from_str(text).map_err(|e| SpecError::toml(text, &e))?;
    let networks = networks(&file, dir)?;
    let (hw_text, hw_origin, base) = base_hardware(&file, dir)?;
    let batches = batches(&file)?;
    let options = options(&file)?;
    let sram_energy = sram_rule(&file)?;
    let dims = dims(&file)?;
    check_options(&file, options, &dims)?;
    let (max_area_mm2, area_budget_mm2) = areas(&file, &base, &dims, sram_energy)?;
    let rows = dims
        .iter()
        .try_fold(networks.len() * batches.len(), |n, d| {
            n.checked_mul(d.steps.len())
        })
        .filter(|&n| n <= MAX_ROWS);
    if rows.is_none() {
        return Err(SpecError {
            code: Code::SpecTooManyRows,
            span: None,
            message: format!("the grid has more than {MAX_ROWS} rows"),
            help: Some("split the sweep: fewer values per key, or one spec per network".to_owned()),
            hardware: None,
        });
    }
    Ok(Spec {
        sha256: crate::sha256::hex(text.as_bytes()),
        networks,
        hw_text,
        hw_origin,
        base,
        batches,
        options,
        dims,
        sram_energy,
        max_area_mm2,
        area_budget_mm2,
    })
}

/// `max_area_mm2` and `area_budget_mm2`: positive, with a base hardware
/// that has an area; a budget derives `node.gbuf_bytes`, which is then not
/// varied. The SRAM rule scales given energies only: not those `[tech]`
/// derives (docs/sweep.md#the-sram-energy-rule).
fn areas(
    file: &SpecFile,
    base: &Hardware,
    dims: &[Dim],
    rule: Option<SramRule>,
) -> Result<(Option<f64>, Option<f64>), SpecError> {
    let derived = base.tech.as_ref().map(|t| &t.derived[..]).unwrap_or(&[]);
    if let (Some(_), Some(s)) = (rule, &file.sram_energy)
        && derived.iter().any(|d| d == "gbuf" || d == "regf")
    {
        return Err(SpecError::at(
            Code::SpecBadValue,
            s.span(),
            "`sram_energy`: the hardware's `[tech]` node already sizes its SRAM energies by capacity",
        )
        .help("leave `sram_energy` out: docs/hardware.md#tech-the-technology-model"));
    }
    let check = |name: &str, v: &Option<Spanned<f64>>| -> Result<Option<f64>, SpecError> {
        let Some(v) = v else { return Ok(None) };
        let x = *v.get_ref();
        if !(x.is_finite() && x > 0.0) {
            return Err(SpecError::at(
                Code::SpecOutOfRange,
                v.span(),
                format!("`{name}`: expected an area in mm² above 0, not {x}"),
            ));
        }
        if base.area.is_none() {
            return Err(SpecError::at(
                Code::SpecBadValue,
                v.span(),
                format!("`{name}`: the hardware has no area"),
            )
            .help(
                "give the hardware a `[tech] node`: docs/hardware.md#tech-the-technology-model",
            ));
        }
        Ok(Some(x))
    };
    let max = check("max_area_mm2", &file.max_area_mm2)?;
    let budget = check("area_budget_mm2", &file.area_budget_mm2)?;
    if let Some(v) = &file.area_budget_mm2
        && dims.iter().any(|d| d.keys.contains(&"node.gbuf_bytes"))
    {
        return Err(SpecError::at(
            Code::SpecBadValue,
            v.span(),
            "`area_budget_mm2` derives `node.gbuf_bytes`, which the spec also varies",
        )
        .help("vary what the buffer trades against (`node.pe_array`, `node.regf_bytes`), not the buffer"));
    }
    Ok((max, budget))
}

/// The spec's networks, their paths relative to `dir`.
fn networks(file: &SpecFile, dir: &Path) -> Result<Vec<NetworkRef>, SpecError> {
    if file.networks.get_ref().is_empty() {
        return Err(SpecError::at(
            Code::SpecEmpty,
            file.networks.span(),
            "`networks`: name at least one network",
        ));
    }
    // A network is a `.nn` file, an ONNX model or a SCALE-Sim topology: a
    // spec never has nnc read (and quote in an error) another kind of file.
    for n in file.networks.get_ref() {
        let path = Path::new(n.get_ref());
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !["nn", "onnx", "csv"]
            .iter()
            .any(|x| ext.eq_ignore_ascii_case(x))
        {
            return Err(SpecError::at(
                Code::SpecBadValue,
                n.span(),
                format!("`networks`: `{}` is not a network file", n.get_ref()),
            )
            .help("a network is a `.nn` file, an `.onnx` model or a SCALE-Sim topology `.csv`"));
        }
    }
    Ok(file
        .networks
        .get_ref()
        .iter()
        .map(|n| NetworkRef {
            name: n.get_ref().clone(),
            path: dir.join(n.get_ref()),
        })
        .collect())
}

/// The base hardware (`hw`, a file relative to `dir` or a preset): its
/// text, where it came from, and the hardware, checked.
fn base_hardware(file: &SpecFile, dir: &Path) -> Result<(String, String, Hardware), SpecError> {
    let (hw_arg, hw_span) = match &file.hw {
        Some(h) => (h.get_ref().clone(), h.span()),
        None => ("eyeriss".to_owned(), 0..0),
    };
    let hw_arg = match hw::file_path(&hw_arg) {
        Some(path) => dir.join(path).display().to_string(),
        None => hw_arg,
    };
    let (hw_text, hw_origin) = hw::read(&hw_arg).map_err(|e| {
        let base = SpecError::at(
            Code::SpecBaseHardware,
            hw_span.clone(),
            format!("`hw`: {e}"),
        );
        match e {
            HwError::UnknownPreset {
                suggestion: Some(s),
                ..
            } => base.help(format!("did you mean `{s}`?")),
            _ => base,
        }
    })?;
    let base = hw::parse(&hw_text, &hw_origin).map_err(|e| SpecError {
        hardware: Some(Box::new(e)),
        ..SpecError::at(
            Code::SpecBaseHardware,
            hw_span.clone(),
            format!("`hw`: `{hw_origin}` is not a valid hardware file"),
        )
    })?;
    Ok((hw_text, hw_origin, base))
}

/// The batches (1 when not given), each in the model's range.
fn batches(file: &SpecFile) -> Result<Vec<u64>, SpecError> {
    let Some(b) = &file.batch else {
        return Ok(vec![1]);
    };
    if b.get_ref().is_empty() {
        return Err(SpecError::at(
            Code::SpecEmpty,
            b.span(),
            "`batch`: give at least one batch size",
        ));
    }
    b.get_ref()
        .iter()
        .map(|v| {
            let options = Options::builder().batch(*v.get_ref()).build();
            let o = options.map_err(|e| {
                SpecError::at(Code::SpecOutOfRange, v.span(), format!("`batch`: {e}"))
            })?;
            Ok(o.batch())
        })
        .collect()
}

/// The SRAM energy rule, if switched on.
fn sram_rule(file: &SpecFile) -> Result<Option<SramRule>, SpecError> {
    let Some(s) = &file.sram_energy else {
        return Ok(None);
    };
    match s.get_ref().as_str() {
        "sqrt" => Ok(Some(SramRule::Sqrt)),
        "none" => Ok(None),
        other => Err(SpecError::at(
            Code::SpecBadValue,
            s.span(),
            format!("`sram_energy`: `{other}` is not a rule; use \"sqrt\" (or \"none\")"),
        )),
    }
}

/// The grid's dimensions: each `[vary]` key, then each `[[link]]`.
fn dims(file: &SpecFile) -> Result<Vec<Dim>, SpecError> {
    let mut dims = Vec::new();
    let mut seen: Vec<&'static str> = Vec::new();
    if let Some(vary) = &file.vary {
        for (key, values) in &vary.get_ref().0 {
            dims.push(dim(&[(key, values)], &mut seen)?);
        }
    }
    for link in &file.link {
        let entries: Vec<_> = link.get_ref().0.iter().map(|(k, v)| (k, v)).collect();
        if entries.is_empty() {
            return Err(SpecError::at(
                Code::SpecEmpty,
                link.span(),
                "`[[link]]`: name at least one key",
            ));
        }
        let len = entries[0].1.get_ref().len();
        if let Some((k, v)) = entries.iter().find(|(_, v)| v.get_ref().len() != len) {
            return Err(SpecError::at(
                Code::SpecLinkLengths,
                v.span(),
                format!(
                    "`[[link]]`: `{k}` has {} values where `{}` has {len}; linked keys move together, so give each as many",
                    v.get_ref().len(),
                    entries[0].0
                ),
            ));
        }
        dims.push(dim(&entries, &mut seen)?);
    }
    Ok(dims)
}

/// One dimension from keys and their value lists (of equal length).
fn dim(
    entries: &[(&String, &Spanned<Vec<Spanned<toml::Value>>>)],
    seen: &mut Vec<&'static str>,
) -> Result<Dim, SpecError> {
    let mut keys = Vec::new();
    let mut columns = Vec::new();
    for (key, values) in entries {
        if values.get_ref().is_empty() {
            return Err(SpecError::at(
                Code::SpecEmpty,
                values.span(),
                format!("`{key}`: give at least one value"),
            ));
        }
        let mut column = Vec::new();
        for v in values.get_ref() {
            let change = if option_key(key).is_some() {
                let o = OptionSet::new(key, v.get_ref())
                    .map_err(|e| SpecError::option(key, v.span(), &e))?;
                Change::Option(o)
            } else {
                Change::Hardware(
                    Set::from_value(key, v.get_ref()).map_err(|e| SpecError::set(v.span(), &e))?,
                )
            };
            column.push(change);
        }
        let k = column[0].key();
        if seen.contains(&k) {
            return Err(SpecError::at(
                Code::SpecVariedTwice,
                values.span(),
                format!("`{k}` is varied twice; give each key once"),
            ));
        }
        seen.push(k);
        keys.push(k);
        columns.push(column);
    }
    let len = columns[0].len();
    let steps: Vec<Vec<Change>> = (0..len)
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect();
    // Two steps of the same values would be two rows of one point, with
    // the same key in the results file (`64 KiB` is `65536` there).
    let mut seen_steps = std::collections::HashSet::new();
    for (i, step) in steps.iter().enumerate() {
        let cells: Vec<String> = step.iter().flat_map(Change::cells).collect();
        if !seen_steps.insert(cells) {
            let (key, values) = entries[0];
            let span = values.get_ref().get(i).map_or(values.span(), |v| v.span());
            return Err(SpecError::at(
                Code::SpecVariedTwice,
                span,
                format!(
                    "`{key}`: the value `{}` is given twice; give each value once",
                    step[0]
                ),
            ));
        }
    }
    Ok(Dim { keys, steps })
}

/// `[options]`: the flags every row starts from.
fn options(file: &SpecFile) -> Result<Flags, SpecError> {
    let mut flags = Flags::default();
    for (key, value) in file.options.iter().flat_map(|o| &o.get_ref().0) {
        let o = OptionSet::new(key, value.get_ref())
            .map_err(|e| SpecError::option(key, value.span(), &e))?;
        flags = flags.with(&o);
    }
    Ok(flags)
}

/// The options of the grid's points checked together: flags that cannot
/// go together at every point are the spec's error, not every row's. A
/// point of varied options that cannot go together has a row saying so
/// (`bad options: ...`), as `nnc schedule` would refuse its flags.
fn check_options(file: &SpecFile, base: Flags, dims: &[Dim]) -> Result<(), SpecError> {
    let varied: Vec<Vec<Vec<&OptionSet>>> = dims
        .iter()
        .map(|d| {
            d.steps
                .iter()
                .map(|step| {
                    step.iter()
                        .filter_map(|c| match c {
                            Change::Option(o) => Some(o),
                            Change::Hardware(_) => None,
                        })
                        .collect()
                })
                .collect()
        })
        .filter(|d: &Vec<Vec<&OptionSet>>| d.iter().any(|s| !s.is_empty()))
        .collect();
    let mut combos = vec![base];
    for d in &varied {
        combos = combos
            .iter()
            .flat_map(|f| {
                d.iter()
                    .map(move |step| step.iter().fold(*f, |f, o| f.with(o)))
            })
            .collect();
        // Enough to find one that goes together; the grid's size is
        // checked on its own.
        combos.truncate(4096);
    }
    let first = combos.iter().map(Flags::builder).find_map(Result::err);
    let any_ok = combos.iter().any(|f| f.builder().is_ok());
    match first {
        Some(e) if !any_ok => {
            // At the option the model names, if `[options]` gives it.
            let key = match e {
                OptionsError::Partitioning(_) => "ifmap_partition",
                OptionsError::ForwardingImplied => "access_forwarding",
                OptionsError::PipelineOff { flag } | OptionsError::SolverWith { flag, .. } => {
                    option_key(flag.trim_start_matches('-')).unwrap_or("")
                }
                OptionsError::Batch { .. } | OptionsError::Top { .. } => "",
            };
            let given = file.options.as_ref().and_then(|o| {
                o.get_ref()
                    .0
                    .iter()
                    .find(|(k, _)| option_key(k) == Some(key))
                    .map(|(_, v)| v.span())
            });
            let span = given
                .clone()
                .or_else(|| file.options.as_ref().map(|o| o.span()))
                .unwrap_or(0..0);
            let what = match (given, varied.is_empty()) {
                (Some(_), true) => format!("`{key}`"),
                (_, true) => "`[options]`".to_owned(),
                (_, false) => "`[options]` with every varied option".to_owned(),
            };
            Err(SpecError::at(
                Code::SpecOptionsConflict,
                span,
                format!("{what}: {e}"),
            ))
        }
        _ => Ok(()),
    }
}
