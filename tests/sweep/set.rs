//! `nnc schedule --set KEY=VALUE`: the same schedule as a hardware file
//! with that value, and errors that name the key.

use crate::cli::{nnc, text};

fn json(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_change_is_the_file_with_that_value() {
    let dir = std::env::temp_dir().join(format!("nnc-set-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let edited = dir.join("eyeriss-small.toml");
    let preset = std::fs::read_to_string("hw/eyeriss.toml").unwrap();
    let text = preset
        .replace("gbuf_bytes = 131072", "gbuf_bytes = 32768")
        .replace("pe_array = [16, 16]", "pe_array = [8, 12]")
        .replace("dram = 200.0", "dram = 100.0");
    assert_ne!(text, preset);
    std::fs::write(&edited, text).unwrap();
    let net = "nns/alex_net.nn";
    let common = ["--batch", "4", "--solver", "analytic", "-q", "-o", "-"];
    let mut by_file = vec!["schedule", net, "--hw", edited.to_str().unwrap()];
    by_file.extend(common);
    let mut by_set = vec![
        "schedule",
        net,
        "--set",
        "node.gbuf_bytes=32768",
        "--set",
        "node.pe_array=8x12",
        "--set",
        "energy.dram=100",
    ];
    by_set.extend(common);
    let (file, set) = (json(&nnc(&by_file)), json(&nnc(&by_set)));
    assert_eq!(set["hardware"]["gbuf_bytes"], 32768);
    assert_eq!(set["hardware"]["pe_array"], serde_json::json!([8, 12]));
    assert_eq!(
        set["hardware"]["set"],
        serde_json::json!([
            "node.gbuf_bytes=32768",
            "node.pe_array=[8, 12]",
            "energy.dram=100"
        ])
    );
    assert_eq!(set["totals"], file["totals"]);
    assert_eq!(set["layers"], file["layers"]);
    // And not the preset's schedule.
    let mut plain = vec!["schedule", net];
    plain.extend(common);
    assert_ne!(json(&nnc(&plain))["totals"], set["totals"]);
}

#[test]
fn errors_name_the_key_and_exit_2() {
    for (arg, says) in [
        (
            "node.gbuf_byte=1",
            "unknown hardware key `node.gbuf_byte`; did you mean `node.gbuf_bytes`?",
        ),
        ("gbuf_bytes=1", "did you mean `node.gbuf_bytes`?"),
        (
            "node.gbuf_bytes=64k",
            "hardware key `node.gbuf_bytes`: `64k` is not a whole number",
        ),
        ("node.gbuf_bytes", "is not KEY=VALUE"),
        (
            "node.gbuf_bytes=1",
            "error[H005]: hardware key `node.gbuf_bytes=1`: expected room for at least one word",
        ),
        (
            "nodes.memory=4d",
            "error[H004]: hardware key `nodes.memory=\"4d\"`: unknown variant `4d`",
        ),
    ] {
        let out = nnc(&["schedule", "nns/mlp_s.nn", "--set", arg]);
        assert_eq!(out.status.code(), Some(2), "{arg}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(says), "{arg}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}
