//! Every search option of `nnc schedule` in a sweep: in `[options]` and
//! varied in `[vary]`, each row equal to `nnc schedule` with those flags,
//! bit for bit; the columns are numbers (sizes in bytes, pairs as rows and
//! columns) and hold the seconds, MACs, utilization and bound.

use super::support::{fields, net, nnc, schedule, scratch, sweep, write};

/// The spec: save-writeback on for every row, partitioning, interlayer
/// and the solver varied, a buffer size written with a unit, a pair.
fn spec() -> String {
    format!(
        r#"
networks = ["{}"]
hw = "tetris"
batch = [2]

[options]
save_writeback = true
batch_partition = true

[vary]
partition = ["naive", "hybrid"]
interlayer = [false, true]
"node.gbuf_bytes" = ["64 KiB"]
"node.pe_array" = ["8x8"]
"#,
        net("mlp_s.nn")
    )
}

/// The flags of `nnc schedule` a row's options stand for.
fn flags(partition: &str, interlayer: &str) -> Vec<String> {
    let mut args: Vec<String> = ["--save-writeback", "--batch-partition", "--partition"]
        .map(String::from)
        .to_vec();
    args.push(partition.to_owned());
    args.push(
        if interlayer == "true" {
            "--interlayer"
        } else {
            "--no-interlayer"
        }
        .into(),
    );
    args
}

#[test]
fn varied_options_rows_equal_nnc_schedule_with_their_flags() {
    let dir = scratch("options");
    let spec = write(&dir, "spec.toml", &spec());
    let csv = sweep(&spec, &dir.join("out.csv"), &[]);
    let lines: Vec<&str> = csv.lines().collect();
    let header = fields(lines[1]);
    assert_eq!(
        lines[1],
        "network,batch,partition,interlayer,node.gbuf_bytes,node.pe_array.rows,node.pe_array.cols,\
area_mm2,energy,time,energy_op,energy_dram,energy_gbuf,energy_array,energy_regf,energy_noc,energy_static,\
seconds,macs,utilization,bound_energy,bound_time,status,checksum"
    );
    assert_eq!(lines.len(), 2 + 4);
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let mut energies = Vec::new();
    for line in &lines[2..] {
        let f = fields(line);
        assert_eq!(f[col("status")], "ok", "{line}");
        // Numbers, no units: 64 KiB in bytes, 8x8 as two columns.
        assert_eq!(&f[4..7], ["65536", "8", "8"], "{line}");
        let mut args: Vec<String> = [
            &net("mlp_s.nn"),
            "--hw",
            "tetris",
            "--batch",
            "2",
            "--set",
            "node.gbuf_bytes=64 KiB",
            "--set",
            "node.pe_array=8x8",
        ]
        .map(String::from)
        .to_vec();
        args.extend(flags(&f[2], &f[3]));
        let v = schedule(&args);
        let t = &v["totals"];
        let b = &t["energy_breakdown"];
        for (name, want) in [
            ("energy", &t["energy"]),
            ("time", &t["time"]),
            ("energy_op", &b["op"]),
            ("energy_dram", &b["dram"]),
            ("energy_gbuf", &b["gbuf"]),
            ("energy_noc", &b["noc"]),
            ("macs", &t["ops"]),
            ("utilization", &t["utilization"]),
            ("bound_energy", &t["lower_bound"]["energy"]),
            ("bound_time", &t["lower_bound"]["time"]),
        ] {
            let got: f64 = f[col(name)].parse().unwrap();
            assert_eq!(
                got.to_bits(),
                want.as_f64().unwrap().to_bits(),
                "{name}: {line}"
            );
        }
        // The presets give no clock: no seconds.
        assert_eq!(f[col("seconds")], "", "{line}");
        energies.push(f[col("energy")].parse::<f64>().unwrap());
    }
    // The options change the schedules: not every row is the same.
    assert!(energies.iter().any(|e| *e != energies[0]), "{energies:?}");
}

#[test]
fn seconds_follow_the_clock() {
    let dir = scratch("options-clock");
    let spec = write(
        &dir,
        "spec.toml",
        &format!(
            "networks = [\"{}\"]\n[vary]\nclock_mhz = [200, 1000]\n",
            net("mlp_s.nn")
        ),
    );
    let csv = sweep(&spec, &dir.join("out.csv"), &[]);
    let lines: Vec<&str> = csv.lines().collect();
    let header = fields(lines[1]);
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let rows: Vec<Vec<String>> = lines[2..].iter().map(|l| fields(l)).collect();
    for r in &rows {
        let time: f64 = r[col("time")].parse().unwrap();
        let mhz: f64 = r[col("clock_mhz")].parse().unwrap();
        assert_eq!(
            r[col("seconds")].parse::<f64>().unwrap(),
            time / (mhz * 1e6)
        );
    }
}

#[test]
fn option_errors_point_at_the_value() {
    let dir = scratch("options-errors");
    let cases = [
        ("[vary]\nsolver = [\"fast\"]\n", "S004", "is not one of"),
        (
            "[vary]\nsolvr = [\"analytic\"]\n",
            "S007",
            "did you mean `solver`?",
        ),
        (
            "[options]\nsave_writebak = true\n",
            "S002",
            "did you mean `save_writeback`?",
        ),
        ("[options]\ntop = 0\n", "S005", "between 1 and"),
        // A negative batch is named as given, not as its u64 wrap.
        ("batch = [-3]\n", "S005", "not -3"),
        (
            "[vary]\n\"node.gbuf_bytes\" = [4096, \"4 KiB\"]\n",
            "S008",
            "is given twice",
        ),
        (
            "[options]\npartition = \"naive\"\nifmap_partition = true\n",
            "S010",
            "needs hybrid partitioning",
        ),
    ];
    for (i, (body, code, message)) in cases.iter().enumerate() {
        let spec = write(
            &dir,
            &format!("{i}.toml"),
            &format!("networks = [\"{}\"]\n{body}", net("mlp_s.nn")),
        );
        let out = nnc(&[
            "sweep",
            &spec.display().to_string(),
            "-q",
            "-o",
            &dir.join(format!("{i}.csv")).display().to_string(),
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{body}: {stderr}");
        assert!(stderr.contains(code), "{body}: {stderr}");
        assert!(stderr.contains(message), "{body}: {stderr}");
    }
}

#[test]
fn a_point_whose_options_conflict_says_so() {
    let dir = scratch("options-conflict");
    let spec = write(
        &dir,
        "spec.toml",
        &format!(
            "networks = [\"{}\"]\n[options]\nifmap_partition = true\n[vary]\npartition = [\"naive\", \"hybrid\"]\n",
            net("mlp_s.nn")
        ),
    );
    let csv = sweep(&spec, &dir.join("out.csv"), &[]);
    let rows: Vec<Vec<String>> = csv.lines().skip(2).map(fields).collect();
    // The status, before the checksum.
    let status = |r: &Vec<String>| r[r.len() - 2].clone();
    assert!(
        status(&rows[0]).starts_with("bad options: ") && status(&rows[0]).contains("hybrid"),
        "{rows:?}"
    );
    assert_eq!(status(&rows[1]), "ok");
}
