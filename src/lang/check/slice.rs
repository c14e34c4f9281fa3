//! Channel slices, `x[from:to]` (docs/language.md#channel-slices): a
//! source's channels `from` up to `to - 1`, as the parts of the value
//! they fall in. No layer: a consumer reads only those channels.

use super::{Checker, Part, Value};
use crate::ir::ChannelRange;
use crate::lang::ast::{Expr, Span};
use crate::lang::error::{ErrorKind, Operand};

impl<'a> Checker<'a> {
    /// `src[from:to]`; a bound left out is 0 or the source's channels.
    pub(super) fn slice(
        &mut self,
        span: Span,
        src: &'a Expr,
        from: Option<&'a Expr>,
        to: Option<&'a Expr>,
    ) -> Value {
        let v = self.eval(src);
        let parts = self.expect_src(v, src.span);
        let mut bound = |e: Option<&'a Expr>| match e {
            None => Some(None),
            Some(e) => {
                let v = self.eval_int(e);
                self.at_least(v, 0, "a channel number", Some(e.span))
                    .map(|b| Some((b, e.span)))
            }
        };
        let (from, to) = (bound(from), bound(to));
        let (Some(parts), Some(from), Some(to)) = (parts, from, to) else {
            return Value::Poison;
        };
        let channels: u64 = parts.iter().map(|p| p.channels).sum();
        let source = || match parts.as_slice() {
            [one] => one.operand(),
            _ => Operand {
                name: format!("concat of {}", parts.len()),
                def: src.span,
                channels,
                size: parts.first().map(|p| p.size).unwrap_or_default(),
            },
        };
        // `from` names a channel, `to` one past a channel.
        let past = [(from, channels, false), (to, channels + 1, true)]
            .into_iter()
            .find_map(|(b, limit, is_to)| b.filter(|(v, _)| *v >= limit).map(|b| (b, is_to)));
        if let Some(((bound, span), is_to)) = past {
            self.error(ErrorKind::SliceRange {
                span,
                source: source(),
                bound,
                is_to,
            });
            return Value::Poison;
        }
        let (from, to) = (from.map_or(0, |b| b.0), to.map_or(channels, |b| b.0));
        if to <= from {
            self.error(ErrorKind::EmptySlice {
                // The brackets, after the source.
                span: Span::new(src.span.end as usize, span.end as usize),
                source: source(),
                from,
                to,
            });
            return Value::Poison;
        }
        Value::Src(select(&parts, from, to))
    }
}

/// The parts holding channels `from..to` of the concatenation of `parts`,
/// each cut to the channels it holds of them.
fn select(parts: &[Part], from: u64, to: u64) -> Vec<Part> {
    let mut out = Vec::new();
    let mut offset = 0;
    for p in parts {
        let (lo, hi) = (from.max(offset), to.min(offset + p.channels));
        if lo < hi {
            // The part's channels, in its source's numbering.
            let base = p.range.map_or(0, |r| r.from);
            let range = ChannelRange {
                from: base + lo - offset,
                to: base + hi - offset,
            };
            let whole = p.range.is_none() && hi - lo == p.channels;
            out.push(Part {
                channels: hi - lo,
                range: if whole { None } else { Some(range) },
                ..p.clone()
            });
        }
        offset += p.channels;
    }
    out
}
