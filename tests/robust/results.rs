//! Sweep results files (items 1 to 4): never written over an input, never
//! resumed after an input changed, never keeping a damaged row, never
//! written by two sweeps at once.

use super::{Tmp, arg, nnc};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A spec in `tmp` over its own copies of MLP-S and the Eyeriss preset
/// (2 points), and its path.
fn small_sweep(tmp: &Tmp) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    std::fs::copy(format!("{root}/nns/mlp_s.nn"), tmp.path("net.nn")).unwrap();
    std::fs::copy(format!("{root}/hw/eyeriss.toml"), tmp.path("hw.toml")).unwrap();
    let spec = "networks = [\"net.nn\"]\nhw = \"hw.toml\"\n\
                [options]\nsolver = \"analytic\"\n\
                [vary]\n\"node.gbuf_bytes\" = [65536, 131072]\n";
    arg(&tmp.write("spec.toml", spec)).to_owned()
}

fn sweep(spec: &str, out: &std::path::Path, extra: &[&str]) -> super::Run {
    let mut args = vec!["sweep", spec, "-q", "-o", arg(out)];
    args.extend(extra);
    nnc(None, &args)
}

/// Item 1: `--merge ... -o FILE` wrote over its own inputs, exit 0.
#[test]
fn merge_never_writes_over_an_input() {
    let tmp = Tmp::new("merge-inputs");
    let spec = small_sweep(&tmp);
    let part = tmp.path("part.csv");
    assert_eq!(sweep(&spec, &part, &[]).code, Some(0));
    for (what, o) in [
        ("sweep spec", tmp.path("spec.toml")),
        ("part file", part.clone()),
        ("network", tmp.path("net.nn")),
        ("hardware file", tmp.path("hw.toml")),
    ] {
        let before = std::fs::read(&o).unwrap();
        let run = nnc(
            None,
            &["sweep", &spec, "--merge", arg(&part), "-o", arg(&o)],
        );
        assert_eq!(run.code, Some(2), "{what}: {}", run.stderr);
        assert!(run.stderr.contains(what), "{what}: {}", run.stderr);
        assert_eq!(std::fs::read(&o).unwrap(), before, "{what} overwritten");
    }
}

/// Item 2: the digest covered only the spec, so editing a network or the
/// hardware file and resuming kept the old rows beside new ones.
#[test]
fn resuming_after_an_input_changed_is_refused() {
    let tmp = Tmp::new("changed-inputs");
    let spec = small_sweep(&tmp);
    let out = tmp.path("out.csv");
    assert_eq!(sweep(&spec, &out, &[]).code, Some(0));
    let done = std::fs::read(&out).unwrap();
    for (file, from, to, named) in [
        (
            "net.nn",
            "fc1 = fc(data, 500)",
            "fc1 = fc(data, 600)",
            "the network `net.nn`",
        ),
        ("hw.toml", "dram = 200.0", "dram = 300.0", "the hardware"),
    ] {
        let text = std::fs::read_to_string(tmp.path(file)).unwrap();
        tmp.write(file, text.replace(from, to));
        let run = sweep(&spec, &out, &[]);
        assert_eq!(run.code, Some(2), "{file}: {}", run.stderr);
        assert!(run.stderr.contains("error[R010]"), "{file}: {}", run.stderr);
        assert!(run.stderr.contains(named), "{file}: {}", run.stderr);
        assert_eq!(
            std::fs::read(&out).unwrap(),
            done,
            "{file}: the file changed"
        );
        tmp.write(file, text);
    }
    // Back as they were: the file is this sweep's again.
    assert_eq!(sweep(&spec, &out, &[]).code, Some(0));
}

/// `number` with its first digit turned into another.
fn other_digit(number: &str) -> String {
    let mut chars: Vec<char> = number.chars().collect();
    let d = chars[0].to_digit(10).unwrap();
    chars[0] = char::from_digit(if d == 9 { 8 } else { d + 1 }, 10).unwrap();
    chars.into_iter().collect()
}

/// Item 3: only each row's key was checked, so junk cells, extra fields
/// and flipped bytes survived a resume and a merge.
#[test]
fn damaged_rows_are_never_kept() {
    let tmp = Tmp::new("damaged-rows");
    let spec = small_sweep(&tmp);
    let out = tmp.path("out.csv");
    assert_eq!(sweep(&spec, &out, &[]).code, Some(0));
    let clean = std::fs::read_to_string(&out).unwrap();
    let row = clean.lines().nth(2).unwrap().to_owned();
    let energy = row.split(',').nth(3).unwrap().to_owned();
    let damaged = [
        row.replacen(&energy, "abc", 1),
        format!("{row},extra"),
        row.replacen(",ok", ",okay", 1),
        row.replacen(&energy, &format!("{energy}e0"), 1),
        row.replacen(&energy, "", 1),
        row.replacen(",ok", ",no schedule: made up", 1),
        // A digit turned into another: a valid number, written as nnc
        // writes one, that only the row's checksum tells from the real.
        row.replacen(&energy, &other_digit(&energy), 1),
    ];
    for bad in damaged {
        let text = clean.replacen(&row, &bad, 1);
        tmp.write("out.csv", &text);
        let run = sweep(&spec, &out, &[]);
        assert_eq!(run.code, Some(2), "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("error[R011]"), "{bad}: {}", run.stderr);
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text, "{bad}");
        let merged = tmp.path("merged.csv");
        let run = nnc(
            None,
            &["sweep", &spec, "--merge", arg(&out), "-o", arg(&merged)],
        );
        assert_eq!(run.code, Some(2), "merge {bad}: {}", run.stderr);
        assert!(
            run.stderr.contains("error[R011]"),
            "merge {bad}: {}",
            run.stderr
        );
        assert!(!merged.exists());
    }
}

/// Item 4: two sweeps onto one file both exited 0 with duplicate rows;
/// the second is refused now, naming the first, or waits with `--wait`.
#[test]
fn one_writer_at_a_time() {
    let tmp = Tmp::new("lock");
    let root = env!("CARGO_MANIFEST_DIR");
    // Slow enough to be running when the second starts (seconds, not
    // milliseconds, since the search became linear in the layers):
    // ResNet-50 on 16 nodes at batch 16 with hybrid partitioning.
    let spec = tmp.write(
        "spec.toml",
        format!(
            "networks = [\"{root}/nns/mlp_s.nn\", \"{root}/nns/resnet50.nn\"]\n\
             hw = \"tetris\"\nbatch = [16]\n\
             [options]\npartition = \"hybrid\"\nbatch_partition = true\n\
             ifmap_partition = true\naccess_forwarding = true\n\
             [vary]\n\"node.gbuf_bytes\" = [32768, 65536, 131072, 262144]\n"
        ),
    );
    let spec = arg(&spec);
    let out = tmp.path("out.csv");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_nnc"))
            .args(["sweep", spec, "-q", "-o", arg(&out)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = start();
    // The lock is taken before the header is written.
    let t = Instant::now();
    while std::fs::read_to_string(&out)
        .unwrap_or_default()
        .lines()
        .count()
        < 2
    {
        assert!(t.elapsed() < Duration::from_secs(30), "no header");
        std::thread::sleep(Duration::from_millis(5));
    }
    let run = sweep(spec, &out, &[]);
    assert_eq!(
        first.try_wait().unwrap(),
        None,
        "the first sweep ended too soon"
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("process {}", first.id())),
        "{}",
        run.stderr
    );
    // `--wait`: the second waits for the first, then finds every row done.
    let run = sweep(spec, &out, &["--wait"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(first.wait().unwrap().code(), Some(0));
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 2 + 8, "{text}");
}
