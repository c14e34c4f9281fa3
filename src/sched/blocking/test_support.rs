//! What the blocking tests draw and build: a small dense convolution on a
//! small node, and costs with NoC and static energy.

use crate::ir::{ConvShape, Dim2, LayerShape};
use crate::sched::Compat;
use crate::sched::dataflow::{Dataflow, DataflowMapping, NodeShare};
use crate::sched::machine::{Bandwidth, Cost, NodeResource};
use crate::sched::types::PerLevel;
use proptest::prelude::*;

/// A small node of `dataflow` with a bounded DRAM bandwidth.
pub(super) fn pruning_node(size_gbuf: u64, no_time_mux: bool, dataflow: Dataflow) -> NodeResource {
    NodeResource {
        sram: None,
        dim_array: Dim2::square(4),
        size_gbuf,
        size_regf: 64,
        array_bus_width: Some(2),
        dram_bandwidth: Bandwidth::Words(4.0),
        no_time_mux,
        dataflow,
    }
}

/// A small dense convolution on a small node, as the pruning and
/// hop-table tests draw them, with the bypasses, the nodes that share
/// it and their input forwarding.
#[derive(Clone, Debug)]
pub(super) struct Drawn {
    pub(super) layer: LayerShape,
    pub(super) batch: u64,
    pub(super) node: NodeResource,
    pub(super) bypass: [bool; 3],
    pub(super) nodes: u64,
    pub(super) accfwd: u64,
}

impl Drawn {
    /// The layer mapped on the node's dataflow, if it maps.
    pub(super) fn mapped(&self, compat: Compat) -> Option<DataflowMapping> {
        let share = NodeShare {
            layer: &self.layer,
            batch: self.batch,
            occupancy: 1.0,
            dim_array: self.node.dim_array,
            compat,
        };
        crate::sched::dataflow::map(self.node.dataflow, &share).ok()
    }
}

pub(super) fn drawn() -> impl Strategy<Value = Drawn> {
    (
        (
            1u64..=24,
            1u64..=24,
            2u64..=8,
            prop::sample::select(vec![1u64, 3]),
        ),
        (1u64..=8, 64u64..8192, any::<bool>()),
        prop::sample::select(Dataflow::ALL.to_vec()),
        (any::<[bool; 3]>(), 1u64..=4, 1u64..=2),
    )
        .prop_map(
            |((c, k, hw, fh), (batch, gbuf, no_time_mux), dataflow, (bypass, nodes, accfwd))| {
                let hw = hw.max(fh);
                Drawn {
                    layer: LayerShape::Conv(ConvShape::dense(
                        c,
                        k,
                        Dim2::square(hw),
                        Dim2::square(fh),
                        Dim2::square(1),
                    )),
                    batch,
                    node: pruning_node(gbuf, no_time_mux, dataflow),
                    bypass,
                    nodes,
                    accfwd,
                }
            },
        )
}

/// Costs of the Eyeriss kind, with NoC and static energy.
pub(super) const fn pruning_cost() -> Cost {
    Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 1.5, 0.25)
}
