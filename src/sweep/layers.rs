//! Per-layer rows (docs/sweep.md#per-layer-rows): with `--per-layer`, a
//! second file beside the results, `NAME.layers.csv`, holds one row per
//! design point and layer (one row with the status for a point without a
//! schedule). Its rows are appended with the results, a point's layers
//! before its results row, so a resume finds the layers file at least as
//! far as the results and cuts it back to them; a merge joins the part
//! files' layers files as it joins their results.

use super::Shard;
use super::csv::{self, Digests};
use super::grid::{Design, Plan};
use super::output::{Merged, OutputError, append_flushed, io, open_locked, shard_rows};
use crate::{ScheduleFile, SharedSearch};
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The tag of a layers file's first line.
pub const LAYERS_FORMAT: &str = "nnc-sweep-layers/1";

/// The columns that say which layer a row is, after the point's keys.
const LAYER_COLUMNS: [&str; 2] = ["layer_index", "layer"];

/// A layer's result columns, before `status`: the energy's unit (the
/// hardware's), its energy, its time in cycles (the largest of the PE
/// arrays', the buses' and DRAM's), the energy breakdown, seconds (with a
/// clock), MACs, utilization, word accesses per level, NoC word-hops, and
/// its bound.
pub(super) const LAYER_RESULTS: [&str; 23] = csv::concat(&[
    &["energy_unit"],
    &csv::ENERGY_TIME,
    &["time_proc", "time_bus", "time_dram"],
    &csv::BREAKDOWN,
    &[
        "accesses_dram",
        "accesses_gbuf",
        "accesses_array",
        "accesses_regf",
        "noc_hops",
    ],
    &csv::BOUND,
]);

/// The layers file beside the results file `results`: `out.csv` gives
/// `out.layers.csv`, any other name `NAME.layers.csv`.
pub fn layers_path(results: &Path) -> PathBuf {
    if results.extension().is_some_and(|e| e == "csv") {
        return results.with_extension("layers.csv");
    }
    let mut name = results.file_name().unwrap_or_default().to_owned();
    name.push(".layers.csv");
    results.with_file_name(name)
}

/// The first line of a layers file: as the results file's, with its own
/// format tag.
pub fn layers_header_line(digests: &Digests, shard: Option<Shard>) -> String {
    let words = digests.words();
    match shard {
        None => format!("# {LAYERS_FORMAT} {words}\n"),
        Some(s) => format!("# {LAYERS_FORMAT} {words} shard={s}\n"),
    }
}

/// A layer's result cells, of the schedule `file`.
fn layer_results(file: &ScheduleFile, l: &crate::schedule::LayerOut) -> Vec<String> {
    let float = super::options::float;
    let b = &l.energy_breakdown;
    let a = &l.accesses;
    let words = |k: &crate::schedule::KindsOut<f64>| float(k.fil + k.ifm + k.ofm);
    let mut out = vec![
        file.totals.energy_unit.to_string(),
        float(l.energy),
        l.time.total.to_string(),
        l.time.proc.to_string(),
        l.time.bus.to_string(),
        l.time.dram.to_string(),
    ];
    let seconds = file.hardware.file.seconds(l.time.total);
    out.extend(csv::breakdown_cells(b, seconds, l.ops, l.utilization));
    out.extend([&a.dram, &a.gbuf, &a.array, &a.regf].map(words));
    out.push(words(&l.noc_hops));
    out.extend(csv::bound_cells(&l.lower_bound));
    out
}

