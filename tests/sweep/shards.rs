//! Shards: three part files merged are one run's file, byte for byte; a
//! missing or duplicated row is an error naming its point.

use super::support::{net, nnc, scratch, sweep, write};
use std::path::Path;

fn spec(dir: &Path) -> std::path::PathBuf {
    write(
        dir,
        "spec.toml",
        &format!(
            r#"networks = ["{}", "{}"]
batch = [2]
[options]
solver = "analytic"
[vary]
"node.gbuf_bytes" = [32768, 65536, 131072]
"node.pe_array" = ["8x8", [16, 16]]
"#,
            net("mlp_s.nn"),
            net("alex_net.nn")
        ),
    )
}

fn merge(spec: &Path, out: &Path, parts: &[&Path]) -> std::process::Output {
    let mut args = vec![
        "sweep".to_owned(),
        spec.display().to_string(),
        "--merge".into(),
    ];
    args.extend(parts.iter().map(|p| p.display().to_string()));
    args.extend(["-o".into(), out.display().to_string()]);
    nnc(&args)
}

#[test]
fn three_shards_merged_equal_one_run() {
    let dir = scratch("shards");
    let spec = spec(&dir);
    let whole = sweep(&spec, &dir.join("whole.csv"), &[]);
    assert_eq!(whole.lines().count(), 2 + 12);
    // The thread count changes nothing.
    assert_eq!(
        sweep(&spec, &dir.join("one-thread.csv"), &["--threads", "1"]),
        whole
    );
    let parts: Vec<_> = (0..3).map(|i| dir.join(format!("part.{i}.csv"))).collect();
    for (i, p) in parts.iter().enumerate() {
        let text = sweep(&spec, p, &["--shard", &format!("{i}/3")]);
        let first = text.lines().next().unwrap();
        assert!(first.ends_with(&format!(" shard={i}/3")), "{first}");
        assert_eq!(text.lines().count(), 2 + 4);
        // Rows i, i + 3, ... of the whole run.
        let rows: Vec<&str> = whole.lines().skip(2).skip(i).step_by(3).collect();
        assert_eq!(text.lines().skip(2).collect::<Vec<_>>(), rows);
    }
    let out = dir.join("merged.csv");
    let refs: Vec<&Path> = parts.iter().map(|p| p.as_path()).collect();
    let o = merge(&spec, &out, &[refs[2], refs[0], refs[1]]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), whole);

    // A missing part: the error names a missing point.
    let o = merge(&spec, &dir.join("m2.csv"), &refs[..2]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("4 of 12 rows are in no part file"),
        "{stderr}"
    );
    // Row 2, the first of shard 2.
    let first = format!(
        "the first: network {}, batch 2, node.gbuf_bytes=65536, node.pe_array=[8, 8];",
        net("mlp_s.nn")
    );
    assert!(stderr.contains(&first), "{stderr}");
    assert!(!dir.join("m2.csv").exists());
    // A duplicated point: named, with both files.
    let o = merge(
        &spec,
        &dir.join("m3.csv"),
        &[refs[0], refs[1], refs[2], refs[1]],
    );
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("node.gbuf_bytes=32768, node.pe_array=[16, 16] is in"),
        "{stderr}"
    );
    assert!(stderr.contains("part.1.csv"), "{stderr}");
    // A part of another spec is refused.
    let other = write(
        &dir,
        "other.toml",
        &std::fs::read_to_string(&spec)
            .unwrap()
            .replace("[2]", "[3]"),
    );
    let o = merge(&other, &dir.join("m4.csv"), &refs);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("error[R010]: a results file of another sweep")
    );
}

#[test]
fn shard_arguments() {
    let dir = scratch("shard-args");
    let spec = spec(&dir);
    let s = spec.to_str().unwrap();
    let out = dir.join("p.csv");
    let o = out.to_str().unwrap();
    for bad in ["3/3", "1", "a/b", "auto"] {
        let r = nnc(&["sweep", s, "--shard", bad, "-o", o]);
        assert_eq!(r.status.code(), Some(2), "{bad}");
    }
    // Slurm's variables, and a Kubernetes Indexed Job's.
    let run = |envs: &[(&str, &str)], extra: &[&str]| {
        let _ = std::fs::remove_file(&out);
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_nnc"));
        cmd.args(["sweep", s, "--shard", "auto", "-o", o])
            .args(extra);
        cmd.env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let r = cmd.output().unwrap();
        assert_eq!(
            r.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_owned()
    };
    let slurm = run(
        &[
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
        ],
        &[],
    );
    assert!(slurm.ends_with(" shard=2/4"), "{slurm}");
    let from_one = run(
        &[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ],
        &[],
    );
    assert!(from_one.ends_with(" shard=3/4"), "{from_one}");
    let k8s = run(&[("JOB_COMPLETION_INDEX", "1")], &["--shard-count", "3"]);
    assert!(k8s.ends_with(" shard=1/3"), "{k8s}");
    // A part file resumed with another shard is refused.
    let r = nnc(&["sweep", s, "--shard", "0/3", "-o", o]);
    assert_eq!(r.status.code(), Some(2));
}
