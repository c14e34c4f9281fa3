//! Per-operand SRAMs in the hardware file (docs/hardware.md#per-operand-srams)
//! and the `tpu-v1` preset that uses them.

use super::*;
use crate::sched::machine::{DataKind, PerData};

fn sets(args: &[&str]) -> Vec<Set> {
    args.iter().map(|a| a.parse().unwrap()).collect()
}

/// The placed error parsing `text` gives: its problem, its message and
/// the text its span covers.
fn placed_error(text: &str) -> (Problem, String, Option<&str>) {
    let e = parse(text, "t").unwrap_err();
    let HwError::Invalid {
        span,
        message,
        problem,
        ..
    } = &e
    else {
        panic!("{e}");
    };
    (*problem, message.clone(), span.clone().map(|at| &text[at]))
}

#[test]
fn tpu_v1_has_per_operand_srams_each_half_usable() {
    let hw = load("tpu-v1").unwrap();
    assert_eq!(hw.dataflow, Dataflow::SystolicWs);
    assert_eq!((hw.pe_array, hw.word_bits), (Dim2::square(256), 8));
    let sram = hw.sram.unwrap();
    assert_eq!(
        (sram.ifmap_bytes, sram.filter_bytes, sram.ofmap_bytes),
        (24 << 20, 256 << 10, 4 << 20)
    );
    assert_eq!(hw.gbuf_bytes, (24 << 20) + (256 << 10) + (4 << 20));
    let node = hw.node_resource();
    // Double-buffered: half of each, in 8-bit words; order fil, ifm, ofm.
    let usable = PerData([128 << 10, 12 << 20, 2 << 20]);
    assert_eq!(node.sram, Some(usable));
    assert_eq!(node.size_gbuf, usable.0.iter().sum::<u64>());
}

#[test]
fn tpu_v1_energies_are_the_technology_model_at_28nm() {
    use crate::tech::{Bytes, DramInterface, Ports, ProcessNode, Technology, WordBits};
    let t = Technology::new(ProcessNode::Nm28);
    let reg = t.register_file(Bytes(1), WordBits(8)).unwrap();
    // Each SRAM read 64 bytes at a time, per byte.
    let sram = |bytes| {
        t.sram(bytes, WordBits(512), Ports::One)
            .unwrap()
            .read_pj_per_word
            / 64.0
    };
    let derived = [
        ("mac", t.mac(WordBits(8)).unwrap().pj_per_mac),
        ("regf", reg.read_pj_per_word),
        ("array", reg.write_pj_per_word),
        ("dram", t.dram(DramInterface::Ddr3).pj_per_bit * 8.0),
        ("sram.ifmap", sram(Bytes::mib(24))),
        ("sram.filter", sram(Bytes::kib(256))),
        ("sram.ofmap", sram(Bytes::mib(4))),
    ];
    let e = load("tpu-v1").unwrap().energy;
    let s = e.sram.unwrap();
    let file = [
        ("mac", e.mac),
        ("regf", e.regf),
        ("array", e.array),
        ("dram", e.dram),
        ("sram.ifmap", s.ifmap),
        ("sram.filter", s.filter),
        ("sram.ofmap", s.ofmap),
    ];
    for ((name, want), (_, got)) in derived.into_iter().zip(file) {
        // The file writes three significant digits.
        assert!(
            (got - want).abs() <= 0.005 * want,
            "{name}: {got} vs {want}"
        );
    }
}

#[test]
fn tpu_v1_prices_each_sram_its_own() {
    let hw = load("tpu-v1").unwrap();
    let s = hw.energy.sram.unwrap();
    // The 256 KiB weight FIFO and the 4 MiB accumulators cost less per
    // word than the 24 MiB Unified Buffer.
    assert!(s.filter < s.ofmap && s.ofmap < s.ifmap, "{s:?}");
    // The one figure for the buffer level is the dearest.
    assert_eq!(hw.energy.gbuf, s.ifmap);
    let cost = hw.cost();
    assert_eq!(cost.sram, Some(PerData([s.filter, s.ifmap, s.ofmap])));
    assert_eq!(cost.buffer(DataKind::Fil), 1.37);
    assert!(cost.buffer(DataKind::Fil) < cost.buffer(DataKind::Ifm));
    // One global buffer: every kind at its energy.
    let eyeriss = load("eyeriss").unwrap();
    assert_eq!(eyeriss.energy.sram, None);
    let cost = eyeriss.cost();
    assert_eq!(cost.sram, None);
    for d in DataKind::ALL {
        assert_eq!(cost.buffer(d), 6.0);
    }
}

