//! The whole-network search against the reference's vectors.

mod network_vectors;
pub(crate) mod support;
