//! Shape arithmetic (docs/onnx.md#token-sequences): torch.onnx computes a
//! reshape's target from the free batch (`Shape` → `Gather` → `Concat` →
//! `Reshape`). The importer evaluates these small integer tensors, with the
//! free batch standing for itself ([`BATCH`]), so that the token-sequence
//! lowering can read the target a reshape asks for. Only the token
//! sequences read the values; feature maps keep their own reshape rules.

use super::{Lowering, Val};
use crate::onnx::graph::{AttrValue, Node};

/// The free batch in evaluated shapes: a prime that no real dimension
/// equals, so a dimension holding it (or a multiple of it, a batch merged
/// with another axis) is known to hold the batch.
pub(super) const BATCH: i64 = 1_000_003;

/// Evaluated tensors hold at most this many values (shapes are short).
const MAX_LEN: usize = 64;

impl Lowering<'_> {
    /// The integer values of input `i`, when known: a constant's, or an
    /// evaluated shape's.
    pub(super) fn ints(&self, node: &Node, i: usize) -> Option<Vec<i64>> {
        let name = node.inputs.get(i)?;
        if let Some(v) = self.shapes.get(name) {
            return Some(v.clone());
        }
        match self.vals.get(name)? {
            Val::Const { ints, dims } if !ints.is_empty() || dims.as_deref() == Some(&[0]) => {
                Some(ints.clone())
            }
            _ => None,
        }
    }

    /// The shape of a tensor of the graph, the batch as [`BATCH`].
    fn dims_of(&self, name: &str) -> Option<Vec<i64>> {
        if let Some(v) = self.shapes.get(name) {
            // An evaluated shape is a vector.
            return Some(vec![i64::try_from(v.len()).ok()?]);
        }
        match self.vals.get(name)? {
            Val::Fmap { c, h, w, flat, .. } => {
                let c = i64::try_from(*c).ok()?;
                let h = i64::try_from(*h).ok()?;
                let w = i64::try_from(*w).ok()?;
                if *flat {
                    Some(vec![BATCH, c.checked_mul(h)?.checked_mul(w)?])
                } else {
                    Some(vec![BATCH, c, h, w])
                }
            }
            Val::Seq(s) => s.dims(),
            Val::Const { dims, .. } => dims.clone(),
            Val::Channel { .. } | Val::Shuffle { .. } | Val::Ids { .. } | Val::Cache { .. } => None,
        }
    }

    /// Evaluates a node of shape arithmetic; `None` when an input is
    /// unknown or the operator is not one of integer shape arithmetic.
    pub(super) fn eval_shape(&self, node: &Node) -> Option<Vec<i64>> {
        let v = match node.op.as_str() {
            "Shape" => {
                let dims = self.dims_of(node.inputs.first()?)?;
                let n = i64::try_from(dims.len()).ok()?;
                let start = int_attr(node, "start").unwrap_or(0);
                let end = int_attr(node, "end").unwrap_or(n);
                let (s, e) = (clamp(start, n), clamp(end, n));
                dims.get(s..e.max(s))?.to_vec()
            }
            "Size" => vec![
                self.dims_of(node.inputs.first()?)?
                    .iter()
                    .try_fold(1i64, |a, &d| a.checked_mul(d))?,
            ],
            "Identity" | "Cast" | "Squeeze" | "Unsqueeze" | "Reshape" => self.ints(node, 0)?,
            "Transpose" | "Slice" => self.eval_tensor(node)?.0,
            "Gather" => {
                let data = self.ints(node, 0)?;
                let n = i64::try_from(data.len()).ok()?;
                let idx = self.ints(node, 1)?;
                if int_attr(node, "axis").unwrap_or(0) != 0 {
                    return None;
                }
                idx.iter()
                    .map(|&i| {
                        let i = if i < 0 { i.checked_add(n)? } else { i };
                        data.get(usize::try_from(i).ok()?).copied()
                    })
                    .collect::<Option<Vec<i64>>>()?
            }
            "Concat" => {
                let mut out = Vec::new();
                for i in 0..node.inputs.len() {
                    out.extend(self.ints(node, i)?);
                }
                out
            }
            "Add" | "Sub" | "Mul" | "Div" | "Mod" => {
                let a = self.ints(node, 0)?;
                let b = self.ints(node, 1)?;
                let len = a.len().max(b.len());
                if (a.len() != len && a.len() != 1) || (b.len() != len && b.len() != 1) {
                    return None;
                }
                let at = |v: &[i64], i: usize| if v.len() == 1 { v[0] } else { v[i] };
                (0..len)
                    .map(|i| {
                        let (x, y) = (at(&a, i), at(&b, i));
                        match node.op.as_str() {
                            "Add" => x.checked_add(y),
                            "Sub" => x.checked_sub(y),
                            "Mul" => x.checked_mul(y),
                            "Div" => x.checked_div(y),
                            _ => x.checked_rem_euclid(y),
                        }
                    })
                    .collect::<Option<Vec<i64>>>()?
            }
            "ConstantOfShape" => {
                let shape = self.ints(node, 0)?;
                let fill = match node.attr("value") {
                    Some(AttrValue::Tensor(t)) => *t.ints.first()?,
                    _ => return None,
                };
                let n = shape
                    .iter()
                    .try_fold(1usize, |a, &d| a.checked_mul(usize::try_from(d).ok()?))?;
                if n > MAX_LEN {
                    return None;
                }
                vec![fill; n]
            }
            "Equal" => {
                let (a, b) = (self.ints(node, 0)?, self.ints(node, 1)?);
                if a.len() != b.len() {
                    return None;
                }
                a.iter().zip(&b).map(|(x, y)| i64::from(x == y)).collect()
            }
            "Where" => {
                let c = self.ints(node, 0)?;
                let (a, b) = (self.ints(node, 1)?, self.ints(node, 2)?);
                if a.len() != c.len() || b.len() != c.len() {
                    return None;
                }
                (0..c.len())
                    .map(|i| if c[i] != 0 { a[i] } else { b[i] })
                    .collect()
            }
            _ => return None,
        };
        (v.len() <= MAX_LEN).then_some(v)
    }
}

