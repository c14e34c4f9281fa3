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
//! binary only wires the stages and prints. The entry points are re-exported
//! here: [`parse`] and [`check`] (or [`compile`], both at once) turn source
//! into a [`Network`], [`hw::load`] reads a preset or hardware file, and
//! [`schedule()`] finds the best dataflow of every layer under [`Options`].
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let source = "network Tiny\ninput data [3, 16]\nc1 = conv(data, 8, kernel: 3, pad: 1)\n";
//! let render = |d| nnc::lang::diag::render(&d, "tiny.nn", source);
//! let file = nnc::parse(source).map_err(render)?;
//! let (net, _warnings) = nnc::check(&file).map_err(render)?;
//! let hw = nnc::hw::load("eyeriss")?;
//! let options = nnc::Options::builder().batch(4).build()?;
//! let schedule = nnc::schedule(&net, &hw, &options)?;
//! assert_eq!(schedule.layers[0].name, "c1");
//! assert!(schedule.totals.energy > 0.0);
//! # Ok(())
//! # }
//! ```
//!
//! The command line (`nnc check`, `nnc schedule`) is behind the default
//! `cli` feature; without it the crate has no clap or indicatif dependency.

#[cfg(feature = "cli")]
pub mod cli;
pub mod hw;
pub mod ir;
pub mod lang;
pub mod onnx;
pub mod report;
pub mod scalesim;
pub mod sched;
pub mod schedule;
pub mod sha256;
pub mod suggest;
pub mod sweep;
pub mod tech;

pub use hw::Hardware;
pub use ir::Network;
pub use lang::check::check;
pub use lang::compile;
pub use lang::parse::parse;
pub use sched::Compat;
pub use sched::network::SearchError;
pub use sched::options::{Options, OptionsBuilder, OptionsError};
pub use sched::partition::Partitioning;
pub use sched::resource::{Goal, Solver};
pub use schedule::ScheduleFile;

/// Schedules `net` on `hw`: the schedule file of the best schedule the
/// search finds (see [`schedule_with_progress`]).
pub fn schedule(
    net: &Network,
    hw: &Hardware,
    options: &Options,
) -> Result<ScheduleFile, SearchError> {
    schedule_with_progress(net, hw, options, &|_, _| {})
}

/// Schedules `net` on `hw`, calling `progress` after each layer with
/// (layers done, layers in all). Fails when a layer cannot be placed, or
/// before searching when the network, batch or hardware is beyond the
/// model's limits (`sched::limits`).
pub fn schedule_with_progress(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ScheduleFile, SearchError> {
    let schedules = sched::network::search(net, &hw.machine(), options, progress)?;
    let best = schedules
        .first()
        .ok_or_else(|| SearchError::Internal("the search returned no schedule".into()))?;
    Ok(schedule::build(net, hw, options, best))
}
