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
use std::fmt::Write;

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
    fn group_dim(&self, g: &[Axis]) -> Option<i64> {
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

    fn set_seq(&mut self, node: &Node, s: Seq) {
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
    fn seq_view(&mut self, node: &Node, s: Seq, axes: Vec<Vec<Axis>>) -> Result<(), ImportError> {
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
        self.set_seq(
            node,
            Seq {
                expr,
                layer,
                tokens,
                size: (h, w),
                heads: 1,
                d: c,
                axes: vec![vec![Axis::Batch], vec![Axis::Channels], vec![Axis::Tokens]],
                cached: 0,
                share: 1,
                sliced: false,
                batch1: self.batch1,
                parts: 1,
                spatial: Spatial::default(),
            },
        );
        Some(Ok(()))
    }

    /// `Reshape` of a sequence: its axes merged (`[tokens, batch, ..]` to
    /// `[tokens * batch, ..]`) or split back, its channels split into heads
    /// (`[B, T, C]` to `[B, T, H, D]`) or the heads merged back. The
    /// target's dims are matched, in order, by products of the sequence's
    /// axes; only the channels may be split.
    fn seq_reshape(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let refuse = |what: String| {
            unsupported(
                node,
                what,
                "only reshapes that merge or split a sequence's axes, or split its \
                 channels into heads, are supported (docs/onnx.md#token-sequences)",
            )
        };
        let Some(target) = self.ints(node, 1).filter(|t| !t.is_empty()) else {
            return Err(unsupported(
                node,
                format!("a reshape of {} to a shape not known", s.shape()),
                "export with static shapes (the reshape's target a constant or shape \
                 arithmetic of the input's shape)",
            ));
        };
        let dims = s
            .dims()
            .ok_or_else(|| refuse(format!("a reshape of {}", s.shape())))?;
        let target = super::reshaped(&dims, &target)
            .ok_or_else(|| refuse(format!("a reshape of {} to {target:?}", s.shape())))?;
        let mut atoms: std::collections::VecDeque<Axis> = s
            .axes
            .iter()
            .flatten()
            .copied()
            .filter(|&a| a != Axis::Unit)
            .collect();
        let (mut heads, mut d) = (s.heads, s.d);
        let mut parts = s.parts;
        let mut spatial = s.spatial;
        let mut axes: Vec<Vec<Axis>> = Vec::new();
        for &t in &target {
            // A literal 1 is the batch of a fixed-batch export, or one
            // token, or a repeat of one, where the next axis is such.
            let probe = Seq {
                heads,
                d,
                parts,
                spatial,
                ..s.clone()
            };
            if t == 1 {
                match atoms.front() {
                    Some(&a) if a == Axis::Batch || probe.group_dim(&[a]) == Some(1) => {
                        atoms.pop_front();
                        axes.push(vec![a]);
                    }
                    _ => axes.push(vec![Axis::Unit]),
                }
                continue;
            }
            let mut group = Vec::new();
            let mut prod = 1i64;
            while prod < t {
                let Some(a) = atoms.pop_front() else {
                    return Err(refuse(format!("a reshape of {} to {target:?}", s.shape())));
                };
                let probe = Seq {
                    heads,
                    d,
                    parts,
                    spatial,
                    ..s.clone()
                };
                let e = probe.group_dim(&[a]).unwrap_or(i64::MAX);
                // The split of `a` into `t / prod` and the rest, if any.
                let split = (t % prod == 0 && t / prod > 1 && e % (t / prod) == 0).then(|| {
                    (
                        u64::try_from(t / prod).ok(),
                        u64::try_from(e / (t / prod)).ok(),
                    )
                });
                match prod.checked_mul(e) {
                    Some(p) if p <= t && t % p == 0 => {
                        group.push(a);
                        prod = p;
                    }
                    // Why only the channels split: heads are a division
                    // of the channels (head-major); the tokens and the
                    // batch stay whole.
                    _ if a == Axis::Channels
                        && t % prod == 0
                        && e % (t / prod) == 0
                        && t / prod > 1 =>
                    {
                        let h = t / prod;
                        heads = u64::try_from(h).unwrap_or(1);
                        d = u64::try_from(e / h).unwrap_or(1);
                        group.push(Axis::Heads);
                        atoms.push_front(Axis::Head);
                        prod = t;
                    }
                    // A head split again (Swin's QKV `[.., 3, heads, d]`):
                    // the first split was the projection's parts.
                    _ if a == Axis::Head && parts == 1 => {
                        let Some((Some(h), Some(rest))) = split else {
                            return Err(refuse(format!(
                                "a reshape of {} to {target:?}",
                                s.shape()
                            )));
                        };
                        let relabel = |g: &mut Vec<Axis>| {
                            for x in g.iter_mut().filter(|x| **x == Axis::Heads) {
                                *x = Axis::Parts;
                            }
                        };
                        axes.iter_mut().for_each(relabel);
                        relabel(&mut group);
                        (parts, heads, d) = (heads, h, rest);
                        group.push(Axis::Heads);
                        atoms.push_front(Axis::Head);
                        prod = t;
                    }
                    // A map's rows or columns split into windows (Swin's
                    // window partition, docs/onnx.md#swin-transformer).
                    _ if matches!(a, Axis::Rows | Axis::Cols) => {
                        let Some((Some(_), Some(w))) = split.filter(|_| !s.spatial.is_part())
                        else {
                            return Err(refuse(format!(
                                "a reshape of {} to {target:?}",
                                s.shape()
                            )));
                        };
                        let (win, within) = if a == Axis::Rows {
                            spatial.window.0 = w;
                            (Axis::WinRows, Axis::InRows)
                        } else {
                            spatial.window.1 = w;
                            (Axis::WinCols, Axis::InCols)
                        };
                        group.push(win);
                        atoms.push_front(within);
                        prod = t;
                    }
                    _ => {
                        return Err(refuse(format!("a reshape of {} to {target:?}", s.shape())));
                    }
                }
            }
            // The heads merged back are the channels.
            if group == [Axis::Heads, Axis::Head] {
                group = vec![Axis::Channels];
            }
            axes.push(group);
        }
        if !atoms.is_empty() {
            return Err(refuse(format!("a reshape of {} to {target:?}", s.shape())));
        }
        let next = Seq {
            heads,
            d,
            parts,
            spatial,
            ..s
        };
        // An axis of one (one token, the batch of a fixed-batch export)
        // leading a merged group belongs as well to the group before: a
        // decode step's `[1, 1, C]` to `[1, C]` merges the batch and its
        // one token, as a prefill's `[T * B, C]` does.
        for i in 1..axes.len() {
            while axes[i].len() > 1 && next.group_dim(&axes[i][..1]) == Some(1) {
                let a = axes[i].remove(0);
                axes[i - 1].push(a);
            }
            // The heads merged back are the channels.
            if axes[i] == [Axis::Heads, Axis::Head] {
                axes[i] = vec![Axis::Channels];
            }
        }
        // Windows merged back are the map's rows and columns.
        for g in &mut axes {
            match g.as_slice() {
                [Axis::WinRows, Axis::InRows] => *g = vec![Axis::Rows],
                [Axis::WinCols, Axis::InCols] => *g = vec![Axis::Cols],
                _ => {}
            }
        }
        self.seq_view(node, next, axes)
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

    /// `Gather` of one index of a sequence: the class token (index 0 of the
    /// tokens) read by a pool of one point whose stride skips the other
    /// tokens, or one group of a linear layer's output channels (the query,
    /// key or value of a fused projection), which writes that layer as one
    /// conv per group.
    fn seq_gather(&mut self, node: &Node) -> Result<(), ImportError> {
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
                let whole = Seq {
                    heads: s.parts,
                    d: s.heads.saturating_mul(s.d),
                    parts: 1,
                    ..s.clone()
                };
                let parts = self.split_linear(node, &whole)?;
                let expr = usize::try_from(index)
                    .ok()
                    .and_then(|i| parts.get(i).cloned())
                    .ok_or_else(refuse)?;
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
                Ok(())
            }
            _ => Err(refuse()),
        }
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
fn uses(text: &str, name: &str) -> usize {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| *w == name)
        .count()
}
