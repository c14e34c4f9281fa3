//! The results file on disk (docs/sweep.md#resuming): rows appended whole,
//! a run that finds its own rows continues after them, another spec's file
//! is refused; and merging shards' part files into one.

use super::Shard;
use super::csv::{self, Digests, header_line};
use super::grid::Plan;
use crate::diag::{Code, Diagnostic, Report};
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a results or part file cannot be used.
#[derive(Debug, Error)]
pub enum OutputError {
    /// Reading or writing failed.
    #[error("cannot {what} `{}`: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file belongs to another spec (or another shard).
    #[error("`{}` holds the results of another sweep: its first line is `{found}`, this sweep's is `{expected}` (use another -o file, or remove it)", path.display())]
    OtherSpec {
        /// The file.
        path: PathBuf,
        /// Its first line.
        found: String,
        /// This sweep's.
        expected: String,
    },
    /// The file holds results of this sweep's spec for other inputs: a
    /// network or the hardware file changed since they were written.
    #[error("`{}` holds results of other inputs: {changed} changed since they were written (use another -o file, or remove it)", path.display())]
    Changed {
        /// The file.
        path: PathBuf,
        /// Which input changed, in words.
        changed: String,
    },
    /// Another process is writing the file.
    #[error("`{}` is being written by {holder}: wait for it (or give --wait), or use another -o file", path.display())]
    Locked {
        /// The file.
        path: PathBuf,
        /// Who holds it: `process 1234`, or `another process`.
        holder: String,
    },
    /// A results file of an older nnc, whose rows have no checksums.
    #[error("`{}` was written by an older nnc ({}): its rows have no checksums, so it cannot be resumed or merged; run the sweep again into another -o file (`nnc report` still reads it)", path.display(), csv::FORMAT_V1)]
    OldFormat {
        /// The file.
        path: PathBuf,
    },
    /// Not a results file of this sweep at all.
    #[error("`{}` is not a results file of this sweep: {why}", path.display())]
    NotResults {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// A results file whose columns are not this sweep's.
    #[error("`{}` is not a results file of this sweep: its columns are not `{expected}`", path.display())]
    Columns {
        /// The file.
        path: PathBuf,
        /// This sweep's columns.
        expected: String,
    },
    /// A row that is not the one of this sweep expected there.
    #[error("`{}` is not a results file of this sweep: line {line} {why}", path.display())]
    Row {
        /// The file.
        path: PathBuf,
        /// The row's line, from 1.
        line: usize,
        /// What it should be.
        why: String,
    },
    /// A layers file that lacks per-layer rows of rows its results file
    /// holds: the results were written without `--per-layer`.
    #[error("`{}` lacks the per-layer rows of {} of the {done} rows its results file holds (written without --per-layer): they cannot be added; remove the results to start again, or run without --per-layer", path.display(), done - have)]
    LayersBehind {
        /// The layers file.
        path: PathBuf,
        /// How many rows the results file holds.
        done: usize,
        /// Of which the layers file holds.
        have: usize,
    },
    /// A run without `--per-layer` onto results whose layers file is this
    /// sweep's: it would stop where the run starts.
    #[error("`{}` holds this sweep's per-layer rows: give --per-layer to continue it with the results (or remove it)", path.display())]
    LayersLeft {
        /// The layers file.
        path: PathBuf,
    },
    /// Merging: a point is in two part files (or twice in one).
    #[error("{point} is in `{}` and again in `{}`", first.display(), second.display())]
    Duplicate {
        /// The point.
        point: String,
        /// Where it was first.
        first: PathBuf,
        /// Where again.
        second: PathBuf,
    },
    /// Merging: points no part file has.
    #[error("{count} of {total} rows are in no part file, the first: {}", first.join("; "))]
    Missing {
        /// How many are missing.
        count: usize,
        /// Of how many.
        total: usize,
        /// The first few, described.
        first: Vec<String>,
    },
}

impl OutputError {
    /// Is it the user's command (exit code 2) rather than a file's content
    /// (exit code 1)?
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            OutputError::Duplicate { .. } | OutputError::Missing { .. }
        )
    }

    /// The error as a diagnostic: a coded one (`R010`–`R013`,
    /// docs/diagnostics.md#files-read-back) about a results or part file,
    /// or a usage error when the file cannot be read or written.
    pub fn report(&self) -> Report {
        let file = |path: &Path| path.display().to_string();
        let at_line = |code, path: &Path, line: usize, message: String| {
            let d = Diagnostic::new(code, message).at(format!("line {line}"));
            Report::one(file(path), "", d)
        };
        match self {
            OutputError::Io { .. }
            | OutputError::Locked { .. }
            | OutputError::LayersBehind { .. }
            | OutputError::LayersLeft { .. } => Report::error(self.to_string()),
            OutputError::Changed { path, changed } => {
                let d = Diagnostic::new(
                    Code::ResultsOtherSweep,
                    format!(
                        "the results are of other inputs: {changed} changed since they were written"
                    ),
                )
                .at("line 1")
                .help("use another -o file, or remove it to start again");
                Report::one(file(path), "", d)
            }
            OutputError::OtherSpec {
                path,
                found,
                expected,
            } => {
                let d = Diagnostic::new(
                    Code::ResultsOtherSweep,
                    "a results file of another sweep or shard",
                )
                .at("line 1")
                .note(format!("its first line is `{found}`"))
                .note(format!("this sweep's is `{expected}`"))
                .help("use another -o file, or remove it");
                Report::one(file(path), "", d)
            }
            OutputError::OldFormat { path } => {
                let d = Diagnostic::new(
                    Code::ResultsOtherSweep,
                    format!(
                        "a results file of an older nnc (`{}`): its rows have no checksums, so it cannot be resumed or merged",
                        csv::FORMAT_V1
                    ),
                )
                .at("line 1")
                .help("run the sweep again into another -o file (`nnc report` still reads this one)");
                Report::one(file(path), "", d)
            }
            OutputError::NotResults { path, why } => at_line(
                Code::ResultsNoFormat,
                path,
                1,
                format!("not a results file of this sweep: {why}"),
            ),
            OutputError::Columns { path, expected } => at_line(
                Code::ResultsColumns,
                path,
                2,
                format!("the columns are not this sweep's: `{expected}`"),
            ),
            OutputError::Row { path, line, why } => {
                at_line(Code::ResultsRow, path, *line, format!("line {line} {why}"))
            }
            OutputError::Duplicate {
                point,
                first,
                second,
            } => {
                let d = Diagnostic::new(
                    Code::ResultsDuplicate,
                    format!("{point} is in two part files"),
                )
                .note(format!("it is in `{}` too", first.display()))
                .help("give each shard's part file once");
                Report::one(file(second), "", d)
            }
            OutputError::Missing { .. } => {
                let d = Diagnostic::new(Code::ResultsMissing, self.to_string())
                    .at("--merge")
                    .help("give every shard's part file, each run to its end");
                Report::one("", "", d)
            }
        }
    }
}

