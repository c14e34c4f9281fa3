//! The command line: clap definitions whose doc comments are the help text,
//! translated into calls of the library. Exit codes: 0 success, 1 compile
//! errors, 2 usage errors (bad arguments, unreadable files).

pub mod diff;
// `report` names the crate's report module here (`use` below); the
// subcommand's file is `report.rs` all the same.
#[path = "report.rs"]
pub mod report_cmd;
mod sweep;

use crate::hw::{self, Hardware, HwError};
use crate::ir::Network;
use crate::lang;
use crate::report;
use crate::sched::Compat;
use crate::sched::limits::{MAX_BATCH, MAX_TOP, RangeError};
use crate::sched::network::SearchError;
use crate::sched::options::{Options, OptionsError};
use crate::sched::partition::Partitioning;
use crate::sched::pipeline::{PipelineOptions, TimeOverhead};
use crate::sched::resource::{Goal, Solver};
use crate::sched::types::PerData;
use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod import;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

mod input;
pub mod reference_flags;
pub(crate) mod same_file;

/// nnc: a compiler and dataflow scheduler for neural-network accelerators.
#[derive(Debug, Parser)]
#[command(
    name = "nnc",
    version,
    propagate_version = true,
    after_help = "Exit codes: 0 success, 1 compile errors (in the network or hardware file), \
                  2 usage errors (bad arguments, unreadable files), 3 no valid schedule."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// When to color diagnostics: `auto` colors a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true, display_order = 1000)]
    pub color: Color,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check a network, then print its layers and totals.
    Check(CheckArgs),
    /// Find the most energy-efficient dataflow of every layer on a hardware.
    ///
    /// Prints a summary table; `-o FILE` writes the whole schedule as JSON.
    Schedule(ScheduleArgs),
    /// Convert an ONNX model to a `.nn` file.
    Import(import::ImportArgs),
    /// Compare two schedule files: per layer and in total, what changed.
    Diff(diff::DiffArgs),
    /// Write a schedule file's report: one self-contained HTML page of charts and tables.
    Report(report_cmd::ReportArgs),
    /// Schedule networks over a grid of hardware values; one CSV row each.
    Sweep(sweep::SweepArgs),
}

/// Arguments of `nnc check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The network: a `.nn` file (`-` reads standard input), or an `.onnx`
    /// model (docs/onnx.md).
    pub file: PathBuf,
    /// Print the network IR as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How to read an `.onnx` network.
    #[command(flatten)]
    pub onnx: import::OnnxArgs,
}

