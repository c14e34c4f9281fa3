//! The `nnc` binary: exit codes, output, help.

mod dataflows;
mod extremes;
mod newuser;
mod schedule;

use std::process::{Command, Output};

pub(crate) fn nnc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("nnc runs")
}

pub(crate) fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_prints_a_table() {
    let out = nnc(&["check", "nns/alex_net.nn"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("conv1_a"), "{stdout}");
    assert!(
        stdout.contains("19 layers, 725,508,992 MACs per sample"),
        "{stdout}"
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn check_json_is_the_ir() {
    let out = nnc(&["check", "nns/alex_net.nn", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["network"], "AlexNet");
    assert_eq!(
        v["input"],
        serde_json::json!({"name": "data", "channels": 3, "size": [224, 224]})
    );
    let conv1 = &v["layers"][0];
    assert_eq!(conv1["name"], "conv1_a");
    assert_eq!(conv1["ifmap"], serde_json::json!([227, 227]));
    assert_eq!(conv1["kernel"], serde_json::json!([11, 11]));
    let fc1 = &v["layers"][16];
    assert_eq!(fc1["inputs"], serde_json::json!(["pool3_a", "pool3_b"]));
    let back: nnc::ir::NetworkJson = serde_json::from_slice(&out.stdout).expect("typed JSON");
    assert_eq!(back.layers.len(), 19);
}

#[test]
fn compile_errors_exit_1_without_colors_when_piped() {
    let out = nnc(&["check", "tests/fixtures/errors/E012.nn"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[E012]: input channels do not match"),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "colors in a pipe");
    assert!(out.stdout.is_empty());
}

#[test]
fn color_always_colors() {
    let out = nnc(&[
        "check",
        "--color",
        "always",
        "tests/fixtures/errors/E012.nn",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains('\x1b'));
}

#[test]
fn warnings_exit_0() {
    let out = nnc(&["check", "tests/fixtures/errors/W001.nn"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("warning[W001]"));
}

#[test]
fn missing_file_is_one_line_and_exit_2() {
    let out = nnc(&["check", "nns/no_such_net.nn"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: cannot read `nns/no_such_net.nn`"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(nnc(&["check"]).status.code(), Some(2));
    assert_eq!(nnc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        nnc(&["check", "nns/alex_net.nn", "--jsn"]).status.code(),
        Some(2)
    );
}

#[test]
fn help() {
    let top = nnc(&["--help"]);
    assert_eq!(top.status.code(), Some(0));
    let check = nnc(&["check", "--help"]);
    assert_eq!(check.status.code(), Some(0));
    crate::lang::snapshot_settings().bind(|| {
        insta::assert_snapshot!("cli_help", text(&top.stdout));
        insta::assert_snapshot!("cli_check_help", text(&check.stdout));
    });
}
