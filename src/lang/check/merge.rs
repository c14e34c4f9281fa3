//! Operators over several sources: `eltwise` (one layer), `concat` (the
//! sources' parts in order) and the folded operators, with `scale`'s
//! channel factors (docs/language.md#folded-operators).

use super::{Checker, Part, Value};
use crate::ir::{Dim2, LayerKind, LayerShape, LocalShape};
use crate::lang::ast::{Call, Ident, Span};
use crate::lang::builtin::Builtin;
use crate::lang::error::{ErrorKind, Operand};

impl<'a> Checker<'a> {
    /// `eltwise`: equally shaped sources merged point by point.
    pub(super) fn eltwise(&mut self, name: &Ident, call: &'a Call) -> Value {
        let Some(operands) = self.operands(call, Builtin::Eltwise) else {
            return Value::Poison;
        };
        let mut summary: Vec<Operand> = Vec::new();
        for (parts, span) in &operands {
            let Some((size, channels)) = self.layer_input(parts, *span) else {
                return Value::Poison;
            };
            let (name, def) = match parts.as_slice() {
                [one] => (one.label(), one.def),
                _ => (format!("concat of {}", parts.len()), *span),
            };
            summary.push(Operand {
                name,
                def,
                channels,
                size,
            });
        }
        if summary.iter().any(|o| o.channels != summary[0].channels) {
            self.error(ErrorKind::ChannelMismatch {
                span: call.args_span,
                op: Builtin::Eltwise,
                inputs: summary,
            });
            return Value::Poison;
        }
        if summary.iter().any(|o| o.size != summary[0].size) {
            self.error(ErrorKind::SizeMismatch {
                span: call.args_span,
                op: Builtin::Eltwise,
                inputs: summary,
            });
            return Value::Poison;
        }
        let Ok(nreg) = u64::try_from(summary.len()) else {
            return Value::Poison;
        };
        let shape = LayerShape::Local(LocalShape::eltwise(
            summary[0].channels,
            summary[0].size,
            nreg,
        ));
        let parts = operands.into_iter().flat_map(|(p, _)| p).collect();
        self.push_layer(LayerKind::Eltwise, name, call, shape, parts, None)
    }

    /// `concat`: no layer, the sources' parts in order.
    pub(super) fn concat(&mut self, call: &'a Call) -> Value {
        let Some(operands) = self.operands(call, Builtin::Concat) else {
            return Value::Poison;
        };
        let parts: Vec<Part> = operands.into_iter().flat_map(|(p, _)| p).collect();
        if self
            .common_size(&parts, Builtin::Concat, call.args_span)
            .is_none()
        {
            return Value::Poison;
        }
        Value::Src(parts)
    }

    /// A folded operator (`softmax`, `layernorm`, `relu`): no layer, the
    /// value of its one source (docs/language.md#folded-operators).
    pub(super) fn folded(&mut self, op: Builtin, call: &'a Call) -> Value {
        let Some(operands) = self.operands(call, op) else {
            return Value::Poison;
        };
        let expected = if op == Builtin::Scale { 2 } else { 1 };
        if operands.len() != expected {
            self.error(ErrorKind::ArgCount {
                span: call.args_span,
                callee: op.name().into(),
                expected: expected.to_string(),
                found: operands.len(),
            });
            return Value::Poison;
        }
        let mut operands = operands.into_iter();
        let parts: Vec<Part> = operands.next().map(|(p, _)| p).unwrap_or_default();
        if let Some((factors, span)) = operands.next()
            && !self.channel_factors(&parts, &factors, span, call.args_span)
        {
            return Value::Poison;
        }
        Value::Src(parts)
    }

    /// Checks `scale(x, s)`'s factors `s`: one per channel of `x` (equal
    /// channels, a 1x1 fmap). Why they count as read although the value is
    /// `x`: the layers computing them (squeeze-and-excitation's pool and
    /// convolutions) are part of the network and are scheduled.
    fn channel_factors(&mut self, x: &[Part], s: &[Part], s_span: Span, args: Span) -> bool {
        let operand = |parts: &[Part], span: Span| {
            let channels = parts.iter().map(|p| p.channels).sum();
            match parts {
                [one] => one.operand(),
                _ => Operand {
                    name: format!("concat of {}", parts.len()),
                    def: span,
                    channels,
                    size: parts.first().map_or(Dim2::square(1), |p| p.size),
                },
            }
        };
        let (xo, so) = (operand(x, args), operand(s, s_span));
        if xo.channels != so.channels {
            self.error(ErrorKind::ChannelMismatch {
                span: args,
                op: Builtin::Scale,
                inputs: vec![xo, so],
            });
            return false;
        }
        if s.iter().any(|p| p.size != Dim2::square(1)) {
            self.error(ErrorKind::SizeMismatch {
                span: args,
                op: Builtin::Scale,
                inputs: vec![xo, so],
            });
            return false;
        }
        self.side_reads.extend(s.iter().map(|p| p.source));
        true
    }

    /// The operands of a variadic operator (`eltwise`, `concat`): one or
    /// more sources, by position only. `None` after reporting what is wrong.
    fn operands(&mut self, call: &'a Call, op: Builtin) -> Option<Vec<(Vec<Part>, Span)>> {
        let mut ok = true;
        let mut operands = Vec::new();
        for arg in &call.args {
            if let Some(kw) = &arg.keyword {
                self.error(ErrorKind::UnknownKeyword {
                    keyword: kw.name.clone(),
                    span: kw.span,
                    callee: op.name().into(),
                    suggestion: None,
                    valid: Vec::new(),
                });
                ok = false;
                continue;
            }
            let v = self.eval(&arg.value);
            match self.expect_src(v, arg.value.span) {
                Some(p) => operands.push((p, arg.value.span)),
                None => ok = false,
            }
        }
        if call.args.is_empty() {
            self.error(ErrorKind::ArgCount {
                span: call.args_span,
                callee: op.name().into(),
                expected: "at least 1".into(),
                found: 0,
            });
            return None;
        }
        ok.then_some(operands)
    }

    /// The fmap size shared by all parts, or an error.
    pub(super) fn common_size(&mut self, parts: &[Part], op: Builtin, span: Span) -> Option<Dim2> {
        let first = parts.first()?.size;
        if parts.iter().all(|p| p.size == first) {
            return Some(first);
        }
        let inputs = parts.iter().map(Part::operand).collect();
        self.error(ErrorKind::SizeMismatch { span, op, inputs });
        None
    }
}
