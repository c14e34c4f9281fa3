//! Fmap ranges (docs/model/noc.md#data-layouts): points and boxes of a
//! batched fmap, and the strided sets of boxes a node reads of its input.

/// A point of a batched fmap: sample `b`, channel `n`, row `h`, column `w`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FmapPosition {
    /// Sample.
    pub b: u64,
    /// Channel.
    pub n: u64,
    /// Row.
    pub h: u64,
    /// Column.
    pub w: u64,
}

impl FmapPosition {
    /// The position `(b, n, h, w)`.
    pub const fn new(b: u64, n: u64, h: u64, w: u64) -> Self {
        FmapPosition { b, n, h, w }
    }
}

/// A box `[beg, end)` of a batched fmap, per component. A box whose `end` is
/// not above `beg` in some component is empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FmapRange {
    /// First position (inclusive).
    pub beg: FmapPosition,
    /// Last position (exclusive).
    pub end: FmapPosition,
}

const fn overlap_1d(a0: u64, a1: u64, b0: u64, b1: u64) -> u64 {
    let lo = if a0 > b0 { a0 } else { b0 };
    let hi = if a1 < b1 { a1 } else { b1 };
    hi.saturating_sub(lo)
}

impl FmapRange {
    /// The box `[beg, end)`.
    pub const fn new(beg: FmapPosition, end: FmapPosition) -> Self {
        FmapRange { beg, end }
    }

    /// The whole fmap `[0, (b, n, h, w))`.
    pub const fn full(b: u64, n: u64, h: u64, w: u64) -> Self {
        FmapRange {
            beg: FmapPosition::new(0, 0, 0, 0),
            end: FmapPosition::new(b, n, h, w),
        }
    }

    /// Number of points (words) in the box.
    pub const fn size(&self) -> u64 {
        let (b, e) = (self.beg, self.end);
        e.b.saturating_sub(b.b)
            * e.n.saturating_sub(b.n)
            * e.h.saturating_sub(b.h)
            * e.w.saturating_sub(b.w)
    }

    /// Does the box hold no point?
    pub const fn is_empty(&self) -> bool {
        self.size() == 0
    }

    /// Number of points in both boxes.
    pub const fn overlap_size(&self, other: &FmapRange) -> u64 {
        let (a, b) = (self, other);
        overlap_1d(a.beg.b, a.end.b, b.beg.b, b.end.b)
            * overlap_1d(a.beg.n, a.end.n, b.beg.n, b.end.n)
            * overlap_1d(a.beg.h, a.end.h, b.beg.h, b.end.h)
            * overlap_1d(a.beg.w, a.end.w, b.beg.w, b.end.w)
    }

    /// The box moved by `dn` channels.
    #[must_use]
    pub const fn shift_n(&self, dn: u64) -> Self {
        let mut r = *self;
        r.beg.n += dn;
        r.end.n += dn;
        r
    }
}

/// `copies` boxes, the `i`-th being `first` moved by `i * n_step` channels:
/// what a node reads of its input. One box for convolutions and pooling; for
/// an eltwise of `k` operands in nnc's model, the same channels of each of the
/// `k` concatenated operands. A delivery of the set costs the sum of
/// delivering each box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StridedRange {
    /// The first box.
    pub first: FmapRange,
    /// Number of boxes (at least 1).
    pub copies: u64,
    /// Channel offset between consecutive boxes.
    pub n_step: u64,
}

impl From<FmapRange> for StridedRange {
    fn from(first: FmapRange) -> Self {
        StridedRange {
            first,
            copies: 1,
            n_step: 0,
        }
    }
}

impl StridedRange {
    /// The boxes, in channel order.
    pub fn boxes(&self) -> impl Iterator<Item = FmapRange> + '_ {
        (0..self.copies).map(|i| self.first.shift_n(i * self.n_step))
    }

    /// Number of points in all boxes (the boxes are assumed disjoint).
    pub const fn size(&self) -> u64 {
        self.first.size() * self.copies
    }

    /// Does the set hold no point?
    pub const fn is_empty(&self) -> bool {
        self.size() == 0
    }

    /// Number of points of the set inside `other`.
    pub fn overlap_size(&self, other: &FmapRange) -> u64 {
        if self.copies == 1 {
            return self.first.overlap_size(other);
        }
        self.boxes().map(|b| b.overlap_size(other)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_measure_and_overlap() {
        let a = FmapRange::full(2, 4, 3, 3);
        assert_eq!(a.size(), 72);
        let b = FmapRange::new(FmapPosition::new(1, 2, 2, 0), FmapPosition::new(3, 8, 5, 2));
        assert_eq!(a.overlap_size(&b), 4); // b 1, n 2, h 1, w 2
        let empty = FmapRange::new(FmapPosition::new(1, 2, 2, 0), FmapPosition::new(1, 8, 5, 2));
        assert!(empty.is_empty());
        assert_eq!(a.overlap_size(&empty), 0);
        let s = StridedRange {
            first: FmapRange::full(1, 2, 1, 1),
            copies: 3,
            n_step: 4,
        };
        assert_eq!(s.size(), 6);
        assert_eq!(s.overlap_size(&FmapRange::full(1, 6, 1, 1)), 4);
    }
}
