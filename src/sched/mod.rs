//! The scheduler: takes the network IR and the hardware, and finds the most
//! efficient dataflow of every layer. It knows nothing of syntax.
//!
//! Per layer: `partition` (over nodes) → `mapping` (row stationary, onto one
//! node's PE array) → `blocking` (loop blocking over the memory hierarchy).

pub mod blocking;
pub mod factor;
pub mod fasthash;
pub mod layer;
pub mod mapping;
pub mod network;
pub mod nld;
pub mod node;
pub mod order;
pub mod partition;
pub mod resource;
pub mod types;

/// Which model prices a dataflow: nnc's corrected model, or nn_dataflow 2.1's
/// bit for bit, known bugs included (COMPAT.md). One value is threaded
/// through the model instead of scattered flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compat {
    /// nnc's own model: the reference's bugs fixed.
    #[default]
    Nnc,
    /// The reference's model, bit for bit (`--compat nn_dataflow`).
    NnDataflow,
}

impl Compat {
    /// True when reproducing the reference bit for bit.
    pub const fn is_reference(self) -> bool {
        matches!(self, Compat::NnDataflow)
    }
}
