//! Diagnostics as data, and their rendering. The only module that knows
//! `codespan_reporting`: the rest of the front end builds [`Diagnostic`]s,
//! the CLI asks [`emit`] to print them.

use super::ast::Span;
use super::code::Code;
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use std::collections::HashSet;
use std::io;

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

/// One error or warning about a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Its stable code; `None` only for internal errors (compiler bugs).
    pub code: Option<Code>,
    /// One lowercase line.
    pub message: String,
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
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// An error about a file that is not `.nn` source (a hardware file), so
    /// without a language error code.
    pub fn file_error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// An internal compiler error: a bug, reported instead of panicking.
    pub fn internal(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            message: format!("internal compiler error: {}", message.into()),
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

    fn to_codespan(&self) -> cs::Diagnostic<()> {
        let d = match self.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        };
        let d = match self.code {
            Some(code) => d.with_code(code.as_str()),
            None => d,
        };
        let labels = self
            .labels
            .iter()
            .map(|l| {
                let style = if l.primary {
                    cs::LabelStyle::Primary
                } else {
                    cs::LabelStyle::Secondary
                };
                cs::Label::new(style, (), l.span.range()).with_message(&l.message)
            })
            .collect();
        d.with_message(&self.message)
            .with_labels(labels)
            .with_notes(self.notes.clone())
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

/// Writes diagnostics about `source` (shown as `path`) to `out`, with ANSI
/// colors if `color`, followed by a summary line when there are errors.
pub fn emit(
    diags: &Diagnostics,
    path: &str,
    source: &str,
    color: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    emit_each(diags, path, source, color, out)?;
    let errors = diags.error_count();
    if errors > 0 {
        let s = if errors == 1 { "" } else { "s" };
        writeln!(
            out,
            "error: could not compile `{path}` due to {errors} previous error{s}"
        )?;
    }
    Ok(())
}

/// Writes diagnostics about `source` (shown as `path`) to `out`, with ANSI
/// colors if `color`, without a summary line (for files that are not
/// compiled, like hardware files).
pub fn emit_each(
    diags: &Diagnostics,
    path: &str,
    source: &str,
    color: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let file = SimpleFile::new(path, source);
    let config = term::Config::default();
    for d in diags {
        let cs = d.to_codespan();
        let res = if color {
            let mut w = termcolor::Ansi::new(&mut *out);
            term::emit_to_write_style(&mut w, &config, &file, &cs)
        } else {
            term::emit_to_io_write(&mut *out, &config, &file, &cs)
        };
        res.map_err(|e| io::Error::other(e.to_string()))?;
    }
    Ok(())
}

/// Renders diagnostics without colors into a string (for tests and tools).
pub fn render(diags: &Diagnostics, path: &str, source: &str) -> String {
    let mut buf = Vec::new();
    // Writing into a Vec cannot fail; a rendering error leaves what was written.
    let _ = emit(diags, path, source, false, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}
