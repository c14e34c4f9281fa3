//! The lowering of each operator that becomes a layer, a source or a fold
//! (docs/onnx.md#what-each-operator-becomes), and the geometry of window
//! operators in `.nn` terms.

use super::attrs::{int_attr, ints_attr, unsupported};
use super::{ELEMENTWISE, FOLDED, Fm, Lowering, Val, pair};
use crate::ir::WindowMode;
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};
use std::fmt::Write;

impl Lowering<'_> {
    pub(super) fn reshape(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        let elems = f.c.saturating_mul(f.h).saturating_mul(f.w);
        let target = match (node.op.as_str(), self.val(node, 1)) {
            ("Reshape", Ok(Val::Const { ints, .. })) if !ints.is_empty() => Some(ints.clone()),
            _ => None,
        };
        // Why: a reshape keeps the data; to the model only whether it became
        // a vector matters (then only an fc can read it). A computed target
        // (`x.view(x.size(0), -1)`) is such a flatten.
        let flat = match (node.op.as_str(), target) {
            ("Flatten", _) | ("Reshape", None) => true,
            ("Reshape", Some(t)) => {
                let rest: Vec<i64> = t.iter().skip(1).copied().collect();
                let same = rest.len() == 3
                    && [f.c, f.h, f.w]
                        .iter()
                        .zip(&rest)
                        .all(|(a, b)| *b == 0 || i64::try_from(*a).ok() == Some(*b));
                let vector = rest.len() == 1
                    && (rest[0] == -1 || u64::try_from(rest[0]).ok() == Some(elems));
                if let [g, cg, h, w] = rest.as_slice()
                    && channel_split(&f, [*g, *cg, *h, *w])
                {
                    let v = self.val(node, 0)?.clone();
                    self.fold(
                        node,
                        Val::Shuffle {
                            of: Box::new(v),
                            transposed: false,
                        },
                    );
                    return Ok(());
                }
                if same {
                    f.flat
                } else if vector {
                    true
                } else {
                    return Err(unsupported(
                        node,
                        format!(
                            "a reshape of {} to {t:?} changes the feature map's layout",
                            f.shape()
                        ),
                        "only reshapes that flatten a feature map into a vector are supported",
                    ));
                }
            }
            _ => f.flat || (f.h == 1 && f.w == 1),
        };
        let mut v = self.val(node, 0)?.clone();
        if let Val::Fmap { flat: fl, .. } = &mut v {
            *fl = flat;
        }
        self.fold(node, v);
        Ok(())
    }

    /// A node reading a channel shuffle's middle ([`Val::Shuffle`]): the
    /// transpose of its two channel axes, then the reshape back to the
    /// feature map. Why a shuffle folds: in the model a grouped
    /// convolution's cost does not depend on which channels form its
    /// groups, so a permutation of channels changes nothing.
    pub(super) fn shuffle(
        &mut self,
        node: &Node,
        of: Val,
        transposed: bool,
    ) -> Result<(), ImportError> {
        let perm = ints_attr(node, "perm", &[])?;
        let back = match (node.op.as_str(), self.val(node, 1)) {
            ("Reshape", Ok(Val::Const { ints, .. })) => match (&of, ints.get(1..)) {
                (Val::Fmap { c, h, w, .. }, Some(rest)) => {
                    rest.len() == 3
                        && [*c, *h, *w]
                            .iter()
                            .zip(rest)
                            .all(|(a, b)| *b == -1 || i64::try_from(*a).ok() == Some(*b))
                }
                _ => false,
            },
            _ => false,
        };
        if node.op == "Transpose" && !transposed && perm == [0, 2, 1, 3, 4] {
            self.fold(
                node,
                Val::Shuffle {
                    of: Box::new(of),
                    transposed: true,
                },
            );
            Ok(())
        } else if back && transposed {
            self.fold(node, of);
            Ok(())
        } else {
            Err(unsupported(
                node,
                "reads a feature map whose channels are split in two axes".into(),
                "only a channel shuffle (reshape to groups, transpose them, reshape back) \
                 is supported",
            ))
        }
    }

    /// A `Pad` (constant zeros) of the spatial dimensions is kept with the
    /// feature map and taken in by the convolution or pool that reads it
    /// (PyTorch's `ZeroPad2d`, TensorFlow's explicit padding).
    pub(super) fn pad(&mut self, node: &Node) -> Result<(), ImportError> {
        self.padded_fmap(node, 0)?;
        let mode = match node.attr("mode") {
            Some(AttrValue::Str(m)) => m.clone(),
            _ => "constant".to_owned(),
        };
        let pads = match (node.attr("pads"), self.val(node, 1)) {
            (Some(AttrValue::Ints(p)), _) => p.clone(),
            (_, Ok(Val::Const { ints, .. })) => ints.clone(),
            _ => Vec::new(),
        };
        let zero_value = match self.val(node, 2) {
            Ok(Val::Const { ints, .. }) => ints.iter().all(|&v| v == 0),
            _ => true,
        };
        // [n, c, h, w] begins, then ends; only h and w may be padded.
        let spatial = match pads.as_slice() {
            [0, 0, t, l, 0, 0, b, r] => [*t, *l, *b, *r]
                .iter()
                .map(|&x| u64::try_from(x).ok())
                .collect::<Option<Vec<u64>>>(),
            _ => None,
        };
        let (Some(p), "constant", true) = (spatial, mode.as_str(), zero_value) else {
            return Err(unsupported(
                node,
                format!("a {mode} pad of {pads:?}"),
                "only zero padding of height and width, read by a convolution or pool, \
                 is supported",
            ));
        };
        let mut v = self.val(node, 0)?.clone();
        if let Val::Fmap { pad, layer, .. } = &mut v {
            for (a, b) in pad.iter_mut().zip(&p) {
                *a = a.saturating_add(*b);
            }
            *layer = false;
        }
        self.fold(node, v);
        Ok(())
    }

    /// A reduction over height and width is a global pool (`x.mean((2, 3))`,
    /// squeeze-and-excitation's squeeze); any other axis is not a layer of
    /// the model.
    pub(super) fn reduce(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        let axes = match (node.attr("axes"), self.val(node, 1)) {
            (Some(AttrValue::Ints(a)), _) => a.clone(),
            (_, Ok(Val::Const { ints, .. })) => ints.clone(),
            _ => Vec::new(),
        };
        let mut sorted: Vec<i64> = axes
            .iter()
            .map(|&a| if a < 0 { a + 4 } else { a })
            .collect();
        sorted.sort_unstable();
        if sorted != [2, 3] || f.flat {
            return Err(unsupported(
                node,
                format!("a reduction over axes {axes:?}"),
                "only reductions over height and width (a global pool) are supported",
            ));
        }
        let keep = int_attr(node, "keepdims", 1)? != 0;
        self.global_pool(node)?;
        if !keep
            && let Some(Val::Fmap { flat, .. }) =
                node.outputs.first().and_then(|o| self.vals.get_mut(o))
        {
            *flat = true;
        }
        Ok(())
    }

    /// A pool over the whole feature map, folded over a 1x1 map.
    pub(super) fn global_pool(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        if f.h == 1 && f.w == 1 {
            let v = self.val(node, 0)?.clone();
            self.fold(node, v);
        } else {
            let call = format!("pool({}, kernel: {})", f.expr, pair(f.h, f.w));
            self.layer(node, call, f.c, 1, 1);
        }
        Ok(())
    }

    pub(super) fn conv(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.spatial(node)?;
        let wdims = self.weight_dims(node, 1)?;
        // A Conv1d is a 2-D convolution of width 1 (docs/onnx.md#language-models).
        let flat;
        let node = match wdims.len() {
            3 => {
                flat = super::conv1d::as_2d(node);
                &flat
            }
            5.. => return Err(super::conv1d::refuse_3d(node, &wdims)),
            _ => node,
        };
        let [m, cg, kh, kw] = match wdims.as_slice() {
            [m, cg, kh, kw] => [*m, *cg, *kh, *kw],
            [m, cg, k] => [*m, *cg, *k, 1],
            _ => {
                return Err(unsupported(
                    node,
                    format!("weights of shape {wdims:?}: only 2D convolutions are supported"),
                    "nnc models convolutions over 2D feature maps",
                ));
            }
        };
        let groups = int_attr(node, "group", 1)?;
        if cg.checked_mul(groups) != Some(f.c) {
            return Err(unsupported(
                node,
                format!(
                    "weights read {cg} channels in each of {groups} groups, but the input has {}",
                    f.c
                ),
                "check the graph with onnx.shape_inference",
            ));
        }
        let dil = match ints_attr(node, "dilations", &[1, 1])?.as_slice() {
            &[a, b] => [a, b],
            other => {
                return Err(unsupported(
                    node,
                    format!("dilations {other:?} are not 2D"),
                    "check the graph with onnx.checker",
                ));
            }
        };
        let win = Windows::new(node, [f.h, f.w], f.pad, [kh, kw], dil, false)?;
        let mut call = format!("conv({}, {m}, kernel: {}", f.expr, pair(kh, kw));
        win.args(&mut call, [1, 1]);
        if groups != 1 {
            let _ = write!(call, ", groups: {groups}");
        }
        if dil != [1, 1] {
            if dil[0] != dil[1] {
                return Err(unsupported(
                    node,
                    format!("dilations {dil:?} differ per dimension"),
                    "nnc's dilation is one number",
                ));
            }
            let _ = write!(call, ", dilation: {}", dil[0]);
        }
        call.push(')');
        // A convolution cutting the network input into patches: a class
        // token may later extend its rows (docs/onnx.md#token-sequences).
        let on_input = matches!(self.val(node, 0)?, Val::Fmap { layer: false, .. });
        let patch = on_input
            && f.pad == [0; 4]
            && win.pad == Some([0, 0])
            && win.stride == [kh, kw]
            && groups == 1
            && dil == [1, 1]
            && win.out[0].checked_mul(kh) == Some(f.h)
            && win.out[1].checked_mul(kw) == Some(f.w);
        let line = call.clone();
        self.layer(node, call, m, win.out[0], win.out[1]);
        if patch && let Some(name) = self.last_layer.clone() {
            let values = f.c.saturating_mul(kh).saturating_mul(kw);
            self.patches.insert(
                name,
                super::tokens::Patch {
                    input: f.expr,
                    call: line,
                    values,
                    out: m,
                },
            );
        }
        Ok(())
    }

    pub(super) fn pool(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.spatial(node)?;
        let k = ints_attr(node, "kernel_shape", &[])?;
        let [kh, kw] = match k.as_slice() {
            [a, b] if *a > 0 && *b > 0 => [*a as u64, *b as u64],
            _ => {
                return Err(unsupported(
                    node,
                    format!("kernel_shape {k:?}: only 2D pools are supported"),
                    "nnc models pools over 2D feature maps",
                ));
            }
        };
        let dil = ints_attr(node, "dilations", &[1, 1])?;
        if dil != [1, 1] {
            return Err(unsupported(
                node,
                "a dilated pool is not in nnc's model".into(),
                "use an undilated pool",
            ));
        }
        let ceil = int_attr(node, "ceil_mode", 0)? != 0;
        let win = Windows::new(node, [f.h, f.w], f.pad, [kh, kw], [1, 1], ceil)?;
        if [kh, kw] == [1, 1] && win.stride == [1, 1] && win.out == [f.h, f.w] {
            // A 1x1 pool of stride 1 changes nothing.
            let v = self.val(node, 0)?.clone();
            self.fold(node, v);
            return Ok(());
        }
        let mut call = format!("pool({}, kernel: {}", f.expr, pair(kh, kw));
        // A pool's stride defaults to its kernel.
        win.args(&mut call, [kh, kw]);
        call.push(')');
        self.layer(node, call, f.c, win.out[0], win.out[1]);
        Ok(())
    }

    pub(super) fn fc(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        if matches!(self.val(node, 1)?, Val::Fmap { .. }) {
            return Err(unsupported(
                node,
                "a product of two feature maps [C, H, W] (per channel, H x W matrices)".into(),
                "products of two activations are read over token sequences: [batch, tokens, \
                 channels] tensors and their heads (docs/onnx.md#token-sequences)",
            ));
        }
        if int_attr(node, "transA", 0)? != 0 {
            return Err(unsupported(
                node,
                "transA = 1".into(),
                "export the linear layer without transposing its input",
            ));
        }
        let dims = self.weight_dims(node, 1)?;
        let trans_b = node.op == "Gemm" && int_attr(node, "transB", 0)? != 0;
        let (k, n) = match dims.as_slice() {
            [a, b] if trans_b => (*b, *a),
            [a, b] => (*a, *b),
            _ => {
                return Err(unsupported(
                    node,
                    format!("weights of shape {dims:?}: only matrices are supported"),
                    "a batched matmul over sequences is not supported yet",
                ));
            }
        };
        let elems = f.c.saturating_mul(f.h).saturating_mul(f.w);
        if k != elems || !(f.flat || (f.h == 1 && f.w == 1)) {
            return Err(unsupported(
                node,
                format!(
                    "weights of shape {dims:?} multiply an input of shape {}",
                    f.shape()
                ),
                "a linear layer must read a flattened feature map",
            ));
        }
        self.layer(node, format!("fc({}, {n})", f.expr), n, 1, 1);
        Ok(())
    }

    pub(super) fn eltwise(&mut self, node: &Node) -> Result<(), ImportError> {
        let mut maps = Vec::new();
        let mut at = Vec::new();
        for (i, name) in node.inputs.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            if let Val::Fmap { .. } = self.val(node, i)? {
                maps.push(self.fmap(node, i)?);
                at.push(i);
            }
        }
        match maps.as_slice() {
            [] => Err(unsupported(
                node,
                "reads no feature map".into(),
                "check the graph with onnx.checker",
            )),
            [_] => {
                // A bias or a scale by a constant: element-wise, folded.
                let v = self.val(node, at[0])?.clone();
                self.fold(node, v);
                Ok(())
            }
            maps if maps.iter().all(|m| m.expr == maps[0].expr) => {
                // `x * sigmoid(x)` (SiLU, Swish): the activations before it
                // are folded, so this reads one map; a unary activation.
                let v = self.val(node, at[0])?.clone();
                self.fold(node, v);
                Ok(())
            }
            [a, b]
                if node.op == "Mul"
                    && let Some((x, s)) = channel_scale(a, b) =>
            {
                // Squeeze-and-excitation: a map times one factor per channel
                // (docs/onnx.md#folded-operators).
                let v = Val::Fmap {
                    expr: format!("scale({}, {})", x.expr, s.expr),
                    c: x.c,
                    h: x.h,
                    w: x.w,
                    layer: false,
                    flat: false,
                    pad: [0; 4],
                };
                self.fold(node, v);
                Ok(())
            }
            [first, rest @ ..] => {
                if let Some(o) = rest
                    .iter()
                    .find(|m| (m.c, m.h, m.w) != (first.c, first.h, first.w))
                {
                    return Err(unsupported(
                        node,
                        format!(
                            "feature maps of shapes [{}, {}, {}] and [{}, {}, {}]: broadcasting \
                             between feature maps is not in nnc's model",
                            first.c, first.h, first.w, o.c, o.h, o.w
                        ),
                        "element-wise layers need inputs of equal shapes",
                    ));
                }
                let args: Vec<&str> = maps.iter().map(|m| m.expr.as_str()).collect();
                let call = format!("eltwise({})", args.join(", "));
                self.layer(node, call, first.c, first.h, first.w);
                Ok(())
            }
        }
    }

    /// A `Gather` of one channel of a feature map (`x[:, 0]`), the start of
    /// a per-channel input normalization ([`Val::Channel`]).
    pub(super) fn gather(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let index = match self.val(node, 1)? {
            Val::Const { dims, ints }
                if ints.len() == 1 && dims.as_ref().is_none_or(|d| d.iter().all(|&x| x == 1)) =>
            {
                Some(ints[0])
            }
            _ => None,
        };
        let c = i64::try_from(f.c).unwrap_or(i64::MAX);
        let index = index
            .map(|i| if i < 0 { i.saturating_add(c) } else { i })
            .filter(|i| (0..c).contains(i))
            .and_then(|i| u64::try_from(i).ok());
        let (Some(index), 1 | -3, false) = (index, axis, f.flat) else {
            return Err(unsupported(
                node,
                format!("a gather on axis {axis}"),
                "only picking one channel of a feature map by a constant index is supported",
            ));
        };
        let v = self.val(node, 0)?.clone();
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set(
            node,
            Val::Channel {
                of: Box::new(v),
                index,
            },
        );
        Ok(())
    }

    /// A node reading a [`Val::Channel`]: a reshape or an element-wise
    /// operation with constants keeps it; a concatenation of every channel
    /// of one feature map in order is that feature map again.
    pub(super) fn channel(&mut self, node: &Node) -> Result<(), ImportError> {
        let op = node.op.as_str();
        let reads: Vec<&Val> = node
            .inputs
            .iter()
            .filter(|i| !i.is_empty())
            .filter_map(|i| self.vals.get(i))
            .filter(|v| !matches!(v, Val::Const { .. }))
            .collect();
        let keeps = matches!(op, "Unsqueeze" | "Squeeze" | "Reshape")
            || FOLDED.contains(&op)
            || ELEMENTWISE.contains(&op);
        if keeps && let [one @ Val::Channel { .. }] = reads.as_slice() {
            let v = (*one).clone();
            self.fold(node, v);
            return Ok(());
        }
        let on_channels = matches!(node.attr("axis"), Some(AttrValue::Int(1 | -3)));
        if op == "Concat" && on_channels {
            let mut base: Option<&Val> = None;
            let mut whole = true;
            for (i, v) in reads.iter().enumerate() {
                match v {
                    Val::Channel { of, index } if u64::try_from(i).ok() == Some(*index) => {
                        let same = match (base, of.as_ref()) {
                            (None, _) => true,
                            (Some(Val::Fmap { expr: a, .. }), Val::Fmap { expr: b, .. }) => a == b,
                            _ => false,
                        };
                        whole &= same;
                        base = Some(of);
                    }
                    _ => whole = false,
                }
            }
            if let (true, Some(b @ Val::Fmap { c, .. })) = (whole, base)
                && u64::try_from(reads.len()).ok() == Some(*c)
            {
                let v = b.clone();
                self.fold(node, v);
                return Ok(());
            }
        }
        Err(unsupported(
            node,
            "reads a single channel of a feature map (picked by a `Gather`)".into(),
            "only a per-channel transform of every input channel, concatenated back in \
             order (GoogLeNet's transform_input), is supported",
        ))
    }

    pub(super) fn concat(&mut self, node: &Node) -> Result<(), ImportError> {
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 1,
        };
        let mut maps = Vec::new();
        for i in 0..node.inputs.len() {
            maps.push(self.fmap(node, i)?);
        }
        let Some(first) = maps.first() else {
            return Err(unsupported(node, "no inputs".into(), "check the graph"));
        };
        let rank4_channels = axis == 1 || axis == -3;
        if !rank4_channels
            || maps
                .iter()
                .any(|m| (m.h, m.w) != (first.h, first.w) || m.flat)
        {
            return Err(unsupported(
                node,
                format!("a concatenation on axis {axis}"),
                "only concatenation of equal-size feature maps on channels (axis 1) is supported",
            ));
        }
        let c = maps.iter().map(|m| m.c).sum();
        let args: Vec<&str> = maps.iter().map(|m| m.expr.as_str()).collect();
        let (h, w) = (first.h, first.w);
        self.set(
            node,
            Val::Fmap {
                expr: format!("concat({})", args.join(", ")),
                c,
                h,
                w,
                layer: false,
                flat: false,
                pad: [0; 4],
            },
        );
        Ok(())
    }
}

