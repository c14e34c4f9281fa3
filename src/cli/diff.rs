//! `nnc diff A.json B.json`: wiring of [`crate::report::diff`].

use crate::report::diff;
use crate::schedule::read;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `nnc diff`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  \
nnc schedule nns/alex_net.nn --hw eyeriss -o eyeriss.json\n  \
nnc schedule nns/alex_net.nn --hw tetris -o tetris.json\n  \
nnc diff eyeriss.json tetris.json\n\n\
Exit codes (like diff): 0 the files hold the same schedule, 1 they differ, \
2 usage errors or a file that is unreadable or not a schedule file.")]
pub struct DiffArgs {
    /// The first schedule file (`nnc schedule -o`).
    pub a: PathBuf,
    /// The second schedule file.
    pub b: PathBuf,
}

/// Exit code when the schedules differ.
const EXIT_DIFFER: u8 = 1;

/// Runs `nnc diff`.
pub(crate) fn run(args: &DiffArgs) -> ExitCode {
    let (a, b) = match (read::read(&args.a), read::read(&args.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            // 1 means "they differ": an unreadable file is a usage error.
            return ExitCode::from(super::EXIT_USAGE);
        }
    };
    let d = diff::diff(
        &a,
        &args.a.display().to_string(),
        &b,
        &args.b.display().to_string(),
    );
    // A closed pipe (`nnc diff a b | head`) is not an error.
    let _ = std::io::stdout().lock().write_all(d.render().as_bytes());
    if d.is_equal() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DIFFER)
    }
}
