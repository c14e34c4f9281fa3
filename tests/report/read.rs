//! `schedule::read`: a schedule file read back writes the same bytes, and
//! a bad file is refused naming the file and the JSON path.

use super::schedule;
use nnc::schedule::read::{ReadError, from_text};

#[test]
fn write_read_write_is_byte_identical() {
    // Conv, fc, pool, eltwise (ResNet), groups (grouped AlexNet), one node
    // and many, relative (MAC) and SI units, with and without a clock.
    let cases = [
        ("nns/alex_net.nn", "eyeriss", 1),
        ("nns/alexnet_grouped.nn", "tetris", 2),
        ("nns/resnet50.nn", "eyeriss-chip", 1),
        ("nns/lstm_phoneme.nn", "tetris-l1", 1),
        (
            "tests/fixtures/schedule/conv_pool.nn",
            "tests/report/clocked.toml",
            4,
        ),
    ];
    for (net, hw, batch) in cases {
        let text = nnc::schedule::to_text(&schedule(net, hw, batch)).unwrap();
        let saved = from_text(&text, net).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(saved.to_text().unwrap(), text, "{net} on {hw}");
    }
}

#[test]
fn a_clock_and_groups_survive_the_round_trip() {
    let text = nnc::schedule::to_text(&schedule(
        "tests/fixtures/schedule/conv_pool.nn",
        "tests/report/clocked.toml",
        4,
    ))
    .unwrap();
    let saved = from_text(&text, "s.json").unwrap();
    assert_eq!(saved.hardware.clock_mhz, Some(200.0));
    assert!(saved.totals.seconds.is_some_and(|s| s > 0.0));
    assert!(saved.totals.average_power_w.is_some());
    assert_eq!(saved.hardware.energy_unit.name(), "pJ");
    let grouped =
        nnc::schedule::to_text(&schedule("nns/alexnet_grouped.nn", "eyeriss", 1)).unwrap();
    let saved = from_text(&grouped, "g.json").unwrap();
    assert!(saved.layers.iter().any(|l| l.shape.groups == Some(2)));
}

fn small_text() -> String {
    nnc::schedule::to_text(&schedule(
        "tests/fixtures/schedule/conv_pool.nn",
        "tetris",
        1,
    ))
    .unwrap()
}

/// The error of `text` with its first `from` replaced by `to`.
fn error_after(from: &str, to: &str) -> String {
    let text = small_text();
    assert!(text.contains(from), "{from}");
    let bad = text.replacen(from, to, 1);
    from_text(&bad, "bad.json").unwrap_err().to_string()
}

#[test]
fn a_bad_field_is_named_by_its_json_path() {
    let e = error_after("\"op\": 7", "\"op\": \"lots\", \"x\": 7");
    assert!(
        e.starts_with("`bad.json`: at `totals.energy_breakdown.op`: invalid type: string \"lots\""),
        "{e}"
    );
    let e = error_after("\"kind\": \"conv\"", "\"kind\": \"conv3d\"");
    assert!(
        e.starts_with("`bad.json`: at `layers[0].kind`: unknown variant `conv3d`"),
        "{e}"
    );
    let e = error_after("\"active_pes\"", "\"busy_pes\"");
    assert!(
        e.starts_with("`bad.json`: at `layers[0].busy_pes`: unknown field `busy_pes`"),
        "{e}"
    );
    let e = error_after("\"energy_unit\": \"pJ\"", "\"energy_unit\": \"pj\"");
    assert!(
        e.contains("at `hardware.energy_unit`: `pj` is not an SI energy unit"),
        "{e}"
    );
    let e = error_after("  \"network\":", "  \"netwrk\":");
    assert!(e.contains("at `netwrk`: unknown field `netwrk`"), "{e}");
}

#[test]
fn other_formats_and_other_files_are_refused() {
    let text = small_text();
    let e = from_text(
        &text.replacen("nnc-schedule/2", "nnc-schedule/9", 1),
        "b.json",
    )
    .unwrap_err();
    assert!(matches!(e, ReadError::UnknownFormat { .. }), "{e}");
    // Version 1 (before pipelining) still reads: without the segments,
    // places and pipelining options, which default to none.
    let v1 = text.replacen("nnc-schedule/2", "nnc-schedule/1", 1);
    let mut doc: serde_json::Value = serde_json::from_str(&v1).unwrap();
    doc.as_object_mut().unwrap().remove("segments");
    for l in doc["layers"].as_array_mut().unwrap() {
        l.as_object_mut().unwrap().remove("place");
    }
    for k in ["interlayer", "save_writeback", "basic_interlayer"] {
        doc["options"].as_object_mut().unwrap().remove(k);
    }
    let old = from_text(&doc.to_string(), "v1.json").unwrap();
    assert!(old.segments.is_empty() && old.layers.iter().all(|l| l.place.is_none()));
    assert!(!old.options.interlayer);
    let e = from_text(&text[..text.len() / 2], "half.json").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("`half.json` is not a schedule file: EOF while parsing"),
        "{e}"
    );
    let e = from_text(&format!("{text}{{}}"), "two.json").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("`two.json` is not a schedule file: trailing characters"),
        "{e}"
    );
    let e =
        nnc::schedule::read::read(std::path::Path::new("tests/report/absent.json")).unwrap_err();
    assert!(e.is_io(), "{e}");
}

#[test]
fn a_schedule_converts_to_what_its_file_reads_back() {
    for (net, hw) in [
        ("nns/alex_net.nn", "tetris"),
        (
            "tests/fixtures/schedule/conv_pool.nn",
            "tests/report/clocked.toml",
        ),
    ] {
        let s = schedule(net, hw, 2);
        let text = nnc::schedule::to_text(&s).unwrap();
        let saved = nnc::schedule::read::SavedSchedule::from(&s);
        assert_eq!(saved, from_text(&text, net).unwrap(), "{net} on {hw}");
        assert_eq!(saved.to_text().unwrap(), text);
    }
}

#[test]
fn a_file_made_with_set_reads_back() {
    let dir = super::Dir::new("read-set");
    dir.schedule(
        "s.json",
        &[
            "tests/fixtures/schedule/conv_pool.nn",
            "--set",
            "node.gbuf_bytes=65536",
        ],
    );
    let text = std::fs::read_to_string(dir.path("s.json")).unwrap();
    let saved = from_text(&text, "s.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(saved.hardware.set, ["node.gbuf_bytes=65536"]);
    assert_eq!(saved.hardware.gbuf_bytes, 65536);
    assert_eq!(saved.to_text().unwrap(), text);
}
