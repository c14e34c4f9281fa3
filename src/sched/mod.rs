//! The scheduler: takes the network IR and the hardware, and finds the most
//! efficient dataflow of every layer. It knows nothing of syntax.
//!
//! Per layer: `partition` (over nodes) → `mapping` (row stationary, onto one
//! node's PE array) → `blocking` (loop blocking over the memory hierarchy).

pub mod blocking;
pub mod compat;
pub mod dataflow;
pub mod machine;
pub mod model;
pub mod options;
pub mod partition;
pub mod pipeline;
pub mod search;
pub mod types;

pub use compat::Compat;