impl Plan<'_> {
    /// The layers file's column line: the point's keys, the layer, its
    /// results, status, checksum.
    pub fn layer_columns(&self) -> String {
        let mut cols = self.column_names();
        cols.truncate(self.key_fields());
        cols.extend(LAYER_COLUMNS.iter().map(|c| c.to_string()));
        cols.extend(LAYER_RESULTS.iter().map(|c| c.to_string()));
        cols.push("status".into());
        cols.push(csv::CHECKSUM.into());
        csv::line(&cols)
    }

    /// How many fields a layers row has.
    fn layer_columns_count(&self) -> usize {
        self.key_fields() + LAYER_COLUMNS.len() + LAYER_RESULTS.len() + 2
    }

    /// Row `k`'s per-layer lines, on `design`, from what
    /// [`Plan::schedule_row`] found: one per layer in network order, or one
    /// with empty cells and the status.
    pub fn layer_lines(
        &self,
        k: usize,
        design: &Design,
        found: &Result<ScheduleFile, String>,
    ) -> String {
        let key = self.key_of(k, design);
        match found {
            Ok(file) => {
                let mut out = String::new();
                for (i, l) in file.layers.iter().enumerate() {
                    let mut fields = key.clone();
                    fields.push(i.to_string());
                    fields.push(l.name.clone());
                    fields.extend(layer_results(file, l));
                    fields.push("ok".to_owned());
                    out.push_str(&csv::row_line(&fields));
                }
                out
            }
            Err(status) => {
                let mut fields = key;
                fields.extend(vec![
                    String::new();
                    LAYER_COLUMNS.len() + LAYER_RESULTS.len()
                ]);
                fields.push(status.clone());
                csv::row_line(&fields)
            }
        }
    }

    /// Row `k`'s results line and per-layer lines, on `design` through
    /// `shared` (as [`Plan::row_shared`]).
    pub fn row_with_layers(
        &self,
        k: usize,
        design: &Design,
        shared: &SharedSearch,
    ) -> (String, String) {
        let found = self.schedule_row(k, design, shared);
        (
            self.line(k, design, &found),
            self.layer_lines(k, design, &found),
        )
    }

    /// Is `line` (without its newline) the `i`-th per-layer line of row `k`,
    /// whose key is `key`, as nnc writes it? `Ok(true)` if it is the row's
    /// last, `Ok(false)` if more follow, else what is wrong.
    fn layer_line(&self, k: usize, key: &[String], line: &str, i: usize) -> Result<bool, String> {
        let n = self.locate(k).0;
        let layers = self.networks[n].layers();
        let mut fields = csv::split(line);
        if fields.len() != self.layer_columns_count() {
            return Err(format!(
                "has {} fields where the header has {}",
                fields.len(),
                self.layer_columns_count()
            ));
        }
        if fields[..key.len()] != *key {
            return Err("is not a row of the point expected there".to_owned());
        }
        if csv::line(&fields).trim_end_matches('\n') != line {
            return Err("is not quoted as nnc writes it".to_owned());
        }
        let sum = fields.pop().unwrap_or_default();
        if csv::checksum(&line[..line.len() - sum.len() - 1]) != sum {
            return Err(format!(
                "does not match its checksum `{sum}`: it changed since nnc wrote it"
            ));
        }
        let status = fields.pop().unwrap_or_default();
        let (which, results) = fields[key.len()..].split_at(LAYER_COLUMNS.len());
        if let Some(why) = csv::cells_problem(&LAYER_RESULTS, results, &status) {
            return Err(why);
        }
        if status != "ok" {
            return match (i, which.iter().all(String::is_empty)) {
                (0, true) => Ok(true),
                (0, false) => Err(format!("names a layer beside the status `{status}`")),
                _ => Err(format!("has the status `{status}` after a layer's row")),
            };
        }
        let expected = layers.get(i).map(|l| [i.to_string(), l.name.clone()]);
        match expected {
            Some(e) if e[..] == *which => Ok(i + 1 == layers.len()),
            Some(e) => Err(format!("is not the row of layer {} `{}`", e[0], e[1])),
            None => Err("is a layer beyond the network's last".to_owned()),
        }
    }
}

/// A layers file open for appending rows, locked against other writers.
#[derive(Debug)]
pub struct LayersFile {
    file: File,
    path: PathBuf,
}

