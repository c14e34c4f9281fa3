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

/// A chart axis: values onto pixels `a` to `b`, logarithmic when the
/// values are all positive and span more than 10x (one design 10x worse
/// would squash the rest into a corner of a linear axis), linear
/// otherwise; padded by 5% of the span either side.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scale {
    /// The padded range, in log10 units when `log`.
    lo: f64,
    hi: f64,
    /// Logarithmic?
    pub(crate) log: bool,
    a: f64,
    b: f64,
}

impl Scale {
    /// The axis of `values` (those not finite left out) onto `a`..`b`.
    pub(crate) fn new(values: impl Iterator<Item = f64>, a: f64, b: f64) -> Scale {
        let (lo, hi) = values
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        // No finite value: lo is infinite, hi minus infinite.
        if lo > hi {
            return Scale::padded(0.0, 1.0, false, a, b);
        }
        let log = lo > 0.0 && hi > 10.0 * lo;
        if log {
            Scale::padded(lo.log10(), hi.log10(), true, a, b)
        } else {
            Scale::padded(lo, hi, false, a, b)
        }
    }

    fn padded(lo: f64, hi: f64, log: bool, a: f64, b: f64) -> Scale {
        let (lo, hi) = if hi > lo {
            let pad = (hi - lo) * 0.05;
            (lo - pad, hi + pad)
        } else {
            (lo - lo.abs().max(1.0) * 0.5, hi + hi.abs().max(1.0) * 0.5)
        };
        Scale { lo, hi, log, a, b }
    }

    /// The pixel of `v` (a value in the axis' units; 0 or less is put at
    /// the low end of a log axis).
    pub(crate) fn at(&self, v: f64) -> f64 {
        let v = if self.log {
            if v > 0.0 { v.log10() } else { self.lo }
        } else {
            v
        };
        self.a + (v - self.lo) / (self.hi - self.lo) * (self.b - self.a)
    }

    /// The ticks, as values and labels: on a log axis every decade, with
    /// 2x and 5x between when the axis spans fewer than three decades; on a
    /// linear one every 1, 2 or 5 times a power of ten, about five of them.
    pub(crate) fn ticks(&self) -> Vec<(f64, String)> {
        if self.log {
            let span = self.hi - self.lo;
            let steps: &[f64] = if span < 3.0 { &[1.0, 2.0, 5.0] } else { &[1.0] };
            let mut out = Vec::new();
            let first = self.lo.floor() as i32;
            let last = self.hi.ceil() as i32;
            for e in first..=last.min(first + MAX_TICKS as i32) {
                for m in steps {
                    let v = m * 10f64.powi(e);
                    let l = v.log10();
                    if l >= self.lo && l <= self.hi {
                        out.push((v, short(v)));
                    }
                }
            }
            return out;
        }
        let raw = (self.hi - self.lo) / 5.0;
        if !(raw.is_finite() && raw > 0.0) {
            return Vec::new();
        }
        let p = 10f64.powi(raw.log10().floor() as i32);
        // The 1-2-5 step nearest the fifth of the span (by ratio).
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * p)
            .min_by(|x, y| (x / raw).ln().abs().total_cmp(&(y / raw).ln().abs()))
            .unwrap_or(p);
        let first = (self.lo / step).ceil() as i64;
        let last = (self.hi / step).floor() as i64;
        (first..=last.min(first + i64::from(MAX_TICKS)))
            .map(|i| {
                let v = i as f64 * step;
                (v, short(v))
            })
            .collect()
    }

    /// An axis title with its unit, and `log` when the axis is:
    /// `energy (pJ, log)`.
    pub(crate) fn title(&self, what: &str, unit: &str) -> String {
        if self.log {
            format!("{what} ({unit}, log)")
        } else {
            format!("{what} ({unit})")
        }
    }
}

/// A tick label: three significant digits at most, in exponent form
/// (`2e9`, `1.5e-3`) outside 0.001 to 99,999.
pub(crate) fn short(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".to_owned();
    }
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let digits = (2 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.digits$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            &s
        };
        return s.to_owned();
    }
    let s = format!("{v:.2e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let m = m.trim_end_matches('0').trim_end_matches('.');
    format!("{m}e{e}")
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
    fn axes_go_log_beyond_ten_times() {
        // 1e9 to 2e9: linear, ticks every 2e8.
        let lin = Scale::new([1e9, 2e9].into_iter(), 0.0, 100.0);
        assert!(!lin.log);
        let labels: Vec<String> = lin.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["1e9", "1.2e9", "1.4e9", "1.6e9", "1.8e9", "2e9"]);
        assert_eq!(lin.title("energy", "pJ"), "energy (pJ)");
        // 1e9 to 3e10: log, decades with 2x and 5x between.
        let log = Scale::new([1e9, 3e10, f64::NAN].into_iter(), 0.0, 100.0);
        assert!(log.log);
        let labels: Vec<String> = log.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["1e9", "2e9", "5e9", "1e10", "2e10"]);
        assert_eq!(log.title("time", "cycles"), "time (cycles, log)");
        // Equal steps of a decade are equal lengths; values in order.
        let (a, b, c) = (log.at(1e9), log.at(1e10), log.at(1e11));
        assert!((b - a - (c - b)).abs() < 1e-9 && a < b);
        // Six decades: decades only.
        let wide = Scale::new([1.0, 1e6].into_iter(), 0.0, 100.0);
        let labels: Vec<String> = wide.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["1", "10", "100", "1000", "10000", "1e5", "1e6"]);
        // Zero or negative values: linear.
        assert!(!Scale::new([0.0, 100.0].into_iter(), 0.0, 1.0).log);
        assert!(Scale::new(std::iter::empty(), 0.0, 1.0).ticks().len() <= 6);
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(123.456), "123");
        assert_eq!(short(3.7587), "3.76");
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
