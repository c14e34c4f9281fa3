//! The command line, one file per concern: `args` (the clap definitions,
//! whose doc comments are the help text), one file per command (`check`,
//! `schedule`, `import`, `diff`, `report`, `sweep`; `scalesim` is `schedule
//! --compat scalesim`), `input` (reading the network and hardware),
//! `output` (writing a file whole or not at all, never over an input),
//! `reference_flags` (nn_dataflow's flag names).
//!
//! A command returns its exit code or a `Failure`; [`run`] prints the
//! failure's diagnostics through [`nnc::diag`], the one renderer, as
//! commands print their warnings. Exit codes: 0 success, 1 an input's
//! errors, 2 usage errors (bad arguments, unreadable files), 3 no valid
//! schedule.

pub(crate) mod args;
mod check;
mod diff;
mod import;
mod input;
mod output;
pub(crate) mod reference_flags;
// `report` names the crate's report module in the commands' files; the
// subcommand's file is `report.rs` all the same.
#[path = "report.rs"]
mod report_cmd;
mod scalesim;
mod schedule;
mod sweep;

pub(crate) use args::Cli;

use args::Command;
use nnc::diag::Report;
use std::io::Write;
use std::process::ExitCode;

/// Exit code of an input's errors (a network, hardware file, sweep spec,
/// ONNX model or schedule file that is not valid).
pub(crate) const EXIT_COMPILE_ERROR: u8 = 1;
/// Exit code of a usage error (clap's own errors use it too).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code when a network has no valid schedule on the hardware.
pub(crate) const EXIT_NO_SCHEDULE: u8 = 3;

/// Runs a parsed command line and returns the process exit code.
pub(crate) fn run(cli: Cli) -> ExitCode {
    let color = cli.color.enabled();
    let result = match cli.command {
        Command::Check(args) => check::run(&args, color),
        Command::Schedule(args) => schedule::run(&args, color),
        Command::Import(args) => import::run(&args, color),
        Command::Diff(args) => diff::run(&args),
        Command::Report(args) => report_cmd::run(&args),
        Command::Sweep(args) => sweep::run(&args, color),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            for report in &failure.reports {
                print(report, color);
            }
            ExitCode::from(failure.exit)
        }
    }
}

/// Why a command stopped: what to print, and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    exit: u8,
    reports: Vec<Report>,
}

impl Failure {
    /// An input's errors (exit code 1).
    pub(crate) fn input(report: Report) -> Self {
        Failure::with(EXIT_COMPILE_ERROR, report)
    }

    /// A usage error (exit code 2): a message about no input.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure::with(EXIT_USAGE, Report::error(message))
    }

    /// `report`, with exit code `exit`.
    pub(crate) fn with(exit: u8, report: Report) -> Self {
        Failure {
            exit,
            reports: vec![report],
        }
    }

    /// Several inputs' errors, in order, with exit code `exit`.
    pub(crate) fn all(exit: u8, reports: Vec<Report>) -> Self {
        Failure { exit, reports }
    }
}

/// Runs `work` on `threads` worker threads (`None`: one per core, rayon's
/// global pool); the results never depend on it.
pub(crate) fn on_threads<T: Send>(
    threads: Option<u64>,
    work: impl FnOnce() -> T + Send,
) -> Result<T, Failure> {
    // The work runs on a worker of the pool, not on the calling thread:
    // the search's many small parallel steps then split on the worker's
    // own queue instead of each waking the pool and waiting for it from
    // outside (a third of ResNet-50's time at batch 16 on `tetris`).
    // 0 threads asks rayon for its default, one per core.
    let n = threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(usize::try_from(n).unwrap_or(usize::MAX))
        .build()
        .map_err(|e| match threads {
            Some(n) => Failure::usage(format!("cannot start {n} threads: {e}")),
            None => Failure::usage(format!("cannot start the worker threads: {e}")),
        })?;
    Ok(pool.install(work))
}

/// Prints a report on standard error: an input's warnings as it is read, or
/// a failure's errors.
pub(crate) fn print(report: &Report, color: bool) {
    if report.diagnostics().is_empty() {
        return;
    }
    // Drawn whole, then written at once: standard error is unbuffered, and
    // the renderer writes a few bytes at a time (a 2 MB line through a pipe
    // took seconds). A closed standard error leaves nowhere to say so.
    let mut drawn = Vec::new();
    let _ = report.emit(color, &mut drawn);
    let _ = std::io::stderr().lock().write_all(&drawn);
}
