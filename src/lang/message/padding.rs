//! The wording of E016, the padding rule ([`padding_rule`]): what a
//! layer's windows read against what its source is, why the rule refuses
//! it, and the fixes that work (docs/language.md#the-padding-rule).

use crate::diag::{Diagnostic, Span};
use crate::ir::{Dim2, WindowMode};
use crate::lang::error::{Choice, Fixes, Operand};

/// The window of a layer that breaks the padding rule.
#[derive(Clone, Copy)]
pub(super) struct Window {
    pub(super) ofmap: Dim2,
    pub(super) kernel: Dim2,
    pub(super) stride: Dim2,
    pub(super) mode: WindowMode,
}

/// How a source misses the accepted sizes in one dimension.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Misfit {
    Fits,
    /// Smaller than the windows read: `needed` rows of padding in all,
    /// where the rule allows `allowed`.
    Padding {
        needed: u64,
        allowed: u64,
    },
    /// Larger than the windows read: `rows` past the last window, where
    /// the rule allows `allowed`.
    Unread {
        rows: u64,
        allowed: u64,
    },
}

impl Misfit {
    fn of(input: u64, ofmap: u64, kernel: u64, stride: u64, mode: WindowMode) -> Misfit {
        let (lo, hi) = mode.input_range(ofmap, kernel, stride);
        let reads = reads(ofmap, kernel, stride);
        if input < lo {
            Misfit::Padding {
                needed: reads - input,
                allowed: reads - lo,
            }
        } else if input > hi {
            Misfit::Unread {
                rows: input - reads,
                allowed: hi - reads,
            }
        } else {
            Misfit::Fits
        }
    }
}

/// The rows a window reads in one dimension, `(ofmap - 1) * stride +
/// kernel` (the derived input).
fn reads(ofmap: u64, kernel: u64, stride: u64) -> u64 {
    kernel.saturating_add(ofmap.saturating_sub(1).saturating_mul(stride))
}

/// `1 row`, `2 columns`.
fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// "2 rows and 2 columns", or "2 rows" alone.
fn amount(n: u64, what: &str) -> String {
    match what.split_once(" and ") {
        Some((a, b)) => format!("{} and {}", count(n, a), count(n, b)),
        None => count(n, what),
    }
}

/// E016: what the windows read against what the source is, why the rule
/// refuses it, and the fixes that work.
pub(super) fn padding_rule(
    d: Diagnostic,
    span: Span,
    source: &Operand,
    w: Window,
    fixes: &Fixes,
) -> Diagnostic {
    let input = source.size;
    let h = Misfit::of(input.h, w.ofmap.h, w.kernel.h, w.stride.h, w.mode);
    let v = Misfit::of(input.w, w.ofmap.w, w.kernel.w, w.stride.w, w.mode);
    let square = h == v && w.kernel.h == w.kernel.w && w.stride.h == w.stride.w;
    let dims: Vec<(Misfit, &str, u64, u64)> = if square {
        vec![(h, "row and column", w.kernel.h, w.stride.h)]
    } else {
        [
            (h, "row", w.kernel.h, w.stride.h),
            (v, "column", w.kernel.w, w.stride.w),
        ]
        .into_iter()
        .filter(|(m, ..)| *m != Misfit::Fits)
        .collect()
    };
    let clauses: Vec<String> = dims
        .iter()
        .map(|&(m, what, ..)| match m {
            Misfit::Padding { needed, .. } => {
                format!("needing {} of padding", amount(needed, what))
            }
            Misfit::Unread { rows, .. } => format!("leaving {} unread", amount(rows, what)),
            Misfit::Fits => String::new(),
        })
        .collect();
    let reads = Dim2::new(
        reads(w.ofmap.h, w.kernel.h, w.stride.h),
        reads(w.ofmap.w, w.kernel.w, w.stride.w),
    );
    let mut d = d
        .primary(
            span,
            format!(
                "an output of {} reads {reads}, {}",
                w.ofmap,
                clauses.join(" and ")
            ),
        )
        .secondary(source.def, format!("`{}` is {}", source.name, input));
    for &(m, what, k, s) in &dims {
        if let Some(note) = rule_note(m, what, k, s, w.mode) {
            d = d.note(note);
        }
    }
    fix_helps(d, &dims, fixes)
}

