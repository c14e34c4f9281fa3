//! The schedule file's types: what a file holds, field by field. Each
//! serializes to the JSON of `nnc-schedule/2`; enums serialize to their
//! lowercase names. Version 2 added the pipelining options, each layer's
//! `place` and the `segments`; a version-1 file reads with those absent.

use crate::hw::Hardware;
use crate::ir::{Dim2, LayerKind};
use crate::sched::Compat;
use crate::sched::dataflow::{Dataflow, MappingSummary};
use crate::sched::options::{Goal, Solver};
use crate::sched::partition::{ParallelDim, PartitionKind};
use crate::sched::types::{DataKind, LoopDim};
use serde::{Deserialize, Serialize};

/// The format tag of this version of the file.
pub const FORMAT: &str = "nnc-schedule/2";

/// The earlier format this version still reads (no pipelining fields).
pub const FORMAT_V1: &str = "nnc-schedule/1";

/// The file's format tag: serialized as [`FORMAT`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Format;

impl Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(FORMAT)
    }
}

/// Read back: [`FORMAT`] or [`FORMAT_V1`] (the reader's pre-check of the
/// format makes this the second line of defence); written back as
/// [`FORMAT`].
impl<'de> Deserialize<'de> for Format {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == FORMAT || s == FORMAT_V1 {
            Ok(Format)
        } else {
            Err(serde::de::Error::custom(format!(
                "format \"{s}\"; expected \"{FORMAT}\""
            )))
        }
    }
}

/// A whole schedule file, as written and as read back (`schedule::read`;
/// every object refuses unknown keys there).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleFile {
    /// Always [`FORMAT`].
    pub format: Format,
    /// Which model made it: `nnc` or `nn_dataflow-2.1` (`--compat`).
    pub model: Compat,
    /// The version of nnc that wrote it.
    pub nnc_version: String,
    /// What it was made from: digests of the input texts.
    pub inputs: InputsOut,
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
    /// The segments, in order: one per layer without pipelining (none in
    /// a version-1 file).
    #[serde(default)]
    pub segments: Vec<SegmentOut>,
    /// Every layer, in network (definition) order.
    pub layers: Vec<LayerOut>,
    /// Options the run left off that would save at least a tenth, each
    /// measured by its own search (docs/model/bound.md#hints); not written
    /// when there are none. A library schedule has none until
    /// [`hints`](super::hints::hints) fills them in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<Hint>,
}

/// An option the run left off and what its own search found
/// (docs/model/bound.md#hints).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hint {
    /// What the run had, e.g. `naive partitioning on 36 nodes`.
    pub had: String,
    /// The option, e.g. `hybrid partitioning`.
    pub option: String,
    /// The flags of `nnc schedule` that turn it on.
    pub flags: String,
    /// The energy of the search with it, in the file's energy unit.
    pub energy: f64,
    /// The run's energy over that energy: how many times less it costs.
    pub factor: f64,
}

/// The digests of the texts a schedule was made from, so that a file can be
/// matched to its inputs (`sha256sum net.nn hw.toml` prints the same).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputsOut {
    /// SHA-256 (hex) of the network's text, when the caller had it (the
    /// command line always has; a library caller sets it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_sha256: Option<String>,
    /// SHA-256 (hex) of the hardware's text: the file's, or the preset's
    /// as shipped in `hw/`.
    pub hardware_sha256: String,
}

/// The hardware, resolved: the hardware's keys, then the word sizes, in
/// one object (read back by `read::hardware`, as serde's `flatten` cannot
/// refuse unknown keys).
#[derive(Clone, Debug, PartialEq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsOut {
    /// `exhaustive` or `analytic`.
    pub solver: Solver,
    /// `naive` or `hybrid`.
    pub partition: PartitionKind,
    /// Batch partitioning allowed.
    pub batch_partition: bool,
    /// Input-channel partitioning allowed.
    pub ifmap_partition: bool,
    /// Access forwarding between nodes (true with buffer sharing, which
    /// implies it).
    pub access_forwarding: bool,
    /// Buffer sharing between nodes (`--gbuf-sharing`); written only when
    /// on, absent in files from before it existed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub gbuf_sharing: bool,
    /// Data kinds that must be kept in the global buffer (`fil`, `ifm`, `ofm`).
    pub no_bypass: Vec<DataKind>,
    /// `e`, `d` or `ed`.
    pub goal: Goal,
    /// How many candidates were kept at every stage.
    pub top: usize,
    /// Spatial segments (`--interlayer`; false in version-1 files).
    #[serde(default)]
    pub interlayer: bool,
    /// Temporal segments (`--save-writeback`).
    #[serde(default)]
    pub save_writeback: bool,
    /// The basic pipelining rules (`--basic-interlayer`).
    #[serde(default)]
    pub basic_interlayer: bool,
    /// The largest time overhead of a segment; absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_time_overhead: Option<f64>,
    /// The most DAG vertices per segment; absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_max_degree: Option<u64>,
}