impl Lowering<'_> {
    /// The dims of an evaluated tensor: recorded by a reshape, transpose
    /// or slice, a constant's own, or else a vector.
    fn tensor_dims(&self, name: &str) -> Option<Vec<i64>> {
        if let Some(d) = self.shape_dims.get(name) {
            return Some(d.clone());
        }
        if let Some(Val::Const { dims: Some(d), .. }) = self.vals.get(name) {
            return Some(d.clone());
        }
        Some(vec![i64::try_from(self.shapes.get(name)?.len()).ok()?])
    }

    /// The dims of the tensor `node` makes, when it reshapes, transposes
    /// or slices an evaluated one (torch's `F.pad` computes its pads so:
    /// a `[-1, 2]` reshape, reversed rows, a transpose, a flatten).
    pub(super) fn eval_dims(&self, node: &Node) -> Option<Vec<i64>> {
        match node.op.as_str() {
            "Reshape" => {
                let data = self.tensor_dims(node.inputs.first()?)?;
                reshaped(&data, &self.ints(node, 1)?)
            }
            "Transpose" | "Slice" => Some(self.eval_tensor(node)?.1),
            _ => None,
        }
    }

    /// `Transpose` or `Slice` (any axes and steps) of an evaluated tensor:
    /// its values and dims.
    fn eval_tensor(&self, node: &Node) -> Option<(Vec<i64>, Vec<i64>)> {
        let name = node.inputs.first()?;
        let data = self.ints(node, 0)?;
        let dims = self.tensor_dims(name)?;
        let n: i64 = dims.iter().product();
        if usize::try_from(n).ok()? != data.len() {
            return None;
        }
        // Per axis of the output: the input indices it takes, in order.
        let picks: Vec<Vec<i64>> = match node.op.as_str() {
            "Transpose" => {
                let perm = match node.attr("perm") {
                    Some(AttrValue::Ints(p)) => p.clone(),
                    _ => (0..dims.len() as i64).rev().collect(),
                };
                return transposed(&data, &dims, &perm);
            }
            _ => self.slice_picks(node, &dims)?,
        };
        let out_dims: Vec<i64> = picks.iter().map(|p| p.len() as i64).collect();
        let mut values = Vec::new();
        let mut idx = vec![0usize; dims.len()];
        let total: usize = picks.iter().map(Vec::len).product();
        for _ in 0..total {
            let mut flat = 0i64;
            for (a, &i) in idx.iter().enumerate() {
                flat = flat * dims[a] + picks[a][i];
            }
            values.push(*data.get(usize::try_from(flat).ok()?)?);
            for a in (0..idx.len()).rev() {
                idx[a] += 1;
                if idx[a] < picks[a].len() {
                    break;
                }
                idx[a] = 0;
            }
        }
        (values.len() <= MAX_LEN).then_some((values, out_dims))
    }

    /// Per axis, the indices a `Slice` keeps (ONNX's clamping, negative
    /// steps too).
    fn slice_picks(&self, node: &Node, dims: &[i64]) -> Option<Vec<Vec<i64>>> {
        let starts = self.ints(node, 1)?;
        let ends = self.ints(node, 2)?;
        let rank = dims.len() as i64;
        let axes = match node.inputs.get(3).filter(|s| !s.is_empty()) {
            Some(_) => self.ints(node, 3)?,
            None => (0..starts.len() as i64).collect(),
        };
        let steps = match node.inputs.get(4).filter(|s| !s.is_empty()) {
            Some(_) => self.ints(node, 4)?,
            None => vec![1; starts.len()],
        };
        let mut picks: Vec<Vec<i64>> = dims.iter().map(|&d| (0..d).collect()).collect();
        for (i, &axis) in axes.iter().enumerate() {
            let a = usize::try_from(if axis < 0 { axis + rank } else { axis }).ok()?;
            let d = *dims.get(a)?;
            let (s, e, step) = (*starts.get(i)?, *ends.get(i)?, *steps.get(i)?);
            let at = |x: i64| if x < 0 { x.saturating_add(d) } else { x };
            picks[a] = if step > 0 {
                let (s, e) = (at(s).clamp(0, d), at(e).clamp(0, d));
                (s..e).step_by(usize::try_from(step).ok()?).collect()
            } else if step < 0 {
                let (s, e) = (at(s).clamp(0, d - 1), at(e).clamp(-1, d - 1));
                let by = usize::try_from(step.checked_neg()?).ok()?;
                (e + 1..=s).rev().step_by(by).collect()
            } else {
                return None;
            };
        }
        Some(picks)
    }
}

