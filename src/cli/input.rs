//! Reading the network: a file, or standard input for `-`.

use std::io::Read;
use std::path::Path;

/// Is `file` the `-` that means standard input?
pub(crate) fn is_stdin(file: &Path) -> bool {
    file.as_os_str() == "-"
}

/// The name diagnostics show for `file`, and its text (`-` reads standard
/// input to the end, shown as `<stdin>`).
pub(crate) fn read_source(file: &Path) -> (String, std::io::Result<String>) {
    if is_stdin(file) {
        let mut text = String::new();
        let read = std::io::stdin().lock().read_to_string(&mut text);
        ("<stdin>".to_owned(), read.map(|_| text))
    } else {
        (file.display().to_string(), std::fs::read_to_string(file))
    }
}
