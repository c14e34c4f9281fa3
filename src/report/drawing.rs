//! The hardware as the HTML report draws it: the node array and one node's
//! PE array, as a schematic beyond [`MAX_PES_DRAWN`] PEs.

use super::svg::Svg;
use crate::schedule::read::SavedSchedule;

/// The node array (DRAM at the four corners for 2D memory, a vault on each
/// node for 3D) and one node's PE array.
pub(super) fn hardware_drawing(s: &SavedSchedule) -> String {
    node_array(s) + &pe_array(s)
}

/// The node array, DRAM drawn where it attaches.
fn node_array(s: &SavedSchedule) -> String {
    let hw = &s.hardware.file;
    let (nh, nw) = (hw.nodes.h.max(1) as f64, hw.nodes.w.max(1) as f64);
    let cell = (160.0 / nh.max(nw)).min(28.0);
    let pad = 26.0;
    let mut svg = Svg::new(
        (nw * cell + 2.0 * pad).max(170.0),
        nh * cell + 2.0 * pad + 16.0,
        &[("class", "nodes"), ("role", "img")],
    );
    svg.text(
        "title",
        &[],
        &format!("{}x{} nodes, {} memory", hw.nodes.h, hw.nodes.w, memory(s)),
    );
    for r in 0..hw.nodes.h {
        for c in 0..hw.nodes.w {
            let (x, y) = (pad + c as f64 * cell, pad + r as f64 * cell);
            svg.rect(x + 1.0, y + 1.0, cell - 2.0, cell - 2.0, "node", None);
            if memory(s) == "3D" {
                svg.rect(
                    x + cell / 2.0 - 3.0,
                    y + cell / 2.0 - 3.0,
                    6.0,
                    6.0,
                    "vault",
                    None,
                );
            }
        }
    }
    if memory(s) == "2D" {
        let (x1, y1) = (pad + nw * cell, pad + nh * cell);
        for (x, y) in [(pad, pad), (x1, pad), (pad, y1), (x1, y1)] {
            svg.rect(x - 8.0, y - 8.0, 16.0, 16.0, "dram", Some("DRAM"));
        }
    }
    svg.label(
        pad,
        nh * cell + 2.0 * pad + 10.0,
        "name",
        &[],
        &format!("{}x{} nodes, {} DRAM", hw.nodes.h, hw.nodes.w, memory(s)),
    );
    svg.finish()
}

/// One node's PE array; beyond a few thousand PEs, a schematic: the first
/// rows and columns, a gap, the last ones (the page stays small for any
/// array).
fn pe_array(s: &SavedSchedule) -> String {
    let hw = &s.hardware.file;
    let pad = 26.0;
    let (rows, cols) = (
        shown(hw.pe_array.h, hw.pe_array.size()),
        shown(hw.pe_array.w, hw.pe_array.size()),
    );
    let (ph, pw) = (rows.len() as f64, cols.len() as f64);
    let cell = (160.0 / ph.max(pw)).min(14.0);
    let mut svg = Svg::new(
        (pw * cell + 2.0 * pad).max(230.0),
        ph * cell + 2.0 * pad + 16.0,
        &[("class", "pes"), ("role", "img")],
    );
    svg.text(
        "title",
        &[],
        &format!("one node: {}x{} PEs", hw.pe_array.h, hw.pe_array.w),
    );
    for (r, row) in rows.iter().enumerate() {
        for (c, col) in cols.iter().enumerate() {
            let (x, y) = (pad + c as f64 * cell, pad + r as f64 * cell);
            match (row, col) {
                (Some(_), Some(_)) => {
                    svg.rect(x + 0.5, y + 0.5, cell - 1.0, cell - 1.0, "pe", None);
                }
                // The gap: PEs not drawn.
                (None, Some(_)) if c == 0 => {
                    svg.label(
                        x + cell / 2.0,
                        y + cell * 0.8,
                        "gap",
                        &[("text-anchor", "middle")],
                        "\u{22ee}",
                    );
                }
                (Some(_), None) if r == 0 => {
                    svg.label(
                        x + cell / 2.0,
                        y + cell * 0.8,
                        "gap",
                        &[("text-anchor", "middle")],
                        "\u{22ef}",
                    );
                }
                _ => {}
            }
        }
    }
    svg.label(
        pad,
        ph * cell + 2.0 * pad + 10.0,
        "name",
        &[],
        &format!(
            "one node: {}x{} PEs, {} B RF each{}",
            hw.pe_array.h,
            hw.pe_array.w,
            hw.regf_bytes,
            if rows.contains(&None) || cols.contains(&None) {
                " (first and last drawn)"
            } else {
                ""
            }
        ),
    );
    svg.finish()
}

/// The most PEs drawn one by one; a larger array is drawn as a schematic.
pub const MAX_PES_DRAWN: u64 = 4096;

/// The rows (or columns) of a side of `side` PEs drawn for an array of
/// `total` PEs: every one while the array has at most [`MAX_PES_DRAWN`];
/// else, of a side longer than 16, the first 12 and the last 2 with a gap
/// (`None`) between them.
fn shown(side: u64, total: u64) -> Vec<Option<u64>> {
    if total <= MAX_PES_DRAWN || side <= 16 {
        return (0..side.min(MAX_PES_DRAWN)).map(Some).collect();
    }
    let mut out: Vec<Option<u64>> = (0..12).map(Some).collect();
    out.push(None);
    out.extend([side - 2, side - 1].map(Some));
    out
}

pub(super) fn memory(s: &SavedSchedule) -> &'static str {
    match s.hardware.file.memory {
        crate::sched::machine::MemType::TwoD => "2D",
        crate::sched::machine::MemType::ThreeD => "3D",
    }
}
