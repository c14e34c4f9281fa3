//! Hints where they pay (docs/model/bound.md#hints): when a schedule is far
//! from its energy lower bound, the options the run left off that could
//! close the gap are each searched, and those that save at least a tenth
//! are named with what they would cost. Measured, never guessed: every
//! figure is a search's.

use super::types::{Hint, ScheduleFile};
use crate::Network;
use crate::hw::Hardware;
use crate::sched::Compat;
use crate::sched::options::{DataSharing, Options};
use crate::sched::partition::Partitioning;
use crate::sched::search::SearchError;

/// A schedule above this many times its bound is worth a look.
pub const HINT_GAP: f64 = 1.5;

/// An option is named when its schedule costs at most this share of the
/// run's energy (10% less or better).
pub const HINT_SHARE: f64 = 0.9;

/// One option the run left off: what the run had, what to turn on, the
/// flags that do it, and the options with it on.
struct Alternative {
    had: String,
    option: &'static str,
    flags: String,
    options: Options,
}

/// The options `options` left off that can only widen the search, each
/// added alone: hybrid partitioning (with batch and input-channel
/// partitioning) and access forwarding on more than one node, keeping data
/// on chip between layers (save-writeback), and inter-layer pipelining on
/// more than one node.
fn alternatives(options: &Options, nodes: u64) -> Vec<Alternative> {
    let mut out = Vec::new();
    let multi = nodes > 1;
    if multi && let Partitioning::Naive { batch } = options.partitioning {
        let batch = batch || options.batch > 1;
        let mut flags = "--partition hybrid".to_owned();
        if batch {
            flags += " --batch-partition";
        }
        flags += " --ifmap-partition";
        out.push(Alternative {
            had: format!("naive partitioning on {nodes} nodes"),
            option: "hybrid partitioning",
            flags,
            options: Options {
                partitioning: Partitioning::Hybrid {
                    batch,
                    ifmaps: true,
                },
                ..*options
            },
        });
    }
    if multi && options.sharing == DataSharing::Off {
        out.push(Alternative {
            had: format!("no access forwarding on {nodes} nodes"),
            option: "access forwarding",
            flags: "--access-forwarding".to_owned(),
            options: Options {
                sharing: DataSharing::Forwarding,
                ..*options
            },
        });
    }
    let p = options.pipeline;
    if !p.temporal {
        let mut pipeline = p;
        pipeline.temporal = true;
        out.push(Alternative {
            had: "every layer's data through DRAM".to_owned(),
            option: "keeping data on chip between layers",
            flags: "--save-writeback".to_owned(),
            options: Options {
                pipeline,
                ..*options
            },
        });
    }
    if multi && !p.spatial {
        let mut pipeline = p;
        pipeline.spatial = true;
        out.push(Alternative {
            had: format!("one layer at a time on {nodes} nodes"),
            option: "inter-layer pipelining",
            flags: "--interlayer".to_owned(),
            options: Options {
                pipeline,
                ..*options
            },
        });
    }
    out
}

/// The hints for `file`, the schedule of `net` on `hw` under `options`:
/// none in the reference's model (`--compat nn_dataflow` keeps the
/// reference's defaults) or when the schedule is within [`HINT_GAP`] of its
/// bound; else each option the run left off, searched alone, that costs at
/// most [`HINT_SHARE`] of the run's energy, in the order of
/// `alternatives`. Fails only if a search fails for a reason other than
/// having no schedule with the option.
pub fn hints(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    file: &ScheduleFile,
) -> Result<Vec<Hint>, SearchError> {
    let t = &file.totals;
    if options.compat != Compat::Nnc || t.energy <= HINT_GAP * t.lower_bound.energy {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for alt in alternatives(options, hw.nodes.size()) {
        let energy = match crate::schedule(net, hw, &alt.options) {
            Ok(s) => s.totals.energy,
            // No schedule with it (e.g. nothing fits a segment's rules):
            // no hint.
            Err(SearchError::Layer { .. } | SearchError::TimeOverflow) => continue,
            Err(e) => return Err(e),
        };
        if energy <= HINT_SHARE * t.energy {
            out.push(Hint {
                had: alt.had,
                option: alt.option.to_owned(),
                flags: alt.flags,
                energy,
                factor: t.energy / energy,
            });
        }
    }
    Ok(out)
}
