//! The `bufshr` vectors of `search_unit_vectors.json` (BS-42..44): sharing
//! groups, neighbour distances, subgroup layouts, rotation and wide-fetch
//! hops (docs/model/buffer-sharing.md#rotation-and-wide-fetch).

use crate::model::support::{dim, f, u};
use nnc::internals::sched::partition::{
    Coord, NodeRegion, ParallelDim, PartitionScheme, RegionKind,
};
use nnc::internals::sched::pipeline::bufshr::{BufShare, part_neighbor_dist};
use nnc::internals::sched::types::DataKind;
use nnc::ir::{ConvShape, Dim2, LayerShape};
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

/// The worked blocking of docs/model/buffer-sharing.md (the spec's 9.6):
/// conv 16 -> 16, 8x8, 3x3, batch 4 on 2x2 nodes split by ofmap tiles,
/// 400-word buffers. The filters' group is all four nodes; the sharing
/// sweep shrinks it to pairs that rotate the filters 4 times in units of 2:
/// `rotate_all = (1 + 1) * (2 - 1) / 2 * (4 div 2) = 2` hops per word and
/// round, so `2304 filter words * 2 * 4 = 18,432` hops.
#[test]
fn the_worked_blocking_rotates_filters_around_pairs() {
    use nnc::internals::sched::Compat;
    use nnc::internals::sched::blocking::{Blocking, BlockingContext};
    use nnc::internals::sched::dataflow::Nld;
    use nnc::internals::sched::machine::{Bandwidth, Cost, NodeResource};
    use nnc::internals::sched::options::Goal;
    use nnc::internals::sched::types::{DataLoops, PerData, PerLevel, PerLoop};
    let part = PartitionScheme::from_indices(
        [0, 2, 3, 1],
        [
            Dim2::square(1),
            Dim2::square(2),
            Dim2::square(1),
            Dim2::square(1),
        ],
    )
    .unwrap();
    let region = NodeRegion::new(Dim2::square(2), Coord::new(0, 0), RegionKind::Proc);
    let layer = LayerShape::Conv(ConvShape::dense(
        16,
        16,
        Dim2::square(8),
        Dim2::square(3),
        Dim2::square(1),
    ));
    let share = BufShare::new(&part, &region, &layer);
    assert_eq!(share.dims[DataKind::Fil], Dim2::square(2));
    // Per node: 16 x 16 x 4 loops over a 4x4 ofmap tile (6x6 input, 3x3
    // filters); one filter word per loop body of the filter at the buffer.
    let nld = Nld {
        loopcnt: PerLoop([16, 16, 4]),
        usize_gbuf: PerData([9, 36, 16]),
        usize_regf: PerData([1, 1, 1]),
        unit_access: PerLevel([PerData([9.0, 36.0, 16.0]); 4]),
        unit_ops: 144.0,
        unit_time: 1,
        data_loops: DataLoops::CONV,
        regf_keeps: PerData([true; 3]),
        buffer_by_energy: false,
        regf_once: PerData([false; 3]),
    };
    let resource = NodeResource {
        sram: None,
        dim_array: Dim2::square(4),
        size_gbuf: 400,
        size_regf: 32,
        array_bus_width: None,
        dram_bandwidth: Bandwidth::Unlimited,
        no_time_mux: false,
        dataflow: Default::default(),
    };
    let cost = Cost::new(1.0, PerLevel([200.0, 6.0, 2.0, 1.0]), 10.0, 0.0);
    let ctx = BlockingContext::new(
        &nld,
        &resource,
        &cost,
        // Everything stays in the buffers: 18 + 288 + 64 of 400 words.
        PerData::splat(false),
        Goal::E,
        Compat::Nnc,
    )
    .with_partition(4, PerData::splat(0), share.dims.map(|g| g.size()))
    .with_sharing(Some(share));
    let b = Blocking {
        factors: [PerLoop([4, 8, 2]), PerLoop([1, 2, 2]), PerLoop([4, 1, 1])],
        orders: [PerLoop([1, 0, 2]), PerLoop([2, 0, 1])],
    };
    let s = ctx.evaluate(&b).expect("the worked blocking is valid");
    assert_eq!(s.fetch.map(|f| f.0), [[2, 1, 7], [4, 8, 7]]);
    let sh = s.sharing.expect("buffer sharing is on");
    assert_eq!(sh.subgroup[DataKind::Fil], 2);
    assert_eq!(sh.rot_rounds[DataKind::Fil], 4);
    assert_eq!(sh.rot_units[DataKind::Fil], 2);
    assert_eq!(sh.node_nhops[DataKind::Fil], 18432.0);
    // The hops are in the layer's NoC energy.
    assert_eq!(
        s.energy.noc,
        10.0 * (0.0 + sh.node_nhops.0.iter().sum::<f64>())
    );
}
