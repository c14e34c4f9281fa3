//! The technology model's errors: a question outside what the tables cover.

use thiserror::Error;

/// Why the technology model cannot price a component. Every message names
/// the valid range, so the hardware file can be fixed from it alone.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum TechError {
    /// A node name with no tables.
    #[error("unknown process node `{0}`: expected one of 65nm, 45nm, 32nm, 28nm, 22nm, 16nm, 7nm")]
    UnknownNode(String),
    /// A DRAM interface with no cited figure.
    #[error("unknown DRAM interface `{0}`: expected one of lpddr, lpddr4, ddr3, hbm2, hbm3")]
    UnknownDram(String),
    /// A quantity outside the range the tables were made for. The model
    /// does not extrapolate (docs/model/technology.md#interpolation).
    #[error("{what} of {value} is outside the technology tables ({min} to {max}){hint}")]
    OutOfRange {
        /// What was asked for: "SRAM capacity", "MAC word width", ...
        what: &'static str,
        /// The value asked for, with its unit.
        value: String,
        /// The smallest value the tables cover, with its unit.
        min: String,
        /// The largest value the tables cover, with its unit.
        max: String,
        /// A suggestion, starting with "; " when present.
        hint: &'static str,
    },
    /// A length, count or size that is not a finite non-negative number.
    #[error("{what} must be a finite number >= 0, not {value}")]
    NotFinite {
        /// What was asked for.
        what: &'static str,
        /// The value given.
        value: f64,
    },
}
