//! A layer's mapping onto one node's PE array in the schedule file: the
//! dataflow, its summary and the loop nest used. Row stationary's fields
//! are those files always had (`fold`, `repl`, `util`) and its `dataflow`
//! is left out, so a file without one reads as row stationary; every other
//! dataflow names itself and writes its own fields.

use super::types::{LoopsOut, MappingOut};
use crate::ir::Dim2;
use crate::sched::dataflow::{Dataflow, MappingSummary, SpatialTile};
use serde::{Deserialize, Serialize};

/// The mapping as written: every dataflow's fields, each present only for
/// its own dataflow.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MappingWire {
    #[serde(default, skip_serializing_if = "Dataflow::is_row_stationary")]
    dataflow: Dataflow,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fold: Option<Dim2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    repl: Option<Dim2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tile: Option<SpatialTile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    folds: Option<u64>,
    util: f64,
    loop_nest: usize,
    loop_counts: LoopsOut<u64>,
}

impl From<MappingOut> for MappingWire {
    fn from(m: MappingOut) -> Self {
        let mut w = MappingWire {
            dataflow: m.dataflow(),
            fold: None,
            repl: None,
            tile: None,
            pes: None,
            folds: None,
            util: m.util(),
            loop_nest: m.loop_nest,
            loop_counts: m.loop_counts,
        };
        match m.summary {
            MappingSummary::RowStationary { fold, repl, .. } => {
                w.fold = Some(fold);
                w.repl = Some(repl);
            }
            MappingSummary::Spatial { tile, folds, .. } => {
                w.tile = Some(tile);
                w.pes = Some(tile.pes());
                w.folds = Some(folds);
            }
        }
        w
    }
}

impl TryFrom<MappingWire> for MappingOut {
    type Error = String;

    fn try_from(w: MappingWire) -> Result<Self, String> {
        let summary = match (w.dataflow, w.fold, w.repl, w.tile, w.folds) {
            (Dataflow::RowStationary, Some(fold), Some(repl), None, None) => {
                MappingSummary::RowStationary {
                    fold,
                    repl,
                    util: w.util,
                }
            }
            (Dataflow::RowStationary, ..) => {
                return Err(
                    "a row-stationary mapping has `fold` and `repl`, and no `tile` or `folds`"
                        .to_owned(),
                );
            }
            (dataflow, None, None, Some(tile), Some(folds)) => MappingSummary::Spatial {
                dataflow,
                tile,
                folds,
                util: w.util,
            },
            (dataflow, ..) => {
                return Err(format!(
                    "a {dataflow} mapping has `tile` and `folds`, and no `fold` or `repl`"
                ));
            }
        };
        if let MappingSummary::Spatial { tile, .. } = summary {
            let Some(busy) = tile.checked_pes() else {
                return Err("the tile's PEs do not fit a 64-bit count".to_owned());
            };
            if w.pes.is_some_and(|pes| pes != busy) {
                return Err(format!(
                    "`pes` is {}, but the tile keeps {busy} PEs busy",
                    w.pes.unwrap_or_default()
                ));
            }
        }
        Ok(MappingOut {
            summary,
            loop_nest: w.loop_nest,
            loop_counts: w.loop_counts,
        })
    }
}
