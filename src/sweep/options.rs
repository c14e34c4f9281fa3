//! A sweep's search options (docs/sweep.md#search-options): every flag of
//! `nnc schedule` that changes the search, by the same name, in `[options]`
//! (one value for every row) and as a key of `[vary]` or `[[link]]` (one
//! column of the grid). One parser reads both, so a key means the same
//! wherever it is written.

use crate::hw::Set;
use crate::sched::Compat;
use crate::sched::model::limits::MAX_TOP;
use crate::sched::options::{Goal, Options, OptionsBuilder, OptionsError, Solver, Widening};
use crate::sched::pipeline::segment::{PipelineOptions, TimeOverhead};
use crate::sched::types::PerData;
use std::fmt;

/// The option keys, as `nnc schedule`'s flags without their dashes (a
/// hyphen may be written for an underscore).
pub const OPTION_KEYS: [&str; 15] = [
    "solver",
    "partition",
    "batch_partition",
    "ifmap_partition",
    "access_forwarding",
    "gbuf_sharing",
    "save_writeback",
    "interlayer",
    "basic_interlayer",
    "pipeline_time_overhead",
    "pipeline_max_degree",
    "no_bypass",
    "goal",
    "top",
    "compat",
];

/// The option key `key` names (hyphens read as underscores), if any.
pub(super) fn option_key(key: &str) -> Option<&'static str> {
    let key = key.trim().replace('-', "_");
    OPTION_KEYS.iter().copied().find(|k| *k == key)
}

/// The search flags of a row: what `nnc schedule`'s flags say, before they
/// are checked together ([`Flags::builder`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flags {
    solver: Solver,
    /// The options that widen the search, as said (`None`: the model's
    /// default, as for `nnc schedule`).
    widening: Widening,
    gbuf_sharing: bool,
    /// Pipelining's rules and limits (whether segments are searched is in
    /// `widening`).
    pipeline: PipelineOptions,
    bypass: PerData<bool>,
    goal: Goal,
    top: usize,
    compat: Compat,
}

impl Default for Flags {
    /// No flag given: `nnc schedule`'s defaults.
    fn default() -> Self {
        Flags {
            solver: Solver::Exhaustive,
            widening: Widening::default(),
            gbuf_sharing: false,
            pipeline: PipelineOptions::default(),
            bypass: PerData::splat(true),
            goal: Goal::E,
            top: 1,
            compat: Compat::Nnc,
        }
    }
}

impl Flags {
    /// The flags with `change` made.
    #[must_use]
    pub fn with(mut self, change: &OptionSet) -> Flags {
        match change.value {
            Value::Solver(s) => self.solver = s,
            Value::Hybrid(on) => self.widening.hybrid = Some(on),
            Value::Goal(g) => self.goal = g,
            Value::Compat(c) => self.compat = c,
            Value::Top(n) => self.top = n,
            Value::NoBypass(b) => self.bypass = b,
            Value::TimeOverhead(t) => self.pipeline.time_overhead = t,
            Value::MaxDegree(d) => self.pipeline.max_degree = d,
            Value::Switch(on) => {
                let w = &mut self.widening;
                let said = match change.key {
                    "batch_partition" => &mut w.batch_partition,
                    "ifmap_partition" => &mut w.ifmap_partition,
                    "access_forwarding" => &mut w.access_forwarding,
                    "save_writeback" => &mut w.save_writeback,
                    "interlayer" => &mut w.interlayer,
                    "gbuf_sharing" => {
                        self.gbuf_sharing = on;
                        return self;
                    }
                    _ => {
                        self.pipeline.basic = on;
                        return self;
                    }
                };
                *said = Some(on);
            }
        }
        self
    }

    /// The options these flags ask for, as `nnc schedule` builds them
    /// (the batch is set per row); an error for flags that cannot go
    /// together, as `nnc schedule` refuses them.
    pub fn builder(&self) -> Result<OptionsBuilder, OptionsError> {
        let builder = Options::builder()
            .widening(self.widening)
            .gbuf_sharing(self.gbuf_sharing)
            .bypass(self.bypass)
            .solver(self.solver)
            .goal(self.goal)
            .top(self.top)
            .pipeline_rules(self.pipeline)
            .compat(self.compat);
        builder.build()?;
        Ok(builder)
    }
}

/// One option's value, checked.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Value {
    Solver(Solver),
    Hybrid(bool),
    Switch(bool),
    TimeOverhead(Option<TimeOverhead>),
    MaxDegree(Option<u64>),
    NoBypass(PerData<bool>),
    Goal(Goal),
    Top(usize),
    Compat(Compat),
}

/// A checked value of one option key: a column of the grid, or a line of
/// `[options]`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionSet {
    key: &'static str,
    /// The value as written (a pair of `no_bypass` as its list).
    written: toml::Value,
    value: Value,
}

