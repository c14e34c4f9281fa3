//! Fixtures of files read back (`R0xx`): schedule files as `nnc diff` and
//! `nnc report` read them (`.json`); results files as `nnc report` reads
//! them (R007-R009), as `nnc sweep` resumes them (R010, R011) and merges
//! them (R012 merged with itself, R013 alone), against the sweep of
//! `tests/fixtures/readback/sweep.toml`.

use super::{check_shown, code_of};
use crate::lang::{relative, snapshot_settings};
use nnc::diag::{Code, Report};
use nnc::schedule::read;
use nnc::sweep::{self, Plan};
use std::path::{Path, PathBuf};

/// The report of a results file resumed or merged by the fixtures' sweep,
/// and the path it was read from.
fn swept(path: &Path, code: Code) -> (Report, PathBuf) {
    let dir = Path::new("tests/fixtures/readback");
    let spec_text = std::fs::read_to_string(dir.join("sweep.toml")).unwrap();
    let spec = sweep::parse_spec(&spec_text, dir).unwrap();
    let sources: Vec<String> = spec
        .networks
        .iter()
        .map(|n| std::fs::read_to_string(&n.path).unwrap())
        .collect();
    let networks: Vec<_> = sources.iter().map(|t| nnc::compile(t).unwrap().0).collect();
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    let plan = Plan::new(&spec, &networks, &sources).unwrap();
    let rel = PathBuf::from(relative(path));
    let e = match code {
        Code::ResultsOtherSweep | Code::ResultsRow => {
            // Resumed from a copy: resuming may write to the file.
            let tmp = std::env::temp_dir().join(format!("nnc-{}-{code}.csv", std::process::id()));
            std::fs::copy(path, &tmp).unwrap();
            let e = sweep::open_results(&plan, None, &tmp, false).expect_err("refused");
            let _ = std::fs::remove_file(&tmp);
            return (e.report(), tmp);
        }
        Code::ResultsDuplicate => {
            sweep::merge(&plan, &[rel.clone(), rel.clone()]).expect_err("twice")
        }
        Code::ResultsMissing => {
            sweep::merge(&plan, std::slice::from_ref(&rel)).expect_err("incomplete")
        }
        _ => panic!("{code} is not a resumed or merged file's"),
    };
    (e.report(), rel)
}

#[test]
fn every_schedule_file_diagnostic_renders() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/readback", "*.json", |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let name = relative(path);
            let e = read::any_from_text(&text, &name).expect_err("not a schedule");
            // A schedule file is long: the diagnostic shows its line.
            check_shown(path, None, &[e.report(&text)], |t| t);
        });
    });
}

#[test]
fn every_results_file_diagnostic_renders() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/readback", "*.csv", |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let name = relative(path);
            let code = code_of(path);
            if code <= Code::ResultsFieldCount {
                let e = sweep::read_results(&text).expect_err("not results");
                check_shown(path, Some(&text), &[e.report(&name, &text)], |t| t);
            } else {
                let (report, read_from) = swept(path, code);
                let from = read_from.display().to_string();
                check_shown(path, Some(&text), &[report], |t| t.replace(&from, &name));
            }
        });
    });
}
