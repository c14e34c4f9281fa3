//! The per-layer model against the reference's vectors and its invariants.

mod area;
mod bound;
mod compat;
mod dataflows;
mod determinism;
mod layer_vectors;
mod properties;
pub(crate) mod support;
mod systolic;
