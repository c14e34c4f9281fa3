//! Text that is safe and bounded on a terminal: what nnc prints of its
//! inputs (names, source lines, messages quoting them) can neither drive
//! the terminal (control characters and escape sequences are shown, not
//! sent) nor flood it (a 2 MB line is shown as an excerpt).

use super::{Diagnostic, Label};
use std::borrow::Cow;

/// The longest message or note printed whole, in characters; a longer one
/// (one quoting a 2 MB token) is cut with `…`.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// The longest source line drawn under a diagnostic, in bytes; a label on a
/// longer line is given as a line, a column and an excerpt instead.
pub const MAX_LINE_BYTES: usize = 1000;

/// The most lines one label may span and still be drawn.
pub(super) const MAX_LABEL_LINES: usize = 50;

/// Is `c` one a terminal acts on rather than shows: C0 and C1 controls and
/// DEL, except tab and newline?
fn acts(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// `s` with every control character but tab and newline written as a Rust
/// escape (`\u{1b}`): what a summary, a diff or a message prints of a name.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if acts(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`printable`], on one line (newlines escaped too), and at most
/// [`MAX_MESSAGE_CHARS`] characters.
pub(super) fn one_line(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == MAX_MESSAGE_CHARS {
            out.push('…');
            break;
        }
        if acts(c) || c == '\n' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// [`printable`] and at most [`MAX_MESSAGE_CHARS`] characters, lines kept.
fn bounded(s: &str) -> String {
    match s.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", printable(&s[..at])),
        None => printable(s).into_owned(),
    }
}

/// A source text drawn under diagnostics: each control character but tab,
/// newline and carriage return replaced by `?` (C1 controls, two bytes, by
/// `¿`), so that every byte offset and column stays where it was.
pub(super) fn source(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| acts(c) && c != '\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\r' => c,
                c if acts(c) && c.len_utf8() == 1 => '?',
                c if acts(c) => '¿',
                c => c,
            })
            .collect(),
    )
}

/// `d` ready to draw under `text`: its words printable and bounded, and
/// its labels kept only where the lines under them are short enough to
/// draw; otherwise the place of its first label is given as a line and a
/// column, with an excerpt of the line.
pub(super) fn diagnostic(d: &Diagnostic, text: &str) -> Diagnostic {
    let mut out = Diagnostic {
        message: one_line(&d.message),
        place: d.place.as_deref().map(one_line),
        notes: d.notes.iter().map(|n| bounded(n)).collect(),
        labels: d
            .labels
            .iter()
            .map(|l| Label {
                message: one_line(&l.message),
                ..l.clone()
            })
            .collect(),
        ..d.clone()
    };
    if out.labels.iter().all(|l| drawable(l, text)) {
        return out;
    }
    let first = out
        .labels
        .iter()
        .find(|l| l.primary)
        .or(out.labels.first())
        .map(|l| l.span.range().start);
    out.labels.clear();
    if let Some(at) = first.filter(|&at| text.is_char_boundary(at)) {
        let (line, column, excerpt) = excerpt(text, at);
        out.place = Some(format!("line {line}, column {column}"));
        out.notes.insert(0, format!("the line there: {excerpt}"));
    }
    out
}

/// Are the lines under `label` few and short enough to draw?
fn drawable(label: &Label, text: &str) -> bool {
    let r = label.span.range();
    if r.start > r.end || r.end > text.len() {
        // The renderer draws such a label without labels anyway.
        return true;
    }
    let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[r.end..].find('\n').map_or(text.len(), |i| r.end + i);
    let span = &text.as_bytes()[line_start..line_end];
    let lines = span.iter().filter(|&&b| b == b'\n').count() + 1;
    lines <= MAX_LABEL_LINES
        && span
            .split(|&b| b == b'\n')
            .all(|l| l.len() <= MAX_LINE_BYTES)
}

/// The line and column (from 1, in characters) of byte `at` of `text`, and
/// up to 40 characters either side of it, printable.
fn excerpt(text: &str, at: usize) -> (usize, usize, String) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[..at].matches('\n').count() + 1;
    let before: Vec<char> = text[line_start..at].chars().collect();
    let column = before.len() + 1;
    let skip = before.len().saturating_sub(40);
    let mut shown: String = before[skip..].iter().collect();
    let after = &text[at..line_end];
    shown.extend(after.chars().take(40));
    let mut out = String::new();
    if skip > 0 {
        out.push('…');
    }
    out.push_str(&one_line(&shown));
    if after.chars().nth(40).is_some() {
        out.push('…');
    }
    (line, column, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Span};

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(printable("a\u{1b}[31mb\tc\n"), "a\\u{1b}[31mb\tc\n");
        assert_eq!(printable("plain"), "plain");
        assert_eq!(one_line("a\nb\u{9b}"), "a\\nb\\u{9b}");
        let text = "x\u{1b}y\u{85}z\r\n";
        let safe = source(text);
        assert_eq!(safe, "x?y¿z\r\n");
        assert_eq!(safe.len(), text.len());
    }

    #[test]
    fn long_lines_and_messages_are_excerpts() {
        let long = format!("ab {}\nnext", "x".repeat(5000));
        let d = Diagnostic::new(Code::Syntax, format!("unexpected `{}`", "x".repeat(5000)))
            .primary(Span::new(3, 5003), "here");
        let safe = diagnostic(&d, &long);
        assert!(safe.labels.is_empty());
        assert_eq!(safe.place.as_deref(), Some("line 1, column 4"));
        assert_eq!(
            safe.notes[0],
            format!("the line there: ab {}…", "x".repeat(40))
        );
        assert_eq!(safe.message.chars().count(), MAX_MESSAGE_CHARS + 1);
        // A short line keeps its label.
        let d = Diagnostic::new(Code::Syntax, "bad").primary(Span::new(0, 2), "here");
        assert_eq!(diagnostic(&d, "ab\n").labels.len(), 1);
    }
}
