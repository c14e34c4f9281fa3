//! Calls: binding arguments to parameters, and lowering each built-in
//! operator to an IR layer (block calls are in `blocks.rs`, operators over
//! several sources in `merge.rs`, `matmul` in `matmul.rs`).

use super::shape::{self, Window, WindowError, shape_fits};
use super::{Checker, MAX_QUANTITY, Part, Value};
use crate::diag::Diagnostic;
use crate::ir::{
    ConvShape, Dim2, Layer, LayerId, LayerKind, LayerShape, LocalShape, Source, View, WindowMode,
};
use crate::lang::ast::{Call, Expr, Ident, Span};
use crate::lang::builtin::{Builtin, Key, Param, ParamKind, Params};
use crate::lang::error::ErrorKind;

/// A callee's parameters, for argument binding.
pub(super) struct Signature<'s> {
    pub(super) callee: &'s str,
    pub(super) names: Vec<&'s str>,
    pub(super) positional: usize,
    pub(super) required: Vec<bool>,
    /// Where a block declares each parameter (`None` for built-ins).
    pub(super) decls: Vec<Option<Span>>,
}

impl Signature<'static> {
    fn builtin(op: Builtin, params: &'static [Param], positional: usize) -> Self {
        Signature {
            callee: op.name(),
            names: params.iter().map(|p| p.key.name()).collect(),
            positional,
            required: params.iter().map(|p| p.required).collect(),
            decls: vec![None; params.len()],
        }
    }
}

/// A built-in's argument, evaluated by the kind of its parameter.
enum Arg {
    Src(Vec<Part>),
    Count(u64),
    Dims(Dim2),
    Word(&'static str),
}

/// The arguments a built-in call gives, evaluated: each with the span of
/// its value, and `None` for a value already reported as invalid.
pub(super) struct Args(Vec<(Key, Span, Option<Arg>)>);

impl Args {
    /// Where the value of `key` is written, if given.
    pub(super) fn span(&self, key: Key) -> Option<Span> {
        self.0.iter().find(|(k, ..)| *k == key).map(|(_, s, _)| *s)
    }

    fn get(&self, key: Key) -> Option<&Option<Arg>> {
        self.0.iter().find(|(k, ..)| *k == key).map(|(.., a)| a)
    }

    /// The source; `None` if invalid (it is always given: it is required).
    pub(super) fn src(&mut self) -> Option<Vec<Part>> {
        self.source(Key::Src)
    }

    /// A required source argument; `None` if invalid.
    pub(super) fn source(&mut self, key: Key) -> Option<Vec<Part>> {
        let i = self.0.iter().position(|(k, ..)| *k == key)?;
        match self.0[i].2.take() {
            Some(Arg::Src(parts)) => Some(parts),
            _ => None,
        }
    }

    /// An optional count: `Some(None)` if absent, `None` if invalid.
    pub(super) fn count(&self, key: Key) -> Option<Option<u64>> {
        match self.get(key) {
            None => Some(None),
            Some(Some(Arg::Count(n))) => Some(Some(*n)),
            Some(_) => None,
        }
    }

    /// Optional dimensions: `Some(None)` if absent, `None` if invalid.
    pub(super) fn dims(&self, key: Key) -> Option<Option<Dim2>> {
        match self.get(key) {
            None => Some(None),
            Some(Some(Arg::Dims(d))) => Some(Some(*d)),
            Some(_) => None,
        }
    }

    /// An optional word: `Some(None)` if absent, `None` if invalid.
    pub(super) fn word(&self, key: Key) -> Option<Option<&'static str>> {
        match self.get(key) {
            None => Some(None),
            Some(Some(Arg::Word(w))) => Some(Some(*w)),
            Some(_) => None,
        }
    }

    /// The window mode: `Some(Exact)` if absent, `None` if invalid.
    fn mode(&self) -> Option<WindowMode> {
        match self.word(Key::Mode)? {
            None => Some(WindowMode::Exact),
            Some(w) => WindowMode::ALL.into_iter().find(|m| m.as_str() == w),
        }
    }
}

impl<'a> Checker<'a> {
    /// The value of `name = callee(...)`: a layer, a concatenation or an
    /// instance.
    pub(super) fn define_call(&mut self, name: &Ident, call: &'a Call) -> Value {
        if let Some(op) = Builtin::from_name(&call.callee.name) {
            return self.builtin(op, name, call);
        }
        match self.blocks.get(call.callee.name.as_str()).copied() {
            Some(block) => {
                let qname = format!("{}{}", self.scope().prefix, name.name);
                match self.instantiate(block, qname, call, None) {
                    Some(inst) => Value::Inst(inst),
                    None => Value::Poison,
                }
            }
            None => {
                self.unknown_callee(&call.callee);
                Value::Poison
            }
        }
    }

