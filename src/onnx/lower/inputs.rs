//! The graph's inputs (docs/onnx.md#what-a-model-needs): the data inputs,
//! declared as the network's `input` and `extern`s, and the weights that a
//! graph exported without them (`export_params=False`) lists as inputs,
//! recorded as constants.

use super::{ELEMENTWISE, ImportOptions, Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{Dim, Tensor, ValueInfo};
use std::collections::HashSet;
use std::fmt::Write;

/// What the data inputs seen so far say about the others.
#[derive(Default)]
struct Seen {
    /// Whether no data input was declared yet.
    none: bool,
    /// Whether the first data input's batch is free.
    free_batch: bool,
    /// The first data input's rank.
    rank: Option<usize>,
}

impl Lowering<'_> {
    /// Declares the data inputs (`input`, then `extern`s) and records the
    /// constants; returns the declarations.
    pub(super) fn inputs(&mut self, options: &ImportOptions) -> Result<String, ImportError> {
        for t in &self.graph.initializers {
            self.vals.insert(t.name.clone(), konst(t));
        }
        let params = self.params();
        let mut out = String::new();
        let mut seen = Seen {
            none: true,
            ..Seen::default()
        };
        for v in &self.graph.inputs {
            if self.vals.contains_key(&v.name) {
                continue;
            }
            let dims: Vec<Dim> = v.dims.clone().unwrap_or_default();
            // Token ids, masks, a KV cache and embedding tables first:
            // the ids are read as a Gather's parameter.
            if let Some(val) = self.token_input(v, &dims) {
                self.vals.insert(v.name.clone(), val);
                continue;
            }
            if params.contains(&v.name) || self.is_shared(v, &dims, &seen) {
                let known = dims
                    .iter()
                    .map(|d| match d {
                        Dim::Value(x) => Some(*x),
                        Dim::Free(_) => None,
                    })
                    .collect::<Option<Vec<i64>>>();
                self.vals.insert(v.name.clone(), Val::shape_only(known));
                continue;
            }
            self.data_input(v, &dims, options, &mut seen, &mut out)?;
        }
        if seen.none && !self.vals.values().any(|v| matches!(v, Val::Ids { .. })) {
            return Err(ImportError::NoInput);
        }
        Ok(out)
    }

    /// Graph inputs read as parameters: every input of a node but its
    /// first, except of element-wise nodes and `Concat`, and a vector
    /// (rank 1) added or multiplied in, a bias or a scale (a linear layer
    /// on a token sequence exports as `MatMul` + `Add`).
    fn params(&self) -> HashSet<String> {
        let mut params = HashSet::new();
        let vectors: HashSet<&str> = self
            .graph
            .inputs
            .iter()
            .filter(|v| v.dims.as_ref().is_some_and(|d| d.len() <= 1))
            .map(|v| v.name.as_str())
            .collect();
        for n in &self.graph.nodes {
            if !ELEMENTWISE.contains(&n.op.as_str()) && n.op != "Concat" {
                params.extend(n.inputs.iter().skip(1).cloned());
            } else if ELEMENTWISE.contains(&n.op.as_str()) {
                // (torch writes `bias + x @ w` as often as `x @ w + bias`.)
                let bias = n.inputs.iter().filter(|i| vectors.contains(i.as_str()));
                params.extend(bias.cloned());
            }
        }
        params
    }

    /// Is `v` a weight although only element-wise nodes read it? A tensor
    /// of rank 0 or 1 has no batch dimension (a bias added to a map), and
    /// when the network input's batch is free, a tensor of a fixed first
    /// dimension is shared by the whole batch (a layer scale, a class
    /// token). torch.onnx writes both as graph inputs when exporting
    /// without weights.
    fn is_shared(&self, v: &ValueInfo, dims: &[Dim], seen: &Seen) -> bool {
        let fixed_first = matches!(dims.first(), Some(Dim::Value(_)));
        // In a fixed-batch export, a tensor of lower rank than the data
        // input that only element-wise nodes, `Expand` or `Concat` read
        // is a weight too (a position embedding, a class token); so is
        // one of a batch of 1 then, whatever its rank (Swin's relative
        // position bias, [1, heads, 49, 49]).
        let lower_rank = !seen.none && seen.rank.is_some_and(|r| dims.len() < r);
        let one = !seen.none && self.batch1 && matches!(dims.first(), Some(Dim::Value(1)));
        let broadcast = (lower_rank || one) && self.read_only_elementwise(&v.name);
        v.dims.is_some() && (dims.len() <= 1 || (seen.free_batch && fixed_first) || broadcast)
    }

    /// Declares the data input `v`: the network's `input` if it is the
    /// first, else an `extern`.
    fn data_input(
        &mut self,
        v: &ValueInfo,
        dims: &[Dim],
        options: &ImportOptions,
        seen: &mut Seen,
        out: &mut String,
    ) -> Result<(), ImportError> {
        let first = seen.none;
        let shape = match (first, options.input_shape) {
            (true, Some(s)) => s,
            _ => data_shape(&v.name, dims)?,
        };
        if first {
            seen.free_batch = matches!(dims.first(), Some(Dim::Free(_)));
            seen.rank = Some(dims.len());
            self.batch1 = matches!(dims.first(), Some(Dim::Value(1)));
        }
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
        seen.none = false;
        Ok(())
    }
}

/// A tensor of the graph as a constant: its dims and integer values.
pub(super) fn konst(t: &Tensor) -> Val {
    Val::Const {
        dims: Some(t.dims.clone()),
        ints: t.ints.clone(),
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
        [_, _, _, _] => Err(ImportError::Input {
            input: name.to_owned(),
            what: format!(
                "a 5-D input [{}] (video or volumes: a depth or time axis besides height \
                 and width)",
                show_dims(dims)
            ),
            help: "nnc models 2-D feature maps: a 3-D convolution would need a depth loop in \
                   the layer model, the mapping and the partitioning, which nnc does not have \
                   (a shape given with --input-shape does not change that); a 2-D model, or a \
                   video model exported frame by frame, imports"
                .to_owned(),
        }),
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
