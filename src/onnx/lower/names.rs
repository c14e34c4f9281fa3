//! Names in the `.nn` text (docs/onnx.md#names): the network's, from the
//! graph or the file, and each layer's, shortened from its node's.

use crate::onnx::graph::Node;

/// A network name: letters, digits, `_` and `-`.
pub(super) fn net_name(s: &str) -> String {
    let n: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let n = n.trim_matches('_').to_owned();
    if n.is_empty() {
        "Imported".to_owned()
    } else {
        n
    }
}

/// A layer's name from its node's: PyTorch's module paths repeat each
/// parent in the child (`/features/features.1/conv/conv.1/Conv`), so a
/// segment that the next one extends is dropped, and so is a last segment
/// that only repeats the operator: `features.1_conv.1` (then `.` becomes
/// `_`).
pub(super) fn short_name(node: &Node) -> String {
    let segs: Vec<&str> = node.label().split('/').filter(|s| !s.is_empty()).collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        let extended = segs
            .get(i + 1)
            .is_some_and(|next| next.strip_prefix(seg).is_some_and(|r| r.starts_with('.')));
        let is_op = i + 1 == segs.len() && i > 0 && seg.split('_').next() == Some(node.op.as_str());
        if !extended && !is_op {
            kept.push(seg);
        }
    }
    if kept.is_empty() {
        node.label().to_owned()
    } else {
        kept.join("_")
    }
}