pub(super) fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.to_owned();
    move |source| OutputError::Io { what, path, source }
}

/// A results file open for appending rows, locked against other writers
/// while it is (the lock goes with the process, a kill included).
#[derive(Debug)]
pub struct ResultsFile {
    file: File,
    path: PathBuf,
    /// How many of this run's rows the file already held.
    pub done: usize,
}

impl ResultsFile {
    /// Appends one complete line (one write, then a flush), so a kill
    /// leaves whole rows.
    pub fn append(&mut self, line: &str) -> Result<(), OutputError> {
        append_flushed(&mut self.file, &self.path, line)
    }
}

/// Appends `text` to `file` in one write, then flushes, so a kill leaves
/// whole lines.
pub(super) fn append_flushed(file: &mut File, path: &Path, text: &str) -> Result<(), OutputError> {
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(io("write", path))
}

/// Opens `path` for reading and appending (created if missing), locked
/// against other writers (waiting when `wait`), with its text: a results or
/// layers file being resumed. Refused if it is not UTF-8 text.
pub(super) fn open_locked(path: &Path, wait: bool) -> Result<(File, String), OutputError> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io("open", path))?;
    lock(&file, path, wait)?;
    let bytes = crate::bounded::read_from(&mut file, crate::bounded::MAX_RESULTS_BYTES)
        .map_err(io("read", path))?;
    let text = String::from_utf8(bytes).map_err(|_| OutputError::NotResults {
        path: path.to_owned(),
        why: "it is not UTF-8 text".into(),
    })?;
    Ok((file, text))
}

