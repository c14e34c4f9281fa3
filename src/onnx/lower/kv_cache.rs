//! A decode step's KV cache and grouped-query attention's shared heads
//! (docs/onnx.md#language-models): transformers exports a decode step with
//! the past keys and values of each layer as graph inputs (`[B, heads, L,
//! d]`), concatenated with the new token's before the attention's
//! products; and grouped-query attention repeats each key/value head for
//! its query heads (`repeat_kv`: `Unsqueeze`, `Expand`, `Reshape`). Both
//! become arguments of the `matmul` that reads them, `cache: L` and
//! `kv_groups: K` (docs/language.md#kv-cache-and-grouped-query-attention):
//! no copy, no layer.

use super::attrs::unsupported;
use super::tokens::{Axis, Seq};
use super::{Lowering, Val};
use crate::onnx::ImportError;
use crate::onnx::graph::{AttrValue, Node};

const CACHE_HELP: &str = "a KV cache input [batch, heads, L, d] is concatenated on its token \
                          axis with the new keys or values (transformers' use_cache=True), \
                          then read by the attention's products";

impl Lowering<'_> {
    /// Lowers a node that reads a KV cache input; `None` when it reads
    /// none.
    pub(super) fn kv_cache(&mut self, node: &Node) -> Option<Result<(), ImportError>> {
        let at =
            (0..node.inputs.len()).find(|&i| matches!(self.val(node, i), Ok(Val::Cache { .. })))?;
        let Ok(Val::Cache { heads, tokens, d }) = self.val(node, at).cloned() else {
            return None;
        };
        if node.op != "Concat" {
            return Some(Err(unsupported(
                node,
                format!("a `{}` of a KV cache", node.op),
                CACHE_HELP,
            )));
        }
        // A concatenation of the cache alone (DynamicCache's first update).
        if node.inputs.len() == 1 {
            let v = Val::Cache { heads, tokens, d };
            self.set(node, v);
            return Some(Ok(()));
        }
        Some(self.cache_concat(node, at, [heads, tokens, d]))
    }

    /// `Concat` of the cache and the new keys or values on the token axis:
    /// the new ones, with `L` tokens more in the cache.
    fn cache_concat(
        &mut self,
        node: &Node,
        at: usize,
        [heads, cached, d]: [u64; 3],
    ) -> Result<(), ImportError> {
        let axis = match node.attr("axis") {
            Some(AttrValue::Int(a)) => *a,
            _ => 0,
        };
        let new = if at == 0 { 1 } else { 0 };
        let s = match (node.inputs.len(), self.val(node, new)?) {
            (2, Val::Seq(s)) => s.clone(),
            _ => {
                return Err(unsupported(
                    node,
                    format!(
                        "a concatenation of a KV cache with {} inputs",
                        node.inputs.len()
                    ),
                    CACHE_HELP,
                ));
            }
        };
        let view = [Axis::Batch, Axis::Heads, Axis::Tokens, Axis::Head];
        let flat: Vec<Axis> = s.axes.iter().flatten().copied().collect();
        if at != 0 || !matches!(axis, 2 | -2) || flat != view || s.heads != heads || s.d != d {
            return Err(unsupported(
                node,
                format!(
                    "a concatenation on axis {axis} of a KV cache of {heads} heads of {d} and \
                     a sequence of {} heads of {} ({:?})",
                    s.heads, s.d, flat
                ),
                CACHE_HELP,
            ));
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set(
            node,
            Val::Seq(Seq {
                cached: s.cached.saturating_add(cached),
                layer: false,
                ..s
            }),
        );
        Ok(())
    }

    /// `Expand` of a sequence: a unit axis after the heads broadcast
    /// `r` times (grouped-query attention's `repeat_kv`), read by the
    /// products as each head shared by `r` query heads.
    pub(super) fn seq_expand(&mut self, node: &Node) -> Result<(), ImportError> {
        let s = self.seq(node, 0)?;
        let to = self.ints(node, 1).unwrap_or_default();
        let refuse = || {
            unsupported(
                node,
                format!("an expand of a sequence of axes {:?} to {to:?}", s.axes),
                "only grouped-query attention's repeat of each key/value head (a unit axis \
                 after the heads) can be expanded",
            )
        };
        if to.len() != s.axes.len() || s.share != 1 {
            return Err(refuse());
        }
        let mut axes = s.axes.clone();
        let mut share = 1;
        for (i, &t) in to.iter().enumerate() {
            if axes[i] == [Axis::Unit] && t > 1 && i > 0 && axes[i - 1] == [Axis::Heads] {
                share = u64::try_from(t).map_err(|_| refuse())?;
                axes[i] = vec![Axis::Repeat];
            }
        }
        if share == 1 {
            return Err(refuse());
        }
        *self.folded.entry(node.op.clone()).or_insert(0) += 1;
        self.set(
            node,
            Val::Seq(Seq {
                axes,
                share,
                layer: false,
                ..s
            }),
        );
        Ok(())
    }
}
