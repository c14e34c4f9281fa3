//! Per-node searches shared by machines that differ only in the capacity of
//! the global buffer (docs/sweep.md#shared-layer-searches).
//!
//! With everything else equal (array, register file, buses, DRAM, costs,
//! options), the capacity only decides which blockings fit
//! ([`crate::sched::blocking::search_capacities`]), so one search gives the
//! per-node results of every capacity. A [`CapacityGroup`] keeps those
//! results; [`NodeCache::shared`] is the view of one capacity that a network
//! search takes like any other cache. The results are exactly those of a
//! separate search per capacity.

use crate::fasthash::FastMap;
use crate::sched::Compat;
use crate::sched::blocking::{self, BlockingContext};
use crate::sched::dataflow::{MappingError, map_layer};
use crate::sched::layer::{NodeCache, NodeKey, NodeResults};
use crate::sched::machine::{Cost, NodeResource};
use crate::sched::node::{MappingSummary, NodeCandidate, NodeProblem};
use crate::sched::options::{BlockingOptions, Goal, Solver};
use std::sync::{Arc, Mutex};

/// [`NodeProblem::candidates`] for several capacities of the global buffer
/// (words per node, in any order): element `i` is what it finds with
/// `capacities[i]` words, the problem's own capacity aside.
pub fn candidates_capacities(
    problem: &NodeProblem<'_>,
    capacities: &[u64],
) -> Result<Vec<Vec<NodeCandidate>>, MappingError> {
    let mapping = map_layer(
        problem.layer,
        problem.batch,
        problem.occupancy,
        problem.resource.dim_array,
        problem.compat,
    )?;
    let summary = MappingSummary {
        fold: mapping.fold,
        repl: mapping.repl,
        util: mapping.util,
    };
    let resources: Vec<NodeResource> = capacities
        .iter()
        .map(|&size_gbuf| NodeResource {
            size_gbuf,
            ..*problem.resource
        })
        .collect();
    let mut out = vec![Vec::new(); capacities.len()];
    for (nld_index, nld) in mapping.nlds.iter().enumerate() {
        let ctx = BlockingContext::new(
            nld,
            problem.resource,
            problem.cost,
            problem.options.bypass,
            problem.options.goal,
            problem.compat,
        )
        .with_partition(problem.nodes, problem.unit_nhops, problem.accfwd)
        .with_segment(problem.constraint, problem.src, problem.dst)
        .with_sharing(problem.share);
        // The analytical solver's blockings are formulas of the capacity:
        // solved once per capacity (they are few and cheap).
        // Buffer sharing reads the capacity beyond the fit (its subgroups
        // shrink into the free words), so each capacity is searched alone.
        let found = if problem.share.is_some() {
            resources
                .iter()
                .map(|r| {
                    let mut one = ctx.clone();
                    one.resource = r;
                    blocking::search(&one, problem.options.ntops)
                        .into_iter()
                        .map(|(b, st)| (b, one.with_sharing_priced(&b, st)))
                        .collect()
                })
                .collect()
        } else if problem.options.solver == Solver::Analytic && nld.data_loops.is_conv() {
            resources
                .iter()
                .map(|r| {
                    let mut one = ctx.clone();
                    one.resource = r;
                    blocking::solve(&one)
                })
                .collect()
        } else {
            blocking::search_capacities(&ctx, capacities, problem.options.ntops)
        };
        for (list, found) in out.iter_mut().zip(found) {
            list.extend(found.into_iter().map(|(blocking, stats)| NodeCandidate {
                mapping: summary,
                nld_index,
                nld: *nld,
                blocking,
                stats,
            }));
        }
    }
    Ok(out)
}

/// Does one search serve every capacity? Not with buffer sharing, whose
/// subgroups depend on the free capacity, nor for the reference's delay
/// search, which runs once per capacity anyway
/// ([`blocking::search_capacities`]): there each capacity is searched when
/// it is asked for.
fn shares(problem: &NodeProblem<'_>) -> bool {
    !(problem.options.goal == Goal::D && problem.compat.delay_goal_nan()) && problem.share.is_none()
}

/// What a group's per-node results are keyed by: the cache's key, and the
/// options and model, which a cache leaves to its user to keep fixed.
type GroupKey = (NodeKey, BlockingOptions, Compat);

/// Per-node results of machines that differ only in the capacity of the
/// global buffer: for each problem, the results of every capacity of the
/// group, found by one search.
#[derive(Debug)]
pub struct CapacityGroup {
    capacities: Vec<u64>,
    /// The node every problem must have, capacity and filter pinning aside
    /// (the pinning is part of the key).
    node: NodeResource,
    cost: Cost,
    map: Mutex<FastMap<GroupKey, Vec<Option<NodeResults>>>>,
}

