//! Small ONNX graphs built by hand for the lowering's unit tests: one node,
//! one integer constant.

use crate::onnx::graph::{AttrValue, Node, Tensor};

/// A node of `op` named after its only output.
pub(super) fn node(op: &str, inputs: &[&str], output: &str, attrs: Vec<(&str, AttrValue)>) -> Node {
    node_n(op, inputs, &[output], attrs)
}

/// A node of `op` with several outputs, named after the first.
pub(super) fn node_n(
    op: &str,
    inputs: &[&str],
    outputs: &[&str],
    attrs: Vec<(&str, AttrValue)>,
) -> Node {
    Node {
        name: outputs.first().copied().unwrap_or(op).to_owned(),
        op: op.to_owned(),
        domain: String::new(),
        inputs: inputs.iter().map(|s| (*s).to_owned()).collect(),
        outputs: outputs.iter().map(|s| (*s).to_owned()).collect(),
        attrs: attrs.into_iter().map(|(n, v)| (n.to_owned(), v)).collect(),
    }
}

/// A one-dimensional integer constant.
pub(super) fn ints(name: &str, v: &[i64]) -> Tensor {
    Tensor {
        name: name.to_owned(),
        dims: vec![v.len() as i64],
        ints: v.to_vec(),
        floats: Vec::new(),
    }
}
