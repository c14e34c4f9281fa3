//! What the Eyeriss taxonomy's dataflows share (docs/model/dataflows.md):
//! a processing pass given per full pass and turned into an NLD with the
//! occupancies of its last, partly filled loop iterations, the loops over
//! channel groups, the choice of the fewest passes, and the one way all of
//! them run a local-region layer (pooling, element-wise).

use crate::ir::{Dim2, LocalShape};
use crate::sched::dataflow::Nld;
use crate::sched::types::{DataLoops, LoopDim, MemLevel, PerData, PerLevel, PerLoop};
use serde::{Deserialize, Serialize};

/// The PEs side by side in one pass of a taxonomy dataflow: their product
/// `ifm * window * ofm * pixels` is the active PEs
/// (docs/model/dataflows.md#the-spatial-tile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpatialTile {
    /// Input channels side by side (a reduction across PEs); 1 where input
    /// channels run one after another.
    pub ifm: u64,
    /// Window positions of one input channel side by side; 1 where the
    /// window runs one position per cycle.
    pub window: u64,
    /// Output channels side by side.
    pub ofm: u64,
    /// Output pixels side by side (rows, columns).
    pub pixels: Dim2,
}

impl SpatialTile {
    /// PEs the tile keeps busy.
    pub const fn pes(&self) -> u64 {
        self.ifm * self.window * self.ofm * self.pixels.size()
    }

    /// [`SpatialTile::pes`], or `None` when the product does not fit a
    /// `u64` (a tile read from a file may say anything).
    pub fn checked_pes(&self) -> Option<u64> {
        [self.window, self.ofm, self.pixels.h, self.pixels.w]
            .into_iter()
            .try_fold(self.ifm, u64::checked_mul)
    }
}

/// One processing pass of a full loop body (every channel of the body
/// present), before the occupancies scale it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pass {
    /// Trip counts of the loops over input channels, output channels and
    /// batch.
    pub loopcnt: PerLoop<u64>,
    /// The filled fraction of each loop's iterations (the last may be
    /// partial).
    pub locc: PerLoop<f64>,
    /// Accesses of a full pass per level and data kind.
    pub access: PerLevel<PerData<f64>>,
    /// Ops of a full pass.
    pub ops: f64,
    /// Cycles of a pass.
    pub time: u64,
    /// Buffer words of a pass per data kind.
    pub usize_gbuf: PerData<u64>,
    /// Register-file words per PE of a pass per data kind.
    pub usize_regf: PerData<u64>,
    /// The data kinds the register files keep across loop iterations.
    pub regf_keeps: PerData<bool>,
    /// Which loops index which data.
    pub data_loops: DataLoops,
}

impl Pass {
    /// The NLD of the pass at occupancy `occ`, as row stationary builds its
    /// own (docs/model/mapping.md#the-nested-loop-description): data
    /// accesses scale by the occupancy of their loops, ops and
    /// register-file accesses by every loop's and the node's.
    pub(crate) fn nld(&self, occ: f64) -> Nld {
        let p = self.locc[LoopDim::Ifm] * self.locc[LoopDim::Ofm] * self.locc[LoopDim::Bat];
        let aocc = PerData::from_fn(|d| {
            LoopDim::ALL
                .into_iter()
                .filter(|&l| self.data_loops.has(d, l))
                .fold(1.0, |acc, l| acc * self.locc[l])
        });
        let mut unit_access = PerLevel::splat(PerData::splat(0.0));
        for m in [MemLevel::Dram, MemLevel::Gbuf, MemLevel::Array] {
            unit_access[m] = PerData::from_fn(|d| self.access[m][d] * aocc[d]);
        }
        unit_access[MemLevel::Regf] =
            PerData::from_fn(|d| self.access[MemLevel::Regf][d] * occ * p);
        Nld {
            loopcnt: self.loopcnt,
            usize_gbuf: self.usize_gbuf,
            usize_regf: self.usize_regf,
            unit_access,
            unit_ops: self.ops * occ * p,
            unit_time: self.time,
            data_loops: self.data_loops,
            regf_keeps: self.regf_keeps,
            // A pass may read a buffered word more than once (no local
            // reuse reads its weight once per MAC), so "no loop reuse" does
            // not make streaming it free.
            buffer_by_energy: true,
            regf_once: PerData::splat(false),
        }
    }
}

/// Loop counts and occupancies of `nifm` input and `nofm` output channels
/// taken `ifms` and `ofms` per pass, over `bat` batch iterations.
pub(crate) fn channel_loops(
    nifm: u64,
    nofm: u64,
    ifms: u64,
    ofms: u64,
    bat: u64,
) -> (PerLoop<u64>, PerLoop<f64>) {
    let loopcnt = PerLoop([nifm.div_ceil(ifms), nofm.div_ceil(ofms), bat]);
    #[allow(clippy::cast_precision_loss)]
    let locc = PerLoop([
        nifm as f64 / ifms as f64 / loopcnt[LoopDim::Ifm] as f64,
        nofm as f64 / ofms as f64 / loopcnt[LoopDim::Ofm] as f64,
        1.0,
    ]);
    (loopcnt, locc)
}

