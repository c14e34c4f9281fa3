//! The options of a search (the reference's `Option`, the parts nnc has):
//! one type, built and checked by [`OptionsBuilder`], and its parts: what
//! the search optimizes ([`Goal`], ranking by [`RankKey`]) and how a layer's
//! blockings are found ([`BlockingOptions`], [`Solver`]).

use crate::sched::Compat;
use crate::sched::model::limits::{MAX_BATCH, MAX_TOP};
use crate::sched::partition::{IfmapsWithoutHybrid, Partitioning};
use crate::sched::pipeline::PipelineOptions;
use crate::sched::types::PerData;
use serde::Serialize;
use std::cmp::Ordering;
use thiserror::Error;

/// Everything a search can be asked for besides the network and the
/// hardware. Build them with [`Options::builder`], which checks the bounds
/// ([`OptionsError`]): with nothing said, in nnc's own model, the search
/// widens to every option that can only help — hybrid partitioning with
/// the batch and input channels split too, access forwarding, and data kept
/// on chip between layers (save-writeback and inter-layer pipelining) —
/// and under `Compat::NnDataflow` it keeps the reference's defaults (naive
/// partitioning, layer by layer), as `nnc schedule` does
/// (docs/model/network.md#default-options). `Options::default()` is the
/// narrowest search: batch 1, naive partitioning, no access forwarding, no
/// pipelining, bypass allowed, exhaustive search for energy, one candidate
/// kept, nnc's model.
///
/// ```
/// use nnc::{Compat, Options, Partitioning};
/// let options = Options::builder()
///     .batch(16)
///     .partitioning(Partitioning::Hybrid { batch: true, ifmaps: false })
///     .compat(Compat::NnDataflow)
///     .build()?;
/// assert_eq!(options.batch(), 16);
/// # Ok::<(), nnc::OptionsError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    pub(crate) batch: u64,
    pub(crate) partitioning: Partitioning,
    pub(crate) sharing: DataSharing,
    pub(crate) blocking: BlockingOptions,
    pub(crate) compat: Compat,
    pub(crate) pipeline: PipelineOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            batch: 1,
            partitioning: Partitioning::default(),
            sharing: DataSharing::Off,
            blocking: BlockingOptions::default(),
            compat: Compat::Nnc,
            pipeline: PipelineOptions::default(),
        }
    }
}

impl Options {
    /// A builder starting from the defaults.
    pub fn builder() -> OptionsBuilder {
        OptionsBuilder::default()
    }

    /// Samples per batch (1 to [`MAX_BATCH`]).
    pub const fn batch(&self) -> u64 {
        self.batch
    }

    /// How layers may be split over the nodes.
    pub const fn partitioning(&self) -> Partitioning {
        self.partitioning
    }

    /// Access forwarding (the reference's `hw_access_forwarding`): nodes
    /// that need the same data read it from DRAM once and pass it on. True
    /// with buffer sharing too, which implies it.
    pub const fn access_forwarding(&self) -> bool {
        !matches!(self.sharing, DataSharing::Off)
    }

    /// Buffer sharing (the reference's `hw_gbuf_sharing`, TANGRAM's
    /// buffer sharing): nodes needing the same data spread it over their
    /// buffers and rotate it (docs/model/buffer-sharing.md#buffer-sharing).
    pub const fn gbuf_sharing(&self) -> bool {
        matches!(self.sharing, DataSharing::Buffers)
    }

    /// How nodes that need the same data cooperate.
    pub const fn sharing(&self) -> DataSharing {
        self.sharing
    }

    /// Bypass, solver, goal and how many candidates to keep at every stage.
    pub const fn blocking(&self) -> &BlockingOptions {
        &self.blocking
    }

    /// Which model.
    pub const fn compat(&self) -> Compat {
        self.compat
    }

    /// Inter-layer pipelining (docs/model/pipelining.md): which segments
    /// are candidates and how they are filtered.
    pub const fn pipeline(&self) -> &PipelineOptions {
        &self.pipeline
    }
}

/// How nodes that need the same data cooperate
/// (docs/model/buffer-sharing.md#which-option-enables-what). One value, so
/// that buffer sharing without forwarding cannot be expressed: the
/// reference refuses its two flags together because sharing implies
/// forwarding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DataSharing {
    /// Every node reads its data from DRAM.
    #[default]
    Off,
    /// Access forwarding: the data is read from DRAM once per group and
    /// forwarded over the NoC.
    Forwarding,
    /// Forwarding, and the group's buffers hold one copy between them
    /// (buffer sharing with rotation).
    Buffers,
}

