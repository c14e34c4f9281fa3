//! SCALE-Sim's topology CSV (docs/scalesim.md#topology-files): a header
//! line, then one layer per row, each row ending with a comma.
//!
//! A conv row is `name, H, W, R, S, C, M, stride,` (ifmap height and width
//! as stored, filter height and width, channels, filters, one stride for
//! both directions); a GEMM row is `name, M, N, K,`. Either may carry one
//! more field, a sparsity ratio `N:M`, which has no effect with sparsity
//! off (the only way nnc reads SCALE-Sim's files).

use super::error::{FileKind, ReadError, ReadErrorKind};
use crate::sched::scalesim::conventions::{depthwise_layer_name, is_depthwise};
use crate::sched::scalesim::{
    ScaleSimArray, ScaleSimError, ScaleSimReport, SystolicLayer, simulate,
};
use std::ops::Range;

/// How to read the rows: by the header, or forced (SCALE-Sim's `-i gemm`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TopologyKind {
    /// GEMM if the header's fields after the first are `M, N, K` (in any
    /// case), conv otherwise.
    #[default]
    Auto,
    /// Every row is a conv layer.
    Conv,
    /// Every row is a GEMM.
    Gemm,
}

/// The shape of one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowShape {
    /// A conv layer, as written.
    Conv(SystolicLayer),
    /// A GEMM `M x K` times `K x N`.
    Gemm {
        /// Rows of the output.
        m: u64,
        /// Columns of the output.
        n: u64,
        /// The reduction.
        k: u64,
    },
}

/// One row of a topology file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopologyRow {
    /// The layer's name, trimmed.
    pub name: String,
    /// The row's byte range in the file.
    pub span: Range<usize>,
    /// Its shape.
    pub shape: RowShape,
    /// The sparsity ratio `N:M`, if given (no effect with sparsity off).
    pub sparsity: Option<[u64; 2]>,
}

/// SCALE-Sim's report of one row on one array: the report of each of its
/// runs, which are all the same layer (docs/model/scalesim.md#dp_depthwise_split).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowReport {
    /// The report of one run, as SCALE-Sim writes it for each.
    pub report: ScaleSimReport,
    /// How many runs: a `DP` row's channels, 1 for any other row.
    pub runs: u64,
}

impl TopologyRow {
    /// The layer as SCALE-Sim runs it; a GEMM becomes its conv
    /// (docs/model/scalesim.md#gemm-as-a-conv).
    pub fn layer(&self) -> SystolicLayer {
        match self.shape {
            RowShape::Conv(l) => l,
            RowShape::Gemm { m, n, k } => SystolicLayer::gemm(m, n, k),
        }
    }

    /// For a conv row whose name contains `DP`, its channel count: SCALE-Sim
    /// runs it as that many one-channel layers
    /// (docs/model/scalesim.md#dp_depthwise_split).
    pub fn depthwise_channels(&self) -> Option<u64> {
        match self.shape {
            RowShape::Conv(l) if is_depthwise(&self.name) => Some(l.channels),
            _ => None,
        }
    }

    /// The layer of each of SCALE-Sim's runs of this row: the row's own, or
    /// for a `DP` row the same with one channel.
    pub fn run_layer(&self) -> SystolicLayer {
        match self.depthwise_channels() {
            Some(_) => SystolicLayer {
                channels: 1,
                ..self.layer()
            },
            None => self.layer(),
        }
    }

    /// The layers SCALE-Sim runs for this row, named as in its reports:
    /// the row itself, or one per channel of a `DP` row.
    pub fn layers(&self) -> impl Iterator<Item = (String, SystolicLayer)> + '_ {
        let split = self.depthwise_channels();
        (0..split.unwrap_or(1)).map(move |i| {
            let name = match split {
                Some(_) => depthwise_layer_name(&self.name, i),
                None => self.name.clone(),
            };
            (name, self.run_layer())
        })
    }

    /// SCALE-Sim's report of the row on `array`: the model run once (every
    /// run of a `DP` row is the same one-channel layer). The one way into
    /// the model from a file, for `nnc schedule --compat scalesim`, the
    /// tests and the bench alike.
    pub fn simulate(&self, array: &ScaleSimArray) -> Result<RowReport, ScaleSimError> {
        Ok(RowReport {
            report: simulate(&self.run_layer(), array)?,
            runs: self.depthwise_channels().unwrap_or(1),
        })
    }

    /// The model's error `e` for this row, placed at the row of `text`.
    pub fn model_error(&self, e: &ScaleSimError, text: &str) -> ReadError {
        let why = format!("{e}, for SCALE-Sim's model of it on this array");
        ReadError::new(ReadErrorKind::TooLarge { why }, text, self.span.clone())
    }
}

