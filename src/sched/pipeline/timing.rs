//! Segment timing and the static-energy rescaling (docs/model/pipelining.md#segment-timing,
//! docs/model/pipelining.md#static-energy-rescaling).

use super::segment::Place;
use crate::sched::types::LoopDim;

/// What the timing needs of one scheduled layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerTiming {
    /// Its place in the segment.
    pub place: Place,
    /// Is it a convolution?
    pub conv: bool,
    /// Its time (cycles).
    pub time: u64,
    /// `max(proc_time, bus_time)`.
    pub node_time: u64,
    /// Its DRAM time.
    pub dram_time: u64,
    /// Nodes it runs on.
    pub num_nodes: u64,
    /// Its top-level (DRAM-level) factors of the ifm, ofm and batch loops.
    pub top_factors: [u64; 3],
    /// Its top-level loop order: per loop its position, 0 innermost.
    pub top_order: [u8; 3],
}

impl LayerTiming {
    /// Group counts (batch, ifm, ofm) from the top-level blocking: the
    /// non-trivial loops outermost first; a leading batch loop gives the
    /// batch count, the next loop (ifm or ofm) its count; the rest are 1.
    pub fn group_counts(&self) -> (u64, u64, u64) {
        let t = self.top_factors;
        let mut loops: Vec<usize> = (0..3).filter(|&l| t[l] > 1).collect();
        loops.sort_by_key(|&l| std::cmp::Reverse(self.top_order[l]));
        let mut it = loops.into_iter().peekable();
        let bat = LoopDim::Bat.index();
        let nbat = if it.peek() == Some(&bat) {
            it.next();
            t[bat]
        } else {
            1
        };
        let (mut ni, mut no) = (1, 1);
        match it.next() {
            Some(l) if l == LoopDim::Ifm.index() => ni = t[l],
            Some(l) if l == LoopDim::Ofm.index() => no = t[l],
            _ => {}
        }
        (nbat, ni, no)
    }
}

#[derive(Clone, Copy, Debug)]
struct Timed {
    layer: LayerTiming,
    ts: u64,
    td: u64,
    ngrp: u64,
}

/// The timing of one segment as its layers are added (the reference's
/// `PipelineSegmentTiming`).
#[derive(Clone, Debug, Default)]
pub struct SegmentTiming {
    groups: Vec<Vec<Timed>>,
    bat_ngrp: Option<u64>,
}

/// A layer added out of order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("layer at {0:?} added to a segment timing out of order")]
pub struct OutOfOrder(pub Place);

impl SegmentTiming {
    /// An empty segment.
    pub fn new() -> Self {
        SegmentTiming::default()
    }

    /// Adds the next layer; `producers` are the places of its producers in
    /// this segment.
    pub fn add(&mut self, l: LayerTiming, producers: &[Place]) -> Result<(), OutOfOrder> {
        let (sp, tm) = l.place;
        let next_ok = match self.groups.last() {
            None => (sp, tm) == (0, 0),
            Some(g) => {
                (sp + 1 == self.groups.len() && tm == g.len())
                    || (sp == self.groups.len() && tm == 0)
            }
        };
        if !next_ok {
            return Err(OutOfOrder(l.place));
        }
        let (nbat, gi, go) = l.group_counts();
        self.bat_ngrp = match self.bat_ngrp {
            None => Some(nbat),
            Some(b) if b == nbat => Some(b),
            Some(_) => Some(1),
        };
        let (mut ts, mut td) = (0u64, 0u64);
        for &(psp, ptm) in producers {
            let Some(p) = self.groups.get(psp).and_then(|g| g.get(ptm)) else {
                return Err(OutOfOrder(l.place));
            };
            // Saturating: every sum is below the layers' times added up,
            // which the network search checks fit a u64.
            let forwarded = p.ts.saturating_add(p.layer.time / p.ngrp.max(1));
            let start = if psp == sp {
                td = p.td.saturating_add(l.time);
                if !l.conv && go == p.ngrp {
                    forwarded
                } else {
                    p.td
                }
            } else if (if l.conv { gi } else { go }) == p.ngrp {
                forwarded
            } else {
                p.td
            };
            ts = ts.max(start);
        }
        td = td.max(ts.saturating_add(l.time));
        let t = Timed {
            layer: l,
            ts,
            td,
            ngrp: go,
        };
        if sp == self.groups.len() {
            self.groups.push(vec![t]);
        } else {
            self.groups[sp].push(t);
        }
        Ok(())
    }

    /// Start and done time of the layer at `p`.
    pub fn start_done(&self, p: Place) -> Option<(u64, u64)> {
        self.groups.get(p.0)?.get(p.1).map(|t| (t.ts, t.td))
    }

    /// The longest span of a group: its last layer's done time minus its
    /// first layer's start.
    pub fn critical_time(&self) -> u64 {
        self.groups
            .iter()
            .filter_map(|g| Some(g.last()?.td.saturating_sub(g.first()?.ts)))
            .max()
            .unwrap_or(0)
    }

