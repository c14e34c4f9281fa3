//! Reading a schedule file back (`nnc diff`, `nnc report`): the JSON of
//! `nnc-schedule/2` (or `/1`, without the pipelining fields) into
//! [`SavedSchedule`], which is the type it was written as,
//! [`ScheduleFile`]: every part reads into its written type, so a field
//! cannot be written and not read. The hardware reads through `hardware`
//! (its own keys and the word sizes share one object).
//!
//! Every object refuses unknown keys, so a field this reader does not know
//! is an error rather than silently dropped (a diff would call two files
//! equal that differ in it), and the round trip write -> read -> write
//! gives the same bytes (tested in `tests/report/read.rs`).

mod check;
mod hardware;
mod locate;

use super::scalesim::{SCALESIM_FORMAT, ScaleSimSchedule};
use super::types::{FORMAT, FORMAT_V1, LayerOut, ScheduleFile};
use crate::diag::{Code, Diagnostic, Report, SerdeProblem, Span};
use locate::locate;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use thiserror::Error;

/// A schedule file as read back: the type it was written as.
pub type SavedSchedule = ScheduleFile;

impl ScheduleFile {
    /// The file's text, laid out as `nnc schedule -o` writes it: a file
    /// read and written back is byte-identical.
    pub fn to_text(&self) -> Result<String, serde_json::Error> {
        super::json::to_text(self)
    }

    /// The layer named `name`.
    pub fn layer(&self, name: &str) -> Option<&LayerOut> {
        self.layers.iter().find(|l| l.name == name)
    }

    /// The schedule as it reads back from its file: without what the file
    /// does not hold (the hardware text's digest is in `inputs`, the
    /// hardware's warnings were printed).
    #[must_use]
    pub fn read_back(&self) -> ScheduleFile {
        let mut saved = self.clone();
        saved.hardware.file.text_sha256.clear();
        saved.hardware.file.warnings.clear();
        saved
    }
}

/// Why a schedule file cannot be read. Each names the file; a bad field
/// also its JSON path (`layers[3].energy_breakdown.op`).
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file cannot be opened or read.
    #[error("cannot read `{origin}`: {source}")]
    Io {
        /// The file.
        origin: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// The text is not JSON (or not a JSON object).
    #[error("`{origin}` is not a schedule file: {message}")]
    NotJson {
        /// The file.
        origin: String,
        /// serde_json's message, with line and column.
        message: String,
        /// Where, line and column from 1 (0 when unknown).
        at: (usize, usize),
    },
    /// No `format` key, or not a string.
    #[error("`{origin}` is not a schedule file: it has no `format` (expected \"{FORMAT}\")")]
    NoFormat {
        /// The file.
        origin: String,
    },
    /// A format this reader does not read.
    #[error("`{origin}` has format \"{found}\"; {}", reads(expected))]
    UnknownFormat {
        /// The file.
        origin: String,
        /// The file's `format`.
        found: String,
        /// The formats the reader reads.
        expected: &'static [&'static str],
    },
    /// A field is missing, unknown or of the wrong type or value.
    #[error("`{origin}`: at `{path}`: {message}")]
    Field {
        /// The file.
        origin: String,
        /// The JSON path of the field (`.` when the top level itself).
        path: String,
        /// What is wrong, with line and column.
        message: String,
        /// Where, line and column from 1 (0 when unknown).
        at: (usize, usize),
    },
}

impl ReadError {
    /// Is it the file system's fault (a usage error) rather than the
    /// file's content?
    pub fn is_io(&self) -> bool {
        matches!(self, ReadError::Io { .. })
    }

