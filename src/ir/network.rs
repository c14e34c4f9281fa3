//! The network IR: a DAG of layers in definition (topological) order, fed by
//! one input and optional extern inputs.
//!
//! Invariant of every [`Network`]: each layer's sources are defined before it,
//! the channels it reads of them (all, or a [`ChannelRange`] within them)
//! sum to its `nifm` (channel concatenation; an eltwise
//! of `k` inputs has `nifm = k * nofm`), each source's fmap size is a valid
//! padded input of the layer under its [`WindowMode`]
//! (docs/model/layers.md#padding), every count of a layer or input for one
//! sample is at most [`MAX_QUANTITY`], and names are unique. Only
//! [`NetworkBuilder`] constructs networks and it enforces this, so the
//! scheduler never re-checks shapes.

use super::dim::Dim2;
use super::layer::{LayerKind, LayerShape, MAX_QUANTITY, WindowMode};
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;
use thiserror::Error;

/// Where an IR node came from: a byte range of the source file, or a reason
/// why the node has no place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Span {
    /// Bytes `start..end` of the `.nn` file the network was compiled from.
    Source {
        /// First byte.
        start: u32,
        /// One past the last byte.
        end: u32,
    },
    /// Built through the library API (tests, JSON vectors), not from a file.
    #[default]
    Api,
}

/// Index of a layer in [`Network::layers`] (definition order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LayerId(pub u32);

impl LayerId {
    /// The index as `usize`.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for LayerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%l{}", self.0)
    }
}

/// A producer of data a layer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The network input.
    Input,
    /// The extern input with this index in [`Network::externs`].
    Extern(u32),
    /// An earlier layer.
    Layer(LayerId),
}

/// A range of a source's channels, `from..to`: what a layer reads of a
/// source when it reads a channel slice (docs/model/layers.md#channel-slices).
/// Never empty, and within the source's channels, in a [`Network`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelRange {
    /// The first channel read.
    pub from: u64,
    /// One past the last channel read.
    pub to: u64,
}

impl ChannelRange {
    /// Channels in the range (0 if `to` is not above `from`).
    pub const fn len(&self) -> u64 {
        self.to.saturating_sub(self.from)
    }

    /// Does the range hold no channel?
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for ChannelRange {
    /// The language's notation, `[from:to]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}:{}]", self.from, self.to)
    }
}

/// What a layer reads of one source: all of its channels, or a channel
/// slice of them (docs/model/layers.md#channel-slices).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct View {
    /// The producer.
    pub source: Source,
    /// The channels read, `None` for all of them.
    pub channels: Option<ChannelRange>,
}

impl From<Source> for View {
    /// All channels of `source`.
    fn from(source: Source) -> Self {
        View {
            source,
            channels: None,
        }
    }
}

/// The network input or an extern input (e.g. an LSTM's initial state): data
/// in memory before the network runs; never scheduled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataInput {
    /// Name in the source.
    pub name: String,
    /// Channels.
    pub channels: u64,
    /// Fmap size.
    pub size: Dim2,
    /// Place in the source.
    pub span: Span,
}

/// One layer of the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// Fully qualified name (`inc3a.b3r`, `conv4.2.a`).
    pub name: String,
    /// What the user wrote.
    pub kind: LayerKind,
    /// What the model sees.
    pub shape: LayerShape,
    /// What it reads of its producers, in channel-concatenation order; a
    /// matmul's last input is its second operand, read as its filter
    /// ([`Layer::operand`]).
    pub inputs: Vec<View>,
    /// Which source sizes it accepts (the padding rule); `Floor` only for
    /// windows whose output size was rounded down.
    pub mode: WindowMode,
    /// Place in the source.
    pub span: Span,
}

impl Layer {
    /// A layer built through the library rather than read from a file: no
    /// place in a source ([`Span::Api`]) and the default padding rule.
    pub fn api(name: &str, kind: LayerKind, shape: LayerShape, inputs: Vec<View>) -> Layer {
        Layer {
            name: name.into(),
            kind,
            shape,
            inputs,
            mode: WindowMode::default(),
            span: Span::Api,
        }
    }

    /// The sources whose channels make up the layer's input fmap, in
    /// concatenation order: all of [`Layer::inputs`] but a matmul's operand.
    pub fn data_inputs(&self) -> &[View] {
        match self.operand() {
            Some(_) => &self.inputs[..self.inputs.len() - 1],
            None => &self.inputs,
        }
    }