/// Arguments of `nnc schedule`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  nnc schedule nns/alex_net.nn                       # eyeriss, batch 1\n  \
nnc schedule nns/vgg_net.nn --hw tetris --batch 16 --partition hybrid --solver analytic\n  \
nnc schedule nns/alex_net.nn --batch 16 --compat nn_dataflow -o alexnet.json\n\n\
Presets: eyeriss, eyeriss-chip, tetris-l1, tetris."
)]
pub struct ScheduleArgs {
    /// The network: a `.nn` file (`-` reads standard input), or an `.onnx`
    /// model (docs/onnx.md).
    pub file: PathBuf,
    /// The hardware: a preset name or a `.toml` hardware file.
    #[arg(long, default_value = "eyeriss", value_name = "PRESET|FILE")]
    pub hw: String,
    /// Change one key of the hardware, e.g. `node.gbuf_bytes=65536` or
    /// `node.pe_array=8x8` (repeatable; checked like the file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<hw::Set>,
    /// Samples per batch.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = parse_batch)]
    pub batch: u64,
    /// How each layer's loop blocking is chosen: search every blocking, or
    /// TETRIS's analytical bypass solver (conv and fc layers; much faster).
    #[arg(long, value_enum, default_value_t = SolverArg::Exhaustive)]
    pub solver: SolverArg,
    /// How layers are split over the nodes: naive (ofmap tiles, or output
    /// channels for fc layers) or hybrid (any mix of dimensions).
    #[arg(long, value_enum, default_value_t = PartitionArg::Naive)]
    pub partition: PartitionArg,
    /// Also split the batch over nodes.
    #[arg(long)]
    pub batch_partition: bool,
    /// Also split input channels over nodes (needs --partition hybrid).
    #[arg(long)]
    pub ifmap_partition: bool,
    /// Nodes that need the same data read it from DRAM once and forward it
    /// over the NoC.
    #[arg(long)]
    pub access_forwarding: bool,
    /// Nodes that need the same data keep one copy of it between their
    /// global buffers and rotate it over the NoC (TANGRAM's buffer sharing;
    /// implies --access-forwarding; not with --solver analytic).
    #[arg(long)]
    pub gbuf_sharing: bool,
    /// Inter-layer pipelining: runs of layers at once on disjoint regions
    /// of the node array, passing data on chip (spatial segments).
    #[arg(long)]
    pub interlayer: bool,
    /// Runs of layers one after another on one region, keeping their data
    /// on chip (temporal segments).
    #[arg(long)]
    pub save_writeback: bool,
    /// With pipelining, only the basic rules: a chain of layers, each
    /// forwarding to the next (TANGRAM's optimizations off).
    #[arg(long)]
    pub basic_interlayer: bool,
    /// With pipelining, drop segments more than X slower than their layers
    /// alone on their share of the nodes (0.5 = 50%; default: no limit).
    #[arg(long, value_name = "X", allow_negative_numbers = true, value_parser = parse_overhead)]
    pub pipeline_time_overhead: Option<TimeOverhead>,
    /// With pipelining, at most N convolution groups (DAG vertices) per
    /// segment (default: no limit).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_degree)]
    pub pipeline_max_degree: Option<u64>,
    /// Data that must be kept in the global buffer instead of bypassing it:
    /// a comma list of i (ifmaps), o (ofmaps), f (filters).
    #[arg(long, value_name = "LIST", value_parser = parse_no_bypass)]
    pub no_bypass: Option<NoBypass>,
    /// What to minimize: energy, delay, or energy-delay product (`ed`: the
    /// search goes layer by layer, so it minimizes each layer's own
    /// energy × time, i.e. the sum of the layers' products, not the
    /// network's total energy × total time).
    #[arg(long, value_enum, default_value_t = GoalArg::E)]
    pub goal: GoalArg,
    /// Candidates kept at every stage of the search (more can find better
    /// whole-network schedules, at a cost in time).
    #[arg(
        long,
        default_value_t = 1,
        allow_negative_numbers = true,
        value_parser = parse_top
    )]
    pub top: u64,
    /// Worker threads (default: one per core). The result does not depend on it.
    #[arg(long, allow_negative_numbers = true, value_parser = parse_threads)]
    pub threads: Option<u64>,
    /// Write the schedule as JSON to FILE (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Use nn_dataflow 2.1's model, known bugs included, to compare with its
    /// published numbers (see the README's "Differences from nn_dataflow").
    #[arg(long, value_enum)]
    pub compat: Option<CompatArg>,
    /// How to read an `.onnx` network.
    #[command(flatten)]
    pub onnx: import::OnnxArgs,
}

/// `--solver`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SolverArg {
    /// Search every loop blocking.
    Exhaustive,
    /// The analytical solver.
    Analytic,
}

/// `--partition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PartitionArg {
    /// One dimension per layer kind.
    Naive,
    /// Any mix of dimensions.
    Hybrid,
}

/// `--goal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GoalArg {
    /// Energy.
    E,
    /// Delay.
    D,
    /// Energy-delay product, per layer (the sum of the layers' products).
    Ed,
}

/// `--compat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompatArg {
    /// nn_dataflow 2.1.
    #[value(name = "nn_dataflow")]
    NnDataflow,
}

/// `--no-bypass`: per data kind, must it stay in the global buffer?
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoBypass {
    /// Ifmaps.
    pub ifm: bool,
    /// Ofmaps.
    pub ofm: bool,
    /// Filters.
    pub fil: bool,
}

