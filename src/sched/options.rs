//! The options of a search (the reference's `Option`, the parts nnc has):
//! one type, built and checked by [`OptionsBuilder`].

use super::Compat;
use super::limits::{MAX_BATCH, MAX_TOP};
use super::partition::{IfmapsWithoutHybrid, Partitioning};
use super::resource::{BlockingOptions, Goal, Solver};
use super::types::PerData;
use thiserror::Error;

/// Everything a search can be asked for besides the network and the
/// hardware. The default is the reference's: batch 1, naive partitioning,
/// no access forwarding, bypass allowed, exhaustive search for energy, one
/// candidate kept, nnc's model. Build others with [`Options::builder`], which
/// checks the bounds ([`OptionsError`]).
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
    pub(crate) forwarding: bool,
    pub(crate) blocking: BlockingOptions,
    pub(crate) compat: Compat,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            batch: 1,
            partitioning: Partitioning::default(),
            forwarding: false,
            blocking: BlockingOptions::default(),
            compat: Compat::Nnc,
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
    /// that need the same data read it from DRAM once and pass it on.
    pub const fn access_forwarding(&self) -> bool {
        self.forwarding
    }

    /// Bypass, solver, goal and how many candidates to keep at every stage.
    pub const fn blocking(&self) -> &BlockingOptions {
        &self.blocking
    }

    /// Which model.
    pub const fn compat(&self) -> Compat {
        self.compat
    }
}

/// Builds [`Options`]; [`OptionsBuilder::build`] checks the bounds.
#[derive(Clone, Copy, Debug, Default)]
pub struct OptionsBuilder {
    options: Options,
}

impl OptionsBuilder {
    /// Samples per batch.
    #[must_use]
    pub const fn batch(mut self, batch: u64) -> Self {
        self.options.batch = batch;
        self
    }

    /// How layers may be split over the nodes.
    #[must_use]
    pub const fn partitioning(mut self, partitioning: Partitioning) -> Self {
        self.options.partitioning = partitioning;
        self
    }

    /// Access forwarding between nodes.
    #[must_use]
    pub const fn access_forwarding(mut self, on: bool) -> Self {
        self.options.forwarding = on;
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

    /// The options, if the batch and the number of kept candidates are in
    /// range.
    pub const fn build(self) -> Result<Options, OptionsError> {
        let o = self.options;
        if o.batch == 0 || o.batch > MAX_BATCH {
            return Err(OptionsError::Batch { batch: o.batch });
        }
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
        /// What was asked for.
        batch: u64,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        assert_eq!(Options::builder().build(), Ok(Options::default()));
        for batch in [0, MAX_BATCH + 1, u64::MAX] {
            assert_eq!(
                Options::builder().batch(batch).build(),
                Err(OptionsError::Batch { batch })
            );
        }
        assert!(Options::builder().batch(MAX_BATCH).build().is_ok());
        assert!(Options::builder().top(0).build().is_err());
        assert!(Options::builder().top(MAX_TOP + 1).build().is_err());
        let e = OptionsError::from(Partitioning::from_flags(false, true, true).unwrap_err());
        assert!(e.to_string().contains("needs hybrid partitioning"));
    }
}
