//! The reference's hop memo over whole sequences of queries, as a search makes
//! them: `data/hop_memo_sequences.json` holds what nn_dataflow 2.1 returned
//! for each query of five fixed sequences (one process, so one set of memos,
//! per sequence; `data/hop_memo_sequences.py` builds the same sequences).
//! Replayed through one [`HopCache`] per sequence, nnc must return the same
//! hops, memo effects (aliasing, eviction after 1024 entries, recency)
//! included.

use nnc::internals::sched::Compat;
use nnc::internals::sched::machine::MemType;
use nnc::internals::sched::partition::{
    DataLayout, FilterSources, FmapRange, HopCache, HopQuery, NodeRegion, ParallelDim, PartTarget,
    PartitionScheme, Partitioning, gen_partition, unit_nhops,
};
use nnc::ir::{ConvShape, Dim2, LayerShape, LocalShape};
use serde_json::Value;

fn d(n: u64) -> Dim2 {
    Dim2::square(n)
}

fn conv(nifm: u64, nofm: u64, ofmap: u64, filter: u64, stride: u64) -> LayerShape {
    LayerShape::Conv(ConvShape {
        nifm,
        nofm,
        ofmap: d(ofmap),
        filter: d(filter),
        stride: d(stride),
        groups: 1,
        dilation: Dim2::square(1),
        filter_data: Default::default(),
        shuffle: nnc::ir::Dim2::square(1),
    })
}

/// The layers of the sequences, in order (as in the generator).
fn layers() -> Vec<LayerShape> {
    vec![
        conv(8, 16, 8, 3, 1),
        conv(16, 16, 8, 3, 1),
        conv(16, 32, 4, 3, 2),
        LayerShape::Conv(ConvShape::fc(64, 32, d(2))),
        LayerShape::Local(LocalShape::pool(16, d(4), d(2), d(2))),
        LayerShape::Local(LocalShape::eltwise(8, d(8), 2)),
        conv(3, 8, 7, 3, 1),
        LayerShape::Local(LocalShape::pool(48, d(27), d(3), d(2))),
    ]
}

struct Config {
    nodes: Dim2,
    mem: MemType,
    batch: u64,
    opts: Partitioning,
    forwarding: bool,
    passes: usize,
}

fn config(name: &str) -> Config {
    let (hybrid, batch_p, ifmaps) = (true, true, true);
    let opts = |hybrid, batch, ifmaps| Partitioning::from_flags(hybrid, batch, ifmaps).unwrap();
    match name {
        "A" => Config {
            nodes: d(4),
            mem: MemType::TwoD,
            batch: 4,
            opts: opts(hybrid, batch_p, false),
            forwarding: false,
            passes: 1,
        },
        "B" => Config {
            nodes: d(4),
            mem: MemType::TwoD,
            batch: 4,
            opts: opts(hybrid, batch_p, ifmaps),
            forwarding: true,
            passes: 1,
        },
        "C" => Config {
            nodes: d(2),
            mem: MemType::TwoD,
            batch: 4,
            opts: Partitioning::default(),
            forwarding: false,
            passes: 1,
        },
        "D" => Config {
            nodes: Dim2::new(2, 4),
            mem: MemType::ThreeD,
            batch: 8,
            opts: opts(hybrid, batch_p, false),
            forwarding: false,
            passes: 1,
        },
        "E" => Config {
            nodes: d(4),
            mem: MemType::TwoD,
            batch: 16,
            opts: opts(hybrid, batch_p, ifmaps),
            forwarding: false,
            passes: 2,
        },
        _ => panic!("unknown sequence {name}"),
    }
}

/// Replays sequence `name` (A-E: every scheme of every layer for two input
/// layouts, as a search would try them); returns (queries, queries whose memoised hops
/// differ from the exact ones).
fn replay(name: &str, expected: &[Value]) -> (usize, usize) {
    let cfg = config(name);
    let proc_region = NodeRegion::proc(cfg.nodes);
    let dram = NodeRegion::dram(cfg.nodes, cfg.mem);
    let sources = FilterSources::from_region(&dram);
    let b = cfg.batch;
    let mut memo = HopCache::new(Compat::NnDataflow);
    let mut k = 0;
    let mut aliased = 0;
    for _ in 0..cfg.passes {
        for l in layers() {
            let parts = gen_parts(&l, &cfg);
            let (i, o) = (l.ifmap(), l.ofmap());
            let ifrng = FmapRange::full(b, l.nifm(), i.h, i.w);
            let ofrng = FmapRange::full(b, l.nofm(), o.h, o.w);
            for p_in in parts.iter().take(2) {
                let ifmap = DataLayout::single(ifrng, dram, p_in.projection(&dram, true))
                    .expect("ifmap layout");
                for (n, &part) in parts.iter().enumerate() {
                    let ofmap = if n % 4 == 3 && part.pdim(ParallelDim::Inpp).size() == 1 {
                        DataLayout::single(ofrng, proc_region, part)
                    } else {
                        DataLayout::single(ofrng, dram, part.projection(&dram, true))
                    }
                    .expect("ofmap layout");
                    let q = HopQuery {
                        layer: l,
                        batch: b,
                        proc_region,
                        part,
                        fil_sources: &sources,
                        ifmap_layout: &ifmap,
                        ofmap_layout: &ofmap,
                        forwarding: cfg.forwarding,
                    };
                    let got = memo.unit_nhops(&q).0;
                    let want = expected
                        .get(k)
                        .unwrap_or_else(|| panic!("{name}: too few results"));
                    let want: Vec<u64> = want
                        .as_array()
                        .expect("hops")
                        .iter()
                        .map(|v| v.as_u64().expect("integer hops"))
                        .collect();
                    assert_eq!(got.to_vec(), want, "sequence {name}, query {k}: {part}");
                    if got != unit_nhops(&q, Compat::NnDataflow).0 {
                        aliased += 1;
                    }
                    k += 1;
                }
            }
        }
    }
    assert_eq!(k, expected.len(), "sequence {name}: query count");
    (k, aliased)
}

