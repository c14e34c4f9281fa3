//! The layer as a matrix product and its folds onto the array
//! (docs/model/scalesim.md#the-layer-as-a-matrix-product,
//! docs/model/scalesim.md#mapping-onto-the-array).
//!
//! A conv layer is the product of the ifmap matrix `P x K` (one row per
//! output pixel, one column per window element) and the filter matrix
//! `K x N`, giving the ofmap `P x N`. The dataflow puts two of the three
//! dimensions `P, K, N` on the array's rows and columns and the third in
//! time; a dimension longer than the array side is cut into folds.

use super::conventions;
use super::limits::{MAX_ARRAY_SIDE, MAX_BANDWIDTH, MAX_WORDS, MIN_SRAM_WORDS};
use super::{Dataflow, InterfaceBandwidth, ScaleSimArray, ScaleSimError, SystolicLayer};
use crate::sched::types::DataKind;

/// A dimension of the matrix product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dim {
    /// Output pixels `P = E_h * E_w`.
    P = 0,
    /// Window elements `K = R * S * C`.
    K = 1,
    /// Filters `N = M`.
    N = 2,
}

/// Where a dimension goes on the array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Axis {
    /// Along the array's rows (`S_r`, folded by `R`).
    Row,
    /// Along the array's columns (`S_c`, folded by `C`).
    Col,
    /// In time, `T` steps per fold.
    Time,
}

/// How an operand moves, given the two axes its matrix spans
/// (docs/model/scalesim.md#when-each-request-is-made).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// Spans rows and columns: preloaded (ws filter, is ifmap) or, in os,
    /// the outputs drained from the array.
    Stationary,
    /// Spans rows and time: enters along the rows, one lane per array row.
    RowStream,
    /// Spans columns and time: one lane per array column.
    ColStream,
}

/// The matrix dimension each axis carries under `dataflow`.
pub(super) const fn dim_of(dataflow: Dataflow, axis: Axis) -> Dim {
    match (dataflow, axis) {
        (Dataflow::Ws, Axis::Row) | (Dataflow::Is, Axis::Row) => Dim::K,
        (Dataflow::Ws, Axis::Col) | (Dataflow::Os, Axis::Col) => Dim::N,
        (Dataflow::Ws, Axis::Time) | (Dataflow::Os, Axis::Row) | (Dataflow::Is, Axis::Col) => {
            Dim::P
        }
        (Dataflow::Os, Axis::Time) => Dim::K,
        (Dataflow::Is, Axis::Time) => Dim::N,
    }
}

/// The two dimensions of an operand's matrix (rows, columns).
pub(super) const fn dims_of(operand: DataKind) -> [Dim; 2] {
    match operand {
        DataKind::Ifm => [Dim::P, Dim::K],
        DataKind::Fil => [Dim::K, Dim::N],
        DataKind::Ofm => [Dim::P, Dim::N],
    }
}

/// How `operand` moves under `dataflow`.
pub(super) fn role(dataflow: Dataflow, operand: DataKind) -> Role {
    let spans = |axis| dims_of(operand).contains(&dim_of(dataflow, axis));
    match (spans(Axis::Row), spans(Axis::Col)) {
        (true, true) => Role::Stationary,
        (true, false) => Role::RowStream,
        _ => Role::ColStream,
    }
}

/// One fold: a block of at most `R x C` of the array's logical rows and
/// columns, run for the full fold time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fold {
    /// Row fold index `fr`.
    pub(super) fr: u64,
    /// Column fold index `fc`.
    pub(super) fc: u64,
    /// Rows in use `ur = min(R, S_r - fr R)`.
    pub(super) ur: u64,
    /// Columns in use `uc = min(C, S_c - fc C)`.
    pub(super) uc: u64,
}

/// A layer mapped onto an array: the matrix product's sizes, the folds,
/// and the ifmap's addresses.
#[derive(Clone, Debug)]
pub(super) struct Mapping {
    /// The layer.
    pub(super) layer: SystolicLayer,
    /// Array rows `R`.
    pub(super) rows: u64,
    /// Array columns `C`.
    pub(super) cols: u64,
    /// The dataflow.
    pub(super) dataflow: Dataflow,
    /// Output height and width `E_h, E_w`, rounded up.
    pub(super) out: [u64; 2],
    /// `P`, `K`, `N`, indexed by [`Dim`].
    pub(super) size: [u64; 3],
    /// Row folds `rf`.
    pub(super) rf: u64,
    /// Column folds `cf`.
    pub(super) cf: u64,
    /// Per output pixel: the address of its window's top-left word, and
    /// the ifmap rows and columns from there to the edge.
    pixel_origin: Vec<[u32; 3]>,
    /// Per window element: (filter row, filter column, address offset
    /// `(r W + q) C + ch`).
    window: Vec<(u32, u32, u32)>,
}

