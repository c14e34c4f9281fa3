//! `nnc schedule --set` and `nnc sweep` through the binary.

mod rows;
mod set;
mod spec;
mod support;