/// A region of processing nodes: `dim` nodes from `origin` (row, column);
/// when `wtot` differs from `dim`'s width the rows fold along stripes
/// `wtot` nodes wide, the first holding `|wbeg|` nodes (running right to
/// left when `wbeg < 0`) (docs/model/pipelining.md#spatial-and-temporal-allocation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionOut {
    /// The first node (row, column).
    pub origin: [i64; 2],
    /// Nodes (rows, columns).
    pub dim: Dim2,
    /// Width of the stripes the rows fold along.
    pub wtot: u64,
    /// Nodes of the first stripe; negative: it runs right to left.
    pub wbeg: i64,
}

/// Where a layer ran (docs/model/pipelining.md#segments).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceOut {
    /// Index of its segment in `segments`.
    pub segment: usize,
    /// Its spatial group in the segment (groups run at the same time).
    pub group: usize,
    /// Its position in the group (layers of a group run one after another).
    pub position: usize,
    /// The nodes it ran on: its group's region.
    pub region: RegionOut,
}

/// One segment: layers scheduled together
/// (docs/model/pipelining.md#segment-timing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentOut {
    /// Per spatial group, its layers in order.
    pub groups: Vec<Vec<String>>,
    /// Per spatial group, its region.
    pub regions: Vec<RegionOut>,
    /// Cycles of the segment: pipelined node time or DRAM time, whichever
    /// is longer.
    pub time: u64,
    /// Cycles DRAM is busy (the layers' DRAM times added up).
    pub dram_time: u64,
    /// The longest span of one group.
    pub critical_time: u64,
}

/// Energy by where it goes.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// The seven components in the order of the schedule file, with their
    /// names in it.
    pub fn components(&self) -> [(&'static str, f64); 7] {
        [
            ("op", self.op),
            ("dram", self.dram),
            ("gbuf", self.gbuf),
            ("array", self.array),
            ("regf", self.regf),
            ("noc", self.noc),
            ("static", self.static_),
        ]
    }
}

/// Word accesses per memory level.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// A value per data kind.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindsOut<T> {
    /// Filters.
    pub fil: T,
    /// Input fmaps.
    pub ifm: T,
    /// Output fmaps.
    pub ofm: T,
}

/// A value per loop.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoopsOut<T> {
    /// Input channels.
    pub ifm: T,
    /// Output channels.
    pub ofm: T,
    /// Batch.
    pub bat: T,
}

/// Sums over all layers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalsOut {
    /// Total energy (with `--compat nn_dataflow`, the reference's
    /// `total_cost`).
    pub energy: f64,
    /// The unit of every energy in the file: the hardware's `energy_unit`.
    pub energy_unit: crate::hw::EnergyUnit,
    /// Energy by where it goes.
    pub energy_breakdown: EnergyOut,
    /// Cycles: the segments' times added up (with pipelining, segments'
    /// layers overlap; docs/model/pipelining.md#segment-timing).
    pub time: u64,
    /// The time in seconds, when the hardware gives `clock_mhz`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    /// Average power over the time in watts: energy / time, when the
    /// hardware gives a clock and an SI energy unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_power_w: Option<f64>,
    /// Ops (MACs).
    pub ops: f64,
    /// The share of all the hardware's PEs busy over the whole time: ops /
    /// (time × nodes × PEs per node), 0 to 1 (0 in files written before
    /// nnc recorded it).
    #[serde(default)]
    pub utilization: f64,
    /// Word accesses per memory level.
    pub accesses: LevelsOut<f64>,
    /// NoC word-hops.
    pub noc_hops: f64,
    /// The sum of the layers' energy lower bounds.
    pub lower_bound: LowerBoundOut,
}

