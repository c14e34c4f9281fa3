//! The scheduler: takes the network IR and the hardware, and finds the most
//! efficient dataflow of every layer. It knows nothing of syntax.
//!
//! Per layer: `partition` (over nodes) → `mapping` (row stationary, onto one
//! node's PE array) → `blocking` (loop blocking over the memory hierarchy).

pub mod blocking;
pub mod bound;
pub mod compat;
pub mod energy;
pub mod factor;
pub mod fasthash;
pub mod layer;
pub mod limits;
pub mod mapping;
pub mod multicap;
pub mod network;
pub mod nld;
pub mod node;
pub mod options;
pub mod order;
pub mod partition;
pub mod pipeline;
pub mod resource;
pub mod scalesim;
pub mod types;

pub use compat::Compat;
