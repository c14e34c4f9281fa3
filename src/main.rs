//! The `nnc` command line: parses arguments and hands them to the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    keep_freed_memory();
    // clap's parser, telling nn_dataflow's flag names nnc's spelling.
    match cli::reference_flags::parse() {
        Ok(cli) => cli::run(cli),
        Err(code) => code,
    }
}

/// Tells glibc's allocator to keep freed memory instead of returning it to
/// the system at once. Why: the search's worker threads allocate and free
/// short-lived buffers at a high rate; with glibc's default trim threshold
/// each thread's heap shrinks and regrows all the time, and every regrowth
/// page-faults. A pipelined AlexNet search (tetris, batch 16, hybrid,
/// access forwarding, save-writeback, interlayer) took 2.33 s, 1.70 s of it
/// in the kernel with 949,286 page faults; with this, 0.35 s and 4,097
/// faults, and the same bytes out. Only the process's own allocator
/// settings change; results never depend on them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    use std::ffi::c_int;
    // glibc's `mallopt` parameters (malloc.h).
    const M_TRIM_THRESHOLD: c_int = -1;
    const M_TOP_PAD: c_int = -2;
    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    // SAFETY: `mallopt` only sets allocator parameters; it is called before
    // any thread starts, and a refused value leaves the default in place.
    unsafe {
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        mallopt(M_TOP_PAD, 64 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