/// `data` of `dims` with its axes reordered by `perm`: values and dims.
fn transposed(data: &[i64], dims: &[i64], perm: &[i64]) -> Option<(Vec<i64>, Vec<i64>)> {
    let p: Vec<usize> = perm
        .iter()
        .map(|&x| usize::try_from(x).ok())
        .collect::<Option<_>>()?;
    if p.len() != dims.len() {
        return None;
    }
    let out_dims: Vec<i64> = p
        .iter()
        .map(|&a| dims.get(a).copied())
        .collect::<Option<_>>()?;
    // Strides of the input, row-major.
    let mut strides = vec![1i64; dims.len()];
    for a in (0..dims.len().saturating_sub(1)).rev() {
        strides[a] = strides[a + 1] * dims[a + 1];
    }
    let mut values = Vec::with_capacity(data.len());
    let mut idx = vec![0i64; dims.len()];
    for _ in 0..data.len() {
        let flat: i64 = idx.iter().zip(&p).map(|(&i, &a)| i * strides[a]).sum();
        values.push(*data.get(usize::try_from(flat).ok()?)?);
        for a in (0..idx.len()).rev() {
            idx[a] += 1;
            if idx[a] < out_dims[a] {
                break;
            }
            idx[a] = 0;
        }
    }
    Some((values, out_dims))
}

