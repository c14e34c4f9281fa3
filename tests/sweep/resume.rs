//! Killed and run again, a sweep ends with the bytes of an uninterrupted
//! run; a results file of another spec is refused.

use super::support::{net, nnc, scratch, sweep, write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// 2 networks x 2 batches x 6 x 4 points = 96 rows, exhaustive search:
/// long enough to be killed in the middle. The last 48 rows are AlexNet's,
/// the slow ones (even with the searches shared across buffer sizes).
fn spec() -> String {
    format!(
        r#"networks = ["{}", "{}"]
batch = [1, 4]
[vary]
"node.gbuf_bytes" = [16384, 32768, 65536, 131072, 262144, 524288]
"node.pe_array" = [[8, 8], [12, 14], [16, 16], [14, 12]]
"#,
        net("mlp_m.nn"),
        net("alex_net.nn")
    )
}

fn rows(text: &str) -> usize {
    text.lines().count().saturating_sub(2)
}

#[test]
fn killed_and_rerun_equals_one_run() {
    let dir = scratch("kill");
    let spec = write(&dir, "spec.toml", &spec());
    let clean = sweep(&spec, &dir.join("clean.csv"), &[]);
    assert_eq!(rows(&clean), 96);
    let out = dir.join("killed.csv");
    // Kill -9 at a few moments: after the first rows, and among AlexNet's
    // (rows are written in bursts: a row waits for those ahead of it, and
    // the rows of a capacity group run one after another,
    // docs/sweep.md#shared-layer-searches).
    for at_least in [1, 50, 70] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nnc"))
            .args(["sweep", spec.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        loop {
            let text = std::fs::read_to_string(&out).unwrap_or_default();
            if rows(&text) >= at_least || start.elapsed() > Duration::from_secs(60) {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(rows(&text) < 96, "the run finished before it was killed");
        assert!(clean.starts_with(&text), "a killed run leaves a prefix");
    }
    // A torn last line, as a crash in the middle of a write leaves.
    let text = std::fs::read_to_string(&out).unwrap();
    let torn = &clean[..text.len() + 10];
    std::fs::write(&out, torn).unwrap();
    assert_eq!(sweep(&spec, &out, &[]), clean);
    // Run again when done: nothing changes.
    assert_eq!(sweep(&spec, &out, &[]), clean);
}

#[test]
fn another_specs_file_is_refused() {
    let dir = scratch("other");
    let spec = write(
        &dir,
        "a.toml",
        &format!(
            "networks = [\"{}\"]\n[vary]\n\"node.gbuf_bytes\" = [65536, 131072]\n",
            net("mlp_s.nn")
        ),
    );
    let out = dir.join("out.csv");
    let first = sweep(&spec, &out, &[]);
    let edited = write(
        &dir,
        "a.toml",
        &format!(
            "networks = [\"{}\"]\n[vary]\n\"node.gbuf_bytes\" = [65536, 262144]\n",
            net("mlp_s.nn")
        ),
    );
    let o = nnc(&[
        "sweep",
        edited.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let old = first.lines().next().unwrap();
    assert!(
        stderr.contains("error[R010]: a results file of another sweep"),
        "{stderr}"
    );
    assert!(stderr.contains(old), "names the file's digest: {stderr}");
    assert!(stderr.contains("# nnc-sweep/2 spec="), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first, "left alone");
    // Not a results file at all: refused, not overwritten.
    let notes = write(&dir, "notes.csv", "my,own,data\n");
    let o = nnc(&[
        "sweep",
        spec.to_str().unwrap(),
        "-o",
        notes.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my,own,data\n");
}
