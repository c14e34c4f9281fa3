//! The energy lower bound of a layer (docs/model/bound.md): what every
//! schedule of the layer on this hardware spends, whatever its partition,
//! mapping and blocking — every op once, every filter, input and output word
//! between DRAM and the chip at least once, the register-file traffic the
//! model charges every op, the least array traffic any row-stationary mapping
//! has, and the static energy of the least time the PEs and DRAM allow.
//!
//! Each term is a lower bound of the matching term of the layer's energy
//! (`sched::model::energy`), proven in the doc from the model's formulas
//! (docs/model/mapping.md, docs/model/blocking.md); `tests/model/bound.rs`
//! checks it over thousands of generated layers and machines.

use crate::ir::{Dim2, LayerShape};
use crate::sched::Compat;
use crate::sched::machine::{Bandwidth, Cost, Dataflow, Machine};
use crate::sched::model::energy::{
    buffer_energy, op_energy, static_energy, sum_levels, words_energy,
};
use crate::sched::types::{DataKind, MemLevel, PerData, PerLevel};

/// A layer's energy lower bound, by where it goes (the same parts as the
/// schedule's energy breakdown; NoC hops have none: data may sit next to the
/// node that needs it).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct LowerBound {
    /// Ops: every MAC once.
    pub op: f64,
    /// Accesses per memory level.
    pub access: PerLevel<f64>,
    /// Static energy over the least time.
    pub static_: f64,
    /// The least time, in cycles: the ops on every PE of every node, or the
    /// least DRAM traffic at the DRAM bandwidth, whichever is longer.
    pub time: u64,
    /// The sum: `op + access (DRAM first) + static`.
    pub energy: f64,
}

impl LowerBound {
    /// Adds `o` part by part (network totals: layers run one after another).
    pub(crate) fn add(&mut self, o: &LowerBound) {
        self.op += o.op;
        for m in MemLevel::ALL {
            self.access[m] += o.access[m];
        }
        self.static_ += o.static_;
        self.time = self.time.saturating_add(o.time);
        self.energy += o.energy;
    }

    /// The bound of `n` runs of the same work one after another.
    #[allow(clippy::cast_precision_loss)]
    fn repeated(&self, n: u64) -> LowerBound {
        let k = n as f64;
        LowerBound {
            op: self.op * k,
            access: PerLevel::from_fn(|l| self.access[l] * k),
            static_: self.static_ * k,
            time: self.time.saturating_mul(n),
            energy: self.energy * k,
        }
    }
}

/// What the bound depends on besides the layer: the machine, the batch,
/// which data may bypass the global buffer, whether the layer owns the
/// hardware for the whole run (its filters may then stay on chip and never
/// come from DRAM, docs/model/network.md#filter-pinning), and the model.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BoundContext<'a> {
    /// The hardware.
    pub machine: &'a Machine,
    /// Samples per batch.
    pub batch: u64,
    /// Per data kind: may it bypass the global buffer?
    pub bypass: PerData<bool>,
    /// Filters pinned on chip (a network of one layer).
    pub filters_pinned: bool,
    /// Per data kind: may this layer's words of it pass to or from another
    /// layer on chip, never touching DRAM (inter-layer pipelining:
    /// docs/model/bound.md#data-kept-on-chip)? Then the bound
    /// charges them no DRAM access and the layer's time no DRAM time
    /// (`sched::pipeline::onchip` says which may).
    pub on_chip: PerData<bool>,
    /// May the layer run in a segment with other layers? Then its time
    /// bound is its share of the PEs only (its DRAM time may overlap
    /// theirs).
    pub shared_segment: bool,
    /// Which model.
    pub compat: Compat,
}

/// Of `i` rows (or columns) of an input, those some window reads: a window
/// of `k` at each of `o` output positions (`stride` apart); all of them
/// unless the stride is wider than the window.
fn read_extent(o: u64, k: u64, i: u64) -> u64 {
    i.min(k.saturating_mul(o))
}

