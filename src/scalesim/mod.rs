//! SCALE-Sim's file formats (docs/scalesim.md): the topology CSV and the
//! config `.cfg`, read into typed values. Every error says what is wrong
//! and what was expected, at a byte span with its line and column.
//!
//! The readers know nothing of nnc's IR or hardware files; the values they
//! give are what the SCALE-Sim model (`sched::scalesim`) takes:
//! [`TopologyRow::layers`] and [`ScaleSimConfig::array`].
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
mod topology;

pub use config::{ScaleSimConfig, SramBanks, read_config};
pub use error::{FileKind, ReadError, ReadErrorKind};
pub use topology::{RowShape, Topology, TopologyKind, TopologyRow, read_topology};
