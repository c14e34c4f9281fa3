//! Small ONNX graphs built by hand for the lowering's unit tests: one node,
//! one integer constant, one value, one graph.

use crate::onnx::graph::{AttrValue, Dim, Graph, Node, Tensor, ValueInfo};

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

/// The one attribute of a Gather, Concat or Split: the axis it works on.
pub(super) fn axis(a: i64) -> Vec<(&'static str, AttrValue)> {
    vec![("axis", AttrValue::Int(a))]
}

/// The permutation of a Transpose.
pub(super) fn perm(p: &[i64]) -> Vec<(&'static str, AttrValue)> {
    vec![("perm", AttrValue::Ints(p.to_vec()))]
}

/// Fixed dimensions.
pub(super) fn fixed(d: &[i64]) -> Vec<Dim> {
    d.iter().map(|&x| Dim::Value(x)).collect()
}

/// A free `batch` axis, then fixed dimensions.
pub(super) fn batched(d: &[i64]) -> Vec<Dim> {
    let mut dims = vec![Dim::Free("batch".into())];
    dims.extend(fixed(d));
    dims
}

/// A float value of known dimensions.
pub(super) fn value(name: &str, dims: Vec<Dim>) -> ValueInfo {
    ValueInfo {
        name: name.to_owned(),
        dims: Some(dims),
        integer: false,
    }
}

/// A graph of opset 17 whose one output is `y`, of a shape left to the
/// lowering.
pub(super) fn graph(nodes: Vec<Node>, initializers: Vec<Tensor>, inputs: Vec<ValueInfo>) -> Graph {
    Graph {
        name: "g".into(),
        nodes,
        initializers,
        inputs,
        outputs: vec![ValueInfo {
            name: "y".into(),
            dims: None,
            integer: false,
        }],
        value_info: Vec::new(),
        opset: 17,
    }
}