/// What the search optimizes (the reference's `opt_goal`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Goal {
    /// Energy, ties broken by time.
    #[default]
    E,
    /// Delay (time), ties broken by energy.
    D,
    /// Energy-delay product.
    Ed,
}

/// What candidates are ranked by: two numbers compared lexicographically,
/// smaller first, with [`f64::total_cmp`] (the model's energies and times
/// are finite, never NaN: `sched::model::limits`). Sorting by it is stable, so equal
/// keys keep the order the candidates were generated in.
#[derive(Clone, Copy, Debug)]
pub struct RankKey(pub f64, pub f64);

impl Ord for RankKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| self.1.total_cmp(&other.1))
    }
}

impl PartialOrd for RankKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RankKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RankKey {}

impl Goal {
    /// The key of a (cost, time) pair under this goal; smaller is better.
    /// The `ed` key has the product first.
    pub fn key(self, cost: f64, time: f64) -> RankKey {
        match self {
            Goal::E => RankKey(cost, time),
            Goal::D => RankKey(time, cost),
            Goal::Ed => RankKey(cost * time, 0.0),
        }
    }

    /// The flag value (`e`, `d`, `ed`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Goal::E => "e",
            Goal::D => "d",
            Goal::Ed => "ed",
        }
    }
}

/// The solver that picks a layer's loop blocking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// Enumerate every blocking (the reference's default).
    #[default]
    Exhaustive,
    /// The analytical bypass solver of TETRIS (conv-pattern layers only;
    /// others fall back to exhaustive search).
    Analytic,
}

impl Solver {
    /// The flag value (`exhaustive`, `analytic`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Solver::Exhaustive => "exhaustive",
            Solver::Analytic => "analytic",
        }
    }
}

/// Options of the per-layer search (docs/model/blocking.md#search-options).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct BlockingOptions {
    /// Per data kind: may it bypass the global buffer?
    pub bypass: PerData<bool>,
    /// Exhaustive search or analytical solver.
    pub solver: Solver,
    /// What to optimize.
    pub goal: Goal,
    /// How many best blockings to keep.
    pub ntops: usize,
}

impl Default for BlockingOptions {
    fn default() -> Self {
        BlockingOptions {
            bypass: PerData::splat(true),
            solver: Solver::Exhaustive,
            goal: Goal::E,
            ntops: 1,
        }
    }
}

/// The most DAG vertices (convolution groups) a segment spans when
/// pipelining is searched by default and no `--pipeline-max-degree` is
/// given (docs/model/network.md#default-options).
pub const DEFAULT_MAX_DEGREE: u64 = 16;

/// Builds [`Options`]; [`OptionsBuilder::build`] checks the bounds.
#[derive(Clone, Copy, Debug)]
pub struct OptionsBuilder {
    options: Options,
    /// The batch as given: it may be negative, and `build` names it as
    /// given in its error.
    batch: i128,
    widening: Widening,
    gbuf_sharing: bool,
}

/// The options that can only widen the search, as a caller said them:
/// `Some` when said (on or off), `None` for the model's default
/// ([`OptionsBuilder::build`], docs/model/network.md#default-options). Each
/// is the flag of `nnc schedule` by the same name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Widening {
    /// Hybrid partitioning (`--partition hybrid`, or `naive` for off).
    pub hybrid: Option<bool>,
    /// Batch partitioning (`--batch-partition`).
    pub batch_partition: Option<bool>,
    /// Input-channel partitioning (`--ifmap-partition`; hybrid only).
    pub ifmap_partition: Option<bool>,
    /// Access forwarding (`--access-forwarding`).
    pub access_forwarding: Option<bool>,
    /// Temporal segments (`--save-writeback`).
    pub save_writeback: Option<bool>,
    /// Spatial segments (`--interlayer`).
    pub interlayer: Option<bool>,
}

impl Widening {
    /// `self` with what `other` says said over it.
    #[must_use]
    pub fn and(self, other: Widening) -> Widening {
        Widening {
            hybrid: other.hybrid.or(self.hybrid),
            batch_partition: other.batch_partition.or(self.batch_partition),
            ifmap_partition: other.ifmap_partition.or(self.ifmap_partition),
            access_forwarding: other.access_forwarding.or(self.access_forwarding),
            save_writeback: other.save_writeback.or(self.save_writeback),
            interlayer: other.interlayer.or(self.interlayer),
        }
    }

    /// Every option off: the reference's search, layer by layer on
    /// naive partitions.
    pub const NARROWEST: Widening = Widening {
        hybrid: Some(false),
        batch_partition: Some(false),
        ifmap_partition: Some(false),
        access_forwarding: Some(false),
        save_writeback: Some(false),
        interlayer: Some(false),
    };
}

