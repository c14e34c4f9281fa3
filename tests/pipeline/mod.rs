//! Inter-layer pipelining against the reference's vectors.

mod bufshr;
mod cli;
mod network;
mod reference_runs;
mod segments;
