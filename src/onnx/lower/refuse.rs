//! The one constructor of the refusals the language-model lowering adds
//! (docs/onnx.md#errors): a node nnc cannot model, what is wrong, and a
//! next step that works.

use crate::onnx::ImportError;
use crate::onnx::graph::Node;

/// Refuses `node`: `what` nnc found, `help` what to do instead.
pub(super) fn refused(node: &Node, what: String, help: &str) -> ImportError {
    ImportError::Node {
        node: node.label().to_owned(),
        op: node.op.clone(),
        what,
        help: help.to_owned(),
    }
}

/// Refuses a graph input that is no batch of feature maps nnc can model.
pub(super) fn refused_input(input: &str, what: String, help: &str) -> ImportError {
    ImportError::Node {
        node: input.to_owned(),
        op: "graph input".to_owned(),
        what,
        help: help.to_owned(),
    }
}
