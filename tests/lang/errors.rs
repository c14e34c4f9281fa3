//! One fixture per diagnostic code in `tests/fixtures/errors/CODE.nn`; the
//! snapshot holds the source and the rendered diagnostics.

use super::{relative, root, snapshot_settings};
use nnc::lang::Code;

fn render(path: &std::path::Path) -> (String, Vec<Code>) {
    let src = std::fs::read_to_string(path).expect("readable fixture");
    let diags = match nnc::lang::compile(&src) {
        Ok((_, warnings)) => warnings,
        Err(d) => d,
    };
    let codes = diags.iter().filter_map(|d| d.code).collect();
    let out = nnc::lang::diag::render(&diags, &relative(path), &src);
    (
        format!("----- SOURCE\n{src}\n----- DIAGNOSTICS\n{out}"),
        codes,
    )
}

#[test]
fn every_diagnostic_renders() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/errors", "*.nn", |path| {
            let (text, codes) = render(path);
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let code = Code::parse(stem).expect("fixture named after a code");
            assert!(
                codes.contains(&code),
                "{stem} does not report {stem}: {codes:?}"
            );
            insta::assert_snapshot!("diagnostic", text);
        });
    });
}

#[test]
fn every_code_has_a_fixture() {
    let dir = root().join("tests/fixtures/errors");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !dir.join(format!("{c}.nn")).exists())
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn warnings_do_not_stop_compilation() {
    for code in Code::ALL.iter().filter(|c| c.is_warning()) {
        let path = root().join(format!("tests/fixtures/errors/{code}.nn"));
        let src = std::fs::read_to_string(&path).expect("fixture");
        assert!(nnc::lang::compile(&src).is_ok(), "{code} fails to compile");
    }
}

#[test]
fn all_errors_of_a_file_are_reported() {
    let src = "network bad\ninput data [3, 32]\n\
               a = conv(dat, 8, kernel: 3)\n\
               b = pool(data, kernal: 2)\n\
               c = conv(data, 0, kernel: 3)\n";
    let diags = nnc::lang::compile(src).expect_err("errors");
    let codes: Vec<&str> = diags
        .iter()
        .filter_map(|d| d.code.map(|c| c.as_str()))
        .collect();
    assert_eq!(codes, ["E005", "E007", "E015"]);
}
