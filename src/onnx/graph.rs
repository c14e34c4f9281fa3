//! The parts of an ONNX model the importer reads (`onnx.proto`, IR version
//! 3 and later): the main graph's nodes, initializers, inputs and outputs
//! with their static shapes. Field numbers are those of `onnx.proto`.
//! Weight *data* is never needed: shapes come from initializer dims or,
//! for graphs exported without weights (`export_params=False`), from the
//! graph inputs' declared types.

use super::ImportError;
use super::proto::{Reader, Wire, push_ints, text};

/// One dimension of a declared tensor shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Dim {
    /// A fixed size.
    Value(i64),
    /// A named free size (`batch`, `N`), or an unnamed unknown one.
    Free(String),
}

/// A named tensor with a declared shape (`ValueInfoProto`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ValueInfo {
    /// The tensor's name.
    pub name: String,
    /// Its dimensions, if the graph declares a shape.
    pub dims: Option<Vec<Dim>>,
    /// Whether it holds integers or booleans (token ids, an attention
    /// mask), not values a layer computes with.
    pub integer: bool,
}

/// A constant tensor (`TensorProto`): its dims, and its integer values when
/// it holds 64- or 32-bit integers (a `Reshape` target, `Resize` sizes).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tensor {
    /// The tensor's name (initializers are referred to by it).
    pub name: String,
    /// Its dimensions.
    pub dims: Vec<i64>,
    /// Its values, for INT64 and INT32 tensors (from `int64_data`,
    /// `int32_data` or `raw_data`); empty otherwise.
    pub ints: Vec<i64>,
    /// Its values, for FLOAT tensors (`float_data` or `raw_data`).
    pub floats: Vec<f32>,
}

/// A node attribute's value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum AttrValue {
    /// `i`.
    Int(i64),
    /// `ints`.
    Ints(Vec<i64>),
    /// `f`.
    Float(f32),
    /// `s`.
    Str(String),
    /// `t`.
    Tensor(Tensor),
    /// Anything else (floats, graphs, ...): present but not read.
    Other,
}

/// One node of the graph (`NodeProto`).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Node {
    /// The node's name (may be empty).
    pub name: String,
    /// The operator, e.g. `Conv`.
    pub op: String,
    /// The operator's domain (empty for the default ONNX domain).
    pub domain: String,
    /// Input tensor names, in order (an empty name is an omitted input).
    pub inputs: Vec<String>,
    /// Output tensor names.
    pub outputs: Vec<String>,
    /// Attributes by name, in file order.
    pub attrs: Vec<(String, AttrValue)>,
}

impl Node {
    /// An attribute, if given.
    pub(crate) fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// How the node is named in messages: its name, else its first output.
    pub(crate) fn label(&self) -> &str {
        if self.name.is_empty() {
            self.outputs.first().map_or("", String::as_str)
        } else {
            &self.name
        }
    }
}

/// A model's main graph (`GraphProto`) and its default-domain opset.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Graph {
    /// The graph's name.
    pub name: String,
    /// Nodes, in the file's (topological) order.
    pub nodes: Vec<Node>,
    /// Constant tensors.
    pub initializers: Vec<Tensor>,
    /// Declared inputs (data and, in older exports, weights too).
    pub inputs: Vec<ValueInfo>,
    /// Declared outputs.
    pub outputs: Vec<ValueInfo>,
    /// Shapes of intermediate tensors, where the file gives them.
    pub value_info: Vec<ValueInfo>,
    /// The version of the default ONNX operator set, 0 if absent.
    pub opset: i64,
}

/// Decodes a serialized `ModelProto`.
pub(crate) fn decode_model(bytes: &[u8]) -> Result<Graph, ImportError> {
    let mut r = Reader::new(bytes);
    let mut graph = None;
    let mut opset = 0;
    while let Some((field, w)) = r.next_field()? {
        match (field, w) {
            (7, Wire::Bytes(b)) => graph = Some(decode_graph(r.nested(b, "graph"))?),
            (8, Wire::Bytes(b)) => {
                // OperatorSetIdProto: domain = 1, version = 2.
                let mut o = r.nested(b, "opset_import");
                let (mut domain, mut version) = (String::new(), 0);
                while let Some((f, w)) = o.next_field()? {
                    match (f, w) {
                        (1, Wire::Bytes(s)) => domain = text(s),
                        (2, Wire::Varint(v)) => version = v as i64,
                        _ => {}
                    }
                }
                if domain.is_empty() || domain == "ai.onnx" {
                    opset = version;
                }
            }
            _ => {}
        }
    }
    let mut g = graph
        .ok_or_else(|| ImportError::Malformed("no graph: this is not an ONNX model file".into()))?;
    g.opset = opset;
    Ok(g)
}

