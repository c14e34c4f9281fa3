//! What nnc prints of its inputs on a terminal (items 10 and 14): control
//! characters shown, not obeyed; a 2 MB line's diagnostic an excerpt,
//! written at once.

use super::{Tmp, arg, nnc};

/// The Eyeriss preset under `name` (a TOML basic string's contents).
fn hardware_named(tmp: &Tmp, file: &str, name: &str) -> String {
    let eyeriss = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/hw/eyeriss.toml"))
        .unwrap()
        .replace("name = \"eyeriss\"", &format!("name = \"{name}\""));
    arg(&tmp.write(file, eyeriss)).to_owned()
}

/// Item 14: an escape sequence in a hardware name reached the terminal
/// through the summary and `nnc diff`.
#[test]
fn escape_sequences_in_names_are_shown_not_sent() {
    let tmp = Tmp::new("escapes");
    let evil = hardware_named(&tmp, "evil.toml", "evil\\u001b[2J\\u001b]0;pwned\\u0007");
    let plain = hardware_named(&tmp, "plain.toml", "plain");
    let (a, b) = (tmp.path("a.json"), tmp.path("b.json"));
    let run = nnc(None, &["schedule", "nns/mlp_s.nn", "--hw", &evil]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
    assert!(!run.stdout.contains('\u{7}'), "{:?}", run.stdout);
    assert!(run.stdout.contains("evil\\u{1b}[2J"), "{}", run.stdout);
    for (hw, out) in [(&evil, &a), (&plain, &b)] {
        let run = nnc(
            None,
            &["schedule", "nns/mlp_s.nn", "--hw", hw, "-q", "-o", arg(out)],
        );
        assert_eq!(run.code, Some(0), "{}", run.stderr);
    }
    let run = nnc(None, &["diff", arg(&a), arg(&b)]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stdout.contains("evil\\u{1b}[2J"), "{}", run.stdout);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
}

/// Item 10: the diagnostic of an error on a 2 MB line was the whole line
/// written to standard error a few bytes at a time (over 10 s through a
/// pipe); it is an excerpt now, with the line and column.
#[test]
fn a_two_megabyte_line_is_an_excerpt() {
    let tmp = Tmp::new("long-line");
    let mut text = String::from("network Long\ninput data [784]\nfc1 = fc(data, 500) ");
    text.push_str(&"x".repeat(2 << 20));
    text.push('\n');
    let file = tmp.write("long.nn", text);
    let run = nnc(None, &["check", arg(&file)]);
    assert_eq!(
        run.code,
        Some(1),
        "{}",
        &run.stderr[..run.stderr.len().min(500)]
    );
    assert!(run.stderr.len() < 10_000, "{} bytes", run.stderr.len());
    assert!(run.stderr.contains("line 3, column 21"), "{}", run.stderr);
    assert!(run.took.as_secs_f64() < 5.0, "{:?}", run.took);
}