fn hops(v: &Value) -> [u64; 3] {
    let a = v.as_array().expect("hops");
    [0, 1, 2].map(|i| a[i].as_u64().expect("integer hops"))
}

/// Sequences F and G: AlexNet `pool1_a` in order (INPP, BATP, OUTP, OFMP),
/// then filler queries, then the aliasing order (INPP, BATP, OFMP, OUTP).
/// F: 1024 fillers push the aliased IFM entry out, the second order gets its
/// own hops. G: a hit on that entry after 1000 fillers makes it recent again,
/// so it survives 100 more and the second order is aliased.
fn replay_lru(name: &str, expected: &[Value]) {
    use ParallelDim::{Batp, Inpp, Ofmp, Outp};
    let nodes = d(4);
    let proc_region = NodeRegion::proc(nodes);
    let dram = NodeRegion::dram(nodes, MemType::TwoD);
    let sources = FilterSources::from_region(&dram);
    let opts = Partitioning::from_flags(true, true, false).unwrap();
    let scheme = |order, pdims: [(u64, u64); 4]| {
        PartitionScheme::new(order, pdims.map(|(h, w)| Dim2::new(h, w))).expect("valid scheme")
    };
    let pool = LayerShape::Local(LocalShape::pool(48, d(27), d(3), d(2)));
    let conv1a = scheme([Outp, Inpp, Batp, Ofmp], [(1, 1), (2, 1), (1, 2), (1, 1)]);
    let pool_in =
        DataLayout::single(FmapRange::full(16, 48, 55, 55), dram, conv1a).expect("ifmap layout");
    let pool_out = FmapRange::full(16, 48, 27, 27);
    let mut memo = HopCache::new(Compat::NnDataflow);
    let mut got = Vec::new();
    let pool_query = |memo: &mut HopCache, order, local: bool| {
        let part = scheme(order, [(2, 1), (2, 1), (1, 4), (1, 1)]);
        let ofmap = if local {
            DataLayout::single(pool_out, proc_region, part)
        } else {
            DataLayout::single(pool_out, dram, part.projection(&dram, true))
        }
        .expect("ofmap layout");
        memo.unit_nhops(&HopQuery {
            layer: pool,
            batch: 16,
            proc_region,
            part,
            fil_sources: &sources,
            ifmap_layout: &pool_in,
            ofmap_layout: &ofmap,
            forwarding: false,
        })
    };
    let filler = |memo: &mut HopCache, n: u64| {
        let l = conv(n, 4, 2, 1, 1);
        let part = gen_partition(&PartTarget::Layer(l), 1, nodes, opts, true)[0];
        let p = part.projection(&dram, true);
        let ifmap = DataLayout::single(FmapRange::full(1, n, 2, 2), dram, p).expect("ifmap");
        let ofmap = DataLayout::single(FmapRange::full(1, 4, 2, 2), dram, p).expect("ofmap");
        memo.unit_nhops(&HopQuery {
            layer: l,
            batch: 1,
            proc_region,
            part,
            fil_sources: &sources,
            ifmap_layout: &ifmap,
            ofmap_layout: &ofmap,
            forwarding: false,
        })
    };
    let (first, second) = ([Inpp, Batp, Outp, Ofmp], [Inpp, Batp, Ofmp, Outp]);
    got.push(pool_query(&mut memo, first, false));
    if name == "F" {
        got.extend((1..=1024).map(|n| filler(&mut memo, n)));
    } else {
        got.extend((1..=1000).map(|n| filler(&mut memo, n)));
        got.push(pool_query(&mut memo, first, true));
        got.extend((1001..=1100).map(|n| filler(&mut memo, n)));
    }
    got.push(pool_query(&mut memo, second, false));
    assert_eq!(got.len(), expected.len(), "sequence {name}");
    for (k, (g, w)) in got.iter().zip(expected).enumerate() {
        assert_eq!(g.0, hops(w), "sequence {name}, query {k}");
    }
    let last = got.last().expect("queries")[nnc::internals::sched::types::DataKind::Ifm];
    assert_eq!(
        last,
        if name == "F" { 2_500_960 } else { 3_665_200 },
        "sequence {name}"
    );
}

fn gen_parts(l: &LayerShape, cfg: &Config) -> Vec<PartitionScheme> {
    gen_partition(&PartTarget::Layer(*l), cfg.batch, cfg.nodes, cfg.opts, true)
}

#[test]
fn reference_memo_sequences() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/partition/data/hop_memo_sequences.json"
    );
    let text = std::fs::read_to_string(path).expect("read hop_memo_sequences.json");
    let doc: Value = serde_json::from_str(&text).expect("parse hop_memo_sequences.json");
    let seqs = doc["sequences"].as_object().expect("sequences");
    assert_eq!(seqs.len(), 7);
    let mut total_aliased = 0;
    for (name, results) in seqs {
        let results = results.as_array().expect("results");
        if matches!(name.as_str(), "F" | "G") {
            replay_lru(name, results);
            continue;
        }
        let (n, aliased) = replay(name, results);
        assert!(n > 0);
        total_aliased += aliased;
    }
    // The sequences do exercise the aliasing.
    assert!(total_aliased > 0);
}
