//! The built-in operators as data: each one's name, parameters and
//! positional arity. A call's callee is parsed into a [`Builtin`] once;
//! nothing else in the checker compares operator names.
//!
//! To add an operator: a variant of [`Builtin`] (and in [`Builtin::ALL`]),
//! its name in [`Builtin::name`], its parameters in [`Builtin::params`]
//! (new keywords in [`Key`]), and its lowering to an IR layer in
//! `check/calls.rs` (`Checker::builtin`). Each of these is an exhaustive `match`,
//! so the compiler lists what is left to write. docs/language.md documents
//! the operators.

use crate::ir::WindowMode;

/// A built-in operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `conv(src, out, kernel: 3, stride: 1, pad: 1)`: a convolution,
    /// grouped with `groups: G`, dilated with `dilation: d`.
    Conv,
    /// `fc(src, out)`: fully connected; its kernel is the whole input.
    Fc,
    /// `pool(src, kernel: 3, stride: 2)`: pooling (max or average, same cost).
    Pool,
    /// `eltwise(a, b, ...)`: an element-wise merge of equally shaped inputs.
    Eltwise,
    /// `concat(a, b, ...)`: the channel concatenation of its inputs; not a
    /// layer but a source, usable wherever a layer is.
    Concat,
    /// `softmax(x)`: folded, no layer: its value is `x`
    /// (docs/language.md#folded-operators).
    Softmax,
    /// `layernorm(x)`: folded like `softmax`.
    LayerNorm,
    /// `relu(x)` (any activation): folded like `softmax`.
    Relu,
    /// `scale(x, s)`: `x` multiplied by one factor per channel, `s`
    /// (squeeze-and-excitation); folded like `softmax`, and `s` counts as
    /// read (docs/language.md#folded-operators).
    Scale,
    /// `matmul(a, b, contract: channels, groups: 12)`: a product of two
    /// activations (attention's `Q Kᵀ` and `P V`), per group.
    Matmul,
    /// `upsample(x, scale: 2, mode: nearest)`: nearest or bilinear resize
    /// by an integer scale.
    Upsample,
    /// `deconv(x, out, kernel: 4, stride: 2, pad: 1)`: a transposed
    /// convolution, grouped with `groups: G`.
    Deconv,
}

/// How an operator takes its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Params {
    /// Named parameters in order; the first `positional` may also be given
    /// by position.
    Named {
        /// The parameters.
        params: &'static [Param],
        /// How many may be given by position.
        positional: usize,
    },
    /// One or more sources, by position only.
    Sources,
}

/// One named parameter of an operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its keyword.
    pub key: Key,
    /// Whether a call must give it.
    pub required: bool,
}

/// The keyword arguments of the built-in operators. A keyword means the
/// same, and takes the same kind of value, in every operator that has it;
/// `mode` takes a window's words for `conv` and `pool` ([`Key::Mode`]) and
/// an interpolation's for `upsample` ([`Key::Interp`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// The source read.
    Src,
    /// Output channels.
    Out,
    /// The window: `kernel: 3` or `kernel: (3, 1)`.
    Kernel,
    /// The window's step.
    Stride,
    /// Zero padding on each side of the input.
    Pad,
    /// The output fmap size, given instead of computed from `pad`.
    Size,
    /// Which source sizes the window accepts: `exact` (the padding rule,
    /// the default) or `floor` (the output size rounded down, leaving
    /// rows past the last window unread).
    Mode,
    /// Groups of a grouped convolution (depthwise when it equals the
    /// input channels).
    Groups,
    /// Spacing of a dilated convolution's filter taps.
    Dilation,
    /// A matmul's second source, the matrix each token is multiplied by.
    Operand,
    /// Which side of a matmul's second operand is contracted with the
    /// first's channels: `channels` (`A Bᵀ`) or `tokens` (`A B`).
    Contract,
    /// An upsampling's integer factor per dimension.
    Scale,
    /// An upsampling's interpolation, written `mode:` like a window's
    /// mode but with its own words: `nearest` or `bilinear`.
    Interp,
    /// A matmul's groups of its second operand, each read by `groups /
    /// kv_groups` groups of the first: grouped-query attention's key/value
    /// heads (docs/language.md#kv-cache-and-grouped-query-attention).
    KvGroups,
    /// Tokens of a matmul's second operand held in a cache in DRAM besides
    /// its source's: a decode step's past keys or values.
    Cache,
    /// A matmul's windows: its tokens split into windows of this many
    /// points, each multiplying only the same window of the second
    /// operand (Swin's window attention, docs/language.md#window-attention).
    Window,
}