impl Default for OptionsBuilder {
    fn default() -> Self {
        let options = Options::default();
        OptionsBuilder {
            batch: i128::from(options.batch),
            options,
            widening: Widening::default(),
            gbuf_sharing: false,
        }
    }
}

impl OptionsBuilder {
    /// Samples per batch (1 to [`MAX_BATCH`](crate::MAX_BATCH)); any
    /// integer type, so a `usize` or `u32` count needs no cast. A value
    /// out of range (a negative one too) is refused by
    /// [`OptionsBuilder::build`], which names it as given.
    #[must_use]
    pub fn batch(mut self, batch: impl TryInto<i128>) -> Self {
        // Why i128::MAX: only a u128 above it fails, and it is out of
        // range whatever its value.
        self.batch = batch.try_into().unwrap_or(i128::MAX);
        self
    }

    /// How layers may be split over the nodes (all three partitioning
    /// options said).
    #[must_use]
    pub const fn partitioning(mut self, partitioning: Partitioning) -> Self {
        self.widening.hybrid = Some(matches!(partitioning, Partitioning::Hybrid { .. }));
        self.widening.batch_partition = Some(partitioning.splits_batch());
        self.widening.ifmap_partition = Some(matches!(
            partitioning,
            Partitioning::Hybrid { ifmaps: true, .. }
        ));
        self
    }

    /// Access forwarding between nodes.
    #[must_use]
    pub const fn access_forwarding(mut self, on: bool) -> Self {
        self.widening.access_forwarding = Some(on);
        self
    }

    /// The widening options said, over those said before; the rest keep
    /// the model's defaults.
    #[must_use]
    pub fn widening(mut self, said: Widening) -> Self {
        self.widening = self.widening.and(said);
        self
    }

    /// Buffer sharing between nodes (implies access forwarding).
    #[must_use]
    pub const fn gbuf_sharing(mut self, on: bool) -> Self {
        self.gbuf_sharing = on;
        self
    }

    /// Per data kind: may it bypass the global buffer?
    #[must_use]
    pub const fn bypass(mut self, bypass: PerData<bool>) -> Self {
        self.options.blocking.bypass = bypass;
        self
    }

    /// Exhaustive search or the analytical solver.
    #[must_use]
    pub const fn solver(mut self, solver: Solver) -> Self {
        self.options.blocking.solver = solver;
        self
    }

    /// What to minimize.
    #[must_use]
    pub const fn goal(mut self, goal: Goal) -> Self {
        self.options.blocking.goal = goal;
        self
    }

    /// Candidates kept at every stage of the search (1 to [`MAX_TOP`]).
    #[must_use]
    pub const fn top(mut self, top: usize) -> Self {
        self.options.blocking.ntops = top;
        self
    }

    /// All the per-layer options at once.
    #[must_use]
    pub const fn blocking(mut self, blocking: BlockingOptions) -> Self {
        self.options.blocking = blocking;
        self
    }

    /// Which model.
    #[must_use]
    pub const fn compat(mut self, compat: Compat) -> Self {
        self.options.compat = compat;
        self
    }

    /// Inter-layer pipelining: segments (both kinds said), their rules and
    /// limits (docs/model/pipelining.md#segment-generation).
    #[must_use]
    pub const fn pipeline(mut self, pipeline: PipelineOptions) -> Self {
        self.options.pipeline = pipeline;
        self.widening.interlayer = Some(pipeline.spatial);
        self.widening.save_writeback = Some(pipeline.temporal);
        self
    }

    /// The rules and limits of pipelining (`basic`, `max_degree`,
    /// `time_overhead` of `pipeline`), leaving whether segments are
    /// searched to the widening options.
    #[must_use]
    pub const fn pipeline_rules(mut self, rules: PipelineOptions) -> Self {
        self.options.pipeline.basic = rules.basic;
        self.options.pipeline.max_degree = rules.max_degree;
        self.options.pipeline.time_overhead = rules.time_overhead;
        self
    }

