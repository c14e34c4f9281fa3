//! Cycles: the length of a fold, the stall-free cycle count, and the cycle
//! at which each operand's requests are made
//! (docs/model/scalesim.md#cycles, docs/model/scalesim.md#when-each-request-is-made).
//!
//! Every fold takes the full-array time whatever part of the array it
//! uses. Within a fold starting at `f Lf`, an operand requests, at local
//! cycle `τ`, the entries of one "row" of its demand: one per lane (array
//! row or column), in increasing lane order. Which entries depends only on
//! the operand's [`Role`].

use super::matrix::{Axis, Dim, Fold, Mapping, Role, dim_of, role};
use super::{Dataflow, conventions};
use crate::sched::types::DataKind;
use std::ops::RangeInclusive;

/// Length of one fold `Lf`: `2R + C + T - 2` for ws and is (preload,
/// skew in, `T` steps, skew out), `R + C + T - 2` for os.
pub(super) fn fold_length(m: &Mapping) -> u64 {
    let preload = match m.dataflow {
        Dataflow::Ws | Dataflow::Is => m.rows,
        Dataflow::Os => 0,
    };
    preload + m.rows + m.cols + m.steps() - 2
}

/// Stall-free cycles: the index of the last demand row, `folds Lf - 1`
/// (docs/model/scalesim.md#cycles).
pub(super) fn compute_cycles(m: &Mapping) -> u64 {
    conventions::last_row_index(m.folds() * fold_length(m))
}

/// One operand's requests within one fold.
#[derive(Clone, Copy, Debug)]
pub(super) struct Requests<'m> {
    m: &'m Mapping,
    operand: DataKind,
    role: Role,
    fold: Fold,
    /// First local cycle of a stream.
    base: u64,
    /// Positions of the row, column and time indices in a `[P, K, N]` index.
    dims: [usize; 3],
}

impl<'m> Requests<'m> {
    /// `operand`'s requests in `fold`.
    pub(super) fn new(m: &'m Mapping, operand: DataKind, fold: Fold) -> Self {
        let role = role(m.dataflow, operand);
        let output_side = matches!(m.dataflow, Dataflow::Ws | Dataflow::Is);
        let base = match role {
            // Streams enter after the preload in ws and is; the column stream
            // there is the output, one more `R - 1` later.
            Role::RowStream if output_side => m.rows,
            Role::ColStream if output_side => 2 * m.rows - 1,
            _ => 0,
        };
        let pos = |axis| dim_of(m.dataflow, axis) as usize;
        Requests {
            m,
            operand,
            role,
            fold,
            base,
            dims: [pos(Axis::Row), pos(Axis::Col), pos(Axis::Time)],
        }
    }

    /// The local cycles at which the operand may request.
    pub(super) fn active(&self) -> RangeInclusive<u64> {
        let (r, t, f) = (self.m.rows, self.m.steps(), self.fold);
        match self.role {
            Role::Stationary if self.m.dataflow == Dataflow::Os => {
                (t - 1 + r - f.ur)..=(t + r + f.uc - 3)
            }
            Role::Stationary => (r - f.ur)..=(r - 1),
            Role::RowStream => self.base..=(self.base + t + f.ur - 2),
            Role::ColStream => self.base..=(self.base + t + f.uc - 2),
        }
    }

    /// The lanes with a request at local cycle `tau`, as (first lane, last
    /// lane, the first lane's time step); `None` if none. Time steps fall by
    /// one per lane.
    #[inline]
    fn lanes(&self, tau: u64) -> Option<(u64, u64, u64)> {
        let (r, t, f) = (self.m.rows, self.m.steps(), self.fold);
        match self.role {
            Role::Stationary if self.m.dataflow == Dataflow::Os => {
                // Output (row `a`, column `c`) leaves at `T - 1 + (R - 1 - a) + c`.
                let shift = (t - 1) + (r - 1);
                let lo = tau.saturating_sub(shift);
                let hi = (tau + f.ur).checked_sub(shift + 1)?.min(f.uc - 1);
                (lo <= hi).then_some((lo, hi, 0))
            }
            Role::Stationary => {
                let a = (r - 1).checked_sub(tau)?;
                (a < f.ur).then_some((0, f.uc - 1, 0))
            }
            Role::RowStream | Role::ColStream => {
                let u = if self.role == Role::RowStream {
                    f.ur
                } else {
                    f.uc
                };
                let d = tau.checked_sub(self.base)?;
                let lo = (d + 1).saturating_sub(t);
                let hi = d.min(u - 1);
                (lo <= hi).then_some((lo, hi, d - lo))
            }
        }
    }

    /// Number of requests (real or not) at local cycle `tau`.
    #[inline]
    pub(super) fn count_at(&self, tau: u64) -> u64 {
        self.lanes(tau).map_or(0, |(lo, hi, _)| hi - lo + 1)
    }

    /// Calls `f` with the address of each request at local cycle `tau`, in
    /// lane order: `None` for a window hanging over the ifmap's edge.
    #[inline]
    pub(super) fn for_each_at(&self, tau: u64, f: impl FnMut(Option<u32>)) {
        // One loop per operand, so that each inlines its own address.
        let (k, n) = (self.m.dim(Dim::K), self.m.dim(Dim::N));
        match self.operand {
            DataKind::Ifm => self.each_at(tau, |[p, k, _]| self.m.ifmap_address(p, k), f),
            DataKind::Fil => self.each_at(tau, |[_, kk, nn]| Some((nn * k + kk) as u32), f),
            DataKind::Ofm => self.each_at(tau, |[p, _, nn]| Some((p * n + nn) as u32), f),
        }
    }

