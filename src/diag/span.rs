//! [`Span`]: a place in an input's text, as byte offsets.

use std::ops::Range;

/// Bytes `start..end` of an input's text (a `.nn` file, a hardware file, a
/// sweep spec, a schedule or results file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets (saturating at `u32::MAX`).
    pub fn new(start: usize, end: usize) -> Self {
        let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// As a byte range.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The character at `line` and byte `column` of `text`, both counted
    /// from 1 as parsers report them (serde_json); a column past the line's
    /// end is its end. `None` when `text` has no such line.
    pub fn at_line_column(text: &str, line: usize, column: usize) -> Option<Span> {
        let start = match line {
            0 => return None,
            1 => 0,
            _ => text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?,
        };
        let len = text[start..].find('\n').unwrap_or(text.len() - start);
        let mut at = start + column.saturating_sub(1).min(len);
        // A byte column inside a character: that character.
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        // Why one character: a caret under the place; none at the line's end.
        let end = text[at..start + len]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        Some(Span::new(at, end))
    }

    /// The whole of line `line` (from 1) of `text`, without its newline.
    pub fn line(text: &str, line: usize) -> Option<Span> {
        let at = Span::at_line_column(text, line, 1)?;
        let start = at.start as usize;
        let len = text[start..].find('\n').unwrap_or(text.len() - start);
        Some(Span::new(start, start + len))
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\ncdé\n\nx";
        let at = |l, c| Span::at_line_column(text, l, c).map(Span::range);
        assert_eq!(at(1, 1), Some(0..1));
        assert_eq!(at(2, 3), Some(5..7));
        assert_eq!(at(2, 4), Some(5..7));
        // Past the end of a line: its end, empty.
        assert_eq!(at(1, 9), Some(2..2));
        assert_eq!(at(3, 1), Some(8..8));
        assert_eq!(at(4, 1), Some(9..10));
        assert_eq!(at(5, 1), None);
        assert_eq!(at(0, 1), None);
        assert_eq!(Span::line(text, 2).map(Span::range), Some(3..7));
    }
}
