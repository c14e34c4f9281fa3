//! The schedule file (`nnc-schedule/1`): what the search chose for every
//! layer and what it costs, as JSON a user can read, diff and snapshot.
//!
//! The file is deterministic: the same network, hardware and options give
//! the same bytes whatever the thread count (no timings, no hash orders).
//! Energies are in the hardware file's unit, times in cycles, accesses and
//! hops in words.

use crate::hw::Hardware;
use crate::ir::{Dim2, LayerShape, Network};
use crate::sched::Compat;
use crate::sched::layer::{LayerCost, LayerResult};
use crate::sched::network::NetworkSchedule;
use crate::sched::options::Options;
use crate::sched::partition::ParallelDim;
use crate::sched::partition::PartitionKind;
use crate::sched::resource::{Cost, Solver};
use crate::sched::types::{DataKind, LoopDim, MemLevel, PerData, PerLevel, PerLoop};
use serde::Serialize;

/// The format tag of this version of the file.
pub const FORMAT: &str = "nnc-schedule/1";

/// A whole schedule file.
#[derive(Clone, Debug, Serialize)]
pub struct ScheduleFile {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Which model made it: `nnc` or `nn_dataflow-2.1` (`--compat`).
    pub model: Compat,
    /// The network's name.
    pub network: String,
    /// Samples per batch.
    pub batch: u64,
    /// The hardware as resolved (file or preset), with the word sizes the
    /// model uses.
    pub hardware: HardwareOut,
    /// The search options.
    pub options: OptionsOut,
    /// Sums over all layers.
    pub totals: TotalsOut,
    /// Layer names in the order the search scheduled them.
    pub schedule_order: Vec<String>,
    /// Every layer, in network (definition) order.
    pub layers: Vec<LayerOut>,
}

/// The hardware, resolved.
#[derive(Clone, Debug, Serialize)]
pub struct HardwareOut {
    /// As written in the hardware file.
    #[serde(flatten)]
    pub file: Hardware,
    /// Register file per PE, in words.
    pub regf_words: u64,
    /// Global buffer per node, in words.
    pub gbuf_words: u64,
    /// Array bus width in words per cycle, `null` when unlimited.
    pub bus_width_words: Option<u64>,
    /// DRAM bandwidth in words per cycle, `null` when unlimited.
    pub dram_bandwidth_words_per_cycle: Option<f64>,
}

/// The search options.
#[derive(Clone, Debug, Serialize)]
pub struct OptionsOut {
    /// `exhaustive` or `analytic`.
    pub solver: Solver,
    /// `naive` or `hybrid`.
    pub partition: PartitionKind,
    /// Batch partitioning allowed.
    pub batch_partition: bool,
    /// Input-channel partitioning allowed.
    pub ifmap_partition: bool,
    /// Access forwarding between nodes.
    pub access_forwarding: bool,
    /// Data kinds that must be kept in the global buffer (`fil`, `ifm`, `ofm`).
    pub no_bypass: Vec<DataKind>,
    /// `e`, `d` or `ed`.
    pub goal: &'static str,
    /// How many candidates were kept at every stage.
    pub top: usize,
}

/// Energy by where it goes.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct EnergyOut {
    /// Ops (MACs).
    pub op: f64,
    /// DRAM accesses.
    pub dram: f64,
    /// Global-buffer accesses.
    pub gbuf: f64,
    /// PE array interconnect.
    pub array: f64,
    /// Register-file accesses.
    pub regf: f64,
    /// NoC hops.
    pub noc: f64,
    /// Static energy.
    #[serde(rename = "static")]
    pub static_: f64,
}

