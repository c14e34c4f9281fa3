//! Loading a network from a file, as every front end does: a `.nn` file
//! compiled (`lang`), or an `.onnx` model imported to `.nn` text first
//! (`onnx`, docs/onnx.md). The command line and the Python package both
//! read networks through it, so a path gives the same network in each.

use crate::bounded::{self, MAX_NETWORK_BYTES, MAX_ONNX_BYTES};
use crate::diag::{Code, Diagnostic, Diagnostics, Report, Span};
use crate::ir::Network;
use crate::onnx::{self, ImportOptions};
use std::path::Path;

/// A network read and compiled, with what else its reader shows.
#[derive(Debug)]
pub struct Loaded {
    /// The network.
    pub network: Network,
    /// Its `.nn` text (an ONNX model's: the text it lowers to), whose
    /// digest a schedule file records.
    pub source: String,
    /// Its warnings (empty when it has none).
    pub warnings: Report,
}

/// Why a network could not be loaded (boxed: a report is large, and an
/// error is rare).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file cannot be read: a usage error, naming it.
    #[error("{0}")]
    Unreadable(Box<Report>),
    /// The file is not a valid network: its diagnostics.
    #[error("{0}")]
    Invalid(Box<Report>),
}

impl LoadError {
    /// The diagnostics, rendered through [`Report`].
    pub fn report(&self) -> &Report {
        match self {
            LoadError::Unreadable(r) | LoadError::Invalid(r) => r,
        }
    }
}

/// Is `file` an ONNX model (by its extension)?
pub fn is_onnx(file: &Path) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("onnx"))
}

/// The name diagnostics show for the `.nn` text an ONNX model lowers to.
pub fn imported_name(file: &Path) -> String {
    format!("{} (imported)", file.display())
}

/// Reads and compiles the network in `file`: a `.nn` file (at most
/// [`MAX_NETWORK_BYTES`]), or an `.onnx` model (by its extension, at most
/// [`MAX_ONNX_BYTES`]), whose input sizes `input_shape` (channels, height,
/// width) fixes when the model leaves them free.
pub fn network_file(file: &Path, input_shape: Option<[u64; 3]>) -> Result<Loaded, LoadError> {
    let unreadable = |e: std::io::Error| {
        let message = format!("cannot read `{}`: {e}", file.display());
        LoadError::Unreadable(Box::new(Report::error(message)))
    };
    if is_onnx(file) {
        let bytes = bounded::read(file, MAX_ONNX_BYTES).map_err(unreadable)?;
        let text = lower_onnx(&bytes, file, input_shape)?;
        return network_text(&imported_name(file), text);
    }
    let bytes = bounded::read(file, MAX_NETWORK_BYTES).map_err(unreadable)?;
    network_bytes(&file.display().to_string(), bytes)
}

/// Compiles a `.nn` file's bytes, shown as `name`: a UTF-8 byte-order mark
/// skipped; a byte that is not UTF-8 an error at its line and column (E001).
pub fn network_bytes(name: &str, mut bytes: Vec<u8>) -> Result<Loaded, LoadError> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(source) => network_text(name, source),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bad = e.as_bytes()[at];
            // Shown with the byte replaced (`U+FFFD`, 3 bytes in the text).
            let shown = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let d = Diagnostic::new(Code::Syntax, "the file is not UTF-8 text")
                .primary(Span::new(at, at + 3), format!("byte 0x{bad:02X} here"))
                .help("a .nn file is UTF-8 text: save it as UTF-8");
            let mut diags = Diagnostics::new();
            diags.push(d);
            Err(LoadError::Invalid(Box::new(Report::compiled(
                name, shown, diags,
            ))))
        }
    }
}

/// Compiles `.nn` text shown as `name` in diagnostics.
pub fn network_text(name: &str, source: String) -> Result<Loaded, LoadError> {
    match crate::lang::compile(&source) {
        Err(diags) => Err(LoadError::Invalid(Box::new(Report::compiled(
            name, source, diags,
        )))),
        Ok((network, warnings)) => {
            // The text goes with the warnings only when there are some.
            let text = if warnings.is_empty() {
                String::new()
            } else {
                source.clone()
            };
            Ok(Loaded {
                network,
                source,
                warnings: Report::compiled(name, text, warnings),
            })
        }
    }
}

/// Lowers the ONNX model `bytes`, read from `file`, to `.nn` text.
pub fn lower_onnx(
    bytes: &[u8],
    file: &Path,
    input_shape: Option<[u64; 3]>,
) -> Result<String, LoadError> {
    let options = ImportOptions {
        fallback_name: file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        input_shape,
    };
    onnx::import(bytes, &options)
        .map(|i| i.text)
        .map_err(|e| LoadError::Invalid(Box::new(e.report(&file.display().to_string()))))
}
