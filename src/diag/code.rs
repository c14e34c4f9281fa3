//! [`Code`]: the stable code of every kind of diagnostic, for every input
//! nnc reads. docs/diagnostics.md lists them all with their meaning; every
//! code has a fixture in `tests/fixtures/<input>/CODE.<ext>` and its
//! rendering in `snapshots/`. Codes are never reused or renumbered.

macro_rules! codes {
    ($($input:ident { $($(#[doc = $doc:literal])* $name:ident = $code:literal,)* })*) => {
        /// The stable code of a kind of diagnostic: a letter for the input
        /// it is about (`E` a `.nn` network, `H` a hardware file, `S` a
        /// sweep spec, `X` an ONNX model, `R` a schedule or results file
        /// read back, `C` a SCALE-Sim topology or config), `W` for every
        /// warning, and a number.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($($(#[doc = $doc])* $name,)*)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &[Code] = &[$($(Code::$name,)*)*];

            /// The code as printed (`E012`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($(Code::$name => $code,)*)*
                }
            }

            /// The input it is about.
            pub const fn input(self) -> Input {
                match self {
                    $($(Code::$name => Input::$input,)*)*
                }
            }
        }
    };
}

/// The inputs nnc reads, each with its own range of codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Input {
    /// A `.nn` network (docs/language.md): `E0xx`, `W001`–`W003`.
    Network,
    /// A hardware file, a preset or a `--set` change (docs/hardware.md).
    Hardware,
    /// A sweep spec (docs/sweep.md).
    SweepSpec,
    /// An ONNX model (docs/onnx.md).
    Onnx,
    /// A file nnc wrote, read back: a schedule file (`nnc diff`, `nnc
    /// report`) or a sweep's results file (`nnc report`, resuming, merging).
    ReadBack,
    /// SCALE-Sim's files (docs/scalesim.md): a topology CSV read as a
    /// network, a config `.cfg` read as the hardware.
    ScaleSim,
}

impl Input {
    /// Every input, in the order of docs/diagnostics.md.
    pub const ALL: [Input; 6] = [
        Input::Network,
        Input::Hardware,
        Input::SweepSpec,
        Input::Onnx,
        Input::ReadBack,
        Input::ScaleSim,
    ];
}