/// A topology file, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    /// Whether the rows are GEMMs.
    pub gemm: bool,
    /// The rows, in order.
    pub rows: Vec<TopologyRow>,
}

/// One field of a row: its trimmed text and byte range in the file.
struct Field<'t> {
    text: &'t str,
    span: Range<usize>,
}

/// Splits the line starting at byte `start` into trimmed fields.
fn fields(line: &str, start: usize) -> Vec<Field<'_>> {
    let mut out = Vec::new();
    let mut at = start;
    for raw in line.split(',') {
        let lead = raw.len() - raw.trim_start().len();
        let text = raw.trim();
        out.push(Field {
            text,
            span: at + lead..at + lead + text.len(),
        });
        at += raw.len() + 1;
    }
    out
}

/// The lines of `text` with their starting byte, `\r` and all.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split_inclusive('\n').map(move |l| {
        let start = at;
        at += l.len();
        (start, l.trim_end_matches(['\n', '\r']))
    })
}

/// Is the header a GEMM file's, `<anything>, M, N, K,`?
fn gemm_header(header: &str) -> bool {
    let names: Vec<String> = header
        .split(',')
        .skip(1)
        .map(|f| f.trim().to_ascii_lowercase())
        .filter(|f| !f.is_empty())
        .collect();
    names == ["m", "n", "k"]
}

/// Reads a topology file. The first line is the header and is skipped
/// (SCALE-Sim skips it whatever it holds); blank lines are skipped.
pub fn read_topology(text: &str, kind: TopologyKind) -> Result<Topology, ReadError> {
    let mut all = lines(text);
    let Some((_, header)) = all.next() else {
        return Err(ReadError::new(
            ReadErrorKind::Empty {
                file: FileKind::Topology,
            },
            text,
            0..0,
        ));
    };
    let gemm = match kind {
        TopologyKind::Auto => gemm_header(header),
        TopologyKind::Conv => false,
        TopologyKind::Gemm => true,
    };
    let mut rows = Vec::new();
    for (start, line) in all {
        if line.trim().is_empty() {
            continue;
        }
        rows.push(row(text, start, line, gemm)?);
    }
    if rows.is_empty() {
        let end = text.len();
        return Err(ReadError::new(ReadErrorKind::NoLayers, text, end..end));
    }
    Ok(Topology { gemm, rows })
}

/// Reads one row.
fn row(text: &str, start: usize, line: &str, gemm: bool) -> Result<TopologyRow, ReadError> {
    let err = |kind, span| ReadError::new(kind, text, span);
    let mut f = fields(line, start);
    let span = start..start + line.len();
    // Why: SCALE-Sim drops every row's last field, so a row must end with a
    // comma; a value there would be silently lost.
    let Some(last) = f.pop().filter(|l| l.text.is_empty()) else {
        let last = fields(line, start).pop().map_or(span.clone(), |l| l.span);
        let dropped = text[last.clone()].to_owned();
        return Err(err(ReadErrorKind::NoTrailingComma { dropped }, last));
    };
    let (base, expected) = if gemm {
        (4, "`name, M, N, K,` with an optional sparsity `N:M,`")
    } else {
        (
            8,
            "`name, H, W, R, S, C, M, stride,` with an optional sparsity `N:M,`",
        )
    };
    if f.len() != base && f.len() != base + 1 {
        let found = f.len();
        return Err(err(
            ReadErrorKind::FieldCount { found, expected },
            span.start..last.span.end,
        ));
    }
    if f[0].text.is_empty() {
        return Err(err(ReadErrorKind::EmptyName, f[0].span.clone()));
    }
    let sparsity = match f.get(base) {
        Some(s) => Some(sparsity(s).ok_or_else(|| {
            err(
                ReadErrorKind::BadSparsity {
                    text: s.text.to_owned(),
                },
                s.span.clone(),
            )
        })?),
        None => None,
    };
    let shape = shape(text, &f[1..base], gemm)?;
    Ok(TopologyRow {
        name: f[0].text.to_owned(),
        span,
        shape,
        sparsity,
    })
}