fn int_attr(node: &Node, name: &str) -> Option<i64> {
    match node.attr(name)? {
        AttrValue::Int(i) => Some(*i),
        _ => None,
    }
}

/// An ONNX index into `0..=n` (negative from the end, clamped).
pub(super) fn clamp(i: i64, n: i64) -> usize {
    let i = if i < 0 { i.saturating_add(n) } else { i };
    usize::try_from(i.clamp(0, n)).unwrap_or(0)
}

/// The dims of a tensor of `dims` reshaped to `target` (ONNX: `0` keeps a
/// dim, one `-1` takes what is left); `None` if they do not fit.
pub(super) fn reshaped(dims: &[i64], target: &[i64]) -> Option<Vec<i64>> {
    let total = dims
        .iter()
        .try_fold(1i64, |a, &d| a.checked_mul(d).filter(|_| d >= 0))?;
    let mut out: Vec<i64> = target
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            if t == 0 {
                dims.get(i).copied().unwrap_or(0)
            } else {
                t
            }
        })
        .collect();
    let known = out
        .iter()
        .filter(|&&d| d != -1)
        .try_fold(1i64, |a, &d| a.checked_mul(d).filter(|_| d > 0))?;
    match out.iter().filter(|&&d| d == -1).count() {
        0 if known == total => Some(out),
        1 if known > 0 && total % known == 0 => {
            for d in &mut out {
                if *d == -1 {
                    *d = total / known;
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// The dims of `dims` broadcast to `to` (ONNX `Expand`: numpy rules).
pub(super) fn broadcast(dims: &[i64], to: &[i64]) -> Option<Vec<i64>> {
    let n = dims.len().max(to.len());
    let at = |v: &[i64], i: usize| {
        let pad = n - v.len();
        if i < pad { 1 } else { v[i - pad] }
    };
    (0..n)
        .map(|i| match (at(dims, i), at(to, i)) {
            (a, b) if a == b || b == 1 => Some(a),
            (1, b) => Some(b),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::onnx::ImportError;
    use crate::onnx::graph::{AttrValue, Graph, Node};
    use crate::onnx::lower::test_graph::{
        axis, batched, fixed, graph as build, ints, node, perm, value,
    };
    use crate::onnx::lower::{ImportOptions, lower};

    /// x [B, 8, 2, 2] reshaped to a target computed from its own shape
    /// (`[B, 8, -1]`), moved to `[4, B, 8]` (the batch off the first axis,
    /// as `nn.MultiheadAttention` does), merged to `[4 * B, 8]` and fed to
    /// a `Gemm` of `[6, 8]` (`transB`): one 1x1 conv of 6 channels over
    /// the 4 tokens.
    fn graph(last: Node) -> Graph {
        build(
            vec![
                node("Shape", &["x"], "s", vec![]),
                node("Gather", &["s", "zero"], "b", axis(0)),
                node("Concat", &["b", "c8", "m1"], "t", axis(0)),
                node("Reshape", &["x", "t"], "r", vec![]),
                node("Transpose", &["r"], "bt", perm(&[0, 2, 1])),
                node("Transpose", &["bt"], "tb", perm(&[1, 0, 2])),
                node("Shape", &["tb"], "s2", vec![]),
                node("Gather", &["s2", "zero"], "t0", axis(0)),
                node("Gather", &["s2", "one"], "b1", axis(0)),
                node("Mul", &["t0", "b1"], "tbn", vec![]),
                node("Concat", &["tbn", "c8"], "t2", axis(0)),
                node("Reshape", &["tb", "t2"], "flat", vec![]),
                last,
            ],
            vec![
                ints("zero", &[0]),
                ints("one", &[1]),
                ints("c8", &[8]),
                ints("m1", &[-1]),
            ],
            vec![value("x", batched(&[8, 2, 2])), value("w", fixed(&[6, 8]))],
        )
    }

    #[test]
    fn computed_targets_and_merged_axes_reach_a_linear_layer() {
        let gemm = node(
            "Gemm",
            &["flat", "w"],
            "y",
            vec![("transB", AttrValue::Int(1))],
        );
        let imported = lower(&graph(gemm), &ImportOptions::default()).unwrap();
        let text = &imported.text;
        assert!(text.contains("input x [8, 2, 2]\n"), "{text}");
        assert!(text.contains("y = conv(x, 6, kernel: 1)\n"), "{text}");
        assert_eq!(imported.layers, 1);
    }

    /// A reshape that would split the merged tokens-and-batch axis (8
    /// tokens do not come out of 4) is an error naming the node.
    #[test]
    fn a_reshape_that_splits_tokens_is_an_error_naming_the_node() {
        let mut g = graph(node("Reshape", &["flat", "bad"], "y", vec![]));
        g.initializers.push(ints("bad", &[8, -1, 4]));
        match lower(&g, &ImportOptions::default()) {
            Err(ImportError::Node { node, op, .. }) => {
                assert_eq!((node.as_str(), op.as_str()), ("y", "Reshape"));
            }
            other => panic!("{other:?}"),
        }
    }

    /// A patch embedding (2x2 conv of stride 2 over a 2x4x4 image: 4
    /// tokens of 8 channels) and a class token `[1, 1, 8]` concatenated on
    /// the token axis: the input becomes 5 rows of 2 * 2 * 2 patch values
    /// and the embedding a 1x1 conv over them. Without the conv (tokens
    /// straight from the input) the concatenation is an error naming it.
    fn class_token_graph(conv: bool) -> Graph {
        let k = vec![
            ("kernel_shape", AttrValue::Ints(vec![2, 2])),
            ("strides", AttrValue::Ints(vec![2, 2])),
        ];
        let mut nodes = vec![
            node("Shape", &["x"], "s", vec![]),
            node("Gather", &["s", "zero"], "b", axis(0)),
            node("Concat", &["b", "c8", "m1"], "t", axis(0)),
        ];
        if conv {
            nodes.push(node("Conv", &["x", "w"], "p", k));
        } else {
            nodes.push(node("Identity", &["x"], "p", vec![]));
        }
        nodes.extend([
            node("Reshape", &["p", "t"], "r", vec![]),
            node("Transpose", &["r"], "bt", perm(&[0, 2, 1])),
            node("Concat", &["cls", "bt"], "y", axis(1)),
        ]);
        build(
            nodes,
            vec![ints("zero", &[0]), ints("c8", &[8]), ints("m1", &[-1])],
            vec![
                value("x", batched(if conv { &[2, 4, 4] } else { &[8, 2, 2] })),
                value("w", fixed(&[8, 2, 2, 2])),
                value("cls", fixed(&[1, 1, 8])),
            ],
        )
    }

    #[test]
    fn a_class_token_makes_the_patch_embedding_a_1x1_conv_over_patches() {
        let imported = lower(&class_token_graph(true), &ImportOptions::default()).unwrap();
        let text = &imported.text;
        assert!(text.contains("input x [8, 5, 1]\n"), "{text}");
        assert!(text.contains("\np = conv(x, 8, kernel: 1)\n"), "{text}");
        assert_eq!(imported.layers, 1);
        match lower(&class_token_graph(false), &ImportOptions::default()) {
            Err(ImportError::Node { node, op, .. }) => {
                assert_eq!((node.as_str(), op.as_str()), ("y", "Concat"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn expand_broadcasts_like_numpy() {
        use super::broadcast;
        assert_eq!(
            broadcast(&[1, 1, 768], &[super::BATCH, 1, 1]),
            Some(vec![super::BATCH, 1, 768])
        );
        assert_eq!(broadcast(&[3], &[2, 1]), Some(vec![2, 3]));
        assert_eq!(broadcast(&[2, 3], &[4, 3]), None);
    }
}
