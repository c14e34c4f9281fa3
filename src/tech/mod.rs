//! The technology model: what a component costs in a process node — the
//! area and the energy per access of an SRAM by capacity, word width and
//! ports, of a per-PE register file, of a MAC, of a NoC hop, and the energy
//! per bit of a DRAM interface — from committed tables with their
//! provenance (docs/model/technology.md).
//!
//! Input: a [`ProcessNode`] and the component's size. Output: areas in mm²
//! and energies in pJ per access of one word. The module knows nothing of
//! the hardware file or the schedule; the hardware stage asks it for the
//! numbers a `[tech]` section leaves out, and [`Technology::area`] rolls a
//! plain [`Design`] up into a per-component breakdown.
//!
//! ```
//! use nnc::tech::{Bytes, Ports, ProcessNode, Technology, WordBits};
//! let t = Technology::new(ProcessNode::Nm45);
//! let small = t.sram(Bytes::kib(16), WordBits(64), Ports::One)?;
//! let large = t.sram(Bytes::mib(1), WordBits(64), Ports::One)?;
//! assert!(large.read_pj_per_word > small.read_pj_per_word);
//! assert!(large.area_mm2 > small.area_mm2);
//! # Ok::<(), nnc::tech::TechError>(())
//! ```

mod area;
mod error;
mod node;
mod table;

#[cfg(test)]
mod calibration;

pub use area::{AreaBreakdown, AreaComponent, ComponentAreas, Design, RegfImpl};
pub use error::TechError;
pub use node::{Bytes, DramInterface, Ports, ProcessNode, WordBits};

use table::{MAC_WORD_BITS, NodeTables, Pos, SRAM_CAPACITIES, SRAM_WORD_BITS, locate};

/// The largest register file priced as flip-flops; larger storage is an
/// SRAM (docs/model/technology.md#register-files).
pub const MAX_FLIPFLOP_REGF: Bytes = Bytes(2048);

/// What an SRAM costs (docs/model/technology.md#sram).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SramCost {
    /// Area of the array with its decoders, sense amplifiers and drivers, mm².
    pub area_mm2: f64,
    /// Energy of reading one word, pJ.
    pub read_pj_per_word: f64,
    /// Energy of writing one word, pJ.
    pub write_pj_per_word: f64,
    /// Standby leakage power, mW.
    pub leakage_mw: f64,
}

/// What a per-PE register file costs (docs/model/technology.md#register-files).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegisterFileCost {
    /// Area, mm².
    pub area_mm2: f64,
    /// Energy of reading one word, pJ.
    pub read_pj_per_word: f64,
    /// Energy of writing one word, pJ.
    pub write_pj_per_word: f64,
    /// Leakage power, mW, where the source gives it (flip-flops: it does not).
    pub leakage_mw: Option<f64>,
}

/// What one MAC unit costs (docs/model/technology.md#mac).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MacCost {
    /// Area of the multiplier and the accumulating adder, mm².
    pub area_mm2: f64,
    /// Energy of one multiply-accumulate, pJ.
    pub pj_per_mac: f64,
}

/// What one NoC hop costs: a router traversal and one link
/// (docs/model/technology.md#noc).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NocHopCost {
    /// Area of one router of this flit width, mm² (links' wiring is left out).
    pub router_area_mm2: f64,
    /// Energy of one flit through one router, pJ.
    pub router_pj_per_word: f64,
    /// Energy of one flit over one link of the given length, pJ.
    pub link_pj_per_word: f64,
}

impl NocHopCost {
    /// Router plus link: the energy of one word over one hop, pJ.
    pub fn pj_per_word(&self) -> f64 {
        self.router_pj_per_word + self.link_pj_per_word
    }
}

/// What moving data to or from DRAM costs (docs/model/technology.md#dram).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DramCost {
    /// Energy per bit read or written, pJ, interface and device together.
    pub pj_per_bit: f64,
}

impl DramCost {
    /// Energy per word of `word` bits, pJ.
    pub fn pj_per_word(&self, word: WordBits) -> f64 {
        self.pj_per_bit * f64::from(word.0)
    }
}

/// The technology model of one process node.
#[derive(Clone, Copy, Debug)]
pub struct Technology {
    node: ProcessNode,
    tables: &'static NodeTables,
}

