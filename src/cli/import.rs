//! `nnc import MODEL.onnx -o MODEL.nn`, and reading `.onnx` files wherever a
//! network is expected (`nnc check`, `nnc schedule`): docs/onnx.md.

use super::{EXIT_COMPILE_ERROR, EXIT_USAGE, write_output};
use crate::onnx::{self, ImportOptions};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `nnc import`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
nnc import mobilenet_v2.onnx -o mobilenet_v2.nn\n  \
nnc import bert_block.onnx --input-shape 768,128,1 -o -\n\n\
The .nn file checks to the same layers as `nnc check MODEL.onnx`.")]
pub struct ImportArgs {
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
pub struct OnnxArgs {
    /// For an `.onnx` model whose input leaves sizes free: its channels,
    /// height and width, e.g. `3,224,224` (the batch comes from `--batch`).
    #[arg(long, value_name = "C,H,W", value_parser = parse_shape)]
    pub input_shape: Option<[u64; 3]>,
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

/// Is `file` an ONNX model (by its extension)?
pub(crate) fn is_onnx(file: &Path) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("onnx"))
}

/// Reads and lowers an ONNX model to `.nn` text, printing what is wrong on
/// failure.
pub(crate) fn lower_file(file: &Path, args: &OnnxArgs) -> Result<String, ExitCode> {
    let path = file.display();
    let bytes = std::fs::read(file).map_err(|e| {
        eprintln!("error: cannot read `{path}`: {e}");
        ExitCode::from(EXIT_USAGE)
    })?;
    let options = ImportOptions {
        fallback_name: file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        input_shape: args.input_shape,
    };
    onnx::import(&bytes, &options).map(|i| i.text).map_err(|e| {
        eprintln!("error: {path}: {e}");
        ExitCode::from(EXIT_COMPILE_ERROR)
    })
}

/// `nnc import`.
pub(crate) fn import(args: &ImportArgs, color: bool) -> ExitCode {
    let text = match lower_file(&args.file, &args.onnx) {
        Ok(t) => t,
        Err(code) => return code,
    };
    // Why compile before writing: a `.nn` file that does not check is no
    // use to anyone; the same errors `nnc check MODEL.onnx` gives.
    let shown = format!("{} (imported)", args.file.display());
    match crate::lang::compile(&text) {
        Err(diags) => {
            let mut stderr = std::io::stderr().lock();
            let _ = crate::diag::emit(&diags, &shown, &text, color, &mut stderr);
            return ExitCode::from(EXIT_COMPILE_ERROR);
        }
        Ok((_, warnings)) => {
            let mut stderr = std::io::stderr().lock();
            let _ = crate::diag::emit(&warnings, &shown, &text, color, &mut stderr);
        }
    }
    let model = [("model", args.file.as_path())];
    write_output(&args.output, &text, &model, "the .nn file")
}
