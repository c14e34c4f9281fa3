//! `[tech]` in the hardware file (docs/hardware.md#tech-the-technology-model):
//! energies and area derived from the technology model, key by key, and their checks.

use super::{HwError, HwWarning, Problem, Set, load, load_with, parse, parse_with};

/// A one-node hardware text in `node` (e.g. `45nm`) with no energies:
/// its name, word bits, PE array, register file bytes, buffer size
/// (a size text, e.g. `64 KiB`) and SRAM word bits.
fn one_node(
    name: &str,
    word_bits: u64,
    pe_array: [u64; 2],
    regf_bytes: u64,
    gbuf: &str,
    node: &str,
    sram_word_bits: u64,
) -> String {
    let [rows, cols] = pe_array;
    format!(
        r#"name = "{name}"
word_bits = {word_bits}

[nodes]
dims = [1, 1]
memory = "2d"

[node]
pe_array = [{rows}, {cols}]
regf_bytes = {regf_bytes}
gbuf_bytes = "{gbuf}"

[tech]
node = "{node}"
sram_word_bits = {sram_word_bits}
"#
    )
}

/// A 16x16 PE array with 512 B register files and a 64 KiB buffer read
/// 64 bits at a time, in 45 nm, with no energies.
fn t45() -> String {
    one_node("t45", 16, [16, 16], 512, "64 KiB", "45nm", 64)
}

/// The committed CACTI row `node,capacity,word,ports` of sram.csv: its
/// area, read and write energies, read from the table's text.
fn sram_row(key: &str) -> [f64; 3] {
    let text = include_str!("../tech/tables/sram.csv");
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{key},")))
        .unwrap_or_else(|| panic!("no row {key}"));
    let f: Vec<f64> = line
        .split(',')
        .skip(4)
        .map(|x| x.parse().unwrap())
        .collect();
    [f[0], f[1], f[2]]
}

fn invalid(e: HwError) -> (Option<String>, Problem, String, String) {
    match e {
        HwError::Invalid {
            span,
            problem,
            message,
            text,
            ..
        } => (span.map(|s| text[s].to_owned()), problem, message, text),
        other => panic!("expected an invalid file, got {other}"),
    }
}

#[test]
fn tech_derives_every_energy_the_file_leaves_out() {
    let hw = parse(&t45(), "t").unwrap();
    let tech = hw.tech.as_ref().unwrap();
    assert_eq!(tech.node.name(), "45nm");
    assert_eq!(tech.dram.name(), "lpddr4");
    assert_eq!(
        tech.derived,
        ["mac", "dram", "gbuf", "array", "regf", "noc_hop"]
    );
    // The buffer at a table point: exactly the committed CACTI row,
    // one 64-bit access (the mean of a read and a write) per four
    // 16-bit words.
    let [area, read, write] = sram_row("45nm,65536,64,1");
    assert_eq!(hw.energy.gbuf, 0.5 * (read + write) * 16.0 / 64.0);
    assert_eq!(hw.area.unwrap().chip_mm2.gbuf, area);
    // LPDDR4's 8 pJ per bit (docs/model/technology.md#dram).
    assert_eq!(hw.energy.dram, 8.0 * 16.0);
    // Bigger storage costs more per access and more area.
    let big = t45().replace("\"64 KiB\"", "\"1 MiB\"");
    let big = parse(&big, "t").unwrap();
    assert!(big.energy.gbuf > hw.energy.gbuf);
    assert!(big.area.unwrap().total_mm2 > hw.area.unwrap().total_mm2);
    // Static energy needs a clock and is not derived.
    assert_eq!(hw.energy.static_per_cycle, 0.0);
    for e in [
        hw.energy.mac,
        hw.energy.array,
        hw.energy.regf,
        hw.energy.noc_hop,
    ] {
        assert!(e > 0.0 && e.is_finite(), "{:?}", hw.energy);
    }
}

#[test]
fn explicit_energies_win_key_by_key() {
    let text = format!("{}\n[energy]\ngbuf = 7.5\ndram = 100\n", t45());
    let hw = parse(&text, "t").unwrap();
    assert_eq!((hw.energy.gbuf, hw.energy.dram), (7.5, 100.0));
    let derived = &hw.tech.unwrap().derived;
    assert_eq!(derived, &["mac", "array", "regf", "noc_hop"]);
    // The model's pJ in the file's unit.
    let nj = t45().replace("word_bits = 16", "word_bits = 16\nenergy_unit = \"nJ\"");
    let pj = parse(&t45(), "t").unwrap().energy;
    let nj = parse(&nj, "t").unwrap().energy;
    assert!((nj.gbuf * 1e3 - pj.gbuf).abs() <= 1e-12 * pj.gbuf);
    // A unit of the file's own cannot take pJ: the unit is blamed.
    let own = t45().replace("word_bits = 16", "word_bits = 16\nenergy_unit = \"MAC\"");
    let (span, problem, message, _) = invalid(parse(&own, "t").unwrap_err());
    assert_eq!(
        (span.as_deref(), problem),
        (Some("energy_unit"), Problem::BadValue)
    );
    assert!(message.contains("not an SI energy unit"), "{message}");
}

