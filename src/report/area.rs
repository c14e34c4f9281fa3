//! The schedule report's area section (docs/report.md): the chip's area
//! by component from the hardware's `[tech]` node, as bars in the energy
//! chart's colours.

use super::svg::Svg;
use crate::schedule::read::SavedSchedule;

/// The chip's area by component (docs/hardware.md#tech-the-technology-model):
/// one bar per component, or why there is no area.
pub(super) fn section(s: &SavedSchedule) -> String {
    let Some(area) = &s.hardware.file.area else {
        let why = match &s.hardware.file.tech {
            None => "unknown (no [tech] node in the hardware)",
            Some(_) => "unknown (a size outside the technology tables)",
        };
        return format!("<h2>Area</h2>\n<p>Area: {why}.</p>\n");
    };
    let node = s
        .hardware
        .file
        .tech
        .as_ref()
        .map(|t| t.node.name())
        .unwrap_or("");
    let parts = area.chip_mm2.iter();
    let max = parts.iter().map(|(_, a)| *a).fold(0.0, f64::max);
    let mut out = format!(
        "<h2>Area: {} mm² in {node}, whole chip, by component (the technology model; wiring, control and I/O left out)</h2>\n<div class=\"chart\">\n",
        crate::hw::format_mm2(area.total_mm2)
    );
    let (w, row) = (520.0, 22.0);
    let mut svg = Svg::new(w, row * parts.len() as f64 + 8.0, &[("class", "area")]);
    for (i, (name, mm2)) in parts.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let len = if max > 0.0 { 340.0 * mm2 / max } else { 0.0 };
        svg.label(60.0, y + 15.0, "tick", &[("text-anchor", "end")], name);
        // The energy chart's colours: a MAC's area beside its ops' energy.
        let class = if *name == "mac" {
            "c-op".to_owned()
        } else {
            format!("c-{name}")
        };
        svg.rect(68.0, y + 3.0, len, row - 6.0, &class, None);
        let share = if area.total_mm2 > 0.0 {
            100.0 * mm2 / area.total_mm2
        } else {
            0.0
        };
        let text = format!("{} mm² ({share:.1}%)", crate::hw::format_mm2(*mm2));
        svg.label(74.0 + len, y + 15.0, "tick", &[], &text);
    }
    out += &svg.finish();
    out += "</div>\n";
    out
}
