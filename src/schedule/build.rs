//! Building a schedule file from a search's result: the chosen layer
//! results turned into the file's types, with the totals.

use super::types::*;
use crate::hw::Hardware;
use crate::ir::{LayerId, LayerShape, Network};
use crate::sched::machine::{Bandwidth, Cost, Machine};
use crate::sched::model::bound::{BoundContext, LowerBound, layer_bound};
use crate::sched::model::energy::{LayerCost, level_energy};
use crate::sched::options::Options;
use crate::sched::partition::{NodeRegion, ParallelDim};
use crate::sched::pipeline::dag::Dag;
use crate::sched::pipeline::onchip::may_stay_on_chip;
use crate::sched::search::layer::LayerResult;
use crate::sched::search::network::NetworkSchedule;
use crate::sched::search::node::NodeCandidate;
use crate::sched::search::order::vertex_order;
use crate::sched::types::{DataKind, LoopDim, MemLevel, PerData, PerLevel, PerLoop};

impl EnergyOut {
    /// A layer's energy, its access energy split by level with the
    /// formula of `sched::model::energy`.
    fn of(cost: &LayerCost, access: &PerLevel<PerData<f64>>, c: &Cost) -> Self {
        let level = level_energy(c, access);
        EnergyOut {
            op: cost.op,
            dram: level[MemLevel::Dram],
            gbuf: level[MemLevel::Gbuf],
            array: level[MemLevel::Array],
            regf: level[MemLevel::Regf],
            noc: cost.noc,
            static_: cost.static_,
        }
    }

    fn add(&mut self, o: &EnergyOut) {
        self.op += o.op;
        self.dram += o.dram;
        self.gbuf += o.gbuf;
        self.array += o.array;
        self.regf += o.regf;
        self.noc += o.noc;
        self.static_ += o.static_;
    }
}

impl LowerBoundOut {
    fn of(b: &LowerBound) -> Self {
        LowerBoundOut {
            energy: b.energy,
            energy_breakdown: EnergyOut {
                op: b.op,
                dram: b.access[MemLevel::Dram],
                gbuf: b.access[MemLevel::Gbuf],
                array: b.access[MemLevel::Array],
                regf: b.access[MemLevel::Regf],
                noc: 0.0,
                static_: b.static_,
            },
            time: b.time,
        }
    }
}

impl<T: Copy> LevelsOut<T> {
    fn of(p: PerLevel<T>) -> Self {
        LevelsOut {
            dram: p[MemLevel::Dram],
            gbuf: p[MemLevel::Gbuf],
            array: p[MemLevel::Array],
            regf: p[MemLevel::Regf],
        }
    }
}

impl<T: Copy> KindsOut<T> {
    fn of(p: PerData<T>) -> Self {
        KindsOut {
            fil: p[DataKind::Fil],
            ifm: p[DataKind::Ifm],
            ofm: p[DataKind::Ofm],
        }
    }
}

impl<T: Copy> LoopsOut<T> {
    fn of(p: PerLoop<T>) -> Self {
        LoopsOut {
            ifm: p[LoopDim::Ifm],
            ofm: p[LoopDim::Ofm],
            bat: p[LoopDim::Bat],
        }
    }
}

pub(crate) fn shape_out(s: &LayerShape) -> ShapeOut {
    ShapeOut {
        nifm: s.nifm(),
        nofm: s.nofm(),
        ifmap: s.ifmap(),
        ofmap: s.ofmap(),
        kernel: s.window(),
        stride: s.stride(),
        nreg: match s {
            LayerShape::Local(l) if l.ntrd > 1 => Some(l.nreg),
            _ => None,
        },
        groups: match s {
            LayerShape::Conv(c) if c.groups > 1 => Some(c.groups),
            _ => None,
        },
    }
}

fn order_out(o: PerLoop<u8>) -> Vec<LoopDim> {
    let mut loops = LoopDim::ALL.to_vec();
    loops.sort_by_key(|&l| std::cmp::Reverse(o[l]));
    loops
}

/// A layer's accesses, other nodes' buffers read instead of DRAM counted
/// at the buffer level (docs/model/buffer-sharing.md#non-dram-data-regions).
fn accesses_of(r: &LayerResult) -> PerLevel<PerData<f64>> {
    let s = &r.candidate.stats;
    let mut a = s.access;
    for d in DataKind::ALL {
        a[MemLevel::Gbuf][d] += s.remote_gbuf[d];
    }
    a
}

fn region_out(r: &NodeRegion) -> RegionOut {
    RegionOut {
        origin: [r.origin().h, r.origin().w],
        dim: r.dim(),
        wtot: r.wtot(),
        wbeg: r.wbeg(),
    }
}

/// The share of `pes` PEs busy over `time` cycles doing `ops` MACs (0 for no
/// time).
fn utilization(ops: f64, time: u64, pes: u64) -> f64 {
    if time == 0 || pes == 0 {
        0.0
    } else {
        ops / (time as f64 * pes as f64)
    }
}

