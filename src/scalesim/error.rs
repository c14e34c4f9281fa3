//! What can be wrong in a SCALE-Sim file, as data: [`ReadErrorKind`] says
//! what is wrong and what was expected, [`ReadError`] where (a byte span,
//! with its line and column for messages). [`ReadError::report`] is the
//! diagnostic a user sees (codes `C0xx`, docs/diagnostics.md#scale-sim-files).

use crate::diag::{Code, Diagnostic, Diagnostics, Report, Span};
use std::fmt;
use std::ops::Range;
use thiserror::Error;

/// A problem in a topology or config file, at a place.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct ReadError {
    /// What is wrong.
    pub kind: ReadErrorKind,
    /// The offending text, as a byte range of the file.
    pub span: Range<usize>,
    /// The span's first line, from 1.
    pub line: usize,
    /// The span's first column (in characters), from 1.
    pub column: usize,
}

impl ReadError {
    /// The error `kind` at `span` of `text`.
    pub fn new(kind: ReadErrorKind, text: &str, span: Range<usize>) -> Self {
        let (line, column) = line_column(text, span.start);
        ReadError {
            kind,
            span,
            line,
            column,
        }
    }

    /// A `help:` line for the message, where there is advice to give.
    pub fn help(&self) -> Option<String> {
        self.kind.help()
    }

    /// The error as a diagnostic: its code, the message, the span
    /// underlined (and the first row of a duplicated name), the help.
    pub fn diagnostic(&self) -> Diagnostic {
        let span = Span::new(self.span.start, self.span.end);
        let mut d = Diagnostic::new(self.kind.code(), self.kind.to_string())
            .primary(span, self.kind.label());
        if let ReadErrorKind::DuplicateName { first, .. } = &self.kind {
            d = d.secondary(Span::new(first.start, first.end), "first defined here");
        }
        match self.help() {
            Some(help) => d.help(help),
            None => d,
        }
    }

    /// The error with its file: `origin` names it, `text` is its content.
    pub fn report(&self, origin: &str, text: &str) -> Report {
        Report::one(origin, text, self.diagnostic())
    }
}

/// The warnings of a config that reads: one per key SCALE-Sim does not
/// read (`W005`), as `(key, span)` from [`crate::scalesim::ScaleSimConfig`]'s
/// `ignored`.
pub fn ignored_keys(ignored: &[(String, Range<usize>)]) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (key, span) in ignored {
        diags.push(
            Diagnostic::new(
                Code::ConfigIgnoredKey,
                format!("SCALE-Sim 3.0.0 does not read `{key}`; it changes nothing"),
            )
            .primary(Span::new(span.start, span.end), "not read")
            .help("remove it, or check its spelling against docs/scalesim.md#config-files"),
        );
    }
    diags
}

/// The 1-based line and column of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Which kind of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A topology CSV.
    Topology,
    /// A config `.cfg`.
    Config,
}

/// What is wrong, with what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// The file has no line at all (a topology needs its header line).
    Empty {
        /// Which file.
        file: FileKind,
    },
    /// A topology file has a header but no layer.
    NoLayers,
    /// A topology row does not end with a comma: SCALE-Sim drops the last
    /// field of every row, so this row's last value would be lost.
    NoTrailingComma {
        /// The field that would be dropped.
        dropped: String,
    },
    /// A topology row has the wrong number of fields.
    FieldCount {
        /// Fields found before the trailing comma.
        found: usize,
        /// What the row should hold.
        expected: &'static str,
    },
    /// A layer without a name.
    EmptyName,
    /// A field that should be a whole number is not one in range.
    NotANumber {
        /// The field or key.
        what: String,
        /// Its text.
        text: String,
        /// The smallest value it may take.
        min: u64,
    },
    /// A topology row's sparsity field is not `N:M`.
    BadSparsity {
        /// Its text.
        text: String,
    },
    /// The filter is larger than the ifmap (SCALE-Sim refuses it).
    FilterLargerThanIfmap {
        /// `height` or `width`.
        dim: &'static str,
        /// The filter's extent.
        filter: u64,
        /// The ifmap's extent.
        ifmap: u64,
    },
    /// A config line is neither `[section]`, `key = value` (or
    /// `key: value`), a comment nor blank.
    BadLine,
    /// An indented line right after a key, which SCALE-Sim's reader takes
    /// as more of that key's value.
    Continuation {
        /// The key it would continue.
        key: String,
    },
    /// A key before the first `[section]`.
    KeyOutsideSection,
    /// A section appears twice.
    DuplicateSection {
        /// Its name.
        name: String,
    },
    /// A key appears twice in one section.
    DuplicateKey {
        /// The key, as written.
        key: String,
    },
    /// A section SCALE-Sim reads is missing.
    MissingSection {
        /// Its name.
        name: &'static str,
        /// A section of the file whose name differs only in case.
        found: Option<String>,
    },
    /// A key SCALE-Sim reads is missing from its section.
    MissingKey {
        /// The section.
        section: &'static str,
        /// The key.
        key: &'static str,
        /// A key of the section it is probably a typo of.
        suggestion: Option<String>,
    },
    /// A key's value is not one it takes.
    BadValue {
        /// The key.
        key: &'static str,
        /// The value as written.
        text: String,
        /// What it may be.
        expected: &'static str,
    },
    /// A feature SCALE-Sim has and nnc does not model.
    Unsupported {
        /// The key that turns it on.
        key: &'static str,
        /// The feature.
        feature: &'static str,
    },
    /// A USER-mode bank bandwidth is not divisible by its bank count.
    BankBandwidth {
        /// The bandwidth key.
        key: &'static str,
        /// Its value.
        bandwidth: u64,
        /// The bank count.
        banks: u64,
    },
    /// A config value beyond the model's limits.
    OutOfRange {
        /// The key.
        key: &'static str,
        /// Its value.
        value: u64,
        /// The largest value the model takes.
        max: u64,
        /// The unit of both.
        unit: &'static str,
    },
    /// Two topology rows with one name: the layers of a network have
    /// unique names.
    DuplicateName {
        /// The name.
        name: String,
        /// The first row with it.
        first: Range<usize>,
    },
    /// A layer beyond the limits of the IR or the SCALE-Sim model.
    TooLarge {
        /// What is too large, and the limit.
        why: String,
    },
}

