//! `-o` must not overwrite an input: the output is compared with the
//! network and hardware files by canonical path and, on unix, by device and
//! inode, so symlinks and hard links are caught too.

use std::path::Path;

/// Is `output` the same file as `input`? An output that does not exist yet
/// (or cannot be inspected) is no input.
pub(crate) fn same_file(output: &Path, input: &Path) -> bool {
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
pub(crate) fn output_is_an_input(
    output: &Path,
    inputs: &[(&str, &Path)],
    written: &str,
) -> Option<String> {
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
