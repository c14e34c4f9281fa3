//! Evaluation of expressions: integers (checked arithmetic), pairs, names
//! and concatenations, and the checks of what kind of value a use needs.

use super::{Checker, Part, Value};
use crate::ir::Dim2;
use crate::lang::ast::{self, Expr, ExprKind, Span};
use crate::lang::builtin::Builtin;
use crate::lang::error::{ErrorKind, ValueKind};

impl<'a> Checker<'a> {
    pub(super) fn eval(&mut self, e: &'a Expr) -> Value {
        match &e.kind {
            ExprKind::Int(v) => Value::Int(*v),
            ExprKind::Pair(a, b) => match (self.eval_int(a), self.eval_int(b)) {
                (Some(a), Some(b)) => Value::Pair(a, b),
                _ => Value::Poison,
            },
            ExprKind::Binary { op, lhs, rhs } => {
                let (Some(a), Some(b)) = (self.eval_int(lhs), self.eval_int(rhs)) else {
                    return Value::Poison;
                };
                let r = match op {
                    ast::BinOp::Add => a.checked_add(b),
                    ast::BinOp::Sub => a.checked_sub(b),
                    ast::BinOp::Mul => a.checked_mul(b),
                    ast::BinOp::Div => {
                        if b == 0 {
                            self.error(ErrorKind::DivByZero { span: rhs.span });
                            return Value::Poison;
                        }
                        a.checked_div(b)
                    }
                };
                match r {
                    Some(v) => Value::Int(v),
                    None => {
                        self.error(ErrorKind::Overflow {
                            span: e.span,
                            what: format!("the result of `{}`", op.symbol()),
                        });
                        Value::Poison
                    }
                }
            }
            ExprKind::Name(segs) => self.resolve(segs),
            ExprKind::Slice { src, from, to } => {
                self.slice(e.span, src, from.as_deref(), to.as_deref())
            }
            ExprKind::Tuple(values) => {
                self.error(ErrorKind::LongTuple {
                    span: e.span,
                    found: values.len(),
                    what: None,
                });
                Value::Poison
            }
            ExprKind::Call(c) => {
                let op = Builtin::from_name(&c.callee.name);
                // A concatenation or a folded operator is a value, not a
                // layer: it may be written inline.
                match op {
                    Some(Builtin::Concat) => return self.concat(c),
                    Some(b) if b.is_folded() => return self.folded(b, c),
                    _ => {}
                }
                if op.is_some() || self.blocks.contains_key(c.callee.name.as_str()) {
                    self.error(ErrorKind::NestedCall {
                        span: c.span,
                        callee: c.callee.name.clone(),
                    });
                } else {
                    self.unknown_callee(&c.callee);
                }
                Value::Poison
            }
        }
    }

    pub(super) fn eval_int(&mut self, e: &'a Expr) -> Option<i64> {
        match self.eval(e) {
            Value::Int(v) => Some(v),
            Value::Poison => None,
            other => {
                self.error(ErrorKind::WrongKind {
                    span: e.span,
                    expected: ValueKind::Int,
                    found: other.kind(),
                });
                None
            }
        }
    }

    /// An int (square) or a pair, each component at least `min`.
    pub(super) fn eval_dim2(&mut self, e: &'a Expr, min: i64, what: &str) -> Option<Dim2> {
        if let ExprKind::Tuple(values) = &e.kind {
            self.error(ErrorKind::LongTuple {
                span: e.span,
                found: values.len(),
                what: Some(what.into()),
            });
            return None;
        }
        let (h, w) = match self.eval(e) {
            Value::Int(v) => (v, v),
            Value::Pair(h, w) => (h, w),
            Value::Poison => return None,
            other => {
                self.error(ErrorKind::WrongKind {
                    span: e.span,
                    expected: ValueKind::IntOrPair,
                    found: other.kind(),
                });
                return None;
            }
        };
        let h = self.at_least(Some(h), min, what, Some(e.span))?;
        let w = self.at_least(Some(w), min, what, Some(e.span))?;
        Some(Dim2::new(h, w))
    }

    /// One of `words`, written as a bare name: the argument `keyword` takes
    /// a word, not a value, so the name is not looked up.
    pub(super) fn eval_word(
        &mut self,
        e: &Expr,
        keyword: &'static str,
        words: &'static [&'static str],
    ) -> Option<&'static str> {
        let written = match &e.kind {
            ExprKind::Name(segs) if segs.len() == 1 => Some(segs[0].name.as_str()),
            _ => None,
        };
        if let Some(w) = written.and_then(|w| words.iter().find(|v| **v == w)) {
            return Some(w);
        }
        let suggestion = written.and_then(|w| self.suggest(w, words.iter().copied()));
        self.error(ErrorKind::BadChoice {
            span: e.span,
            keyword,
            valid: words,
            suggestion,
        });
        None
    }

    /// A value used as a layer source: its parts.
    pub(super) fn expect_src(&mut self, v: Value, span: Span) -> Option<Vec<Part>> {
        match v {
            Value::Src(p) => Some(p),
            Value::Poison => None,
            Value::Inst(inst) => match inst.outputs.as_slice() {
                [(_, out)] => {
                    let out = out.clone();
                    self.expect_src(out, span)
                }
                outs => {
                    let outputs = outs.iter().map(|(n, _)| n.clone()).collect();
                    self.error(ErrorKind::MultiOutput {
                        span,
                        name: inst.name.clone(),
                        outputs,
                    });
                    None
                }
            },
            other => {
                self.error(ErrorKind::WrongKind {
                    span,
                    expected: ValueKind::Layer,
                    found: other.kind(),
                });
                None
            }
        }
    }

    pub(super) fn at_least(
        &mut self,
        v: Option<i64>,
        min: i64,
        what: &str,
        span: Option<Span>,
    ) -> Option<u64> {
        let v = v?;
        if v < min {
            self.error(ErrorKind::OutOfRange {
                span: span.unwrap_or_default(),
                what: what.to_string(),
                value: v,
                min,
            });
            return None;
        }
        u64::try_from(v).ok()
    }
}
