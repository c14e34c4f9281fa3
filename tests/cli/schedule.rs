//! `nnc schedule` through the binary: outputs, files, exit codes,
//! determinism, snapshots.

use super::{nnc, text};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nnc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

const SMALL: &str = "tests/fixtures/schedule/small_conv.nn";
const TETRIS_HYBRID: [&str; 7] = [
    "--hw",
    "tetris",
    "--batch",
    "4",
    "--partition",
    "hybrid",
    "--batch-partition",
];

#[test]
fn prints_a_summary_and_nothing_on_stderr_when_piped() {
    let out = nnc(&["schedule", "nns/mlp_s.nn"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("MLP-S on eyeriss (1x1 nodes of 16x16 PEs), batch 1"),
        "{stdout}"
    );
    // No progress bar when stderr is not a terminal.
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn writes_the_schedule_file() {
    let path = tmp("alexnet.json");
    let p = path.to_str().unwrap();
    let out = nnc(&[
        "schedule",
        "nns/alex_net.nn",
        "--batch",
        "16",
        "--compat",
        "nn_dataflow",
        "-o",
        p,
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "--quiet prints nothing"
    );
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(v["format"], "nnc-schedule/2");
    assert_eq!(v["model"], "nn_dataflow-2.1");
    assert_eq!(v["batch"], 16);
    // nn_dataflow 2.1's total_cost for the same problem (bench/vs-reference.sh,
    // case alexnet-eyeriss-exhaustive).
    assert_eq!(v["totals"]["energy"].as_f64(), Some(80303647232.0));
    assert_eq!(v["layers"].as_array().unwrap().len(), 19);
    assert_eq!(v["layers"][0]["name"], "conv1_a");
    for key in [
        "energy",
        "energy_breakdown",
        "time",
        "ops",
        "accesses",
        "noc_hops",
    ] {
        assert!(v["totals"].get(key).is_some(), "totals.{key}");
    }
}

#[test]
fn stdout_output_keeps_the_summary_on_stderr() {
    let out = nnc(&["schedule", "nns/mlp_s.nn", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON");
    assert_eq!(v["model"], "nnc");
    assert!(text(&out.stderr).contains("MLP-S on eyeriss"));
}

/// `-o` to something that is not a regular file (a named pipe here; the
/// same holds for `/dev/null`) writes into it and leaves it what it was:
/// the whole-or-nothing rename would replace it with a file.
#[test]
fn output_into_a_named_pipe_keeps_the_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let fifo = tmp("out.fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let out = nnc(&[
        "schedule",
        "nns/mlp_s.nn",
        "-q",
        "-o",
        fifo.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let read = reader.join().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&read).expect("the pipe got the JSON");
    assert_eq!(v["format"], "nnc-schedule/2");
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "still a pipe");
    std::fs::remove_file(&fifo).unwrap();
}

#[test]
fn same_bytes_with_one_or_many_threads() {
    let run = |threads: &str| {
        let mut args = vec!["schedule", SMALL, "-o", "-", "-q", "--threads", threads];
        args.extend(TETRIS_HYBRID);
        let out = nnc(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        out.stdout
    };
    let one = run("1");
    assert_eq!(run("2"), one);
    assert_eq!(run("5"), one);
}

#[test]
fn forbidden_combinations_are_usage_errors() {
    for (args, says) in [
        (
            vec!["--partition", "naive", "--ifmap-partition"],
            "needs hybrid partitioning",
        ),
        (vec!["--batch", "0"], "--batch"),
        // A negative batch is named as given.
        (vec!["--batch", "-3"], "invalid value '-3' for '--batch"),
        (vec!["--top", "0"], "--top"),
        (vec!["--no-bypass", "i,x"], "`x` is not a data kind"),
        (vec!["--hw", "eyeris"], "unknown hardware preset `eyeris`"),
        (
            vec!["--hw", "missing/hw.toml"],
            "cannot read hardware file `missing/hw.toml`",
        ),
        (vec!["--compat", "timeloop"], "--compat"),
    ] {
        let mut all = vec!["schedule", "nns/mlp_s.nn"];
        all.extend(&args);
        let out = nnc(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = nnc(&["schedule", "nns/missing.nn"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr).lines().count(), 1);
}

fn hardware_file(name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let path = tmp(name);
    let base = std::fs::read_to_string("hw/eyeriss.toml").unwrap();
    std::fs::write(&path, edit(base)).unwrap();
    path
}

#[test]
fn bad_hardware_files_point_at_the_key() {
    let path = hardware_file("bad.toml", |s| {
        s.replace("gbuf_bytes = 131072", "gbuf_bytes = 131072\ncolour = 3")
    });
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--hw", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unknown field `colour`"), "{stderr}");
    // The line of the inserted key, counted from the preset's text.
    let base = std::fs::read_to_string("hw/eyeriss.toml").unwrap();
    let line = base
        .lines()
        .position(|l| l.starts_with("gbuf_bytes"))
        .unwrap()
        + 2;
    assert!(stderr.contains(&format!("bad.toml:{line}:1")), "{stderr}");
    assert!(!stderr.contains("could not compile"), "{stderr}");
    let path = hardware_file("neg.toml", |s| s.replace("dram = 200.0", "dram = -1.0"));
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--hw", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("`dram`: expected a finite, non-negative energy"));
}

#[test]
fn no_schedule_names_the_layer_and_writes_nothing() {
    let hw = hardware_file("tiny-regf.toml", |s| {
        s.replace("regf_bytes = 512", "regf_bytes = 32")
    });
    let out_path = tmp("untouched.json");
    std::fs::write(&out_path, "previous contents").unwrap();
    let out = nnc(&[
        "schedule",
        "nns/alex_net.nn",
        "--hw",
        hw.to_str().unwrap(),
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("layer `conv1_a` cannot be scheduled"),
        "{stderr}"
    );
    assert!(
        stderr.contains("at least 23 words of register file"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        "previous contents"
    );
    let dir = out_path.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn snapshots() {
    let mlp = nnc(&["schedule", "nns/mlp_s.nn", "-o", "-", "-q"]);
    let mut small_args = vec!["schedule", SMALL, "-o", "-", "-q"];
    small_args.extend(TETRIS_HYBRID);
    let small = nnc(&small_args);
    let mut table_args = vec!["schedule", SMALL];
    table_args.extend(TETRIS_HYBRID);
    let table = nnc(&table_args);
    let help = nnc(&["schedule", "--help"]);
    for out in [&mlp, &small, &table, &help] {
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let mut settings = crate::lang::snapshot_settings();
    // The digests change with every edit of a network or preset; the test
    // above checks them.
    settings.add_filter("\"[0-9a-f]{64}\"", "\"[sha256]\"");
    settings.add_filter(
        "\"nnc_version\": \"[^\"]*\"",
        "\"nnc_version\": \"[version]\"",
    );
    settings.bind(|| {
        insta::assert_snapshot!("schedule_mlp_s_eyeriss", text(&mlp.stdout));
        insta::assert_snapshot!("schedule_small_conv_tetris_hybrid", text(&small.stdout));
        insta::assert_snapshot!(
            "schedule_summary_small_conv_tetris_hybrid",
            text(&table.stdout)
        );
        insta::assert_snapshot!("cli_schedule_help", text(&help.stdout));
    });
}

#[test]
fn the_issues_extreme_batches_are_usage_errors() {
    // Issue 7: these panicked (overflow) or claimed `conv3_a` has no
    // blocking, and hung in the divisor loop.
    for (net, batch) in [
        ("nns/alex_net.nn", "1125899906842624"),
        ("nns/mlp_s.nn", "18446744073709551615"),
        ("nns/mlp_s.nn", "-1"),
        ("nns/mlp_s.nn", "0"),
        ("nns/mlp_s.nn", "99999999999999999999999"),
    ] {
        let out = nnc(&["schedule", net, "--batch", batch]);
        assert_eq!(out.status.code(), Some(2), "{batch}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("invalid value '{batch}' for '--batch <BATCH>'"))
                && stderr.contains(
                    "must be between 1 and 17592186044416 (2^44; larger batches would overflow the model's counts)"
                ),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--batch", "many"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`many` is not a whole number of samples"));
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--top", "-1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("invalid value '-1' for '--top <TOP>': must be between 1 and 1000"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_batch_too_large_for_the_network_names_the_layer_and_the_limit() {
    // fc1 of MLP-S: 784 x 500 MACs per sample, the network's largest count.
    let largest = (1u64 << 44) / (784 * 500);
    let too_many = (largest + 1).to_string();
    let out = nnc(&["schedule", "nns/mlp_s.nn", "--batch", &too_many]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: --batch is too large for `MLP-S`: at batch {too_many}, `fc1` would count {} ops (more than the model's limit of 17592186044416); the largest batch for this network is {largest}",
            (largest + 1) * 784 * 500
        )
    );
    // The largest batch itself is scheduled.
    let out = nnc(&[
        "schedule",
        "nns/mlp_s.nn",
        "--batch",
        &largest.to_string(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn hardware_beyond_the_limits_points_at_the_key() {
    for (from, to, key, says) in [
        ("dims = [1, 1]", "dims = [33, 1]", "dims", "from 1 to 32"),
        (
            "pe_array = [16, 16]",
            "pe_array = [65537, 16]",
            "pe_array",
            "from 1 to 65536",
        ),
        (
            "word_bits = 16",
            "word_bits = 2048",
            "word_bits",
            "8 to 1024 bits",
        ),
        (
            "gbuf_bytes = 131072",
            "gbuf_bytes = 9007199254740993",
            "gbuf_bytes",
            "at most 9007199254740992 bytes",
        ),
        ("dram = 200.0", "dram = 1e31", "dram", "of at most 1e30"),
    ] {
        let path = hardware_file(&format!("limit-{key}.toml"), |s| {
            assert!(s.contains(from), "{from}");
            s.replace(from, to)
        });
        let out = nnc(&["schedule", "nns/mlp_s.nn", "--hw", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{key}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("invalid hardware file: `{key}`: expected"))
                && stderr.contains(says),
            "{key}: {stderr}"
        );
        // The diagnostic points at the key's line.
        let line = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("{key} =")))
            .unwrap()
            + 1;
        assert!(stderr.contains(&format!(":{line}:")), "{key}: {stderr}");
    }
}

#[test]
fn energies_carry_their_unit_and_a_clock_gives_seconds_and_watts() {
    // eyeriss is in units of a MAC and has no clock: no seconds, no watts.
    let out = nnc(&["schedule", "nns/mlp_s.nn", "-o", "-", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totals"]["energy_unit"], "MAC");
    assert_eq!(v["hardware"]["energy_unit"], "MAC");
    assert!(v["totals"].get("seconds").is_none());
    assert!(v["totals"].get("average_power_w").is_none());
    let out = nnc(&["schedule", "nns/mlp_s.nn"]);
    let summary = text(&out.stdout);
    assert!(summary.contains("energy (MAC)"), "{summary}");
    assert!(summary.contains(" MAC = op "), "{summary}");
    assert!(!summary.contains(" W"), "{summary}");

    // pJ with a 250 MHz clock: seconds = cycles / 2.5e8, watts = pJ·1e-12 / s.
    let tetris = std::fs::read_to_string("hw/tetris.toml").unwrap();
    let path = tmp("clocked.toml");
    let with_clock = tetris.replace(
        "energy_unit = \"pJ\"",
        "energy_unit = \"pJ\"\nclock_mhz = 250",
    );
    assert_ne!(with_clock, tetris);
    std::fs::write(&path, &with_clock).unwrap();
    let hw = path.to_str().unwrap();
    let out = nnc(&["schedule", SMALL, "--hw", hw, "-o", "-", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &v["totals"];
    assert_eq!(t["energy_unit"], "pJ");
    assert_eq!(v["hardware"]["clock_mhz"], 250.0);
    let cycles = t["time"].as_f64().unwrap();
    let energy = t["energy"].as_f64().unwrap();
    let seconds = t["seconds"].as_f64().unwrap();
    assert!((seconds - cycles / 250e6).abs() <= 1e-15 * seconds.max(1.0));
    let watts = t["average_power_w"].as_f64().unwrap();
    let expected = energy * 1e-12 / seconds;
    assert!(
        (watts - expected).abs() <= 1e-9 * expected,
        "{watts} vs {expected}"
    );
    let out = nnc(&["schedule", SMALL, "--hw", hw]);
    let summary = text(&out.stdout);
    assert!(summary.contains("energy (pJ)"), "{summary}");
    assert!(summary.contains(" at 250 MHz, average power "), "{summary}");

    // A unit of the file's own with a clock: seconds, but no watts.
    std::fs::write(&path, with_clock.replace("\"pJ\"", "\"arb\"")).unwrap();
    let out = nnc(&["schedule", SMALL, "--hw", hw, "-o", "-", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totals"]["energy_unit"], "arb");
    assert!(v["totals"]["seconds"].as_f64().is_some());
    assert!(v["totals"].get("average_power_w").is_none());

    // A bad unit is a hardware-file error naming the key.
    std::fs::write(&path, with_clock.replace("\"pJ\"", "\"PJ\"")).unwrap();
    let out = nnc(&["schedule", SMALL, "--hw", hw]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`energy_unit`: `PJ` is not an SI energy unit; did you mean `pJ`?"),
        "{stderr}"
    );
}

#[test]
fn the_schedule_file_records_the_version_and_its_inputs_digests() {
    let net = tmp("tiny.nn");
    std::fs::write(
        &net,
        "network Tiny\ninput data [3, 16]\nc1 = conv(data, 8, kernel: 3, pad: 1)\n",
    )
    .unwrap();
    let hw = tmp("tiny-hw.toml");
    std::fs::write(
        &hw,
        "name = \"tiny\"\nword_bits = 16\nenergy_unit = \"pJ\"\n\n[nodes]\ndims = [1, 1]\n\
         memory = \"2d\"\n\n[node]\npe_array = [8, 8]\nregf_bytes = 512\ngbuf_bytes = 65536\n\n\
         [energy]\nmac = 1.0\ndram = 200.0\ngbuf = 6.0\narray = 2.0\nregf = 1.0\n",
    )
    .unwrap();
    let (net, hw) = (net.to_str().unwrap(), hw.to_str().unwrap());
    let out = nnc(&["schedule", net, "--hw", hw, "-o", "-", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["nnc_version"], env!("CARGO_PKG_VERSION"));
    // Both digests as `sha256sum` (GNU coreutils 9) prints them for these texts.
    assert_eq!(
        v["inputs"],
        serde_json::json!({
            "network_sha256": "59c479bce43503731c5f0af364ff488b4514d65ff652829a649fdcbb0b08df94",
            "hardware_sha256": "fa83b9ab23cbb436775100e408f3d4f3a5bc50d49d8bcdeda400e346cd8fbd1f",
        })
    );
    // A preset's digest is that of its file in `hw/`.
    let out = nnc(&["schedule", net, "--hw", "eyeriss", "-o", "-", "-q"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let preset = std::fs::read("hw/eyeriss.toml").unwrap();
    assert_eq!(v["inputs"]["hardware_sha256"], nnc::sha256::hex(&preset));
}

/// Hints where they pay (docs/model/bound.md#hints): AlexNet on the
/// Simba-like design (36 small nodes) with naive partitioning is far from
/// its bound; the summary names each option left off that would save at
/// least a tenth, with its measured energy, and the JSON has them as
/// `hints`, each equal to a direct run with its flags. Never in the
/// reference's model.
#[test]
fn far_from_the_bound_the_summary_gives_measured_hints() {
    let base = [
        "schedule",
        "nns/alex_net.nn",
        "--hw",
        "bench/designs/simba.toml",
        "--partition",
        "naive",
        "--no-access-forwarding",
        "--layer-by-layer",
    ];
    let out = nnc(&base);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    let hints: Vec<&str> = summary
        .lines()
        .filter(|l| l.starts_with("hint: ") || l.starts_with("lower bound"))
        .collect();
    crate::lang::snapshot_settings().bind(|| {
        insta::assert_snapshot!("schedule_hints_simba_naive", hints.join("\n"));
    });
    // A hint's flags, added after the restricting ones, turn its option
    // back on (the last of a pair wins).
    let json = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend(["-q", "-o", "-"]);
        args.extend(extra);
        let out = nnc(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let v = json(&[]);
    let listed = v["hints"].as_array().expect("a hints array");
    assert!(!listed.is_empty());
    let energy = v["totals"]["energy"].as_f64().unwrap();
    for h in listed {
        let flags: Vec<&str> = h["flags"].as_str().unwrap().split(' ').collect();
        let direct = json(&flags);
        let e = h["energy"].as_f64().unwrap();
        assert_eq!(direct["totals"]["energy"].as_f64(), Some(e), "{h}");
        assert!(e <= 0.9 * energy, "{h}");
    }
    // The reference's defaults stay the reference's: no hints, even for a
    // schedule this far from its bound (the reference's model refuses some
    // of AlexNet's layers on this array, so the library asks directly).
    let root = env!("CARGO_MANIFEST_DIR");
    let source = std::fs::read_to_string(format!("{root}/nns/alex_net.nn")).unwrap();
    let (net, _) = nnc::compile(&source).unwrap();
    let hw = nnc::hw::load(&format!("{root}/bench/designs/simba.toml")).unwrap();
    // The command line's restrictions, as the library says them.
    let restricted = nnc::Widening {
        hybrid: Some(false),
        access_forwarding: Some(false),
        interlayer: Some(false),
        save_writeback: Some(false),
        ..nnc::Widening::default()
    };
    let options = |compat| {
        nnc::Options::builder()
            .widening(restricted)
            .compat(compat)
            .build()
            .unwrap()
    };
    let file = nnc::schedule(&net, &hw, &options(nnc::Compat::Nnc)).unwrap();
    let hints = |compat| nnc::schedule::hints::hints(&net, &hw, &options(compat), &file).unwrap();
    assert_eq!(hints(nnc::Compat::Nnc).len(), listed.len());
    assert!(hints(nnc::Compat::NnDataflow).is_empty());
}
