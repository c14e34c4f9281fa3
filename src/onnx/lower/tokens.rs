//! Token sequences (docs/onnx.md#token-sequences): a transformer's tensors
//! `[B, T, C]`, their per-head views `[B, T, H, D]`, `[B, H, T, D]` and
//! `[B, H, D, T]` after `Reshape` and `Transpose`, and the `MatMul`s over
//! them. In `.nn` terms every such tensor is one feature map whose
//! channels are the hidden size (head-major: channel `h * D + j`) and
//! whose spatial points are the tokens; only the order of the tensor's
//! axes is tracked, so that each `MatMul` knows which side it contracts.

use super::ops::unsupported;
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};

/// An axis of a token tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Axis {
    /// The batch.
    Batch,
    /// The tokens.
    Tokens,
    /// The heads of a multi-head view.
    Heads,
    /// The channels of one head.
    Head,
    /// All channels (the heads merged).
    Channels,
}

/// A token sequence: the feature map `expr` (`heads * d` channels over
/// its tokens) seen as a tensor of `axes`.
#[derive(Clone, Debug)]
pub(super) struct Seq {
    pub(super) expr: String,
    /// Written by a layer (only layers can be outputs).
    pub(super) layer: bool,
    /// Tokens: the feature map's spatial points.
    pub(super) tokens: u64,
    /// Its fmap size, `tokens` points.
    pub(super) size: (u64, u64),
    /// Heads of the channels.
    pub(super) heads: u64,
    /// Channels per head.
    pub(super) d: u64,
    /// The tensor's axes, in order.
    pub(super) axes: Vec<Axis>,
}

impl Seq {
    fn channels(&self) -> u64 {
        self.heads.saturating_mul(self.d)
    }

    fn extent(&self, a: Axis) -> Option<u64> {
        match a {
            Axis::Batch => None,
            Axis::Tokens => Some(self.tokens),
            Axis::Heads => Some(self.heads),
            Axis::Head => Some(self.d),
            Axis::Channels => Some(self.channels()),
        }
    }

    fn shape(&self) -> String {
        let dims: Vec<String> = self
            .axes
            .iter()
            .map(|&a| self.extent(a).map_or("batch".into(), |n| n.to_string()))
            .collect();
        format!("[{}]", dims.join(", "))
    }
}

const NOT_TOKENS: &str = "token tensors are [batch, tokens, channels], split into heads by a \
                          Reshape and reordered by Transpose (docs/onnx.md#token-sequences)";

