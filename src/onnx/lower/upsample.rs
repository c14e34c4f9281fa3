//! Upsampling (docs/onnx.md#what-each-operator-becomes): `ConvTranspose`
//! becomes `deconv`, `Resize` and `Upsample` by integer factors become
//! `upsample` (docs/language.md#upsampling).

use super::attrs::{int_attr, ints_attr, unsupported};
use super::{Fm, Lowering, pair};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};
use std::fmt::Write;

impl Lowering<'_> {
    /// `ConvTranspose` (2D): `deconv(x, out, kernel:, stride:, pad:, groups:)`.
    pub(super) fn deconv(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.spatial(node)?;
        if f.pad != [0; 4] {
            return Err(unsupported(
                node,
                "reads the output of a `Pad` node".into(),
                "a transposed convolution crops with its own `pads`",
            ));
        }
        let dims = self.weight_dims(node, 1)?;
        let [cin, cout_g, kh, kw] = dims[..] else {
            return Err(unsupported(
                node,
                format!("weights of shape {dims:?}: only 2D transposed convolutions are supported"),
                "export a 2D ConvTranspose",
            ));
        };
        let groups = int_attr(node, "group", 1)?.max(1);
        let strides = ints_attr(node, "strides", &[1, 1])?;
        let pads = ints_attr(node, "pads", &[0, 0, 0, 0])?;
        let dil = ints_attr(node, "dilations", &[1, 1])?;
        let out_pad = ints_attr(node, "output_padding", &[0, 0])?;
        let auto = match node.attr("auto_pad") {
            Some(AttrValue::Str(a)) => a.as_str(),
            _ => "NOTSET",
        };
        let (&[sh, sw], &[t, l, b, r]) = (&strides[..], &pads[..]) else {
            return Err(unsupported(
                node,
                format!("strides {strides:?}, pads {pads:?}"),
                "export a 2D ConvTranspose",
            ));
        };
        if t != b
            || l != r
            || dil.iter().any(|&d| d != 1)
            || out_pad.iter().any(|&p| p != 0)
            || auto != "NOTSET"
            || node.attr("output_shape").is_some()
            || cin != f.c
        {
            return Err(unsupported(
                node,
                format!(
                    "pads {pads:?}, dilations {dil:?}, output_padding {out_pad:?}, auto_pad \
                     {auto}, weights {dims:?} over {} channels",
                    f.c
                ),
                "supported: symmetric pads, no dilation, no output padding, weights [in, out / \
                 group, kh, kw]",
            ));
        }
        let pos = |x: i64| u64::try_from(x).ok();
        let stride = |x: i64| u64::try_from(x).ok().filter(|&s| s > 0);
        let (Some(sh), Some(sw), Some(ph), Some(pw)) = (stride(sh), stride(sw), pos(t), pos(l))
        else {
            return Err(unsupported(
                node,
                format!("strides {strides:?}, pads {pads:?}"),
                "sizes must be positive",
            ));
        };
        // The transposed conv's output, `(in - 1) * stride + kernel - 2 * pad`.
        let size = |i: u64, k: u64, s: u64, p: u64| {
            i.checked_sub(1)?
                .checked_mul(s)?
                .checked_add(k)?
                .checked_sub(p.checked_mul(2)?)
                .filter(|&o| o > 0 && o % s == 0)
        };
        let (Some(oh), Some(ow)) = (size(f.h, kh, sh, ph), size(f.w, kw, sw, pw)) else {
            return Err(unsupported(
                node,
                "an output size that is not a positive multiple of the stride".into(),
                "nnc's sub-pixel model of a transposed convolution needs the output a multiple \
                 of the stride (docs/language.md#upsampling)",
            ));
        };
        let out = cout_g.saturating_mul(groups);
        let mut call = format!(
            "deconv({}, {out}, kernel: {}, stride: {}",
            f.expr,
            pair(kh, kw),
            pair(sh, sw)
        );
        if ph != 0 || pw != 0 {
            call.push_str(&format!(", pad: {}", pair(ph, pw)));
        }
        if groups > 1 {
            call.push_str(&format!(", groups: {groups}"));
        }
        call.push(')');
        self.layer(node, call, out, oh, ow);
        Ok(())
    }

    /// `Resize` (opset 10+) and `Upsample` (opset 7 to 9) of height and
    /// width by integer factors, nearest or (bi)linear:
    /// `upsample(x, scale:, mode:)`.
    pub(super) fn resize(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.spatial(node)?;
        if f.pad != [0; 4] {
            return Err(unsupported(
                node,
                "reads the output of a `Pad` node".into(),
                "only a convolution or a pool can take in a Pad node's padding",
            ));
        }
        let mode = match node.attr("mode") {
            Some(AttrValue::Str(m)) => m.clone(),
            _ => "nearest".to_owned(),
        };
        let interp = match mode.as_str() {
            "nearest" => "nearest",
            "linear" | "bilinear" => "bilinear",
            _ => {
                return Err(unsupported(
                    node,
                    format!("a `{mode}` resize"),
                    "supported: nearest and (bi)linear resizes",
                ));
            }
        };
        // Scales: input 2 of Resize (opset 11+), 1 of Resize (10) and
        // Upsample (9); or sizes, input 3.
        let scales_at = if node.op == "Resize" && node.inputs.len() > 2 {
            2
        } else {
            1
        };
        // (Upsample 7's `scales` attribute of floats is not read.)
        let scales = node
            .inputs
            .get(scales_at)
            .filter(|s| !s.is_empty())
            .and_then(|s| self.floats(s))
            .unwrap_or_default();
        let factor = |x: f32| {
            let r = x.round();
            ((x - r).abs() < 1e-6 && r >= 1.0).then_some(r as u64)
        };
        let (sh, sw) = match scales.as_slice() {
            [n, c, h, w] if factor(*n) == Some(1) && factor(*c) == Some(1) => {
                (factor(*h), factor(*w))
            }
            // Sizes: `[n, c, H, W]`, constants or shape arithmetic of the
            // input's shape (torchvision's segmentation heads).
            [] => match self.ints(node, 3).as_deref() {
                Some(&[_, _, h, w]) => {
                    let to = |o: i64| u64::try_from(o).ok().filter(|&o| o > 0);
                    match (to(h), to(w)) {
                        (Some(h), Some(w)) => return self.resize_to(node, &f, interp, [h, w]),
                        _ => (None, None),
                    }
                }
                _ => (None, None),
            },
            _ => (None, None),
        };
        let (Some(sh), Some(sw)) = (sh, sw) else {
            return Err(unsupported(
                node,
                format!("a resize by scales {scales:?}"),
                "supported: resizes of height and width by integer factors given as constants",
            ));
        };
        self.upsample(node, &f, interp, [sh, sw]);
        Ok(())
    }

    /// `upsample(x, scale: S, mode:)`: a layer of `f`'s channels over `S`
    /// times its size.
    fn upsample(&mut self, node: &Node, f: &Fm, interp: &str, [sh, sw]: [u64; 2]) {
        let mut call = format!("upsample({}, scale: {}", f.expr, pair(sh, sw));
        if interp != "nearest" {
            call.push_str(&format!(", mode: {interp}"));
        }
        call.push(')');
        self.layer(
            node,
            call,
            f.c,
            f.h.saturating_mul(sh),
            f.w.saturating_mul(sw),
        );
    }

    /// A `Resize` to `sizes` `[h, w]`. A whole multiple of the input is
    /// that factor. Any other size larger than the input is modelled by
    /// the least whole factor that reaches it, only where nothing reads
    /// the result (a segmentation head's last resize, DeepLabV3's 33x33 to
    /// 520x520: by 16, 528x528), so no layer's shape depends on the extra
    /// rows; the `.nn` text says so in a comment
    /// (docs/onnx.md#segmentation-heads).
    fn resize_to(
        &mut self,
        node: &Node,
        f: &Fm,
        interp: &str,
        [h, w]: [u64; 2],
    ) -> Result<(), ImportError> {
        let (Some(sh), Some(sw)) = (h.checked_div(f.h), w.checked_div(f.w)) else {
            return Err(unsupported(
                node,
                "an input of no rows".into(),
                "check the graph",
            ));
        };
        if h % f.h == 0 && w % f.w == 0 && sh > 0 && sw > 0 {
            self.upsample(node, f, interp, [sh, sw]);
            return Ok(());
        }
        let read = node.outputs.iter().any(|o| {
            self.graph
                .nodes
                .iter()
                .any(|n| n.inputs.iter().any(|i| i == o))
        });
        if h < f.h || w < f.w || read {
            return Err(unsupported(
                node,
                format!(
                    "a resize of {}x{} to {h}x{w}, by a factor that is not a whole number",
                    f.h, f.w
                ),
                "nnc models a resize by whole factors (a sub-pixel convolution, \
                 docs/language.md#upsampling); one that is not whole is modelled rounded up only \
                 as a network output, where no layer reads the extra rows. Export at an input \
                 size that the network's total stride divides (e.g. 512 rather than 520 for a \
                 stride of 16)",
            ));
        }
        let (sh, sw) = (h.div_ceil(f.h), w.div_ceil(f.w));
        let _ = writeln!(
            self.body,
            "# `{}`: {}x{} resized to {h}x{w}, by {} here: the least whole factor reaching it \
             ({}x{}; nnc's upsampling is by whole factors)",
            node.label(),
            f.h,
            f.w,
            pair(sh, sw),
            f.h.saturating_mul(sh),
            f.w.saturating_mul(sw),
        );
        self.upsample(node, f, interp, [sh, sw]);
        Ok(())
    }

    /// The float values of a constant tensor: an initializer or a
    /// `Constant` node's value.
    fn floats(&self, name: &str) -> Option<Vec<f32>> {
        if let Some(t) = self.graph.initializers.iter().find(|t| t.name == name) {
            return Some(t.floats.clone());
        }
        self.graph.nodes.iter().find_map(|n| {
            if n.op != "Constant" || n.outputs.first().map(String::as_str) != Some(name) {
                return None;
            }
            match n.attr("value") {
                Some(AttrValue::Tensor(t)) => Some(t.floats.clone()),
                _ => None,
            }
        })
    }
}
