//! `nnc.schedule`: the options of `nnc schedule` (the flags' names with
//! underscores, values typed), the search, and the schedule file it gives;
//! `nnc.diff` of two schedule files.

use crate::errors::{self, NoScheduleError};
use crate::inputs::{Hardware, Network};
use crate::run;
use nnc::diag::{Diagnostic, Report};
use nnc::report::{diff::diff as diff_files, html};
use nnc::schedule::read::{self, SavedSchedule};
use nnc::{
    Compat, Goal, Options, PerData, PipelineOptions, RangeError, SearchError, Solver, Widening,
    TimeOverhead,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A schedule file, as `nnc schedule -o` writes it: what `nnc.schedule`
/// returns (the Python `Schedule` wraps it).
#[pyclass(module = "nnc", frozen)]
pub(crate) struct Schedule {
    /// The file's text.
    json: String,
    /// Where it came from, for diagnostics (`<schedule of NAME>` or a path).
    origin: String,
}

#[pymethods]
impl Schedule {
    /// The schedule file's text: byte for byte what `nnc schedule -o` writes.
    fn to_json(&self) -> &str {
        &self.json
    }

    /// Where it came from.
    #[getter]
    fn origin(&self) -> &str {
        &self.origin
    }

    /// The HTML report (`nnc report`): one self-contained page.
    fn report_html(&self) -> PyResult<String> {
        Ok(html::html(&self.saved()?))
    }
}

impl Schedule {
    /// The file read back as `nnc report` and `nnc diff` read it.
    fn saved(&self) -> PyResult<SavedSchedule> {
        read::from_text(&self.json, &self.origin).map_err(|e| errors::input(&e.report(&self.json)))
    }
}

/// Reads a schedule file's `text` (from `origin`), checking it is one.
#[pyfunction]
pub(crate) fn read_schedule(text: String, origin: String) -> PyResult<Schedule> {
    let s = Schedule { json: text, origin };
    s.saved()?;
    Ok(s)
}

/// `nnc diff`: the rendered difference of two schedules, and whether they
/// hold the same schedule.
#[pyfunction]
pub(crate) fn diff(a: &Schedule, b: &Schedule) -> PyResult<(String, bool)> {
    let d = diff_files(&a.saved()?, &a.origin, &b.saved()?, &b.origin);
    Ok((d.render(), d.is_equal()))
}

/// The search options, by the names of `nnc schedule`'s flags.
pub(crate) struct Flags {
    batch: i128,
    solver: String,
    /// `None` (or a flag of `None`): the model's default, as on the
    /// command line.
    partition: Option<String>,
    batch_partition: Option<bool>,
    ifmap_partition: Option<bool>,
    access_forwarding: Option<bool>,
    gbuf_sharing: bool,
    interlayer: Option<bool>,
    save_writeback: Option<bool>,
    basic_interlayer: bool,
    pipeline_time_overhead: Option<f64>,
    pipeline_max_degree: Option<i128>,
    no_bypass: String,
    goal: String,
    top: i128,
    threads: Option<i128>,
    compat: Option<String>,
}

/// The value of `key` in `flags`, `default` when it is absent or `None`;
/// one of the wrong type is a `TypeError` naming it.
fn flag<'py, T>(flags: &Bound<'py, PyDict>, key: &str, default: T) -> PyResult<T>
where
    T: for<'a> FromPyObject<'a, 'py, Error = PyErr>,
{
    match flags.get_item(key)? {
        Some(v) if !v.is_none() => v
            .extract::<T>()
            .map_err(|e| PyTypeError::new_err(format!("{key}: {e}"))),
        _ => Ok(default),
    }
}

impl Flags {
    /// The flags of a dictionary (the Python wrapper has checked the names).
    fn from_dict(d: &Bound<'_, PyDict>) -> PyResult<Self> {
        Ok(Flags {
            batch: flag(d, "batch", 1)?,
            solver: flag(d, "solver", "exhaustive".to_owned())?,
            partition: flag(d, "partition", None)?,
            batch_partition: flag(d, "batch_partition", None)?,
            ifmap_partition: flag(d, "ifmap_partition", None)?,
            access_forwarding: flag(d, "access_forwarding", None)?,
            gbuf_sharing: flag(d, "gbuf_sharing", false)?,
            interlayer: flag(d, "interlayer", None)?,
            save_writeback: flag(d, "save_writeback", None)?,
            basic_interlayer: flag(d, "basic_interlayer", false)?,
            pipeline_time_overhead: flag(d, "pipeline_time_overhead", None)?,
            pipeline_max_degree: flag(d, "pipeline_max_degree", None)?,
            no_bypass: flag(d, "no_bypass", String::new())?,
            goal: flag(d, "goal", "e".to_owned())?,
            top: flag(d, "top", 1)?,
            threads: flag(d, "threads", None)?,
            compat: flag(d, "compat", None)?,
        })
    }
}

/// `value` if it is one of `choices` (by name), else a usage error that
/// lists them.
fn pick<T: Copy>(key: &str, value: &str, choices: &[(&str, T)]) -> PyResult<T> {
    choices
        .iter()
        .find(|(n, _)| *n == value)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<String> = choices.iter().map(|(n, _)| format!("'{n}'")).collect();
            errors::usage(format!(
                "{key}='{value}' is not one of {}",
                names.join(", ")
            ))
        })
}

/// `value` if it is from 1 to `max`, else a usage error saying so.
fn count(key: &str, value: i128, max: u64, why: &str) -> PyResult<u64> {
    u64::try_from(value)
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| errors::usage(format!("{key}={value}: must be between 1 and {max}{why}")))
}

