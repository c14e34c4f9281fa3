//! The `nnc` command line: parses arguments and hands them to the library.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    nnc::cli::run(nnc::cli::Cli::parse())
}
