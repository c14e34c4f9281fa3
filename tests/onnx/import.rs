//! The ONNX front end (docs/onnx.md): model-zoo networks exported without
//! weights import to the layers their papers count, `nnc import` writes
//! exactly what `nnc check MODEL.onnx` compiles, and every node nnc cannot
//! model is an error that names it. The graphs are written by
//! tests/onnx/models/make_models.py (onnx 1.23.2).

use crate::cli::{nnc, text};
use nnc::ir::{LayerShape, Network};
use nnc::onnx::{ImportError, ImportOptions};

const MODELS: &str = "tests/onnx/models";

fn import(name: &str) -> Result<String, ImportError> {
    let bytes = std::fs::read(format!("{MODELS}/{name}.onnx")).unwrap();
    nnc::onnx::import(&bytes, &ImportOptions::default()).map(|i| i.text)
}

fn network(name: &str) -> Network {
    let text = import(name).unwrap();
    nnc::compile(&text).map(|(n, _)| n).unwrap()
}

/// Multiply-accumulates of the convolutions and fully connected layers for
/// one sample (what papers count; pools and sums are not MACs).
fn conv_macs(net: &Network) -> u64 {
    net.layers()
        .iter()
        .filter(|l| matches!(l.shape, LayerShape::Conv(_)))
        .map(|l| l.shape.total_ops(1))
        .sum()
}

/// MobileNetV2 (Sandler et al., CVPR'18, Table 4: 300M multiply-adds,
/// 3.4M parameters): 52 convolutions (17 depthwise), 10 residual sums, the
/// global pool and the classifier.
#[test]
fn mobilenet_v2_imports_to_its_published_size() {
    let net = network("mobilenet_v2");
    assert_eq!(net.layers().len(), 64);
    let macs = conv_macs(&net) as f64;
    assert!((macs / 300e6 - 1.0).abs() < 0.01, "{macs} MACs");
    let depthwise = net
        .layers()
        .iter()
        .filter(|l| matches!(&l.shape, LayerShape::Conv(c) if c.groups > 1 && c.groups == c.nifm))
        .count();
    assert_eq!(depthwise, 17);
}

/// ResNeXt-50 32x4d (Xie et al., CVPR'17, Table 1: 4.2 GFLOPs, counted as
/// multiply-adds; torchvision lists 4.23): 53 convolutions with 16
/// grouped ones of cardinality 32, 16 residual sums, a max pool, the global
/// pool and the classifier.
#[test]
fn resnext50_imports_to_its_published_size() {
    let net = network("resnext50_32x4d");
    assert_eq!(net.layers().len(), 72);
    let macs = conv_macs(&net) as f64;
    assert!((macs / 4.23e9 - 1.0).abs() < 0.01, "{macs} MACs");
    let grouped = net
        .layers()
        .iter()
        .filter(|l| matches!(&l.shape, LayerShape::Conv(c) if c.groups == 32))
        .count();
    assert_eq!(grouped, 16);
}

/// Same padding (TensorFlow's asymmetric `SAME_UPPER`), ceil-mode pools, a
/// channel concatenation, a reshape by a constant and a matmul with weights
/// become the `.nn` a person would write; so do a `Pad` node taken in by
/// the convolution after it and a mean over height and width.
#[test]
fn window_geometry_and_folds_read_as_nn() {
    crate::lang::snapshot_settings().bind(|| {
        insta::assert_snapshot!("onnx_import_edges", import("edges").unwrap());
        insta::assert_snapshot!("onnx_import_pad_reduce", import("pad_reduce").unwrap());
    });
}

