//! The network IR: what the front end produces and the scheduler consumes.
//!
//! `layer` holds shapes and the per-layer size and op formulas
//! (docs/model/layers.md); `network` holds the checked DAG.

pub mod json;
mod layer;
mod network;

pub use json::{DataJson, LayerJson, NetworkJson};
pub use layer::{
    ConvShape, Dim2, FilterData, LayerKind, LayerShape, LocalShape, MAX_QUANTITY, WindowMode,
};
pub use network::{
    ChannelRange, DataInput, IrError, Layer, LayerId, Network, NetworkBuilder, Source, Span, View,
};
