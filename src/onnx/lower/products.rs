//! Products over token sequences (docs/onnx.md#token-sequences): a linear
//! layer on every token (`MatMul` or `Gemm` by a weight matrix, a 1x1
//! conv) and the product of two sequences (attention's Q·Kᵀ and P·V, a
//! `matmul`), with a decode step's KV cache and grouped-query attention's
//! shared heads (docs/onnx.md#language-models).

use super::attrs::unsupported;
use super::tokens::{Axis, Linear, NOT_TOKENS, Seq};
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};
use std::fmt::Write;

impl Seq {
    /// [`Seq::simple`], with heads repeated for grouped-query attention
    /// (`[Heads, Repeat]`) read as heads.
    fn simple_shared(&self) -> Vec<Axis> {
        let axes: Vec<Vec<Axis>> = self
            .axes
            .iter()
            .map(|g| {
                if g == &[Axis::Heads, Axis::Repeat] {
                    vec![Axis::Heads]
                } else {
                    g.clone()
                }
            })
            .collect();
        Seq {
            axes,
            ..self.clone()
        }
        .simple()
    }

    /// A windowed view (Swin: `[batch * windows, heads, window tokens,
    /// d]`) read as one window's product: the batch and the windows are
    /// the batch, a window's points the tokens; with the window, or
    /// `None` when the view has no windows
    /// (docs/onnx.md#swin-transformer).
    fn unwindowed(&self) -> (Seq, Option<(u64, u64)>) {
        let batch = [Axis::Batch, Axis::WinRows, Axis::WinCols];
        let tokens = [Axis::InRows, Axis::InCols];
        let has = |g: &[Axis]| self.axes.iter().any(|x| x == g);
        if !(has(&batch) && has(&tokens)) {
            // A channels-last map's points merged are its tokens (a map
            // of one window: the last stage of Swin-T).
            let axes = self
                .axes
                .iter()
                .map(|g| match g.as_slice() {
                    [Axis::Rows, Axis::Cols] => vec![Axis::Tokens],
                    _ => g.clone(),
                })
                .collect();
            return (
                Seq {
                    axes,
                    ..self.clone()
                },
                None,
            );
        }
        let axes = self
            .axes
            .iter()
            .map(|g| match g.as_slice() {
                x if x == batch => vec![Axis::Batch],
                x if x == tokens => vec![Axis::Tokens],
                _ => g.clone(),
            })
            .collect();
        let (h, w) = self.spatial.window;
        let view = Seq {
            axes,
            tokens: h.saturating_mul(w),
            ..self.clone()
        };
        (view, Some((h, w)))
    }
}

