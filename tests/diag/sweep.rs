//! Sweep-spec fixtures (`S0xx`): each spec is parsed as `nnc sweep` parses
//! it, its networks compiled and its grid's hardware checked.

use super::check;
use crate::lang::{relative, snapshot_settings};
use nnc::diag::Report;
use nnc::sweep::{self, Plan};
use std::path::Path;

fn reports(path: &Path) -> (String, Vec<Report>) {
    let src = std::fs::read_to_string(path).unwrap();
    let name = relative(path);
    // Relative to the repository (the tests' working directory), so that
    // the paths shown are too.
    let dir = Path::new(&name).parent().unwrap().to_owned();
    let spec = match sweep::parse_spec(&src, &dir) {
        Ok(spec) => spec,
        Err(e) => {
            let reports = e.reports(&name, &src);
            return (src, reports);
        }
    };
    let sources: Vec<String> = spec
        .networks
        .iter()
        .map(|n| std::fs::read_to_string(&n.path).unwrap())
        .collect();
    let networks: Vec<_> = sources.iter().map(|t| nnc::compile(t).unwrap().0).collect();
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    let e = Plan::new(&spec, &networks, &sources).expect_err("a spec error");
    let report = Report::one(&name, &src, e.diagnostic());
    (src, vec![report])
}

#[test]
fn every_sweep_spec_diagnostic_renders() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/sweep", "*.toml", |path| {
            let (src, reports) = reports(path);
            // The grid of S012 is 240 numbers long: its diagnostic says it.
            let shown = (src.len() < 2000).then_some(src.as_str());
            check(path, shown, &reports);
        });
    });
}
