//! The results file's lines (docs/sweep.md#the-results-file): a format line
//! with the spec's digest, a header, then one row per (network, batch,
//! point).

use super::Shard;
use super::options::float;
use super::spec::Spec;
use crate::diag::{Code, Diagnostic, Report, Span};
use crate::schedule::{EnergyOut, LowerBoundOut, TotalsOut};
use thiserror::Error;

/// The format tag of the first line.
pub const FORMAT: &str = "nnc-sweep/2";

/// The tag of the format before rows were checksummed: such a file is
/// still read by `nnc report`, never resumed or merged.
pub(super) const FORMAT_V1: &str = "nnc-sweep/1";

/// The last column: the row's checksum ([`checksum`]).
pub(super) const CHECKSUM: &str = "checksum";

/// A row's checksum: the first 16 hex digits of the SHA-256 of its text
/// before the checksum's comma, so that a resume or a merge never keeps
/// a row changed since nnc wrote it, a digit turned into another valid
/// number included (docs/sweep.md#the-results-file).
pub(super) fn checksum(text: &str) -> String {
    let mut hex = crate::sha256::hex(text.as_bytes());
    hex.truncate(16);
    hex
}

/// A row's line: its fields, then the checksum of their text.
pub(super) fn row_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut text = line(fields);
    text.pop();
    let sum = checksum(&text);
    format!("{text},{sum}\n")
}

/// The energy and the time, first of a point's or a layer's results.
pub(super) const ENERGY_TIME: [&str; 2] = ["energy", "time"];

/// The energy breakdown, seconds (with a clock), MACs and utilization: of
/// a point's totals and of a layer alike ([`breakdown_cells`]).
pub(super) const BREAKDOWN: [&str; 10] = [
    "energy_op",
    "energy_dram",
    "energy_gbuf",
    "energy_array",
    "energy_regf",
    "energy_noc",
    "energy_static",
    "seconds",
    "macs",
    "utilization",
];

/// The lower bound's energy and time, last of a point's or a layer's
/// results ([`bound_cells`]).
pub(super) const BOUND: [&str; 2] = ["bound_energy", "bound_time"];

/// The result columns after the keys, before `status`.
pub(super) const RESULT_COLUMNS: [&str; 14] = concat(&[&ENERGY_TIME, &BREAKDOWN, &BOUND]);

/// The column names of `parts` one after the other, `N` in all (checked
/// when the constant is built: a wrong `N` does not compile).
pub(super) const fn concat<const N: usize>(parts: &[&[&'static str]]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut p = 0;
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            out[n] = parts[p][i];
            n += 1;
            i += 1;
        }
        p += 1;
    }
    assert!(n == N, "the parts are not N columns");
    out
}

/// The SHA-256 digests (hex) of every text a sweep's rows depend on: the
/// spec, the base hardware (a file's or a preset's text) and each network
/// (a `.nn` file's text, or the `.nn` text an ONNX model lowers to), in spec
/// order. The results file's first line holds them, so that rows of other
/// inputs are never kept beside this run's (docs/sweep.md#resuming).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    /// The spec's.
    pub spec: String,
    /// The base hardware's.
    pub hardware: String,
    /// Each network's, in spec order.
    pub networks: Vec<String>,
    /// The unit of every energy of the rows: the base hardware's
    /// `energy_unit` (not a digest, but fixed by the hardware's: written
    /// so that `nnc report` can put it on its axes).
    pub energy_unit: String,
}

impl Digests {
    /// The digests of `spec` (its text's, and its hardware's) and of the
    /// networks' `sources`, in spec order.
    pub fn of(spec: &Spec, sources: &[&str]) -> Digests {
        let hex = |t: &str| crate::sha256::hex(t.as_bytes());
        Digests {
            spec: spec.sha256.clone(),
            hardware: hex(&spec.hw_text),
            networks: sources.iter().map(|t| hex(t)).collect(),
            energy_unit: spec.base.energy_unit.name().to_owned(),
        }
    }

    /// The words of the first line after the format: `spec=S hw=H
    /// networks=N1,N2 unit=U` (the unit's spaces and `%` written `%20` and
    /// `%25`, so that it stays one word).
    pub(super) fn words(&self) -> String {
        let unit = self.energy_unit.replace('%', "%25").replace(' ', "%20");
        format!(
            "spec={} hw={} networks={} unit={unit}",
            self.spec,
            self.hardware,
            self.networks.join(",")
        )
    }