/// What kind of value a keyword takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A source: a layer, input, extern, instance output or concatenation.
    Source,
    /// An integer of at least 1.
    Count,
    /// An integer of at least 0.
    Natural,
    /// An integer `k` (meaning `(k, k)`) or a pair `(h, w)`, each at least
    /// `min`.
    Dims {
        /// The least valid component.
        min: i64,
    },
    /// One of these words, written as a name: `mode: floor`.
    Word(&'static [&'static str]),
}

/// The words of [`Key::Contract`]: `channels` (`A Bᵀ`, the second
/// operand's channels are contracted) and `tokens` (`A B`, its tokens are).
pub(super) const CONTRACTS: &[&str] = &["channels", "tokens"];

/// The words of [`Key::Interp`]: nearest-neighbour or bilinear
/// interpolation.
pub(super) const INTERPS: &[&str] = &["nearest", "bilinear"];

/// The words of [`Key::Mode`], those of [`WindowMode`] in its order.
pub(super) const MODES: &[&str] = &[WindowMode::ALL[0].as_str(), WindowMode::ALL[1].as_str()];

const fn req(key: Key) -> Param {
    Param {
        key,
        required: true,
    }
}

const fn opt(key: Key) -> Param {
    Param {
        key,
        required: false,
    }
}

impl Builtin {
    /// Every operator, in the order messages list them.
    pub const ALL: [Builtin; 12] = [
        Builtin::Conv,
        Builtin::Fc,
        Builtin::Pool,
        Builtin::Eltwise,
        Builtin::Concat,
        Builtin::Softmax,
        Builtin::LayerNorm,
        Builtin::Relu,
        Builtin::Scale,
        Builtin::Matmul,
        Builtin::Upsample,
        Builtin::Deconv,
    ];

    /// The operator's name in `.nn` files.
    pub const fn name(self) -> &'static str {
        match self {
            Builtin::Conv => "conv",
            Builtin::Fc => "fc",
            Builtin::Pool => "pool",
            Builtin::Eltwise => "eltwise",
            Builtin::Concat => "concat",
            Builtin::Softmax => "softmax",
            Builtin::LayerNorm => "layernorm",
            Builtin::Relu => "relu",
            Builtin::Scale => "scale",
            Builtin::Matmul => "matmul",
            Builtin::Upsample => "upsample",
            Builtin::Deconv => "deconv",
        }
    }

    /// Is a call of the operator a value rather than a layer (it may be
    /// written inline, as an argument)?
    pub const fn is_value(self) -> bool {
        matches!(
            self,
            Builtin::Concat
                | Builtin::Softmax
                | Builtin::LayerNorm
                | Builtin::Relu
                | Builtin::Scale
        )
    }

    /// Is the operator folded into its input (an element-wise or per-sample
    /// reduction that costs nothing in the model)?
    pub const fn is_folded(self) -> bool {
        matches!(
            self,
            Builtin::Softmax | Builtin::LayerNorm | Builtin::Relu | Builtin::Scale
        )
    }

    /// The operator called `name`, if any.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.name() == name)
    }

    /// The operator's parameters.
    pub const fn params(self) -> Params {
        match self {
            Builtin::Conv => Params::Named {
                params: CONV,
                positional: 2,
            },
            Builtin::Fc => Params::Named {
                params: FC,
                positional: 2,
            },
            Builtin::Pool => Params::Named {
                params: POOL,
                positional: 1,
            },
            Builtin::Matmul => Params::Named {
                params: MATMUL,
                positional: 2,
            },
            Builtin::Upsample => Params::Named {
                params: UPSAMPLE,
                positional: 1,
            },
            Builtin::Deconv => Params::Named {
                params: DECONV,
                positional: 2,
            },
            Builtin::Eltwise
            | Builtin::Concat
            | Builtin::Softmax
            | Builtin::LayerNorm
            | Builtin::Relu
            | Builtin::Scale => Params::Sources,
        }
    }
}

