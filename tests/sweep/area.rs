//! Area in sweeps (docs/sweep.md#area): the `area_mm2` column, points over
//! `max_area_mm2` left unscheduled with their own status, and
//! `area_budget_mm2` deriving each point's buffer.

use super::support::{fields, net, nnc, scratch, sweep, write};

/// The spec's head on sweeps/tech-45nm.toml (every energy from `[tech]`).
fn head(extra: &str) -> String {
    format!(
        "networks = [\"{}\"]\nhw = \"{}/sweeps/tech-45nm.toml\"\nbatch = [4]\n{extra}\n[options]\nsolver = \"analytic\"\n",
        net("mlp_s.nn"),
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The rows of a results file as fields, and its header's columns.
fn table(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = csv.lines().skip(1);
    let header = fields(lines.next().unwrap());
    (header, lines.map(fields).collect())
}

#[test]
fn points_over_the_area_limit_are_listed_not_scheduled() {
    let dir = scratch("area-max");
    let spec = format!(
        "{}\n[vary]\n\"node.pe_array\" = [[8, 8], [16, 16], [32, 32]]\n",
        head("max_area_mm2 = 15.0")
    );
    let spec = write(&dir, "spec.toml", &spec);
    let (header, rows) = table(&sweep(&spec, &dir.join("out.csv"), &[]));
    let at = |name: &str| header.iter().position(|c| c == name).unwrap();
    let (area, energy, status) = (at("area_mm2"), at("energy"), at("status"));
    assert_eq!(area + 1, energy, "{header:?}");
    let areas: Vec<f64> = rows.iter().map(|r| r[area].parse().unwrap()).collect();
    assert!(areas[0] < areas[1] && areas[1] < areas[2], "{areas:?}");
    for (r, a) in rows.iter().zip(&areas) {
        if *a <= 15.0 {
            assert_eq!(r[status], "ok", "{r:?}");
        } else {
            assert!(r[status].starts_with("over area: "), "{r:?}");
            assert!(r[status].ends_with("mm² > max_area_mm2 15"), "{r:?}");
            assert_eq!(r[energy], "", "not scheduled: {r:?}");
        }
    }
    assert_eq!(rows[2][status].split(':').next(), Some("over area"));
    // The report lists it.
    let html = dir.join("report.html");
    let o = nnc(&[
        "report",
        dir.join("out.csv").to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let page = std::fs::read_to_string(html).unwrap();
    assert!(
        page.contains("1 rows over <code>max_area_mm2</code>"),
        "{page}"
    );
    assert!(page.contains("energy against area;"), "{page}");
    assert!(page.contains(">area (mm²"), "{page}");
}

#[test]
fn an_area_budget_derives_the_buffer() {
    let dir = scratch("area-budget");
    let spec = format!(
        "{}\n[vary]\n\"node.pe_array\" = [[8, 8], [16, 16]]\n",
        head("area_budget_mm2 = 12.0")
    );
    let spec = write(&dir, "spec.toml", &spec);
    let (header, rows) = table(&sweep(&spec, &dir.join("out.csv"), &[]));
    let at = |name: &str| header.iter().position(|c| c == name).unwrap();
    let (gbuf, area) = (at("node.gbuf_bytes"), at("area_mm2"));
    let bytes: Vec<u64> = rows.iter().map(|r| r[gbuf].parse().unwrap()).collect();
    // More PEs leave less area for the buffer; both stay within the budget
    // and close to it.
    assert!(bytes[0] > bytes[1], "{bytes:?}");
    for r in &rows {
        let a: f64 = r[area].parse().unwrap();
        assert!(a <= 12.0 && a > 11.99, "{r:?}");
        assert_eq!(r[gbuf].parse::<u64>().unwrap() % 2, 0, "whole words");
    }
}

#[test]
fn area_keys_need_an_area_and_a_free_buffer() {
    let dir = scratch("area-errors");
    for (spec, says) in [
        (
            format!(
                "networks = [\"{}\"]\nhw = \"eyeriss\"\nmax_area_mm2 = 0\n",
                net("mlp_s.nn")
            ),
            "`max_area_mm2`: expected an area in mm² above 0",
        ),
        (
            format!(
                "{}\n[vary]\n\"node.gbuf_bytes\" = [1024, 2048]\n",
                head("area_budget_mm2 = 12.0")
            ),
            "derives `node.gbuf_bytes`, which the spec also varies",
        ),
        (
            format!(
                "{}\n[vary]\n\"node.gbuf_bytes\" = [1024, 2048]\n",
                head("sram_energy = \"sqrt\"")
            ),
            "`sram_energy`: the hardware's `[tech]` node already sizes its SRAM energies",
        ),
    ] {
        let path = write(&dir, "spec.toml", &spec);
        let out = dir.join("out.csv");
        let o = nnc(&["sweep", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
}
