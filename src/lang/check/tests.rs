use super::*;
use crate::ir::{ConvShape, Dim2, LayerKind, LayerShape, Network, Source};

fn net(body: &str) -> Network {
    let src = format!("network T\n{body}\n");
    match crate::lang::compile(&src) {
        Ok((n, _)) => n,
        Err(d) => panic!("{}", crate::diag::render(&d, "t.nn", &src)),
    }
}

fn codes(body: &str) -> Vec<&'static str> {
    let src = format!("network T\n{body}\n");
    match crate::lang::compile(&src) {
        Ok((_, w)) => w
            .iter()
            .filter_map(|d| d.code.map(|c| c.as_str()))
            .collect(),
        Err(d) => d
            .iter()
            .filter_map(|d| d.code.map(|c| c.as_str()))
            .collect(),
    }
}

fn last(n: &Network) -> LayerShape {
    n.layers().last().expect("a layer").shape
}

#[test]
fn conv_output_size_and_derived_input() {
    // floor((224 + 2*2 - 11) / 4) + 1 = 55; derived input (55-1)*4 + 11 = 227.
    let n = net("input d [3, 224]\nc = conv(d, 48, kernel: 11, stride: 4, pad: 2)");
    let s = last(&n);
    assert_eq!(
        (s.ofmap(), s.ifmap()),
        (Dim2::square(55), Dim2::square(227))
    );
    // Rectangular kernels, strides and pads.
    let n = net("input d [3, 20, 30]\nc = conv(d, 8, kernel: (3, 1), stride: (1, 2), pad: (1, 0))");
    assert_eq!(last(&n).ofmap(), Dim2::new(20, 15));
}

#[test]
fn explicit_size_is_checked_by_the_padding_rule() {
    let n = net("input d [3, 224]\nc = conv(d, 64, kernel: 7, stride: 2, size: 112)");
    assert_eq!(last(&n).ifmap(), Dim2::square(229));
    assert_eq!(
        codes("input d [3, 224]\nc = conv(d, 64, kernel: 7, stride: 2, size: 100)"),
        ["E016"]
    );
}

#[test]
fn fc_kernel_is_the_whole_input() {
    let n = net("input d [256, 6]\nf = fc(d, 4096)");
    let s = last(&n);
    assert_eq!(
        (s.window(), s.ofmap(), s.nifm()),
        (Dim2::square(6), Dim2::square(1), 256)
    );
}

#[test]
fn pool_keeps_channels_and_strides_by_its_kernel() {
    let n = net("input d [64, 224]\np = pool(d, kernel: 2)");
    let s = last(&n);
    assert_eq!(
        (s.nifm(), s.nofm(), s.stride(), s.ofmap()),
        (64, 64, Dim2::square(2), Dim2::square(112))
    );
    // GoogLeNet's padded pooling: 112 -> 56 with pad 1 (derived input 113).
    let n = net("input d [64, 112]\np = pool(d, kernel: 3, stride: 2, pad: 1)");
    assert_eq!(
        (last(&n).ofmap(), last(&n).ifmap()),
        (Dim2::square(56), Dim2::square(113))
    );
}

#[test]
fn eltwise_reads_nreg_times_its_channels() {
    let n = net("input d [8, 4]\na = conv(d, 8, kernel: 1)\ne = eltwise(d, a, d)");
    let l = n.layers().last().expect("layer");
    assert_eq!(l.kind, LayerKind::Eltwise);
    assert_eq!(
        (l.shape.nifm(), l.shape.nofm(), l.shape.ops_per_neuron()),
        (24, 8, 3)
    );
    assert_eq!(l.inputs.len(), 3);
}

#[test]
fn concat_adds_channels_in_order() {
    let n = net("input d [3, 8]\na = conv(d, 5, kernel: 1)\nc = conv(concat(a, d), 2, kernel: 1)");
    let l = n.layers().last().expect("layer");
    assert_eq!(l.shape.nifm(), 8);
    assert_eq!(
        l.inputs,
        vec![
            Source::Layer(crate::ir::LayerId(0)).into(),
            Source::Input.into()
        ]
    );
}

#[test]
fn shape_errors() {
    assert_eq!(codes("input d [3, 5]\nc = conv(d, 8, kernel: 7)"), ["E014"]);
    assert_eq!(
        codes("input d [3, 5]\nc = conv(d, 8, kernel: 3, pad: 4)"),
        ["E016"]
    );
    assert_eq!(codes("input d [3, 5]\nc = conv(d, 0, kernel: 3)"), ["E015"]);
    assert_eq!(
        codes("input d [3, 5]\nc = conv(d, 8, kernel: 3, stride: (1, 0))"),
        ["E015"]
    );
    assert_eq!(
        codes("input d [3, 5]\nc = fc(d, 4611686018427387904)"),
        ["E017"]
    );
    assert_eq!(
        codes("input d [3, 4611686018427387904, 4]\nc = fc(d, 1)"),
        ["E017"]
    );
}

