//! What every chart of the sweep page shares (docs/sweep.md#charts): the
//! frame with its ticks and titles (log or linear axes, with units), the
//! dots (thinned so that a big sweep's page stays small), the numbered
//! labels of the Pareto points, and the colours of the other keys.

use super::{BOTTOM, H, LEFT, RIGHT, TOP, W};
use crate::report::svg::{self, Scale, Svg};
use std::collections::HashSet;

/// The most dots a chart draws: beyond, dots closer than a pixel or two
/// (then four, ...) of the same class are drawn once. A sweep of 100,000
/// rows keeps its page well under a megabyte (a test).
const MAX_DOTS: usize = 2_000;

/// The most dots a chart gives a hover text: beyond, hovering is of no
/// use (the dots overlap) and the texts would make the page large.
const MAX_TITLED: usize = 400;

/// How many colours the other keys' values get (`c0` to `c7` in the CSS).
pub(super) const COLOURS: usize = 8;

/// The colours, in order: distinct in print and for the common colour
/// blindnesses (Okabe and Ito's palette, black left out).
pub(super) const PALETTE: [&str; COLOURS] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999",
];

/// The plot's pixel box: left, right, bottom, top.
pub(super) const fn plot_box() -> (f64, f64, f64, f64) {
    (LEFT, W - RIGHT, H - BOTTOM, TOP)
}

/// The frame of a chart: grid lines and tick labels of `y` (and of `x`
/// when numeric), the box, and the axes' titles.
pub(super) fn frame(svg: &mut Svg, x: Option<&Scale>, y: &Scale, x_title: &str, y_title: &str) {
    let (x0, x1, y0, y1) = plot_box();
    for (v, label) in y.ticks() {
        let py = y.at(v);
        svg.line((x0, py), (x1, py), "grid");
        let attrs = [("text-anchor", "end")];
        svg.label(x0 - 4.0, py + 4.0, "tick", &attrs, &label);
    }
    if let Some(x) = x {
        for (v, label) in x.ticks() {
            let px = x.at(v);
            svg.line((px, y0), (px, y1), "grid");
            let attrs = [("text-anchor", "middle")];
            svg.label(px, y0 + 14.0, "tick", &attrs, &label);
        }
    }
    svg.rect(x0, y1, x1 - x0, y0 - y1, "frame", None);
    let attrs = [("text-anchor", "middle")];
    svg.label((x0 + x1) / 2.0, H - 8.0, "title", &attrs, x_title);
    let rotate = format!("rotate(-90 12 {})", svg::num((y0 + y1) / 2.0));
    let attrs = [("text-anchor", "middle"), ("transform", rotate.as_str())];
    svg.label(12.0, (y0 + y1) / 2.0, "title", &attrs, y_title);
}

/// A dot to draw: where, its radius, its class and its hover text.
pub(super) struct Dot {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    pub class: String,
    pub title: String,
}

/// Draws `dots` in order: all of them up to [`MAX_DOTS`], else one per
/// class and cell of a grid coarse enough; with hover texts up to
/// [`MAX_TITLED`] dots.
pub(super) fn dots(svg: &mut Svg, dots: &[Dot]) {
    let mut cell = 1.0;
    let mut kept: Vec<&Dot> = dots.iter().collect();
    while kept.len() > MAX_DOTS && cell < 64.0 {
        let mut seen = HashSet::new();
        kept = dots
            .iter()
            .filter(|d| {
                let at = ((d.x / cell).round() as i64, (d.y / cell).round() as i64);
                seen.insert((at, d.class.as_str()))
            })
            .collect();
        cell *= 2.0;
    }
    let titled = kept.len() <= MAX_TITLED;
    for d in kept {
        let (cx, cy, r) = (svg::num(d.x), svg::num(d.y), svg::num(d.r));
        let attrs = [
            ("class", d.class.as_str()),
            ("cx", &cx),
            ("cy", &cy),
            ("r", &r),
        ];
        if titled {
            svg.open("circle", &attrs);
            svg.text("title", &[], &d.title);
            svg.close();
        } else {
            svg.leaf("circle", &attrs);
        }
    }
}