/// Why a value is not one of an option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionError {
    /// Not an option key; the closest one, if close.
    UnknownKey(Option<&'static str>),
    /// A value of the wrong kind: what the key takes.
    BadValue(String),
    /// A number outside the key's range.
    OutOfRange(String),
}

impl OptionSet {
    /// The value `value` of the option `key` (hyphens or underscores).
    pub fn new(key: &str, value: &toml::Value) -> Result<OptionSet, OptionError> {
        let Some(key) = option_key(key) else {
            let name = key.trim().replace('-', "_");
            let close = crate::suggest::suggest(&name, OPTION_KEYS.iter().copied());
            return Err(OptionError::UnknownKey(
                close.and_then(|c| OPTION_KEYS.iter().copied().find(|k| *k == c)),
            ));
        };
        let v = parse(key, value)?;
        Ok(OptionSet {
            key,
            written: value.clone(),
            value: v,
        })
    }

    /// The key.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The value as a cell of the results file: a word bare, `true` or
    /// `false`, a number as written.
    pub fn cell(&self) -> String {
        match &self.written {
            toml::Value::String(s) => s.clone(),
            toml::Value::Float(x) => float(*x),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for OptionSet {
    /// `KEY=VALUE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.cell())
    }
}

/// `value` read as a value of `key`.
fn parse(key: &'static str, value: &toml::Value) -> Result<Value, OptionError> {
    let words = |choices: &[&str]| {
        let names: Vec<_> = choices.iter().map(|n| format!("\"{n}\"")).collect();
        let given = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        OptionError::BadValue(format!(
            "`{key}`: `{given}` is not one of {}",
            names.join(", ")
        ))
    };
    let word = value.as_str();
    Ok(match key {
        "solver" => match word {
            Some("exhaustive") => Value::Solver(Solver::Exhaustive),
            Some("analytic") => Value::Solver(Solver::Analytic),
            _ => return Err(words(&["exhaustive", "analytic"])),
        },
        "partition" => match word {
            Some("naive") => Value::Hybrid(false),
            Some("hybrid") => Value::Hybrid(true),
            _ => return Err(words(&["naive", "hybrid"])),
        },
        "goal" => match word {
            Some("e") => Value::Goal(Goal::E),
            Some("d") => Value::Goal(Goal::D),
            Some("ed") => Value::Goal(Goal::Ed),
            _ => return Err(words(&["e", "d", "ed"])),
        },
        "compat" => match word {
            Some("nnc") => Value::Compat(Compat::Nnc),
            Some("nn_dataflow") => Value::Compat(Compat::NnDataflow),
            _ => return Err(words(&["nnc", "nn_dataflow"])),
        },
        "top" => {
            let n = value.as_integer().ok_or_else(|| {
                OptionError::BadValue(format!("`top`: `{value}` is not a whole number"))
            })?;
            Value::Top(
                usize::try_from(n)
                    .ok()
                    .filter(|n| (1..=MAX_TOP).contains(n))
                    .ok_or_else(|| {
                        OptionError::OutOfRange(format!("`top`: must be between 1 and {MAX_TOP}"))
                    })?,
            )
        }
        "no_bypass" => Value::NoBypass(no_bypass(value)?),
        "pipeline_time_overhead" => Value::TimeOverhead(Some(time_overhead(value)?)),
        "pipeline_max_degree" => {
            let n = value.as_integer().ok_or_else(|| {
                OptionError::BadValue(format!(
                    "`pipeline_max_degree`: `{value}` is not a whole number"
                ))
            })?;
            let n = u64::try_from(n).ok().filter(|&n| n >= 1).ok_or_else(|| {
                OptionError::OutOfRange("`pipeline_max_degree`: must be at least 1".to_owned())
            })?;
            Value::MaxDegree(Some(n))
        }
        _ => {
            let on = value.as_bool().ok_or_else(|| {
                OptionError::BadValue(format!("`{key}`: `{value}` is not true or false"))
            })?;
            Value::Switch(on)
        }
    })
}

/// `pipeline_time_overhead`: a number of 0 or more, or `"inf"`.
fn time_overhead(value: &toml::Value) -> Result<TimeOverhead, OptionError> {
    let x = match value {
        toml::Value::Integer(n) => *n as f64,
        toml::Value::Float(x) => *x,
        toml::Value::String(s) if s.trim() == "inf" => f64::INFINITY,
        _ => f64::NAN,
    };
    TimeOverhead::new(x).ok_or_else(|| {
        OptionError::BadValue(format!(
            "`pipeline_time_overhead`: `{value}` is not a time overhead: use a number of 0 or more, e.g. 0.5 (50%), or \"inf\""
        ))
    })
}

/// `no_bypass`: per data kind (filters, ifmaps, ofmaps), may it bypass the
/// global buffer? `""` keeps every bypass.
fn no_bypass(value: &toml::Value) -> Result<PerData<bool>, OptionError> {
    let mut bypass = [true; 3];
    let Some(list) = value.as_str() else {
        return Err(OptionError::BadValue(format!(
            "`no_bypass`: `{value}` is not a list of data kinds, e.g. \"i,o,f\""
        )));
    };
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match item {
            "f" => bypass[0] = false,
            "i" => bypass[1] = false,
            "o" => bypass[2] = false,
            other => {
                return Err(OptionError::BadValue(format!(
                    "`no_bypass`: `{other}` is not a data kind: use i (ifmaps), o (ofmaps) or f (filters), e.g. \"i,o,f\""
                )));
            }
        }
    }
    Ok(PerData(bypass))
}

/// One change of a design point: a hardware key (`--set`) or a search
/// option (a flag of `nnc schedule`).
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A hardware key.
    Hardware(Set),
    /// A search option.
    Option(OptionSet),
}

