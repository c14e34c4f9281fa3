//! The wording of E045 and E046: a channel slice `x[from:to]` that reads
//! past its source's channels, or no channel at all
//! (docs/language.md#channel-slices).

use crate::diag::{Diagnostic, Span};
use crate::lang::error::Operand;

/// The source and its channels, as a secondary label says it.
fn describe(o: &Operand) -> String {
    format!("`{}` has {} channels over {}", o.name, o.channels, o.size)
}

const READS: &str = "`[from:to]` reads channels `from` up to `to - 1`, numbered from 0";

/// E045: `from` at or past the source's channel count, or `to` past it.
pub(super) fn slice_range(
    d: Diagnostic,
    span: Span,
    source: &Operand,
    bound: u64,
    is_to: bool,
) -> Diagnostic {
    let c = source.channels;
    let label = if is_to {
        format!("`to` is at most {c}, the channels of `{}`", source.name)
    } else {
        format!(
            "`{}` has no channel {bound}: its last is {}",
            source.name,
            c.saturating_sub(1)
        )
    };
    d.primary(span, label)
        .secondary(source.def, describe(source))
        .note(READS)
        .help(format!("`[0:{c}]` reads all of its channels"))
}

/// E046: a slice whose `to` is not above its `from`.
pub(super) fn empty_slice(
    d: Diagnostic,
    span: Span,
    source: &Operand,
    [from, to]: [u64; 2],
) -> Diagnostic {
    d.primary(span, format!("`[{from}:{to}]` reads no channel"))
        .secondary(source.def, describe(source))
        .note(READS)
        .help(format!(
            "`to` must be above `from`: `[{from}:{}]` reads channel {from} alone",
            from + 1
        ))
}
