//! SCALE-Sim 3.0.0's model of one layer on one systolic array, exactly:
//! (layer, array) → the report SCALE-Sim writes for it
//! (docs/model/scalesim.md).
//!
//! SCALE-Sim (the systolic-array simulator, PyPI `scalesim`) walks every
//! SRAM request of a layer through Python-level buffer models. This module
//! reproduces its numbers with closed forms where they exist and with fast
//! walks of the request streams where they do not: [`simulate`] is the one
//! entry point. Its conventions — the places where SCALE-Sim's arithmetic is
//! its own rather than a hardware fact — are named one by one in
//! [`conventions`], so a model of nnc's own can use or decline each by name.
//!
//! The files follow the model's stages:
//!
//! | file | concern |
//! |---|---|
//! | `matrix.rs` | the layer as a matrix product, its folds onto the array |
//! | `cycles.rs` | fold length, total cycles, when each request is made |
//! | `util.rs` | utilisation and mapping efficiency |
//! | `sram.rs` | SRAM access counts and their first and last cycles |
//! | `generations.rs` | DRAM reads in CALC mode (buffer generations) |
//! | `write_buffer.rs` | the double-buffered ofmap write buffer |
//! | `prefetch.rs` | USER mode: the read buffers' fixed prefetch order |
//! | `report.rs` | the report, assembled |
//! | `conventions.rs` | the catalogue of SCALE-Sim's conventions |

pub(crate) mod conventions;
mod cycles;
mod generations;
mod matrix;
mod prefetch;
mod report;
mod sram;
mod util;
mod write_buffer;

pub use report::ScaleSimReport;

use crate::sched::types::PerData;
use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// One layer as SCALE-Sim sees it: a convolution without padding (the ifmap
/// as stored), one stride for both directions, every filter over every
/// channel (docs/model/scalesim.md#the-layer-as-a-matrix-product). A GEMM
/// `M x K` by `K x N` is the conv [`SystolicLayer::gemm`] builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct SystolicLayer {
    /// Ifmap height `H`, in words.
    pub ifmap_h: u64,
    /// Ifmap width `W`.
    pub ifmap_w: u64,
    /// Filter height `R` (rows of the window).
    pub filter_r: u64,
    /// Filter width `S`.
    pub filter_s: u64,
    /// Input channels `C`, all read by every filter.
    pub channels: u64,
    /// Filters `M` (output channels).
    pub filters: u64,
    /// Stride in both directions.
    pub stride: u64,
}

impl SystolicLayer {
    /// The GEMM `M x K` times `K x N` as SCALE-Sim runs it: the conv with
    /// an `M x K` ifmap of one channel, `N` filters of `1 x K`, stride 1,
    /// so the output is `M x N` with reduction `K`
    /// (docs/model/scalesim.md#gemm-as-a-conv).
    pub const fn gemm(m: u64, n: u64, k: u64) -> Self {
        SystolicLayer {
            ifmap_h: m,
            ifmap_w: k,
            filter_r: 1,
            filter_s: k,
            channels: 1,
            filters: n,
            stride: 1,
        }
    }
}

/// Which operand stays in the PEs while the others stream past
/// (docs/model/scalesim.md#mapping-onto-the-array).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dataflow {
    /// Weight stationary (`ws`): filters are preloaded, ifmaps stream.
    Ws,
    /// Output stationary (`os`): each PE accumulates one output.
    Os,
    /// Input stationary (`is`): ifmap windows are preloaded, filters stream.
    Is,
}

impl Dataflow {
    /// SCALE-Sim's name: `ws`, `os` or `is`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dataflow::Ws => "ws",
            Dataflow::Os => "os",
            Dataflow::Is => "is",
        }
    }
}

