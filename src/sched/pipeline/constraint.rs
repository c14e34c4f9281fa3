//! The scheduling constraints among the layers of a segment
//! (docs/model/pipelining.md#scheduling-constraints): which top-level
//! (DRAM-level) blocking factors each layer must use so that the layers
//! walk their shared data in step.
//!
//! The reference builds them with a symbolic-math library. They need none:
//! values are small integers, booleans, symbols ranging over short integer
//! lists, and two kinds of expression — `Eq(x, b)` and `Pick(a, c, b)` —
//! that evaluate as soon as their condition is a constant.

use super::alloc::Allocation;
use super::segment::{Deps, Place, Segment, SegmentContext, Src};
use crate::ir::{LayerId, LayerShape};
use crate::sched::model::factor::divisors;
use std::collections::{BTreeMap, BTreeSet};

/// A symbol of the constraint table, by index.
type Sym = usize;

/// A constraint value while the constraints are being solved.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Int(u64),
    Bool(bool),
    Sym(Sym),
    /// True iff the boolean `x` equals `b`.
    Eq(Box<Value>, bool),
    /// `a` if `cond` else `b`.
    Pick(Box<Value>, Box<Value>, Box<Value>),
}

impl Value {
    fn eq(x: Value, b: bool) -> Value {
        Value::Eq(Box::new(x), b).eval()
    }

    fn pick(a: Value, cond: Value, b: Value) -> Value {
        Value::Pick(Box::new(a), Box::new(cond), Box::new(b)).eval()
    }

