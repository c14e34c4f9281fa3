//! Operators on a part of a sequence's channels (docs/onnx.md#language-models):
//! a fused projection's output split into its parts (`Split`: GPT-2's
//! c_attn), rotary position embeddings (Llama: each head's halves sliced,
//! one negated, concatenated back swapped, both scaled by constants and
//! added), and the per-token statistics of a normalization (RMSNorm's
//! mean of squares).

use super::attrs::unsupported;
use super::tokens::{Axis, Seq};
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};

impl Lowering<'_> {
    /// The last axis of `s` as an ONNX axis, and whether `axis` names it.
    fn is_last(s: &Seq, axis: i64) -> bool {
        let n = i64::try_from(s.axes.len()).unwrap_or(i64::MAX);
        axis == -1 || axis == n - 1
    }

    /// `Slice` of a sequence's channels (a rotary embedding's halves):
    /// folded, marked as a part, which only element-wise operators and a
    /// `Concat` restoring the whole may read.
    pub(super) fn seq_slice(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let axes = self.ints(node, 3).unwrap_or_default();
        let last = s
            .axes
            .last()
            .is_some_and(|g| g == &[Axis::Head] || g == &[Axis::Channels]);
        let (true, [axis]) = (last, axes.as_slice()) else {
            return Err(unsupported(
                node,
                format!(
                    "a slice on axes {axes:?} of a sequence of axes {:?}",
                    s.axes
                ),
                "only a part of a sequence's channels (a rotary embedding's halves) can be \
                 sliced; tokens are whole",
            ));
        };
        if !Self::is_last(&s, *axis) {
            return Err(unsupported(
                node,
                format!("a slice on axis {axis} of a sequence of axes {:?}", s.axes),
                "only a part of a sequence's channels (its last axis) can be sliced",
            ));
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set(
            node,
            Val::Seq(Seq {
                sliced: true,
                layer: false,
                ..s
            }),
        );
        Ok(())
    }

    /// `Concat` on the last axis of parts of one sequence's channels (a
    /// rotary embedding's halves put back): folded, the whole again;
    /// `None` when the inputs are not such parts.
    pub(super) fn seq_concat_parts(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let parts: Vec<Seq> = (0..node.inputs.len())
            .map(|i| match self.val(node, i) {
                Ok(Val::Seq(s)) => Some(s.clone()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let first = parts.first()?.clone();
        let same = parts.iter().all(|p| p.expr == first.expr && p.sliced);
        if !same || parts.len() < 2 || !Self::is_last(&first, axis) {
            return None;
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set(
            node,
            Val::Seq(Seq {
                sliced: false,
                layer: false,
                ..first
            }),
        );
        Some(Ok(()))
    }

    /// `Split` of a linear layer's output channels into equal parts (a
    /// fused QKV projection, GPT-2's c_attn): the layer written as one
    /// conv per part, the same MACs and weights, each part its own
    /// sequence.
    pub(super) fn seq_split(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let n = u64::try_from(node.outputs.len()).unwrap_or(0);
        let sizes = match (self.ints(node, 1), node.attr("split")) {
            (Some(v), _) => v,
            (None, Some(AttrValue::Ints(v))) => v.clone(),
            _ => Vec::new(),
        };
        let whole = s.channels();
        let size = whole.checked_div(n).unwrap_or(0);
        let equal = sizes.is_empty() || sizes.iter().all(|&x| u64::try_from(x).ok() == Some(size));
        let channels_last = s.axes.last().is_some_and(|g| g == &[Axis::Channels]);
        if !(equal && channels_last && Self::is_last(&s, axis) && n > 1 && size * n == whole) {
            return Err(unsupported(
                node,
                format!(
                    "a split on axis {axis} of a sequence of axes {:?} into {sizes:?}",
                    s.axes
                ),
                "only a linear layer's output channels split into equal parts (a fused QKV \
                 projection) are supported",
            ));
        }
        let groups = Seq {
            heads: n,
            d: size,
            ..s.clone()
        };
        let parts = self.split_linear(node, &groups)?;
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        for (o, expr) in node.outputs.iter().zip(parts) {
            self.vals.insert(
                o.clone(),
                Val::Seq(Seq {
                    expr,
                    layer: true,
                    heads: 1,
                    d: size,
                    ..s.clone()
                }),
            );
        }
        Ok(())
    }

    /// A reduction of a sequence over its channels (the mean of squares
    /// of RMSNorm, a layer norm written out): a per-token statistic
    /// applied element-wise, folded with the normalization.
    pub(super) fn seq_reduce(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let axes = match (node.attr("axes"), self.ints(node, 1)) {
            (Some(AttrValue::Ints(a)), _) => a.clone(),
            (_, Some(a)) => a,
            _ => Vec::new(),
        };
        match axes.as_slice() {
            [a] if Self::is_last(&s, *a) => self.seq_fold(node, 0),
            _ => Err(unsupported(
                node,
                format!(
                    "a reduction on axes {axes:?} of a sequence of axes {:?}",
                    s.axes
                ),
                "only a reduction over a sequence's channels (a normalization's statistic) \
                 is supported",
            )),
        }
    }
}
