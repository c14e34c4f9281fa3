//! The results file's lines (docs/sweep.md#the-results-file): a format line
//! with the spec's digest, a header, then one row per (network, batch,
//! point).

use super::Shard;
use crate::diag::{Code, Diagnostic, Report, Span};
use crate::schedule::TotalsOut;
use thiserror::Error;

/// The format tag of the first line.
pub const FORMAT: &str = "nnc-sweep/1";

/// The result columns after the keys, before `status`.
pub(super) const RESULT_COLUMNS: [&str; 14] = [
    "energy",
    "time",
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
    "bound_energy",
    "bound_time",
];

/// The first line: `# nnc-sweep/1 spec=<sha256>`, with ` shard=I/N` for a
/// shard's part file.
pub fn header_line(spec_sha256: &str, shard: Option<Shard>) -> String {
    match shard {
        None => format!("# {FORMAT} spec={spec_sha256}\n"),
        Some(s) => format!("# {FORMAT} spec={spec_sha256} shard={s}\n"),
    }
}

/// A float as the schedule file writes it (shortest form that reads back
/// to the same bits); the non-finite ones as TOML writes them.
pub fn float(x: f64) -> String {
    if x.is_finite() {
        serde_json::to_string(&x).unwrap_or_else(|_| x.to_string())
    } else if x.is_nan() {
        "nan".to_owned()
    } else if x > 0.0 {
        "inf".to_owned()
    } else {
        "-inf".to_owned()
    }
}

/// A hardware value as a cell: arrays as `8x8`, strings bare.
pub(super) fn value(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(x) => float(*x),
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a.iter().map(value).collect::<Vec<_>>().join("x"),
        other => other.to_string(),
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
    let b = &t.energy_breakdown;
    let mut out = vec![float(t.energy), t.time.to_string()];
    out.extend(
        [b.op, b.dram, b.gbuf, b.array, b.regf, b.noc, b.static_]
            .into_iter()
            .map(float),
    );
    out.push(t.seconds.map(float).unwrap_or_default());
    out.push(count(t.ops));
    out.push(float(t.utilization));
    out.push(float(t.lower_bound.energy));
    out.push(t.lower_bound.time.to_string());
    out
}

/// A count held as a float (the MACs): as a whole number when it is one.
fn count(x: f64) -> String {
    // 2^63: every whole float below converts exactly.
    if x.fract() == 0.0 && (0.0..9.2e18).contains(&x) {
        (x as u64).to_string()
    } else {
        float(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            header_line("ab", Some(Shard { index: 1, count: 3 })),
            "# nnc-sweep/1 spec=ab shard=1/3\n"
        );
    }
}

/// A results file read back: its header and rows, as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Results {
    /// The spec digest of the first line.
    pub spec_sha256: String,
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
    let rest = first
        .trim_end()
        .strip_prefix(&format!("# {FORMAT} spec="))
        .ok_or_else(|| ResultsError {
            code: Code::ResultsNoFormat,
            line: 1,
            message: format!("not a results file of `nnc sweep` (no `# {FORMAT}` line)"),
        })?;
    let spec_sha256 = rest.split(' ').next().unwrap_or("").to_owned();
    let columns = split(lines.next().unwrap_or("").trim_end_matches(['\n', '\r']));
    let at = |name: &str| columns.iter().position(|c| c == name);
    let (Some(1), Some(energy), Some(_)) = (at("batch"), at("energy"), at("status")) else {
        return Err(ResultsError {
            code: Code::ResultsColumns,
            line: 2,
            message: "the columns are not `network,batch,...,energy,time,...,status`".into(),
        });
    };
    let keys = columns[2..energy].to_vec();
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        let Some(line) = line.strip_suffix('\n') else {
            break;
        };
        let fields = split(line);
        if fields.len() != columns.len() {
            return Err(ResultsError {
                code: Code::ResultsFieldCount,
                line: i + 3,
                message: format!(
                    "{} fields where the header has {}",
                    fields.len(),
                    columns.len()
                ),
            });
        }
        rows.push(fields);
    }
    Ok(Results {
        spec_sha256,
        columns,
        keys,
        rows,
    })
}