impl Lowering<'_> {
    /// Lowers `node` if it reads a token sequence or makes one from a
    /// feature map; `None` when it is not a node of token sequences.
    pub(super) fn tokens(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let seqs: Vec<usize> = (0..node.inputs.len())
            .filter(|&i| matches!(self.val(node, i), Ok(Val::Seq(_))))
            .collect();
        let op = node.op.as_str();
        if seqs.is_empty() {
            // A feature map [B, C, H, W] flattened to [B, C, H * W]: the
            // same map, now a tensor of tokens with channels first.
            return (op == "Reshape" || op == "Flatten")
                .then(|| self.fmap_to_seq(node))
                .flatten();
        }
        Some(match op {
            "Reshape" => self.seq_reshape(node),
            "Transpose" => self.seq_transpose(node),
            "MatMul" => self.seq_matmul(node),
            _ if super::FOLDED.contains(&op) => self.seq_fold(node, 0),
            _ if super::ELEMENTWISE.contains(&op) => self.seq_eltwise(node, &seqs),
            _ => Err(unsupported(
                node,
                format!("nnc has no model of `{op}` over a token sequence"),
                NOT_TOKENS,
            )),
        })
    }

    fn seq(&self, node: &Node, i: usize) -> Result<Seq, ImportError> {
        match self.val(node, i)? {
            Val::Seq(s) => Ok(s.clone()),
            _ => Err(unsupported(
                node,
                format!("input {i} is not a token sequence"),
                NOT_TOKENS,
            )),
        }
    }

    fn set_seq(&mut self, node: &Node, s: Seq) {
        self.set(node, Val::Seq(s));
    }

    fn seq_fold(&mut self, node: &Node, i: usize) -> Result<(), ImportError> {
        let s = self.seq(node, i)?;
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set_seq(node, Seq { layer: false, ..s });
        Ok(())
    }

    /// `Reshape` (or `Flatten` from axis 2) of a feature map `[B, C, H, W]`
    /// to `[B, C, H * W]`; `None` for any other reshape of a feature map.
    fn fmap_to_seq(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let Ok(Val::Fmap {
            expr,
            c,
            h,
            w,
            layer,
            flat: false,
            pad: [0, 0, 0, 0],
        }) = self.val(node, 0).cloned()
        else {
            return None;
        };
        let tokens = h.checked_mul(w)?;
        let to_tokens = match node.op.as_str() {
            "Flatten" => matches!(node.attr("axis"), Some(AttrValue::Int(2))),
            _ => match self.val(node, 1) {
                Ok(Val::Const { ints, .. }) => {
                    matches!(ints.as_slice(), [b, ch, t]
                        if matches!(*b, -1..=1)
                            && (*ch == 0 || u64::try_from(*ch).ok() == Some(c))
                            && (*t == -1 || u64::try_from(*t).ok() == Some(tokens)))
                }
                _ => false,
            },
        };
        if !to_tokens || (h == 1 && w == 1) {
            return None;
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set_seq(
            node,
            Seq {
                expr,
                layer,
                tokens,
                size: (h, w),
                heads: 1,
                d: c,
                axes: vec![Axis::Batch, Axis::Channels, Axis::Tokens],
            },
        );
        Some(Ok(()))
    }

    /// `Reshape` of a sequence: its channels split into heads
    /// (`[B, T, C]` to `[B, T, H, D]`) or the heads merged back.
    fn seq_reshape(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let target = match self.val(node, 1) {
            Ok(Val::Const { ints, .. }) if !ints.is_empty() => ints.clone(),
            _ => {
                return Err(unsupported(
                    node,
                    format!("a reshape of {} to a computed shape", s.shape()),
                    "export with static shapes (the reshape's target a constant)",
                ));
            }
        };
        let channels = s.channels();
        let fits = |want: i64, have: u64| want == -1 || u64::try_from(want).ok() == Some(have);
        let batch_ok = target.first().is_some_and(|b| matches!(*b, -1..=1));
        let next = match (&s.axes[..], &target[..]) {
            ([Axis::Batch, Axis::Tokens, Axis::Channels], [_, t, h, d])
                if batch_ok
                    && fits(*t, s.tokens)
                    && u64::try_from(*h).is_ok_and(|h| h > 0 && channels % h == 0)
                    && fits(*d, channels / u64::try_from(*h).unwrap_or(1)) =>
            {
                let h = u64::try_from(*h).unwrap_or(1);
                Some(Seq {
                    heads: h,
                    d: channels / h,
                    axes: vec![Axis::Batch, Axis::Tokens, Axis::Heads, Axis::Head],
                    ..s.clone()
                })
            }
            ([Axis::Batch, Axis::Tokens, Axis::Heads, Axis::Head], [_, t, c])
                if batch_ok && fits(*t, s.tokens) && fits(*c, channels) =>
            {
                Some(Seq {
                    axes: vec![Axis::Batch, Axis::Tokens, Axis::Channels],
                    ..s.clone()
                })
            }
            _ => None,
        };
        let Some(next) = next else {
            return Err(unsupported(
                node,
                format!("a reshape of {} to {target:?}", s.shape()),
                "only reshapes that split a sequence's channels into heads, or merge them \
                 back, are supported",
            ));
        };
        self.seq_fold(node, 0)?;
        self.set_seq(
            node,
            Seq {
                layer: false,
                ..next
            },
        );
        Ok(())
    }

    /// `Transpose` of a sequence: its axes reordered, the batch first.
    fn seq_transpose(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let n = s.axes.len();
        let perm: Vec<i64> = match node.attr("perm") {
            Some(AttrValue::Ints(p)) => p.clone(),
            _ => (0..n as i64).rev().collect(),
        };
        let idx: Option<Vec<usize>> = perm
            .iter()
            .map(|&p| usize::try_from(if p < 0 { p + n as i64 } else { p }).ok())
            .collect();
        let valid = idx.as_ref().is_some_and(|ix| {
            let mut sorted = ix.clone();
            sorted.sort_unstable();
            sorted == (0..n).collect::<Vec<_>>() && ix.first() == Some(&0)
        });
        let (true, Some(idx)) = (valid, idx) else {
            return Err(unsupported(
                node,
                format!("a transpose of {} by {perm:?}", s.shape()),
                "a transpose of a sequence must keep the batch first",
            ));
        };
        let axes = idx.iter().map(|&i| s.axes[i]).collect();
        self.seq_fold(node, 0)?;
        self.set_seq(
            node,
            Seq {
                axes,
                layer: false,
                ..s
            },
        );
        Ok(())
    }

    /// `MatMul` of a sequence `[.., T, C]` and weights `[C, N]` (a linear
    /// layer on every token: a 1x1 conv), or of two sequences (`matmul`).
    fn seq_matmul(&mut self, node: &Node) -> Result<(), ImportError> {
        let a = self.seq(node, 0)?;
        let (lead, rows) = a.axes.split_at(a.axes.len().saturating_sub(2));
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
        let b = match self.val(node, 1)? {
            Val::Seq(b) => b.clone(),
            Val::Const { .. } => {
                let dims = self.weight_dims(node, 1)?;
                let ([k, n], [Axis::Batch, Axis::Tokens, Axis::Channels]) =
                    (dims.as_slice(), &a.axes[..])
                else {
                    return Err(unsupported(
                        node,
                        format!("weights of shape {dims:?} multiply {}", a.shape()),
                        "a linear layer on every token multiplies [batch, tokens, channels] by \
                         a [channels, out] matrix",
                    ));
                };
                if *k != a.channels() {
                    return Err(unsupported(
                        node,
                        format!("weights of shape {dims:?} multiply {}", a.shape()),
                        "the weights' rows must be the sequence's channels",
                    ));
                }
                let n = *n;
                let call = format!("conv({}, {n}, kernel: 1)", a.expr);
                return self.seq_layer(node, call, &a, 1, n);
            }
            Val::Fmap { .. } | Val::Channel { .. } | Val::Shuffle { .. } => {
                return Err(unsupported(
                    node,
                    "a product of a token sequence and a feature map".into(),
                    NOT_TOKENS,
                ));
            }
        };
        let (b_lead, b_last) = b.axes.split_at(b.axes.len().saturating_sub(2));
        let b_groups = if b_lead == [Axis::Batch, Axis::Heads] {
            b.heads
        } else {
            1
        };
        let chan = |x: Axis| matches!(x, Axis::Head | Axis::Channels);
        let (contract, out) = match b_last {
            [c, Axis::Tokens] if chan(*c) => ("channels", b.tokens),
            [Axis::Tokens, c] if chan(*c) => ("tokens", b.channels() / b_groups.max(1)),
            _ => ("", 0),
        };
        if contract.is_empty() || b_lead != lead || b_groups != groups {
            return Err(unsupported(
                node,
                format!("a product of {} and {}", a.shape(), b.shape()),
                "a product of two sequences multiplies [batch, heads, tokens, d] by [batch, \
                 heads, d, tokens] (Q·Kᵀ) or by [batch, heads, tokens, d] (P·V)",
            ));
        }
        let agree = match contract {
            "channels" => b.channels() / b_groups.max(1) == per_group,
            _ => b.tokens == per_group,
        };
        if !agree {
            return Err(unsupported(
                node,
                format!("a product of {} and {}", a.shape(), b.shape()),
                "the contracted sizes differ",
            ));
        }
        let g = if groups > 1 {
            format!(", groups: {groups}")
        } else {
            String::new()
        };
        let call = format!("matmul({}, {}, contract: {contract}{g})", a.expr, b.expr);
        self.seq_layer(node, call, &a, groups, out)
    }

    /// A layer over the tokens of `a`: `heads` groups of `d` channels out,
    /// with `a`'s axes.
    fn seq_layer(
        &mut self,
        node: &Node,
        call: String,
        a: &Seq,
        heads: u64,
        d: u64,
    ) -> Result<(), ImportError> {
        self.layer(node, call, heads.saturating_mul(d), a.size.0, a.size.1);
        let Some(Val::Fmap { expr, .. }) = node.outputs.first().and_then(|o| self.vals.get(o))
        else {
            return Err(unsupported(node, "no output".into(), "check the graph"));
        };
        let expr = expr.clone();
        self.set_seq(
            node,
            Seq {
                expr,
                layer: true,
                heads,
                d,
                ..a.clone()
            },
        );
        Ok(())
    }

    /// `Add`, `Mul`, ... over sequences: a bias or a scale by a constant is
    /// folded; two sequences of one shape are an `eltwise` (a residual sum).
    fn seq_eltwise(&mut self, node: &Node, seqs: &[usize]) -> Result<(), ImportError> {
        let maps = (0..node.inputs.len())
            .filter(|&i| matches!(self.val(node, i), Ok(Val::Fmap { .. })))
            .count();
        if maps > 0 {
            return Err(unsupported(
                node,
                "an element-wise operation of a token sequence and a feature map".into(),
                NOT_TOKENS,
            ));
        }
        let all: Vec<Seq> = seqs
            .iter()
            .map(|&i| self.seq(node, i))
            .collect::<Result<_, _>>()?;
        let [first, rest @ ..] = all.as_slice() else {
            return Err(unsupported(node, "no inputs".into(), "check the graph"));
        };
        // One sequence with constants, or a sequence with functions of
        // itself (GELU's `x * (1 + erf(x / √2)) / 2`): element-wise on
        // one tensor, folded.
        if rest.iter().all(|o| o.expr == first.expr) {
            return self.seq_fold(node, seqs[0]);
        }
        if let Some(o) = rest.iter().find(|o| {
            (o.axes.clone(), o.tokens, o.channels())
                != (first.axes.clone(), first.tokens, first.channels())
        }) {
            return Err(unsupported(
                node,
                format!("sequences of shapes {} and {}", first.shape(), o.shape()),
                "element-wise layers need inputs of equal shapes",
            ));
        }
        let args: Vec<&str> = all.iter().map(|s| s.expr.as_str()).collect();
        let call = format!("eltwise({})", args.join(", "));
        let first = first.clone();
        let (heads, d) = (first.heads, first.d);
        self.seq_layer(node, call, &first, heads, d)
    }
}
