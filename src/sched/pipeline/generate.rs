//! Segment generation (docs/model/pipelining.md#segment-generation): the
//! candidate segments of a network, each checked by the dependency rules,
//! allocated nodes and given its scheduling constraints.

use super::alloc::{Allocation, allocate};
use super::constraint::SegmentConstraints;
use super::dag::Dag;
use super::segment::{Deps, Segment, SegmentContext, deps};

/// A valid segment with everything its search needs: connections, regions
/// and constraints.
#[derive(Clone, Debug)]
pub struct PipelineSegment {
    /// The layers.
    pub segment: Segment,
    /// How they are connected.
    pub deps: Deps,
    /// Their regions.
    pub alloc: Allocation,
    /// Their constraints.
    pub constraints: SegmentConstraints,
}

/// Why a candidate segment is not valid (a candidate rejected, not an
/// error of the user's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SegmentError {
    /// The dependency rules (docs/model/pipelining.md#dependencies).
    Dependencies,
    /// No node allocation balances the groups
    /// (docs/model/pipelining.md#spatial-and-temporal-allocation).
    Allocation,
    /// No choice of fully-buffered data fits the buffers (docs/model/pipelining.md#fbofm_init).
    Constraints,
}

/// Checks a candidate segment (docs/model/pipelining.md#dependencies to
/// docs/model/pipelining.md#scheduling-constraints).
pub(crate) fn check(
    cx: &SegmentContext<'_>,
    seg: Segment,
) -> Result<PipelineSegment, SegmentError> {
    let deps = deps(cx.net, &seg, cx.options.basic).ok_or(SegmentError::Dependencies)?;
    let alloc = allocate(cx, &seg, &deps).ok_or(SegmentError::Allocation)?;
    let constraints =
        SegmentConstraints::new(cx, &seg, &deps, &alloc).ok_or(SegmentError::Constraints)?;
    Ok(PipelineSegment {
        segment: seg,
        deps,
        alloc,
        constraints,
    })
}

/// All valid segments of a network, in the reference's order
/// (docs/model/pipelining.md#segment-generation):
/// every layer alone, in definition order; then for every vertex run the
/// spatial candidate (one group per vertex) and the temporal one (one group
/// of all its layers), spatial first (docs/compat.md#hash_set_ties). Runs
/// holding a matmul or an upsampling are skipped: those are always alone.
pub fn gen_segments(cx: &SegmentContext<'_>, dag: &Dag) -> Vec<PipelineSegment> {
    let runs = if cx.options.enabled() {
        dag.runs()
    } else {
        Vec::new()
    };
    segments_of_runs(cx, dag, runs)
}

/// [`gen_segments`] as nnc's own model generates them: runs stop growing at
/// the vertex limit (`max_degree`) instead of being enumerated whole and
/// dropped, so a long chain costs its length times the limit
/// ([`Dag::runs_of_at_most`], docs/model/network.md#default-options).
pub(crate) fn gen_segments_bounded(cx: &SegmentContext<'_>, dag: &Dag) -> Vec<PipelineSegment> {
    match cx.options.max_degree {
        Some(m) if cx.options.enabled() => {
            let max = usize::try_from(m).unwrap_or(usize::MAX);
            segments_of_runs(cx, dag, dag.runs_of_at_most(max))
        }
        _ => gen_segments(cx, dag),
    }
}

/// Every layer alone, then the candidates of `runs` (see [`gen_segments`]).
fn segments_of_runs(
    cx: &SegmentContext<'_>,
    dag: &Dag,
    runs: Vec<Vec<usize>>,
) -> Vec<PipelineSegment> {
    let mut out = Vec::new();
    for id in cx.net.layer_ids() {
        if let Ok(s) = check(cx, Segment::single(id)) {
            out.push(s);
        }
    }
    if !cx.options.enabled() {
        return out;
    }
    for run in runs {
        if cx.options.max_degree.is_some_and(|m| run.len() as u64 > m) {
            continue;
        }
        if run.len() == 1 && dag.vertices[run[0]].len() == 1 {
            continue;
        }
        // A matmul runs sample by sample and reads its operand from DRAM
        // (docs/model/layers.md#matmul), and an upsampling's consumers read
        // its output reshaped (docs/model/layers.md#upsampling): each is
        // alone in its segment.
        if run
            .iter()
            .flat_map(|&v| &dag.vertices[v])
            .any(|&l| super::onchip::always_alone(&cx.net.layer(l).shape))
        {
            continue;
        }
        let mut candidates: Vec<Segment> = Vec::with_capacity(2);
        if cx.options.spatial {
            candidates.push(Segment {
                groups: run.iter().map(|&v| dag.vertices[v].clone()).collect(),
            });
        }
        if cx.options.temporal {
            let t = Segment {
                groups: vec![run.iter().flat_map(|&v| dag.vertices[v].clone()).collect()],
            };
            if !candidates.contains(&t) {
                candidates.push(t);
            }
        }
        for c in candidates {
            if let Ok(s) = check(cx, c) {
                out.push(s);
            }
        }
    }
    out
}