    /// The options, if the batch and the number of kept candidates are in
    /// range and the pipelining options are a combination the model runs
    /// (docs/model/buffer-sharing.md#which-option-enables-what).
    pub fn build(self) -> Result<Options, OptionsError> {
        let mut o = self.options;
        // nnc's own model searches every option that can only help unless
        // told not to; the reference's defaults are all off
        // (docs/model/network.md#default-options).
        let wide = o.compat == Compat::Nnc;
        let w = self.widening;
        let hybrid = w.hybrid.unwrap_or(wide);
        o.partitioning = Partitioning::from_flags(
            hybrid,
            w.batch_partition.unwrap_or(wide),
            w.ifmap_partition.unwrap_or(wide && hybrid),
        )?;
        o.pipeline.spatial = w.interlayer.unwrap_or(wide);
        o.pipeline.temporal = w.save_writeback.unwrap_or(wide);
        // Segments searched by default span at most DEFAULT_MAX_DEGREE
        // vertices unless a limit is said: a chain of n layers has n²/2
        // runs of consecutive vertices (docs/model/network.md#default-options).
        let defaulted = (o.pipeline.spatial && w.interlayer.is_none())
            || (o.pipeline.temporal && w.save_writeback.is_none());
        if defaulted && o.pipeline.max_degree.is_none() {
            o.pipeline.max_degree = Some(DEFAULT_MAX_DEGREE);
        }
        // Buffer sharing forwards data itself.
        let forwarding = w.access_forwarding.unwrap_or(wide && !self.gbuf_sharing);
        o.sharing = match (self.gbuf_sharing, forwarding) {
            // The reference refuses the pair; saying it twice is a mistake
            // worth pointing out rather than a combination.
            (true, true) => return Err(OptionsError::ForwardingImplied),
            (true, false) => DataSharing::Buffers,
            (false, true) => DataSharing::Forwarding,
            (false, false) => DataSharing::Off,
        };
        let p = o.pipeline;
        if !p.enabled() {
            let stray = if p.basic {
                Some("--basic-interlayer")
            } else if p.time_overhead.is_some() {
                Some("--pipeline-time-overhead")
            } else if p.max_degree.is_some() {
                Some("--pipeline-max-degree")
            } else {
                None
            };
            if let Some(flag) = stray {
                return Err(OptionsError::PipelineOff { flag });
            }
        }
        if o.blocking.solver == Solver::Analytic {
            if o.gbuf_sharing() {
                return Err(OptionsError::SolverWith {
                    flag: "--gbuf-sharing",
                    why: "buffers shared between nodes",
                });
            }
            // The reference's restriction, not the model's
            // (docs/compat.md#solver_refuses_save_writeback).
            if p.temporal && o.compat.solver_refuses_save_writeback() {
                return Err(OptionsError::SolverWith {
                    flag: "--save-writeback",
                    why: "on-chip data kept across layers",
                });
            }
        }
        o.batch = match u64::try_from(self.batch) {
            Ok(b @ 1..=MAX_BATCH) => b,
            _ => return Err(OptionsError::Batch { batch: self.batch }),
        };
        if o.blocking.ntops == 0 || o.blocking.ntops > MAX_TOP {
            return Err(OptionsError::Top {
                top: o.blocking.ntops,
            });
        }
        Ok(o)
    }
}

