//! Reading schedules back, `nnc diff` and `nnc report`.

mod diff;
mod html;
mod read;
pub(crate) mod xml;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh temporary directory for one test, removed first if a previous
/// run left it.
pub(crate) struct Dir(PathBuf);

impl Dir {
    pub(crate) fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("nnc-report-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// `nnc schedule ARGS -o NAME -q`, the network path relative to the
    /// repository.
    pub(crate) fn schedule(&self, name: &str, args: &[&str]) {
        let out = Command::new(env!("CARGO_BIN_EXE_nnc"))
            .arg("schedule")
            .args(args)
            .args(["--solver", "analytic", "-q", "-o"])
            .arg(self.path(name))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", out.stderr_text());
    }
}

/// Output as text.
pub(crate) trait OutputText {
    fn stdout_text(&self) -> String;
    fn stderr_text(&self) -> String;
}

impl OutputText for Output {
    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Runs nnc in `dir`, so that messages name files relatively.
pub(crate) fn nnc_in(dir: &Dir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnc"))
        .args(args)
        .current_dir(&dir.0)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

/// Schedules a shipped or fixture network on a preset or hardware file
/// through the library, analytic solver (fast), batch `batch`.
pub(crate) fn schedule(net: &str, hw: &str, batch: u64) -> nnc::ScheduleFile {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(net)).unwrap();
    let (network, _) = nnc::compile(&text).unwrap();
    let hw_arg = if hw.ends_with(".toml") {
        root.join(hw).display().to_string()
    } else {
        hw.to_owned()
    };
    let hardware = nnc::hw::load(&hw_arg).unwrap();
    let options = nnc::Options::builder()
        .batch(batch)
        .solver(nnc::Solver::Analytic)
        .build()
        .unwrap();
    nnc::schedule(&network, &hardware, &options).unwrap()
}
