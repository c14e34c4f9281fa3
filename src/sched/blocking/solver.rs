//! The analytical bypass solver of TETRIS (Gao et al., ASPLOS'17;
//! docs/model/blocking.md#the-analytical-solver): for each data kind that may
//! be the only one resident in the global buffer, a closed-form blocking that
//! minimizes the estimated DRAM traffic, instead of a search.

use super::scheme::{Blocking, BlockingContext, BlockingStats};
use crate::sched::model::factor::{divisors, largest_divisor_at_most};
use crate::sched::types::{DataKind, LoopDim, PerLoop};

/// The roles of the loops and data for one resident data kind: `x`, `y` index
/// the resident data `xy`; `z` is the third loop; `yz` and `xz` stream.
struct Roles {
    loops: [LoopDim; 3],
    data: [DataKind; 3],
    phi: [f64; 3],
}

fn roles(resident: DataKind) -> Roles {
    use DataKind as D;
    use LoopDim as L;
    match resident {
        D::Fil => Roles {
            loops: [L::Ifm, L::Ofm, L::Bat],
            data: [D::Fil, D::Ofm, D::Ifm],
            phi: [1.0, 2.0, 1.0],
        },
        D::Ifm => Roles {
            loops: [L::Ifm, L::Bat, L::Ofm],
            data: [D::Ifm, D::Ofm, D::Fil],
            phi: [1.0, 2.0, 1.0],
        },
        D::Ofm => Roles {
            loops: [L::Ofm, L::Bat, L::Ifm],
            data: [D::Ofm, D::Ifm, D::Fil],
            phi: [2.0, 1.0, 1.0],
        },
    }
}

/// The solver's products of loop counts and sizes are formed exactly in
/// `u128` (each factor is below 2^64 and at most three are multiplied, so
/// they cannot overflow it) and rounded to a float once, as the reference's
/// exact integer products are.
fn wide(x: u64) -> u128 {
    u128::from(x)
}

#[allow(clippy::cast_precision_loss)]
fn float(x: u128) -> f64 {
    x as f64
}

/// The solver's blockings for the context's NLD with their stats, one per
/// resident data kind whose two companions may bypass the buffer, in the
/// order FIL, IFM, OFM, keeping only those that fit. Only for the
/// convolution pattern.
pub(crate) fn solve(ctx: &BlockingContext<'_>) -> Vec<(Blocking, BlockingStats)> {
    DataKind::ALL
        .into_iter()
        .filter(|&r| DataKind::ALL.into_iter().all(|d| d == r || ctx.bypass[d]))
        .filter_map(|r| solve_resident(ctx, r))
        // A segment's constraint is checked on the solver's result
        // (docs/model/pipelining.md#scheduling-constraints).
        .filter(|b| ctx.admits(b))
        .filter_map(|b| ctx.evaluate(&b).map(|s| (b, s)))
        .collect()
}

/// Step I of the solver: the top-level factors of loops `x` and `y` whose
/// tiles fit the buffers with the least estimated DRAM traffic, the first
/// of equals; `None` when no tile fits.
fn top_factors(ctx: &BlockingContext<'_>, resident: DataKind) -> Option<(u64, u64)> {
    let Roles {
        loops: [x, y, z],
        data: [dxy, dyz, dxz],
        phi,
    } = roles(resident);
    let nld = ctx.nld;
    let (nx, ny, nz) = (nld.loopcnt[x], nld.loopcnt[y], nld.loopcnt[z]);
    let g = |d: DataKind| nld.usize_gbuf[d];
    let s = |d: DataKind| nld.usize_regf[d];
    // With per-operand SRAMs the resident kind has its own.
    let gbuf = ctx.resource.sram.map_or(ctx.resource.size_gbuf, |s| s[dxy]);
    let regf = ctx.resource.size_regf;
    let mut best: Option<(f64, u64, u64)> = None;
    for tx0 in divisors(nx) {
        for ty0 in divisors(ny) {
            let (bx, by) = (nx / tx0, ny / ty0);
            // Capacity tests saturate (a saturated need exceeds every
            // buffer); the traffic estimate is formed exactly in u128.
            if bx.saturating_mul(by).saturating_mul(g(dxy)) > gbuf {
                continue;
            }
            let regf_need = (bx.saturating_mul(s(dxy) + s(dxz)).saturating_add(s(dyz)))
                .min(by.saturating_mul(s(dxy) + s(dyz)).saturating_add(s(dxz)));
            if regf_need > regf {
                continue;
            }
            let goal = float(wide(nx) * wide(ny) * wide(g(dxy))) * phi[0] * 1.0
                + float(wide(ny) * wide(nz) * wide(g(dyz))) * phi[1] * tx0 as f64
                + float(wide(nx) * wide(nz) * wide(g(dxz))) * phi[2] * ty0 as f64;
            if best.is_none_or(|(b, _, _)| goal < b) {
                best = Some((goal, tx0, ty0));
            }
        }
    }
    best.map(|(_, tx0, ty0)| (tx0, ty0))
}