/// Options the model cannot run with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum OptionsError {
    /// The batch is 0 or above [`MAX_BATCH`].
    #[error(
        "the batch must be between 1 and {MAX_BATCH} (larger batches would overflow the model's counts), not {batch}"
    )]
    Batch {
        /// What was asked for, as given (it may be negative).
        batch: i128,
    },
    /// The number of kept candidates is 0 or above [`MAX_TOP`].
    #[error(
        "the number of kept candidates must be between 1 and {MAX_TOP} (the search ranks the square of it at every layer), not {top}"
    )]
    Top {
        /// What was asked for.
        top: usize,
    },
    /// Input-channel partitioning without hybrid partitioning.
    #[error(transparent)]
    Partitioning(#[from] IfmapsWithoutHybrid),
    /// Access forwarding asked for together with buffer sharing.
    #[error(
        "--access-forwarding is implied by --gbuf-sharing (buffer sharing forwards data between nodes too): give only --gbuf-sharing"
    )]
    ForwardingImplied,
    /// A pipelining option without pipelining.
    #[error("{flag} needs --interlayer or --save-writeback: without them no segment spans layers")]
    PipelineOff {
        /// The option given.
        flag: &'static str,
    },
    /// The analytical solver with an option it does not model (the
    /// reference refuses the combination too).
    #[error(
        "--solver analytic cannot be combined with {flag}{}: the analytical solver does not model {why} (use --solver exhaustive)", if *flag == "--save-writeback" { " under --compat nn_dataflow" } else { "" }
    )]
    SolverWith {
        /// The option given.
        flag: &'static str,
        /// What the solver does not model.
        why: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sched::pipeline::segment::TimeOverhead;

    /// Unsaid widening options are on in nnc's model and off in the
    /// reference's; said ones are as said, and a restriction turns off only
    /// what depends on it (docs/model/network.md#default-options).
    #[test]
    fn unsaid_options_take_the_models_defaults() {
        let wide = Options::builder().build().unwrap();
        assert_eq!(
            wide.partitioning,
            Partitioning::Hybrid {
                batch: true,
                ifmaps: true
            }
        );
        assert_eq!(wide.sharing, DataSharing::Forwarding);
        assert!(wide.pipeline.spatial && wide.pipeline.temporal);
        let reference = Options::builder()
            .compat(Compat::NnDataflow)
            .build()
            .unwrap();
        assert_eq!(
            reference,
            Options {
                compat: Compat::NnDataflow,
                ..Options::default()
            }
        );
        // `--partition naive` alone: ifmap partitioning (hybrid only) goes
        // with it, batch partitioning stays.
        let naive = Options::builder()
            .widening(Widening {
                hybrid: Some(false),
                ..Widening::default()
            })
            .build()
            .unwrap();
        assert_eq!(naive.partitioning, Partitioning::Naive { batch: true });
        // Said twice: the later wins.
        let later = Options::builder()
            .access_forwarding(false)
            .widening(Widening {
                access_forwarding: Some(true),
                ..Widening::default()
            })
            .build()
            .unwrap();
        assert_eq!(later.sharing, DataSharing::Forwarding);
        // Buffer sharing forwards by itself.
        let shared = Options::builder().gbuf_sharing(true).build().unwrap();
        assert_eq!(shared.sharing, DataSharing::Buffers);
        // The analytical solver keeps data on chip in nnc's model.
        let analytic = Options::builder().solver(Solver::Analytic).build().unwrap();
        assert!(analytic.pipeline.temporal);
    }

    #[test]
    fn bounds_are_checked() {
        assert_eq!(
            Options::builder().widening(Widening::NARROWEST).build(),
            Ok(Options::default())
        );
        for batch in [0, MAX_BATCH + 1, u64::MAX] {
            assert_eq!(
                Options::builder().batch(batch).build(),
                Err(OptionsError::Batch {
                    batch: i128::from(batch)
                })
            );
        }
        // A negative batch is named as given, not as its u64 wrap.
        let e = Options::builder().batch(-3).build().unwrap_err();
        assert_eq!(e, OptionsError::Batch { batch: -3 });
        assert!(e.to_string().ends_with(", not -3"), "{e}");
        assert!(Options::builder().batch(MAX_BATCH).build().is_ok());
        assert!(Options::builder().top(0).build().is_err());
        assert!(Options::builder().top(MAX_TOP + 1).build().is_err());
        let e = OptionsError::from(Partitioning::from_flags(false, true, true).unwrap_err());
        assert!(e.to_string().contains("needs hybrid partitioning"));
    }

    #[test]
    fn pipelining_combinations_are_checked() {
        let on = PipelineOptions {
            spatial: true,
            ..PipelineOptions::default()
        };
        assert!(Options::builder().pipeline(on).build().is_ok());
        let basic = PipelineOptions {
            basic: true,
            ..PipelineOptions::default()
        };
        assert_eq!(
            Options::builder().pipeline(basic).build(),
            Err(OptionsError::PipelineOff {
                flag: "--basic-interlayer"
            })
        );
        let degree = PipelineOptions {
            max_degree: Some(2),
            ..PipelineOptions::default()
        };
        assert!(Options::builder().pipeline(degree).build().is_err());
        let swb = PipelineOptions {
            temporal: true,
            ..PipelineOptions::default()
        };
        assert!(Options::builder().pipeline(swb).build().is_ok());
        // The reference's restriction only
        // (docs/compat.md#solver_refuses_save_writeback).
        let analytic = Options::builder().pipeline(swb).solver(Solver::Analytic);
        assert!(analytic.build().is_ok());
        assert_eq!(
            analytic.compat(Compat::NnDataflow).build(),
            Err(OptionsError::SolverWith {
                flag: "--save-writeback",
                why: "on-chip data kept across layers",
            })
        );
        let shared = Options::builder().gbuf_sharing(true);
        assert_eq!(
            shared.access_forwarding(true).build(),
            Err(OptionsError::ForwardingImplied)
        );
        assert!(shared.build().is_ok_and(|o| o.access_forwarding()));
        assert!(matches!(
            shared.solver(Solver::Analytic).build(),
            Err(OptionsError::SolverWith {
                flag: "--gbuf-sharing",
                ..
            })
        ));
        assert!(TimeOverhead::new(-1.0).is_none());
        assert!(TimeOverhead::new(f64::NAN).is_none());
        assert_eq!(TimeOverhead::new(0.5).map(TimeOverhead::get), Some(0.5));
    }
}
