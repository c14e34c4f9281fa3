//! The small enums that index everything in the model, and arrays indexed by
//! them (docs/model/layers.md#loops-and-data-kinds): data kinds, loops, memory levels.

use serde::Serialize;
use std::fmt;
use std::ops::{Index, IndexMut};

macro_rules! indexed_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $array:ident, $n:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $idx:literal, $label:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $idx ),+
        }

        impl $name {
            /// All values, in index order.
            pub const ALL: [$name; $n] = [$($name::$variant),+];

            /// Position in index order.
            pub const fn index(self) -> usize {
                self as usize
            }

            /// Short lowercase name, as used in reports and schedule files.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[doc = concat!("A value per [`", stringify!($name), "`], indexable by it.")]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $array<T>(pub [T; $n]);

        impl<T> Index<$name> for $array<T> {
            type Output = T;
            fn index(&self, i: $name) -> &T {
                &self.0[i as usize]
            }
        }

        impl<T> IndexMut<$name> for $array<T> {
            fn index_mut(&mut self, i: $name) -> &mut T {
                &mut self.0[i as usize]
            }
        }

        impl<T: Copy> $array<T> {
            /// The same value everywhere.
            pub const fn splat(v: T) -> Self {
                $array([v; $n])
            }

            /// Builds the array by calling `f` for each index.
            pub fn from_fn(mut f: impl FnMut($name) -> T) -> Self {
                $array($name::ALL.map(|i| f(i)))
            }

            /// Applies `f` to every value.
            pub fn map<U: Copy>(self, mut f: impl FnMut(T) -> U) -> $array<U> {
                $array(self.0.map(|v| f(v)))
            }

            /// Pairs of (index, value) in index order.
            pub fn iter(&self) -> impl Iterator<Item = ($name, T)> + '_ {
                $name::ALL.into_iter().zip(self.0.iter().copied())
            }
        }
    };
}

indexed_enum! {
    /// A kind of data moving through the memory hierarchy (the reference's
    /// `DataCategoryEnum`).
    DataKind, PerData, 3 {
        /// Filters (weights).
        Fil = 0, "fil",
        /// Input feature maps.
        Ifm = 1, "ifm",
        /// Output feature maps (partial sums until done).
        Ofm = 2, "ofm",
    }
}

impl PerData<f64> {
    /// `0.0 + fil + ifm + ofm`, in that order: how the model sums over the
    /// data kinds, energies and counts alike. Floating-point addition is not
    /// associative, and nnc reproduces the reference's totals bit for bit
    /// (`sched::model::energy` says why the order matters).
    pub(crate) fn sum_in_order(self) -> f64 {
        0.0 + self[DataKind::Fil] + self[DataKind::Ifm] + self[DataKind::Ofm]
    }
}

indexed_enum! {
    /// One loop of a layer's nested-loop description (the reference's
    /// `LoopEnum`).
    LoopDim, PerLoop, 3 {
        /// Over input channels.
        Ifm = 0, "ifm",
        /// Over output channels.
        Ofm = 1, "ofm",
        /// Over the batch (and width-folded fmap pieces).
        Bat = 2, "bat",
    }
}

indexed_enum! {
    /// A level of the memory hierarchy, outermost first (the reference's
    /// `MemHierEnum`).
    MemLevel, PerLevel, 4 {
        /// Off-chip memory.
        Dram = 0, "dram",
        /// The global buffer of one node.
        Gbuf = 1, "gbuf",
        /// The PE array interconnect (nn_dataflow's ITCN).
        Array = 2, "array",
        /// The register file of one PE.
        Regf = 3, "regf",
    }
}

/// Which loops index each data kind ("data dimension loops",
/// docs/model/layers.md#data-dimension-loops). The remaining loops are
/// unrelated to that data: iterating them reuses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct DataLoops(pub PerData<[bool; 3]>);

impl DataLoops {
    /// Convolution pattern: filters by (IFM, OFM), ifmaps by (IFM, BAT),
    /// ofmaps by (OFM, BAT).
    pub const CONV: DataLoops = DataLoops(PerData([
        [true, true, false],
        [true, false, true],
        [false, true, true],
    ]));

    /// Local-region pattern: no filters; ifmaps and ofmaps both by
    /// (OFM, BAT), since each output channel reads its own input channel.
    pub const LOCAL: DataLoops = DataLoops(PerData([
        [false, false, false],
        [false, true, true],
        [false, true, true],
    ]));

    /// Does loop `l` index data `d`?
    pub const fn has(&self, d: DataKind, l: LoopDim) -> bool {
        self.0.0[d as usize][l as usize]
    }

    /// True for the convolution pattern.
    pub fn is_conv(&self) -> bool {
        *self == DataLoops::CONV
    }
}
