//! nnc: a compiler and dataflow scheduler for tiled Eyeriss-style
//! neural-network accelerators.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! net.nn ──lang──▶ ir::Network ─┐
//!                               ├─▶ sched ─▶ schedule (JSON) + report
//! hw.toml ──hw──▶ Hardware ─────┘
//! ```
//!
//! `lang` knows nothing of hardware; `sched` knows nothing of syntax; the
//! binary only wires the stages and prints.

pub mod cli;
pub mod hw;
pub mod ir;
pub mod lang;
pub mod report;
pub mod sched;
pub mod schedule;

pub use sched::Compat;
pub use sched::options::{Options, OptionsBuilder, OptionsError};
pub use sched::partition::Partitioning;
pub use sched::resource::{Goal, Solver};
