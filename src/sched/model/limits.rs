//! The model's limits: bounds on the batch, the layers and the hardware under
//! which every integer the model forms fits its type, checked before a search
//! starts ([`check_search`]) so that the search itself needs no checks.
//!
//! # Why these bounds suffice
//!
//! Write `Q` = [`MAX_QUANTITY`] = 2^44, `B` for the batch, `A` for a PE
//! array side (at most [`MAX_PE_SIDE`] = 2^16) and `N` for the node count
//! (at most [`MAX_NODE_SIDE`]² = 2^10), whose NoC distances are at most
//! `D` = 2 · 31 < 2^6 hops. [`check_search`] requires every count of every
//! layer *for the whole batch* — ops, words of ifmaps, ofmaps and filters —
//! and every network input's words for the whole batch, to be at most `Q`
//! (every layer has at least one output word per sample, so this is also why
//! `B` is at most [`MAX_BATCH`] = `Q`). Then, in the order the model forms
//! them:
//!
//! 1. *Partitions and fmap ranges* (`partition/`): a node's share of a layer
//!    and every range of an fmap are parts of the whole, so at most `Q`.
//! 2. *Mapping* (`mapping.rs`): the logical PE set is (kernel rows, ofmap
//!    rows), each at most `Q`; products with the array (folds, replication,
//!    utilization, array accesses) are at most 4 · `Q` · `A` = 2^62. The unit
//!    pass's buffer sizes are parts of the layer's data (at most `Q`), its
//!    time at most the layer's ops for one sample.
//! 3. *Loop nest and blocking* (`nld.rs`, `blocking/`): the three trip counts
//!    multiply to at most `nifm · nofm · ofmap rows · B`, at most the ops of
//!    the batch, so every blocking factor, loop-body count and fetch count is
//!    at most `Q` (output fetches `2f - 1` at most 2`Q`); the compute time
//!    (unit-pass time × loop bodies) is at most the batch's ops, `Q`. A PE's
//!    register-file words are at most 3`Q`. Global-buffer tiles are not
//!    bounded (overlapping input windows are counted once per fold), so they
//!    are multiplied and summed saturating: a saturated size exceeds every
//!    buffer ([`MAX_HW_SIZE`]), and the capacity test stays exact.
//! 4. *NoC hops* (`partition/hops.rs`): per data kind, each of at most `N`
//!    nodes (or groups of them) receives at most `Q` words over at most `D`
//!    hops, with forwarding once more along a spanning tree: at most
//!    `Q · D · 2N` < 2^61, three kinds < 2^63. Hops times fetches (up to
//!    2^106) are formed in `u128` and converted to `f64` once (`energy.rs`).
//! 5. *Times*: bus and DRAM cycles come from float access counts, which are
//!    not bounded (a blocking may re-fetch `Q` words `Q` times), and convert
//!    to `u64` saturating; a blocking whose time saturates is beyond the
//!    model's range and is dropped (`blocking/scheme.rs`). Network totals add
//!    layer times with checked arithmetic.
//! 6. *Energies* (`f64`): float counts are products of a few of the
//!    integers above (unit accesses, loop products, fetches, nodes: below
//!    2^230 even crudely), energies per unit at most [`MAX_ENERGY`] =
//!    10^30, so layer and network energies (of at most 2^32 layers) stay
//!    below 10^110 and energy-delay products below 10^130, far from
//!    `f64::MAX` (10^308): always finite, never NaN, which is what sorting
//!    them with `total_cmp` needs.
//! 7. *Search time*: divisor loops run to `d <= v / d`, at most 2^22 steps
//!    for `v <= Q`; node arrays have at most 32 rows and columns to factor.
//!
//! Hardware sizes (buffers, bus width) are at most [`MAX_HW_SIZE`] = 2^53,
//! the largest integers the model's float formulas (the analytical solver,
//! bandwidth in words) hold exactly; word widths at most
//! [`MAX_WORD_BITS`](crate::sched::machine::MAX_WORD_BITS). The hardware bounds are
//! defined with the machine (`sched::machine`), and the hardware file checks
//! them too, with a diagnostic at the key (`crate::hw`).

use crate::ir::{DataInput, LayerShape, Network};
use crate::sched::machine::{MAX_ENERGY, MAX_HW_SIZE, MAX_NODE_SIDE, MAX_PE_SIDE, Machine};
use thiserror::Error;

