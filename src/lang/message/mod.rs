//! The wording of every diagnostic: [`ErrorKind::diagnostic`] turns the
//! facts of a problem (`error.rs`) into a message, labels and notes. The
//! checker only passes short phrases as facts (`what` overflows, which
//! limit was hit); sentences, labels and help lines are written here, the
//! padding rule's in `padding.rs`, a window attention's in `window.rs`,
//! a channel slice's in `slice.rs`.

mod padding;
mod slice;
mod window;

use super::builtin::Builtin;
use super::error::{ErrorKind, HeaderProblem, Operand, OutProblem, ValueKind};
use crate::diag::{Diagnostic, Span};
use padding::{Window, padding_rule};

impl ValueKind {
    fn phrase(self) -> &'static str {
        match self {
            ValueKind::Int => "an integer",
            ValueKind::Pair => "a pair",
            ValueKind::Layer => "a layer",
            ValueKind::IntOrPair => "an integer or a pair `(h, w)`",
            ValueKind::Instance => "a block instance with several outputs",
        }
    }
}

fn operator_names() -> Vec<String> {
    Builtin::ALL.iter().map(|b| b.name().to_string()).collect()
}

fn did_you_mean(d: Diagnostic, suggestion: &Option<String>) -> Diagnostic {
    match suggestion {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d,
    }
}

