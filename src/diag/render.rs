//! The one renderer of diagnostics, and [`Report`], diagnostics with the
//! input they are about. The only file that knows `codespan_reporting`.
//!
//! A diagnostic with labels is drawn by codespan under its input's text
//! (`┌─ hw.toml:7:1` and the lines with carets). One without labels (an
//! ONNX node, a `--set` change, a file as a whole) gets the same locus
//! line, naming the input and the place, so that every input's diagnostics
//! read alike:
//!
//! ```text
//! error[X004]: nnc has no model of `Einsum`
//!   ┌─ model.onnx: node `/attn/Einsum` (Einsum)
//!   │
//!   = help: supported: Conv, ConvTranspose, Gemm, ...
//! ```

use super::{Diagnostic, Diagnostics, Severity, safe};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, SimpleFile};
use codespan_reporting::term::{self, Config, Renderer, WriteStyle, termcolor};
use std::fmt;
use std::io;

/// Writes diagnostics about the input `path` (its text `source`, empty for
/// a binary input or none) to `out`, with ANSI colors if `color`, without a
/// summary line. An empty `path` is no input: a usage error.
fn emit_each(
    diags: &Diagnostics,
    path: &str,
    source: &str,
    color: bool,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    // What the terminal is given of the input is shown, not obeyed, and
    // bounded (`safe.rs`).
    let path = safe::one_line(path);
    let source = safe::source(source);
    let source: &str = &source;
    let file = SimpleFile::new(path.as_str(), source);
    let config = Config::default();
    for d in diags {
        let d = &safe::diagnostic(d, source);
        // A label that does not fit the text (a bug) must not draw a wrong
        // place, nor half a diagnostic: the diagnostic is drawn without
        // labels (into a buffer first, for codespan's own errors).
        let fits = d.labels.iter().all(|l| {
            let r = l.span.range();
            r.start <= r.end && source.is_char_boundary(r.start) && source.is_char_boundary(r.end)
        });
        let mut buf = Vec::new();
        if !fits || draw(d, &file, &config, color, &mut buf).is_err() {
            buf.clear();
            let unlabelled = Diagnostic {
                labels: Vec::new(),
                ..d.clone()
            };
            draw(&unlabelled, &file, &config, color, &mut buf).map_err(io::Error::other)?;
        }
        out.write_all(&buf)?;
    }
    Ok(())
}

/// Renders diagnostics of a compiled `.nn` file without colors into a
/// string, with its summary line (for tests and tools).
pub fn render(diags: &Diagnostics, path: &str, source: &str) -> String {
    Report::compiled(path, source, diags.clone()).to_string()
}

/// One diagnostic, colored or not.
fn draw(
    d: &Diagnostic,
    file: &SimpleFile<&str, &str>,
    config: &Config,
    color: bool,
    out: &mut Vec<u8>,
) -> Result<(), files::Error> {
    if color {
        draw_styled(d, file, config, &mut termcolor::Ansi::new(out))
    } else {
        draw_styled(d, file, config, &mut termcolor::NoColor::new(out))
    }
}

fn draw_styled(
    d: &Diagnostic,
    file: &SimpleFile<&str, &str>,
    config: &Config,
    w: &mut dyn WriteStyle,
) -> Result<(), files::Error> {
    if !d.labels.is_empty() {
        return term::emit_to_write_style(w, config, file, &to_codespan(d));
    }
    let severity = severity(d.severity);
    Renderer::new(w, config).render_header(
        None,
        severity,
        d.code.map(|c| c.as_str()),
        &d.message,
    )?;
    let name = file.name();
    let locus = match (&d.place, name.is_empty()) {
        (None, true) => None,
        (None, false) => Some((*name).to_owned()),
        (Some(place), true) => Some(place.clone()),
        (Some(place), false) => Some(format!("{name}: {place}")),
    };
    // The gutter of a one-digit line number, as codespan draws a snippet.
    let pad = usize::from(locus.is_some());
    if let Some(locus) = locus {
        write!(w, "{:pad$} ", "")?;
        w.set_source_border()?;
        write!(w, "{}", config.chars.snippet_start)?;
        w.reset()?;
        writeln!(w, " {locus}")?;
        if !d.notes.is_empty() {
            Renderer::new(w, config).render_snippet_empty(pad, severity, 0, &[])?;
        }
    }
    let mut r = Renderer::new(w, config);
    for note in &d.notes {
        r.render_snippet_note(pad, note)?;
    }
    // A bare message (a usage error) is one line; anything more ends with
    // an empty one, as codespan ends a snippet.
    if pad == 0 && d.notes.is_empty() {
        return Ok(());
    }
    r.render_empty()
}

