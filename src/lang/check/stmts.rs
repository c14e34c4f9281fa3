//! The statements of one scope, top to bottom: `input` and `extern`
//! declarations, `let`s, layers, instances and `out`.

use super::{Checker, MAX_QUANTITY, Part, Value};
use crate::ir::{DataInput, Dim2, Source};
use crate::lang::ast::{self, Expr, ExprKind, Ident, Span, Stmt, StmtKind};
use crate::lang::builtin::Builtin;
use crate::lang::error::{ErrorKind, ValueKind};

impl<'a> Checker<'a> {
    pub(super) fn stmts(&mut self, stmts: &'a [Stmt]) {
        for s in stmts {
            let name = match &s.kind {
                StmtKind::Input(d) | StmtKind::Extern(d) => Some(&d.name),
                StmtKind::Let { name, .. } | StmtKind::Layer { name, .. } => Some(name),
                _ => None,
            };
            if let Some(n) = name {
                self.scope().later.entry(n.name.clone()).or_insert(n.span);
            }
        }
        let mut seen_input = false;
        for s in stmts {
            let in_block = self.scope().in_block;
            match &s.kind {
                StmtKind::Network(_) | StmtKind::Block(_) => {}
                StmtKind::Input(d) => {
                    if in_block || seen_input {
                        continue;
                    }
                    seen_input = true;
                    self.data_decl(d, s.span, true);
                }
                StmtKind::Extern(d) => self.data_decl(d, s.span, false),
                StmtKind::Let { name, value } => {
                    let v = self.eval(value);
                    let v = match v {
                        Value::Int(_) | Value::Pair(..) | Value::Poison => v,
                        other => {
                            self.error(ErrorKind::WrongKind {
                                span: value.span,
                                expected: ValueKind::IntOrPair,
                                found: other.kind(),
                            });
                            Value::Poison
                        }
                    };
                    self.define(name, v);
                }
                StmtKind::Use { .. } => {
                    if !in_block {
                        self.error(ErrorKind::Unsupported {
                            span: s.span,
                            what: "`use`",
                        });
                    }
                }
                StmtKind::Out(out) => self.out(out),
                StmtKind::Layer { name, value } => {
                    let v = match value {
                        ast::Rhs::Call(call) => self.define_call(name, call),
                        ast::Rhs::Repeat { count, call } => self.repeat(name, count, call),
                        // A name for a source expression (a slice): no layer.
                        ast::Rhs::Source(e) => {
                            let v = self.eval(e);
                            self.expect_src(v, e.span).map_or(Value::Poison, Value::Src)
                        }
                    };
                    self.define(name, v);
                }
            }
        }
    }

    fn data_decl(&mut self, d: &'a ast::DataDecl, span: Span, is_input: bool) {
        if let Some(first) = self.is_defined(&d.name.name) {
            self.error(ErrorKind::Duplicate {
                name: d.name.name.clone(),
                span: d.name.span,
                first,
            });
            return;
        }
        let dims: Vec<Option<i64>> = d.shape.iter().map(|e| self.eval_int(e)).collect();
        let (c, h, w) = match dims.as_slice() {
            [c] => (*c, Some(1), Some(1)),
            [c, s] => (*c, *s, *s),
            [c, h, w] => (*c, *h, *w),
            _ => {
                self.error(ErrorKind::BadShape {
                    span: d.shape_span,
                    found: dims.len(),
                });
                self.define(&d.name, Value::Poison);
                return;
            }
        };
        let at = |i: usize| {
            d.shape
                .get(i.min(d.shape.len().saturating_sub(1)))
                .map(|e| e.span)
        };
        let c = self.at_least(c, 1, "channels", at(0));
        let h = self.at_least(h, 1, "height", at(1));
        let w = self.at_least(w, 1, "width", at(2));
        let (Some(c), Some(h), Some(w)) = (c, h, w) else {
            self.define(&d.name, Value::Poison);
            return;
        };
        let total = c
            .checked_mul(h)
            .and_then(|x| x.checked_mul(w))
            .filter(|&t| t <= MAX_QUANTITY);
        if total.is_none() {
            self.error(ErrorKind::Overflow {
                span: d.shape_span,
                what: "this shape's size".into(),
            });
            self.define(&d.name, Value::Poison);
            return;
        }
        let name = format!("{}{}", self.scope().prefix, d.name.name);
        let size = Dim2::new(h, w);
        let data = DataInput {
            name: name.clone(),
            channels: c,
            size,
            span: span.into(),
        };
        let source = if is_input {
            self.input = Some(data);
            Source::Input
        } else {
            let Ok(i) = u32::try_from(self.externs.len()) else {
                return;
            };
            self.externs.push(data);
            Source::Extern(i)
        };
        let part = Part {
            source,
            name,
            channels: c,
            range: None,
            size,
            def: span,
        };
        self.define(&d.name, Value::Src(vec![part]));
    }

    fn out(&mut self, out: &'a ast::Out) {
        let items: Vec<(Ident, &'a Expr)> = match out {
            ast::Out::Single(e) => vec![(
                Ident {
                    name: "out".into(),
                    span: e.span,
                },
                e,
            )],
            ast::Out::Named(v) => v.iter().map(|(n, e)| (n.clone(), e)).collect(),
        };
        let named = matches!(out, ast::Out::Named(_));
        for (name, e) in items {
            let v = match &e.kind {
                // An inline call defines a layer or instance named after the
                // output; a concatenation is only a value.
                ExprKind::Call(c)
                    if !Builtin::from_name(&c.callee.name).is_some_and(Builtin::is_value) =>
                {
                    let v = self.define_call(&name, c);
                    self.define(&name, v.clone());
                    v
                }
                _ => self.eval(e),
            };
            let key = if named {
                name.name.clone()
            } else {
                String::new()
            };
            if self.scope().in_block {
                self.scope().outputs.push((key, v));
            } else if let Some(parts) = self.expect_src(v, e.span) {
                self.outputs.extend(parts.iter().map(|p| p.source));
            }
        }
    }
}