/// Is `[g, c / g, h, w]` the channels of `f` split into groups (the first
/// reshape of a channel shuffle)?
fn channel_split(f: &Fm, target: [i64; 4]) -> bool {
    let [g, cg, h, w] = target;
    !f.flat
        && g > 1
        && cg > 0
        && g.checked_mul(cg) == i64::try_from(f.c).ok()
        && i64::try_from(f.h).ok() == Some(h)
        && i64::try_from(f.w).ok() == Some(w)
}

/// `(map, factors)` if one of `a`, `b` is a 2D feature map and the other
/// one factor for each of its channels (a `[C, 1, 1]` map).
fn channel_scale<'f>(a: &'f Fm, b: &'f Fm) -> Option<(&'f Fm, &'f Fm)> {
    let factors =
        |x: &Fm, s: &Fm| s.c == x.c && (s.h, s.w) == (1, 1) && !x.flat && (x.h, x.w) != (1, 1);
    if factors(a, b) {
        Some((a, b))
    } else if factors(b, a) {
        Some((b, a))
    } else {
        None
    }
}

/// A window operator's geometry in both dimensions, in `.nn` terms.
struct Windows {
    stride: [u64; 2],
    out: [u64; 2],
    /// Symmetric padding the language's formula reproduces, else `None`
    /// (then `size:` gives the output).
    pad: Option<[u64; 2]>,
    floor: bool,
}