fn layer_out(
    net: &Network,
    id: LayerId,
    schedule: &NetworkSchedule,
    cost: &Cost,
    bound: &LowerBound,
    pes: u64,
) -> LayerOut {
    let layer = net.layer(id);
    let r = &schedule.layers[id.index()];
    let p = schedule.places[id.index()];
    let place = schedule.segments.get(p.segment).and_then(|seg| {
        Some(PlaceOut {
            segment: p.segment,
            group: p.sp,
            position: p.tm,
            region: region_out(seg.regions.get(p.sp)?),
        })
    });
    let c = &r.candidate;
    let s = &c.stats;
    let access = accesses_of(r);
    LayerOut {
        name: layer.name.clone(),
        kind: layer.kind,
        inputs: layer.inputs.iter().map(|&src| net.view_name(src)).collect(),
        shape: shape_out(&layer.shape),
        ops: s.ops,
        partition: partition_out(r),
        mapping: MappingOut {
            summary: c.mapping,
            loop_nest: c.nld_index,
            loop_counts: LoopsOut::of(c.nld.loopcnt),
        },
        blocking: blocking_out(c),
        accesses: LevelsOut::of(access.map(KindsOut::of)),
        noc_hops: KindsOut::of(r.total_nhops),
        energy: r.cost.total,
        energy_breakdown: EnergyOut::of(&r.cost, &access, cost),
        time: TimeOut {
            total: r.time,
            proc: s.proc_time,
            bus: s.bus_time,
            dram: s.dram_time,
        },
        active_pes: if s.proc_time == 0 {
            0.0
        } else {
            s.ops / s.proc_time as f64 / r.part.size() as f64
        },
        utilization: utilization(s.ops, r.time, pes),
        lower_bound: LowerBoundOut::of(bound),
        place,
    }
}

/// How a layer is split over its nodes: the partition's order and
/// factors, and the part of the layer each node computes.
fn partition_out(r: &LayerResult) -> PartitionOut {
    let pd = |p: ParallelDim| r.part.pdim(p);
    let pl = &r.part_layer.layer;
    PartitionOut {
        order: r.part.order().to_vec(),
        factors: PartFactors {
            outp: pd(ParallelDim::Outp),
            ofmp: pd(ParallelDim::Ofmp),
            batp: pd(ParallelDim::Batp),
            inpp: pd(ParallelDim::Inpp),
        },
        nodes: r.part.size(),
        per_node: PerNodeOut {
            nifm: pl.nifm(),
            nofm: pl.nofm(),
            ofmap: pl.ofmap(),
            batch: r.part_layer.batch,
            occupancy: r.part_layer.occupancy,
        },
    }
}

/// A node's loop blocking: factors and orders per level, what each level
/// stores, fetches and buffers, and the sharing between nodes.
fn blocking_out(c: &NodeCandidate) -> BlockingOut {
    let s = &c.stats;
    let f = &c.blocking.factors;
    BlockingOut {
        factors: BlockingLevels {
            dram: LoopsOut::of(f[0]),
            gbuf: LoopsOut::of(f[1]),
            regf: LoopsOut::of(f[2]),
        },
        order: BlockingOrders {
            dram: order_out(c.blocking.orders[0]),
            gbuf: order_out(c.blocking.orders[1]),
        },
        stored_in_gbuf: KindsOut::of(s.stored),
        bypass: DataKind::ALL
            .into_iter()
            .filter(|&d| !s.stored[d])
            .collect(),
        fetch: BlockingFetch {
            gbuf: KindsOut::of(s.fetch[0]),
            regf: KindsOut::of(s.fetch[1]),
        },
        buffered: BlockingFetch {
            gbuf: KindsOut::of(s.size[0]),
            regf: KindsOut::of(s.size[1]),
        },
        sharing: s.sharing.map(|sh| SharingOut {
            subgroup: KindsOut::of(sh.subgroup),
            rotation_rounds: KindsOut::of(sh.rot_rounds),
            rotation_units: KindsOut::of(sh.rot_units),
            wide_fetch_width: KindsOut::of(sh.wide_width),
            noc_hops: KindsOut::of(sh.node_nhops),
        }),
    }
}

/// Each layer's energy lower bound on this hardware, whatever options a
/// search was given (docs/model/bound.md#one-bound-for-every-schedule): any
/// data kind may bypass the global buffer, and a layer may read another
/// layer's output, or leave its output for another layer, on chip (as
/// `--save-writeback` and `--interlayer` allow). Only the batch and the
/// model (`--compat`) change it, so no run on the hardware beats the bound
/// another run printed.
fn network_bounds(net: &Network, machine: &Machine, options: &Options) -> Vec<LowerBound> {
    let ctx = BoundContext {
        machine,
        batch: options.batch,
        bypass: PerData::splat(true),
        // A network of one layer owns the hardware; pipelining may keep a
        // whole network's filters on chip too
        // (docs/model/bound.md#filters-kept-on-chip).
        filters_pinned: crate::sched::search::network::filters_may_stay_pinned(net, machine.nodes),
        on_chip: PerData([false; 3]),
        shared_segment: false,
        compat: options.compat,
    };
    // What some segment may keep on chip, under any options
    // (docs/model/bound.md#data-kept-on-chip).
    let dag = Dag::new(net, vertex_order(net));
    let on_chip = may_stay_on_chip(net, &dag, machine.nodes.size(), machine.node.size_gbuf);
    net.layer_ids()
        .map(|id| {
            let o = on_chip[id.index()];
            let ctx = BoundContext {
                on_chip: o.data,
                shared_segment: o.shared_segment,
                ..ctx
            };
            layer_bound(&net.layer(id).shape, &ctx)
        })
        .collect()
}

