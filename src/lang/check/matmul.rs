//! `matmul`: a product of two activations (docs/language.md#matmul), with
//! grouped-query attention's shared groups, a decode step's KV cache and
//! a window attention's windows
//! (docs/language.md#kv-cache-and-grouped-query-attention,
//! docs/language.md#window-attention).

use super::calls::Args;
use super::{Checker, Part, Value};
use crate::ir::{ConvShape, Dim2, LayerKind, LayerShape};
use crate::lang::ast::{Call, Ident, Span};
use crate::lang::builtin::{Builtin, Key};
use crate::lang::error::{ErrorKind, Operand, WindowMisfit};

/// What a `matmul` call asks for, its arguments read.
struct Product {
    contract: &'static str,
    groups: u64,
    kv_groups: u64,
    cache: u64,
    window: Option<Dim2>,
}

/// The first or second operand of a product: its parts, channels, size
/// and where it is written.
struct Side {
    parts: Vec<Part>,
    channels: u64,
    size: Dim2,
    span: Span,
}

impl Side {
    /// The operand as messages name it.
    fn operand(&self) -> Operand {
        match self.parts.as_slice() {
            [one] => Operand {
                name: one.label(),
                def: one.def,
                channels: self.channels,
                size: self.size,
            },
            parts => Operand {
                name: format!("concat of {}", parts.len()),
                def: self.span,
                channels: self.channels,
                size: self.size,
            },
        }
    }
}

impl<'a> Checker<'a> {
    /// `matmul`: per group, every token of the first source times a matrix
    /// made of the second source's channels (docs/language.md#matmul).
    pub(super) fn matmul(&mut self, name: &Ident, call: &'a Call) -> Value {
        let Some(mut args) = self.named_args(Builtin::Matmul, call) else {
            return Value::Poison;
        };
        let Some((p, a, b)) = self.product_args(&mut args, call) else {
            return Value::Poison;
        };
        let Some(shape) = self.product_shape(&args, call, &p, &a, &b) else {
            return Value::Poison;
        };
        // The IR's operand is one source: a concatenation of several is
        // read as the filter of one layer only through a layer of its own.
        let [operand] = b.parts.as_slice() else {
            self.matmul_sizes(args.span(Key::Operand).unwrap_or(call.span), &p, &a, &b);
            return Value::Poison;
        };
        let operand = operand.clone();
        let mut parts = a.parts;
        parts.push(operand);
        self.push_layer(LayerKind::Matmul, name, call, shape, parts, None)
    }

    /// The call's arguments and both operands, each checked on its own.
    fn product_args(&mut self, args: &mut Args, call: &Call) -> Option<(Product, Side, Side)> {
        let a_span = args.span(Key::Src).unwrap_or(call.span);
        let b_span = args.span(Key::Operand).unwrap_or(call.span);
        let (Some(a_parts), Some(b_parts), Some(Some(contract)), Some(groups)) = (
            args.src(),
            args.source(Key::Operand),
            args.word(Key::Contract),
            args.count(Key::Groups),
        ) else {
            return None;
        };
        let (Some(kv_groups), Some(cache), Some(window)) = (
            args.count(Key::KvGroups),
            args.count(Key::Cache),
            args.dims(Key::Window),
        ) else {
            return None;
        };
        let groups = groups.unwrap_or(1);
        let kv_groups = kv_groups.unwrap_or(groups);
        if groups % kv_groups != 0 {
            self.error(ErrorKind::KvGroupsDivide {
                span: args.span(Key::KvGroups).unwrap_or(call.span),
                groups,
                kv_groups,
            });
            return None;
        }
        let (size, nifm) = self.layer_input(&a_parts, a_span)?;
        let (b_size, b_channels) = self.layer_input(&b_parts, b_span)?;
        if nifm % groups != 0 {
            self.error(ErrorKind::GroupsDivide {
                span: args.span(Key::Groups).unwrap_or(call.span),
                groups,
                nifm,
                nofm: nifm,
            });
            return None;
        }
        let p = Product {
            contract,
            groups,
            kv_groups,
            cache: cache.unwrap_or(0),
            window,
        };
        let a = Side {
            parts: a_parts,
            channels: nifm,
            size,
            span: a_span,
        };
        let b = Side {
            parts: b_parts,
            channels: b_channels,
            size: b_size,
            span: b_span,
        };
        Some((p, a, b))
    }

    /// The layer's shape, or the error that the operands do not agree.
    fn product_shape(
        &mut self,
        args: &Args,
        call: &Call,
        p: &Product,
        a: &Side,
        b: &Side,
    ) -> Option<LayerShape> {
        // Groups of `a` reading each group of `b` (grouped-query attention).
        let share = p.groups / p.kv_groups;
        let per_group = a.channels / p.groups;
        if let Some(window) = p.window {
            let misfit = if p.cache > 0 {
                Some(WindowMisfit::Cache)
            } else if !a.size.h.is_multiple_of(window.h) || !a.size.w.is_multiple_of(window.w) {
                Some(WindowMisfit::NotDividing)
            } else if b.size != a.size {
                Some(WindowMisfit::OperandSize)
            } else if p.contract == "tokens" && window.size() != per_group {
                Some(WindowMisfit::Contracted { per_group })
            } else {
                None
            };
            if let Some(why) = misfit {
                self.error(ErrorKind::WindowAttention {
                    span: args.span(Key::Window).unwrap_or(call.span),
                    a: a.operand(),
                    b: b.operand(),
                    window,
                    groups: p.groups,
                    why,
                });
                return None;
            }
        }
        // `b`'s tokens each token of `a` meets: one window's, or all of
        // them with those of its cache
        // (docs/language.md#kv-cache-and-grouped-query-attention).
        let b_tokens = match p.window {
            Some(w) => Some(w.size()),
            None => b.size.size().checked_add(p.cache),
        };
        // The output's channels per group: the uncontracted side of `b`.
        let nofm = match (p.contract, b_tokens) {
            ("channels", Some(t)) if b.channels.checked_mul(share) == Some(a.channels) => {
                t.checked_mul(p.groups)
            }
            ("tokens", Some(t)) if t == per_group && b.channels.is_multiple_of(p.kv_groups) => {
                b.channels.checked_mul(share)
            }
            _ => {
                self.matmul_sizes(b.span, p, a, b);
                return None;
            }
        };
        let Some(nofm) = nofm else {
            self.error(ErrorKind::Overflow {
                span: call.span,
                what: "the output channel count".into(),
            });
            return None;
        };
        let conv = ConvShape::attention(a.channels, nofm, a.size, p.groups, share, p.cache);
        Some(LayerShape::Conv(match p.window {
            Some(w) => conv.windowed(w),
            None => conv,
        }))
    }

    /// E042: the operands' sizes do not agree.
    fn matmul_sizes(&mut self, span: Span, p: &Product, a: &Side, b: &Side) {
        self.error(ErrorKind::MatmulSizes {
            span,
            a: a.operand(),
            b: b.operand(),
            groups: p.groups,
            contract: p.contract,
            kv_groups: p.kv_groups,
            cache: p.cache,
        });
    }
}
