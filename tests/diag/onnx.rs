//! ONNX fixtures (`X0xx`), written by tests/onnx/models/make_models.py.

use super::check;
use crate::lang::{relative, snapshot_settings};
use nnc::onnx::{self, ImportOptions};

#[test]
fn every_onnx_diagnostic_renders() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/onnx", "*.onnx", |path| {
            let bytes = std::fs::read(path).unwrap();
            let options = ImportOptions {
                fallback_name: "model".into(),
                input_shape: None,
            };
            let e = onnx::import(&bytes, &options).expect_err("an import error");
            check(path, None, &[e.report(&relative(path))]);
        });
    });
}
