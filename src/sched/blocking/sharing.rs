//! Buffer sharing inside one blocking (docs/model/buffer-sharing.md#buffer-sharing):
//! once a blocking is valid with every kind's buffer tile spread over its
//! whole sharing group, choose how many nodes actually share each kind (the
//! subgroups), an extra blocking level between DRAM and the buffers over the
//! loops that may move (the "BS" level) and a new order of those loops, so
//! that rotating the shared data around the subgroup and fetching tiles wider
//! than one node's share cost the fewest NoC hops.
//!
//! The geometry (subgroup layouts, rotation and wide-fetch hops per round)
//! is [`BufShare`]'s; this module is the sweep over the choices.

use super::{Factors, Orders};
use crate::sched::dataflow::Nld;
use crate::sched::model::factor::divisors;
use crate::sched::pipeline::bufshr::BufShare;
use crate::sched::types::{DataKind, LoopDim, MemLevel, PerData, PerLoop};
use serde::Serialize;

/// What buffer sharing chose for a blocking and what it costs in NoC hops.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sharing {
    /// Per data kind, how many nodes hold one copy between them (1: not
    /// shared).
    pub subgroup: PerData<u64>,
    /// Per data kind, how many times the shared data go round the subgroup
    /// (the reference's `bufshr_rot_round_cnt`; 0: no rotation).
    pub rot_rounds: PerData<u64>,
    /// Per data kind, how many units one rotation moves in (its
    /// `bufshr_rot_unit_cnt`).
    pub rot_units: PerData<u64>,
    /// Per data kind, how many nodes' shares one wide fetch spans (its
    /// `bufshr_wide_fetch_width`; 0 when not shared).
    pub wide_width: PerData<f64>,
    /// The sharing level's factor of each loop (1: not split there).
    pub bs_factors: PerLoop<u64>,
    /// The sharing level's loop order (position per loop, 0 innermost).
    pub bs_order: PerLoop<u8>,
    /// The buffer level's loop order after sharing moved the flexible loops.
    pub gbuf_order: PerLoop<u8>,
    /// NoC word-hops of rotation and wide fetches per data kind (the
    /// reference's `node_nhops`), added to the layer's NoC hops.
    pub node_nhops: PerData<f64>,
}

/// One choice of the sweep: the loop list from outer to inner, as
/// `(loop, factor)`.
type LoopList = Vec<(LoopDim, u64)>;

/// Everything the sweep reads of one valid blocking.
pub(super) struct SharingInput<'a> {
    /// The loop nest.
    pub nld: &'a Nld,
    /// The blocking's factors and orders.
    pub factors: &'a Factors,
    /// Its loop orders.
    pub orders: &'a Orders,
    /// Its fetch counts (before filter pinning).
    pub fetch: &'a [PerData<u64>; 2],
    /// Buffer words per node of each kind with every tile spread over its
    /// whole group (0 when bypassing).
    pub gbuf_size: PerData<u64>,
    /// One node's buffer capacity in words.
    pub capacity: u64,
    /// Nodes running the layer.
    pub nodes: u64,
}