/// A file of per-operand SRAMs priced by `[tech]`, with `energy` appended.
fn srams_with_tech(energy: &str) -> String {
    let (_, tpu) = PRESETS.iter().find(|(n, _)| *n == "tpu-v1").unwrap();
    let head = tpu.split("\n[energy]\n").next().unwrap();
    format!("{head}\n{energy}")
}

#[test]
fn tech_prices_each_sram_at_its_own_capacity() {
    use crate::tech::{Bytes, Ports, ProcessNode, Technology, WordBits};
    let t = Technology::new(ProcessNode::Nm28);
    // The mean of a read and a write, one 512-bit access per 64 words.
    let price = |bytes| {
        let c = t.sram(bytes, WordBits(512), Ports::One).unwrap();
        0.5 * (c.read_pj_per_word + c.write_pj_per_word) * 8.0 / 512.0
    };
    let hw = parse(&srams_with_tech(""), "t").unwrap();
    let s = hw.energy.sram.unwrap();
    assert_eq!(s.ifmap, price(Bytes::mib(24)));
    assert_eq!(s.filter, price(Bytes::kib(256)));
    assert_eq!(s.ofmap, price(Bytes::mib(4)));
    assert_eq!(hw.energy.gbuf, s.ifmap);
    let derived = &hw.tech.unwrap().derived;
    assert!(
        ["sram.ifmap", "sram.filter", "sram.ofmap"]
            .iter()
            .all(|k| derived.iter().any(|d| d == k)),
        "{derived:?}"
    );
    assert!(!derived.iter().any(|d| d == "gbuf"), "{derived:?}");
    // Explicit energies win, key by key.
    let hw = parse(
        &srams_with_tech(
            "[energy.sram]
filter = 0.5
",
        ),
        "t",
    )
    .unwrap();
    let s = hw.energy.sram.unwrap();
    assert_eq!((s.ifmap, s.filter), (price(Bytes::mib(24)), 0.5));
    // One energy for all three, as files before per-kind energies read.
    let hw = parse(
        &srams_with_tech(
            "[energy]
gbuf = 3.0
",
        ),
        "t",
    )
    .unwrap();
    assert_eq!((hw.energy.gbuf, hw.energy.sram), (3.0, None));
    for d in DataKind::ALL {
        assert_eq!(hw.cost().buffer(d), 3.0);
    }
    // A change of one SRAM's size moves only its energy.
    let set = sets(&["node.sram.filter_bytes=1 MiB"]);
    let big = parse_with(&srams_with_tech(""), "t", &set).unwrap();
    let b = big.energy.sram.unwrap();
    assert_eq!((b.ifmap, b.ofmap), (s.ifmap, price(Bytes::mib(4))));
    assert_eq!(b.filter, price(Bytes::mib(1)));
}

#[test]
fn sram_energies_are_written_and_read_back() {
    let hw = load("tpu-v1").unwrap();
    let json = serde_json::to_value(&hw).unwrap();
    let energy = &json["energy"];
    assert_eq!(energy["sram"]["filter"], 1.37);
    let back: Energy = serde_json::from_value(energy.clone()).unwrap();
    assert_eq!(back, hw.energy);
    // One global buffer: no `sram` key, and files without it read.
    let eyeriss = serde_json::to_value(load("eyeriss").unwrap()).unwrap();
    assert!(eyeriss["energy"].get("sram").is_none(), "{eyeriss}");
    let back: Energy = serde_json::from_value(eyeriss["energy"].clone()).unwrap();
    assert_eq!(back.sram, None);
}

