//! Names: defining them in a scope, looking them up (with what a block may
//! see of the top level), qualified names into instances, and "did you
//! mean" suggestions.

use super::{Checker, Scope, Value};
use crate::lang::ast::{Ident, Span};
use crate::lang::error::ErrorKind;
use crate::suggest::suggest;
use std::rc::Rc;

impl<'a> Checker<'a> {
    /// The innermost scope (the top level is never popped).
    pub(super) fn scope(&mut self) -> &mut Scope {
        let last = self.scopes.len() - 1;
        &mut self.scopes[last]
    }

    pub(super) fn define(&mut self, name: &Ident, v: Value) {
        let scope = self.scope();
        scope.later.remove(&name.name);
        if let Some((_, first)) = scope.values.get(&name.name) {
            let first = *first;
            self.error(ErrorKind::Duplicate {
                name: name.name.clone(),
                span: name.span,
                first,
            });
            return;
        }
        scope.values.insert(name.name.clone(), (v, name.span));
    }

    pub(super) fn is_defined(&mut self, name: &str) -> Option<Span> {
        self.scope().values.get(name).map(|(_, s)| *s)
    }

    pub(super) fn resolve(&mut self, segs: &[Ident]) -> Value {
        let Some(first) = segs.first() else {
            return Value::Poison;
        };
        let mut v = match self.lookup(first) {
            Some(v) => v,
            None => return Value::Poison,
        };
        let mut base = first.name.clone();
        for seg in &segs[1..] {
            let found = match &v {
                Value::Inst(inst) => {
                    if let Ok(i) = seg.name.parse::<usize>() {
                        i.checked_sub(1)
                            .and_then(|i| inst.repeats.get(i))
                            .map(|r| Value::Inst(Rc::clone(r)))
                    } else {
                        inst.outputs
                            .iter()
                            .find(|(n, _)| *n == seg.name)
                            .map(|(_, v)| v.clone())
                            .or_else(|| inst.members.get(&seg.name).cloned())
                    }
                }
                Value::Poison => return Value::Poison,
                _ => None,
            };
            match found {
                Some(f) => v = f,
                None => {
                    let members: Vec<String> = match &v {
                        Value::Inst(inst) => {
                            let mut c: Vec<String> = inst
                                .outputs
                                .iter()
                                .map(|(n, _)| n.clone())
                                .filter(|n| !n.is_empty())
                                .collect();
                            let mut m: Vec<String> = inst.members.keys().cloned().collect();
                            m.sort_unstable();
                            m.retain(|n| !c.contains(n));
                            c.extend(m);
                            c.extend((1..=inst.repeats.len()).map(|i| i.to_string()));
                            c
                        }
                        _ => Vec::new(),
                    };
                    let suggestion = self.suggest(&seg.name, members.iter().map(String::as_str));
                    self.error(ErrorKind::UnknownMember {
                        member: seg.name.clone(),
                        span: seg.span,
                        base,
                        suggestion,
                        members,
                    });
                    return Value::Poison;
                }
            }
            base = format!("{base}.{}", seg.name);
        }
        v
    }

    fn lookup(&mut self, name: &Ident) -> Option<Value> {
        let n = name.name.as_str();
        let scope = self.scopes.last()?;
        if let Some((v, _)) = scope.values.get(n) {
            return Some(v.clone());
        }
        let top = self.scopes.first()?;
        let global = if scope.in_block {
            top.values.get(n)
        } else {
            None
        };
        match global {
            Some((v @ (Value::Int(_) | Value::Pair(..) | Value::Poison), _)) => {
                return Some(v.clone());
            }
            Some((_, def)) => {
                let def = *def;
                let suggestion = self.visible_suggestion(n);
                self.error(ErrorKind::UnknownName {
                    name: n.into(),
                    span: name.span,
                    suggestion,
                    outside_block: Some(def),
                });
                return None;
            }
            None => {}
        }
        if let Some(&def) = scope.later.get(n) {
            self.error(ErrorKind::UseBeforeDef {
                name: n.into(),
                span: name.span,
                def,
            });
            return None;
        }
        let suggestion = self.visible_suggestion(n);
        self.error(ErrorKind::UnknownName {
            name: n.into(),
            span: name.span,
            suggestion,
            outside_block: None,
        });
        None
    }

    /// [`suggest`] within the file's budget of searches.
    pub(super) fn suggest<'c>(
        &mut self,
        name: &str,
        cands: impl IntoIterator<Item = &'c str>,
    ) -> Option<String> {
        self.suggestions_left = self.suggestions_left.checked_sub(1)?;
        suggest(name, cands)
    }

    fn visible_suggestion(&mut self, n: &str) -> Option<String> {
        self.suggestions_left = self.suggestions_left.checked_sub(1)?;
        let scope = self.scopes.last()?;
        let mut cands: Vec<&str> = scope.values.keys().map(String::as_str).collect();
        if scope.in_block
            && let Some(top) = self.scopes.first()
        {
            cands.extend(
                top.values
                    .iter()
                    .filter(|(_, (v, _))| matches!(v, Value::Int(_) | Value::Pair(..)))
                    .map(|(k, _)| k.as_str()),
            );
        }
        cands.sort_unstable();
        suggest(n, cands)
    }
}
