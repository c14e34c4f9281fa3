//! The committed tables (`src/tech/tables/*.csv`, made by
//! `tools/tech/generate.py`), parsed once, and the interpolation between
//! their points (docs/model/technology.md#interpolation).

use std::sync::OnceLock;

use super::node::{DramInterface, ProcessNode};

/// The SRAM table's capacities: 256 B to 32 MiB, every power of two.
pub(crate) const SRAM_CAPACITIES: [u64; 18] = {
    let mut c = [0u64; 18];
    let mut i = 0;
    while i < 18 {
        c[i] = 256 << i;
        i += 1;
    }
    c
};

/// The SRAM table's word widths in bits.
pub(crate) const SRAM_WORD_BITS: [u32; 7] = [8, 16, 32, 64, 128, 256, 512];

/// The MAC table's word widths in bits.
pub(crate) const MAC_WORD_BITS: [u32; 3] = [8, 16, 32];

/// One SRAM table point: area (mm²), read and write energy per word (pJ),
/// leakage (mW).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SramPoint {
    pub(crate) area_mm2: f64,
    pub(crate) read_pj: f64,
    pub(crate) write_pj: f64,
    pub(crate) leakage_mw: f64,
}

impl SramPoint {
    fn fields(self) -> [f64; 4] {
        [self.area_mm2, self.read_pj, self.write_pj, self.leakage_mw]
    }

    fn from_fields(f: [f64; 4]) -> SramPoint {
        SramPoint {
            area_mm2: f[0],
            read_pj: f[1],
            write_pj: f[2],
            leakage_mw: f[3],
        }
    }
}

/// One node's tables.
#[derive(Debug)]
pub(crate) struct NodeTables {
    /// `sram[ports - 1][width index][capacity index]`.
    pub(crate) sram: [Vec<Vec<SramPoint>>; 2],
    /// Per MAC width of [`MAC_WORD_BITS`]: (area mm², energy pJ per MAC).
    pub(crate) mac: [(f64, f64); 3],
    /// One flip-flop bit: (area mm², read pJ, write pJ).
    pub(crate) flipflop_bit: (f64, f64, f64),
    /// One bit of router flit width: (area mm², pJ per traversal).
    pub(crate) router_bit: (f64, f64),
    /// pJ per bit per mm of on-chip wire.
    pub(crate) wire_bit_mm_pj: f64,
}

/// Every table.
#[derive(Debug)]
pub(crate) struct Tables {
    /// Indexed like [`ProcessNode::ALL`].
    pub(crate) nodes: Vec<NodeTables>,
    /// pJ per bit, indexed like [`DramInterface::ALL`].
    pub(crate) dram_pj_per_bit: Vec<f64>,
}

const SRAM_CSV: &str = include_str!("tables/sram.csv");
const PARTS_CSV: &str = include_str!("tables/parts.csv");
const DRAM_CSV: &str = include_str!("tables/dram.csv");

/// The tables, parsed on first use.
pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    // Why a panic is acceptable here: the tables are compiled in, not user
    // input, and `the_committed_tables_parse` fails on any defect first.
    TABLES.get_or_init(|| parse_all().unwrap_or_else(|e| panic!("technology tables: {e}")))
}

/// The data rows of a CSV file: comment lines (`#`) skipped, the header
/// checked against `header`.
fn rows<'a>(text: &'a str, header: &str) -> Result<Vec<Vec<&'a str>>, String> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    match lines.next() {
        Some(h) if h == header => {}
        other => return Err(format!("header {other:?}, expected {header:?}")),
    }
    Ok(lines.map(|l| l.split(',').collect()).collect())
}

fn number(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a finite number >= 0")),
    }
}

fn positive(s: &str) -> Result<f64, String> {
    match number(s)? {
        x if x > 0.0 => Ok(x),
        _ => Err(format!(
            "`{s}` must be > 0 (the model interpolates its logarithm)"
        )),
    }
}

fn node_index(s: &str) -> Result<usize, String> {
    ProcessNode::ALL
        .iter()
        .position(|n| n.name() == s)
        .ok_or_else(|| format!("unknown node `{s}`"))
}

/// One node's SRAM grid as it is being read: `[width][capacity]`, `None`
/// until its row is seen.
type PartialGrid = Vec<Vec<Option<SramPoint>>>;