/// The largest count of one layer for the whole batch: ops, or words of its
/// ifmaps, ofmaps or filters (2^44, about 1.8e13). The same bound as a
/// network's per-sample counts (`ir::MAX_QUANTITY`).
pub(crate) const MAX_QUANTITY: u64 = crate::ir::MAX_QUANTITY;

/// The largest batch: every layer has at least one output word per sample,
/// so a larger batch overflows `MAX_QUANTITY` for any network. A network's
/// own limit ([`largest_batch`]) is usually much lower.
pub const MAX_BATCH: u64 = MAX_QUANTITY;

/// The most candidates kept at every stage of the search: the network search
/// ranks `top` extensions of each of `top` partial schedules.
pub const MAX_TOP: usize = 1000;

/// What a count of a layer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountKind {
    /// Ops (MACs).
    Ops,
    /// Words of input fmaps.
    IfmapWords,
    /// Words of output fmaps.
    OfmapWords,
    /// Words of filters.
    FilterWords,
}

impl CountKind {
    /// How it reads in a message.
    pub const fn as_str(self) -> &'static str {
        match self {
            CountKind::Ops => "ops",
            CountKind::IfmapWords => "input words",
            CountKind::OfmapWords => "output words",
            CountKind::FilterWords => "filter words",
        }
    }
}

/// Why a search cannot start: its inputs are beyond the model's limits.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RangeError {
    /// At this batch a layer (or input) counts more than `MAX_QUANTITY`.
    #[error(
        "at batch {batch}, `{name}` would count {count} {} (more than the model's limit of {MAX_QUANTITY}); the largest batch for this network is {largest}",
        kind.as_str()
    )]
    Batch {
        /// The batch asked for.
        batch: u64,
        /// The layer or input with the largest count.
        name: String,
        /// What it counts.
        kind: CountKind,
        /// Its count at `batch`.
        count: u128,
        /// The network's largest batch ([`largest_batch`]).
        largest: u64,
    },
    /// A hardware quantity is out of range.
    #[error("{what} is {value}, outside {range}")]
    Hardware {
        /// Which quantity.
        what: &'static str,
        /// Its value.
        value: String,
        /// The allowed range.
        range: String,
    },
}

/// The counts of one sample of a layer: ops and words of ifmaps, ofmaps and
/// filters (in range for every layer of a [`Network`]).
fn layer_counts(s: &LayerShape) -> [(CountKind, u64); 4] {
    [
        (CountKind::Ops, s.total_ops(1)),
        (CountKind::IfmapWords, s.total_ifmap_size(1)),
        (CountKind::OfmapWords, s.total_ofmap_size(1)),
        (CountKind::FilterWords, s.total_filter_size()),
    ]
}

/// Every per-sample count of a network that the batch multiplies: the
/// layers' and the inputs'. Filter words do not grow with the batch, but a
/// network's filters are bounded by [`MAX_QUANTITY`] already.
fn batched_counts(net: &Network) -> impl Iterator<Item = (&str, CountKind, u64)> + '_ {
    let inputs = std::iter::once(net.input()).chain(net.externs());
    let data = |d: &DataInput| d.channels * d.size.size();
    inputs
        .map(move |d| (d.name.as_str(), CountKind::IfmapWords, data(d)))
        .chain(net.layers().iter().flat_map(|l| {
            layer_counts(&l.shape)
                .into_iter()
                .filter(|(k, _)| *k != CountKind::FilterWords)
                .map(move |(k, c)| (l.name.as_str(), k, c))
        }))
}

/// The largest batch `net` can be scheduled with: `MAX_QUANTITY` divided
/// by its largest per-sample count.
pub fn largest_batch(net: &Network) -> u64 {
    let largest = batched_counts(net).map(|(_, _, c)| c).max().unwrap_or(1);
    MAX_QUANTITY / largest.max(1)
}

/// Checks that `net` at `batch` on `machine` is within the model's limits
/// (see the module doc for why they suffice).
pub(crate) fn check_search(net: &Network, batch: u64, machine: &Machine) -> Result<(), RangeError> {
    check_machine(machine)?;
    let worst = batched_counts(net).max_by_key(|&(_, _, c)| c);
    if let Some((name, kind, per_sample)) = worst {
        let count = u128::from(per_sample) * u128::from(batch);
        if count > u128::from(MAX_QUANTITY) || batch == 0 {
            return Err(RangeError::Batch {
                batch,
                name: name.to_owned(),
                kind,
                count,
                largest: largest_batch(net),
            });
        }
    }
    Ok(())
}

