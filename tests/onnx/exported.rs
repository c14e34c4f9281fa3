//! The other models of issue 22 as people export them
//! (tests/data/onnx/models/, tests/data/onnx/export_models.py, a fixed
//! batch of 1): Whisper's encoder (Conv1d stem), ViT-B/16 at a fixed
//! batch, FCN-ResNet50 and DeepLabV3-MobileNetV3 at 520x520 (Resize by
//! sizes, PyTorch's padding over odd sizes), ConvNeXt-T (channels-last
//! blocks), ShuffleNetV2 (channel slices), Swin-T (window attention,
//! shifted windows, patch merging). Each imports with
//! torch's conv, fc and matmul MACs within 0.5% (the table is printed
//! with `--nocapture`) and schedules on every preset; a 3-D convolution
//! and what nnc cannot yet model are refused with a message that names
//! the node, why, and what would help.

use nnc::ir::{LayerKind, Network};
use nnc::onnx::ImportOptions;
use nnc::{Options, Solver};
use serde_json::Value;

const DATA: &str = "tests/data/onnx/models";

const IMPORTED: [&str; 7] = [
    "whisper_encoder",
    "vit_b_16_batch1",
    "fcn_resnet50",
    "deeplabv3_mobilenet_v3_large",
    "convnext_tiny",
    "shufflenet_v2_x1_0",
    "swin_t",
];

fn import(name: &str) -> Result<Network, String> {
    let bytes = std::fs::read(format!("{DATA}/{name}.onnx")).expect("readable");
    let imported = nnc::onnx::import(&bytes, &ImportOptions::default())
        .map_err(|e| e.report(name).to_string())?;
    let (net, warnings) = nnc::compile(&imported.text).map_err(|_| imported.text.clone())?;
    assert!(warnings.is_empty(), "{name}: {warnings:?}");
    Ok(net)
}

fn macs(net: &Network) -> u64 {
    net.layers()
        .iter()
        .filter(|l| matches!(l.kind, LayerKind::Conv | LayerKind::Fc | LayerKind::Matmul))
        .map(|l| l.shape.total_ops(1))
        .sum()
}

#[test]
fn exported_models_import_with_torchs_macs() {
    let text = std::fs::read_to_string(format!("{DATA}/counts.json")).expect("readable");
    let c: Value = serde_json::from_str(&text).expect("json");
    println!("| model | layers | MACs, nnc | torch | difference |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for name in IMPORTED {
        let net = import(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let torch = c["models"][name]["flop_counter_macs"]
            .as_u64()
            .expect("count");
        let ours = macs(&net);
        #[allow(clippy::cast_precision_loss)]
        let off = ours as f64 / torch as f64 - 1.0;
        println!(
            "| {name} | {} | {ours} | {torch} | {:+.4}% |",
            net.layers().len(),
            off * 100.0
        );
        assert!(off.abs() < 0.005, "{name}: {ours} against {torch}");
    }
}

/// Whisper's encoder: its two Conv1d are 2-D convolutions of width 1 over
/// the 3000 frames, the second of stride 2, then 1500 tokens.
#[test]
fn whisper_conv1d_is_a_convolution_of_width_one() {
    let net = import("whisper_encoder").expect("imports");
    let convs: Vec<_> = net.layers().iter().take(2).collect();
    assert_eq!(convs[0].shape.ofmap(), nnc::ir::Dim2::new(3000, 1));
    assert_eq!(convs[1].shape.ofmap(), nnc::ir::Dim2::new(1500, 1));
    assert_eq!(convs[1].shape.stride(), nnc::ir::Dim2::new(2, 1));
}

/// ShuffleNetV2's `chunk` (two `Slice`s of the channels after a channel
/// shuffle) is a channel slice in the `.nn` text, and its halves are
/// views of the layers they fall in: with the shuffle folded, the first
/// half of `concat(branch1, branch2)` is `branch1` whole
/// (docs/onnx.md#shufflenetv2).
#[test]
fn shufflenet_splits_are_channel_slices() {
    let bytes = std::fs::read(format!("{DATA}/shufflenet_v2_x1_0.onnx")).expect("readable");
    let text = nnc::onnx::import(&bytes, &ImportOptions::default())
        .expect("imports")
        .text;
    assert!(
        text.contains("stage2_1_58_116 = concat(stage2_0_branch1_2, stage2_0_branch2_5)[58:116]"),
        "{text}"
    );
    let net = import("shufflenet_v2_x1_0").expect("imports");
    let l = net.layer(net.find("stage2_1_branch2_0").expect("layer"));
    let names: Vec<String> = l.inputs.iter().map(|&v| net.view_name(v)).collect();
    assert_eq!(names, ["stage2_0_branch2_5"]);
    assert_eq!(l.shape.nifm(), 58);
}

/// Swin-T (docs/onnx.md#swin-transformer): its window attention is a
/// `matmul` per window and head, the shifted windows' `torch.roll` no
/// layer (a comment in the `.nn` text), and patch merging a 2x2
/// convolution of stride 2; the last stage's 7x7 map is one window, a
/// plain attention.
#[test]
fn swin_windows_are_matmuls_per_window() {
    let bytes = std::fs::read(format!("{DATA}/swin_t.onnx")).expect("readable");
    let text = nnc::onnx::import(&bytes, &ImportOptions::default())
        .expect("imports")
        .text;
    let count = |s: &str| text.matches(s).count();
    // Stages of 2, 2, 6 and 2 blocks; the last stage has no windows.
    assert_eq!(count(", window: 7)"), 2 * (2 + 2 + 6));
    assert_eq!(count("matmul("), 2 * (2 + 2 + 6 + 2));
    // Every other block of the first three stages shifts its windows, and
    // back: rows and columns, each twice.
    assert_eq!(count("(torch.roll, shifted windows)"), 4 * (1 + 1 + 3));
    assert_eq!(count("kernel: 2, stride: 2)"), 3);
    let net = import("swin_t").expect("imports");
    let scores = net.layer(net.find("features_1_0_attn_2").expect("layer"));
    let nnc::ir::LayerShape::Conv(c) = scores.shape else {
        panic!("a matmul is a convolution");
    };
    assert_eq!(c.window(), Some(nnc::ir::Dim2::square(7)));
    // 3 heads in each of the 8x8 windows of 49 tokens.
    assert_eq!((c.runs(), scores.shape.nofm()), (3 * 64, 3 * 49));
    assert_eq!(scores.shape.total_ops(1), 64 * 3 * 49 * 49 * 32);
}

#[test]
fn exported_models_schedule_on_every_preset() {
    let options = Options::builder()
        .solver(Solver::Analytic)
        .build()
        .expect("valid");
    for name in IMPORTED {
        let net = import(name).expect("imports");
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

/// What is still refused says which node, why, and never suggests an
/// `--input-shape` that would not help.
#[test]
fn refusals_name_the_node_and_why() {
    let cases = [(
        "r3d_18",
        "a 5-D input",
        "3-D convolution would need a depth loop",
    )];
    for (name, what, why) in cases {
        let e = import(name).expect_err(name);
        assert!(e.contains(what) && e.contains(why), "{name}: {e}");
        assert!(!e.contains("--input-shape C,H,W"), "{name}: {e}");
    }
}
