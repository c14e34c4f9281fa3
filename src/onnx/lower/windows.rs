//! Swin Transformer's windows (docs/onnx.md#swin-transformer), beyond the
//! reshapes of `tokens.rs` that split a channels-last map into windows
//! and the products of `products.rs` that read them: the `Pad` to a
//! multiple of the window (none when the window tiles the map), the
//! cyclic shift of shifted windows (`torch.roll`: slices of the rows or
//! columns concatenated in another order, a permutation of the map's
//! points, no layer), and patch merging (the four strided slices
//! `x[0::2, 0::2]`, ... concatenated on the channels, then a linear
//! layer: a 2x2 convolution of stride 2).

use super::attrs::unsupported;
use super::shapes::clamp;
use super::tokens::{Axis, Seq};
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};
use std::fmt::Write;

const WINDOWS: &str = "nnc models Swin's windows when they tile the map: export at an input \
                       size whose maps the window divides (224x224 for Swin-T); slices of \
                       a channels-last map are read only as a cyclic shift (torch.roll) or \
                       as patch merging's strided halves (docs/onnx.md#swin-transformer)";

impl Lowering<'_> {
    /// `Pad` of a sequence: folded when it pads nothing (Swin pads its
    /// map to a multiple of its window, which a map the window tiles
    /// needs none of).
    pub(super) fn seq_pad(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let pads = match (node.attr("pads"), self.ints(node, 1)) {
            (Some(AttrValue::Ints(p)), _) => Some(p.clone()),
            (_, p) => p,
        };
        match pads {
            Some(p) if p.iter().all(|&x| x == 0) => self.seq_fold(node, 0),
            other => Err(unsupported(
                node,
                match other {
                    Some(p) => format!("a pad of {p:?} of the sequence {}", s.shape()),
                    None => format!("a pad of the sequence {} by pads not known", s.shape()),
                },
                WINDOWS,
            )),
        }
    }

    /// `Slice` of a channels-last map's rows or columns: all of them
    /// (folded: Swin's unpadding), a range (a piece of a cyclic shift),
    /// or every `step`-th (a phase of patch merging). `None` when no
    /// sliced axis is the rows or the columns.
    pub(super) fn seq_spatial_slice(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let s = match self.val(node, 0) {
            Ok(Val::Seq(s)) => s.clone(),
            _ => return None,
        };
        let starts = self.ints(node, 1)?;
        let ends = self.ints(node, 2)?;
        let rank = i64::try_from(s.axes.len()).ok()?;
        let axes = match node.inputs.get(3).filter(|x| !x.is_empty()) {
            Some(_) => self.ints(node, 3)?,
            None => (0..rank).collect(),
        };
        let steps = match node.inputs.get(4).filter(|x| !x.is_empty()) {
            Some(_) => self.ints(node, 4)?,
            None => vec![1; axes.len()],
        };
        let index = |a: i64| usize::try_from(if a < 0 { a + rank } else { a }).ok();
        let spatial = |a: &i64| {
            index(*a)
                .and_then(|i| s.axes.get(i))
                .is_some_and(|g| g == &[Axis::Rows] || g == &[Axis::Cols])
        };
        if !axes.iter().any(spatial) {
            return None;
        }
        let mut next = s.clone();
        for (i, &a) in axes.iter().enumerate() {
            let (Some(at), Some(&st), Some(&en), Some(&step)) =
                (index(a), starts.get(i), ends.get(i), steps.get(i))
            else {
                return Some(Err(self.bad_slice(node, &s)));
            };
            let Some(done) = slice_axis(&mut next, at, [st, en, step]) else {
                return Some(Err(self.bad_slice(node, &s)));
            };
            next = done;
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set(
            node,
            Val::Seq(Seq {
                layer: false,
                ..next
            }),
        );
        Some(Ok(()))
    }

    fn bad_slice(&self, node: &Node, s: &Seq) -> ImportError {
        unsupported(
            node,
            format!(
                "a slice of the rows or columns of the sequence {}",
                s.shape()
            ),
            WINDOWS,
        )
    }

    /// `Concat` of pieces of one map: ranges of its rows or columns in a
    /// cyclic order (a `torch.roll`: the map again, no layer), or the
    /// phases of a stride on the channels (patch merging: a space to
    /// depth, which a linear layer reads as a strided convolution).
    /// `None` when the inputs are not such pieces.
    pub(super) fn seq_concat_spatial(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let pieces: Vec<Seq> = (0..node.inputs.len())
            .map(|i| match self.val(node, i) {
                Ok(Val::Seq(s)) => Some(s.clone()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let first = pieces.first()?.clone();
        let same = pieces
            .iter()
            .all(|p| p.expr == first.expr && p.axes == first.axes);
        if !same
            || !pieces
                .iter()
                .any(|p| p.spatial.range.is_some() || p.spatial.phase.is_some())
        {
            return None;
        }
        let rank = i64::try_from(first.axes.len()).ok()?;
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) if *a < 0 => a + rank,
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let whole = usize::try_from(axis)
            .ok()
            .and_then(|a| rolled(&pieces, a).or_else(|| merged(&pieces, a)));
        Some(match whole {
            Some(s) => {
                if let Some((_, from, _)) = first.spatial.range {
                    let what = if first.axes.get(axis as usize) == Some(&vec![Axis::Rows]) {
                        "rows"
                    } else {
                        "columns"
                    };
                    let _ = writeln!(
                        self.body,
                        "# `{}`: the map's {what} rolled to start at {from} (torch.roll, shifted \
                         windows): a permutation of its points, no layer",
                        node.label()
                    );
                }
                *self.folded.entry(node.op.clone()).or_insert(0) += 1;
                self.set(node, Val::Seq(s));
                Ok(())
            }
            None => Err(unsupported(
                node,
                format!(
                    "a concatenation on axis {axis} of {} pieces of the sequence {}",
                    pieces.len(),
                    first.shape()
                ),
                WINDOWS,
            )),
        })
    }
}

/// `s` sliced on its axis `at` by `[start, end, step]`, or `None` when
/// nnc has no model of that slice.
fn slice_axis(s: &mut Seq, at: usize, [start, end, step]: [i64; 3]) -> Option<Seq> {
    let rows = match s.axes.get(at)?.as_slice() {
        [Axis::Rows] => true,
        [Axis::Cols] => false,
        _ => return None,
    };
    let n = if rows { s.size.0 } else { s.size.1 };
    let ni = i64::try_from(n).ok()?;
    let (from, to) = (clamp(start, ni) as u64, clamp(end, ni) as u64);
    let mut next = s.clone();
    match step {
        1 if (from, to) == (0, n) => {}
        1 if from < to && s.spatial.range.is_none() && s.spatial.phase.is_none() => {
            next.spatial.range = Some((at, from, to));
            next.sliced = true;
        }
        // Every `step`-th row (or column) from `from`: a phase.
        _ if step > 1 && from < step as u64 && to == n && n % step as u64 == 0 => {
            let step = step as u64;
            let mut phase = s.spatial.phase.unwrap_or([(1, 0), (1, 0)]);
            let k = usize::from(!rows);
            if phase[k] != (1, 0) || s.spatial.range.is_some() {
                return None;
            }
            phase[k] = (step, from);
            next.spatial.phase = Some(phase);
            next.sliced = true;
        }
        _ => return None,
    }
    Some(next)
}

/// Ranges of axis `axis` that follow one another cyclically and cover it
/// once: the whole map (a cyclic shift of its points).
fn rolled(pieces: &[Seq], axis: usize) -> Option<Seq> {
    let first = pieces.first()?;
    let rows = first.axes.get(axis)? == &[Axis::Rows];
    let n = if rows { first.size.0 } else { first.size.1 };
    let ranges: Vec<(u64, u64)> = pieces
        .iter()
        .map(|p| match p.spatial.range {
            Some((a, f, t)) if a == axis && p.spatial.phase.is_none() => Some((f, t)),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let total: u64 = ranges.iter().map(|(f, t)| t - f).sum();
    let follows = (0..ranges.len()).all(|i| ranges[i].1 % n == ranges[(i + 1) % ranges.len()].0);
    (total == n && follows).then(|| Seq {
        sliced: false,
        layer: false,
        spatial: super::tokens::Spatial {
            range: None,
            ..first.spatial
        },
        ..first.clone()
    })
}

/// The phases of one stride, each once, concatenated on the channels
/// (the last axis): a space to depth by the stride.
fn merged(pieces: &[Seq], axis: usize) -> Option<Seq> {
    let first = pieces.first()?;
    if axis + 1 != first.axes.len() || first.axes.last()? != &[Axis::Channels] {
        return None;
    }
    let phases: Vec<[(u64, u64); 2]> = pieces
        .iter()
        .map(|p| p.spatial.phase.filter(|_| p.spatial.range.is_none()))
        .collect::<Option<_>>()?;
    let [(sr, _), (sc, _)] = phases[0];
    let mut offsets: Vec<(u64, u64)> = phases
        .iter()
        .map(|[(r, or), (c, oc)]| ((*r, *c) == (sr, sc)).then_some((*or, *oc)))
        .collect::<Option<_>>()?;
    offsets.sort_unstable();
    offsets.dedup();
    let k = sr.checked_mul(sc)?;
    if u64::try_from(offsets.len()).ok()? != k || pieces.len() != offsets.len() || first.heads != 1
    {
        return None;
    }
    let size = (first.size.0 / sr, first.size.1 / sc);
    Some(Seq {
        sliced: false,
        layer: false,
        d: first.channels().checked_mul(k)?,
        parts: 1,
        size,
        tokens: size.0.checked_mul(size.1)?,
        spatial: super::tokens::Spatial {
            phase: None,
            unshuffle: Some((sr, sc)),
            ..first.spatial
        },
        ..first.clone()
    })
}

#[cfg(test)]
mod tests {
    use crate::onnx::ImportError;
    use crate::onnx::graph::Graph;
    use crate::onnx::lower::test_graph::{axis, fixed, graph as build, ints, node, perm, value};
    use crate::onnx::lower::{ImportOptions, lower};

    /// A channels-last map padded as torch's `F.pad(x, (0, 0, 0, p, 0,
    /// p))` exports (the pads reshaped to pairs, their rows reversed,
    /// transposed and flattened), transposed back and convolved.
    fn padded(p: i64) -> Graph {
        build(
            vec![
                node("Transpose", &["x"], "t", perm(&[0, 2, 3, 1])),
                node("Concat", &["torch", "zeros"], "p8", axis(0)),
                node("Reshape", &["p8", "pairs"], "r", vec![]),
                node("Slice", &["r", "s", "e", "a", "step"], "flip", vec![]),
                node("Transpose", &["flip"], "tr", perm(&[1, 0])),
                node("Reshape", &["tr", "flat"], "pads", vec![]),
                node("Pad", &["t", "pads"], "pad", vec![]),
                node("Transpose", &["pad"], "back", perm(&[0, 3, 1, 2])),
                node("Conv", &["back", "w"], "y", vec![]),
            ],
            vec![
                ints("torch", &[0, 0, 0, p, 0, p]),
                ints("zeros", &[0, 0]),
                ints("pairs", &[-1, 2]),
                ints("s", &[-1]),
                ints("e", &[i64::MIN + 1]),
                ints("a", &[0]),
                ints("step", &[-1]),
                ints("flat", &[-1]),
            ],
            vec![
                value("x", fixed(&[1, 8, 4, 4])),
                value("w", fixed(&[2, 8, 1, 1])),
            ],
        )
    }

    /// The pads are evaluated through the reshapes, the reversed slice and
    /// the transpose: none is folded, any other is refused with its value.
    #[test]
    fn swins_pad_is_evaluated_and_folded_when_it_pads_nothing() {
        let text = lower(&padded(0), &ImportOptions::default())
            .expect("imports")
            .text;
        assert!(text.contains("y = conv(x, 2, kernel: 1)"), "{text}");
        match lower(&padded(1), &ImportOptions::default()) {
            Err(ImportError::Node { op, what, .. }) => {
                assert_eq!(op, "Pad");
                assert!(what.contains("[0, 0, 0, 0, 0, 1, 1, 0]"), "{what}");
            }
            other => panic!("{other:?}"),
        }
    }
}
