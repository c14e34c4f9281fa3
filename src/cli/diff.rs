//! `nnc diff A.json B.json`: wiring of [`nnc::report::diff`].

use super::args::DiffArgs;
use super::{EXIT_USAGE, Failure, input};
use nnc::report::diff;
use nnc::schedule::read::{self, SavedSchedule};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Exit code when the schedules differ.
const EXIT_DIFFER: u8 = 1;

/// Runs `nnc diff`.
pub(super) fn run(args: &DiffArgs) -> Result<ExitCode, Failure> {
    let a = schedule_file(&args.a)?;
    let b = schedule_file(&args.b)?;
    let d = diff::diff(
        &a,
        &args.a.display().to_string(),
        &b,
        &args.b.display().to_string(),
    );
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
fn schedule_file(path: &Path) -> Result<SavedSchedule, Failure> {
    let text = input::read_text(path)?;
    let origin = path.display().to_string();
    read::from_text(&text, &origin).map_err(|e| Failure::with(EXIT_USAGE, e.report(&text)))
}