const CONV: &[Param] = &[
    req(Key::Src),
    req(Key::Out),
    req(Key::Kernel),
    opt(Key::Stride),
    opt(Key::Pad),
    opt(Key::Size),
    opt(Key::Mode),
    opt(Key::Groups),
    opt(Key::Dilation),
];
const FC: &[Param] = &[req(Key::Src), req(Key::Out)];
const UPSAMPLE: &[Param] = &[req(Key::Src), req(Key::Scale), opt(Key::Interp)];
const DECONV: &[Param] = &[
    req(Key::Src),
    req(Key::Out),
    req(Key::Kernel),
    opt(Key::Stride),
    opt(Key::Pad),
    opt(Key::Groups),
];
const MATMUL: &[Param] = &[
    req(Key::Src),
    req(Key::Operand),
    req(Key::Contract),
    opt(Key::Groups),
    opt(Key::KvGroups),
    opt(Key::Cache),
    opt(Key::Window),
];
const POOL: &[Param] = &[
    req(Key::Src),
    req(Key::Kernel),
    opt(Key::Stride),
    opt(Key::Pad),
    opt(Key::Size),
    opt(Key::Mode),
];

impl Key {
    /// The keyword as written.
    pub const fn name(self) -> &'static str {
        self.words().0
    }

    /// What its value is, in messages ("output channels must be at least 1").
    pub const fn what(self) -> &'static str {
        self.words().1
    }

    /// The keyword and what its value is, side by side in one table.
    const fn words(self) -> (&'static str, &'static str) {
        match self {
            Key::Src => ("src", "the source"),
            Key::Out => ("out", "output channels"),
            Key::Kernel => ("kernel", "kernel"),
            Key::Stride => ("stride", "stride"),
            Key::Pad => ("pad", "pad"),
            Key::Size => ("size", "size"),
            Key::Mode => ("mode", "mode"),
            Key::Groups => ("groups", "groups"),
            Key::Dilation => ("dilation", "dilation"),
            Key::Operand => ("operand", "the second operand"),
            Key::Contract => ("contract", "the contracted side"),
            Key::Scale => ("scale", "scale"),
            Key::Interp => ("mode", "interpolation"),
            Key::KvGroups => ("kv_groups", "kv_groups"),
            Key::Cache => ("cache", "cached tokens"),
            Key::Window => ("window", "window"),
        }
    }

    /// The kind of value it takes.
    pub const fn kind(self) -> ParamKind {
        match self {
            Key::Src | Key::Operand => ParamKind::Source,
            Key::Out | Key::Groups | Key::KvGroups => ParamKind::Count,
            Key::Cache => ParamKind::Natural,
            Key::Kernel | Key::Stride | Key::Size | Key::Dilation | Key::Scale | Key::Window => {
                ParamKind::Dims { min: 1 }
            }
            Key::Pad => ParamKind::Dims { min: 0 },
            Key::Mode => ParamKind::Word(MODES),
            Key::Contract => ParamKind::Word(CONTRACTS),
            Key::Interp => ParamKind::Word(INTERPS),
        }
    }

    /// Keywords that cannot be given together with this one: `size` fixes
    /// the output size that `pad` would compute.
    pub const fn conflicts_with(self, other: Key) -> bool {
        matches!((self, other), (Key::Pad, Key::Size) | (Key::Size, Key::Pad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in Builtin::ALL {
            assert_eq!(Builtin::from_name(b.name()), Some(b));
        }
        assert_eq!(Builtin::from_name("convv"), None);
    }

    #[test]
    fn mode_words_are_the_window_modes() {
        let words: Vec<&str> = WindowMode::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(MODES, words);
    }

    #[test]
    fn positional_parameters_come_first_and_are_required() {
        for b in Builtin::ALL {
            if let Params::Named { params, positional } = b.params() {
                assert!(positional <= params.len(), "{}", b.name());
                assert!(params[..positional].iter().all(|p| p.required));
                assert_eq!(params[0].key, Key::Src, "{}: the source first", b.name());
            }
        }
    }
}