impl fmt::Display for Dataflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the SRAMs talk to DRAM (SCALE-Sim's `InterfaceBandwidth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase", tag = "mode")]
pub enum InterfaceBandwidth {
    /// `CALC`: reads never stall, the ofmap drains at the array width, and
    /// DRAM traffic is estimated (docs/model/scalesim.md#dram-reads-in-calc-mode).
    Calc,
    /// `USER`: fixed bandwidths in words per cycle; the read buffers prefetch
    /// in a fixed order and misses stall the array
    /// (docs/model/scalesim.md#user-mode).
    User {
        /// Ifmap fill bandwidth (`[layout] IfmapSRAMBankBandwidth`).
        ifmap: u64,
        /// Filter fill bandwidth (`[layout] FilterSRAMBankBandwidth`).
        filter: u64,
        /// Ofmap drain bandwidth (the first value of `Bandwidth`).
        ofmap: u64,
    },
}

/// One systolic array with its three SRAMs, as a SCALE-Sim config describes
/// it (docs/model/scalesim.md#the-array).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ScaleSimArray {
    /// PE rows `R` (`ArrayHeight`).
    pub rows: u64,
    /// PE columns `C` (`ArrayWidth`).
    pub cols: u64,
    /// Which operand is stationary.
    pub dataflow: Dataflow,
    /// Each operand's SRAM, in words (1-byte words: `1024 x` its kB).
    pub sram_words: PerData<u64>,
    /// CALC or USER bandwidths.
    pub bandwidth: InterfaceBandwidth,
}

pub mod limits {
    //! Bounds under which every count of the model fits its integer type.
    //!
    //! Each operand matrix (ifmap `P x K`, filter `K x N`, ofmap `P x N`)
    //! and the ifmap as stored have at most [`MAX_WORDS`] = 2^31 entries, so
    //! addresses fit `u32`; array sides are at most [`MAX_ARRAY_SIDE`] =
    //! 2^16. Then the folds `rf cf` are at most one matrix (2^31), the
    //! product `P K N` at most 2^47 (the geometric mean of the three
    //! matrices, cubed), so the stall-free cycles `rf cf Lf` stay below
    //! 2^50 and every request count (a matrix times a fold count) below
    //! 2^62. Stalls, DRAM words and ready cycles grow by at most 2^32 per
    //! step of a walk, so they cannot overflow in any run that finishes.

    /// At most this many words in any operand matrix or SRAM: 2^31.
    /// (Addresses are `u32`; the walks keep an array over each operand.)
    pub const MAX_WORDS: u64 = 1 << 31;
    /// At most this many PE rows or columns: 2^16.
    pub const MAX_ARRAY_SIDE: u64 = 1 << 16;
    /// At most this many words per cycle of any bandwidth: 2^31.
    pub const MAX_BANDWIDTH: u64 = 1 << 31;
    /// At least this many words in each SRAM: 100, so that a CALC-mode
    /// buffer has sets of at least one word (a config's smallest SRAM,
    /// 1 kB, has 1024).
    pub const MIN_SRAM_WORDS: u64 = 100;
}

/// Why a layer cannot be simulated.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ScaleSimError {
    /// A dimension, size or bandwidth is zero.
    #[error("{what} must be at least 1")]
    Zero {
        /// Which quantity.
        what: &'static str,
    },
    /// The filter is larger than the ifmap (SCALE-Sim asserts against it).
    #[error("the filter ({filter}) is larger than the ifmap ({ifmap}) in {dim}")]
    FilterLargerThanIfmap {
        /// `height` or `width`.
        dim: &'static str,
        /// The filter's extent.
        filter: u64,
        /// The ifmap's extent.
        ifmap: u64,
    },
    /// An SRAM is smaller than [`limits::MIN_SRAM_WORDS`].
    #[error("{what} has {value} words, fewer than the model's {min}")]
    TooSmall {
        /// Which SRAM.
        what: &'static str,
        /// Its words.
        value: u64,
        /// The least.
        min: u64,
    },
    /// A quantity is beyond the model's [`limits`].
    #[error("{what} is {value}, beyond the model's limit of {limit}")]
    TooLarge {
        /// Which quantity.
        what: &'static str,
        /// Its value (saturated at `u64::MAX`).
        value: u64,
        /// The limit.
        limit: u64,
    },
}

