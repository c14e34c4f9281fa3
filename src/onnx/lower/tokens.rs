//! Token sequences (docs/onnx.md#token-sequences): a transformer's tensors
//! `[B, T, C]`, their per-head views `[B, T, H, D]`, `[B, H, T, D]` and
//! `[B, H, D, T]` after `Reshape` and `Transpose`, and the `MatMul`s over
//! them. In `.nn` terms every such tensor is one feature map whose
//! channels are the hidden size (head-major: channel `h * D + j`) and
//! whose spatial points are the tokens; only the order of the tensor's
//! axes is tracked, so that each `MatMul` knows which side it contracts.

use super::attrs::unsupported;
use super::shapes::BATCH;
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
    /// An axis of size one (an `Unsqueeze`).
    Unit,
    /// The rows of a channels-last feature map `[N, H, W, C]`.
    Rows,
    /// Its columns.
    Cols,
    /// A unit axis after the heads broadcast `share` times (`Expand`):
    /// grouped-query attention's key/value heads repeated for their
    /// query heads (docs/onnx.md#language-models).
    Repeat,
    /// The windows down a channels-last map split into windows (Swin:
    /// `[N, H / w, w, W / w, w, C]`, docs/onnx.md#swin-transformer).
    WinRows,
    /// The rows within a window.
    InRows,
    /// The windows across.
    WinCols,
    /// The columns within a window.
    InCols,
    /// The parts of a fused projection split with its heads at once
    /// (Swin's `[.., 3, heads, d]` of its QKV projection).
    Parts,
}

/// Where a sequence's points are, beyond its axes: the window its map is
/// split into, and what part of the map a slice of it holds
/// (docs/onnx.md#swin-transformer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Spatial {
    /// Rows and columns of a window, while [`Axis::WinRows`] and the
    /// others are among the axes; `(0, 0)` before any split.
    pub(super) window: (u64, u64),
    /// A slice of the rows or columns: the axis (its index) and the
    /// range, a piece of a cyclic shift (`torch.roll`).
    pub(super) range: Option<(usize, u64, u64)>,
    /// A strided slice of rows and columns: the stride and the offset of
    /// each (Swin's patch merging takes `x[0::2, 0::2]` and three more).
    pub(super) phase: Option<[(u64, u64); 2]>,
    /// The phases of a stride concatenated on the channels (a space to
    /// depth by this factor): a linear layer on it is a convolution of
    /// this kernel and stride.
    pub(super) unshuffle: Option<(u64, u64)>,
}

impl Spatial {
    /// Is the sequence a part of its map, or a rearrangement a linear
    /// layer alone reads?
    pub(super) fn is_part(&self) -> bool {
        self.range.is_some() || self.phase.is_some() || self.unshuffle.is_some()
    }
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
    /// The tensor's axes, in order, each one or more of the above merged
    /// (a reshape to `[tokens, batch * heads, d]` merges two).
    pub(super) axes: Vec<Vec<Axis>>,
    /// Tokens more in a KV cache, concatenated before the sequence's own
    /// (a decode step's past keys or values).
    pub(super) cached: u64,
    /// How many times each head is repeated ([`Axis::Repeat`]).
    pub(super) share: u64,
    /// Whether it is a part of its channels (a `Slice` of a rotary
    /// embedding's halves), which only element-wise operators and a
    /// `Concat` restoring the whole may read.
    pub(super) sliced: bool,
    /// Whether the batch is the literal 1 of a fixed-batch export (then
    /// its reshapes write 1 for it), rather than free.
    pub(super) batch1: bool,
    /// Parts of the channels besides the heads ([`Axis::Parts`]); 1 but
    /// for a fused projection split into its parts and heads at once.
    pub(super) parts: u64,
    /// Windows and spatial slices.
    pub(super) spatial: Spatial,
}

