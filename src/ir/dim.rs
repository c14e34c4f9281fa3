//! A pair of sizes, the unit of every two-dimensional quantity of the
//! model.

use serde::Serialize;
use std::fmt;

/// A pair (height, width) of non-negative integers: fmap sizes, kernels,
/// strides, PE arrays and node grids (the reference's `PhyDim2`). Written
/// as `[h, w]` in JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dim2 {
    /// Height (rows).
    pub h: u64,
    /// Width (columns).
    pub w: u64,
}

impl Dim2 {
    /// A pair from its two components.
    pub const fn new(h: u64, w: u64) -> Self {
        Dim2 { h, w }
    }

    /// A square pair `(n, n)`.
    pub const fn square(n: u64) -> Self {
        Dim2 { h: n, w: n }
    }

    /// Number of points `h * w`.
    pub const fn size(self) -> u64 {
        self.h * self.w
    }
}

impl Serialize for Dim2 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.h, self.w].serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Dim2 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let [h, w] = <[u64; 2]>::deserialize(d)?;
        Ok(Dim2 { h, w })
    }
}

impl fmt::Display for Dim2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.h, self.w)
    }
}