/// `a * b`, or the limit error for `what` if it exceeds [`MAX_WORDS`].
fn words(what: &'static str, a: u64, b: u64) -> Result<u64, ScaleSimError> {
    let v = a.saturating_mul(b);
    if v > MAX_WORDS {
        return Err(ScaleSimError::TooLarge {
            what,
            value: v,
            limit: MAX_WORDS,
        });
    }
    Ok(v)
}

/// Checks the array's sizes against zero and the [`limits`](super::limits).
fn check_array(array: &ScaleSimArray) -> Result<(), ScaleSimError> {
    let mut checks = vec![
        ("array rows", array.rows, MAX_ARRAY_SIDE),
        ("array columns", array.cols, MAX_ARRAY_SIDE),
        ("the ifmap SRAM", array.sram_words[DataKind::Ifm], MAX_WORDS),
        (
            "the filter SRAM",
            array.sram_words[DataKind::Fil],
            MAX_WORDS,
        ),
        ("the ofmap SRAM", array.sram_words[DataKind::Ofm], MAX_WORDS),
    ];
    if let InterfaceBandwidth::User {
        ifmap,
        filter,
        ofmap,
    } = array.bandwidth
    {
        checks.push(("the ifmap bandwidth", ifmap, MAX_BANDWIDTH));
        checks.push(("the filter bandwidth", filter, MAX_BANDWIDTH));
        checks.push(("the ofmap bandwidth", ofmap, MAX_BANDWIDTH));
    }
    for (what, value, limit) in checks {
        if value == 0 {
            return Err(ScaleSimError::Zero { what });
        }
        if what.ends_with("SRAM") && value < MIN_SRAM_WORDS {
            let min = MIN_SRAM_WORDS;
            return Err(ScaleSimError::TooSmall { what, value, min });
        }
        if value > limit {
            return Err(ScaleSimError::TooLarge { what, value, limit });
        }
    }
    Ok(())
}

impl Mapping {
    /// Maps `layer` onto `array`, checking both against the model's limits.
    pub(super) fn new(
        layer: &SystolicLayer,
        array: &ScaleSimArray,
    ) -> Result<Mapping, ScaleSimError> {
        check_array(array)?;
        let l = *layer;
        for (what, v) in [
            ("the ifmap height", l.ifmap_h),
            ("the ifmap width", l.ifmap_w),
            ("the filter height", l.filter_r),
            ("the filter width", l.filter_s),
            ("the channel count", l.channels),
            ("the filter count", l.filters),
            ("the stride", l.stride),
        ] {
            if v == 0 {
                return Err(ScaleSimError::Zero { what });
            }
        }
        for (dim, filter, ifmap) in [
            ("height", l.filter_r, l.ifmap_h),
            ("width", l.filter_s, l.ifmap_w),
        ] {
            if filter > ifmap {
                return Err(ScaleSimError::FilterLargerThanIfmap { dim, filter, ifmap });
            }
        }
        // The ifmap as stored bounds its addresses.
        words(
            "the ifmap",
            words("the ifmap", l.ifmap_h, l.ifmap_w)?,
            l.channels,
        )?;
        let e_h = conventions::output_size(l.ifmap_h, l.filter_r, l.stride);
        let e_w = conventions::output_size(l.ifmap_w, l.filter_s, l.stride);
        let p = words("the output pixels", e_h, e_w)?;
        let k = words(
            "the window",
            words("the window", l.filter_r, l.filter_s)?,
            l.channels,
        )?;
        let n = l.filters;
        words("the ifmap matrix P x K", p, k)?;
        words("the filter matrix K x N", k, n)?;
        words("the ofmap matrix P x N", p, n)?;
        let mut m = Mapping {
            layer: l,
            rows: array.rows,
            cols: array.cols,
            dataflow: array.dataflow,
            out: [e_h, e_w],
            size: [p, k, n],
            rf: 0,
            cf: 0,
            pixel_origin: Vec::new(),
            window: Vec::new(),
        };
        m.rf = m.extent(Axis::Row).div_ceil(m.rows);
        m.cf = m.extent(Axis::Col).div_ceil(m.cols);
        Ok(m.with_addresses())
    }

