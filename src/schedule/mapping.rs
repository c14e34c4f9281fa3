//! A layer's mapping onto one node's PE array in the schedule file: the
//! dataflow, its summary and the loop nest used. Row stationary's fields
//! are those files always had (`fold`, `repl`, `util`) and its `dataflow`
//! is left out, so a file without one reads as row stationary; every other
//! dataflow names itself and writes its own fields.

use super::types::{LoopsOut, MappingOut};
use crate::ir::Dim2;
use crate::sched::dataflow::{Dataflow, MappingSummary};
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
            util: m.util(),
            loop_nest: m.loop_nest,
            loop_counts: m.loop_counts,
        };
        match m.summary {
            MappingSummary::RowStationary { fold, repl, .. } => {
                w.fold = Some(fold);
                w.repl = Some(repl);
            }
        }
        w
    }
}

impl TryFrom<MappingWire> for MappingOut {
    type Error = String;

    fn try_from(w: MappingWire) -> Result<Self, String> {
        let summary = match w.dataflow {
            Dataflow::RowStationary => match (w.fold, w.repl) {
                (Some(fold), Some(repl)) => MappingSummary::RowStationary {
                    fold,
                    repl,
                    util: w.util,
                },
                _ => return Err("a row-stationary mapping needs `fold` and `repl`".to_owned()),
            },
        };
        Ok(MappingOut {
            summary,
            loop_nest: w.loop_nest,
            loop_counts: w.loop_counts,
        })
    }
}