/// The shape of a row from its numeric fields (after the name).
fn shape(text: &str, values: &[Field<'_>], gemm: bool) -> Result<RowShape, ReadError> {
    let err = |kind, span| ReadError::new(kind, text, span);
    let names: &[&str] = if gemm {
        &["the GEMM's M", "the GEMM's N", "the GEMM's K"]
    } else {
        &[
            "the ifmap height H",
            "the ifmap width W",
            "the filter height R",
            "the filter width S",
            "the channel count C",
            "the filter count M",
            "the stride",
        ]
    };
    let mut v = Vec::with_capacity(names.len());
    for (field, name) in values.iter().zip(names) {
        v.push(number(field).ok_or_else(|| {
            err(
                ReadErrorKind::NotANumber {
                    what: (*name).to_owned(),
                    text: field.text.to_owned(),
                    min: 1,
                },
                field.span.clone(),
            )
        })?);
    }
    Ok(if gemm {
        RowShape::Gemm {
            m: v[0],
            n: v[1],
            k: v[2],
        }
    } else {
        for (dim, fi, ii) in [("height", 3, 1), ("width", 4, 2)] {
            if v[fi - 1] > v[ii - 1] {
                let kind = ReadErrorKind::FilterLargerThanIfmap {
                    dim,
                    filter: v[fi - 1],
                    ifmap: v[ii - 1],
                };
                return Err(err(kind, values[fi - 1].span.clone()));
            }
        }
        RowShape::Conv(SystolicLayer {
            ifmap_h: v[0],
            ifmap_w: v[1],
            filter_r: v[2],
            filter_s: v[3],
            channels: v[4],
            filters: v[5],
            stride: v[6],
        })
    })
}

/// A whole number of at least 1 (an optional `+`, then digits).
fn number(f: &Field<'_>) -> Option<u64> {
    let digits = f.text.strip_prefix('+').unwrap_or(f.text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&v| v >= 1)
}

/// `N:M` with both at least 1.
fn sparsity(f: &Field<'_>) -> Option<[u64; 2]> {
    let (n, m) = f.text.split_once(':')?;
    let part = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
            .filter(|&v| v >= 1)
    };
    Some([part(n)?, part(m)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONV: &str = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

    #[test]
    fn conv_rows_with_a_trailing_comma() {
        let t = read_topology(
            &format!("{CONV}conv1, 224, 224, 11, 11, 3, 96, 4,\r\n\n c2,31,31,5,5,96,256,1,2:4,\n"),
            TopologyKind::Auto,
        )
        .unwrap();
        assert!(!t.gemm);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].name, "conv1");
        assert_eq!(t.rows[0].layer().ifmap_h, 224);
        assert_eq!(t.rows[0].layer().stride, 4);
        assert_eq!(t.rows[1].sparsity, Some([2, 4]));
        assert_eq!(t.rows[1].layer().filters, 256);
    }

    #[test]
    fn the_header_says_gemm_or_a_flag_forces_it() {
        let text = "Layer, M, N, K,\nqkv, 128, 768, 64,\n";
        let t = read_topology(text, TopologyKind::Auto).unwrap();
        assert!(t.gemm);
        assert_eq!(t.rows[0].layer(), SystolicLayer::gemm(128, 768, 64));
        let t = read_topology("x,\nqkv, 128, 768, 64,\n", TopologyKind::Gemm).unwrap();
        assert_eq!(
            t.rows[0].shape,
            RowShape::Gemm {
                m: 128,
                n: 768,
                k: 64
            }
        );
        // A conv file with a 4-field row is an error, not a GEMM.
        assert!(read_topology("x,\nqkv, 128, 768, 64,\n", TopologyKind::Auto).is_err());
    }

    #[test]
    fn dp_rows_split_into_one_layer_per_channel() {
        let t = read_topology(
            &format!("{CONV}dwDP, 16, 16, 3, 3, 3, 1, 1,\n"),
            TopologyKind::Auto,
        )
        .unwrap();
        let layers: Vec<_> = t.rows[0].layers().collect();
        assert_eq!(layers.len(), 3);
        assert_eq!(layers[2].0, "dwDPChannel_2");
        assert!(
            layers
                .iter()
                .all(|(_, l)| l.channels == 1 && l.filters == 1)
        );
        let t = read_topology(
            &format!("{CONV}dwdp, 16, 16, 3, 3, 3, 1, 1,\n"),
            TopologyKind::Auto,
        )
        .unwrap();
        assert_eq!(t.rows[0].layers().count(), 1);
    }

    #[test]
    fn errors_point_at_the_field() {
        let text = format!("{CONV}c1, 15, 15, 3, x3, 16, 20, 1,\n");
        let e = read_topology(&text, TopologyKind::Auto).unwrap_err();
        assert_eq!(&text[e.span.clone()], "x3");
        assert_eq!((e.line, e.column), (2, 16));
        let text = format!("{CONV}c1, 15, 15, 3, 3, 16, 20, 1\n");
        let e = read_topology(&text, TopologyKind::Auto).unwrap_err();
        assert_eq!(&text[e.span.clone()], "1");
        assert!(matches!(e.kind, ReadErrorKind::NoTrailingComma { .. }));
    }
}
