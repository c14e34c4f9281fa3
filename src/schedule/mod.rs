//! The schedule file (`nnc-schedule/2`): what the search chose for every
//! layer and what it costs, as JSON a user can read, diff and snapshot.
//!
//! The file is deterministic: the same network, hardware and options give
//! the same bytes whatever the thread count (no timings, no hash orders).
//! Energies are in the hardware file's unit (`totals.energy_unit`), times in
//! cycles (and `totals.seconds` with a clock), accesses and hops in words.
//!
//! - `types`: the file's types, field by field;
//! - `build`: building them from a search's result ([`build`]);
//! - `json`: the JSON writer ([`to_text`]);
//! - `read`: reading a file back ([`read::read`]; either kind,
//!   [`read::any_from_text`]), for `nnc diff` and `nnc report`, its
//!   values checked within the model's ranges (`read/check.rs`) and one
//!   out of range found in the text (`read/locate.rs`);
//! - `scalesim`: the file of `--compat scalesim` (`nnc-scalesim/1`):
//!   SCALE-Sim's report of every layer ([`scalesim::build`]).

mod build;
pub mod hints;
mod json;
mod mapping;
pub mod read;
pub mod scalesim;
mod types;

/// A layer's mapping in short, per dataflow, and the taxonomy's spatial tile.
pub use crate::sched::dataflow::{MappingSummary, SpatialTile};
pub use build::build;
pub use json::to_text;
pub use types::*;
