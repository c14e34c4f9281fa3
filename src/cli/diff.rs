//! `nnc diff A.json B.json`: wiring of [`nnc::report::diff`].

use super::args::DiffArgs;
use super::{EXIT_USAGE, Failure, input};
use nnc::report::{diff, scalesim};
use nnc::schedule::read::{self, AnySchedule};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Exit code when the schedules differ.
const EXIT_DIFFER: u8 = 1;

/// Runs `nnc diff`.
pub(super) fn run(args: &DiffArgs) -> Result<ExitCode, Failure> {
    let (na, nb) = (args.a.display().to_string(), args.b.display().to_string());
    let d = match (schedule_file(&args.a)?, schedule_file(&args.b)?) {
        (AnySchedule::Nnc(a), AnySchedule::Nnc(b)) => diff::diff(&a, &na, &b, &nb),
        (AnySchedule::ScaleSim(a), AnySchedule::ScaleSim(b)) => scalesim::diff(&a, &na, &b, &nb),
        (a, _) => {
            let (nnc, other) = match a {
                AnySchedule::Nnc(_) => (&na, &nb),
                AnySchedule::ScaleSim(_) => (&nb, &na),
            };
            return Err(Failure::usage(format!(
                "`{nnc}` is a schedule of nnc's model and `{other}` SCALE-Sim's reports \
                 (`--compat scalesim`): they hold different numbers and cannot be compared field \
                 by field; compare two files of the same kind"
            )));
        }
    };
    // A closed pipe (`nnc diff a b | head`) is not an error.
    let _ = std::io::stdout().lock().write_all(d.render().as_bytes());
    Ok(if d.is_equal() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DIFFER)
    })
}

/// Reads a schedule file; one that is not (a usage error: 1 means "they
/// differ") says why.
fn schedule_file(path: &Path) -> Result<AnySchedule, Failure> {
    let text = input::read_text(path, nnc::bounded::MAX_SCHEDULE_BYTES)?;
    let origin = path.display().to_string();
    read::any_from_text(&text, &origin).map_err(|e| Failure::with(EXIT_USAGE, e.report(&text)))
}
