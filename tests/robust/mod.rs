//! Issue 26's promises, one reproducer per broken one: nothing lost,
//! nothing overwritten, nothing hangs. Each test was written to fail on
//! the code before its fix.
//!
//! - `cost`: scheduling cost linear in the layers;
//! - `fuzz`: a seeded mutation fuzzer per input kind;
//! - `inputs`: inputs read with a bound, as what they are;
//! - `output`: `-o` refused before the work, temporary files created
//!   exclusively;
//! - `terminal`: what reaches a terminal of an input is shown, not obeyed,
//!   and bounded;
//! - `results`: sweep results files: inputs digested, rows checked in
//!   full, one writer at a time;
//! - `readback`: schedule files read back within the model's ranges, and
//!   reports bounded for any valid input.

mod cost;
mod fuzz;
mod inputs;
mod output;
mod readback;
mod results;
mod terminal;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fresh temporary directory for one test.
pub(crate) struct Tmp(PathBuf);

impl Tmp {
    pub(crate) fn new(name: &str) -> Tmp {
        let dir = std::env::temp_dir().join(format!("nnc-robust-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Tmp(dir)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub(crate) fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The names of the files in the directory, sorted.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        out.sort();
        out
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What a run of nnc gave, and how long it took.
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) took: Duration,
}

/// Runs nnc in `dir` (the repository's root when `None`), standard output
/// and error piped.
pub(crate) fn nnc(dir: Option<&Path>, args: &[&str]) -> Run {
    let start = Instant::now();
    let out: Output = Command::new(env!("CARGO_BIN_EXE_nnc"))
        .args(args)
        .current_dir(dir.unwrap_or(Path::new(env!("CARGO_MANIFEST_DIR"))))
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        took: start.elapsed(),
    }
}

/// A path as an argument.
pub(crate) fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}
