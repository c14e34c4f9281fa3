//! `nnc check FILE`: compiles a network and prints its layers and totals
//! (or its IR as JSON).

use super::Failure;
use super::args::CheckArgs;
use super::input;
use nnc::report;
use std::io::Write;
use std::process::ExitCode;

/// Runs `nnc check`.
pub(super) fn run(args: &CheckArgs, color: bool) -> Result<ExitCode, Failure> {
    let (net, source) = input::network(&args.file, color, &args.onnx, args.topology)?;
    let text = if args.json {
        net.to_json().to_text()
    } else {
        // What an import noted for a reader (a token embedding made the
        // network's input: docs/onnx.md#language-models).
        let notes: String = source
            .lines()
            .filter_map(|l| l.strip_prefix("# note: "))
            .map(|l| format!("note: {l}\n"))
            .collect();
        report::network_summary(&net) + &notes
    };
    // A closed pipe (`nnc check x.nn | head`) is not an error.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}
