//! `Slice` and `Split` of a feature map's channels (ShuffleNetV2's
//! `chunk`, docs/onnx.md#shufflenetv2): each part is a channel slice,
//! `x[from:to]` (docs/language.md#channel-slices), named on a line of its
//! own. No layer: its consumers read those channels of `x`.

use super::attrs::unsupported;
use super::shapes::clamp;
use super::{Fm, Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};
use std::fmt::Write;

/// What a slice or split of a feature map may cut: its channels only.
const ONLY_CHANNELS: &str = "nnc models a slice of a feature map's channels (axis 1), each part \
                             whole in height and width, with a step of 1 (ShuffleNetV2's split)";

impl Lowering<'_> {
    /// `Slice` of a feature map: one channel range, the other axes whole.
    pub(super) fn fmap_slice(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        let list = |i: usize, attr: &str| match (self.ints(node, i), node.attr(attr)) {
            (Some(v), _) => Some(v),
            (None, Some(AttrValue::Ints(v))) => Some(v.clone()),
            _ => None,
        };
        let (Some(starts), Some(ends)) = (list(1, "starts"), list(2, "ends")) else {
            return Err(unsupported(
                node,
                "its starts and ends are not constants nor computed from shapes".into(),
                ONLY_CHANNELS,
            ));
        };
        let axes = list(3, "axes").unwrap_or_else(|| (0..starts.len() as i64).collect());
        let steps = list(4, "steps").unwrap_or_else(|| vec![1; starts.len()]);
        if f.flat && (f.h, f.w) != (1, 1) {
            return Err(unsupported(
                node,
                "a slice of a flattened feature map".into(),
                ONLY_CHANNELS,
            ));
        }
        let dims = fmap_dims(&f);
        let rank = dims.len() as i64;
        let mut range = (0, f.c);
        for (i, &axis) in axes.iter().enumerate() {
            let axis = if axis < 0 { axis + rank } else { axis };
            let (Some(&s), Some(&e), Some(&step)) = (starts.get(i), ends.get(i), steps.get(i))
            else {
                return Err(unsupported(
                    node,
                    "starts, ends and axes differ in length".into(),
                    ONLY_CHANNELS,
                ));
            };
            let Some(&n) = usize::try_from(axis).ok().and_then(|a| dims.get(a)) else {
                return Err(unsupported(
                    node,
                    format!("axis {axis} of a rank-{rank} map"),
                    ONLY_CHANNELS,
                ));
            };
            let (from, to) = (clamp(s, n) as u64, clamp(e, n) as u64);
            let whole = from == 0 && i64::try_from(to) == Ok(n);
            match axis {
                1 if step == 1 => range = (from, to),
                _ if whole && step == 1 => {}
                _ => {
                    return Err(unsupported(
                        node,
                        format!(
                            "a slice {s}..{e} (step {step}) of axis {axis} of a feature map {}",
                            f.batched_shape()
                        ),
                        ONLY_CHANNELS,
                    ));
                }
            }
        }
        self.channel_parts(node, &f, &[range])
    }

    /// `Split` of a feature map on its channels into parts of the sizes
    /// given (or equal parts).
    pub(super) fn fmap_split(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let rank = fmap_dims(&f).len() as i64;
        if (if axis < 0 { axis + rank } else { axis }) != 1 {
            return Err(unsupported(
                node,
                format!(
                    "a split on axis {axis} of a feature map {}",
                    f.batched_shape()
                ),
                ONLY_CHANNELS,
            ));
        }
        let n = node.outputs.len() as u64;
        let given = match (self.ints(node, 1), node.attr("split")) {
            (Some(v), _) => Some(v),
            (None, Some(AttrValue::Ints(v))) => Some(v.clone()),
            _ => None,
        };
        let sizes: Vec<u64> = match given {
            Some(v) => v.iter().map(|&x| u64::try_from(x).unwrap_or(0)).collect(),
            None => match f.c.checked_div(n) {
                Some(size) if size * n == f.c => vec![size; node.outputs.len()],
                _ => Vec::new(),
            },
        };
        if sizes.len() != node.outputs.len() || sizes.iter().sum::<u64>() != f.c {
            return Err(unsupported(
                node,
                format!("a split of {} channels into {} parts of {sizes:?}", f.c, n),
                "the parts' sizes must add up to the channels",
            ));
        }
        let mut from = 0;
        let ranges: Vec<(u64, u64)> = sizes
            .iter()
            .map(|&s| {
                from += s;
                (from - s, from)
            })
            .collect();
        self.channel_parts(node, &f, &ranges)
    }

    /// Output `i` of `node` is channels `ranges[i]` of `f`: all of `f`
    /// (folded), or a slice named on a line of its own.
    fn channel_parts(
        &mut self,
        node: &Node,
        f: &Fm,
        ranges: &[(u64, u64)],
    ) -> Result<(), ImportError> {
        for (o, &(from, to)) in node.outputs.iter().zip(ranges) {
            if to <= from {
                return Err(unsupported(
                    node,
                    format!("an empty slice {from}..{to} of {} channels", f.c),
                    "a part of no channel is no feature map",
                ));
            }
            let expr = if (from, to) == (0, f.c) {
                f.expr.clone()
            } else {
                let name = self.fresh(&format!("{}_{from}_{to}", super::names::short_name(node)));
                let _ = writeln!(self.body, "{name} = {}[{from}:{to}]", f.expr);
                name
            };
            self.vals.insert(
                o.clone(),
                Val::Fmap {
                    expr,
                    c: to - from,
                    h: f.h,
                    w: f.w,
                    layer: false,
                    flat: f.flat,
                    pad: [0; 4],
                },
            );
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        Ok(())
    }
}

