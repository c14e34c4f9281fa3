//! Building and solving one segment's constraints
//! (docs/model/pipelining.md#construction to
//! docs/model/pipelining.md#lazy-rules), step by step.

use super::value::{Args, Domain, Sym, Symbol, Value};
use crate::ir::{LayerId, LayerShape};
use crate::sched::model::factor::divisors;
use crate::sched::pipeline::alloc::Allocation;
use crate::sched::pipeline::segment::{Deps, Place, Segment, SegmentContext, Src};
use std::collections::{BTreeMap, BTreeSet};

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

/// The constraints of one segment while they are built and solved: the
/// symbols made so far, those still in the table, and each layer's
/// arguments (per group, per layer).
pub(super) struct Builder<'a> {
    cx: &'a SegmentContext<'a>,
    pub(super) symbols: Vec<Symbol>,
    pub(super) table: BTreeSet<Sym>,
    pub(super) args: Vec<Vec<Args>>,
}

/// The state of the walk over a segment's layers
/// (docs/model/pipelining.md#construction).
struct Walk {
    /// Candidate critical paths: runs of groups linked by neighbour
    /// producers.
    paths: Vec<Vec<usize>>,
    /// The last convolution walked.
    last_conv: Option<Place>,
    /// The "fully buffer the output" flag the next convolution sets on the
    /// last one.
    pending: Option<Value>,
}

