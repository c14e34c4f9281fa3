//! Inter-layer pipelining against the reference's vectors.

mod cli;
mod network;
mod segments;
