//! One-off changes to a hardware description: `--set KEY=VALUE` and a
//! sweep's varied keys (docs/hardware.md#changing-one-key---set).
//!
//! A change names a key by its dotted path into the hardware file
//! (`node.gbuf_bytes`, `energy.dram`) and is applied to the parsed TOML
//! document before it is checked, so every check of the file applies to the
//! changed value too.

use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// What a key holds, which decides how a value is read and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A whole number (`word_bits`).
    Count,
    /// A size in bytes: a whole number or a size with a unit (`"64 KiB"`).
    Size,
    /// A number, whole or not (`energy.dram`, `clock_mhz`).
    Number,
    /// Two whole numbers (`[16, 16]` or `16x16`).
    Pair,
    /// A string (`name`, `energy_unit`, `nodes.memory`, `node.dataflow`).
    Text,
}

impl Kind {
    fn expected(self) -> &'static str {
        match self {
            Kind::Count => "a whole number",
            Kind::Size => "a whole number of bytes, or a size like `64 KiB`",
            Kind::Number => "a number",
            Kind::Pair => "two whole numbers, as `[16, 16]` or `16x16`",
            Kind::Text => "a string",
        }
    }
}

/// Every key of the hardware file and what it holds (docs/hardware.md).
const KEYS: [(&str, Kind); 28] = [
    ("name", Kind::Text),
    ("word_bits", Kind::Count),
    ("energy_unit", Kind::Text),
    ("clock_mhz", Kind::Number),
    ("nodes.dims", Kind::Pair),
    ("nodes.memory", Kind::Text),
    ("node.pe_array", Kind::Pair),
    ("node.regf_bytes", Kind::Size),
    ("node.gbuf_bytes", Kind::Size),
    ("node.bus_width_bits", Kind::Count),
    ("node.dataflow", Kind::Text),
    ("node.sram.ifmap_bytes", Kind::Size),
    ("node.sram.filter_bytes", Kind::Size),
    ("node.sram.ofmap_bytes", Kind::Size),
    ("dram.bandwidth_bytes_per_cycle", Kind::Number),
    ("energy.mac", Kind::Number),
    ("energy.dram", Kind::Number),
    ("energy.gbuf", Kind::Number),
    ("energy.array", Kind::Number),
    ("energy.regf", Kind::Number),
    ("energy.noc_hop", Kind::Number),
    ("energy.static_per_cycle", Kind::Number),
    ("energy.sram.ifmap", Kind::Number),
    ("energy.sram.filter", Kind::Number),
    ("energy.sram.ofmap", Kind::Number),
    ("tech.node", Kind::Text),
    ("tech.dram", Kind::Text),
    ("tech.sram_word_bits", Kind::Count),
];

/// The keys a change may name, in the file's order.
fn keys() -> impl Iterator<Item = &'static str> {
    KEYS.iter().map(|(n, _)| *n)
}

/// A checked change of one hardware key.
#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    key: &'static str,
    value: toml::Value,
}

/// Why a change cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SetError {
    /// Not `KEY=VALUE`.
    #[error("`{arg}` is not KEY=VALUE (for example `node.gbuf_bytes=65536`)")]
    Syntax {
        /// What was given.
        arg: String,
    },
    /// No such key.
    #[error("unknown hardware key `{key}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownKey {
        /// What was given.
        key: String,
        /// The closest key, if close.
        suggestion: Option<&'static str>,
    },
    /// The value is not of the key's kind.
    #[error("hardware key `{key}`: `{value}` is not {expected}")]
    Value {
        /// The key.
        key: &'static str,
        /// The value as given.
        value: String,
        /// What the key holds.
        expected: &'static str,
    },
}