fn out_of_range(
    what: &'static str,
    value: String,
    min: String,
    max: String,
    hint: &'static str,
) -> TechError {
    TechError::OutOfRange {
        what,
        value,
        min,
        max,
        hint,
    }
}

/// One axis of a table, for its out-of-range errors: what it measures, how
/// a value on it is shown, and what to do outside it.
struct Axis {
    what: &'static str,
    show: fn(u64) -> String,
    hint: &'static str,
}

const SRAM_CAPACITY: Axis = Axis {
    what: "SRAM capacity",
    show: show_bytes,
    hint: "; below 256 B use a register file, above 32 MiB split the buffer",
};
const SRAM_WIDTH: Axis = Axis {
    what: "SRAM word width",
    show: show_bits,
    hint: "; split a wider word over several SRAMs",
};
const MAC_WIDTH: Axis = Axis {
    what: "MAC word width",
    show: show_bits,
    hint: "",
};

/// Where `value` falls on a table's ascending `grid` along `axis`, or the
/// error naming the grid's range.
fn grid_pos<const N: usize>(axis: &Axis, grid: [u64; N], value: u64) -> Result<Pos, TechError> {
    let show = axis.show;
    locate(&grid.map(|g| g as f64), value as f64).ok_or_else(|| {
        out_of_range(
            axis.what,
            show(value),
            show(grid[0]),
            show(grid[N - 1]),
            axis.hint,
        )
    })
}

fn show_bits(b: u64) -> String {
    format!("{b} bits")
}

fn show_bytes(b: u64) -> String {
    Bytes(b).to_string()
}

impl Technology {
    /// The model of `node`. The tables are compiled in and parsed once.
    pub fn new(node: ProcessNode) -> Technology {
        let i = ProcessNode::ALL
            .iter()
            .position(|&n| n == node)
            .unwrap_or_default();
        Technology {
            node,
            tables: &table::tables().nodes[i],
        }
    }

    /// The node this model prices.
    pub fn node(&self) -> ProcessNode {
        self.node
    }

    /// An SRAM of `capacity` bytes read and written `word` bits at a time
    /// through `ports`. Capacities from 256 B to 32 MiB and words from 8 to
    /// 512 bits; exact at the table's points, a power law in capacity and
    /// in width between them (docs/model/technology.md#interpolation).
    pub fn sram(
        &self,
        capacity: Bytes,
        word: WordBits,
        ports: Ports,
    ) -> Result<SramCost, TechError> {
        let cap = grid_pos(&SRAM_CAPACITY, SRAM_CAPACITIES, capacity.0)?;
        let width = grid_pos(&SRAM_WIDTH, SRAM_WORD_BITS.map(u64::from), word.0.into())?;
        let grid = &self.tables.sram[match ports {
            Ports::One => 0,
            Ports::Two => 1,
        }];
        let p = table::sram_at(grid, cap, width);
        Ok(SramCost {
            area_mm2: p.area_mm2,
            read_pj_per_word: p.read_pj,
            write_pj_per_word: p.write_pj,
            leakage_mw: p.leakage_mw,
        })
    }

    /// A per-PE register file of `capacity` bytes built from flip-flops,
    /// `word` bits per access: area and energy per bit times the bits
    /// (docs/model/technology.md#register-files). Up to
    /// [`MAX_FLIPFLOP_REGF`]; larger storage is an [`sram`](Self::sram).
    pub fn register_file(
        &self,
        capacity: Bytes,
        word: WordBits,
    ) -> Result<RegisterFileCost, TechError> {
        if capacity.0 == 0 || capacity > MAX_FLIPFLOP_REGF {
            return Err(out_of_range(
                "flip-flop register file",
                capacity.to_string(),
                Bytes(1).to_string(),
                MAX_FLIPFLOP_REGF.to_string(),
                "; price a larger register file as an SRAM",
            ));
        }
        if word.0 == 0 || u64::from(word.0) > capacity.0 * 8 {
            return Err(out_of_range(
                "register file word width",
                show_bits(word.0.into()),
                show_bits(1),
                show_bits(capacity.0 * 8),
                "; the word cannot be wider than the file",
            ));
        }
        let (area_bit, read_bit, write_bit) = self.tables.flipflop_bit;
        let bits = f64::from(word.0);
        Ok(RegisterFileCost {
            area_mm2: area_bit * (capacity.0 * 8) as f64,
            read_pj_per_word: read_bit * bits,
            write_pj_per_word: write_bit * bits,
            leakage_mw: None,
        })
    }

