//! Per-operand SRAMs in the hardware file (docs/hardware.md#per-operand-srams)
//! and the `tpu-v1` preset that uses them.

use super::*;
use crate::sched::machine::PerData;

fn sets(args: &[&str]) -> Vec<Set> {
    args.iter().map(|a| a.parse().unwrap()).collect()
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
    let ub = t.sram(Bytes::mib(24), WordBits(512), Ports::One).unwrap();
    let derived = [
        ("mac", t.mac(WordBits(8)).unwrap().pj_per_mac),
        ("regf", reg.read_pj_per_word),
        ("array", reg.write_pj_per_word),
        ("gbuf", ub.read_pj_per_word / 64.0),
        ("dram", t.dram(DramInterface::Ddr3).pj_per_bit * 8.0),
    ];
    let e = load("tpu-v1").unwrap().energy;
    let file = [
        ("mac", e.mac),
        ("regf", e.regf),
        ("array", e.array),
        ("gbuf", e.gbuf),
        ("dram", e.dram),
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
    let e = parse(&text, "t").unwrap_err();
    let HwError::Invalid { span, message, .. } = &e else {
        panic!("{e}");
    };
    assert!(message.contains("not both"), "{message}");
    let at = span.clone().unwrap();
    assert_eq!(&text[at], "gbuf_bytes");
    // The same from a change: it names the change.
    let e = load_with("eyeriss", &sets(&["node.sram.ifmap_bytes=1024"])).unwrap_err();
    assert!(matches!(e, HwError::SetValue { .. }), "{e}");
}

#[test]
fn some_of_the_three_srams_is_an_error_at_the_table() {
    let (_, tpu) = PRESETS.iter().find(|(n, _)| *n == "tpu-v1").unwrap();
    let text = tpu.replace("filter_bytes = \"256 KiB\"\n", "");
    assert_ne!(&text, tpu);
    let e = parse(&text, "t").unwrap_err();
    let HwError::Invalid {
        span,
        message,
        problem,
        ..
    } = &e
    else {
        panic!("{e}");
    };
    assert_eq!(*problem, Problem::MissingKey);
    assert!(message.contains("missing `filter_bytes`"), "{message}");
    assert_eq!(&text[span.clone().unwrap()], "[node.sram]");
}

#[test]
fn neither_buffer_is_an_error_at_the_node_table() {
    let text = PRESETS[0].1.replace("gbuf_bytes = 131072\n", "");
    assert_ne!(text, PRESETS[0].1);
    let e = parse(&text, "t").unwrap_err();
    let HwError::Invalid { span, message, .. } = &e else {
        panic!("{e}");
    };
    assert!(message.contains("missing `gbuf_bytes`"), "{message}");
    assert_eq!(&text[span.clone().unwrap()], "[node]");
}
