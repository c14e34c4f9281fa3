//! The per-node results of a search, kept by problem: layers of the same
//! shape (ResNet repeats a few dozens of times) are searched once.

use crate::fasthash::FastMap;
use crate::sched::blocking::HopTable;
use crate::sched::dataflow::MappingError;
use crate::sched::options::RankKey;
use crate::sched::search::capacity::CapacityGroup;
use crate::sched::search::node::{NodeKey, NodeProblem, NodeResults};
use std::sync::{Arc, Mutex};

/// Per-node search results by problem, for searches on one machine under
/// fixed options (the batch aside, which is part of the key). A cache may
/// also be the view of one capacity of a `CapacityGroup`
/// (`NodeCache::shared`), which keeps the machine and options in its key.
#[derive(Debug, Default)]
pub struct NodeCache {
    /// Each problem's results, with the cut they were searched under
    /// (`None`: all of them; docs/model/blocking.md#a-cut-from-the-caller).
    map: Mutex<FastMap<NodeKey, (NodeResults, Option<RankKey>)>>,
    /// Problems that have no candidate, by their key without NoC hops:
    /// whether a blocking fits and counts does not depend on the hops,
    /// which only rank the candidates (docs/model/network.md#pruning-partitions).
    /// Segments ask for the same infeasible share many times, from inputs
    /// laid out differently.
    empty: Mutex<FastMap<NodeKey, ()>>,
    group: Option<(Arc<CapacityGroup>, usize)>,
    /// Problems by their key without NoC hops: asked for once (`None`),
    /// or again, with their hop tables
    /// (docs/model/blocking.md#one-search-for-every-hop-count).
    tables: Mutex<FastMap<NodeKey, Option<Arc<HopTables>>>>,
}

/// The hop tables of one problem's nests ([`NodeProblem::hop_tables`]).
type HopTables = Result<Vec<Option<HopTable>>, MappingError>;

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
            tables: Mutex::default(),
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

    /// The candidates of `problem` from the hop tables of its key without
    /// hops `hopless`, built when a problem of that key is asked for the
    /// second time; `None` the first time, or when the tables cannot tell.
    fn answer_from_tables(
        &self,
        problem: &NodeProblem<'_>,
        hopless: NodeKey,
    ) -> Option<Result<Vec<crate::sched::search::node::NodeCandidate>, MappingError>> {
        if !problem.shares_hop_tables() {
            return None;
        }
        let known = {
            let mut t = self.tables.lock().ok()?;
            match t.get(&hopless) {
                None => {
                    t.insert(hopless, None);
                    return None;
                }
                Some(known) => known.clone(),
            }
        };
        let tables = match known {
            Some(tables) => tables,
            None => {
                let tables = Arc::new(problem.hop_tables());
                if let Ok(mut t) = self.tables.lock() {
                    t.insert(hopless, Some(Arc::clone(&tables)));
                }
                tables
            }
        };
        match tables.as_ref() {
            Ok(tables) => problem.candidates_from(tables),
            Err(e) => Some(Err(*e)),
        }
    }

    /// The results of `problem`, searched unless kept, for a caller that
    /// holds `ntops` candidates
    /// ranked at or before `cut` ([`NodeProblem::candidates_below`]):
    /// results kept from a search under a cut at or after it serve, others
    /// are searched again, and the loosest search is kept.
    pub(crate) fn get_or_search_below(
        &self,
        problem: &NodeProblem<'_>,
        cut: Option<RankKey>,
    ) -> NodeResults {
        let key = problem.key();
        if let Some((group, slot)) = &self.group {
            return group.get_or_search(key, problem, *slot);
        }
        // Does a search under `had` find all that one under `cut` would?
        let serves = |had: Option<RankKey>| match (had, cut) {
            (None, _) => true,
            (Some(h), Some(c)) => c <= h,
            (Some(_), None) => false,
        };
        if let Ok(map) = self.map.lock()
            && let Some((hit, had)) = map.get(&key)
            && serves(*had)
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
        // Results from the hop tables are whole, whatever the cut.
        let (found, cut) = match self.answer_from_tables(problem, hopless) {
            Some(found) => (found, None),
            None => (problem.candidates_below(cut), cut),
        };
        let found = found.map(Arc::new);
        if let Ok(mut map) = self.map.lock() {
            let looser = map.get(&key).is_none_or(|(_, had)| !serves(*had));
            if looser {
                map.insert(key, (found.clone(), cut));
            }
        }
        // Under a cut, finding nothing says nothing of fit.
        if cut.is_none()
            && found.as_ref().is_ok_and(|f| f.is_empty())
            && let Ok(mut empty) = self.empty.lock()
        {
            empty.insert(hopless, ());
        }
        found
    }
}
