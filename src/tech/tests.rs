//! Unit tests of the technology model: the tables' points come back
//! exactly, the physics' monotonicity holds, the formulas are the
//! documented ones (docs/model/technology.md).

use super::*;

/// The SRAM table's data rows as written in the file, parsed here without
/// the model's parser: (node, capacity, bits, ports, [area, read, write, leak]).
fn sram_rows() -> Vec<(String, u64, u32, u32, [f64; 4])> {
    include_str!("tables/sram.csv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("node,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let x = |i: usize| f[i].parse::<f64>().unwrap_or(f64::NAN);
            (
                f[0].to_owned(),
                f[1].parse().unwrap_or(0),
                f[2].parse().unwrap_or(0),
                f[3].parse().unwrap_or(0),
                [x(4), x(5), x(6), x(7)],
            )
        })
        .collect()
}

fn ports(n: u32) -> Ports {
    if n == 2 { Ports::Two } else { Ports::One }
}

/// The four numbers of a cost, in the table's column order.
fn fields(c: SramCost) -> [f64; 4] {
    [
        c.area_mm2,
        c.read_pj_per_word,
        c.write_pj_per_word,
        c.leakage_mw,
    ]
}

fn sram(node: ProcessNode, cap: u64, bits: u32, p: Ports) -> SramCost {
    Technology::new(node)
        .sram(Bytes(cap), WordBits(bits), p)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_committed_sram_point_comes_back_exactly() {
    let rows = sram_rows();
    assert_eq!(
        rows.len(),
        7 * 18 * 7 * 2,
        "one row per node, capacity, width, ports"
    );
    for (node, cap, bits, p, want) in rows {
        let node: ProcessNode = node.parse().unwrap_or_else(|e| panic!("{e}"));
        let got = fields(sram(node, cap, bits, ports(p)));
        assert_eq!(got, want, "{node} {cap} B {bits}-bit {p} port(s)");
    }
}

#[test]
fn sram_points_match_the_cacti_runs_written_in_the_table() {
    // Literal values of src/tech/tables/sram.csv (hwcomponents-cacti 1.0.40),
    // copied by hand: a regression check that does not read the file.
    let cases: [(ProcessNode, u64, u32, Ports, [f64; 4]); 5] = [
        (
            ProcessNode::Nm65,
            131_072,
            64,
            Ports::One,
            [0.89644, 59.3358, 49.595, 0.0216052],
        ),
        (
            ProcessNode::Nm45,
            1024,
            16,
            Ports::One,
            [0.003610035, 1.450683, 1.7128215, 3.762585e-05],
        ),
        (
            ProcessNode::Nm28,
            16 << 20,
            512,
            Ports::One,
            [22.37146, 881.6664, 859.5008, 1.2292256],
        ),
        (
            ProcessNode::Nm16,
            65536,
            32,
            Ports::Two,
            [0.09057987, 4.0082117, 2.85268446, 0.00591255837],
        ),
        (
            ProcessNode::Nm7,
            256,
            8,
            Ports::One,
            [5.21105888e-05, 0.0462865556, 0.0687242387, 2.16571299e-05],
        ),
    ];
    for (node, cap, bits, p, want) in cases {
        let got = fields(sram(node, cap, bits, p));
        assert_eq!(got, want, "{node} {cap} B {bits}-bit");
    }
}

#[test]
fn sram_energy_and_area_strictly_increase_with_capacity() {
    // The U-shape's ingredient: at a fixed word width a bigger SRAM costs
    // more per access (longer word and bit lines, a deeper H-tree).
    for node in ProcessNode::ALL {
        for bits in table::SRAM_WORD_BITS {
            for p in [Ports::One, Ports::Two] {
                let mut prev: Option<SramCost> = None;
                // Table points and the midpoints between them.
                for k in 0..(2 * table::SRAM_CAPACITIES.len() - 1) {
                    let cap = (256.0 * 2f64.powf(k as f64 / 2.0)).round() as u64;
                    let c = sram(node, cap, bits, p);
                    if let Some(q) = prev {
                        let at = format!("{node} {cap} B {bits}-bit {p:?}");
                        assert!(c.read_pj_per_word > q.read_pj_per_word, "read at {at}");
                        assert!(c.write_pj_per_word > q.write_pj_per_word, "write at {at}");
                        assert!(c.area_mm2 > q.area_mm2, "area at {at}");
                    }
                    prev = Some(c);
                }
            }
        }
    }
}

#[test]
fn a_smaller_node_costs_less_energy_and_area_for_the_same_sram() {
    for (cap, bits) in [(1024, 16), (110_592, 64), (24 << 20, 512)] {
        let costs: Vec<SramCost> = ProcessNode::ALL
            .iter()
            .map(|&n| sram(n, cap, bits, Ports::One))
            .collect();
        for w in costs.windows(2) {
            assert!(w[1].read_pj_per_word < w[0].read_pj_per_word, "{cap} B");
            assert!(w[1].area_mm2 < w[0].area_mm2, "{cap} B");
        }
    }
}

#[test]
fn between_points_the_sram_follows_the_power_law_of_its_neighbours() {
    let t = Technology::new(ProcessNode::Nm28);
    let lo = sram(ProcessNode::Nm28, 16 << 20, 512, Ports::One);
    let hi = sram(ProcessNode::Nm28, 32 << 20, 512, Ports::One);
    let mid = t
        .sram(Bytes::mib(24), WordBits(512), Ports::One)
        .unwrap_or_else(|e| panic!("{e}"));
    // docs/model/technology.md#interpolation: t = ln(24/16) / ln(32/16).
    let f = (1.5f64).ln() / 2f64.ln();
    let want = lo.read_pj_per_word.powf(1.0 - f) * hi.read_pj_per_word.powf(f);
    assert!((mid.read_pj_per_word - want).abs() < 1e-9 * want);
    let want = lo.area_mm2.powf(1.0 - f) * hi.area_mm2.powf(f);
    assert!((mid.area_mm2 - want).abs() < 1e-9 * want);
    // A width between grid points lies between its neighbours.
    let w24 = t.sram(Bytes::kib(64), WordBits(24), Ports::One);
    let w16 = sram(ProcessNode::Nm28, 65536, 16, Ports::One);
    let w32 = sram(ProcessNode::Nm28, 65536, 32, Ports::One);
    let w24 = w24.unwrap_or_else(|e| panic!("{e}"));
    assert!(w16.read_pj_per_word < w24.read_pj_per_word);
    assert!(w24.read_pj_per_word < w32.read_pj_per_word);
}

#[test]
fn sram_outside_the_tables_is_an_error_naming_the_range() {
    let t = Technology::new(ProcessNode::Nm45);
    let e = t.sram(Bytes(128), WordBits(16), Ports::One);
    assert_eq!(
        e.map_err(|e| e.to_string()),
        Err(
            "SRAM capacity of 128 B is outside the technology tables (256 B to 32 MiB); \
             below 256 B use a register file, above 32 MiB split the buffer"
                .to_owned()
        )
    );
    assert!(t.sram(Bytes::mib(33), WordBits(16), Ports::One).is_err());
    let e = t.sram(Bytes::kib(64), WordBits(1024), Ports::One);
    assert!(e.is_err_and(|e| e.to_string().contains("(8 bits to 512 bits)")));
    assert!(t.sram(Bytes::kib(64), WordBits(4), Ports::One).is_err());
}

#[test]
fn macs_are_horowitz_at_45nm() {
    // Horowitz ISSCC'14 (docs/model/technology.md#mac): 8-bit multiply
    // 0.2 pJ / 282 um^2 + 16-bit add 0.05 pJ / 67 um^2; 32-bit multiply
    // 3.1 pJ / 3,495 um^2 + two 32-bit adds 2 x 0.1 pJ / 2 x 137 um^2.
    let t = Technology::new(ProcessNode::Nm45);
    let m8 = t.mac(WordBits(8)).unwrap_or_else(|e| panic!("{e}"));
    let m32 = t.mac(WordBits(32)).unwrap_or_else(|e| panic!("{e}"));
    assert!((m8.pj_per_mac - 0.25).abs() < 1e-12);
    assert!((m8.area_mm2 - 349e-6).abs() < 1e-15);
    assert!((m32.pj_per_mac - 3.3).abs() < 1e-12);
    assert!((m32.area_mm2 - 3769e-6).abs() < 1e-15);
    // 16-bit: the multiplier on the power law between 8 and 32 bits
    // (0.2 * 15.5^0.5 pJ, 282 * (3495/282)^0.5 um^2) + a 32-bit add.
    let m16 = t.mac(WordBits(16)).unwrap_or_else(|e| panic!("{e}"));
    let e16 = 0.2 * 15.5f64.sqrt() + 0.1;
    let a16 = (282.0 * (3495.0f64 / 282.0).sqrt() + 137.0) * 1e-6;
    assert!((m16.pj_per_mac - e16).abs() < 1e-8 * e16);
    assert!((m16.area_mm2 - a16).abs() < 1e-8 * a16);
    let m12 = t.mac(WordBits(12)).unwrap_or_else(|e| panic!("{e}"));
    assert!(m8.pj_per_mac < m12.pj_per_mac && m12.pj_per_mac < m16.pj_per_mac);
    assert!(t.mac(WordBits(4)).is_err() && t.mac(WordBits(64)).is_err());
}

#[test]
fn macs_and_registers_shrink_with_the_node() {
    for w in ProcessNode::ALL.windows(2) {
        let (a, b) = (Technology::new(w[0]), Technology::new(w[1]));
        for bits in [8, 16, 32] {
            let (x, y) = (a.mac(WordBits(bits)), b.mac(WordBits(bits)));
            let (x, y) = (
                x.unwrap_or_else(|e| panic!("{e}")),
                y.unwrap_or_else(|e| panic!("{e}")),
            );
            assert!(
                y.pj_per_mac < x.pj_per_mac && y.area_mm2 < x.area_mm2,
                "{}",
                w[1]
            );
        }
        let x = a
            .register_file(Bytes(64), WordBits(16))
            .unwrap_or_else(|e| panic!("{e}"));
        let y = b
            .register_file(Bytes(64), WordBits(16))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(y.area_mm2 < x.area_mm2 && y.read_pj_per_word < x.read_pj_per_word);
    }
}

#[test]
fn a_flipflop_register_file_is_per_bit_costs_times_the_bits() {
    let t = Technology::new(ProcessNode::Nm65);
    let one = t
        .register_file(Bytes(1), WordBits(8))
        .unwrap_or_else(|e| panic!("{e}"));
    let rf = t
        .register_file(Bytes(512), WordBits(16))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!((rf.area_mm2 - 512.0 * one.area_mm2).abs() < 1e-12 * rf.area_mm2);
    assert!((rf.read_pj_per_word - 2.0 * one.read_pj_per_word).abs() < 1e-15);
    assert_eq!(rf.leakage_mw, None);
    assert!(t.register_file(Bytes(4096), WordBits(16)).is_err());
    assert!(t.register_file(Bytes(0), WordBits(16)).is_err());
    assert!(
        t.register_file(Bytes(1), WordBits(16)).is_err(),
        "a word larger than the file"
    );
}

#[test]
fn a_noc_hop_is_a_router_plus_a_link_linear_in_its_length() {
    let t = Technology::new(ProcessNode::Nm32);
    let h0 = t
        .noc_hop(WordBits(256), 0.0)
        .unwrap_or_else(|e| panic!("{e}"));
    let h2 = t
        .noc_hop(WordBits(256), 2.0)
        .unwrap_or_else(|e| panic!("{e}"));
    // ISAAC's router at 32 nm: 0.15 mm^2 and 20.74 pJ for 256 bits;
    // the wire: 0.2 pF/mm * (0.7 V)^2 per bit per mm.
    assert!((h0.router_area_mm2 - 0.15).abs() < 1e-9);
    assert!((h0.router_pj_per_word - 20.74).abs() < 1e-9);
    assert_eq!(h0.link_pj_per_word, 0.0);
    assert!((h2.link_pj_per_word - 256.0 * 2.0 * 0.2 * 0.49).abs() < 1e-9);
    assert_eq!(
        h2.pj_per_word(),
        h2.router_pj_per_word + h2.link_pj_per_word
    );
    assert!(t.noc_hop(WordBits(16), -1.0).is_err());
    assert!(t.noc_hop(WordBits(16), f64::NAN).is_err());
}

#[test]
fn dram_figures_are_the_cited_ones() {
    let t = Technology::new(ProcessNode::Nm28);
    let pj = |d| t.dram(d).pj_per_bit;
    assert_eq!(pj(DramInterface::Lpddr4), 8.0);
    assert_eq!(pj(DramInterface::Hbm2), 6.25);
    assert_eq!(pj(DramInterface::Hbm3), 4.05);
    assert_eq!(pj(DramInterface::Ddr3), 70.0);
    assert_eq!(pj(DramInterface::Lpddr), 40.0);
    assert_eq!(t.dram(DramInterface::Hbm2).pj_per_word(WordBits(16)), 100.0);
}

#[test]
fn the_area_roll_up_sums_its_components_per_node_and_chip() {
    let t = Technology::new(ProcessNode::Nm45);
    let design = Design {
        nodes: 16,
        pes_per_node: 196,
        word_bits: WordBits(16),
        regf: Bytes(512),
        regf_impl: RegfImpl::FlipFlop,
        gbuf: vec![Bytes(133_032), Bytes(0)],
        gbuf_word_bits: WordBits(64),
        gbuf_ports: Ports::One,
        noc_flit_bits: Some(WordBits(16)),
    };
    let a = t.area(&design).unwrap_or_else(|e| panic!("{e}"));
    let ok = |r: Result<f64, TechError>| r.unwrap_or_else(|e| panic!("{e}"));
    let mac = 196.0 * ok(t.mac(WordBits(16)).map(|m| m.area_mm2));
    let regf = 196.0
        * ok(t
            .register_file(Bytes(512), WordBits(16))
            .map(|r| r.area_mm2));
    let gbuf = ok(t
        .sram(Bytes(133_032), WordBits(64), Ports::One)
        .map(|s| s.area_mm2));
    let noc = ok(t.noc_hop(WordBits(16), 0.0).map(|h| h.router_area_mm2));
    assert_eq!(a.per_node[AreaComponent::Macs], mac);
    assert_eq!(a.per_node[AreaComponent::RegisterFiles], regf);
    assert_eq!(a.per_node[AreaComponent::GlobalBuffers], gbuf);
    assert_eq!(a.per_node[AreaComponent::Noc], noc);
    let per_node = mac + regf + gbuf + noc;
    assert!((a.per_node.total_mm2() - per_node).abs() < 1e-12 * per_node);
    assert!((a.total_mm2() - 16.0 * per_node).abs() < 1e-12 * per_node);
    assert_eq!(a.chip()[AreaComponent::Macs], 16.0 * mac);
    let names: Vec<&str> = a.per_node.iter().map(|(c, _)| c.name()).collect();
    assert_eq!(names, ["mac", "regf", "gbuf", "noc"]);
    // An SRAM register file, no NoC, no buffer.
    let bare = Design {
        regf_impl: RegfImpl::Sram,
        gbuf: vec![],
        noc_flit_bits: None,
        ..design
    };
    let b = t.area(&bare).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.per_node[AreaComponent::GlobalBuffers], 0.0);
    assert_eq!(b.per_node[AreaComponent::Noc], 0.0);
    let sram_rf = ok(t
        .sram(Bytes(512), WordBits(16), Ports::One)
        .map(|s| s.area_mm2));
    assert_eq!(b.per_node[AreaComponent::RegisterFiles], 196.0 * sram_rf);
}

