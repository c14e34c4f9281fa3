//! The page of a sweep's results (`nnc report results.csv`, docs/sweep.md#charts):
//! per network, energy against time with the Pareto front marked, and each
//! varied key against energy. One self-contained HTML file, inline SVG.

mod area;

use super::svg::{self, Svg};
use crate::sweep::{AREA_COLUMN, Results};
use std::collections::HashMap;
use std::fmt::Write;

const W: f64 = 460.0;
const H: f64 = 300.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 44.0;

const CSS: &str = "\
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0; } figcaption { font-size: 0.9em; color: #555; }
svg .frame { fill: none; stroke: #999; }
svg .grid { stroke: #eee; }
svg .tick { font-size: 11px; fill: #555; }
svg .title { font-size: 12px; fill: #333; }
svg .pt { fill: #9bb7d4; stroke: #4a6f96; stroke-width: 0.5; }
svg .pareto { fill: #d9534f; stroke: #8b1e1b; stroke-width: 0.8; }
svg .front { fill: none; stroke: #d9534f; stroke-width: 1.2; }
svg .best { fill: #d9534f; }
table { border-collapse: collapse; margin-top: 0.5em; font-size: 0.9em; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: right; }
th { background: #f5f5f5; }
";

/// A row with a schedule.
struct Point<'a> {
    keys: &'a [String],
    energy: f64,
    time: f64,
}

/// A section of the page: a network and a batch.
type Section<'a> = (&'a str, &'a str);

/// The page of `results` (as [`crate::sweep::read_results`] reads them).
pub fn html(results: &Results) -> String {
    let col = |name: &str| results.columns.iter().position(|c| c == name);
    let (energy, time, status) = (
        col("energy").unwrap_or(0),
        col("time").unwrap_or(0),
        col("status").unwrap_or(0),
    );
    let nkeys = results.keys.len();
    // Rows grouped by network and batch in one pass, in order of first
    // appearance: linear in the rows (40,000 rows took seconds when each
    // group filtered all of them).
    let mut groups: Vec<(Section<'_>, Vec<&Vec<String>>)> = Vec::new();
    let mut group_of: HashMap<(&str, &str), usize> = HashMap::new();
    for r in &results.rows {
        let id = (r[0].as_str(), r[1].as_str());
        let g = *group_of.entry(id).or_insert_with(|| {
            groups.push((id, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(r);
    }
    // Networks first, then their batches, as before.
    let mut network_order: HashMap<&str, usize> = HashMap::new();
    for ((net, _), _) in &groups {
        let n = network_order.len();
        network_order.entry(net).or_insert(n);
    }
    groups.sort_by_key(|((net, _), _)| network_order[net]);
    let ok = results.rows.iter().filter(|r| r[status] == "ok").count();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<title>nnc sweep report</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
<h1>nnc sweep: {} rows, {} with a schedule</h1>\n<p>Spec SHA-256 <code>{}</code>; varied: {}. \
Energy in the hardware's unit, time in cycles. Red: the Pareto front (no other row of the network \
has both less energy and less time).</p>\n",
        results.rows.len(),
        ok,
        svg::escape(&results.spec_sha256),
        svg::escape(&results.keys.join(", ")),
    );
    // The chip's area is a column among the keys (docs/sweep.md#area),
    // charted against energy and time rather than as a key.
    let area_at = results.keys.iter().position(|k| k == AREA_COLUMN);
    for ((net, batch), rows) in groups {
        let mut area = Vec::new();
        let points: Vec<Point<'_>> = rows
            .iter()
            .filter(|r| r[status] == "ok")
            .filter_map(|r| {
                let p = Point {
                    keys: &r[2..2 + nkeys],
                    energy: r[energy].parse().ok()?,
                    time: r[time].parse().ok()?,
                };
                let a = area_at.and_then(|i| r[2 + i].parse::<f64>().ok());
                area.push(a.unwrap_or(f64::NAN));
                Some(p)
            })
            .collect();
        let _ = writeln!(
            out,
            "<h2>{} at batch {}</h2>",
            svg::escape(net),
            svg::escape(batch)
        );
        let over = area::over_table(&rows, nkeys, &results.keys);
        if points.is_empty() {
            out.push_str("<p>No row has a schedule.</p>\n");
            out.push_str(&over);
            continue;
        }
        let front = pareto(&points);
        out.push_str("<div class=\"charts\">\n");
        out.push_str(&figure(
            &energy_time(&points, &front, &results.keys),
            "energy against time",
        ));
        out.push_str(&area::charts(&points, &area, &results.keys));
        for (i, key) in results.keys.iter().enumerate() {
            if Some(i) == area_at {
                continue;
            }
            out.push_str(&figure(
                &key_energy(&points, i, key),
                &format!("{key} against energy (red: the least energy at each value)"),
            ));
        }
        out.push_str("</div>\n");
        out.push_str(&front_table(&points, &front, &results.keys));
        out.push_str(&over);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>\n{svg}<figcaption>{}</figcaption>\n</figure>\n",
        svg::escape(caption)
    )
}

/// Indices of the points no other point beats in both energy and time,
/// by increasing time.
fn pareto(points: &[Point<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&points[a], &points[b]);
        pa.time
            .total_cmp(&pb.time)
            .then(pa.energy.total_cmp(&pb.energy))
    });
    let mut front = Vec::new();
    let mut best = f64::INFINITY;
    for i in order {
        if points[i].energy < best {
            best = points[i].energy;
            front.push(i);
        }
    }
    front
}

/// A linear scale over [lo, hi] (widened when flat) onto [a, b].
fn scale(lo: f64, hi: f64, a: f64, b: f64) -> impl Fn(f64) -> f64 {
    let (lo, hi) = if hi > lo {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    } else {
        (lo - lo.abs().max(1.0) * 0.5, hi + hi.abs().max(1.0) * 0.5)
    };
    move |v| a + (v - lo) / (hi - lo) * (b - a)
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

fn describe(p: &Point<'_>, keys: &[String]) -> String {
    let mut s: Vec<String> = keys
        .iter()
        .zip(p.keys)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    s.push(format!("energy {:.4e}", p.energy));
    s.push(format!("time {}", p.time));
    s.join(", ")
}

/// The frame, the y ticks (energies) and the axis titles.
fn frame(svg: &mut Svg, y: &dyn Fn(f64) -> f64, elo: f64, ehi: f64, x_title: &str) {
    let (x0, x1, y0, y1) = (LEFT, W - RIGHT, H - BOTTOM, TOP);
    for i in 0..=4 {
        let v = elo + (ehi - elo) * f64::from(i) / 4.0;
        let py = y(v);
        svg.line((x0, py), (x1, py), "grid");
        svg.label(
            x0 - 4.0,
            py + 4.0,
            "tick",
            &[("text-anchor", "end")],
            &format!("{v:.3e}"),
        );
    }
    svg.rect(x0, y1, x1 - x0, y0 - y1, "frame", None);
    svg.label(
        (x0 + x1) / 2.0,
        H - 8.0,
        "title",
        &[("text-anchor", "middle")],
        x_title,
    );
    let rotate = format!("rotate(-90 12 {})", svg::num((y0 + y1) / 2.0));
    svg.label(
        12.0,
        (y0 + y1) / 2.0,
        "title",
        &[("text-anchor", "middle"), ("transform", &rotate)],
        "energy",
    );
}

fn circle(svg: &mut Svg, x: f64, y: f64, r: f64, class: &str, title: &str) {
    let (cx, cy, r) = (svg::num(x), svg::num(y), svg::num(r));
    svg.open(
        "circle",
        &[("class", class), ("cx", &cx), ("cy", &cy), ("r", &r)],
    );
    svg.text("title", &[], title);
    svg.close();
}

fn energy_time(points: &[Point<'_>], front: &[usize], keys: &[String]) -> String {
    let (elo, ehi) = range(points.iter().map(|p| p.energy));
    let (tlo, thi) = range(points.iter().map(|p| p.time));
    let x = scale(tlo, thi, LEFT, W - RIGHT);
    let y = scale(elo, ehi, H - BOTTOM, TOP);
    let mut svg = Svg::new(W, H, &[("class", "energy-time")]);
    frame(&mut svg, &y, elo, ehi, "time (cycles)");
    for i in 0..=3 {
        let v = tlo + (thi - tlo) * f64::from(i) / 3.0;
        svg.label(
            x(v),
            H - BOTTOM + 14.0,
            "tick",
            &[("text-anchor", "middle")],
            &format!("{v:.3e}"),
        );
    }
    let path: Vec<String> = front
        .iter()
        .map(|&i| {
            format!(
                "{},{}",
                svg::num(x(points[i].time)),
                svg::num(y(points[i].energy))
            )
        })
        .collect();
    svg.leaf(
        "polyline",
        &[("class", "front"), ("points", &path.join(" "))],
    );
    let mut on_front = vec![false; points.len()];
    for &i in front {
        on_front[i] = true;
    }
    for (i, p) in points.iter().enumerate() {
        let on = on_front[i];
        let class = if on { "pareto" } else { "pt" };
        circle(
            &mut svg,
            x(p.time),
            y(p.energy),
            if on { 4.0 } else { 3.0 },
            class,
            &describe(p, keys),
        );
    }
    svg.finish()
}

fn key_energy(points: &[Point<'_>], key: usize, name: &str) -> String {
    // The key's values in order of first appearance, and the points at
    // each: one pass.
    let mut values: Vec<(&str, Vec<&Point<'_>>)> = Vec::new();
    let mut value_of: HashMap<&str, usize> = HashMap::new();
    for p in points {
        let v = p.keys[key].as_str();
        let i = *value_of.entry(v).or_insert_with(|| {
            values.push((v, Vec::new()));
            values.len() - 1
        });
        values[i].1.push(p);
    }
    let (elo, ehi) = range(points.iter().map(|p| p.energy));
    let y = scale(elo, ehi, H - BOTTOM, TOP);
    let step = (W - RIGHT - LEFT) / values.len() as f64;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
    let mut svg = Svg::new(W, H, &[("class", "key-energy")]);
    frame(&mut svg, &y, elo, ehi, name);
    for (i, (v, at)) in values.iter().enumerate() {
        // Derived energies have long decimals: two are enough on an axis.
        let tick = match v.parse::<f64>() {
            Ok(f) if v.contains('.') => svg::num(f),
            _ => (*v).to_owned(),
        };
        svg.label(
            x(i),
            H - BOTTOM + 14.0,
            "tick",
            &[("text-anchor", "middle")],
            &tick,
        );
        let best = at.iter().map(|p| p.energy).fold(f64::INFINITY, f64::min);
        for p in at {
            let class = if p.energy == best { "best" } else { "pt" };
            circle(
                &mut svg,
                x(i),
                y(p.energy),
                3.0,
                class,
                &format!("{name}={v}: energy {:.4e}", p.energy),
            );
        }
    }
    svg.finish()
}

fn front_table(points: &[Point<'_>], front: &[usize], keys: &[String]) -> String {
    let mut out = String::from("<table>\n<tr>");
    for k in keys {
        let _ = write!(out, "<th>{}</th>", svg::escape(k));
    }
    out.push_str("<th>energy</th><th>time</th></tr>\n");
    for &i in front {
        let p = &points[i];
        out.push_str("<tr>");
        for v in p.keys {
            let _ = write!(out, "<td>{}</td>", svg::escape(v));
        }
        let _ = writeln!(out, "<td>{:.4e}</td><td>{}</td></tr>", p.energy, p.time);
    }
    out.push_str("</table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_front_keeps_what_nothing_beats() {
        let k: Vec<String> = Vec::new();
        let p = |energy, time| Point {
            keys: &k,
            energy,
            time,
        };
        // (time, energy): b beats c on both; a and b and d trade off.
        let points = [
            p(5.0, 1.0),
            p(3.0, 2.0),
            p(4.0, 3.0),
            p(1.0, 4.0),
            p(1.0, 5.0),
        ];
        assert_eq!(pareto(&points), [0, 1, 3]);
    }
}
