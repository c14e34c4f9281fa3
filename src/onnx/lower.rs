//! Lowering an ONNX graph to a `.nn` file (docs/onnx.md#what-each-operator-becomes):
//! every node becomes a layer, a source expression (`concat`), a fold into
//! its input (activations, normalization, reshapes) or a constant; any
//! other node is an error that names it.

use super::ImportError;
use super::graph::{Graph, Node};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

mod attrs;
mod channels;
mod channels_last;
mod constants;
mod conv1d;
mod embedding;
mod gather;
mod inputs;
mod kv_cache;
mod names;
mod ops;
mod products;
mod reshape;
mod rotary;
mod shapes;
#[cfg(test)]
mod test_graph;
mod tokens;
mod upsample;
mod windows;

use attrs::unsupported;
use names::{net_name, short_name};
use shapes::reshaped;

/// How to read a graph.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The network's name when the graph has none (e.g. the file stem).
    pub fallback_name: String,
    /// Channels, height and width of the first data input, for graphs that
    /// leave them free (`--input-shape`).
    pub input_shape: Option<[u64; 3]>,
}

/// A graph lowered to `.nn` text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    /// The `.nn` file.
    pub text: String,
    /// Nodes folded into their input, by operator, for the header.
    pub folded: BTreeMap<String, usize>,
    /// Layers written.
    pub layers: usize,
}

/// What a tensor of the graph is to the importer.
#[derive(Clone, Debug)]
enum Val {
    /// A feature map: the `.nn` expression that names it, its shape for one
    /// sample, whether a layer wrote it (only layers can be outputs), and
    /// whether a flatten made it a vector (then only an fc may read it),
    /// and the padding a `Pad` node added (top, left, bottom, right), which
    /// only a convolution or pool can take in.
    Fmap {
        expr: String,
        c: u64,
        h: u64,
        w: u64,
        layer: bool,
        flat: bool,
        pad: [u64; 4],
    },
    /// One channel of a feature map, picked by a `Gather` on channels
    /// (GoogLeNet's `transform_input` normalizes each input channel on its
    /// own): only a concatenation of all channels in order, after
    /// element-wise constants, may read it.
    Channel {
        /// The feature map it is a channel of.
        of: Box<Val>,
        /// Which channel.
        index: u64,
    },
    /// A feature map with its channels split into `groups` x `C / groups`
    /// (a reshape to rank 5), `transposed` once the two are swapped: the
    /// middle of a channel shuffle (ShuffleNet), which only a reshape back
    /// to the whole map may end.
    Shuffle {
        /// The feature map.
        of: Box<Val>,
        /// Whether the group and channel axes were swapped.
        transposed: bool,
    },
    /// A token sequence (a transformer's `[B, T, C]` and its per-head
    /// views): a feature map whose spatial points are the tokens.
    Seq(tokens::Seq),
    /// A constant or a weight: its dims and integer values when known.
    Const {
        dims: Option<Vec<i64>>,
        ints: Vec<i64>,
    },
    /// Token ids (an integer graph input, reshaped): an embedding lookup
    /// of them is the network's input (docs/onnx.md#language-models).
    Ids {
        /// The graph input.
        input: String,
        /// Tokens per sample.
        tokens: u64,
        /// Whether the batch is the literal 1 of a fixed-batch export.
        batch1: bool,
    },
    /// A decode step's KV cache: past keys or values `[B, heads, L, d]`,
    /// a graph input (docs/onnx.md#language-models).
    Cache {
        /// Heads.
        heads: u64,
        /// Cached tokens.
        tokens: u64,
        /// Channels per head.
        d: u64,
    },
}

impl Val {
    /// A constant or weight of which only the dims (if any) are known.
    fn shape_only(dims: Option<Vec<i64>>) -> Val {
        Val::Const {
            dims,
            ints: Vec::new(),
        }
    }
}

/// Unary element-wise operators and per-sample normalizations: they cost
/// nothing in the model (docs/onnx.md#folded-operators), so their output is
/// their first input.
const FOLDED: &[&str] = &[
    "Relu",
    "LeakyRelu",
    "PRelu",
    "Sigmoid",
    "HardSigmoid",
    "HardSwish",
    "Tanh",
    "Elu",
    "Selu",
    "Celu",
    "Gelu",
    "Softplus",
    "Softsign",
    "Mish",
    "Clip",
    "Erf",
    "Abs",
    "Neg",
    "Sqrt",
    "Exp",
    "Log",
    "Reciprocal",
    "BatchNormalization",
    "InstanceNormalization",
    "LayerNormalization",
    "LRN",
    "Dropout",
    "Identity",
    "Cast",
    "Softmax",
    "LogSoftmax",
];