#[test]
fn an_area_budget_buys_the_largest_sram_within_it() {
    let t = Technology::new(ProcessNode::Nm65);
    let area = |c: u64| sram(ProcessNode::Nm65, c, 16, Ports::One).area_mm2;
    // On a table point the budget buys that point exactly.
    let at = t.sram_capacity_within(area(131_072), WordBits(16), Ports::One);
    assert_eq!(at, Ok(Bytes(131_072)));
    let c = t.sram_capacity_within(0.5, WordBits(16), Ports::One);
    let c = c.unwrap_or_else(|e| panic!("{e}")).0;
    assert!(area(c) <= 0.5 && area(c + 1) > 0.5, "{c} B");
    // Outside the table's areas, or not a number: errors naming the range.
    let e = t.sram_capacity_within(1e-9, WordBits(16), Ports::One);
    assert!(e.is_err_and(|e| e.to_string().contains("(256 B)")));
    assert!(
        t.sram_capacity_within(1e6, WordBits(16), Ports::One)
            .is_err()
    );
    assert!(
        t.sram_capacity_within(f64::NAN, WordBits(16), Ports::One)
            .is_err()
    );
}

proptest::proptest! {
    /// Between any two capacities at any node and width, the larger SRAM
    /// costs more per access and more area: interpolation keeps the
    /// tables' monotonicity.
    #[test]
    fn a_larger_sram_always_costs_more(
        node in 0..ProcessNode::ALL.len(),
        bits in 8u32..=512,
        a in 256u64..=(32 << 20),
        b in 256u64..=(32 << 20),
    ) {
        proptest::prop_assume!(a != b);
        let (small, large) = (a.min(b), a.max(b));
        let node = ProcessNode::ALL[node];
        let s = sram(node, small, bits, Ports::One);
        let l = sram(node, large, bits, Ports::One);
        proptest::prop_assert!(l.read_pj_per_word > s.read_pj_per_word);
        proptest::prop_assert!(l.write_pj_per_word > s.write_pj_per_word);
        proptest::prop_assert!(l.area_mm2 > s.area_mm2);
    }
}