#[test]
fn bad_or_contradictory_sram_energies_are_placed_errors() {
    // Per-kind energies for a node of one global buffer: at the table.
    let text = format!(
        "{}
[energy.sram]
filter = 1.0
",
        PRESETS[0].1
    );
    let (_, message, at) = placed_error(&text);
    assert!(message.contains("one global buffer"), "{message}");
    assert_eq!(at, Some("[energy.sram]"));
    let e = load_with("eyeriss", &sets(&["energy.sram.filter=1"])).unwrap_err();
    assert!(matches!(e, HwError::SetValue { .. }), "{e}");
    // One energy for all and each its own: at `gbuf`.
    let text = srams_with_tech(
        "[energy]
gbuf = 3.0
[energy.sram]
filter = 1.0
",
    );
    let (_, message, at) = placed_error(&text);
    assert!(message.contains("not both"), "{message}");
    assert_eq!(at, Some("gbuf"));
    // Without `[tech]`, each SRAM needs its energy: at the table.
    let (_, tpu) = PRESETS.iter().find(|(n, _)| *n == "tpu-v1").unwrap();
    let no_tech = tpu.replace(
        "[tech]
node = \"28nm\"
sram_word_bits = 512
",
        "",
    );
    assert_ne!(&no_tech, tpu);
    assert_eq!(
        parse(&no_tech, "t").unwrap().energy.sram.unwrap().filter,
        1.37
    );
    let text = no_tech.replace(
        "filter = 1.37
",
        "",
    );
    let (problem, message, at) = placed_error(&text);
    assert_eq!(problem, Problem::MissingKey);
    assert!(message.contains("missing `filter`"), "{message}");
    assert_eq!(at, Some("[energy.sram]"));
    // Neither: `gbuf` is missing, and the message names both ways.
    let text = no_tech
        .split("\n[energy.sram]\n")
        .next()
        .unwrap()
        .to_owned();
    let (_, message, _) = placed_error(&text);
    assert!(
        message.contains("`[energy] gbuf`") && message.contains("`[energy.sram]`"),
        "{message}"
    );
    // A negative energy: at its key, or naming the change.
    let text = tpu.replace("ofmap = 6.45", "ofmap = -1");
    let (_, message, at) = placed_error(&text);
    assert!(message.contains("non-negative energy"), "{message}");
    assert_eq!(at, Some("ofmap"));
    let e = load_with("tpu-v1", &sets(&["energy.sram.ofmap=-1"])).unwrap_err();
    let HwError::SetValue { set, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(set, "energy.sram.ofmap=-1");
    let hw = load_with("tpu-v1", &sets(&["energy.sram.filter=2"])).unwrap();
    assert_eq!(hw.cost().buffer(DataKind::Fil), 2.0);
}

#[test]
fn the_multi_array_example_loads() {
    let hw = load("hw/examples/tpu-2x2.toml").unwrap();
    assert_eq!(
        (hw.nodes, hw.pe_array),
        (Dim2::square(2), Dim2::square(128))
    );
    assert_eq!(
        hw.node_resource().sram,
        Some(PerData([32 << 10, 3 << 20, 512 << 10]))
    );
}

#[test]
fn a_change_of_one_sram_changes_only_its_kind() {
    let hw = load_with("tpu-v1", &sets(&["node.sram.filter_bytes=1 MiB"])).unwrap();
    assert_eq!(
        hw.node_resource().sram,
        Some(PerData([512 << 10, 12 << 20, 2 << 20]))
    );
}

#[test]
fn one_buffer_and_per_operand_srams_together_are_an_error_at_the_key() {
    let text = PRESETS[0].1.replace(
        "[dram]",
        "[node.sram]\nifmap_bytes = 1024\nfilter_bytes = 1024\nofmap_bytes = 1024\n\n[dram]",
    );
    let (_, message, at) = placed_error(&text);
    assert!(message.contains("not both"), "{message}");
    assert_eq!(at, Some("gbuf_bytes"));
    // The same from a change: it names the change.
    let e = load_with("eyeriss", &sets(&["node.sram.ifmap_bytes=1024"])).unwrap_err();
    assert!(matches!(e, HwError::SetValue { .. }), "{e}");
}

#[test]
fn some_of_the_three_srams_is_an_error_at_the_table() {
    let (_, tpu) = PRESETS.iter().find(|(n, _)| *n == "tpu-v1").unwrap();
    let text = tpu.replace("filter_bytes = \"256 KiB\"\n", "");
    assert_ne!(&text, tpu);
    let (problem, message, at) = placed_error(&text);
    assert_eq!(problem, Problem::MissingKey);
    assert!(message.contains("missing `filter_bytes`"), "{message}");
    assert_eq!(at, Some("[node.sram]"));
}

#[test]
fn neither_buffer_is_an_error_at_the_node_table() {
    let text = PRESETS[0].1.replace("gbuf_bytes = 131072\n", "");
    assert_ne!(text, PRESETS[0].1);
    let (_, message, at) = placed_error(&text);
    assert!(message.contains("missing `gbuf_bytes`"), "{message}");
    assert_eq!(at, Some("[node]"));
}