impl ReadErrorKind {
    /// The diagnostic code of this kind of error.
    pub fn code(&self) -> Code {
        match self {
            ReadErrorKind::Empty { .. } => Code::ScaleSimEmpty,
            ReadErrorKind::NoLayers => Code::TopologyNoLayers,
            ReadErrorKind::NoTrailingComma { .. } => Code::TopologyTrailingComma,
            ReadErrorKind::FieldCount { .. } => Code::TopologyFieldCount,
            ReadErrorKind::EmptyName => Code::TopologyNoName,
            ReadErrorKind::NotANumber { .. } => Code::ScaleSimNotANumber,
            ReadErrorKind::BadSparsity { .. } => Code::TopologySparsity,
            ReadErrorKind::FilterLargerThanIfmap { .. } => Code::TopologyFilterTooLarge,
            ReadErrorKind::DuplicateName { .. } => Code::TopologyDuplicateName,
            ReadErrorKind::TooLarge { .. } => Code::TopologyTooLarge,
            ReadErrorKind::BadLine => Code::ConfigBadLine,
            ReadErrorKind::Continuation { .. } => Code::ConfigContinuation,
            ReadErrorKind::KeyOutsideSection => Code::ConfigKeyOutsideSection,
            ReadErrorKind::DuplicateSection { .. } => Code::ConfigDuplicateSection,
            ReadErrorKind::DuplicateKey { .. } => Code::ConfigDuplicateKey,
            ReadErrorKind::MissingSection { .. } => Code::ConfigMissingSection,
            ReadErrorKind::MissingKey { .. } => Code::ConfigMissingKey,
            ReadErrorKind::BadValue { .. } => Code::ConfigBadValue,
            ReadErrorKind::Unsupported { .. } => Code::ConfigUnsupported,
            ReadErrorKind::BankBandwidth { .. } => Code::ConfigBankBandwidth,
            ReadErrorKind::OutOfRange { .. } => Code::ConfigOutOfRange,
        }
    }

    /// The label under the span: what the underlined text is.
    fn label(&self) -> &'static str {
        match self {
            ReadErrorKind::Empty { .. } => "empty",
            ReadErrorKind::NoLayers => "no row after the header",
            ReadErrorKind::NoTrailingComma { .. } => "would be dropped",
            ReadErrorKind::FieldCount { .. } => "this row",
            ReadErrorKind::EmptyName => "no name",
            ReadErrorKind::NotANumber { .. } => "not a whole number in range",
            ReadErrorKind::BadSparsity { .. } => "not `N:M`",
            ReadErrorKind::FilterLargerThanIfmap { .. } => "larger than the ifmap",
            ReadErrorKind::DuplicateName { .. } => "defined again here",
            ReadErrorKind::TooLarge { .. } => "this layer",
            ReadErrorKind::BadLine | ReadErrorKind::KeyOutsideSection => "this line",
            ReadErrorKind::Continuation { .. } => "indented",
            ReadErrorKind::DuplicateSection { .. } => "again here",
            ReadErrorKind::DuplicateKey { .. } => "again here",
            ReadErrorKind::MissingSection { found: Some(_), .. } => "named in another case",
            ReadErrorKind::MissingSection { found: None, .. } => "not found before the end",
            ReadErrorKind::MissingKey { .. } => "in this section",
            ReadErrorKind::BadValue { .. } => "not a value the key takes",
            ReadErrorKind::Unsupported { .. } => "turned on",
            ReadErrorKind::BankBandwidth { .. } => "not divisible",
            ReadErrorKind::OutOfRange { .. } => "too large",
        }
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            ReadErrorKind::NoTrailingComma { .. } => {
                "end the row with a comma, as in `conv1, 224, 224, 11, 11, 3, 96, 4,`".into()
            }
            ReadErrorKind::FieldCount { .. } => {
                "a conv row is `name, H, W, R, S, C, M, stride,` and a GEMM row `name, M, N, K,` \
                 (a GEMM file's header is `Layer, M, N, K,`, or `--gemm` reads every row as one)"
                    .into()
            }
            ReadErrorKind::NotANumber { text, .. } if text.contains(['#', ';']) => {
                "SCALE-Sim's reader does not allow a comment after a value; put it on a line of its own"
                    .into()
            }
            ReadErrorKind::Continuation { .. } => "remove the indentation".into(),
            ReadErrorKind::MissingSection {
                found: Some(found), ..
            } => format!("section names are case-sensitive: rename `[{found}]`"),
            ReadErrorKind::MissingKey {
                suggestion: Some(s),
                ..
            } => format!("did you mean `{s}`?"),
            ReadErrorKind::BankBandwidth { .. } => {
                "in USER mode the bandwidth is split evenly over the banks".into()
            }
            ReadErrorKind::DuplicateName { .. } => {
                "rename one: a network's layers have unique names (schedules, reports and diffs find layers by name)"
                    .into()
            }
            _ => return None,
        })
    }
}

