//! Everything the front end can report, as data: [`Code`] is the stable code
//! of each kind, [`ErrorKind`] carries the facts, and
//! [`ErrorKind::diagnostic`] is the one place where they are worded.
//! docs/language.md lists the codes with examples; every code has a fixture
//! in `tests/fixtures/errors/`.

use super::ast::Span;
use super::diag::Diagnostic;
use crate::ir::Dim2;

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal,)*) => {
        /// The stable code of a kind of diagnostic (`E0xx` errors, `W0xx`
        /// warnings). Codes are never reused or renumbered.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])* $name,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &[Code] = &[$(Code::$name,)*];

            /// The code as printed (`E012`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $code,)*
                }
            }
        }
    };
}

codes! {
    /// A token the grammar does not allow here: `conv(x, 64 kernel: 3)`.
    Syntax = "E001",
    /// A `(`, `[` or `{` that is never closed.
    Unclosed = "E002",
    /// A closing `)`, `]` or `}` that does not match the open one.
    Mismatched = "E003",
    /// A number that is not an integer or does not fit: `1.5`, `99999999999999999999`.
    BadNumber = "E004",
    /// A name that is not defined: `conv(dta, 64, kernel: 3)`.
    UnknownName = "E005",
    /// An operator or block that does not exist: `convv(x, 64, kernel: 3)`.
    UnknownCallee = "E006",
    /// A keyword argument the callee does not take: `conv(x, 64, kernal: 3)`.
    UnknownKeyword = "E007",
    /// A name defined twice in one scope.
    Duplicate = "E008",
    /// A name used above its definition.
    UseBeforeDef = "E009",
    /// A block that instantiates itself, directly or not.
    Recursion = "E010",
    /// A qualified name whose instance has no such member: `inc3a.b7`.
    UnknownMember = "E011",
    /// Inputs of an `eltwise` with different channel counts.
    ChannelMismatch = "E012",
    /// Inputs of a `concat` or an `eltwise` with different fmap sizes.
    SizeMismatch = "E013",
    /// A kernel larger than the padded input: the output would be empty.
    KernelTooLarge = "E014",
    /// A count, size, stride or pad out of range: `stride: 0`.
    OutOfRange = "E015",
    /// An input size the layer cannot read under the padding rule.
    PaddingRule = "E016",
    /// An integer or a layer size that does not fit.
    Overflow = "E017",
    /// Integer division by zero.
    DivByZero = "E018",
    /// Too many or too few arguments.
    ArgCount = "E019",
    /// A layer where an integer is expected, or the other way round.
    WrongKind = "E020",
    /// A keyword argument given twice.
    RepeatedKeyword = "E021",
    /// `repeat 0`.
    RepeatZero = "E022",
    /// A required argument not given: `conv(x, 64)` has no kernel.
    MissingArg = "E023",
    /// A positional argument after a keyword argument.
    PositionalAfterKeyword = "E024",
    /// A network without `input`.
    NoInput = "E025",
    /// A network with two `input`s.
    TwoInputs = "E026",
    /// A missing, misplaced or repeated `network` header.
    Header = "E027",
    /// A statement in a place where it means nothing: `input` in a block.
    NotAllowedHere = "E028",
    /// An operator or block call used inline instead of named.
    NestedCall = "E029",
    /// A multi-output instance used without selecting an output.
    MultiOutput = "E030",
    /// A block without `out`, or with `out` not last.
    BadOut = "E031",
    /// A `repeat` of a block that cannot be chained.
    BadRepeat = "E032",
    /// A file beyond the compiler's limits (nesting, layers).
    Limit = "E033",
    /// Two arguments that cannot be given together: `pad` and `size`.
    Conflict = "E034",
    /// A block named like a built-in operator.
    Reserved = "E035",
    /// A statement of the language that this version does not implement.
    Unsupported = "E036",
    /// A shape that is not `[C, H, W]`, `[C, S]` or `[C]`.
    BadShape = "E037",
    /// A layer that no layer reads and that is not a network output.
    UnusedLayer = "W001",
    /// An `input` or `extern` that no layer reads.
    UnusedInput = "W002",
    /// A block that is never instantiated.
    UnusedBlock = "W003",
}

