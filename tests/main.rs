//! Integration tests: one binary, one module per area.

// Test helpers may panic on malformed vector files: that is a failed test.
#![allow(clippy::unwrap_used)]

pub(crate) mod cli;
mod diag;
mod docs;
mod lang;
mod layout;
mod model;
mod onnx;
mod partition;
mod pipeline;
mod report;
mod robust;
mod scalesim;
mod search;
mod sweep;