    /// Weights: the filter words of a conv, fc or transposed conv; 0 for a
    /// matmul (its filter is an activation), an upsampling (its fixed
    /// interpolation coefficients are not weights) and local-region layers.
    pub fn weights(&self) -> u64 {
        match self.kind {
            LayerKind::Upsample => 0,
            _ => self.shape.weights(),
        }
    }

    /// Parameters with biases (docs/model/layers.md#parameters): those of
    /// its shape, 0 for an upsampling (no weights, no biases).
    pub fn params(&self) -> u64 {
        match self.kind {
            LayerKind::Upsample => 0,
            _ => self.shape.total_params(),
        }
    }

    /// A matmul's second operand: the source read as its filter, per sample
    /// (docs/model/layers.md#matmul); `None` for every other layer.
    pub fn operand(&self) -> Option<View> {
        if self.shape.is_matmul() {
            self.inputs.last().copied()
        } else {
            None
        }
    }
}

/// A checked network (see the module invariant).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    name: String,
    input: DataInput,
    externs: Vec<DataInput>,
    layers: Vec<Layer>,
    /// Each layer's consumers, in definition order: kept as layers are
    /// added, so that asking is not a scan of every layer (a scan per layer
    /// made the search quadratic in the layers, issue 26).
    consumers: Vec<Vec<LayerId>>,
}

impl Network {
    /// The network's name (`network NAME`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The network input.
    pub fn input(&self) -> &DataInput {
        &self.input
    }

    /// Extern inputs, in declaration order.
    pub fn externs(&self) -> &[DataInput] {
        &self.externs
    }

    /// Layers in definition order (a topological order).
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The layer with this id.
    pub fn layer(&self, id: LayerId) -> &Layer {
        &self.layers[id.index()]
    }

    /// Ids of all layers in definition order.
    pub fn layer_ids(&self) -> impl Iterator<Item = LayerId> + '_ {
        (0..self.layers.len()).map(|i| LayerId(i as u32))
    }

    /// The layer named `name`, if any.
    pub fn find(&self, name: &str) -> Option<LayerId> {
        self.layers
            .iter()
            .position(|l| l.name == name)
            .map(|i| LayerId(i as u32))
    }

    /// Name of a source.
    pub fn source_name(&self, src: Source) -> &str {
        match src {
            Source::Input => &self.input.name,
            Source::Extern(i) => &self.externs[i as usize].name,
            Source::Layer(id) => &self.layer(id).name,
        }
    }

    /// Channels and fmap size a source produces.
    pub fn source_shape(&self, src: Source) -> (u64, Dim2) {
        match src {
            Source::Input => (self.input.channels, self.input.size),
            Source::Extern(i) => {
                let e = &self.externs[i as usize];
                (e.channels, e.size)
            }
            Source::Layer(id) => self.layer(id).shape.output(),
        }
    }

    /// Channels and fmap size a layer reads of a source: the slice's
    /// channels, or all of the source's.
    pub fn view_shape(&self, v: View) -> (u64, Dim2) {
        let (c, size) = self.source_shape(v.source);
        (v.channels.map_or(c, |r| r.len()), size)
    }

    /// A view as the language writes it: the source's name, and its
    /// channel range if it is a slice (`stage2_1[58:116]`).
    pub fn view_name(&self, v: View) -> String {
        let name = self.source_name(v.source);
        match v.channels {
            Some(r) => format!("{name}{r}"),
            None => name.to_owned(),
        }
    }

    /// Producers a layer reads, in its inputs' order (a source read twice
    /// is listed twice).
    pub fn sources(&self, id: LayerId) -> impl Iterator<Item = Source> + '_ {
        self.layer(id).inputs.iter().map(|v| v.source)
    }

    /// Consumers of a layer, in definition order.
    pub fn consumers(&self, id: LayerId) -> Vec<LayerId> {
        self.consumers.get(id.index()).cloned().unwrap_or_default()
    }

    /// Total ops for a batch of `b`.
    pub fn total_ops(&self, b: u64) -> u64 {
        self.layers.iter().map(|l| l.shape.total_ops(b)).sum()
    }
}

