//! What every operator's lowering reads of a node: its integer
//! attributes, and the error naming a node nnc cannot lower. Both the
//! operators of `ops.rs` and the token sequences of `tokens.rs` use them.

use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};

/// The error about `node`: `what` is wrong with it, `help` says what to do.
pub(super) fn unsupported(node: &Node, what: String, help: &str) -> ImportError {
    ImportError::Node {
        node: node.label().to_owned(),
        op: node.op.clone(),
        what,
        help: help.to_owned(),
    }
}

/// The integer attribute `name` of `node` (`default` when absent); a
/// negative or non-integer one is an error.
pub(super) fn int_attr(node: &Node, name: &str, default: i64) -> Result<u64, ImportError> {
    let v = match node.attr(name) {
        None => default,
        Some(AttrValue::Int(i)) => *i,
        Some(_) => {
            return Err(unsupported(
                node,
                format!("attribute `{name}` is not an integer"),
                "check the graph with onnx.checker",
            ));
        }
    };
    u64::try_from(v).map_err(|_| {
        unsupported(
            node,
            format!("attribute `{name}` is {v}"),
            "check the graph with onnx.checker",
        )
    })
}

/// The integer-list attribute `name` of `node` (`default` when absent).
pub(super) fn ints_attr(node: &Node, name: &str, default: &[i64]) -> Result<Vec<i64>, ImportError> {
    match node.attr(name) {
        None => Ok(default.to_vec()),
        Some(AttrValue::Ints(v)) => Ok(v.clone()),
        Some(AttrValue::Int(0)) => Ok(default.to_vec()),
        Some(_) => Err(unsupported(
            node,
            format!("attribute `{name}` is not a list of integers"),
            "check the graph with onnx.checker",
        )),
    }
}
