//! Design-space sweeps (docs/sweep.md): every combination of hardware
//! values in a spec, for every network and batch, scheduled and written as
//! one CSV row each.
//!
//! - `spec`: the spec file, checked, with the place of every error;
//! - `options`: the search options a spec sets or varies;
//! - `grid`: the design points and rows, in their fixed order;
//! - `csv`: the results file's lines;
//! - `layers`: the per-layer rows of `--per-layer`, beside the results;
//! - `run`: scheduling rows in parallel, handed on in grid order;
//! - `output`: the results file: resuming, refusing another spec's file,
//!   shards and merging them.

mod csv;
mod grid;
mod layers;
mod options;
mod output;
mod run;
mod spec;

pub use csv::{Digests, FORMAT, Results, ResultsError, header_line, read_results};
pub use grid::{AREA_COLUMN, Design, Plan, PlanError, Point};
pub use layers::{
    LAYERS_FORMAT, LayersFile, check_no_layers, layers_header_line, layers_path, merge_layers,
    open_layers,
};
pub use options::float;
pub use options::{Change, Flags, OPTION_KEYS, OptionError, OptionSet};
pub use output::{OutputError, ResultsFile, merge, open_results, shard_len, shard_rows};
pub use run::{CHUNK, run_ordered, run_ordered_with};
pub use spec::{
    Dim, MAX_ROWS, NetworkRef, SRAM_KEYS, Spec, SpecError, SramRule, parse as parse_spec,
};

/// One of N disjoint slices of a sweep: row `k` belongs to shard `k mod N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, from 0.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl Shard {
    /// Does row `k` belong to this shard?
    pub const fn owns(&self, row: usize) -> bool {
        row % self.count == self.index
    }
}

impl std::fmt::Display for Shard {
    /// `I/N`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `I/N` with `0 <= I < N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: give I/N with 0 <= I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}
