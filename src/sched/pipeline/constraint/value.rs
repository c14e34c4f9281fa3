//! The values of the constraint table: small integers, booleans, symbols
//! ranging over short integer lists, and two kinds of expression — `Eq(x, b)`
//! and `Pick(a, c, b)` — that evaluate as soon as their condition is a
//! constant (docs/model/pipelining.md#symbols-and-values).

use std::collections::{BTreeMap, BTreeSet};

/// A symbol of the constraint table, by index.
pub(super) type Sym = usize;

/// A constraint value while the constraints are being solved.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Int(u64),
    Bool(bool),
    Sym(Sym),
    /// True iff the boolean `x` equals `b`.
    Eq(Box<Value>, bool),
    /// `a` if `cond` else `b`.
    Pick(Box<Value>, Box<Value>, Box<Value>),
}

impl Value {
    pub(super) fn eq(x: Value, b: bool) -> Value {
        Value::Eq(Box::new(x), b).eval()
    }

    pub(super) fn pick(a: Value, cond: Value, b: Value) -> Value {
        Value::Pick(Box::new(a), Box::new(cond), Box::new(b)).eval()
    }

    /// Evaluates what the constants allow (docs/model/pipelining.md#symbols-and-values).
    pub(super) fn eval(self) -> Value {
        match self {
            Value::Eq(x, b) => match x.eval() {
                Value::Bool(c) => Value::Bool(c == b),
                x => Value::Eq(Box::new(x), b),
            },
            Value::Pick(a, c, b) => match c.eval() {
                Value::Bool(true) => a.eval(),
                Value::Bool(false) => b.eval(),
                c => Value::Pick(Box::new(a.eval()), Box::new(c), Box::new(b.eval())),
            },
            v => v,
        }
    }

    pub(super) fn subst(&self, s: &BTreeMap<Sym, Value>) -> Value {
        match self {
            Value::Sym(x) => s.get(x).cloned().unwrap_or(Value::Sym(*x)),
            Value::Eq(x, b) => Value::Eq(Box::new(x.subst(s)), *b),
            Value::Pick(a, c, b) => Value::Pick(
                Box::new(a.subst(s)),
                Box::new(c.subst(s)),
                Box::new(b.subst(s)),
            ),
            v => v.clone(),
        }
        .eval()
    }

    pub(super) fn symbols(&self, out: &mut BTreeSet<Sym>) {
        match self {
            Value::Sym(x) => {
                out.insert(*x);
            }
            Value::Eq(x, _) => x.symbols(out),
            Value::Pick(a, c, b) => {
                a.symbols(out);
                c.symbols(out);
                b.symbols(out);
            }
            Value::Int(_) | Value::Bool(_) => {}
        }
    }

    pub(super) fn is_true(&self) -> bool {
        *self == Value::Bool(true)
    }

    pub(super) fn is_false(&self) -> bool {
        *self == Value::Bool(false)
    }
}

/// The constraint arguments of one layer (absent = not constrained).
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Args {
    pub(super) topbat: Option<Value>,
    pub(super) topifm: Option<Value>,
    pub(super) topofm: Option<Value>,
    pub(super) fbifm: Option<Value>,
    pub(super) fbofm: Option<Value>,
}

impl Args {
    pub(super) fn values_mut(&mut self) -> [&mut Option<Value>; 5] {
        [
            &mut self.topbat,
            &mut self.topifm,
            &mut self.topofm,
            &mut self.fbifm,
            &mut self.fbofm,
        ]
    }

    pub(super) fn values(&self) -> [&Option<Value>; 5] {
        [
            &self.topbat,
            &self.topifm,
            &self.topofm,
            &self.fbifm,
            &self.fbofm,
        ]
    }
}

/// A symbol's values, ascending.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Domain {
    Ints(Vec<u64>),
    Bools,
}

impl Domain {
    /// The values, ascending (a boolean as 0 and 1).
    pub(super) fn values(&self) -> Vec<u64> {
        match self {
            Domain::Ints(d) => d.clone(),
            Domain::Bools => vec![0, 1],
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Symbol {
    pub(super) name: String,
    pub(super) domain: Domain,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_evaluate_once_their_condition_is_known() {
        let s = Value::Sym(0);
        // Eq(False, False) is true; an unknown condition stays symbolic.
        assert_eq!(Value::eq(Value::Bool(false), false), Value::Bool(true));
        assert!(matches!(Value::eq(s.clone(), false), Value::Eq(..)));
        let p = Value::pick(Value::Int(4), Value::eq(s.clone(), false), Value::Int(0));
        let sub = |v: bool| p.subst(&BTreeMap::from([(0, Value::Bool(v))]));
        assert_eq!(sub(false), Value::Int(4));
        assert_eq!(sub(true), Value::Int(0));
        let mut syms = BTreeSet::new();
        p.symbols(&mut syms);
        assert_eq!(syms, BTreeSet::from([0]));
    }
}
