//! `nnc.sweep`: a spec (docs/sweep.md) run as `nnc sweep` runs it, on
//! rayon's threads, rows in grid order; resumable through a results file;
//! with every row's schedule file kept when per-layer rows are asked for.

use crate::errors;
use crate::run;
use nnc::diag::Report;
use nnc::load::{self, LoadError};
use nnc::sweep::{self as sw, OutputError, Plan};
use pyo3::prelude::*;
use std::path::{Path, PathBuf};

/// What a sweep gives Python.
#[derive(IntoPyObject)]
pub(crate) struct SweepRun {
    /// The results file's text (`nnc sweep -o`), every row.
    csv: String,
    /// With `layers`: each row's schedule file (`None` without one), in
    /// grid order.
    schedules: Option<Vec<Option<String>>>,
    /// The base hardware's energy unit (`pJ`, `MAC`).
    energy_unit: String,
    /// How many rows this call computed (the rest were in `out`).
    computed: usize,
}

/// The spec's text from `spec` (its TOML text) or `spec_json` (a JSON
/// object in the spec's shape, written out as TOML).
fn spec_text(spec: Option<String>, spec_json: Option<String>) -> PyResult<String> {
    match (spec, spec_json) {
        (Some(text), None) => Ok(text),
        (None, Some(json)) => {
            let value: toml::Value = serde_json::from_str(&json)
                .map_err(|e| errors::usage(format!("the sweep spec: {e}")))?;
            toml::to_string(&value).map_err(|e| errors::usage(format!("the sweep spec: {e}")))
        }
        _ => Err(errors::usage(
            "give the spec's text or its dictionary, not both",
        )),
    }
}

/// Runs the sweep of `spec` (TOML text) or `spec_json` (a dictionary as
/// JSON), shown as `name`, its paths relative to `dir`. With `out`, rows
/// are appended to that results file, and one that holds this sweep's
/// first rows is resumed. With `layers`, every row's schedule is kept
/// (rows already in `out` are computed again for theirs).
#[pyfunction]
#[pyo3(signature = (spec=None, spec_json=None, name="<sweep>", dir=".".into(), out=None, layers=false, threads=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sweep(
    py: Python<'_>,
    spec: Option<String>,
    spec_json: Option<String>,
    name: &str,
    dir: PathBuf,
    out: Option<PathBuf>,
    layers: bool,
    threads: Option<usize>,
) -> PyResult<SweepRun> {
    let text = spec_text(spec, spec_json)?;
    let spec = sw::parse_spec(&text, &dir).map_err(|e| {
        let reports: Vec<String> = e.reports(name, &text).iter().map(errors::text).collect();
        errors::InputError::new_err(reports.join("\n\n"))
    })?;
    let (networks, sources): (Vec<_>, Vec<_>) = spec
        .networks
        .iter()
        .map(|n| load::network_file(&n.path, None).map(|l| (l.network, l.source)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| match e {
            LoadError::Unreadable(r) => errors::usage_report(&r),
            LoadError::Invalid(r) => errors::input(&r),
        })?
        .into_iter()
        .unzip();
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    let plan = Plan::new(&spec, &networks, &sources)
        .map_err(|e| errors::input(&Report::one(name, &text, e.diagnostic())))?;
    let energy_unit = spec.base.energy_unit.to_string();
    let total = plan.rows();
    let mut file = match &out {
        None => None,
        Some(path) => Some(sw::open_results(&plan, None, path, false).map_err(output_error)?),
    };
    let done = file.as_ref().map_or(0, |f| f.done.min(total));
    // Without `layers`, the rows in `out` already are not computed again.
    let first = if layers { 0 } else { done };
    let mut csv = sw::header_line(&plan.digests, None) + &plan.columns();
    let mut schedules = Vec::new();
    let ran = run::cancellable(py, threads, |cancel| {
        let plan = plan.with_cancel(cancel);
        let mut at = first;
        let mut on_row = |(line, schedule): (String, Option<String>)| {
            // A row cancelled midway is no result: never written.
            if cancel.is_cancelled() {
                return Err(None);
            }
            if let Some(f) = file.as_mut().filter(|_| at >= done) {
                f.append(&line).map_err(Some)?;
            }
            at += 1;
            csv.push_str(&line);
            schedules.push(schedule);
            Ok(())
        };
        let row = |k, design: &sw::Design, shared: &nnc::SharedSearch| {
            if !layers {
                return (plan.row_shared(k, design, shared), None);
            }
            let found = plan.schedule_row(k, design, shared);
            let schedule = found
                .as_ref()
                .ok()
                .and_then(|f| nnc::schedule::to_text(f).ok());
            (plan.line(k, design, &found), schedule)
        };
        sw::run_ordered_with(&plan, first..total, &row, &mut on_row)
    })?;
    ran.or_else(|e| match e {
        Some(e) => Err(output_error(e)),
        // Cancelled: the signal's exception was raised already.
        None => Ok(()),
    })?;
    let computed = total - first;
    if let Some(path) = &out {
        // Every row, those of earlier runs too.
        csv = read_text(path)?;
    }
    Ok(SweepRun {
        csv,
        schedules: layers.then_some(schedules),
        energy_unit,
        computed,
    })
}

/// A results file's text.
fn read_text(path: &Path) -> PyResult<String> {
    std::fs::read_to_string(path)
        .map_err(|e| errors::usage(format!("cannot read `{}`: {e}", path.display())))
}

/// A results file's error, as the command line's exit code says.
fn output_error(e: OutputError) -> PyErr {
    if e.is_usage() {
        errors::usage_report(&e.report())
    } else {
        errors::input(&e.report())
    }
}