    /// The digests and the shard (`I/N` as written) of a first line (its
    /// newline trimmed); `None` if it is not one of this form.
    pub(super) fn parse(line: &str) -> Option<(Digests, Option<&str>)> {
        let rest = line.strip_prefix(&format!("# {FORMAT} "))?;
        let mut words = rest.split(' ');
        let spec = words.next()?.strip_prefix("spec=")?.to_owned();
        let hardware = words.next()?.strip_prefix("hw=")?.to_owned();
        let networks = words.next()?.strip_prefix("networks=")?;
        let networks = networks.split(',').map(str::to_owned).collect();
        let energy_unit = unit_of(words.next()?)?;
        let shard = match words.next() {
            None => None,
            Some(w) => Some(w.strip_prefix("shard=")?),
        };
        if words.next().is_some() {
            return None;
        }
        Some((
            Digests {
                spec,
                hardware,
                networks,
                energy_unit,
            },
            shard,
        ))
    }
}

/// The energy unit of a first line's word `unit=U`, decoded.
fn unit_of(word: &str) -> Option<String> {
    let unit = word.strip_prefix("unit=")?;
    Some(unit.replace("%20", " ").replace("%25", "%"))
}

/// The energy unit a results file's first line names, if it names one
/// (files written before nnc wrote it do not).
pub(super) fn first_line_unit(line: &str) -> Option<String> {
    line.split(' ').find_map(unit_of)
}

/// The first line: `# nnc-sweep/2 spec=S hw=H networks=N1,N2 unit=U` (the
/// [`Digests`]), with ` shard=I/N` for a shard's part file.
pub fn header_line(digests: &Digests, shard: Option<Shard>) -> String {
    let words = digests.words();
    match shard {
        None => format!("# {FORMAT} {words}\n"),
        Some(s) => format!("# {FORMAT} {words} shard={s}\n"),
    }
}

/// A field, quoted if it holds a comma, a quote or a line break (RFC 4180).
pub(super) fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// A line of fields, with its newline.
pub(super) fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    out
}

