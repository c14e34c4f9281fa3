//! The transformer and the encoder-decoder of `nns/` on the scheduler:
//! their sizes against published counts, a schedule on every preset with
//! both solvers, and what the model says a matmul costs.

use nnc::ir::LayerShape;
use nnc::{Options, Solver};

fn net(file: &str) -> nnc::ir::Network {
    let src = std::fs::read_to_string(super::root().join(file)).expect("readable");
    nnc::compile(&src).expect("compiles").0
}

/// Layer by layer on naive partitions (what these tests count are a
/// layer's own accesses, which data kept on chip would hide).
fn options(batch: u64, solver: Solver) -> Options {
    Options::builder()
        .batch(batch)
        .widening(nnc::Widening::NARROWEST)
        .solver(solver)
        .build()
        .expect("valid")
}

/// torchvision's `ViT_B_16_Weights.IMAGENET1K_V1`: 17.564 GFLOPS (its
/// multiply-accumulates) and 86,567,656 parameters.
#[test]
fn vit_b16_has_torchvisions_macs_and_weights() {
    let n = net("nns/vit_b16.nn");
    let macs: u64 = n
        .layers()
        .iter()
        .filter(|l| matches!(l.shape, LayerShape::Conv(_)))
        .map(|l| l.shape.total_ops(1))
        .sum();
    let published = 17.564e9;
    #[allow(clippy::cast_precision_loss)]
    let off = (macs as f64 / published - 1.0).abs();
    assert!(off < 0.005, "{macs} MACs, {:.3}% off", off * 100.0);
    // By hand: per block 4 projections of 197 x 768 x 768, the MLP's
    // 2 x 197 x 768 x 3072, the two products 2 x 197 x 197 x 768; the
    // patch embedding (197 rows, with the class token's) and the head.
    let block = 4 * 197 * 768 * 768 + 2 * 197 * 768 * 3072 + 2 * 197 * 197 * 768;
    assert_eq!(macs, 12 * block + 197 * 768 * 768 + 768 * 1000);
    let weights: u64 = n.layers().iter().map(nnc::ir::Layer::weights).sum();
    #[allow(clippy::cast_precision_loss)]
    let off = (weights as f64 / 86_567_656.0 - 1.0).abs();
    // Biases, layer norms, the class token and the position embedding
    // are not layers' weights: 0.32% of the parameters.
    assert!(off < 0.02, "{weights} weights, {:.3}% off", off * 100.0);
}

/// BERT-base over 128 tokens: 12 layers of the same products by hand,
/// and the pooler (11.2 G multiply-accumulates, as usually quoted).
#[test]
fn bert_base_has_its_macs() {
    let n = net("nns/bert_base.nn");
    let macs: u64 = n
        .layers()
        .iter()
        .filter(|l| matches!(l.shape, LayerShape::Conv(_)))
        .map(|l| l.shape.total_ops(1))
        .sum();
    let layer = 4 * 128 * 768 * 768 + 2 * 128 * 768 * 3072 + 2 * 128 * 128 * 768;
    assert_eq!(macs, 12 * layer + 768 * 768);
}

/// Every preset, both solvers, batch 1 and (analytic) 4 with pipelining
/// on `tetris`: the matmuls and the upsamplings schedule everywhere.
#[test]
fn the_transformer_and_the_unet_schedule_on_every_preset() {
    for file in [
        "nns/vit_b16.nn",
        "nns/bert_base.nn",
        "nns/unet_small.nn",
        "nns/gpt2.nn",
        "nns/gpt2_decode.nn",
        "nns/tinyllama.nn",
        "nns/tinyllama_decode.nn",
    ] {
        let n = net(file);
        for hw in nnc::hw::preset_names() {
            let hw_ = nnc::hw::load(hw).expect("preset");
            for solver in [Solver::Exhaustive, Solver::Analytic] {
                let s = nnc::schedule(&n, &hw_, &options(1, solver))
                    .unwrap_or_else(|e| panic!("{file} on {hw}, {solver:?}: {e}"));
                assert!(
                    s.totals.energy >= s.totals.lower_bound.energy,
                    "{file} {hw}"
                );
            }
        }
        let tetris = nnc::hw::load("tetris").expect("preset");
        let piped = Options::builder()
            .batch(4)
            .solver(Solver::Analytic)
            .pipeline(nnc::internals::sched::pipeline::PipelineOptions {
                spatial: true,
                temporal: false,
                ..Default::default()
            })
            .build()
            .expect("valid");
        let s = nnc::schedule(&n, &tetris, &piped).expect("pipelined");
        // A matmul or an upsampling is alone in its segment.
        for seg in &s.segments {
            let members: Vec<&String> = seg.groups.iter().flatten().collect();
            let alone = members.iter().any(|m| {
                let l = n.layer(n.find(m).expect("a layer"));
                l.shape.is_matmul() || matches!(l.shape, LayerShape::Conv(c) if c.is_shuffled())
            });
            assert!(!alone || members.len() == 1, "{file}: {members:?}");
        }
    }
}