    /// The size of a matrix dimension.
    pub(super) fn dim(&self, d: Dim) -> u64 {
        self.size[d as usize]
    }

    /// The logical extent of an axis: `S_r`, `S_c` or `T`.
    pub(super) fn extent(&self, axis: Axis) -> u64 {
        self.dim(dim_of(self.dataflow, axis))
    }

    /// Time steps per fold `T`.
    pub(super) fn steps(&self) -> u64 {
        self.extent(Axis::Time)
    }

    /// `rf * cf`.
    pub(super) fn folds(&self) -> u64 {
        self.rf * self.cf
    }

    /// Multiply-accumulates `P K N`, hanging-over windows included.
    pub(super) fn macs(&self) -> u64 {
        self.size.iter().product()
    }

    /// Fold number `index` (column folds outer, row folds inner).
    pub(super) fn fold(&self, index: u64) -> Fold {
        let (fr, fc) = conventions::fold_order(index, self.rf);
        Fold {
            fr,
            fc,
            ur: self.rows.min(self.extent(Axis::Row) - fr * self.rows),
            uc: self.cols.min(self.extent(Axis::Col) - fc * self.cols),
        }
    }

    /// Builds the ifmap address tables.
    fn with_addresses(mut self) -> Mapping {
        let l = self.layer;
        let [e_h, e_w] = self.out;
        // An origin at or beyond the edge is clamped there (the whole window
        // hangs over); the limits keep the rest below 2^31.
        self.pixel_origin = (0..e_h)
            .flat_map(|oy| {
                (0..e_w).map(move |ox| {
                    let y = oy.saturating_mul(l.stride).min(l.ifmap_h);
                    let x = ox.saturating_mul(l.stride).min(l.ifmap_w);
                    let base = (y * l.ifmap_w + x) * l.channels;
                    [base as u32, (l.ifmap_h - y) as u32, (l.ifmap_w - x) as u32]
                })
            })
            .collect();
        self.window = (0..l.filter_r)
            .flat_map(|r| {
                (0..l.filter_s).flat_map(move |q| {
                    (0..l.channels).map(move |ch| {
                        (
                            r as u32,
                            q as u32,
                            ((r * l.ifmap_w + q) * l.channels + ch) as u32,
                        )
                    })
                })
            })
            .collect();
        self
    }

    /// The address (relative to the operand's offset) of the ifmap word of
    /// output pixel `p` and window element `k`, or `None` where the window
    /// hangs over the ifmap's edge
    /// (docs/model/scalesim.md#hanging_over_windows).
    #[inline]
    pub(super) fn ifmap_address(&self, p: u64, k: u64) -> Option<u32> {
        let [base, rows, cols] = self.pixel_origin[p as usize];
        let (r, q, offset) = self.window[k as usize];
        (r < rows && q < cols).then_some(base + offset)
    }

    /// The address of `operand`'s matrix entry at `idx` (indexed by
    /// [`Dim`]), relative to the operand's offset.
    #[inline]
    pub(super) fn address(&self, operand: DataKind, idx: [u64; 3]) -> Option<u32> {
        let [p, k, n] = idx;
        match operand {
            DataKind::Ifm => self.ifmap_address(p, k),
            DataKind::Fil => Some((n * self.dim(Dim::K) + k) as u32),
            DataKind::Ofm => Some((p * self.dim(Dim::N) + n) as u32),
        }
    }

    /// Words of the operand as stored: the ifmap `H W C`, the filters
    /// `K N`, the ofmap `P N`.
    pub(super) fn stored_words(&self, operand: DataKind) -> u64 {
        let l = &self.layer;
        match operand {
            DataKind::Ifm => l.ifmap_h * l.ifmap_w * l.channels,
            DataKind::Fil => self.dim(Dim::K) * self.dim(Dim::N),
            DataKind::Ofm => self.dim(Dim::P) * self.dim(Dim::N),
        }
    }

    /// Real (not hanging-over) entries of the operand's matrix.
    pub(super) fn real_entries(&self, operand: DataKind) -> u64 {
        let l = &self.layer;
        match operand {
            DataKind::Ifm => {
                // Per output row, the filter rows inside the ifmap; likewise
                // for columns.
                let inside = |extent: u64, filter: u64, out: u64| -> u64 {
                    (0..out)
                        .map(|o| filter.min(extent.saturating_sub(o.saturating_mul(l.stride))))
                        .sum()
                };
                inside(l.ifmap_h, l.filter_r, self.out[0])
                    * inside(l.ifmap_w, l.filter_s, self.out[1])
                    * l.channels
            }
            _ => self.stored_words(operand),
        }
    }

