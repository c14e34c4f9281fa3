//! Everything the front end can report, as data: [`ErrorKind`] carries the
//! facts of each problem, [`ErrorKind::code`] its stable [`Code`]. The
//! wording lives in one place, `message.rs` ([`ErrorKind::diagnostic`]).
//! docs/diagnostics.md lists the codes with examples; every code has a fixture
//! in `tests/fixtures/errors/`.

use super::ast::Span;
use super::builtin::Builtin;
use crate::diag::Code;
use crate::ir::{Dim2, WindowMode};

/// Why a `matmul`'s `window` does not fit, for
/// [`ErrorKind::WindowAttention`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowMisfit {
    /// It does not divide the first operand's fmap.
    NotDividing,
    /// The second operand's fmap is not the first's.
    OperandSize,
    /// With `contract: tokens`, a window's tokens are not the first
    /// operand's channels per group.
    Contracted {
        /// The first operand's channels per group.
        per_group: u64,
    },
    /// A KV cache is given too.
    Cache,
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

/// Changes to a `conv` or `pool` call that make its source fit the
/// padding rule, for [`ErrorKind::PaddingRule`]. Each was checked to work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fixes {
    /// `mode: floor`, the other arguments unchanged.
    pub floor: bool,
    /// Values of `pad` (offered when `size` is not given).
    pub pad: Option<Choice>,
    /// Values of `size` (offered when `pad` is not given).
    pub size: Option<Choice>,
}

/// The values of one argument that fit, per dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The fitting heights, `lo..=hi`.
    pub h: (u64, u64),
    /// The fitting widths, `lo..=hi`.
    pub w: (u64, u64),
    /// Whether they fit only together with `mode: floor`.
    pub floor: bool,
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
        /// `eltwise` or `scale`.
        op: Builtin,
        /// The inputs.
        inputs: Vec<Operand>,
    },
    /// [`Code::SizeMismatch`]
    SizeMismatch {
        /// The argument list.
        span: Span,
        /// `concat`, `eltwise` or `scale`.
        op: Builtin,
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
        /// Its kernel (window).
        kernel: Dim2,
        /// Its stride.
        stride: Dim2,
        /// Its mode.
        mode: WindowMode,
        /// The changes that would make the source fit.
        fixes: Fixes,
    },
    /// [`Code::GroupsDivide`]
    GroupsDivide {
        /// The `groups` value.
        span: Span,
        /// The groups.
        groups: u64,
        /// The input channels.
        nifm: u64,
        /// The output channels.
        nofm: u64,
    },
    /// [`Code::MatmulSizes`]
    MatmulSizes {
        /// The second operand, as written.
        span: Span,
        /// The first operand.
        a: Operand,
        /// The second operand.
        b: Operand,
        /// The groups.
        groups: u64,
        /// The `contract` word: `channels` or `tokens`.
        contract: &'static str,
        /// The second operand's groups (`groups` unless grouped-query
        /// attention).
        kv_groups: u64,
        /// Tokens of the second operand in a KV cache.
        cache: u64,
    },
    /// [`Code::KvGroupsDivide`]
    KvGroupsDivide {
        /// The `kv_groups` value.
        span: Span,
        /// The groups.
        groups: u64,
        /// The `kv_groups`.
        kv_groups: u64,
    },
    /// [`Code::WindowAttention`]
    WindowAttention {
        /// The `window` value.
        span: Span,
        /// The first operand.
        a: Operand,
        /// The second operand.
        b: Operand,
        /// The window.
        window: Dim2,
        /// The groups.
        groups: u64,
        /// What does not fit.
        why: WindowMisfit,
    },
    /// [`Code::SliceRange`]
    SliceRange {
        /// The bound past the channels.
        span: Span,
        /// The sliced source.
        source: Operand,
        /// The bound.
        bound: u64,
        /// Whether it is `to` (else `from`).
        is_to: bool,
    },
    /// [`Code::EmptySlice`]
    EmptySlice {
        /// The slice.
        span: Span,
        /// The sliced source.
        source: Operand,
        /// The first channel.
        from: u64,
        /// One past the last.
        to: u64,
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
    /// [`Code::NoLayers`]
    NoLayers {
        /// The header's name, or the start of the file.
        span: Span,
        /// The network's name.
        name: String,
        /// The input's name.
        input: Option<String>,
    },
    /// [`Code::LongTuple`]
    LongTuple {
        /// The parenthesized values.
        span: Span,
        /// How many there are.
        found: usize,
        /// The argument it is given for (`kernel`), if it takes a pair.
        what: Option<String>,
    },
    /// [`Code::BadChoice`]
    BadChoice {
        /// The value.
        span: Span,
        /// The argument (`mode`).
        keyword: &'static str,
        /// The words it takes.
        valid: &'static [&'static str],
        /// A similar word, when the value is a misspelt one.
        suggestion: Option<String>,
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
            ErrorKind::GroupsDivide { .. } => Code::GroupsDivide,
            ErrorKind::MatmulSizes { .. } => Code::MatmulSizes,
            ErrorKind::KvGroupsDivide { .. } => Code::KvGroupsDivide,
            ErrorKind::WindowAttention { .. } => Code::WindowAttention,
            ErrorKind::SliceRange { .. } => Code::SliceRange,
            ErrorKind::EmptySlice { .. } => Code::EmptySlice,
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
            ErrorKind::NoLayers { .. } => Code::NoLayers,
            ErrorKind::LongTuple { .. } => Code::LongTuple,
            ErrorKind::BadChoice { .. } => Code::BadChoice,
            ErrorKind::UnusedLayer { .. } => Code::UnusedLayer,
            ErrorKind::UnusedInput { .. } => Code::UnusedInput,
            ErrorKind::UnusedBlock { .. } => Code::UnusedBlock,
        }
    }
}