#[test]
fn import_writes_what_check_compiles() {
    let dir = std::env::temp_dir().join(format!("nnc-onnx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let nn = dir.join("mobilenet_v2.nn");
    let nn = nn.to_str().unwrap();
    let out = nnc(&["import", "tests/onnx/models/mobilenet_v2.onnx", "-o", nn]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let from_nn = nnc(&["check", nn, "--json"]);
    let from_onnx = nnc(&["check", "tests/onnx/models/mobilenet_v2.onnx", "--json"]);
    assert_eq!(from_nn.status.code(), Some(0));
    assert_eq!(text(&from_nn.stdout), text(&from_onnx.stdout));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_onnx_model_schedules() {
    let out = nnc(&[
        "schedule",
        "tests/onnx/models/resnext50_32x4d.onnx",
        "--hw",
        "tetris",
        "--solver",
        "analytic",
        "--batch",
        "4",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("ResNeXt50_32x4d on tetris"), "{stdout}");
    assert!(stdout.contains("layer4_2_conv2"), "{stdout}");
}

/// A free input size needs `--input-shape`; given, the model loads.
#[test]
fn a_free_input_size_asks_for_input_shape() {
    let out = nnc(&["check", "tests/onnx/models/free_size.onnx"]);
    assert_eq!(out.status.code(), Some(1));
    let with = nnc(&[
        "check",
        "tests/onnx/models/free_size.onnx",
        "--input-shape",
        "3,32,32",
    ]);
    assert_eq!(with.status.code(), Some(0), "{}", text(&with.stderr));
    assert!(text(&with.stdout).contains("input `input_` 3x32x32"));
    let bad = nnc(&[
        "check",
        "tests/onnx/models/free_size.onnx",
        "--input-shape",
        "3,32",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    crate::lang::snapshot_settings().bind(|| {
        insta::assert_snapshot!("onnx_free_size", text(&out.stderr));
        insta::assert_snapshot!("onnx_input_shape_usage", text(&bad.stderr));
    });
}

/// `--input-shape` on a model that fixes its input size wins, with a
/// warning naming both sizes; the model's own size, given, says nothing.
#[test]
fn overriding_a_fixed_input_size_warns() {
    let model = "tests/onnx/models/mobilenet_v2.onnx";
    let out = nnc(&["check", model, "--input-shape", "3,160,160"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("input `input_` 3x160x160"));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "warning: --input-shape 3,160,160 overrides the input size the model fixes, [3, 224, 224]"
        ),
        "{stderr}"
    );
    let same = nnc(&["check", model, "--input-shape", "3,224,224"]);
    assert_eq!(text(&same.stderr), "");
}

/// Every node nnc cannot model is an error naming the node, its operator,
/// why and what to do: never a silent dummy.
#[test]
fn unsupported_nodes_are_errors_that_name_them() {
    let mut all = String::new();
    for model in ["spatial_matmul", "over_pad"] {
        let path = format!("{MODELS}/{model}.onnx");
        let out = nnc(&["schedule", &path]);
        assert_eq!(out.status.code(), Some(1), "{model}");
        assert!(out.stdout.is_empty());
        all.push_str(&format!("$ nnc schedule {path}\n{}\n", text(&out.stderr)));
    }
    crate::lang::snapshot_settings().bind(|| {
        insta::assert_snapshot!("onnx_unsupported", all);
    });
}

/// PyTorch's 3x3, stride 2, pad 1 convolution over an odd size (7 rows
/// to 4) imports in `mode: floor` (docs/language.md#the-padding-rule).
#[test]
fn pytorchs_padding_over_an_odd_size_imports() {
    let out = nnc(&["check", &format!("{MODELS}/odd_pad.onnx")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("4x4"), "{}", text(&out.stdout));
}

/// Not a model, or a model cut short: an error, never a panic.
#[test]
fn broken_files_are_errors() {
    let bytes = std::fs::read(format!("{MODELS}/mobilenet_v2.onnx")).unwrap();
    let options = ImportOptions::default();
    // Every prefix of a real model: decoding stops with an error or a
    // smaller graph, never a panic.
    for cut in (0..bytes.len()).step_by(97) {
        let _ = nnc::onnx::import(&bytes[..cut], &options);
    }
    // Corrupted bytes (a fixed pseudo-random sequence of single-byte
    // changes, so the test is repeatable): an error or a model, never a
    // panic, in the decoder or in the lowering.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let mut m = bytes.clone();
        let at = (x >> 33) as usize % m.len();
        m[at] = (x >> 8) as u8;
        if let Ok(i) = nnc::onnx::import(&m, &options) {
            let _ = nnc::compile(&i.text);
        }
    }
    let not_onnx = nnc::onnx::import(b"network X\ninput d [3, 8]\n", &options);
    assert!(
        matches!(not_onnx, Err(ImportError::Malformed(_))),
        "{not_onnx:?}"
    );
    let out = nnc(&["check", "tests/onnx/models/make_models.py.onnx"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `-o` over the model itself (also through a link) is refused and the
/// model is left as it was.
#[test]
fn import_never_overwrites_the_model() {
    let dir = std::env::temp_dir().join(format!("nnc-onnx-self-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("m.onnx");
    std::fs::copy(format!("{MODELS}/edges.onnx"), &model).unwrap();
    let before = std::fs::read(&model).unwrap();
    let link = dir.join("link.nn");
    std::os::unix::fs::symlink(&model, &link).unwrap();
    for out in [&model, &link] {
        let o = nnc(&[
            "import",
            model.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("is the model"),
            "{}",
            text(&o.stderr)
        );
    }
    assert_eq!(std::fs::read(&model).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}
