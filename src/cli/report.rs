//! `nnc report SCHEDULE.json -o report.html` (a schedule's page,
//! [`nnc::report::html`]) and `nnc report results.csv` (a sweep's,
//! [`nnc::report::sweep`]).

use super::args::ReportArgs;
use super::output::Output;
use super::{Failure, input};
use nnc::report::{html, scalesim_html};
use nnc::schedule::read::{self, AnySchedule};
use std::process::ExitCode;

/// Runs `nnc report`.
pub(super) fn run(args: &ReportArgs) -> Result<ExitCode, Failure> {
    let input = [("input", args.file.as_path())];
    let output = Output::check(&args.output, &input, "the HTML page")?;
    let csv = args.file.extension().is_some_and(|e| e == "csv");
    let limit = if csv {
        nnc::bounded::MAX_RESULTS_BYTES
    } else {
        nnc::bounded::MAX_SCHEDULE_BYTES
    };
    let text = input::read_text(&args.file, limit)?;
    let origin = args.file.display().to_string();
    let page = if csv {
        let results = nnc::sweep::read_results(&text)
            .map_err(|e| Failure::input(e.report(&origin, &text)))?;
        nnc::report::sweep::html(&results)
    } else {
        match read::any_from_text(&text, &origin).map_err(|e| Failure::input(e.report(&text)))? {
            AnySchedule::Nnc(schedule) => html::html(&schedule),
            AnySchedule::ScaleSim(schedule) => scalesim_html::html(&schedule),
        }
    };
    output.write(&page)?;
    Ok(ExitCode::SUCCESS)
}
