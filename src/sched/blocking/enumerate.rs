//! The exhaustive search's enumeration (docs/model/blocking.md#enumeration-order):
//! the chunks of factor triples, the canonical loop orders and the skip
//! rule, and the walks over one chunk's candidates that the searches and the
//! hop tables share.

use super::scheme::{Blocking, BlockingContext, Misfit, Prepared};
use super::{Factors, Orders};
use crate::sched::model::factor::ordered_factors3;
use crate::sched::types::{LoopDim, PerLoop};
use std::sync::LazyLock;

/// A level's loop order with the loop that is innermost among the
/// non-trivial ones (`None` when all are trivial).
#[derive(Clone, Copy, Debug)]
pub(super) struct LevelOrder {
    order: PerLoop<u8>,
    inner: Option<LoopDim>,
}

/// The six permutations of three loops in generation order.
pub(super) const PERMUTATIONS: [[u8; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];

/// Bit set of the loops whose factor at a level is above 1.
pub(super) fn nontrivial(t: PerLoop<u64>) -> u8 {
    LoopDim::ALL
        .into_iter()
        .filter(|&l| t[l] > 1)
        .fold(0, |m, l| m | 1 << l.index())
}

pub(super) fn has(mask: u8, l: LoopDim) -> bool {
    mask & (1 << l.index()) != 0
}

/// Canonical orders per mask of non-trivial loops, computed once.
pub(super) static CANONICAL: LazyLock<[Vec<LevelOrder>; 8]> =
    LazyLock::new(|| std::array::from_fn(|mask| canonical_orders(mask as u8)));

/// Canonical orders of a level whose non-trivial loops are `mask`, in
/// generation order: the innermost non-trivial loop first, then the other
/// non-trivial loops, then the trivial ones, each group in loop order.
fn canonical_orders(mask: u8) -> Vec<LevelOrder> {
    let mut out: Vec<LevelOrder> = Vec::new();
    let inners: Vec<Option<LoopDim>> = if mask == 0 {
        vec![None]
    } else {
        LoopDim::ALL
            .into_iter()
            .filter(|&l| has(mask, l))
            .map(Some)
            .collect()
    };
    for inner in inners {
        let mut loops = LoopDim::ALL;
        loops.sort_by_key(|&l| (Some(l) != inner, !has(mask, l), l.index()));
        let mut order = PerLoop([0u8; 3]);
        for (pos, l) in loops.into_iter().enumerate() {
            order[l] = pos as u8;
        }
        out.push(LevelOrder { order, inner });
    }
    out.sort_by_key(|o| o.order.0);
    out
}

/// The reference's skip rule across levels: a loop that is the innermost
/// non-trivial loop of an outer level must not be non-trivial again inside,
/// unless it is the innermost there too (the levels would merge).
pub(super) fn merges(inner0: Option<LoopDim>, inner1: Option<LoopDim>, nt1: u8, nt2: u8) -> bool {
    let mut outer = inner0;
    if let Some(o) = outer
        && Some(o) != inner1
        && has(nt1, o)
    {
        return true;
    }
    if inner1.is_some() {
        outer = inner1;
    }
    matches!(outer, Some(o) if has(nt2, o))
}

/// One chunk of the enumeration: an input-channel and an output-channel
/// factor triple.
pub(super) struct Chunk {
    pub(super) fi: [u64; 3],
    pub(super) fo: [u64; 3],
}

impl Chunk {
    /// The blocking factors of this chunk with batch triple `fb`.
    pub(super) fn factors(&self, fb: &[u64; 3]) -> Factors {
        [
            PerLoop([self.fi[0], self.fo[0], fb[0]]),
            PerLoop([self.fi[1], self.fo[1], fb[1]]),
            PerLoop([self.fi[2], self.fo[2], fb[2]]),
        ]
    }
}

/// Visits the candidates of one chunk in generation order, with the
/// order-independent part of their price (`None` when the factors cannot
/// fit whatever the orders), until `visit` returns false.
pub(super) fn for_each_candidate(
    ctx: &BlockingContext<'_>,
    chunk: &Chunk,
    fbs: &[[u64; 3]],
    mut visit: impl FnMut(Blocking, Option<&Prepared>) -> bool,
) {
    let conv = ctx.nld.data_loops.is_conv();
    for fb in fbs {
        let factors = chunk.factors(fb);
        if !ctx.top_factors_admitted(&factors) {
            continue;
        }
        let prepared = ctx.prepare(&factors);
        let fits = prepared.as_ref();
        if !for_each_order_of(ctx, conv, factors, |b| visit(b, fits)) {
            return;
        }
    }
}

/// Visits the candidates of one chunk that fit, in generation order, as
/// [`for_each_candidate`] does with those it passes prepared factors, until
/// `visit` returns false. Batch triples that a smaller one's misfit already
/// rules out ([`BlockingContext::try_prepare`]) are not prepared, and no
/// order of misfitting factors is generated.
pub(super) fn for_each_fitting_candidate(
    ctx: &BlockingContext<'_>,
    chunk: &Chunk,
    fbs: &[[u64; 3]],
    mut visit: impl FnMut(Blocking, &Prepared) -> bool,
) {
    let conv = ctx.nld.data_loops.is_conv();
    // The least register-file batch factor, and the least product of the
    // inner two, found not to fit.
    let (mut regf_misfit, mut gbuf_misfit) = (u64::MAX, u64::MAX);
    for fb in fbs {
        if fb[2] >= regf_misfit || fb[1] * fb[2] >= gbuf_misfit {
            continue;
        }
        let factors = chunk.factors(fb);
        if !ctx.top_factors_admitted(&factors) {
            continue;
        }
        let p = match ctx.try_prepare(&factors) {
            Ok(p) => p,
            Err(Misfit::Regf) => {
                regf_misfit = regf_misfit.min(fb[2]);
                continue;
            }
            Err(Misfit::Gbuf) => {
                gbuf_misfit = gbuf_misfit.min(fb[1] * fb[2]);
                continue;
            }
        };
        if !for_each_order_of(ctx, conv, factors, |b| visit(b, &p)) {
            return;
        }
    }
}

/// Visits the blockings of `factors` the context admits, in generation
/// order: for the convolution pattern (`conv`) the canonical order pairs
/// the skip rule leaves, otherwise every pair; false if `visit` stopped.
fn for_each_order_of(
    ctx: &BlockingContext<'_>,
    conv: bool,
    factors: Factors,
    mut visit: impl FnMut(Blocking) -> bool,
) -> bool {
    if !conv {
        return for_each_order_pair(ctx, factors, visit);
    }
    let nt = factors.map(nontrivial);
    for o0 in &CANONICAL[nt[0] as usize] {
        for o1 in &CANONICAL[nt[1] as usize] {
            if merges(o0.inner, o1.inner, nt[1], nt[2]) {
                continue;
            }
            let orders: Orders = [o0.order, o1.order];
            let b = Blocking { factors, orders };
            if ctx.admits(&b) && !visit(b) {
                return false;
            }
        }
    }
    true
}

/// Visits the blockings of `factors` with every pair of level-0 and level-1
/// loop orders the context admits, in generation order (each of the six
/// permutations, the level-0 one outermost), until `visit` returns false;
/// false if it did.
pub(super) fn for_each_order_pair(
    ctx: &BlockingContext<'_>,
    factors: Factors,
    mut visit: impl FnMut(Blocking) -> bool,
) -> bool {
    for p0 in PERMUTATIONS {
        for p1 in PERMUTATIONS {
            let b = Blocking {
                factors,
                orders: [PerLoop(p0), PerLoop(p1)],
            };
            if ctx.admits(&b) && !visit(b) {
                return false;
            }
        }
    }
    true
}

/// The chunks of an NLD's enumeration, in order: every input-channel triple,
/// and within it every output-channel triple. Indexed rather than listed:
/// a large layer has tens of thousands of chunks, most of which fit
/// nothing, and listing them cost a fifth of a search.
pub(super) struct Chunks {
    fis: Vec<[u64; 3]>,
    fos: Vec<[u64; 3]>,
}

impl Chunks {
    /// How many chunks there are.
    pub(super) fn len(&self) -> usize {
        self.fis.len() * self.fos.len()
    }

    /// Chunk `i` of the enumeration (`i < len()`).
    pub(super) fn get(&self, i: usize) -> Chunk {
        let n = self.fos.len();
        Chunk {
            fi: self.fis[i / n],
            fo: self.fos[i % n],
        }
    }

    /// How many chunks share one input-channel triple (they follow one
    /// another).
    pub(super) fn per_fi(&self) -> usize {
        self.fos.len()
    }

    /// The chunks in enumeration order.
    pub(super) fn iter(&self) -> impl Iterator<Item = Chunk> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The chunks of the context's NLD in enumeration order, and the batch
/// factor triples every chunk walks.
pub(super) fn chunks(ctx: &BlockingContext<'_>) -> (Chunks, Vec<[u64; 3]>) {
    let cnt = ctx.nld.loopcnt;
    let chunks = Chunks {
        fis: ordered_factors3(cnt[LoopDim::Ifm]),
        fos: ordered_factors3(cnt[LoopDim::Ofm]),
    };
    (chunks, ordered_factors3(cnt[LoopDim::Bat]))
}

/// [`chunks`] with only the triples that have the top-level factors a
/// segment's constraint fixes: no other can be admitted.
pub(super) fn constrained_chunks(ctx: &BlockingContext<'_>) -> (Chunks, Vec<[u64; 3]>) {
    let (mut chunks, mut fbs) = chunks(ctx);
    let c = &ctx.constraint;
    let keep = |req: u64| move |t: &[u64; 3]| req == 0 || t[0] == req;
    chunks.fis.retain(keep(c.topifm));
    chunks.fos.retain(keep(c.topofm));
    fbs.retain(keep(c.topbat));
    (chunks, fbs)
}

/// Can any factors of the chunk fit? Buffered sizes only grow with the
/// batch factors of the two inner levels, so the chunk's factors with the
/// whole batch loop at the top level fit if any do.
pub(super) fn chunk_may_fit(ctx: &BlockingContext<'_>, chunk: &Chunk) -> bool {
    let whole = ctx.nld.loopcnt[LoopDim::Bat];
    ctx.prepare(&chunk.factors(&[whole, 1, 1])).is_some()
}

/// Can any chunk of this chunk's input-channel triple fit? As for
/// [`chunk_may_fit`], with the whole output-channel loop at the top level too.
pub(super) fn fi_may_fit(ctx: &BlockingContext<'_>, chunk: &Chunk) -> bool {
    let ofm = ctx.nld.loopcnt[LoopDim::Ofm];
    let top = Chunk {
        fi: chunk.fi,
        fo: [ofm, 1, 1],
    };
    chunk_may_fit(ctx, &top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_orders_put_the_chosen_loop_innermost() {
        let all = canonical_orders(0b111);
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].order.0, [0, 1, 2]);
        assert_eq!(canonical_orders(0)[0].order.0, [0, 1, 2]);
        let bat_only = canonical_orders(0b100);
        assert_eq!(bat_only.len(), 1);
        assert_eq!(bat_only[0].order.0, [1, 2, 0]);
    }
}
