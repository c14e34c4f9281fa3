//! The results file on disk (docs/sweep.md#resuming): rows appended whole,
//! a run that finds its own rows continues after them, another spec's file
//! is refused; and merging shards' part files into one.

use super::Shard;
use super::csv::{self, header_line};
use super::grid::Plan;
use crate::diag::{Code, Diagnostic, Report};
use std::collections::HashMap;
use std::io::Write;
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
            OutputError::Io { .. } => Report::error(self.to_string()),
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

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.to_owned();
    move |source| OutputError::Io { what, path, source }
}

/// A results file open for appending rows.
#[derive(Debug)]
pub struct ResultsFile {
    file: std::fs::File,
    path: PathBuf,
    /// How many of this run's rows the file already held.
    pub done: usize,
}

impl ResultsFile {
    /// Appends one complete line (one write, then a flush), so a kill
    /// leaves whole rows.
    pub fn append(&mut self, line: &str) -> Result<(), OutputError> {
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(io("write", &self.path))
    }
}

/// Opens `path` for the rows of `plan` in `shard` (all rows without one):
/// creates it with its two header lines, or, if it holds rows of this very
/// sweep and shard, keeps them (dropping a torn last line) and continues
/// after them. A file of another spec or shard, or whose rows are not this
/// sweep's first rows, is refused.
pub fn open_results(
    plan: &Plan<'_>,
    shard: Option<Shard>,
    path: &Path,
) -> Result<ResultsFile, OutputError> {
    let first = header_line(&plan.spec.sha256, shard);
    let header = format!("{first}{}", plan.columns());
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| OutputError::NotResults {
            path: path.to_owned(),
            why: "it is not UTF-8 text".into(),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io("read", path)(e)),
    };
    let mut keep = header.len();
    let mut done = 0;
    if text.len() < header.len() && header.starts_with(&text) {
        // New, or killed while writing its header.
        keep = 0;
    } else {
        check_first_line(&text, &first, path)?;
        if !text.starts_with(&header) {
            return Err(OutputError::Columns {
                path: path.to_owned(),
                expected: plan.columns().trim_end().to_owned(),
            });
        }
        let rest = &text[header.len()..];
        let complete = rest.rfind('\n').map_or(0, |i| i + 1);
        let rows: Vec<usize> = shard_rows(plan, shard);
        for (i, row) in rest[..complete].lines().enumerate() {
            let expected = rows.get(i).map(|&k| plan.key_prefix(k));
            if expected
                .as_ref()
                .is_none_or(|e| !row.starts_with(e.as_str()))
            {
                return Err(OutputError::Row {
                    path: path.to_owned(),
                    line: i + 3,
                    why: match rows.get(i) {
                        Some(&k) => format!("should be the row of {}", plan.describe(k)),
                        None => "is beyond the sweep's last row".to_owned(),
                    },
                });
            }
            done += 1;
        }
        keep += complete;
    }
    // Drop a torn last line (or a torn header), then append.
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(path)
        .and_then(|f| f.set_len(keep as u64))
        .map_err(io("truncate", path))?;
    let mut results = ResultsFile {
        file: std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(io("open", path))?,
        path: path.to_owned(),
        done,
    };
    if keep == 0 {
        results.append(&header)?;
    }
    Ok(results)
}

/// The rows of `shard`, in grid order.
pub fn shard_rows(plan: &Plan<'_>, shard: Option<Shard>) -> Vec<usize> {
    (0..plan.rows())
        .filter(|&k| shard.is_none_or(|s| s.owns(k)))
        .collect()
}

fn check_first_line(text: &str, expected: &str, path: &Path) -> Result<(), OutputError> {
    let found = text.split_inclusive('\n').next().unwrap_or("");
    if found == expected {
        return Ok(());
    }
    if found.starts_with(&format!("# {}", csv::FORMAT)) {
        return Err(OutputError::OtherSpec {
            path: path.to_owned(),
            found: found.trim_end().to_owned(),
            expected: expected.trim_end().to_owned(),
        });
    }
    Err(OutputError::NotResults {
        path: path.to_owned(),
        why: format!("its first line is not `{}`", expected.trim_end()),
    })
}

/// Merges part files of `plan`'s shards: every row must be in exactly one
/// of them. The text is the results file one unsharded run writes.
pub fn merge(plan: &Plan<'_>, parts: &[PathBuf]) -> Result<String, OutputError> {
    let total = plan.rows();
    let index: HashMap<Vec<String>, usize> = (0..total).map(|k| (plan.key(k), k)).collect();
    let mut rows: Vec<Option<(String, usize)>> = vec![None; total];
    let columns = plan.columns();
    let prefix = format!("# {} spec={}", csv::FORMAT, plan.spec.sha256);
    for (pi, path) in parts.iter().enumerate() {
        let text = std::fs::read_to_string(path).map_err(io("read", path))?;
        let first = text.split_inclusive('\n').next().unwrap_or("");
        let rest_of_first = first.strip_prefix(&prefix).map(str::trim_end);
        let shard_ok = rest_of_first.is_some_and(|r| {
            r.is_empty()
                || r.strip_prefix(" shard=")
                    .is_some_and(|s| s.parse::<Shard>().is_ok())
        });
        if !shard_ok {
            check_first_line(&text, &header_line(&plan.spec.sha256, None), path)?;
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
            let Some(&k) = index.get(&fields) else {
                return Err(OutputError::Row {
                    path: path.clone(),
                    line: li + 3,
                    why: "is not a row of this sweep".to_owned(),
                });
            };
            if let Some((_, other)) = &rows[k] {
                return Err(OutputError::Duplicate {
                    point: plan.describe(k),
                    first: parts[*other].clone(),
                    second: path.clone(),
                });
            }
            rows[k] = Some((format!("{line}\n"), pi));
        }
    }
    let missing: Vec<usize> = (0..total).filter(|&k| rows[k].is_none()).collect();
    if !missing.is_empty() {
        return Err(OutputError::Missing {
            count: missing.len(),
            total,
            first: missing.iter().take(3).map(|&k| plan.describe(k)).collect(),
        });
    }
    let mut out = header_line(&plan.spec.sha256, None);
    out.push_str(&columns);
    for (line, _) in rows.into_iter().flatten() {
        out.push_str(&line);
    }
    Ok(out)
}