/// The choices with the fewest passes (the least product of loop counts),
/// ties kept in generation order (docs/model/dataflows.md#spatial-choices).
pub(crate) fn fewest_passes<T>(choices: Vec<(T, PerLoop<u64>)>) -> Vec<T> {
    let count = |l: &PerLoop<u64>| l.0.iter().fold(1u64, |a, &b| a.saturating_mul(b));
    let least = choices.iter().map(|(_, l)| count(l)).min();
    choices
        .into_iter()
        .filter(|(_, l)| Some(count(l)) == least)
        .map(|(t, _)| t)
        .collect()
}

/// A local-region layer (pooling, element-wise) on `pes` PEs, the same for
/// every taxonomy dataflow (docs/model/dataflows.md#local-region-layers):
/// each PE makes one output pixel of one channel, reading every window
/// input from the buffer; the sum accumulates in the PE's register file,
/// or, with none (`in_regf` false), passes through the array.
pub(crate) fn local_pass(
    l: &LocalShape,
    batch: u64,
    pes: u64,
    in_regf: bool,
) -> (Pass, SpatialTile) {
    let ofmap = l.ofmap.size();
    let ifmap = {
        let win = l.region;
        let h = win.h + (l.ofmap.h - 1) * l.stride.h;
        let w = win.w + (l.ofmap.w - 1) * l.stride.w;
        h * w
    };
    let window = l.nreg * l.region.size();
    let per_channel = ofmap.min(pes).max(1);
    let ofms = (pes / per_channel).clamp(1, l.nofm);
    let (loopcnt, locc) = channel_loops(1, l.nofm, 1, ofms, batch);
    #[allow(clippy::cast_precision_loss)]
    let f = |x: u64| x as f64;
    let ops = f(ofmap * window * ofms);
    let (ifm_words, ofm_words) = (f(ifmap * l.ntrd * ofms), f(ofmap * ofms));
    let mut access = PerLevel::splat(PerData::splat(0.0));
    access[MemLevel::Dram] = PerData([0.0, ifm_words, ofm_words]);
    access[MemLevel::Gbuf] = PerData([0.0, ops, ofm_words]);
    access[MemLevel::Array] = PerData([0.0, ops, if in_regf { ofm_words } else { ops }]);
    let regf = if in_regf { ops } else { 0.0 };
    access[MemLevel::Regf] = PerData([0.0, regf, regf]);
    let pass = Pass {
        loopcnt,
        locc,
        access,
        ops,
        time: ofmap.div_ceil(per_channel) * window,
        usize_gbuf: PerData([0, ifmap * l.ntrd * ofms, ofmap * ofms]),
        usize_regf: PerData([0, 0, u64::from(in_regf)]),
        regf_keeps: PerData([false, false, in_regf]),
        data_loops: DataLoops::LOCAL,
    };
    let tile = SpatialTile {
        ifm: 1,
        window: 1,
        ofm: ofms,
        pixels: Dim2::new(1, per_channel),
    };
    (pass, tile)
}

/// A convolution's reduction laid across PEs, as weight stationary and no
/// local reuse lay it (docs/model/dataflows.md#the-reduction-layout): the
/// window positions `window` of `ifms` input channels side by side for each
/// of `ofms` output channels, the window cut into `folds` slices when it
/// alone exceeds the array.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Reduction {
    /// The spatial tile (one output pixel per cycle).
    pub tile: SpatialTile,
    /// Slices of the window, each run as an input channel of its own.
    pub folds: u64,
    /// Window positions per slice, on average (`filter.h * filter.w /
    /// folds`).
    pub window_avg: f64,
    /// Loop counts and occupancies.
    pub loops: (PerLoop<u64>, PerLoop<f64>),
}

/// The reduction layouts of a convolution of `window` filter positions,
/// `nifm` -> `nofm` channels, at batch `batch` on `pes` PEs: for every
/// split `(a, b)` of the channel slots `floor(pes / window)`, `a` input and
/// `b` output channels, those with the fewest passes.
pub(crate) fn reduction_choices(
    window: u64,
    nifm: u64,
    nofm: u64,
    batch: u64,
    pes: u64,
) -> Vec<Reduction> {
    let folds = window.div_ceil(pes.max(1)).max(1);
    let slice = window.div_ceil(folds);
    let vifm = nifm * folds;
    let slots = (pes / slice).max(1);
    let mut seen = Vec::new();
    let mut choices = Vec::new();
    for (a, b) in crate::sched::model::factor::ordered_factors2(slots) {
        let (ifms, ofms) = (a.min(vifm), b.min(nofm));
        if seen.contains(&(ifms, ofms)) {
            continue;
        }
        seen.push((ifms, ofms));
        let loops = channel_loops(vifm, nofm, ifms, ofms, batch);
        #[allow(clippy::cast_precision_loss)]
        let r = Reduction {
            tile: SpatialTile {
                ifm: ifms,
                window: slice,
                ofm: ofms,
                pixels: Dim2::square(1),
            },
            folds,
            window_avg: window as f64 / folds as f64,
            loops,
        };
        choices.push((r, loops.0));
    }
    fewest_passes(choices)
}
