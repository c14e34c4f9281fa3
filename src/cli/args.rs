//! The command line's arguments: the clap definitions, whose doc comments
//! are the help text (`nnc --help`, `nnc schedule --help`), and the parsers
//! of their values.

use clap::{Args, Parser, Subcommand, ValueEnum};
use nnc::TimeOverhead;
use nnc::hw;
use nnc::{MAX_BATCH, MAX_TOP};
use std::io::IsTerminal;
use std::path::PathBuf;

/// nnc: a compiler and dataflow scheduler for neural-network accelerators.
#[derive(Debug, Parser)]
#[command(
    name = "nnc",
    version,
    propagate_version = true,
    after_help = "Exit codes: 0 success, 1 compile errors (in the network or hardware file), \
                  2 usage errors (bad arguments, unreadable files), 3 no valid schedule."
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// When to color diagnostics: `auto` colors a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true, display_order = 1000)]
    pub color: Color,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Parse and check a network, then print its layers and totals.
    Check(CheckArgs),
    /// Find the most energy-efficient dataflow of every layer on a hardware.
    ///
    /// Prints a summary table; `-o FILE` writes the whole schedule as JSON.
    Schedule(ScheduleArgs),
    /// Convert an ONNX model to a `.nn` file.
    Import(ImportArgs),
    /// Compare two schedule files: per layer and in total, what changed.
    Diff(DiffArgs),
    /// Write a schedule file's report: one self-contained HTML page of charts and tables.
    Report(ReportArgs),
    /// Schedule networks over a grid of hardware values; one CSV row each.
    Sweep(SweepArgs),
}

/// Arguments of `nnc check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The network: a `.nn` file (`-` reads standard input), an `.onnx`
    /// model (docs/onnx.md), or a SCALE-Sim topology `.csv`
    /// (docs/scalesim.md).
    pub file: PathBuf,
    /// Print the network IR as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How to read an `.onnx` network.
    #[command(flatten)]
    pub onnx: OnnxArgs,
    /// How to read a `.csv` topology.
    #[command(flatten)]
    pub topology: TopologyArgs,
}

