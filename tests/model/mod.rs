//! The per-layer model against the reference's vectors and its invariants.

mod layer_vectors;
mod support;
