//! Reading an input with a bound on its size (docs/limits.md#input-sizes):
//! a file is read up to its kind's limit and refused past it, so that a
//! wrong file (`/dev/zero`, a log given as a network) fails at once rather
//! than filling memory.

use std::io::Read;
use std::path::Path;

/// The largest `.nn` network file.
pub const MAX_NETWORK_BYTES: u64 = 64 << 20;
/// The largest ONNX model (protobuf's own limit on one message).
pub const MAX_ONNX_BYTES: u64 = 2 << 30;
/// The largest hardware file.
pub const MAX_HARDWARE_BYTES: u64 = 1 << 20;
/// The largest sweep spec.
pub const MAX_SPEC_BYTES: u64 = 1 << 20;
/// The largest schedule file read back.
pub const MAX_SCHEDULE_BYTES: u64 = 1 << 30;
/// The largest sweep results file read back.
pub const MAX_RESULTS_BYTES: u64 = 4 << 30;

/// `limit` in words: `64 MiB`.
fn size(limit: u64) -> String {
    match limit {
        l if l >= 1 << 30 && l.is_multiple_of(1 << 30) => format!("{} GiB", l >> 30),
        l if l >= 1 << 20 && l.is_multiple_of(1 << 20) => format!("{} MiB", l >> 20),
        l => format!("{l} bytes"),
    }
}

/// Everything `reader` gives, up to `limit` bytes; an error past it.
pub fn read_from(reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "larger than {}, the limit of this kind of input (docs/limits.md)",
                size(limit)
            ),
        ));
    }
    Ok(bytes)
}

/// The bytes of the file `path`, up to `limit`.
pub fn read(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    read_from(std::fs::File::open(path)?, limit)
}

/// The text of the file `path`, up to `limit` bytes; an error if it is not
/// UTF-8.
pub fn read_to_string(path: &Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read(path, limit)?).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to() + 1),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit() {
        assert_eq!(read_from(&b"abcd"[..], 4).unwrap(), b"abcd");
        let e = read_from(&b"abcde"[..], 4).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::FileTooLarge);
        assert_eq!(size(MAX_NETWORK_BYTES), "64 MiB");
        assert_eq!(size(MAX_RESULTS_BYTES), "4 GiB");
        // An endless input stops at the limit.
        let zero = std::io::repeat(0);
        assert!(read_from(zero, 1 << 20).is_err());
    }
}
