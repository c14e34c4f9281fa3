//! The IR of every shipped network, as `nnc check --json` prints it.

use super::{relative, snapshot_settings};

#[test]
fn every_network_lowers() {
    snapshot_settings().bind(|| {
        insta::glob!("../../nns", "*.nn", |path| {
            let src = std::fs::read_to_string(path).expect("readable");
            let (net, warnings) = match nnc::lang::compile(&src) {
                Ok(ok) => ok,
                Err(d) => panic!("{}", nnc::diag::render(&d, &relative(path), &src)),
            };
            assert!(warnings.is_empty(), "{}: warnings", relative(path));
            insta::assert_snapshot!("ir", net.to_json().to_text());
        });
    });
}