/// A count from 1 to `max`; out of range, the message gives the range and
/// `why` (negative numbers reach here: the arguments allow them).
fn count_in_range(s: &str, max: u64, why: &str, unit: &str) -> Result<u64, String> {
    let digits = s.trim().strip_prefix('-').unwrap_or(s.trim());
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{s}` is not a whole number of {unit}"));
    }
    // Too many digits for a u64 (or a minus sign) is out of range too.
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("must be between 1 and {max}{why}"))
}

/// `--batch`.
fn parse_batch(s: &str) -> Result<u64, String> {
    count_in_range(
        s,
        MAX_BATCH,
        " (2^44; larger batches would overflow the model's counts)",
        "samples",
    )
}

/// `--top`.
fn parse_top(s: &str) -> Result<u64, String> {
    count_in_range(
        s,
        MAX_TOP as u64,
        " (the search ranks the square of it at every layer)",
        "candidates",
    )
}

/// `--pipeline-time-overhead`.
fn parse_overhead(s: &str) -> Result<TimeOverhead, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .and_then(TimeOverhead::new)
        .ok_or_else(|| {
            format!(
                "`{s}` is not a time overhead: use a number of 0 or more, e.g. 0.5 (50%), or inf"
            )
        })
}

/// `--pipeline-max-degree`.
fn parse_degree(s: &str) -> Result<u64, String> {
    count_in_range(s, u64::MAX, "", "vertices")
}

/// `--threads`.
fn parse_threads(s: &str) -> Result<u64, String> {
    count_in_range(s, 1024, "", "threads")
}

fn parse_no_bypass(s: &str) -> Result<NoBypass, String> {
    let mut nb = NoBypass::default();
    for item in s.split(',').map(str::trim) {
        match item {
            "i" => nb.ifm = true,
            "o" => nb.ofm = true,
            "f" => nb.fil = true,
            other => {
                return Err(format!(
                    "`{other}` is not a data kind: use i (ifmaps), o (ofmaps) or f (filters), e.g. `i,o,f`"
                ));
            }
        }
    }
    Ok(nb)
}

/// When to color diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    fn enabled(self) -> bool {
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stderr().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// Exit code of a compile error.
pub const EXIT_COMPILE_ERROR: u8 = 1;
/// Exit code of a usage error (clap's own errors use it too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code when a network has no valid schedule on the hardware.
pub const EXIT_NO_SCHEDULE: u8 = 3;

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check(&args, cli.color.enabled()),
        Command::Schedule(args) => schedule(&args, cli.color.enabled()),
        Command::Import(args) => import::import(&args, cli.color.enabled()),
        Command::Diff(args) => diff::run(&args),
        Command::Report(args) => report_cmd::run(&args),
        Command::Sweep(args) => sweep::run(&args, cli.color.enabled()),
    }
}

/// Reads and compiles a network, printing diagnostics: the network and its
/// source text, or the exit code on failure. An `.onnx` model is read
/// through the importer
/// (docs/onnx.md); the source returned is then the `.nn` text it lowers to.
pub(crate) fn compile_network(
    file: &std::path::Path,
    color: bool,
    onnx: &import::OnnxArgs,
) -> Result<(Network, String), ExitCode> {
    let (path, source) = if import::is_onnx(file) {
        let text = import::lower_file(file, onnx)?;
        (format!("{} (imported)", file.display()), text)
    } else {
        let (path, source) = input::read_source(file);
        match source {
            Ok(s) => (path, s),
            Err(e) => {
                eprintln!("error: cannot read `{path}`: {e}");
                return Err(ExitCode::from(EXIT_USAGE));
            }
        }
    };
    let mut stderr = std::io::stderr().lock();
    match lang::compile(&source) {
        Err(diags) => {
            let _ = lang::diag::emit(&diags, &path, &source, color, &mut stderr);
            Err(ExitCode::from(EXIT_COMPILE_ERROR))
        }
        Ok((net, warnings)) => {
            let _ = lang::diag::emit(&warnings, &path, &source, color, &mut stderr);
            Ok((net, source))
        }
    }
}

fn check(args: &CheckArgs, color: bool) -> ExitCode {
    match compile_network(&args.file, color, &args.onnx) {
        Err(code) => code,
        Ok((net, source)) => {
            let text = if args.json {
                net.to_json().to_text()
            } else {
                // What an import noted for a reader (a token embedding
                // made the network's input: docs/onnx.md#language-models).
                let notes: String = source
                    .lines()
                    .filter_map(|l| l.strip_prefix("# note: "))
                    .map(|l| format!("note: {l}\n"))
                    .collect();
                report::network_summary(&net) + &notes
            };
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`nnc check x.nn | head`) is not an error.
            let _ = stdout.write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
    }
}

/// The library's search options from the command line.
fn search_options(args: &ScheduleArgs) -> Result<Options, OptionsError> {
    let nb = args.no_bypass.unwrap_or_default();
    let partitioning = Partitioning::from_flags(
        args.partition == PartitionArg::Hybrid,
        args.batch_partition,
        args.ifmap_partition,
    )?;
    Options::builder()
        .batch(args.batch)
        .partitioning(partitioning)
        .access_forwarding(args.access_forwarding)
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
        .pipeline(PipelineOptions {
            spatial: args.interlayer,
            temporal: args.save_writeback,
            basic: args.basic_interlayer,
            max_degree: args.pipeline_max_degree,
            time_overhead: args.pipeline_time_overhead,
        })
        .compat(match args.compat {
            Some(CompatArg::NnDataflow) => Compat::NnDataflow,
            None => Compat::Nnc,
        })
        .build()
}

/// Loads `--hw` with `--set` changes, printing its warnings, or what is
/// wrong on failure.
pub(crate) fn hardware_with(
    arg: &str,
    sets: &[hw::Set],
    color: bool,
) -> Result<Hardware, ExitCode> {
    match hw::load_with(arg, sets) {
        Ok(h) => {
            for w in &h.warnings {
                eprintln!("warning: {w}");
            }
            Ok(h)
        }
        Err(HwError::Invalid {
            origin,
            text,
            span,
            message,
        }) => {
            let mut d = lang::Diagnostic::file_error(format!("invalid hardware file: {message}"));
            if let Some(span) = span {
                d = d.primary(lang::ast::Span::new(span.start, span.end), "here");
            }
            let mut diags = lang::Diagnostics::new();
            diags.push(d);
            let _ =
                lang::diag::emit_each(&diags, &origin, &text, color, &mut std::io::stderr().lock());
            Err(ExitCode::from(EXIT_COMPILE_ERROR))
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}

/// Writes a command's output `text` (`written`, e.g. "the HTML page") to
/// `-o PATH`: standard output for `-` (a closed pipe is not an error), else
/// the file, whole or not at all. Refused (exit 2) when `PATH` is one of
/// `inputs` (what each is, and its path), also through links.
pub(crate) fn write_output(
    path: &std::path::Path,
    text: &str,
    inputs: &[(&str, &std::path::Path)],
    written: &str,
) -> ExitCode {
    if path.as_os_str() == "-" {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return ExitCode::SUCCESS;
    }
    if let Some(why) = same_file::output_is_an_input(path, inputs, written) {
        eprintln!("error: {why}");
        return ExitCode::from(EXIT_USAGE);
    }
    match write_atomically(path, text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Writes `text` to `path` whole or not at all: a temporary file in the same
/// directory, then a rename. A path that is not a regular file (`/dev/null`,
/// a named pipe, a terminal) is written to directly: renaming over it
/// would replace the device with a file.
pub(crate) fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        return f.write_all(text.as_bytes());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn schedule(args: &ScheduleArgs, color: bool) -> ExitCode {
    let options = match search_options(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if let Some(output) = &args.output {
        let mut inputs = Vec::new();
        if !input::is_stdin(&args.file) {
            inputs.push(("network file", args.file.as_path()));
        }
        inputs.extend(hw::file_path(&args.hw).map(|p| ("hardware file", p)));
        if let Some(why) = same_file::output_is_an_input(output, &inputs, "the schedule") {
            eprintln!("error: {why}");
            return ExitCode::from(EXIT_USAGE);
        }
    }
    let hw = match hardware_with(&args.hw, &args.set, color) {
        Ok(h) => h,
        Err(code) => return code,
    };
    let (net, source) = match compile_network(&args.file, color, &args.onnx) {
        Ok(n) => n,
        Err(code) => return code,
    };
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
    let search = || crate::schedule_with_progress(&net, &hw, &options, &progress);
    let result = match args.threads {
        None => search(),
        Some(n) => match rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
        {
            Ok(pool) => pool.install(search),
            Err(e) => {
                eprintln!("error: cannot start {n} threads: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        },
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut file = match result {
        Ok(f) => f,
        Err(e @ SearchError::Range(RangeError::Batch { .. })) => {
            eprintln!("error: --batch is too large for `{}`: {e}", net.name());
            return ExitCode::from(EXIT_USAGE);
        }
        Err(e @ SearchError::Range(RangeError::Hardware { .. })) => {
            eprintln!("error: hardware `{}` is out of range: {e}", hw.name);
            return ExitCode::from(EXIT_USAGE);
        }
        // A bug: say so, not "no schedule".
        Err(e @ SearchError::Internal(_)) => {
            eprintln!("{e} (please report this as a bug of nnc)");
            return ExitCode::from(EXIT_NO_SCHEDULE);
        }
        Err(e @ (SearchError::Layer { .. } | SearchError::TimeOverflow)) => {
            eprintln!(
                "error: no valid schedule of `{}` on `{}`: {e}",
                net.name(),
                hw.name
            );
            return ExitCode::from(EXIT_NO_SCHEDULE);
        }
    };
    file.inputs.network_sha256 = Some(crate::sha256::hex(source.as_bytes()));
    if let Some(path) = &args.output {
        let json = match crate::schedule::to_text(&file) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("error: cannot write the schedule: {e}");
                return ExitCode::from(EXIT_NO_SCHEDULE);
            }
        };
        if path.as_os_str() == "-" {
            let _ = std::io::stdout().lock().write_all(json.as_bytes());
            if !args.quiet {
                let _ = std::io::stderr()
                    .lock()
                    .write_all(summary_of(&net, &file).as_bytes());
            }
            return ExitCode::SUCCESS;
        }
        if let Err(e) = write_atomically(path, &json) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return ExitCode::from(EXIT_USAGE);
        }
    }
    if !args.quiet {
        let _ = std::io::stdout()
            .lock()
            .write_all(summary_of(&net, &file).as_bytes());
    }
    ExitCode::SUCCESS
}

/// The schedule's summary, with its energy and time per token for a
/// network of token sequences (one with a `matmul`): its input's points
/// are its tokens.
fn summary_of(net: &crate::ir::Network, file: &crate::schedule::ScheduleFile) -> String {
    let mut text = report::summary(file);
    if net.layers().iter().any(|l| l.shape.is_matmul()) {
        text += &report::per_token(file, net.input().size.size());
    }
    text
}