/// Arguments of `nnc schedule`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  nnc schedule nns/alex_net.nn                       # eyeriss, batch 1\n  \
nnc schedule nns/vgg_net.nn --hw tetris --batch 16 --partition hybrid --solver analytic\n  \
nnc schedule nns/alex_net.nn --batch 16 --compat nn_dataflow -o alexnet.json\n  \
nnc schedule resnet50.csv --hw scale.cfg --compat scalesim -o resnet50.json   # SCALE-Sim 3.0.0's numbers\n  \
nnc schedule nns/alex_net.nn --batch 16 --hw isca16-ws      # weight stationary\n  \
nnc schedule nns/resnet50.nn --hw tpu-v1                    # a TPU-like systolic array\n\n\
Presets: eyeriss, eyeriss-chip, tetris-l1, tetris; the Eyeriss ISCA'16 dataflow comparison: isca16-rs, isca16-ws, isca16-osa, isca16-osb, isca16-osc, isca16-nlr; a TPU-like systolic array: tpu-v1.\n\
Dataflows (--set node.dataflow=NAME): row-stationary (default), weight-stationary, output-stationary-a, output-stationary-b, output-stationary-c, no-local-reuse, systolic-ws, systolic-os, systolic-is."
)]
pub(crate) struct ScheduleArgs {
    /// The network: a `.nn` file (`-` reads standard input), an `.onnx`
    /// model (docs/onnx.md), or a SCALE-Sim topology `.csv`
    /// (docs/scalesim.md).
    pub file: PathBuf,
    /// The hardware: a preset name or a `.toml` hardware file; with
    /// `--compat scalesim`, a SCALE-Sim config `.cfg`.
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
    /// channels for fc layers) or hybrid (any mix of dimensions). Default:
    /// hybrid in nnc's model, naive with --compat nn_dataflow. Given twice,
    /// the last wins (a hint's flags may follow a restricting one).
    #[arg(long, value_enum, overrides_with = "partition")]
    pub partition: Option<PartitionArg>,
    /// Also split the batch over nodes (the default in nnc's model).
    #[arg(long, overrides_with = "no_batch_partition")]
    pub batch_partition: bool,
    /// Never split the batch over nodes.
    #[arg(long, overrides_with = "batch_partition")]
    pub no_batch_partition: bool,
    /// Also split input channels over nodes (hybrid only; the default in
    /// nnc's model with hybrid partitioning).
    #[arg(long, overrides_with = "no_ifmap_partition")]
    pub ifmap_partition: bool,
    /// Never split input channels over nodes.
    #[arg(long, overrides_with = "ifmap_partition")]
    pub no_ifmap_partition: bool,
    /// Nodes that need the same data read it from DRAM once and forward it
    /// over the NoC (the default in nnc's model).
    #[arg(long, overrides_with = "no_access_forwarding")]
    pub access_forwarding: bool,
    /// Every node reads its data from DRAM itself.
    #[arg(long, overrides_with = "access_forwarding")]
    pub no_access_forwarding: bool,
    /// Nodes that need the same data keep one copy of it between their
    /// global buffers and rotate it over the NoC (TANGRAM's buffer sharing;
    /// implies --access-forwarding; not with --solver analytic).
    #[arg(long)]
    pub gbuf_sharing: bool,
    /// Inter-layer pipelining: runs of layers at once on disjoint regions
    /// of the node array, passing data on chip (spatial segments; the
    /// default in nnc's model).
    #[arg(long, overrides_with = "no_interlayer")]
    pub interlayer: bool,
    /// No spatial segments.
    #[arg(long, overrides_with = "interlayer")]
    pub no_interlayer: bool,
    /// Runs of layers one after another on one region, keeping their data
    /// on chip (temporal segments; the default in nnc's model).
    #[arg(long, overrides_with = "no_save_writeback")]
    pub save_writeback: bool,
    /// No temporal segments.
    #[arg(long, overrides_with = "save_writeback")]
    pub no_save_writeback: bool,
    /// Every layer on its own: its input read from DRAM and its output
    /// written back (the same as --no-interlayer --no-save-writeback; the
    /// default with --compat nn_dataflow).
    #[arg(long)]
    pub layer_by_layer: bool,
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
    /// Use another tool's model to compare with its numbers: nn_dataflow
    /// 2.1's, known bugs included (see the README's "Differences from
    /// nn_dataflow"), or SCALE-Sim 3.0.0's report of every layer of a
    /// topology `.csv` on a config `.cfg` (docs/scalesim.md).
    #[arg(long, value_enum)]
    pub compat: Option<CompatArg>,
    /// How to read an `.onnx` network.
    #[command(flatten)]
    pub onnx: OnnxArgs,
    /// How to read a `.csv` topology.
    #[command(flatten)]
    pub topology: TopologyArgs,
}

/// `--solver`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SolverArg {
    /// Search every loop blocking.
    Exhaustive,
    /// The analytical solver.
    Analytic,
}

/// `--partition`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PartitionArg {
    /// One dimension per layer kind.
    Naive,
    /// Any mix of dimensions.
    Hybrid,
}

/// `--goal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GoalArg {
    /// Energy.
    E,
    /// Delay.
    D,
    /// Energy-delay product, per layer (the sum of the layers' products).
    Ed,
}

/// `--compat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompatArg {
    /// nn_dataflow 2.1.
    #[value(name = "nn_dataflow")]
    NnDataflow,
    /// SCALE-Sim 3.0.0: a topology `.csv` on a config `.cfg`.
    #[value(name = "scalesim")]
    ScaleSim,
}

