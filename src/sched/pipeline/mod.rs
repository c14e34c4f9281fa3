//! Inter-layer pipelining (TANGRAM, Gao et al., ASPLOS'19;
//! docs/model/pipelining.md): runs of layers scheduled together, either
//! concurrently on disjoint subregions of the node array (spatial) or one
//! after another on one region keeping their data on chip (temporal).
//!
//! One file per concept, data flowing one way: `dag` (the scheduling DAG
//! and its vertex runs) → `segment` (segments and the dependency rules) →
//! `alloc` (nodes per spatial group and the per-layer regions) →
//! `constraint` (the integer constraint solver among a segment's layers) →
//! `generate` (the candidate segments, each checked by the three) →
//! `timing` (when each layer runs, the segment's time, the static-energy
//! rescaling of a whole schedule). `bufshr` is the geometry of buffer
//! sharing within one layer's nodes.

pub mod alloc;
pub mod bufshr;
pub mod constraint;
pub mod dag;
pub mod generate;
pub mod segment;
pub mod timing;

pub use alloc::{Allocation, DataRegion, LayerPlace};
pub use constraint::{LayerConstraint, SegmentConstraints};
pub use dag::{Dag, VertexRef};
pub use generate::{PipelineSegment, SegmentError, gen_segments};
pub use segment::{PipelineOptions, Segment, TimeOverhead};
pub use timing::{LayerTiming, SegmentTiming, rescaled_cost};
