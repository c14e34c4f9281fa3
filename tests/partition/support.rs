//! Reading the partition-related parts of `search_unit_vectors.json` into
//! nnc's types.

use nnc::internals::sched::partition::{
    Coord, FmapPosition, FmapRange, NodeRegion, PartTarget, PartitionScheme, RegionKind,
};
use nnc::ir::{ConvShape, Dim2, LayerShape, LocalShape};
use serde_json::Value;
use std::sync::LazyLock;

static VECTORS: LazyLock<Value> = LazyLock::new(|| {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/search_unit_vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("read search_unit_vectors.json");
    serde_json::from_str(&text).expect("parse search_unit_vectors.json")
});

/// All vectors of one kind, in file order.
pub(crate) fn vectors(kind: &str) -> Vec<&'static Value> {
    VECTORS["vectors"]
        .as_array()
        .expect("vectors array")
        .iter()
        .filter(|v| v["kind"] == kind)
        .collect()
}

pub(crate) fn u(v: &Value) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("not an unsigned integer: {v}"))
}

pub(crate) fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

pub(crate) fn dim(v: &Value) -> Dim2 {
    Dim2::new(u(&v[0]), u(&v[1]))
}

pub(crate) fn coord(v: &Value) -> Coord {
    Coord::new(i(&v[0]), i(&v[1]))
}

pub(crate) fn coords(v: &Value) -> Vec<Coord> {
    v.as_array()
        .expect("coordinate list")
        .iter()
        .map(coord)
        .collect()
}

pub(crate) fn region(v: &Value) -> NodeRegion {
    let kind = match v["type"].as_str() {
        Some("PROC") => RegionKind::Proc,
        Some("DRAM") => RegionKind::Dram,
        other => panic!("unknown region type {other:?}"),
    };
    NodeRegion::new(dim(&v["dim"]), coord(&v["origin"]), kind)
        .with_dist(dim(&v["dist"]))
        .folded(u(&v["wtot"]), i(&v["wbeg"]))
        .expect("valid region")
}

pub(crate) fn scheme(v: &Value) -> PartitionScheme {
    let order = v["order"].as_array().expect("order");
    let order = [0, 1, 2, 3].map(|k| usize::try_from(u(&order[k])).expect("small"));
    let pdims = [0, 1, 2, 3].map(|k| dim(&v["pdims"][k]));
    PartitionScheme::from_indices(order, pdims).expect("valid scheme")
}

/// The vector form `{"order": [...], "pdims": [[h, w], ...]}` of a scheme.
pub(crate) fn scheme_json(s: &PartitionScheme) -> Value {
    let order: Vec<_> = s.order().iter().map(|p| p.index()).collect();
    let pdims: Vec<_> = s.pdims().0.iter().map(|d| vec![d.h, d.w]).collect();
    serde_json::json!({ "order": order, "pdims": pdims })
}

pub(crate) fn frng(v: &Value) -> FmapRange {
    let p = |v: &Value| FmapPosition::new(u(&v[0]), u(&v[1]), u(&v[2]), u(&v[3]));
    FmapRange::new(p(&v[0]), p(&v[1]))
}

/// A layer, or the input layer, as the vector describes it.
pub(crate) fn target(v: &Value) -> PartTarget {
    match v["type"].as_str() {
        Some("Input") => PartTarget::Input {
            nofm: u(&v["nofm"]),
            ofmap: dim(&v["sofm"]),
        },
        _ => PartTarget::Layer(layer(v)),
    }
}

pub(crate) fn layer(v: &Value) -> LayerShape {
    match v["type"].as_str() {
        Some("Conv") => LayerShape::Conv(ConvShape {
            nifm: u(&v["nifm"]),
            nofm: u(&v["nofm"]),
            ofmap: dim(&v["sofm"]),
            filter: dim(&v["sfil"]),
            stride: dim(&v["strd"]),
            groups: 1,
            dilation: Dim2::square(1),
            filter_data: Default::default(),
            shuffle: nnc::ir::Dim2::square(1),
        }),
        Some("Pooling") => LayerShape::Local(LocalShape::pool(
            u(&v["nofm"]),
            dim(&v["sofm"]),
            dim(&v["sreg"]),
            dim(&v["strd"]),
        )),
        Some("Eltwise") => LayerShape::Local(LocalShape::eltwise(
            u(&v["nofm"]),
            dim(&v["sofm"]),
            u(&v["nreg"]),
        )),
        Some("LocalRegion") => LayerShape::Local(LocalShape {
            nofm: u(&v["nofm"]),
            ofmap: dim(&v["sofm"]),
            nreg: u(&v["nreg"]),
            region: dim(&v["sreg"]),
            stride: dim(&v["strd"]),
            ntrd: u(&v["ntrd"]),
        }),
        other => panic!("unknown layer type {other:?}"),
    }
}
