//! The per-node results of a search, kept by problem: layers of the same
//! shape (ResNet repeats a few dozens of times) are searched once.

use crate::fasthash::{FastMap, Memo};
use crate::ir::{Dim2, LayerShape};
use crate::sched::blocking::HopTable;
use crate::sched::dataflow::MappingError;
use crate::sched::options::RankKey;
use crate::sched::partition::{DataLayout, GroupsMemo, NodeRegion, PartitionScheme};
use crate::sched::search::capacity::CapacityGroup;
use crate::sched::search::node::{NodeCandidate, NodeKey, NodeProblem, NodeResults};
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
    /// The hop tables of problems by their key without NoC hops
    /// (docs/model/blocking.md#one-search-for-every-hop-count).
    tables: Memo<NodeKey, Arc<HopTables>>,
    /// The node groups of the partitions priced, for their unit hops.
    pub(crate) hop_groups: GroupsMemo,
    /// The partitions tried for a layer, its batch and its region's size.
    pub(crate) partitions: Memo<(LayerShape, u64, Dim2), Arc<Vec<PartitionScheme>>>,
    /// The output layout of a layer, its batch, its output region and its
    /// partition.
    pub(crate) ofmaps: Memo<(LayerShape, u64, NodeRegion, PartitionScheme), Option<DataLayout>>,
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
            tables: Memo::default(),
            hop_groups: GroupsMemo::default(),
            partitions: Memo::default(),
            ofmaps: Memo::default(),
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
    /// hops `hopless`, built the first time a problem of that key is asked
    /// for; `None` when no table serves the problem, or when one cannot
    /// tell.
    fn answer_from_tables(
        &self,
        problem: &NodeProblem<'_>,
        hopless: NodeKey,
    ) -> Option<Result<Vec<NodeCandidate>, MappingError>> {
        if !problem.shares_hop_tables() {
            return None;
        }
        let tables = self
            .tables
            .get_or(hopless, || Arc::new(problem.hop_tables()));
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