#[test]
fn quantities_are_bounded() {
    let s = LayerShape::Conv(ConvShape::dense(
        1 << 30,
        1 << 30,
        Dim2::square(1),
        Dim2::square(1),
        Dim2::square(1),
    ));
    assert!(!shape_fits(&s));
    assert!(shape_fits(&LayerShape::Conv(ConvShape::fc(
        4096,
        4096,
        Dim2::square(6)
    ))));
}

#[test]
fn suggestions() {
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(
        suggest("strid", ["kernel", "stride", "pad"]),
        Some("stride".into())
    );
    assert_eq!(suggest("c", ["a", "b"]), None);
    assert_eq!(suggest("zzzzzz", ["conv1"]), None);
}

#[test]
fn floor_mode_accepts_the_rows_past_the_last_window() {
    let n = net("input d [8, 32]\np = pool(d, kernel: 3, stride: 2, mode: floor)");
    let l = n.layers().last().expect("layer");
    assert_eq!(l.mode, crate::ir::WindowMode::Floor);
    assert_eq!(
        (l.shape.ofmap(), l.shape.ifmap()),
        (Dim2::square(15), Dim2::square(31))
    );
    assert_eq!(
        codes("input d [8, 32]\np = pool(d, kernel: 3, stride: 2)"),
        ["E016"]
    );
    // Half the kernel of padding on each side, as PyTorch allows, and no
    // more.
    let n = net("input d [8, 32]\np = pool(d, kernel: 3, stride: 3, pad: 1, mode: floor)");
    let l = n.layers().last().expect("layer");
    assert_eq!(l.shape.ofmap(), Dim2::square(11));
    assert_eq!(
        codes("input d [8, 32]\np = pool(d, kernel: 3, stride: 3, pad: 2, mode: floor)"),
        ["E016"]
    );
    assert_eq!(
        codes("input d [8, 32]\np = pool(d, kernel: 3, mode: flor)"),
        ["E040"]
    );
    assert_eq!(
        codes("input d [8, 32]\np = pool(d, kernel: 3, mode: 1)"),
        ["E040"]
    );
}

#[test]
fn new_structural_errors() {
    assert_eq!(codes("input d [8, 32]"), ["E038"]);
    assert_eq!(codes("input d [8, 32]\nlet k = 3"), ["E038"]);
    assert_eq!(
        codes("input d [8, 32]\nc = conv(d, 8, kernel: (3, 3, 3))"),
        ["E039"]
    );
    assert_eq!(
        codes("input d [8, 32]\nlet k = (1, 2, 3)\nc = fc(d, 8)"),
        ["E039"]
    );
    // Errors elsewhere are not followed by E038.
    assert_eq!(codes("input d [8, 32]\nc = conv(d, 8)"), ["E023"]);
}

#[test]
fn scale_is_its_map_and_reads_its_factors() {
    // Squeeze-and-excitation: the factors' layers are kept and count as
    // read (no W001), the scaled map is the depthwise layer itself.
    let body = "input d [8, 6]\n\
                dw = conv(d, 8, kernel: 3, pad: 1, groups: 8)\n\
                avg = pool(dw, kernel: 6)\n\
                fc1 = conv(avg, 2, kernel: 1)\n\
                fc2 = conv(fc1, 8, kernel: 1)\n\
                p = conv(scale(dw, relu(fc2)), 4, kernel: 1)";
    assert!(codes(body).is_empty(), "{:?}", codes(body));
    let n = net(body);
    let names: Vec<&str> = n.layers().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["dw", "avg", "fc1", "fc2", "p"]);
    let p = n.layer(n.find("p").expect("p"));
    assert_eq!(p.inputs, vec![Source::Layer(crate::ir::LayerId(0)).into()]);
}

#[test]
fn scale_needs_one_factor_per_channel() {
    let pre = "input d [8, 6]\nx = conv(d, 8, kernel: 1)\n";
    // Channels differ: E012; factors not 1x1: E013; one operand: E019.
    for (call, code) in [
        (
            "s = pool(d, kernel: 6)\nk = conv(s, 4, kernel: 1)\ny = conv(scale(x, k), 4, kernel: 1)",
            "E012",
        ),
        ("y = conv(scale(x, d), 4, kernel: 1)", "E013"),
        ("y = conv(scale(x), 4, kernel: 1)", "E019"),
    ] {
        assert_eq!(codes(&format!("{pre}{call}")), [code], "{call}");
    }
}
