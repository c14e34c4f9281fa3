//! The readers of SCALE-Sim's files: what they accept, and every error with
//! its place, as a user sees it (snapshots).

use nnc::DataKind;
use nnc::scalesim::{Dataflow, InterfaceBandwidth};
use nnc::scalesim::{ReadError, ReadErrorKind, TopologyKind, read_config, read_topology};

/// The error as a user reads it: the diagnostic nnc prints.
fn render(text: &str, e: &ReadError) -> String {
    e.report("file", text).to_string()
}

const CONV_HEADER: &str = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

#[test]
fn topology_errors() {
    let cases: &[(&str, String, TopologyKind)] = &[
        ("empty file", String::new(), TopologyKind::Auto),
        ("header only", CONV_HEADER.to_owned(), TopologyKind::Auto),
        (
            "no trailing comma",
            format!("{CONV_HEADER}conv1, 224, 224, 11, 11, 3, 96, 4\n"),
            TopologyKind::Auto,
        ),
        (
            "too few fields",
            format!("{CONV_HEADER}conv1, 224, 224, 11, 11, 3, 96,\n"),
            TopologyKind::Auto,
        ),
        (
            "gemm row in a conv file",
            format!("{CONV_HEADER}qkv, 128, 768, 768,\n"),
            TopologyKind::Auto,
        ),
        (
            "conv row forced to gemm",
            format!("{CONV_HEADER}conv1, 224, 224, 11, 11, 3, 96, 4,\n"),
            TopologyKind::Gemm,
        ),
        (
            "empty name",
            format!("{CONV_HEADER} , 224, 224, 11, 11, 3, 96, 4,\n"),
            TopologyKind::Auto,
        ),
        (
            "not a number",
            format!("{CONV_HEADER}conv1, 224, 224, 11, 11, 3, 9b, 4,\n"),
            TopologyKind::Auto,
        ),
        (
            "zero stride",
            format!("{CONV_HEADER}conv1, 224, 224, 11, 11, 3, 96, 0,\n"),
            TopologyKind::Auto,
        ),
        (
            "negative size",
            format!("{CONV_HEADER}conv1, -224, 224, 11, 11, 3, 96, 4,\n"),
            TopologyKind::Auto,
        ),
        (
            "filter larger than ifmap",
            format!("{CONV_HEADER}conv1, 224, 7, 11, 11, 3, 96, 4,\n"),
            TopologyKind::Auto,
        ),
        (
            "bad sparsity",
            format!("{CONV_HEADER}conv1, 224, 224, 11, 11, 3, 96, 4, 2-4,\n"),
            TopologyKind::Auto,
        ),
        (
            "second row",
            format!("{CONV_HEADER}c1, 15, 15, 3, 3, 16, 20, 1,\nc2, 15, 15, 3, 3, 16, 20, 1.5,\n"),
            TopologyKind::Auto,
        ),
        (
            "gemm zero",
            "Layer, M, N, K,\nqkv, 128, 0, 768,\n".to_owned(),
            TopologyKind::Auto,
        ),
    ];
    let mut out = String::new();
    for (name, text, kind) in cases {
        let e = read_topology(text, *kind).expect_err(name);
        out += &format!("----- {name}\n{}{}\n", indent(text), render(text, &e));
    }
    crate::lang::snapshot_settings()
        .bind(|| insta::assert_snapshot!("scalesim_topology_errors", out));
}

/// A valid config in SCALE-Sim's own layout, with `mode` as the interface
/// bandwidth.
fn config(mode: &str) -> String {
    format!(
        "[general]\nrun_name = test\n\n[architecture_presets]\nArrayHeight:    32\nArrayWidth:     16\n\
         IfmapSramSzkB:    64\nFilterSramSzkB:   32\nOfmapSramSzkB:    8\nIfmapOffset:    0\n\
         FilterOffset:   10000000\nOfmapOffset:    20000000\nBandwidth : 5, 7\nDataflow : os\n\
         ReadRequestBuffer: 32\nWriteRequestBuffer: 32\nMemoryBanks: 1\n\n[layout]\n\
         IfmapCustomLayout: False\nIfmapSRAMBankBandwidth: 10\nIfmapSRAMBankNum: 2\nIfmapSRAMBankPort: 2\n\
         FilterCustomLayout: False\nFilterSRAMBankBandwidth: 4\nFilterSRAMBankNum: 1\nFilterSRAMBankPort: 2\n\n\
         [sparsity]\nSparsitySupport : false\n\n[run_presets]\n; the mode\nInterfaceBandwidth: {mode}\n\
         UseRamulatorTrace: False\n"
    )
}