    /// The error as a diagnostic of the file's `text` (codes `R001`–`R006`,
    /// docs/diagnostics.md#files-read-back), at the line and column the
    /// JSON reader stopped, with the field's JSON path.
    pub fn diagnostic(&self, text: &str) -> Diagnostic {
        let place = |d: Diagnostic, (line, column): (usize, usize), label: String| {
            match Span::at_line_column(text, line, column) {
                Some(span) => d.primary(span, label),
                None => d,
            }
        };
        match self {
            ReadError::Io { .. } => Diagnostic::error(self.to_string()),
            ReadError::NotJson { message, at, .. } => place(
                Diagnostic::new(
                    Code::ReadNotJson,
                    format!("not a schedule file: {}", without_position(message, *at)),
                ),
                *at,
                "here".into(),
            )
            .help(WRITTEN_BY),
            ReadError::NoFormat { .. } => Diagnostic::new(
                Code::ReadNoFormat,
                format!("not a schedule file: it has no `format` (expected \"{FORMAT}\")"),
            )
            .help(WRITTEN_BY),
            ReadError::UnknownFormat {
                found, expected, ..
            } => Diagnostic::new(
                Code::ReadUnknownFormat,
                format!("format \"{found}\" is not one this nnc reads"),
            )
            .note(reads(expected))
            .help("read it with the version of nnc that wrote it (its `nnc_version`)"),
            ReadError::Field {
                path, message, at, ..
            } => {
                let message = without_position(message, *at);
                let (code, help) = match SerdeProblem::of(message) {
                    SerdeProblem::UnknownKey {
                        suggestion: Some(s),
                        ..
                    } => (Code::ReadUnknownKey, format!("did you mean `{s}`?")),
                    SerdeProblem::UnknownKey { .. } => {
                        (Code::ReadUnknownKey, WRITTEN_BY.to_owned())
                    }
                    SerdeProblem::MissingKey => (Code::ReadMissingKey, WRITTEN_BY.to_owned()),
                    SerdeProblem::BadValue => (Code::ReadBadValue, WRITTEN_BY.to_owned()),
                };
                let d = Diagnostic::new(code, format!("invalid schedule file: {message}"));
                let label = match path.as_str() {
                    "." => "in the top-level object".to_owned(),
                    _ => format!("at `{path}`"),
                };
                place(d, *at, label).help(help)
            }
        }
    }

    /// The error with its input: the file and its `text`.
    pub fn report(&self, text: &str) -> Report {
        match self {
            ReadError::Io { .. } => Report::one("", "", self.diagnostic(text)),
            ReadError::NotJson { origin, .. }
            | ReadError::NoFormat { origin }
            | ReadError::UnknownFormat { origin, .. }
            | ReadError::Field { origin, .. } => Report::one(origin, text, self.diagnostic(text)),
        }
    }
}

/// What a schedule file is, for the help lines.
const WRITTEN_BY: &str = "a schedule file is what `nnc schedule -o FILE` writes";

/// serde_json's `message` without the ` at line L column C` it appends.
fn without_position(message: &str, (line, column): (usize, usize)) -> &str {
    message
        .strip_suffix(&format!(" at line {line} column {column}"))
        .unwrap_or(message)
}

/// Reads the schedule file at `path`.
pub fn read(path: &Path) -> Result<SavedSchedule, ReadError> {
    let origin = path.display().to_string();
    let text = crate::bounded::read_to_string(path, crate::bounded::MAX_SCHEDULE_BYTES).map_err(
        |source| ReadError::Io {
            origin: origin.clone(),
            source,
        },
    )?;
    from_text(&text, &origin)
}

/// What a reader of `formats` reads, for messages: `this nnc reads "a"
/// and "b" only`.
fn reads(formats: &[&str]) -> String {
    let quoted: Vec<String> = formats.iter().map(|f| format!("\"{f}\"")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("this nnc reads {} and {last} only", rest.join(", "))
        }
        _ => format!("this nnc reads {} only", quoted.join("")),
    }
}

/// The formats of nnc's own schedules.
const NNC_FORMATS: &[&str] = &[FORMAT, FORMAT_V1];

/// Every format of a schedule file: nnc's own, and `--compat scalesim`'s.
const ALL_FORMATS: &[&str] = &[FORMAT, FORMAT_V1, SCALESIM_FORMAT];

