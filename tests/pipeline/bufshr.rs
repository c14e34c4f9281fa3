//! The `bufshr` vectors of `search_unit_vectors.json` (BS-42..44): sharing
//! groups, neighbour distances, subgroup layouts, rotation and wide-fetch
//! hops (docs/model/buffer-sharing.md#rotation-and-wide-fetch).

use crate::model::support::{dim, f, u};
use nnc::ir::{ConvShape, Dim2, LayerShape};
use nnc::sched::partition::{Coord, NodeRegion, ParallelDim, PartitionScheme, RegionKind};
use nnc::sched::pipeline::bufshr::{BufShare, part_neighbor_dist};
use nnc::sched::types::DataKind;
use serde_json::Value;

fn vector(id: &str) -> Value {
    let all: Value =
        serde_json::from_str(include_str!("../data/search_unit_vectors.json")).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap()
        .clone()
}

fn close(what: &str, got: f64, want: f64) {
    let ok = got == want || (got - want).abs() <= 1e-12 * want.abs().max(1.0);
    assert!(ok, "{what}: got {got}, want {want}");
}

fn dist2(v: &Value) -> [f64; 2] {
    [f(&v[0]), f(&v[1])]
}

fn check(id: &str) {
    let v = vector(id);
    let i = &v["input"];
    let r = &i["region"];
    assert_eq!(r["type"], "PROC");
    let origin = dim(&r["origin"]);
    let region = NodeRegion::new(
        dim(&r["dim"]),
        Coord::new(origin.h as i64, origin.w as i64),
        RegionKind::Proc,
    )
    .folded(u(&r["wtot"]), r["wbeg"].as_i64().unwrap())
    .unwrap();
    let order: Vec<usize> = i["part"]["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| u(x) as usize)
        .collect();
    let pdims: Vec<Dim2> = i["part"]["pdims"]
        .as_array()
        .unwrap()
        .iter()
        .map(dim)
        .collect();
    let part = PartitionScheme::from_indices(
        [order[0], order[1], order[2], order[3]],
        [pdims[0], pdims[1], pdims[2], pdims[3]],
    )
    .unwrap();
    assert_eq!(i["layer_type"], "Conv");
    // Any convolution: the groups depend on the layer's kind only.
    let layer = LayerShape::Conv(ConvShape {
        nifm: 32,
        nofm: 32,
        ofmap: Dim2::square(8),
        filter: Dim2::square(3),
        stride: Dim2::square(1),
        groups: 1,
        dilation: Dim2::square(1),
        filter_data: Default::default(),
        shuffle: nnc::ir::Dim2::square(1),
    });
    let e = &v["expected"];
    let nd = part_neighbor_dist(&part, &region);
    for p in ParallelDim::ALL {
        let want = dist2(&e["part_neighbor_dist"][p.index()]);
        assert_eq!(nd[p], want, "{id} neighbour distance of {p:?}");
    }
    let bs = BufShare::new(&part, &region, &layer);
    for d in DataKind::ALL {
        assert_eq!(
            bs.dims[d],
            dim(&e["dims"][d.index()]),
            "{id} group of {d:?}"
        );
        let want = dist2(&e["nbr_dists"][d.index()]);
        assert_eq!(bs.nbr_dists[d], want, "{id} distances of {d:?}");
    }
    for q in e["queries"].as_array().unwrap() {
        let d = DataKind::ALL[u(&q["dce"]) as usize];
        let s = u(&q["subgrp_size"]);
        let units = q["rotation_unit_cnt"].as_u64();
        let at = format!("{id} {d:?} s={s} units={units:?}");
        assert_eq!(bs.subgroup_dim(d, s), dim(&q["subgrp_dim"]), "{at} layout");
        assert_eq!(bs.priority_axis(d) as u64, u(&q["idx_pr"]), "{at} axis");
        close(
            &format!("{at} rotate"),
            bs.rotate_all(d, s, units),
            f(&q["nhops_rotate_all"]),
        );
        for (w, want) in q["nhops_wide_fetch_once"].as_object().unwrap() {
            let w: f64 = w.parse().unwrap();
            close(
                &format!("{at} wide {w}"),
                bs.wide_fetch_once(d, s, w),
                f(want),
            );
        }
    }
}

#[test]
fn bs42_outp_and_ofmp_on_a_row_and_a_column() {
    check("BS-42");
}

#[test]
fn bs43_ofmp_inside_inpp() {
    check("BS-43");
}

#[test]
fn bs44_batp_next_to_ofmp_on_2x4() {
    check("BS-44");
}

#[test]
fn zero_hops_cost_nothing_along_an_axis_without_neighbours() {
    // A column group: the chain runs down it only, never across.
    let part = PartitionScheme::from_indices(
        [0, 1, 2, 3],
        [
            Dim2::new(4, 1),
            Dim2::square(1),
            Dim2::square(1),
            Dim2::square(1),
        ],
    )
    .unwrap();
    let region = NodeRegion::new(Dim2::new(4, 1), Coord::new(0, 0), RegionKind::Proc);
    let layer = LayerShape::Conv(ConvShape {
        nifm: 8,
        nofm: 8,
        ofmap: Dim2::square(4),
        filter: Dim2::square(1),
        stride: Dim2::square(1),
        groups: 1,
        dilation: Dim2::square(1),
        filter_data: Default::default(),
        shuffle: nnc::ir::Dim2::square(1),
    });
    let bs = BufShare::new(&part, &region, &layer);
    let r = bs.rotate_all(DataKind::Ifm, 4, None);
    assert!(r.is_finite(), "{r}");
    // Chain 3 and loop back 3, three quarters of the data move.
    assert_eq!(r, 4.5);
}
