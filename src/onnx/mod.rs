//! The ONNX front end (docs/onnx.md): reads a model file and lowers its
//! graph to a `.nn` file, which the language then compiles to the same IR
//! as any other network. Why through text: `nnc import` writes exactly what
//! `nnc check MODEL.onnx` compiles, so the two can never disagree, and every
//! check of the language (shapes, the padding rule, limits) applies.

pub(crate) mod graph;
pub(crate) mod lower;
pub(crate) mod proto;

use crate::diag::{Code, Diagnostic, Report};
pub use lower::{ImportOptions, Imported};
use thiserror::Error;

/// Why a model cannot be imported.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The bytes are not a well-formed ONNX protobuf.
    #[error("not a readable ONNX model: {0}")]
    Malformed(String),
    /// The graph has no data input.
    #[error("the graph has no data input (every input is a weight or constant)")]
    NoInput,
    /// A data input's shape is not fixed.
    #[error("input `{input}`: {what}; give the shape with `--input-shape C,H,W`")]
    FreeShape {
        /// The input's name.
        input: String,
        /// What is free.
        what: String,
    },
    /// A data input nnc cannot model (a 5-D input: video, volumes).
    #[error("input `{input}`: {what}")]
    Input {
        /// The input's name.
        input: String,
        /// What is wrong.
        what: String,
        /// What to do.
        help: String,
    },
    /// A node nnc cannot represent.
    #[error("node `{node}` ({op}): {what}")]
    Node {
        /// The node's name (or first output).
        node: String,
        /// Its operator.
        op: String,
        /// What is wrong.
        what: String,
        /// What to do.
        help: String,
    },
}

impl ImportError {
    /// The error as a diagnostic (codes `X0xx`,
    /// docs/diagnostics.md#onnx-models), placed at the node or input it is
    /// about.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            ImportError::Malformed(why) => Diagnostic::new(
                Code::OnnxMalformed,
                format!("not a readable ONNX model: {why}"),
            )
            .help("export the model again (`torch.onnx.export`), or check it with onnx.checker"),
            ImportError::NoInput => Diagnostic::new(Code::OnnxNoInput, self.to_string())
                .help("export the model with its data input as a graph input"),
            ImportError::FreeShape { input, what } => {
                Diagnostic::new(Code::OnnxFreeShape, what.clone())
                    .at(format!("input `{input}`"))
                    .help("give the shape with `--input-shape C,H,W`")
            }
            ImportError::Input { input, what, help } => {
                Diagnostic::new(Code::OnnxInput, what.clone())
                    .at(format!("input `{input}`"))
                    .help(help)
            }
            ImportError::Node {
                node,
                op,
                what,
                help,
            } => Diagnostic::new(Code::OnnxNode, what.clone())
                .at(format!("node `{node}` ({op})"))
                .help(help),
        }
    }

    /// The error with the model it is about, shown as `name`.
    pub fn report(&self, name: &str) -> Report {
        Report::one(name, "", self.diagnostic())
    }
}

/// Reads an ONNX model and lowers it to `.nn` text.
pub fn import(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    let graph = graph::decode_model(bytes)?;
    lower::lower(&graph, options)
}
