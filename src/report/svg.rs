//! A small SVG writer for the report's charts: elements with escaped text
//! and attributes, numbers written the same way on every machine.
//!
//! Why not `plotters`: the report needs what its SVG backend does not
//! give — a `<g class="layer" data-layer="NAME">` per bar group, `<title>`
//! hover text with exact figures, CSS classes instead of inline colors —
//! and a chart here is a few rectangles and lines, which this writer draws
//! in a page of code.

use std::fmt::Write;

/// `x` for an attribute or a label: at most two decimals, trailing zeros
/// dropped, never `-0`, and `0` for what is not finite (no NaN in a file).
pub(crate) fn num(x: f64) -> String {
    if !x.is_finite() {
        return "0".to_owned();
    }
    let s = format!("{:.2}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// `s` safe inside text and double- or single-quoted attributes.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document being written: elements open and close in order, so the
/// output is well-formed by construction.
#[derive(Debug)]
pub(crate) struct Svg {
    out: String,
    open: Vec<&'static str>,
}

/// An attribute: a name and its value (escaped when written).
pub(crate) type Attr<'a> = (&'static str, &'a str);

impl Svg {
    /// A `width` x `height` drawing (user units = pixels), with extra
    /// attributes on the root (`class`, `data-*`).
    pub(crate) fn new(width: f64, height: f64, attrs: &[Attr<'_>]) -> Svg {
        let mut svg = Svg {
            out: String::new(),
            open: Vec::new(),
        };
        let (w, h) = (num(width), num(height));
        let view = format!("0 0 {w} {h}");
        let mut all: Vec<Attr<'_>> = vec![
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("width", &w),
            ("height", &h),
            ("viewBox", &view),
        ];
        all.extend_from_slice(attrs);
        svg.open("svg", &all);
        svg
    }

    fn start(&mut self, tag: &'static str, attrs: &[Attr<'_>]) {
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            let _ = write!(self.out, " {name}=\"{}\"", escape(value));
        }
    }

    /// Opens `<tag attrs>`; [`Svg::close`] closes it.
    pub(crate) fn open(&mut self, tag: &'static str, attrs: &[Attr<'_>]) {
        self.start(tag, attrs);
        self.out.push_str(">\n");
        self.open.push(tag);
    }

    /// Closes the innermost open element.
    pub(crate) fn close(&mut self) {
        if let Some(tag) = self.open.pop() {
            let _ = writeln!(self.out, "</{tag}>");
        }
    }

    /// An empty element `<tag attrs/>`.
    pub(crate) fn leaf(&mut self, tag: &'static str, attrs: &[Attr<'_>]) {
        self.start(tag, attrs);
        self.out.push_str("/>\n");
    }

    /// An element holding text: `<tag attrs>text</tag>`.
    pub(crate) fn text(&mut self, tag: &'static str, attrs: &[Attr<'_>], text: &str) {
        self.start(tag, attrs);
        let _ = writeln!(self.out, ">{}</{tag}>", escape(text));
    }

    /// A rectangle with a `<title>` (the hover text), if any.
    pub(crate) fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        class: &str,
        title: Option<&str>,
    ) {
        let (x, y, w, h) = (num(x), num(y), num(w), num(h));
        let attrs = [
            ("class", class),
            ("x", &x),
            ("y", &y),
            ("width", &w),
            ("height", &h),
        ];
        match title {
            Some(t) => {
                self.open("rect", &attrs);
                self.text("title", &[], t);
                self.close();
            }
            None => self.leaf("rect", &attrs),
        }
    }

    /// A line from (x1, y1) to (x2, y2).
    pub(crate) fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), class: &str) {
        let (a, b, c, d) = (num(x1), num(y1), num(x2), num(y2));
        self.leaf(
            "line",
            &[
                ("class", class),
                ("x1", &a),
                ("y1", &b),
                ("x2", &c),
                ("y2", &d),
            ],
        );
    }

    /// A text label at (x, y), with extra attributes (`text-anchor`,
    /// `transform`).
    pub(crate) fn label(&mut self, x: f64, y: f64, class: &str, attrs: &[Attr<'_>], text: &str) {
        let (x, y) = (num(x), num(y));
        let mut all: Vec<Attr<'_>> = vec![("class", class), ("x", &x), ("y", &y)];
        all.extend_from_slice(attrs);
        self.text("text", &all, text);
    }

    /// The document: every element still open closed.
    pub(crate) fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

/// A "nice" axis maximum at or above `max` (1, 2, 2.5 or 5 times a power
/// of ten) and its tick step, for `about` ticks; both finite, whatever
/// `max` is.
pub(crate) fn axis(max: f64, about: u32) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (1.0, 1.0);
    }
    if max > f64::MAX / 20.0 {
        // Rounding up would overflow to infinity.
        return (max, max / f64::from(about.max(1)));
    }
    let raw = max / f64::from(about.max(1));
    let p = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p);
    ((max / step).ceil() * step, step)
}

/// The most ticks an axis draws, whatever its numbers: a bound on a
/// chart's size.
pub(crate) const MAX_TICKS: u32 = 40;

/// How many steps of `step` an axis up to `axis_max` has (the ticks are
/// 0 to it), at most [`MAX_TICKS`].
pub(crate) fn tick_count(axis_max: f64, step: f64) -> u32 {
    let n = (axis_max / step).round();
    if n.is_finite() && n > 0.0 {
        (n as u32).min(MAX_TICKS)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(1.0 / 3.0), "0.33");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(1234.567), "1234.57");
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut s = Svg::new(10.0, 5.0, &[("class", "a\"b")]);
        s.label(1.0, 2.0, "l", &[], "x < y & 'z'");
        s.rect(0.0, 0.0, 1.5, 2.0, "r", Some("<b>"));
        let out = s.finish();
        assert_eq!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"5\" viewBox=\"0 0 10 5\" class=\"a&quot;b\">\n\
             <text class=\"l\" x=\"1\" y=\"2\">x &lt; y &amp; &#39;z&#39;</text>\n\
             <rect class=\"r\" x=\"0\" y=\"0\" width=\"1.5\" height=\"2\">\n\
             <title>&lt;b&gt;</title>\n\
             </rect>\n\
             </svg>\n"
        );
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(axis(7.3e9, 5), (8e9, 2e9));
        assert_eq!(axis(100.0, 4), (100.0, 25.0));
        assert_eq!(axis(0.0, 5), (1.0, 1.0));
        assert_eq!(axis(1.0, 5), (1.0, 0.2));
        // Near the largest float: finite, a few ticks.
        let (max, step) = axis(1.7e308, 5);
        assert!(max.is_finite() && step.is_finite());
        assert_eq!(tick_count(max, step), 5);
        assert_eq!(tick_count(f64::INFINITY, 1.0), 0);
        assert_eq!(tick_count(1e300, 1.0), MAX_TICKS);
    }
}
