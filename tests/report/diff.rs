//! `nnc diff` through the binary: messages, order and exit codes.

use super::{Dir, OutputText, nnc_in};

fn snapshot(name: &str, stdout: &str) {
    let mut settings = crate::lang::snapshot_settings();
    settings.add_filter("[0-9a-f]{64}", "[sha256]");
    // Where a cut file ends moves whenever the format gains a field.
    settings.add_filter("at line [0-9]+ column [0-9]+", "at line [L] column [C]");
    settings.bind(|| insta::assert_snapshot!(name, stdout));
}

#[test]
fn equal_files_exit_0() {
    let dir = Dir::new("diff-equal");
    dir.schedule("a.json", &["tests/fixtures/schedule/conv_pool.nn"]);
    dir.schedule("b.json", &["tests/fixtures/schedule/conv_pool.nn"]);
    let out = nnc_in(&dir, &["diff", "a.json", "b.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", out.stderr_text());
    assert_eq!(
        out.stdout_text(),
        "`a.json` and `b.json` hold the same schedule.\n"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn eyeriss_against_tetris() {
    let dir = Dir::new("diff-hw");
    let net = "tests/fixtures/schedule/small_conv.nn";
    dir.schedule("eyeriss.json", &[net, "--batch", "4"]);
    dir.schedule("tetris.json", &[net, "--batch", "4", "--hw", "tetris"]);
    let out = nnc_in(&dir, &["diff", "eyeriss.json", "tetris.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr_text());
    let stdout = out.stdout_text();
    // The units differ, and the diff says so before any number.
    assert!(
        stdout
            .lines()
            .nth(2)
            .unwrap()
            .starts_with("note: the energy units differ (MAC and pJ)")
    );
    snapshot("diff_small_conv_eyeriss_tetris", &stdout);
}

/// The layer sections' names and energy changes, in printed order.
fn sections(stdout: &str) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let mut name = None;
    for line in stdout.lines() {
        if let Some(n) = line.strip_prefix("layer ") {
            name = Some(n.to_owned());
        } else if let (Some(n), Some(rest)) = (&name, line.strip_prefix("  energy ")) {
            // `  energy  A -> B unit  +D (+R%)`
            let d: f64 = rest.split_whitespace().nth(4).unwrap().parse().unwrap();
            out.push((n.clone(), d));
            name = None;
        }
    }
    out
}

#[test]
fn batch_1_against_16_biggest_change_first() {
    let dir = Dir::new("diff-batch");
    let net = "tests/fixtures/schedule/conv_pool.nn";
    dir.schedule("b1.json", &[net]);
    dir.schedule("b16.json", &[net, "--batch", "16"]);
    let out = nnc_in(&dir, &["diff", "b1.json", "b16.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr_text());
    let stdout = out.stdout_text();
    let s = sections(&stdout);
    assert_eq!(s.len(), 2, "{stdout}");
    assert!(s[0].1.abs() >= s[1].1.abs(), "{s:?}");
    assert!(stdout.contains("  batch  1\n         -> 16\n"), "{stdout}");
    snapshot("diff_conv_pool_batch_1_16", &stdout);
}

#[test]
fn layers_in_one_file_only_are_listed() {
    let dir = Dir::new("diff-only");
    dir.schedule("one.json", &["tests/fixtures/schedule/one_conv.nn"]);
    dir.schedule("two.json", &["tests/fixtures/schedule/conv_pool.nn"]);
    let out = nnc_in(&dir, &["diff", "one.json", "two.json"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = out.stdout_text();
    assert!(stdout.contains("\nonly in two.json: pool ("), "{stdout}");
    assert!(
        stdout
            .ends_with("\n1 layer changed, 0 unchanged, 0 only in one.json, 1 only in two.json\n"),
        "{stdout}"
    );
}

#[test]
fn a_corrupt_or_missing_file_exits_2() {
    let dir = Dir::new("diff-corrupt");
    // The reference's defaults: the file's layout is that of a
    // layer-by-layer schedule on naive partitions.
    dir.schedule(
        "a.json",
        &[
            "tests/fixtures/schedule/conv_pool.nn",
            "--partition",
            "naive",
            "--no-batch-partition",
            "--no-access-forwarding",
            "--layer-by-layer",
        ],
    );
    let text = std::fs::read_to_string(dir.path("a.json")).unwrap();
    // Cut inside the layers' list.
    let cut = text.find("\"layers\": [").unwrap() + 11;
    std::fs::write(dir.path("cut.json"), &text[..cut]).unwrap();
    std::fs::write(
        dir.path("bad.json"),
        text.replacen("\"total\": ", "\"total\": \"x\", \"y\": ", 1),
    )
    .unwrap();
    let out = nnc_in(&dir, &["diff", "a.json", "cut.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    snapshot("diff_corrupt_file", &out.stderr_text());
    let out = nnc_in(&dir, &["diff", "a.json", "absent.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr_text()
            .starts_with("error: cannot read `absent.json`: "),
        "{}",
        out.stderr_text()
    );
    let out = nnc_in(&dir, &["diff", "bad.json", "a.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = out.stderr_text();
    assert!(
        stderr.starts_with("error[R006]: invalid schedule file: invalid type: string \"x\""),
        "{stderr}"
    );
    assert!(stderr.contains("┌─ bad.json:175:20"), "{stderr}");
    assert!(stderr.contains("at `layers[0].time.total`"), "{stderr}");
    let out = nnc_in(&dir, &["diff", "a.json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_has_an_example() {
    let out = nnc_in(&Dir::new("diff-help"), &["diff", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    snapshot("cli_diff_help", &out.stdout_text());
}

/// The order of the layer sections of `diff(a, b)` where `b` is `a` with
/// each named layer's energy raised by the given amount.
fn order_after_raising(raise: &[(&str, f64)]) -> Vec<String> {
    let text = nnc::schedule::to_text(&super::schedule(
        "tests/fixtures/schedule/small_conv.nn",
        "eyeriss",
        1,
    ))
    .unwrap();
    let a = nnc::schedule::read::from_text(&text, "a.json").unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for layer in v["layers"].as_array_mut().unwrap() {
        if let Some((_, d)) = raise.iter().find(|(n, _)| layer["name"] == *n) {
            let e = layer["energy"].as_f64().unwrap();
            layer["energy"] = serde_json::json!(e + d);
        }
    }
    let b = nnc::schedule::read::from_text(&v.to_string(), "b.json").unwrap();
    let d = nnc::report::diff::diff(&a, "a.json", &b, "b.json");
    assert!(!d.is_equal());
    sections(&d.render()).into_iter().map(|(n, _)| n).collect()
}

#[test]
fn the_biggest_change_comes_first_and_ties_keep_network_order() {
    // small_conv's layers in network order: stem, a, b, sum, pool, head.
    assert_eq!(
        order_after_raising(&[("head", 5.0), ("a", -9.0), ("pool", 7.0)]),
        ["a", "pool", "head"]
    );
    assert_eq!(
        order_after_raising(&[("head", 5.0), ("stem", -5.0), ("b", 5.0)]),
        ["stem", "b", "head"]
    );
}
