//! `nnc._nnc`: the native module of the Python package `nnc` (docs/python.md),
//! a thin layer on the library's public surface. The Python API itself
//! (argument checking, dictionaries, pandas frames) is `nnc/__init__.py`;
//! this module loads inputs, runs searches with the GIL released and
//! Ctrl-C heeded ([`run`]), and turns every error into an `nnc.Error`
//! carrying the rendered diagnostic ([`errors`]).

mod errors;
mod inputs;
mod run;
mod schedule;
mod sweep;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _nnc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<inputs::Network>()?;
    m.add_class::<inputs::Hardware>()?;
    m.add_class::<schedule::Schedule>()?;
    m.add_function(wrap_pyfunction!(inputs::load_network, m)?)?;
    m.add_function(wrap_pyfunction!(inputs::load_hardware, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::schedule, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::read_schedule, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::diff, m)?)?;
    m.add_function(wrap_pyfunction!(sweep::sweep, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
