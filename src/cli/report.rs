//! `nnc report SCHEDULE.json -o report.html` (a schedule's page,
//! [`crate::report::html`]) and `nnc report results.csv` (a sweep's,
//! [`crate::report::sweep`]).

use super::args::ReportArgs;
use super::output::Output;
use super::{Failure, input};
use crate::report::html;
use crate::schedule::read;
use std::process::ExitCode;

/// Runs `nnc report`.
pub(super) fn run(args: &ReportArgs) -> Result<ExitCode, Failure> {
    let input = [("input", args.file.as_path())];
    let output = Output::check(&args.output, &input, "the HTML page")?;
    let csv = args.file.extension().is_some_and(|e| e == "csv");
    let limit = if csv {
        crate::bounded::MAX_RESULTS_BYTES
    } else {
        crate::bounded::MAX_SCHEDULE_BYTES
    };
    let text = input::read_text(&args.file, limit)?;
    let origin = args.file.display().to_string();
    let page = if csv {
        let results = crate::sweep::read_results(&text)
            .map_err(|e| Failure::input(e.report(&origin, &text)))?;
        crate::report::sweep::html(&results)
    } else {
        let schedule =
            read::from_text(&text, &origin).map_err(|e| Failure::input(e.report(&text)))?;
        html::html(&schedule)
    };
    output.write(&page)?;
    Ok(ExitCode::SUCCESS)
}
