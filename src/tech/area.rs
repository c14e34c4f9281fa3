//! The area of a whole design: MACs, register files, global buffers and
//! routers, per node and for the chip (docs/model/technology.md#area-roll-up).

use std::fmt;
use std::ops::Index;

use super::Technology;
use super::error::TechError;
use super::node::{Bytes, Ports, WordBits};

/// How a per-PE register file is built (docs/model/technology.md#register-files).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RegfImpl {
    /// Flip-flops: small, per-bit costs (the default; Eyeriss's ifmap and
    /// psum scratchpads, a systolic cell's weight registers).
    #[default]
    FlipFlop,
    /// A one-port SRAM macro (Eyeriss's 224-word filter scratchpad).
    Sram,
}

/// A design to price: a plain description the hardware stage fills in
/// from its own types (`nodes`, `pe_array`, `regf_bytes`, `gbuf_bytes`,
/// `word_bits`).
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Nodes on the chip (a 4x4 mesh is 16).
    pub nodes: u32,
    /// PEs per node, each with one MAC and one register file.
    pub pes_per_node: u32,
    /// The datapath word: the MAC's operands and the register file's word.
    pub word_bits: WordBits,
    /// Register file per PE; zero for none.
    pub regf: Bytes,
    /// How the register file is built.
    pub regf_impl: RegfImpl,
    /// The node's global buffer SRAMs: one entry for a shared buffer, one
    /// per operand for split buffers (zero-sized entries are no SRAM).
    pub gbuf: Vec<Bytes>,
    /// The width of one global-buffer access, bits.
    pub gbuf_word_bits: WordBits,
    /// Global-buffer ports.
    pub gbuf_ports: Ports,
    /// The flit width of the node's router, or `None` without a NoC (one
    /// node, or nodes that never talk).
    pub noc_flit_bits: Option<WordBits>,
}

/// A component of the area breakdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AreaComponent {
    /// The PEs' MAC units.
    Macs,
    /// The PEs' register files.
    RegisterFiles,
    /// The global buffers.
    GlobalBuffers,
    /// The routers of the NoC between nodes.
    Noc,
}

impl AreaComponent {
    /// Every component, in the order of the breakdown.
    pub const ALL: [AreaComponent; 4] = [
        AreaComponent::Macs,
        AreaComponent::RegisterFiles,
        AreaComponent::GlobalBuffers,
        AreaComponent::Noc,
    ];

    /// The component's name in reports: `"regf"`.
    pub fn name(self) -> &'static str {
        match self {
            AreaComponent::Macs => "mac",
            AreaComponent::RegisterFiles => "regf",
            AreaComponent::GlobalBuffers => "gbuf",
            AreaComponent::Noc => "noc",
        }
    }
}

impl fmt::Display for AreaComponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// An area per component, mm².
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ComponentAreas([f64; 4]);

impl ComponentAreas {
    /// The sum over components, mm².
    pub fn total_mm2(&self) -> f64 {
        self.0.iter().sum()
    }

    /// Each component with its area, in [`AreaComponent::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (AreaComponent, f64)> + '_ {
        AreaComponent::ALL.into_iter().zip(self.0)
    }

    fn scaled(self, k: f64) -> ComponentAreas {
        ComponentAreas(self.0.map(|a| a * k))
    }
}

impl Index<AreaComponent> for ComponentAreas {
    type Output = f64;
    fn index(&self, c: AreaComponent) -> &f64 {
        &self.0[c as usize]
    }
}

/// The area of a design, per node and for the whole chip, mm².
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AreaBreakdown {
    /// One node's components.
    pub per_node: ComponentAreas,
    /// How many nodes.
    pub nodes: u32,
}

impl AreaBreakdown {
    /// The whole chip's components: every node's, summed.
    pub fn chip(&self) -> ComponentAreas {
        self.per_node.scaled(f64::from(self.nodes))
    }

    /// The whole chip, mm².
    pub fn total_mm2(&self) -> f64 {
        self.chip().total_mm2()
    }
}

impl Technology {
    /// The area of `design`: each node's PEs (one MAC and one register file
    /// each), global buffers and router, and the chip as `nodes` copies.
    /// Wiring, control, clocking and I/O are left out
    /// (docs/model/technology.md#what-is-left-out).
    pub fn area(&self, design: &Design) -> Result<AreaBreakdown, TechError> {
        let pes = f64::from(design.pes_per_node);
        let mac = self.mac(design.word_bits)?.area_mm2 * pes;
        let regf_one = match (design.regf.0, design.regf_impl) {
            (0, _) => 0.0,
            (_, RegfImpl::FlipFlop) => self.register_file(design.regf, design.word_bits)?.area_mm2,
            (_, RegfImpl::Sram) => {
                self.sram(design.regf, design.word_bits, Ports::One)?
                    .area_mm2
            }
        };
        let mut gbuf = 0.0;
        for &b in design.gbuf.iter().filter(|b| b.0 > 0) {
            gbuf += self
                .sram(b, design.gbuf_word_bits, design.gbuf_ports)?
                .area_mm2;
        }
        let noc = match design.noc_flit_bits {
            Some(flit) => self.noc_hop(flit, 0.0)?.router_area_mm2,
            None => 0.0,
        };
        Ok(AreaBreakdown {
            per_node: ComponentAreas([mac, regf_one * pes, gbuf, noc]),
            nodes: design.nodes,
        })
    }
}
