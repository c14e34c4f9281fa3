//! The wording of E044: a `matmul` whose `window` does not fit its
//! operands (docs/language.md#window-attention).

use crate::diag::{Diagnostic, Span};
use crate::ir::Dim2;
use crate::lang::error::{Operand, WindowMisfit};

/// E044: which size the window misses, and what would fit.
pub(super) fn window_attention(
    d: Diagnostic,
    span: Span,
    [a, b]: [&Operand; 2],
    window: Dim2,
    groups: u64,
    why: WindowMisfit,
) -> Diagnostic {
    let tokens = window.size();
    let describe =
        |o: &Operand| format!("`{}` has {} channels over {}", o.name, o.channels, o.size);
    let (label, help) = match why {
        WindowMisfit::NotDividing => (
            format!("{window} windows do not tile {}", a.size),
            format!(
                "the window must divide the tokens' fmap, {}, in both dimensions (Swin pads \
                 the map to a multiple of its window first)",
                a.size
            ),
        ),
        WindowMisfit::OperandSize => (
            format!("the second operand is {}, the first {}", b.size, a.size),
            "with `window`, both operands are the same fmap of tokens: each window of the \
             first meets the same window of the second"
                .to_owned(),
        ),
        WindowMisfit::Contracted { per_group } => (
            format!("a window has {tokens} tokens, where {per_group} are contracted"),
            format!(
                "with `contract: tokens` and `window`, a window's tokens ({window} = {tokens}) \
                 must equal the first operand's channels per group, {} / {groups} = {per_group}",
                a.channels
            ),
        ),
        WindowMisfit::Cache => (
            "a window attention with a KV cache".to_owned(),
            "a decode step's cache is read whole by its one token: give `cache` or `window`, \
             not both"
                .to_owned(),
        ),
    };
    d.primary(span, label)
        .secondary(a.def, describe(a))
        .secondary(b.def, describe(b))
        .help(help)
}
