//! `nnc schedule --set` and `nnc sweep` through the binary.

mod area;
mod layers;
mod options;
mod report;
mod resume;
mod rows;
mod set;
mod shards;
mod shared;
mod spec;
mod support;