    /// Lowers a call of a built-in operator.
    fn builtin(&mut self, op: Builtin, name: &Ident, call: &'a Call) -> Value {
        match op {
            Builtin::Conv | Builtin::Pool => self.windowed(op, name, call),
            Builtin::Fc => self.fc(name, call),
            Builtin::Eltwise => self.eltwise(name, call),
            Builtin::Concat => self.concat(call),
            Builtin::Softmax | Builtin::LayerNorm | Builtin::Relu | Builtin::Scale => {
                self.folded(op, call)
            }
            Builtin::Matmul => self.matmul(name, call),
            Builtin::Upsample => self.upsample(name, call),
            Builtin::Deconv => self.deconv(name, call),
        }
    }

    pub(super) fn unknown_callee(&mut self, callee: &Ident) {
        let mut cands: Vec<&str> = Builtin::ALL.iter().map(|b| b.name()).collect();
        cands.extend(self.blocks.keys().copied());
        cands.sort_unstable();
        let suggestion = self.suggest(&callee.name, cands);
        self.error(ErrorKind::UnknownCallee {
            name: callee.name.clone(),
            span: callee.span,
            suggestion,
        });
    }

    /// Matches arguments to parameters; `None` after reporting a problem.
    pub(super) fn bind<'c>(
        &mut self,
        call: &'c Call,
        sig: &Signature<'_>,
    ) -> Option<Vec<Option<&'c Expr>>> {
        let mut slots: Vec<Option<(&'c Expr, Span)>> = vec![None; sig.names.len()];
        let mut ok = true;
        let mut keyword_seen: Option<Span> = None;
        let mut positional = 0usize;
        for arg in &call.args {
            match &arg.keyword {
                None => {
                    if let Some(k) = keyword_seen {
                        self.error(ErrorKind::PositionalAfterKeyword {
                            span: arg.span,
                            keyword: k,
                        });
                        ok = false;
                        continue;
                    }
                    if positional < sig.positional {
                        slots[positional] = Some((&arg.value, arg.span));
                    }
                    positional += 1;
                }
                Some(kw) => {
                    keyword_seen = Some(arg.span);
                    let Some(i) = sig.names.iter().position(|n| *n == kw.name) else {
                        let suggestion = super::suggest(&kw.name, sig.names.iter().copied());
                        self.error(ErrorKind::UnknownKeyword {
                            keyword: kw.name.clone(),
                            span: kw.span,
                            callee: sig.callee.to_string(),
                            suggestion,
                            valid: sig.names.iter().map(|s| s.to_string()).collect(),
                        });
                        ok = false;
                        continue;
                    };
                    if let Some((_, first)) = slots[i] {
                        self.error(ErrorKind::RepeatedKeyword {
                            keyword: kw.name.clone(),
                            span: arg.span,
                            first,
                        });
                        ok = false;
                        continue;
                    }
                    slots[i] = Some((&arg.value, arg.span));
                }
            }
        }
        if positional > sig.positional {
            let expected = format!("at most {}", sig.positional);
            self.error(ErrorKind::ArgCount {
                span: call.args_span,
                callee: sig.callee.to_string(),
                expected,
                found: positional,
            });
            ok = false;
        }
        if ok {
            for (i, slot) in slots.iter().enumerate() {
                if slot.is_none() && sig.required[i] {
                    self.error(ErrorKind::MissingArg {
                        span: call.span,
                        callee: sig.callee.to_string(),
                        param: sig.names[i].to_string(),
                        decl: sig.decls[i],
                    });
                    ok = false;
                }
            }
        }
        ok.then(|| slots.into_iter().map(|s| s.map(|(e, _)| e)).collect())
    }

    /// Binds and evaluates the arguments of an operator with named
    /// parameters. Every given argument is evaluated, in parameter order,
    /// so that all their errors are reported; `None` if binding failed or
    /// two arguments conflict.
    pub(super) fn named_args(&mut self, op: Builtin, call: &'a Call) -> Option<Args> {
        let Params::Named { params, positional } = op.params() else {
            let msg = format!("`{}` has no named parameters", op.name());
            self.diags.push(Diagnostic::internal(msg));
            return None;
        };
        let slots = self.bind(call, &Signature::builtin(op, params, positional))?;
        let mut args = Vec::new();
        for (p, slot) in params.iter().zip(slots) {
            if let Some(e) = slot {
                let v = self.eval_arg(p.key, e);
                args.push((p.key, e.span, v));
            }
        }
        for (i, &(a, a_span, _)) in args.iter().enumerate() {
            if let Some(&(b, b_span, _)) = args[i + 1..].iter().find(|(b, ..)| a.conflicts_with(*b))
            {
                // Reported at the later of the two, as written.
                let (first, second) = if a_span < b_span {
                    ((a, a_span), (b, b_span))
                } else {
                    ((b, b_span), (a, a_span))
                };
                self.error(ErrorKind::Conflict {
                    span: second.1,
                    first: first.1,
                    keywords: (first.0.name().into(), second.0.name().into()),
                });
                return None;
            }
        }
        Some(Args(args))
    }

    fn eval_arg(&mut self, key: Key, e: &'a Expr) -> Option<Arg> {
        match key.kind() {
            ParamKind::Source => {
                let v = self.eval(e);
                self.expect_src(v, e.span).map(Arg::Src)
            }
            ParamKind::Count => {
                let v = self.eval_int(e);
                self.at_least(v, 1, key.what(), Some(e.span))
                    .map(Arg::Count)
            }
            ParamKind::Natural => {
                let v = self.eval_int(e);
                self.at_least(v, 0, key.what(), Some(e.span))
                    .map(Arg::Count)
            }
            ParamKind::Dims { min } => self.eval_dim2(e, min, key.what()).map(Arg::Dims),
            ParamKind::Word(words) => self.eval_word(e, key.name(), words).map(Arg::Word),
        }
    }

    /// The start every call of a layer on one source shares: its named
    /// arguments, the source's parts, and the source as a layer input (its
    /// size and channels); `None` once any of them is in error (reported).
    fn layer_call(&mut self, op: Builtin, call: &'a Call) -> Option<(Args, Vec<Part>, Dim2, u64)> {
        let mut args = self.named_args(op, call)?;
        let src_span = args.span(Key::Src).unwrap_or(call.span);
        let parts = args.src()?;
        let (input, nifm) = self.layer_input(&parts, src_span)?;
        Some((args, parts, input, nifm))
    }

    /// The input of a single-source layer: its parts, their common fmap
    /// size and their total channels. `None` after reporting a problem.
    pub(super) fn layer_input(&mut self, parts: &[Part], span: Span) -> Option<(Dim2, u64)> {
        // Several parts are a concatenation, written or passed through a
        // block: their sizes must agree as `concat` requires.
        let input = self.common_size(parts, Builtin::Concat, span)?;
        let Some(nifm) = parts
            .iter()
            .try_fold(0u64, |acc, p| acc.checked_add(p.channels))
        else {
            self.error(ErrorKind::Overflow {
                span,
                what: "the channel count".into(),
            });
            return None;
        };
        Some((input, nifm))
    }

    /// `conv` and `pool`: a window slid over the source.
    fn windowed(&mut self, op: Builtin, name: &Ident, call: &'a Call) -> Value {
        let Some((args, parts, input, nifm)) = self.layer_call(op, call) else {
            return Value::Poison;
        };
        let Some(out) = args.count(Key::Out) else {
            return Value::Poison;
        };
        let (
            Some(Some(filter)),
            Some(stride),
            Some(pad),
            Some(size),
            Some(mode),
            Some(groups),
            Some(dilation),
        ) = (
            args.dims(Key::Kernel),
            args.dims(Key::Stride),
            args.dims(Key::Pad),
            args.dims(Key::Size),
            args.mode(),
            args.count(Key::Groups),
            args.dims(Key::Dilation),
        )
        else {
            return Value::Poison;
        };
        let (groups, dilation) = (groups.unwrap_or(1), dilation.unwrap_or(Dim2::square(1)));
        let nofm = out.unwrap_or(1);
        if op == Builtin::Conv && (nifm % groups != 0 || nofm % groups != 0) {
            self.error(ErrorKind::GroupsDivide {
                span: args.span(Key::Groups).unwrap_or(call.span),
                groups,
                nifm,
                nofm,
            });
            return Value::Poison;
        }
        // The input points a window spans: a dilated filter's taps are
        // `dilation` apart. The padding rule and the output size see it.
        let dense = ConvShape::dense(nifm, nofm, Dim2::square(1), filter, Dim2::square(1));
        let kernel = ConvShape { dilation, ..dense }.reach();
        if kernel.h > MAX_QUANTITY || kernel.w > MAX_QUANTITY {
            self.error(ErrorKind::Overflow {
                span: call.span,
                what: "the dilated kernel".into(),
            });
            return Value::Poison;
        }
        // A pool's windows tile its input unless told otherwise; a conv's slide by one.
        let stride = stride.unwrap_or(if op == Builtin::Pool {
            kernel
        } else {
            Dim2::square(1)
        });
        let ofmap = match size {
            Some(size) => size,
            None => {
                let pad = pad.unwrap_or_default();
                let Some(ofmap) = self.output_size(call, input, [kernel, stride, pad]) else {
                    return Value::Poison;
                };
                ofmap
            }
        };
        let (kind, shape) = if op == Builtin::Pool {
            let shape = LocalShape::pool(nifm, ofmap, kernel, stride);
            (LayerKind::Pool, LayerShape::Local(shape))
        } else {
            let shape = ConvShape {
                nifm,
                nofm,
                ofmap,
                filter,
                stride,
                groups,
                dilation,
                filter_data: Default::default(),
                shuffle: Dim2::square(1),
            };
            (LayerKind::Conv, LayerShape::Conv(shape))
        };
        let window = Window {
            kernel,
            stride,
            pad,
            size,
            mode,
        };
        self.push_layer(kind, name, call, shape, parts, Some(window))
    }

    /// The output of windows `[kernel, stride, pad]` slid over `input`, or
    /// the error that there is none.
    fn output_size(&mut self, call: &Call, input: Dim2, window: [Dim2; 3]) -> Option<Dim2> {
        let [kernel, stride, pad] = window;
        match shape::output_size(input, kernel, stride, pad) {
            Ok(ofmap) => Some(ofmap),
            Err(WindowError::Overflow) => {
                self.error(ErrorKind::Overflow {
                    span: call.span,
                    what: "the padded input".into(),
                });
                None
            }
            Err(WindowError::KernelTooLarge { padded }) => {
                self.error(ErrorKind::KernelTooLarge {
                    span: call.span,
                    kernel,
                    padded,
                    input,
                });
                None
            }
        }
    }

    /// `upsample`: a nearest or bilinear resize by an integer scale, in
    /// sub-pixel form: a depthwise conv at the input's size making
    /// `scale.h * scale.w` channels per input channel, of 1 tap (nearest)
    /// or 2x2 (bilinear), shuffled into space for its consumers
    /// (docs/model/layers.md#upsampling).
    fn upsample(&mut self, name: &Ident, call: &'a Call) -> Value {
        let Some((args, parts, input, nifm)) = self.layer_call(Builtin::Upsample, call) else {
            return Value::Poison;
        };
        let (Some(Some(scale)), Some(interp)) = (args.dims(Key::Scale), args.word(Key::Interp))
        else {
            return Value::Poison;
        };
        let taps = if interp == Some("bilinear") { 2 } else { 1 };
        let Some(nofm) = scale
            .h
            .checked_mul(scale.w)
            .and_then(|n| n.checked_mul(nifm))
        else {
            self.error(ErrorKind::Overflow {
                span: call.span,
                what: "the upsampled channel count".into(),
            });
            return Value::Poison;
        };
        let shape = LayerShape::Conv(ConvShape {
            groups: nifm,
            shuffle: scale,
            ..ConvShape::dense(nifm, nofm, input, Dim2::square(taps), Dim2::square(1))
        });
        self.push_layer(LayerKind::Upsample, name, call, shape, parts, None)
    }

    /// `deconv`: a transposed convolution of `kernel`, `stride` and `pad`,
    /// in sub-pixel form: a conv at the input's size of `ceil(kernel /
    /// stride)` taps making `out * stride.h * stride.w` channels, shuffled
    /// into space for its consumers (docs/model/layers.md#upsampling).
    fn deconv(&mut self, name: &Ident, call: &'a Call) -> Value {
        let Some((args, parts, input, nifm)) = self.layer_call(Builtin::Deconv, call) else {
            return Value::Poison;
        };
        let Some(Some(out)) = args.count(Key::Out) else {
            return Value::Poison;
        };
        let (Some(Some(kernel)), Some(stride), Some(pad), Some(groups)) = (
            args.dims(Key::Kernel),
            args.dims(Key::Stride),
            args.dims(Key::Pad),
            args.count(Key::Groups),
        ) else {
            return Value::Poison;
        };
        let (stride, pad) = (stride.unwrap_or(Dim2::square(1)), pad.unwrap_or_default());
        let groups = groups.unwrap_or(1);
        if nifm % groups != 0 || out % groups != 0 {
            self.error(ErrorKind::GroupsDivide {
                span: args.span(Key::Groups).unwrap_or(call.span),
                groups,
                nifm,
                nofm: out,
            });
            return Value::Poison;
        }
        // The transposed conv's output, `(in - 1) * stride + kernel - 2 * pad`,
        // and its sub-pixel form: `ceil(out / stride)` points of
        // `ceil(kernel / stride)` taps.
        let side = |i: u64, k: u64, s: u64, p: u64| -> Option<i128> {
            let full = i128::from(i.checked_sub(1)?) * i128::from(s) + i128::from(k);
            Some(full - 2 * i128::from(p))
        };
        let mut sub = [0u64; 2];
        let dims = [
            (input.h, kernel.h, stride.h, pad.h),
            (input.w, kernel.w, stride.w, pad.w),
        ];
        for (d, (i, k, s, p)) in dims.into_iter().enumerate() {
            let size = side(i, k, s, p).unwrap_or(0);
            if size < 1 {
                self.error(ErrorKind::OutOfRange {
                    span: args.span(Key::Pad).unwrap_or(call.span),
                    what: "the output size of the transposed convolution, `(input - 1) * stride + kernel - 2 * pad`,".into(),
                    value: i64::try_from(size).unwrap_or(i64::MIN),
                    min: 1,
                });
                return Value::Poison;
            }
            let Ok(size) = u64::try_from(size) else {
                return Value::Poison;
            };
            sub[d] = size.div_ceil(s);
        }
        let Some(nofm) = stride
            .h
            .checked_mul(stride.w)
            .and_then(|n| n.checked_mul(out))
        else {
            self.error(ErrorKind::Overflow {
                span: call.span,
                what: "the sub-pixel channel count".into(),
            });
            return Value::Poison;
        };
        let taps = Dim2::new(kernel.h.div_ceil(stride.h), kernel.w.div_ceil(stride.w));
        let shape = LayerShape::Conv(ConvShape {
            groups,
            shuffle: stride,
            ..ConvShape::dense(nifm, nofm, Dim2::new(sub[0], sub[1]), taps, Dim2::square(1))
        });
        self.push_layer(LayerKind::Deconv, name, call, shape, parts, None)
    }

    /// `fc`: one window covering the whole source.
    fn fc(&mut self, name: &Ident, call: &'a Call) -> Value {
        let Some((args, parts, input, nifm)) = self.layer_call(Builtin::Fc, call) else {
            return Value::Poison;
        };
        let Some(Some(out)) = args.count(Key::Out) else {
            return Value::Poison;
        };
        let shape = LayerShape::Conv(ConvShape::fc(nifm, out, input));
        self.push_layer(LayerKind::Fc, name, call, shape, parts, None)
    }

    /// Records a checked layer; its value is the layer as a source.
    /// `window` is what a windowed call wrote, `None` for other layers.
    pub(super) fn push_layer(
        &mut self,
        kind: LayerKind,
        name: &Ident,
        call: &Call,
        shape: LayerShape,
        parts: Vec<Part>,
        window: Option<Window>,
    ) -> Value {
        let qname = format!("{}{}", self.scope().prefix, name.name);
        if !shape_fits(&shape) {
            self.error(ErrorKind::Overflow {
                span: call.span,
                what: format!("the size of layer `{qname}`"),
            });
            return Value::Poison;
        }
        let mode = window.map_or(WindowMode::Exact, |w| w.mode);
        // A matmul's last part is its operand, read whole as its filter.
        let data = if shape.is_matmul() {
            &parts[..parts.len().saturating_sub(1)]
        } else {
            &parts[..]
        };
        for p in data {
            if !shape.accepts_input_size(p.size, mode) {
                let fixes = window.map(|w| w.fixes(p.size, shape.ofmap()));
                self.error(ErrorKind::PaddingRule {
                    span: call.span,
                    source: p.operand(),
                    ofmap: shape.ofmap(),
                    kernel: shape.window(),
                    stride: shape.stride(),
                    mode,
                    fixes: fixes.unwrap_or_default(),
                });
                return Value::Poison;
            }
        }
        if !self.budget(call.span) {
            return Value::Poison;
        }
        let Ok(id) = u32::try_from(self.layers.len()) else {
            return Value::Poison;
        };
        self.layers.push(Layer {
            name: qname.clone(),
            kind,
            shape,
            inputs: parts
                .iter()
                .map(|p| View {
                    source: p.source,
                    channels: p.range,
                })
                .collect(),
            mode,
            span: call.span.into(),
        });
        let (channels, size) = shape.output();
        Value::Src(vec![Part {
            source: Source::Layer(LayerId(id)),
            name: qname,
            channels,
            range: None,
            size,
            def: call.span,
        }])
    }
}
