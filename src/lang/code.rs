//! [`Code`]: the stable code of every kind of diagnostic the front end
//! reports. docs/language.md lists the codes with their rules; every code
//! has a fixture in `tests/fixtures/errors/CODE.nn` and its rendering in
//! `snapshots/diagnostic@CODE.nn.snap`.

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
    /// A network without layers: only `network`, `input` and perhaps
    /// `extern`s or `let`s. There is nothing to schedule.
    NoLayers = "E038",
    /// Parentheses holding more than two values: `kernel: (3, 3, 3)`.
    LongTuple = "E039",
    /// An argument that takes one of a few words given something else:
    /// `mode: flor`.
    BadChoice = "E040",
    /// A `groups` that does not divide a convolution's input and output
    /// channels: `conv(x, 64, kernel: 3, groups: 5)` over 32 channels.
    GroupsDivide = "E041",
    /// A `matmul` whose operands' sizes do not agree: the contracted sizes
    /// differ, or `groups` does not divide the second operand's channels.
    MatmulSizes = "E042",
    /// A `matmul` whose `kv_groups` does not divide its `groups`:
    /// `matmul(q, k, contract: channels, groups: 32, kv_groups: 5)`.
    KvGroupsDivide = "E043",
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
