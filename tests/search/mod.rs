//! The whole-network search against the reference's vectors.

mod hybrid;
mod layer_vectors;
mod network_vectors;
mod published;
pub(crate) mod reference_runs;
pub(crate) mod support;
