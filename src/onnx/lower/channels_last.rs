//! Channels-last blocks (docs/onnx.md#channels-last-blocks): ConvNeXt
//! transposes a feature map `[N, C, H, W]` to `[N, H, W, C]`, applies a
//! LayerNorm and linear layers on the last axis, and transposes back. A
//! linear layer on the last axis of `[N, H, W, C]` is a 1x1 convolution
//! of the map, the same a channels-first export gives, so the transposes
//! only change how the axes are read: the channels-last tensor is a
//! token sequence whose tokens are the map's `H x W` points, and the
//! transpose back makes it the feature map again.

use super::tokens::{Axis, Seq};
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};

fn perm(node: &Node) -> Vec<i64> {
    match node.attr("perm") {
        Some(AttrValue::Ints(p)) => p.clone(),
        _ => Vec::new(),
    }
}

impl Lowering<'_> {
    /// `Transpose` of a feature map to channels last (`perm` `[0, 2, 3,
    /// 1]`): a sequence over its `H x W` points. `None` for any other
    /// transpose.
    pub(super) fn channels_last_view(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let (expr, c, h, w, layer) = self.plain_fmap(node)?;
        if perm(node) != [0, 2, 3, 1] {
            return None;
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        let axes = [Axis::Batch, Axis::Rows, Axis::Cols, Axis::Channels];
        let axes = axes.map(|a| vec![a]).to_vec();
        let seq = Seq::plain(expr, layer, (h, w), c, axes, self.batch1);
        self.set(node, Val::Seq(seq));
        Some(Ok(()))
    }

    /// `Transpose` of a channels-last sequence `[N, H, W, C]` back to
    /// `[N, C, H, W]` (`perm` `[0, 3, 1, 2]`): the feature map. `None`
    /// for any other transpose.
    pub(super) fn channels_first_again(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let Ok(Val::Seq(s)) = self.val(node, 0).cloned() else {
            return None;
        };
        let nhwc = [
            vec![Axis::Batch],
            vec![Axis::Rows],
            vec![Axis::Cols],
            vec![Axis::Channels],
        ];
        if s.axes != nhwc || perm(node) != [0, 3, 1, 2] || s.sliced || s.spatial.is_part() {
            return None;
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set(
            node,
            Val::Fmap {
                c: s.channels(),
                expr: s.expr,
                h: s.size.0,
                w: s.size.1,
                layer: s.layer,
                flat: false,
                pad: [0; 4],
            },
        );
        Some(Ok(()))
    }
}
