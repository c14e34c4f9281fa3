//! A topology as a network (docs/scalesim.md#a-topology-as-a-network): the
//! front end that lets every command read SCALE-Sim's topology CSV where it
//! reads a `.nn` file or an ONNX model.
//!
//! SCALE-Sim's rows are independent layers, each with its own ifmap as
//! stored, so each row becomes one layer reading its own input: the first
//! row's ifmap is the network's `input`, every other row's an `extern`,
//! named `<row>.ifmap`. The layers are what the rows compute as a network
//! computes them: a conv row is a convolution without padding whose output
//! size rounds down (`mode: floor` where the stride leaves rows unread), a
//! `DP` row a depthwise (grouped) convolution, a GEMM row `M, N, K` a 1x1
//! convolution of `N` filters over `M` tokens of `K` channels. SCALE-Sim's
//! own conventions (the rounded-up output size, the `DP` split into
//! one-channel runs) belong to its model (`sched::scalesim::conventions`),
//! not to the network.

use super::error::{ReadError, ReadErrorKind};
use super::topology::{RowShape, Topology, TopologyRow};
use crate::ir::{
    ConvShape, DataInput, Dim2, IrError, Layer, LayerKind, LayerShape, MAX_QUANTITY, Network,
    NetworkBuilder, Source, Span, WindowMode,
};

/// The name of row `name`'s ifmap: the network's input or an extern.
pub fn ifmap_name(name: &str) -> String {
    format!("{name}.ifmap")
}

/// The network of `topology`, named `name`; `text` is the file, for the
/// places of errors (two rows with one name, a layer beyond the IR's
/// limits).
pub fn network(name: &str, topology: &Topology, text: &str) -> Result<Network, ReadError> {
    duplicate_names(topology, text)?;
    let mut rows = topology.rows.iter();
    let Some(first) = rows.next() else {
        return Err(ReadError::new(
            ReadErrorKind::NoLayers,
            text,
            text.len()..text.len(),
        ));
    };
    let built = (|| -> Result<Network, (usize, IrError)> {
        let mut b = NetworkBuilder::new(name, ifmap(first)).map_err(|e| (0, e))?;
        b.add_layer(layer(first, Source::Input))
            .map_err(|e| (0, e))?;
        for (i, row) in rows.enumerate() {
            let source = b.add_extern(ifmap(row)).map_err(|e| (i + 1, e))?;
            b.add_layer(layer(row, source)).map_err(|e| (i + 1, e))?;
        }
        Ok(b.finish())
    })();
    built.map_err(|(i, e)| row_error(topology, i, e, text))
}

/// Two rows with one name: the second, pointing at the first.
fn duplicate_names(topology: &Topology, text: &str) -> Result<(), ReadError> {
    for (i, row) in topology.rows.iter().enumerate() {
        if let Some(first) = topology.rows[..i].iter().find(|r| r.name == row.name) {
            let kind = ReadErrorKind::DuplicateName {
                name: row.name.clone(),
                first: first.span.clone(),
            };
            return Err(ReadError::new(kind, text, row.span.clone()));
        }
    }
    Ok(())
}

/// The IR's error `e` at row `i`, as a placed error of the file.
fn row_error(topology: &Topology, i: usize, e: IrError, text: &str) -> ReadError {
    let row = &topology.rows[i];
    let kind = match e {
        // A row named like another row's ifmap (`a` and `a.ifmap`).
        IrError::DuplicateName(name) => {
            let other = topology
                .rows
                .iter()
                .find(|r| r.name != row.name && (r.name == name || ifmap_name(&r.name) == name));
            ReadErrorKind::DuplicateName {
                name,
                first: other.map_or(row.span.clone(), |r| r.span.clone()),
            }
        }
        IrError::TooLarge(_) => ReadErrorKind::TooLarge {
            why: format!(
                "one of its counts for one sample (MACs, ifmap, ofmap or filter words) exceeds 2^44, nnc's limit ({MAX_QUANTITY})"
            ),
        },
        // The rows are checked as they are read (sizes of at least 1, a
        // filter within its ifmap) and the layers accept their inputs by
        // construction: anything else is a bug, said as such.
        other => ReadErrorKind::TooLarge {
            why: format!("nnc cannot build it ({other}); please report this"),
        },
    };
    ReadError::new(kind, text, row.span.clone())
}

/// Row `row`'s ifmap as stored: `C x H x W` for a conv row, `K` channels
/// of `M x 1` tokens for a GEMM row.
fn ifmap(row: &TopologyRow) -> DataInput {
    let (channels, size) = match row.shape {
        RowShape::Conv(l) => (l.channels, Dim2::new(l.ifmap_h, l.ifmap_w)),
        RowShape::Gemm { m, k, .. } => (k, Dim2::new(m, 1)),
    };
    DataInput {
        name: ifmap_name(&row.name),
        channels,
        size,
        span: span(row),
    }
}