impl Set {
    /// A change of `key` (dotted) to `value`, a TOML value; strings may be
    /// bare words (`nodes.memory=3d`) and pairs may be written `16x16`.
    pub fn new(key: &str, value: &str) -> Result<Set, SetError> {
        let (key, kind) = lookup(key.trim())?;
        let value = value.trim();
        let bad = || SetError::Value {
            key,
            value: value.to_owned(),
            expected: kind.expected(),
        };
        let parsed = parse_value(value);
        let value = match (kind, parsed) {
            (Kind::Count | Kind::Size, Some(v @ toml::Value::Integer(n))) if n >= 0 => v,
            (Kind::Size, Some(toml::Value::String(t))) if super::parse_size(&t).is_some() => {
                toml::Value::String(t)
            }
            (Kind::Size, None) if super::parse_size(value).is_some() => {
                toml::Value::String(value.to_owned())
            }
            (Kind::Number, Some(v @ (toml::Value::Integer(_) | toml::Value::Float(_)))) => v,
            (Kind::Pair, Some(toml::Value::Array(a)))
                if a.len() == 2
                    && a.iter()
                        .all(|v| matches!(v, toml::Value::Integer(n) if *n >= 0)) =>
            {
                toml::Value::Array(a)
            }
            // `0x16` also reads as a hexadecimal TOML integer.
            (Kind::Pair, _) => pair_with_x(value).ok_or_else(bad)?,
            (Kind::Text, Some(v @ toml::Value::String(_))) => v,
            // A bare word is a string.
            (Kind::Text, None) if !value.is_empty() => toml::Value::String(value.to_owned()),
            _ => return Err(bad()),
        };
        Ok(Set { key, value })
    }

    /// A change of `key` (dotted) to an already parsed TOML value (a sweep
    /// spec's), checked as [`Set::new`] checks text.
    pub fn from_value(key: &str, value: &toml::Value) -> Result<Set, SetError> {
        match value {
            // A string is the string itself for a text key (even `"16"`),
            // and may be `"8x8"` for a pair.
            toml::Value::String(s) => {
                let (key, kind) = lookup(key.trim())?;
                match kind {
                    Kind::Text => Ok(Set {
                        key,
                        value: value.clone(),
                    }),
                    _ => Set::new(key, s),
                }
            }
            other => Set::new(key, &other.to_string()),
        }
    }

    /// The dotted key.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The value.
    pub fn value(&self) -> &toml::Value {
        &self.value
    }

    /// The value as numbers for a table (docs/sweep.md#the-results-file): a
    /// size in bytes (`"64 KiB"` is 65536), a pair as its two numbers; other
    /// values as they are.
    pub fn cells(&self) -> Vec<toml::Value> {
        match (&self.value, lookup(self.key).map(|(_, k)| k)) {
            (toml::Value::String(t), Ok(Kind::Size)) => match super::parse_size(t) {
                Some(bytes) => vec![i64::try_from(bytes).map_or_else(
                    |_| toml::Value::String(bytes.to_string()),
                    toml::Value::Integer,
                )],
                None => vec![self.value.clone()],
            },
            (toml::Value::Array(a), Ok(Kind::Pair)) => a.clone(),
            (v, _) => vec![v.clone()],
        }
    }

    /// Does `key` (a dotted key) hold a pair, shown as two cells by
    /// [`Set::cells`]?
    pub fn is_pair(key: &str) -> bool {
        matches!(lookup(key), Ok((_, Kind::Pair)))
    }

    /// Writes the value into a parsed hardware document, creating the
    /// section if the file has none (`[dram]` is optional).
    pub(super) fn apply(&self, doc: &mut toml::Table) {
        let mut table = doc;
        let mut parts = self.key.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                table.insert(part.to_owned(), self.value.clone());
                return;
            }
            let entry = table
                .entry(part.to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                // A section written as a value is the file's error, found
                // when the document is checked; overwrite it so the check
                // names the changed key, not a type mismatch.
                *entry = toml::Value::Table(toml::Table::new());
            }
            let toml::Value::Table(t) = entry else {
                return;
            };
            table = t;
        }
    }
}

impl FromStr for Set {
    type Err = SetError;

    /// `KEY=VALUE`, as `--set` takes it.
    fn from_str(arg: &str) -> Result<Set, SetError> {
        let (key, value) = arg.split_once('=').ok_or_else(|| SetError::Syntax {
            arg: arg.to_owned(),
        })?;
        Set::new(key, value)
    }
}

impl fmt::Display for Set {
    /// `KEY=VALUE` with the value as TOML.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

fn lookup(key: &str) -> Result<(&'static str, Kind), SetError> {
    if let Some((k, kind)) = KEYS.iter().find(|(k, _)| *k == key) {
        return Ok((k, *kind));
    }
    Err(SetError::UnknownKey {
        key: key.to_owned(),
        suggestion: suggest(key),
    })
}

/// The key meant by a typo: the key whose last part is `key` (a key given
/// without its section), else the closest by edit distance.
fn suggest(key: &str) -> Option<&'static str> {
    let names = || keys().filter(|k| *k != key);
    if let Some(k) = names().find(|k| k.rsplit('.').next() == Some(key)) {
        return Some(k);
    }
    let close = crate::suggest::suggest(key, names())?;
    names().find(|k| *k == close)
}

