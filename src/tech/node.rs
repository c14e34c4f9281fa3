//! The quantities the technology model is asked about: a process node, a
//! capacity in bytes, a word width, a port count, a DRAM interface
//! (docs/model/technology.md#what-the-model-covers).

use std::fmt;
use std::str::FromStr;

use super::error::TechError;

/// A CMOS process node with committed tables. 65 nm to 22 nm are CACTI's
/// own planar nodes (28 nm interpolated between 32 and 22); 16 nm and 7 nm
/// are FinFET nodes scaled from 22 nm by Stillmaker & Baas
/// (docs/model/technology.md#process-nodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProcessNode {
    /// 65 nm planar bulk CMOS (Eyeriss, JSSC'17).
    Nm65,
    /// 45 nm planar (Horowitz's ISSCC'14 figures).
    Nm45,
    /// 32 nm planar.
    Nm32,
    /// 28 nm planar (TPU v1, ISCA'17).
    Nm28,
    /// 22 nm planar.
    Nm22,
    /// 16 nm FinFET.
    Nm16,
    /// 7 nm FinFET.
    Nm7,
}

impl ProcessNode {
    /// Every node with tables, largest first.
    pub const ALL: [ProcessNode; 7] = [
        ProcessNode::Nm65,
        ProcessNode::Nm45,
        ProcessNode::Nm32,
        ProcessNode::Nm28,
        ProcessNode::Nm22,
        ProcessNode::Nm16,
        ProcessNode::Nm7,
    ];

    /// The feature size in nanometres.
    pub fn nanometres(self) -> u32 {
        match self {
            ProcessNode::Nm65 => 65,
            ProcessNode::Nm45 => 45,
            ProcessNode::Nm32 => 32,
            ProcessNode::Nm28 => 28,
            ProcessNode::Nm22 => 22,
            ProcessNode::Nm16 => 16,
            ProcessNode::Nm7 => 7,
        }
    }

    /// The node's name in the tables and the hardware file: `"45nm"`.
    pub fn name(self) -> &'static str {
        match self {
            ProcessNode::Nm65 => "65nm",
            ProcessNode::Nm45 => "45nm",
            ProcessNode::Nm32 => "32nm",
            ProcessNode::Nm28 => "28nm",
            ProcessNode::Nm22 => "22nm",
            ProcessNode::Nm16 => "16nm",
            ProcessNode::Nm7 => "7nm",
        }
    }

    /// Whether the node's numbers are scaled from 22 nm rather than run
    /// through CACTI (docs/model/technology.md#process-nodes).
    pub fn is_finfet(self) -> bool {
        matches!(self, ProcessNode::Nm16 | ProcessNode::Nm7)
    }
}

impl fmt::Display for ProcessNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ProcessNode {
    type Err = TechError;

    /// Accepts `"45nm"`, `"45 nm"` and `"45"`.
    fn from_str(s: &str) -> Result<Self, TechError> {
        let t = s.trim();
        let digits = t.strip_suffix("nm").unwrap_or(t).trim_end();
        ProcessNode::ALL
            .into_iter()
            .find(|n| digits.parse::<u32>().ok() == Some(n.nanometres()))
            .ok_or_else(|| TechError::UnknownNode(s.to_owned()))
    }
}

/// A capacity in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub u64);

impl Bytes {
    /// `n` KiB.
    pub const fn kib(n: u64) -> Bytes {
        Bytes(n.saturating_mul(1024))
    }

    /// `n` MiB.
    pub const fn mib(n: u64) -> Bytes {
        Bytes(n.saturating_mul(1024 * 1024))
    }
}

impl fmt::Display for Bytes {
    /// In the largest binary unit that divides it: `"64 KiB"`, `"522 B"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            b if b >= 1 << 20 && b % (1 << 20) == 0 => write!(f, "{} MiB", b >> 20),
            b if b >= 1 << 10 && b % (1 << 10) == 0 => write!(f, "{} KiB", b >> 10),
            b => write!(f, "{b} B"),
        }
    }
}

/// The width of one access, in bits: the word an SRAM reads or writes at
/// once, the operand width of a MAC, the flit width of a router.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WordBits(pub u32);

impl fmt::Display for WordBits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-bit", self.0)
    }
}

/// Read/write ports of an SRAM: each port reads or writes one word a cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ports {
    /// One read/write port.
    One,
    /// Two read/write ports (a read and a write in the same cycle).
    Two,
}

impl Ports {
    /// 1 or 2.
    pub fn count(self) -> u32 {
        match self {
            Ports::One => 1,
            Ports::Two => 2,
        }
    }
}

/// An off-chip DRAM interface with a cited energy per bit
/// (docs/model/technology.md#dram).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DramInterface {
    /// LPDDR (LPDDR2/3 generation).
    Lpddr,
    /// LPDDR4.
    Lpddr4,
    /// DDR3.
    Ddr3,
    /// HBM2 (stacked, on package).
    Hbm2,
    /// HBM3 (stacked, on package).
    Hbm3,
}

impl DramInterface {
    /// Every interface with a figure.
    pub const ALL: [DramInterface; 5] = [
        DramInterface::Lpddr,
        DramInterface::Lpddr4,
        DramInterface::Ddr3,
        DramInterface::Hbm2,
        DramInterface::Hbm3,
    ];

    /// The interface's name in the table: `"lpddr4"`.
    pub fn name(self) -> &'static str {
        match self {
            DramInterface::Lpddr => "lpddr",
            DramInterface::Lpddr4 => "lpddr4",
            DramInterface::Ddr3 => "ddr3",
            DramInterface::Hbm2 => "hbm2",
            DramInterface::Hbm3 => "hbm3",
        }
    }
}

impl fmt::Display for DramInterface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DramInterface {
    type Err = TechError;

    /// Accepts the table's names, any case: `"HBM2"`, `"lpddr4"`.
    fn from_str(s: &str) -> Result<Self, TechError> {
        let t = s.trim().to_ascii_lowercase();
        DramInterface::ALL
            .into_iter()
            .find(|d| d.name() == t)
            .ok_or_else(|| TechError::UnknownDram(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_parse_with_or_without_the_unit() {
        assert_eq!("45nm".parse::<ProcessNode>().ok(), Some(ProcessNode::Nm45));
        assert_eq!("45 nm".parse::<ProcessNode>().ok(), Some(ProcessNode::Nm45));
        assert_eq!(" 7".parse::<ProcessNode>().ok(), Some(ProcessNode::Nm7));
        assert!("40nm".parse::<ProcessNode>().is_err());
        assert!("nm".parse::<ProcessNode>().is_err());
        for n in ProcessNode::ALL {
            assert_eq!(n.name().parse::<ProcessNode>().ok(), Some(n));
        }
    }

    #[test]
    fn dram_interfaces_parse_in_any_case() {
        assert_eq!(
            "HBM2".parse::<DramInterface>().ok(),
            Some(DramInterface::Hbm2)
        );
        assert!("ddr5".parse::<DramInterface>().is_err());
    }

    #[test]
    fn bytes_print_in_the_largest_whole_unit() {
        assert_eq!(Bytes(522).to_string(), "522 B");
        assert_eq!(Bytes::kib(108).to_string(), "108 KiB");
        assert_eq!(Bytes::mib(24).to_string(), "24 MiB");
        assert_eq!(Bytes(1536).to_string(), "1536 B");
    }
}