/// Operators whose every input after the first is a parameter (weights,
/// shapes, scales), never data: their graph inputs are weights of a graph
/// exported without them.
const ELEMENTWISE: &[&str] = &["Add", "Sub", "Mul", "Div", "Sum", "Max", "Min", "Mean"];

const KEYWORDS: &[&str] = &[
    "network", "input", "extern", "let", "block", "out", "repeat", "use",
];

struct Lowering<'g> {
    graph: &'g Graph,
    vals: HashMap<String, Val>,
    names: HashSet<String>,
    body: String,
    folded: BTreeMap<String, usize>,
    layers: usize,
    last_layer: Option<String>,
    /// Evaluated shape arithmetic, by tensor ([`shapes`]).
    shapes: HashMap<String, Vec<i64>>,
    /// The dims of evaluated tensors that are not vectors (a reshape's,
    /// a transpose's, a slice's).
    shape_dims: HashMap<String, Vec<i64>>,
    /// The input declarations (rewritten when a class token turns the
    /// patch embedding into a 1x1 conv over patches:
    /// docs/onnx.md#token-sequences).
    header: String,
    /// Convolutions that cut the network input into patches (kernel equal
    /// to stride, no padding), by layer name.
    patches: HashMap<String, tokens::Patch>,
    /// Linear layers on token sequences, by layer name.
    linears: HashMap<String, tokens::Linear>,
    /// Whether an embedding lookup declared the network input.
    embedded: bool,
    /// Whether the data input's batch is the literal 1 of a fixed-batch
    /// export (its reshapes then write 1 for the batch).
    batch1: bool,
}

/// Lowers `graph` to `.nn` text.
pub(crate) fn lower(graph: &Graph, options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut l = Lowering {
        graph,
        vals: HashMap::new(),
        names: HashSet::new(),
        body: String::new(),
        folded: BTreeMap::new(),
        layers: 0,
        last_layer: None,
        shapes: HashMap::new(),
        shape_dims: HashMap::new(),
        header: String::new(),
        patches: HashMap::new(),
        linears: HashMap::new(),
        embedded: false,
        batch1: false,
    };
    l.header = l.inputs(options)?;
    for node in &graph.nodes {
        l.node(node)?;
    }
    let outs = l.outputs();
    // Why `main_graph` too: it is the name torch.onnx gives every graph.
    let name = net_name(if graph.name.is_empty() || graph.name == "main_graph" {
        &options.fallback_name
    } else {
        &graph.name
    });
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# Imported by nnc {} from an ONNX graph (opset {}): {} nodes, {} layers.",
        env!("CARGO_PKG_VERSION"),
        graph.opset,
        graph.nodes.len(),
        l.layers
    );
    if !l.folded.is_empty() {
        let list: Vec<String> = l
            .folded
            .iter()
            .map(|(op, n)| format!("{op} x{n}"))
            .collect();
        let _ = writeln!(text, "# Folded into their inputs: {}.", list.join(", "));
    }
    let _ = writeln!(text, "network {name}\n");
    text.push_str(&l.header);
    text.push('\n');
    text.push_str(&l.body);
    text.push_str(&outs);
    Ok(Imported {
        text,
        folded: l.folded,
        layers: l.layers,
    })
}

fn pair(a: u64, b: u64) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("({a}, {b})")
    }
}

