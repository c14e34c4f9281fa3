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
//! rescaling of a whole schedule). `onchip` says which data some segment
//! may keep on chip (for the lower bound). `bufshr` is the geometry of buffer
//! sharing within one layer's nodes.

pub(crate) mod alloc;
pub(crate) mod bufshr;
pub(crate) mod constraint;
pub(crate) mod dag;
pub(crate) mod generate;
pub(crate) mod onchip;
pub(crate) mod segment;
pub(crate) mod timing;

pub(crate) use alloc::DataRegion;
pub(crate) use constraint::LayerConstraint;

pub(crate) use generate::{PipelineSegment, gen_segments, gen_segments_bounded};
pub(crate) use segment::PipelineOptions;
pub(crate) use timing::{LayerTiming, SegmentTiming, rescaled_cost};
