//! The scheduling constraints among the layers of a segment
//! (docs/model/pipelining.md#scheduling-constraints): which top-level
//! (DRAM-level) blocking factors each layer must use so that the layers
//! walk their shared data in step.
//!
//! The reference builds them with a symbolic-math library. They need none:
//! `value` holds the few kinds of value they take, `build` the steps that
//! build and solve one segment's; this file the solved constraints and
//! their enumeration.

pub(crate) mod build;
pub(crate) mod value;

use crate::ir::LayerId;
use crate::sched::pipeline::alloc::Allocation;
use crate::sched::pipeline::segment::{Deps, Place, Segment, SegmentContext};
use build::Builder;
use std::collections::BTreeMap;
use value::{Args, Domain, Sym, Symbol, Value};

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

impl SegmentConstraints {
    /// Builds and solves the constraints of a segment (docs/model/pipelining.md#construction
    /// to docs/model/pipelining.md#shared-memory-source);
    /// `None` when no choice of fully-buffered data fits the buffers.
    pub(in crate::sched::pipeline) fn new(
        cx: &SegmentContext<'_>,
        seg: &Segment,
        deps: &Deps,
        alloc: &Allocation,
    ) -> Option<Self> {
        let mut b = Builder::new(cx, seg);
        let (fbofm_init, paths) = b.link_layers(seg, deps);
        b.simplify();
        let num_sp_fbs = b.choose_fbofm_init(seg, alloc, &paths, &fbofm_init)?;
        b.shared_sources(seg, deps);
        b.simplify();
        let lazy = b.lazy_rules(seg);
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
                let d = s.domain.values();
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
                let d = s.domain.values();
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
}