/// `GraphProto`, its repeated fields named with their index in the path
/// of an error (`graph.node[12]`).
fn decode_graph(mut r: Reader<'_>) -> Result<Graph, ImportError> {
    let mut g = Graph::default();
    while let Some((field, w)) = r.next_field()? {
        match (field, w) {
            (1, Wire::Bytes(b)) => {
                let n = r.nested(b, &format!("node[{}]", g.nodes.len()));
                g.nodes.push(decode_node(n)?);
            }
            (2, Wire::Bytes(b)) => g.name = text(b),
            (5, Wire::Bytes(b)) => {
                let t = r.nested(b, &format!("initializer[{}]", g.initializers.len()));
                g.initializers.push(decode_tensor(t)?);
            }
            (11..=13, Wire::Bytes(b)) => {
                let (name, list) = match field {
                    11 => ("input", &mut g.inputs),
                    12 => ("output", &mut g.outputs),
                    _ => ("value_info", &mut g.value_info),
                };
                let v = r.nested(b, &format!("{name}[{}]", list.len()));
                list.push(decode_value_info(v)?);
            }
            _ => {}
        }
    }
    Ok(g)
}

fn decode_node(mut r: Reader<'_>) -> Result<Node, ImportError> {
    let mut n = Node::default();
    while let Some((field, w)) = r.next_field()? {
        match (field, w) {
            (1, Wire::Bytes(b)) => n.inputs.push(text(b)),
            (2, Wire::Bytes(b)) => n.outputs.push(text(b)),
            (3, Wire::Bytes(b)) => n.name = text(b),
            (4, Wire::Bytes(b)) => n.op = text(b),
            (5, Wire::Bytes(b)) => {
                let a = r.nested(b, &format!("attribute[{}]", n.attrs.len()));
                n.attrs.push(decode_attr(a)?);
            }
            (7, Wire::Bytes(b)) => n.domain = text(b),
            _ => {}
        }
    }
    Ok(n)
}

fn decode_attr(mut r: Reader<'_>) -> Result<(String, AttrValue), ImportError> {
    let mut name = String::new();
    let (mut int, mut float, mut string, mut tensor) = (None, None, None, None);
    let mut ints = Vec::new();
    let mut other = false;
    while let Some((field, w)) = r.next_field()? {
        match (field, w) {
            (1, Wire::Bytes(b)) => name = text(b),
            (2, Wire::Fixed32(f)) => float = Some(f32::from_bits(f)),
            (3, Wire::Varint(v)) => int = Some(v as i64),
            (4, Wire::Bytes(b)) => string = Some(text(b)),
            (5, Wire::Bytes(b)) => tensor = Some(decode_tensor(r.nested(b, "t"))?),
            (8, w) => push_ints(&r, "ints", &mut ints, w)?,
            (6 | 7 | 9..=11 | 22, _) => other = true,
            _ => {}
        }
    }
    // Why this order: a writer sets exactly one value field (the `type`
    // field, 20, says which); the lists are checked first because an empty
    // scalar field is never written.
    let value = if !ints.is_empty() {
        AttrValue::Ints(ints)
    } else if let Some(t) = tensor {
        AttrValue::Tensor(t)
    } else if let Some(s) = string {
        AttrValue::Str(s)
    } else if let Some(f) = float {
        AttrValue::Float(f)
    } else if let Some(i) = int {
        AttrValue::Int(i)
    } else if other {
        AttrValue::Other
    } else {
        // An `int` of 0 or an empty list is written as no field at all.
        AttrValue::Int(0)
    };
    Ok((name, value))
}

/// ONNX's element types whose values the importer reads.
const FLOAT: i64 = 1;
const INT32: i64 = 6;
const INT64: i64 = 7;