impl Flags {
    /// The library's options, checked as the command line checks its flags.
    fn options(&self) -> PyResult<Options> {
        let batch = count(
            "batch",
            self.batch,
            nnc::MAX_BATCH,
            " (2^44; larger batches would overflow the model's counts)",
        )?;
        let top = count(
            "top",
            self.top,
            nnc::MAX_TOP as u64,
            " (the search ranks the square of it at every layer)",
        )?;
        let hybrid = match self.partition.as_deref() {
            None => None,
            Some(p) => Some(pick(
                "partition",
                p,
                &[("naive", false), ("hybrid", true)],
            )?),
        };
        let widening = Widening {
            hybrid,
            batch_partition: self.batch_partition,
            ifmap_partition: self.ifmap_partition,
            access_forwarding: self.access_forwarding,
            save_writeback: self.save_writeback,
            interlayer: self.interlayer,
        };
        let time_overhead = match self.pipeline_time_overhead {
            None => None,
            Some(x) => Some(TimeOverhead::new(x).ok_or_else(|| {
                errors::usage(format!(
                    "pipeline_time_overhead={x}: use a number of 0 or more, e.g. 0.5 (50%), or math.inf"
                ))
            })?),
        };
        let max_degree = match self.pipeline_max_degree {
            None => None,
            Some(n) => Some(count("pipeline_max_degree", n, u64::MAX, "")?),
        };
        let compat = match self.compat.as_deref() {
            None => Compat::Nnc,
            Some(c) => pick(
                "compat",
                c,
                &[("nn_dataflow", Compat::NnDataflow), ("nnc", Compat::Nnc)],
            )?,
        };
        Options::builder()
            .batch(batch)
            .widening(widening)
            .gbuf_sharing(self.gbuf_sharing)
            .bypass(self.bypass()?)
            .solver(pick(
                "solver",
                &self.solver,
                &[
                    ("exhaustive", Solver::Exhaustive),
                    ("analytic", Solver::Analytic),
                ],
            )?)
            .goal(pick(
                "goal",
                &self.goal,
                &[("e", Goal::E), ("d", Goal::D), ("ed", Goal::Ed)],
            )?)
            .top(usize::try_from(top).unwrap_or(usize::MAX))
            .pipeline_rules(PipelineOptions {
                spatial: false,
                temporal: false,
                basic: self.basic_interlayer,
                max_degree,
                time_overhead,
            })
            .compat(compat)
            .build()
            .map_err(|e| errors::usage(e.to_string()))
    }

    /// `no_bypass`: per data kind (filters, ifmaps, ofmaps), may it bypass
    /// the global buffer?
    fn bypass(&self) -> PyResult<PerData<bool>> {
        let mut bypass = [true; 3];
        for item in self.no_bypass.split(',').map(str::trim) {
            match item {
                "" => {}
                "f" => bypass[0] = false,
                "i" => bypass[1] = false,
                "o" => bypass[2] = false,
                other => {
                    return Err(errors::usage(format!(
                        "no_bypass: '{other}' is not a data kind: use i (ifmaps), o (ofmaps) or f (filters), e.g. 'i,o,f'"
                    )));
                }
            }
        }
        Ok(PerData(bypass))
    }

    /// `threads`, checked.
    fn threads(&self) -> PyResult<Option<usize>> {
        self.threads
            .map(|n| count("threads", n, 1024, "").map(|n| n as usize))
            .transpose()
    }
}

/// Schedules `network` on `hardware` under `flags` (a dict of option
/// names and values), the GIL released and Ctrl-C heeded: the schedule
/// file `nnc schedule -o` writes for the same inputs.
#[pyfunction]
pub(crate) fn schedule(
    py: Python<'_>,
    network: &Network,
    hardware: &Hardware,
    flags: &Bound<'_, PyDict>,
) -> PyResult<Schedule> {
    let flags = Flags::from_dict(flags)?;
    let options = flags.options()?;
    let (net, hw) = (&network.net, &hardware.hw);
    let found = run::cancellable(py, flags.threads()?, |cancel| {
        let mut file = nnc::schedule_cancellable(net, hw, &options, &|_, _| {}, cancel)?;
        // The measured hints, as `nnc schedule` gives them
        // (docs/model/bound.md#hints).
        file.hints = nnc::schedule::hints::hints(net, hw, &options, &file)?;
        Ok(file)
    })?;
    let mut file = found.map_err(|e| search_error(e, net, hw))?;
    file.inputs.network_sha256 = Some(nnc::sha256::hex(network.source.as_bytes()));
    let json = nnc::schedule::to_text(&file)
        .map_err(|e| errors::usage(format!("cannot write the schedule: {e}")))?;
    Ok(Schedule {
        json,
        origin: format!("<schedule of {}>", net.name()),
    })
}

/// A failed search as the command line reports it: a batch or hardware
/// beyond the model's limits is a usage error, no schedule its own.
fn search_error(e: SearchError, net: &nnc::Network, hw: &nnc::Hardware) -> PyErr {
    match e {
        SearchError::Range(RangeError::Batch { .. }) => {
            errors::usage(format!("batch is too large for `{}`: {e}", net.name()))
        }
        SearchError::Range(RangeError::Hardware { .. }) => {
            errors::usage(format!("hardware `{}` is out of range: {e}", hw.name))
        }
        SearchError::Internal(why) => errors::Error::new_err(errors::text(&Report::one(
            "",
            "",
            Diagnostic::internal(why),
        ))),
        SearchError::CompatDataflow(_) | SearchError::CompatSram => errors::usage(e.to_string()),
        SearchError::Layer { .. } | SearchError::TimeOverflow | SearchError::Cancelled => {
            NoScheduleError::new_err(errors::text(&Report::error(format!(
                "no valid schedule of `{}` on `{}`: {e}",
                net.name(),
                hw.name
            ))))
        }
    }
}
