//! Inputs read with a bound and as what they are (items 10, 12, 13, 15).

use super::{Tmp, arg, nnc};

/// Item 10: any input was read whole with no size limit, so `/dev/zero`
/// read until memory ran out; each is refused past its limit at once.
#[cfg(unix)]
#[test]
fn an_endless_input_fails_fast() {
    for args in [
        &["check", "/dev/zero"][..],
        &["schedule", "nns/mlp_s.nn", "--hw", "/dev/zero.toml"][..],
        &["report", "/dev/zero", "-o", "-"][..],
        &["diff", "/dev/zero", "/dev/zero"][..],
    ] {
        let args: Vec<&str> = args
            .iter()
            .map(|a| {
                if *a == "/dev/zero.toml" {
                    "/dev/zero"
                } else {
                    a
                }
            })
            .collect();
        let run = nnc(None, &args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("larger than"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.took.as_secs_f64() < 10.0, "{args:?}: {:?}", run.took);
    }
}

/// Item 15: invalid UTF-8 in a `.nn` file was exit 2 without a place; it
/// is an input's error (exit 1) at its line and column. A byte-order mark
/// was E001; it is skipped.
#[test]
fn a_network_is_utf8_text_with_or_without_a_mark() {
    let tmp = Tmp::new("utf8");
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/nns/mlp_s.nn")).unwrap();
    let mut marked = b"\xEF\xBB\xBF".to_vec();
    marked.extend(&text);
    let run = nnc(None, &["check", arg(&tmp.write("bom.nn", marked))]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let bad = String::from_utf8(text)
        .unwrap()
        .replace("fc2 = fc(fc1, 250)", "fc2 = fc(fc1, 250) # caf\u{e9}")
        .into_bytes();
    // Latin-1 for the é: one byte that is not UTF-8.
    let at = bad.windows(2).position(|w| w == [0xC3, 0xA9]).unwrap();
    let mut bad = bad;
    bad.splice(at..at + 2, [0xE9]);
    let run = nnc(None, &["check", arg(&tmp.write("latin1.nn", bad))]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error[E001]: the file is not UTF-8 text"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("latin1.nn:7:"), "{}", run.stderr);
    assert!(run.stderr.contains("byte 0xE9"), "{}", run.stderr);
}

/// Item 13: a spec naming `../../etc/shadow` as a network made the error
/// quote that file's first line; a network is a `.nn` or `.onnx` file, and
/// anything else is refused before it is read.
#[test]
fn a_spec_reads_only_network_files() {
    let tmp = Tmp::new("shadow");
    let secret = tmp.write("secret.txt", "the first line is private\n");
    let spec = tmp.write(
        "spec.toml",
        format!(
            "networks = [\"{}\"]\n[vary]\n\"node.gbuf_bytes\" = [65536]\n",
            arg(&secret)
        ),
    );
    let run = nnc(
        None,
        &["sweep", arg(&spec), "-o", arg(&tmp.path("out.csv"))],
    );
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("error[S004]"), "{}", run.stderr);
    assert!(!run.stderr.contains("private"), "{}", run.stderr);
}

/// Item 12: hardware arrays with extra entries read as their first two,
/// in files (`pe_array = [16, 16, "x"]`, `dims = [2, 2, 7]`); refused in
/// files, `--set` and sweeps alike.
#[test]
fn arrays_of_three_are_refused_everywhere() {
    let tmp = Tmp::new("arrays");
    let eyeriss =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/hw/eyeriss.toml")).unwrap();
    for (from, to) in [
        ("pe_array = [16, 16]", "pe_array = [16, 16, \"x\"]"),
        ("pe_array = [16, 16]", "pe_array = [16, 16, 3]"),
        ("dims = [1, 1]", "dims = [2, 2, 7]"),
    ] {
        let hw = tmp.write("hw.toml", eyeriss.replace(from, to));
        let run = nnc(None, &["schedule", "nns/mlp_s.nn", "--hw", arg(&hw), "-q"]);
        assert_eq!(run.code, Some(1), "{to}: {}", run.stderr);
        assert!(run.stderr.contains("error[H004]"), "{to}: {}", run.stderr);
    }
    let run = nnc(
        None,
        &[
            "schedule",
            "nns/mlp_s.nn",
            "--set",
            "node.pe_array=[16,16,\"x\"]",
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let spec = tmp.write(
        "spec.toml",
        format!(
            "networks = [\"{}/nns/mlp_s.nn\"]\n[vary]\n\"node.pe_array\" = [[16, 16, \"x\"]]\n",
            env!("CARGO_MANIFEST_DIR")
        ),
    );
    let run = nnc(None, &["sweep", arg(&spec), "-o", arg(&tmp.path("o.csv"))]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("error[S004]"), "{}", run.stderr);
}