/// Words of each data kind the layer must move between DRAM and the chip:
/// every filter word, every input word a window reads, every output word.
/// An element-wise layer in the reference's model reads only `nofm` input
/// channels ([`Compat::eltwise_reads_one_input`]).
pub(crate) fn data_words(layer: &LayerShape, batch: u64, compat: Compat) -> PerData<f64> {
    let (o, k, i) = (layer.ofmap(), layer.window(), layer.ifmap());
    let nifm = match layer {
        LayerShape::Local(l) if compat.eltwise_reads_one_input() => l.nofm,
        _ => layer.nifm(),
    };
    let read = Dim2::new(read_extent(o.h, k.h, i.h), read_extent(o.w, k.w, i.w));
    #[allow(clippy::cast_precision_loss)]
    let f = |x: u64| x as f64;
    PerData([
        f(layer.total_filter_size()),
        f(nifm) * f(batch) * f(read.h) * f(read.w),
        f(layer.total_ofmap_size(batch)),
    ])
}

/// Words moved over the PE array interconnect by any row-stationary mapping
/// (docs/model/bound.md#array): every filter word once; every input row a
/// window reads once per filter row of a convolution (once per output row of
/// a local-region layer); every output word once per window row, as partial
/// sums pass up a PE column.
fn array_words(layer: &LayerShape, words: PerData<f64>) -> PerData<f64> {
    let (o, k, i) = (layer.ofmap(), layer.window(), layer.ifmap());
    #[allow(clippy::cast_precision_loss)]
    let f = |x: u64| x as f64;
    let ifm = match layer {
        LayerShape::Conv(_) => words[DataKind::Ifm],
        LayerShape::Local(_) => {
            let per_row = words[DataKind::Ifm] / f(read_extent(o.h, k.h, i.h));
            per_row * f(o.h)
        }
    };
    PerData([words[DataKind::Fil], ifm, words[DataKind::Ofm] * f(k.h)])
}

/// Register-file accesses per op: a convolution reads a weight and an input
/// and reads and writes a partial sum; a local-region layer has no weight
/// (docs/model/mapping.md#unit-pass-quantities).
const fn regf_per_op(layer: &LayerShape) -> f64 {
    match layer {
        LayerShape::Conv(_) => 4.0,
        LayerShape::Local(_) => 3.0,
    }
}

/// The least traffic below the global buffer of any mapping of `layer` by
/// `dataflow` (docs/model/bound.md#array): the words over the array
/// interconnect per data kind, given the words `words` the layer moves
/// between DRAM and the chip, and the register-file accesses of its `ops`.
fn least_traffic(
    dataflow: Dataflow,
    layer: &LayerShape,
    words: PerData<f64>,
    ops: f64,
) -> (PerData<f64>, f64) {
    let w = |d: DataKind| words[d];
    #[allow(clippy::cast_precision_loss)]
    let per_ofm = ops / layer.nofm().max(1) as f64;
    let local = matches!(layer, LayerShape::Local(_));
    // docs/model/dataflows.md#the-least-traffic: the traffic every mapping
    // of the dataflow has, from its passes.
    match dataflow {
        Dataflow::RowStationary => (array_words(layer, words), ops * regf_per_op(layer)),
        Dataflow::NoLocalReuse if local => (PerData([0.0, ops, ops]), 0.0),
        _ if local => (PerData([0.0, ops, w(DataKind::Ofm)]), 3.0 * ops),
        Dataflow::WeightStationary => (PerData([w(DataKind::Fil), per_ofm, ops]), 2.0 * ops),
        Dataflow::NoLocalReuse => (PerData([ops, per_ofm, ops]), 0.0),
        Dataflow::OutputStationaryA | Dataflow::OutputStationaryB | Dataflow::OutputStationaryC => {
            (
                PerData([w(DataKind::Fil), per_ofm, w(DataKind::Ofm)]),
                4.0 * ops,
            )
        }
        // A systolic array: every MAC receives its streamed operands over
        // one hop, a partial sum passed on makes one hop per MAC, and every
        // stationary word or drained output makes at least one
        // (docs/model/dataflows.md#systolic-arrays).
        Dataflow::SystolicWs => (PerData([w(DataKind::Fil), ops, ops]), 2.0 * ops),
        Dataflow::SystolicOs => (PerData([ops, ops, w(DataKind::Ofm)]), 4.0 * ops),
        Dataflow::SystolicIs => (PerData([ops, per_ofm, ops]), 2.0 * ops),
    }
}

