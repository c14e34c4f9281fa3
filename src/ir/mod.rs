//! The network IR: what the front end produces and the scheduler consumes.
//!
//! `dim` holds the pair of sizes every 2-D quantity is; `layer` holds shapes and the per-layer size and op formulas
//! (docs/model/layers.md); `network` holds the checked DAG.

mod dim;
pub mod json;
mod layer;
mod network;

pub use dim::Dim2;
pub use json::{DataJson, LayerJson, NetworkJson};
pub use layer::{
    ConvShape, FilterData, LayerKind, LayerShape, LocalShape, MAX_QUANTITY, WindowMode,
};
pub use network::{
    ChannelRange, DataInput, IrError, Layer, LayerId, Network, NetworkBuilder, Source, Span, View,
};