/// Opens `path` for the rows of `plan` in `shard` (all rows without one),
/// locked (waiting for another writer when `wait`, else refusing):
/// creates it with its two header lines, or, if it holds rows of this very
/// sweep, inputs and shard, keeps them (dropping a torn last line) and
/// continues after them. A file of another spec, other inputs or another
/// shard, or with a row that is not this sweep's as nnc writes it, is
/// refused.
pub fn open_results(
    plan: &Plan<'_>,
    shard: Option<Shard>,
    path: &Path,
    wait: bool,
) -> Result<ResultsFile, OutputError> {
    let first = header_line(&plan.digests, shard);
    let header = format!("{first}{}", plan.columns());
    let (mut file, text) = open_locked(path, wait)?;
    let (keep, done) = if text.len() < header.len() && header.starts_with(&text) {
        // New, or killed while writing its header.
        (0, 0)
    } else {
        check_first_line(&text, &first, path, plan)?;
        if !text.starts_with(&header) {
            return Err(OutputError::Columns {
                path: path.to_owned(),
                expected: plan.columns().trim_end().to_owned(),
            });
        }
        let rest = &text[header.len()..];
        let complete = rest.rfind('\n').map_or(0, |i| i + 1);
        let mut rows = shard_rows(plan, shard);
        let mut done = 0;
        for (i, row) in rest[..complete].lines().enumerate() {
            let why = match rows.next() {
                Some(k) => csv::row_problem(row, &plan.key(k), plan.columns_count(), true)
                    .map(|w| format!("{w} (the row of {})", plan.describe(k))),
                None => Some("is beyond the sweep's last row".to_owned()),
            };
            if let Some(why) = why {
                return Err(OutputError::Row {
                    path: path.to_owned(),
                    line: i + 3,
                    why,
                });
            }
            done += 1;
        }
        (header.len() + complete, done)
    };
    // Drop a torn last line (or a torn header), then append.
    file.set_len(keep as u64).map_err(io("truncate", path))?;
    file.seek(SeekFrom::End(0)).map_err(io("seek", path))?;
    let mut results = ResultsFile {
        file,
        path: path.to_owned(),
        done,
    };
    if keep == 0 {
        results.append(&header)?;
    }
    Ok(results)
}

/// Locks `file` (at `path`) for writing: at once, or refused naming the
/// holder; waiting for it when `wait`.
pub(super) fn lock(file: &File, path: &Path, wait: bool) -> Result<(), OutputError> {
    if wait {
        return file.lock().map_err(io("lock", path));
    }
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(OutputError::Locked {
            path: path.to_owned(),
            holder: holder(file).map_or("another process".to_owned(), |p| format!("process {p}")),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(io("lock", path)(e)),
    }
}

/// The process holding a lock on `file`, as Linux lists it in
/// `/proc/locks` (`1: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF`);
/// `None` elsewhere or if not found.
fn holder(file: &File) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let inode = file.metadata().ok()?.ino();
        let locks = std::fs::read_to_string("/proc/locks").ok()?;
        locks.lines().find_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let at = w.iter().position(|&x| x == "WRITE" || x == "READ")?;
            let pid = w.get(at + 1)?.parse().ok()?;
            let ino: u64 = w.get(at + 2)?.rsplit(':').next()?.parse().ok()?;
            (ino == inode).then_some(pid)
        })
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        None
    }
}

/// The rows of `shard`, in grid order.
pub fn shard_rows(plan: &Plan<'_>, shard: Option<Shard>) -> impl Iterator<Item = usize> + use<> {
    (0..plan.rows()).filter(move |&k| shard.is_none_or(|s| s.owns(k)))
}

/// How many rows `shard` has (all rows without one).
pub fn shard_len(plan: &Plan<'_>, shard: Option<Shard>) -> usize {
    match shard {
        None => plan.rows(),
        Some(s) => (plan.rows() + s.count - 1 - s.index) / s.count,
    }
}

/// Is the first line of `text` (at `path`) `expected`, the one `plan`
/// writes? If not, why: another spec or shard, an input that changed, or
/// not a results file.
fn check_first_line(
    text: &str,
    expected: &str,
    path: &Path,
    plan: &Plan<'_>,
) -> Result<(), OutputError> {
    let found = text.split_inclusive('\n').next().unwrap_or("");
    if found == expected {
        return Ok(());
    }
    let other_spec = || OutputError::OtherSpec {
        path: path.to_owned(),
        found: found.trim_end().to_owned(),
        expected: expected.trim_end().to_owned(),
    };
    if let Some((d, _)) = Digests::parse(found.trim_end()) {
        let ours = &plan.digests;
        if d.spec != ours.spec || d.networks.len() != ours.networks.len() {
            return Err(other_spec());
        }
        let mut changed: Vec<String> = Vec::new();
        if d.hardware != ours.hardware {
            changed.push(format!("the hardware `{}`", plan.spec.hw_origin));
        }
        for (n, (a, b)) in d.networks.iter().zip(&ours.networks).enumerate() {
            if a != b {
                changed.push(format!("the network `{}`", plan.spec.networks[n].name));
            }
        }
        if !changed.is_empty() {
            return Err(OutputError::Changed {
                path: path.to_owned(),
                changed: changed.join(" and "),
            });
        }
        // Only the shard differs.
        return Err(other_spec());
    }
    if found.starts_with(&format!("# {} ", csv::FORMAT_V1)) {
        return Err(OutputError::OldFormat {
            path: path.to_owned(),
        });
    }
    if found.starts_with(&format!("# {}", csv::FORMAT)) {
        return Err(other_spec());
    }
    Err(OutputError::NotResults {
        path: path.to_owned(),
        why: format!("its first line is not `{}`", expected.trim_end()),
    })
}

