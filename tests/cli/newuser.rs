//! What a new user tripped on (issue 12): `-o` over an input, hardware-file
//! messages, nn_dataflow's flag names, misleading diagnostics.

use super::{nnc, text};
use std::path::PathBuf;

/// A fresh directory of this test process for `name`'s files.
fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nnc-newuser-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `nnc schedule NET --hw HW -o OUT` must refuse with exit 2, name both
/// files, and leave every file as it was.
fn refuses(net: &PathBuf, hw: &str, out: &PathBuf, says: &str) {
    let before_net = std::fs::read(net).unwrap();
    let before_out = std::fs::read(out).ok();
    let o = nnc(&[
        "schedule",
        net.to_str().unwrap(),
        "--hw",
        hw,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let stderr = text(&o.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("the output `{}`", out.display())),
        "{stderr}"
    );
    assert!(stderr.contains(says), "{stderr}");
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(net).unwrap(), before_net, "network untouched");
    assert_eq!(std::fs::read(out).ok(), before_out, "output untouched");
}

#[test]
fn output_over_an_input_is_refused_also_through_links() {
    let d = dir("overwrite");
    let net = d.join("self.nn");
    std::fs::copy("nns/mlp_s.nn", &net).unwrap();
    let hw = d.join("hw.toml");
    std::fs::copy("hw/eyeriss.toml", &hw).unwrap();
    let hw_arg = hw.to_str().unwrap();
    let net_is = format!("is the network file `{}`", net.display());
    let hw_is = format!("is the hardware file `{hw_arg}`");

    // The same path, and the same file through another spelling.
    refuses(&net, "eyeriss", &net, &net_is);
    refuses(&net, "eyeriss", &d.join(".").join("self.nn"), &net_is);
    refuses(&net, hw_arg, &hw, &hw_is);
    #[cfg(unix)]
    {
        let sym = d.join("sym.json");
        std::os::unix::fs::symlink(&net, &sym).unwrap();
        refuses(&net, "eyeriss", &sym, &net_is);
        let hard = d.join("hard.json");
        std::fs::hard_link(&hw, &hard).unwrap();
        refuses(&net, hw_arg, &hard, &hw_is);
    }

    // A new output, or another existing file, is written.
    for out in [d.join("new.json"), d.join("hw-copy.json")] {
        if out.ends_with("hw-copy.json") {
            std::fs::copy(&hw, &out).unwrap();
        }
        let o = nnc(&[
            "schedule",
            net.to_str().unwrap(),
            "--hw",
            hw_arg,
            "-o",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(v["format"], "nnc-schedule/2");
    }
    assert_eq!(
        std::fs::read(&net).unwrap(),
        std::fs::read("nns/mlp_s.nn").unwrap()
    );
}

/// Runs `nnc` in `dir` (so paths in messages are the relative ones given).
fn nnc_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nnc"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("nnc runs")
}

/// A directory holding `net.nn` (MLP-S) and `hw.toml`, a preset edited by
/// replacing `from` with `to`.
fn with_hardware(name: &str, preset: &str, from: &str, to: &str) -> PathBuf {
    let d = dir(name);
    std::fs::copy("nns/mlp_s.nn", d.join("net.nn")).unwrap();
    let base = std::fs::read_to_string(format!("hw/{preset}.toml")).unwrap();
    assert!(base.contains(from), "{from}");
    std::fs::write(d.join("hw.toml"), base.replace(from, to)).unwrap();
    d
}

#[test]
fn hardware_file_messages() {
    let schedule = ["schedule", "net.nn", "--hw", "hw.toml", "-q"];
    crate::lang::snapshot_settings().bind(|| {
        // A size with a unit nnc does not know; one it knows is accepted.
        let d = with_hardware(
            "size",
            "eyeriss",
            "gbuf_bytes = 131072",
            "gbuf_bytes = \"1 MB\"",
        );
        let out = nnc_in(&d, &schedule);
        assert_eq!(out.status.code(), Some(1));
        insta::assert_snapshot!("hw_size_not_a_size", text(&out.stderr));
        for (from, to) in [
            ("gbuf_bytes = 131072", "gbuf_bytes = \"128 KiB\""),
            ("regf_bytes = 512", "regf_bytes = \"512 B\""),
        ] {
            let d = with_hardware("size-ok", "eyeriss", from, to);
            let out = nnc_in(&d, &["schedule", "net.nn", "--hw", "hw.toml", "-o", "-"]);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(v["hardware"]["gbuf_bytes"], 131_072);
            assert_eq!(v["hardware"]["regf_bytes"], 512);
        }

        // A word width the model cannot represent.
        let d = with_hardware("bits", "eyeriss", "word_bits = 16", "word_bits = 12");
        let out = nnc_in(&d, &schedule);
        assert_eq!(out.status.code(), Some(1));
        insta::assert_snapshot!("hw_word_bits_12", text(&out.stderr));

        // Many nodes and a free NoC: a warning naming the key, then the
        // schedule.
        let d = with_hardware("noc", "tetris", "noc_hop = 40.0\n", "");
        let out = nnc_in(&d, &["schedule", "net.nn", "--hw", "hw.toml"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(!out.stdout.is_empty());
        insta::assert_snapshot!("hw_free_noc_warning", text(&out.stderr));
        let d = with_hardware("noc0", "tetris", "noc_hop = 40.0", "noc_hop = 0");
        let out = nnc_in(&d, &schedule);
        assert_eq!(out.status.code(), Some(0));
        assert!(text(&out.stderr).contains("`[energy] noc_hop` is 0"));

        // A preset in the wrong case.
        let out = nnc(&["schedule", "nns/mlp_s.nn", "--hw", "Eyeriss"]);
        assert_eq!(out.status.code(), Some(2));
        insta::assert_snapshot!("hw_preset_did_you_mean", text(&out.stderr));
    });
}

/// The reference's flags in the first column of the Markdown table under
/// `heading` in `doc`, except those nnc spells the same (they appear in
/// the second column too).
fn reference_flags(doc: &str, heading: &str) -> Vec<String> {
    let text = std::fs::read_to_string(doc).unwrap();
    let start = text.find(heading).unwrap_or_else(|| panic!("{heading}"));
    let section = &text[start + heading.len()..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    let mut flags = Vec::new();
    for row in section.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let (theirs, ours) = (cells[0], cells.get(1).copied().unwrap_or(""));
        for code in theirs.split('`').skip(1).step_by(2) {
            let first = code.split(' ').next().unwrap_or("");
            for flag in first.split('/').filter(|f| f.starts_with('-')) {
                let same = ours
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .any(|c| c.split(' ').next() == Some(flag));
                if !same && !flags.iter().any(|f| f == flag) {
                    flags.push(flag.to_owned());
                }
            }
        }
    }
    flags
}

#[test]
fn every_reference_flag_gets_the_nnc_spelling() {
    let mut flags = reference_flags("README.md", "### From nn_dataflow's flags to nnc's");
    // Every row of the README's table, the hardware flags included.
    assert!(flags.len() >= 25, "{flags:?}");
    for f in reference_flags("docs/hardware.md", "## From nn_dataflow's flags") {
        if !flags.contains(&f) {
            flags.push(f);
        }
    }
    let mut said = String::new();
    for flag in &flags {
        let out = nnc(&["schedule", "nns/mlp_s.nn", flag]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with(&format!("error: `{flag}` is nn_dataflow's flag: ")),
            "{flag}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        said.push_str(&stderr);
    }
    // With a value, as the reference takes it.
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--nodes", "4", "4"]);
    assert!(text(&out.stderr).contains("`[nodes] dims` in a hardware file"));
    crate::lang::snapshot_settings().bind(|| insta::assert_snapshot!("reference_flags", said));
    // Other unknown flags keep clap's message.
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unexpected argument '--frobnicate'"));
}

/// `nnc ARGS` with `input` on stdin.
fn nnc_stdin(args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_nnc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("nnc runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_network_can_come_from_stdin() {
    let source = std::fs::read_to_string("nns/mlp_s.nn").unwrap();
    let from_file = nnc(&["check", "nns/mlp_s.nn"]);
    let from_stdin = nnc_stdin(&["check", "-"], &source);
    assert_eq!(from_stdin.status.code(), Some(0));
    assert_eq!(from_stdin.stdout, from_file.stdout);
    let out = nnc_stdin(&["schedule", "-", "-o", "-", "-q"], &source);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["network"], "MLP-S");
    // Diagnostics name it `<stdin>`.
    let out = nnc_stdin(
        &["check", "-"],
        "network X\ninput d [3, 8]\nc = conv(e, 4, kernel: 3)\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("<stdin>:3:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn utilization_is_over_the_whole_time_and_all_pes() {
    // Eyeriss has one node of 256 PEs; a slow DRAM (1 byte per cycle)
    // stretches the time beyond the compute time.
    let d = with_hardware(
        "util",
        "eyeriss",
        "bandwidth_bytes_per_cycle = inf",
        "bandwidth_bytes_per_cycle = 1",
    );
    for (hw, slow) in [("eyeriss", false), ("hw.toml", true)] {
        let out = nnc_in(&d, &["schedule", "net.nn", "--hw", hw, "-o", "-", "-q"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for l in v["layers"].as_array().unwrap() {
            let active = l["active_pes"].as_f64().unwrap();
            let util = l["utilization"].as_f64().unwrap();
            let (total, proc) = (l["time"]["total"].as_u64(), l["time"]["proc"].as_u64());
            assert!(util > 0.0 && util <= 1.0, "{util}");
            if total == proc {
                assert!((util - active / 256.0).abs() < 1e-12, "{util} vs {active}");
            } else {
                assert!(slow, "only the slow DRAM stalls");
                assert!(util < active / 256.0, "{util} vs {active}");
            }
        }
        let util = v["totals"]["utilization"].as_f64().unwrap();
        assert!(util > 0.0 && util <= 1.0);
    }
    // The summary says what the two columns mean.
    let out = nnc(&["schedule", "nns/mlp_s.nn"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("active PEs: PEs busy per node, on average over the compute time only"),
        "{stdout}"
    );
    assert!(stdout.contains("b counts samples times the mapping's width folds"));
}