impl CapacityGroup {
    /// A group for nodes `node` priced by `cost`, with each capacity of
    /// `capacities` (words of global buffer per node); `node`'s own capacity
    /// is not read.
    pub fn new(node: NodeResource, cost: Cost, capacities: &[u64]) -> Self {
        let mut capacities = capacities.to_vec();
        capacities.sort_unstable();
        capacities.dedup();
        CapacityGroup {
            capacities,
            node: neutral(&node),
            cost,
            map: Mutex::new(FastMap::default()),
        }
    }

    /// The group's capacities, increasing.
    pub fn capacities(&self) -> &[u64] {
        &self.capacities
    }

    /// Is `problem` one of the group's, at the capacity of slot `slot`?
    fn holds(&self, problem: &NodeProblem<'_>, slot: usize) -> bool {
        problem.resource.size_gbuf == self.capacities[slot]
            && neutral(problem.resource) == self.node
            && *problem.cost == self.cost
    }

    /// The results of `problem` (of key `key`) at the capacity of `slot`,
    /// found once for all the group's capacities.
    pub(super) fn get_or_search(
        &self,
        key: NodeKey,
        problem: &NodeProblem<'_>,
        slot: usize,
    ) -> NodeResults {
        if !self.holds(problem, slot) {
            // Not a problem of this group: searched alone, not kept.
            return problem.candidates().map(Arc::new);
        }
        let key = (key, *problem.options, problem.compat);
        if let Ok(map) = self.map.lock()
            && let Some(Some(hit)) = map.get(&key).map(|all| &all[slot])
        {
            return hit.clone();
        }
        let n = self.capacities.len();
        // Searched without holding the lock, as `NodeCache` does: the
        // search runs on the rayon pool, whose tasks may ask for the same
        // key; the first result kept wins (they are equal).
        let found: Vec<Option<NodeResults>> = if shares(problem) {
            match candidates_capacities(problem, &self.capacities) {
                Ok(all) => all.into_iter().map(|c| Some(Ok(Arc::new(c)))).collect(),
                Err(e) => vec![Some(Err(e)); n],
            }
        } else {
            let mut one = vec![None; n];
            one[slot] = Some(problem.candidates().map(Arc::new));
            one
        };
        let mine = found[slot]
            .clone()
            .unwrap_or_else(|| problem.candidates().map(Arc::new));
        if let Ok(mut map) = self.map.lock() {
            let kept = map.entry(key).or_insert_with(|| vec![None; n]);
            for (k, f) in kept.iter_mut().zip(found) {
                if k.is_none() {
                    *k = f;
                }
            }
        }
        mine
    }
}

/// A node with its capacity and filter pinning cleared: what the problems
/// of a group share.
fn neutral(node: &NodeResource) -> NodeResource {
    NodeResource {
        size_gbuf: 0,
        no_time_mux: false,
        ..*node
    }
}