fn severity(s: Severity) -> cs::Severity {
    match s {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    }
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<()> {
    let mut c = cs::Diagnostic::new(severity(d.severity));
    if let Some(code) = d.code {
        c = c.with_code(code.as_str());
    }
    let labels = d
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
    let mut notes = d.notes.clone();
    // A place beside labels is context for them.
    if let Some(place) = &d.place {
        notes.insert(0, format!("note: in {place}"));
    }
    c.with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// Diagnostics about one input, with what showing them takes: the input's
/// name (a path, `preset eyeriss`; empty for none) and text (empty for a
/// binary input). Every error type of a stage that reads an input turns
/// into one (`From`), so a program built on nnc prints nnc's diagnostics:
/// `Display` is the rendered text without colors, and so is `Debug`, so
/// that a `main` returning `Result<(), Report>` prints the diagnostics
/// rather than a struct.
#[derive(Clone, PartialEq, Eq)]
pub struct Report {
    name: String,
    text: String,
    diagnostics: Diagnostics,
    compiled: bool,
}

impl Report {
    /// The diagnostics of the input `name` whose text is `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>, diagnostics: Diagnostics) -> Self {
        Report {
            name: name.into(),
            text: text.into(),
            diagnostics,
            compiled: false,
        }
    }

    /// One diagnostic of the input `name` whose text is `text`.
    pub fn one(name: impl Into<String>, text: impl Into<String>, diagnostic: Diagnostic) -> Self {
        let mut diagnostics = Diagnostics::new();
        diagnostics.push(diagnostic);
        Report::new(name, text, diagnostics)
    }

    /// An error that is about no input (a usage error).
    pub fn error(message: impl Into<String>) -> Self {
        Report::one("", "", Diagnostic::error(message))
    }

    /// The diagnostics of compiling the `.nn` file `name`: shown with a
    /// closing line when there are errors ("could not compile ... due to N
    /// previous errors").
    pub fn compiled(
        name: impl Into<String>,
        text: impl Into<String>,
        diagnostics: Diagnostics,
    ) -> Self {
        Report {
            compiled: true,
            ..Report::new(name, text, diagnostics)
        }
    }

    /// The input's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The diagnostics.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// True if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }

    /// Writes the diagnostics to `out`, with ANSI colors if `color`.
    pub fn emit(&self, color: bool, out: &mut dyn io::Write) -> io::Result<()> {
        emit_each(&self.diagnostics, &self.name, &self.text, color, out)?;
        let errors = self.diagnostics.error_count();
        if self.compiled && errors > 0 {
            let s = if errors == 1 { "" } else { "s" };
            writeln!(
                out,
                "error: could not compile `{}` due to {errors} previous error{s}",
                safe::one_line(&self.name)
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = Vec::new();
        self.emit(false, &mut buf).map_err(|_| fmt::Error)?;
        f.write_str(&String::from_utf8_lossy(&buf))
    }
}

impl fmt::Debug for Report {
    /// The rendered text, as `Display`: see [`Report`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Report {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Span};

    #[test]
    fn every_input_reads_alike() {
        // In a text: codespan's snippet.
        let d = Diagnostic::new(Code::HwOutOfRange, "word_bits out of range")
            .primary(Span::new(0, 9), "out of range");
        let text = Report::one("hw.toml", "word_bits = 12\n", d).to_string();
        assert!(text.starts_with("error[H005]: word_bits out of range\n  ┌─ hw.toml:1:1\n"));
        // No text: the same locus line, with the place.
        let d = Diagnostic::new(Code::OnnxNode, "no model of `Einsum`")
            .at("node `/e` (Einsum)")
            .help("supported: Conv, ...");
        assert_eq!(
            Report::one("m.onnx", "", d).to_string(),
            "error[X004]: no model of `Einsum`\n  ┌─ m.onnx: node `/e` (Einsum)\n  │\n  = help: supported: Conv, ...\n\n"
        );
        // About no input: one line.
        assert_eq!(
            Report::error("cannot read `x`").to_string(),
            "error: cannot read `x`\n"
        );
    }

    #[test]
    fn a_report_debugs_as_its_text() {
        let d = Diagnostic::new(Code::HwMissingKey, "missing field `name`");
        let r = Report::one("hw.toml", "", d);
        assert_eq!(format!("{r:?}"), r.to_string());
        assert!(format!("{r:?}").contains("\n  ┌─ hw.toml\n"));
    }

    #[test]
    fn a_label_beyond_the_text_is_dropped_not_half_drawn() {
        let d = Diagnostic::new(Code::HwSyntax, "bad").primary(Span::new(50, 60), "here");
        assert_eq!(
            Report::one("hw.toml", "short\n", d).to_string(),
            "error[H001]: bad\n  ┌─ hw.toml\n\n"
        );
    }
}
