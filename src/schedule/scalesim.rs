//! The schedule file of `nnc schedule TOPOLOGY.csv --hw CONFIG.cfg --compat
//! scalesim` (`nnc-scalesim/1`, docs/scalesim.md#the-schedule-file):
//! SCALE-Sim 3.0.0's report of every layer of a topology on one config,
//! with the fields of nnc's schedules that mean the same thing (cycles,
//! MACs, utilisation).
//!
//! SCALE-Sim's mapping is fixed, so the file holds no choices, and SCALE-Sim
//! models cycles and memory accesses, not energy, so it holds no energy:
//! nnc does not invent one. Written and read with the schedule file's
//! layout (`json.rs`), so it reads and diffs like one.

use super::build::shape_out;
use super::types::ShapeOut;
use crate::ir::{Dim2, LayerKind, Network};
use crate::scalesim::{RowReport, ScaleSimConfig, Topology};
use crate::sched::scalesim::{Dataflow, InterfaceBandwidth, ScaleSimError, ScaleSimReport};
use crate::sched::types::{DataKind, PerData};
use rayon::prelude::*;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The format tag of the file.
pub const SCALESIM_FORMAT: &str = "nnc-scalesim/1";

/// The model that made it: SCALE-Sim's, reproduced.
pub const SCALESIM_MODEL: &str = "scalesim-3.0.0";

/// A fixed string of the file, written as `VALUE` and read only as it.
macro_rules! tag {
    ($name:ident, $value:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                if s == $value {
                    Ok($name)
                } else {
                    Err(serde::de::Error::custom(format!(
                        "\"{s}\"; expected \"{}\"",
                        $value
                    )))
                }
            }
        }
    };
}

tag!(
    ScaleSimFormat,
    SCALESIM_FORMAT,
    "The file's format tag: [`SCALESIM_FORMAT`]."
);
tag!(
    ScaleSimModel,
    SCALESIM_MODEL,
    "The model that made the file: [`SCALESIM_MODEL`]."
);

/// A whole `--compat scalesim` schedule file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSimSchedule {
    /// Always [`SCALESIM_FORMAT`].
    pub format: ScaleSimFormat,
    /// Always [`SCALESIM_MODEL`].
    pub model: ScaleSimModel,
    /// The version of nnc that wrote it.
    pub nnc_version: String,
    /// Digests of the two files it was made from.
    pub inputs: ScaleSimInputs,
    /// The network's name: the topology file's name without `.csv`.
    pub network: String,
    /// The config as read.
    pub config: ConfigOut,
    /// Sums over all layers.
    pub totals: ScaleSimTotals,
    /// Every layer, in the topology's order.
    pub layers: Vec<ScaleSimLayerOut>,
}

/// SHA-256 (hex) of the input texts, as `sha256sum` prints them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSimInputs {
    /// The topology CSV's.
    pub topology_sha256: String,
    /// The config's.
    pub config_sha256: String,
}

/// A value per operand, in SCALE-Sim's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperandsOut<T> {
    /// The ifmap.
    pub ifmap: T,
    /// The filters.
    pub filter: T,
    /// The ofmap.
    pub ofmap: T,
}

impl<T: Copy> OperandsOut<T> {
    /// The values of `p`, by operand.
    pub fn of(p: PerData<T>) -> Self {
        OperandsOut {
            ifmap: p[DataKind::Ifm],
            filter: p[DataKind::Fil],
            ofmap: p[DataKind::Ofm],
        }
    }
}

/// How the SRAMs talk to DRAM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BandwidthMode {
    /// `CALC`: estimated, never stalling reads.
    Calc,
    /// `USER`: the config's bandwidths; misses stall the array.
    User,
}

/// The config as the model read it (docs/scalesim.md#config-files).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigOut {
    /// `[general] run_name`.
    pub run_name: String,
    /// The systolic array, `[ArrayHeight, ArrayWidth]` PEs.
    pub array: Dim2,
    /// `ws`, `os` or `is`.
    pub dataflow: Dataflow,
    /// Each operand's SRAM, in kB of 1-byte words.
    pub sram_kb: OperandsOut<u64>,
    /// `calc` or `user`.
    pub interface_bandwidth: BandwidthMode,
    /// In `user` mode, each operand's bandwidth in words per cycle (the
    /// ifmap and filter SRAMs' fill, the ofmap's drain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_words_per_cycle: Option<OperandsOut<u64>>,
}

/// Sums over all layers: SCALE-Sim runs them one after another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSimTotals {
    /// Cycles: the layers' `cycles` added up.
    pub cycles: u64,
    /// Of which the array waited for memory (0 in `calc` mode).
    pub stall_cycles: u64,
    /// Cycles with each layer's DRAM prefetch and write-back, added up.
    pub cycles_incl_prefetch: u64,
    /// The layers' MACs.
    pub ops: u64,
    /// SCALE-Sim's overall utilisation of the whole topology, 0 to 1: the
    /// MACs it counts over cycles x PEs (the layers' `utilization`
    /// weighted by their cycles).
    pub utilization: f64,
    /// SRAM words read (ifmap, filter) and written (ofmap).
    pub sram: OperandsOut<u64>,
    /// DRAM words read (ifmap, filter) and written (ofmap).
    pub dram: OperandsOut<u64>,
}

impl ScaleSimTotals {
    /// The six access counts in the report's column order, as
    /// [`ScaleSimReport::traffic`](crate::sched::scalesim::ScaleSimReport::traffic).
    pub fn traffic(&self) -> [u64; 6] {
        let (s, d) = (&self.sram, &self.dram);
        [s.ifmap, s.filter, s.ofmap, d.ifmap, d.filter, d.ofmap]
    }
}