impl EnergyOut {
    fn of(cost: &LayerCost, access: &PerLevel<PerData<f64>>, c: &Cost) -> Self {
        let level = |m: MemLevel| c.mem_hier[m] * access[m].0.iter().fold(0.0, |a, x| a + x);
        EnergyOut {
            op: cost.op,
            dram: level(MemLevel::Dram),
            gbuf: level(MemLevel::Gbuf),
            array: level(MemLevel::Array),
            regf: level(MemLevel::Regf),
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

/// Word accesses per memory level.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LevelsOut<T> {
    /// DRAM.
    pub dram: T,
    /// Global buffer.
    pub gbuf: T,
    /// PE array interconnect.
    pub array: T,
    /// Register files.
    pub regf: T,
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

/// A value per data kind.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct KindsOut<T> {
    /// Filters.
    pub fil: T,
    /// Input fmaps.
    pub ifm: T,
    /// Output fmaps.
    pub ofm: T,
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

/// A value per loop.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LoopsOut<T> {
    /// Input channels.
    pub ifm: T,
    /// Output channels.
    pub ofm: T,
    /// Batch.
    pub bat: T,
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

/// Sums over all layers.
#[derive(Clone, Debug, Serialize)]
pub struct TotalsOut {
    /// Total energy (with `--compat nn_dataflow`, the reference's
    /// `total_cost`).
    pub energy: f64,
    /// Energy by where it goes.
    pub energy_breakdown: EnergyOut,
    /// Cycles (layers run one after another).
    pub time: u64,
    /// Ops (MACs).
    pub ops: f64,
    /// Word accesses per memory level.
    pub accesses: LevelsOut<f64>,
    /// NoC word-hops.
    pub noc_hops: f64,
}

/// A layer's shape.
#[derive(Clone, Debug, Serialize)]
pub struct ShapeOut {
    /// Input channels.
    pub nifm: u64,
    /// Output channels.
    pub nofm: u64,
    /// Derived input fmap size.
    pub ifmap: Dim2,
    /// Output fmap size.
    pub ofmap: Dim2,
    /// Filter or pooling window.
    pub kernel: Dim2,
    /// Stride.
    pub stride: Dim2,
    /// Inputs merged per output point (element-wise layers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nreg: Option<u64>,
}

/// How a layer is split over the nodes.
#[derive(Clone, Debug, Serialize)]
pub struct PartitionOut {
    /// Partition levels from the top (coarsest) to the bottom (adjacent
    /// nodes): `outp` output channels, `ofmp` ofmap tiles, `batp` batch,
    /// `inpp` input channels.
    pub order: Vec<&'static str>,
    /// Parts per dimension along the node rows and columns.
    pub factors: PartFactors,
    /// Nodes the layer runs on.
    pub nodes: u64,
    /// Each node's share: (output channels, ofmap, batch) and the fraction
    /// of its work that is useful when the split is uneven.
    pub per_node: PerNodeOut,
}

/// Parts per partition dimension, `[rows, columns]`.
#[derive(Clone, Debug, Serialize)]
pub struct PartFactors {
    /// Output channels.
    pub outp: Dim2,
    /// Ofmap tiles.
    pub ofmp: Dim2,
    /// Batch.
    pub batp: Dim2,
    /// Input channels.
    pub inpp: Dim2,
}

/// One node's share of a layer.
#[derive(Clone, Debug, Serialize)]
pub struct PerNodeOut {
    /// Input channels.
    pub nifm: u64,
    /// Output channels.
    pub nofm: u64,
    /// Ofmap size.
    pub ofmap: Dim2,
    /// Samples.
    pub batch: u64,
    /// Useful fraction of the node's work.
    pub occupancy: f64,
}

/// The row-stationary mapping onto one node's PE array.
#[derive(Clone, Debug, Serialize)]
pub struct MappingOut {
    /// Folds of the logical PE set (rows, columns).
    pub fold: Dim2,
    /// Replications of the folded set (rows, columns).
    pub repl: Dim2,
    /// Fraction of the PE array doing useful work.
    pub util: f64,
    /// Which of the mapping's loop nests (replication choices) was used.
    pub loop_nest: usize,
    /// Trip counts of that nest's loops.
    pub loop_counts: LoopsOut<u64>,
}

/// The loop blocking of one node's loop nest.
#[derive(Clone, Debug, Serialize)]
pub struct BlockingOut {
    /// Factors per loop at each level: `dram` iterates over global-buffer
    /// tiles, `gbuf` over register-file tiles inside one, `regf` is the work
    /// held in the register files.
    pub factors: BlockingLevels<LoopsOut<u64>>,
    /// Loop order of the two outer levels, outermost first.
    pub order: BlockingOrders,
    /// Data kept in the global buffer.
    pub stored_in_gbuf: KindsOut<bool>,
    /// Data that bypass the global buffer, streamed between DRAM and the PE
    /// array (TETRIS's bypass).
    pub bypass: Vec<DataKind>,
    /// Times each distinct word enters the global buffer from DRAM (`gbuf`)
    /// and the register files from above (`regf`); output counts include
    /// read-backs of partial sums.
    pub fetch: BlockingFetch,
    /// Words buffered per node (`gbuf`) and per PE (`regf`).
    pub buffered: BlockingFetch,
}

/// A value per blocking level.
#[derive(Clone, Debug, Serialize)]
pub struct BlockingLevels<T> {
    /// DRAM to global buffer.
    pub dram: T,
    /// Global buffer to register files.
    pub gbuf: T,
    /// Inside the register files.
    pub regf: T,
}

/// Loop orders of the two outer blocking levels.
#[derive(Clone, Debug, Serialize)]
pub struct BlockingOrders {
    /// DRAM level, outermost first.
    pub dram: Vec<LoopDim>,
    /// Global-buffer level, outermost first.
    pub gbuf: Vec<LoopDim>,
}

/// A per-data-kind value at the global-buffer and register-file levels.
#[derive(Clone, Debug, Serialize)]
pub struct BlockingFetch {
    /// Global-buffer level.
    pub gbuf: KindsOut<u64>,
    /// Register-file level.
    pub regf: KindsOut<u64>,
}

/// Cycles of a layer.
#[derive(Clone, Debug, Serialize)]
pub struct TimeOut {
    /// The layer's time: the largest of the three below.
    pub total: u64,
    /// The PE arrays computing.
    pub proc: u64,
    /// The array buses moving global-buffer data.
    pub bus: u64,
    /// DRAM moving its data.
    pub dram: u64,
}

/// One scheduled layer.
#[derive(Clone, Debug, Serialize)]
pub struct LayerOut {
    /// Name.
    pub name: String,
    /// `conv`, `fc`, `pool` or `eltwise`.
    pub kind: crate::ir::LayerKind,
    /// Producers, in concatenation order.
    pub inputs: Vec<String>,
    /// Shape.
    pub shape: ShapeOut,
    /// Ops (MACs) of the batch.
    pub ops: f64,
    /// Partition over the nodes.
    pub partition: PartitionOut,
    /// Mapping onto the PE array.
    pub mapping: MappingOut,
    /// Loop blocking.
    pub blocking: BlockingOut,
    /// Word accesses per level and data kind, over all nodes.
    pub accesses: LevelsOut<KindsOut<f64>>,
    /// NoC word-hops per data kind.
    pub noc_hops: KindsOut<f64>,
    /// Energy.
    pub energy: f64,
    /// Energy by where it goes.
    pub energy_breakdown: EnergyOut,
    /// Cycles.
    pub time: TimeOut,
    /// Average PEs busy per node while computing: ops / compute cycles /
    /// nodes.
    pub active_pes: f64,
}

fn shape_out(s: &LayerShape) -> ShapeOut {
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
    }
}

fn order_out(o: PerLoop<u8>) -> Vec<LoopDim> {
    let mut loops = LoopDim::ALL.to_vec();
    loops.sort_by_key(|&l| std::cmp::Reverse(o[l]));
    loops
}

fn layer_out(net: &Network, id: crate::ir::LayerId, r: &LayerResult, cost: &Cost) -> LayerOut {
    let layer = net.layer(id);
    let c = &r.candidate;
    let s = &c.stats;
    let f = &c.blocking.factors;
    let pd = |p: ParallelDim| r.part.pdim(p);
    let pl = &r.part_layer.layer;
    LayerOut {
        name: layer.name.clone(),
        kind: layer.kind,
        inputs: layer
            .inputs
            .iter()
            .map(|&src| net.source_name(src).to_owned())
            .collect(),
        shape: shape_out(&layer.shape),
        ops: s.ops,
        partition: PartitionOut {
            order: r.part.order().iter().map(|p| p.as_str_lower()).collect(),
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
        },
        mapping: MappingOut {
            fold: c.mapping.fold,
            repl: c.mapping.repl,
            util: c.mapping.util,
            loop_nest: c.nld_index,
            loop_counts: LoopsOut::of(c.nld.loopcnt),
        },
        blocking: BlockingOut {
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
        },
        accesses: LevelsOut::of(s.access.map(KindsOut::of)),
        noc_hops: KindsOut::of(r.total_nhops),
        energy: r.cost.total,
        energy_breakdown: EnergyOut::of(&r.cost, &s.access, cost),
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
    }
}

/// Schedules `net` on `hw` and returns the schedule file of the best
/// schedule; `progress` is called after each layer with (done, total).
pub fn run(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ScheduleFile, crate::sched::network::SearchError> {
    let machine = hw.machine();
    let schedules = crate::sched::network::search(net, &machine, options, progress)?;
    // The search fails rather than return nothing.
    let best = schedules
        .first()
        .ok_or_else(|| crate::sched::network::SearchError {
            layer: String::new(),
            error: crate::sched::layer::LayerError::NoBlocking("no schedule".into()),
        })?;
    Ok(build(net, hw, options, best))
}

/// Builds the schedule file of a search's best schedule.
pub fn build(
    net: &Network,
    hw: &Hardware,
    options: &Options,
    schedule: &NetworkSchedule,
) -> ScheduleFile {
    let cost = hw.cost();
    let node = hw.node_resource();
    let layers: Vec<LayerOut> = net
        .layer_ids()
        .map(|id| layer_out(net, id, &schedule.layers[id.index()], &cost))
        .collect();
    let t = schedule.totals();
    let mut breakdown = EnergyOut::default();
    for (_, r) in schedule.in_order() {
        breakdown.add(&EnergyOut::of(&r.cost, &r.candidate.stats.access, &cost));
    }
    let b = &options.blocking;
    ScheduleFile {
        format: FORMAT,
        model: options.compat,
        network: net.name().to_owned(),
        batch: options.batch,
        hardware: HardwareOut {
            file: hw.clone(),
            regf_words: node.size_regf,
            gbuf_words: node.size_gbuf,
            bus_width_words: node.array_bus_width,
            dram_bandwidth_words_per_cycle: match node.dram_bandwidth {
                crate::sched::resource::Bandwidth::Unlimited => None,
                crate::sched::resource::Bandwidth::Words(w) => Some(w),
            },
        },
        options: OptionsOut {
            solver: b.solver,
            partition: options.partitioning.kind(),
            batch_partition: options.partitioning.splits_batch(),
            ifmap_partition: options.partitioning.splits_ifmaps(),
            access_forwarding: options.forwarding,
            no_bypass: DataKind::ALL
                .into_iter()
                .filter(|&d| !b.bypass[d])
                .collect(),
            goal: b.goal.as_str(),
            top: b.ntops,
        },
        totals: TotalsOut {
            energy: t.cost,
            energy_breakdown: breakdown,
            time: t.time,
            ops: t.ops,
            accesses: LevelsOut::of(t.accesses),
            noc_hops: t.noc_hops,
        },
        schedule_order: schedule
            .order
            .iter()
            .map(|&id| net.layer(id).name.clone())
            .collect(),
        layers,
    }
}

/// The file's text: pretty JSON in which arrays of numbers and the small
/// objects deep inside a layer stay on one line, so a layer reads (and
/// diffs) like a table.
pub fn to_text(file: &ScheduleFile) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(64 * 1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Layout::default());
    file.serialize(&mut ser)?;
    out.push(b'\n');
    // serde_json writes valid UTF-8.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Objects this deep (counting objects only) are written on one line.
const INLINE_LEVEL: usize = 3;

#[derive(Clone, Copy, Debug)]
enum Frame {
    Object { inline: bool, empty: bool },
    Array { multiline: bool, empty: bool },
}

/// A streaming JSON layout: objects down to [`INLINE_LEVEL`] one member per
/// line, deeper ones inline; arrays inline unless they hold objects.
#[derive(Debug, Default)]
struct Layout {
    stack: Vec<Frame>,
}

impl Layout {
    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        let depth = self
            .stack
            .iter()
            .filter(|f| {
                matches!(
                    f,
                    Frame::Object { inline: false, .. }
                        | Frame::Array {
                            multiline: true,
                            ..
                        }
                )
            })
            .count();
        w.write_all(b"\n")?;
        for _ in 0..depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn inline(&self) -> bool {
        self.stack
            .iter()
            .any(|f| matches!(f, Frame::Object { inline: true, .. }))
    }
}

impl serde_json::ser::Formatter for Layout {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.stack.push(Frame::Array {
            multiline: false,
            empty: true,
        });
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if let Some(Frame::Array {
            multiline: true, ..
        }) = self.stack.pop()
        {
            self.indent(w)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if let Some(Frame::Array { multiline, empty }) = self.stack.last_mut() {
            *empty = first && *empty;
            if !first {
                if *multiline {
                    w.write_all(b",")?;
                    return self.indent(w);
                }
                return w.write_all(b", ");
            }
        }
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        let parent_inline = self.inline();
        // An array of objects lists one object per line.
        if !parent_inline
            && let Some(Frame::Array {
                multiline,
                empty: true,
            }) = self.stack.last_mut()
            && !*multiline
        {
            *multiline = true;
            self.indent(w)?;
        }
        let level = self
            .stack
            .iter()
            .filter(|f| matches!(f, Frame::Object { .. }))
            .count();
        self.stack.push(Frame::Object {
            inline: parent_inline || level >= INLINE_LEVEL,
            empty: true,
        });
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        if let Some(Frame::Object {
            inline: false,
            empty: false,
        }) = self.stack.pop()
        {
            self.indent(w)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        let Some(Frame::Object { inline, empty }) = self.stack.last_mut() else {
            return Ok(());
        };
        *empty = false;
        let inline = *inline;
        if !first {
            w.write_all(if inline { b", " } else { b"," })?;
        }
        if inline { Ok(()) } else { self.indent(w) }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}
