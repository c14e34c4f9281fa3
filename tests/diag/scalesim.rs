//! SCALE-Sim fixtures (`C0xx`, `W005`): topologies (`.csv`) read and made
//! a network as `nnc check TOPOLOGY.csv` does, configs (`.cfg`) read as
//! `nnc schedule --compat scalesim` reads them, warnings included.

use super::check;
use crate::lang::{relative, snapshot_settings};
use nnc::diag::Report;
use nnc::scalesim::{TopologyKind, ignored_keys, network, read_config, read_topology};

#[test]
fn every_topology_diagnostic_renders() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/scalesim", "*.csv", |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let name = relative(path);
            let e = read_topology(&text, TopologyKind::Auto)
                .and_then(|t| network("t", &t, &text))
                .expect_err("not a valid topology");
            check(path, Some(&text), &[e.report(&name, &text)]);
        });
    });
}

#[test]
fn every_config_diagnostic_renders() {
    snapshot_settings().bind(|| {
        insta::glob!("../fixtures/scalesim", "*.cfg", |path| {
            let text = std::fs::read_to_string(path).unwrap();
            let name = relative(path);
            let report = match read_config(&text) {
                Err(e) => e.report(&name, &text),
                Ok(c) => Report::new(name, text.clone(), ignored_keys(&c.ignored)),
            };
            // A config is long: the diagnostic shows its line.
            check(path, None, &[report]);
        });
    });
}
