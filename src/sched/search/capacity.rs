//! Per-node searches shared by machines that differ only in the capacity of
//! the global buffer (docs/sweep.md#shared-layer-searches).
//!
//! With everything else equal (array, register file, buses, DRAM, costs,
//! options), the capacity only decides which blockings fit
//! ([`crate::sched::blocking::search_capacities`]), so one search gives the
//! per-node results of every capacity. A `CapacityGroup` keeps those
//! results; `NodeCache::shared` is the view of one capacity that a network
//! search takes like any other cache. The results are exactly those of a
//! separate search per capacity.

use crate::fasthash::FastMap;
use crate::sched::Compat;
use crate::sched::machine::{Cost, NodeResource};
use crate::sched::options::{BlockingOptions, Goal};
use crate::sched::search::node::{NodeKey, NodeProblem, NodeResults};
use std::sync::{Arc, Mutex};

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
pub(crate) struct CapacityGroup {
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
    pub(crate) fn new(node: NodeResource, cost: Cost, capacities: &[u64]) -> Self {
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
    pub(crate) fn capacities(&self) -> &[u64] {
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
    pub(crate) fn get_or_search(
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
            match problem.candidates_capacities(&self.capacities) {
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
pub(super) fn neutral(node: &NodeResource) -> NodeResource {
    NodeResource {
        size_gbuf: 0,
        no_time_mux: false,
        ..*node
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::search::Cancel;
    use crate::sched::search::cache::NodeCache;
    use crate::testing::{buffer_bound_options, eyeriss_with_gbuf, small_network, totals};

    /// A small network's schedules through one group's views, each at its
    /// capacity, are those of separate searches; another machine's problems
    /// pass through the group untouched.
    #[test]
    fn network_searches_through_a_group_equal_separate_searches() {
        use crate::sched::search::network::{search, search_cached};
        let net = small_network();
        let options = buffer_bound_options();
        let machines: Vec<_> = [256u64, 2048, 8192, 65536].map(eyeriss_with_gbuf).into();
        let caps: Vec<u64> = machines.iter().map(|m| m.node.size_gbuf).collect();
        let base = &machines[0];
        let group = Arc::new(CapacityGroup::new(base.node, base.cost, &caps));
        let mut found = Vec::new();
        // The largest first: its search fills the others.
        for m in machines.iter().rev() {
            let view = NodeCache::shared(&group, m.node.size_gbuf).unwrap();
            let shared = totals(search_cached(
                &net,
                m,
                &options,
                &|_, _| {},
                &Cancel::new(),
                &view,
            ));
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
            totals(search_cached(
                &net,
                &dearer,
                &options,
                &|_, _| {},
                &Cancel::new(),
                &view
            )),
            totals(search(&net, &dearer, &options, &|_, _| {}))
        );
        assert_eq!(group.map.lock().unwrap().len(), kept);
    }

    #[test]
    fn a_view_needs_one_of_the_groups_capacities() {
        let m = crate::hw::load("eyeriss").unwrap().machine();
        let group = Arc::new(CapacityGroup::new(m.node, m.cost, &[512, 128, 512]));
        assert_eq!(group.capacities(), &[128, 512]);
        assert!(NodeCache::shared(&group, 512).is_some());
        assert!(NodeCache::shared(&group, 256).is_none());
    }
}
