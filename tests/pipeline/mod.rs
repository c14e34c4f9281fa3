//! Inter-layer pipelining against the reference's vectors.

mod segments;
