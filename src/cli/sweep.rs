//! `nnc sweep`: wiring only; the work is `nnc::sweep`'s.

use super::args::{OnnxArgs, SweepArgs, TopologyArgs};
use super::output::Output;
use super::{EXIT_COMPILE_ERROR, EXIT_USAGE, Failure, input, on_threads, print};
use nnc::SharedSearch;
use nnc::diag::Report;
use nnc::hw;
use nnc::ir::Network;
use nnc::sweep::{self, Design, LayersFile, OutputError, Plan, ResultsFile, Shard, Spec};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// The shard of `--shard`, resolved from the environment for `auto`.
fn shard(args: &SweepArgs) -> Result<Option<Shard>, String> {
    let Some(arg) = &args.shard else {
        return Ok(None);
    };
    if arg != "auto" {
        return arg.parse().map(Some);
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let number = |name: &str, v: String| {
        v.trim()
            .parse::<usize>()
            .map_err(|_| format!("--shard auto: {name}=`{v}` is not a number"))
    };
    let (index, count) = if let Some(id) = var("SLURM_ARRAY_TASK_ID") {
        let id = number("SLURM_ARRAY_TASK_ID", id)?;
        // `--array=1-4` numbers tasks from 1: count from the first.
        let min = match var("SLURM_ARRAY_TASK_MIN") {
            Some(m) => number("SLURM_ARRAY_TASK_MIN", m)?,
            None => 0,
        };
        let count = match (args.shard_count, var("SLURM_ARRAY_TASK_COUNT")) {
            (Some(n), _) => n,
            (None, Some(c)) => number("SLURM_ARRAY_TASK_COUNT", c)?,
            (None, None) => {
                return Err(
                    "--shard auto: SLURM_ARRAY_TASK_COUNT is not set; give --shard-count".into(),
                );
            }
        };
        (id.checked_sub(min).unwrap_or(id), count)
    } else if let Some(index) = var("JOB_COMPLETION_INDEX") {
        let index = number("JOB_COMPLETION_INDEX", index)?;
        let count = args.shard_count.ok_or(
            "--shard auto with JOB_COMPLETION_INDEX needs --shard-count N (the Job's completions)",
        )?;
        (index, count)
    } else {
        return Err(
            "--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set".into(),
        );
    };
    format!("{index}/{count}").parse().map(Some)
}

/// Runs `nnc sweep`.
pub(super) fn run(args: &SweepArgs, color: bool) -> Result<ExitCode, Failure> {
    if args.output.as_os_str() == "-" {
        // Rows go to a file so that a rerun can find them.
        return Err(Failure::usage(
            "a sweep writes a file: give -o FILE (`-` cannot be resumed)",
        ));
    }
    let shard = shard(args).map_err(Failure::usage)?;
    let spec_name = args.spec.display().to_string();
    let text = input::read_text(&args.spec, nnc::bounded::MAX_SPEC_BYTES)?;
    let dir = args.spec.parent().map(PathBuf::from).unwrap_or_default();
    let spec = sweep::parse_spec(&text, &dir)
        .map_err(|e| Failure::all(EXIT_COMPILE_ERROR, e.reports(&spec_name, &text)))?;
    // Never over an input (the spec, a network, the hardware, a part file),
    // checked before the work as every -o is.
    let mut inputs = vec![("sweep spec", args.spec.as_path())];
    inputs.extend(spec.networks.iter().map(|n| ("network", n.path.as_path())));
    inputs.extend(hw::file_path(&spec.hw_origin).map(|p| ("hardware file", p)));
    inputs.extend(args.merge.iter().map(|p| ("part file", p.as_path())));
    let output = Output::check(&args.output, &inputs, "the results")?;
    let layers_path = sweep::layers_path(&args.output);
    let part_layers: Vec<PathBuf> = args.merge.iter().map(|p| sweep::layers_path(p)).collect();
    inputs.push(("results file", args.output.as_path()));
    inputs.extend(
        part_layers
            .iter()
            .map(|p| ("part's layers file", p.as_path())),
    );
    let layers_output = args
        .per_layer
        .then(|| Output::check(&layers_path, &inputs, "the per-layer rows"))
        .transpose()?;
    print(
        &input::hardware_warnings(&spec.base, spec.hw_origin.clone(), spec.hw_text.clone()),
        color,
    );
    let (networks, sources) = networks(&spec, color)?;
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    let plan = Plan::new(&spec, &networks, &sources)
        .map_err(|e| Failure::input(Report::one(&spec_name, &text, e.diagnostic())))?;
    if !args.merge.is_empty() {
        let merged = sweep::merge(&plan, &args.merge).map_err(output_failure)?;
        // Both merged before either is written.
        if let Some(layers_output) = layers_output {
            let layers = sweep::merge_layers(&plan, &args.merge).map_err(output_failure)?;
            layers_output.write(&layers)?;
        }
        output.write(&merged)?;
        return Ok(ExitCode::SUCCESS);
    }
    let file =
        sweep::open_results(&plan, shard, &args.output, args.wait).map_err(output_failure)?;
    let layers = if args.per_layer {
        sweep::open_layers(&plan, shard, &layers_path, file.done, args.wait).map(Some)
    } else {
        sweep::check_no_layers(&plan, shard, &layers_path).map(|()| None)
    };
    let layers = layers.map_err(output_failure)?;
    rows(args, &plan, shard, file, layers)?;
    Ok(ExitCode::SUCCESS)
}

/// The spec's networks, compiled, in spec order, and their texts (an ONNX
/// model's: the `.nn` text it lowers to).
fn networks(spec: &Spec, color: bool) -> Result<(Vec<Network>, Vec<String>), Failure> {
    // An `.onnx` model must fix its input sizes itself (docs/onnx.md).
    let onnx = OnnxArgs { input_shape: None };
    spec.networks
        .iter()
        .map(|n| input::network(&n.path, color, &onnx, TopologyArgs::default()))
        .collect::<Result<Vec<_>, _>>()
        .map(|pairs| pairs.into_iter().unzip())
}

/// Schedules this run's rows into `file`, with a progress bar on a
/// terminal, on `--threads` threads.
fn rows(
    args: &SweepArgs,
    plan: &Plan<'_>,
    shard: Option<Shard>,
    mut file: ResultsFile,
    mut layers: Option<LayersFile>,
) -> Result<(), Failure> {
    // The grid is never listed: rows are taken as they run.
    let total = sweep::shard_len(plan, shard);
    let todo = sweep::shard_rows(plan, shard).skip(file.done);
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "sweeping {bar:30} {pos}/{len} rows, {rate}, {elapsed} elapsed, ETA {eta}",
            )
            .map(|style| {
                style.with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1} rows/s", state.per_sec());
                    },
                )
            })
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_position(file.done as u64);
        // The rate and ETA count this run's rows only.
        bar.reset_eta();
        bar
    });
    let per_layer = layers.is_some();
    // A row's layers first: a kill between the two leaves layers that a
    // resume drops, never a results row without its layers.
    let mut on_row = |(line, lines): (String, String)| {
        if let Some(layers) = &mut layers {
            layers.append(&lines)?;
        }
        file.append(&line)?;
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        Ok::<(), OutputError>(())
    };
    let row = |k, design: &Design, shared: &SharedSearch| {
        if per_layer {
            plan.row_with_layers(k, design, shared)
        } else {
            (plan.row_shared(k, design, shared), String::new())
        }
    };
    let result = on_threads(args.threads, || {
        sweep::run_ordered_with(plan, todo, &row, &mut on_row)
    })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    result.map_err(output_failure)
}

/// A results or part file's error, and its exit code.
fn output_failure(e: OutputError) -> Failure {
    let exit = if e.is_usage() {
        EXIT_USAGE
    } else {
        EXIT_COMPILE_ERROR
    };
    Failure::with(exit, e.report())
}
