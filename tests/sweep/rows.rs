//! Every row of a sweep is what `nnc schedule --set ...` of its point
//! reports, bit for bit; the header and order are as documented.

use super::support::{energy_cells, fields, net, no_schedule, schedule, scratch, sweep, write};

/// Two networks, two batches, 2 x 2 points plus a linked pair, the SRAM rule
/// on: 2 * 2 * 8 = 32 rows.
fn spec() -> String {
    format!(
        r#"
networks = ["{}", "{}"]
hw = "eyeriss"
batch = [1, 4]
sram_energy = "sqrt"

[options]
solver = "analytic"
partition = "hybrid"

[vary]
"node.gbuf_bytes" = [32768, 131072]
"node.pe_array" = [[8, 8], [16, 12]]

[[link]]
"node.regf_bytes" = [512, 8]
"energy.regf" = [1.0, 0.25]
"#,
        net("mlp_s.nn"),
        net("alex_net.nn")
    )
}

#[test]
fn rows_equal_nnc_schedule_of_their_point() {
    let dir = scratch("rows");
    let spec = write(&dir, "spec.toml", &spec());
    let csv = sweep(&spec, &dir.join("out.csv"), &[]);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("# nnc-sweep/2 spec="), "{}", lines[0]);
    // The digests of the spec, the hardware and the two networks.
    let words: Vec<&str> = lines[0].split(' ').collect();
    assert_eq!(words.len(), 6, "{}", lines[0]);
    assert_eq!(words[5], "unit=MAC", "{}", lines[0]);
    for (w, key) in words[2..].iter().zip(["spec=", "hw=", "networks="]) {
        let digests = w.strip_prefix(key).unwrap().split(',');
        assert!(digests.clone().all(|d| d.len() == 64), "{}", lines[0]);
        assert_eq!(digests.count(), if key == "networks=" { 2 } else { 1 });
    }
    assert_eq!(
        lines[1],
        "network,batch,node.gbuf_bytes,node.pe_array.rows,node.pe_array.cols,node.regf_bytes,energy.regf,energy.gbuf,area_mm2,\
energy,time,energy_op,energy_dram,energy_gbuf,energy_array,energy_regf,energy_noc,energy_static,\
seconds,macs,utilization,bound_energy,bound_time,status,checksum"
    );
    assert_eq!(lines.len(), 2 + 32);
    // Grid order: networks, then batches, then points (first key outermost).
    let keys: Vec<String> = lines[2..]
        .iter()
        .map(|l| l.split(',').take(7).collect::<Vec<_>>().join(","))
        .collect();
    let mlp = net("mlp_s.nn");
    assert_eq!(keys[0], format!("{mlp},1,32768,8,8,512,1.0"));
    assert_eq!(keys[1], format!("{mlp},1,32768,8,8,8,0.25"));
    assert_eq!(keys[2], format!("{mlp},1,32768,16,12,512,1.0"));
    assert_eq!(keys[4], format!("{mlp},1,131072,8,8,512,1.0"));
    assert_eq!(keys[8], format!("{mlp},4,32768,8,8,512,1.0"));
    assert_eq!(
        keys[16],
        format!("{},1,32768,8,8,512,1.0", net("alex_net.nn"))
    );
    let mut checked = (0, 0);
    for (i, line) in lines[2..].iter().enumerate() {
        // Several rows of each kind; every row with no schedule.
        let f = fields(line);
        let f: Vec<&str> = f.iter().map(String::as_str).collect();
        let ok = f[23] == "ok";
        if ok && i % 5 != 0 {
            continue;
        }
        let (network, batch) = (f[0], f[1]);
        let sets = [
            format!("node.gbuf_bytes={}", f[2]),
            format!("node.pe_array={}x{}", f[3], f[4]),
            format!("node.regf_bytes={}", f[5]),
            format!("energy.regf={}", f[6]),
            format!("energy.gbuf={}", f[7]),
        ];
        let mut args = vec![network, "--batch", batch, "--solver", "analytic"];
        args.extend(["--partition", "hybrid"]);
        for s in &sets {
            args.extend(["--set", s.as_str()]);
        }
        if !ok {
            no_schedule(&args, f[23]);
            assert!(f[9..23].iter().all(|c| c.is_empty()), "{line}");
            checked.1 += 1;
            continue;
        }
        let v = schedule(&args);
        let t = &v["totals"];
        let cells = [f[9], f[11], f[12], f[13], f[14], f[15], f[16], f[17]];
        assert_eq!(cells.to_vec(), energy_cells(&v), "{line}");
        assert_eq!(f[10], t["time"].to_string(), "{line}");
        // The point's area, as the schedule file's hardware gives it.
        let area = &v["hardware"]["area"]["total_mm2"];
        assert_eq!(f[8], area.to_string(), "{line}");
        checked.0 += 1;
    }
    assert!(checked.0 >= 4, "{checked:?}");
    assert!(checked.1 >= 1, "no row without a schedule: {csv}");
}

/// ResNet-50 and ResNet-152 share their block shapes, so the sweep reuses
/// per-node results across them at each point; the rows are those of each
/// network swept alone.
#[test]
fn shared_layer_results_change_nothing() {
    let dir = scratch("shared");
    let body = "batch = [2]\n[options]\nsolver = \"analytic\"\n[vary]\n\"node.gbuf_bytes\" = [65536, 131072]\n";
    let both = write(
        &dir,
        "both.toml",
        &format!(
            "networks = [\"{}\", \"{}\"]\n{body}",
            net("resnet50.nn"),
            net("resnet152.nn")
        ),
    );
    let together = sweep(&both, &dir.join("both.csv"), &[]);
    let mut alone = Vec::new();
    for n in ["resnet50.nn", "resnet152.nn"] {
        let spec = write(
            &dir,
            &format!("{n}.toml"),
            &format!("networks = [\"{}\"]\n{body}", net(n)),
        );
        let text = sweep(&spec, &dir.join(format!("{n}.csv")), &[]);
        alone.extend(text.lines().skip(2).map(str::to_owned));
    }
    let rows: Vec<&str> = together.lines().skip(2).collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows, alone);
}
