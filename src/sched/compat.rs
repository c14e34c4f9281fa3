//! The catalogue of nn_dataflow 2.1's bugs: which model prices a dataflow,
//! and every place where the two models differ, one predicate each.
//!
//! nnc runs its own model by default; `--compat nn_dataflow` runs the
//! reference's, bugs included, bit for bit. Each deviation below is a
//! predicate of [`Compat`] named after its row in `docs/compat.md` (the row's
//! anchor is the predicate's name, e.g. `docs/compat.md#delay_goal_nan`), and
//! the model code asks the predicate instead of comparing [`Compat`] values:
//! nothing outside this file matches on a `Compat`.
//!
//! **Convention**: a predicate returns `true` when the reference's behaviour
//! applies, i.e. in [`Compat::NnDataflow`], and `false` in nnc's model,
//! unless its documentation says otherwise (one row describes a behaviour
//! both models share).
//!
//! # Known limitations
//!
//! `docs/compat.md#known_limitations` lists the reference's behaviours that
//! both models keep, so they need no predicate. Where the code implements
//! one it cites that row:
//!
//! - the array bus time ignores data that bypass the global buffer
//!   (`blocking/scheme.rs`);
//! - the running-minimum filter of replication choices keeps dominated
//!   choices (`mapping.rs`);
//! - naive partitioning has no divisibility test (`partition/enumerate.rs`);
//! - "2D" memory sits at the four corners of the node array
//!   (`partition/region.rs`);
//! - projections of partitions onto memory map parts by index, not by
//!   place (`partition/scheme.rs`);
//! - a pooling or element-wise layer joins the scheduling-DAG vertex of one
//!   producer (`order.rs`);
//! - floating-point sums in the reference's order, its rounding included
//!   (`energy.rs`).

use serde::Serialize;
use std::fmt;

/// Which model prices a dataflow: nnc's corrected model, or nn_dataflow
/// 2.1's bit for bit, known bugs included. One value is threaded through the
/// model; its predicates (this module) are the only place that tells the two
/// apart.
///
/// Serialized as the schedule file's `model` field: `nnc` or
/// `nn_dataflow-2.1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum Compat {
    /// nnc's own model: the reference's bugs fixed.
    #[default]
    #[serde(rename = "nnc")]
    Nnc,
    /// The reference's model, bit for bit (`--compat nn_dataflow`).
    #[serde(rename = "nn_dataflow-2.1")]
    NnDataflow,
}

