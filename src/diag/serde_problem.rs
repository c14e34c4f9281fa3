//! What a serde data error is about, for the inputs read with serde (the
//! hardware file and the sweep spec in TOML, a schedule file in JSON): each
//! kind has its own code. serde states the problem only in its message, in
//! fixed words (`unknown field`, `missing field`, ...); this reads them.

/// What a serde data error says is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SerdeProblem {
    /// A key the table does not have, with the closest of the keys it has
    /// when close enough to be a typo.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The key probably meant.
        suggestion: Option<String>,
    },
    /// A key the table must have.
    MissingKey,
    /// A value of the wrong type, length or word (the rest).
    BadValue,
}

impl SerdeProblem {
    /// Reads a serde data error's message (`unknown field `regff`, expected
    /// one of `mac`, ...`).
    pub fn of(message: &str) -> SerdeProblem {
        if let Some(rest) = message.strip_prefix("unknown field `")
            && let Some((key, expected)) = rest.split_once('`')
        {
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            return SerdeProblem::UnknownKey {
                key: key.to_owned(),
                suggestion: crate::suggest::suggest(key, candidates),
            };
        }
        if message.starts_with("missing field `") {
            return SerdeProblem::MissingKey;
        }
        SerdeProblem::BadValue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_serdes_words() {
        assert_eq!(
            SerdeProblem::of(
                "unknown field `regff`, expected one of `mac`, `dram`, `regf`, `noc_hop`"
            ),
            SerdeProblem::UnknownKey {
                key: "regff".into(),
                suggestion: Some("regf".into())
            }
        );
        assert_eq!(
            SerdeProblem::of("unknown field `foo`, expected `bandwidth_bytes_per_cycle`"),
            SerdeProblem::UnknownKey {
                key: "foo".into(),
                suggestion: None
            }
        );
        assert_eq!(
            SerdeProblem::of("missing field `word_bits`"),
            SerdeProblem::MissingKey
        );
        assert_eq!(
            SerdeProblem::of("unknown variant `4d`, expected `2d` or `3d`"),
            SerdeProblem::BadValue
        );
    }
}
