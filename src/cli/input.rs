//! Reading the inputs every command shares: the network (a `.nn` file,
//! standard input for `-`, an `.onnx` model, docs/onnx.md, or a SCALE-Sim
//! topology `.csv`, docs/scalesim.md) and the hardware (`--hw` with
//! `--set`). Their warnings are printed as they are read; their errors come
//! back as a [`Failure`].

use super::args::{OnnxArgs, TopologyArgs};
use super::{Failure, print};
use nnc::bounded::{self, MAX_NETWORK_BYTES};
use nnc::diag::{Diagnostic, Diagnostics, Report};
use nnc::hw::{self, Hardware};
use nnc::ir::Network;
use nnc::load::{self, LoadError};
use nnc::scalesim::{self, Topology, TopologyKind};
use std::path::Path;

/// Is `file` the `-` that means standard input?
pub(crate) fn is_stdin(file: &Path) -> bool {
    file.as_os_str() == "-"
}

/// The name diagnostics show for `file`, and its bytes (`-` reads standard
/// input, shown as `<stdin>`), at most [`MAX_NETWORK_BYTES`].
pub(crate) fn read_source(file: &Path) -> (String, std::io::Result<Vec<u8>>) {
    if is_stdin(file) {
        let read = bounded::read_from(std::io::stdin().lock(), MAX_NETWORK_BYTES);
        ("<stdin>".to_owned(), read)
    } else {
        let read = bounded::read(file, MAX_NETWORK_BYTES);
        (file.display().to_string(), read)
    }
}

/// The text of `file`, at most `limit` bytes, or a usage error naming it.
pub(crate) fn read_text(file: &Path, limit: u64) -> Result<String, Failure> {
    bounded::read_to_string(file, limit)
        .map_err(|e| Failure::usage(format!("cannot read `{}`: {e}", file.display())))
}

/// Reads and compiles a network, printing its warnings: the network and its
/// source text. A file is read through the library's loader
/// ([`nnc::load`]: an `.onnx` model through the importer, docs/onnx.md, the
/// source returned then the `.nn` text it lowers to); `-` is standard input.
/// A `.csv` is a SCALE-Sim topology, read as its network
/// (docs/scalesim.md#a-topology-as-a-network); the source is its text.
pub(crate) fn network(
    file: &Path,
    color: bool,
    onnx: &OnnxArgs,
    csv: TopologyArgs,
) -> Result<(Network, String), Failure> {
    if is_topology(file) {
        return topology(file, csv).map(|t| (t.network, t.text));
    }
    if csv.gemm {
        return Err(Failure::usage(format!(
            "`--gemm` reads a SCALE-Sim topology (a `.csv` file), and `{}` is not one",
            file.display()
        )));
    }
    if load::is_onnx(file) && onnx.input_shape.is_some() {
        // Why lowered here too: the warning compares the model's own input
        // size with the flag's, and only a run with the flag pays for it.
        if let Some(warning) = lower_onnx(file, onnx)
            .ok()
            .and_then(|text| shape_overridden(file, onnx, &text))
        {
            print(&warning, color);
        }
    }
    let loaded = if is_stdin(file) {
        let (path, source) = read_source(file);
        let source = source.map_err(|e| Failure::usage(format!("cannot read `{path}`: {e}")))?;
        load::network_bytes(&path, source)
    } else {
        load::network_file(file, onnx.input_shape)
    }
    .map_err(load_failure)?;
    print(&loaded.warnings, color);
    Ok((loaded.network, loaded.source))
}

/// What a network that cannot be loaded exits with: 2 for a file that
/// cannot be read, 1 for one that is not valid.
fn load_failure(e: LoadError) -> Failure {
    match e {
        LoadError::Unreadable(r) => Failure::with(super::EXIT_USAGE, *r),
        LoadError::Invalid(r) => Failure::input(*r),
    }
}

/// Compiles `.nn` text shown as `path`: the network, its text and its
/// warnings, or its errors.
pub(crate) fn compile(path: &str, source: String) -> Result<(Network, String, Report), Failure> {
    let loaded = load::network_text(path, source).map_err(load_failure)?;
    Ok((loaded.network, loaded.source, loaded.warnings))
}