/// Per node, the grids of one and of two ports.
fn parse_sram(text: &str) -> Result<Vec<[PartialGrid; 2]>, String> {
    let empty = || vec![vec![None; SRAM_CAPACITIES.len()]; SRAM_WORD_BITS.len()];
    let mut out: Vec<[PartialGrid; 2]> = ProcessNode::ALL
        .iter()
        .map(|_| [empty(), empty()])
        .collect();
    let header = "node,capacity_bytes,word_bits,ports,area_mm2,read_pj,write_pj,leakage_mw";
    for r in rows(text, header)? {
        let [node, cap, bits, ports, area, read, write, leak] = r[..] else {
            return Err(format!("sram.csv: row {r:?} has {} fields, not 8", r.len()));
        };
        let n = node_index(node)?;
        let ci = cap
            .parse::<u64>()
            .ok()
            .and_then(|c| SRAM_CAPACITIES.iter().position(|&x| x == c))
            .ok_or_else(|| format!("sram.csv: capacity `{cap}` is not a grid point"))?;
        let wi = bits
            .parse::<u32>()
            .ok()
            .and_then(|b| SRAM_WORD_BITS.iter().position(|&x| x == b))
            .ok_or_else(|| format!("sram.csv: word width `{bits}` is not a grid point"))?;
        let pi = match ports {
            "1" => 0,
            "2" => 1,
            _ => return Err(format!("sram.csv: ports `{ports}`")),
        };
        let point = SramPoint {
            area_mm2: positive(area)?,
            read_pj: positive(read)?,
            write_pj: positive(write)?,
            leakage_mw: positive(leak)?,
        };
        let slot = &mut out[n][pi][wi][ci];
        if slot.replace(point).is_some() {
            return Err(format!("sram.csv: {node} {cap} B {bits}-bit {ports} twice"));
        }
    }
    Ok(out)
}

/// One node's rows of `parts.csv` as they are being read.
#[derive(Default)]
struct PartialParts {
    mac: [Option<(f64, f64)>; 3],
    flipflop_bit: Option<(f64, f64, f64)>,
    router_bit: Option<(f64, f64)>,
    wire_bit_mm: Option<f64>,
}

fn parse_parts(text: &str) -> Result<Vec<PartialParts>, String> {
    let mut out: Vec<PartialParts> = ProcessNode::ALL
        .iter()
        .map(|_| PartialParts::default())
        .collect();
    for r in rows(text, "node,part,area_mm2,energy_pj,energy2_pj")? {
        let [node, part, area, energy, energy2] = r[..] else {
            return Err(format!(
                "parts.csv: row {r:?} has {} fields, not 5",
                r.len()
            ));
        };
        let p = &mut out[node_index(node)?];
        let mac = MAC_WORD_BITS
            .iter()
            .position(|b| part.strip_prefix("mac") == Some(&b.to_string()));
        match (part, mac) {
            (_, Some(i)) => p.mac[i] = Some((positive(area)?, positive(energy)?)),
            ("flipflop_bit", _) => {
                p.flipflop_bit = Some((positive(area)?, positive(energy)?, positive(energy2)?));
            }
            ("router_bit", _) => p.router_bit = Some((positive(area)?, positive(energy)?)),
            ("wire_bit_mm", _) => p.wire_bit_mm = Some(positive(energy)?),
            _ => return Err(format!("parts.csv: unknown part `{part}`")),
        }
    }
    Ok(out)
}

fn parse_dram(text: &str) -> Result<Vec<f64>, String> {
    let mut out = vec![None; DramInterface::ALL.len()];
    for r in rows(text, "interface,pj_per_bit")? {
        let [name, pj] = r[..] else {
            return Err(format!("dram.csv: row {r:?} has {} fields, not 2", r.len()));
        };
        let i = DramInterface::ALL
            .iter()
            .position(|d| d.name() == name)
            .ok_or_else(|| format!("dram.csv: unknown interface `{name}`"))?;
        out[i] = Some(positive(pj)?);
    }
    out.into_iter()
        .zip(DramInterface::ALL)
        .map(|(x, d)| x.ok_or_else(|| format!("dram.csv: no row for {d}")))
        .collect()
}

/// Parses every table and checks that each node has every point.
pub(crate) fn parse_all() -> Result<Tables, String> {
    let sram = parse_sram(SRAM_CSV)?;
    let parts = parse_parts(PARTS_CSV)?;
    let mut nodes = Vec::new();
    for ((node, s), p) in ProcessNode::ALL.iter().zip(sram).zip(parts) {
        let missing = |what: &str| format!("{node}: no {what}");
        let grid = |g: PartialGrid| {
            g.into_iter()
                .map(|row| row.into_iter().collect::<Option<Vec<_>>>())
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| missing("full SRAM grid"))
        };
        let [one, two] = s;
        let mut macs = [(0.0, 0.0); 3];
        for (slot, m) in macs.iter_mut().zip(p.mac) {
            *slot = m.ok_or_else(|| missing("MAC row"))?;
        }
        nodes.push(NodeTables {
            sram: [grid(one)?, grid(two)?],
            mac: macs,
            flipflop_bit: p.flipflop_bit.ok_or_else(|| missing("flipflop_bit"))?,
            router_bit: p.router_bit.ok_or_else(|| missing("router_bit"))?,
            wire_bit_mm_pj: p.wire_bit_mm.ok_or_else(|| missing("wire_bit_mm"))?,
        });
    }
    Ok(Tables {
        nodes,
        dram_pj_per_bit: parse_dram(DRAM_CSV)?,
    })
}