/// What any schedule must spend (docs/model/bound.md): no schedule's energy
/// is below `energy`, nor its time below `time`.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LowerBoundOut {
    /// The energy lower bound.
    pub energy: f64,
    /// Its parts (`noc` is always 0).
    pub energy_breakdown: EnergyOut,
    /// The time lower bound, in cycles.
    pub time: u64,
}

/// A layer's shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// Groups of a grouped convolution, each scheduled as the same dense
    /// convolution of one group run one after another: the partition,
    /// mapping and blocking are one group's, the ops, accesses, hops,
    /// energy and cycles those of all groups. Absent for 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<u64>,
}

/// How a layer is split over the nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionOut {
    /// Partition levels from the top (coarsest) to the bottom (adjacent
    /// nodes): `outp` output channels, `ofmp` ofmap tiles, `batp` batch,
    /// `inpp` input channels.
    pub order: Vec<ParallelDim>,
    /// Parts per dimension along the node rows and columns.
    pub factors: PartFactors,
    /// Nodes the layer runs on.
    pub nodes: u64,
    /// Each node's share: (output channels, ofmap, batch) and the fraction
    /// of its work that is useful when the split is uneven.
    pub per_node: PerNodeOut,
}

/// Parts per partition dimension, `[rows, columns]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// The mapping of a layer onto one node's PE array.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// Why through a wire type: each dataflow writes its own fields, and
// row stationary's must stay exactly those of files before dataflows.
#[serde(
    try_from = "super::mapping::MappingWire",
    into = "super::mapping::MappingWire"
)]
pub struct MappingOut {
    /// The dataflow and its mapping in short.
    pub summary: MappingSummary,
    /// Which of the mapping's loop nests (spatial choices) was used.
    pub loop_nest: usize,
    /// Trip counts of that nest's loops.
    pub loop_counts: LoopsOut<u64>,
}

impl MappingOut {
    /// The dataflow of the mapping.
    pub fn dataflow(&self) -> Dataflow {
        self.summary.dataflow()
    }

    /// Fraction of the PE array doing useful work.
    pub fn util(&self) -> f64 {
        self.summary.util()
    }
}

/// The loop blocking of one node's loop nest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// What buffer sharing chose (`--gbuf-sharing` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<SharingOut>,
}

/// Buffer sharing of one layer (docs/model/buffer-sharing.md#buffer-sharing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharingOut {
    /// Nodes holding one copy of each kind between them (1: not shared).
    pub subgroup: KindsOut<u64>,
    /// Times the shared data go round their subgroup (0: not rotated).
    pub rotation_rounds: KindsOut<u64>,
    /// Units one rotation moves the data in.
    pub rotation_units: KindsOut<u64>,
    /// Nodes' shares one wide fetch spans.
    pub wide_fetch_width: KindsOut<f64>,
    /// NoC word-hops of the rotations and wide fetches, part of `noc_hops`.
    pub noc_hops: KindsOut<f64>,
}

/// A value per blocking level.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingLevels<T> {
    /// DRAM to global buffer.
    pub dram: T,
    /// Global buffer to register files.
    pub gbuf: T,
    /// Inside the register files.
    pub regf: T,
}

/// Loop orders of the two outer blocking levels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingOrders {
    /// DRAM level, outermost first.
    pub dram: Vec<LoopDim>,
    /// Global-buffer level, outermost first.
    pub gbuf: Vec<LoopDim>,
}

/// A per-data-kind value at the global-buffer and register-file levels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockingFetch {
    /// Global-buffer level.
    pub gbuf: KindsOut<u64>,
    /// Register-file level.
    pub regf: KindsOut<u64>,
}

/// Cycles of a layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerOut {
    /// Name.
    pub name: String,
    /// `conv`, `fc`, `pool` or `eltwise`.
    pub kind: LayerKind,
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
    /// nodes (over compute time only, so bus and DRAM stalls do not lower it).
    pub active_pes: f64,
    /// The share of all the hardware's PEs (every node) busy over the
    /// layer's whole time: ops / (time × nodes × PEs per node), 0 to 1 (0
    /// in files written before nnc recorded it).
    #[serde(default)]
    pub utilization: f64,
    /// What any schedule of the layer must spend.
    pub lower_bound: LowerBoundOut,
    /// Where it ran (absent in version-1 files).
    #[serde(default)]
    pub place: Option<PlaceOut>,
}

/// Serde's test for fields written only when true.
fn is_false(b: &bool) -> bool {
    !*b
}
