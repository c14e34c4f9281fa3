//! The search's drivers, outermost first (docs/model/network.md): the
//! whole network in scheduling order (`network`, `order`), one segment of
//! it (`segment`), one layer over every partition of the node array
//! (`layer`), one node's share mapped and blocked (`node`); the caches that
//! keep per-node results for layers of the same shape (`cache`) and for
//! machines that differ only in the global buffer's capacity (`capacity`);
//! and searches that share them across networks and design points
//! (`shared`, [`SharedSearch`](shared::SharedSearch)).

pub(crate) mod cache;
pub(crate) mod capacity;
pub(crate) mod layer;
pub(crate) mod network;
pub(crate) mod node;
pub(crate) mod order;
mod persistent;
pub(crate) mod segment;
pub(crate) mod shared;

use crate::ir::{LayerId, Network};
use crate::sched::model::limits::RangeError;
use layer::LayerError;

/// Why a network has no schedule.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SearchError {
    /// The first layer that cannot be placed.
    #[error("layer `{layer}` cannot be scheduled: {error}")]
    Layer {
        /// The layer's name.
        layer: String,
        /// Why.
        error: LayerError,
    },
    /// The network, batch or hardware is beyond the model's limits.
    #[error(transparent)]
    Range(#[from] RangeError),
    /// Every schedule's total time exceeds what a `u64` counts.
    #[error(
        "every schedule of it takes more than {} cycles, beyond what the model counts",
        u64::MAX
    )]
    TimeOverflow,
    /// The caller cancelled the search ([`Cancel`]).
    #[error("the search was cancelled")]
    Cancelled,
    /// `--compat nn_dataflow` models row stationary only: the reference
    /// has no other dataflow.
    #[error(
        "`--compat nn_dataflow` reproduces nn_dataflow, which has only the row-stationary dataflow; the hardware's dataflow is `{0}` (drop --compat, or set node.dataflow=row-stationary)"
    )]
    CompatDataflow(crate::sched::machine::Dataflow),
    /// `--compat nn_dataflow` models one global buffer: the reference has
    /// no per-operand SRAMs.
    #[error(
        "`--compat nn_dataflow` reproduces nn_dataflow, whose nodes have one global buffer; the hardware has per-operand SRAMs (`[node.sram]`; drop --compat, or give `gbuf_bytes` instead)"
    )]
    CompatSram,
    /// A broken invariant of the search: a bug, not a property of the input.
    #[error("internal error: {0}")]
    Internal(String),
}

/// A way to stop a search under way from another thread (a Python caller's
/// Ctrl-C): clones share one flag; once [`Cancel::cancel`] is called, the
/// search returns [`SearchError::Cancelled`] at its next check, between
/// layers and between partition candidates, and leaves what is still queued
/// undone. A search never cancelled is unaffected by it.
#[derive(Clone, Debug, Default)]
pub struct Cancel(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    /// A flag not set.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks every search holding a clone of this to stop.
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Has [`Cancel::cancel`] been called?
    pub fn is_cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl SearchError {
    /// Layer `id` of `net` has no schedule, for `error`.
    pub(super) fn layer(net: &Network, id: LayerId, error: LayerError) -> Self {
        SearchError::Layer {
            layer: net.layer(id).name.clone(),
            error,
        }
    }
}