fn decode_tensor(mut r: Reader<'_>) -> Result<Tensor, ImportError> {
    let mut t = Tensor::default();
    let mut data_type = 0;
    let mut raw: &[u8] = &[];
    while let Some((field, w)) = r.next_field()? {
        match (field, w) {
            (1, w) => push_ints(&r, "dims", &mut t.dims, w)?,
            (2, Wire::Varint(v)) => data_type = v as i64,
            (4, Wire::Bytes(b)) => t.floats.extend(
                b.chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            ),
            (4, Wire::Fixed32(f)) => t.floats.push(f32::from_bits(f)),
            (5, w) => push_ints(&r, "int32_data", &mut t.ints, w)?,
            (7, w) => push_ints(&r, "int64_data", &mut t.ints, w)?,
            (8, Wire::Bytes(b)) => t.name = text(b),
            (9, Wire::Bytes(b)) => raw = b,
            _ => {}
        }
    }
    if !raw.is_empty() {
        match data_type {
            INT64 => t.ints.extend(
                raw.chunks_exact(8)
                    .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])),
            ),
            INT32 => t.ints.extend(
                raw.chunks_exact(4)
                    .map(|c| i64::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]]))),
            ),
            FLOAT => t.floats.extend(
                raw.chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            ),
            _ => {}
        }
    }
    Ok(t)
}

fn decode_value_info(mut r: Reader<'_>) -> Result<ValueInfo, ImportError> {
    let mut v = ValueInfo::default();
    while let Some((field, w)) = r.next_field()? {
        match (field, w) {
            (1, Wire::Bytes(b)) => v.name = text(b),
            // TypeProto: tensor_type = 1 -> TypeProto.Tensor: shape = 2 ->
            // TensorShapeProto: dim = 1 -> Dimension: dim_value = 1,
            // dim_param = 2.
            (2, Wire::Bytes(b)) => {
                v.dims = tensor_dims(r.nested(b, "type"))?;
                v.integer = integer_type(r.nested(b, "type"))?;
            }
            _ => {}
        }
    }
    Ok(v)
}

/// Whether a `TypeProto`'s tensor holds integers or booleans: its
/// `elem_type` (field 1) is INT8..INT64 or UINT*, or BOOL (2..=7, 9, 12, 13).
fn integer_type(type_proto: Reader<'_>) -> Result<bool, ImportError> {
    let Some(mut r) = sub(type_proto, 1, "tensor_type")? else {
        return Ok(false);
    };
    while let Some((field, w)) = r.next_field()? {
        if let (1, Wire::Varint(t)) = (field, w) {
            return Ok(matches!(t, 2..=7 | 9 | 12 | 13));
        }
    }
    Ok(false)
}

fn tensor_dims(type_proto: Reader<'_>) -> Result<Option<Vec<Dim>>, ImportError> {
    let Some(tensor) = sub(type_proto, 1, "tensor_type")? else {
        return Ok(None);
    };
    let Some(mut r) = sub(tensor, 2, "shape")? else {
        return Ok(None);
    };
    let mut dims = Vec::new();
    while let Some((field, w)) = r.next_field()? {
        if let (1, Wire::Bytes(d)) = (field, w) {
            let mut dim = Dim::Free(String::new());
            let mut dr = r.nested(d, &format!("dim[{}]", dims.len()));
            while let Some((f, w)) = dr.next_field()? {
                match (f, w) {
                    (1, Wire::Varint(v)) => dim = Dim::Value(v as i64),
                    (2, Wire::Bytes(s)) => dim = Dim::Free(text(s)),
                    _ => {}
                }
            }
            dims.push(dim);
        }
    }
    Ok(Some(dims))
}

/// A reader of the first length-delimited field `number` of the message
/// `r` reads, named `name` in the path.
fn sub<'a>(mut r: Reader<'a>, number: u32, name: &str) -> Result<Option<Reader<'a>>, ImportError> {
    while let Some((field, w)) = r.next_field()? {
        if let (f, Wire::Bytes(s)) = (field, w)
            && f == number
        {
            return Ok(Some(r.nested(s, name)));
        }
    }
    Ok(None)
}