impl Windows {
    /// `extra` is padding from a `Pad` node before this one (top, left,
    /// bottom, right), added to the node's own.
    fn new(
        node: &Node,
        input: [u64; 2],
        extra: [u64; 4],
        kernel: [u64; 2],
        dilation: [i64; 2],
        ceil: bool,
    ) -> Result<Self, ImportError> {
        let strides = ints_attr(node, "strides", &[1, 1])?;
        let pads = ints_attr(node, "pads", &[0, 0, 0, 0])?;
        let auto = match node.attr("auto_pad") {
            Some(AttrValue::Str(s)) => s.clone(),
            _ => "NOTSET".to_owned(),
        };
        let bad = |what: String| unsupported(node, what, "check the graph with onnx.checker");
        if strides.len() != 2 || pads.len() != 4 {
            return Err(bad(format!(
                "strides {strides:?} and pads {pads:?} are not 2D"
            )));
        }
        let mut w = Windows {
            stride: [0; 2],
            out: [0; 2],
            pad: Some([0; 2]),
            floor: false,
        };
        for d in 0..2 {
            let s = u64::try_from(strides[d]).ok().filter(|&s| s > 0);
            let dl = u64::try_from(dilation[d]).ok().filter(|&x| x > 0);
            let (Some(s), Some(dl)) = (s, dl) else {
                return Err(bad(format!(
                    "stride {} or dilation {}",
                    strides[d], dilation[d]
                )));
            };
            let span = (kernel[d] - 1).saturating_mul(dl).saturating_add(1);
            let (pb, pe) = match auto.as_str() {
                "VALID" => (0, 0),
                "SAME_UPPER" | "SAME_LOWER" => {
                    let o = input[d].div_ceil(s);
                    let total =
                        ((o - 1).saturating_mul(s).saturating_add(span)).saturating_sub(input[d]);
                    let (lo, hi) = (total / 2, total - total / 2);
                    if auto == "SAME_UPPER" {
                        (lo, hi)
                    } else {
                        (hi, lo)
                    }
                }
                _ => {
                    let (a, b) = (pads[d], pads[d + 2]);
                    match (u64::try_from(a), u64::try_from(b)) {
                        (Ok(a), Ok(b)) => (a, b),
                        _ => return Err(bad(format!("negative pads {pads:?}"))),
                    }
                }
            };
            let (pb, pe) = (pb.saturating_add(extra[d]), pe.saturating_add(extra[d + 2]));
            let padded = input[d].saturating_add(pb).saturating_add(pe);
            if padded < span {
                return Err(bad(format!(
                    "a window of {span} is larger than the padded input of {padded}"
                )));
            }
            let mut o = if ceil {
                (padded - span).div_ceil(s) + 1
            } else {
                (padded - span) / s + 1
            };
            // ONNX: with ceil_mode, a last window that starts in the end
            // padding is dropped.
            if ceil && (o - 1).saturating_mul(s) >= input[d].saturating_add(pb) {
                o -= 1;
            }
            let (lo, hi) = WindowMode::Exact.input_range(o, span, s);
            let (flo, fhi) = WindowMode::Floor.input_range(o, span, s);
            if !(lo..=hi).contains(&input[d]) {
                if (flo..=fhi).contains(&input[d]) {
                    w.floor = true;
                } else {
                    let derived = (o - 1).saturating_mul(s).saturating_add(span);
                    return Err(unsupported(
                        node,
                        format!(
                            "pads {pb}+{pe} around {} rows or columns for a window of {span}, \
                             stride {s}: the model reads (out - 1) * stride + window = {derived} \
                             of them and allows at most half the window on each side ({} in \
                             all) to be padding, and fewer rows than a stride past the last \
                             window",
                            input[d],
                            span / 2 * 2
                        ),
                        "a .nn layer cannot express this either (the padding rule, \
                         docs/language.md#the-padding-rule); change the padding in the \
                         exported model to at most half the kernel on each side, as PyTorch \
                         allows",
                    ));
                }
            }
            let symmetric = pb == pe
                && input[d]
                    .saturating_add(pb.saturating_mul(2))
                    .checked_sub(span)
                    .map(|x| x / s + 1)
                    == Some(o);
            if let (Some(p), true) = (&mut w.pad, symmetric) {
                p[d] = pb;
            } else {
                w.pad = None;
            }
            w.stride[d] = s;
            w.out[d] = o;
        }
        Ok(w)
    }

    /// The `stride` (unless it is the operator's default), `pad` or `size`,
    /// and `mode` arguments.
    fn args(&self, call: &mut String, default_stride: [u64; 2]) {
        if self.stride != default_stride {
            let _ = write!(call, ", stride: {}", pair(self.stride[0], self.stride[1]));
        }
        match self.pad {
            Some([0, 0]) => {}
            Some([a, b]) => {
                let _ = write!(call, ", pad: {}", pair(a, b));
            }
            None => {
                let _ = write!(call, ", size: {}", pair(self.out[0], self.out[1]));
            }
        }
        if self.floor {
            call.push_str(", mode: floor");
        }
    }
}
