//! The search's drivers, outermost first (docs/model/network.md): the
//! whole network in scheduling order, one layer over every partition of
//! the node array, one node's share mapped and blocked; and the caches
//! that keep per-node results for layers of the same shape.

pub mod cache;
pub mod capacity;
pub mod layer;
pub mod network;
pub mod node;
pub mod order;
