//! The grid (docs/sweep.md#rows-and-their-order): design points are every
//! combination of the dimensions' steps, the first dimension outermost;
//! rows are networks x batches x points, in spec order.

use super::csv::{self, Digests, RESULT_COLUMNS};
use super::options::Change;
use super::spec::{SRAM_KEYS, Spec, SramRule};
use crate::hw::{self, Hardware, HwError, Set};
use crate::ir::Network;
use crate::{Cancel, RangeError, ScheduleFile, SearchError, SharedSearch, schedule_shared};
use thiserror::Error;

/// One design point: the changes of its varied keys (hardware keys and
/// search options), in column order, then those the SRAM rule derives.
#[derive(Clone, Debug)]
pub struct Point {
    /// The varied keys' changes.
    pub changes: Vec<Change>,
    /// Energies derived by the SRAM rule.
    pub derived: Vec<Set>,
}

impl Point {
    /// Every change, in column order.
    pub fn all(&self) -> impl Iterator<Item = Change> + '_ {
        self.changes
            .iter()
            .cloned()
            .chain(self.derived.iter().cloned().map(Change::Hardware))
    }

    /// The hardware changes, as `nnc schedule --set` takes them.
    pub fn sets(&self) -> impl Iterator<Item = &Set> {
        self.changes
            .iter()
            .filter_map(|c| match c {
                Change::Hardware(s) => Some(s),
                Change::Option(_) => None,
            })
            .chain(&self.derived)
    }
}

/// A point whose hardware is invalid.
#[derive(Debug, Error)]
#[error("design point {index} ({}): {error}", point.join(", "))]
pub struct PlanError {
    /// The point's place in the grid, from 0.
    pub index: usize,
    /// Its changes.
    pub point: Vec<String>,
    /// Why its hardware is invalid.
    pub error: Box<HwError>,
}

impl PlanError {
    /// The error as a diagnostic of the spec (`S013`): a point of its grid
    /// whose hardware is not valid.
    pub fn diagnostic(&self) -> crate::diag::Diagnostic {
        crate::diag::Diagnostic::new(
            crate::diag::Code::SpecPointHardware,
            format!("invalid sweep spec: {self}"),
        )
        .help("every varied value must be valid with every other: docs/hardware.md gives each key's range")
    }
}

/// A spec with its networks compiled and every point's hardware checked:
/// what a run needs.
#[derive(Debug)]
pub struct Plan<'a> {
    /// The spec.
    pub spec: &'a Spec,
    /// The networks, in spec order.
    pub networks: &'a [Network],
    /// The digests of the spec, the hardware and the networks' texts: the
    /// results file's first line.
    pub digests: Digests,
    /// The design points, in grid order.
    pub points: Vec<Point>,
    hardware: Vec<Hardware>,
    derived_keys: Vec<&'static str>,
    /// Each point's capacity group: points whose machines differ at most
    /// in the global buffer's capacity (docs/sweep.md#shared-layer-searches).
    groups: Vec<usize>,
    /// Each group's first point.
    group_first: Vec<usize>,
    /// Stops the plan's searches.
    cancel: Cancel,
}