/// `--no-bypass`: per data kind, must it stay in the global buffer?
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NoBypass {
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
pub(crate) enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    /// Whether diagnostics on standard error are colored.
    pub(crate) fn enabled(self) -> bool {
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

/// Arguments of `nnc import`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
nnc import mobilenet_v2.onnx -o mobilenet_v2.nn\n  \
nnc import bert_block.onnx --input-shape 768,128,1 -o -\n\n\
The .nn file checks to the same layers as `nnc check MODEL.onnx`.")]
pub(crate) struct ImportArgs {
    /// The model, an `.onnx` file (weights are not needed: a graph exported
    /// with `export_params=False` loads).
    pub file: PathBuf,
    /// Write the `.nn` file here (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// How to read the model.
    #[command(flatten)]
    pub onnx: OnnxArgs,
}

/// How to read an ONNX model.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct OnnxArgs {
    /// For an `.onnx` model whose input leaves sizes free: its channels,
    /// height and width, e.g. `3,224,224` (not the batch). Overrides sizes
    /// the model fixes, with a warning.
    #[arg(long, value_name = "C,H,W", value_parser = parse_shape)]
    pub input_shape: Option<[u64; 3]>,
}

/// How to read a SCALE-Sim topology.
#[derive(Debug, Args, Clone, Copy, Default)]
pub(crate) struct TopologyArgs {
    /// For a `.csv` topology: read every row as a GEMM `name, M, N, K,`
    /// (SCALE-Sim's `-i gemm`). Without it, a header `Layer, M, N, K,`
    /// says GEMM and any other says conv.
    #[arg(long)]
    pub gemm: bool,
}

fn parse_shape(s: &str) -> Result<[u64; 3], String> {
    let parts: Vec<&str> = s.split([',', 'x']).map(str::trim).collect();
    let dims: Option<Vec<u64>> = parts
        .iter()
        .map(|p| {
            p.parse::<u64>()
                .ok()
                .filter(|&d| (1..=1 << 31).contains(&d))
        })
        .collect();
    match dims.as_deref() {
        Some([c, h, w]) => Ok([*c, *h, *w]),
        _ => Err(format!(
            "expected three sizes C,H,W, each 1..={}, e.g. `3,224,224`",
            1u64 << 31
        )),
    }
}

/// Arguments of `nnc diff`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  \
nnc schedule nns/alex_net.nn --hw eyeriss -o eyeriss.json\n  \
nnc schedule nns/alex_net.nn --hw tetris -o tetris.json\n  \
nnc diff eyeriss.json tetris.json\n\n\
Exit codes (like diff): 0 the files hold the same schedule, 1 they differ, \
2 usage errors or a file that is unreadable or not a schedule file.")]
pub(crate) struct DiffArgs {
    /// The first schedule file (`nnc schedule -o`).
    pub a: PathBuf,
    /// The second schedule file.
    pub b: PathBuf,
}

/// Arguments of `nnc report`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  \
nnc schedule nns/alex_net.nn --batch 16 -o alexnet.json\n  \
nnc report alexnet.json -o alexnet.html\n\n\
The page is one self-contained file (inline SVG and CSS, no script, nothing fetched).")]
pub(crate) struct ReportArgs {
    /// A schedule file (`nnc schedule -o`).
    pub file: PathBuf,
    /// Where to write the HTML page (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

/// Arguments of `nnc sweep`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
nnc sweep sweeps/gbuf.toml -o gbuf.csv                   # all rows; rerun to resume\n  \
nnc sweep sweeps/gbuf.toml --shard 1/4 -o part.1.csv     # every 4th row, from row 1\n  \
nnc sweep sweeps/gbuf.toml --shard auto -o part.$SLURM_ARRAY_TASK_ID.csv   # in a Slurm job array\n  \
nnc sweep sweeps/gbuf.toml --merge part.*.csv -o gbuf.csv\n\n\
The spec format, the columns and the SRAM energy rule: docs/sweep.md.")]
pub(crate) struct SweepArgs {
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
    /// If another nnc is writing the results file, wait for it to finish
    /// instead of refusing (then continue after its rows).
    #[arg(long)]
    pub wait: bool,
    /// Also write one row per design point and layer into NAME.layers.csv
    /// beside the results (`out.csv` gives `out.layers.csv`); resumed and
    /// merged with them.
    #[arg(long)]
    pub per_layer: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}