codes! {
    Network {
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
        /// A `matmul` whose `window` does not fit: it does not divide the
        /// tokens' fmap, the second operand's fmap is another, a window's
        /// tokens are not the contracted size, or a cache is given too.
        WindowAttention = "E044",
        /// A channel slice past its source's channels: `x[0:60]` of 58
        /// channels.
        SliceRange = "E045",
        /// A channel slice of no channel: `x[30:30]`, `x[40:20]`.
        EmptySlice = "E046",
        /// A layer that no layer reads and that is not a network output.
        UnusedLayer = "W001",
        /// An `input` or `extern` that no layer reads.
        UnusedInput = "W002",
        /// A block that is never instantiated.
        UnusedBlock = "W003",
    }
    Hardware {
        /// A hardware file that is not TOML: `gbuf_bytes = = 1`.
        HwSyntax = "H001",
        /// A key the hardware file does not have: `regff = 1.0` (with
        /// "did you mean").
        HwUnknownKey = "H002",
        /// A key the hardware file must give: no `word_bits`.
        HwMissingKey = "H003",
        /// A value of the wrong type, or one the key does not take:
        /// `memory = "4d"`, `gbuf_bytes = "1 MB"`, `energy_unit = "PJ"`.
        HwBadValue = "H004",
        /// A value outside its key's range: `word_bits = 12`,
        /// `pe_array = [0, 16]`.
        HwOutOfRange = "H005",
        /// `--hw` names neither a preset nor a file: `--hw Eyeriss`.
        UnknownPreset = "H006",
        /// More than one node, yet moving data between nodes costs nothing.
        FreeNoc = "W004",
        /// `[tech]` cannot price the design, whose energies are all given:
        /// no area.
        NoArea = "W006",
    }
    SweepSpec {
        /// A sweep spec that is not TOML.
        SpecSyntax = "S001",
        /// A key the spec (or its `[options]`) does not have: `batches`.
        SpecUnknownKey = "S002",
        /// A key the spec must give: no `networks`.
        SpecMissingKey = "S003",
        /// A value of the wrong type, or a word the key does not take:
        /// `solver = "fast"`, `vary.node.pe_array = ["big"]`.
        SpecBadValue = "S004",
        /// A number outside its range: `batch = [0]`, `top = 0`.
        SpecOutOfRange = "S005",
        /// A list that must not be empty: `networks = []`, a varied key
        /// without values, a `[[link]]` without keys.
        SpecEmpty = "S006",
        /// A varied key that is neither a hardware key nor a search option:
        /// `node.gbuff_bytes`.
        SpecUnknownHwKey = "S007",
        /// A key varied twice, or a value given twice to one key.
        SpecVariedTwice = "S008",
        /// Linked keys with different numbers of values.
        SpecLinkLengths = "S009",
        /// Options that cannot go together: `ifmap_partition` without
        /// `partition = "hybrid"`.
        SpecOptionsConflict = "S010",
        /// A base hardware (`hw`) that cannot be used: no such preset or
        /// file, or an invalid one.
        SpecBaseHardware = "S011",
        /// A grid of more rows than a sweep may have.
        SpecTooManyRows = "S012",
        /// A design point whose hardware is not valid: a varied value out
        /// of its key's range.
        SpecPointHardware = "S013",
    }
    Onnx {
        /// Bytes that are not an ONNX model.
        OnnxMalformed = "X001",
        /// A graph without a data input (every input is a weight).
        OnnxNoInput = "X002",
        /// An input whose sizes are not fixed, and no `--input-shape`.
        OnnxFreeShape = "X003",
        /// A node nnc cannot lower: an operator without a model, or a use
        /// of one that a `.nn` layer cannot express.
        OnnxNode = "X004",
        /// A data input nnc cannot model: a 5-D input (video, volumes).
        OnnxInput = "X005",
    }
    ReadBack {
        /// A schedule file that is not JSON.
        ReadNotJson = "R001",
        /// A JSON file without a `format`: not a schedule file.
        ReadNoFormat = "R002",
        /// A schedule file of a format this nnc does not read.
        ReadUnknownFormat = "R003",
        /// A key a schedule file does not have.
        ReadUnknownKey = "R004",
        /// A key a schedule file must have.
        ReadMissingKey = "R005",
        /// A value of the wrong type or out of range in a schedule file.
        ReadBadValue = "R006",
        /// A file that is not a sweep's results file: no `# nnc-sweep/2`
        /// first line, or not text.
        ResultsNoFormat = "R007",
        /// A results file whose columns are not the sweep's.
        ResultsColumns = "R008",
        /// A row of a results file with more or fewer fields than columns,
        /// or a cell nnc does not write.
        ResultsFieldCount = "R009",
        /// A results file of another sweep or shard, or of other inputs
        /// (a network or the hardware changed), given to resume.
        ResultsOtherSweep = "R010",
        /// A row of a results file that is not the row of this sweep found
        /// there.
        ResultsRow = "R011",
        /// Merging: a row in two part files (or twice in one).
        ResultsDuplicate = "R012",
        /// Merging: rows that no part file holds.
        ResultsMissing = "R013",
    }
    ScaleSim {
        /// An empty topology or config file.
        ScaleSimEmpty = "C001",
        /// A topology with a header line and no layer.
        TopologyNoLayers = "C002",
        /// A topology row that does not end with a comma (SCALE-Sim drops
        /// every row's last field).
        TopologyTrailingComma = "C003",
        /// A topology row with too many or too few fields.
        TopologyFieldCount = "C004",
        /// A topology row without a name.
        TopologyNoName = "C005",
        /// A topology field or config value that is not a whole number in
        /// range: `stride` `0`, `ArrayHeight: 32 # rows`.
        ScaleSimNotANumber = "C006",
        /// A topology row's sparsity field that is not `N:M`.
        TopologySparsity = "C007",
        /// A filter larger than its ifmap (SCALE-Sim has no padding).
        TopologyFilterTooLarge = "C008",
        /// Two topology rows with one name.
        TopologyDuplicateName = "C009",
        /// A layer beyond the limits of the IR or of the SCALE-Sim model.
        TopologyTooLarge = "C010",
        /// A config line that is not a section, a key, a comment or blank.
        ConfigBadLine = "C011",
        /// An indented config line that SCALE-Sim's reader would take as
        /// more of the key above it.
        ConfigContinuation = "C012",
        /// A config key before the first section.
        ConfigKeyOutsideSection = "C013",
        /// A config section given twice.
        ConfigDuplicateSection = "C014",
        /// A config key given twice in one section.
        ConfigDuplicateKey = "C015",
        /// A section SCALE-Sim reads is missing from the config.
        ConfigMissingSection = "C016",
        /// A key SCALE-Sim reads is missing from the config (with "did you
        /// mean").
        ConfigMissingKey = "C017",
        /// A config value the key does not take: `Dataflow : WS`.
        ConfigBadValue = "C018",
        /// A config that turns on what nnc does not model: sparsity,
        /// custom layouts, Ramulator traces.
        ConfigUnsupported = "C019",
        /// A USER-mode bank bandwidth not divisible by its bank count.
        ConfigBankBandwidth = "C020",
        /// A config value beyond the SCALE-Sim model's limits: a side of
        /// more than 65,536 PEs.
        ConfigOutOfRange = "C021",
        /// A config key SCALE-Sim 3.0.0 does not read (v2's `MemoryBanks`).
        ConfigIgnoredKey = "W005",
    }
}

impl Code {
    /// True for the warnings (`W0xx`), whatever their input.
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