/// The fields of a line (without its newline), quotes undone.
pub(super) fn split(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

/// The result cells of a schedule's totals: energy, time, the breakdown,
/// seconds (empty without a clock), MACs, utilization and the bound.
pub(super) fn results(t: &TotalsOut) -> Vec<String> {
    let mut out = vec![float(t.energy), t.time.to_string()];
    out.extend(breakdown_cells(
        &t.energy_breakdown,
        t.seconds,
        t.ops,
        t.utilization,
    ));
    out.extend(bound_cells(&t.lower_bound));
    out
}

/// The cells of the [`BREAKDOWN`] columns: the energy breakdown, seconds
/// (empty without a clock), MACs and utilization.
pub(super) fn breakdown_cells(
    b: &EnergyOut,
    seconds: Option<f64>,
    ops: f64,
    utilization: f64,
) -> [String; BREAKDOWN.len()] {
    let [op, dram, gbuf, array, regf, noc, static_] =
        [b.op, b.dram, b.gbuf, b.array, b.regf, b.noc, b.static_].map(float);
    let seconds = seconds.map(float).unwrap_or_default();
    [
        op,
        dram,
        gbuf,
        array,
        regf,
        noc,
        static_,
        seconds,
        count(ops),
        float(utilization),
    ]
}

/// The cells of the [`BOUND`] columns.
pub(super) fn bound_cells(b: &LowerBoundOut) -> [String; BOUND.len()] {
    [float(b.energy), b.time.to_string()]
}

/// A count held as a float (the MACs): as a whole number when it is one.
pub(super) fn count(x: f64) -> String {
    // 2^63: every whole float below converts exactly.
    if x.fract() == 0.0 && (0.0..9.2e18).contains(&x) {
        (x as u64).to_string()
    } else {
        float(x)
    }
}

/// The beginnings of a `status` cell of a row without a schedule (the
/// reason follows), as `grid.rs` writes them.
pub(super) const NO_SCHEDULE_STATUS: [&str; 6] = [
    "no schedule: ",
    "batch too large: ",
    "out of range: ",
    "bad options: ",
    "over area: ",
    "no area: ",
];

/// What is wrong with `line` (without its newline) as the row nnc writes
/// for the key `key`, with `columns` fields in all (the checksum last when
/// `checked`); `None` if nothing. Checked in full, so that a damaged row
/// is never kept by a resume or a merge: the field count, the key, the
/// quoting nnc writes, the checksum, every result cell a number as nnc
/// writes it (`ok`) or empty (any other status), and a status nnc writes.
pub(super) fn row_problem(
    line: &str,
    key: &[String],
    columns: usize,
    checked: bool,
) -> Option<String> {
    let mut fields = split(line);
    if fields.len() != columns {
        return Some(format!(
            "has {} fields where the header has {columns}",
            fields.len()
        ));
    }
    if fields[..key.len()] != *key {
        return Some("is not the row of this sweep expected there".to_owned());
    }
    if self::line(&fields).trim_end_matches('\n') != line {
        return Some("is not quoted as nnc writes it".to_owned());
    }
    if checked {
        let sum = fields.pop().unwrap_or_default();
        let text = &line[..line.len() - sum.len() - 1];
        if checksum(text) != sum {
            return Some(format!(
                "does not match its checksum `{sum}`: it changed since nnc wrote it"
            ));
        }
    }
    let status_at = fields.len() - 1;
    let results = &fields[key.len()..status_at];
    cells_problem(&RESULT_COLUMNS, results, &fields[status_at])
}

/// What is wrong with a row's result `cells` (named `names`) beside its
/// `status`; `None` if nothing: with `ok`, every cell a number as nnc
/// writes it (a word for `energy_unit`); with any other status, one nnc
/// writes, and every cell empty.
pub(super) fn cells_problem(names: &[&str], cells: &[String], status: &str) -> Option<String> {
    if status == "ok" {
        for (name, cell) in names.iter().zip(cells) {
            let written = match *name {
                "time" | "bound_time" | "time_proc" | "time_bus" | "time_dram" => {
                    cell.parse::<u64>().ok().map(|t| t.to_string())
                }
                "macs" => cell.parse::<f64>().ok().filter(|x| *x >= 0.0).map(count),
                // Without a clock, no seconds.
                "seconds" if cell.is_empty() => Some(String::new()),
                "energy_unit" => Some(cell.clone())
                    .filter(|u| !u.is_empty() && !u.contains([',', '"', '\n', '\r'])),
                _ => cell
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .map(float),
            };
            if written.as_deref() != Some(cell.as_str()) {
                return Some(format!(
                    "has `{cell}` as its {name}, which nnc does not write"
                ));
            }
        }
        return None;
    }
    let known = NO_SCHEDULE_STATUS.iter().any(|p| status.starts_with(p))
        || status.ends_with(" (a bug of nnc)");
    if !known {
        return Some(format!("has a status nnc does not write: `{status}`"));
    }
    if cells.iter().any(|c| !c.is_empty()) {
        return Some(format!("has results beside the status `{status}`"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::options::value;

    #[test]
    fn fields_round_trip() {
        let fields = ["a", "b,c", "say \"hi\"", "", "x\ny"];
        let l = line(&fields);
        assert_eq!(l, "a,\"b,c\",\"say \"\"hi\"\"\",,\"x\ny\"\n");
        assert_eq!(split(l.trim_end_matches('\n')), fields);
    }

    #[test]
    fn values_and_floats() {
        let pair = toml::Value::Array(vec![toml::Value::Integer(8), toml::Value::Integer(16)]);
        assert_eq!(value(&pair), "8x16");
        assert_eq!(float(80303647232.0), "80303647232.0");
        assert_eq!(float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float(f64::INFINITY), "inf");
        let d = Digests {
            spec: "ab".into(),
            hardware: "cd".into(),
            networks: vec!["e".into(), "f".into()],
            energy_unit: "my 100% unit".into(),
        };
        let line = header_line(&d, Some(Shard { index: 1, count: 3 }));
        assert_eq!(
            line,
            "# nnc-sweep/2 spec=ab hw=cd networks=e,f unit=my%20100%25%20unit shard=1/3\n"
        );
        assert_eq!(
            first_line_unit(line.trim_end()).as_deref(),
            Some("my 100% unit")
        );
        assert_eq!(Digests::parse(line.trim_end()), Some((d, Some("1/3"))));
        assert_eq!(Digests::parse("# nnc-sweep/2 spec=ab"), None);
        // A row's checksum covers every byte before it.
        let row = row_line(&["net.nn", "1", "2.5", "ok"]);
        assert_eq!(
            row,
            format!("net.nn,1,2.5,ok,{}\n", checksum("net.nn,1,2.5,ok"))
        );
        assert_ne!(checksum("net.nn,1,2.5,ok"), checksum("net.nn,1,3.5,ok"));
    }
}

/// A results file read back: its header and rows, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Results {
    /// The spec digest of the first line.
    pub spec_sha256: String,
    /// The unit of the energies, as the first line names it (`None` in
    /// files of an older nnc).
    pub energy_unit: Option<String>,
    /// The column names.
    pub columns: Vec<String>,
    /// The varied (and derived) keys: the columns between `batch` and
    /// `energy`.
    pub keys: Vec<String>,
    /// Each complete row's fields.
    pub rows: Vec<Vec<String>>,
}

/// What is wrong with a results file read back, and on which line.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("line {line}: {message}")]
pub struct ResultsError {
    /// Its code (`R007`–`R009`).
    pub code: Code,
    /// The line, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl ResultsError {
    /// The error as a diagnostic of the file's `text`, under its line.
    pub fn diagnostic(&self, text: &str) -> Diagnostic {
        let d = Diagnostic::new(self.code, self.message.clone());
        match Span::line(text, self.line) {
            Some(line) => d.primary(line, "this line"),
            None => d.at(format!("line {}", self.line)),
        }
        .help("a results file is what `nnc sweep -o FILE` writes: docs/sweep.md#the-results-file")
    }

    /// The error with its input: the file `name` and its `text`.
    pub fn report(&self, name: &str, text: &str) -> Report {
        Report::one(name, text, self.diagnostic(text))
    }
}

/// Reads a results file (or a merged one): fails with what is wrong and
/// the line. A torn last line is left out.
pub fn read_results(text: &str) -> Result<Results, ResultsError> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    let first = first.trim_end();
    // A file of the first format has no checksums, and is read as it is.
    let (rest, checked) = match first.strip_prefix(&format!("# {FORMAT} spec=")) {
        Some(rest) => (Some(rest), true),
        None => (first.strip_prefix(&format!("# {FORMAT_V1} spec=")), false),
    };
    let rest = rest.ok_or_else(|| ResultsError {
        code: Code::ResultsNoFormat,
        line: 1,
        message: format!("not a results file of `nnc sweep` (no `# {FORMAT}` line)"),
    })?;
    let spec_sha256 = rest.split(' ').next().unwrap_or("").to_owned();
    let columns = split(lines.next().unwrap_or("").trim_end_matches(['\n', '\r']));
    let at = |name: &str| columns.iter().position(|c| c == name);
    // The columns nnc writes: the keys, then every result column and the
    // status, in this order (a file without `time` is not read as one
    // whose rows all lack it).
    let last: &[&str] = if checked {
        &["status", CHECKSUM]
    } else {
        &["status"]
    };
    let results_at = at("energy").filter(|&e| {
        e >= 2
            && columns[e..]
                .iter()
                .map(String::as_str)
                .eq(RESULT_COLUMNS.iter().chain(last).copied())
    });
    let (Some(0), Some(1), Some(energy)) = (at("network"), at("batch"), results_at) else {
        return Err(ResultsError {
            code: Code::ResultsColumns,
            line: 2,
            message: format!(
                "the columns are not `network,batch,...,{},{}`",
                RESULT_COLUMNS.join(","),
                last.join(",")
            ),
        });
    };
    let keys = columns[2..energy].to_vec();
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let Some(line) = line.strip_suffix('\n') else {
            break;
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        let fields = split(line);
        // Checked in full: an `ok` row whose energy is `abc` is not counted
        // as scheduled and then left out of the charts.
        let key = fields.get(..energy).unwrap_or_default();
        let problem = row_problem(line, key, columns.len(), checked);
        if let Some(message) = problem {
            return Err(ResultsError {
                code: Code::ResultsFieldCount,
                line: i + 3,
                message: format!("the row {message}"),
            });
        }
        rows.push(fields);
    }
    // The checksum is the file's, not a result.
    let mut columns = columns;
    if checked {
        columns.pop();
        for r in &mut rows {
            r.pop();
        }
    }
    Ok(Results {
        spec_sha256,
        energy_unit: first_line_unit(first),
        columns,
        keys,
        rows,
    })
}