/// A matmul's operand is per sample: a batch of 4 costs exactly 4 runs of
/// one sample, and reads all of the operand from DRAM for every sample; a
/// conv of the same shape shares its weights over the batch and costs
/// less than 4 times one sample.
#[test]
fn a_matmul_shares_nothing_over_the_batch() {
    let src = "network t\ninput x [256, 64, 1]\nk = conv(x, 256, kernel: 1)\n\
               s = matmul(x, k, contract: channels, groups: 4)\n\
               c = conv(x, 256, kernel: 1)\nout a: s, b: c\n";
    let (n, _) = nnc::compile(src).expect("compiles");
    let hw = nnc::hw::load("eyeriss").expect("preset");
    let run = |batch| nnc::schedule(&n, &hw, &options(batch, Solver::Exhaustive)).expect("ok");
    let (one, four) = (run(1), run(4));
    let layer = |s: &nnc::schedule::ScheduleFile, name: &str| {
        s.layers
            .iter()
            .find(|l| l.name == name)
            .expect("layer")
            .clone()
    };
    let (s1, s4) = (layer(&one, "s"), layer(&four, "s"));
    assert!(
        (s4.energy / s1.energy - 4.0).abs() < 1e-9,
        "{} {}",
        s4.energy,
        s1.energy
    );
    // `k` is 256 channels of 64 tokens: 16,384 words per sample.
    assert!(
        s4.accesses.dram.fil >= 4.0 * 16_384.0,
        "{}",
        s4.accesses.dram.fil
    );
    let (c1, c4) = (layer(&one, "c"), layer(&four, "c"));
    assert!(c4.energy < 4.0 * c1.energy, "{} {}", c4.energy, c1.energy);
}

/// ViT-B/16 on `eyeriss`, analytic solver, batch 1: the summary table.
#[test]
fn vit_b16_schedule_snapshot() {
    let out = crate::cli::nnc(&["schedule", "nns/vit_b16.nn", "--solver", "analytic"]);
    assert_eq!(out.status.code(), Some(0));
    super::snapshot_settings().bind(|| {
        insta::assert_snapshot!(
            "schedule_summary_vit_b16_eyeriss_analytic",
            crate::cli::text(&out.stdout)
        );
    });
}

/// A layer reading a channel slice reads those channels alone: its ops
/// and DRAM reads are those of a layer reading a producer of as many
/// channels (docs/model/layers.md#channel-slices; where the NoC fetches
/// them from is `partition::layout`'s test).
#[test]
fn a_channel_slice_reads_only_its_channels() {
    let sliced = nnc::compile(
        "network s\ninput x [116, 28]\np = conv(x, 116, kernel: 1)\n\
         a = conv(p[58:], 58, kernel: 1)\nb = conv(p, 58, kernel: 1)\nout a1: a, b1: b\n",
    )
    .expect("compiles")
    .0;
    let apart = nnc::compile(
        "network s\ninput x [116, 28]\np = conv(x, 58, kernel: 1)\n\
         a = conv(p, 58, kernel: 1)\n",
    )
    .expect("compiles")
    .0;
    for hw in ["eyeriss", "tetris"] {
        let h = nnc::hw::load(hw).expect("preset");
        let s = nnc::schedule(&sliced, &h, &options(4, Solver::Analytic)).expect("schedules");
        let t = nnc::schedule(&apart, &h, &options(4, Solver::Analytic)).expect("schedules");
        let find = |f: &nnc::schedule::ScheduleFile, n: &str| {
            f.layers
                .iter()
                .find(|l| l.name == n)
                .expect("layer")
                .clone()
        };
        let (a, b, alone) = (find(&s, "a"), find(&s, "b"), find(&t, "a"));
        assert_eq!(a.inputs, ["p[58:116]"]);
        assert_eq!(a.ops, alone.ops, "{hw}");
        assert_eq!(a.accesses.dram.ifm, alone.accesses.dram.ifm, "{hw}");
        assert!(a.accesses.dram.ifm < b.accesses.dram.ifm, "{hw}");
    }
}
