//! The page of a sweep's results (`nnc report results.csv`, docs/sweep.md#charts):
//! per network, energy against time with the Pareto front marked, and each
//! varied key against energy. One self-contained HTML file, inline SVG.

mod area;
mod chart;

use super::svg::{self, Scale, Svg};
use crate::sweep::{AREA_COLUMN, Results};
use std::collections::HashMap;
use std::fmt::Write;

const W: f64 = 460.0;
const H: f64 = 300.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 48.0;

const CSS: &str = "\
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
figure { margin: 0; } figcaption { font-size: 0.9em; color: #555; max-width: 460px; }
svg .frame { fill: none; stroke: #999; }
svg .grid { stroke: #eee; }
svg .tick { font-size: 11px; fill: #555; }
svg .title { font-size: 12px; fill: #333; }
svg .pt { fill: #9bb7d4; stroke: #4a6f96; stroke-width: 0.5; }
svg .pareto { fill: #d9534f; stroke: #8b1e1b; stroke-width: 0.8; }
svg .front { fill: none; stroke: #d9534f; stroke-width: 1.2; }
svg circle.best { stroke: #000; stroke-width: 1.6; }
svg .num { font-size: 11px; font-weight: bold; fill: #8b1e1b; }
.entry { white-space: nowrap; }
.sw { display: inline-block; width: 0.8em; height: 0.8em; margin: 0 0.3em 0 0.8em; border-radius: 50%; }
table { border-collapse: collapse; margin-top: 0.5em; font-size: 0.9em; }
td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: right; }
th { background: #f5f5f5; }
";

/// The CSS of the colour classes `c0`..: a dot's fill, a legend swatch's
/// background.
fn colour_css() -> String {
    let mut out = String::new();
    for (i, c) in chart::PALETTE.iter().enumerate() {
        let _ = writeln!(
            out,
            "svg .c{i} {{ fill: {c}; stroke: #333; stroke-width: 0.4; }}"
        );
        let _ = writeln!(out, ".sw.c{i} {{ background: {c}; }}");
    }
    out
}

/// The most rows of the Pareto table: a sweep's front may hold
/// thousands of rows, and the page stays small.
const MAX_FRONT_ROWS: usize = 100;

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
<title>nnc sweep report</title>\n<style>\n{CSS}{}</style>\n</head>\n<body>\n\
<h1>nnc sweep: {} rows, {} with a schedule</h1>\n<p>Spec SHA-256 <code>{}</code>; varied: {}. \
Energy in {}, time in cycles; an axis whose values span more than 10x is logarithmic (\"log\"). \
Red, numbered: the Pareto front (no other row of the network has both less energy and less time), \
listed under the charts.</p>\n",
        colour_css(),
        results.rows.len(),
        ok,
        svg::escape(&results.spec_sha256),
        svg::escape(&results.keys.join(", ")),
        svg::escape(&unit_words(results)),
    );
    let unit = energy_unit(results);
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
        let (chart, numbered) = energy_time(&points, &front, &results.keys, &unit);
        let caption = format!(
            "energy against time; red: the Pareto front, {numbered} of its {} rows numbered as in the table below",
            front.len()
        );
        out.push_str(&figure(&chart, &escape_caption(&caption)));
        out.push_str(&area::charts(&points, &area, &results.keys, &unit));
        for i in 0..nkeys {
            if Some(i) == area_at {
                continue;
            }
            let others: Vec<usize> = (0..nkeys)
                .filter(|&o| o != i && Some(o) != area_at)
                .collect();
            out.push_str(&key_energy(&points, i, &others, &results.keys, &unit));
        }
        out.push_str("</div>\n");
        out.push_str(&front_table(&points, &front, &results.keys, &unit));
        out.push_str(&over);
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A figure of a chart and its caption (HTML, escaped by the caller).
fn figure(svg: &str, caption: &str) -> String {
    format!("<figure>\n{svg}<figcaption>{caption}</figcaption>\n</figure>\n")
}

/// `text` as a caption's HTML.
fn escape_caption(text: &str) -> String {
    svg::escape(text)
}

/// The unit of the energies for an axis title: the one the results
/// file names, or, in a file of an older nnc, words that say whose it is;
/// with `energy_unit` varied, each row's.
fn energy_unit(results: &Results) -> String {
    if results.keys.iter().any(|k| k == "energy_unit") {
        return "each row's energy_unit".to_owned();
    }
    results
        .energy_unit
        .clone()
        .unwrap_or_else(|| "the hardware's unit".to_owned())
}

/// The unit of the energies, in the page's opening words.
fn unit_words(results: &Results) -> String {
    match (
        &results.energy_unit,
        results.keys.iter().any(|k| k == "energy_unit"),
    ) {
        (_, true) => "each row's energy_unit".to_owned(),
        (Some(u), false) => format!("{u} (the hardware's unit)"),
        (None, false) => "the hardware's unit".to_owned(),
    }
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

/// A point's hover text: its keys, energy and time.
fn describe(p: &Point<'_>, keys: &[String], unit: &str) -> String {
    let mut s: Vec<String> = keys
        .iter()
        .zip(p.keys)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    s.push(format!("energy {:.4e} {unit}", p.energy));
    s.push(format!("time {} cycles", p.time));
    s.join(", ")
}

/// Energy against time, the front joined and numbered: the chart and how
/// many of the front's points have their number in it.
fn energy_time(
    points: &[Point<'_>],
    front: &[usize],
    keys: &[String],
    unit: &str,
) -> (String, usize) {
    let (x0, x1, y0, y1) = chart::plot_box();
    let x = Scale::new(points.iter().map(|p| p.time), x0, x1);
    let y = Scale::new(points.iter().map(|p| p.energy), y0, y1);
    let mut svg = Svg::new(W, H, &[("class", "energy-time")]);
    chart::frame(
        &mut svg,
        Some(&x),
        &y,
        &x.title("time", "cycles"),
        &y.title("energy", unit),
    );
    let at = |p: &Point<'_>| (x.at(p.time), y.at(p.energy));
    let path: Vec<String> = front
        .iter()
        .map(|&i| {
            let (px, py) = at(&points[i]);
            format!("{},{}", svg::num(px), svg::num(py))
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
    // The front last, so that its dots are on top.
    let mut list: Vec<chart::Dot> = Vec::new();
    for pass in [false, true] {
        for (i, p) in points
            .iter()
            .enumerate()
            .filter(|(i, _)| on_front[*i] == pass)
        {
            let (px, py) = at(p);
            list.push(chart::Dot {
                x: px,
                y: py,
                r: if pass { 4.0 } else { 3.0 },
                class: (if pass { "pareto" } else { "pt" }).to_owned(),
                title: describe(&points[i], keys, unit),
            });
        }
    }
    chart::dots(&mut svg, &list);
    let spots: Vec<(f64, f64)> = front.iter().map(|&i| at(&points[i])).collect();
    let numbered = chart::number_labels(&mut svg, &spots);
    (svg.finish(), numbered)
}

/// A varied key's chart: its values across, energy up, the dots of each
/// value coloured by the other keys' values (`others`, with a legend) and
/// set side by side; the least energy at each value ringed. The figure.
fn key_energy(
    points: &[Point<'_>],
    key: usize,
    others: &[usize],
    keys: &[String],
    unit: &str,
) -> String {
    let name = &keys[key];
    // The key's values in order of first appearance, and the points at
    // each: one pass.
    let mut values: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut value_of: HashMap<&str, usize> = HashMap::new();
    for (j, p) in points.iter().enumerate() {
        let v = p.keys[key].as_str();
        let i = *value_of.entry(v).or_insert_with(|| {
            values.push((v, Vec::new()));
            values.len() - 1
        });
        values[i].1.push(j);
    }
    let others = independent_of(points, key, others);
    let others = &others[..];
    let other_names: Vec<&str> = others.iter().map(|&o| keys[o].as_str()).collect();
    let cells: Vec<Vec<&str>> = points
        .iter()
        .map(|p| others.iter().map(|&o| p.keys[o].as_str()).collect())
        .collect();
    let colours = chart::colour_groups(&other_names, &cells);
    let ngroups = colours.as_ref().map_or(1, |(_, names)| names.len());
    let (x0, x1, y0, y1) = chart::plot_box();
    let y = Scale::new(points.iter().map(|p| p.energy), y0, y1);
    let step = (x1 - x0) / values.len() as f64;
    // Each colour's dots a little apart within the value's band.
    let gap = (step * 0.8 / ngroups as f64).min(8.0);
    let centre = |i: usize| x0 + step * (i as f64 + 0.5);
    let x = |i: usize, g: usize| centre(i) + gap * (g as f64 - (ngroups as f64 - 1.0) / 2.0);
    let mut svg = Svg::new(W, H, &[("class", "key-energy")]);
    chart::frame(&mut svg, None, &y, name, &y.title("energy", unit));
    // Derived energies have long decimals: two are enough on an axis.
    let ticks: Vec<String> = values
        .iter()
        .map(|(v, _)| match v.parse::<f64>() {
            Ok(f) if v.contains('.') => svg::num(f),
            _ => (*v).to_owned(),
        })
        .collect();
    // Labels wider than their band go on two rows, and are cut to two
    // bands' width (about 6 px a character at 11 px).
    let widest = ticks.iter().map(|t| t.chars().count()).max().unwrap_or(0);
    let two_rows = 6.0 * widest as f64 > step;
    let fits = ((2.0 * step / 6.0) as usize).max(3);
    let mut list = Vec::new();
    for (i, (_, at)) in values.iter().enumerate() {
        let tick = &ticks[i];
        let tick = if two_rows && tick.chars().count() > fits {
            let cut: String = tick.chars().take(fits - 1).collect();
            format!("{cut}…")
        } else {
            tick.clone()
        };
        let below = if two_rows && i % 2 == 1 { 25.0 } else { 14.0 };
        let attrs = [("text-anchor", "middle")];
        svg.label(centre(i), y0 + below, "tick", &attrs, &tick);
        let best = at
            .iter()
            .map(|&j| points[j].energy)
            .fold(f64::INFINITY, f64::min);
        for &j in at {
            let p = &points[j];
            let g = colours.as_ref().map_or(0, |(groups, _)| groups[j]);
            let mut class = if colours.is_some() {
                format!("c{g}")
            } else {
                "pt".to_owned()
            };
            if p.energy == best {
                class.push_str(" best");
            }
            list.push(chart::Dot {
                x: x(i, g),
                y: y.at(p.energy),
                r: 3.0,
                class,
                title: describe(p, keys, unit),
            });
        }
    }
    chart::dots(&mut svg, &list);
    let varies = cells.iter().any(|c| *c != cells[0]);
    let caption = key_caption(name, colours.as_ref().map(|c| &c.1[..]), varies);
    figure(&svg.finish(), &caption)
}

/// Of the keys `others`, those not set with `key` (linked with it, or
/// derived from it): such a key would give each of its values one colour.
fn independent_of(points: &[Point<'_>], key: usize, others: &[usize]) -> Vec<usize> {
    others
        .iter()
        .copied()
        .filter(|&o| {
            let mut seen: HashMap<&str, &str> = HashMap::new();
            points
                .iter()
                .any(|p| *seen.entry(&p.keys[key]).or_insert(&p.keys[o]) != p.keys[o])
        })
        .collect()
}

/// A key chart's caption (HTML): what it shows, and the legend of its
/// colours (`legend`: each colour's name), or why it has none when the
/// other keys vary.
fn key_caption(name: &str, legend: Option<&[String]>, varies: bool) -> String {
    let mut caption = svg::escape(&format!(
        "{name} against energy (ringed: the least energy at each value)"
    ));
    match legend {
        Some(names) => {
            caption.push_str("; colour:");
            for (g, n) in names.iter().enumerate() {
                let _ = write!(
                    caption,
                    "<span class=\"entry\"><span class=\"sw c{g}\"></span>{}</span>",
                    svg::escape(n)
                );
            }
        }
        None if varies => {
            caption.push_str("; the other keys take too many values to colour");
        }
        None => {}
    }
    caption
}

/// The Pareto front's rows, numbered as in the chart: the keys, energy
/// and time, at most [`MAX_FRONT_ROWS`] of them.
fn front_table(points: &[Point<'_>], front: &[usize], keys: &[String], unit: &str) -> String {
    let mut out = String::from("<table>\n<tr><th>#</th>");
    for k in keys {
        let _ = write!(out, "<th>{}</th>", svg::escape(k));
    }
    let _ = writeln!(
        out,
        "<th>energy ({})</th><th>time (cycles)</th></tr>",
        svg::escape(unit)
    );
    for (n, &i) in front.iter().enumerate().take(MAX_FRONT_ROWS) {
        let p = &points[i];
        let _ = write!(out, "<tr><td>{}</td>", n + 1);
        for v in p.keys {
            let _ = write!(out, "<td>{}</td>", svg::escape(v));
        }
        let _ = writeln!(out, "<td>{:.4e}</td><td>{}</td></tr>", p.energy, p.time);
    }
    out.push_str("</table>\n");
    if front.len() > MAX_FRONT_ROWS {
        let _ = writeln!(
            out,
            "<p>and {} more rows of the front (the results file has them all).</p>",
            front.len() - MAX_FRONT_ROWS
        );
    }
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
