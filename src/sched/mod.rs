//! The scheduler: takes the network IR and the hardware, and finds the most
//! efficient dataflow of every layer. It knows nothing of syntax.
//!
//! What it is given: the `machine` (nodes, resources, costs), the search's
//! `options`, and the `types` that index everything (data kinds, loops,
//! memory levels). `compat` is the catalogue of the reference's bugs that
//! `--compat nn_dataflow` reproduces.
//!
//! The search, outermost first (`search`): the whole network in scheduling
//! order, segment by segment (`pipeline` generates the segments and their
//! constraints); each layer over every partition of the node array
//! (`partition`: schemes, data layouts, NoC hops); each node's share laid
//! onto its PE array by a `dataflow` (row stationary), whose loop nest the
//! `blocking` tiles over the memory hierarchy. Every stage prices with the
//! `model`: the energy formula, the lower bound, the limits that keep every
//! count in range.

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
