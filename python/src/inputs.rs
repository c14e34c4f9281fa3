//! The inputs: a network (`nnc.network`) and a hardware (`nnc.hardware`),
//! read as the command line reads them (`nnc::load`, `nnc::hw`).

use crate::errors;
use nnc::diag::{Diagnostics, Report};
use nnc::hw::{self, HwError, Set};
use nnc::load::{self, LoadError};
use pyo3::prelude::*;
use std::path::PathBuf;

/// A network, compiled: what `nnc.network` returns.
#[pyclass(module = "nnc", frozen)]
pub(crate) struct Network {
    pub(crate) net: nnc::Network,
    /// Its `.nn` text (an ONNX model's lowered text): the schedule file
    /// records its digest.
    pub(crate) source: String,
}

#[pymethods]
impl Network {
    /// The network's name (`network NAME`).
    #[getter]
    fn name(&self) -> &str {
        self.net.name()
    }

    /// Its `.nn` text (for an ONNX model, the text it is imported as).
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }

    /// The network IR as `nnc check --json` prints it.
    fn to_json(&self) -> String {
        self.net.to_json().to_text()
    }

    fn __repr__(&self) -> String {
        format!(
            "<nnc.Network {} ({} layers)>",
            self.net.name(),
            self.net.layers().len()
        )
    }
}

/// A hardware, checked: what `nnc.hardware` returns.
#[pyclass(module = "nnc", frozen)]
pub(crate) struct Hardware {
    pub(crate) hw: nnc::Hardware,
}

#[pymethods]
impl Hardware {
    /// Its name (`name` in the file, or the preset's).
    #[getter]
    fn name(&self) -> &str {
        &self.hw.name
    }

    /// The hardware file as resolved, as JSON (the schedule file's
    /// `hardware` without the derived word sizes).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.hw).map_err(|e| errors::usage(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!("<nnc.Hardware {}>", self.hw.name)
    }
}

/// Loads a network from `path` (a `.nn` file or an `.onnx` model) or from
/// `.nn` `source` text shown as `name`: the network and its warnings'
/// rendered text (empty without any).
#[pyfunction]
#[pyo3(signature = (path=None, source=None, name="<string>", input_shape=None))]
pub(crate) fn load_network(
    path: Option<PathBuf>,
    source: Option<String>,
    name: &str,
    input_shape: Option<[u64; 3]>,
) -> PyResult<(Network, String)> {
    let loaded = match (path, source) {
        (Some(path), None) => load::network_file(&path, input_shape),
        (None, Some(source)) => load::network_text(name, source),
        _ => {
            return Err(errors::usage(
                "give a network's path or its source, not both",
            ));
        }
    }
    .map_err(|e| match e {
        LoadError::Unreadable(r) => errors::usage_report(&r),
        LoadError::Invalid(r) => errors::input(&r),
    })?;
    let warnings = if loaded.warnings.diagnostics().is_empty() {
        String::new()
    } else {
        errors::text(&loaded.warnings)
    };
    let network = Network {
        net: loaded.network,
        source: loaded.source,
    };
    Ok((network, warnings))
}

/// Loads a preset or hardware file with `sets` (a JSON object of dotted
/// keys and values, as `--set` takes them) applied in order: the hardware
/// and its warnings' rendered text.
#[pyfunction]
#[pyo3(signature = (arg, sets="{}"))]
pub(crate) fn load_hardware(arg: &str, sets: &str) -> PyResult<(Hardware, String)> {
    let sets = parse_sets(sets)?;
    let (text, origin) = hw::read(arg).map_err(|e| hardware_error(&e))?;
    let hw = hw::parse_with(&text, &origin, &sets).map_err(|e| hardware_error(&e))?;
    let mut diags = Diagnostics::new();
    for w in &hw.warnings {
        diags.push(w.diagnostic());
    }
    let warnings = if diags.is_empty() {
        String::new()
    } else {
        errors::text(&Report::new(origin, text, diags))
    };
    Ok((Hardware { hw }, warnings))
}

/// The changes of a JSON object `{"node.gbuf_bytes": 65536, ...}`.
fn parse_sets(json: &str) -> PyResult<Vec<Set>> {
    let table: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|e| errors::usage(format!("set: {e}")))?;
    table
        .iter()
        .map(|(key, value)| {
            let value: toml::Value = serde_json::from_value(value.clone())
                .map_err(|e| errors::usage(format!("set: `{key}`: {e}")))?;
            Set::from_value(key, &value).map_err(|e| errors::usage(format!("set: {e}")))
        })
        .collect()
}

/// A hardware error as the command line's exit code says: a file or preset
/// that is not there, or a `--set` value, is a usage error; a file that is
/// not valid, an input error.
fn hardware_error(e: &HwError) -> PyErr {
    if e.is_usage() {
        errors::usage_report(&e.report())
    } else {
        errors::input(&e.report())
    }
}
