//! The sweep page's area charts (docs/sweep.md#area): energy and time
//! against the chip's area (`area_mm2`), with the rows no other row beats
//! in all three marked, and the rows over `max_area_mm2` listed.

use super::chart::{self, Dot};
use super::{H, Point, Scale, Svg, W, describe};
use crate::report::svg;
use std::fmt::Write;

/// The rows of one section no other row beats in energy, time and area
/// together (a row at least as good in all three and better in one beats
/// it): indices into `points`, in order. Rows without an area are left out.
pub(super) fn front3(points: &[Point<'_>], area: &[f64]) -> Vec<usize> {
    let beats = |a: usize, b: usize| {
        let (pa, pb) = (&points[a], &points[b]);
        let le = pa.energy <= pb.energy && pa.time <= pb.time && area[a] <= area[b];
        let lt = pa.energy < pb.energy || pa.time < pb.time || area[a] < area[b];
        le && lt
    };
    (0..points.len())
        .filter(|&i| area[i].is_finite())
        .filter(|&i| !(0..points.len()).any(|j| area[j].is_finite() && beats(j, i)))
        .collect()
}

/// The two charts (energy and time against area) of a section, with the
/// three-way front in red; empty when no row has an area.
pub(super) fn charts(points: &[Point<'_>], area: &[f64], keys: &[String], unit: &str) -> String {
    if !area.iter().any(|a| a.is_finite()) {
        return String::new();
    }
    let front = front3(points, area);
    let mut out = String::new();
    let energy = |p: &Point<'_>| p.energy;
    let time = |p: &Point<'_>| p.time;
    for (what, y_unit, of) in [
        ("energy", unit, &energy as &dyn Fn(&Point<'_>) -> f64),
        ("time", "cycles", &time),
    ] {
        let chart = chart(points, area, &front, keys, (what, y_unit), unit, of);
        let caption = format!(
            "{what} against area; line: the least {what} for the area; red: the rows no other beats in energy, time and area"
        );
        out.push_str(&super::figure(&chart, &svg::escape(&caption)));
    }
    out
}

/// One area chart: `y_of` (named `y_title`: what and its unit) against
/// the area.
fn chart(
    points: &[Point<'_>],
    area: &[f64],
    front: &[usize],
    keys: &[String],
    y_title: (&str, &str),
    unit: &str,
    y_of: &dyn Fn(&Point<'_>) -> f64,
) -> String {
    let with: Vec<usize> = (0..points.len()).filter(|&i| area[i].is_finite()).collect();
    let (x0, x1, y0, y1) = chart::plot_box();
    let x = Scale::new(with.iter().map(|&i| area[i]), x0, x1);
    let y = Scale::new(with.iter().map(|&i| y_of(&points[i])), y0, y1);
    let mut svg = Svg::new(W, H, &[("class", "area-chart")]);
    let (what, y_unit) = y_title;
    chart::frame(
        &mut svg,
        Some(&x),
        &y,
        &x.title("area", "mm²"),
        &y.title(what, y_unit),
    );
    // The two-way front of this chart (less area and less of y) as a line.
    let mut order = with.clone();
    order.sort_by(|&a, &b| {
        area[a]
            .total_cmp(&area[b])
            .then(y_of(&points[a]).total_cmp(&y_of(&points[b])))
    });
    let mut best = f64::INFINITY;
    let mut line = Vec::new();
    for i in order {
        let v = y_of(&points[i]);
        if v < best {
            best = v;
            line.push(format!("{},{}", svg::num(x.at(area[i])), svg::num(y.at(v))));
        }
    }
    svg.leaf(
        "polyline",
        &[("class", "front"), ("points", &line.join(" "))],
    );
    let on_front: std::collections::HashSet<usize> = front.iter().copied().collect();
    let mut list = Vec::new();
    // The front last, so that its dots are on top.
    for pass in [false, true] {
        for &i in with.iter().filter(|i| on_front.contains(i) == pass) {
            let p = &points[i];
            list.push(Dot {
                x: x.at(area[i]),
                y: y.at(y_of(p)),
                r: if pass { 4.0 } else { 3.0 },
                class: (if pass { "pareto" } else { "pt" }).to_owned(),
                title: format!("{}, area {:.4} mm²", describe(p, keys, unit), area[i]),
            });
        }
    }
    chart::dots(&mut svg, &list);
    svg.finish()
}

/// The rows of a section over `max_area_mm2` (status `over area: ...`),
/// as a table of their keys and status; empty when there are none.
pub(super) fn over_table(rows: &[&Vec<String>], nkeys: usize, keys: &[String]) -> String {
    let over: Vec<&&Vec<String>> = rows
        .iter()
        .filter(|r| r.last().is_some_and(|s| s.starts_with("over area: ")))
        .collect();
    if over.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<p>{} rows over <code>max_area_mm2</code>, not scheduled:</p>\n<table>\n<tr>",
        over.len()
    );
    for k in keys {
        let _ = write!(out, "<th>{}</th>", svg::escape(k));
    }
    out.push_str("<th>status</th></tr>\n");
    for r in over {
        out.push_str("<tr>");
        for v in &r[2..2 + nkeys] {
            let _ = write!(out, "<td>{}</td>", svg::escape(v));
        }
        let status = r.last().map(String::as_str).unwrap_or_default();
        let _ = writeln!(out, "<td>{}</td></tr>", svg::escape(status));
    }
    out.push_str("</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_way_front_keeps_what_nothing_beats_in_all_three() {
        let k: Vec<String> = Vec::new();
        let p = |energy, time| Point {
            keys: &k,
            energy,
            time,
        };
        // a beats b in all three; c is worse in energy and time but
        // smaller; d has no area.
        let points = [p(1.0, 1.0), p(2.0, 2.0), p(3.0, 3.0), p(0.5, 0.5)];
        let area = [2.0, 2.0, 1.0, f64::NAN];
        assert_eq!(front3(&points, &area), [0, 2]);
    }
}