/// One layer: a row of the topology.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleSimLayerOut {
    /// The row's name.
    pub name: String,
    /// `conv`: SCALE-Sim's layers are convolutions (a GEMM is a 1x1 one
    /// over its rows, docs/scalesim.md#a-topology-as-a-network).
    pub kind: LayerKind,
    /// The layer's shape, as `nnc check` shows it.
    pub shape: ShapeOut,
    /// MACs of the layer (as a network computes it: an output size rounded
    /// down; SCALE-Sim's own count, in its utilisation, rounds up).
    pub ops: u64,
    /// SCALE-Sim's runs of the layer: the channels of a `DP` row, each a
    /// layer of its own in SCALE-Sim's reports (`<name>Channel_<i>`) with
    /// the report `scalesim`; 1 for every other row.
    pub runs: u64,
    /// Cycles of all runs: `runs x scalesim.total_cycles`.
    pub cycles: u64,
    /// SCALE-Sim's overall utilisation, 0 to 1:
    /// `scalesim.overall_util_pct / 100`.
    pub utilization: f64,
    /// SCALE-Sim's report of one run, its columns in snake case
    /// (docs/model/scalesim.md#the-report).
    pub scalesim: ScaleSimReport,
}

/// Runs every row of `topology` through SCALE-Sim's model on `config`'s
/// array (rows in parallel; the result does not depend on it): the row
/// reports in order, or the first row's error with its index.
pub fn simulate_rows(
    topology: &Topology,
    config: &ScaleSimConfig,
) -> Result<Vec<RowReport>, (usize, ScaleSimError)> {
    let array = config.array();
    topology
        .rows
        .par_iter()
        .enumerate()
        .map(|(i, row)| row.simulate(&array).map_err(|e| (i, e)))
        .collect()
}

/// The schedule file of `net` (the topology's network, one layer per row)
/// whose rows SCALE-Sim's model reported as `rows` on `config`.
pub fn build(
    net: &Network,
    config: &ScaleSimConfig,
    rows: &[RowReport],
    inputs: ScaleSimInputs,
) -> ScaleSimSchedule {
    let layers: Vec<ScaleSimLayerOut> = net
        .layers()
        .iter()
        .zip(rows)
        .map(|(l, r)| ScaleSimLayerOut {
            name: l.name.clone(),
            kind: l.kind,
            shape: shape_out(&l.shape),
            ops: l.shape.total_ops(1),
            runs: r.runs,
            cycles: r.runs.saturating_mul(r.report.total_cycles),
            utilization: r.report.overall_util_pct / 100.0,
            scalesim: r.report,
        })
        .collect();
    ScaleSimSchedule {
        format: ScaleSimFormat,
        model: ScaleSimModel,
        nnc_version: env!("CARGO_PKG_VERSION").to_owned(),
        inputs,
        network: net.name().to_owned(),
        config: config_out(config),
        totals: totals(&layers),
        layers,
    }
}

/// The config's record in the file.
fn config_out(c: &ScaleSimConfig) -> ConfigOut {
    let (interface_bandwidth, bandwidth_words_per_cycle) = match c.bandwidth {
        InterfaceBandwidth::Calc => (BandwidthMode::Calc, None),
        InterfaceBandwidth::User {
            ifmap,
            filter,
            ofmap,
        } => (
            BandwidthMode::User,
            Some(OperandsOut {
                ifmap,
                filter,
                ofmap,
            }),
        ),
    };
    ConfigOut {
        run_name: c.run_name.clone(),
        array: Dim2::new(c.array_rows, c.array_cols),
        dataflow: c.dataflow,
        sram_kb: OperandsOut::of(c.sram_kb),
        interface_bandwidth,
        bandwidth_words_per_cycle,
    }
}

/// The sums over `layers`, each run counted (saturating: a sum beyond
/// 2^64 cannot come from a run that finishes).
#[allow(clippy::cast_precision_loss)]
fn totals(layers: &[ScaleSimLayerOut]) -> ScaleSimTotals {
    let sum = |f: &dyn Fn(&ScaleSimReport) -> u64| {
        layers.iter().fold(0u64, |acc, l| {
            acc.saturating_add(l.runs.saturating_mul(f(&l.scalesim)))
        })
    };
    let cycles = sum(&|r| r.total_cycles);
    let busy: f64 = layers.iter().map(|l| l.utilization * l.cycles as f64).sum();
    ScaleSimTotals {
        cycles,
        stall_cycles: sum(&|r| r.stall_cycles),
        cycles_incl_prefetch: sum(&|r| r.total_cycles_incl_prefetch),
        ops: layers.iter().fold(0, |acc, l| acc.saturating_add(l.ops)),
        utilization: if cycles > 0 {
            busy / cycles as f64
        } else {
            0.0
        },
        sram: OperandsOut {
            ifmap: sum(&|r| r.sram_ifmap_reads),
            filter: sum(&|r| r.sram_filter_reads),
            ofmap: sum(&|r| r.sram_ofmap_writes),
        },
        dram: OperandsOut {
            ifmap: sum(&|r| r.dram_ifmap_reads),
            filter: sum(&|r| r.dram_filter_reads),
            ofmap: sum(&|r| r.dram_ofmap_writes),
        },
    }
}

impl ScaleSimSchedule {
    /// The file's text, laid out as every schedule file is.
    pub fn to_text(&self) -> Result<String, serde_json::Error> {
        super::json::layout_text(self)
    }

    /// The layer named `name`.
    pub fn layer(&self, name: &str) -> Option<&ScaleSimLayerOut> {
        self.layers.iter().find(|l| l.name == name)
    }
}
