//! One fixture per diagnostic code of the language in
//! `tests/fixtures/errors/CODE.nn`; the snapshot holds the source and the
//! rendered diagnostics. (That every code has one is `diag`'s test.)

use super::{relative, root, snapshot_settings};
use nnc::diag::{Code, Input};

fn render(path: &std::path::Path) -> (String, Vec<Code>) {
    let src = std::fs::read_to_string(path).expect("readable fixture");
    let diags = match nnc::lang::compile(&src) {
        Ok((_, warnings)) => warnings,
        Err(d) => d,
    };
    let codes = diags.iter().filter_map(|d| d.code).collect();
    let out = nnc::diag::render(&diags, &relative(path), &src);
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
fn warnings_do_not_stop_compilation() {
    for code in Code::ALL
        .iter()
        .filter(|c| c.is_warning() && c.input() == Input::Network)
    {
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

#[test]
fn pathological_files_are_rejected_quickly() {
    let start = std::time::Instant::now();
    let mut src = String::from("network big\ninput data [3, 8]\n");
    for i in 0..20_000 {
        src += &format!("x{i} = conv(unknown{i}, 8, kernel: 1)\n");
    }
    let d = nnc::lang::compile(&src).expect_err("unknown names");
    assert_eq!(d.error_count(), 20_000);
    // Operators across nested parentheses count together (E033).
    let deep = format!(
        "network n\nlet x = {}1{}\n",
        "(1 + 1 + 1 + 1 + 1 + ".repeat(60),
        ")".repeat(60)
    );
    let d = nnc::lang::compile(&deep).expect_err("too complex");
    assert!(d.iter().any(|d| d.code == Some(Code::Limit)));
    // Brackets nested too deep (E033).
    let nested = format!(
        "network n\nlet x = {}1{}\n",
        "(".repeat(100),
        ")".repeat(100)
    );
    let d = nnc::lang::compile(&nested).expect_err("too deep");
    assert!(d.iter().any(|d| d.code == Some(Code::Limit)));
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}