/// Row `row` as a layer reading `source`.
fn layer(row: &TopologyRow, source: Source) -> Layer {
    let (shape, mode) = match row.shape {
        RowShape::Conv(l) => {
            let out = |size: u64, filter: u64| (size - filter) / l.stride + 1;
            let ofmap = Dim2::new(out(l.ifmap_h, l.filter_r), out(l.ifmap_w, l.filter_s));
            let filter = Dim2::new(l.filter_r, l.filter_s);
            let stride = Dim2::square(l.stride);
            let groups = row.depthwise_channels().unwrap_or(1);
            // A `DP` row's every channel meets all `M` filters: `C x M`
            // outputs (saturated: the builder refuses what is too large).
            let nofm = l.filters.saturating_mul(groups);
            let conv = ConvShape {
                groups,
                ..ConvShape::dense(l.channels, nofm, ofmap, filter, stride)
            };
            // The rows the last window leaves unread are `mode: floor`'s.
            let derived = LayerShape::Conv(conv).ifmap();
            let floor = derived.h < l.ifmap_h || derived.w < l.ifmap_w;
            let mode = if floor {
                WindowMode::Floor
            } else {
                WindowMode::Exact
            };
            (conv, mode)
        }
        RowShape::Gemm { m, n, k } => {
            let one = Dim2::square(1);
            let conv = ConvShape::dense(k, n, Dim2::new(m, 1), one, one);
            (conv, WindowMode::Exact)
        }
    };
    Layer {
        name: row.name.clone(),
        kind: LayerKind::Conv,
        shape: LayerShape::Conv(shape),
        inputs: vec![source.into()],
        mode,
        span: span(row),
    }
}

/// The row's place in the file.
fn span(row: &TopologyRow) -> Span {
    let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
    Span::Source {
        start: clamp(row.span.start),
        end: clamp(row.span.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalesim::{TopologyKind, read_topology};

    const CONV: &str = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

    fn net(text: &str) -> Result<Network, ReadError> {
        network("t", &read_topology(text, TopologyKind::Auto).unwrap(), text)
    }

    #[test]
    fn rows_become_layers_with_their_own_inputs() {
        let n = net(&format!(
            "{CONV}conv1, 224, 224, 11, 11, 3, 96, 4,\nc2, 31, 31, 5, 5, 96, 256, 1,\ndwDP, 16, 16, 3, 3, 8, 2, 1,\n"
        ))
        .unwrap();
        assert_eq!(n.input().name, "conv1.ifmap");
        assert_eq!(n.externs().len(), 2);
        let [c1, c2, dw] = n.layers() else {
            panic!("three layers")
        };
        // 224 = 54 * 4 + 8: the last 2 rows are never read (SCALE-Sim's
        // rounded-up 55 is its model's, not the network's).
        assert_eq!(c1.shape.ofmap(), Dim2::square(54));
        assert_eq!(c1.mode, WindowMode::Floor);
        assert_eq!(c1.shape.total_ops(1), 54 * 54 * 96 * 11 * 11 * 3);
        assert_eq!(
            (c2.shape.ofmap(), c2.mode),
            (Dim2::square(27), WindowMode::Exact)
        );
        // A `DP` row: every channel with its own 2 filters.
        let LayerShape::Conv(d) = dw.shape else {
            panic!("a conv")
        };
        assert_eq!((d.nifm, d.nofm, d.groups), (8, 16, 8));
        assert_eq!(dw.shape.total_ops(1), 14 * 14 * 16 * 9);
    }

    #[test]
    fn a_gemm_is_a_1x1_convolution_over_tokens() {
        let n = net("Layer, M, N, K,\nqkv, 128, 768, 64,\n").unwrap();
        let l = &n.layers()[0];
        assert_eq!((l.shape.nifm(), l.shape.nofm()), (64, 768));
        assert_eq!(l.shape.ofmap(), Dim2::new(128, 1));
        assert_eq!(l.shape.total_ops(1), 128 * 768 * 64);
        assert_eq!(n.input().size, Dim2::new(128, 1));
    }

    #[test]
    fn names_are_unique_and_sizes_bounded() {
        let text = format!(
            "{CONV}a, 9, 9, 3, 3, 2, 2, 1,\nb, 9, 9, 3, 3, 2, 2, 1,\na, 9, 9, 3, 3, 2, 2, 1,\n"
        );
        let e = net(&text).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(
            matches!(e.kind, ReadErrorKind::DuplicateName { ref first, .. } if first.start == CONV.len())
        );
        let text = format!("{CONV}a, 9, 9, 3, 3, 2, 2, 1,\na.ifmap, 9, 9, 3, 3, 2, 2, 1,\n");
        let e = net(&text).unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::DuplicateName { .. }), "{e}");
        let text = format!("{CONV}big, 4194304, 4194304, 1, 1, 4096, 1, 1,\n");
        let e = net(&text).unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::TooLarge { .. }), "{e}");
    }
}