impl<'a> Plan<'a> {
    /// The plan of `spec` over `networks` (compiled from `spec.networks`, in
    /// order, from the texts `sources`): fails on the first point whose
    /// hardware is invalid.
    pub fn new(
        spec: &'a Spec,
        networks: &'a [Network],
        sources: &[&str],
    ) -> Result<Plan<'a>, PlanError> {
        let varied: Vec<&str> = spec
            .dims
            .iter()
            .flat_map(|d| d.keys.iter().copied())
            .collect();
        let mut derived_keys: Vec<&'static str> = match spec.sram_energy {
            None => Vec::new(),
            Some(SramRule::Sqrt) => SRAM_KEYS
                .iter()
                // A varied energy is the spec's own, not the rule's.
                .filter(|(cap, e)| varied.contains(cap) && !varied.contains(e))
                .map(|(_, e)| *e)
                .collect(),
        };
        if spec.area_budget_mm2.is_some() {
            derived_keys.insert(0, GBUF_KEY);
        }
        let mut points = vec![Point {
            changes: Vec::new(),
            derived: Vec::new(),
        }];
        for d in &spec.dims {
            points = points
                .iter()
                .flat_map(|p| {
                    d.steps.iter().map(move |step| {
                        let mut changes = p.changes.clone();
                        changes.extend(step.iter().cloned());
                        Point {
                            changes,
                            derived: Vec::new(),
                        }
                    })
                })
                .collect();
        }
        let mut hardware = Vec::with_capacity(points.len());
        for (index, p) in points.iter_mut().enumerate() {
            let fail = |p: &Point, error: HwError| PlanError {
                index,
                point: p.all().map(|c| c.to_string()).collect(),
                error: Box::new(error),
            };
            if let Some(budget) = spec.area_budget_mm2 {
                // The buffer first: the rest of the point decides its size.
                let sets: Vec<Set> = p.sets().cloned().collect();
                let hw = hw::parse_with(&spec.hw_text, &spec.hw_origin, &sets)
                    .map_err(|e| fail(p, e))?;
                let bytes = hw.gbuf_bytes_within(budget).map_err(|why| {
                    fail(
                        p,
                        HwError::SetValue {
                            origin: spec.hw_origin.clone(),
                            set: format!("{GBUF_KEY} within area_budget_mm2 = {budget}"),
                            problem: hw::Problem::OutOfRange,
                            message: why,
                        },
                    )
                })?;
                let set = Set::from_value(GBUF_KEY, &toml::Value::Integer(bytes as i64)).map_err(
                    |e| {
                        fail(
                            p,
                            HwError::SetValue {
                                origin: spec.hw_origin.clone(),
                                set: GBUF_KEY.to_owned(),
                                problem: hw::Problem::OutOfRange,
                                message: e.to_string(),
                            },
                        )
                    },
                )?;
                p.derived.push(set);
            }
            if spec.sram_energy == Some(SramRule::Sqrt) {
                // The capacities first, so the rule reads the point's.
                let sets: Vec<Set> = p.sets().cloned().collect();
                let hw = hw::parse_with(&spec.hw_text, &spec.hw_origin, &sets)
                    .map_err(|e| fail(p, e))?;
                p.derived.extend(sram_sqrt(&spec.base, &hw, &derived_keys));
            }
            let sets: Vec<Set> = p.sets().cloned().collect();
            let hw =
                hw::parse_with(&spec.hw_text, &spec.hw_origin, &sets).map_err(|e| fail(p, e))?;
            hardware.push(hw);
        }
        let (groups, group_first) = capacity_groups(&hardware);
        Ok(Plan {
            spec,
            networks,
            digests: Digests::of(spec, sources),
            points,
            hardware,
            derived_keys,
            groups,
            group_first,
            cancel: Cancel::new(),
        })
    }

    /// How many rows: networks x batches x points.
    pub fn rows(&self) -> usize {
        self.networks.len() * self.spec.batches.len() * self.points.len()
    }

    /// Row `k` as (network, batch, point) indices.
    pub fn locate(&self, k: usize) -> (usize, usize, usize) {
        let (nb, np) = (self.spec.batches.len(), self.points.len());
        (k / (nb * np), (k / np) % nb, k % np)
    }

    /// The column header line.
    pub fn columns(&self) -> String {
        csv::line(&self.column_names())
    }

    /// The columns' names: network, batch, one per varied key (two for a
    /// pair: its rows and columns), the derived keys, the results, status.
    fn column_names(&self) -> Vec<String> {
        let mut cols: Vec<String> = vec!["network".into(), "batch".into()];
        cols.extend(
            self.spec
                .dims
                .iter()
                .flat_map(|d| d.keys.iter().flat_map(|k| Change::columns(k))),
        );
        cols.extend(self.derived_keys.iter().map(|k| k.to_string()));
        cols.push(AREA_COLUMN.into());
        cols.extend(RESULT_COLUMNS.iter().map(|k| k.to_string()));
        cols.push("status".into());
        cols
    }

    /// How many columns a row has: the keys, the results, the status.
    pub fn columns_count(&self) -> usize {
        self.key_fields() + RESULT_COLUMNS.len() + 1
    }

    /// How many key fields start a row: network, batch, the varied and
    /// derived keys.
    pub fn key_fields(&self) -> usize {
        self.column_names().len() - RESULT_COLUMNS.len() - 1
    }

    /// The key fields of row `k`.
    pub fn key(&self, k: usize) -> Vec<String> {
        let (n, b, p) = self.locate(k);
        let mut out = vec![
            self.spec.networks[n].name.clone(),
            self.spec.batches[b].to_string(),
        ];
        out.extend(self.points[p].all().flat_map(|c| c.cells()));
        out.push(area_cell(&self.hardware[p]));
        out
    }

    /// The key of row `k` as it starts the row's line (fields quoted as
    /// needed, with the comma that follows).
    pub fn key_prefix(&self, k: usize) -> String {
        let mut s = csv::line(&self.key(k));
        s.pop();
        s.push(',');
        s
    }

    /// The row's changes, as `nnc schedule --set` arguments, for messages.
    pub fn describe(&self, k: usize) -> String {
        let (n, b, p) = self.locate(k);
        let mut parts = vec![
            format!("network {}", self.spec.networks[n].name),
            format!("batch {}", self.spec.batches[b]),
        ];
        parts.extend(self.points[p].all().map(|c| c.to_string()));
        parts.join(", ")
    }

    /// The hardware of point `p`.
    pub fn hardware(&self, p: usize) -> &Hardware {
        &self.hardware[p]
    }

    /// Schedules row `k`: its whole line, as `nnc schedule` of the point
    /// would find it; a point without a schedule has empty results and the
    /// reason in `status`.
    pub fn row(&self, k: usize) -> String {
        self.row_shared(k, &self.shared_search(&[k]))
    }

    /// How many cache slots: one per capacity group.
    pub fn cache_slots(&self) -> usize {
        self.group_first.len()
    }

    /// Which per-node results row `k` may share: those of the rows whose
    /// points are of the same capacity group ([`SharedSearch`]).
    pub fn cache_slot(&self, k: usize) -> usize {
        let (_, _, p) = self.locate(k);
        self.groups[p]
    }

    /// Rows that are best run one after another, by one worker: the same
    /// network and batch on points of the same capacity group, whose
    /// per-node searches the first of them does for all.
    pub fn task(&self, k: usize) -> (usize, usize, usize) {
        let (n, b, p) = self.locate(k);
        (n, b, self.groups[p])
    }

    /// A session sharing the per-node searches of `rows` (grid indices, of
    /// one cache slot to share anything).
    pub fn shared_search(&self, rows: &[usize]) -> SharedSearch {
        let machines: Vec<_> = rows
            .iter()
            .map(|&k| self.hardware[self.locate(k).2].machine())
            .collect();
        SharedSearch::new(&machines).with_cancel(&self.cancel)
    }

    /// [`Plan::row`] with per-node searches shared through `shared`
    /// ([`Plan::shared_search`] of rows of the row's [`Plan::cache_slot`]).
    pub fn row_shared(&self, k: usize, shared: &SharedSearch) -> String {
        self.line(k, &self.schedule_row(k, shared))
    }

    /// Schedules row `k` through `shared`: its schedule file, or, for a
    /// point without one, its `status` (why).
    pub fn schedule_row(&self, k: usize, shared: &SharedSearch) -> Result<ScheduleFile, String> {
        let (n, b, p) = self.locate(k);
        let flags = self.points[p]
            .changes
            .iter()
            .filter_map(|c| match c {
                Change::Option(o) => Some(o),
                Change::Hardware(_) => None,
            })
            .fold(self.spec.options, |f, o| f.with(o));
        let options = flags
            .builder()
            .and_then(|o| o.batch(self.spec.batches[b]).build());
        let o = options.map_err(|e| format!("bad options: {e}"))?;
        if let Some(max) = self.spec.max_area_mm2 {
            over_area(&self.hardware[p], max)?;
        }
        schedule_shared(&self.networks[n], &self.hardware[p], &o, shared).map_err(|e| match e {
            SearchError::Layer { .. } | SearchError::TimeOverflow => format!("no schedule: {e}"),
            SearchError::Range(RangeError::Batch { .. }) => format!("batch too large: {e}"),
            SearchError::Range(_) => format!("out of range: {e}"),
            SearchError::Cancelled => "cancelled".to_owned(),
            SearchError::CompatDataflow(_) | SearchError::CompatSram => {
                format!("bad options: {e}")
            }
            SearchError::Internal(_) => format!("{e} (a bug of nnc)"),
        })
    }

    /// Row `k`'s whole line from what [`Plan::schedule_row`] found: the
    /// results and `ok`, or empty results and the status.
    pub fn line(&self, k: usize, found: &Result<ScheduleFile, String>) -> String {
        let mut fields = self.key(k);
        match found {
            Ok(file) => {
                fields.extend(csv::results(&file.totals));
                fields.push("ok".to_owned());
            }
            Err(status) => {
                fields.extend(vec![String::new(); RESULT_COLUMNS.len()]);
                fields.push(status.clone());
            }
        }
        csv::line(&fields)
    }

    /// The plan, its searches stopped by `cancel` ([`Cancel`]): a row
    /// cancelled has the status `cancelled`.
    pub fn with_cancel(self, cancel: &Cancel) -> Self {
        Plan {
            cancel: cancel.clone(),
            ..self
        }
    }
}

