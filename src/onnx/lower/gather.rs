//! Picking from a token sequence (docs/onnx.md#token-sequences): the
//! class token (a `Gather` of token 0, a pool of one point), and one
//! group of a linear layer's output channels (the query, key or value of
//! a fused projection, which writes that layer as one conv per group).

use super::attrs::unsupported;
use super::tokens::{Axis, Seq, uses};
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};
use std::fmt::Write;

impl Lowering<'_> {
    /// `Gather` of one index of a sequence: the class token (index 0 of the
    /// tokens) read by a pool of one point whose stride skips the other
    /// tokens, or one group of a linear layer's output channels (the query,
    /// key or value of a fused projection), which writes that layer as one
    /// conv per group.
    pub(super) fn seq_gather(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let n = i64::try_from(s.axes.len()).unwrap_or(i64::MAX);
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) if *a < 0 => a + n,
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let index = self.ints(node, 1).filter(|v| v.len() == 1).map(|v| v[0]);
        let group = usize::try_from(axis).ok().and_then(|a| s.axes.get(a));
        let refuse = || {
            unsupported(
                node,
                format!(
                    "a gather of index {index:?} on axis {axis} of {}",
                    s.shape()
                ),
                "only the class token (index 0 of the tokens) or one group of a linear \
                 layer's channels can be picked from a sequence",
            )
        };
        // An index not known (transformers' `logits_to_keep`, an input):
        // one token, whichever it is, costs the same.
        let runtime = index.is_none()
            && group.is_some_and(|g| g == &[Axis::Tokens])
            && matches!(self.val(node, 1), Ok(Val::Const { .. }));
        let index = if runtime { Some(0) } else { index };
        let (Some(group), Some(index), Ok(at)) = (group, index, usize::try_from(axis)) else {
            return Err(refuse());
        };
        let mut rest = s.axes.clone();
        rest.remove(at);
        match group.as_slice() {
            [Axis::Tokens] if index == 0 && rest == [vec![Axis::Batch], vec![Axis::Channels]] => {
                let call = format!(
                    "pool({}, kernel: 1, stride: {})",
                    s.expr,
                    super::pair(s.size.0, s.size.1)
                );
                self.layer(node, call, s.channels(), 1, 1);
                Ok(())
            }
            [Axis::Heads]
                if (0..i64::try_from(s.heads).unwrap_or(0)).contains(&index)
                    && rest.iter().filter(|g| g == &&[Axis::Head]).count() == 1
                    && !rest.iter().flatten().any(|&a| a == Axis::Heads) =>
            {
                let parts = self.split_linear(node, &s)?;
                let expr = usize::try_from(index)
                    .ok()
                    .and_then(|i| parts.get(i).cloned())
                    .ok_or_else(refuse)?;
                let axes = rest
                    .into_iter()
                    .map(|g| {
                        if g == [Axis::Head] {
                            vec![Axis::Channels]
                        } else {
                            g
                        }
                    })
                    .collect();
                *self.folded.entry(node.op.clone()).or_insert(0) += 1;
                self.set_seq(
                    node,
                    Seq {
                        expr,
                        layer: true,
                        heads: 1,
                        axes,
                        ..s
                    },
                );
                Ok(())
            }
            // One part of a projection split with its heads at once
            // (Swin's QKV): that part's conv, its heads kept.
            [Axis::Parts]
                if (0..i64::try_from(s.parts).unwrap_or(0)).contains(&index)
                    && !rest.iter().flatten().any(|&a| a == Axis::Parts) =>
            {
                let part = usize::try_from(index).map_err(|_| refuse())?;
                let found = self.gather_part(node, s.clone(), rest, part)?;
                found.ok_or_else(refuse)
            }
            _ => Err(refuse()),
        }
    }

    /// Part `part` of a projection split into parts and heads at once:
    /// that part's conv (the projection written as one conv per part),
    /// its heads kept, over the axes `rest`; `Ok(None)` if there is no
    /// such part.
    fn gather_part(
        &mut self,
        node: &Node,
        s: Seq,
        rest: Vec<Vec<Axis>>,
        part: usize,
    ) -> Result<Option<()>, ImportError> {
        let whole = Seq {
            heads: s.parts,
            d: s.heads.saturating_mul(s.d),
            parts: 1,
            ..s.clone()
        };
        let Some(expr) = self.split_linear(node, &whole)?.get(part).cloned() else {
            return Ok(None);
        };
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set_seq(
            node,
            Seq {
                expr,
                layer: true,
                parts: 1,
                axes: rest,
                ..s
            },
        );
        Ok(Some(()))
    }

    /// The convs a linear layer `s.expr` is written as, one per group of
    /// `s.d` output channels: its line rewritten on the first gather.
    pub(super) fn split_linear(
        &mut self,
        node: &Node,
        s: &Seq,
    ) -> Result<Vec<String>, ImportError> {
        let refuse = |why: &str| {
            unsupported(
                node,
                format!(
                    "a gather of one group of the channels of `{}`: {why}",
                    s.expr
                ),
                "only the output of a linear layer on every token, read by nothing else, \
                 can be split into groups (a fused QKV projection)",
            )
        };
        let Some(lin) = self.linears.get(&s.expr).cloned() else {
            return Err(refuse("not a linear layer"));
        };
        if !lin.parts.is_empty() {
            return Ok(lin.parts);
        }
        let line = format!("{} = {}\n", s.expr, lin.call);
        if uses(&self.body, &s.expr) != 1 || !self.body.contains(&line) {
            return Err(refuse("it is read by another layer"));
        }
        let mut lines = String::new();
        let mut parts = Vec::new();
        for j in 0..s.heads {
            let name = self.fresh(&format!("{}_part{j}", s.expr));
            let _ = writeln!(lines, "{name} = conv({}, {}, kernel: 1)", lin.input, s.d);
            parts.push(name);
        }
        self.body = self.body.replacen(&line, &lines, 1);
        self.layers = self
            .layers
            .saturating_add(usize::try_from(s.heads).unwrap_or(1))
            .saturating_sub(1);
        if self.last_layer.as_ref() == Some(&s.expr) {
            self.last_layer = parts.last().cloned();
        }
        if let Some(l) = self.linears.get_mut(&s.expr) {
            l.parts = parts.clone();
        }
        Ok(parts)
    }
}
