//! Writing a command's output (`-o FILE`): standard output for `-`, else
//! the file, whole or not at all, and never over an input.
//!
//! - [`Output::check`] runs before the command's work: the output is
//!   compared with the inputs by canonical path and, on unix, by device and
//!   inode (symlinks and hard links are caught too), and a path that cannot
//!   be written (a directory, a missing or read-only directory) is refused
//!   at once, not after a long search.
//! - [`AtomicFile`] writes a temporary file next to the output, created
//!   exclusively (`O_EXCL`: a planted file or symlink of that name is never
//!   followed) under an unpredictable name, and renames it over the output
//!   only when complete; dropped before that, it removes itself.
//! - [`emit_schedule`] is `nnc schedule`'s: the file and the summary.

use super::{EXIT_NO_SCHEDULE, Failure};
use nnc::diag::Report;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where a command writes, checked: standard output, or a file that is no
/// input and whose directory takes files.
#[derive(Debug)]
pub(crate) enum Output {
    /// `-o -`.
    Stdout,
    /// `-o FILE`.
    File(PathBuf),
}

impl Output {
    /// Checks `-o PATH` before the work: refused (exit 2) when `PATH` is
    /// one of `inputs` (what each is, and its path; `written` is what the
    /// command writes, "the schedule"), a directory, or in a directory
    /// that does not exist or takes no new file.
    pub(crate) fn check(
        path: &Path,
        inputs: &[(&str, &Path)],
        written: &str,
    ) -> Result<Output, Failure> {
        if path.as_os_str() == "-" {
            return Ok(Output::Stdout);
        }
        if let Some(why) = output_is_an_input(path, inputs, written) {
            return Err(Failure::usage(why));
        }
        writable(path).map_err(Failure::usage)?;
        Ok(Output::File(path.to_owned()))
    }

    /// Writes `text`: to standard output (a closed pipe is not an error),
    /// or to the file whole or not at all.
    pub(crate) fn write(&self, text: &str) -> Result<(), Failure> {
        match self {
            Output::Stdout => {
                let _ = std::io::stdout().lock().write_all(text.as_bytes());
                Ok(())
            }
            Output::File(path) => write_file(path, text),
        }
    }
}

/// Writes `text` to the file `path` whole or not at all (exit 2 if it
/// cannot).
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    let cannot = |e: std::io::Error| Failure::usage(cannot_write(path, &e));
    if is_special(path) {
        // `/dev/null`, a named pipe, a terminal: renaming over it would
        // replace the device with a file.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(cannot)?;
        return f.write_all(text.as_bytes()).map_err(cannot);
    }
    let mut file = AtomicFile::create(path).map_err(cannot)?;
    file.write_all(text.as_bytes()).map_err(cannot)?;
    file.commit().map_err(cannot)
}

/// The message of a write that failed, in words a user can act on.
pub(crate) fn cannot_write(path: &Path, e: &std::io::Error) -> String {
    format!("cannot write `{}`: {e}", path.display())
}

/// Does `path` name something that is neither a regular file nor a
/// directory (a device, a pipe, a socket)?
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The directory a new file `path` goes in.
fn directory_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Why `path` cannot take a new file, in words: a directory, a path ending
/// in a separator, a directory that is missing or not a directory, or one
/// where no file can be created (tried with a temporary file, removed at
/// once).
fn writable(path: &Path) -> Result<(), String> {
    let shown = path.display();
    let text = path.as_os_str().to_string_lossy();
    if path.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(format!(
            "the output `{shown}` names a directory: give a file name, e.g. `-o {}`",
            Path::new(&*text).join("out").display()
        ));
    }
    if is_special(path) {
        return Ok(());
    }
    let dir = directory_of(path);
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(format!(
                "cannot write `{shown}`: `{}` is not a directory",
                dir.display()
            ));
        }
        Err(_) => {
            return Err(format!(
                "cannot write `{shown}`: the directory `{}` does not exist",
                dir.display()
            ));
        }
    }
    // The same exclusive creation the write does, so that what it would
    // refuse (a read-only directory) is refused now.
    AtomicFile::create(path)
        .map(drop)
        .map_err(|e| cannot_write(path, &e))
}

/// A file being written whole or not at all: a temporary file beside the
/// target, renamed over it by [`AtomicFile::commit`]; removed if dropped
/// uncommitted (an error, a panic).
#[derive(Debug)]
pub(crate) struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file for `path`: `.NAME.RANDOM.tmp` in the
    /// same directory, created exclusively (never an existing file, never
    /// through a symlink), under a name another user cannot predict.
    pub(crate) fn create(path: &Path) -> std::io::Result<AtomicFile> {
        let dir = directory_of(path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut last = None;
        // A name taken (planted, or a collision) is skipped for another.
        for _ in 0..16 {
            let tmp = dir.join(format!(".{name}.{:016x}.tmp", unpredictable()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => {
                    return Ok(AtomicFile {
                        tmp,
                        path: path.to_owned(),
                        file: Some(BufWriter::new(f)),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no temporary file name is free")))
    }

    /// Flushes the file to disk and renames it over the target.
    pub(crate) fn commit(mut self) -> std::io::Result<()> {
        let Some(file) = self.file.take() else {
            return Err(std::io::Error::other("committed twice"));
        };
        let file = file.into_inner().map_err(|e| e.into_error())?;
        // On disk before the rename: a crash after it leaves the whole
        // file, never an empty one.
        file.sync_all()?;
        drop(file);
        let renamed = std::fs::rename(&self.tmp, &self.path);
        if renamed.is_ok() {
            // Nothing left to remove.
            self.tmp = PathBuf::new();
        }
        renamed
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        self.file = None;
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// 64 bits another process cannot guess: std's hasher keys come from the
/// system's random source, once per process, and differ per call.
fn unpredictable() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish()
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

/// `nnc schedule`'s output: the schedule's `json` to `output` (checked
/// before the search) and its `summary` on standard output, or on standard
/// error when the schedule goes to standard output; no summary when `quiet`.
pub(crate) fn emit_schedule(
    output: Option<&Output>,
    quiet: bool,
    json: impl FnOnce() -> Result<String, serde_json::Error>,
    summary: impl FnOnce() -> String,
) -> Result<ExitCode, Failure> {
    if let Some(output) = output {
        let json = json().map_err(|e| {
            Failure::with(
                EXIT_NO_SCHEDULE,
                Report::error(format!("cannot write the schedule: {e}")),
            )
        })?;
        output.write(&json)?;
        if let Output::Stdout = output {
            if !quiet {
                let _ = std::io::stderr().lock().write_all(summary().as_bytes());
            }
            return Ok(ExitCode::SUCCESS);
        }
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

    #[test]
    fn temporary_names_differ() {
        let names: std::collections::HashSet<u64> = (0..100).map(|_| unpredictable()).collect();
        assert_eq!(names.len(), 100);
    }

    /// Item 5 of issue 26: the temporary file was `.NAME.PID.tmp`, opened
    /// without `O_EXCL`, so a symlink planted under that name had the
    /// write go to its target and the output become the link.
    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_not_followed() {
        let dir = std::env::temp_dir().join(format!("nnc-planted-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let victim = dir.join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let out = dir.join("out.json");
        let planted = dir.join(format!(".out.json.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        assert!(write_file(&out, "schedule").is_ok());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(
            std::fs::symlink_metadata(&out)
                .unwrap()
                .file_type()
                .is_file()
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "schedule");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