    /// Summed DRAM time of the layers (the bandwidth is not split).
    pub fn dram_time(&self) -> u64 {
        self.groups
            .iter()
            .flatten()
            .map(|t| t.layer.dram_time)
            .sum()
    }

    /// Node time with batch groups pipelined.
    pub fn node_time(&self) -> u64 {
        let b = self.bat_ngrp.unwrap_or(1).max(1);
        let c = self.critical_time();
        self.groups
            .iter()
            .filter_map(|g| g.last())
            // In u128: `c * (b - 1)` may exceed a u64 while the quotient,
            // at most the layers' times added up, does not.
            .map(|t| {
                let n = (u128::from(t.td) + u128::from(c) * u128::from(b - 1)) / u128::from(b);
                u64::try_from(n).unwrap_or(u64::MAX)
            })
            .max()
            .unwrap_or(0)
    }

    /// The segment's time: `max(node_time, dram_time)`.
    pub fn time(&self) -> u64 {
        self.node_time().max(self.dram_time())
    }

    /// How much slower than its layers alone on their share of the nodes.
    pub fn time_overhead(&self) -> f64 {
        let total_nodes: u64 = self
            .groups
            .iter()
            .filter_map(|g| g.first())
            .map(|t| t.layer.num_nodes)
            .sum();
        let indv: f64 = self
            .groups
            .iter()
            .flatten()
            .map(|t| {
                let l = &t.layer;
                (l.node_time as f64 * l.num_nodes as f64 / total_nodes as f64)
                    .max(l.dram_time as f64)
            })
            .sum();
        (self.time() as f64 - indv) / indv
    }
}

/// The energy of a schedule whose layers' static energies assumed they run
/// one after another (`sum_static` over `sum_time`) when they actually take
/// `total_time` (docs/model/pipelining.md#static-energy-rescaling).
pub(crate) fn rescaled_cost(sum_cost: f64, sum_static: f64, sum_time: u64, total_time: u64) -> f64 {
    if sum_time == 0 {
        return sum_cost;
    }
    sum_cost - sum_static * (1.0 - total_time as f64 / sum_time as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(place: Place, conv: bool, time: u64, t: [u64; 3]) -> LayerTiming {
        LayerTiming {
            place,
            conv,
            time,
            node_time: time,
            dram_time: 0,
            num_nodes: 4,
            top_factors: t,
            top_order: [0, 1, 2],
        }
    }

    #[test]
    fn the_n6_segment() {
        // The example of docs/model/pipelining.md#segment-timing: ((g1), (g2, m), (out)).
        let mut s = SegmentTiming::new();
        s.add(layer((0, 0), true, 32, [1, 1, 1]), &[]).unwrap();
        s.add(layer((1, 0), true, 32, [1, 1, 1]), &[]).unwrap();
        s.add(layer((1, 1), false, 8, [1, 1, 1]), &[(0, 0), (1, 0)])
            .unwrap();
        s.add(layer((2, 0), true, 16, [1, 1, 1]), &[(1, 1)])
            .unwrap();
        assert_eq!(s.start_done((1, 1)), Some((32, 40)));
        assert_eq!(s.start_done((2, 0)), Some((40, 56)));
        assert_eq!(s.critical_time(), 40);
        assert_eq!(s.time(), 56);
        assert!(s.add(layer((0, 1), true, 1, [1, 1, 1]), &[]).is_err());
    }

    #[test]
    fn the_n7_segment_pipelines_batch_groups() {
        // Network vector N7: every top-level batch factor 2.
        let mut s = SegmentTiming::new();
        s.add(layer((0, 0), true, 3072, [1, 1, 2]), &[]).unwrap();
        s.add(layer((0, 1), false, 64, [1, 1, 2]), &[(0, 0)])
            .unwrap();
        s.add(layer((1, 0), true, 3072, [1, 1, 2]), &[(0, 1)])
            .unwrap();
        assert_eq!(s.start_done((0, 1)), Some((3072, 3136)));
        assert_eq!(s.start_done((1, 0)), Some((3136, 6208)));
        assert_eq!(s.critical_time(), 3136);
        assert_eq!(s.node_time(), 4672);
    }

    #[test]
    fn group_counts_follow_the_outer_loops() {
        let mut l = layer((0, 0), true, 1, [2, 3, 4]);
        // Batch outermost, then ofm.
        l.top_order = [0, 1, 2];
        assert_eq!(l.group_counts(), (4, 1, 3));
        // Ifm outermost: no batch groups.
        l.top_order = [2, 1, 0];
        assert_eq!(l.group_counts(), (1, 2, 1));
    }

    #[test]
    fn static_energy_is_charged_over_the_pipelined_time() {
        // N9: 371,248 with 88,000 static over 88 cycles, pipelined to 40.
        assert_eq!(rescaled_cost(371248.0, 88000.0, 88, 40), 323248.0);
        assert_eq!(rescaled_cost(5.0, 1.0, 0, 0), 5.0);
    }
}
