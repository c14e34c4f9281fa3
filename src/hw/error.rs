//! What can be wrong with a hardware description, and its diagnostics
//! (codes `H0xx`, warning `W004`; docs/diagnostics.md#hardware-files).

use super::preset_names;
use crate::diag::{Code, Diagnostic, Report, Span};
use std::ops::Range;
use std::path::PathBuf;
use thiserror::Error;

/// What is wrong with a key or value of a hardware description; each is a
/// code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The text is not TOML (`H001`).
    Syntax,
    /// A key the file does not have (`H002`).
    UnknownKey,
    /// A key the file must give (`H003`).
    MissingKey,
    /// A value of the wrong type, or one the key does not take (`H004`).
    BadValue,
    /// A value outside the key's range (`H005`).
    OutOfRange,
}

impl Problem {
    /// Its code.
    pub fn code(self) -> Code {
        match self {
            Problem::Syntax => Code::HwSyntax,
            Problem::UnknownKey => Code::HwUnknownKey,
            Problem::MissingKey => Code::HwMissingKey,
            Problem::BadValue => Code::HwBadValue,
            Problem::OutOfRange => Code::HwOutOfRange,
        }
    }

    /// What the label under the offending text says.
    fn label(self) -> &'static str {
        match self {
            Problem::Syntax => "here",
            Problem::UnknownKey => "no such key",
            Problem::MissingKey => "in this table",
            Problem::BadValue => "not a value this key takes",
            Problem::OutOfRange => "out of range",
        }
    }
}

/// Why a hardware description cannot be used.
#[derive(Debug, Error)]
pub enum HwError {
    /// The file cannot be read.
    #[error("cannot read hardware file `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Neither a file nor a preset.
    #[error("unknown hardware preset `{name}`{} (presets: {}; a file path must end in `.toml` or contain `/`)",
        suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default(),
        preset_names().join(", "))]
    UnknownPreset {
        /// What was asked for.
        name: String,
        /// The preset it is probably a typo of (same letters in another
        /// case, or a few edits away).
        suggestion: Option<String>,
    },
    /// A changed key's value is out of range (or not one the key takes).
    #[error("hardware key `{set}`: {message}")]
    SetValue {
        /// Where the changed text came from (a path or `preset NAME`).
        origin: String,
        /// The change, `KEY=VALUE`.
        set: String,
        /// What is wrong.
        problem: Problem,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The TOML is malformed, or a key is unknown, missing or of the wrong
    /// type, or a value is out of range.
    #[error("{message}")]
    Invalid {
        /// Where the text came from (a path or `preset NAME`).
        origin: String,
        /// The text, for rendering the place.
        text: String,
        /// Byte range of the offending key or value, if known.
        span: Option<Range<usize>>,
        /// What is wrong.
        problem: Problem,
        /// What is wrong and what was expected.
        message: String,
        /// The key probably meant, for an unknown key.
        suggestion: Option<String>,
    },
}

/// Where every key is described, for the help lines.
const KEYS_DOC: &str = "every key of the hardware file, its unit and range: docs/hardware.md";

impl HwError {
    /// Is it the user's command (exit code 2: an unreadable file, no such
    /// preset, a `--set` value) rather than the file's content (exit code
    /// 1)?
    pub fn is_usage(&self) -> bool {
        !matches!(self, HwError::Invalid { .. })
    }

