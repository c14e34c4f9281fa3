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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    array_used: Option<Dim2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    array_folds: Option<Dim2>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mapping_eff: Option<f64>,
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
            array_used: None,
            array_folds: None,
            mapping_eff: None,
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
            MappingSummary::Systolic {
                used,
                folds,
                mapping_eff,
                ..
            } => {
                w.array_used = Some(used);
                w.array_folds = Some(folds);
                w.mapping_eff = Some(mapping_eff);
            }
        }
        w
    }
}

impl TryFrom<MappingWire> for MappingOut {
    type Error = String;

    fn try_from(w: MappingWire) -> Result<Self, String> {
        let systolic = (w.array_used, w.array_folds, w.mapping_eff);
        let summary = match (w.dataflow, w.fold, w.repl, w.tile, w.folds) {
            (dataflow, None, None, None, None) if dataflow.is_systolic() => {
                let (Some(used), Some(folds), Some(mapping_eff)) = systolic else {
                    return Err(format!(
                        "a {dataflow} mapping has `array_used`, `array_folds` and `mapping_eff`"
                    ));
                };
                MappingSummary::Systolic {
                    dataflow,
                    used,
                    folds,
                    mapping_eff,
                    util: w.util,
                }
            }
            _ if !dataflow_is_systolic_or_none(w.dataflow, systolic) => {
                return Err(
                    "only a systolic mapping has `array_used`, `array_folds` or `mapping_eff`"
                        .to_owned(),
                );
            }
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

/// Are the systolic fields absent, or the dataflow systolic? (A local
/// layer on a systolic node is laid out by its tile, without them.)
fn dataflow_is_systolic_or_none(
    dataflow: Dataflow,
    fields: (Option<Dim2>, Option<Dim2>, Option<f64>),
) -> bool {
    dataflow.is_systolic() || fields == (None, None, None)
}