/// Merges part files of `plan`'s shards: every row must be in exactly one
/// of them. The text is the results file one unsharded run writes.
pub fn merge(plan: &Plan<'_>, parts: &[PathBuf]) -> Result<String, OutputError> {
    let mut merged = Merged::new(plan, parts.to_vec());
    let columns = plan.columns();
    let ncols = plan.columns_count();
    for (pi, path) in parts.iter().enumerate() {
        let text = crate::bounded::read_to_string(path, crate::bounded::MAX_RESULTS_BYTES)
            .map_err(io("read", path))?;
        let first = text.split_inclusive('\n').next().unwrap_or("");
        let shard_ok = Digests::parse(first.trim_end()).is_some_and(|(d, shard)| {
            d == plan.digests && shard.is_none_or(|s| s.parse::<Shard>().is_ok())
        });
        if !shard_ok {
            check_first_line(&text, &header_line(&plan.digests, None), path, plan)?;
        }
        let body = &text[first.len()..];
        if !body.starts_with(&columns) {
            return Err(OutputError::Columns {
                path: path.clone(),
                expected: columns.trim_end().to_owned(),
            });
        }
        let body = &body[columns.len()..];
        // A torn last line is a row that is not there.
        let complete = body.rfind('\n').map_or(0, |i| i + 1);
        for (li, line) in body[..complete].lines().enumerate() {
            let mut fields = csv::split(line);
            fields.truncate(plan.key_fields());
            let Some(k) = plan.find(&fields) else {
                return Err(OutputError::Row {
                    path: path.clone(),
                    line: li + 3,
                    why: "is not a row of this sweep".to_owned(),
                });
            };
            if let Some(why) = csv::row_problem(line, &fields, ncols, true) {
                return Err(OutputError::Row {
                    path: path.clone(),
                    line: li + 3,
                    why: format!("{why} (the row of {})", plan.describe(k)),
                });
            }
            merged.keep(k, format!("{line}\n"), pi)?;
        }
    }
    merged.text(header_line(&plan.digests, None), &columns)
}

/// What a merge of shards' files has found so far: each row of a plan at
/// most once, with the file it came from (of the results or of the
/// layers, [`super::layers::merge_layers`]).
pub(super) struct Merged<'p> {
    plan: &'p Plan<'p>,
    /// The files merged, in order.
    paths: Vec<PathBuf>,
    /// Row `k`'s lines and the index in `paths` of the file they are in.
    rows: Vec<Option<(String, usize)>>,
}

impl<'p> Merged<'p> {
    /// Nothing found yet of `plan`'s rows, in the files `paths`.
    pub(super) fn new(plan: &'p Plan<'p>, paths: Vec<PathBuf>) -> Self {
        Merged {
            plan,
            paths,
            rows: vec![None; plan.rows()],
        }
    }

    /// Keeps `lines` as row `k`'s, found in file `part`; an error naming
    /// both files when another file has row `k` too.
    pub(super) fn keep(&mut self, k: usize, lines: String, part: usize) -> Result<(), OutputError> {
        if let Some((_, other)) = &self.rows[k] {
            return Err(OutputError::Duplicate {
                point: self.plan.describe(k),
                first: self.paths[*other].clone(),
                second: self.paths[part].clone(),
            });
        }
        self.rows[k] = Some((lines, part));
        Ok(())
    }

    /// The merged file: `header`, `columns`, then every row in plan order;
    /// an error naming the first few rows no file has.
    pub(super) fn text(self, header: String, columns: &str) -> Result<String, OutputError> {
        let total = self.rows.len();
        let missing: Vec<usize> = (0..total).filter(|&k| self.rows[k].is_none()).collect();
        if !missing.is_empty() {
            return Err(OutputError::Missing {
                count: missing.len(),
                total,
                first: missing
                    .iter()
                    .take(3)
                    .map(|&k| self.plan.describe(k))
                    .collect(),
            });
        }
        let mut out = header;
        out.push_str(columns);
        for (lines, _) in self.rows.into_iter().flatten() {
            out.push_str(&lines);
        }
        Ok(out)
    }
}