impl Change {
    /// The key.
    pub fn key(&self) -> &'static str {
        match self {
            Change::Hardware(s) => s.key(),
            Change::Option(o) => o.key(),
        }
    }

    /// The names of the key's columns: `KEY.rows` and `KEY.cols` for a
    /// pair, else the key itself.
    pub fn columns(key: &str) -> Vec<String> {
        if Set::is_pair(key) {
            vec![format!("{key}.rows"), format!("{key}.cols")]
        } else {
            vec![key.to_owned()]
        }
    }

    /// The value's cells (docs/sweep.md#the-results-file).
    pub fn cells(&self) -> Vec<String> {
        match self {
            Change::Hardware(s) => s.cells().iter().map(value).collect(),
            Change::Option(o) => vec![o.cell()],
        }
    }
}

impl fmt::Display for Change {
    /// `KEY=VALUE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Hardware(s) => s.fmt(f),
            Change::Option(o) => o.fmt(f),
        }
    }
}

/// A float as the schedule file writes it (shortest form that reads back
/// to the same bits); the non-finite ones as TOML writes them.
pub fn float(x: f64) -> String {
    if x.is_finite() {
        serde_json::to_string(&x).unwrap_or_else(|_| x.to_string())
    } else if x.is_nan() {
        "nan".to_owned()
    } else if x > 0.0 {
        "inf".to_owned()
    } else {
        "-inf".to_owned()
    }
}

/// A hardware value as a cell: arrays as `8x8`, strings bare.
pub(super) fn value(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(x) => float(*x),
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a.iter().map(value).collect::<Vec<_>>().join("x"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(key: &str, v: toml::Value) -> Result<OptionSet, OptionError> {
        OptionSet::new(key, &v)
    }

    #[test]
    fn option_values_are_read_as_the_flags() {
        let s = |w: &str| toml::Value::String(w.to_owned());
        let flags = [
            set("solver", s("analytic")),
            set("partition", s("hybrid")),
            set("ifmap-partition", toml::Value::Boolean(true)),
            set("save_writeback", toml::Value::Boolean(true)),
            set("no_bypass", s("i, o")),
            set("top", toml::Value::Integer(3)),
        ]
        .into_iter()
        .map(Result::unwrap)
        .fold(Flags::default(), |f, c| f.with(&c));
        assert_eq!(flags.solver, Solver::Analytic);
        let w = flags.widening;
        assert!(
            w.hybrid == Some(true)
                && w.ifmap_partition == Some(true)
                && w.save_writeback == Some(true)
        );
        assert_eq!(flags.bypass, PerData([true, false, false]));
        assert_eq!(flags.top, 3);
        assert_eq!(
            set("solvr", s("x")),
            Err(OptionError::UnknownKey(Some("solver")))
        );
        assert!(matches!(
            set("top", toml::Value::Integer(0)),
            Err(OptionError::OutOfRange(_))
        ));
        assert!(matches!(
            set("interlayer", s("yes")),
            Err(OptionError::BadValue(_))
        ));
        let inf = set("pipeline_time_overhead", s("inf")).unwrap();
        assert_eq!(inf.cell(), "inf");
        assert_eq!(
            set("pipeline_time_overhead", toml::Value::Float(0.5))
                .unwrap()
                .cell(),
            "0.5"
        );
        // Checked together as `nnc schedule` checks them.
        let ifmaps = set("ifmap_partition", toml::Value::Boolean(true)).unwrap();
        let naive = set("partition", s("naive")).unwrap();
        assert!(
            Flags::default()
                .with(&naive)
                .with(&ifmaps)
                .builder()
                .is_err()
        );
        // Unsaid, hybrid partitioning is nnc's default.
        assert!(Flags::default().with(&ifmaps).builder().is_ok());
    }
}
