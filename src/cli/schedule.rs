//! `nnc schedule FILE`: the best dataflow of every layer on a hardware,
//! printed as a summary and written as JSON with `-o`.

use super::args::{CompatArg, GoalArg, PartitionArg, ScheduleArgs, SolverArg};
use super::output::{Output, emit_schedule};
use super::{EXIT_NO_SCHEDULE, Failure, input, on_threads, scalesim};
use nnc::Compat;
use nnc::PerData;
use nnc::PipelineOptions;
use nnc::RangeError;
use nnc::SearchError;
use nnc::Widening;
use nnc::diag::{Diagnostic, Report};
use nnc::hw::{self, Hardware};
use nnc::ir::Network;
use nnc::report;
use nnc::schedule::ScheduleFile;
use nnc::{Goal, Options, OptionsError, Solver};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Runs `nnc schedule`.
pub(super) fn run(args: &ScheduleArgs, color: bool) -> Result<ExitCode, Failure> {
    if args.compat == Some(CompatArg::ScaleSim) || scalesim::is_config(&args.hw) {
        return scalesim::run(args, color);
    }
    let options = search_options(args).map_err(|e| Failure::usage(e.to_string()))?;
    // Checked before the search, which may take a while.
    let output = match &args.output {
        None => None,
        Some(path) => {
            let mut inputs = Vec::new();
            if !input::is_stdin(&args.file) {
                inputs.push(("network file", args.file.as_path()));
            }
            inputs.extend(hw::file_path(&args.hw).map(|p| ("hardware file", p)));
            Some(Output::check(path, &inputs, "the schedule")?)
        }
    };
    let hw = input::hardware(&args.hw, &args.set, color)?;
    let (net, source) = input::network(&args.file, color, &args.onnx, args.topology)?;
    let mut file = search(args, &net, &hw, &options)?;
    file.inputs.network_sha256 = Some(nnc::sha256::hex(source.as_bytes()));
    // Measured hints (docs/model/bound.md#hints): only a run far from its
    // bound searches again.
    file.hints = on_threads(args.threads, || {
        nnc::schedule::hints::hints(&net, &hw, &options, &file)
    })?
    .map_err(|e| search_failure(e, &net, &hw))?;
    emit_schedule(
        output.as_ref(),
        args.quiet,
        || nnc::schedule::to_text(&file),
        || summary_of(&net, &file),
    )
}

/// The schedule's summary, with its energy and time per token for a
/// network of token sequences (one with a `matmul` whose input is a
/// sequence, `[C, T, 1]`): its input's points are its tokens. An image
/// model with window attention (Swin) reads pixels, not tokens.
fn summary_of(net: &Network, file: &ScheduleFile) -> String {
    let mut text = report::summary(file);
    if net.input().size.w == 1 && net.layers().iter().any(|l| l.shape.is_matmul()) {
        text += &report::per_token(file, net.input().size.size());
    }
    text
}

/// The library's search options from the command line.
fn search_options(args: &ScheduleArgs) -> Result<Options, OptionsError> {
    let nb = args.no_bypass.unwrap_or_default();
    // A flag said on, said off, or not said (the model's default).
    let said = |on: bool, off: bool| match (on, off) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let widening = Widening {
        hybrid: args.partition.map(|p| p == PartitionArg::Hybrid),
        batch_partition: said(args.batch_partition, args.no_batch_partition),
        ifmap_partition: said(args.ifmap_partition, args.no_ifmap_partition),
        access_forwarding: said(args.access_forwarding, args.no_access_forwarding),
        interlayer: said(args.interlayer, args.no_interlayer || args.layer_by_layer),
        save_writeback: said(
            args.save_writeback,
            args.no_save_writeback || args.layer_by_layer,
        ),
    };
    Options::builder()
        .batch(args.batch)
        .widening(widening)
        .gbuf_sharing(args.gbuf_sharing)
        .bypass(PerData([!nb.fil, !nb.ifm, !nb.ofm]))
        .solver(match args.solver {
            SolverArg::Exhaustive => Solver::Exhaustive,
            SolverArg::Analytic => Solver::Analytic,
        })
        .goal(match args.goal {
            GoalArg::E => Goal::E,
            GoalArg::D => Goal::D,
            GoalArg::Ed => Goal::Ed,
        })
        .top(usize::try_from(args.top).unwrap_or(usize::MAX))
        .pipeline_rules(PipelineOptions {
            spatial: false,
            temporal: false,
            basic: args.basic_interlayer,
            max_degree: args.pipeline_max_degree,
            time_overhead: args.pipeline_time_overhead,
        })
        .compat(match args.compat {
            Some(CompatArg::NnDataflow) => Compat::NnDataflow,
            // `run` hands `--compat scalesim` to cli/scalesim.rs before.
            Some(CompatArg::ScaleSim) | None => Compat::Nnc,
        })
        .build()
}

/// The search, with a progress bar on a terminal, on `--threads` threads.
fn search(
    args: &ScheduleArgs,
    net: &Network,
    hw: &Hardware,
    options: &Options,
) -> Result<ScheduleFile, Failure> {
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(net.layers().len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "scheduling {bar:30} {pos}/{len} layers, {elapsed} elapsed, ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |done: usize, _total: usize| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    };
    let result = on_threads(args.threads, || {
        nnc::schedule_with_progress(net, hw, options, &progress)
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result.map_err(|e| search_failure(e, net, hw))
}

/// What a failed search prints, and its exit code.
fn search_failure(e: SearchError, net: &Network, hw: &Hardware) -> Failure {
    match e {
        SearchError::Range(RangeError::Batch { .. }) => {
            Failure::usage(format!("--batch is too large for `{}`: {e}", net.name()))
        }
        SearchError::Range(RangeError::Hardware { .. }) => {
            Failure::usage(format!("hardware `{}` is out of range: {e}", hw.name))
        }
        SearchError::CompatDataflow(_) | SearchError::CompatSram => Failure::usage(e.to_string()),
        // A bug: say so, not "no schedule".
        SearchError::Internal(why) => Failure::with(
            EXIT_NO_SCHEDULE,
            Report::one("", "", Diagnostic::internal(why)),
        ),
        // Nothing cancels the command line's search; were it, no schedule.
        SearchError::Layer { .. } | SearchError::TimeOverflow | SearchError::Cancelled => {
            Failure::with(
                EXIT_NO_SCHEDULE,
                Report::error(format!(
                    "no valid schedule of `{}` on `{}`: {e}",
                    net.name(),
                    hw.name
                )),
            )
        }
    }
}
