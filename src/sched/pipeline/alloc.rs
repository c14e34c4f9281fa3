//! Spatial and temporal allocation: how many nodes each spatial group gets
//! and which regions each layer computes on, reads from and writes to
//! (docs/model/pipelining.md#spatial-and-temporal-allocation).

use super::segment::{Deps, Place, Segment, SegmentContext, Src};
use crate::sched::model::factor::divisors;
use crate::sched::partition::NodeRegion;

/// Where a layer's data live: in memory, or in the buffers of a group's
/// subregion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataRegion {
    /// The DRAM region of the machine.
    Dram,
    /// The subregion of spatial group `g`.
    Sub(usize),
}

/// One layer's regions in its segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerPlace {
    /// Its spatial group (its processing region is the group's subregion).
    pub group: usize,
    /// Where its input is read from.
    pub src: DataRegion,
    /// Where its output is written.
    pub dst: DataRegion,
}

/// The node allocation of a segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Allocation {
    /// Per group, its subregion of the processing region.
    pub regions: Vec<NodeRegion>,
    /// Per group, per layer.
    pub places: Vec<Vec<LayerPlace>>,
    /// Does every layer own its region for the whole run (the segment holds
    /// the whole network and no group has two convolutions), so that
    /// filters may stay pinned on chip (docs/model/buffer-sharing.md#filter-pinning)?
    pub no_time_mux: bool,
}

impl Allocation {
    /// The place of the layer at `p`.
    pub fn at(&self, p: Place) -> LayerPlace {
        self.places[p.0][p.1]
    }

    /// The region `r` stands for, given the machine's DRAM region.
    pub fn region(&self, r: DataRegion, dram: NodeRegion) -> NodeRegion {
        match r {
            DataRegion::Dram => dram,
            DataRegion::Sub(g) => self.regions[g],
        }
    }
}

/// Nodes per group, proportional to the groups' ops, in multiples of a
/// common factor of the region's height, balanced to a utilization of at
/// least 95%
/// (docs/model/pipelining.md#spatial-and-temporal-allocation). `None` when no factor qualifies.
pub(crate) fn node_counts(ops: &[u64], height: u64, nodes: u64) -> Option<Vec<u64>> {
    let total: u64 = ops.iter().sum();
    if ops.is_empty() || total == 0 || nodes == 0 {
        return None;
    }
    let n = nodes as f64;
    let raw: Vec<f64> = ops.iter().map(|&o| o as f64 / total as f64 * n).collect();
    'factors: for &cf in divisors(height).iter().rev() {
        let cff = cf as f64;
        let mut counts: Vec<u64> = raw
            .iter()
            .map(|&r| ((r / cff).round_ties_even().max(1.0) as u64) * cf)
            .collect();
        loop {
            let sum: u64 = counts.iter().sum();
            if sum == nodes {
                break;
            }
            let surplus = |g: usize, c: &[u64]| c[g] as f64 - raw[g];
            let idx = 0..counts.len();
            if sum > nodes {
                // The first group with the largest surplus gives a factor.
                let g = idx
                    .fold(None, |best: Option<usize>, g| match best {
                        Some(b) if surplus(b, &counts) >= surplus(g, &counts) => Some(b),
                        _ => Some(g),
                    })
                    .unwrap_or(0);
                if counts[g] < cf {
                    continue 'factors;
                }
                counts[g] -= cf;
            } else {
                let g = idx
                    .fold(None, |best: Option<usize>, g| match best {
                        Some(b) if surplus(b, &counts) <= surplus(g, &counts) => Some(b),
                        _ => Some(g),
                    })
                    .unwrap_or(0);
                counts[g] += cf;
            }
        }
        if counts.contains(&0) {
            continue;
        }
        let worst = ops
            .iter()
            .zip(&counts)
            .map(|(&o, &c)| o as f64 / c as f64)
            .fold(0.0, f64::max);
        let util = total as f64 / worst / n;
        if util >= 1.0 - 0.05 {
            return Some(counts);
        }
    }
    None
}

/// The allocation of a segment whose dependencies are `deps`
/// (docs/model/pipelining.md#spatial-and-temporal-allocation).
pub(super) fn allocate(cx: &SegmentContext<'_>, seg: &Segment, deps: &Deps) -> Option<Allocation> {
    let region = cx.proc_region;
    let regions = if seg.groups.len() == 1 {
        vec![region]
    } else {
        let ops: Vec<u64> = seg
            .groups
            .iter()
            .map(|g| g.iter().map(|&l| cx.net.layer(l).shape.total_ops(1)).sum())
            .collect();
        let counts = node_counts(&ops, region.dim().h, region.dim().size())?;
        let r = region.allocate(&counts);
        if r.len() != counts.len() {
            return None;
        }
        r
    };
    let fetcher_of = |p: Place| {
        deps.ifm_fwd
            .iter()
            .find(|list| list[1..].contains(&p))
            .map(|list| list[0].0)
    };
    let places = seg
        .groups
        .iter()
        .enumerate()
        .map(|(sp, g)| {
            (0..g.len())
                .map(|tm| {
                    let d = deps.at((sp, tm));
                    let src = match d.src {
                        Src::Memory => {
                            fetcher_of((sp, tm)).map_or(DataRegion::Dram, DataRegion::Sub)
                        }
                        Src::Neighbour((psp, _)) => DataRegion::Sub(psp),
                        Src::Local => DataRegion::Sub(sp),
                    };
                    let dst = if d.dst_memory {
                        DataRegion::Dram
                    } else {
                        DataRegion::Sub(sp)
                    };
                    LayerPlace {
                        group: sp,
                        src,
                        dst,
                    }
                })
                .collect()
        })
        .collect();
    let convs_ok = seg.groups.iter().all(|g| {
        g.iter()
            .filter(|&&l| cx.net.layer(l).shape.is_conv())
            .count()
            <= 1
    });
    Some(Allocation {
        regions,
        places,
        no_time_mux: seg.len() == cx.net.layers().len() && convs_ok,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_example_balances_on_a_factor_of_two() {
        // The example of docs/model/pipelining.md#spatial-and-temporal-allocation: 36,864 and 4,096 ops on 4x4.
        assert_eq!(node_counts(&[36864, 4096], 4, 16), Some(vec![14, 2]));
        // TNET_C (c2), (c3): only a factor of 1 reaches 95%.
        assert_eq!(node_counts(&[73728, 16384], 4, 16), Some(vec![13, 3]));
        assert_eq!(node_counts(&[1, 1], 4, 16), Some(vec![8, 8]));
        // A group too small for any node at 95%.
        assert_eq!(node_counts(&[1000, 1], 1, 2), None);
    }
}
