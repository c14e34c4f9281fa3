//! The `nnc` command line: parses arguments and hands them to the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    // clap's parser, telling nn_dataflow's flag names nnc's spelling.
    match nnc::cli::reference_flags::parse() {
        Ok(cli) => nnc::cli::run(cli),
        Err(code) => code,
    }
}
