//! The front end: `.nn` source → checked [`Network`].
//!
//! ```text
//! source ──parse──▶ ast::File ──check──▶ ir::Network
//!            └──────────┴──▶ Diagnostics (errors, warnings)
//! ```
//!
//! [`compile`] runs both stages. Every problem is an [`error::ErrorKind`]
//! (its facts) with a stable [`Code`](crate::diag::Code), worded once
//! (`message.rs`) into a [`Diagnostic`](crate::diag::Diagnostic);
//! [`crate::diag`] renders them. `builtin` lists the operators, which the
//! checker and the diagnostics' facts both name.

pub mod ast;
pub(crate) mod builtin;
pub mod check;
pub mod error;
mod message;
pub mod parse;
mod syntax;

use crate::diag::Diagnostics;
use crate::ir::Network;

/// Parses and checks a `.nn` source. `Ok` holds the network and its
/// warnings; `Err` all diagnostics (at least one error).
pub fn compile(source: &str) -> Result<(Network, Diagnostics), Diagnostics> {
    let file = parse::parse(source)?;
    check::check(&file)
}