/// `text` read as one TOML value, if it is one.
fn parse_value(text: &str) -> Option<toml::Value> {
    let mut doc: toml::Table = toml::from_str(&format!("v = {text}")).ok()?;
    doc.remove("v")
}

/// `16x16` as the pair `[16, 16]`.
fn pair_with_x(text: &str) -> Option<toml::Value> {
    let (a, b) = text.split_once('x')?;
    let n = |s: &str| s.trim().parse::<i64>().ok().filter(|n| *n >= 0);
    Some(toml::Value::Array(vec![
        toml::Value::Integer(n(a)?),
        toml::Value::Integer(n(b)?),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(arg: &str) -> Result<Set, SetError> {
        arg.parse()
    }

    #[test]
    fn values_of_each_kind() {
        let s = set("node.gbuf_bytes=65536").unwrap();
        assert_eq!(
            (s.key(), s.value()),
            ("node.gbuf_bytes", &toml::Value::Integer(65536))
        );
        let pair = toml::Value::Array(vec![toml::Value::Integer(8), toml::Value::Integer(12)]);
        assert_eq!(set("node.pe_array=[8, 12]").unwrap().value(), &pair);
        assert_eq!(set("node.pe_array = 8x12").unwrap().value(), &pair);
        let hex_like = set("node.pe_array=0x16").unwrap();
        assert_eq!(hex_like.to_string(), "node.pe_array=[0, 16]");
        assert_eq!(
            set("energy.dram=100").unwrap().value(),
            &toml::Value::Integer(100)
        );
        assert_eq!(
            set("energy.dram=0.5").unwrap().value(),
            &toml::Value::Float(0.5)
        );
        let d3 = toml::Value::String("3d".into());
        assert_eq!(set("nodes.memory=3d").unwrap().value(), &d3);
        assert_eq!(set("nodes.memory=\"3d\"").unwrap().value(), &d3);
        let kib = toml::Value::String("64 KiB".into());
        assert_eq!(set("node.gbuf_bytes=64 KiB").unwrap().value(), &kib);
        assert_eq!(set("node.gbuf_bytes=\"64 KiB\"").unwrap().value(), &kib);
        assert_eq!(
            set("node.gbuf_bytes=65536").unwrap().to_string(),
            "node.gbuf_bytes=65536"
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        for (arg, key) in [
            ("node.gbuf_bytes=64k", "node.gbuf_bytes"),
            ("node.gbuf_bytes=-1", "node.gbuf_bytes"),
            ("node.gbuf_bytes=1.5", "node.gbuf_bytes"),
            ("node.pe_array=[16]", "node.pe_array"),
            ("node.pe_array=16", "node.pe_array"),
            ("energy.dram=lots", "energy.dram"),
            ("name=", "name"),
        ] {
            let e = set(arg).unwrap_err();
            assert!(
                matches!(e, SetError::Value { key: k, .. } if k == key),
                "{arg}: {e}"
            );
            assert!(e.to_string().contains(&format!("`{key}`")), "{e}");
        }
        assert!(matches!(
            set("node.gbuf_bytes"),
            Err(SetError::Syntax { .. })
        ));
    }

    #[test]
    fn unknown_keys_get_a_suggestion() {
        for (arg, meant) in [
            ("node.gbuf_byte=1", Some("node.gbuf_bytes")),
            ("gbuf_bytes=1", Some("node.gbuf_bytes")),
            ("energy.dran=1", Some("energy.dram")),
            ("nodes.pe_array=[1,1]", Some("node.pe_array")),
            ("dram=1", Some("energy.dram")),
            ("frobnicate=1", None),
        ] {
            let e = set(arg).unwrap_err();
            let SetError::UnknownKey { suggestion, .. } = &e else {
                panic!("{arg}: {e}");
            };
            assert_eq!(*suggestion, meant, "{arg}");
        }
        assert_eq!(
            set("node.gbuf_byte=1").unwrap_err().to_string(),
            "unknown hardware key `node.gbuf_byte`; did you mean `node.gbuf_bytes`?"
        );
    }

    #[test]
    fn apply_creates_missing_sections() {
        let mut doc = toml::Table::new();
        set("dram.bandwidth_bytes_per_cycle=64")
            .unwrap()
            .apply(&mut doc);
        assert_eq!(doc.to_string(), "[dram]\nbandwidth_bytes_per_cycle = 64\n");
    }
}