/// The blocking with `resident` alone in the buffer; `None` when the register
/// file cannot hold even one unit of each data (the reference crashes there).
pub(crate) fn solve_resident(ctx: &BlockingContext<'_>, resident: DataKind) -> Option<Blocking> {
    let Roles {
        loops: [x, y, z],
        data: [dxy, dyz, dxz],
        ..
    } = roles(resident);
    let nld = ctx.nld;
    let (nx, ny, nz) = (nld.loopcnt[x], nld.loopcnt[y], nld.loopcnt[z]);
    let s = |d: DataKind| nld.usize_regf[d];
    let regf = ctx.resource.size_regf;

    // Step I: top-level factors of x and y minimizing the DRAM traffic.
    let (mut tx0, mut ty0) = top_factors(ctx, resident)?;

    // Step II: register-level factors.
    let score = |a: u64, c: u64| -> Option<u64> {
        let used = float(wide(a) * wide(c) * wide(s(dxy)));
        let per_z = float(wide(c) * wide(s(dyz)) + wide(a) * wide(s(dxz)));
        let z = (regf as f64 - used) / per_z;
        largest_divisor_at_most(nz, z)
    };
    let (bx, by) = (nx / tx0, ny / ty0);
    let (tx2, ty2, tz2) = match score(bx, by) {
        Some(tz) => (bx, by, tz),
        None => {
            let a = score(1, by);
            let b = score(bx, 1);
            // The better score wins; ties go to the first candidate.
            match (a, b) {
                (Some(sa), Some(sb)) if sb > sa => (bx, 1, sb),
                (Some(sa), _) => (1, by, sa),
                (None, Some(sb)) => (bx, 1, sb),
                // Where the reference's solver crashes, both models give no
                // candidate (docs/compat.md#solver_small_regf_crash).
                (None, None) => return None,
            }
        }
    };
    let tz0 = nz / tz2;
    let mut tx1 = nx / tx0 / tx2;
    let mut ty1 = ny / ty0 / ty2;

    // Orders: x outermost and z innermost at the top level; z outermost in
    // the middle level, with x innermost if it still iterates there.
    let mut ord0 = PerLoop([0u8; 3]);
    ord0[x] = 2;
    ord0[y] = 1;
    ord0[z] = 0;
    let mut ord1 = PerLoop([0u8; 3]);
    ord1[z] = 2;
    if tx1 > 1 {
        ord1[x] = 0;
        ord1[y] = 1;
    } else {
        ord1[y] = 0;
        ord1[x] = 1;
    }
    if tz0 == 1 {
        // Nothing streams at the top level: merge the middle level upward.
        tx0 *= tx1;
        tx1 = 1;
        ty0 *= ty1;
        ty1 = 1;
        ord0 = ord1;
    }
    let mut factors = [PerLoop([1u64; 3]); 3];
    for (l, t) in [
        (x, [tx0, tx1, tx2]),
        (y, [ty0, ty1, ty2]),
        (z, [tz0, 1, tz2]),
    ] {
        for (level, f) in t.into_iter().enumerate() {
            factors[level][l] = f;
        }
    }
    Some(Blocking {
        factors,
        orders: [ord0, ord1],
    })
}
