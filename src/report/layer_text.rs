//! A layer's choices in short text, shared by `nnc diff` and the HTML
//! report: partition, mapping and blocking as one line each.

use crate::sched::dataflow::MappingSummary;
use crate::sched::partition::ParallelDim;
use crate::sched::types::LoopDim;
use crate::schedule::LayerOut;

/// The partition: its non-trivial levels, top first (`batp 2x1 · ofmp
/// 2x2`); `-` on one node.
pub(crate) fn partition(l: &LayerOut) -> String {
    let f = &l.partition.factors;
    let parts: Vec<String> = l
        .partition
        .order
        .iter()
        .filter_map(|&p| {
            let d = match p {
                ParallelDim::Outp => f.outp,
                ParallelDim::Ofmp => f.ofmp,
                ParallelDim::Batp => f.batp,
                ParallelDim::Inpp => f.inpp,
            };
            (d.size() > 1).then(|| format!("{} {}x{}", p.as_str_lower(), d.h, d.w))
        })
        .collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// The mapping: for row stationary its folds and replications, for the
/// others their dataflow and spatial tile; then utilization and loop nest.
pub(crate) fn mapping(l: &LayerOut) -> String {
    let m = &l.mapping;
    let how = match m.summary {
        MappingSummary::RowStationary { fold, repl, .. } => format!("fold {fold} repl {repl}"),
        MappingSummary::Spatial {
            dataflow,
            tile,
            folds,
            ..
        } => {
            let sliced = if folds > 1 {
                format!(" in {folds} slices")
            } else {
                String::new()
            };
            format!(
                "{dataflow}: {} PEs (ifm {} x window {}{sliced} x ofm {} x pixels {})",
                tile.pes(),
                tile.ifm,
                tile.window,
                tile.ofm,
                tile.pixels
            )
        }
    };
    format!("{how} util {:.1}% nest {}", 100.0 * m.util(), m.loop_nest)
}

fn order(o: &[LoopDim]) -> String {
    o.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(">")
}

/// The blocking: per loop its factors at the DRAM, buffer and register-file
/// levels, the two outer loop orders, then what the global buffer holds.
pub(crate) fn blocking(l: &LayerOut) -> String {
    let b = &l.blocking;
    format!(
        "{}, order {} / {}, gbuf: {}",
        factors(l, " "),
        order(&b.order.dram),
        order(&b.order.gbuf),
        held(l)
    )
}

/// The blocking factors per loop (ifm, ofm, batch) at the DRAM, GBUF and
/// REGF levels: `i 2·3·1 o ...`, the loops apart by `gap`.
pub(crate) fn factors(l: &LayerOut, gap: &str) -> String {
    let f = &l.blocking.factors;
    let loop_ = |name: &str, x: [u64; 3]| format!("{name} {}·{}·{}", x[0], x[1], x[2]);
    [
        loop_("i", [f.dram.ifm, f.gbuf.ifm, f.regf.ifm]),
        loop_("o", [f.dram.ofm, f.gbuf.ofm, f.regf.ofm]),
        loop_("b", [f.dram.bat, f.gbuf.bat, f.regf.bat]),
    ]
    .join(gap)
}

/// The data the global buffer holds (`fil,ifm`), `-` when all bypass it.
pub(crate) fn held(l: &LayerOut) -> String {
    let g = &l.blocking.stored_in_gbuf;
    let held: Vec<&str> = [("fil", g.fil), ("ifm", g.ifm), ("ofm", g.ofm)]
        .into_iter()
        .filter_map(|(n, s)| s.then_some(n))
        .collect();
    if held.is_empty() {
        "-".to_owned()
    } else {
        held.join(",")
    }
}
