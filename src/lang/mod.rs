//! The front end: `.nn` source → checked [`Network`].
//!
//! ```text
//! source ──parse──▶ ast::File ──check──▶ ir::Network
//!            └──────────┴──▶ diag::Diagnostics (errors, warnings)
//! ```
//!
//! [`compile`] runs both stages. Every problem is an [`error::ErrorKind`]
//! (its facts) with a stable [`Code`], worded once (`message.rs`) into a
//! [`diag::Diagnostic`]; [`diag::emit`] renders them.

pub mod ast;
pub mod builtin;
pub mod check;
pub mod code;
pub mod diag;
pub mod error;
mod message;
pub mod parse;

pub use code::Code;
pub use diag::{Diagnostic, Diagnostics, Severity};

use crate::ir::Network;

/// Parses and checks a `.nn` source. `Ok` holds the network and its
/// warnings; `Err` all diagnostics (at least one error).
pub fn compile(source: &str) -> Result<(Network, Diagnostics), Diagnostics> {
    let file = parse::parse(source)?;
    check::check(&file)
}
