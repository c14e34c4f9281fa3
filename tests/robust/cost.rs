//! Scheduling cost linear in the layers (item 6): every partial schedule
//! copied the whole network's state, and asking a layer's consumers
//! scanned every layer, so time and memory grew with the square of the
//! layer count (8,000 layers: 11 s and 2.9 GB in a release build).

use std::time::{Duration, Instant};

/// A chain of `n` 1x1 convolutions.
fn chain(n: usize) -> String {
    let mut text =
        String::from("network Chain\ninput data [8, 4]\nl0 = conv(data, 8, kernel: 1)\n");
    for i in 1..n {
        text += &format!("l{i} = conv(l{}, 8, kernel: 1)\n", i - 1);
    }
    text
}

/// 8,000 layers in a test build: about 3 s when linear, minutes when
/// quadratic; and the schedule is the chain's, layer by layer.
#[test]
fn an_eight_thousand_layer_chain_schedules_in_seconds() {
    let (net, _) = nnc::compile(&chain(8000)).unwrap();
    let hw = nnc::hw::load("eyeriss").unwrap();
    let options = nnc::Options::builder()
        .solver(nnc::Solver::Analytic)
        .pipeline(nnc::PipelineOptions::default())
        .build()
        .unwrap();
    let start = Instant::now();
    let file = nnc::schedule(&net, &hw, &options).unwrap();
    let took = start.elapsed();
    assert_eq!(file.layers.len(), 8000);
    assert!(took < Duration::from_secs(40), "{took:?}");
    // The chain's inner layers are one problem: scheduled alike at any
    // depth.
    let inner = file.layers[1].energy;
    assert!(file.layers[1..7999].iter().all(|l| l.energy == inner));
}

/// Pipelining, searched by default, stays linear in the layers too: a
/// chain's vertex runs were enumerated whole and recursively (1,000
/// layers: 41 s and 7.9 GB in a release build; 8,000 overflowed the
/// stack). Runs now stop at the default limit of vertices
/// (docs/model/network.md#default-options).
#[test]
fn a_long_chain_pipelines_by_default_in_seconds() {
    let (net, _) = nnc::compile(&chain(1000)).unwrap();
    let hw = nnc::hw::load("eyeriss").unwrap();
    let options = nnc::Options::builder()
        .solver(nnc::Solver::Analytic)
        .build()
        .unwrap();
    assert_eq!(options.pipeline().max_degree, Some(nnc::DEFAULT_MAX_DEGREE));
    let start = Instant::now();
    let file = nnc::schedule(&net, &hw, &options).unwrap();
    let took = start.elapsed();
    assert_eq!(file.layers.len(), 1000);
    assert!(took < Duration::from_secs(60), "{took:?}");
    // The tiny layers keep their data on chip: segments of several.
    assert!(file.segments.len() < 1000, "{}", file.segments.len());
}

/// Item 9: a grid under the row limit was planned whole before its first
/// row (1 M rows: 60 s and 1.36 GB before the results file existed; 10 M
/// rows out of memory). Now a point is made when its row runs: a sweep of
/// the most rows a spec may have hands on its first rows within its first
/// chunk, whatever the grid's size.
#[test]
fn a_grid_of_ten_million_rows_runs_its_first_rows_at_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let list = |from: f64, n: usize| {
        let v: Vec<String> = (0..n).map(|i| format!("{:.1}", from + i as f64)).collect();
        v.join(", ")
    };
    let spec_text = format!(
        "networks = [\"tiny.nn\"]\nhw = \"eyeriss\"\n[options]\nsolver = \"analytic\"\n\
         [vary]\n\"energy.dram\" = [{}]\n\"energy.gbuf\" = [{}]\n\"energy.array\" = [{}]\n\
         \"node.gbuf_bytes\" = [{}]\n",
        list(100.0, 100),
        list(1.0, 100),
        list(1.0, 100),
        (1..=10)
            .map(|i| (i * 32768).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let spec = nnc::sweep::parse_spec(&spec_text, std::path::Path::new(".")).unwrap();
    let source = "network Tiny\ninput data [3, 16]\nc1 = conv(data, 8, kernel: 3, pad: 1)\n";
    let (net, _) = nnc::compile(source).unwrap();
    let networks = [net];
    let plan = nnc::sweep::Plan::new(&spec, &networks, &[source]).unwrap();
    assert_eq!(plan.rows(), nnc::sweep::MAX_ROWS);
    let ran = AtomicUsize::new(0);
    let row = |k, design: &nnc::sweep::Design, shared: &nnc::SharedSearch| {
        ran.fetch_add(1, Ordering::Relaxed);
        plan.row_shared(k, design, shared)
    };
    let mut lines = Vec::new();
    let stopped = nnc::sweep::run_ordered_with(&plan, 0..plan.rows(), &row, &mut |line| {
        lines.push(line);
        if lines.len() == 3 {
            Err("enough")
        } else {
            Ok(())
        }
    });
    assert_eq!(stopped, Err("enough"));
    assert!(
        lines[0].starts_with("tiny.nn,1,100.0,1.0,1.0,32768,"),
        "{}",
        lines[0]
    );
    assert!(
        lines[2].starts_with("tiny.nn,1,100.0,1.0,1.0,98304,"),
        "{}",
        lines[2]
    );
    // Rows are planned and run a chunk at a time: the sweep stops within
    // its first chunk, having read the hardware of none of the others.
    let ran = ran.load(Ordering::Relaxed);
    assert!(ran < nnc::sweep::CHUNK, "{ran} rows ran");
    // Any row is found from its key, with no index of the grid.
    let last = plan.rows() - 1;
    assert_eq!(plan.find(&plan.key(last)), Some(last));
}