/// A schedule file of either kind, as read back.
#[derive(Clone, Debug, PartialEq)]
pub enum AnySchedule {
    /// A schedule of nnc's model (`nnc-schedule/2`, or `/1`).
    Nnc(Box<SavedSchedule>),
    /// SCALE-Sim's reports (`nnc-scalesim/1`, `--compat scalesim`).
    ScaleSim(Box<ScaleSimSchedule>),
}

/// Parses a schedule file of nnc's model; `origin` names it in errors.
pub fn from_text(text: &str, origin: &str) -> Result<SavedSchedule, ReadError> {
    format_of(text, origin, NNC_FORMATS)?;
    checked(text, origin, parse(text, origin)?)
}

/// Parses a schedule file of either kind, by its `format`; `origin` names
/// it in errors.
pub fn any_from_text(text: &str, origin: &str) -> Result<AnySchedule, ReadError> {
    if format_of(text, origin, ALL_FORMATS)? == SCALESIM_FORMAT {
        let s: ScaleSimSchedule = parse(text, origin)?;
        in_range(text, origin, check::scalesim(&s))?;
        Ok(AnySchedule::ScaleSim(Box::new(s)))
    } else {
        let s = checked(text, origin, parse(text, origin)?)?;
        Ok(AnySchedule::Nnc(Box::new(s)))
    }
}

/// The file's `format`, one of `expected`.
fn format_of(
    text: &str,
    origin: &str,
    expected: &'static [&'static str],
) -> Result<String, ReadError> {
    // The format first: a file of another version should say so, not
    // fail at the first field that changed.
    #[derive(Deserialize)]
    struct Tag {
        format: Option<serde_json::Value>,
    }
    let tag: Tag = serde_json::from_str(text).map_err(|e| ReadError::NotJson {
        origin: origin.to_owned(),
        message: e.to_string(),
        at: (e.line(), e.column()),
    })?;
    match tag.format {
        Some(serde_json::Value::String(f)) if expected.contains(&f.as_str()) => Ok(f),
        Some(serde_json::Value::String(found)) => Err(ReadError::UnknownFormat {
            origin: origin.to_owned(),
            found,
            expected,
        }),
        _ => Err(ReadError::NoFormat {
            origin: origin.to_owned(),
        }),
    }
}

/// The whole file as a `T`, every field checked, nothing after it.
fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, ReadError> {
    let field_error = |path: String, e: serde_json::Error| ReadError::Field {
        origin: origin.to_owned(),
        path,
        message: e.to_string(),
        at: (e.line(), e.column()),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        field_error(path, e.into_inner())
    })?;
    // Trailing text after the object.
    de.end().map_err(|e| field_error(".".to_owned(), e))?;
    Ok(value)
}

/// `s`, read from `text`, if every value is within the model's ranges:
/// what nnc cannot have written is refused, not drawn
/// (docs/limits.md#reports).
fn checked(text: &str, origin: &str, s: SavedSchedule) -> Result<SavedSchedule, ReadError> {
    in_range(text, origin, check::schedule(&s))?;
    Ok(s)
}

/// The range check `checked` of the file `text`, its error at the value's
/// place.
fn in_range(
    text: &str,
    origin: &str,
    checked: Result<(), check::OutOfRange>,
) -> Result<(), ReadError> {
    checked.map_err(|e| {
        let at = locate(text, &e.path).map_or((0, 0), |r| line_column(text, r.start));
        ReadError::Field {
            origin: origin.to_owned(),
            path: e.path,
            message: e.why,
            at,
        }
    })
}

/// The line and byte column (from 1, as serde_json counts them) of byte
/// `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..at.min(text.len())];
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    (line, at - line_start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_schedule() {
        let e = from_text("[1, 2", "x.json").unwrap_err();
        assert!(matches!(e, ReadError::NotJson { .. }), "{e}");
        let e = from_text("{\"network\": \"n\"}", "x.json").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`x.json` is not a schedule file: it has no `format` (expected \"nnc-schedule/2\")"
        );
        let e = from_text("{\"format\": \"nnc-schedule/3\"}", "x.json").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`x.json` has format \"nnc-schedule/3\"; this nnc reads \"nnc-schedule/2\" and \"nnc-schedule/1\" only"
        );
    }
}