fn side(what: &'static str, value: u64, max: u64) -> Result<(), RangeError> {
    if (1..=max).contains(&value) {
        Ok(())
    } else {
        Err(RangeError::Hardware {
            what,
            value: value.to_string(),
            range: format!("1 to {max}"),
        })
    }
}

/// Checks a machine built through the library (the hardware file checks the
/// same limits, with diagnostics at the key).
pub(crate) fn check_machine(m: &Machine) -> Result<(), RangeError> {
    let nodes = m.nodes;
    side("the node array's rows", nodes.h, MAX_NODE_SIDE)?;
    side("the node array's columns", nodes.w, MAX_NODE_SIDE)?;
    let r = &m.node;
    side("the PE array's rows", r.dim_array.h, MAX_PE_SIDE)?;
    side("the PE array's columns", r.dim_array.w, MAX_PE_SIDE)?;
    // A dataflow whose PEs keep nothing runs without register files.
    if !(r.size_regf == 0 && r.dataflow == crate::sched::machine::Dataflow::NoLocalReuse) {
        side("the register file (words)", r.size_regf, MAX_HW_SIZE)?;
    }
    side("the global buffer (words)", r.size_gbuf, MAX_HW_SIZE)?;
    if let Some(w) = r.array_bus_width {
        side("the array bus width (words)", w, MAX_HW_SIZE)?;
    }
    if let crate::sched::machine::Bandwidth::Words(bw) = r.dram_bandwidth
        && !(bw > 0.0 && bw.is_finite())
    {
        return Err(RangeError::Hardware {
            what: "the DRAM bandwidth (words per cycle)",
            value: bw.to_string(),
            range: "positive, finite numbers".into(),
        });
    }
    let c = &m.cost;
    let energies = [c.mac_op, c.noc_hop, c.idl_unit]
        .into_iter()
        .chain(c.mem_hier.0)
        .chain(c.sram.map_or([0.0; 3], |e| e.0));
    for e in energies {
        if !(0.0..=MAX_ENERGY).contains(&e) {
            return Err(RangeError::Hardware {
                what: "an energy",
                value: e.to_string(),
                range: format!("0 to {MAX_ENERGY:e}"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ConvShape, Dim2, Layer, LayerKind, NetworkBuilder, Span};

    fn one_conv(nifm: u64, nofm: u64, ofmap: u64) -> Network {
        let input = DataInput {
            name: "x".into(),
            channels: nifm,
            size: Dim2::square(ofmap),
            span: Span::Api,
        };
        let mut b = NetworkBuilder::new("n", input).unwrap();
        let shape = LayerShape::Conv(ConvShape::dense(
            nifm,
            nofm,
            Dim2::square(ofmap),
            Dim2::square(1),
            Dim2::square(1),
        ));
        b.add_layer(Layer::api(
            "c",
            LayerKind::Conv,
            shape,
            vec![crate::ir::Source::Input.into()],
        ))
        .unwrap();
        b.finish()
    }

    #[test]
    fn the_largest_batch_is_exactly_in_range() {
        // 4 x 8 x 16 x 16 = 2^13 ops per sample, the largest count.
        let net = one_conv(4, 8, 16);
        let largest = largest_batch(&net);
        assert_eq!(largest, MAX_QUANTITY >> 13);
        let machine = crate::hw::load("eyeriss").unwrap().machine();
        assert!(check_search(&net, largest, &machine).is_ok());
        let Err(RangeError::Batch { name, kind, .. }) = check_search(&net, largest + 1, &machine)
        else {
            panic!("expected a batch error");
        };
        assert_eq!((name.as_str(), kind), ("c", CountKind::Ops));
        assert!(check_search(&net, u64::MAX, &machine).is_err());
    }

    #[test]
    fn machines_out_of_range_are_named() {
        let mut m = crate::hw::load("eyeriss").unwrap().machine();
        m.node.dim_array = Dim2::new(0, 16);
        let e = check_machine(&m).unwrap_err().to_string();
        assert!(
            e.contains("PE array's rows is 0, outside 1 to 65536"),
            "{e}"
        );
        let mut m = crate::hw::load("eyeriss").unwrap().machine();
        m.cost.noc_hop = f64::INFINITY;
        assert!(check_machine(&m).is_err());
    }
}
