//! `nnc import MODEL.onnx -o MODEL.nn`: docs/onnx.md. Reading `.onnx` files
//! wherever a network is expected (`nnc check`, `nnc schedule`) is
//! `input.rs`'s.

use super::args::ImportArgs;
use super::output::Output;
use super::{Failure, input, print};
use std::process::ExitCode;

/// Runs `nnc import`.
pub(super) fn run(args: &ImportArgs, color: bool) -> Result<ExitCode, Failure> {
    if input::is_topology(&args.file) {
        return Err(Failure::usage(format!(
            "`{}` is a SCALE-Sim topology, which needs no import: `nnc check` and `nnc schedule` read it as it is (docs/scalesim.md#a-topology-as-a-network)",
            args.file.display()
        )));
    }
    let model = [("model", args.file.as_path())];
    let output = Output::check(&args.output, &model, "the .nn file")?;
    let text = input::lower_onnx(&args.file, &args.onnx)?;
    // Why compile before writing: a `.nn` file that does not check is no
    // use to anyone; the same errors `nnc check MODEL.onnx` gives.
    let (_, text, warnings) = input::compile(&input::imported_name(&args.file), text)?;
    print(&warnings, color);
    output.write(&text)?;
    Ok(ExitCode::SUCCESS)
}