impl<'a> Builder<'a> {
    /// The constraints of `seg` before any rule: every layer free.
    pub(super) fn new(cx: &'a SegmentContext<'a>, seg: &Segment) -> Self {
        Builder {
            cx,
            symbols: Vec::new(),
            table: BTreeSet::new(),
            args: seg
                .groups
                .iter()
                .map(|g| vec![Args::default(); g.len()])
                .collect(),
        }
    }

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
    pub(super) fn simplify(&mut self) {
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

    /// The construction (docs/model/pipelining.md#construction): one batch
    /// factor shared by every layer, then the layers in segment order, each
    /// linked to its producer; returns the symbol `fbofm_init` and the
    /// candidate critical paths.
    pub(super) fn link_layers(&mut self, seg: &Segment, deps: &Deps) -> (Value, Vec<Vec<usize>>) {
        let topbat = self.new_sym("topbat_shr".into(), Domain::Ints(divisors(self.cx.batch)));
        let fbofm_init = self.new_sym("fbofm_init".into(), Domain::Bools);
        for g in &mut self.args {
            for a in g {
                a.topbat = Some(topbat.clone());
            }
        }
        let mut walk = Walk {
            paths: vec![vec![0]],
            last_conv: None,
            pending: None,
        };
        for (sp, g) in seg.groups.iter().enumerate() {
            let dom = self.ofm_domain(g[0]);
            let mut cur = self.new_sym(format!("topofm_{sp}_s"), dom);
            for (tm, &l) in g.iter().enumerate() {
                let d = deps.at((sp, tm));
                let nbr = match d.src {
                    Src::Neighbour(p) => Some(p),
                    _ => None,
                };
                if let Some((psp, _)) = nbr {
                    let ext: Vec<Vec<usize>> = walk
                        .paths
                        .iter()
                        .filter(|p| p.last() == Some(&psp))
                        .map(|p| {
                            let mut q = p.clone();
                            q.push(sp);
                            q
                        })
                        .collect();
                    walk.paths.extend(ext);
                }
                cur = if self.shape(l).is_conv() {
                    self.link_conv(seg, (sp, tm), nbr, &mut walk, &fbofm_init)
                } else {
                    self.link_follower((sp, tm), nbr, cur, walk.last_conv)
                };
                if tm + 1 == g.len()
                    && d.neighbour_consumers.is_empty()
                    && d.local_consumer.is_none()
                {
                    self.args[sp][tm].fbofm = None;
                }
            }
        }
        (fbofm_init, walk.paths)
    }

    /// Links the convolution at `place` (reading a neighbour's output at
    /// `nbr`, if any): its own ofm factor, and whether it and its producer
    /// fully buffer their data; returns the factor.
    fn link_conv(
        &mut self,
        seg: &Segment,
        place: Place,
        nbr: Option<Place>,
        walk: &mut Walk,
        fbofm_init: &Value,
    ) -> Value {
        let (sp, tm) = place;
        let same_group = walk.last_conv.is_some_and(|(lsp, _)| lsp == sp);
        if let Some(v) = walk.pending.take() {
            let target = match walk.last_conv {
                Some((lsp, _)) if lsp == sp => (sp, tm - 1),
                Some((lsp, _)) => (lsp, seg.groups[lsp].len() - 1),
                // A pending value exists only after a convolution.
                None => (sp, tm),
            };
            self.args[target.0][target.1].fbofm = Some(v);
        }
        let dom = self.ofm_domain(seg.at(place));
        let cur = self.new_sym(format!("topofm_{sp}_{tm}"), dom);
        self.args[sp][tm].topofm = Some(cur.clone());
        if same_group {
            // Inter-temporal: the previous convolution's output stays on
            // chip.
            let (lsp, ltm) = walk.last_conv.unwrap_or((sp, 0));
            self.args[sp][tm].fbifm = Some(Value::Bool(true));
            self.args[lsp][ltm].fbofm = Some(Value::Bool(true));
            self.args[sp][tm - 1].fbofm = Some(Value::Bool(true));
        } else if let Some((psp, ptm)) = nbr {
            // Inter-spatial.
            if self.cx.options.basic {
                self.args[psp][ptm].fbofm = Some(Value::Bool(true));
            }
            let src = &self.args[psp][ptm];
            let f = src.fbofm.clone().unwrap_or(Value::Bool(false));
            let src_top = src.topofm.clone().unwrap_or(Value::Int(0));
            let a = &mut self.args[sp][tm];
            a.fbifm = Some(Value::eq(f.clone(), true));
            a.fbofm = Some(Value::eq(f.clone(), false));
            walk.pending = Some(Value::eq(f.clone(), false));
            let own = a.topifm.clone().unwrap_or(Value::Int(0));
            a.topifm = Some(Value::pick(src_top, Value::eq(f, false), own));
        } else if walk.last_conv.is_none() {
            // Initial.
            self.args[sp][tm].fbofm = Some(fbofm_init.clone());
            walk.pending = Some(fbofm_init.clone());
        }
        walk.last_conv = Some(place);
        cur
    }

    /// Links the pooling or element-wise layer at `place`: it walks the ofm
    /// factor `cur` of its group, or its neighbour producer's; returns the
    /// factor.
    fn link_follower(
        &mut self,
        place: Place,
        nbr: Option<Place>,
        mut cur: Value,
        last_conv: Option<Place>,
    ) -> Value {
        let (sp, tm) = place;
        if let Some((psp, ptm)) = nbr {
            let src = &self.args[psp][ptm];
            let f = src.fbofm.clone().unwrap_or(Value::Bool(false));
            let src_top = src.topofm.clone().unwrap_or(Value::Int(0));
            cur = Value::pick(src_top, Value::eq(f, false), cur);
            // The reference writes this group's layers from the last
            // convolution's temporal index, whatever group that convolution
            // is in (docs/compat.md#known_limitations).
            let from = last_conv.map_or(0, |(_, t)| t);
            for t in from..tm {
                self.args[sp][t].topofm = Some(cur.clone());
            }
        }
        self.args[sp][tm].topofm = Some(cur.clone());
        cur
    }

    /// Chooses `fbofm_init` (docs/model/pipelining.md#fbofm_init): the value
    /// whose fully-buffered data fit the buffers with the fewest groups of
    /// the critical path buffering their output, then the least data; the
    /// critical path is the longest candidate, ties to the
    /// lexicographically smallest (docs/compat.md#hash_set_ties). Returns
    /// that number of groups, `None` when neither value fits.
    pub(super) fn choose_fbofm_init(
        &mut self,
        seg: &Segment,
        alloc: &Allocation,
        paths: &[Vec<usize>],
        fbofm_init: &Value,
    ) -> Option<u64> {
        let critical = paths
            .iter()
            .max_by(|x, y| x.len().cmp(&y.len()).then_with(|| y.cmp(x)))
            .cloned()
            .unwrap_or_default();
        let init_sym = match fbofm_init {
            Value::Sym(s) => *s,
            _ => return None,
        };
        let values: &[bool] = if self.table.contains(&init_sym) {
            &[false, true]
        } else {
            &[false]
        };
        let mut best: Option<((u64, u64), bool)> = None;
        for &v in values {
            let s = BTreeMap::from([(init_sym, Value::Bool(v))]);
            if let Some(key) = self.fully_buffered(seg, alloc, &critical, &s)
                && best.is_none_or(|(k, _)| key < k)
            {
                best = Some((key, v));
            }
        }
        let ((num_sp_fbs, _), v) = best?;
        if self.table.remove(&init_sym) {
            self.substitute(&BTreeMap::from([(init_sym, Value::Bool(v))]));
        }
        self.simplify();
        Some(num_sp_fbs)
    }

    /// With the symbols of `s` substituted: the groups of `critical` that
    /// fully buffer their output, and the most words one group fully
    /// buffers; `None` when a group's do not fit its nodes' buffers.
    fn fully_buffered(
        &self,
        seg: &Segment,
        alloc: &Allocation,
        critical: &[usize],
        s: &BTreeMap<Sym, Value>,
    ) -> Option<(u64, u64)> {
        let t = |x: &Option<Value>| x.as_ref().is_some_and(|v| v.subst(s).is_true());
        let mut maxsz = 0u64;
        let mut numfb = 0u64;
        for (sp, g) in seg.groups.iter().enumerate() {
            let mut ms = 0u64;
            for (tm, &l) in g.iter().enumerate() {
                let a = &self.args[sp][tm];
                let sh = self.shape(l);
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
            let cap = alloc.regions[sp]
                .dim()
                .size()
                .saturating_mul(self.cx.size_gbuf);
            if ms > cap {
                return None;
            }
            maxsz = maxsz.max(ms);
            if critical.contains(&sp) && t(&self.args[sp][g.len() - 1].fbofm) {
                numfb += 1;
            }
        }
        Some((numfb, maxsz))
    }

    /// Layers sharing a memory source (docs/model/pipelining.md#shared-memory-source):
    /// all fully buffer their input if any of them fixes its output, else
    /// they share one input factor.
    pub(super) fn shared_sources(&mut self, seg: &Segment, deps: &Deps) {
        for list in &deps.ifm_fwd {
            let any = list.iter().any(|&(sp, tm)| {
                let a = &self.args[sp][tm];
                a.fbofm.as_ref().is_some_and(Value::is_true)
                    || a.topofm.as_ref().is_some_and(|t| *t != Value::Int(0))
            });
            if any {
                for &(sp, tm) in list {
                    self.args[sp][tm].fbifm = Some(Value::Bool(true));
                }
            } else {
                let (fsp, ftm) = list[0];
                let dom = self.ifm_domain(seg.at((fsp, ftm)));
                let s = self.new_sym(format!("topifm_{fsp}"), dom);
                for &(sp, tm) in list {
                    self.args[sp][tm].topifm = Some(s.clone());
                }
            }
        }
    }

    /// The lazy rules (docs/model/pipelining.md#lazy-rules): an ofm
    /// factor symbol that one convolution alone sets, followed by other
    /// layers, is left to that convolution's choice; per layer, the
    /// convolution whose choice it takes.
    pub(super) fn lazy_rules(&mut self, seg: &Segment) -> Vec<Vec<Option<Place>>> {
        let mut claim: BTreeMap<Sym, Place> = BTreeMap::new();
        let mut followers: BTreeMap<Sym, Vec<Place>> = BTreeMap::new();
        let mut unqualified: BTreeSet<Sym> = BTreeSet::new();
        for (p, l) in seg.layers() {
            let a = &self.args[p.0][p.1];
            if self.shape(l).is_conv() {
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
                self.args[conv.0][conv.1].topofm = None;
                for &f in fs {
                    self.args[f.0][f.1].topofm = None;
                    lazy[f.0][f.1] = Some(*conv);
                }
            }
            self.table.remove(x);
        }
        lazy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
