//! The sweep page's area charts (docs/sweep.md#area): energy and time
//! against the chip's area (`area_mm2`), with the rows no other row beats
//! in all three marked, and the rows over `max_area_mm2` listed.

use super::{BOTTOM, H, LEFT, Point, RIGHT, Svg, TOP, W, circle, describe, range, scale};
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
pub(super) fn charts(points: &[Point<'_>], area: &[f64], keys: &[String]) -> String {
    if !area.iter().any(|a| a.is_finite()) {
        return String::new();
    }
    let front = front3(points, area);
    let mut out = String::new();
    for (what, of) in [
        (
            "energy",
            &(|p: &Point<'_>| p.energy) as &dyn Fn(&Point<'_>) -> f64,
        ),
        ("time (cycles)", &|p: &Point<'_>| p.time),
    ] {
        out.push_str(&super::figure(
            &chart(points, area, &front, keys, what, of),
            &format!("{what} vs area (mm²); line: least for the area; red: 3-way front"),
        ));
    }
    out
}

fn chart(
    points: &[Point<'_>],
    area: &[f64],
    front: &[usize],
    keys: &[String],
    y_title: &str,
    y_of: &dyn Fn(&Point<'_>) -> f64,
) -> String {
    let with: Vec<usize> = (0..points.len()).filter(|&i| area[i].is_finite()).collect();
    let (alo, ahi) = range(with.iter().map(|&i| area[i]));
    let (ylo, yhi) = range(with.iter().map(|&i| y_of(&points[i])));
    let x = scale(alo, ahi, LEFT, W - RIGHT);
    let y = scale(ylo, yhi, H - BOTTOM, TOP);
    let mut svg = Svg::new(W, H, &[("class", "area-chart")]);
    let (x0, x1, y0, y1) = (LEFT, W - RIGHT, H - BOTTOM, TOP);
    for i in 0..=4 {
        let v = ylo + (yhi - ylo) * f64::from(i) / 4.0;
        svg.line((x0, y(v)), (x1, y(v)), "grid");
        let tick = format!("{v:.3e}");
        svg.label(
            x0 - 4.0,
            y(v) + 4.0,
            "tick",
            &[("text-anchor", "end")],
            &tick,
        );
    }
    for i in 0..=3 {
        let v = alo + (ahi - alo) * f64::from(i) / 3.0;
        let tick = format!("{v:.3}");
        svg.label(x(v), y0 + 14.0, "tick", &[("text-anchor", "middle")], &tick);
    }
    svg.rect(x0, y1, x1 - x0, y0 - y1, "frame", None);
    let mid = (x0 + x1) / 2.0;
    svg.label(
        mid,
        H - 8.0,
        "title",
        &[("text-anchor", "middle")],
        "area (mm²)",
    );
    let rotate = format!("rotate(-90 12 {})", svg::num((y0 + y1) / 2.0));
    let attrs = [("text-anchor", "middle"), ("transform", rotate.as_str())];
    svg.label(12.0, (y0 + y1) / 2.0, "title", &attrs, y_title);
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
            line.push(format!("{},{}", svg::num(x(area[i])), svg::num(y(v))));
        }
    }
    svg.leaf(
        "polyline",
        &[("class", "front"), ("points", &line.join(" "))],
    );
    for &i in &with {
        let on = front.contains(&i);
        let p = &points[i];
        let title = format!("{}, area {:.4} mm²", describe(p, keys), area[i]);
        let (class, r) = if on { ("pareto", 4.0) } else { ("pt", 3.0) };
        circle(&mut svg, x(area[i]), y(y_of(p)), r, class, &title);
    }
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
