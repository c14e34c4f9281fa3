//! Real torchvision exports (tests/data/onnx/, written by
//! tests/data/onnx/export.py without weights) import to torchvision's own
//! published counts, round-trip through `nnc import`, and schedule; so do
//! the `onnx` package's model-zoo graphs (tests/data/onnx/zoo/: older
//! opsets, weights made by `ConstantOfShape`, no shape information).

use crate::cli::{nnc, text};
use nnc::ir::{LayerKind, Network, Source};
use nnc::onnx::ImportOptions;
use nnc::{Options, Solver};
use serde_json::Value;

const DATA: &str = "tests/data/onnx";

/// The torchvision CNNs exported by export.py.
const CNNS: [&str; 8] = [
    "alexnet",
    "resnet50",
    "vgg16",
    "mobilenet_v2",
    "resnext50_32x4d",
    "efficientnet_b0",
    "squeezenet1_1",
    "googlenet",
];

/// Every torchvision export: the CNNs and ViT-B/16.
const ALL: [&str; 9] = [
    "alexnet",
    "resnet50",
    "vgg16",
    "mobilenet_v2",
    "resnext50_32x4d",
    "efficientnet_b0",
    "squeezenet1_1",
    "googlenet",
    "vit_b_16",
];

/// The `onnx` wheel's model-zoo graphs (onnx/backend/test/data/light/).
const ZOO: [&str; 9] = [
    "bvlc_alexnet",
    "densenet121",
    "inception_v1",
    "inception_v2",
    "resnet50",
    "shufflenet",
    "squeezenet",
    "vgg19",
    "zfnet512",
];

