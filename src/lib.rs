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
//! An ONNX model becomes `.nn` text first ([`onnx::import`]; the text is
//! what `nnc import` prints), then a network as above:
//!
//! ```
//! use nnc::diag::Report;
//! use nnc::onnx::{ImportOptions, import};
//! # fn main() -> Result<(), Report> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/onnx/alexnet.onnx");
//! let bytes = std::fs::read(path).map_err(|e| Report::error(e.to_string()))?;
//! let options = ImportOptions { fallback_name: "alexnet".into(), input_shape: None };
//! let imported = import(&bytes, &options).map_err(|e| e.report("alexnet.onnx"))?;
//! let (net, _warnings) = nnc::compile(&imported.text)
//!     .map_err(|d| Report::compiled("alexnet.nn", &imported.text, d))?;
//! assert_eq!(net.layers().len(), imported.layers);
//! let schedule = nnc::schedule(&net, &nnc::hw::load("eyeriss")?, &nnc::Options::default())?;
//! assert_eq!(schedule.layers.len(), net.layers().len());
//! # Ok(())
//! # }
//! ```
//!
//! A sweep ([`sweep`]) is a spec (the TOML of docs/sweep.md), its networks
//! compiled, and a [`sweep::Plan`] of rows, each one CSV line; a search is
//! shared by every row that can share it (what `nnc sweep` runs, on as
//! many threads as rayon has):
//!
//! ```
//! use nnc::diag::Report;
//! use nnc::sweep::{Plan, header_line, parse_spec, run_ordered, shard_rows};
//! # fn main() -> Result<(), Report> {
//! let spec_text = r#"
//! networks = ["tiny.nn"]
//! hw = "eyeriss"
//! batch = [1, 4]
//! [vary]
//! "node.gbuf_bytes" = ["32 KiB", "64 KiB"]
//! "#;
//! let source = "network Tiny\ninput data [3, 16]\nc1 = conv(data, 8, kernel: 3, pad: 1)\n";
//! // Paths in a spec are relative to its directory; here the spec names
//! // one network, given as text.
//! let spec = parse_spec(spec_text, std::path::Path::new("."))
//!     .map_err(|e| e.reports("sweep.toml", spec_text).remove(0))?;
//! assert_eq!(spec.networks[0].name, "tiny.nn");
//! let (net, _) = nnc::compile(source).map_err(|d| Report::compiled("tiny.nn", source, d))?;
//! let networks = [net];
//! // The networks' texts: their digests head the results file.
//! let plan = Plan::new(&spec, &networks, &[source])
//!     .map_err(|e| Report::one("sweep.toml", spec_text, e.diagnostic()))?;
//! let mut csv = header_line(&plan.digests, None) + &plan.columns();
//! // The grid is never listed: rows are taken as they run.
//! let rows = shard_rows(&plan, None);
//! // Why `let Ok`: appending to a string cannot fail.
//! let Ok(()) = run_ordered(&plan, rows, &mut |line: String| {
//!     csv.push_str(&line);
//!     Ok::<(), std::convert::Infallible>(())
//! });
//! // The header, the column names, and 2 batches x 2 buffer sizes.
//! assert_eq!(csv.lines().count(), 2 + 4);
//! # Ok(())
//! # }
//! ```
//!
//! The command line (`nnc check`, `nnc schedule`, ...) is a separate crate,
//! the `nnc` binary (behind the default `cli` feature), built on this
//! surface alone; without the feature the crate has no clap or indicatif
//! dependency.
//!
#![doc = include_str!("../ARCHITECTURE.md")]

pub mod bounded;
pub mod diag;
pub(crate) mod fasthash;
pub mod hw;
#[doc(hidden)]
pub mod internals;
pub mod ir;
pub mod lang;
pub mod load;
pub mod onnx;
pub mod report;
pub mod scalesim;
pub(crate) mod sched;
pub mod schedule;
pub mod sha256;
pub(crate) mod suggest;
pub mod sweep;
pub mod tech;
#[cfg(test)]
mod testing;

pub use hw::Hardware;
pub use ir::Network;
pub use lang::check::check;
pub use lang::compile;
pub use lang::parse::parse;
pub use sched::compat::Compat;
pub use sched::machine::Dataflow;
pub use sched::model::limits::{MAX_BATCH, MAX_TOP, RangeError};
pub use sched::options::{
    DEFAULT_MAX_DEGREE, Goal, Options, OptionsBuilder, OptionsError, Solver, Widening,
};
pub use sched::partition::enumerate::Partitioning;
pub use sched::pipeline::segment::{PipelineOptions, TimeOverhead};
pub use sched::search::shared::SharedSearch;
pub use sched::search::{Cancel, SearchError};
pub use sched::types::{DataKind, PerData};
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
    schedule_cancellable(net, hw, options, progress, &Cancel::new())
}

/// [`schedule_with_progress`], stopped by `cancel` from another thread:
/// once it is set the search returns [`SearchError::Cancelled`] within a
/// layer's partition candidate (a Python caller's Ctrl-C).
pub fn schedule_cancellable(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
    cancel: &Cancel,
) -> Result<ScheduleFile, SearchError> {
    let cache = sched::search::cache::NodeCache::new();
    let schedules = sched::search::network::search_cached(
        net,
        &hw.machine(),
        options,
        progress,
        cancel,
        &cache,
    )?;
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
