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
//!
//! Apart from the search, `scalesim` is SCALE-Sim 3.0.0's fixed model of one
//! layer on one systolic array, reproduced exactly (`--compat scalesim`).

pub(crate) mod blocking;
pub(crate) mod compat;
pub(crate) mod dataflow;
pub(crate) mod machine;
pub(crate) mod model;
pub(crate) mod options;
pub(crate) mod partition;
pub(crate) mod pipeline;
pub(crate) mod scalesim;
pub(crate) mod search;
pub(crate) mod types;

pub(crate) use compat::Compat;
