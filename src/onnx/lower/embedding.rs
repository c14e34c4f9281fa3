//! Token ids and their embedding (docs/onnx.md#language-models): a language
//! model's graph input is integers, and the first thing it does is look
//! them up in a table (`Gather` of the ids from a `[vocabulary, C]`
//! weight). A lookup has no MACs, so its output, `T` tokens of `C` values,
//! is the network's input. Other integer inputs (an attention mask,
//! transformers' `logits_to_keep`) only steer masks and selections, which
//! fold.

use super::attrs::unsupported;
use super::tokens::{Axis, Seq};
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Dim, Node, ValueInfo};
use std::fmt::Write;

/// Operators that pass token ids through unchanged in meaning.
const KEEPS_IDS: &[&str] = &[
    "Reshape",
    "Flatten",
    "Cast",
    "Unsqueeze",
    "Squeeze",
    "Identity",
];

impl Lowering<'_> {
    /// What an integer graph input is, or a float one holding a KV cache:
    /// token ids when they reach the indices of a `Gather` (through
    /// reshapes), a cache when the graph has token ids and the input is
    /// `[B, heads, L, d]` read by a `Concat`, and else integers that only
    /// steer masks (a constant). `None` for a data input.
    pub(super) fn token_input(&self, v: &ValueInfo, dims: &[Dim]) -> Option<Val> {
        let fixed: Option<Vec<u64>> = dims
            .iter()
            .skip(1)
            .map(|d| match d {
                Dim::Value(x) => u64::try_from(*x).ok().filter(|&x| x > 0),
                Dim::Free(_) => None,
            })
            .collect();
        if v.integer {
            let tokens = fixed.as_deref().and_then(|f| match f {
                [t] => Some(*t),
                _ => None,
            });
            return Some(match (tokens, self.indexes_a_table(&v.name)) {
                (Some(tokens), true) => Val::Ids {
                    input: v.name.clone(),
                    tokens,
                    batch1: matches!(dims.first(), Some(Dim::Value(1))),
                },
                _ => Val::shape_only(None),
            });
        }
        let has_ids = self.graph.inputs.iter().any(|i| i.integer);
        if has_ids && self.is_table(&v.name) {
            let known = dims
                .iter()
                .map(|d| match d {
                    Dim::Value(x) => Some(*x),
                    Dim::Free(_) => None,
                })
                .collect();
            return Some(Val::shape_only(known));
        }
        let concatenated = self
            .graph
            .nodes
            .iter()
            .any(|n| n.op == "Concat" && n.inputs.contains(&v.name));
        match fixed.as_deref() {
            Some(&[heads, tokens, d]) if has_ids && concatenated => {
                Some(Val::Cache { heads, tokens, d })
            }
            _ => None,
        }
    }

    /// Whether `name` is a table in a graph of token ids: input 0 of a
    /// `Gather` (the token embedding, and the position embedding indexed
    /// by constants).
    fn is_table(&self, name: &str) -> bool {
        self.graph
            .nodes
            .iter()
            .any(|n| n.op == "Gather" && n.inputs.first().is_some_and(|t| t == name))
    }

    /// Whether only element-wise nodes, `Expand` and `Concat` read `name`.
    pub(super) fn read_only_elementwise(&self, name: &str) -> bool {
        self.graph
            .nodes
            .iter()
            .filter(|n| n.inputs.iter().any(|i| i == name))
            .all(|n| {
                super::ELEMENTWISE.contains(&n.op.as_str())
                    || matches!(n.op.as_str(), "Expand" | "Concat" | "Identity" | "Cast")
            })
    }

    /// Whether the values of `name` reach the indices of a `Gather`
    /// (through reshapes and casts).
    fn indexes_a_table(&self, name: &str) -> bool {
        let mut reach = vec![name.to_owned()];
        for n in &self.graph.nodes {
            let reads = |i: usize| n.inputs.get(i).is_some_and(|x| reach.contains(x));
            if n.op == "Gather" && reads(1) && !reads(0) {
                return true;
            }
            if KEEPS_IDS.contains(&n.op.as_str()) && reads(0) {
                reach.extend(n.outputs.iter().cloned());
            }
        }
        false
    }

    /// Lowers a node that reads token ids; `None` when it reads none.
    pub(super) fn token_ids(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let at =
            (0..node.inputs.len()).find(|&i| matches!(self.val(node, i), Ok(Val::Ids { .. })))?;
        let Ok(ids) = self.val(node, at).cloned() else {
            return None;
        };
        let op = node.op.as_str();
        if at == 0 && KEEPS_IDS.contains(&op) {
            self.set(node, ids);
            return Some(Ok(()));
        }
        if op == "Gather" && at == 1 {
            return Some(self.embedding(node, &ids));
        }
        // A mask or a selection computed from the ids: no feature map.
        for o in &node.outputs {
            self.vals.insert(o.clone(), Val::shape_only(None));
        }
        Some(Ok(()))
    }

    /// `Gather` of token ids from a `[vocabulary, C]` table: the network's
    /// input, `C` channels over the tokens. A second lookup (token types,
    /// a second table) is added element-wise to the first: folded.
    fn embedding(&mut self, node: &Node, ids: &Val) -> Result<(), ImportError> {
        let Val::Ids {
            input,
            tokens,
            batch1,
        } = ids
        else {
            return Err(unsupported(node, "no token ids".into(), "check the graph"));
        };
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let table = match self.val(node, 0)? {
            Val::Const { dims: Some(d), .. } => d.clone(),
            _ => Vec::new(),
        };
        let (0, [vocab, c]) = (axis, table.as_slice()) else {
            return Err(unsupported(
                node,
                format!("a lookup of token ids on axis {axis} of a table of shape {table:?}"),
                "token ids are looked up in a [vocabulary, channels] table on axis 0 \
                 (nn.Embedding); export the model's embedding as such",
            ));
        };
        let Ok(c) = u64::try_from(*c) else {
            return Err(unsupported(
                node,
                format!("a table of shape {table:?}"),
                "check the graph",
            ));
        };
        if self.embedded {
            *self.folded.entry("Gather".into()).or_insert(0) += 1;
            self.set(node, Val::shape_only(None));
            return Ok(());
        }
        self.embedded = true;
        let name = self.fresh(&format!("{input}_embedded"));
        let _ = writeln!(
            self.header,
            "# note: the token embedding `{}` (a lookup of `{input}` in a {vocab} x {c} table, \
             no MACs) is the network's input\ninput {name} [{c}, {tokens}, 1]",
            node.label()
        );
        *self.folded.entry("Gather".into()).or_insert(0) += 1;
        let axes = vec![vec![Axis::Batch], vec![Axis::Tokens], vec![Axis::Channels]];
        let seq = Seq::plain(name, false, (*tokens, 1), c, axes, *batch1);
        self.set(node, Val::Seq(seq));
        Ok(())
    }
}
