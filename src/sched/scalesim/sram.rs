//! SRAM accesses: how many requests each operand's SRAM serves, and the
//! first and last stall-free cycle with a real one
//! (docs/model/scalesim.md#sram-accesses).

use super::Dataflow;
use super::conventions;
use super::cycles::{Requests, fold_length};
use super::matrix::{Dim, Mapping};
use crate::sched::types::DataKind;

/// Requests each operand's SRAM serves: matrix slots, windows hanging over
/// the ifmap's edge included
/// (docs/model/scalesim.md#hanging_over_windows), and in os the phantom
/// writes (docs/model/scalesim.md#os_phantom_writes).
pub(super) fn accesses(m: &Mapping, operand: DataKind) -> u64 {
    let (p, k, n) = (m.dim(Dim::P), m.dim(Dim::K), m.dim(Dim::N));
    match (m.dataflow, operand) {
        // The stationary operand is read once; a streamed input once per
        // fold of the dimension its matrix does not span.
        (Dataflow::Ws, DataKind::Fil) => k * n,
        (Dataflow::Is, DataKind::Ifm) => p * k,
        (Dataflow::Ws | Dataflow::Os, DataKind::Ifm) => m.cf * p * k,
        (Dataflow::Os, DataKind::Fil) => m.rf * k * n,
        (Dataflow::Is, DataKind::Fil) => m.cf * k * n,
        // ws and is write every partial sum, once per row fold.
        (Dataflow::Ws | Dataflow::Is, DataKind::Ofm) => m.rf * p * n,
        (Dataflow::Os, DataKind::Ofm) => {
            p * n + m.folds() * conventions::os_phantom_writes_per_fold(m.rows, m.cols)
        }
    }
}

/// Does `operand` make a real request (not a hanging-over window) at local
/// cycle `tau` of its fold?
fn real_at(req: &Requests<'_>, tau: u64) -> bool {
    let mut real = false;
    req.for_each_at(tau, |a| real |= a.is_some());
    real
}

/// The stall-free rows (global cycles) of `operand`'s first and last real
/// requests: the first in the first fold that has one, the last in the last.
pub(super) fn first_last_rows(m: &Mapping, operand: DataKind) -> Option<(u64, u64)> {
    let lf = fold_length(m);
    let first = (0..m.folds()).find_map(|f| {
        let req = Requests::new(m, operand, m.fold(f));
        req.active()
            .find(|&tau| real_at(&req, tau))
            .map(|tau| f * lf + tau)
    })?;
    let last = (0..m.folds()).rev().find_map(|f| {
        let req = Requests::new(m, operand, m.fold(f));
        req.active()
            .rev()
            .find(|&tau| real_at(&req, tau))
            .map(|tau| f * lf + tau)
    })?;
    Some((first, last))
}

/// The report's start and stop cycles of an SRAM whose first and last rows
/// of real requests are served at `first` and `last` (their stalls and
/// delays included): reads are one cycle later
/// (docs/model/scalesim.md#read_hit_latency).
pub(super) fn start_stop(operand: DataKind, first: i64, last: i64) -> (i64, i64) {
    let latency = match operand {
        DataKind::Ofm => 0,
        _ => conventions::READ_HIT_LATENCY as i64,
    };
    (first + latency, last + latency)
}

#[cfg(test)]
mod tests {
    use super::super::matrix::Axis;
    use super::super::test_grid;
    use super::*;

    #[test]
    fn the_first_requests_have_closed_forms() {
        for (layer, array) in test_grid() {
            let m = Mapping::new(&layer, &array).unwrap();
            let r = m.rows;
            let ur0 = r.min(m.extent(Axis::Row));
            let t = m.steps();
            // The report's start cycles (reads one later).
            let want = match m.dataflow {
                Dataflow::Ws => [r + 1, r - ur0 + 1, 2 * r - 1],
                Dataflow::Os => [1, 1, t - 1 + r - ur0],
                Dataflow::Is => [r - ur0 + 1, r + 1, 2 * r - 1],
            };
            for (op, want) in [DataKind::Ifm, DataKind::Fil, DataKind::Ofm]
                .into_iter()
                .zip(want)
            {
                let (first, last) = first_last_rows(&m, op).unwrap();
                let (start, stop) = start_stop(op, first as i64, last as i64);
                assert_eq!(start, want as i64, "{layer:?} {array:?} {op}");
                assert!(stop >= start);
                assert!((last as i64) < (m.folds() * fold_length(&m)) as i64);
            }
        }
    }
}