/// Permutations of `items` in lexicographic order of positions (Python's
/// `itertools.permutations` order), which the sweep's first-minimum rule
/// makes part of the result.
fn permutations<T: Copy>(items: &[T]) -> Vec<Vec<T>> {
    if items.is_empty() {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

/// Positions (0 innermost) for `seq` listed outer to inner; loops not in
/// it take the remaining outer positions in loop order.
fn positions(seq: &[LoopDim]) -> PerLoop<u8> {
    let mut pos = PerLoop::splat(0u8);
    let mut next = 0u8;
    for &l in seq.iter().rev() {
        pos[l] = next;
        next += 1;
    }
    for l in LoopDim::ALL {
        if !seq.contains(&l) {
            pos[l] = next;
            next += 1;
        }
    }
    pos
}

/// No sharing: every kind alone, nothing rotated.
fn unshared(orders: &Orders) -> Sharing {
    Sharing {
        subgroup: PerData::splat(1),
        rot_rounds: PerData::splat(0),
        rot_units: PerData::splat(1),
        wide_width: PerData::splat(0.0),
        bs_factors: PerLoop::splat(1),
        bs_order: PerLoop::from_fn(|l| l.index() as u8),
        gbuf_order: orders[1],
        node_nhops: PerData::splat(0.0),
    }
}

/// Candidate subgroup triples (step 3 of the sweep): the current one, then
/// what a greedy shrinking gives for each order of the kinds, duplicates
/// dropped (the reference's set; nnc keeps the first appearance, the order
/// of docs/compat.md#hash_set_ties).
fn subgroup_candidates(
    share: &BufShare,
    current: PerData<u64>,
    size: PerData<u64>,
    capacity: u64,
) -> Vec<PerData<u64>> {
    let used = size.0.iter().fold(0u64, |a, &s| a.saturating_add(s));
    let mut out = vec![current];
    for order in permutations(&DataKind::ALL) {
        let mut sub = current;
        // The blocking is valid, so the buffer holds its data.
        let mut free = capacity.saturating_sub(used);
        for d in order {
            if sub[d] <= 1 {
                continue;
            }
            let group = share.dims[d].size();
            let cur = size[d];
            let tot = cur.saturating_mul(sub[d]);
            let mut chosen = sub[d];
            for s in (1..=sub[d]).rev() {
                if !group.is_multiple_of(s) {
                    continue;
                }
                if tot.div_ceil(s) <= free.saturating_add(cur) {
                    chosen = s;
                } else {
                    break;
                }
            }
            free = free.saturating_sub(tot.div_ceil(chosen) - cur);
            sub[d] = chosen;
        }
        if !out.contains(&sub) {
            out.push(sub);
        }
    }
    out
}

/// The best buffer sharing of a valid blocking (steps 1 to 5 of
/// docs/model/buffer-sharing.md#buffer-sharing): the first minimum of the
/// NoC hops over subgroups, sharing-level factors and orders.
pub(super) fn share_buffers(share: &BufShare, x: &SharingInput) -> Sharing {
    let loops = &x.nld.data_loops;
    let base = unshared(x.orders);
    // Step 1: kinds without buffer data are not shared.
    let current = PerData::from_fn(|d| {
        if x.gbuf_size[d] == 0 {
            1
        } else {
            share.dims[d].size().max(1)
        }
    });
    if current.0.iter().all(|&s| s == 1) {
        return base;
    }
    // Step 2: the buffer level's loops that stay and those that may move.
    let t = x.factors[1];
    let (fixed, flexible) = fixed_and_flexible(x);
    let group = PerData::from_fn(|d| share.dims[d].size().max(1));
    let volume = PerData::from_fn(|d| x.nld.total_access(MemLevel::Gbuf, d));
    let node_groups = PerData::from_fn(|d| (x.nodes / group[d]) as f64);
    let top_unrelated = PerData::from_fn(|d| {
        LoopDim::ALL
            .into_iter()
            .filter(|&l| !loops.has(d, l))
            .map(|l| x.factors[0][l])
            .product::<u64>()
    });
    // Step 4's choices that do not depend on the subgroups.
    let bs_choices = sharing_factors(t, &flexible);
    let gbuf_orders = permutations(&flexible);

    let mut best: Option<(f64, Sharing)> = None;
    for sub in subgroup_candidates(share, current, x.gbuf_size, x.capacity) {
        for bs in &bs_choices {
            let split: Vec<LoopDim> = flexible.iter().copied().filter(|&l| bs[l] > 1).collect();
            for bs_seq in permutations(&split) {
                for g_seq in &gbuf_orders {
                    let mut list: LoopList = bs_seq.iter().map(|&l| (l, bs[l])).collect();
                    list.extend(
                        g_seq
                            .iter()
                            .filter(|&&l| t[l] > bs[l])
                            .map(|&l| (l, t[l].div_ceil(bs[l]))),
                    );
                    list.extend(fixed.iter().map(|&l| (l, t[l])));
                    let mut found = rounds_and_fetches(share, x, &list, sub, &top_unrelated);
                    found.node_nhops =
                        PerData::from_fn(|d| volume[d] * found.node_nhops[d] * node_groups[d]);
                    let total = found.node_nhops.0.iter().fold(0.0, |acc, h| acc + h);
                    // The first minimum wins.
                    if best.as_ref().is_none_or(|(b, _)| total < *b) {
                        found.bs_factors = *bs;
                        // Only the split loops have a place at the sharing
                        // level; the trivial ones go outside in loop order.
                        found.bs_order = positions(&bs_seq);
                        let mut g_full = g_seq.clone();
                        g_full.extend(fixed.iter().copied());
                        found.gbuf_order = positions(&g_full);
                        best = Some((total, found));
                    }
                }
            }
        }
    }
    best.map_or(base, |(_, s)| s)
}

/// Step 2 of the sweep: the buffer level's non-trivial loops inside the
/// outermost of the kinds' innermost non-trivial dimension loops (the
/// pivot) stay where they are, outermost first; the others may move.
fn fixed_and_flexible(x: &SharingInput) -> (Vec<LoopDim>, Vec<LoopDim>) {
    let loops = &x.nld.data_loops;
    let t = x.factors[1];
    let ord = x.orders[1];
    let nontrivial: Vec<LoopDim> = LoopDim::ALL.into_iter().filter(|&l| t[l] > 1).collect();
    let pivot = DataKind::ALL
        .into_iter()
        .filter_map(|d| {
            nontrivial
                .iter()
                .copied()
                .filter(|&l| loops.has(d, l))
                .min_by_key(|&l| ord[l])
        })
        .map(|l| i32::from(ord[l]))
        .max()
        .unwrap_or(-1);
    let mut fixed: Vec<LoopDim> = nontrivial
        .iter()
        .copied()
        .filter(|&l| i32::from(ord[l]) < pivot)
        .collect();
    fixed.sort_by_key(|&l| std::cmp::Reverse(ord[l]));
    let flexible: Vec<LoopDim> = nontrivial
        .iter()
        .copied()
        .filter(|l| !fixed.contains(l))
        .collect();
    (fixed, flexible)
}

/// Step 4's sharing-level factors: every divisor of each flexible loop's
/// buffer-level factor `t` (1 for the others), in loop order.
fn sharing_factors(t: PerLoop<u64>, flexible: &[LoopDim]) -> Vec<PerLoop<u64>> {
    let divs = LoopDim::ALL.map(|l| {
        if flexible.contains(&l) {
            divisors(t[l])
        } else {
            vec![1]
        }
    });
    let mut all = Vec::new();
    for &i in &divs[LoopDim::Ifm.index()] {
        for &o in &divs[LoopDim::Ofm.index()] {
            for &b in &divs[LoopDim::Bat.index()] {
                all.push(PerLoop([i, o, b]));
            }
        }
    }
    all
}

/// Rounds, units and widths of one loop list, with `node_nhops` holding the
/// per-kind NoC fetch multipliers (rotation + wide fetch) still to be scaled
/// by the buffer volume.
fn rounds_and_fetches(
    share: &BufShare,
    x: &SharingInput,
    list: &LoopList,
    sub: PerData<u64>,
    top_unrelated: &PerData<u64>,
) -> Sharing {
    let loops = &x.nld.data_loops;
    let mut s = unshared(x.orders);
    s.subgroup = sub;
    for d in DataKind::ALL {
        let f_buf = x.fetch[1][d];
        let f_mem = if d == DataKind::Ofm {
            x.fetch[0][d].div_ceil(2)
        } else {
            x.fetch[0][d]
        };
        let i0 = list.iter().position(|&(l, _)| loops.has(d, l));
        let mut rounds = match i0 {
            Some(i0) if sub[d] > 1 => {
                top_unrelated[d] * list[..i0].iter().map(|&(_, f)| f).product::<u64>()
            }
            _ => 0,
        };
        // Data used once are streamed through, not rotated.
        if rounds == f_mem {
            rounds = 0;
        }
        let units = i0.map_or(1, |i0| {
            list[i0..]
                .iter()
                .take_while(|&&(l, _)| loops.has(d, l))
                .map(|&(_, f)| f)
                .product::<u64>()
        });
        let width = sub[d] as f64 / units as f64;
        let r = rounds as i64;
        let comb_rounds = if d == DataKind::Ofm {
            if f_buf as i64 > 2 * r - 1 {
                2 * r
            } else {
                2 * r - 1
            }
        } else {
            r
        };
        let comb = (comb_rounds * (units as i64 - 1)) as f64 / units as f64;
        let wide = share.wide_fetch_once(d, sub[d], width) * (f_buf as f64 - comb);
        let rotation = share.rotate_all(d, sub[d], Some(units)) * rounds as f64;
        s.rot_rounds[d] = rounds;
        s.rot_units[d] = units;
        // Reported as 0 for a kind that is not shared, as the reference does.
        s.wide_width[d] = if sub[d] > 1 { width } else { 0.0 };
        s.node_nhops[d] = rotation + wide;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_come_in_itertools_order() {
        let p = permutations(&[1, 2, 3]);
        assert_eq!(
            p,
            vec![
                vec![1, 2, 3],
                vec![1, 3, 2],
                vec![2, 1, 3],
                vec![2, 3, 1],
                vec![3, 1, 2],
                vec![3, 2, 1]
            ]
        );
        assert_eq!(permutations::<u8>(&[]), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn positions_count_from_the_innermost() {
        use LoopDim::{Bat, Ifm};
        // Outer to inner: BAT, IFM; OFM is in neither list and goes outside.
        let p = positions(&[Bat, Ifm]);
        assert_eq!(p, PerLoop([0, 2, 1]));
        assert_eq!(positions(&[]), PerLoop([0, 1, 2]));
    }
}