/// The column of a point's chip area, mm², after the keys
/// (docs/sweep.md#area): empty when the hardware has no area.
pub const AREA_COLUMN: &str = "area_mm2";

/// A point's `area_mm2` cell.
fn area_cell(hw: &Hardware) -> String {
    hw.area
        .map(|a| super::options::float(a.total_mm2))
        .unwrap_or_default()
}

/// The status of a point over `max_area_mm2` (or without an area to
/// compare): not scheduled.
fn over_area(hw: &Hardware, max: f64) -> Result<(), String> {
    match hw.area {
        None => Err("no area: the point's sizes are outside the technology tables".to_owned()),
        Some(a) if a.total_mm2 > max => Err(format!(
            "over area: {} mm² > max_area_mm2 {max}",
            hw::format_mm2(a.total_mm2)
        )),
        Some(_) => Ok(()),
    }
}

/// The key an area budget derives (docs/sweep.md#holding-the-area-fixed).
const GBUF_KEY: &str = "node.gbuf_bytes";

/// The SRAM rule: each varied capacity's energy per access is the base
/// energy times sqrt(capacity / base capacity)
/// (docs/sweep.md#the-sram-energy-rule).
fn sram_sqrt(base: &Hardware, point: &Hardware, keys: &[&'static str]) -> Vec<Set> {
    keys.iter()
        .filter_map(|&key| {
            let (e0, c0, c) = match key {
                "energy.gbuf" => (base.energy.gbuf, base.gbuf_bytes, point.gbuf_bytes),
                "energy.regf" => (base.energy.regf, base.regf_bytes, point.regf_bytes),
                _ => return None,
            };
            let e = e0 * (c as f64 / c0 as f64).sqrt();
            Set::from_value(key, &toml::Value::Float(e)).ok()
        })
        .collect()
}

/// The points' capacity groups: each point's group, and each group's first
/// point, in grid order (docs/sweep.md#shared-layer-searches).
fn capacity_groups(hardware: &[Hardware]) -> (Vec<usize>, Vec<usize>) {
    let machines: Vec<_> = hardware.iter().map(Hardware::machine).collect();
    let mut groups = Vec::with_capacity(machines.len());
    let mut first: Vec<usize> = Vec::new();
    for m in &machines {
        match first
            .iter()
            .position(|&f| SharedSearch::shared_between(&machines[f], m))
        {
            Some(g) => groups.push(g),
            None => {
                groups.push(first.len());
                first.push(groups.len() - 1);
            }
        }
    }
    (groups, first)
}
