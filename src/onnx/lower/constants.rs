//! Nodes of constants (docs/onnx.md#what-each-operator-becomes): a
//! `Constant`, weights renamed, cast or reshaped, and shape arithmetic
//! (evaluated by `shapes.rs` when a token sequence needs its values).
//! None of them computes a feature map.

use super::shapes::{broadcast, reshaped};
use super::{FOLDED, Lowering, Val, inputs::konst};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};

impl Lowering<'_> {
    /// Lowers `node` if it computes a constant; `Ok(false)` if it reads a
    /// feature map or a sequence.
    pub(super) fn constant(&mut self, node: &Node) -> Result<bool, ImportError> {
        let op = node.op.as_str();
        let all_const = !node.inputs.is_empty()
            && node
                .inputs
                .iter()
                .filter(|s| !s.is_empty())
                .all(|s| matches!(self.vals.get(s), Some(Val::Const { .. })));
        if (all_const || matches!(op, "Shape" | "Size"))
            && let Some(v) = self.eval_shape(node)
            && let Some(o) = node.outputs.first()
        {
            self.shapes.insert(o.clone(), v);
            if let Some(d) = self.eval_dims(node) {
                self.shape_dims.insert(o.clone(), d);
            }
        }
        if op == "Constant" {
            let v = match node.attr("value") {
                Some(AttrValue::Tensor(t)) => konst(t),
                _ => Val::shape_only(None),
            };
            self.set(node, v);
            return Ok(true);
        }
        if all_const && FOLDED.contains(&op) {
            // A weight renamed (`Identity`) or cast keeps its shape.
            let v = self.val(node, 0)?.clone();
            self.set(node, v);
            return Ok(true);
        }
        if op == "ConstantOfShape"
            && let Ok(Val::Const { ints, .. }) = self.val(node, 0)
            && !ints.is_empty()
        {
            // Older model-zoo files make their weights this way: a tensor of
            // the shape held by an initializer.
            let dims = Some(ints.clone());
            self.set(node, Val::shape_only(dims));
            return Ok(true);
        }
        if all_const
            && op == "Reshape"
            && let (Ok(Val::Const { dims: Some(d), .. }), Ok(Val::Const { ints: t, .. })) =
                (self.val(node, 0), self.val(node, 1))
            && !t.is_empty()
        {
            // A weight reshaped for its layer (older model-zoo files).
            let dims = reshaped(d, t);
            self.set(node, Val::shape_only(dims));
            return Ok(true);
        }
        if all_const || matches!(op, "Shape" | "Size" | "ConstantOfShape") {
            // Why: a subgraph of constants (shape arithmetic for a reshape)
            // computes no feature map; its values are not needed, except
            // the shape of a weight broadcast over the batch (a class
            // token: docs/onnx.md#token-sequences).
            if op == "Expand"
                && let (Ok(Val::Const { dims: Some(d), .. }), Some(to)) =
                    (self.val(node, 0), self.ints(node, 1))
                && let Some(dims) = broadcast(d, &to)
                && let Some(o) = node.outputs.first()
            {
                self.vals.insert(o.clone(), Val::shape_only(Some(dims)));
                return Ok(true);
            }
            for o in &node.outputs {
                self.vals.insert(o.clone(), Val::shape_only(None));
            }
            return Ok(true);
        }
        Ok(false)
    }
}
