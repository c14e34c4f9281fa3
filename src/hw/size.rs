//! Sizes in the hardware file (docs/hardware.md#sizes): a whole number of
//! bytes, or a string of a whole number and a binary unit, `"512 B"`,
//! `"64 KiB"`, `"1 MiB"`, `"2 GiB"`.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// What a size must look like, as the error messages say.
pub const SIZE_EXPECTED: &str =
    "a whole number of bytes, or a size like \"64 KiB\" (units B, KiB, MiB, GiB)";

/// A size in bytes, as read from the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Bytes(pub(super) u64);

/// The binary units and their sizes in bytes.
const UNITS: [(&str, u64); 4] = [
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
];

/// Parses `"64 KiB"` (the space is optional); `None` if it is not a whole
/// number and one of the units, or does not fit a `u64`.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(digits_end);
    if number.is_empty() {
        return None;
    }
    let n: u64 = number.parse().ok()?;
    let (_, scale) = UNITS.iter().find(|(u, _)| *u == unit.trim_start())?;
    n.checked_mul(*scale)
}

impl<'de> serde::Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(SIZE_EXPECTED)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Bytes, E> {
                u64::try_from(v)
                    .map(Bytes)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bytes, E> {
                parse_size(v)
                    .map(Bytes)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(SizeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_units() {
        assert_eq!(parse_size("512 B"), Some(512));
        assert_eq!(parse_size("64 KiB"), Some(65_536));
        assert_eq!(parse_size("64KiB"), Some(65_536));
        assert_eq!(parse_size("1 MiB"), Some(1_048_576));
        assert_eq!(parse_size(" 2 GiB "), Some(2_147_483_648));
        for bad in [
            "", "KiB", "1", "1 MB", "1 kib", "1.5 MiB", "-1 KiB", "1 KiB B",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
        // 2^64 bytes does not fit.
        assert_eq!(parse_size("17179869184 GiB"), None);
    }
}