impl ReadErrorKind {
    /// The messages of a config's errors (the rest are a topology's).
    fn fmt_config(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadErrorKind::BadLine => write!(
                f,
                "expected `[section]`, `key = value`, `key: value`, a comment (`#` or `;`) or a blank line"
            ),
            ReadErrorKind::Continuation { key } => write!(
                f,
                "an indented line right after `{key}` continues its value in SCALE-Sim's reader"
            ),
            ReadErrorKind::KeyOutsideSection => {
                write!(
                    f,
                    "a key before the first section; expected a `[section]` line first"
                )
            }
            ReadErrorKind::DuplicateSection { name } => {
                write!(f, "section `[{name}]` appears twice")
            }
            ReadErrorKind::DuplicateKey { key } => {
                write!(
                    f,
                    "key `{key}` appears twice in its section (keys ignore case)"
                )
            }
            ReadErrorKind::MissingSection { name, .. } => {
                write!(f, "section `[{name}]` is missing; SCALE-Sim reads it")
            }
            ReadErrorKind::MissingKey { section, key, .. } => {
                write!(
                    f,
                    "key `{key}` is missing from `[{section}]`; SCALE-Sim reads it"
                )
            }
            ReadErrorKind::BadValue {
                key,
                text,
                expected,
            } => write!(f, "`{key}` is `{text}`; expected {expected}"),
            ReadErrorKind::Unsupported { key, feature } => write!(
                f,
                "`{key}` turns on {feature}, which nnc does not model; expected `False`"
            ),
            ReadErrorKind::BankBandwidth {
                key,
                bandwidth,
                banks,
            } => write!(
                f,
                "`{key}` is {bandwidth} words per cycle, not divisible by its {banks} banks"
            ),
            ReadErrorKind::OutOfRange {
                key,
                value,
                max,
                unit,
            } => write!(
                f,
                "`{key}` is {value} {unit}, beyond the model's limit of {max} {unit}"
            ),
            // The topology's are written by `Display` itself.
            _ => Ok(()),
        }
    }
}

impl fmt::Display for ReadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadErrorKind::Empty {
                file: FileKind::Topology,
            } => write!(
                f,
                "the topology is empty: expected a header line, then one row per layer"
            ),
            ReadErrorKind::Empty {
                file: FileKind::Config,
            } => write!(
                f,
                "the config is empty: expected `[general]`, `[architecture_presets]` and the other sections"
            ),
            ReadErrorKind::NoLayers => {
                write!(
                    f,
                    "the topology has no layers: expected one row per layer after the header line"
                )
            }
            ReadErrorKind::NoTrailingComma { dropped } => write!(
                f,
                "the row does not end with a comma, so SCALE-Sim would drop its last field `{dropped}`"
            ),
            ReadErrorKind::FieldCount { found, expected } => {
                write!(f, "the row has {found} fields; expected {expected}")
            }
            ReadErrorKind::EmptyName => write!(
                f,
                "the layer has no name; expected a name as the row's first field"
            ),
            ReadErrorKind::NotANumber { what, text, min } => {
                write!(
                    f,
                    "{what} is `{text}`; expected a whole number of at least {min}"
                )
            }
            ReadErrorKind::BadSparsity { text } => write!(
                f,
                "the sparsity field is `{text}`; expected `N:M` (N non-zero values in blocks of M)"
            ),
            ReadErrorKind::FilterLargerThanIfmap { dim, filter, ifmap } => write!(
                f,
                "the filter {dim} {filter} is larger than the ifmap {dim} {ifmap}; SCALE-Sim has no padding, so give the ifmap as stored (padded)"
            ),
            ReadErrorKind::DuplicateName { name, .. } => {
                write!(f, "two layers are named `{name}`")
            }
            ReadErrorKind::TooLarge { why } => write!(f, "the layer is too large: {why}"),
            _ => self.fmt_config(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 7), (2, 4));
        assert_eq!(line_column(text, 8), (3, 1));
        assert_eq!(line_column(text, 99), (3, 2));
    }
}