impl Code {
    /// True for `W0xx`.
    pub fn is_warning(self) -> bool {
        self.as_str().starts_with('W')
    }

    /// Looks a code up by its text (`"E012"`).
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of value something is, for [`ErrorKind::WrongKind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// An integer.
    Int,
    /// A pair `(h, w)`.
    Pair,
    /// A layer, input, extern or concatenation.
    Layer,
    /// An integer or a pair.
    IntOrPair,
    /// A block instance with several outputs.
    Instance,
}

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

/// An input of a layer with what is wrong about it, for shape errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    /// Its qualified name.
    pub name: String,
    /// Where it is defined (may be outside the file's text for the API).
    pub def: Span,
    /// Its channels.
    pub channels: u64,
    /// Its fmap size.
    pub size: Dim2,
}

/// How a `network` header is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderProblem {
    /// There is none.
    Missing,
    /// It is not the first statement.
    NotFirst,
    /// There are two.
    Twice,
}

/// How a block's `out` is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutProblem {
    /// There is none.
    Missing,
    /// It is not the last statement.
    NotLast,
    /// There are two.
    Twice,
}

/// One problem in a `.nn` file, with the facts needed to explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// [`Code::Syntax`]
    Syntax {
        /// Where parsing stopped.
        span: Span,
        /// What was found there (`` `)` ``, `end of file`).
        found: String,
        /// What was expected, in words.
        expected: String,
    },
    /// [`Code::Unclosed`]
    Unclosed {
        /// The opening delimiter.
        open: Span,
        /// It, as text.
        delim: char,
        /// The end of the file.
        eof: Span,
    },
    /// [`Code::Mismatched`]
    Mismatched {
        /// The closing delimiter.
        close: Span,
        /// It, as text.
        found: char,
        /// The delimiter it should close, if any.
        open: Option<(Span, char)>,
    },
    /// [`Code::BadNumber`]
    BadNumber {
        /// The literal.
        span: Span,
        /// Its text.
        text: String,
        /// True for a fraction, false for a number too large.
        fraction: bool,
    },
    /// [`Code::UnknownName`]
    UnknownName {
        /// The name.
        name: String,
        /// Where.
        span: Span,
        /// A similar defined name.
        suggestion: Option<String>,
        /// Set when the name is a top-level layer used inside a block.
        outside_block: Option<Span>,
    },
    /// [`Code::UnknownCallee`]
    UnknownCallee {
        /// The name.
        name: String,
        /// Where.
        span: Span,
        /// A similar operator or block.
        suggestion: Option<String>,
    },
    /// [`Code::UnknownKeyword`]
    UnknownKeyword {
        /// The keyword.
        keyword: String,
        /// Where.
        span: Span,
        /// The operator or block called.
        callee: String,
        /// A similar valid keyword.
        suggestion: Option<String>,
        /// All valid keywords.
        valid: Vec<String>,
    },
    /// [`Code::Duplicate`]
    Duplicate {
        /// The name.
        name: String,
        /// The second definition.
        span: Span,
        /// The first definition.
        first: Span,
    },
    /// [`Code::UseBeforeDef`]
    UseBeforeDef {
        /// The name.
        name: String,
        /// The use.
        span: Span,
        /// The definition below it.
        def: Span,
    },
    /// [`Code::Recursion`]
    Recursion {
        /// The call that closes the cycle.
        span: Span,
        /// The blocks of the cycle, starting and ending with the same one.
        chain: Vec<String>,
    },
    /// [`Code::UnknownMember`]
    UnknownMember {
        /// The missing member.
        member: String,
        /// Where.
        span: Span,
        /// The instance (qualified name).
        base: String,
        /// A similar member.
        suggestion: Option<String>,
        /// What the instance has (empty if it is not an instance).
        members: Vec<String>,
    },
    /// [`Code::ChannelMismatch`]
    ChannelMismatch {
        /// The argument list.
        span: Span,
        /// The inputs.
        inputs: Vec<Operand>,
    },
    /// [`Code::SizeMismatch`]
    SizeMismatch {
        /// The argument list.
        span: Span,
        /// `concat` or `eltwise`.
        op: &'static str,
        /// The inputs.
        inputs: Vec<Operand>,
    },
    /// [`Code::KernelTooLarge`]
    KernelTooLarge {
        /// The call.
        span: Span,
        /// The kernel.
        kernel: Dim2,
        /// The input size plus twice the padding.
        padded: Dim2,
        /// The input size.
        input: Dim2,
    },
    /// [`Code::OutOfRange`]
    OutOfRange {
        /// The value.
        span: Span,
        /// What it is (`stride`, `channels`).
        what: String,
        /// The value.
        value: i64,
        /// The least valid value.
        min: i64,
    },
    /// [`Code::PaddingRule`]
    PaddingRule {
        /// The call.
        span: Span,
        /// The source.
        source: Operand,
        /// The layer's ofmap.
        ofmap: Dim2,
        /// Its stride.
        stride: Dim2,
        /// Its derived input `(ofmap - 1) * stride + kernel`.
        derived: Dim2,
    },
    /// [`Code::Overflow`]
    Overflow {
        /// What overflows.
        span: Span,
        /// What was being computed.
        what: String,
    },
    /// [`Code::DivByZero`]
    DivByZero {
        /// The division.
        span: Span,
    },
    /// [`Code::ArgCount`]
    ArgCount {
        /// The call's arguments.
        span: Span,
        /// The callee.
        callee: String,
        /// What is accepted (`2`, `at least 1`, `at most 2`).
        expected: String,
        /// How many were given.
        found: usize,
    },
    /// [`Code::WrongKind`]
    WrongKind {
        /// The value.
        span: Span,
        /// What is needed.
        expected: ValueKind,
        /// What it is.
        found: ValueKind,
    },
    /// [`Code::RepeatedKeyword`]
    RepeatedKeyword {
        /// The keyword.
        keyword: String,
        /// The second one.
        span: Span,
        /// The first one.
        first: Span,
    },
    /// [`Code::RepeatZero`]
    RepeatZero {
        /// The count.
        span: Span,
    },
    /// [`Code::MissingArg`]
    MissingArg {
        /// The call.
        span: Span,
        /// The callee.
        callee: String,
        /// The missing parameter.
        param: String,
        /// Where a block declares it.
        decl: Option<Span>,
    },
    /// [`Code::PositionalAfterKeyword`]
    PositionalAfterKeyword {
        /// The positional argument.
        span: Span,
        /// The keyword argument before it.
        keyword: Span,
    },
    /// [`Code::NoInput`]
    NoInput {
        /// The header, or the start of the file.
        span: Span,
    },
    /// [`Code::TwoInputs`]
    TwoInputs {
        /// The second input.
        span: Span,
        /// The first.
        first: Span,
    },
    /// [`Code::Header`]
    Header {
        /// What is wrong.
        problem: HeaderProblem,
        /// The header, or where it should be.
        span: Span,
        /// The first header or statement, where relevant.
        other: Option<Span>,
    },
    /// [`Code::NotAllowedHere`]
    NotAllowedHere {
        /// The statement.
        span: Span,
        /// What it is (`` `input` ``).
        what: &'static str,
        /// Where it is (`inside a block`).
        place: &'static str,
    },
    /// [`Code::NestedCall`]
    NestedCall {
        /// The call.
        span: Span,
        /// The callee.
        callee: String,
    },
    /// [`Code::MultiOutput`]
    MultiOutput {
        /// The use.
        span: Span,
        /// The instance.
        name: String,
        /// Its outputs.
        outputs: Vec<String>,
    },
    /// [`Code::BadOut`]
    BadOut {
        /// The block name, or the misplaced `out`.
        span: Span,
        /// The block.
        block: String,
        /// What is wrong.
        problem: OutProblem,
        /// The other `out`, for [`OutProblem::Twice`].
        other: Option<Span>,
    },
    /// [`Code::BadRepeat`]
    BadRepeat {
        /// The block call.
        span: Span,
        /// The block.
        block: String,
        /// Why it cannot be chained.
        reason: String,
    },
    /// [`Code::Limit`]
    Limit {
        /// Where the limit was hit.
        span: Span,
        /// What limit.
        what: String,
    },
    /// [`Code::Conflict`]
    Conflict {
        /// The second argument.
        span: Span,
        /// The first.
        first: Span,
        /// Their keywords.
        keywords: (String, String),
    },
    /// [`Code::Reserved`]
    Reserved {
        /// The name.
        span: Span,
        /// It.
        name: String,
    },
    /// [`Code::Unsupported`]
    Unsupported {
        /// The statement.
        span: Span,
        /// What it is.
        what: &'static str,
    },
    /// [`Code::BadShape`]
    BadShape {
        /// The shape.
        span: Span,
        /// How many entries it has.
        found: usize,
    },
    /// [`Code::UnusedLayer`]
    UnusedLayer {
        /// The definition.
        span: Span,
        /// Its qualified name.
        name: String,
    },
    /// [`Code::UnusedInput`]
    UnusedInput {
        /// The declaration.
        span: Span,
        /// Its qualified name.
        name: String,
    },
    /// [`Code::UnusedBlock`]
    UnusedBlock {
        /// The block's name.
        span: Span,
        /// It.
        name: String,
    },
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
    /// The code of this kind.
    pub fn code(&self) -> Code {
        match self {
            ErrorKind::Syntax { .. } => Code::Syntax,
            ErrorKind::Unclosed { .. } => Code::Unclosed,
            ErrorKind::Mismatched { .. } => Code::Mismatched,
            ErrorKind::BadNumber { .. } => Code::BadNumber,
            ErrorKind::UnknownName { .. } => Code::UnknownName,
            ErrorKind::UnknownCallee { .. } => Code::UnknownCallee,
            ErrorKind::UnknownKeyword { .. } => Code::UnknownKeyword,
            ErrorKind::Duplicate { .. } => Code::Duplicate,
            ErrorKind::UseBeforeDef { .. } => Code::UseBeforeDef,
            ErrorKind::Recursion { .. } => Code::Recursion,
            ErrorKind::UnknownMember { .. } => Code::UnknownMember,
            ErrorKind::ChannelMismatch { .. } => Code::ChannelMismatch,
            ErrorKind::SizeMismatch { .. } => Code::SizeMismatch,
            ErrorKind::KernelTooLarge { .. } => Code::KernelTooLarge,
            ErrorKind::OutOfRange { .. } => Code::OutOfRange,
            ErrorKind::PaddingRule { .. } => Code::PaddingRule,
            ErrorKind::Overflow { .. } => Code::Overflow,
            ErrorKind::DivByZero { .. } => Code::DivByZero,
            ErrorKind::ArgCount { .. } => Code::ArgCount,
            ErrorKind::WrongKind { .. } => Code::WrongKind,
            ErrorKind::RepeatedKeyword { .. } => Code::RepeatedKeyword,
            ErrorKind::RepeatZero { .. } => Code::RepeatZero,
            ErrorKind::MissingArg { .. } => Code::MissingArg,
            ErrorKind::PositionalAfterKeyword { .. } => Code::PositionalAfterKeyword,
            ErrorKind::NoInput { .. } => Code::NoInput,
            ErrorKind::TwoInputs { .. } => Code::TwoInputs,
            ErrorKind::Header { .. } => Code::Header,
            ErrorKind::NotAllowedHere { .. } => Code::NotAllowedHere,
            ErrorKind::NestedCall { .. } => Code::NestedCall,
            ErrorKind::MultiOutput { .. } => Code::MultiOutput,
            ErrorKind::BadOut { .. } => Code::BadOut,
            ErrorKind::BadRepeat { .. } => Code::BadRepeat,
            ErrorKind::Limit { .. } => Code::Limit,
            ErrorKind::Conflict { .. } => Code::Conflict,
            ErrorKind::Reserved { .. } => Code::Reserved,
            ErrorKind::Unsupported { .. } => Code::Unsupported,
            ErrorKind::BadShape { .. } => Code::BadShape,
            ErrorKind::UnusedLayer { .. } => Code::UnusedLayer,
            ErrorKind::UnusedInput { .. } => Code::UnusedInput,
            ErrorKind::UnusedBlock { .. } => Code::UnusedBlock,
        }
    }

    /// The diagnostic that explains this problem: all wording lives here.
    pub fn diagnostic(&self) -> Diagnostic {
        let code = self.code();
        let new = |msg: String| Diagnostic::new(code, msg);
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
                    .note("the operators are `conv`, `fc`, `pool`, `eltwise` and `concat`"),
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
            ErrorKind::ChannelMismatch { span, inputs } => {
                let mut d = new("input channels do not match".into());
                for i in inputs {
                    d = d.secondary(i.def, format!("`{}` has {} channels", i.name, i.channels));
                }
                let mut d = d.primary(*span, "eltwise inputs must have equal channels");
                d.labels.rotate_right(1);
                d
            }
            ErrorKind::SizeMismatch { span, op, inputs } => {
                let mut d = new("fmap sizes do not match".into())
                    .primary(*span, format!("{op} inputs must have equal fmap sizes"));
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
                stride,
                derived,
            } => {
                let lo = Dim2::new(
                    (ofmap.h * stride.h).min(derived.h),
                    (ofmap.w * stride.w).min(derived.w),
                );
                let hi = Dim2::new(
                    (ofmap.h * stride.h).max(derived.h),
                    (ofmap.w * stride.w).max(derived.w),
                );
                new("input size breaks the padding rule".into())
                    .primary(
                        *span,
                        format!("an output of {ofmap} reads an input between {lo} and {hi}"),
                    )
                    .secondary(source.def, format!("`{}` is {}", source.name, source.size))
                    .help("change `pad`, or give the output size with `size: (h, w)`")
            }
            ErrorKind::Overflow { span, what } => {
                new("integer overflow".into()).primary(*span, format!("{what} does not fit"))
            }
            ErrorKind::DivByZero { span } => {
                new("division by zero".into()).primary(*span, "this divisor is 0")
            }
            ErrorKind::ArgCount {
                span,
                callee,
                expected,
                found,
            } => {
                let s = if *found == 1 { "" } else { "s" };
                let d = new(format!("`{callee}` takes {expected} positional arguments"))
                    .primary(*span, format!("{found} positional argument{s} given"));
                if super::check::OPERATORS.contains(&callee.as_str()) && *found > 0 {
                    d.help("give the other arguments by keyword, e.g. `kernel: 3`")
                } else {
                    d
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
            ErrorKind::BadShape { span, found } => {
                new(format!("a shape has 1 to 3 entries, found {found}"))
                    .primary(*span, "expected `[C, H, W]`, `[C, S]` or `[C]`")
            }
            ErrorKind::UnusedLayer { span, name } => new(format!("layer `{name}` is never used"))
                .primary(*span, "no layer reads it and it is not a network output")
                .help("use it, or list the network outputs with `out`"),
            ErrorKind::UnusedInput { span, name } => {
                new(format!("`{name}` is never used")).primary(*span, "no layer reads it")
            }
            ErrorKind::UnusedBlock { span, name } => {
                new(format!("block `{name}` is never used")).primary(*span, "never instantiated")
            }
        }
    }
}

fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}
