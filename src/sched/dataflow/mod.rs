//! Dataflows: how one node's share of a layer is laid onto its PE array,
//! and the loop nest that results (docs/model/mapping.md,
//! docs/model/dataflows.md). A dataflow is a choice of the node
//! (`[node] dataflow` in the hardware file, [`Dataflow`], an enum of the
//! machine); each one is a file behind one interface ([`map`]: a node's
//! share in, a [`DataflowMapping`] out), so partitioning, loop blocking,
//! pipelining, the reports and the sweeps serve every dataflow unchanged.
//! The least traffic each dataflow allows, which the lower bound needs,
//! is in `sched::model::bound` (the bound sits below the dataflows).
//!
//! - `row_stationary`: Eyeriss's row-stationary mapping (logical PE sets,
//!   folding, replication, the unit pass), one NLD per replication choice;
//! - `systolic`: systolic arrays (ws, os, is), one fold per pass;
//!   `scalesim_mapping`: SCALE-Sim's fixed mapping of them priced in
//!   nnc's model, without searching;
//! - `nld`: the NLD, a three-deep loop nest over input channels, output
//!   channels and batch whose body is one processing pass, which the loop
//!   blocking (`sched::blocking`) tiles over the memory hierarchy.

pub(crate) mod nld;
mod no_local_reuse;
mod output_stationary;
pub(crate) mod pass;
pub(crate) mod row_stationary;
pub(crate) mod scalesim_mapping;
pub(crate) mod systolic;
mod weight_stationary;

pub(crate) use nld::Nld;
pub use pass::SpatialTile;
pub(crate) use row_stationary::MappingError;
pub use scalesim_mapping::{MappingCost, scalesim_mapping_cost};
// The tests and benches reach row stationary's own mapping here.
#[cfg(test)]
pub(crate) use row_stationary::map_layer;

use crate::ir::{Dim2, LayerShape};
use crate::sched::Compat;
pub(crate) use crate::sched::machine::Dataflow;
use output_stationary::Variant;
use serde::Serialize;

/// Lays `share` onto the PE array with `dataflow`: a summary of the
/// mapping and its loop nests, which the loop blocking tiles.
pub(crate) fn map(
    dataflow: Dataflow,
    share: &NodeShare<'_>,
) -> Result<DataflowMapping, MappingError> {
    match dataflow {
        Dataflow::RowStationary => row_stationary::map(share),
        Dataflow::WeightStationary => weight_stationary::map(share),
        Dataflow::OutputStationaryA => output_stationary::map(share, Variant::A),
        Dataflow::OutputStationaryB => output_stationary::map(share, Variant::B),
        Dataflow::OutputStationaryC => output_stationary::map(share, Variant::C),
        Dataflow::NoLocalReuse => no_local_reuse::map(share),
        Dataflow::SystolicWs | Dataflow::SystolicOs | Dataflow::SystolicIs => {
            systolic::map(share, dataflow)
        }
    }
}

/// One node's share of a layer, as a dataflow sees it: the per-node layer,
/// its batch and occupancy, the PE array and the model.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeShare<'a> {
    /// The per-node layer.
    pub(crate) layer: &'a LayerShape,
    /// Per-node batch.
    pub(crate) batch: u64,
    /// Fraction of useful work of the per-node layer (1 unless the
    /// partitioning is uneven).
    pub(crate) occupancy: f64,
    /// The PE array (rows, columns).
    pub(crate) dim_array: Dim2,
    /// Which model.
    pub(crate) compat: Compat,
}

/// What a dataflow makes of a node's share: its loop nests, which the
/// blocking tiles, each with a summary for the schedule file and the
/// report.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct DataflowMapping {
    /// The mapping of each loop nest, in short.
    pub(crate) summaries: Vec<MappingSummary>,
    /// One nested-loop description per kept spatial choice, in generation
    /// order.
    pub(crate) nlds: Vec<Nld>,
}

impl DataflowMapping {
    /// Adds the loop nest of a taxonomy dataflow's spatial tile.
    pub(crate) fn push(
        &mut self,
        dataflow: Dataflow,
        tile: SpatialTile,
        folds: u64,
        pes: u64,
        nld: Nld,
    ) {
        #[allow(clippy::cast_precision_loss)]
        let util = tile.pes() as f64 / pes.max(1) as f64;
        self.summaries.push(MappingSummary::Spatial {
            dataflow,
            tile,
            folds,
            util,
        });
        self.nlds.push(nld);
    }
}

/// A mapping in short, per dataflow: what the schedule file's `mapping`
/// holds besides the loop nest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum MappingSummary {
    /// Row stationary: folds and replications of the logical PE set.
    RowStationary {
        /// Folds of the logical PE set (height, width).
        fold: Dim2,
        /// Replications of the folded set (height, width).
        repl: Dim2,
        /// Fraction of the PE array doing useful work.
        util: f64,
    },
    /// A dataflow of the Eyeriss taxonomy: the PEs side by side
    /// (docs/model/dataflows.md#the-spatial-tile).
    Spatial {
        /// Which dataflow.
        dataflow: Dataflow,
        /// The PEs side by side in one pass.
        tile: SpatialTile,
        /// Slices of a window wider than the array, each run as an input
        /// channel of its own (1: none).
        folds: u64,
        /// Fraction of the PE array the tile keeps busy.
        util: f64,
    },
    /// A systolic array (docs/model/dataflows.md#systolic-arrays): the
    /// array's rows and columns a full fold uses and the folds over them.
    Systolic {
        /// Which systolic dataflow.
        dataflow: Dataflow,
        /// Rows and columns of the array a full fold uses.
        used: Dim2,
        /// Folds over the dimension on the rows and the one on the columns.
        folds: Dim2,
        /// Mapping efficiency: the PEs holding work, averaged over the
        /// folds, as a fraction of the array (SCALE-Sim's term).
        mapping_eff: f64,
        /// Compute utilization: the MACs done over the PE-cycles of all
        /// folds, fill and drain included.
        util: f64,
    },
}

impl MappingSummary {
    /// The dataflow that made it.
    pub const fn dataflow(&self) -> Dataflow {
        match self {
            MappingSummary::RowStationary { .. } => Dataflow::RowStationary,
            MappingSummary::Spatial { dataflow, .. }
            | MappingSummary::Systolic { dataflow, .. } => *dataflow,
        }
    }

    /// Fraction of the PE array doing useful work.
    pub const fn util(&self) -> f64 {
        match *self {
            MappingSummary::RowStationary { util, .. }
            | MappingSummary::Spatial { util, .. }
            | MappingSummary::Systolic { util, .. } => util,
        }
    }
}

/// A dense convolution with square sizes, as the dataflows' unit tests
/// write their layers.
#[cfg(test)]
pub(crate) fn square_conv(nifm: u64, nofm: u64, ofmap: u64, kernel: u64) -> crate::ir::LayerShape {
    use crate::ir::{ConvShape, Dim2, LayerShape};
    LayerShape::Conv(ConvShape::dense(
        nifm,
        nofm,
        Dim2::square(ofmap),
        Dim2::square(kernel),
        Dim2::square(1),
    ))
}
