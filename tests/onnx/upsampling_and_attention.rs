//! ONNX graphs of a transformer block and of a decoder's upsamplings
//! (tests/onnx/models/make_models.py): they import to the layers a person
//! would write, with the MACs counted by hand, round-trip through
//! `nnc import` and schedule.

use crate::cli::{nnc, text};
use nnc::ir::{LayerKind, Network};
use nnc::onnx::ImportOptions;

fn import(name: &str) -> String {
    let bytes = std::fs::read(format!("tests/onnx/models/{name}.onnx")).unwrap();
    nnc::onnx::import(&bytes, &ImportOptions::default())
        .unwrap()
        .text
}

fn network(name: &str) -> Network {
    nnc::compile(&import(name)).map(|(n, _)| n).unwrap()
}

fn kinds(net: &Network) -> Vec<LayerKind> {
    net.layers().iter().map(|l| l.kind).collect()
}

/// The ViT block of 16 tokens, 64 channels, 4 heads of 16, MLP 256: the
/// patch embedding, q, k, v, Q·Kᵀ and P·V per head, the out projection,
/// the residual, the MLP (GELU folded) and its residual.
#[test]
fn a_vit_block_imports_to_matmuls_over_tokens() {
    let net = network("attention");
    use LayerKind::{Conv, Eltwise, Matmul};
    assert_eq!(
        kinds(&net),
        [
            Conv, Conv, Conv, Conv, Matmul, Matmul, Conv, Eltwise, Conv, Conv, Eltwise
        ]
    );
    let ops: Vec<u64> = net.layers().iter().map(|l| l.shape.total_ops(1)).collect();
    let (t, c, h, d, m) = (16, 64, 4, 16, 256);
    assert_eq!(
        ops,
        [
            t * c * 3 * 8 * 8, // patch embedding
            t * c * c,
            t * c * c,
            t * c * c,
            h * t * t * d, // Q·Kᵀ
            h * t * t * d, // P·V
            t * c * c,
            2 * t * c,
            t * c * m,
            t * m * c,
            2 * t * c,
        ]
    );
    // The products read q and k, then the scores and v.
    let inputs = |name: &str| -> Vec<String> {
        let l = net.layer(net.find(name).unwrap());
        l.inputs.iter().map(|&s| net.view_name(s)).collect()
    };
    assert_eq!(inputs("attn"), ["attn_q", "attn_k"]);
    assert_eq!(inputs("attn_2"), ["attn", "attn_v"]);
}

/// Transposed convolutions (2x2 / 2 and 4x4 / 2 pad 1) and a bilinear
/// resize by 2 over 8 channels of 16x16, concatenated and convolved.
#[test]
fn a_decoders_upsamplings_import() {
    let net = network("upsampling");
    use LayerKind::{Conv, Deconv, Upsample};
    assert_eq!(kinds(&net), [Deconv, Deconv, Upsample, Conv]);
    let ops: Vec<u64> = net.layers().iter().map(|l| l.shape.total_ops(1)).collect();
    assert_eq!(
        ops,
        [
            16 * 16 * 8 * 4 * 4,  // every input point: 4 taps into 4 channels
            16 * 16 * 8 * 4 * 16, // 16 taps
            8 * 32 * 32 * 4,      // 4 per output point
            32 * 32 * 16 * 8 * 9, // the 3x3 conv over 4 + 4 + 8 channels
        ]
    );
    let nearest = network("resize");
    assert_eq!(kinds(&nearest), [Conv, Upsample]);
    assert_eq!(nearest.layers()[1].shape.total_ops(1), 8 * 32 * 32);
}

#[test]
fn they_round_trip_and_schedule() {
    let dir = std::env::temp_dir().join(format!("nnc-onnx-up-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for model in ["attention", "upsampling", "resize"] {
        let onnx = format!("tests/onnx/models/{model}.onnx");
        let nn = dir.join(format!("{model}.nn"));
        let nn = nn.to_str().unwrap();
        let out = nnc(&["import", &onnx, "-o", nn]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let from_nn = nnc(&["check", nn, "--json"]);
        let from_onnx = nnc(&["check", &onnx, "--json"]);
        assert_eq!(from_nn.status.code(), Some(0), "{model}");
        assert_eq!(text(&from_nn.stdout), text(&from_onnx.stdout), "{model}");
        for solver in ["exhaustive", "analytic"] {
            let s = nnc(&["schedule", &onnx, "--solver", solver, "--batch", "2", "-q"]);
            assert_eq!(s.status.code(), Some(0), "{model}: {}", text(&s.stderr));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    crate::lang::snapshot_settings().bind(|| {
        insta::assert_snapshot!("onnx_import_attention", import("attention"));
        insta::assert_snapshot!("onnx_import_upsampling", import("upsampling"));
    });
}

/// The token and upsampling lowerings on cut and corrupted graphs (a
/// fixed pseudo-random sequence of single-byte changes): an error or a
/// model, never a panic, in the importer or in the compiler after it.
#[test]
fn broken_graphs_are_errors_not_panics() {
    let options = ImportOptions::default();
    for model in ["attention", "upsampling"] {
        let bytes = std::fs::read(format!("tests/onnx/models/{model}.onnx")).unwrap();
        for cut in (0..bytes.len()).step_by(53) {
            if let Ok(i) = nnc::onnx::import(&bytes[..cut], &options) {
                let _ = nnc::compile(&i.text);
            }
        }
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
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
    }
}
