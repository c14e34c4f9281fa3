//! Design points that differ only in the global buffer's capacity share
//! their per-node searches (docs/sweep.md#shared-layer-searches): with the
//! exhaustive search, every row is still what `nnc schedule --set ...` of
//! its point reports, bit for bit, whatever the thread count and shards.

use super::support::{
    energy_cells, fields, net, nnc, no_schedule, schedule, scratch, sweep, write,
};

/// AlexNet with the exhaustive search on two PE arrays, each with several
/// capacities `gbuf`; `extra` are more lines of `[options]`.
fn spec(gbuf: &str, extra: &str) -> String {
    format!(
        r#"
networks = ["{}"]
hw = "eyeriss"
batch = [2]

[options]
solver = "exhaustive"
{extra}

[vary]
"node.pe_array" = [[8, 8], [16, 16]]
"node.gbuf_bytes" = {gbuf}
"#,
        net("alex_net.nn")
    )
}

/// Checks every row of `csv` against `nnc schedule` of its point with
/// `options` (the spec's, as flags); the number of rows with and without a
/// schedule.
fn check_rows(csv: &str, options: &[&str]) -> (usize, usize) {
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[1],
        "network,batch,node.pe_array.rows,node.pe_array.cols,node.gbuf_bytes,area_mm2,energy,time,energy_op,energy_dram,\
energy_gbuf,energy_array,energy_regf,energy_noc,energy_static,seconds,macs,utilization,bound_energy,bound_time,status,checksum"
    );
    let mut counts = (0, 0);
    for line in &lines[2..] {
        let f = fields(line);
        let sets = [
            format!("node.pe_array={}x{}", f[2], f[3]),
            format!("node.gbuf_bytes={}", f[4]),
        ];
        let mut args = vec![f[0].as_str(), "--batch", &f[1]];
        args.extend(options);
        for s in &sets {
            args.extend(["--set", s.as_str()]);
        }
        if f[20] != "ok" {
            no_schedule(&args, &f[20]);
            assert!(f[6..20].iter().all(String::is_empty), "{line}");
            counts.1 += 1;
            continue;
        }
        let v = schedule(&args);
        let t = &v["totals"];
        let cells = [&f[6], &f[8], &f[9], &f[10], &f[11], &f[12], &f[13], &f[14]];
        assert_eq!(
            cells.map(String::clone).to_vec(),
            energy_cells(&v),
            "{line}"
        );
        assert_eq!(f[7], t["time"].to_string(), "{line}");
        counts.0 += 1;
    }
    counts
}

#[test]
fn shared_searches_give_the_rows_of_direct_schedules() {
    let dir = scratch("shared-exhaustive");
    // Nothing may bypass: 16 KiB (8192 words) is too small for conv1_a on
    // both arrays, 24 KiB only on 16x16; 64 KiB fits both.
    let strict = write(
        &dir,
        "strict.toml",
        &spec(
            r#"["16 KiB", "24 KiB", "64 KiB"]"#,
            r#"no_bypass = "i,o,f""#,
        ),
    );
    let csv = sweep(&strict, &dir.join("strict.csv"), &[]);
    assert_eq!(check_rows(&csv, &["--no-bypass", "i,o,f"]), (3, 3));
    // Bypass allowed, the three best of each layer kept, capacities given
    // out of order, one in KiB (written in bytes in the results).
    let top = write(
        &dir,
        "top.toml",
        &spec(r#"[131072, "4 KiB", 16384]"#, "top = 3"),
    );
    let csv = sweep(&top, &dir.join("top.csv"), &[]);
    assert_eq!(check_rows(&csv, &["--top", "3"]), (6, 0));
    // Neither the thread count nor the shards change a byte.
    let one = sweep(&top, &dir.join("one.csv"), &["--threads", "1"]);
    assert_eq!(one, csv);
    let parts: Vec<String> = (0..3)
        .map(|i| {
            let part = dir.join(format!("part{i}.csv"));
            sweep(&top, &part, &["--shard", &format!("{i}/3")]);
            part.display().to_string()
        })
        .collect();
    let mut args = vec![
        "sweep".to_owned(),
        top.display().to_string(),
        "--merge".into(),
    ];
    args.extend(parts);
    args.extend(["-o".into(), dir.join("merged.csv").display().to_string()]);
    let out = nnc(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("merged.csv")).unwrap(),
        csv
    );
}

/// With buffer sharing the subgroups shrink into a node's free buffer
/// words, so the capacity is more than a fit: each capacity is searched on
/// its own, and the rows still equal direct schedules (8 KiB fits AlexNet
/// with nothing bypassing only by sharing; docs/model/buffer-sharing.md).
#[test]
fn buffer_sharing_rows_equal_direct_schedules() {
    let dir = scratch("shared-gbuf-sharing");
    let spec = write(
        &dir,
        "sharing.toml",
        &format!(
            r#"
networks = ["{}"]
hw = "tetris"
batch = [4]

[options]
partition = "hybrid"
batch_partition = true
gbuf_sharing = true
no_bypass = "i,o,f"

[vary]
"node.pe_array" = [[14, 14]]
"node.gbuf_bytes" = ["8 KiB", "32 KiB"]
"#,
            net("alex_net.nn")
        ),
    );
    let csv = sweep(&spec, &dir.join("sharing.csv"), &[]);
    let flags = [
        "--hw",
        "tetris",
        "--partition",
        "hybrid",
        "--batch-partition",
        "--gbuf-sharing",
        "--no-bypass",
        "i,o,f",
    ];
    assert_eq!(check_rows(&csv, &flags), (2, 0));
}
