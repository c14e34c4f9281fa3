//! Finding a value of a JSON text by its path (`layers[3].energy`), for a
//! diagnostic that points at it: the range checks run on the values read
//! (`check.rs`), which no longer know where in the text they were.
//!
//! A scanner, not a parser: it trusts the text to be JSON (serde_json read
//! it already) and skips what is off the path without building anything,
//! in one pass and without recursion.

use std::ops::Range;

/// One step of a path: an object's key or an array's index.
#[derive(Debug, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `a.b[3].c` as steps; `None` if it is not such a path.
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let (n, after) = r.split_once(']')?;
            out.push(Step::Index(n.parse().ok()?));
            rest = after;
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// The byte range of what `path` names in the JSON `text`: the key of an
/// object's member (with its quotes), the first byte of an array's element;
/// `None` if the text has no such value.
pub(crate) fn locate(text: &str, path: &str) -> Option<Range<usize>> {
    let steps = steps(path)?;
    let b = text.as_bytes();
    let mut at = skip_ws(b, 0);
    let mut found = None;
    for step in &steps {
        match *step {
            Step::Key(want) => {
                if b.get(at) != Some(&b'{') {
                    return None;
                }
                at = skip_ws(b, at + 1);
                loop {
                    if b.get(at) != Some(&b'"') {
                        return None;
                    }
                    let key_start = at;
                    let end = string_end(b, at)?;
                    let key = text.get(at + 1..end - 1)?;
                    at = skip_ws(b, end);
                    if b.get(at) != Some(&b':') {
                        return None;
                    }
                    at = skip_ws(b, at + 1);
                    if key == want {
                        found = Some(key_start);
                        break;
                    }
                    at = next_member(b, value_end(b, at)?)?;
                }
            }
            Step::Index(want) => {
                if b.get(at) != Some(&b'[') {
                    return None;
                }
                at = skip_ws(b, at + 1);
                for _ in 0..want {
                    at = next_member(b, value_end(b, at)?)?;
                }
                found = Some(at);
            }
        }
    }
    let start = found?;
    let end = match b.get(start) {
        Some(b'"') => string_end(b, start)?,
        Some(_) => start + 1,
        None => return None,
    };
    Some(start..end)
}

/// The first byte at or after `at` that is not JSON whitespace.
fn skip_ws(b: &[u8], mut at: usize) -> usize {
    while matches!(b.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The end (past the closing quote) of the string starting at `at`.
fn string_end(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The end of the value starting at `at`: a string, a number or literal,
/// or a whole object or array (nesting counted, strings skipped).
fn value_end(b: &[u8], at: usize) -> Option<usize> {
    match b.get(at)? {
        b'"' => string_end(b, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            loop {
                match b.get(i)? {
                    b'"' => {
                        i = string_end(b, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = at;
            while !matches!(
                b.get(i),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                i += 1;
            }
            Some(i)
        }
    }
}

/// Past the `,` after a member ending at `at`: the next member's start;
/// `None` at the end of the object or array.
fn next_member(b: &[u8], at: usize) -> Option<usize> {
    let at = skip_ws(b, at);
    (b.get(at) == Some(&b',')).then(|| skip_ws(b, at + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_elements() {
        let text = r#"{"a": {"b": [1, {"c": "x,]}"}, {"d": 5, "e": [7]}]}, "f": 2}"#;
        let at = |p: &str| locate(text, p).map(|r| &text[r]);
        assert_eq!(at("f"), Some("\"f\""));
        assert_eq!(at("a.b[2].e"), Some("\"e\""));
        assert_eq!(at("a.b[2].e[0]"), Some("7"));
        assert_eq!(at("a.b[1]"), Some("{"));
        assert_eq!(at("a.b[3]"), None);
        assert_eq!(at("a.x"), None);
        assert_eq!(at("a.b.c"), None);
    }
}