/// Why the rule refuses one dimension's misfit (`what`: "row", "column" or
/// both) with a kernel of `k` and a stride of `s`; `None` when it fits.
fn rule_note(m: Misfit, what: &str, k: u64, s: u64, mode: WindowMode) -> Option<String> {
    let note = match m {
        Misfit::Padding { allowed, .. } if !mode.is_exact() => format!(
            "`mode: floor` allows at most {} of padding in all: half the kernel, {k}, on \
                 each side, as PyTorch does",
            amount(allowed, what)
        ),
        Misfit::Padding { allowed: 0, .. } => format!(
            "the padding rule allows no padding here: the stride, {s}, is not smaller than \
                 the kernel, {k}"
        ),
        Misfit::Padding { allowed, .. } => format!(
            "the padding rule allows at most {} of padding in all: the kernel, {k}, less \
                 the stride, {s}",
            amount(allowed, what)
        ),
        Misfit::Unread { allowed, .. } if !mode.is_exact() => format!(
            "`mode: floor` leaves at most {} unread: fewer than the stride, {s}",
            amount(allowed, what)
        ),
        Misfit::Unread { allowed: 0, .. } => format!(
            "the padding rule leaves no {} unread: the stride, {s}, is not larger than the \
                 kernel, {k}",
            what.replace(" and ", " or ")
        ),
        Misfit::Unread { allowed, .. } => format!(
            "the padding rule leaves at most {} unread: the stride, {s}, less the kernel, {k}",
            amount(allowed, what)
        ),
        Misfit::Fits => return None,
    };
    Some(note)
}

/// The fixes that work, as helps: `mode: floor`, a `pad` or a `size`.
fn fix_helps(mut d: Diagnostic, dims: &[(Misfit, &str, u64, u64)], fixes: &Fixes) -> Diagnostic {
    if fixes.floor {
        let short = dims
            .iter()
            .any(|(m, ..)| matches!(m, Misfit::Padding { .. }));
        let long = dims
            .iter()
            .any(|(m, ..)| matches!(m, Misfit::Unread { .. }));
        d = d.help(match (short, long) {
            (true, false) => {
                "add `mode: floor` to allow up to half the kernel of padding on each side, as \
                 PyTorch and ONNX do"
            }
            (true, true) => {
                "add `mode: floor` to allow up to half the kernel of padding on each side and \
                 leave rows past the last window unread, as PyTorch and ONNX do"
            }
            _ => {
                "add `mode: floor` to leave them unread, as PyTorch does by default \
                 (`ceil_mode=False`)"
            }
        });
    }
    for (key, choice) in [("pad", &fixes.pad), ("size", &fixes.size)] {
        if let Some(c) = choice {
            let with = if c.floor { " with `mode: floor`" } else { "" };
            d = d.help(format!("use {}{with}", choice_text(key, c)));
        }
    }
    d
}

/// `` `pad: 1` ``, `` `pad: 0` or `pad: 1` ``, `` any `pad` from 0 to 3 ``,
/// `` `pad: (1, 0)` ``.
fn choice_text(key: &str, c: &Choice) -> String {
    if c.h != c.w {
        return format!("`{key}: ({}, {})`", c.h.0, c.w.0);
    }
    let (lo, hi) = c.h;
    match hi - lo {
        0 => format!("`{key}: {lo}`"),
        1 => format!("`{key}: {lo}` or `{key}: {hi}`"),
        _ => format!("any `{key}` from {lo} to {hi}"),
    }
}