impl Lowering<'_> {
    /// A fresh `.nn` name for an ONNX name: letters, digits and `_`, not
    /// only digits, not a keyword, unique.
    fn fresh(&mut self, raw: &str) -> String {
        let mut s = String::new();
        for c in raw.chars() {
            let c = if c.is_ascii_alphanumeric() { c } else { '_' };
            if !(c == '_' && s.ends_with('_')) {
                s.push(c);
            }
        }
        let mut base = s.trim_matches('_').to_owned();
        if base.is_empty() || base.chars().all(|c| c.is_ascii_digit()) {
            base = format!("l{base}");
        }
        if KEYWORDS.contains(&base.as_str()) {
            base.push('_');
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// Input 0 of `node` as a plain feature map (neither flattened nor
    /// padded by a `Pad` node): its expression, channels, height, width and
    /// whether a layer wrote it; `None` for anything else. The views that
    /// re-read a map as a sequence start from one.
    fn plain_fmap(&self, node: &Node) -> Option<(String, u64, u64, u64, bool)> {
        match self.val(node, 0).ok()? {
            Val::Fmap {
                expr,
                c,
                h,
                w,
                layer,
                flat: false,
                pad: [0, 0, 0, 0],
            } => Some((expr.clone(), *c, *h, *w, *layer)),
            _ => None,
        }
    }

    fn val(&self, node: &Node, i: usize) -> Result<&Val, ImportError> {
        let name = node
            .inputs
            .get(i)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                unsupported(
                    node,
                    format!("input {i} is missing"),
                    "check the graph with onnx.checker",
                )
            })?;
        self.vals.get(name).ok_or_else(|| {
            unsupported(
                node,
                format!("input `{name}` is produced by no earlier node"),
                "the graph must be in topological order (run onnx.checker)",
            )
        })
    }

    /// The feature map a node reads at input `i`, refusing one padded by a
    /// `Pad` node (only windows can read those: [`Lowering::spatial`]).
    fn fmap(&self, node: &Node, i: usize) -> Result<Fm, ImportError> {
        let f = self.padded_fmap(node, i)?;
        if f.pad != [0; 4] {
            return Err(unsupported(
                node,
                format!("reads the output of a `Pad` node (pads {:?})", f.pad),
                "only a convolution or a pool can take in a Pad node's padding",
            ));
        }
        Ok(f)
    }

    fn padded_fmap(&self, node: &Node, i: usize) -> Result<Fm, ImportError> {
        match self.val(node, i)? {
            Val::Fmap {
                expr,
                c,
                h,
                w,
                flat,
                pad,
                ..
            } => Ok(Fm {
                expr: expr.clone(),
                c: *c,
                h: *h,
                w: *w,
                flat: *flat,
                pad: *pad,
            }),
            Val::Seq(_) => Err(unsupported(
                node,
                format!("input {i} is a token sequence, not a feature map"),
                "only products, linear layers, element-wise and folded operators read token \
                 sequences (docs/onnx.md#token-sequences)",
            )),
            Val::Const { .. } => Err(unsupported(
                node,
                format!("input {i} is a constant, not a feature map"),
                "only feature maps computed from the network input can be scheduled",
            )),
            Val::Shuffle { .. } => Err(unsupported(
                node,
                format!("input {i} is a feature map with its channels split in two axes"),
                "only a channel shuffle (reshape to groups, transpose, reshape back) is supported",
            )),
            Val::Channel { index, .. } => Err(unsupported(
                node,
                format!("input {i} is channel {index} of a feature map alone (a `Gather`)"),
                "only a per-channel affine transform of a whole feature map, concatenated \
                 back in order (GoogLeNet's transform_input), is supported",
            )),
            Val::Ids { .. } | Val::Cache { .. } => Err(unsupported(
                node,
                format!("input {i} is token ids or a KV cache, not a feature map"),
                "token ids are read by an embedding lookup (a Gather from a table), a KV \
                 cache by a Concat with the new keys or values (docs/onnx.md#language-models)",
            )),
        }
    }

    fn set(&mut self, node: &Node, v: Val) {
        if let Some(o) = node.outputs.first() {
            self.vals.insert(o.clone(), v);
        }
    }

    fn fold(&mut self, node: &Node, v: Val) {
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set(node, v);
    }

    fn layer(&mut self, node: &Node, call: String, c: u64, h: u64, w: u64) {
        let name = self.fresh(&short_name(node));
        let _ = writeln!(self.body, "{name} = {call}");
        self.layers += 1;
        self.last_layer = Some(name.clone());
        self.set(
            node,
            Val::Fmap {
                expr: name,
                c,
                h,
                w,
                layer: true,
                flat: false,
                pad: [0; 4],
            },
        );
    }

    fn node(&mut self, node: &Node) -> Result<(), ImportError> {
        if !node.domain.is_empty() && node.domain != "ai.onnx" {
            return Err(unsupported(
                node,
                format!("operator domain `{}` is not ONNX's own", node.domain),
                "export with standard ONNX operators only",
            ));
        }
        if self.constant(node)? {
            return Ok(());
        }
        let op = node.op.as_str();
        if node
            .inputs
            .iter()
            .any(|i| matches!(self.vals.get(i), Some(Val::Channel { .. })))
        {
            return self.channel(node);
        }
        if let Some(Val::Shuffle { of, transposed }) =
            node.inputs.first().and_then(|i| self.vals.get(i))
        {
            let (of, transposed) = ((**of).clone(), *transposed);
            return self.shuffle(node, of, transposed);
        }
        if let Some(done) = self.token_ids(node) {
            return done;
        }
        if let Some(done) = self.kv_cache(node) {
            return done;
        }
        if let Some(done) = self.tokens(node) {
            return done;
        }
        self.feature_map_node(node, op)
    }

    /// A node of feature maps: a layer, a fold, or an error naming it.
    fn feature_map_node(&mut self, node: &Node, op: &str) -> Result<(), ImportError> {
        match op {
            _ if FOLDED.contains(&op) => {
                let v = self.val(node, 0)?.clone();
                self.fold(node, v);
            }
            "Flatten" | "Reshape" | "Squeeze" | "Unsqueeze" => self.reshape(node)?,
            "Pad" => self.pad(node)?,
            "ReduceMean" | "ReduceMax" | "ReduceMin" | "ReduceSum" | "ReduceL2" => {
                self.reduce(node)?
            }
            "Conv" => self.conv(node)?,
            "Gemm" | "MatMul" => self.fc(node)?,
            "MaxPool" | "AveragePool" | "LpPool" => self.pool(node)?,
            "GlobalAveragePool" | "GlobalMaxPool" | "GlobalLpPool" => self.global_pool(node)?,
            _ if ELEMENTWISE.contains(&op) => self.eltwise(node)?,
            "Concat" => self.concat(node)?,
            "Gather" => self.gather(node)?,
            "Slice" => self.fmap_slice(node)?,
            "Split" => self.fmap_split(node)?,
            "Transpose" if let Some(done) = self.fmap_transpose(node) => done?,
            "Transpose" if let Some(done) = self.channels_last_view(node) => done?,
            "Transpose" => {
                return Err(unsupported(
                    node,
                    "a transpose of a feature map changes its layout".into(),
                    "only the transpose of a channel shuffle (ShuffleNet) or of a token sequence is supported",
                ));
            }
            "ConvTranspose" => self.deconv(node)?,
            "Resize" | "Upsample" => self.resize(node)?,
            _ => {
                return Err(unsupported(
                    node,
                    format!("nnc has no model of `{op}`"),
                    "supported: Conv, ConvTranspose, Gemm, MatMul, pools, Resize, Add/Mul/... \
                     of equal feature maps, Concat on channels, and the folded operators in \
                     docs/onnx.md",
                ));
            }
        }
        Ok(())
    }

    /// A feature map that a window operator may read (not a flat vector).
    fn spatial(&self, node: &Node) -> Result<Fm, ImportError> {
        let f = self.padded_fmap(node, 0)?;
        if f.flat && !(f.h == 1 && f.w == 1) {
            return Err(unsupported(
                node,
                "reads a flattened feature map".into(),
                "windows (convolutions, pools) read 2D feature maps",
            ));
        }
        Ok(f)
    }

    fn weight_dims(&self, node: &Node, i: usize) -> Result<Vec<u64>, ImportError> {
        match self.val(node, i)? {
            Val::Const { dims: Some(d), .. } => d
                .iter()
                .map(|&x| u64::try_from(x).ok().filter(|&x| x > 0))
                .collect::<Option<Vec<u64>>>()
                .ok_or_else(|| {
                    unsupported(
                        node,
                        format!("weights of shape {d:?}"),
                        "sizes must be positive",
                    )
                }),
            _ => Err(unsupported(
                node,
                format!("the shape of input {i} (the weights) is not declared"),
                "export with weights, or with declared input shapes",
            )),
        }
    }

    /// `out` for the graph's outputs, unless the only output is the last
    /// layer (the language's default).
    fn outputs(&self) -> String {
        let layers: Vec<&String> = self
            .graph
            .outputs
            .iter()
            .filter_map(|o| match self.vals.get(&o.name) {
                Some(Val::Fmap {
                    expr, layer: true, ..
                }) => Some(expr),
                Some(Val::Seq(s)) if s.layer => Some(&s.expr),
                _ => None,
            })
            .collect();
        if layers.is_empty() || (layers.len() == 1 && Some(layers[0]) == self.last_layer.as_ref()) {
            return String::new();
        }
        let list: Vec<String> = layers
            .iter()
            .enumerate()
            .map(|(i, e)| format!("o{i}: {e}"))
            .collect();
        format!("out {}\n", list.join(", "))
    }
}

/// A feature map input, copied out of the table.
struct Fm {
    expr: String,
    c: u64,
    h: u64,
    w: u64,
    flat: bool,
    pad: [u64; 4],
}

impl Fm {
    /// Its shape past the batch, as messages write it: `[C, H, W]`.
    fn shape(&self) -> String {
        format!("[{}, {}, {}]", self.c, self.h, self.w)
    }

    /// Its shape with the batch: `[batch, C, H, W]`.
    fn batched_shape(&self) -> String {
        format!("[batch, {}, {}, {}]", self.c, self.h, self.w)
    }
}
