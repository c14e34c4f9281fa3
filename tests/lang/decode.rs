//! Language models in `nns/`: GPT-2 and TinyLlama, prefill and decode.
//! Their MACs against torch's counter, what a KV cache costs (its tokens
//! read from DRAM by every sample), and grouped-query attention against
//! multi-head attention of the same shapes.

use nnc::ir::{LayerShape, Network};
use nnc::schedule::ScheduleFile;
use nnc::{Options, Solver};

fn net(file: &str) -> Network {
    let src = std::fs::read_to_string(super::root().join(file)).expect("readable");
    compile(&src)
}

fn compile(src: &str) -> Network {
    nnc::compile(src).expect("compiles").0
}

/// Conv, fc and matmul MACs per sample: what torch's counter counts.
fn macs(n: &Network) -> u64 {
    n.layers()
        .iter()
        .filter(|l| matches!(l.shape, LayerShape::Conv(_)))
        .map(|l| l.shape.total_ops(1))
        .sum()
}

fn schedule(n: &Network, hw: &str, batch: u64) -> ScheduleFile {
    let hw = nnc::hw::load(hw).expect("preset");
    let options = Options::builder()
        .batch(batch)
        .solver(Solver::Analytic)
        .build()
        .expect("valid");
    nnc::schedule(n, &hw, &options).expect("schedules")
}

fn layer<'a>(s: &'a ScheduleFile, name: &str) -> &'a nnc::schedule::LayerOut {
    s.layers.iter().find(|l| l.name == name).expect("layer")
}

/// torch's counter (`tests/data/onnx/models/counts.json`, written by
/// `tests/data/onnx/export_models.py`) on transformers' `GPT2LMHeadModel`:
/// 11,212,223,232 MACs for a prefill of 128 tokens (the logits of the last
/// token), 125,891,328 for one token after a cache of 127.
#[test]
fn gpt2_has_torchs_macs_in_both_forms() {
    assert_eq!(macs(&net("nns/gpt2.nn")), 11_212_223_232);
    assert_eq!(macs(&net("nns/gpt2_decode.nn")), 125_891_328);
}

/// TinyLlama's 22 layers by hand; torch's counter finds the same per
/// layer in the 2-layer export (tests/onnx/transformers.rs).
#[test]
fn tinyllama_has_its_macs_in_both_forms() {
    let layer = |t: u64, seen: u64| {
        2 * t * 2048 * 2048 + 2 * t * 2048 * 256 + 3 * t * 2048 * 5632 + 2 * 32 * t * seen * 64
    };
    // The head: the logits of the last token.
    let head = 2048 * 32_000;
    assert_eq!(macs(&net("nns/tinyllama.nn")), 22 * layer(128, 128) + head);
    assert_eq!(
        macs(&net("nns/tinyllama_decode.nn")),
        22 * layer(1, 128) + head
    );
    // The 2-layer export's count, with the same formula.
    assert_eq!(2 * layer(128, 128) + head, 11_474_042_880);
    assert_eq!(2 * layer(1, 128) + head, 154_664_960);
}

/// A decode step's attention reads the whole cache, 127 cached tokens and
/// the new one, from DRAM for every sample: a batch of 4 reads it 4
/// times, as activation data of each sequence (never weights).
#[test]
fn a_decode_step_reads_its_kv_cache_from_dram_per_sample() {
    let n = net("nns/gpt2_decode.nn");
    let scores = n.layer(n.find("h.1.scores").expect("layer"));
    // K of 128 tokens of 768 channels: the filter of one sample.
    assert_eq!(scores.shape.total_filter_size(), 128 * 768);
    assert_eq!(scores.weights(), 0);
    let (one, four) = (schedule(&n, "eyeriss", 1), schedule(&n, "eyeriss", 4));
    for name in ["h.1.scores", "h.1.ctx"] {
        let (a, b) = (layer(&one, name), layer(&four, name));
        assert!(
            a.accesses.dram.fil >= 128.0 * 768.0,
            "{name}: {}",
            a.accesses.dram.fil
        );
        assert!(
            (b.accesses.dram.fil / a.accesses.dram.fil - 4.0).abs() < 1e-9,
            "{name}: {} {}",
            a.accesses.dram.fil,
            b.accesses.dram.fil
        );
    }
}