    /// The error as a diagnostic of the input [`HwError::report`] names.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            HwError::Read { .. } => Diagnostic::error(self.to_string()),
            HwError::UnknownPreset { name, suggestion } => {
                let d = Diagnostic::new(
                    Code::UnknownPreset,
                    format!("unknown hardware preset `{name}`"),
                )
                .at(format!("--hw {name}"));
                let d = match suggestion {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d,
                };
                d.note(format!("presets: {}", preset_names().join(", ")))
                    .note("a hardware file's path ends in `.toml` or contains `/`")
            }
            HwError::SetValue { set, problem, .. } => {
                Diagnostic::new(problem.code(), self.to_string())
                    .at(format!("--set {set}"))
                    .help(KEYS_DOC)
            }
            HwError::Invalid {
                span,
                problem,
                message,
                suggestion,
                ..
            } => {
                let mut d =
                    Diagnostic::new(problem.code(), format!("invalid hardware file: {message}"));
                if let Some(span) = span {
                    d = d.primary(Span::from(span.clone()), problem.label());
                }
                match suggestion {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None if *problem == Problem::Syntax => d,
                    None => d.help(KEYS_DOC),
                }
            }
        }
    }

    /// The error with the input it is about: the file and its text, the
    /// changed description, or `--hw` for a preset that does not exist.
    pub fn report(&self) -> Report {
        let (name, text) = match self {
            // A usage error: the message names the file.
            HwError::Read { .. } => (String::new(), String::new()),
            HwError::UnknownPreset { .. } => (String::new(), String::new()),
            HwError::SetValue { origin, .. } => (origin.clone(), String::new()),
            HwError::Invalid { origin, text, .. } => (origin.clone(), text.clone()),
        };
        Report::one(name, text, self.diagnostic())
    }
}

impl From<HwError> for Report {
    fn from(e: HwError) -> Report {
        e.report()
    }
}

/// A hardware description that is valid but likely not what was meant.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HwWarning {
    /// More than one node, yet moving data between nodes costs nothing.
    #[error(
        "`{origin}` has {nodes} nodes but `[energy] noc_hop` is {given}: moving data between nodes costs nothing, so layers are split as if the NoC were free (give the energy of one word over one hop)"
    )]
    FreeNoc {
        /// Where the description came from.
        origin: String,
        /// The node array, e.g. `4x4`.
        nodes: String,
        /// `0` or `not given`.
        given: &'static str,
        /// The `noc_hop` key, when the file gives it.
        span: Option<Range<usize>>,
    },
    /// `[tech]` cannot price the design (a size outside the technology
    /// tables), but every energy is given: the area is unknown.
    #[error("`{origin}`: no area: {why}")]
    NoArea {
        /// Where the description came from.
        origin: String,
        /// What the model cannot price.
        why: String,
        /// The key to blame, when the file gives it.
        span: Option<Range<usize>>,
    },
}

impl HwWarning {
    /// The warning as a diagnostic of the description's text.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            HwWarning::FreeNoc {
                nodes, given, span, ..
            } => {
                let d = Diagnostic::new(
                    Code::FreeNoc,
                    format!("{nodes} nodes, but `[energy] noc_hop` is {given}"),
                );
                let d = match span {
                    Some(span) => d.primary(Span::from(span.clone()), "moving a word costs 0"),
                    None => d,
                };
                d.note("moving data between nodes costs nothing, so layers are split as if the NoC were free")
                    .help("give the energy of one word over one hop: `[energy] noc_hop`")
            }
            HwWarning::NoArea { why, span, .. } => {
                let d = Diagnostic::new(
                    Code::NoArea,
                    format!("the technology model gives no area: {why}"),
                );
                let d = match span {
                    Some(span) => d.primary(Span::from(span.clone()), "outside the tables"),
                    None => d,
                };
                d.note("every energy is given, so the file still loads; its area is unknown")
                    .help("the tables' ranges: docs/model/technology.md#what-the-model-covers")
            }
        }
    }
}

/// What the hardware file's energies cannot be resolved from (a size the
/// technology model cannot price, a missing or contradictory energy), and
/// the key to blame: the parser turns it into a diagnostic.
#[derive(Debug)]
pub(super) struct Fault {
    /// The dotted key.
    pub key: &'static str,
    /// Which kind of error.
    pub problem: Problem,
    /// What is wrong, without the key's name.
    pub message: String,
}

impl Fault {
    pub(super) fn new(key: &'static str, problem: Problem, message: impl Into<String>) -> Fault {
        Fault {
            key,
            problem,
            message: message.into(),
        }
    }
}
