//! The per-node results of a search, kept by problem: layers of the same
//! shape (ResNet repeats a few dozens of times) are searched once.

use crate::fasthash::FastMap;
use crate::sched::search::capacity::CapacityGroup;
use crate::sched::search::node::{NodeKey, NodeProblem, NodeResults};
use std::sync::{Arc, Mutex};

/// Per-node search results by problem, for searches on one machine under
/// fixed options (the batch aside, which is part of the key). A cache may
/// also be the view of one capacity of a `CapacityGroup`
/// (`NodeCache::shared`), which keeps the machine and options in its key.
#[derive(Debug, Default)]
pub struct NodeCache {
    map: Mutex<FastMap<NodeKey, NodeResults>>,
    /// Problems that have no candidate, by their key without NoC hops:
    /// whether a blocking fits and counts does not depend on the hops,
    /// which only rank the candidates (docs/model/network.md#pruning-partitions).
    /// Segments ask for the same infeasible share many times, from inputs
    /// laid out differently.
    empty: Mutex<FastMap<NodeKey, ()>>,
    group: Option<(Arc<CapacityGroup>, usize)>,
}

impl NodeCache {
    /// An empty cache.
    pub fn new() -> Self {
        NodeCache::default()
    }

    /// The view of `group` for its capacity `size_gbuf` (words per node): a
    /// cache whose per-node results are found for every capacity of the
    /// group at once. `None` if the group lacks that capacity. Problems of
    /// another node or cost than the group's are searched alone.
    pub(crate) fn shared(group: &Arc<CapacityGroup>, size_gbuf: u64) -> Option<NodeCache> {
        let slot = group.capacities().binary_search(&size_gbuf).ok()?;
        Some(NodeCache {
            map: Mutex::default(),
            empty: Mutex::default(),
            group: Some((Arc::clone(group), slot)),
        })
    }

    /// Is `problem` known to have no candidate, whatever its NoC hops?
    pub(crate) fn known_empty(&self, problem: &NodeProblem<'_>) -> bool {
        self.group.is_none()
            && self
                .empty
                .lock()
                .is_ok_and(|e| e.contains_key(&problem.key().without_hops()))
    }

    /// The results of `problem`, searched unless kept.
    pub(crate) fn get_or_search(&self, problem: &NodeProblem<'_>) -> NodeResults {
        let key = problem.key();
        if let Some((group, slot)) = &self.group {
            return group.get_or_search(key, problem, *slot);
        }
        if let Ok(map) = self.map.lock()
            && let Some(hit) = map.get(&key)
        {
            return hit.clone();
        }
        let hopless = key.without_hops();
        if let Ok(empty) = self.empty.lock()
            && empty.contains_key(&hopless)
        {
            return Ok(Arc::new(Vec::new()));
        }
        // Searched without holding the lock: the search runs on the rayon
        // pool, whose tasks may ask for the same key; the first result kept
        // wins (they are equal).
        let found = problem.candidates().map(Arc::new);
        if let Ok(mut map) = self.map.lock() {
            map.entry(key).or_insert_with(|| found.clone());
        }
        if found.as_ref().is_ok_and(|f| f.is_empty())
            && let Ok(mut empty) = self.empty.lock()
        {
            empty.insert(hopless, ());
        }
        found
    }
}