/// Why a network cannot be built: a broken invariant. The front end reports
/// these as diagnostics before building, so from source they never appear.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum IrError {
    /// Two nodes share a name.
    #[error("duplicate name `{0}`")]
    DuplicateName(String),
    /// A source is not (yet) defined.
    #[error("layer `{layer}` reads `{source_name}`, which is not defined before it")]
    UnknownSource {
        /// The reading layer.
        layer: String,
        /// The missing source.
        source_name: String,
    },
    /// A layer has no inputs.
    #[error("layer `{0}` has no inputs")]
    NoInputs(String),
    /// Channels of the sources do not add up.
    #[error("layer `{layer}` expects {expected} input channels, its sources give {found}")]
    Channels {
        /// The layer.
        layer: String,
        /// Its `nifm`.
        expected: u64,
        /// Sum over its sources.
        found: u64,
    },
    /// A source's fmap violates the padding rule.
    #[error(
        "layer `{layer}` cannot read a {found} fmap from `{source_name}` (derived input {derived})"
    )]
    FmapSize {
        /// The layer.
        layer: String,
        /// The source.
        source_name: String,
        /// Its fmap size.
        found: Dim2,
        /// The layer's derived input size.
        derived: Dim2,
    },
    /// Concatenated sources differ in fmap size.
    #[error("layer `{layer}` concatenates `{first}` ({first_size}) with `{other}` ({other_size})")]
    ConcatSizes {
        /// The layer.
        layer: String,
        /// Its first source.
        first: String,
        /// That source's fmap size.
        first_size: Dim2,
        /// A source of another size.
        other: String,
        /// Its size.
        other_size: Dim2,
    },
    /// A channel slice that is empty or goes past its source's channels.
    #[error("layer `{layer}` reads channels {range} of `{source_name}`, which has {channels}")]
    Slice {
        /// The layer.
        layer: String,
        /// The source.
        source_name: String,
        /// The range read.
        range: ChannelRange,
        /// The source's channels.
        channels: u64,
    },
    /// A matmul's second operand does not hold its filter.
    #[error(
        "matmul `{layer}` reads `{source_name}` ({found} words) as its second operand, but its filter is {expected} words"
    )]
    Operand {
        /// The layer.
        layer: String,
        /// The operand.
        source_name: String,
        /// The operand's words per sample.
        found: u64,
        /// The layer's filter words.
        expected: u64,
    },
    /// A zero in a size, stride or count.
    #[error("`{0}` has a zero size, stride or channel count")]
    Zero(String),
    /// A count above [`MAX_QUANTITY`].
    #[error("`{0}` is too large: one of its counts for one sample exceeds {MAX_QUANTITY}")]
    TooLarge(String),
}

/// Checks an input's words against zero and [`MAX_QUANTITY`].
fn check_data(d: &DataInput) -> Result<(), IrError> {
    let words = [d.channels, d.size.h, d.size.w]
        .into_iter()
        .try_fold(1u64, |acc, x| acc.checked_mul(x));
    match words {
        Some(0) => Err(IrError::Zero(d.name.clone())),
        Some(w) if w <= MAX_QUANTITY => Ok(()),
        _ => Err(IrError::TooLarge(d.name.clone())),
    }
}

/// Builds a [`Network`], checking the invariants layer by layer.
#[derive(Debug)]
pub struct NetworkBuilder {
    net: Network,
    names: HashSet<String>,
}

impl NetworkBuilder {
    /// Starts a network named `name` with its input.
    pub fn new(name: impl Into<String>, input: DataInput) -> Result<Self, IrError> {
        check_data(&input)?;
        let names = HashSet::from([input.name.clone()]);
        let net = Network {
            name: name.into(),
            input,
            externs: Vec::new(),
            layers: Vec::new(),
            consumers: Vec::new(),
        };
        Ok(NetworkBuilder { net, names })
    }

    fn claim(&mut self, name: &str) -> Result<(), IrError> {
        if !self.names.insert(name.to_owned()) {
            return Err(IrError::DuplicateName(name.to_owned()));
        }
        Ok(())
    }

    /// Adds an extern input and returns its source handle.
    pub fn add_extern(&mut self, ext: DataInput) -> Result<Source, IrError> {
        check_data(&ext)?;
        self.claim(&ext.name)?;
        self.net.externs.push(ext);
        Ok(Source::Extern(self.net.externs.len() as u32 - 1))
    }

    /// Looks up a source by name among what has been added so far.
    pub fn source(&self, name: &str) -> Option<Source> {
        if self.net.input.name == name {
            return Some(Source::Input);
        }
        if let Some(i) = self.net.externs.iter().position(|e| e.name == name) {
            return Some(Source::Extern(i as u32));
        }
        self.net.find(name).map(Source::Layer)
    }