impl LayersFile {
    /// Appends a row's per-layer lines (one write, then a flush).
    pub fn append(&mut self, lines: &str) -> Result<(), OutputError> {
        append_flushed(&mut self.file, &self.path, lines)
    }
}

/// Opens the layers file `path` for the rows of `plan` in `shard`, beside a
/// results file that holds `done` of them already: creates it with its
/// header, or keeps the per-layer rows of those `done` rows and drops what
/// follows them (rows written before a kill stopped their results row).
/// Refused, as the results file would be, if it is another sweep's or a
/// row is not nnc's; and if it lacks rows of the `done` ones (the results
/// were written without `--per-layer`).
pub fn open_layers(
    plan: &Plan<'_>,
    shard: Option<Shard>,
    path: &Path,
    done: usize,
    wait: bool,
) -> Result<LayersFile, OutputError> {
    let first = layers_header_line(&plan.digests, shard);
    let header = format!("{first}{}", plan.layer_columns());
    let behind = |have: usize| OutputError::LayersBehind {
        path: path.to_owned(),
        done,
        have,
    };
    if done > 0 && !path.exists() {
        // Not created only to be refused.
        return Err(behind(0));
    }
    let (mut file, text) = open_locked(path, wait)?;
    let keep = if text.len() < header.len() && header.starts_with(&text) {
        // New, or killed while writing its header.
        if done > 0 {
            return Err(behind(0));
        }
        0
    } else {
        check_header(&text, &first, &header, path, plan)?;
        let (have, keep) = kept_rows(plan, shard, path, &text[header.len()..], done)?;
        if have < done {
            return Err(behind(have));
        }
        header.len() + keep
    };
    file.set_len(keep as u64).map_err(io("truncate", path))?;
    file.seek(SeekFrom::End(0)).map_err(io("seek", path))?;
    let mut layers = LayersFile {
        file,
        path: path.to_owned(),
    };
    if keep == 0 {
        layers.append(&header)?;
    }
    Ok(layers)
}

/// Are the first two lines of the layers file `text` (at `path`) `first`
/// and the columns of `header`? If not, why.
fn check_header(
    text: &str,
    first: &str,
    header: &str,
    path: &Path,
    plan: &Plan<'_>,
) -> Result<(), OutputError> {
    let found = text.split_inclusive('\n').next().unwrap_or("");
    if found != first {
        return Err(OutputError::OtherSpec {
            path: path.to_owned(),
            found: found.trim_end().to_owned(),
            expected: first.trim_end().to_owned(),
        });
    }
    if !text.starts_with(header) {
        return Err(OutputError::Columns {
            path: path.to_owned(),
            expected: plan.layer_columns().trim_end().to_owned(),
        });
    }
    Ok(())
}

/// Follows the rows of a layers file's `body` (after its header) through
/// the first `done` rows of `shard`: how many of them it holds whole, and
/// the length of the body that holds them. A line that is not the one
/// expected there is refused.
fn kept_rows(
    plan: &Plan<'_>,
    shard: Option<Shard>,
    path: &Path,
    body: &str,
    done: usize,
) -> Result<(usize, usize), OutputError> {
    let mut rows = shard_rows(plan, shard).take(done);
    let mut current: Option<(usize, Vec<String>)> = None;
    let (mut have, mut layer, mut offset, mut keep) = (0, 0, 0, 0);
    for (li, line) in body.split_inclusive('\n').enumerate() {
        // A torn last line is a row that is not there.
        let Some(text) = line.strip_suffix('\n') else {
            break;
        };
        if current.is_none() {
            current = rows.next().map(|k| (k, plan.key(k)));
        }
        let Some((k, key)) = &current else {
            // Rows past the results' last: their results row was never
            // written.
            break;
        };
        let whole = plan.layer_line(*k, key, text, layer).map_err(|why| {
            let row = plan.describe(*k);
            OutputError::Row {
                path: path.to_owned(),
                line: li + 3,
                why: format!("{why} (a per-layer row of {row})"),
            }
        })?;
        offset += line.len();
        layer += 1;
        if whole {
            (have, layer, keep) = (have + 1, 0, offset);
            current = None;
        }
    }
    Ok((have, keep))
}

