//! Diagnostics as data, and their one renderer, for every input nnc reads:
//! a `.nn` network, a hardware file or `--set`, a sweep spec, an ONNX model,
//! a schedule or results file read back. Each input's stage states its
//! problems as [`Diagnostic`]s with a stable [`Code`] (docs/diagnostics.md)
//! and a place: a [`Span`] of a text file, or a [`Diagnostic::place`] where
//! there is no text (an ONNX node, a `--set` change, a design point).
//! [`Report`] prints them ([`render`] into a string); `render.rs` is the only file that
//! knows `codespan_reporting`.
//!
//! - `code`: every code, by input;
//! - `span`: byte ranges of a text, and lines and columns turned into them;
//! - `render`: the renderer;
//! - `safe`: what a terminal is given of an input: control characters
//!   shown, not obeyed; long lines and messages as excerpts;
//! - `serde_problem`: what a serde data error is about, for the inputs read
//!   with serde.

mod code;
mod render;
mod safe;
mod serde_problem;
mod span;

pub use code::{Code, Input};
pub use render::{Report, render};
pub use safe::{MAX_LINE_BYTES, MAX_MESSAGE_CHARS, printable};
pub use serde_problem::SerdeProblem;
pub use span::Span;

use std::collections::HashSet;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Compilation goes on and succeeds.
    Warning,
    /// Compilation fails.
    Error,
}

/// A place in the source with a note about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it (may be empty).
    pub message: String,
    /// The primary label says what is wrong here; secondary ones give context.
    pub primary: bool,
}

impl Label {
    /// A primary label.
    pub fn primary(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
            primary: true,
        }
    }

    /// A secondary label.
    pub fn secondary(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
            primary: false,
        }
    }
}

/// One error or warning about an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Its stable code; `None` for what is not an input's fault: a usage
    /// error (an unreadable file, options that cannot go together) or an
    /// internal error (a bug).
    pub code: Option<Code>,
    /// One lowercase line.
    pub message: String,
    /// Where, in an input without text to point into: an ONNX node
    /// (``node `/fc/Gemm` (Gemm)``), a change (`--set word_bits=12`), a
    /// design point. Shown after the input's name.
    pub place: Option<String>,
    /// Places in the source, the primary one first.
    pub labels: Vec<Label>,
    /// `help:` and `note:` lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with the severity its code implies.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        let severity = if code.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        };
        Diagnostic {
            severity,
            code: Some(code),
            message: message.into(),
            place: None,
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// An error that is no input's fault, so without a code: an unreadable
    /// file, a command line that asks for something impossible.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            message: message.into(),
            place: None,
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A warning about what the command line asked for, so without a
    /// code: an option that overrides what an input says.
    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// An internal compiler error: a bug, reported instead of panicking.
    pub fn internal(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            message: format!("internal compiler error: {}", message.into()),
            place: None,
            labels: Vec::new(),
            notes: vec!["note: this is a bug in nnc; please report it".into()],
        }
    }

    /// Adds a primary label.
    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label::primary(span, message));
        self
    }

    /// Adds a secondary label.
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label::secondary(span, message));
        self
    }

    /// Sets the place in an input without text ([`Diagnostic::place`]).
    pub fn at(mut self, place: impl Into<String>) -> Self {
        self.place = Some(place.into());
        self
    }

    /// Adds a `help:` line.
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.notes.push(format!("help: {}", text.into()));
        self
    }

    /// Adds a `note:` line.
    pub fn note(mut self, text: impl Into<String>) -> Self {
        self.notes.push(format!("note: {}", text.into()));
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary span, if any.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }
}

/// The diagnostics of one file, in the order found. Pushing a diagnostic
/// whose code and primary span equal an earlier one's drops it (the same
/// mistake in a block body is found once per instance).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    seen: HashSet<(Option<Code>, Span)>,
}

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Diagnostics::default()
    }

    /// Adds one, unless it repeats an earlier one.
    pub fn push(&mut self, d: Diagnostic) {
        if let Some(span) = d.primary_span()
            && !self.seen.insert((d.code, span))
        {
            return;
        }
        self.items.push(d);
    }

    /// True if any is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// All of them, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Moves all of `other` in.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}