/// The energy lower bound of `layer` in context `ctx`.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn layer_bound(layer: &LayerShape, ctx: &BoundContext<'_>) -> LowerBound {
    if let LayerShape::Conv(c) = layer
        && !c.is_plain()
    {
        // The model schedules a grouped or dilated convolution as `groups`
        // runs of one group's dense convolution
        // (docs/model/layers.md#grouped-convolution): each run is bound by
        // that convolution's bound.
        let one = LayerShape::Conv(c.one_group());
        if c.is_matmul() {
            // A matmul: `groups x batch` runs of batch 1, each reading its
            // operand from DRAM (docs/model/layers.md#matmul).
            let single = BoundContext {
                batch: 1,
                filters_pinned: false,
                on_chip: PerData([
                    false,
                    ctx.on_chip[DataKind::Ifm],
                    ctx.on_chip[DataKind::Ofm],
                ]),
                ..*ctx
            };
            return layer_bound(&one, &single).repeated(c.runs().saturating_mul(ctx.batch));
        }
        return layer_bound(&one, ctx).repeated(c.groups);
    }
    let m = ctx.machine;
    let cost: &Cost = &m.cost;
    let ops = layer.total_ops(ctx.batch) as f64;
    let all = data_words(layer, ctx.batch, ctx.compat);
    let (array, regf) = least_traffic(m.node.dataflow, layer, all, ops);
    let mut words = all;
    if ctx.filters_pinned {
        // Filters may be on chip before the run starts.
        words[DataKind::Fil] = 0.0;
    }
    // Words that may stay on chip need no DRAM at all, however many: a
    // segment passes them in fragments, never all on chip at once
    // (docs/model/bound.md#data-kept-on-chip).
    for d in DataKind::ALL {
        if ctx.on_chip[d] {
            words[d] = 0.0;
        }
    }
    let pipelined = ctx.shared_segment || DataKind::ALL.into_iter().any(|d| ctx.on_chip[d]);
    let gbuf = PerData::from_fn(|d| if ctx.bypass[d] { 0.0 } else { all[d] });
    let level_words = PerLevel([
        words.sum_in_order(),
        gbuf.sum_in_order(),
        array.sum_in_order(),
        regf,
    ]);
    let mut access = words_energy(cost, level_words);
    // Per-operand SRAMs price each kind's buffer words at their own SRAM's
    // energy (docs/model/bound.md#per-operand-srams).
    access[MemLevel::Gbuf] = buffer_energy(cost, gbuf);
    // Every PE does at most one op per cycle (docs/model/bound.md#time-and-static-energy).
    let pes = u128::from(m.nodes.size()) * u128::from(m.node.dim_array.size());
    let ops_all = u128::from(layer.total_ops(ctx.batch));
    let compute = if pipelined {
        // Why rounded down and without DRAM time: pipelined layers run at
        // once on parts of the array, their DRAM traffic overlapping other
        // layers' work, so only the sum of their ops over all PEs bounds
        // the network's time; a sum of rounded-up shares could exceed it.
        ops_all / pes.max(1)
    } else {
        ops_all.div_ceil(pes.max(1))
    };
    let compute = u64::try_from(compute).unwrap_or(u64::MAX);
    let dram = match m.node.dram_bandwidth {
        _ if pipelined => 0,
        Bandwidth::Unlimited => 0,
        bw => bw.cycles(level_words[MemLevel::Dram]).unwrap_or(u64::MAX),
    };
    let time = compute.max(dram);
    let op = op_energy(cost, ops);
    let static_ = static_energy(cost, time);
    LowerBound {
        op,
        access,
        static_,
        time,
        energy: op + sum_levels(access) + static_,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{ConvShape, LocalShape};
    use crate::sched::machine::{MemType, NodeResource};

    fn machine(nodes: u64, bw: Bandwidth, idl: f64) -> Machine {
        Machine::new(
            Dim2::square(nodes),
            MemType::ThreeD,
            NodeResource {
                sram: None,
                dim_array: Dim2::new(4, 8),
                size_gbuf: 4096,
                size_regf: 64,
                array_bus_width: None,
                dram_bandwidth: bw,
                no_time_mux: false,
                dataflow: Default::default(),
            },
            Cost {
                mac_op: 1.0,
                mem_hier: PerLevel([200.0, 6.0, 2.0, 1.0]),
                sram: None,
                noc_hop: 10.0,
                idl_unit: idl,
            },
        )
    }

    fn ctx(m: &Machine) -> BoundContext<'_> {
        BoundContext {
            machine: m,
            batch: 2,
            bypass: PerData::splat(true),
            filters_pinned: false,
            on_chip: PerData([false; 3]),
            shared_segment: false,
            compat: Compat::Nnc,
        }
    }

    #[test]
    fn a_convolution_by_hand() {
        // 3 -> 4 channels, 5x5 ofmap, 3x3 filter, stride 1: ifmap 7x7.
        let conv = crate::sched::dataflow::square_conv(3, 4, 5, 3);
        let m = machine(1, Bandwidth::Words(4.0), 0.5);
        let b = layer_bound(&conv, &ctx(&m));
        let ops = 4.0 * 25.0 * 27.0 * 2.0; // 5,400
        let (fil, ifm, ofm) = (108.0, 3.0 * 2.0 * 49.0, 4.0 * 2.0 * 25.0);
        assert_eq!(b.op, ops);
        assert_eq!(b.access[MemLevel::Dram], 200.0 * (fil + ifm + ofm));
        assert_eq!(b.access[MemLevel::Gbuf], 0.0);
        assert_eq!(b.access[MemLevel::Array], 2.0 * (fil + ifm + 3.0 * ofm));
        assert_eq!(b.access[MemLevel::Regf], 4.0 * ops);
        // Compute: 5,400 ops on 32 PEs = 169 cycles; DRAM: 602 words at 4
        // per cycle = 151 cycles.
        assert_eq!(b.time, 169);
        assert_eq!(b.static_, 84.5);
        let access: f64 = b.access.0.iter().sum();
        assert_eq!(b.energy, ops + access + 84.5);
    }

    #[test]
    fn a_grouped_convolution_is_bound_as_its_groups() {
        // Depthwise 4 -> 4 channels, 3x3 filter dilated by 2, 5x5 ofmap.
        let mut c = ConvShape::dense(4, 4, Dim2::square(5), Dim2::square(3), Dim2::square(1));
        c.groups = 4;
        c.dilation = Dim2::square(2);
        let m = machine(1, Bandwidth::Words(4.0), 0.5);
        let b = layer_bound(&LayerShape::Conv(c), &ctx(&m));
        // One group: 1 -> 1 channel, 25 * 9 MACs per sample, batch 2.
        let one = ConvShape::dense(1, 1, Dim2::square(5), Dim2::square(3), Dim2::square(1));
        let g = layer_bound(&LayerShape::Conv(one), &ctx(&m));
        assert_eq!(g.op, 450.0);
        assert_eq!(b.op, 4.0 * 450.0);
        assert_eq!(b.energy, 4.0 * g.energy);
        assert_eq!(b.time, 4 * g.time);
    }

    #[test]
    fn options_and_models_change_the_bound_where_they_should() {
        let m = machine(2, Bandwidth::Unlimited, 0.0);
        // A pooling window narrower than its stride skips input rows.
        let pool = LayerShape::Local(LocalShape::pool(
            2,
            Dim2::square(3),
            Dim2::square(1),
            Dim2::square(2),
        ));
        let w = data_words(&pool, 1, Compat::Nnc);
        assert_eq!(w.0, [0.0, 2.0 * 9.0, 2.0 * 9.0]);
        let b = layer_bound(&pool, &ctx(&m));
        assert_eq!(b.access[MemLevel::Regf], 3.0 * 18.0 * 2.0);
        // 18 ops on 4 nodes of 32 PEs: one cycle; unlimited DRAM: none.
        assert_eq!(b.time, 1);
        // The reference's eltwise reads one input's worth of channels.
        let elt = LayerShape::Local(LocalShape::eltwise(4, Dim2::square(2), 3));
        assert_eq!(data_words(&elt, 1, Compat::Nnc)[DataKind::Ifm], 48.0);
        assert_eq!(data_words(&elt, 1, Compat::NnDataflow)[DataKind::Ifm], 16.0);
        // Forced buffering and pinned filters.
        let fc = LayerShape::Conv(ConvShape::fc(8, 2, Dim2::square(2)));
        let mut c = ctx(&m);
        c.bypass = PerData([false, true, false]);
        c.filters_pinned = true;
        let b = layer_bound(&fc, &c);
        let (fil, ifm, ofm) = (64.0, 2.0 * 32.0, 2.0 * 2.0);
        assert_eq!(b.access[MemLevel::Dram], 200.0 * (ifm + ofm));
        assert_eq!(b.access[MemLevel::Gbuf], 6.0 * (fil + ofm));
    }
}
