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
//! The errors of every stage render as a [`diag::Report`], diagnostics with
//! the input they are about; its `Display`, and its `Debug` too (so that a
//! `main` returning one prints it as it is), is the rendered text:
//!
//! ```
//! use nnc::diag::Report;
//! # fn main() -> Result<(), Report> {
//! let source = "network Tiny\ninput data [3, 16]\nc1 = conv(data, 8, kernel: 3, pad: 1)\n";
//! let report = |d| Report::compiled("tiny.nn", source, d);
//! let file = nnc::parse(source).map_err(report)?;
//! let (net, _warnings) = nnc::check(&file).map_err(report)?;
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
pub mod diag;
pub(crate) mod fasthash;
pub mod hw;
pub mod ir;
pub mod lang;
pub mod onnx;
pub mod report;
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
pub use sched::model::limits::RangeError;
pub use sched::options::{Goal, Options, OptionsBuilder, OptionsError, Solver};
pub use sched::partition::Partitioning;
pub use sched::search::SearchError;
pub use sched::search::shared::SharedSearch;
pub use schedule::ScheduleFile;

impl From<SearchError> for diag::Report {
    /// A search that fails is no input's fault: a diagnostic without a code.
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Internal(why) => {
                diag::Report::one("", "", diag::Diagnostic::internal(why))
            }
            e => diag::Report::error(e.to_string()),
        }
    }
}

impl From<OptionsError> for diag::Report {
    /// Options that cannot go together: a usage error, without a code.
    fn from(e: OptionsError) -> Self {
        diag::Report::error(e.to_string())
    }
}

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
/// model's limits (`sched::model::limits`).
pub fn schedule_with_progress(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ScheduleFile, SearchError> {
    let schedules = sched::search::network::search(net, &hw.machine(), options, progress)?;
    best_file(net, hw, options, &schedules)
}

/// [`schedule()`] through `shared`, whose per-node searches it takes and
/// adds to: the same schedule file, found faster when schedules of
/// `shared`'s other networks, batches or design points did part of the
/// work ([`SharedSearch`]).
pub fn schedule_shared(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    shared: &SharedSearch,
) -> Result<ScheduleFile, SearchError> {
    let schedules = shared.search(net, &hw.machine(), options, &|_, _| {})?;
    best_file(net, hw, options, &schedules)
}

/// The schedule file of the best of `schedules`.
fn best_file(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    schedules: &[sched::search::network::NetworkSchedule],
) -> Result<ScheduleFile, SearchError> {
    let best = schedules
        .first()
        .ok_or_else(|| SearchError::Internal("the search returned no schedule".into()))?;
    Ok(schedule::build(net, hw, options, best))
}