/// A convolution that cuts the network input into patches (kernel equal to
/// stride, no padding): a class token concatenated to its tokens makes it
/// a 1x1 conv over the patches, one row more (docs/onnx.md#token-sequences).
#[derive(Clone, Debug)]
pub(super) struct Patch {
    /// The network input it reads.
    pub(super) input: String,
    /// Its call as written.
    pub(super) call: String,
    /// Values per patch: input channels x kernel.
    pub(super) values: u64,
    /// Output channels.
    pub(super) out: u64,
}

/// A linear layer on every token (a 1x1 conv), by layer name: a `Gather`
/// of one group of its output channels (a fused QKV projection split)
/// writes it as one conv per group.
#[derive(Clone, Debug)]
pub(super) struct Linear {
    /// The sequence it reads.
    pub(super) input: String,
    /// Its call as written.
    pub(super) call: String,
    /// The convs it was split into, once split.
    pub(super) parts: Vec<String>,
}

impl Seq {
    /// A feature map of `size` points and `d` channels read as one
    /// sequence in the order of `axes`: one head, no cache, no parts, no
    /// windows, not sliced.
    pub(super) fn plain(
        expr: String,
        layer: bool,
        size: (u64, u64),
        d: u64,
        axes: Vec<Vec<Axis>>,
        batch1: bool,
    ) -> Seq {
        Seq {
            expr,
            layer,
            tokens: size.0.saturating_mul(size.1),
            size,
            heads: 1,
            d,
            axes,
            cached: 0,
            share: 1,
            sliced: false,
            batch1,
            parts: 1,
            spatial: Spatial::default(),
        }
    }

    pub(super) fn channels(&self) -> u64 {
        self.parts.saturating_mul(self.heads).saturating_mul(self.d)
    }

    fn extent(&self, a: Axis) -> Option<u64> {
        match a {
            Axis::Batch if self.batch1 => Some(1),
            Axis::Batch => None,
            Axis::Unit => Some(1),
            Axis::Repeat => Some(self.share),
            Axis::Rows => Some(self.size.0),
            Axis::Cols => Some(self.size.1),
            Axis::Tokens => Some(self.tokens.saturating_add(self.cached)),
            Axis::Heads => Some(self.heads),
            Axis::Head => Some(self.d),
            Axis::Channels => Some(self.channels()),
            Axis::Parts => Some(self.parts),
            Axis::InRows => Some(self.spatial.window.0),
            Axis::InCols => Some(self.spatial.window.1),
            Axis::WinRows => self.size.0.checked_div(self.spatial.window.0),
            Axis::WinCols => self.size.1.checked_div(self.spatial.window.1),
        }
    }

    /// The axes when none is merged, else nothing. A batch of one (a
    /// fixed-batch export) merged into another axis (`[T, 1, C]` reshaped
    /// to `[T, heads, d]`) is read where an axis of size one stands.
    pub(super) fn simple(&self) -> Vec<Axis> {
        let mut axes = self.axes.clone();
        if self.batch1
            && let Some(i) = axes
                .iter()
                .position(|g| g.len() > 1 && g.contains(&Axis::Batch))
        {
            axes[i].retain(|&a| a != Axis::Batch);
            match axes.iter().position(|g| g == &[Axis::Unit]) {
                Some(u) => axes[u] = vec![Axis::Batch],
                None => axes.insert(0, vec![Axis::Batch]),
            }
        }
        if axes.iter().all(|g| g.len() == 1) {
            axes.iter().map(|g| g[0]).collect()
        } else {
            Vec::new()
        }
    }

    /// The extent of a (merged) axis, the batch as [`BATCH`].
    pub(super) fn group_dim(&self, g: &[Axis]) -> Option<i64> {
        g.iter().try_fold(1i64, |acc, &a| {
            let e = match self.extent(a) {
                Some(e) => i64::try_from(e).ok()?,
                None => BATCH,
            };
            acc.checked_mul(e)
        })
    }

