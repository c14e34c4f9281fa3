//! `nnc schedule TOPOLOGY.csv --hw CONFIG.cfg --compat scalesim`: SCALE-Sim
//! 3.0.0's report of every layer (docs/scalesim.md#nnc-schedule---compat-scalesim),
//! written as an `nnc-scalesim/1` schedule file with its summary.
//!
//! The two go together: SCALE-Sim's model needs SCALE-Sim's config and a
//! topology, and nnc's own model does not read a `.cfg`. Each mismatch,
//! and every search option (SCALE-Sim's mapping is fixed), is a usage error
//! that says what to do instead.

use super::args::{CompatArg, GoalArg, ScheduleArgs, SolverArg};
use super::output::{Output, emit_schedule};
use super::{Failure, input, on_threads, print};
use nnc::diag::{Diagnostic, Report};
use nnc::report;
use nnc::scalesim::{ScaleSimConfig, ignored_keys, read_config};
use nnc::schedule::scalesim::{ScaleSimInputs, build, simulate_rows};
use std::path::Path;
use std::process::ExitCode;

/// Is `--hw`'s value a SCALE-Sim config (by its `.cfg` extension)?
pub(super) fn is_config(hw: &str) -> bool {
    Path::new(hw)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("cfg"))
}

/// A usage error (exit 2) with a `help:` line.
fn usage(message: String, help: &str) -> Failure {
    Failure::with(
        super::EXIT_USAGE,
        Report::one("", "", Diagnostic::error(message).help(help)),
    )
}

/// Runs `nnc schedule` for SCALE-Sim's files, after checking that the
/// arguments ask for it whole.
pub(super) fn run(args: &ScheduleArgs, color: bool) -> Result<ExitCode, Failure> {
    check_args(args)?;
    let config_path = Path::new(&args.hw);
    let output = match &args.output {
        Some(path) => Some(Output::check(
            path,
            &[("topology", args.file.as_path()), ("config", config_path)],
            "the schedule",
        )?),
        None => None,
    };
    let (config, config_text) = config(config_path, color)?;
    let topology = input::topology(&args.file, args.topology)?;
    let rows = on_threads(args.threads, || simulate_rows(&topology.rows, &config))?.map_err(
        |(i, e)| {
            let error = topology.rows.rows[i].model_error(&e, &topology.text);
            Failure::input(error.report(&args.file.display().to_string(), &topology.text))
        },
    )?;
    let inputs = ScaleSimInputs {
        topology_sha256: nnc::sha256::hex(topology.text.as_bytes()),
        config_sha256: nnc::sha256::hex(config_text.as_bytes()),
    };
    let file = build(&topology.network, &config, &rows, inputs);
    emit_schedule(
        output.as_ref(),
        args.quiet,
        || file.to_text(),
        || report::scalesim::summary(&file),
    )
}

/// Reads the config, printing its warnings: the config and its text.
fn config(path: &Path, color: bool) -> Result<(ScaleSimConfig, String), Failure> {
    let text = input::read_text(path, nnc::bounded::MAX_HARDWARE_BYTES)?;
    let origin = path.display().to_string();
    let config = read_config(&text).map_err(|e| Failure::input(e.report(&origin, &text)))?;
    print(
        &Report::new(origin, text.clone(), ignored_keys(&config.ignored)),
        color,
    );
    Ok((config, text))
}

/// The usage errors: a `.cfg` without `--compat scalesim`, `--compat
/// scalesim` without a `.cfg` or a `.csv`, and any option of nnc's search.
fn check_args(args: &ScheduleArgs) -> Result<(), Failure> {
    if args.compat != Some(CompatArg::ScaleSim) {
        return Err(usage(
            format!(
                "`{}` is a SCALE-Sim config, which nnc's own model does not read",
                args.hw
            ),
            "add `--compat scalesim` for SCALE-Sim 3.0.0's numbers of a topology `.csv` on it \
             (docs/scalesim.md); nnc's own model takes a preset or a hardware `.toml` file \
             (docs/hardware.md)",
        ));
    }
    if !is_config(&args.hw) {
        return Err(usage(
            format!(
                "`--compat scalesim` needs a SCALE-Sim config, and `--hw {}` is not one (a `.cfg` file)",
                args.hw
            ),
            "give `--hw CONFIG.cfg`, SCALE-Sim's config of the array, its SRAMs and its \
             bandwidth (docs/scalesim.md#config-files); presets and `.toml` files describe \
             nnc's own hardware",
        ));
    }
    if !input::is_topology(&args.file) {
        return Err(usage(
            format!(
                "`--compat scalesim` runs a SCALE-Sim topology, and `{}` is not one (a `.csv` file)",
                args.file.display()
            ),
            "give the layers as SCALE-Sim's topology CSV (docs/scalesim.md#topology-files); \
             a `.nn` or `.onnx` network is scheduled by nnc's own model, without `--compat`",
        ));
    }
    if !args.set.is_empty() {
        return Err(usage(
            "`--set` does not apply to a SCALE-Sim config".to_owned(),
            "`--set` changes the keys of nnc's hardware files; edit the `.cfg` instead",
        ));
    }
    if let Some(option) = search_options(args).first() {
        return Err(usage(
            format!("`{option}` does not apply with `--compat scalesim`"),
            "SCALE-Sim runs one sample of each layer through its fixed mapping: there is \
             nothing to search, partition or pipeline; remove the option",
        ));
    }
    Ok(())
}

/// The options of nnc's search given on the command line, as written.
fn search_options(args: &ScheduleArgs) -> Vec<String> {
    let given = [
        (args.batch != 1, "--batch"),
        (args.solver != SolverArg::Exhaustive, "--solver"),
        (args.partition.is_some(), "--partition"),
        (args.batch_partition, "--batch-partition"),
        (args.no_batch_partition, "--no-batch-partition"),
        (args.ifmap_partition, "--ifmap-partition"),
        (args.no_ifmap_partition, "--no-ifmap-partition"),
        (args.access_forwarding, "--access-forwarding"),
        (args.no_access_forwarding, "--no-access-forwarding"),
        (args.gbuf_sharing, "--gbuf-sharing"),
        (args.interlayer, "--interlayer"),
        (args.no_interlayer, "--no-interlayer"),
        (args.save_writeback, "--save-writeback"),
        (args.no_save_writeback, "--no-save-writeback"),
        (args.layer_by_layer, "--layer-by-layer"),
        (args.basic_interlayer, "--basic-interlayer"),
        (
            args.pipeline_time_overhead.is_some(),
            "--pipeline-time-overhead",
        ),
        (args.pipeline_max_degree.is_some(), "--pipeline-max-degree"),
        (args.no_bypass.is_some(), "--no-bypass"),
        (args.goal != GoalArg::E, "--goal"),
        (args.top != 1, "--top"),
        (args.onnx.input_shape.is_some(), "--input-shape"),
    ];
    given
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| name.to_owned())
        .collect()
}
