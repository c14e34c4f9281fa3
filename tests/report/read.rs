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
    assert_eq!(saved.hardware.file.clock_mhz, Some(200.0));
    assert!(saved.totals.seconds.is_some_and(|s| s > 0.0));
    assert!(saved.totals.average_power_w.is_some());
    assert_eq!(saved.hardware.file.energy_unit.name(), "pJ");
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

/// The hardware object holds the hardware's keys and the word sizes; it
/// reads as one struct would: each error at the key's path, an unknown
/// key named against all of them.
#[test]
fn the_hardware_object_reads_as_one_struct() {
    let text = small_text();
    let bad = |from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        let bad = text.replacen(from, to, 1);
        let e = from_text(&bad, "bad.json").unwrap_err();
        let mut out = Vec::new();
        e.report(&bad).emit(false, &mut out).unwrap();
        (e.to_string(), String::from_utf8(out).unwrap())
    };
    // An unknown key, close to a word size: the suggestion finds it.
    let (e, shown) = bad("\"regf_words\"", "\"regf_word\"");
    assert!(
        e.starts_with("`bad.json`: at `hardware.regf_word`: unknown field `regf_word`, expected one of `name`, `word_bits`,"),
        "{e}"
    );
    assert!(
        e.contains(
            "`regf_words`, `gbuf_words`, `bus_width_words`, `dram_bandwidth_words_per_cycle`"
        ),
        "{e}"
    );
    assert!(shown.contains("did you mean `regf_words`?"), "{shown}");
    // An unknown key close to one of the hardware's own.
    let (_, shown) = bad("\"word_bits\"", "\"word_bit\"");
    assert!(shown.contains("did you mean `word_bits`?"), "{shown}");
    // A bad value of either kind, at its path.
    let (e, _) = bad("\"gbuf_words\": ", "\"gbuf_words\": -");
    assert!(
        e.contains("at `hardware.gbuf_words`: invalid value: integer `-"),
        "{e}"
    );
    let (e, _) = bad("\"regf_bytes\": ", "\"regf_bytes\": \"x\", \"y\": ");
    assert!(
        e.contains("at `hardware.regf_bytes`: invalid type: string \"x\""),
        "{e}"
    );
    // A missing word size, and one given twice.
    let (e, _) = bad("\"gbuf_words\": ", "\"x\": 0, \"gbuf_words\": ");
    assert!(e.contains("at `hardware.x`: unknown field `x`"), "{e}");
    let line = text.lines().find(|l| l.contains("\"gbuf_words\"")).unwrap();
    let (e, _) = bad(&format!("{line}\n"), "");
    assert!(
        e.contains("at `hardware`: missing field `gbuf_words`"),
        "{e}"
    );
    let (e, _) = bad("\"regf_words\": ", "\"regf_words\": 1, \"regf_words\": ");
    assert!(
        e.contains("at `hardware`: duplicate field `regf_words`"),
        "{e}"
    );
    // An unlimited DRAM bandwidth is written as null and reads back.
    let saved = from_text(&text, "ok.json").unwrap();
    assert!(
        saved
            .hardware
            .file
            .dram_bandwidth_bytes_per_cycle
            .is_infinite()
    );
    assert_eq!(saved.hardware.dram_bandwidth_words_per_cycle, None);
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
        let saved = s.read_back();
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
    assert_eq!(saved.hardware.file.set, ["node.gbuf_bytes=65536"]);
    assert_eq!(saved.hardware.file.gbuf_bytes, 65536);
    assert_eq!(saved.to_text().unwrap(), text);
}
