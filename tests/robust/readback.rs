//! Schedule files read back (items 7, 8 and 17): values outside the
//! model's ranges are refused with their place (R006), and the report of
//! any valid file is bounded in time and size.

use super::{Tmp, arg, nnc};
use serde_json::{Value, json};

/// A schedule file of MLP-S on Eyeriss, as JSON to edit.
fn schedule(tmp: &Tmp) -> Value {
    let out = tmp.path("s.json");
    let run = nnc(
        None,
        &[
            "schedule",
            "nns/mlp_s.nn",
            "--solver",
            "analytic",
            "-q",
            "-o",
            arg(&out),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// `nnc report` of `s` written to `name`: the run and the page's size.
fn report(tmp: &Tmp, name: &str, s: &Value) -> (super::Run, u64) {
    let file = tmp.write(name, serde_json::to_string_pretty(s).unwrap());
    let page = tmp.path(&format!("{name}.html"));
    let run = nnc(None, &["report", arg(&file), "-o", arg(&page)]);
    let size = std::fs::metadata(&page).map_or(0, |m| m.len());
    (run, size)
}

/// A change to a schedule file's JSON.
type Edit = fn(&mut Value);

/// Items 8 and 17: an energy of 1.7e308 drew grid lines until memory ran
/// out, nodes of 9e15 looped for ever, a utilization of 1e308 showed as
/// "inf%"; each is refused at its place, at once.
#[test]
fn values_out_of_range_are_refused_at_their_place() {
    let tmp = Tmp::new("ranges");
    let base = schedule(&tmp);
    let cases: [(&str, Edit); 5] = [
        ("layers[0].energy", |s| {
            s["layers"][0]["energy"] = json!(1.7e308)
        }),
        ("totals.energy", |s| s["totals"]["energy"] = json!(-1.0)),
        ("hardware.nodes", |s| {
            s["hardware"]["nodes"] = json!([9_000_000_000_000_000u64, 1])
        }),
        ("totals.utilization", |s| {
            s["totals"]["utilization"] = json!(1e308)
        }),
        ("layers[1].mapping.util", |s| {
            s["layers"][1]["mapping"]["util"] = json!(2.0)
        }),
    ];
    for (path, edit) in cases {
        let mut s = base.clone();
        edit(&mut s);
        let (run, size) = report(&tmp, "bad.json", &s);
        assert_eq!(run.code, Some(1), "{path}: {}", run.stderr);
        assert!(run.stderr.contains("error[R006]"), "{path}: {}", run.stderr);
        assert!(run.stderr.contains(path), "{path}: {}", run.stderr);
        assert!(run.took.as_secs_f64() < 5.0, "{path}: {:?}", run.took);
        assert_eq!(size, 0, "{path}: a page was written");
    }
}

/// Item 7 (and issue 23): one `<rect>` per PE made a 4096x4096 array a
/// 1.15 GB page; beyond 4096 PEs the array is a schematic, and every page
/// stays under 1 MB.
#[test]
fn any_pe_array_gives_a_small_page() {
    let tmp = Tmp::new("pe-arrays");
    let mut s = schedule(&tmp);
    for side in [16u64, 64, 65, 256, 4096, 65536] {
        s["hardware"]["pe_array"] = json!([side, side]);
        let (run, size) = report(&tmp, "pe.json", &s);
        assert_eq!(run.code, Some(0), "{side}: {}", run.stderr);
        assert!(size < 1 << 20, "{side}x{side}: {size} bytes");
        let page = std::fs::read_to_string(tmp.path("pe.json.html")).unwrap();
        let pes = page.matches("class=\"pe\"").count() as u64;
        assert!(
            pes <= nnc::report::html::MAX_PES_DRAWN,
            "{side}: {pes} PEs drawn"
        );
        assert!(page.contains(&format!("{side}x{side} PEs")), "{side}");
    }
}

/// A results file's first two lines, for `keys` and no row yet.
fn results_header(keys: &str) -> String {
    format!(
        "# nnc-sweep/1 spec={0} hw={0} networks={0}\n\
         network,batch,{keys}energy,time,energy_op,energy_dram,energy_gbuf,energy_array,\
         energy_regf,energy_noc,energy_static,seconds,macs,utilization,bound_energy,bound_time,status\n",
        "0".repeat(64)
    )
}

/// Items 11, 17 and 3 (the report's side): a header starting with
/// `energy` panicked; one without `time` was "1 rows, 1 with a schedule"
/// over "No row has a schedule"; an `ok` row whose energy is `abc` was
/// counted as scheduled and left out of the charts without a word.
#[test]
fn results_files_nnc_did_not_write_are_refused() {
    let tmp = Tmp::new("csv-nonsense");
    let row = "n.nn,1,65536,2.0,3,1.0,1.0,0.0,0.0,0.0,0.0,0.0,,1,0.5,1.0,2,ok\n";
    let cases = [
        (
            "energy first",
            "# nnc-sweep/1 spec=x\nenergy,network,batch,status\n1.0,a,1,ok\n".to_owned(),
            "R008",
        ),
        (
            "no time",
            "# nnc-sweep/1 spec=x\nnetwork,batch,energy,status\nn.nn,1,2.0,ok\n".to_owned(),
            "R008",
        ),
        (
            "energy abc",
            format!(
                "{}{}",
                results_header("node.gbuf_bytes,"),
                row.replacen("2.0", "abc", 1)
            ),
            "R009",
        ),
        (
            "results beside a failure",
            format!(
                "{}{}",
                results_header("node.gbuf_bytes,"),
                row.replace(",ok", ",no schedule: x")
            ),
            "R009",
        ),
    ];
    for (what, text, code) in cases {
        let file = tmp.write("r.csv", text);
        let run = nnc(
            None,
            &["report", arg(&file), "-o", arg(&tmp.path("r.html"))],
        );
        assert_eq!(run.code, Some(1), "{what}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!("error[{code}]")),
            "{what}: {}",
            run.stderr
        );
        assert!(!tmp.path("r.html").exists(), "{what}");
    }
    // The same row as nnc writes it is read.
    let file = tmp.write(
        "r.csv",
        format!("{}{row}", results_header("node.gbuf_bytes,")),
    );
    let run = nnc(
        None,
        &["report", arg(&file), "-o", arg(&tmp.path("r.html"))],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

/// Item 9 (the report's side): the sweep report was quadratic in its rows
/// (40,000 rows: 8.6 to 18 s); 40,000 rows of as many values are read and
/// drawn in a few seconds (a debug build).
#[test]
fn the_sweep_report_is_linear_in_its_rows() {
    let tmp = Tmp::new("csv-linear");
    let mut text = results_header("node.gbuf_bytes,");
    for i in 0..40_000u64 {
        let e = nnc::sweep::float(1e6 + (i * 7919 % 40_000) as f64);
        text += &format!(
            "n.nn,1,{},{e},{},{e},0.0,0.0,0.0,0.0,0.0,0.0,,1,0.5,1.0,2,ok\n",
            1024 + i,
            1000 + i
        );
    }
    let file = tmp.write("big.csv", text);
    let run = nnc(
        None,
        &["report", arg(&file), "-o", arg(&tmp.path("big.html"))],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.took.as_secs_f64() < 6.0, "{:?}", run.took);
}
