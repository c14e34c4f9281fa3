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

/// Items 8 and 17: an energy of 1.7e308 drew grid lines until memory ran
/// out, nodes of 9e15 looped for ever, a utilization of 1e308 showed as
/// "inf%"; each is refused at its place, at once.
#[test]
fn values_out_of_range_are_refused_at_their_place() {
    let tmp = Tmp::new("ranges");
    let base = schedule(&tmp);
    let cases: [(&str, fn(&mut Value)); 5] = [
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