    /// [`Self::for_each_at`] with the operand's address function.
    #[inline(always)]
    fn each_at(
        &self,
        tau: u64,
        address: impl Fn([u64; 3]) -> Option<u32>,
        mut f: impl FnMut(Option<u32>),
    ) {
        let Some((lo, hi, step)) = self.lanes(tau) else {
            return;
        };
        let (r, c, fold) = (self.m.rows, self.m.cols, self.fold);
        let [row, col, time] = self.dims;
        let mut idx = [0u64; 3];
        match self.role {
            Role::Stationary if self.m.dataflow == Dataflow::Os => {
                // Lane `c` drains array row `R - 1 + T - 1 + c - tau`.
                let shift = (self.m.steps() - 1) + (r - 1);
                for lane in lo..=hi {
                    idx[row] = fold.fr * r + (shift + lane - tau);
                    idx[col] = fold.fc * c + lane;
                    f(address(idx));
                }
            }
            Role::Stationary => {
                idx[row] = fold.fr * r + (r - 1 - tau);
                for lane in lo..=hi {
                    idx[col] = fold.fc * c + lane;
                    f(address(idx));
                }
            }
            Role::RowStream | Role::ColStream => {
                let (axis, first) = if self.role == Role::RowStream {
                    (row, fold.fr * r)
                } else {
                    (col, fold.fc * c)
                };
                for lane in lo..=hi {
                    idx[axis] = first + lane;
                    idx[time] = step - (lane - lo);
                    f(address(idx));
                }
            }
        }
    }
}

/// Calls `f(row, address)` for every request of `operand` in demand order:
/// fold by fold, cycle by cycle, lane by lane. `row` is the stall-free
/// global cycle; `address` is `None` for a hanging-over window.
pub(super) fn walk(m: &Mapping, operand: DataKind, mut f: impl FnMut(u64, Option<u32>)) {
    let lf = fold_length(m);
    for index in 0..m.folds() {
        let req = Requests::new(m, operand, m.fold(index));
        let start = index * lf;
        for tau in req.active() {
            req.for_each_at(tau, |a| f(start + tau, a));
        }
    }
}

#[cfg(test)]
mod tests {

    use super::super::{SystolicLayer, sram, test_grid, test_mapping};
    use super::*;
    use crate::sched::types::PerData;

    #[test]
    fn alexnet_conv3_on_32x32_ws_takes_864_folds_of_215_cycles() {
        // Unpadded: 13x13 in, 11x11 out.
        let layer = SystolicLayer {
            ifmap_h: 13,
            ifmap_w: 13,
            filter_r: 3,
            filter_s: 3,
            channels: 256,
            filters: 384,
            stride: 1,
        };
        let m = test_mapping(layer, 32, 32, Dataflow::Ws);
        assert_eq!((m.rf, m.cf, fold_length(&m)), (72, 12, 215));
        assert_eq!(compute_cycles(&m), 185_759);
    }

    #[test]
    fn the_requests_visit_every_slot_as_often_as_the_sram_counts() {
        for (layer, array) in test_grid() {
            let m = Mapping::new(&layer, &array).unwrap();
            let lf = fold_length(&m);
            for op in [DataKind::Ifm, DataKind::Fil, DataKind::Ofm] {
                let mut count = 0;
                let mut per_word = vec![0u64; m.stored_words(op) as usize];
                walk(&m, op, |row, a| {
                    count += 1;
                    assert!(row < m.folds() * lf);
                    if let Some(a) = a {
                        per_word[a as usize] += 1;
                    }
                });
                let phantom = if (m.dataflow, op) == (Dataflow::Os, DataKind::Ofm) {
                    m.folds() * (m.rows + m.cols)
                } else {
                    0
                };
                assert_eq!(
                    count + phantom,
                    sram::accesses(&m, op),
                    "{layer:?} {array:?} {op}"
                );
                // Filters and outputs are each requested a fixed number of
                // times: once per fold of the dimension they do not span.
                let times = match (op, m.dataflow) {
                    (DataKind::Ifm, _) => continue,
                    (DataKind::Fil, Dataflow::Os)
                    | (DataKind::Ofm, Dataflow::Ws | Dataflow::Is) => m.rf,
                    (DataKind::Fil, Dataflow::Is) => m.cf,
                    _ => 1,
                };
                assert!(
                    per_word.iter().all(|&c| c == times),
                    "{layer:?} {array:?} {op}"
                );
            }
        }
    }

    #[test]
    fn a_full_fold_ends_with_its_last_output() {
        for (layer, array) in test_grid() {
            let m = Mapping::new(&layer, &array).unwrap();
            let req = Requests::new(&m, DataKind::Ofm, m.fold(0));
            let last = *req.active().end();
            assert!(last < fold_length(&m));
            if m.fold(0).uc == m.cols && m.fold(0).ur == m.rows {
                assert_eq!(last, fold_length(&m) - 1, "{layer:?} {array:?}");
            }
        }
    }

    #[test]
    fn each_dataflow_streams_the_right_operands() {
        use super::super::matrix::{Axis, role};
        let dims = |d| PerData::from_fn(|a: DataKind| role(d, a));
        assert_eq!(dims(Dataflow::Ws)[DataKind::Fil], Role::Stationary);
        assert_eq!(dims(Dataflow::Os)[DataKind::Ofm], Role::Stationary);
        assert_eq!(dims(Dataflow::Is)[DataKind::Ifm], Role::Stationary);
        assert_eq!(dims(Dataflow::Ws)[DataKind::Ifm], Role::RowStream);
        assert_eq!(dims(Dataflow::Is)[DataKind::Ofm], Role::ColStream);
        assert_eq!(dim_of(Dataflow::Os, Axis::Time), Dim::K);
    }
}
