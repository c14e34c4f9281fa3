//! Partitioning and the NoC hop model (docs/model/partitioning.md): parity with the
//! reference's vectors, the nnc-vs-reference differences, and invariants.

mod compat;
mod memo_sequences;
mod oracle;
mod props;
pub(crate) mod support;
mod vectors;
