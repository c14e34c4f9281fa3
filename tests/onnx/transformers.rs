//! Language models as people export them (tests/data/onnx/models/,
//! written by tests/data/onnx/export_models.py with transformers 5.25):
//! GPT-2 and a TinyLlama-shaped model with grouped-query attention, each
//! as a prefill of 128 tokens and a decode step with a KV cache of 127,
//! the same model with multi-head attention, and DistilBERT. Each imports
//! as exported with torch's own count of conv, fc and matmul MACs, and
//! schedules on every preset.

use nnc::ir::{LayerKind, Network};
use nnc::onnx::ImportOptions;
use nnc::{Options, Solver};
use serde_json::Value;

const DATA: &str = "tests/data/onnx/models";

/// The language models exported, and the `nns/` file each is.
const MODELS: [(&str, Option<&str>); 7] = [
    ("gpt2", Some("nns/gpt2.nn")),
    ("gpt2_decode", Some("nns/gpt2_decode.nn")),
    ("llama_gqa", None),
    ("llama_gqa_decode", None),
    ("llama_mha", None),
    ("llama_mha_decode", None),
    ("distilbert", None),
];

fn import(name: &str) -> (Network, String) {
    let path = format!("{DATA}/{name}.onnx");
    let bytes = std::fs::read(&path).expect("readable");
    let imported = nnc::onnx::import(&bytes, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let (net, warnings) =
        nnc::compile(&imported.text).unwrap_or_else(|_| panic!("{path}: {}", imported.text));
    assert!(warnings.is_empty(), "{path}: {warnings:?}");
    (net, imported.text)
}

fn counts() -> Value {
    let text = std::fs::read_to_string(format!("{DATA}/counts.json")).expect("readable");
    serde_json::from_str(&text).expect("json")
}

/// Conv, fc and matmul MACs per sample: what torch's counter counts.
fn macs(net: &Network) -> u64 {
    net.layers()
        .iter()
        .filter(|l| matches!(l.kind, LayerKind::Conv | LayerKind::Fc | LayerKind::Matmul))
        .map(|l| l.shape.total_ops(1))
        .sum()
}

fn weights(net: &Network, name_has: &str) -> u64 {
    net.layers()
        .iter()
        .filter(|l| l.name.contains(name_has))
        .map(nnc::ir::Layer::weights)
        .sum()
}

/// Every model imports with exactly torch's MACs (the table is printed
/// with `--nocapture`), and is the shipped `.nn` file where there is one.
#[test]
fn language_models_import_with_torchs_macs() {
    let c = counts();
    println!("| model | layers | MACs, nnc | torch | difference |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, nn) in MODELS {
        let (net, _) = import(name);
        let torch = c["models"][name]["flop_counter_macs"]
            .as_u64()
            .expect("a count");
        let ours = macs(&net);
        #[allow(clippy::cast_precision_loss)]
        let off = ours as f64 / torch as f64 - 1.0;
        println!(
            "| {name} | {} | {ours} | {torch} | {:+.4}% |",
            net.layers().len(),
            off * 100.0
        );
        assert_eq!(ours, torch, "{name}");
        if let Some(nn) = nn {
            let src = std::fs::read_to_string(nn).expect("nn");
            let (shipped, _) = nnc::compile(&src).expect("compiles");
            assert_eq!(macs(&shipped), ours, "{name} against {nn}");
            assert_eq!(
                shipped.layers().len(),
                net.layers().len(),
                "{name} against {nn}"
            );
        }
    }
}

/// The token embedding is the network's input, and says so; the decode
/// steps' attention reads the cache, and grouped-query attention its
/// shared key/value heads.
#[test]
fn the_embedding_is_the_input_and_the_cache_an_argument() {
    let (net, text) = import("llama_gqa_decode");
    assert!(text.contains("# note: the token embedding"), "{text}");
    assert_eq!(net.input().channels, 2048);
    assert_eq!(net.input().size.size(), 1);
    assert!(
        text.contains("contract: channels, groups: 32, kv_groups: 4, cache: 127)"),
        "{text}"
    );
    let (_, gpt2) = import("gpt2_decode");
    assert!(
        gpt2.contains("contract: tokens, groups: 12, cache: 127)"),
        "{gpt2}"
    );
    let (net, _) = import("gpt2");
    assert_eq!(net.input().size.size(), 128);
}

/// Grouped-query attention against multi-head attention of the same
/// shapes: the same attention MACs, 8 times fewer K/V weights, and 8
/// times fewer words of the cache read from DRAM by the products.
#[test]
fn gqa_against_mha_same_macs_fewer_kv_weights_and_cache_reads() {
    let (gqa, _) = import("llama_gqa_decode");
    let (mha, _) = import("llama_mha_decode");
    let attention = |n: &Network| -> u64 {
        n.layers()
            .iter()
            .filter(|l| l.kind == LayerKind::Matmul)
            .map(|l| l.shape.total_ops(1))
            .sum()
    };
    assert_eq!(attention(&gqa), attention(&mha));
    for kv in ["k_proj", "v_proj"] {
        assert_eq!(weights(&mha, kv), 8 * weights(&gqa, kv), "{kv}");
    }
    let hw = nnc::hw::load("eyeriss").expect("preset");
    let options = Options::builder()
        .solver(Solver::Analytic)
        .build()
        .expect("valid");
    let cache_reads = |n: &Network| -> f64 {
        let s = nnc::schedule(n, &hw, &options).expect("schedules");
        s.layers
            .iter()
            .filter(|l| n.layer(n.find(&l.name).expect("layer")).kind == LayerKind::Matmul)
            .map(|l| l.accesses.dram.fil)
            .sum()
    };
    let (g, m) = (cache_reads(&gqa), cache_reads(&mha));
    assert!((m / g - 8.0).abs() < 1e-9, "{g} {m}");
}

/// Prefill and decode of the same model: the decode step's MACs are one
/// token's, with the cache's 127 tokens in its attention.
#[test]
fn prefill_against_decode() {
    let c = counts();
    for (prefill, decode) in [("gpt2", "gpt2_decode"), ("llama_gqa", "llama_gqa_decode")] {
        let (p, _) = import(prefill);
        let (d, _) = import(decode);
        // The projections and the feed-forward, not the head.
        let linear = |n: &Network| -> u64 {
            n.layers()
                .iter()
                .filter(|l| l.kind == LayerKind::Conv && !l.name.contains("lm_head"))
                .map(|l| l.shape.total_ops(1))
                .sum()
        };
        // The projections and the feed-forward: 128 tokens against 1.
        assert_eq!(linear(&p), 128 * linear(&d), "{prefill}");
        assert!(macs(&d) < macs(&p) / 64, "{decode}");
        let torch = |n: &str| c["models"][n]["flop_counter_macs"].as_u64().expect("count");
        assert_eq!(macs(&d), torch(decode));
    }
}

/// Every model schedules on every preset.
#[test]
fn language_models_schedule_on_every_preset() {
    let options = Options::builder()
        .solver(Solver::Analytic)
        .build()
        .expect("valid");
    for (name, _) in MODELS {
        let (net, _) = import(name);
        for hw in nnc::hw::preset_names() {
            let h = nnc::hw::load(hw).expect("preset");
            let s =
                nnc::schedule(&net, &h, &options).unwrap_or_else(|e| panic!("{name} on {hw}: {e}"));
            assert!(
                s.totals.energy >= s.totals.lower_bound.energy,
                "{name} {hw}"
            );
        }
    }
}
