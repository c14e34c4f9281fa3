//! SCALE-Sim's file formats (docs/scalesim.md): the topology CSV and the
//! config `.cfg`, read into typed values. Every error says what is wrong
//! and what was expected, at a byte span with its line and column, and
//! renders as a coded diagnostic ([`ReadError::report`]).
//!
//! - `topology`, `config`: the readers; their values are what the SCALE-Sim
//!   model (`sched::scalesim`) takes: [`TopologyRow::simulate`] runs a row
//!   through it, [`ScaleSimConfig::array`] is the array;
//! - `network`: a topology as a network of the IR ([`network`]), the front
//!   end of `nnc check` and `nnc schedule` for a `.csv`;
//! - `error`: what can be wrong, and its diagnostic;
//! - re-exported from the scheduler (`src/sched/scalesim/`, private like
//!   all of it): the model itself, [`simulate`] from a [`SystolicLayer`]
//!   and a [`ScaleSimArray`] to a [`ScaleSimReport`].
//!
//! ```
//! use nnc::scalesim::{read_config, read_topology, TopologyKind};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let topology = read_topology(
//!     "Layer, M, N, K,\nqkv, 128, 768, 768,\n",
//!     TopologyKind::Auto,
//! )?;
//! assert!(topology.gemm);
//! let (name, layer) = topology.rows[0].layers().next().unwrap();
//! assert_eq!((name.as_str(), layer.filters), ("qkv", 768));
//! # Ok(())
//! # }
//! ```

mod config;
mod error;
mod network;
mod topology;

// The model of one layer on one array, whose home is the scheduler
// (`src/sched/scalesim/`): SCALE-Sim's public surface is here.
pub use crate::sched::scalesim::{
    Dataflow, InterfaceBandwidth, ScaleSimArray, ScaleSimError, ScaleSimReport, SystolicLayer,
    limits, simulate,
};
pub use config::{ScaleSimConfig, SramBanks, read_config};
pub use error::{FileKind, ReadError, ReadErrorKind, ignored_keys};
pub use network::{ifmap_name, network};
pub use topology::{RowReport, RowShape, Topology, TopologyKind, TopologyRow, read_topology};
