//! Hardware fixtures (`H0xx`, `W004`). A fixture's first line says how it
//! is read: `# --hw FILE:` the file itself, `# --hw NAME:` the preset
//! NAME (the file holds only the comment), `# --set:` the file with the
//! changes of its `# --set KEY=VALUE` lines.

use super::check;
use crate::lang::{relative, snapshot_settings};
use nnc::diag::{Diagnostics, Report};
use nnc::hw::{self, Set};
use std::path::Path;

fn reports(path: &Path) -> (String, Report) {
    let src = std::fs::read_to_string(path).unwrap();
    let name = relative(path);
    let first = src.lines().next().unwrap_or_default();
    let preset = first
        .strip_prefix("# --hw ")
        .and_then(|r| r.split_once(':'))
        .map(|(arg, _)| arg)
        .filter(|arg| *arg != "FILE");
    if let Some(preset) = preset {
        let e = hw::load(preset).expect_err("no such preset");
        return (src, e.report());
    }
    let sets: Vec<Set> = src
        .lines()
        .filter_map(|l| l.strip_prefix("# --set "))
        .map(|s| s.parse().unwrap())
        .collect();
    let report = match hw::parse_with(&src, &name, &sets) {
        Err(e) => e.report(),
        Ok(hw) => {
            let mut warnings = Diagnostics::new();
            for w in &hw.warnings {
                warnings.push(w.diagnostic());
            }
            Report::new(name, src.clone(), warnings)
        }
    };
    (src, report)
}

#[test]
fn every_hardware_diagnostic_renders() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/hardware", "*.toml", |path| {
            let (src, report) = reports(path);
            check(path, Some(&src), &[report]);
        });
    });
}

#[test]
fn warnings_do_not_stop_loading() {
    let path = crate::lang::root().join("tests/fixtures/hardware/W004.toml");
    let src = std::fs::read_to_string(&path).unwrap();
    let hw = hw::parse(&src, "W004.toml").expect("a warning only");
    assert_eq!(hw.warnings.len(), 1);
}