#[test]
fn a_config_reads_into_the_array() {
    let c = read_config(&config("USER")).unwrap();
    let a = c.array();
    assert_eq!((a.rows, a.cols, a.dataflow), (32, 16, Dataflow::Os));
    assert_eq!(a.sram_words[DataKind::Ifm], 64 * 1024);
    assert_eq!(a.sram_words[DataKind::Fil], 32 * 1024);
    assert_eq!(a.sram_words[DataKind::Ofm], 8 * 1024);
    assert_eq!(
        a.bandwidth,
        InterfaceBandwidth::User {
            ifmap: 10,
            filter: 4,
            ofmap: 5
        }
    );
    assert_eq!(c.bandwidths, [5, 7]);
    assert_eq!(c.offsets[DataKind::Fil], 10_000_000);
    let ignored: Vec<_> = c.ignored.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(ignored, ["[architecture_presets] MemoryBanks"]);
    // CALC ignores `Bandwidth`, and keys may be in any case.
    let c = read_config(
        &config("CALC")
            .replace("ArrayHeight", "arrayheight")
            .replace("5, 7", "x"),
    )
    .unwrap();
    assert_eq!(c.array().bandwidth, InterfaceBandwidth::Calc);
    assert_eq!(c.array_rows, 32);
    // `[DEFAULT]` fills in missing keys.
    let text = config("CALC").replace("Dataflow : os\n", "");
    let c = read_config(&format!("[DEFAULT]\nDataflow = is\n{text}")).unwrap();
    assert_eq!(c.dataflow, Dataflow::Is);
}

#[test]
fn config_errors() {
    let base = config("USER");
    // (case, text in the valid config, what replaces it)
    let edits: &[(&str, &str, &str)] = &[
        ("not a key", "ArrayWidth:     16", "ArrayWidth 16"),
        ("missing key with a typo", "ArrayHeight", "ArrayHieght"),
        (
            "missing section",
            "[sparsity]\nSparsitySupport : false\n",
            "",
        ),
        ("section in the wrong case", "[layout]", "[Layout]"),
        (
            "duplicate key",
            "ArrayWidth:     16",
            "ArrayWidth: 16\narraywidth: 8",
        ),
        (
            "continued value",
            "ArrayWidth:     16\n",
            "ArrayWidth:     16\n  IfmapSramSzkB: 3\n",
        ),
        (
            "comment after a value",
            "ArrayHeight:    32",
            "ArrayHeight:    32 # rows",
        ),
        ("zero rows", "ArrayHeight:    32", "ArrayHeight:    0"),
        ("negative offset", "IfmapOffset:    0", "IfmapOffset:    -5"),
        ("bad dataflow", "Dataflow : os", "Dataflow : WS"),
        (
            "bad mode",
            "InterfaceBandwidth: USER",
            "InterfaceBandwidth: user",
        ),
        ("bad bandwidth list", "5, 7", "5, fast"),
        (
            "bandwidth not divisible",
            "IfmapSRAMBankNum: 2",
            "IfmapSRAMBankNum: 3",
        ),
        (
            "sparsity on",
            "SparsitySupport : false",
            "SparsitySupport : true",
        ),
        (
            "custom layout on",
            "FilterCustomLayout: False",
            "FilterCustomLayout: yes",
        ),
        (
            "ramulator on",
            "UseRamulatorTrace: False",
            "UseRamulatorTrace: True",
        ),
        (
            "not a boolean",
            "UseRamulatorTrace: False",
            "UseRamulatorTrace: maybe",
        ),
    ];
    let mut cases: Vec<(&str, String)> = vec![
        ("empty file", String::new()),
        ("key outside a section", format!("run_name = x\n{base}")),
        (
            "duplicate section",
            format!("{base}[general]\nrun_name = again\n"),
        ),
    ];
    cases.extend(
        edits
            .iter()
            .map(|(name, from, to)| (*name, base.replace(from, to))),
    );
    let mut out = String::new();
    for (name, text) in &cases {
        let e = read_config(text).expect_err(name);
        out += &format!("----- {name}\n{}\n", render(text, &e));
    }
    crate::lang::snapshot_settings()
        .bind(|| insta::assert_snapshot!("scalesim_config_errors", out));
}

#[test]
fn a_config_error_names_the_missing_key() {
    let e = read_config(&config("CALC").replace("OfmapSramSzkB:    8\n", "")).unwrap_err();
    assert!(matches!(
        e.kind,
        ReadErrorKind::MissingKey {
            key: "OfmapSramSzkB",
            ..
        }
    ));
    assert_eq!(e.line, 4, "points at the section");
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  > {l}\n")).collect()
}