fn import(path: &str) -> Network {
    let bytes = std::fs::read(path).unwrap();
    let imported = nnc::onnx::import(&bytes, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let (net, warnings) = nnc::compile(&imported.text).unwrap_or_else(|_| panic!("{path}"));
    assert!(warnings.is_empty(), "{path}: {warnings:?}");
    net
}

fn published() -> Value {
    let text = std::fs::read_to_string(format!("{DATA}/torchvision_counts.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Multiply-accumulates of the conv, fc and matmul layers for one sample
/// (what torchvision's `_ops` counts; pools and sums are not MACs).
fn conv_fc_macs(net: &Network) -> u64 {
    net.layers()
        .iter()
        .filter(|l| matches!(l.kind, LayerKind::Conv | LayerKind::Fc | LayerKind::Matmul))
        .map(|l| l.shape.total_ops(1))
        .sum()
}

fn params(net: &Network) -> u64 {
    net.layers().iter().map(|l| l.shape.total_params()).sum()
}

/// Conv/fc MACs within 0.5% of torchvision's `_ops` (GFLOPS, which it
/// counts as multiply-accumulates) and parameters within 2% of its
/// `num_params`. nnc counts one bias per output channel where torchvision
/// counts a batch normalization's scale and shift
/// (docs/model/layers.md#parameters), so nnc is at most one value per
/// normalized channel below. ViT-B/16 is below by its layer norms, class
/// token and position embedding, which nnc does not count (see
/// `vit_counts_differ_from_torchs_by_the_class_token`).
#[test]
fn torchvision_counts_are_reproduced() {
    let counts = published();
    let mut table = String::new();
    for name in ALL {
        let net = import(&format!("{DATA}/{name}.onnx"));
        let theirs = &counts["models"][name];
        let ops = theirs["gflops"].as_f64().unwrap() * 1e9;
        let num_params = theirs["num_params"].as_u64().unwrap();
        let (macs, ours) = (conv_fc_macs(&net), params(&net));
        let mac_err = macs as f64 / ops - 1.0;
        let param_err = ours as f64 / num_params as f64 - 1.0;
        table.push_str(&format!(
            "{name:<16} {macs:>14} {ops:>14.0} {:>+7.3}% {ours:>10} {num_params:>10} {:>+7.3}%\n",
            mac_err * 100.0,
            param_err * 100.0
        ));
        assert!(mac_err.abs() < 0.005, "{name}: {macs} MACs\n{table}");
        assert!(param_err.abs() < 0.02, "{name}: {ours} parameters\n{table}");
        assert!(ours <= num_params, "{name}: {ours} > {num_params}");
    }
    println!("{table}");
}

/// torchvision rounds `_ops` to three decimals; torch's own counter
/// (`torch.utils.flop_counter`, run by export.py on the exported model)
/// counts the conv and linear MACs exactly, and nnc's count is the same.
#[test]
fn conv_fc_macs_are_torchs_own_count_exactly() {
    let counts = published();
    for name in CNNS {
        let net = import(&format!("{DATA}/{name}.onnx"));
        assert_eq!(
            Some(conv_fc_macs(&net)),
            counts["models"][name]["flop_counter_macs"].as_u64(),
            "{name}"
        );
    }
}

/// Counts by hand: torchvision's AlexNet, VGG-16 and SqueezeNet 1.1 have a
/// bias on every conv and fc layer and no normalization, so nnc's count is
/// theirs exactly.
#[test]
fn networks_without_normalization_have_exactly_torchvisions_parameters() {
    let counts = published();
    for name in ["alexnet", "vgg16", "squeezenet1_1"] {
        let net = import(&format!("{DATA}/{name}.onnx"));
        assert_eq!(
            Some(params(&net)),
            counts["models"][name]["num_params"].as_u64(),
            "{name}"
        );
    }
}

/// The shapes of a network's layers and where each reads from (by layer
/// index), without names.
fn layers_without_names(net: &Network) -> Vec<String> {
    let json = net.to_json();
    json.layers
        .iter()
        .zip(net.layers())
        .map(|(j, l)| {
            let mut j = j.clone();
            j.name = String::new();
            j.inputs = l
                .inputs
                .iter()
                .map(|s| match s.source {
                    Source::Layer(id) => id.0.to_string(),
                    Source::Input => "input".into(),
                    Source::Extern(i) => format!("extern {i}"),
                })
                .collect();
            serde_json::to_string(&j).unwrap()
        })
        .collect()
}

fn shipped(file: &str) -> Network {
    let text = std::fs::read_to_string(file).unwrap();
    nnc::compile(&text).map(|(n, _)| n).unwrap()
}

#[test]
fn imported_vgg16_is_nns_vgg_net() {
    let imported = import(&format!("{DATA}/vgg16.onnx"));
    let ours = shipped("nns/vgg_net.nn");
    assert_eq!(imported.input().channels, ours.input().channels);
    assert_eq!(imported.input().size, ours.input().size);
    assert_eq!(layers_without_names(&imported), layers_without_names(&ours));
}

/// The model zoo's VGG-19 is nns/vgg19_net.nn too.
#[test]
fn zoo_vgg19_is_nns_vgg19_net() {
    let imported = import(&format!("{DATA}/zoo/vgg19.onnx"));
    let ours = shipped("nns/vgg19_net.nn");
    assert_eq!(layers_without_names(&imported), layers_without_names(&ours));
}

/// `nnc import` writes a `.nn` file that checks to exactly the layers of
/// `nnc check MODEL.onnx`.
#[test]
fn every_export_round_trips_through_import() {
    let dir = std::env::temp_dir().join(format!("nnc-torchvision-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ALL {
        let model = format!("{DATA}/{name}.onnx");
        let nn = dir.join(format!("{name}.nn"));
        let nn = nn.to_str().unwrap();
        let out = nnc(&["import", &model, "-o", nn]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let from_nn = nnc(&["check", nn, "--json"]);
        let from_onnx = nnc(&["check", &model, "--json"]);
        assert_eq!(from_nn.status.code(), Some(0), "{name}");
        assert!(
            from_nn.stderr.is_empty(),
            "{name}: {}",
            text(&from_nn.stderr)
        );
        assert_eq!(text(&from_nn.stdout), text(&from_onnx.stdout), "{name}");
        // torch.onnx names every graph `main_graph`: the file's stem is
        // the network's name.
        assert!(
            text(&from_onnx.stdout).contains(&format!("\"network\": \"{name}\"")),
            "{name}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn schedules(path: &str, solver: Solver) {
    let net = import(path);
    let hw = nnc::hw::load("eyeriss").unwrap();
    let options = Options::builder().solver(solver).build().unwrap();
    let s = nnc::schedule(&net, &hw, &options).unwrap_or_else(|e| panic!("{path}: {e}"));
    // Every MAC of the network is scheduled.
    assert_eq!(s.totals.ops, net.total_ops(1) as f64, "{path}");
    assert!(s.totals.energy > s.totals.ops, "{path}");
}

#[test]
fn every_export_schedules() {
    for name in ALL {
        schedules(&format!("{DATA}/{name}.onnx"), Solver::Analytic);
    }
}

/// The model zoo's graphs import and schedule; its ResNet-50 (from Caffe2)
/// counts the MACs of torchvision's, and its AlexNet (Caffe's) keeps the
/// two towers as grouped convolutions.
#[test]
fn the_model_zoo_imports_and_schedules() {
    for name in ZOO {
        schedules(&format!("{DATA}/zoo/{name}.onnx"), Solver::Analytic);
    }
    let zoo = import(&format!("{DATA}/zoo/resnet50.onnx"));
    let torch = import(&format!("{DATA}/resnet50.onnx"));
    assert_eq!(conv_fc_macs(&zoo), conv_fc_macs(&torch));
    let alexnet = import(&format!("{DATA}/zoo/bvlc_alexnet.onnx"));
    let towers: Vec<&str> = alexnet
        .layers()
        .iter()
        .filter(|l| matches!(&l.shape, nnc::ir::LayerShape::Conv(c) if c.groups == 2))
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(towers.len(), 3, "{towers:?}");
}

/// The networks written by hand in nns/ are the imported graphs, layer for
/// layer (names aside).
#[test]
fn shipped_networks_are_their_torchvision_exports() {
    for name in ["mobilenet_v2", "resnext50_32x4d", "efficientnet_b0"] {
        let imported = import(&format!("{DATA}/{name}.onnx"));
        let ours = shipped(&format!("nns/{name}.nn"));
        assert_eq!(
            layers_without_names(&imported),
            layers_without_names(&ours),
            "{name}"
        );
    }
}

/// The hand-written networks schedule on every preset with both solvers
/// (batch 1: about a second in all).
#[test]
fn shipped_networks_schedule_on_every_preset_with_both_solvers() {
    for name in ["mobilenet_v2", "resnext50_32x4d", "efficientnet_b0"] {
        let net = shipped(&format!("nns/{name}.nn"));
        for hw in nnc::hw::preset_names() {
            let hw_spec = nnc::hw::load(hw).unwrap();
            for solver in [Solver::Exhaustive, Solver::Analytic] {
                let options = Options::builder().solver(solver).build().unwrap();
                let s = nnc::schedule(&net, &hw_spec, &options)
                    .unwrap_or_else(|e| panic!("{name} on {hw}, {solver:?}: {e}"));
                assert_eq!(s.totals.ops, net.total_ops(1) as f64, "{name} {hw}");
            }
        }
    }
}

/// MobileNetV2 on `eyeriss`, analytic solver, batch 1: the depthwise
/// layers' utilization falls with their fmap size (docs/onnx.md).
#[test]
fn mobilenet_v2_schedule_on_eyeriss() {
    let out = nnc(&[
        "schedule",
        "nns/mobilenet_v2.nn",
        "--hw",
        "eyeriss",
        "--solver",
        "analytic",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    crate::lang::snapshot_settings().bind(|| {
        insta::assert_snapshot!("schedule_mobilenet_v2_eyeriss_analytic", text(&out.stdout));
    });
}

/// ViT-B/16's biases, class token and position embedding are graph inputs
/// read only by element-wise nodes: they are weights (rank 1, or a fixed
/// first dimension where the image's batch is free), never a data input
/// asking for `--input-shape`. The class token concatenated to the 196
/// patch tokens makes the input the patches, 197 rows of 3 x 16 x 16
/// values, as nns/vit_b16.nn declares it (docs/onnx.md#token-sequences).
#[test]
fn vit_weights_are_not_data_inputs() {
    let bytes = std::fs::read(format!("{DATA}/vit_b_16.onnx")).unwrap();
    let imported = nnc::onnx::import(&bytes, &ImportOptions::default()).unwrap();
    assert!(
        imported.text.contains("input input_ [768, 197, 1]\n\n"),
        "{}",
        imported.text
    );
    assert!(!imported.text.contains("extern"), "{}", imported.text);
}

/// By hand: torch's counter counts the patch embedding over 196 patches;
/// nnc's 1x1 conv over the patches writes the class token's row too, one
/// more row of 768 x 768 MACs. Parameters: nnc counts weights and biases;
/// torchvision also counts 25 layer norms (scale and shift, 2 x 768 each),
/// the class token (768) and the position embedding (197 x 768).
#[test]
fn vit_counts_differ_from_torchs_by_the_class_token() {
    let counts = published();
    let theirs = &counts["models"]["vit_b_16"];
    let net = import(&format!("{DATA}/vit_b_16.onnx"));
    assert_eq!(
        conv_fc_macs(&net),
        theirs["flop_counter_macs"].as_u64().unwrap() + 768 * 768
    );
    let not_counted = 25 * 2 * 768 + 768 + 197 * 768;
    assert_eq!(
        params(&net),
        theirs["num_params"].as_u64().unwrap() - not_counted
    );
}

/// The imported ViT-B/16 is nns/vit_b16.nn layer for layer (names aside,
/// and the order of a sum's inputs): the fused QKV projection is written as
/// three 1x1 convs, each head's Q Kᵀ and P V a grouped matmul, the class
/// token read by a one-point pool of stride 197.
#[test]
fn imported_vit_is_nns_vit_b16() {
    let imported = import(&format!("{DATA}/vit_b_16.onnx"));
    let ours = shipped("nns/vit_b16.nn");
    let sorted = |net: &Network| -> Vec<String> {
        let json = net.to_json();
        layers_without_names(net)
            .into_iter()
            .zip(&json.layers)
            .zip(net.layers())
            .map(|((s, j), l)| {
                if !matches!(l.kind, LayerKind::Eltwise) {
                    return s;
                }
                let mut j = j.clone();
                j.name = String::new();
                let mut inputs: Vec<String> = l
                    .inputs
                    .iter()
                    .map(|s| match s.source {
                        Source::Layer(id) => id.0.to_string(),
                        Source::Input => "input".into(),
                        Source::Extern(i) => format!("extern {i}"),
                    })
                    .collect();
                inputs.sort();
                j.inputs = inputs;
                serde_json::to_string(&j).unwrap()
            })
            .collect()
    };
    assert_eq!(imported.input().channels, ours.input().channels);
    assert_eq!(imported.input().size, ours.input().size);
    assert_eq!(sorted(&imported), sorted(&ours));
}
