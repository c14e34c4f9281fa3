//! Lowering an ONNX graph to a `.nn` file (docs/onnx.md#what-each-operator-becomes):
//! every node becomes a layer, a source expression (`concat`), a fold into
//! its input (activations, normalization, reshapes) or a constant; any
//! other node is an error that names it.

use super::ImportError;
use super::graph::{AttrValue, Dim, Graph, Node, Tensor};
use crate::ir::WindowMode;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

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
    /// A constant or a weight: its dims and integer values when known.
    Const {
        dims: Option<Vec<i64>>,
        ints: Vec<i64>,
    },
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
}

/// Lowers `graph` to `.nn` text.
pub fn lower(graph: &Graph, options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut l = Lowering {
        graph,
        vals: HashMap::new(),
        names: HashSet::new(),
        body: String::new(),
        folded: BTreeMap::new(),
        layers: 0,
        last_layer: None,
    };
    let header = l.inputs(options)?;
    for node in &graph.nodes {
        l.node(node)?;
    }
    let outs = l.outputs();
    let name = net_name(if graph.name.is_empty() {
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
    text.push_str(&header);
    text.push('\n');
    text.push_str(&l.body);
    text.push_str(&outs);
    Ok(Imported {
        text,
        folded: l.folded,
        layers: l.layers,
    })
}

/// A network name: letters, digits, `_` and `-`.
fn net_name(s: &str) -> String {
    let n: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let n = n.trim_matches('_').to_owned();
    if n.is_empty() {
        "Imported".to_owned()
    } else {
        n
    }
}

/// A layer's name from its node's: PyTorch's module paths repeat each
/// parent in the child (`/features/features.1/conv/conv.1/Conv`), so a
/// segment that the next one extends is dropped, and so is a last segment
/// that only repeats the operator: `features.1_conv.1` (then `.` becomes
/// `_`).
fn short_name(node: &Node) -> String {
    let segs: Vec<&str> = node.label().split('/').filter(|s| !s.is_empty()).collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, seg) in segs.iter().enumerate() {
        let extended = segs
            .get(i + 1)
            .is_some_and(|next| next.strip_prefix(seg).is_some_and(|r| r.starts_with('.')));
        let is_op = i + 1 == segs.len() && i > 0 && seg.split('_').next() == Some(node.op.as_str());
        if !extended && !is_op {
            kept.push(seg);
        }
    }
    if kept.is_empty() {
        node.label().to_owned()
    } else {
        kept.join("_")
    }
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

    /// Declares the data inputs (`input`, then `extern`s) and records the
    /// constants; returns the declarations.
    fn inputs(&mut self, options: &ImportOptions) -> Result<String, ImportError> {
        for t in &self.graph.initializers {
            self.vals.insert(t.name.clone(), konst(t));
        }
        let mut params = HashSet::new();
        for n in &self.graph.nodes {
            if !ELEMENTWISE.contains(&n.op.as_str()) && n.op != "Concat" {
                params.extend(n.inputs.iter().skip(1).cloned());
            }
        }
        let mut out = String::new();
        let mut first = true;
        for v in &self.graph.inputs {
            if self.vals.contains_key(&v.name) {
                continue;
            }
            let dims: Vec<Dim> = v.dims.clone().unwrap_or_default();
            if params.contains(&v.name) {
                let known = dims
                    .iter()
                    .map(|d| match d {
                        Dim::Value(x) => Some(*x),
                        Dim::Free(_) => None,
                    })
                    .collect::<Option<Vec<i64>>>();
                self.vals.insert(
                    v.name.clone(),
                    Val::Const {
                        dims: known,
                        ints: Vec::new(),
                    },
                );
                continue;
            }
            let shape = match (first, options.input_shape) {
                (true, Some(s)) => s,
                _ => data_shape(&v.name, &dims)?,
            };
            let name = self.fresh(&v.name);
            let kw = if first { "input" } else { "extern" };
            let _ = writeln!(
                out,
                "{kw} {name} [{}, {}, {}]",
                shape[0], shape[1], shape[2]
            );
            self.vals.insert(
                v.name.clone(),
                Val::Fmap {
                    expr: name,
                    c: shape[0],
                    h: shape[1],
                    w: shape[2],
                    layer: false,
                    flat: false,
                    pad: [0; 4],
                },
            );
            first = false;
        }
        if first {
            return Err(ImportError::NoInput);
        }
        Ok(out)
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
            Val::Const { .. } => Err(unsupported(
                node,
                format!("input {i} is a constant, not a feature map"),
                "only feature maps computed from the network input can be scheduled",
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
        let op = node.op.as_str();
        let all_const = !node.inputs.is_empty()
            && node
                .inputs
                .iter()
                .filter(|s| !s.is_empty())
                .all(|s| matches!(self.vals.get(s), Some(Val::Const { .. })));
        if op == "Constant" {
            let v = match node.attr("value") {
                Some(AttrValue::Tensor(t)) => konst(t),
                _ => Val::Const {
                    dims: None,
                    ints: Vec::new(),
                },
            };
            self.set(node, v);
            return Ok(());
        }
        if all_const || matches!(op, "Shape" | "Size" | "ConstantOfShape") {
            // Why: a subgraph of constants (shape arithmetic for a reshape)
            // computes no feature map; its values are not needed.
            for o in &node.outputs {
                self.vals.insert(
                    o.clone(),
                    Val::Const {
                        dims: None,
                        ints: Vec::new(),
                    },
                );
            }
            return Ok(());
        }
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
            "GlobalAveragePool" | "GlobalMaxPool" | "GlobalLpPool" => {
                let f = self.fmap(node, 0)?;
                if f.h == 1 && f.w == 1 {
                    let v = self.val(node, 0)?.clone();
                    self.fold(node, v);
                } else {
                    let call = format!("pool({}, kernel: {})", f.expr, pair(f.h, f.w));
                    self.layer(node, call, f.c, 1, 1);
                }
            }
            _ if ELEMENTWISE.contains(&op) => self.eltwise(node)?,
            "Concat" => self.concat(node)?,
            "ConvTranspose" | "Resize" | "Upsample" => {
                return Err(unsupported(
                    node,
                    "upsampling (resize, transposed convolution) is not in nnc's model yet".into(),
                    "schedule the encoder part of the network, or remove the node",
                ));
            }
            _ => {
                return Err(unsupported(
                    node,
                    format!("nnc has no model of `{op}`"),
                    "supported: Conv, Gemm, MatMul with weights, pools, Add/Mul/... of equal \
                     feature maps, Concat on channels, and the folded operators in docs/onnx.md",
                ));
            }
        }
        Ok(())
    }

    fn reshape(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        let elems = f.c.saturating_mul(f.h).saturating_mul(f.w);
        let target = match (node.op.as_str(), self.val(node, 1)) {
            ("Reshape", Ok(Val::Const { ints, .. })) if !ints.is_empty() => Some(ints.clone()),
            _ => None,
        };
        // Why: a reshape keeps the data; to the model only whether it became
        // a vector matters (then only an fc can read it). A computed target
        // (`x.view(x.size(0), -1)`) is such a flatten.
        let flat = match (node.op.as_str(), target) {
            ("Flatten", _) | ("Reshape", None) => true,
            ("Reshape", Some(t)) => {
                let rest: Vec<i64> = t.iter().skip(1).copied().collect();
                let same = rest.len() == 3
                    && [f.c, f.h, f.w]
                        .iter()
                        .zip(&rest)
                        .all(|(a, b)| *b == 0 || i64::try_from(*a).ok() == Some(*b));
                let vector = rest.len() == 1
                    && (rest[0] == -1 || u64::try_from(rest[0]).ok() == Some(elems));
                if same {
                    f.flat
                } else if vector {
                    true
                } else {
                    return Err(unsupported(
                        node,
                        format!(
                            "a reshape of [{}, {}, {}] to {t:?} changes the feature map's layout",
                            f.c, f.h, f.w
                        ),
                        "only reshapes that flatten a feature map into a vector are supported",
                    ));
                }
            }
            _ => f.flat || (f.h == 1 && f.w == 1),
        };
        let mut v = self.val(node, 0)?.clone();
        if let Val::Fmap { flat: fl, .. } = &mut v {
            *fl = flat;
        }
        self.fold(node, v);
        Ok(())
    }

    /// A `Pad` (constant zeros) of the spatial dimensions is kept with the
    /// feature map and taken in by the convolution or pool that reads it
    /// (PyTorch's `ZeroPad2d`, TensorFlow's explicit padding).
    fn pad(&mut self, node: &Node) -> Result<(), ImportError> {
        self.padded_fmap(node, 0)?;
        let mode = match node.attr("mode") {
            Some(AttrValue::Str(m)) => m.clone(),
            _ => "constant".to_owned(),
        };
        let pads = match (node.attr("pads"), self.val(node, 1)) {
            (Some(AttrValue::Ints(p)), _) => p.clone(),
            (_, Ok(Val::Const { ints, .. })) => ints.clone(),
            _ => Vec::new(),
        };
        let zero_value = match self.val(node, 2) {
            Ok(Val::Const { ints, .. }) => ints.iter().all(|&v| v == 0),
            _ => true,
        };
        // [n, c, h, w] begins, then ends; only h and w may be padded.
        let spatial = match pads.as_slice() {
            [0, 0, t, l, 0, 0, b, r] => [*t, *l, *b, *r]
                .iter()
                .map(|&x| u64::try_from(x).ok())
                .collect::<Option<Vec<u64>>>(),
            _ => None,
        };
        let (Some(p), "constant", true) = (spatial, mode.as_str(), zero_value) else {
            return Err(unsupported(
                node,
                format!("a {mode} pad of {pads:?}"),
                "only zero padding of height and width, read by a convolution or pool, \
                 is supported",
            ));
        };
        let mut v = self.val(node, 0)?.clone();
        if let Val::Fmap { pad, layer, .. } = &mut v {
            for (a, b) in pad.iter_mut().zip(&p) {
                *a = a.saturating_add(*b);
            }
            *layer = false;
        }
        self.fold(node, v);
        Ok(())
    }

    /// A reduction over height and width is a global pool (`x.mean((2, 3))`,
    /// squeeze-and-excitation's squeeze); any other axis is not a layer of
    /// the model.
    fn reduce(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        let axes = match (node.attr("axes"), self.val(node, 1)) {
            (Some(AttrValue::Ints(a)), _) => a.clone(),
            (_, Ok(Val::Const { ints, .. })) => ints.clone(),
            _ => Vec::new(),
        };
        let mut sorted: Vec<i64> = axes
            .iter()
            .map(|&a| if a < 0 { a + 4 } else { a })
            .collect();
        sorted.sort_unstable();
        if sorted != [2, 3] || f.flat {
            return Err(unsupported(
                node,
                format!("a reduction over axes {axes:?}"),
                "only reductions over height and width (a global pool) are supported",
            ));
        }
        let keep = int_attr(node, "keepdims", 1)? != 0;
        if f.h == 1 && f.w == 1 {
            let v = self.val(node, 0)?.clone();
            self.fold(node, v);
        } else {
            let call = format!("pool({}, kernel: {})", f.expr, pair(f.h, f.w));
            self.layer(node, call, f.c, 1, 1);
        }
        if !keep
            && let Some(Val::Fmap { flat, .. }) =
                node.outputs.first().and_then(|o| self.vals.get_mut(o))
        {
            *flat = true;
        }
        Ok(())
    }

    fn conv(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.spatial(node)?;
        let wdims = self.weight_dims(node, 1)?;
        let [m, cg, kh, kw] = match wdims.as_slice() {
            [m, cg, kh, kw] => [*m, *cg, *kh, *kw],
            _ => {
                return Err(unsupported(
                    node,
                    format!("weights of shape {wdims:?}: only 2D convolutions are supported"),
                    "nnc models convolutions over 2D feature maps",
                ));
            }
        };
        let groups = int_attr(node, "group", 1)?;
        if cg.checked_mul(groups) != Some(f.c) {
            return Err(unsupported(
                node,
                format!(
                    "weights read {cg} channels in each of {groups} groups, but the input has {}",
                    f.c
                ),
                "check the graph with onnx.shape_inference",
            ));
        }
        let dil = ints_attr(node, "dilations", &[1, 1])?;
        let win = Windows::new(node, [f.h, f.w], f.pad, [kh, kw], [dil[0], dil[1]], false)?;
        let mut call = format!("conv({}, {m}, kernel: {}", f.expr, pair(kh, kw));
        win.args(&mut call, [1, 1]);
        if groups != 1 {
            let _ = write!(call, ", groups: {groups}");
        }
        if dil != [1, 1] {
            if dil[0] != dil[1] {
                return Err(unsupported(
                    node,
                    format!("dilations {dil:?} differ per dimension"),
                    "nnc's dilation is one number",
                ));
            }
            let _ = write!(call, ", dilation: {}", dil[0]);
        }
        call.push(')');
        self.layer(node, call, m, win.out[0], win.out[1]);
        Ok(())
    }

    fn pool(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.spatial(node)?;
        let k = ints_attr(node, "kernel_shape", &[])?;
        let [kh, kw] = match k.as_slice() {
            [a, b] if *a > 0 && *b > 0 => [*a as u64, *b as u64],
            _ => {
                return Err(unsupported(
                    node,
                    format!("kernel_shape {k:?}: only 2D pools are supported"),
                    "nnc models pools over 2D feature maps",
                ));
            }
        };
        let dil = ints_attr(node, "dilations", &[1, 1])?;
        if dil != [1, 1] {
            return Err(unsupported(
                node,
                "a dilated pool is not in nnc's model".into(),
                "use an undilated pool",
            ));
        }
        let ceil = int_attr(node, "ceil_mode", 0)? != 0;
        let win = Windows::new(node, [f.h, f.w], f.pad, [kh, kw], [1, 1], ceil)?;
        if [kh, kw] == [1, 1] && win.stride == [1, 1] && win.out == [f.h, f.w] {
            // A 1x1 pool of stride 1 changes nothing.
            let v = self.val(node, 0)?.clone();
            self.fold(node, v);
            return Ok(());
        }
        let mut call = format!("pool({}, kernel: {}", f.expr, pair(kh, kw));
        // A pool's stride defaults to its kernel.
        win.args(&mut call, [kh, kw]);
        call.push(')');
        self.layer(node, call, f.c, win.out[0], win.out[1]);
        Ok(())
    }

    fn fc(&mut self, node: &Node) -> Result<(), ImportError> {
        let f = self.fmap(node, 0)?;
        if matches!(self.val(node, 1)?, Val::Fmap { .. }) {
            return Err(unsupported(
                node,
                "a product of two activations (attention's Q·K^T) is not in nnc's model yet".into(),
                "only products with weights (linear layers) are supported",
            ));
        }
        if int_attr(node, "transA", 0)? != 0 {
            return Err(unsupported(
                node,
                "transA = 1".into(),
                "export the linear layer without transposing its input",
            ));
        }
        let dims = self.weight_dims(node, 1)?;
        let trans_b = node.op == "Gemm" && int_attr(node, "transB", 0)? != 0;
        let (k, n) = match dims.as_slice() {
            [a, b] if trans_b => (*b, *a),
            [a, b] => (*a, *b),
            _ => {
                return Err(unsupported(
                    node,
                    format!("weights of shape {dims:?}: only matrices are supported"),
                    "a batched matmul over sequences is not supported yet",
                ));
            }
        };
        let elems = f.c.saturating_mul(f.h).saturating_mul(f.w);
        if k != elems || !(f.flat || (f.h == 1 && f.w == 1)) {
            return Err(unsupported(
                node,
                format!(
                    "weights of shape {dims:?} multiply an input of shape [{}, {}, {}]",
                    f.c, f.h, f.w
                ),
                "a linear layer must read a flattened feature map",
            ));
        }
        self.layer(node, format!("fc({}, {n})", f.expr), n, 1, 1);
        Ok(())
    }

    fn eltwise(&mut self, node: &Node) -> Result<(), ImportError> {
        let mut maps = Vec::new();
        let mut at = Vec::new();
        for (i, name) in node.inputs.iter().enumerate() {
            if name.is_empty() {
                continue;
            }
            if let Val::Fmap { .. } = self.val(node, i)? {
                maps.push(self.fmap(node, i)?);
                at.push(i);
            }
        }
        match maps.as_slice() {
            [] => Err(unsupported(
                node,
                "reads no feature map".into(),
                "check the graph with onnx.checker",
            )),
            [_] => {
                // A bias or a scale by a constant: element-wise, folded.
                let v = self.val(node, at[0])?.clone();
                self.fold(node, v);
                Ok(())
            }
            [first, rest @ ..] => {
                if let Some(o) = rest
                    .iter()
                    .find(|m| (m.c, m.h, m.w) != (first.c, first.h, first.w))
                {
                    return Err(unsupported(
                        node,
                        format!(
                            "feature maps of shapes [{}, {}, {}] and [{}, {}, {}]: broadcasting \
                             between feature maps is not in nnc's model",
                            first.c, first.h, first.w, o.c, o.h, o.w
                        ),
                        "element-wise layers need inputs of equal shapes",
                    ));
                }
                let args: Vec<&str> = maps.iter().map(|m| m.expr.as_str()).collect();
                let call = format!("eltwise({})", args.join(", "));
                self.layer(node, call, first.c, first.h, first.w);
                Ok(())
            }
        }
    }

    fn concat(&mut self, node: &Node) -> Result<(), ImportError> {
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 1,
        };
        let mut maps = Vec::new();
        for i in 0..node.inputs.len() {
            maps.push(self.fmap(node, i)?);
        }
        let Some(first) = maps.first() else {
            return Err(unsupported(node, "no inputs".into(), "check the graph"));
        };
        let rank4_channels = axis == 1 || axis == -3;
        if !rank4_channels
            || maps
                .iter()
                .any(|m| (m.h, m.w) != (first.h, first.w) || m.flat)
        {
            return Err(unsupported(
                node,
                format!("a concatenation on axis {axis}"),
                "only concatenation of equal-size feature maps on channels (axis 1) is supported",
            ));
        }
        let c = maps.iter().map(|m| m.c).sum();
        let args: Vec<&str> = maps.iter().map(|m| m.expr.as_str()).collect();
        let (h, w) = (first.h, first.w);
        self.set(
            node,
            Val::Fmap {
                expr: format!("concat({})", args.join(", ")),
                c,
                h,
                w,
                layer: false,
                flat: false,
                pad: [0; 4],
            },
        );
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

/// A window operator's geometry in both dimensions, in `.nn` terms.
struct Windows {
    stride: [u64; 2],
    out: [u64; 2],
    /// Symmetric padding the language's formula reproduces, else `None`
    /// (then `size:` gives the output).
    pad: Option<[u64; 2]>,
    floor: bool,
}

impl Windows {
    /// `extra` is padding from a `Pad` node before this one (top, left,
    /// bottom, right), added to the node's own.
    fn new(
        node: &Node,
        input: [u64; 2],
        extra: [u64; 4],
        kernel: [u64; 2],
        dilation: [i64; 2],
        ceil: bool,
    ) -> Result<Self, ImportError> {
        let strides = ints_attr(node, "strides", &[1, 1])?;
        let pads = ints_attr(node, "pads", &[0, 0, 0, 0])?;
        let auto = match node.attr("auto_pad") {
            Some(AttrValue::Str(s)) => s.clone(),
            _ => "NOTSET".to_owned(),
        };
        let bad = |what: String| unsupported(node, what, "check the graph with onnx.checker");
        if strides.len() != 2 || pads.len() != 4 {
            return Err(bad(format!(
                "strides {strides:?} and pads {pads:?} are not 2D"
            )));
        }
        let mut w = Windows {
            stride: [0; 2],
            out: [0; 2],
            pad: Some([0; 2]),
            floor: false,
        };
        for d in 0..2 {
            let s = u64::try_from(strides[d]).ok().filter(|&s| s > 0);
            let dl = u64::try_from(dilation[d]).ok().filter(|&x| x > 0);
            let (Some(s), Some(dl)) = (s, dl) else {
                return Err(bad(format!(
                    "stride {} or dilation {}",
                    strides[d], dilation[d]
                )));
            };
            let span = (kernel[d] - 1).saturating_mul(dl).saturating_add(1);
            let (pb, pe) = match auto.as_str() {
                "VALID" => (0, 0),
                "SAME_UPPER" | "SAME_LOWER" => {
                    let o = input[d].div_ceil(s);
                    let total = ((o - 1) * s + span).saturating_sub(input[d]);
                    let (lo, hi) = (total / 2, total - total / 2);
                    if auto == "SAME_UPPER" {
                        (lo, hi)
                    } else {
                        (hi, lo)
                    }
                }
                _ => {
                    let (a, b) = (pads[d], pads[d + 2]);
                    match (u64::try_from(a), u64::try_from(b)) {
                        (Ok(a), Ok(b)) => (a, b),
                        _ => return Err(bad(format!("negative pads {pads:?}"))),
                    }
                }
            };
            let (pb, pe) = (pb.saturating_add(extra[d]), pe.saturating_add(extra[d + 2]));
            let padded = input[d].saturating_add(pb).saturating_add(pe);
            if padded < span {
                return Err(bad(format!(
                    "a window of {span} is larger than the padded input of {padded}"
                )));
            }
            let mut o = if ceil {
                (padded - span).div_ceil(s) + 1
            } else {
                (padded - span) / s + 1
            };
            // ONNX: with ceil_mode, a last window that starts in the end
            // padding is dropped.
            if ceil && (o - 1) * s >= input[d] + pb {
                o -= 1;
            }
            let (lo, hi) = WindowMode::Exact.input_range(o, span, s);
            let (flo, fhi) = WindowMode::Floor.input_range(o, span, s);
            if !(lo..=hi).contains(&input[d]) {
                if (flo..=fhi).contains(&input[d]) {
                    w.floor = true;
                } else {
                    let derived = (o - 1) * s + span;
                    return Err(unsupported(
                        node,
                        format!(
                            "pads {pb}+{pe} around {} rows or columns for a window of {span}, \
                             stride {s}: the model reads (out - 1) * stride + window = {derived} \
                             of them and allows at most window - stride = {} to be padding",
                            input[d],
                            span.saturating_sub(s)
                        ),
                        "a .nn layer cannot express this either (docs/language.md#the-padding-rule); \
                         change the input size or the padding in the exported model",
                    ));
                }
            }
            let symmetric =
                pb == pe && (input[d] + 2 * pb).checked_sub(span).map(|x| x / s + 1) == Some(o);
            if let (Some(p), true) = (&mut w.pad, symmetric) {
                p[d] = pb;
            } else {
                w.pad = None;
            }
            w.stride[d] = s;
            w.out[d] = o;
        }
        Ok(w)
    }

    /// The `stride` (unless it is the operator's default), `pad` or `size`,
    /// and `mode` arguments.
    fn args(&self, call: &mut String, default_stride: [u64; 2]) {
        if self.stride != default_stride {
            let _ = write!(call, ", stride: {}", pair(self.stride[0], self.stride[1]));
        }
        match self.pad {
            Some([0, 0]) => {}
            Some([a, b]) => {
                let _ = write!(call, ", pad: {}", pair(a, b));
            }
            None => {
                let _ = write!(call, ", size: {}", pair(self.out[0], self.out[1]));
            }
        }
        if self.floor {
            call.push_str(", mode: floor");
        }
    }
}

fn konst(t: &Tensor) -> Val {
    Val::Const {
        dims: Some(t.dims.clone()),
        ints: t.ints.clone(),
    }
}

fn unsupported(node: &Node, what: String, help: &str) -> ImportError {
    ImportError::Node {
        node: node.label().to_owned(),
        op: node.op.clone(),
        what,
        help: help.to_owned(),
    }
}

fn int_attr(node: &Node, name: &str, default: i64) -> Result<u64, ImportError> {
    let v = match node.attr(name) {
        None => default,
        Some(AttrValue::Int(i)) => *i,
        Some(_) => {
            return Err(unsupported(
                node,
                format!("attribute `{name}` is not an integer"),
                "check the graph with onnx.checker",
            ));
        }
    };
    u64::try_from(v).map_err(|_| {
        unsupported(
            node,
            format!("attribute `{name}` is {v}"),
            "check the graph with onnx.checker",
        )
    })
}

fn ints_attr(node: &Node, name: &str, default: &[i64]) -> Result<Vec<i64>, ImportError> {
    match node.attr(name) {
        None => Ok(default.to_vec()),
        Some(AttrValue::Ints(v)) => Ok(v.clone()),
        Some(AttrValue::Int(0)) => Ok(default.to_vec()),
        Some(_) => Err(unsupported(
            node,
            format!("attribute `{name}` is not a list of integers"),
            "check the graph with onnx.checker",
        )),
    }
}

/// Channels, height and width of a data input `[N, C, H, W]`, `[N, C, L]`
/// (a 1D map: `L` x 1) or `[N, F]` (a vector: `F` x 1 x 1); `N` is the batch,
/// set by `--batch`.
fn data_shape(name: &str, dims: &[Dim]) -> Result<[u64; 3], ImportError> {
    let rest = dims.get(1..).unwrap_or(&[]);
    let mut v = Vec::new();
    for d in rest {
        match d {
            Dim::Value(x) if *x > 0 => v.push(*x as u64),
            _ => {
                let what = match d {
                    Dim::Free(p) if !p.is_empty() => format!("`{p}`"),
                    _ => "a dimension".to_owned(),
                };
                return Err(ImportError::FreeShape {
                    input: name.to_owned(),
                    what: format!("{what} of [{}] is not a fixed size", show_dims(dims)),
                });
            }
        }
    }
    match v.as_slice() {
        [c, h, w] => Ok([*c, *h, *w]),
        [c, l] => Ok([*c, *l, 1]),
        [f] => Ok([*f, 1, 1]),
        _ => Err(ImportError::FreeShape {
            input: name.to_owned(),
            what: format!(
                "a shape of rank {} is not a batch of feature maps",
                dims.len()
            ),
        }),
    }
}

/// Dims as the graph declares them: `batch, 3, height, width`.
fn show_dims(dims: &[Dim]) -> String {
    let v: Vec<String> = dims
        .iter()
        .map(|d| match d {
            Dim::Value(x) => x.to_string(),
            Dim::Free(p) if !p.is_empty() => p.clone(),
            Dim::Free(_) => "?".to_owned(),
        })
        .collect();
    v.join(", ")
}