    /// Evaluates what the constants allow (docs/model/pipelining.md#symbols-and-values).
    fn eval(self) -> Value {
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

    fn subst(&self, s: &BTreeMap<Sym, Value>) -> Value {
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

    fn symbols(&self, out: &mut BTreeSet<Sym>) {
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

    fn is_true(&self) -> bool {
        *self == Value::Bool(true)
    }

    fn is_false(&self) -> bool {
        *self == Value::Bool(false)
    }
}

/// The constraint arguments of one layer (absent = not constrained).
#[derive(Clone, Debug, Default, PartialEq)]
struct Args {
    topbat: Option<Value>,
    topifm: Option<Value>,
    topofm: Option<Value>,
    fbifm: Option<Value>,
    fbofm: Option<Value>,
}

impl Args {
    fn values_mut(&mut self) -> [&mut Option<Value>; 5] {
        [
            &mut self.topbat,
            &mut self.topifm,
            &mut self.topofm,
            &mut self.fbifm,
            &mut self.fbofm,
        ]
    }

    fn values(&self) -> [&Option<Value>; 5] {
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
enum Domain {
    Ints(Vec<u64>),
    Bools,
}

#[derive(Clone, Debug)]
struct Symbol {
    name: String,
    domain: Domain,
}

/// One layer's constraint on its top-level blocking factors (the
/// reference's `SchedulingConstraintLayerPipeline`): 0 = free; 1 for the
/// fmaps means "fully buffered". With `topbat > 1`, `topifm > 1` or
/// `topofm > 1` the non-trivial top-level loops, outermost first, must be
/// the batch loop, then the ifm or ofm loop.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LayerConstraint {
    /// Required top-level batch factor.
    pub topbat: u64,
    /// Required top-level input-channel factor.
    pub topifm: u64,
    /// Required top-level output-channel factor.
    pub topofm: u64,
    /// The lazy rule: `topofm` is the top-level ofm factor chosen for this
    /// earlier convolution of the segment (applied when the layer is
    /// scheduled after it).
    pub lazy_topofm: Option<LayerId>,
}

impl LayerConstraint {
    /// No constraint.
    pub const FREE: LayerConstraint = LayerConstraint {
        topbat: 0,
        topifm: 0,
        topofm: 0,
        lazy_topofm: None,
    };

    /// Do top-level factors `(ifm, ofm, bat)` and the top-level loop order
    /// (position per loop, 0 innermost) satisfy it (docs/model/blocking.md#blocking-levels-factors-and-orders)?
    pub fn admits(&self, t: [u64; 3], order: [u8; 3]) -> bool {
        let (ti, to, tb) = (t[0], t[1], t[2]);
        if (self.topbat != 0 && tb != self.topbat)
            || (self.topifm != 0 && ti != self.topifm)
            || (self.topofm != 0 && to != self.topofm)
        {
            return false;
        }
        // Why: this runs for every candidate blocking, and most layers
        // (every layer alone) constrain no order at all.
        if self.topbat <= 1 && self.topifm <= 1 && self.topofm <= 1 {
            return true;
        }
        // Non-trivial loops outermost first (no allocation: at most three).
        let mut loops = [0usize; 3];
        let mut n = 0;
        for (l, &f) in t.iter().enumerate() {
            if f > 1 {
                loops[n] = l;
                n += 1;
            }
        }
        loops[..n].sort_by_key(|&l| std::cmp::Reverse(order[l]));
        let mut it = loops[..n].iter().copied();
        if self.topbat > 1 && it.next() != Some(2) {
            return false;
        }
        if self.topifm > 1 && it.next() != Some(0) {
            return false;
        }
        if self.topofm > 1 && it.next() != Some(1) {
            return false;
        }
        true
    }
}

/// The solved constraints of a segment: a table of symbols with their
/// domains and, per layer, a value built from them.
#[derive(Clone, Debug)]
pub struct SegmentConstraints {
    symbols: Vec<Symbol>,
    /// The table: symbols left, sorted by name (empty: one dummy).
    table: Vec<Sym>,
    args: Vec<Vec<Args>>,
    lazy: Vec<Vec<Option<Place>>>,
    layers: Vec<Vec<LayerId>>,
    /// Groups on the critical forwarding path that fully buffer their
    /// output (the reference's `num_sp_fbs`).
    pub num_sp_fbs: u64,
}

/// One combination of symbol values: a constraint per layer (per group,
/// per layer) and its hints (the values; `[1]` when there is no symbol).
#[derive(Clone, Debug, PartialEq)]
pub struct Combination {
    /// Per group, per layer.
    pub constraints: Vec<Vec<LayerConstraint>>,
    /// The symbol values.
    pub hints: Vec<u64>,
}

/// The domain of a top-level factor over `n` channels of `words` words
/// (all channels, whole batch): divisors whose share of the fmap is at
/// least 5% of one node's buffer, and 1
/// (docs/model/pipelining.md#symbols-and-values).
fn factor_domain(n: u64, words: u64, size_gbuf: u64) -> Domain {
    let bound = words as f64 / (0.05 * size_gbuf as f64);
    Domain::Ints(
        divisors(n)
            .into_iter()
            .filter(|&t| t == 1 || t as f64 <= bound)
            .collect(),
    )
}

/// A literally true "fully buffer" flag makes its factor redundant; a
/// literally false one is no constraint (docs/model/pipelining.md#simplification, first step).
fn literal_flag(flag: &mut Option<Value>, factor: &mut Option<Value>) {
    if flag.as_ref().is_some_and(Value::is_true) {
        *factor = None;
    } else if flag.as_ref().is_some_and(Value::is_false) {
        *flag = None;
    }
}

struct Builder<'a> {
    cx: &'a SegmentContext<'a>,
    symbols: Vec<Symbol>,
    table: BTreeSet<Sym>,
    args: Vec<Vec<Args>>,
}

impl Builder<'_> {
    fn shape(&self, l: LayerId) -> &LayerShape {
        &self.cx.net.layer(l).shape
    }

    fn new_sym(&mut self, name: String, domain: Domain) -> Value {
        self.symbols.push(Symbol { name, domain });
        let s = self.symbols.len() - 1;
        self.table.insert(s);
        Value::Sym(s)
    }

    fn ofm_domain(&self, l: LayerId) -> Domain {
        let s = self.shape(l);
        factor_domain(
            s.nofm(),
            s.total_ofmap_size(self.cx.batch),
            self.cx.size_gbuf,
        )
    }

    fn ifm_domain(&self, l: LayerId) -> Domain {
        let s = self.shape(l);
        factor_domain(
            s.nifm(),
            s.total_ifmap_size(self.cx.batch),
            self.cx.size_gbuf,
        )
    }

    fn substitute(&mut self, s: &BTreeMap<Sym, Value>) {
        for g in &mut self.args {
            for a in g {
                for v in a.values_mut().into_iter().flatten() {
                    *v = v.subst(s);
                }
            }
        }
    }

    /// docs/model/pipelining.md#simplification, until nothing changes.
    fn simplify(&mut self) {
        loop {
            for g in &mut self.args {
                for a in g {
                    literal_flag(&mut a.fbifm, &mut a.topifm);
                    literal_flag(&mut a.fbofm, &mut a.topofm);
                }
            }
            let mut count: BTreeMap<Sym, usize> = BTreeMap::new();
            for g in &self.args {
                for a in g {
                    for v in a.values().into_iter().flatten() {
                        let mut s = BTreeSet::new();
                        v.symbols(&mut s);
                        for x in s {
                            *count.entry(x).or_default() += 1;
                        }
                    }
                }
            }
            let mut subst = BTreeMap::new();
            let mut changed = false;
            for &x in &self.table.clone() {
                let sym = &self.symbols[x];
                match count.get(&x).copied().unwrap_or(0) {
                    0 => {
                        self.table.remove(&x);
                        changed = true;
                    }
                    1 => {
                        let v = if sym.name.starts_with("top") {
                            Value::Int(0)
                        } else {
                            Value::Bool(false)
                        };
                        subst.insert(x, v);
                    }
                    _ => match &sym.domain {
                        Domain::Ints(d) if d.len() == 1 => {
                            subst.insert(x, Value::Int(d[0]));
                        }
                        _ => {}
                    },
                }
            }
            if !subst.is_empty() {
                for x in subst.keys() {
                    self.table.remove(x);
                }
                self.substitute(&subst);
                changed = true;
            }
            if !changed {
                break;
            }
        }
    }
}

impl SegmentConstraints {
    /// Builds and solves the constraints of a segment (docs/model/pipelining.md#construction
    /// to docs/model/pipelining.md#shared-memory-source);
    /// `None` when no choice of fully-buffered data fits the buffers.
    pub(super) fn new(
        cx: &SegmentContext<'_>,
        seg: &Segment,
        deps: &Deps,
        alloc: &Allocation,
    ) -> Option<Self> {
        let mut b = Builder {
            cx,
            symbols: Vec::new(),
            table: BTreeSet::new(),
            args: seg
                .groups
                .iter()
                .map(|g| vec![Args::default(); g.len()])
                .collect(),
        };
        let basic = cx.options.basic;
        let topbat = b.new_sym("topbat_shr".into(), Domain::Ints(divisors(cx.batch)));
        let fbofm_init = b.new_sym("fbofm_init".into(), Domain::Bools);
        for g in &mut b.args {
            for a in g {
                a.topbat = Some(topbat.clone());
            }
        }
        // Candidate critical paths of groups linked by neighbour producers.
        let mut paths: Vec<Vec<usize>> = vec![vec![0]];
        let mut last_conv: Option<Place> = None;
        let mut pending: Option<Value> = None;
        for (sp, g) in seg.groups.iter().enumerate() {
            let dom = b.ofm_domain(g[0]);
            let mut cur = b.new_sym(format!("topofm_{sp}_s"), dom);
            for (tm, &l) in g.iter().enumerate() {
                let nbr = match deps.at((sp, tm)).src {
                    Src::Neighbour(p) => Some(p),
                    _ => None,
                };
                if let Some((psp, _)) = nbr {
                    let ext: Vec<Vec<usize>> = paths
                        .iter()
                        .filter(|p| p.last() == Some(&psp))
                        .map(|p| {
                            let mut q = p.clone();
                            q.push(sp);
                            q
                        })
                        .collect();
                    paths.extend(ext);
                }
                let same_group = last_conv.is_some_and(|(lsp, _)| lsp == sp);
                if b.shape(l).is_conv() {
                    if let Some(v) = pending.take() {
                        let target = match last_conv {
                            Some((lsp, _)) if lsp == sp => (sp, tm - 1),
                            Some((lsp, _)) => (lsp, seg.groups[lsp].len() - 1),
                            // A pending value exists only after a convolution.
                            None => (sp, tm),
                        };
                        b.args[target.0][target.1].fbofm = Some(v);
                    }
                    let dom = b.ofm_domain(l);
                    cur = b.new_sym(format!("topofm_{sp}_{tm}"), dom);
                    b.args[sp][tm].topofm = Some(cur.clone());
                    if same_group {
                        // Inter-temporal: the previous convolution's output
                        // stays on chip.
                        let (lsp, ltm) = last_conv.unwrap_or((sp, 0));
                        b.args[sp][tm].fbifm = Some(Value::Bool(true));
                        b.args[lsp][ltm].fbofm = Some(Value::Bool(true));
                        b.args[sp][tm - 1].fbofm = Some(Value::Bool(true));
                    } else if let Some((psp, ptm)) = nbr {
                        // Inter-spatial.
                        if basic {
                            b.args[psp][ptm].fbofm = Some(Value::Bool(true));
                        }
                        let src = &b.args[psp][ptm];
                        let f = src.fbofm.clone().unwrap_or(Value::Bool(false));
                        let src_top = src.topofm.clone().unwrap_or(Value::Int(0));
                        let a = &mut b.args[sp][tm];
                        a.fbifm = Some(Value::eq(f.clone(), true));
                        a.fbofm = Some(Value::eq(f.clone(), false));
                        pending = Some(Value::eq(f.clone(), false));
                        let own = a.topifm.clone().unwrap_or(Value::Int(0));
                        a.topifm = Some(Value::pick(src_top, Value::eq(f, false), own));
                    } else if last_conv.is_none() {
                        // Initial.
                        b.args[sp][tm].fbofm = Some(fbofm_init.clone());
                        pending = Some(fbofm_init.clone());
                    }
                    last_conv = Some((sp, tm));
                } else {
                    if let Some((psp, ptm)) = nbr {
                        let src = &b.args[psp][ptm];
                        let f = src.fbofm.clone().unwrap_or(Value::Bool(false));
                        let src_top = src.topofm.clone().unwrap_or(Value::Int(0));
                        cur = Value::pick(src_top, Value::eq(f, false), cur);
                        // The reference writes this group's layers from the
                        // last convolution's temporal index, whatever group
                        // that convolution is in (docs/compat.md#known_limitations).
                        let from = last_conv.map_or(0, |(_, t)| t);
                        for t in from..tm {
                            b.args[sp][t].topofm = Some(cur.clone());
                        }
                    }
                    b.args[sp][tm].topofm = Some(cur.clone());
                }
                let d = deps.at((sp, tm));
                if tm + 1 == g.len()
                    && d.neighbour_consumers.is_empty()
                    && d.local_consumer.is_none()
                {
                    b.args[sp][tm].fbofm = None;
                }
            }
        }
        b.simplify();

        // docs/model/pipelining.md#fbofm_init: choose fbofm_init. The critical path: the longest
        // candidate, ties to the lexicographically smallest
        // (docs/compat.md#hash_set_ties).
        let critical = paths
            .iter()
            .max_by(|x, y| x.len().cmp(&y.len()).then_with(|| y.cmp(x)))
            .cloned()
            .unwrap_or_default();
        let init_sym = match fbofm_init {
            Value::Sym(s) => s,
            _ => return None,
        };
        let values: Vec<bool> = if b.table.contains(&init_sym) {
            vec![false, true]
        } else {
            vec![false]
        };
        let mut best: Option<((u64, u64), bool)> = None;
        for v in values {
            let s = BTreeMap::from([(init_sym, Value::Bool(v))]);
            let mut feasible = true;
            let mut maxsz = 0u64;
            let mut numfb = 0u64;
            for (sp, g) in seg.groups.iter().enumerate() {
                let mut ms = 0u64;
                for (tm, &l) in g.iter().enumerate() {
                    let a = &b.args[sp][tm];
                    let t = |x: &Option<Value>| x.as_ref().is_some_and(|v| v.subst(&s).is_true());
                    let sh = b.shape(l);
                    let sz = if t(&a.fbofm) {
                        sh.total_ofmap_size(1)
                    } else {
                        0
                    } + if t(&a.fbifm) {
                        sh.total_ifmap_size(1)
                    } else {
                        0
                    };
                    ms = ms.max(sz);
                }
                let cap = alloc.regions[sp].dim().size().saturating_mul(cx.size_gbuf);
                if ms > cap {
                    feasible = false;
                    break;
                }
                maxsz = maxsz.max(ms);
                if critical.contains(&sp) {
                    let last = &b.args[sp][g.len() - 1];
                    if last.fbofm.as_ref().is_some_and(|x| x.subst(&s).is_true()) {
                        numfb += 1;
                    }
                }
            }
            if feasible && best.is_none_or(|(k, _)| (numfb, maxsz) < k) {
                best = Some(((numfb, maxsz), v));
            }
        }
        let ((num_sp_fbs, _), v) = best?;
        if b.table.remove(&init_sym) {
            b.substitute(&BTreeMap::from([(init_sym, Value::Bool(v))]));
        }
        b.simplify();

        // docs/model/pipelining.md#shared-memory-source.
        for list in &deps.ifm_fwd {
            let any = list.iter().any(|&(sp, tm)| {
                let a = &b.args[sp][tm];
                a.fbofm.as_ref().is_some_and(Value::is_true)
                    || a.topofm.as_ref().is_some_and(|t| *t != Value::Int(0))
            });
            if any {
                for &(sp, tm) in list {
                    b.args[sp][tm].fbifm = Some(Value::Bool(true));
                }
            } else {
                let (fsp, ftm) = list[0];
                let dom = b.ifm_domain(seg.at((fsp, ftm)));
                let s = b.new_sym(format!("topifm_{fsp}"), dom);
                for &(sp, tm) in list {
                    b.args[sp][tm].topifm = Some(s.clone());
                }
            }
        }
        b.simplify();

        // Lazy rules.
        let mut claim: BTreeMap<Sym, Place> = BTreeMap::new();
        let mut followers: BTreeMap<Sym, Vec<Place>> = BTreeMap::new();
        let mut unqualified: BTreeSet<Sym> = BTreeSet::new();
        for (p, l) in seg.layers() {
            let a = &b.args[p.0][p.1];
            if b.shape(l).is_conv() {
                let mut syms = BTreeSet::new();
                for v in [&a.topofm, &a.topifm].into_iter().flatten() {
                    v.symbols(&mut syms);
                }
                for x in syms {
                    if unqualified.contains(&x) {
                        continue;
                    }
                    if claim.remove(&x).is_some() {
                        followers.remove(&x);
                        unqualified.insert(x);
                    } else if a.topofm == Some(Value::Sym(x)) {
                        claim.insert(x, p);
                    }
                }
            } else if let Some(Value::Sym(x)) = &a.topofm
                && claim.contains_key(x)
            {
                followers.entry(*x).or_default().push(p);
            }
        }
        let mut lazy: Vec<Vec<Option<Place>>> =
            seg.groups.iter().map(|g| vec![None; g.len()]).collect();
        for (x, conv) in &claim {
            if let Some(fs) = followers.get(x) {
                b.args[conv.0][conv.1].topofm = None;
                for &f in fs {
                    b.args[f.0][f.1].topofm = None;
                    lazy[f.0][f.1] = Some(*conv);
                }
            }
            b.table.remove(x);
        }
        let mut table: Vec<Sym> = b.table.iter().copied().collect();
        table.sort_by(|&x, &y| b.symbols[x].name.cmp(&b.symbols[y].name));
        Some(SegmentConstraints {
            symbols: b.symbols,
            table,
            args: b.args,
            lazy,
            layers: seg.groups.clone(),
            num_sp_fbs,
        })
    }

    /// The symbols left and their domains, sorted by name (`_dummy: [none]`
    /// when none is left, as the reference writes it).
    pub fn symbol_values(&self) -> Vec<(String, Vec<u64>)> {
        self.table
            .iter()
            .map(|&x| {
                let s = &self.symbols[x];
                let d = match &s.domain {
                    Domain::Ints(d) => d.clone(),
                    Domain::Bools => vec![0, 1],
                };
                (s.name.clone(), d)
            })
            .collect()
    }

    /// Every combination of symbol values in order, the last symbol varying
    /// fastest; batch factors below `num_sp_fbs / max_overhead` are dropped
    /// (docs/model/pipelining.md#enumeration-and-hints).
    pub fn combinations(&self, max_overhead: Option<f64>) -> Vec<Combination> {
        let domains: Vec<Vec<u64>> = self
            .table
            .iter()
            .map(|&x| {
                let s = &self.symbols[x];
                let d = match &s.domain {
                    Domain::Ints(d) => d.clone(),
                    Domain::Bools => vec![0, 1],
                };
                if s.name == "topbat_shr" {
                    let min = max_overhead.map_or(0.0, |o| self.num_sp_fbs as f64 / o);
                    d.into_iter().filter(|&v| v as f64 >= min).collect()
                } else {
                    d
                }
            })
            .collect();
        let mut out = Vec::new();
        if domains.is_empty() {
            out.push(Combination {
                constraints: self.build(&BTreeMap::new()),
                hints: vec![1],
            });
            return out;
        }
        let mut idx = vec![0usize; domains.len()];
        if domains.iter().any(Vec::is_empty) {
            return out;
        }
        loop {
            let hints: Vec<u64> = idx.iter().zip(&domains).map(|(&i, d)| d[i]).collect();
            let s: BTreeMap<Sym, Value> = self
                .table
                .iter()
                .zip(&hints)
                .map(|(&x, &v)| match self.symbols[x].domain {
                    Domain::Bools => (x, Value::Bool(v != 0)),
                    Domain::Ints(_) => (x, Value::Int(v)),
                })
                .collect();
            out.push(Combination {
                constraints: self.build(&s),
                hints,
            });
            // Odometer, last fastest.
            let mut k = domains.len();
            loop {
                if k == 0 {
                    return out;
                }
                k -= 1;
                idx[k] += 1;
                if idx[k] < domains[k].len() {
                    break;
                }
                idx[k] = 0;
            }
        }
    }

    fn build(&self, s: &BTreeMap<Sym, Value>) -> Vec<Vec<LayerConstraint>> {
        let int = |v: &Option<Value>| match v.as_ref().map(|v| v.subst(s)) {
            Some(Value::Int(i)) => i,
            Some(Value::Bool(b)) => u64::from(b),
            _ => 0,
        };
        let truth = |v: &Option<Value>| v.as_ref().is_some_and(|v| v.subst(s).is_true());
        self.args
            .iter()
            .enumerate()
            .map(|(sp, g)| {
                g.iter()
                    .enumerate()
                    .map(|(tm, a)| LayerConstraint {
                        topbat: int(&a.topbat),
                        topifm: if truth(&a.fbifm) { 1 } else { int(&a.topifm) },
                        topofm: if truth(&a.fbofm) { 1 } else { int(&a.topofm) },
                        lazy_topofm: self.lazy[sp][tm].map(|(lsp, ltm)| self.layers[lsp][ltm]),
                    })
                    .collect()
            })
            .collect()
    }
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

    #[test]
    fn constraints_fix_values_and_the_outer_loops() {
        let c = LayerConstraint {
            topbat: 2,
            topifm: 0,
            topofm: 4,
            lazy_topofm: None,
        };
        // (ifm, ofm, bat) factors; orders: position per loop, 0 innermost.
        assert!(c.admits([1, 4, 2], [0, 1, 2]));
        assert!(!c.admits([1, 4, 2], [0, 2, 1]), "batch must be outermost");
        assert!(!c.admits([1, 2, 2], [0, 1, 2]), "ofm factor must be 4");
        assert!(!c.admits([3, 4, 2], [2, 1, 0]), "ifm comes before ofm");
        assert!(LayerConstraint::FREE.admits([3, 4, 2], [2, 1, 0]));
    }

    #[test]
    fn factor_domains_keep_one_and_large_enough_shares() {
        // 8 channels of 64 words (batch 2): shares of 1024/(0.05*128) = 160.
        assert_eq!(
            factor_domain(8, 8 * 64 * 2, 128),
            Domain::Ints(vec![1, 2, 4, 8])
        );
        assert_eq!(factor_domain(8, 8, 1024), Domain::Ints(vec![1]));
        assert_eq!(divisors(12), [1, 2, 3, 4, 6, 12]);
        assert_eq!(divisors(16), [1, 2, 4, 8, 16]);
        assert_eq!(divisors(1), [1]);
    }
}