/// Decode is DRAM-bound: one token's MACs against all the weights. Per
/// token it costs far more than a prefill, and most of its energy is DRAM.
#[test]
fn decode_costs_more_per_token_and_is_dram_bound() {
    for (prefill, decode) in [
        ("nns/gpt2.nn", "nns/gpt2_decode.nn"),
        ("nns/tinyllama.nn", "nns/tinyllama_decode.nn"),
    ] {
        for hw in ["eyeriss", "tetris"] {
            let p = schedule(&net(prefill), hw, 1);
            let d = schedule(&net(decode), hw, 1);
            let per_token = p.totals.energy / 128.0;
            assert!(d.totals.energy > 3.0 * per_token, "{decode} on {hw}");
            let dram = d.totals.energy_breakdown.dram / d.totals.energy;
            let p_dram = p.totals.energy_breakdown.dram / p.totals.energy;
            assert!(
                dram > 0.8 && dram > p_dram,
                "{decode} on {hw}: {dram} vs {p_dram}"
            );
        }
    }
}

/// Grouped-query attention against multi-head attention of the same
/// shapes (TinyLlama's decode step with 32 key/value heads instead of 4):
/// the same attention MACs, 8 times fewer K/V weights, and the cache read
/// once per key/value head, 8 times fewer words from DRAM.
#[test]
fn gqa_reads_each_kv_head_once_for_its_query_heads() {
    let src =
        std::fs::read_to_string(super::root().join("nns/tinyllama_decode.nn")).expect("readable");
    let gqa = compile(&src);
    let mha = compile(&src.replace("let kv_heads = 4", "let kv_heads = 32"));
    let at = |n: &Network, name: &str| n.layer(n.find(name).expect("layer")).clone();
    let kv = |n: &Network| -> u64 { ["h.1.k", "h.1.v"].map(|l| at(n, l).weights()).iter().sum() };
    assert_eq!(kv(&mha), 8 * kv(&gqa));
    let attention_macs = |n: &Network| -> u64 {
        ["h.1.scores", "h.1.ctx"]
            .map(|l| at(n, l).shape.total_ops(1))
            .iter()
            .sum()
    };
    assert_eq!(attention_macs(&gqa), attention_macs(&mha));
    let filter = |n: &Network| at(n, "h.1.scores").shape.total_filter_size();
    assert_eq!(filter(&gqa), 4 * 128 * 64);
    assert_eq!(filter(&mha), 8 * filter(&gqa));
    let (g, m) = (schedule(&gqa, "eyeriss", 1), schedule(&mha, "eyeriss", 1));
    for name in ["h.1.scores", "h.1.ctx"] {
        let (a, b) = (
            layer(&g, name).accesses.dram.fil,
            layer(&m, name).accesses.dram.fil,
        );
        assert!((b / a - 8.0).abs() < 1e-9, "{name}: {a} {b}");
    }
    assert!(g.totals.energy < m.totals.energy);
}

/// The summary of a network of token sequences ends with its energy and
/// time per token.
#[test]
fn the_summary_gives_energy_and_time_per_token() {
    let out = crate::cli::nnc(&[
        "schedule",
        "nns/gpt2_decode.nn",
        "--hw",
        "tetris",
        "--solver",
        "analytic",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = crate::cli::text(&out.stdout);
    let line = text.lines().last().expect("a line");
    assert!(
        line.starts_with("per token (1 per sample x batch 1): energy "),
        "{line}"
    );
    assert!(line.contains(" cycles"), "{line}");
}