    /// Adds a layer after checking it against its sources.
    pub fn add_layer(&mut self, layer: Layer) -> Result<LayerId, IrError> {
        let s = &layer.shape;
        if s.has_zero_extent() {
            return Err(IrError::Zero(layer.name));
        }
        // Before any formula runs on the shape: they may overflow otherwise.
        if !s.within_limits() {
            return Err(IrError::TooLarge(layer.name));
        }
        if layer.data_inputs().is_empty() {
            return Err(IrError::NoInputs(layer.name));
        }
        for &View { source: src, .. } in &layer.inputs {
            let known = match src {
                Source::Input => true,
                Source::Extern(i) => (i as usize) < self.net.externs.len(),
                Source::Layer(id) => id.index() < self.net.layers.len(),
            };
            if !known {
                return Err(IrError::UnknownSource {
                    layer: layer.name,
                    source_name: format!("{src:?}"),
                });
            }
        }
        self.check_slices(&layer)?;
        if let (Some(op), LayerShape::Conv(conv)) = (layer.operand(), s) {
            // The operand is the filter of one sample: all of its words,
            // and as many channels again for each token in a KV cache
            // (docs/model/layers.md#kv-cache).
            let (c, size) = self.net.view_shape(op);
            let found = c.saturating_mul(size.size().saturating_add(conv.cached()));
            if found != s.total_filter_size() {
                return Err(IrError::Operand {
                    layer: layer.name.clone(),
                    source_name: self.net.view_name(op),
                    found,
                    expected: s.total_filter_size(),
                });
            }
        }
        let mut channels = 0;
        for &src in layer.data_inputs() {
            let (c, size) = self.net.view_shape(src);
            if !s.accepts_input_size(size, layer.mode) {
                return Err(IrError::FmapSize {
                    layer: layer.name.clone(),
                    source_name: self.net.view_name(src),
                    found: size,
                    derived: s.ifmap(),
                });
            }
            channels += c;
            let first = layer.inputs[0];
            let first_size = self.net.view_shape(first).1;
            if size != first_size {
                return Err(IrError::ConcatSizes {
                    layer: layer.name.clone(),
                    first: self.net.view_name(first),
                    first_size,
                    other: self.net.view_name(src),
                    other_size: size,
                });
            }
        }
        if channels != s.nifm() {
            return Err(IrError::Channels {
                layer: layer.name,
                expected: s.nifm(),
                found: channels,
            });
        }
        self.claim(&layer.name)?;
        let id = LayerId(self.net.layers.len() as u32);
        for View { source, .. } in &layer.inputs {
            if let Source::Layer(p) = source
                && let Some(list) = self.net.consumers.get_mut(p.index())
                // A layer that reads a producer twice is one consumer.
                && list.last() != Some(&id)
            {
                list.push(id);
            }
        }
        self.net.layers.push(layer);
        self.net.consumers.push(Vec::new());
        Ok(id)
    }

    /// Every channel slice `layer` reads is non-empty and within its
    /// source's channels.
    fn check_slices(&self, layer: &Layer) -> Result<(), IrError> {
        for v in &layer.inputs {
            let Some(range) = v.channels else { continue };
            let channels = self.net.source_shape(v.source).0;
            if range.is_empty() || range.to > channels {
                return Err(IrError::Slice {
                    layer: layer.name.clone(),
                    source_name: self.net.source_name(v.source).to_owned(),
                    range,
                    channels,
                });
            }
        }
        Ok(())
    }

    /// The finished network.
    pub fn finish(self) -> Network {
        self.net
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::LocalShape;

    /// What an import front end does for PyTorch's max pool: a floor
    /// layer over a source larger than the rows it reads.
    #[test]
    fn the_builder_takes_floor_layers() {
        let input = DataInput {
            name: "x".into(),
            channels: 8,
            size: Dim2::square(32),
            span: Span::Api,
        };
        let pool = |mode| Layer {
            name: "p".into(),
            kind: LayerKind::Pool,
            shape: LayerShape::Local(LocalShape::pool(
                8,
                Dim2::square(15),
                Dim2::square(3),
                Dim2::square(2),
            )),
            inputs: vec![Source::Input.into()],
            mode,
            span: Span::Api,
        };
        let mut b = NetworkBuilder::new("n", input.clone()).expect("input");
        assert!(matches!(
            b.add_layer(pool(WindowMode::Exact)),
            Err(IrError::FmapSize { .. })
        ));
        let mut b = NetworkBuilder::new("n", input).expect("input");
        assert_eq!(b.add_layer(pool(WindowMode::Floor)), Ok(LayerId(0)));
        let net = b.finish();
        assert_eq!(net.layer(LayerId(0)).shape.ifmap(), Dim2::square(31));
    }
}