/// Where a value falls on a grid: on a point, or a fraction `t` of the way
/// (in the logarithm) from point `i` to point `i + 1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Pos {
    /// Exactly on grid point `i`.
    At(usize),
    /// Between points `i` and `i + 1`, `0 < t < 1` along the log axis.
    Between(usize, f64),
}

/// Locates `x` on the ascending grid `xs` in log space; `None` outside it.
pub(crate) fn locate(xs: &[f64], x: f64) -> Option<Pos> {
    if let Some(i) = xs.iter().position(|&g| g == x) {
        return Some(Pos::At(i));
    }
    let i = xs.windows(2).position(|w| w[0] < x && x < w[1])?;
    let t = (x.ln() - xs[i].ln()) / (xs[i + 1].ln() - xs[i].ln());
    Some(Pos::Between(i, t))
}

/// The power law through `(0, y0)` and `(1, y1)` at `t`: linear in
/// `ln y`. Both values are positive (checked when the tables are parsed).
pub(crate) fn log_lerp(y0: f64, y1: f64, t: f64) -> f64 {
    (y0.ln() + t * (y1.ln() - y0.ln())).exp()
}

/// `f` along one axis at `pos`: the point itself, or the power law between
/// the two neighbours.
pub(crate) fn along<const N: usize>(pos: Pos, f: impl Fn(usize) -> [f64; N]) -> [f64; N] {
    match pos {
        Pos::At(i) => f(i),
        Pos::Between(i, t) => {
            let (a, b) = (f(i), f(i + 1));
            std::array::from_fn(|k| log_lerp(a[k], b[k], t))
        }
    }
}

/// An SRAM point at (capacity position, width position) of a node's grid:
/// interpolated along capacity within each bracketing width, then along
/// width; exact when both positions are grid points.
pub(crate) fn sram_at(grid: &[Vec<SramPoint>], cap: Pos, width: Pos) -> SramPoint {
    SramPoint::from_fields(along(width, |w| along(cap, |c| grid[w][c].fields())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_tables_parse() {
        let t = parse_all().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.nodes.len(), ProcessNode::ALL.len());
        assert_eq!(t.dram_pj_per_bit.len(), DramInterface::ALL.len());
    }

    #[test]
    fn locate_finds_points_and_fractions_in_log_space() {
        let xs = [1.0, 4.0, 16.0];
        assert_eq!(locate(&xs, 4.0), Some(Pos::At(1)));
        let half = |p| matches!(p, Some(Pos::Between(_, t)) if (t - 0.5f64).abs() < 1e-15);
        assert!(half(locate(&xs, 2.0)) && locate(&xs, 2.0).is_some_and(|p| p != Pos::At(0)));
        assert!(matches!(locate(&xs, 8.0), Some(Pos::Between(1, _))) && half(locate(&xs, 8.0)));
        assert_eq!(locate(&xs, 0.5), None);
        assert_eq!(locate(&xs, 17.0), None);
    }

    #[test]
    fn log_lerp_is_a_power_law() {
        // Halfway between 1 and 100 in the logarithm is 10.
        assert!((log_lerp(1.0, 100.0, 0.5) - 10.0).abs() < 1e-12);
        // Within rounding of the end points; which is why a point on the
        // grid is returned from the table, not through `log_lerp`.
        assert!((log_lerp(3.0, 5.0, 0.0) - 3.0).abs() < 1e-15);
        assert!((log_lerp(3.0, 5.0, 1.0) - 5.0).abs() < 1e-14);
    }

    #[test]
    fn bad_tables_are_refused_with_the_reason() {
        assert!(rows("a,b\n1,2\n", "x,y").is_err());
        assert!(parse_dram("interface,pj_per_bit\nddr9,1\n").is_err());
        assert!(parse_dram("interface,pj_per_bit\nhbm2,-1\n").is_err());
        let e = parse_parts("node,part,area_mm2,energy_pj,energy2_pj\n45nm,mac8,0,1,\n");
        assert!(e.is_err_and(|m| m.contains("> 0")));
    }
}