    /// Does every word of the operand appear at most once in its matrix?
    /// Filters and ofmaps do; ifmap words do unless windows overlap.
    pub(super) fn entries_unique(&self, operand: DataKind) -> bool {
        let l = &self.layer;
        match operand {
            DataKind::Ifm => {
                (l.filter_r <= l.stride || self.out[0] == 1)
                    && (l.filter_s <= l.stride || self.out[1] == 1)
            }
            _ => true,
        }
    }

    /// Distinct real addresses the operand's requests touch: every filter
    /// and ofmap word, and the ifmap words some window covers (all of them
    /// unless the stride skips rows or columns).
    pub(super) fn distinct_words(&self, operand: DataKind) -> u64 {
        let l = &self.layer;
        match operand {
            DataKind::Ifm => {
                // Ifmap row `y` is covered if some output row `o < out` has
                // `o s <= y < o s + filter`: with `s > filter`, exactly when
                // `y mod s < filter` and `y div s < out`.
                let covered = |extent: u64, filter: u64, out: u64| {
                    if l.stride <= filter {
                        return extent;
                    }
                    (0..extent)
                        .filter(|&y| y % l.stride < filter && y / l.stride < out)
                        .count() as u64
                };
                let rows = covered(l.ifmap_h, l.filter_r, self.out[0]);
                let cols = covered(l.ifmap_w, l.filter_s, self.out[1]);
                rows * cols * l.channels
            }
            _ => self.stored_words(operand),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_grid;
    use super::*;

    /// Every (pixel, window element) slot's ifmap address.
    fn ifmap_slots(m: &Mapping) -> Vec<Option<u32>> {
        let (p, k) = (m.dim(Dim::P), m.dim(Dim::K));
        (0..p)
            .flat_map(|p| (0..k).map(move |k| (p, k)))
            .map(|(p, k)| m.ifmap_address(p, k))
            .collect()
    }

    #[test]
    fn ifmap_counts_match_the_slots() {
        for (layer, array) in test_grid() {
            let m = Mapping::new(&layer, &array).unwrap();
            let slots = ifmap_slots(&m);
            let mut seen = vec![0u32; m.stored_words(DataKind::Ifm) as usize];
            for a in slots.iter().flatten() {
                seen[*a as usize] += 1;
            }
            let real = slots.iter().flatten().count() as u64;
            assert_eq!(m.real_entries(DataKind::Ifm), real, "{layer:?}");
            let distinct = seen.iter().filter(|&&c| c > 0).count() as u64;
            assert_eq!(m.distinct_words(DataKind::Ifm), distinct, "{layer:?}");
            assert_eq!(
                m.entries_unique(DataKind::Ifm),
                seen.iter().all(|&c| c <= 1),
                "{layer:?}"
            );
        }
    }

    #[test]
    fn a_hanging_window_has_no_address() {
        let layer = SystolicLayer {
            ifmap_h: 10,
            ifmap_w: 10,
            filter_r: 3,
            filter_s: 3,
            channels: 1,
            filters: 1,
            stride: 4,
        };
        let m = super::super::test_mapping(layer, 2, 2, Dataflow::Ws);
        assert_eq!(m.out, [3, 3]);
        // Pixel (2, 2) starts at (8, 8): its filter row 2 is row 10.
        let p = 2 * 3 + 2;
        assert_eq!(m.ifmap_address(p, 0), Some(88));
        assert_eq!(m.ifmap_address(p, 2 * 3), None);
        assert_eq!(m.ifmap_address(p, 4), Some(99));
    }

    #[test]
    fn limits_are_checked_before_anything_is_built() {
        let (layer, mut array) = test_grid()[0];
        array.rows = 0;
        assert_eq!(
            Mapping::new(&layer, &array).unwrap_err(),
            ScaleSimError::Zero { what: "array rows" }
        );
        let (_, array) = test_grid()[0];
        let huge = SystolicLayer {
            ifmap_h: 1 << 20,
            ifmap_w: 1 << 20,
            ..layer
        };
        assert!(matches!(
            Mapping::new(&huge, &array),
            Err(ScaleSimError::TooLarge { .. })
        ));
        let wide = SystolicLayer {
            filter_s: 9,
            ..layer
        };
        assert!(matches!(
            Mapping::new(&wide, &array),
            Err(ScaleSimError::FilterLargerThanIfmap { dim: "width", .. })
        ));
    }
}
