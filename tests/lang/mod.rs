//! Front-end tests: the shipped networks, parity with the reference, every
//! diagnostic, the padding rule, the examples of docs/language.md, the
//! messages as `nnc` shows them, and fuzzing.

mod cli;
mod decode;
mod errors;
mod examples;
mod fuzz;
mod networks;
mod ops;
mod padding;
mod parity;
mod schedules;

use std::path::{Path, PathBuf};

/// insta settings shared by all snapshot tests: snapshots live in the
/// top-level `snapshots/` without module prefixes.
pub(crate) fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

/// The repository root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path relative to the root, with `/` separators, for stable output.
pub(crate) fn relative(path: &Path) -> String {
    let rel = path.strip_prefix(root()).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