/// SCALE-Sim 3.0.0's report for `layer` on `array`: cycles, utilisation,
/// SRAM and DRAM accesses with their first and last cycles, and average
/// bandwidths, exactly as its COMPUTE, BANDWIDTH and DETAILED_ACCESS reports
/// give them (docs/model/scalesim.md).
///
/// ```
/// use nnc::PerData;
/// use nnc::scalesim::{simulate, Dataflow, InterfaceBandwidth, ScaleSimArray, SystolicLayer};
/// # fn main() -> Result<(), nnc::scalesim::ScaleSimError> {
/// // BERT-base's Q projection at sequence length 128 on a 128x128
/// // weight-stationary array with 64 kB SRAMs, CALC bandwidth.
/// let layer = SystolicLayer::gemm(128, 768, 768);
/// let array = ScaleSimArray {
///     rows: 128,
///     cols: 128,
///     dataflow: Dataflow::Ws,
///     sram_words: PerData::splat(64 * 1024),
///     bandwidth: InterfaceBandwidth::Calc,
/// };
/// let report = simulate(&layer, &array)?;
/// assert_eq!((report.total_cycles, report.stall_cycles), (18_359, 0));
/// assert_eq!(report.total_cycles_incl_prefetch, 21_890);
/// assert_eq!(report.dram_filter_reads, 768 * 768);
/// # Ok(())
/// # }
/// ```
pub fn simulate(
    layer: &SystolicLayer,
    array: &ScaleSimArray,
) -> Result<ScaleSimReport, ScaleSimError> {
    let mapping = matrix::Mapping::new(layer, array)?;
    Ok(report::build(&mapping, array))
}

/// `layer` on an `rows x cols` array in `dataflow`, 1024-word SRAMs, CALC
/// mode, for the unit tests.
#[cfg(test)]
fn test_mapping(layer: SystolicLayer, rows: u64, cols: u64, dataflow: Dataflow) -> matrix::Mapping {
    let array = ScaleSimArray {
        rows,
        cols,
        dataflow,
        sram_words: PerData::splat(1024),
        bandwidth: InterfaceBandwidth::Calc,
    };
    matrix::Mapping::new(&layer, &array).expect("a valid test layer")
}

/// Small layers on small arrays in every dataflow and both modes, for the
/// unit tests: stride 1 and overlapping windows, a stride larger than the
/// filter (windows hang over and skip pixels), a rectangular filter and a
/// GEMM, on arrays smaller and larger than the matrices.
#[cfg(test)]
fn test_grid() -> Vec<(SystolicLayer, ScaleSimArray)> {
    let layer = |h, w, r, s, c, m, stride| SystolicLayer {
        ifmap_h: h,
        ifmap_w: w,
        filter_r: r,
        filter_s: s,
        channels: c,
        filters: m,
        stride,
    };
    let layers = [
        layer(5, 5, 3, 3, 2, 3, 1),
        layer(10, 10, 3, 3, 4, 5, 4),
        layer(7, 6, 2, 3, 1, 2, 2),
        SystolicLayer::gemm(5, 3, 4),
    ];
    let mut out = Vec::new();
    for l in layers {
        for (rows, cols) in [(2, 2), (3, 5), (4, 3), (16, 16)] {
            for dataflow in [Dataflow::Ws, Dataflow::Os, Dataflow::Is] {
                for bandwidth in [
                    InterfaceBandwidth::Calc,
                    InterfaceBandwidth::User {
                        ifmap: 3,
                        filter: 2,
                        ofmap: 1,
                    },
                ] {
                    let array = ScaleSimArray {
                        rows,
                        cols,
                        dataflow,
                        sram_words: PerData::splat(1024),
                        bandwidth,
                    };
                    out.push((l, array));
                }
            }
        }
    }
    out
}