/// Builds the schedule file of a search's best schedule.
pub fn build(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    schedule: &NetworkSchedule,
) -> ScheduleFile {
    let cost = hw.cost();
    let machine = hw.machine();
    let bounds = network_bounds(net, &machine, options);
    // Every PE of every node: what utilization is a share of.
    let pes = hw.nodes.size() * hw.pe_array.size();
    let layers: Vec<LayerOut> = net
        .layer_ids()
        .map(|id| {
            let i = id.index();
            layer_out(net, id, schedule, &cost, &bounds[i], pes)
        })
        .collect();
    let mut total_bound = LowerBound::default();
    for (id, _) in schedule.in_order() {
        total_bound.add(&bounds[id.index()]);
    }
    let t = schedule.totals();
    let mut breakdown = EnergyOut::default();
    for (_, r) in schedule.in_order() {
        breakdown.add(&EnergyOut::of(&r.cost, &accesses_of(r), &cost));
    }
    // Static energy over the pipelined time
    // (docs/model/pipelining.md#static-energy-rescaling).
    breakdown.static_ = t.breakdown.static_;
    let names = |g: &[LayerId]| g.iter().map(|&l| net.layer(l).name.clone()).collect();
    let segments = schedule
        .segments
        .iter()
        .map(|seg| SegmentOut {
            groups: seg.groups.iter().map(|g| names(g)).collect(),
            regions: seg.regions.iter().map(region_out).collect(),
            time: seg.timing.time(),
            dram_time: seg.timing.dram_time(),
            critical_time: seg.timing.critical_time(),
        })
        .collect();
    ScheduleFile {
        format: Format,
        model: options.compat,
        nnc_version: env!("CARGO_PKG_VERSION").to_owned(),
        inputs: InputsOut {
            network_sha256: None,
            hardware_sha256: hw.text_sha256.clone(),
        },
        network: net.name().to_owned(),
        batch: options.batch,
        hardware: hardware_out(hw),
        options: options_out(options),
        totals: TotalsOut {
            energy: t.cost,
            energy_unit: hw.energy_unit.clone(),
            energy_breakdown: breakdown,
            time: t.time,
            seconds: hw.seconds(t.time),
            average_power_w: hw.average_power_w(t.cost, t.time),
            ops: t.ops,
            utilization: utilization(t.ops, t.time, pes),
            accesses: LevelsOut::of(t.accesses),
            noc_hops: t.noc_hops,
            lower_bound: LowerBoundOut::of(&total_bound),
        },
        schedule_order: schedule
            .order
            .iter()
            .map(|&id| net.layer(id).name.clone())
            .collect(),
        segments,
        layers,
        hints: Vec::new(),
    }
}

/// The hardware as the file records it, with the word sizes the model used.
fn hardware_out(hw: &Hardware) -> HardwareOut {
    let node = hw.node_resource();
    HardwareOut {
        file: hw.clone(),
        regf_words: node.size_regf,
        gbuf_words: node.size_gbuf,
        bus_width_words: node.array_bus_width,
        dram_bandwidth_words_per_cycle: match node.dram_bandwidth {
            Bandwidth::Unlimited => None,
            Bandwidth::Words(w) => Some(w),
        },
    }
}

/// The search options as the file records them.
fn options_out(options: &Options) -> OptionsOut {
    let pipe = options.pipeline;
    let b = &options.blocking;
    OptionsOut {
        solver: b.solver,
        partition: options.partitioning.kind(),
        batch_partition: options.partitioning.splits_batch(),
        ifmap_partition: options.partitioning.splits_ifmaps(),
        access_forwarding: options.access_forwarding(),
        gbuf_sharing: options.gbuf_sharing(),
        no_bypass: DataKind::ALL
            .into_iter()
            .filter(|&d| !b.bypass[d])
            .collect(),
        goal: b.goal,
        top: b.ntops,
        interlayer: pipe.spatial,
        save_writeback: pipe.temporal,
        basic_interlayer: pipe.basic,
        // `inf` is no limit (and JSON has no infinity).
        pipeline_time_overhead: pipe
            .time_overhead
            .map(|o| o.get())
            .filter(|x| x.is_finite()),
        pipeline_max_degree: pipe.max_degree,
    }
}
