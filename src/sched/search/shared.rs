//! Network searches that share their per-node searches, across networks,
//! batches and design points (docs/sweep.md#shared-layer-searches): the
//! library's entry point for many schedules at once, as a sweep runs them.
//!
//! A per-node search (one layer's share, mapped and blocked) depends on the
//! node's resources, the costs, the options and the per-node problem; a
//! session keeps its results by all of them, so that any two searches asking
//! the same get one search. Machines that differ at most in the capacity of
//! the global buffer share more: one search finds the results of all their
//! capacities ([`NodeProblem::candidates_capacities`]).
//!
//! [`NodeProblem::candidates_capacities`]: crate::sched::search::node::NodeProblem::candidates_capacities

use super::cache::NodeCache;
use super::capacity::{CapacityGroup, neutral};
use super::network::{NetworkSchedule, search_cached};
use super::{Cancel, SearchError};
use crate::ir::Network;
use crate::sched::machine::Machine;
use crate::sched::options::Options;
use std::sync::Arc;

/// A session of network searches sharing their per-node searches.
///
/// Created for the machines the searches will run on; each search through
/// it ([`SharedSearch::search`]) finds exactly what a search alone
/// ([`network::search`](super::network::search)) finds, whatever was
/// searched before, in any order and from any thread. Searches on one of
/// the session's machines reuse the per-node results of earlier searches on
/// any machine that differs from it at most in the capacity of the global
/// buffer ([`SharedSearch::shared_between`]), for any network, batch and
/// options; searches on other machines run as if alone. The results are
/// kept until the session is dropped.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use nnc::SharedSearch;
/// let source = "network n\ninput x [8, 14]\nc = conv(x, 16, kernel: 3, pad: 1)\n";
/// let report = |d| nnc::diag::Report::compiled("n.nn", source, d);
/// let (net, _) = nnc::compile(source).map_err(report)?;
/// let options = nnc::Options::builder().batch(2).build()?;
/// // Two design points that differ in the global buffer alone.
/// let mut points = Vec::new();
/// for gbuf in ["node.gbuf_bytes=65536", "node.gbuf_bytes=131072"] {
///     points.push(nnc::hw::load_with("eyeriss", &[gbuf.parse()?])?);
/// }
/// let machines: Vec<_> = points.iter().map(nnc::Hardware::machine).collect();
/// // Each per-node search runs once for both buffer sizes.
/// let shared = SharedSearch::new(&machines);
/// for hw in &points {
///     let file = nnc::schedule_shared(&net, hw, &options, &shared)?;
///     let alone = nnc::schedule(&net, hw, &options)?;
///     assert_eq!(file.totals.energy, alone.totals.energy);
///     assert_eq!(file.totals.time, alone.totals.time);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default)]
pub struct SharedSearch {
    /// Per class of machines that differ at most in the capacity of the
    /// global buffer: a machine of the class, and the per-node results of
    /// all its capacities.
    groups: Vec<(Machine, Arc<CapacityGroup>)>,
    /// Stops the session's searches ([`Cancel`]).
    cancel: Cancel,
}

impl SharedSearch {
    /// A session for searches on `machines` (in any order, repeats allowed).
    pub fn new<'m>(machines: impl IntoIterator<Item = &'m Machine>) -> Self {
        let mut classes: Vec<(Machine, Vec<u64>)> = Vec::new();
        for m in machines {
            match classes
                .iter_mut()
                .find(|(c, _)| SharedSearch::shared_between(c, m))
            {
                Some((_, caps)) => caps.push(m.node.size_gbuf),
                None => classes.push((*m, vec![m.node.size_gbuf])),
            }
        }
        let groups = classes
            .into_iter()
            .map(|(m, caps)| {
                let group = CapacityGroup::new(m.node, m.cost, &caps);
                (m, Arc::new(group))
            })
            .collect();
        SharedSearch {
            groups,
            cancel: Cancel::new(),
        }
    }

    /// The session, its searches stopped by `cancel` ([`Cancel`]).
    pub fn with_cancel(self, cancel: &Cancel) -> Self {
        SharedSearch {
            cancel: cancel.clone(),
            ..self
        }
    }

    /// Do searches on `a` and on `b` share one per-node search for both?
    /// When the machines differ at most in the capacity of their global
    /// buffers (and in filter pinning, which the network decides).
    pub fn shared_between(a: &Machine, b: &Machine) -> bool {
        neutral(&a.node) == neutral(&b.node)
            && a.cost == b.cost
            && a.nodes == b.nodes
            && a.memory == b.memory
    }

    /// Schedules `net` on `machine` under `options`: what
    /// [`network::search`](super::network::search) finds, with per-node
    /// results taken from and added to the session.
    pub fn search(
        &self,
        net: &Network,
        machine: &Machine,
        options: &Options,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Vec<NetworkSchedule>, SearchError> {
        let cache = self
            .groups
            .iter()
            .filter(|(m, _)| SharedSearch::shared_between(m, machine))
            .find_map(|(_, group)| NodeCache::shared(group, machine.node.size_gbuf))
            .unwrap_or_default();
        search_cached(net, machine, options, progress, &self.cancel, &cache)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::search::network::search;
    use crate::testing::{buffer_bound_options, eyeriss_with_gbuf, small_network, totals};

    /// Schedules of two networks on machines of two capacities, through one
    /// session, equal separate searches; a machine the session was not made
    /// for, or of another cost, is searched alone with the same results.
    #[test]
    fn searches_through_a_session_equal_separate_searches() {
        let a = small_network();
        let (b, _) =
            crate::compile("network b\ninput x [8, 14]\nc = conv(x, 16, kernel: 3)\n").unwrap();
        let options = buffer_bound_options();
        let machines = [eyeriss_with_gbuf(2048), eyeriss_with_gbuf(65536)];
        let shared = SharedSearch::new(&machines);
        assert_eq!(shared.groups.len(), 1);
        let mut dearer = machines[0];
        dearer.cost.noc_hop += 1.0;
        assert!(!SharedSearch::shared_between(&machines[0], &dearer));
        let others = [eyeriss_with_gbuf(8192), dearer];
        for net in [&a, &b] {
            for m in machines.iter().rev().chain(&others) {
                let through = totals(shared.search(net, m, &options, &|_, _| {}));
                let alone = totals(search(net, m, &options, &|_, _| {}));
                assert_eq!(through, alone);
            }
        }
    }
}