impl Lowering<'_> {
    /// `MatMul` (or `Gemm`) of a sequence `[.., C]` and weights `[C, N]` (a
    /// linear layer on every token: a 1x1 conv), or of two sequences
    /// (`matmul`).
    pub(super) fn seq_matmul(&mut self, node: &Node) -> Result<(), ImportError> {
        let a = self.seq(node, 0)?;
        if a.sliced {
            return Err(unsupported(
                node,
                format!("a product of a part of the channels of `{}`", a.expr),
                "a slice of a sequence's channels is read only by element-wise operators \
                 and a Concat that restores them (a rotary embedding's halves)",
            ));
        }
        if let Val::Const { .. } = self.val(node, 1)? {
            return self.seq_linear(node, a);
        }
        let (a_view, window) = a.unwindowed();
        let simple = a_view.simple();
        let (lead, rows) = simple.split_at(simple.len().saturating_sub(2));
        let groups = if lead == [Axis::Batch, Axis::Heads] {
            a.heads
        } else {
            1
        };
        let per_group = a.channels() / groups.max(1);
        let rows_ok = match rows {
            [Axis::Tokens, Axis::Channels] => lead == [Axis::Batch],
            [Axis::Tokens, Axis::Head] => lead == [Axis::Batch, Axis::Heads],
            _ => false,
        };
        if !rows_ok {
            return Err(unsupported(
                node,
                format!("a product whose first operand is {}", a.shape()),
                "the first operand of a product must have tokens as rows: [batch, tokens, \
                 channels] or [batch, heads, tokens, channels]",
            ));
        }
        let (b, b_window) = match self.val(node, 1)? {
            Val::Seq(b) => b.unwindowed(),
            _ => {
                return Err(unsupported(
                    node,
                    "a product of a token sequence and a feature map".into(),
                    NOT_TOKENS,
                ));
            }
        };
        // Key/value heads repeated for their query heads (grouped-query
        // attention) read as the heads they are, each shared `share` times.
        let b_simple = b.simple_shared();
        let (b_lead, b_last) = b_simple.split_at(b_simple.len().saturating_sub(2));
        let (b_groups, b_per_group) = if b_lead == [Axis::Batch, Axis::Heads] {
            (b.heads.saturating_mul(b.share), b.d)
        } else {
            (1, b.channels())
        };
        let b_tokens = b.tokens.saturating_add(b.cached);
        let chan = |x: Axis| matches!(x, Axis::Head | Axis::Channels);
        let (contract, out) = match b_last {
            [c, Axis::Tokens] if chan(*c) => ("channels", b_tokens),
            [Axis::Tokens, c] if chan(*c) => ("tokens", b_per_group),
            _ => ("", 0),
        };
        if contract.is_empty() || b_lead != lead || b_groups != groups || b_window != window {
            return Err(unsupported(
                node,
                format!("a product of {} and {}", a.shape(), b.shape()),
                "a product of two sequences multiplies [batch, heads, tokens, d] by [batch, \
                 heads, d, tokens] (Q·Kᵀ) or by [batch, heads, tokens, d] (P·V)",
            ));
        }
        let agree = !b.sliced
            && match contract {
                "channels" => b_per_group == per_group,
                _ => b_tokens == per_group,
            };
        if !agree {
            return Err(unsupported(
                node,
                format!("a product of {} and {}", a.shape(), b.shape()),
                "the contracted sizes differ",
            ));
        }
        let mut g = if groups > 1 {
            format!(", groups: {groups}")
        } else {
            String::new()
        };
        if b.share > 1 {
            let _ = write!(g, ", kv_groups: {}", b.heads);
        }
        if b.cached > 0 {
            let _ = write!(g, ", cache: {}", b.cached);
        }
        if let Some((h, w)) = window {
            let _ = write!(g, ", window: {}", super::pair(h, w));
        }
        let call = format!("matmul({}, {}, contract: {contract}{g})", a.expr, b.expr);
        self.seq_layer(node, call, &a, groups, out)
    }

    /// A linear layer on every token: a sequence whose last axis is its
    /// channels, times weights `[C, N]` (`Gemm` with `transB`: `[N, C]`),
    /// whatever order its other axes are in. A 1x1 conv of `N` channels.
    fn seq_linear(&mut self, node: &Node, a: Seq) -> Result<(), ImportError> {
        let dims = self.weight_dims(node, 1)?;
        let gemm = node.op == "Gemm";
        let int = |name: &str| match node.attr(name) {
            Some(AttrValue::Int(i)) => *i,
            _ => 0,
        };
        let trans_b = gemm && int("transB") != 0;
        let heads_free = !a
            .axes
            .iter()
            .flatten()
            .any(|&x| matches!(x, Axis::Heads | Axis::Head));
        let last_ok = a.axes.last().is_some_and(|g| g == &[Axis::Channels]);
        let kn = match dims.as_slice() {
            [x, y] if trans_b => Some((*y, *x)),
            [x, y] => Some((*x, *y)),
            _ => None,
        };
        let (Some((k, n)), true, true, false) =
            (kn, heads_free, last_ok, gemm && int("transA") != 0)
        else {
            return Err(unsupported(
                node,
                format!("weights of shape {dims:?} multiply {}", a.shape()),
                "a linear layer on every token multiplies [.., tokens, channels] by a \
                 [channels, out] matrix",
            ));
        };
        if k != a.channels() {
            return Err(unsupported(
                node,
                format!("weights of shape {dims:?} multiply {}", a.shape()),
                "the weights' rows must be the sequence's channels",
            ));
        }
        // Patch merging's space to depth read by a linear layer: a
        // convolution whose kernel and stride are the stride of its
        // phases (docs/onnx.md#swin-transformer).
        let window = match a.spatial.unshuffle {
            Some((h, w)) => {
                let k = super::pair(h, w);
                let _ = writeln!(
                    self.body,
                    "# `{}`: patch merging, the map's {h}x{w} phases side by side on the \
                     channels and a linear layer: a convolution of kernel and stride {k}",
                    node.label()
                );
                format!("kernel: {k}, stride: {k}")
            }
            None => "kernel: 1".to_owned(),
        };
        let call = format!("conv({}, {n}, {window})", a.expr);
        let input = a.expr.clone();
        let a = Seq {
            spatial: super::tokens::Spatial {
                unshuffle: None,
                ..a.spatial
            },
            ..a
        };
        self.seq_layer(node, call.clone(), &a, 1, n)?;
        if let Some(name) = self.last_layer.clone() {
            self.linears.insert(
                name,
                Linear {
                    input,
                    call,
                    parts: Vec::new(),
                },
            );
        }
        Ok(())
    }
}
