//! `nnc schedule --set` and `nnc sweep` through the binary.

mod set;