fn words(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => "none".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl ErrorKind {
    /// The diagnostic that explains this problem: all wording lives here,
    /// one method per group of codes.
    pub fn diagnostic(&self) -> Diagnostic {
        let code = self.code();
        let new = |msg: String| Diagnostic::new(code, msg);
        match self {
            ErrorKind::Syntax { .. }
            | ErrorKind::Unclosed { .. }
            | ErrorKind::Mismatched { .. }
            | ErrorKind::BadNumber { .. } => self.syntax(&new),
            ErrorKind::UnknownName { .. }
            | ErrorKind::UnknownCallee { .. }
            | ErrorKind::UnknownKeyword { .. }
            | ErrorKind::Duplicate { .. }
            | ErrorKind::UseBeforeDef { .. }
            | ErrorKind::Recursion { .. }
            | ErrorKind::UnknownMember { .. } => self.names(&new),
            ErrorKind::ChannelMismatch { .. }
            | ErrorKind::SizeMismatch { .. }
            | ErrorKind::KernelTooLarge { .. }
            | ErrorKind::OutOfRange { .. }
            | ErrorKind::PaddingRule { .. }
            | ErrorKind::GroupsDivide { .. } => self.shapes(&new),
            ErrorKind::MatmulSizes { .. }
            | ErrorKind::KvGroupsDivide { .. }
            | ErrorKind::WindowAttention { .. }
            | ErrorKind::SliceRange { .. }
            | ErrorKind::EmptySlice { .. }
            | ErrorKind::Overflow { .. }
            | ErrorKind::DivByZero { .. } => self.operands(&new),
            ErrorKind::ArgCount { .. }
            | ErrorKind::WrongKind { .. }
            | ErrorKind::RepeatedKeyword { .. }
            | ErrorKind::RepeatZero { .. }
            | ErrorKind::MissingArg { .. }
            | ErrorKind::PositionalAfterKeyword { .. } => self.arguments(&new),
            ErrorKind::NoInput { .. }
            | ErrorKind::TwoInputs { .. }
            | ErrorKind::Header { .. }
            | ErrorKind::NotAllowedHere { .. }
            | ErrorKind::NestedCall { .. }
            | ErrorKind::MultiOutput { .. }
            | ErrorKind::BadOut { .. }
            | ErrorKind::BadRepeat { .. } => self.structure(&new),
            ErrorKind::Limit { .. }
            | ErrorKind::Conflict { .. }
            | ErrorKind::Reserved { .. }
            | ErrorKind::Unsupported { .. }
            | ErrorKind::NoLayers { .. }
            | ErrorKind::LongTuple { .. }
            | ErrorKind::BadChoice { .. }
            | ErrorKind::BadShape { .. } => self.limits_and_values(&new),
            ErrorKind::UnusedLayer { .. }
            | ErrorKind::UnusedInput { .. }
            | ErrorKind::UnusedBlock { .. } => self.unused(&new),
        }
    }

    /// A problem handed to the wrong group's wording: a bug, reported as
    /// one rather than a panic.
    fn misrouted(&self, group: &str) -> Diagnostic {
        Diagnostic::internal(format!("{:?} worded as {group}", self.code()))
    }

    /// E001–E004: text that does not parse.
    fn syntax(&self, new: &dyn Fn(String) -> Diagnostic) -> Diagnostic {
        match self {
            ErrorKind::Syntax {
                span,
                found,
                expected,
            } => new(format!("unexpected {found}")).primary(*span, format!("expected {expected}")),
            ErrorKind::Unclosed { open, delim, eof } => new(format!("unclosed `{delim}`"))
                .primary(*open, "this delimiter is never closed")
                .secondary(*eof, "the file ends here"),
            ErrorKind::Mismatched { close, found, open } => match open {
                Some((span, o)) => new(format!("mismatched closing `{found}`"))
                    .primary(
                        *close,
                        format!("expected the `{}` of this `{o}`", closer(*o)),
                    )
                    .secondary(*span, "opened here"),
                None => new(format!("unexpected closing `{found}`"))
                    .primary(*close, "nothing is open here"),
            },
            ErrorKind::BadNumber {
                span,
                text,
                fraction,
            } => {
                let d = new(format!("invalid number `{text}`"));
                if *fraction {
                    d.primary(*span, "numbers are integers")
                } else {
                    d.primary(*span, "too large")
                        .note(format!("numbers go up to {}", i64::MAX))
                }
            }
            other => other.misrouted("a syntax error"),
        }
    }

    /// E005–E011: names that do not resolve.
    fn names(&self, new: &dyn Fn(String) -> Diagnostic) -> Diagnostic {
        match self {
            ErrorKind::UnknownName {
                name,
                span,
                suggestion,
                outside_block,
            } => {
                let d = new(format!("unknown name `{name}`")).primary(*span, "not defined here");
                let d = match outside_block {
                    Some(def) => d
                        .secondary(*def, "a top-level layer, not visible in blocks")
                        .help(
                            "a block sees only its parameters, its own definitions and top-level \
                         `let`s; pass the layer as a parameter",
                        ),
                    None => d,
                };
                did_you_mean(d, suggestion)
            }
            ErrorKind::UnknownCallee {
                name,
                span,
                suggestion,
            } => did_you_mean(
                new(format!("unknown operator or block `{name}`"))
                    .primary(*span, "no such operator or block")
                    .note(format!("the operators are {}", words(&operator_names()))),
                suggestion,
            ),
            ErrorKind::UnknownKeyword {
                keyword,
                span,
                callee,
                suggestion,
                valid,
            } => {
                let d = new(format!("`{callee}` has no argument `{keyword}`"))
                    .primary(*span, "unknown argument");
                let d = did_you_mean(d, suggestion);
                if suggestion.is_none() {
                    d.note(format!("`{callee}` takes {}", words(valid)))
                } else {
                    d
                }
            }
            ErrorKind::Duplicate { name, span, first } => new(format!("`{name}` is defined twice"))
                .primary(*span, "defined again here")
                .secondary(*first, "first defined here")
                .help("names are unique in their scope; rename one of them"),
            ErrorKind::UseBeforeDef { name, span, def } => {
                new(format!("`{name}` is used before its definition"))
                    .primary(*span, "used here")
                    .secondary(*def, "defined here, later")
                    .help("layers are defined in order; move the definition up")
            }
            ErrorKind::Recursion { span, chain } => {
                let first = chain.first().cloned().unwrap_or_default();
                let d = new(format!("block `{first}` instantiates itself"))
                    .primary(*span, "recursive instance");
                if chain.len() > 2 {
                    d.note(format!("the cycle is {}", chain.join(" -> ")))
                } else {
                    d
                }
            }
            ErrorKind::UnknownMember {
                member,
                span,
                base,
                suggestion,
                members,
            } => {
                let d = new(format!("`{base}` has no layer or output `{member}`"))
                    .primary(*span, "unknown member");
                let d = did_you_mean(d, suggestion);
                match members.len() {
                    0 => d.note(format!("`{base}` is not a block instance")),
                    1..=12 => d.note(format!("`{base}` has {}", words(members))),
                    _ => d,
                }
            }
            other => other.misrouted("a name error"),
        }
    }

    /// E012–E016, E041: inputs and windows whose shapes do not fit.
    fn shapes(&self, new: &dyn Fn(String) -> Diagnostic) -> Diagnostic {
        match self {
            ErrorKind::ChannelMismatch { span, op, inputs } => {
                let mut d = new("input channels do not match".into());
                for i in inputs {
                    d = d.secondary(i.def, format!("`{}` has {} channels", i.name, i.channels));
                }
                let what = match op {
                    Builtin::Scale => "`scale` needs one factor per channel".to_owned(),
                    _ => format!("{} inputs must have equal channels", op.name()),
                };
                let mut d = d.primary(*span, what);
                d.labels.rotate_right(1);
                d
            }
            ErrorKind::SizeMismatch { span, op, inputs } => {
                let what = match op {
                    Builtin::Scale => "`scale`'s factors must be a 1x1 fmap".to_owned(),
                    _ => format!("{} inputs must have equal fmap sizes", op.name()),
                };
                let mut d = new("fmap sizes do not match".into()).primary(*span, what);
                for i in inputs {
                    d = d.secondary(i.def, format!("`{}` is {}", i.name, i.size));
                }
                d
            }
            ErrorKind::KernelTooLarge {
                span,
                kernel,
                padded,
                input,
            } => new("kernel larger than the padded input".into())
                .primary(
                    *span,
                    format!("kernel {kernel} does not fit in the {input} input padded to {padded}"),
                )
                .note("the output size would be below 1"),
            ErrorKind::OutOfRange {
                span,
                what,
                value,
                min,
            } => {
                let bound = if *min == 0 {
                    "must not be negative".to_string()
                } else {
                    format!("must be at least {min}")
                };
                new(format!("{what} {bound}")).primary(*span, format!("this is {value}"))
            }
            ErrorKind::PaddingRule {
                span,
                source,
                ofmap,
                kernel,
                stride,
                mode,
                fixes,
            } => padding_rule(
                new("input size breaks the padding rule".into()),
                *span,
                source,
                Window {
                    ofmap: *ofmap,
                    kernel: *kernel,
                    stride: *stride,
                    mode: *mode,
                },
                fixes,
            ),
            ErrorKind::GroupsDivide {
                span,
                groups,
                nifm,
                nofm,
            } => {
                let common = gcd(*nifm, *nofm);
                new(format!("{groups} groups do not divide the channels"))
                    .primary(
                        *span,
                        format!("{nifm} input and {nofm} output channels cannot split into {groups} equal groups"),
                    )
                    .note("each group convolves `input / groups` channels to `output / groups`")
                    .help(format!("`groups` must divide {common}, the largest count dividing both (depthwise is `groups:` the input channels)"))
            }
            other => other.misrouted("a shape error"),
        }
    }

    /// E042–E046, E017, E018: operands that do not agree, channel slices,
    /// and arithmetic.
    fn operands(&self, new: &dyn Fn(String) -> Diagnostic) -> Diagnostic {
        match self {
            ErrorKind::MatmulSizes {
                span,
                a,
                b,
                groups,
                contract,
                kv_groups,
                cache,
            } => matmul_sizes(
                new(MATMUL_SIZES.into()),
                *span,
                [a, b],
                *groups,
                contract,
                [*kv_groups, *cache],
            ),
            ErrorKind::KvGroupsDivide {
                span,
                groups,
                kv_groups,
            } => new(format!("{kv_groups} key/value groups do not divide {groups} groups"))
                .primary(
                    *span,
                    format!("{groups} groups cannot share {kv_groups} groups of the second operand equally"),
                )
                .note("with grouped-query attention, each of the `kv_groups` groups of the second operand is read by `groups / kv_groups` groups of the first")
                .help(format!("`kv_groups` must divide `groups`, {groups} (multi-head attention: `kv_groups` equal to `groups`, or left out)")),
            ErrorKind::WindowAttention {
                span,
                a,
                b,
                window,
                groups,
                why,
            } => window::window_attention(
                new("the windows of a window attention do not fit".into()),
                *span,
                [a, b],
                *window,
                *groups,
                *why,
            ),
            ErrorKind::SliceRange {
                span,
                source,
                bound,
                is_to,
            } => slice::slice_range(
                new("channel slice past its source's channels".into()),
                *span,
                source,
                *bound,
                *is_to,
            ),
            ErrorKind::EmptySlice {
                span,
                source,
                from,
                to,
            } => slice::empty_slice(
                new("channel slice of no channel".into()),
                *span,
                source,
                [*from, *to],
            ),
            ErrorKind::Overflow { span, what } => {
                new("integer overflow".into()).primary(*span, format!("{what} does not fit"))
            }
            ErrorKind::DivByZero { span } => {
                new("division by zero".into()).primary(*span, "this divisor is 0")
            }
            other => other.misrouted("an operand error"),
        }
    }

    /// E019–E024: arguments of a call.
    fn arguments(&self, new: &dyn Fn(String) -> Diagnostic) -> Diagnostic {
        match self {
            ErrorKind::ArgCount {
                span,
                callee,
                expected,
                found,
            } => {
                let s = if *found == 1 { "" } else { "s" };
                let takes = if expected == "1" {
                    "1 positional argument".to_owned()
                } else {
                    format!("{expected} positional arguments")
                };
                let d = new(format!("`{callee}` takes {takes}"))
                    .primary(*span, format!("{found} positional argument{s} given"));
                match Builtin::from_name(callee) {
                    Some(Builtin::Scale) => {
                        d.help("`scale(x, s)` reads a fmap and its factors, one per channel")
                    }
                    Some(b) if b.is_folded() => d.help(format!(
                        "`{callee}` reads one source; write one call per source"
                    )),
                    Some(_) if *found > 0 => {
                        d.help("give the other arguments by keyword, e.g. `kernel: 3`")
                    }
                    _ => d,
                }
            }
            ErrorKind::WrongKind {
                span,
                expected,
                found,
            } => new(format!(
                "expected {}, found {}",
                expected.phrase(),
                found.phrase()
            ))
            .primary(*span, format!("this is {}", found.phrase())),
            ErrorKind::RepeatedKeyword {
                keyword,
                span,
                first,
            } => new(format!("argument `{keyword}` is given twice"))
                .primary(*span, "given again here")
                .secondary(*first, "first given here"),
            ErrorKind::RepeatZero { span } => new("`repeat 0` makes no instance".into())
                .primary(*span, "the count must be at least 1"),
            ErrorKind::MissingArg {
                span,
                callee,
                param,
                decl,
            } => {
                let d = new(format!("`{callee}` needs the argument `{param}`"))
                    .primary(*span, format!("`{param}` is missing"));
                let d = match decl {
                    Some(decl) => d.secondary(*decl, "declared here without a default"),
                    None => d,
                };
                d.help(format!("add `{param}: ...`"))
            }
            ErrorKind::PositionalAfterKeyword { span, keyword } => {
                new("positional argument after a keyword argument".into())
                    .primary(*span, "positional argument")
                    .secondary(*keyword, "keyword argument before it")
                    .help("put positional arguments first")
            }
            other => other.misrouted("an argument error"),
        }
    }

    /// E025–E032: what the file and its blocks must look like.
    fn structure(&self, new: &dyn Fn(String) -> Diagnostic) -> Diagnostic {
        match self {
            ErrorKind::NoInput { span } => new("the network has no `input`".into())
                .primary(*span, "this network")
                .help("declare one, e.g. `input data [3, 224, 224]`"),
            ErrorKind::TwoInputs { span, first } => new("a network has exactly one `input`".into())
                .primary(*span, "second input")
                .secondary(*first, "first input")
                .help("declare further inputs with `extern`"),
            ErrorKind::Header {
                problem,
                span,
                other,
            } => {
                let d = match problem {
                    HeaderProblem::Missing => new("missing `network` header".into())
                        .primary(*span, "expected `network NAME` first"),
                    HeaderProblem::NotFirst => {
                        new("the `network` header must come first".into()).primary(*span, "header")
                    }
                    HeaderProblem::Twice => new("a file has one `network` header".into())
                        .primary(*span, "second header"),
                };
                let d = match (problem, other) {
                    (HeaderProblem::NotFirst, Some(o)) => d.secondary(*o, "first statement"),
                    (HeaderProblem::Twice, Some(o)) => d.secondary(*o, "first header"),
                    _ => d,
                };
                d.help("start the file with `network NAME`")
            }
            ErrorKind::NotAllowedHere { span, what, place } => {
                new(format!("{what} is not allowed {place}")).primary(*span, "not allowed here")
            }
            ErrorKind::NestedCall { span, callee } => {
                new(format!("`{callee}(...)` cannot be used inline"))
                    .primary(*span, "an unnamed layer")
                    .help(format!(
                        "define it on its own line, `name = {callee}(...)`, and use `name`"
                    ))
            }
            ErrorKind::MultiOutput {
                span,
                name,
                outputs,
            } => {
                let choices: Vec<String> =
                    outputs.iter().map(|o| format!("`{name}.{o}`")).collect();
                new(format!("`{name}` has several outputs"))
                    .primary(*span, "which output?")
                    .help(format!("select one: {}", choices.join(" or ")))
            }
            ErrorKind::BadOut {
                span,
                block,
                problem,
                other,
            } => match problem {
                OutProblem::Missing => new(format!("block `{block}` has no `out`"))
                    .primary(*span, "this block")
                    .help("end the block with `out NAME`"),
                OutProblem::NotLast => new(format!("`out` must end block `{block}`"))
                    .primary(*span, "statements follow this `out`"),
                OutProblem::Twice => {
                    let d = new(format!("block `{block}` has two `out`s"))
                        .primary(*span, "second `out`");
                    match other {
                        Some(o) => d.secondary(*o, "first `out`"),
                        None => d,
                    }
                    .help("name several outputs in one: `out c: cout, h: hout`")
                }
            },
            ErrorKind::BadRepeat {
                span,
                block,
                reason,
            } => new(format!("cannot repeat `{block}`"))
                .primary(*span, reason.clone())
                .note(
                    "`repeat` chains instances: each one's single `out` feeds the next one's \
                     first parameter",
                ),
            other => other.misrouted("a structure error"),
        }
    }

    /// E033–E040: limits, and values the language does not take.
    fn limits_and_values(&self, new: &dyn Fn(String) -> Diagnostic) -> Diagnostic {
        match self {
            ErrorKind::Limit { span, what } => {
                new(what.clone()).primary(*span, "limit reached here")
            }
            ErrorKind::Conflict {
                span,
                first,
                keywords: (a, b),
            } => new(format!("`{a}` and `{b}` cannot be given together"))
                .primary(*span, "conflicting argument")
                .secondary(*first, "given here")
                .help("`size` fixes the output size; `pad` computes it"),
            ErrorKind::Reserved { span, name } => {
                new(format!("`{name}` is a built-in operator")).primary(*span, "reserved name")
            }
            ErrorKind::Unsupported { span, what } => {
                new(format!("{what} is not supported yet")).primary(*span, "unsupported")
            }
            ErrorKind::NoLayers { span, name, input } => {
                let d = new(format!("network `{name}` has no layers"))
                    .primary(*span, "nothing to schedule");
                match input {
                    Some(i) => d.help(format!(
                        "add a layer that reads `{i}`, e.g. `c1 = conv({i}, 64, kernel: 3)`"
                    )),
                    None => d,
                }
            }
            ErrorKind::LongTuple { span, found, what } => match what {
                Some(what) => new(format!("a {what} has at most two dimensions"))
                    .primary(*span, format!("{found} values given"))
                    .help(format!(
                        "give `{what}: (h, w)`, or `{what}: n` for n in both dimensions"
                    )),
                None => new("a pair has two values".into())
                    .primary(*span, format!("{found} values given"))
                    .note("parentheses hold one value, `(a + b)`, or a pair, `(h, w)`"),
            },
            ErrorKind::BadChoice {
                span,
                keyword,
                valid,
                suggestion,
            } => {
                let valid: Vec<String> = valid.iter().map(|v| v.to_string()).collect();
                let d = new(format!("`{keyword}` takes {}", alternatives(&valid)))
                    .primary(*span, format!("not a `{keyword}`"));
                did_you_mean(d, suggestion)
            }
            ErrorKind::BadShape { span, found } => {
                new(format!("a shape has 1 to 3 entries, found {found}"))
                    .primary(*span, "expected `[C, H, W]`, `[C, S]` or `[C]`")
            }
            other => other.misrouted("a value error"),
        }
    }

    /// W001–W003: what nothing uses.
    fn unused(&self, new: &dyn Fn(String) -> Diagnostic) -> Diagnostic {
        match self {
            ErrorKind::UnusedLayer { span, name } => new(format!("layer `{name}` is never used"))
                .primary(*span, "no layer reads it and it is not a network output")
                .help("use it, or list the network outputs with `out`"),
            ErrorKind::UnusedInput { span, name } => {
                new(format!("`{name}` is never used")).primary(*span, "no layer reads it")
            }
            ErrorKind::UnusedBlock { span, name } => {
                new(format!("block `{name}` is never used")).primary(*span, "never instantiated")
            }
            other => other.misrouted("a warning"),
        }
    }
}

/// `` `a` or `b` ``, `` `a`, `b` or `c` ``.
fn alternatives(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} or {last}", init.join(", ")),
        _ => quoted.concat(),
    }
}

fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// The greatest common divisor (of channel counts, both at least 1).
fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

const MATMUL_SIZES: &str = "matmul operand sizes do not agree";

/// E042: what does not agree between a matmul's operands, with
/// `kv_groups` (grouped-query attention) and `cache` (a KV cache's tokens).
fn matmul_sizes(
    d: Diagnostic,
    span: Span,
    [a, b]: [&Operand; 2],
    groups: u64,
    contract: &str,
    [kv_groups, cache]: [u64; 2],
) -> Diagnostic {
    let per_group = a.channels / groups.max(1);
    let share = groups / kv_groups.max(1);
    let new_tokens = b.size.size();
    let tokens = new_tokens.saturating_add(cache);
    let describe = |o: &Operand| {
        format!(
            "`{}` has {} channels and {} tokens ({})",
            o.name,
            o.channels,
            o.size.size(),
            o.size
        )
    };
    let (label, help) = if contract == "channels" && share == 1 {
        (
            format!(
                "{} channels, where {} are contracted",
                b.channels, a.channels
            ),
            format!(
                "with `contract: channels`, the second operand's channels must equal the first's, {}: each of the {groups} groups contracts {per_group} channels of both",
                a.channels
            ),
        )
    } else if contract == "channels" {
        (
            format!(
                "{} channels, where {kv_groups} groups of {per_group} are contracted",
                b.channels
            ),
            format!(
                "with `kv_groups: {kv_groups}`, the second operand has {kv_groups} groups of the first's {per_group} channels per group: {}",
                per_group.saturating_mul(kv_groups)
            ),
        )
    } else if tokens != per_group && cache > 0 {
        (
            format!("{new_tokens} tokens and {cache} cached, where {per_group} are contracted"),
            format!(
                "with `contract: tokens`, the second operand's tokens and its cache ({new_tokens} + {cache}) must equal the first's channels per group, {} / {groups} = {per_group}",
                a.channels
            ),
        )
    } else if tokens != per_group {
        (
            format!("{tokens} tokens, where {per_group} are contracted"),
            format!(
                "with `contract: tokens`, the second operand's tokens (h * w = {tokens}) must equal the first's channels per group, {} / {groups} = {per_group}",
                a.channels
            ),
        )
    } else {
        (
            format!(
                "{} channels do not split into {kv_groups} groups",
                b.channels
            ),
            format!(
                "with `contract: tokens`, `{}` must divide the second operand's channels, {}",
                if share == 1 { "groups" } else { "kv_groups" },
                b.channels
            ),
        )
    };
    d.primary(span, label)
        .secondary(a.def, describe(a))
        .secondary(b.def, describe(b))
        .help(help)
}
