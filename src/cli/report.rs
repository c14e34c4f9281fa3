//! `nnc report SCHEDULE.json -o report.html`: wiring of
//! [`crate::report::html`].

use super::{EXIT_COMPILE_ERROR, EXIT_USAGE, write_output};
use crate::report::html;
use crate::schedule::read;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `nnc report`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  \
nnc schedule nns/alex_net.nn --batch 16 -o alexnet.json\n  \
nnc report alexnet.json -o alexnet.html\n\n\
The page is one self-contained file (inline SVG and CSS, no script, nothing fetched).")]
pub struct ReportArgs {
    /// A schedule file (`nnc schedule -o`).
    pub file: PathBuf,
    /// Where to write the HTML page (`-` for stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
}

/// Runs `nnc report`.
pub(crate) fn run(args: &ReportArgs) -> ExitCode {
    if args.file.extension().is_some_and(|e| e == "csv") {
        return sweep_report(args);
    }
    let schedule = match read::read(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(if e.is_io() {
                EXIT_USAGE
            } else {
                EXIT_COMPILE_ERROR
            });
        }
    };
    let page = html::html(&schedule);
    let input = [("input", args.file.as_path())];
    write_output(&args.output, &page, &input, "the HTML page")
}

/// `nnc report results.csv`: the sweep's charts (`crate::report::sweep`).
fn sweep_report(args: &ReportArgs) -> ExitCode {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.file.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let results = match crate::sweep::read_results(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: `{}`: {e}", args.file.display());
            return ExitCode::from(EXIT_COMPILE_ERROR);
        }
    };
    let page = crate::report::sweep::html(&results);
    let input = [("input", args.file.as_path())];
    write_output(&args.output, &page, &input, "the HTML page")
}