    /// The tensor's shape, the batch as [`BATCH`] (for `Shape`).
    pub(super) fn dims(&self) -> Option<Vec<i64>> {
        self.axes.iter().map(|g| self.group_dim(g)).collect()
    }

    pub(super) fn shape(&self) -> String {
        let dims: Vec<String> = self
            .axes
            .iter()
            .map(|g| {
                let v: Vec<String> = g
                    .iter()
                    .map(|&a| self.extent(a).map_or("batch".into(), |n| n.to_string()))
                    .collect();
                v.join("*")
            })
            .collect();
        format!("[{}]", dims.join(", "))
    }
}

pub(super) const NOT_TOKENS: &str = "token tensors are [batch, tokens, channels], split into heads by a \
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
        // A piece of a map (a slice of its rows, a phase of a stride) is
        // read only by the concatenation that makes it whole again, and a
        // space to depth only by a linear layer (docs/onnx.md#swin-transformer).
        let pieces = seqs
            .iter()
            .any(|&i| matches!(self.val(node, i), Ok(Val::Seq(s)) if s.spatial.is_part()));
        let readers = ["Concat", "Slice", "MatMul", "Gemm"];
        if pieces && !readers.contains(&op) && !super::FOLDED.contains(&op) {
            return Some(Err(unsupported(
                node,
                format!(
                    "`{op}` of a piece of a channels-last map (a slice of its rows or columns)"
                ),
                "a piece of a map is read by the Concat that makes it whole again (a cyclic \
                 shift), and patch merging's strided slices by a linear layer \
                 (docs/onnx.md#swin-transformer)",
            )));
        }
        Some(match op {
            "Pad" => self.seq_pad(node),
            "Reshape" => self.seq_reshape(node),
            "Transpose" => match self.channels_first_again(node) {
                Some(done) => done,
                None => self.seq_transpose(node),
            },
            "Unsqueeze" | "Squeeze" => self.seq_unit(node),
            "MatMul" | "Gemm" => self.seq_matmul(node),
            "Gather" => self.seq_gather(node),
            "Concat" => match self.seq_concat_spatial(node) {
                Some(done) => done,
                None => match self.seq_concat_parts(node) {
                    Some(done) => done,
                    None => self.seq_concat(node),
                },
            },
            "Slice" => match self.seq_spatial_slice(node) {
                Some(done) => done,
                None => self.seq_slice(node),
            },
            "Split" => self.seq_split(node),
            "Expand" => self.seq_expand(node),
            // x² of RMSNorm and of GELU's tanh form: element-wise.
            "Pow" => self.seq_fold(node, 0),
            "ReduceMean" | "ReduceSum" | "ReduceL2" => self.seq_reduce(node),
            _ if super::FOLDED.contains(&op) => self.seq_fold(node, 0),
            _ if super::ELEMENTWISE.contains(&op) => self.seq_eltwise(node, &seqs),
            _ => Err(unsupported(
                node,
                format!("nnc has no model of `{op}` over a token sequence"),
                NOT_TOKENS,
            )),
        })
    }

    pub(super) fn seq(&self, node: &Node, i: usize) -> Result<Seq, ImportError> {
        match self.val(node, i)? {
            Val::Seq(s) => Ok(s.clone()),
            _ => Err(unsupported(
                node,
                format!("input {i} is not a token sequence"),
                NOT_TOKENS,
            )),
        }
    }

    pub(super) fn set_seq(&mut self, node: &Node, s: Seq) {
        self.set(node, Val::Seq(s));
    }

    pub(super) fn seq_fold(&mut self, node: &Node, i: usize) -> Result<(), ImportError> {
        let s = self.seq(node, i)?;
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set_seq(node, Seq { layer: false, ..s });
        Ok(())
    }

    /// A view of a sequence (a reshape, a transpose): folded, its axes
    /// replaced.
    pub(super) fn seq_view(
        &mut self,
        node: &Node,
        s: Seq,
        axes: Vec<Vec<Axis>>,
    ) -> Result<(), ImportError> {
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

    /// `Reshape` (or `Flatten` from axis 2) of a feature map `[B, C, H, W]`
    /// to `[B, C, H * W]`; `None` for any other reshape of a feature map.
    fn fmap_to_seq(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let (expr, c, h, w, layer) = self.plain_fmap(node)?;
        let tokens = h.checked_mul(w)?;
        let to_tokens = match node.op.as_str() {
            "Flatten" => matches!(node.attr("axis"), Some(AttrValue::Int(2))),
            _ => match self.ints(node, 1) {
                Some(ints) => {
                    matches!(ints.as_slice(), [b, ch, t]
                        if (matches!(*b, -1..=1) || *b == BATCH)
                            && (*ch == 0 || u64::try_from(*ch).ok() == Some(c))
                            && (*t == -1 || u64::try_from(*t).ok() == Some(tokens)))
                }
                None => false,
            },
        };
        if !to_tokens || (h == 1 && w == 1) {
            return None;
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        let axes = vec![vec![Axis::Batch], vec![Axis::Channels], vec![Axis::Tokens]];
        let seq = Seq::plain(expr, layer, (h, w), c, axes, self.batch1);
        self.set_seq(node, seq);
        Some(Ok(()))
    }

    /// `Transpose` of a sequence: its axes reordered (torch's multi-head
    /// attention moves the batch off the first axis and back).
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
            sorted == (0..n).collect::<Vec<_>>()
        });
        let (true, Some(idx)) = (valid, idx) else {
            return Err(unsupported(
                node,
                format!("a transpose of {} by {perm:?}", s.shape()),
                "the permutation must name each axis once",
            ));
        };
        let axes = idx.iter().map(|&i| s.axes[i].clone()).collect();
        self.seq_view(node, s, axes)
    }

    /// The axes a `Squeeze` or `Unsqueeze` names (input 1, or the `axes`
    /// attribute of older opsets).
    fn unit_axes(&self, node: &Node) -> Option<Vec<i64>> {
        if node.inputs.len() > 1 {
            return self.ints(node, 1);
        }
        match node.attr("axes") {
            Some(AttrValue::Ints(a)) => Some(a.clone()),
            _ => None,
        }
    }

    /// `Unsqueeze` (an axis of size one added) or `Squeeze` (one removed)
    /// of a sequence.
    fn seq_unit(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let mut axes = s.axes.clone();
        let listed = self.unit_axes(node);
        let refuse = || {
            unsupported(
                node,
                format!("a {} of {} on axes {listed:?}", node.op, s.shape()),
                "only axes of size one can be squeezed",
            )
        };
        if node.op == "Unsqueeze" {
            let Some(mut list) = listed.clone() else {
                return Err(refuse());
            };
            let rank = i64::try_from(axes.len() + list.len()).unwrap_or(i64::MAX);
            for a in &mut list {
                if *a < 0 {
                    *a += rank;
                }
            }
            list.sort_unstable();
            for a in list {
                let i = usize::try_from(a).map_err(|_| refuse())?;
                if i > axes.len() {
                    return Err(refuse());
                }
                axes.insert(i, vec![Axis::Unit]);
            }
        } else {
            let rank = i64::try_from(axes.len()).unwrap_or(i64::MAX);
            let mut list: Vec<usize> = match &listed {
                Some(l) => l
                    .iter()
                    .map(|&a| usize::try_from(if a < 0 { a + rank } else { a }).ok())
                    .collect::<Option<_>>()
                    .ok_or_else(refuse)?,
                None => (0..axes.len())
                    .filter(|&i| axes[i] == [Axis::Unit])
                    .collect(),
            };
            list.sort_unstable();
            for &i in list.iter().rev() {
                if axes.get(i).is_none_or(|g| g != &[Axis::Unit]) {
                    return Err(refuse());
                }
                axes.remove(i);
            }
        }
        self.seq_view(node, s, axes)
    }

    /// `Concat` of a weight broadcast over the batch (the class token) and
    /// the patch tokens, on the token axis: modelled as the patch
    /// embedding writing one row more. The network input becomes the
    /// patches (`[C * k * k, T + n, 1]`) and the patch embedding a 1x1
    /// conv over them, as nns/vit_b16.nn writes it.
    fn seq_concat(&mut self, node: &Node) -> Result<(), ImportError> {
        let refuse = |what: String| {
            unsupported(
                node,
                what,
                "only a class token (a weight broadcast over the batch) concatenated on the \
                 token axis with the patch embedding's tokens is supported \
                 (docs/onnx.md#token-sequences)",
            )
        };
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let (seq_at, const_at) = match (self.val(node, 0)?, self.val(node, 1)?) {
            (Val::Seq(_), Val::Const { .. }) => (0, 1),
            (Val::Const { .. }, Val::Seq(_)) => (1, 0),
            _ => return Err(refuse("a concatenation of token sequences".into())),
        };
        let s = self.seq(node, seq_at)?;
        let cdims = match self.val(node, const_at)? {
            Val::Const { dims: Some(d), .. } => d.clone(),
            _ => Vec::new(),
        };
        let c = i64::try_from(s.channels()).unwrap_or(-1);
        let rows = match (cdims.as_slice(), s.simple().as_slice(), axis) {
            ([b, n, ch], [Axis::Batch, Axis::Tokens, Axis::Channels], 1 | -2)
                if (*b == 1 || *b == BATCH) && *ch == c && *n > 0 =>
            {
                u64::try_from(*n).unwrap_or(0)
            }
            _ => {
                return Err(refuse(format!(
                    "a concatenation of a constant of shape {cdims:?} and {} on axis {axis}",
                    s.shape()
                )));
            }
        };
        if node.inputs.len() != 2 {
            return Err(refuse(format!("{} inputs", node.inputs.len())));
        }
        let Some(p) = self.patches.get(&s.expr).cloned() else {
            return Err(refuse(format!(
                "the tokens come from `{}`, not a convolution cutting the input into patches",
                s.expr
            )));
        };
        let tokens = s.tokens.saturating_add(rows);
        let line = format!("{} = {}\n", s.expr, p.call);
        let decl = self
            .header
            .lines()
            .find(|l| l.starts_with(&format!("input {} [", p.input)))
            .map(str::to_owned);
        let (Some(decl), true, 1, 1) = (
            decl,
            self.body.contains(&line),
            uses(&self.body, &s.expr),
            uses(&self.body, &p.input),
        ) else {
            return Err(refuse(format!(
                "the patch embedding `{}` or the input `{}` is read by other layers",
                s.expr, p.input
            )));
        };
        let new_decl = format!("input {} [{}, {tokens}, 1]", p.input, p.values);
        self.header = self.header.replacen(&decl, &new_decl, 1);
        let extra = if rows == 1 {
            "one row".to_owned()
        } else {
            format!("{rows} rows")
        };
        let new_line = format!(
            "# The input is the image cut into patches, plus {extra} for the class token: \
             the patch embedding is a 1x1 conv (docs/onnx.md#token-sequences).\n{} = conv({}, \
             {}, kernel: 1)\n",
            s.expr, p.input, p.out
        );
        self.body = self.body.replacen(&line, &new_line, 1);
        self.patches.remove(&s.expr);
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set_seq(
            node,
            Seq {
                tokens,
                size: (tokens, 1),
                ..s
            },
        );
        Ok(())
    }

    /// A layer over the tokens of `a`: `heads` groups of `d` channels out,
    /// with `a`'s axes.
    pub(super) fn seq_layer(
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
                cached: 0,
                share: 1,
                sliced: false,
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

/// How many times `name` occurs in `text` as a whole `.nn` name.
pub(super) fn uses(text: &str, name: &str) -> usize {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| *w == name)
        .count()
}
