//! Block instances and `repeat`: binding a block's parameters in a new
//! scope, expanding its body, and chaining repeated instances; and the
//! expansion budget that bounds the work one file can cause.

use super::calls::Signature;
use super::{Checker, Instance, MAX_DEPTH, MAX_EXPANSION, Scope, Value};
use crate::lang::ast::{self, BlockDef, Call, Expr, Ident, Span, StmtKind};
use crate::lang::builtin::Builtin;
use crate::lang::error::ErrorKind;
use std::collections::HashMap;
use std::rc::Rc;

impl<'a> Checker<'a> {
    pub(super) fn budget(&mut self, span: Span) -> bool {
        self.expansion += 1;
        if self.expansion > MAX_EXPANSION || self.stack.len() > MAX_DEPTH {
            if !self.limit_reported {
                self.limit_reported = true;
                let what = if self.stack.len() > MAX_DEPTH {
                    format!("block instances nested deeper than {MAX_DEPTH}")
                } else {
                    format!("the network expands to more than {MAX_EXPANSION} layers and instances")
                };
                self.error(ErrorKind::Limit { span, what });
            }
            return false;
        }
        true
    }

    pub(super) fn instantiate(
        &mut self,
        block: &'a BlockDef,
        qname: String,
        call: &'a Call,
        first: Option<Value>,
    ) -> Option<Rc<Instance>> {
        self.used_blocks.insert(&block.name.name);
        if self.stack.contains(&block.name.name.as_str()) {
            return None; // reported by check_recursion
        }
        if !self.budget(call.span) {
            return None;
        }
        let sig = Signature {
            callee: &block.name.name,
            names: block.params.iter().map(|p| p.name.name.as_str()).collect(),
            positional: block.params.len(),
            required: block
                .params
                .iter()
                .enumerate()
                .map(|(i, p)| p.default.is_none() && !(i == 0 && first.is_some()))
                .collect(),
            decls: block.params.iter().map(|p| Some(p.span)).collect(),
        };
        let args = self.bind(call, &sig)?;
        // Arguments are evaluated in the caller's scope.
        let mut values: Vec<Option<Value>> = args.iter().map(|a| a.map(|e| self.eval(e))).collect();
        if let (Some(f), Some(slot)) = (first, values.first_mut()) {
            *slot = Some(f);
        }
        self.scopes.push(Scope::new(format!("{qname}."), true));
        self.stack.push(&block.name.name);
        self.calls.push((qname.clone(), call.span));
        for (p, v) in block.params.iter().zip(values) {
            let v = match (v, &p.default) {
                (Some(v), _) => v,
                (None, Some(d)) => self.eval(d),
                (None, None) => Value::Poison,
            };
            self.define(&p.name, v);
        }
        self.stmts(&block.body);
        self.stack.pop();
        self.calls.pop();
        let scope = self.scopes.pop()?;
        let members = scope
            .values
            .into_iter()
            .filter(|(k, (v, _))| {
                // Members are what the block defines, not its parameters.
                matches!(v, Value::Src(_) | Value::Inst(_))
                    && !block.params.iter().any(|p| p.name.name == *k)
            })
            .map(|(k, (v, _))| (k, v))
            .collect();
        Some(Rc::new(Instance {
            name: qname,
            members,
            outputs: scope.outputs,
            repeats: Vec::new(),
        }))
    }

    pub(super) fn repeat(&mut self, name: &Ident, count: &'a Expr, call: &'a Call) -> Value {
        let n = self.eval_int(count);
        let block = self.blocks.get(call.callee.name.as_str()).copied();
        let Some(block) = block else {
            if Builtin::from_name(&call.callee.name).is_some() {
                self.error(ErrorKind::BadRepeat {
                    span: call.callee.span,
                    block: call.callee.name.clone(),
                    reason: "an operator, not a block".into(),
                });
            } else {
                self.unknown_callee(&call.callee);
            }
            return Value::Poison;
        };
        let n = match n {
            Some(0) => {
                self.error(ErrorKind::RepeatZero { span: count.span });
                return Value::Poison;
            }
            Some(n) if n < 0 => {
                self.error(ErrorKind::OutOfRange {
                    span: count.span,
                    what: "the repeat count".into(),
                    value: n,
                    min: 1,
                });
                return Value::Poison;
            }
            Some(n) => n,
            None => return Value::Poison,
        };
        let outs = block.body.iter().find_map(|s| match &s.kind {
            StmtKind::Out(ast::Out::Named(v)) => Some(v.len()),
            StmtKind::Out(_) => Some(1),
            _ => None,
        });
        let reason = if block.params.is_empty() {
            Some("it has no parameter to chain its instances through")
        } else if outs.is_some_and(|o| o != 1) {
            Some("it has several outputs")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.error(ErrorKind::BadRepeat {
                span: call.callee.span,
                block: block.name.name.clone(),
                reason: reason.into(),
            });
            return Value::Poison;
        }
        let qname = format!("{}{}", self.scope().prefix, name.name);
        let mut instances = Vec::new();
        let mut prev: Option<Value> = None;
        for i in 1..=n {
            let Some(inst) = self.instantiate(block, format!("{qname}.{i}"), call, prev.take())
            else {
                return Value::Poison;
            };
            let out = inst
                .outputs
                .first()
                .map_or(Value::Poison, |(_, v)| v.clone());
            prev = Some(out);
            instances.push(inst);
            if self.limit_reported {
                return Value::Poison;
            }
        }
        let outputs = vec![(String::new(), prev.unwrap_or(Value::Poison))];
        Value::Inst(Rc::new(Instance {
            name: qname,
            members: HashMap::new(),
            outputs,
            repeats: instances,
        }))
    }
}
