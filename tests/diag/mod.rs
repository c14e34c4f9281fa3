//! Every diagnostic code of every input (docs/diagnostics.md) has a fixture
//! in `tests/fixtures/<input>/CODE.<ext>` that reports it, rendered by the
//! one renderer into `snapshots/diagnostic@CODE.<ext>.snap`; the `.nn`
//! ones are `lang::errors`'.

mod hardware;
mod onnx;
mod readback;
mod scalesim;
mod sweep;

use crate::lang::{relative, root};
use nnc::diag::{Code, Input, Report};
use std::path::{Path, PathBuf};

/// The fixtures' folder of an input, and the extensions of its files.
fn fixtures(input: Input) -> (PathBuf, &'static [&'static str]) {
    let (dir, exts): (&str, &'static [&'static str]) = match input {
        Input::Network => ("errors", &["nn"]),
        Input::Hardware => ("hardware", &["toml"]),
        Input::SweepSpec => ("sweep", &["toml"]),
        Input::Onnx => ("onnx", &["onnx"]),
        Input::ReadBack => ("readback", &["json", "csv"]),
        Input::ScaleSim => ("scalesim", &["csv", "cfg"]),
    };
    (root().join("tests/fixtures").join(dir), exts)
}

/// The code a fixture is named after: its name up to the first `-` or `.`
/// (`H005-set.toml` is another fixture of H005).
fn code_of(path: &Path) -> Code {
    let name = path
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let code = name.split(['-', '.']).next().unwrap_or_default();
    Code::parse(code).unwrap_or_else(|| panic!("{name} is not named after a code"))
}

/// Snapshots a fixture's rendering (`source`, when given, above the
/// diagnostics of `reports`), after checking that it reports its code.
fn check(path: &Path, source: Option<&str>, reports: &[Report]) {
    check_shown(path, source, reports, |text| text);
}

/// [`check`], with the rendering passed through `shown` (a file read from
/// a copy shown as the fixture).
fn check_shown(
    path: &Path,
    source: Option<&str>,
    reports: &[Report],
    shown: impl Fn(String) -> String,
) {
    let code = code_of(path);
    let codes: Vec<Code> = reports
        .iter()
        .flat_map(|r| r.diagnostics().iter().filter_map(|d| d.code))
        .collect();
    assert!(
        codes.contains(&code),
        "{} does not report {code}: {codes:?}",
        relative(path)
    );
    let diagnostics = shown(reports.iter().map(ToString::to_string).collect());
    let text = match source {
        Some(src) => format!("----- SOURCE\n{src}\n----- DIAGNOSTICS\n{diagnostics}"),
        None => format!("----- DIAGNOSTICS\n{diagnostics}"),
    };
    insta::assert_snapshot!("diagnostic", text);
}

#[test]
fn every_code_has_a_fixture() {
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| {
            let (dir, exts) = fixtures(c.input());
            !exts
                .iter()
                .any(|e| dir.join(format!("{}.{e}", c.as_str())).exists())
        })
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn every_code_is_listed_in_the_docs_once() {
    let doc = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let listed: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(' ').next())
        .filter(|c| Code::parse(c).is_some())
        .collect();
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, codes, "docs/diagnostics.md's tables, in code order");
}

#[test]
fn codes_are_unique_and_name_their_input() {
    let mut seen = std::collections::HashSet::new();
    for c in Code::ALL {
        assert!(seen.insert(c.as_str()), "{c} twice");
        let letter = match c.input() {
            _ if c.is_warning() => 'W',
            Input::Network => 'E',
            Input::Hardware => 'H',
            Input::SweepSpec => 'S',
            Input::Onnx => 'X',
            Input::ReadBack => 'R',
            Input::ScaleSim => 'C',
        };
        assert!(c.as_str().starts_with(letter), "{c} of {:?}", c.input());
    }
}
