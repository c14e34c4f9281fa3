//! One-dimensional convolutions (`Conv1d`: Whisper's stem, audio and
//! sequence models) as 2-D convolutions of width 1, and the transpose that
//! turns their output into a token sequence (docs/onnx.md#language-models);
//! a 3-D convolution is refused with what it would need.

use super::attrs::unsupported;
use super::tokens::{Axis, Seq};
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};

/// A `Conv` node over `[N, C, L]` written as the same convolution over
/// `[N, C, L, 1]`: each per-dimension attribute gets a width of one
/// (kernel 1, stride 1, no padding, no dilation).
pub(super) fn as_2d(node: &Node) -> Node {
    let mut n = node.clone();
    for (name, value) in &mut n.attrs {
        if let AttrValue::Ints(v) = value {
            *v = match (name.as_str(), v.as_slice()) {
                ("kernel_shape" | "strides" | "dilations", [a]) => vec![*a, 1],
                ("pads", [a, b]) => vec![*a, 0, *b, 0],
                _ => v.clone(),
            };
        }
    }
    n
}

/// Why a convolution over more than two dimensions is refused.
pub(super) fn refuse_3d(node: &Node, dims: &[u64]) -> ImportError {
    unsupported(
        node,
        format!(
            "weights of shape {dims:?}: a convolution over {} dimensions (video, volumes)",
            dims.len().saturating_sub(2)
        ),
        "nnc's model is a loop nest over 2-D feature maps (channels, height, width, batch); a \
         3-D convolution would need a depth loop in the layer model, the mapping and the \
         partitioning, which nnc does not have. A (2+1)-D factorisation (R(2+1)D) whose \
         temporal convolutions are 1-D over time could be exported frame by frame instead",
    )
}

impl Lowering<'_> {
    /// `Transpose` of a 1-D feature map `[N, C, L]` to `[N, L, C]`: the
    /// same map, now a sequence of `L` tokens of `C` channels (Whisper's
    /// encoder after its convolutions). `None` for any other transpose.
    pub(super) fn fmap_transpose(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let (expr, c, h, w, layer) = self.plain_fmap(node)?;
        if w != 1 {
            return None;
        }
        let perm = match node.attr("perm") {
            Some(AttrValue::Ints(p)) => p.clone(),
            _ => return None,
        };
        if perm != [0, 2, 1] || h == 1 {
            return None;
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        let axes = vec![vec![Axis::Batch], vec![Axis::Tokens], vec![Axis::Channels]];
        let seq = Seq::plain(expr, layer, (h, 1), c, axes, self.batch1);
        self.set(node, Val::Seq(seq));
        Some(Ok(()))
    }
}
