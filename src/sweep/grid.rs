//! The grid (docs/sweep.md#rows-and-their-order): design points are every
//! combination of the dimensions' steps, the first dimension outermost;
//! rows are networks x batches x points, in spec order.
//!
//! The grid is never materialised: a row's index says its network, batch
//! and point, a point's index its step of every dimension (a mixed-radix
//! number), and a point's hardware is read when its row runs
//! (docs/sweep.md#large-grids). What a sweep holds is the spec, whatever
//! the grid's size.

use super::csv::{self, Digests, RESULT_COLUMNS};
use super::options::Change;
use super::spec::{SRAM_KEYS, Spec, SramRule};
use crate::hw::{self, Hardware, HwError, Set};
use crate::ir::Network;
use crate::{Cancel, RangeError, ScheduleFile, SearchError, SharedSearch, schedule_shared};
use std::collections::HashMap;
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

/// A design point with its hardware read: what a row of it runs on.
#[derive(Debug)]
pub struct Design {
    /// The point.
    pub point: Point,
    /// Its hardware, or why it has none (a [`PlanError`], as a row's
    /// status).
    pub hardware: Result<Hardware, String>,
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
    /// How many design points.
    points: usize,
    /// Per dimension, how many points one of its steps spans (the product
    /// of the later dimensions' lengths).
    strides: Vec<usize>,
    /// Per dimension, whether its steps change the machine beyond the
    /// global buffer's capacity: if not, its points share one cache slot
    /// (docs/sweep.md#shared-layer-searches).
    splits_slots: Vec<bool>,
    /// Per dimension, its step of each key's cells (to find a row from
    /// its key, for `--merge`).
    step_of: Vec<HashMap<Vec<String>, usize>>,
    derived_keys: Vec<&'static str>,
    /// Whether a point may have an area (`[tech]`): else its `area_mm2`
    /// cell is empty without reading its hardware.
    area_possible: bool,
    /// Stops the plan's searches.
    cancel: Cancel,
}