/// The dims of a feature map as the graph has them, the batch as 1 (a
/// flattened one is `[batch, C]`, over a 1x1 map).
fn fmap_dims(f: &Fm) -> Vec<i64> {
    let d = |x: u64| i64::try_from(x).unwrap_or(i64::MAX);
    if f.flat {
        vec![1, d(f.c)]
    } else {
        vec![1, d(f.c), d(f.h), d(f.w)]
    }
}

#[cfg(test)]
mod tests {
    use crate::onnx::ImportError;
    use crate::onnx::graph::{Graph, Node, Tensor};
    use crate::onnx::lower::test_graph::{
        axis, batched, fixed, graph as build, ints, node_n as node, value,
    };
    use crate::onnx::lower::{ImportOptions, lower};

    /// x [B, 8, 4, 4], the nodes, and a 1x1 conv `y` reading `in`.
    fn graph(mut nodes: Vec<Node>, consts: Vec<Tensor>, read: &str) -> Graph {
        nodes.push(node("Conv", &[read, "w"], &["y"], vec![]));
        let inputs = vec![
            value("x", batched(&[8, 4, 4])),
            value("w", fixed(&[2, 3, 1, 1])),
        ];
        build(nodes, consts, inputs)
    }

    fn slice(starts: i64, ends: i64, axis: i64, step: i64) -> Graph {
        let consts = vec![
            ints("s", &[starts]),
            ints("e", &[ends]),
            ints("a", &[axis]),
            ints("t", &[step]),
        ];
        graph(
            vec![node("Slice", &["x", "s", "e", "a", "t"], &["part"], vec![])],
            consts,
            "part",
        )
    }

    #[test]
    fn a_slice_of_channels_is_a_channel_slice() {
        // Channels 5..8 (an end past the channels is clamped, as ONNX does).
        let g = slice(5, i64::MAX, 1, 1);
        let text = lower(&g, &ImportOptions::default()).expect("imports").text;
        assert!(
            text.contains("part_5_8 = x[5:8]\ny = conv(part_5_8, 2, kernel: 1)"),
            "{text}"
        );
        // Negative bounds count from the end: -3 is 5.
        let g = slice(-3, 8, -3, 1);
        let text = lower(&g, &ImportOptions::default()).expect("imports").text;
        assert!(text.contains("x[5:8]"), "{text}");
    }

    #[test]
    fn a_split_of_channels_is_one_slice_per_part() {
        let consts = vec![ints("sizes", &[5, 3])];
        let split = node("Split", &["x", "sizes"], &["a", "b"], axis(1));
        let g = graph(vec![split], consts, "b");
        let text = lower(&g, &ImportOptions::default()).expect("imports").text;
        assert!(text.contains("a_0_5 = x[0:5]\na_5_8 = x[5:8]\n"), "{text}");
    }

    /// Rows, a step, or a split across height: refused, naming the node.
    #[test]
    fn slices_of_other_axes_are_refused() {
        let bad = [slice(0, 2, 2, 1), slice(0, 8, 1, 2)];
        for g in bad {
            match lower(&g, &ImportOptions::default()) {
                Err(ImportError::Node { op, what, .. }) => {
                    assert_eq!(op, "Slice");
                    assert!(what.contains("of axis"), "{what}");
                }
                other => panic!("{other:?}"),
            }
        }
        let split = node("Split", &["x"], &["a", "b"], axis(2));
        match lower(
            &graph(vec![split], Vec::new(), "b"),
            &ImportOptions::default(),
        ) {
            Err(ImportError::Node { op, .. }) => assert_eq!(op, "Split"),
            other => panic!("{other:?}"),
        }
    }
}