/// Writes the numbers `1..` next to the points `at` (pixels, in order):
/// each at the first of four places around its point where it overlaps
/// no label already written and stays in the plot; a point with no such
/// place is left unnumbered in the chart (the table under it lists every
/// point). Returns how many were written.
pub(super) fn number_labels(svg: &mut Svg, at: &[(f64, f64)]) -> usize {
    let (x0, x1, y0, y1) = plot_box();
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut written = 0;
    for (i, &(px, py)) in at.iter().enumerate() {
        let text = (i + 1).to_string();
        let w = 7.0 * text.len() as f64;
        let h = 11.0;
        // Right-above, right-below, left-above, left-below of the dot.
        let spots = [
            (px + 5.0, py - 5.0),
            (px + 5.0, py + h + 3.0),
            (px - 5.0 - w, py - 5.0),
            (px - 5.0 - w, py + h + 3.0),
        ];
        let free = spots.into_iter().find(|&(lx, ly)| {
            let b = (lx, ly - h, lx + w, ly);
            let inside = b.0 >= x0 && b.2 <= x1 && b.1 >= y1 && b.3 <= y0;
            let clear = placed
                .iter()
                .all(|p| b.2 <= p.0 || b.0 >= p.2 || b.3 <= p.1 || b.1 >= p.3);
            inside && clear
        });
        if let Some((lx, ly)) = free {
            placed.push((lx, ly - h, lx + w, ly));
            svg.label(lx, ly, "num", &[], &text);
            written += 1;
        }
    }
    written
}

/// The colour group of every point by the values of the other keys
/// (`others`: each point's cells of those keys), and the legend's
/// entries: every combination of the other keys when there are at most
/// [`COLOURS`], else the values of the one other key that has most of
/// them within that; `None` when no colouring fits (or nothing varies).
pub(super) fn colour_groups(
    others: &[&str],
    cells: &[Vec<&str>],
) -> Option<(Vec<usize>, Vec<String>)> {
    let group_by = |keys: &[usize]| -> (Vec<usize>, Vec<String>) {
        let mut names: Vec<String> = Vec::new();
        let mut of = std::collections::HashMap::new();
        let groups = cells
            .iter()
            .map(|c| {
                let name = keys
                    .iter()
                    .map(|&k| format!("{}={}", others[k], c[k]))
                    .collect::<Vec<_>>()
                    .join(", ");
                *of.entry(name.clone()).or_insert_with(|| {
                    names.push(name);
                    names.len() - 1
                })
            })
            .collect();
        (groups, names)
    };
    // A key with one value among these points says nothing.
    let all: Vec<usize> = (0..others.len())
        .filter(|&k| cells.iter().any(|c| c[k] != cells[0][k]))
        .collect();
    if all.is_empty() {
        return None;
    }
    let (groups, names) = group_by(&all);
    if names.len() <= COLOURS {
        return (names.len() > 1).then_some((groups, names));
    }
    all.iter()
        .map(|&k| group_by(&[k]))
        .filter(|(_, names)| (2..=COLOURS).contains(&names.len()))
        .max_by_key(|(_, names)| names.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels never overlap: of points on top of each other, the first
    /// four get a place each, the rest none.
    #[test]
    fn numbers_keep_clear_of_each_other() {
        let mut svg = Svg::new(W, H, &[]);
        let written = number_labels(&mut svg, &[(200.0, 150.0); 6]);
        assert_eq!(written, 4);
        // Far apart: all of them.
        let mut svg = Svg::new(W, H, &[]);
        let spread: Vec<(f64, f64)> = (0..5).map(|i| (120.0 + 60.0 * i as f64, 150.0)).collect();
        assert_eq!(number_labels(&mut svg, &spread), 5);
    }

    #[test]
    fn colours_follow_the_other_keys() {
        let cells = |rows: &[[&'static str; 2]]| -> Vec<Vec<&'static str>> {
            rows.iter().map(|r| r.to_vec()).collect()
        };
        // Two keys, four combinations: one colour each.
        let c = cells(&[["1", "a"], ["1", "b"], ["2", "a"], ["2", "b"]]);
        let (groups, names) = colour_groups(&["k", "m"], &c).unwrap();
        assert_eq!(groups, [0, 1, 2, 3]);
        assert_eq!(names[3], "k=2, m=b");
        // A key with one value is left out of the names.
        let c = cells(&[["1", "a"], ["2", "a"]]);
        let (_, names) = colour_groups(&["k", "m"], &c).unwrap();
        assert_eq!(names, ["k=1", "k=2"]);
        // Too many combinations: the key with most values that fit.
        let c: Vec<Vec<&str>> = (0..30)
            .map(|i| {
                vec![
                    ["1", "2", "3", "4", "5"][i % 5],
                    ["a", "b", "c", "d", "e", "f"][i / 5],
                ]
            })
            .collect();
        let (_, names) = colour_groups(&["k", "m"], &c).unwrap();
        assert_eq!(names.len(), 6);
        assert!(names[0].starts_with("m="));
        // Nothing varies: no colours.
        assert!(colour_groups(&["k"], &cells(&[["1", "a"], ["1", "a"]])).is_none());
    }
}
