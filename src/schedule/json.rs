//! The schedule file's text: serde_json with a streaming formatter that
//! keeps arrays of numbers and the small objects deep inside a layer on one
//! line, so a layer reads (and diffs) like a table.

use super::types::ScheduleFile;
use serde::Serialize;

/// The file's text: pretty JSON in which arrays of numbers and the small
/// objects deep inside a layer stay on one line, so a layer reads (and
/// diffs) like a table.
pub fn to_text(file: &ScheduleFile) -> Result<String, serde_json::Error> {
    layout_text(file)
}

/// [`to_text`]'s layout for any value shaped like a schedule file (the
/// file of `--compat scalesim` is laid out the same way).
pub(crate) fn layout_text<T: Serialize>(file: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Layout::default());
    file.serialize(&mut ser)?;
    out.push(b'\n');
    // serde_json writes valid UTF-8.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Objects this deep (counting objects only) are written on one line.
const INLINE_LEVEL: usize = 3;

#[derive(Clone, Copy, Debug)]
enum Frame {
    Object { inline: bool, empty: bool },
    Array { multiline: bool, empty: bool },
}

/// A streaming JSON layout: objects down to [`INLINE_LEVEL`] one member per
/// line, deeper ones inline; arrays inline unless they hold objects.
#[derive(Debug, Default)]
struct Layout {
    stack: Vec<Frame>,
}

impl Layout {
    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        let depth = self
            .stack
            .iter()
            .filter(|f| {
                matches!(
                    f,
                    Frame::Object { inline: false, .. }
                        | Frame::Array {
                            multiline: true,
                            ..
                        }
                )
            })
            .count();
        w.write_all(b"\n")?;
        for _ in 0..depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn inline(&self) -> bool {
        self.stack
            .iter()
            .any(|f| matches!(f, Frame::Object { inline: true, .. }))
    }
}

impl serde_json::ser::Formatter for Layout {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.stack.push(Frame::Array {
            multiline: false,
            empty: true,
        });
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if let Some(Frame::Array {
            multiline: true, ..
        }) = self.stack.pop()
        {
            self.indent(w)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if let Some(Frame::Array { multiline, empty }) = self.stack.last_mut() {
            *empty = first && *empty;
            if !first {
                if *multiline {
                    w.write_all(b",")?;
                    return self.indent(w);
                }
                return w.write_all(b", ");
            }
        }
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        let parent_inline = self.inline();
        // An array of objects lists one object per line.
        if !parent_inline
            && let Some(Frame::Array {
                multiline,
                empty: true,
            }) = self.stack.last_mut()
            && !*multiline
        {
            *multiline = true;
            self.indent(w)?;
        }
        let level = self
            .stack
            .iter()
            .filter(|f| matches!(f, Frame::Object { .. }))
            .count();
        self.stack.push(Frame::Object {
            inline: parent_inline || level >= INLINE_LEVEL,
            empty: true,
        });
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if let Some(Frame::Object {
            inline: false,
            empty: false,
        }) = self.stack.pop()
        {
            self.indent(w)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        let Some(Frame::Object { inline, empty }) = self.stack.last_mut() else {
            return Ok(());
        };
        *empty = false;
        let inline = *inline;
        if !first {
            w.write_all(if inline { b", " } else { b"," })?;
        }
        if inline { Ok(()) } else { self.indent(w) }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}
