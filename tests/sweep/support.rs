//! Writing specs into a scratch directory and running `nnc sweep`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh scratch directory for one test.
pub(crate) fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nnc-sweep-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A network of the repository, by absolute path (a spec's paths are
/// relative to the spec; an absolute one stays as it is).
pub(crate) fn net(name: &str) -> String {
    format!("{}/nns/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Writes `text` as `dir/name` and returns the path.
pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `nnc` with `args` (paths as given).
pub(crate) fn nnc<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap()
}

/// Runs `nnc sweep SPEC -o OUT EXTRA...`, expecting success; the file.
pub(crate) fn sweep(spec: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "sweep".to_owned(),
        spec.display().to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    nnc_ok(&args);
    std::fs::read_to_string(out).unwrap()
}

/// Runs `nnc ARGS...`, expecting success (its errors in the message).
pub(crate) fn nnc_ok<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    let o = nnc(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The fields of a CSV line (RFC 4180 quotes).
pub(crate) fn fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Runs `nnc schedule ARGS -q -o -`, expecting success: its schedule file.
pub(crate) fn schedule<S: AsRef<str>>(args: &[S]) -> serde_json::Value {
    let mut all: Vec<&str> = vec!["schedule"];
    all.extend(args.iter().map(AsRef::as_ref));
    all.extend(["-q", "-o", "-"]);
    let out = nnc(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `nnc schedule ARGS -q -o -`, expecting it to find no schedule
/// (exit 3) for the reason a sweep row's `status` gives.
pub(crate) fn no_schedule<S: AsRef<str>>(args: &[S], status: &str) {
    let mut all: Vec<&str> = vec!["schedule"];
    all.extend(args.iter().map(AsRef::as_ref));
    all.extend(["-q", "-o", "-"]);
    let out = nnc(&all);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{all:?}: {stderr}");
    let why = status.strip_prefix("no schedule: ").unwrap();
    assert!(stderr.trim_end().ends_with(why), "{stderr} vs {status}");
}

/// A schedule file's total energy and its breakdown (op, dram, gbuf,
/// array, regf, noc, static), as the file writes them: the cells a sweep
/// row must hold.
pub(crate) fn energy_cells(v: &serde_json::Value) -> Vec<String> {
    let t = &v["totals"];
    let b = &t["energy_breakdown"];
    let mut out = vec![t["energy"].to_string()];
    out.extend(["op", "dram", "gbuf", "array", "regf", "noc", "static"].map(|k| b[k].to_string()));
    out
}
