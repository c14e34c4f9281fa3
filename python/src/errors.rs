//! The package's exceptions, one per exit code of the command line: an
//! input that is not valid (`InputError`, exit 1), a usage error
//! (`UsageError`, exit 2: an unknown option, a value out of range, a file
//! that cannot be read or written), no valid schedule (`NoScheduleError`,
//! exit 3); all are `nnc.Error`. The message is the diagnostic as the
//! command line prints it, with its place in the input.

use nnc::diag::Report;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    nnc,
    Error,
    PyException,
    "Any error of nnc; its message is the rendered diagnostic."
);
create_exception!(
    nnc,
    InputError,
    Error,
    "A network, hardware file, sweep spec, ONNX model or schedule file that is not valid."
);
create_exception!(
    nnc,
    UsageError,
    Error,
    "A call nnc cannot carry out as asked: an unknown option or value, a number out of range, a file that cannot be read or written."
);
create_exception!(
    nnc,
    NoScheduleError,
    Error,
    "The network has no valid schedule on the hardware."
);

/// Adds the exceptions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("UsageError", py.get_type::<UsageError>())?;
    m.add("NoScheduleError", py.get_type::<NoScheduleError>())?;
    Ok(())
}

/// The rendered text of `report`, without the blank line that ends it.
pub(crate) fn text(report: &Report) -> String {
    report.to_string().trim_end().to_owned()
}

/// An input's errors.
pub(crate) fn input(report: &Report) -> PyErr {
    InputError::new_err(text(report))
}

/// A usage error.
pub(crate) fn usage(message: impl Into<String>) -> PyErr {
    UsageError::new_err(text(&Report::error(message)))
}

/// A usage error with its diagnostics.
pub(crate) fn usage_report(report: &Report) -> PyErr {
    UsageError::new_err(text(report))
}