impl<'a> Plan<'a> {
    /// The plan of `spec` over `networks` (compiled from `spec.networks`, in
    /// order, from the texts `sources`): fails on the first point whose
    /// hardware is invalid (checked from a few points, docs/sweep.md#large-grids).
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
        // A point has an area only with `[tech]`, in the base or varied.
        let area_possible =
            spec.base.area.is_some() || varied.iter().any(|k| k.starts_with("tech."));
        let mut strides = vec![1; spec.dims.len()];
        for i in (0..spec.dims.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * spec.dims[i + 1].steps.len();
        }
        let points = spec.dims.iter().map(|d| d.steps.len()).product();
        // A capacity the SRAM rule follows changes an energy too.
        let derives_gbuf = derived_keys.contains(&"energy.gbuf");
        let splits_slots = spec
            .dims
            .iter()
            .map(|d| {
                d.steps.iter().flatten().any(|c| match c {
                    Change::Option(_) => false,
                    Change::Hardware(s) => {
                        s.key() != "node.gbuf_bytes" || derives_gbuf || area_possible
                    }
                })
            })
            .collect();
        let step_of = spec
            .dims
            .iter()
            .map(|d| {
                let cells = |step: &Vec<Change>| step.iter().flat_map(Change::cells).collect();
                d.steps
                    .iter()
                    .enumerate()
                    .map(|(i, step)| (cells(step), i))
                    .collect()
            })
            .collect();
        let plan = Plan {
            spec,
            networks,
            digests: Digests::of(spec, sources),
            points,
            strides,
            splits_slots,
            step_of,
            derived_keys,
            area_possible,
            cancel: Cancel::new(),
        };
        plan.check()?;
        Ok(plan)
    }

    /// Checks that every point's hardware is valid without reading every
    /// point's: each range check of a hardware file reads one key, besides
    /// the keys of [`hw::COUPLED_KEYS`], so the points
    /// that take every step of the dimensions holding those keys together,
    /// and every step of each other dimension alone, meet every check that
    /// any point meets (docs/sweep.md#large-grids).
    fn check(&self) -> Result<(), PlanError> {
        let dims = &self.spec.dims;
        let coupled: Vec<usize> = (0..dims.len())
            .filter(|&i| dims[i].keys.iter().any(|k| hw::COUPLED_KEYS.contains(k)))
            .collect();
        let coupled_points = coupled.iter().map(|&i| dims[i].steps.len()).product();
        for c in 0..coupled_points {
            // The coupled dimensions' steps, as a mixed-radix number.
            let mut base = 0;
            let mut rest = c;
            for &i in coupled.iter().rev() {
                base += (rest % dims[i].steps.len()) * self.strides[i];
                rest /= dims[i].steps.len();
            }
            let alone = (0..dims.len()).filter(|i| !coupled.contains(i));
            let points =
                std::iter::once(base).chain(alone.flat_map(|i| {
                    (1..dims[i].steps.len()).map(move |s| base + s * self.strides[i])
                }));
            for p in points.collect::<Vec<_>>() {
                self.read_hardware(p)?;
            }
        }
        Ok(())
    }

    /// How many design points.
    pub fn points(&self) -> usize {
        self.points
    }

    /// Design point `p`: its step of every dimension, in spec order, then
    /// the SRAM rule's energies (which need its hardware: see
    /// [`Plan::design`]).
    fn changes(&self, p: usize) -> Vec<Change> {
        self.spec
            .dims
            .iter()
            .zip(&self.strides)
            .flat_map(|(d, &stride)| d.steps[(p / stride) % d.steps.len()].iter().cloned())
            .collect()
    }

    /// Design point `p` and its hardware, read from the base text with the
    /// point's changes.
    fn read_hardware(&self, p: usize) -> Result<(Point, Hardware), PlanError> {
        let point = self.point_checked(p)?;
        let sets: Vec<Set> = point.sets().cloned().collect();
        match hw::parse_with(&self.spec.hw_text, &self.spec.hw_origin, &sets) {
            Ok(hw) => Ok((point, hw)),
            Err(error) => Err(self.plan_error(p, &point, error)),
        }
    }

    fn plan_error(&self, index: usize, point: &Point, error: HwError) -> PlanError {
        PlanError {
            index,
            point: point.all().map(|c| c.to_string()).collect(),
            error: Box::new(error),
        }
    }

    /// Design point `p` with its derived keys: the global buffer an area
    /// budget leaves (which reads the point's hardware), then the energies
    /// the SRAM rule derives from its capacities.
    fn point_checked(&self, p: usize) -> Result<Point, PlanError> {
        let changes = self.changes(p);
        let mut derived = Vec::new();
        if let Some(budget) = self.spec.area_budget_mm2 {
            let point = Point {
                changes: changes.clone(),
                derived: Vec::new(),
            };
            derived.push(
                self.budget_gbuf(&point, budget)
                    .map_err(|e| self.plan_error(p, &point, e))?,
            );
        }
        let mut all = changes.clone();
        all.extend(derived.iter().cloned().map(Change::Hardware));
        derived.extend(sram_sqrt(&self.spec.base, &all, &self.derived_keys));
        Ok(Point { changes, derived })
    }

    /// The global buffer the rest of `point` leaves within `budget` mm²
    /// (docs/sweep.md#holding-the-area-fixed).
    fn budget_gbuf(&self, point: &Point, budget: f64) -> Result<Set, HwError> {
        let sets: Vec<Set> = point.sets().cloned().collect();
        let hw = hw::parse_with(&self.spec.hw_text, &self.spec.hw_origin, &sets)?;
        let error = |set: String, message: String| HwError::SetValue {
            origin: self.spec.hw_origin.clone(),
            set,
            problem: hw::Problem::OutOfRange,
            message,
        };
        let bytes = hw
            .gbuf_bytes_within(budget)
            .map_err(|why| error(format!("{GBUF_KEY} within area_budget_mm2 = {budget}"), why))?;
        let value = toml::Value::Integer(i64::try_from(bytes).unwrap_or(i64::MAX));
        Set::from_value(GBUF_KEY, &value).map_err(|e| error(GBUF_KEY.to_owned(), e.to_string()))
    }

    /// Design point `p` with its hardware. Every point's hardware was
    /// checked by [`Plan::new`]; were one invalid all the same, its rows'
    /// status would say why.
    pub fn design(&self, p: usize) -> Design {
        match self.read_hardware(p) {
            Ok((point, hw)) => Design {
                point,
                hardware: Ok(hw),
            },
            Err(e) => Design {
                point: self.point(p),
                hardware: Err(format!("bad hardware: {e}")),
            },
        }
    }

    /// Design point `p`, with its derived keys (an area budget's buffer,
    /// the SRAM rule's energies); a point whose budget cannot be met has
    /// its changes alone (its rows' status says why).
    pub fn point(&self, p: usize) -> Point {
        self.point_checked(p).unwrap_or_else(|_| Point {
            changes: self.changes(p),
            derived: Vec::new(),
        })
    }

    /// How many rows: networks x batches x points.
    pub fn rows(&self) -> usize {
        self.networks.len() * self.spec.batches.len() * self.points
    }

    /// Row `k` as (network, batch, point) indices.
    pub fn locate(&self, k: usize) -> (usize, usize, usize) {
        let (nb, np) = (self.spec.batches.len(), self.points);
        (k / (nb * np), (k / np) % nb, k % np)
    }

    /// The row whose key fields are `key`, if any: found from the cells,
    /// not by listing the grid.
    pub fn find(&self, key: &[String]) -> Option<usize> {
        let (net, rest) = key.split_first()?;
        let (batch, mut cells) = rest.split_first()?;
        let n = self.spec.networks.iter().position(|r| &r.name == net)?;
        let b = self
            .spec
            .batches
            .iter()
            .position(|x| &x.to_string() == batch)?;
        let mut p = 0;
        for ((d, steps), stride) in self.spec.dims.iter().zip(&self.step_of).zip(&self.strides) {
            let width = d.keys.iter().map(|k| Change::columns(k).len()).sum();
            let (these, later) = cells.split_at_checked(width)?;
            p += steps.get(these)? * stride;
            cells = later;
        }
        let k = (n * self.spec.batches.len() + b) * self.points + p;
        // The derived cells too.
        (self.key(k) == key).then_some(k)
    }

    /// The column header line.
    pub fn columns(&self) -> String {
        csv::line(&self.column_names())
    }

    /// The columns' names: network, batch, one per varied key (two for a
    /// pair: its rows and columns), the derived keys, the results, status,
    /// checksum.
    pub(super) fn column_names(&self) -> Vec<String> {
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
        cols.push(csv::CHECKSUM.into());
        cols
    }

    /// How many columns a row has: the keys, the results, the status, the
    /// checksum.
    pub fn columns_count(&self) -> usize {
        self.key_fields() + RESULT_COLUMNS.len() + 2
    }

    /// How many key fields start a row: network, batch, the varied and
    /// derived keys.
    pub fn key_fields(&self) -> usize {
        self.column_names().len() - RESULT_COLUMNS.len() - 2
    }

    /// The key fields of row `k`, with its point's area (read from its
    /// hardware only when a point may have one).
    pub fn key(&self, k: usize) -> Vec<String> {
        let (_, _, p) = self.locate(k);
        if self.area_possible {
            self.key_of(k, &self.design(p))
        } else {
            let design = Design {
                point: self.point(p),
                hardware: Err(String::new()),
            };
            self.key_of(k, &design)
        }
    }

    /// The key fields of row `k`, of `design`: its point's cells, then its
    /// area (empty without one).
    pub(super) fn key_of(&self, k: usize, design: &Design) -> Vec<String> {
        let (n, b, _) = self.locate(k);
        let mut out = vec![
            self.spec.networks[n].name.clone(),
            self.spec.batches[b].to_string(),
        ];
        out.extend(design.point.all().flat_map(|c| c.cells()));
        out.push(design.hardware.as_ref().map(area_cell).unwrap_or_default());
        out
    }

    /// The row's changes, as `nnc schedule --set` arguments, for messages.
    pub fn describe(&self, k: usize) -> String {
        let (n, b, p) = self.locate(k);
        let mut parts = vec![
            format!("network {}", self.spec.networks[n].name),
            format!("batch {}", self.spec.batches[b]),
        ];
        parts.extend(self.point(p).all().map(|c| c.to_string()));
        parts.join(", ")
    }

    /// Schedules row `k`: its whole line, as `nnc schedule` of the point
    /// would find it; a point without a schedule has empty results and the
    /// reason in `status`.
    pub fn row(&self, k: usize) -> String {
        let design = self.design(self.locate(k).2);
        let shared = self.shared_search(design.hardware.iter());
        self.row_shared(k, &design, &shared)
    }

    /// Which per-node results row `k` may share: those of the rows whose
    /// points differ at most in dimensions that change no more of the
    /// machine than the global buffer's capacity ([`SharedSearch`]).
    pub fn cache_slot(&self, k: usize) -> usize {
        let (_, _, p) = self.locate(k);
        self.spec
            .dims
            .iter()
            .zip(&self.strides)
            .zip(&self.splits_slots)
            .filter(|(_, split)| !**split)
            .map(|((d, &stride), _)| ((p / stride) % d.steps.len()) * stride)
            .fold(p, |slot, digit| slot - digit)
    }

    /// Rows that are best run one after another, by one worker: the same
    /// network and batch on points of the same cache slot, whose per-node
    /// searches the first of them does for all.
    pub fn task(&self, k: usize) -> (usize, usize, usize) {
        let (n, b, _) = self.locate(k);
        (n, b, self.cache_slot(k))
    }

    /// A session sharing the per-node searches of rows on `hardware`.
    pub fn shared_search<'h>(&self, hardware: impl Iterator<Item = &'h Hardware>) -> SharedSearch {
        let machines: Vec<_> = hardware.map(Hardware::machine).collect();
        SharedSearch::new(&machines).with_cancel(&self.cancel)
    }

    /// Row `k`'s line, on `design` (its point's, [`Plan::design`]), with
    /// per-node searches shared through `shared` ([`Plan::shared_search`]
    /// of rows of the row's [`Plan::cache_slot`]).
    pub fn row_shared(&self, k: usize, design: &Design, shared: &SharedSearch) -> String {
        self.line(k, design, &self.schedule_row(k, design, shared))
    }

    /// Schedules row `k` on `design` through `shared`: its schedule file,
    /// or, for a point without one, its `status` (why).
    pub fn schedule_row(
        &self,
        k: usize,
        design: &Design,
        shared: &SharedSearch,
    ) -> Result<ScheduleFile, String> {
        let (n, b, _) = self.locate(k);
        let hardware = design.hardware.as_ref().map_err(Clone::clone)?;
        let flags = design
            .point
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
            over_area(hardware, max)?;
        }
        schedule_shared(&self.networks[n], hardware, &o, shared).map_err(|e| match e {
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

    /// Row `k`'s whole line, on `design`, from what [`Plan::schedule_row`]
    /// found: the results and `ok`, or empty results and the status; then
    /// the checksum.
    pub fn line(&self, k: usize, design: &Design, found: &Result<ScheduleFile, String>) -> String {
        let mut fields = self.key_of(k, design);
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
        csv::row_line(&fields)
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
/// (docs/sweep.md#the-sram-energy-rule), the capacity as the point's
/// `changes` set it (in bytes, as the hardware file reads it).
fn sram_sqrt(base: &Hardware, changes: &[Change], keys: &[&'static str]) -> Vec<Set> {
    let capacity = |key: &str, otherwise: u64| {
        changes
            .iter()
            .rev()
            .find_map(|c| match c {
                Change::Hardware(s) if s.key() == key => match s.cells().first() {
                    Some(toml::Value::Integer(n)) => u64::try_from(*n).ok(),
                    _ => None,
                },
                _ => None,
            })
            .unwrap_or(otherwise)
    };
    keys.iter()
        .filter_map(|&key| {
            let (e0, c0, c) = match key {
                "energy.gbuf" => (
                    base.energy.gbuf,
                    base.gbuf_bytes,
                    capacity("node.gbuf_bytes", base.gbuf_bytes),
                ),
                "energy.regf" => (
                    base.energy.regf,
                    base.regf_bytes,
                    capacity("node.regf_bytes", base.regf_bytes),
                ),
                _ => return None,
            };
            let e = e0 * (c as f64 / c0 as f64).sqrt();
            Set::from_value(key, &toml::Value::Float(e)).ok()
        })
        .collect()
}
