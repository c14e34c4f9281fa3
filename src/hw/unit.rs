//! Units of a hardware file: the energy unit every energy is written in,
//! and what a clock turns cycles into (seconds, watts).

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The SI energy units a hardware file may name, with their size in joules.
const SI: [(&str, f64); 7] = [
    ("fJ", 1e-15),
    ("pJ", 1e-12),
    ("nJ", 1e-9),
    ("uJ", 1e-6),
    ("µJ", 1e-6),
    ("mJ", 1e-3),
    ("J", 1.0),
];

/// Longest name of a unit of the file's own (it is printed after numbers).
pub const MAX_UNIT_LEN: usize = 32;

/// The unit of every energy of a hardware file (`energy_unit`), and so of
/// every energy in the schedules made on it.
#[derive(Clone, Debug, PartialEq)]
pub enum EnergyUnit {
    /// An SI energy (`fJ` to `J`): its name and its size in joules. Only
    /// with one can a schedule's average power be given in watts.
    Si {
        /// As written (`pJ`).
        name: &'static str,
        /// Joules per unit.
        joules: f64,
    },
    /// A unit of the file's own, such as `MAC` (energies relative to one
    /// MAC, as in Eyeriss ISCA'16's normalized costs): printed, but not
    /// convertible to joules.
    Relative(String),
}

impl EnergyUnit {
    /// Picojoules, the unit of a file that names none.
    pub const PJ: EnergyUnit = EnergyUnit::Si {
        name: "pJ",
        joules: 1e-12,
    };

    /// The unit named `s`, or what is wrong with the name. A name that
    /// differs from an SI unit only in case (`pj`) is refused rather than
    /// taken for a unit of its own: it is almost surely a typo, and taking
    /// it literally would silently drop the watts.
    pub fn parse(s: &str) -> Result<EnergyUnit, String> {
        if let Some(&(name, joules)) = SI.iter().find(|(n, _)| *n == s) {
            return Ok(EnergyUnit::Si { name, joules });
        }
        if let Some((name, _)) = SI.iter().find(|(n, _)| n.eq_ignore_ascii_case(s)) {
            return Err(format!(
                "`{s}` is not an SI energy unit; did you mean `{name}`?"
            ));
        }
        let printable = !s.trim().is_empty()
            && s.trim() == s
            && s.chars().count() <= MAX_UNIT_LEN
            && !s.chars().any(char::is_control);
        if printable {
            Ok(EnergyUnit::Relative(s.to_owned()))
        } else {
            Err(format!(
                "an SI energy unit (fJ, pJ, nJ, uJ, mJ, J) or a name of your own of 1 to {MAX_UNIT_LEN} printable characters without surrounding spaces (e.g. \"MAC\")"
            ))
        }
    }

    /// The unit's name, as printed after numbers.
    pub fn name(&self) -> &str {
        match self {
            EnergyUnit::Si { name, .. } => name,
            EnergyUnit::Relative(n) => n,
        }
    }

    /// Joules per unit, for an SI unit.
    pub fn joules(&self) -> Option<f64> {
        match self {
            EnergyUnit::Si { joules, .. } => Some(*joules),
            EnergyUnit::Relative(_) => None,
        }
    }
}

impl fmt::Display for EnergyUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for EnergyUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Read back from its name (a schedule file's `energy_unit`), checked as
/// the hardware file's `energy_unit` is.
impl<'de> Deserialize<'de> for EnergyUnit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EnergyUnit::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `x` seconds with an SI prefix and four significant digits: `18.46 µs`.
pub fn format_seconds(x: f64) -> String {
    format_si(x, "s")
}

/// `x` watts with an SI prefix and four significant digits: `7.061 W`.
pub fn format_watts(x: f64) -> String {
    format_si(x, "W")
}

/// `x` with the SI prefix that puts its mantissa in [1, 1000), four
/// significant digits; beyond the prefixes, scientific notation.
fn format_si(x: f64, unit: &str) -> String {
    const PREFIXES: [(f64, &str); 9] = [
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "µ"),
        (1e-9, "n"),
        (1e-12, "p"),
    ];
    if x == 0.0 {
        return format!("0 {unit}");
    }
    // Round to four significant digits first, so 999.96 prints as 1.000 k.
    let rounded: f64 = format!("{x:.3e}").parse().unwrap_or(x);
    for (scale, prefix) in PREFIXES {
        if rounded.abs() >= scale && rounded.abs() < scale * 1000.0 {
            let m = rounded / scale;
            let decimals = if m.abs() >= 100.0 {
                1
            } else if m.abs() >= 10.0 {
                2
            } else {
                3
            };
            return format!("{m:.decimals$} {prefix}{unit}");
        }
    }
    format!("{x:.3e} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn si_units_convert_and_others_are_relative() {
        assert_eq!(EnergyUnit::parse("pJ"), Ok(EnergyUnit::PJ));
        assert_eq!(EnergyUnit::parse("J").unwrap().joules(), Some(1.0));
        assert_eq!(EnergyUnit::parse("µJ").unwrap().joules(), Some(1e-6));
        assert_eq!(EnergyUnit::parse("fJ").unwrap().joules(), Some(1e-15));
        let mac = EnergyUnit::parse("MAC").unwrap();
        assert_eq!(mac, EnergyUnit::Relative("MAC".into()));
        assert_eq!((mac.joules(), mac.to_string()), (None, "MAC".to_owned()));
        let typo = EnergyUnit::parse("pj").unwrap_err();
        assert!(typo.contains("did you mean `pJ`"), "{typo}");
        for bad in ["", " MAC", "a\tb", &"x".repeat(MAX_UNIT_LEN + 1)] {
            assert!(EnergyUnit::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn seconds_and_watts_take_si_prefixes() {
        assert_eq!(format_seconds(1.846e-5), "18.46 µs");
        assert_eq!(format_seconds(2.0), "2.000 s");
        assert_eq!(format_seconds(0.1234), "123.4 ms");
        assert_eq!(format_seconds(9.99996e-4), "1.000 ms");
        assert_eq!(format_watts(7.0612), "7.061 W");
        assert_eq!(format_watts(1.5e-13), "1.500e-13 W");
        assert_eq!(format_watts(0.0), "0 W");
    }
}