/// The name diagnostics show for the `.nn` text an ONNX model lowers to.
pub(crate) fn imported_name(file: &Path) -> String {
    load::imported_name(file)
}

/// Reads and lowers an ONNX model to `.nn` text.
pub(crate) fn lower_onnx(file: &Path, args: &OnnxArgs) -> Result<String, Failure> {
    let bytes = bounded::read(file, bounded::MAX_ONNX_BYTES)
        .map_err(|e| Failure::usage(format!("cannot read `{}`: {e}", file.display())))?;
    load::lower_onnx(&bytes, file, args.input_shape).map_err(load_failure)
}

/// With `--input-shape`, a warning if the model fixes another input size
/// itself (`text`: the model lowered with the flag): the flag wins, but a
/// model exported at 384 scheduled at 224 should not go unnoticed.
fn shape_overridden(file: &Path, args: &OnnxArgs, text: &str) -> Option<Report> {
    let given = args.input_shape?;
    let own = lower_onnx(file, &OnnxArgs { input_shape: None }).ok()?;
    let input = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("input "))
            .and_then(|l| l.split_once('['))
            .map(|(_, dims)| dims.trim_end_matches(']').to_owned())
    };
    let fixed = input(&own)?;
    if Some(&fixed) == input(text).as_ref() {
        return None;
    }
    let [c, h, w] = given;
    let d = Diagnostic::warning(format!(
        "--input-shape {c},{h},{w} overrides the input size the model fixes, [{fixed}]"
    ))
    .help("leave --input-shape out to schedule the model at its own size");
    Some(Report::one(file.display().to_string(), "", d))
}

/// Is `file` a SCALE-Sim topology (by its `.csv` extension)?
pub(crate) fn is_topology(file: &Path) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// A SCALE-Sim topology, read: its rows, its text and its network.
pub(crate) struct ReadTopology {
    /// The rows.
    pub(crate) rows: Topology,
    /// The file's text.
    pub(crate) text: String,
    /// The rows as a network, named after the file.
    pub(crate) network: Network,
}

/// Reads a SCALE-Sim topology (its rows GEMMs with `--gemm`, else as its
/// header says) and its network.
pub(crate) fn topology(file: &Path, csv: TopologyArgs) -> Result<ReadTopology, Failure> {
    let text = read_text(file, MAX_NETWORK_BYTES)?;
    let origin = file.display().to_string();
    let kind = if csv.gemm {
        TopologyKind::Gemm
    } else {
        TopologyKind::Auto
    };
    let placed = |e: scalesim::ReadError| Failure::input(e.report(&origin, &text));
    let rows = scalesim::read_topology(&text, kind).map_err(placed)?;
    let name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let network = scalesim::network(&name, &rows, &text).map_err(placed)?;
    Ok(ReadTopology {
        rows,
        text,
        network,
    })
}

/// Loads `--hw` with `--set` changes, printing its warnings.
pub(crate) fn hardware(arg: &str, sets: &[hw::Set], color: bool) -> Result<Hardware, Failure> {
    let (text, origin) = hw::read(arg).map_err(hardware_failure)?;
    let hw = hw::parse_with(&text, &origin, sets).map_err(hardware_failure)?;
    print(&hardware_warnings(&hw, origin, text), color);
    Ok(hw)
}

/// The warnings of `hw`, read from `text` (shown as `origin`).
pub(crate) fn hardware_warnings(hw: &Hardware, origin: String, text: String) -> Report {
    let mut diags = Diagnostics::new();
    for w in &hw.warnings {
        diags.push(w.diagnostic());
    }
    Report::new(origin, text, diags)
}

/// What a hardware error exits with: 2 for a file or preset that is not
/// there and for a `--set` value, 1 for a file that is not valid.
pub(crate) fn hardware_failure(e: hw::HwError) -> Failure {
    let exit = if e.is_usage() {
        super::EXIT_USAGE
    } else {
        super::EXIT_COMPILE_ERROR
    };
    Failure::with(exit, e.report())
}