    /// The largest SRAM, in whole bytes, whose area is at most `area_mm2`:
    /// the inverse of [`sram`](Self::sram)'s area, for deriving a buffer
    /// from an area budget (Eyeriss ISCA'16's equal-area comparisons;
    /// docs/model/technology.md#area-budgets). An error when the budget is
    /// below the smallest SRAM's area or above the largest's.
    pub fn sram_capacity_within(
        &self,
        area_mm2: f64,
        word: WordBits,
        ports: Ports,
    ) -> Result<Bytes, TechError> {
        if !(area_mm2.is_finite() && area_mm2 >= 0.0) {
            return Err(TechError::NotFinite {
                what: "area budget (mm²)",
                value: area_mm2,
            });
        }
        let area = |c: u64| self.sram(Bytes(c), word, ports).map(|s| s.area_mm2);
        let (lo, hi) = (
            SRAM_CAPACITIES[0],
            SRAM_CAPACITIES[SRAM_CAPACITIES.len() - 1],
        );
        let (min, max) = (area(lo)?, area(hi)?);
        if area_mm2 < min || area_mm2 > max {
            return Err(out_of_range(
                "SRAM area budget",
                format!("{area_mm2} mm²"),
                format!("{min} mm² ({})", Bytes(lo)),
                format!("{max} mm² ({})", Bytes(hi)),
                "",
            ));
        }
        // Area strictly increases with capacity (a tested property of the
        // tables), so bisection finds the last capacity within the budget.
        let (mut fits, mut over) = (lo, hi + 1);
        while over - fits > 1 {
            let mid = fits + (over - fits) / 2;
            if area(mid)? <= area_mm2 {
                fits = mid;
            } else {
                over = mid;
            }
        }
        Ok(Bytes(fits))
    }

    /// One integer MAC unit of `word`-bit operands (8 to 32 bits): an
    /// n x n multiplier and a 2n-bit accumulating adder
    /// (docs/model/technology.md#mac).
    pub fn mac(&self, word: WordBits) -> Result<MacCost, TechError> {
        let pos = grid_pos(&MAC_WIDTH, MAC_WORD_BITS.map(u64::from), word.0.into())?;
        let [area_mm2, pj_per_mac] = table::along(pos, |i| {
            let (a, e) = self.tables.mac[i];
            [a, e]
        });
        Ok(MacCost {
            area_mm2,
            pj_per_mac,
        })
    }

    /// One NoC hop of `flit`-bit words over a link `link_mm` long: a router
    /// traversal plus the wire (docs/model/technology.md#noc). The hop
    /// length of a mesh of square nodes is the side of a node,
    /// `sqrt(node area)`.
    pub fn noc_hop(&self, flit: WordBits, link_mm: f64) -> Result<NocHopCost, TechError> {
        if !(link_mm.is_finite() && link_mm >= 0.0) {
            return Err(TechError::NotFinite {
                what: "NoC link length (mm)",
                value: link_mm,
            });
        }
        let (area_bit, pj_bit) = self.tables.router_bit;
        let bits = f64::from(flit.0);
        Ok(NocHopCost {
            router_area_mm2: area_bit * bits,
            router_pj_per_word: pj_bit * bits,
            link_pj_per_word: self.tables.wire_bit_mm_pj * bits * link_mm,
        })
    }

    /// Energy per bit of a DRAM interface (docs/model/technology.md#dram).
    /// DRAM is off chip, so the figure does not depend on the node.
    pub fn dram(&self, interface: DramInterface) -> DramCost {
        let i = DramInterface::ALL
            .iter()
            .position(|&d| d == interface)
            .unwrap_or_default();
        DramCost {
            pj_per_bit: table::tables().dram_pj_per_bit[i],
        }
    }
}

#[cfg(test)]
mod tests;