impl NodeCache {
    /// The view of `group` for its capacity `size_gbuf` (words per node): a
    /// cache whose per-node results are found for every capacity of the
    /// group at once. `None` if the group lacks that capacity. Problems of
    /// another node or cost than the group's are searched alone.
    pub fn shared(group: &Arc<CapacityGroup>, size_gbuf: u64) -> Option<NodeCache> {
        let slot = group.capacities.binary_search(&size_gbuf).ok()?;
        Some(NodeCache::with_group(Arc::clone(group), slot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ConvShape, Dim2, LayerShape};
    use crate::sched::machine::Bandwidth;
    use crate::sched::pipeline::LayerConstraint;
    use crate::sched::types::{PerData, PerLevel};
    use proptest::prelude::*;

    fn node(size_gbuf: u64) -> NodeResource {
        NodeResource {
            dim_array: Dim2::new(4, 6),
            size_gbuf,
            size_regf: 48,
            array_bus_width: None,
            dram_bandwidth: Bandwidth::Unlimited,
            no_time_mux: false,
        }
    }

    const COST: Cost = Cost {
        mac_op: 1.0,
        mem_hier: PerLevel([100.0, 4.0, 2.0, 1.0]),
        noc_hop: 2.0,
        idl_unit: 0.0,
    };

    fn options(solver: Solver, ntops: usize) -> BlockingOptions {
        BlockingOptions {
            solver,
            ntops,
            ..BlockingOptions::default()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// The per-node candidates of every capacity, found at once, are
        /// those of a separate problem per capacity, with either solver.
        #[test]
        fn candidates_of_several_capacities_equal_separate_problems(
            c in 1u64..=32,
            k in 1u64..=32,
            hw in 3u64..=12,
            batch in 1u64..=4,
            caps in prop::collection::vec(8u64..2048, 1..4),
            analytic in any::<bool>(),
            ntops in 1usize..4,
        ) {
            let layer = LayerShape::Conv(ConvShape::dense(c, k, Dim2::square(hw), Dim2::square(3), Dim2::square(1)));
            let solver = if analytic { Solver::Analytic } else { Solver::Exhaustive };
            let o = options(solver, ntops);
            let problem_at = |r| NodeProblem {
                layer: &layer,
                batch,
                occupancy: 1.0,
                nodes: 1,
                unit_nhops: PerData::splat(0),
                accfwd: PerData::splat(1),
                resource: r,
                cost: &COST,
                options: &o,
                compat: Compat::Nnc,
                constraint: LayerConstraint::FREE,
                src: blocking::DataHome::Dram,
                dst: blocking::DataHome::Dram,
                share: None,
            };
            let base = node(1);
            let together = candidates_capacities(&problem_at(&base), &caps);
            let nodes: Vec<NodeResource> = caps.iter().map(|&cap| node(cap)).collect();
            let apart: Result<Vec<_>, _> = nodes
                .iter()
                .map(|r| problem_at(r).candidates())
                .collect();
            prop_assert_eq!(together, apart);
        }
    }

    /// A small network's schedules through one group's views, each at its
    /// capacity, are those of separate searches; another machine's problems
    /// pass through the group untouched.
    #[test]
    fn network_searches_through_a_group_equal_separate_searches() {
        use crate::sched::network::{search, search_cached};
        let (net, _) = crate::compile(
            "network n\ninput data [8, 14]\n\
             c1 = conv(data, 16, kernel: 3, pad: 1)\n\
             p1 = pool(c1, kernel: 2, stride: 2)\n\
             c2 = conv(p1, 24, kernel: 3, pad: 1)\n\
             f = fc(c2, 10)\n",
        )
        .unwrap();
        // Nothing may bypass the buffer, so that its capacity matters.
        let options = crate::sched::options::Options::builder()
            .batch(2)
            .bypass(PerData::splat(false))
            .top(2)
            .build()
            .unwrap();
        let machine = |bytes: u64| {
            let set =
                crate::hw::Set::from_value("node.gbuf_bytes", &toml::Value::Integer(bytes as i64))
                    .unwrap();
            crate::hw::load_with("eyeriss", &[set]).unwrap().machine()
        };
        let machines: Vec<_> = [256u64, 2048, 8192, 65536].map(machine).into();
        let caps: Vec<u64> = machines.iter().map(|m| m.node.size_gbuf).collect();
        let base = &machines[0];
        let group = Arc::new(CapacityGroup::new(base.node, base.cost, &caps));
        let totals = |r: Result<Vec<crate::sched::network::NetworkSchedule>, _>| {
            r.map(|s| s.iter().map(|s| s.totals()).collect::<Vec<_>>())
        };
        let mut found = Vec::new();
        // The largest first: its search fills the others.
        for m in machines.iter().rev() {
            let view = NodeCache::shared(&group, m.node.size_gbuf).unwrap();
            let shared = totals(search_cached(&net, m, &options, &|_, _| {}, &view));
            let alone = totals(search(&net, m, &options, &|_, _| {}));
            assert_eq!(shared, alone);
            found.push(shared);
        }
        // Too small for a layer at 256 bytes; different schedules above.
        assert!(found[3].is_err(), "{:?}", found[3]);
        assert!(found[0] != found[1] || found[1] != found[2], "{found:?}");
        let kept = group.map.lock().unwrap().len();
        assert!(kept > 0);
        // A machine of another cost is not the group's.
        let mut dearer = machines[1];
        dearer.cost.noc_hop += 1.0;
        let view = NodeCache::shared(&group, dearer.node.size_gbuf).unwrap();
        assert_eq!(
            totals(search_cached(&net, &dearer, &options, &|_, _| {}, &view)),
            totals(search(&net, &dearer, &options, &|_, _| {}))
        );
        assert_eq!(group.map.lock().unwrap().len(), kept);
    }

    #[test]
    fn a_view_needs_one_of_the_groups_capacities() {
        let group = Arc::new(CapacityGroup::new(node(0), COST, &[512, 128, 512]));
        assert_eq!(group.capacities(), &[128, 512]);
        assert!(NodeCache::shared(&group, 512).is_some());
        assert!(NodeCache::shared(&group, 256).is_none());
    }
}