impl Compat {
    /// The model's name, as in schedule files and reports: `nnc` or
    /// `nn_dataflow-2.1`.
    pub const fn name(self) -> &'static str {
        match self {
            Compat::Nnc => "nnc",
            Compat::NnDataflow => "nn_dataflow-2.1",
        }
    }

    /// Does this model reproduce the reference's behaviour? The one
    /// comparison every predicate below is built on.
    const fn reference(self) -> bool {
        matches!(self, Compat::NnDataflow)
    }

    /// `docs/compat.md#delay_goal_nan`: with the delay goal `d`, the
    /// reference's per-chunk ranking reads a blocking's time before computing
    /// it (a NaN), so each chunk of the blocking search keeps its first
    /// candidates, valid or not, and only the selection across chunks ranks
    /// by (time, energy). nnc ranks every blocking by (time, energy).
    ///
    /// Asked by the exhaustive blocking search and by the explanation of a
    /// layer without schedule. Test: `tests/model/compat.rs`,
    /// `delay_goal_ranks_by_time_in_nnc`.
    pub const fn delay_goal_nan(self) -> bool {
        self.reference()
    }

    /// `docs/compat.md#half_array_assert`: the reference refuses (with an
    /// assertion that aborts its search) any row-stationary mapping that
    /// keeps at most half of the PE array busy; the compatible model reports
    /// such a layer as unschedulable. nnc schedules it and reports its
    /// utilization.
    ///
    /// Asked by the mapping. Test: `tests/model/compat.rs`,
    /// `low_utilization_is_scheduled_in_nnc`.
    pub const fn half_array_assert(self) -> bool {
        self.reference()
    }

    /// `docs/compat.md#eltwise_reads_one_input`: the reference's per-node
    /// sub-layer of an element-wise layer of `n` inputs loses its channel
    /// stride, so it reads only `nofm` input channels (one input) while
    /// counting the ops of all `n`. nnc reads all `n` inputs. Also why the
    /// compatible mapping cannot take a multi-input element-wise layer
    /// directly.
    ///
    /// Asked by the partition's sub-layer and by the mapping. Tests:
    /// `tests/model/compat.rs`, `eltwise_reads_every_input_in_nnc`;
    /// `tests/partition/compat.rs`, `sublayers_differ_only_for_eltwise`.
    pub const fn eltwise_reads_one_input(self) -> bool {
        self.reference()
    }

    /// `docs/compat.md#pool_eltwise_hop_window`: the NoC hops of pooling and
    /// element-wise layers charge an LRN-style channel window
    /// `[n0 - nreg/2, n1 + nreg - nreg/2)` around each node's output
    /// channels: pooling reads one extra channel, an element-wise layer a
    /// window of the concatenated inputs. nnc charges the channels actually
    /// read (and keeps the window for LRN-like layers, where it is right).
    ///
    /// Asked by the per-node data ranges of the hop model. Tests:
    /// `tests/partition/compat.rs`,
    /// `pooling_with_channel_split_reads_fewer_channels_in_nnc` and
    /// `eltwise_with_channel_split_reads_the_matching_channels`.
    pub const fn pool_eltwise_hop_window(self) -> bool {
        self.reference()
    }

    /// `docs/compat.md#solver_small_regf_crash`: the reference's analytical
    /// solver raises an exception (aborting the search) when the register
    /// file cannot hold one unit of each data kind. Neither model reproduces
    /// the crash: both give no solver candidate for that loop nest, so this
    /// is `false` in both, and the solver has no branch on it.
    ///
    /// Test: `tests/model/compat.rs`,
    /// `solver_without_room_for_one_unit_gives_no_candidate_in_both`.
    pub const fn solver_small_regf_crash(self) -> bool {
        false
    }

    /// `docs/compat.md#rank_by_access_energy`: the reference ranks loop
    /// blockings by their access energy alone, without op, NoC and static
    /// energy, so its per-node results do not depend on the NoC hops. nnc
    /// ranks by the layer's whole energy.
    ///
    /// Asked by the blocking ranking and by the layer search (which then
    /// searches per-node blockings before knowing the hops). Test:
    /// `tests/model/compat.rs`,
    /// `ranking_by_full_cost_finds_cheaper_layers_with_static_energy`.
    pub const fn rank_by_access_energy(self) -> bool {
        self.reference()
    }

    /// `docs/compat.md#inexact_hop_memo`: the reference's memo of NoC hops
    /// keys a grouping of nodes by its set of data ranges and its set of node
    /// lists, not by their pairing, so a partition can be charged an earlier
    /// partition's hops and results depend on the order partitions are
    /// tried. nnc keys the memo exactly (it only saves work).
    ///
    /// Asked by the hop memo and by the layer search (which then evaluates
    /// hops in the reference's order). Tests: `tests/partition/compat.rs`,
    /// `hop_memo_aliases_orders_in_the_reference_only`;
    /// `tests/partition/memo_sequences.rs`, `reference_memo_sequences`;
    /// `tests/search/reference_runs.rs`,
    /// `the_hop_memo_aliasing_of_the_reference_is_reproduced`.
    pub const fn inexact_hop_memo(self) -> bool {
        self.reference()
    }

    /// `docs/compat.md#hash_set_ties`: ties between equally good segment or
    /// sharing candidates of inter-layer pipelining follow Python's hash-set
    /// order in the reference; nnc breaks them in a fixed, documented order.
    ///
    /// For inter-layer pipelining (`sched/pipeline/`), which asks it.
    pub const fn hash_set_ties(self) -> bool {
        self.reference()
    }

    /// `docs/compat.md#solver_refuses_save_writeback`: the reference
    /// refuses its analytical solver together with save-writeback (its
    /// solver's formulas do not know data kept on chip between layers). nnc
    /// runs the solver on every layer of a temporal segment too: a
    /// blocking it proposes is priced and checked like any other, and one
    /// that would re-read on-chip data or break the segment's constraint is
    /// dropped.
    ///
    /// Asked by `OptionsBuilder::build`. Test: `sched::options`,
    /// `pipelining_combinations_are_checked`.
    pub const fn solver_refuses_save_writeback(self) -> bool {
        self.reference()
    }

    /// `docs/compat.md#hybrid_drops_naive_split`: hybrid partitioning's
    /// approximate-divisibility test removes the ofmap split that naive
    /// partitioning uses, so in the reference hybrid can miss a scheme naive
    /// finds. nnc's model adds naive's schemes to hybrid's list.
    ///
    /// Asked by `partition::partition_candidates`. Tests:
    /// `partition/enumerate.rs`, `hybrid_adds_naive_schemes_in_nncs_model_only`;
    /// `tests/search/hybrid.rs`, `hybrid_is_never_above_naive_on_the_shipped_networks`.
    pub const fn hybrid_drops_naive_split(self) -> bool {
        self.reference()
    }
}

impl fmt::Display for Compat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_deviation_follows_the_convention() {
        let deviations = [
            Compat::delay_goal_nan,
            Compat::half_array_assert,
            Compat::eltwise_reads_one_input,
            Compat::pool_eltwise_hop_window,
            Compat::rank_by_access_energy,
            Compat::inexact_hop_memo,
            Compat::hash_set_ties,
            Compat::hybrid_drops_naive_split,
            Compat::solver_refuses_save_writeback,
        ];
        for d in deviations {
            assert!(d(Compat::NnDataflow));
            assert!(!d(Compat::Nnc));
        }
        // The row both models share.
        for c in [Compat::Nnc, Compat::NnDataflow] {
            assert!(!c.solver_small_regf_crash());
        }
        assert_eq!(Compat::default(), Compat::Nnc);
    }

    #[test]
    fn serializes_as_the_model_name() {
        for c in [Compat::Nnc, Compat::NnDataflow] {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{c}\""));
        }
        assert_eq!(Compat::NnDataflow.to_string(), "nn_dataflow-2.1");
    }
}
