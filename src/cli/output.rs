//! Writing a command's output (`-o FILE`): standard output for `-`, else
//! the file, whole or not at all, and never over an input: the output is
//! compared with the inputs by canonical path and, on unix, by device and
//! inode, so symlinks and hard links are caught too. [`emit_schedule`] is
//! `nnc schedule`'s: the file and the summary.

use super::{EXIT_NO_SCHEDULE, Failure};
use nnc::diag::Report;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes a command's output `text` (`written`, e.g. "the HTML page") to
/// `-o PATH`: standard output for `-` (a closed pipe is not an error), else
/// the file, whole or not at all. Refused (exit 2) when `PATH` is one of
/// `inputs` (what each is, and its path), also through links.
pub(crate) fn write_output(
    path: &Path,
    text: &str,
    inputs: &[(&str, &Path)],
    written: &str,
) -> Result<(), Failure> {
    if path.as_os_str() == "-" {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        return Ok(());
    }
    refuse_input(path, inputs, written)?;
    write_file(path, text)
}

/// A usage error if `output` is one of `inputs` (see [`write_output`]).
pub(crate) fn refuse_input(
    output: &Path,
    inputs: &[(&str, &Path)],
    written: &str,
) -> Result<(), Failure> {
    match output_is_an_input(output, inputs, written) {
        Some(why) => Err(Failure::usage(why)),
        None => Ok(()),
    }
}

/// Writes `text` to the file `path` whole or not at all (exit 2 if it
/// cannot).
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    write_atomically(path, text)
        .map_err(|e| Failure::usage(format!("cannot write `{}`: {e}", path.display())))
}

/// Writes `text` to `path` whole or not at all: a temporary file in the same
/// directory, then a rename. A path that is not a regular file (`/dev/null`,
/// a named pipe, a terminal) is written to directly: renaming over it
/// would replace the device with a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        return f.write_all(text.as_bytes());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Is `output` the same file as `input`? An output that does not exist yet
/// (or cannot be inspected) is no input.
fn same_file(output: &Path, input: &Path) -> bool {
    let (Ok(out_meta), Ok(in_meta)) = (std::fs::metadata(output), std::fs::metadata(input)) else {
        return false;
    };
    // A hard link has its own path but the same inode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if (out_meta.dev(), out_meta.ino()) == (in_meta.dev(), in_meta.ino()) {
            return true;
        }
    }
    #[cfg(not(unix))]
    let _ = (out_meta, in_meta);
    match (std::fs::canonicalize(output), std::fs::canonicalize(input)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The message refusing `-o OUTPUT` when it is one of `inputs` (what each
/// is, and its path), or `None` when it is none of them; `written` is what
/// the command writes (`the schedule`).
fn output_is_an_input(output: &Path, inputs: &[(&str, &Path)], written: &str) -> Option<String> {
    inputs.iter().find_map(|(what, input)| {
        same_file(output, input).then(|| {
            format!(
                "the output `{}` is the {what} `{}`: writing {written} there would destroy it; choose another `-o` file",
                output.display(),
                input.display()
            )
        })
    })
}

/// What `nnc schedule` does with a schedule: writes its `json` where `-o`
/// says (`output`; `-`: standard output, the summary then on standard
/// error) and prints its `summary` unless `quiet`.
pub(crate) fn emit_schedule(
    output: Option<&Path>,
    quiet: bool,
    json: impl FnOnce() -> Result<String, serde_json::Error>,
    summary: impl FnOnce() -> String,
) -> Result<ExitCode, Failure> {
    if let Some(path) = output {
        let json = json().map_err(|e| {
            Failure::with(
                EXIT_NO_SCHEDULE,
                Report::error(format!("cannot write the schedule: {e}")),
            )
        })?;
        if path.as_os_str() == "-" {
            let _ = std::io::stdout().lock().write_all(json.as_bytes());
            if !quiet {
                let _ = std::io::stderr().lock().write_all(summary().as_bytes());
            }
            return Ok(ExitCode::SUCCESS);
        }
        write_file(path, &json)?;
    }
    if !quiet {
        let _ = std::io::stdout().lock().write_all(summary().as_bytes());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_output_is_no_input() {
        assert!(!same_file(
            Path::new("/nonexistent/out.json"),
            Path::new("Cargo.toml")
        ));
        assert!(same_file(
            Path::new("Cargo.toml"),
            Path::new("./Cargo.toml")
        ));
        assert!(!same_file(Path::new("Cargo.toml"), Path::new("Cargo.lock")));
    }
}
