//! Dataflows: how one node's share of a layer is laid onto its PE array,
//! and the loop nest that results (docs/model/mapping.md). Each dataflow
//! is one file; `nld` is the nested-loop description (NLD) they all
//! produce, which the loop blocking (`sched::blocking`) tiles over the
//! memory hierarchy.
//!
//! - `row_stationary`: Eyeriss's row-stationary mapping (logical PE sets,
//!   folding, replication, the unit pass), one NLD per replication choice;
//! - `nld`: the NLD, a three-deep loop nest over input channels, output
//!   channels and batch whose body is one processing pass.

pub(crate) mod nld;
pub(crate) mod row_stationary;

pub(crate) use nld::Nld;
pub(crate) use row_stationary::{MappingError, map_layer};