#[test]
fn the_presets_keep_their_energies_and_get_an_area() {
    for name in super::preset_names() {
        let hw = load(name).unwrap();
        let tech = hw.tech.as_ref().unwrap_or_else(|| panic!("{name}"));
        assert!(tech.derived.is_empty(), "{name}: {:?}", tech.derived);
        let area = hw.area.unwrap_or_else(|| panic!("{name} has no area"));
        assert!(area.total_mm2 > 0.0, "{name}");
    }
    let eyeriss = load("eyeriss").unwrap();
    assert_eq!(eyeriss.energy.gbuf, 6.0);
    // A change of node moves the area, not the energies.
    let set: Set = "tech.node=28nm".parse().unwrap();
    let at28 = load_with("eyeriss", &[set]).unwrap();
    assert_eq!(at28.energy, eyeriss.energy);
    assert!(at28.area.unwrap().total_mm2 < eyeriss.area.unwrap().total_mm2);
}

#[test]
fn without_tech_the_energies_are_required() {
    let text = t45().replace("[tech]\nnode = \"45nm\"\nsram_word_bits = 64\n", "");
    let (_, problem, message, _) = invalid(parse(&text, "t").unwrap_err());
    assert_eq!(problem, Problem::MissingKey);
    assert!(message.contains("missing field `mac`"), "{message}");
    assert!(message.contains("[tech] node"), "{message}");
    // `--set tech.node=...` gives a file without `[tech]` one.
    let set: Set = "tech.node=65nm".parse().unwrap();
    let hw = parse_with(&text, "t", &[set]).unwrap();
    assert_eq!(hw.tech.unwrap().node.name(), "65nm");
}

#[test]
fn bad_tech_values_point_at_their_key() {
    for (from, to, key, says) in [
        (
            "node = \"45nm\"",
            "node = \"45mm\"",
            "node",
            "did you mean `45nm`?",
        ),
        (
            "node = \"45nm\"",
            "node = \"40nm\"",
            "node",
            "`65nm`, `45nm`",
        ),
        (
            "node = \"45nm\"",
            "node = \"45nm\"\ndram = \"lpdr4\"",
            "dram",
            "did you mean `lpddr4`?",
        ),
        (
            "\"64 KiB\"",
            "\"64 MiB\"",
            "gbuf_bytes",
            "SRAM capacity of 64 MiB is outside the technology tables (256 B to 32 MiB)",
        ),
        (
            "sram_word_bits = 64",
            "sram_word_bits = 1024",
            "sram_word_bits",
            "8 bits to 512 bits",
        ),
        (
            "regf_bytes = 512",
            "regf_bytes = 1000000000",
            "regf_bytes",
            "32 MiB",
        ),
    ] {
        let text = t45().replace(from, to);
        assert_ne!(text, t45());
        let (span, _, message, _) = invalid(parse(&text, "t").unwrap_err());
        assert_eq!(span.as_deref(), Some(key), "{message}");
        assert!(message.starts_with(&format!("`{key}`: ")), "{message}");
        assert!(message.contains(says), "{message}");
    }
    // A size outside the tables with every energy given: a warning,
    // and no area rather than a wrong one.
    let text = format!(
        "{}\n[energy]\nmac = 1\ndram = 1\ngbuf = 1\narray = 1\nregf = 1\nnoc_hop = 0\n",
        t45().replace("\"64 KiB\"", "\"64 MiB\"")
    );
    let hw = parse(&text, "t").unwrap();
    assert_eq!(hw.area, None);
    let [HwWarning::NoArea { why, span, .. }] = &hw.warnings[..] else {
        panic!("{:?}", hw.warnings);
    };
    assert!(why.starts_with("`gbuf_bytes`: "), "{why}");
    assert_eq!(&text[span.clone().unwrap()], "gbuf_bytes");
    // Made so by a change: the change is named, not the file's line.
    let set: Set = "node.gbuf_bytes=64".parse().unwrap();
    let hw = load_with("eyeriss", &[set]).unwrap();
    let [HwWarning::NoArea { why, span, .. }] = &hw.warnings[..] else {
        panic!("{:?}", hw.warnings);
    };
    assert!(why.starts_with("`node.gbuf_bytes=64`: "), "{why}");
    assert_eq!(*span, None);
}

/// The `eyeriss-chip` preset's area through the hardware file, against
/// the published core (docs/model/technology.md#calibration).
#[test]
fn eyeriss_chip_preset_area_within_25_percent_of_the_core() {
    // JSSC'17, chip summary: a 3.5 mm x 3.5 mm core.
    const CORE_MM2: f64 = 12.25;
    let area = load("eyeriss-chip").unwrap().area.unwrap();
    let diff = (area.total_mm2 - CORE_MM2) / CORE_MM2;
    println!(
        "eyeriss-chip: model {:.2} mm^2 vs published {CORE_MM2} mm^2 ({:+.1}%)",
        area.total_mm2,
        100.0 * diff
    );
    assert!(diff.abs() <= 0.25, "{area:?}");
}

/// TPU v1 (ISCA'17, 28 nm) as a hardware file: the Unified Buffer's
/// share of buffer plus matrix unit against the floor plan's
/// 29 / (29 + 24) (docs/model/technology.md#calibration).
#[test]
fn tpu_v1_shares_through_a_hardware_file() {
    let text = one_node("tpu-v1", 8, [256, 256], 2, "24 MiB", "28nm", 512);
    let a = parse(&text, "tpu").unwrap().area.unwrap().chip_mm2;
    let model = a.gbuf / (a.gbuf + a.mac + a.regf);
    let paper = 0.29 / (0.29 + 0.24);
    println!(
        "TPU v1: buffer share model {:.1}% vs paper {:.1}% ({:+.1} points)",
        100.0 * model,
        100.0 * paper,
        100.0 * (model - paper)
    );
    assert!(a.gbuf > a.mac + a.regf);
    assert!((model - paper).abs() <= 0.25, "{model} vs {paper}");
}