/// Merges the layers files beside part files `parts` of `plan`'s shards
/// (each `NAME.layers.csv`): the layers file one unsharded run writes.
/// Every row's per-layer rows must be in one of them, whole.
pub fn merge_layers(plan: &Plan<'_>, parts: &[PathBuf]) -> Result<String, OutputError> {
    let paths: Vec<PathBuf> = parts.iter().map(|p| layers_path(p)).collect();
    let mut merged = Merged::new(plan, paths.clone());
    let columns = plan.layer_columns();
    for (pi, path) in paths.into_iter().enumerate() {
        let text = crate::bounded::read_to_string(&path, crate::bounded::MAX_RESULTS_BYTES)
            .map_err(io("read", &path))?;
        let first = text.split_inclusive('\n').next().unwrap_or("");
        // The results file's first line but for its tag.
        let as_results = first
            .trim_end()
            .strip_prefix(&format!("# {LAYERS_FORMAT} "))
            .map(|rest| format!("# {} {rest}", csv::FORMAT));
        let ours = as_results
            .as_deref()
            .and_then(Digests::parse)
            .is_some_and(|(d, shard)| {
                d == plan.digests && shard.is_none_or(|s| s.parse::<Shard>().is_ok())
            });
        if !ours {
            return Err(OutputError::OtherSpec {
                path,
                found: first.trim_end().to_owned(),
                expected: layers_header_line(&plan.digests, None)
                    .trim_end()
                    .to_owned(),
            });
        }
        let Some(body) = text[first.len()..].strip_prefix(&columns) else {
            return Err(OutputError::Columns {
                path,
                expected: columns.trim_end().to_owned(),
            });
        };
        let mut current: Option<(usize, Vec<String>, String, usize)> = None;
        for (li, line) in body.split_inclusive('\n').enumerate() {
            let Some(text) = line.strip_suffix('\n') else {
                break;
            };
            let bad = |why: String| OutputError::Row {
                path: path.clone(),
                line: li + 3,
                why,
            };
            let (k, key, lines, layer) = match current.take() {
                Some(c) => c,
                None => {
                    let mut key = csv::split(text);
                    key.truncate(plan.key_fields());
                    let k = plan
                        .find(&key)
                        .ok_or_else(|| bad("is not a row of this sweep".to_owned()))?;
                    (k, key, String::new(), 0)
                }
            };
            let whole = plan
                .layer_line(k, &key, text, layer)
                .map_err(|why| bad(format!("{why} (a per-layer row of {})", plan.describe(k))))?;
            let lines = lines + line;
            if !whole {
                current = Some((k, key, lines, layer + 1));
                continue;
            }
            merged.keep(k, lines, pi)?;
        }
    }
    merged.text(layers_header_line(&plan.digests, None), &columns)
}

/// Refuses a run without `--per-layer` onto results whose layers file at
/// `path` is this sweep's: its rows would stop where this run starts.
pub fn check_no_layers(
    plan: &Plan<'_>,
    shard: Option<Shard>,
    path: &Path,
) -> Result<(), OutputError> {
    let Ok(mut file) = File::open(path) else {
        return Ok(());
    };
    let first = layers_header_line(&plan.digests, shard);
    let mut head = vec![0; first.len()];
    let same = std::io::Read::read_exact(&mut file, &mut head).is_ok() && head == first.as_bytes();
    if same {
        return Err(OutputError::LayersLeft {
            path: path.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_file_names() {
        let p = |s: &str| layers_path(Path::new(s)).display().to_string();
        assert_eq!(p("out.csv"), "out.layers.csv");
        assert_eq!(p("dir/run.1.csv"), "dir/run.1.layers.csv");
        assert_eq!(p("results"), "results.layers.csv");
        assert_eq!(p("r.txt"), "r.txt.layers.csv");
    }
}
