//! Spec errors: each names the spec's line, with exit code 1; usage errors
//! exit 2.

use super::support::{net, nnc, scratch, write};

fn run(test: &str, spec: &str) -> (Option<i32>, String) {
    let dir = scratch(test);
    let path = write(&dir, "spec.toml", spec);
    let out = dir.join("out.csv");
    let o = nnc(&["sweep", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(!out.exists(), "no results file on an error");
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn errors_point_at_the_line() {
    let head = format!("networks = [\"{}\"]\n", net("mlp_s.nn"));
    for (test, body, line, says) in [
        (
            "key",
            "[vary]\n\"node.gbuf_byte\" = [1024]\n",
            3,
            "unknown hardware key `node.gbuf_byte`",
        ),
        (
            "value",
            "[vary]\n\"node.pe_array\" = [[8, 8], 16]\n",
            3,
            "hardware key `node.pe_array`: `16` is not two whole numbers",
        ),
        (
            "option",
            "[options]\nsolver = \"fast\"\n",
            3,
            "`solver`: `fast` is not one of",
        ),
        ("unknown", "threads = 4\n", 2, "unknown field `threads`"),
        (
            "batch",
            "batch = [0]\n",
            2,
            "the batch must be between 1 and",
        ),
        (
            "link",
            "[[link]]\n\"node.gbuf_bytes\" = [1024, 2048]\n\"energy.gbuf\" = [1.0]\n",
            4,
            "`energy.gbuf` has 1 values where `node.gbuf_bytes` has 2",
        ),
        (
            "twice",
            "[vary]\n\"energy.gbuf\" = [1.0]\n[[link]]\n\"node.gbuf_bytes\" = [1024]\n\"energy.gbuf\" = [2.0]\n",
            6,
            "`energy.gbuf` is varied twice",
        ),
        (
            "rule",
            "sram_energy = \"cube\"\n",
            2,
            "`sram_energy`: `cube` is not a rule",
        ),
    ] {
        let (code, stderr) = run(test, &format!("{head}{body}"));
        assert_eq!(code, Some(1), "{test}: {stderr}");
        assert!(stderr.contains(says), "{test}: {stderr}");
        assert!(
            stderr.contains(&format!("spec.toml:{line}:")),
            "{test}: {stderr}"
        );
    }
}

#[test]
fn an_invalid_point_is_named() {
    let spec = format!(
        "networks = [\"{}\"]\n[vary]\n\"node.gbuf_bytes\" = [65536, 1]\n",
        net("mlp_s.nn")
    );
    let (code, stderr) = run("point", &spec);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "design point 1 (node.gbuf_bytes=1): hardware key `node.gbuf_bytes=1`: expected room"
        ),
        "{stderr}"
    );
}

/// A grid's hardware is checked from a few of its points
/// (docs/sweep.md#large-grids): a value invalid only beside another
/// (a 4-byte buffer holds no 8-byte word) is still found, and named.
#[test]
fn a_point_invalid_by_two_values_is_named() {
    let spec = format!(
        "networks = [\"{}\"]\n[vary]\n\"node.gbuf_bytes\" = [65536, 4]\n\
         \"energy.dram\" = [100, 200, 300]\nword_bits = [16, 64]\n",
        net("mlp_s.nn")
    );
    let (code, stderr) = run("coupled", &spec);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("design point 7 (node.gbuf_bytes=4, energy.dram=100, word_bits=64)"),
        "{stderr}"
    );
}

#[test]
fn missing_files_are_usage_errors() {
    let o = nnc(&["sweep", "no/such/spec.toml", "-o", "x.csv"]);
    assert_eq!(o.status.code(), Some(2));
    let o = nnc(&["sweep", "sweeps/gbuf.toml"]);
    assert_eq!(o.status.code(), Some(2), "-o is required");
    let o = nnc(&["sweep", "sweeps/gbuf.toml", "-o", "-"]);
    assert_eq!(o.status.code(), Some(2), "-o - cannot be resumed");
    assert!(String::from_utf8_lossy(&o.stderr).contains("give -o FILE"));
}
