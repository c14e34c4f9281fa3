//! `nnc sweep`: wiring only; the work is `crate::sweep`'s.

use super::{EXIT_COMPILE_ERROR, EXIT_USAGE, compile_network, import, write_atomically};
use crate::lang;
use crate::sweep::{self, OutputError, Plan, Shard};
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `nnc sweep`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
nnc sweep sweeps/gbuf.toml -o gbuf.csv                   # all rows; rerun to resume\n  \
nnc sweep sweeps/gbuf.toml --shard 1/4 -o part.1.csv     # every 4th row, from row 1\n  \
nnc sweep sweeps/gbuf.toml --shard auto -o part.$SLURM_ARRAY_TASK_ID.csv   # in a Slurm job array\n  \
nnc sweep sweeps/gbuf.toml --merge part.*.csv -o gbuf.csv\n\n\
The spec format, the columns and the SRAM energy rule: docs/sweep.md.")]
pub struct SweepArgs {
    /// The sweep spec, a TOML file (its paths are relative to it).
    pub spec: PathBuf,
    /// The results file (CSV). If it holds rows of this sweep already, the
    /// run continues after them; a file of another spec is refused.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Run only slice I of N (rows k with k mod N = I), or `auto`: from
    /// SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, or from
    /// JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) with --shard-count.
    #[arg(long, value_name = "I/N|auto")]
    pub shard: Option<String>,
    /// With `--shard auto` outside Slurm: how many slices (the Indexed
    /// Job's completions).
    #[arg(long, value_name = "N")]
    pub shard_count: Option<usize>,
    /// Merge the part files of the shards into FILE instead of running:
    /// every row must be in exactly one.
    #[arg(long, value_name = "PART", num_args = 1.., conflicts_with = "shard")]
    pub merge: Vec<PathBuf>,
    /// Worker threads (default: one per core). The results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn usage(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

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
pub(super) fn run(args: &SweepArgs, color: bool) -> ExitCode {
    if args.output.as_os_str() == "-" {
        // Rows go to a file so that a rerun can find them.
        return usage("a sweep writes a file: give -o FILE (`-` cannot be resumed)");
    }
    let shard = match shard(args) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let spec_name = args.spec.display().to_string();
    let text = match std::fs::read_to_string(&args.spec) {
        Ok(t) => t,
        Err(e) => return usage(format!("cannot read `{spec_name}`: {e}")),
    };
    let dir = args.spec.parent().map(PathBuf::from).unwrap_or_default();
    let spec = match sweep::parse_spec(&text, &dir) {
        Ok(s) => s,
        Err(e) => {
            let mut d =
                crate::diag::Diagnostic::error(format!("invalid sweep spec: {}", e.message));
            if let Some(span) = e.span {
                d = d.primary(lang::ast::Span::new(span.start, span.end), "here");
            }
            let mut diags = crate::diag::Diagnostics::new();
            diags.push(d);
            let _ = crate::diag::emit_each(
                &diags,
                &spec_name,
                &text,
                color,
                &mut std::io::stderr().lock(),
            );
            return ExitCode::from(EXIT_COMPILE_ERROR);
        }
    };
    for w in &spec.base.warnings {
        eprintln!("warning: {w}");
    }
    let mut networks = Vec::with_capacity(spec.networks.len());
    for n in &spec.networks {
        // An `.onnx` model must fix its input sizes itself (docs/onnx.md).
        let onnx = import::OnnxArgs { input_shape: None };
        match compile_network(&n.path, color, &onnx) {
            Ok((net, _)) => networks.push(net),
            Err(code) => return code,
        }
    }
    let plan = match Plan::new(&spec, &networks) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {spec_name}: {e}");
            return ExitCode::from(EXIT_COMPILE_ERROR);
        }
    };
    let output_error = |e: OutputError| {
        eprintln!("error: {e}");
        ExitCode::from(if e.is_usage() {
            EXIT_USAGE
        } else {
            EXIT_COMPILE_ERROR
        })
    };
    if !args.merge.is_empty() {
        return match sweep::merge(&plan, &args.merge) {
            Err(e) => output_error(e),
            Ok(text) => match write_atomically(&args.output, &text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => usage(format!("cannot write `{}`: {e}", args.output.display())),
            },
        };
    }
    let mut file = match sweep::open_results(&plan, shard, &args.output) {
        Ok(f) => f,
        Err(e) => return output_error(e),
    };
    let rows = sweep::shard_rows(&plan, shard);
    let todo = &rows[file.done.min(rows.len())..];
    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(rows.len() as u64);
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
    let mut on_row = |line: String| {
        file.append(&line)?;
        if let Some(bar) = &bar {
            bar.inc(1);
        }
        Ok::<(), OutputError>(())
    };
    let mut go = || sweep::run_ordered(&plan, todo, &mut on_row);
    let result = match args.threads {
        None => go(),
        Some(n) => match rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
        {
            Ok(pool) => pool.install(go),
            Err(e) => return usage(format!("cannot start {n} threads: {e}")),
        },
    };
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => output_error(e),
    }
}
