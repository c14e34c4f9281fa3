//! The operators of two activations and of upsampling: what each lowers
//! to, with expected numbers from hand calculation, and each of their
//! mistakes' codes.

use nnc::diag::Code;
use nnc::ir::{Dim2, LayerKind, Network};

const HEAD: &str = "network t\ninput x [64, 16, 1]\nq = conv(x, 64, kernel: 1)\n\
                    k = conv(x, 64, kernel: 1)\nv = conv(x, 64, kernel: 1)\n";

fn compile(src: &str) -> Network {
    match nnc::lang::compile(src) {
        Ok((net, warnings)) => {
            assert!(warnings.is_empty(), "{warnings:?}");
            net
        }
        Err(d) => panic!("{}", nnc::diag::render(&d, "t.nn", src)),
    }
}

fn codes(src: &str) -> Vec<Code> {
    match nnc::lang::compile(src) {
        Ok((_, w)) => w.iter().filter_map(|d| d.code).collect(),
        Err(d) => d.iter().filter_map(|d| d.code).collect(),
    }
}

#[test]
fn attention_matmuls_have_the_products_sizes() {
    // 4 heads of 16 channels over 16 tokens: Q Kᵀ is 4 x (16 x 16) per
    // sample, 16 * 16 * 16 MACs per head; P V is 4 x (16 x 16) again.
    let net = compile(&format!(
        "{HEAD}s = matmul(q, k, contract: channels, groups: 4)\n\
         c = matmul(softmax(s), v, contract: tokens, groups: 4)\n"
    ));
    let s = net.layer(net.find("s").unwrap());
    assert_eq!(s.kind, LayerKind::Matmul);
    assert_eq!((s.shape.nifm(), s.shape.nofm()), (64, 4 * 16));
    assert_eq!(s.shape.total_ops(1), 4 * 16 * 16 * 16);
    let c = net.layer(net.find("c").unwrap());
    assert_eq!((c.shape.nifm(), c.shape.nofm()), (64, 64));
    assert_eq!(c.shape.total_ops(1), 4 * 16 * 16 * 16);
    // No weights, and both operands are read (no W001 for k or v).
    assert_eq!(s.weights() + c.weights(), 0);
    let names: Vec<&str> = c
        .inputs
        .iter()
        .map(|&i| net.source_name(i.source))
        .collect();
    assert_eq!(names, ["s", "v"]);
}

#[test]
fn a_matmul_of_one_group_is_a_whole_product() {
    // contract: tokens over b of 16 tokens: a's 16 channels are contracted.
    let src = "network t\ninput x [16, 4, 4]\nb = conv(x, 8, kernel: 1)\n\
               m = matmul(x, b, contract: tokens)\n";
    let net = compile(src);
    let m = net.layer(net.find("m").unwrap());
    assert_eq!((m.shape.nofm(), m.shape.ofmap()), (8, Dim2::square(4)));
    assert_eq!(m.shape.total_ops(1), 16 * 8 * 16);
}

#[test]
fn matmul_mistakes_have_their_codes() {
    let bad = [
        // No `contract`.
        ("s = matmul(q, k, groups: 4)", Code::MissingArg),
        ("s = matmul(q, k, contract: rows)", Code::BadChoice),
        // 4 heads of 16: the tokens (16) match, but 3 does not divide 64.
        (
            "s = matmul(q, k, contract: channels, groups: 3)",
            Code::GroupsDivide,
        ),
        // v has 16 tokens, and 64 / 2 = 32 channels per group are contracted.
        (
            "c = matmul(q, v, contract: tokens, groups: 2)",
            Code::MatmulSizes,
        ),
        // 32 channels where 64 are contracted.
        (
            "p = conv(x, 32, kernel: 1)\ns = matmul(q, p, contract: channels)",
            Code::MatmulSizes,
        ),
        (
            "s = matmul(q, concat(k, v), contract: tokens, groups: 4)",
            Code::MatmulSizes,
        ),
    ];
    for (line, code) in bad {
        let found = codes(&format!("{HEAD}{line}\n"));
        assert!(found.contains(&code), "{line}: {found:?}");
    }
}

#[test]
fn upsampling_is_a_conv_at_the_inputs_size() {
    let net = compile(
        "network t\ninput x [8, 10]\n\
         n = upsample(x, scale: (2, 3))\n\
         d = deconv(x, 4, kernel: 4, stride: 2, pad: 1, groups: 2)\n\
         u = deconv(x, 4, kernel: 3, stride: 1, pad: 1)\n\
         out a: n, b: d, c: u\n",
    );
    let n = net.layer(net.find("n").unwrap());
    // 8 channels of 20x30: one MAC per output point.
    assert_eq!(n.shape.output(), (8, Dim2::new(20, 30)));
    assert_eq!(n.shape.total_ops(1), 8 * 20 * 30);
    let d = net.layer(net.find("d").unwrap());
    // (10 - 1) * 2 + 4 - 2 = 20: 4 channels of 20x20; every input point
    // of a group scatters 4 taps x 4 taps into 2 output channels.
    assert_eq!(d.shape.output(), (4, Dim2::square(20)));
    assert_eq!(d.shape.total_ops(1), 10 * 10 * 16 * 4 * 8 / 2);
    assert_eq!(d.weights(), 8 / 2 * 4 * 16);
    let u = net.layer(net.find("u").unwrap());
    // Stride 1: an ordinary conv of the same size.
    assert_eq!(u.shape.output(), (4, Dim2::square(10)));
    assert_eq!(u.shape.total_ops(1), 10 * 10 * 9 * 8 * 4);
}

#[test]
fn upsampling_mistakes_have_their_codes() {
    let bad = [
        ("u = upsample(x, scale: 0)", Code::OutOfRange),
        ("u = upsample(x, scale: 2, mode: cubic)", Code::BadChoice),
        ("u = upsample(x)", Code::MissingArg),
        (
            "u = deconv(x, 8, kernel: 2, stride: 2, pad: 9)",
            Code::OutOfRange,
        ),
        (
            "u = deconv(x, 6, kernel: 2, stride: 2, groups: 4)",
            Code::GroupsDivide,
        ),
    ];
    for (line, code) in bad {
        let found = codes(&format!("network t\ninput x [8, 4]\n{line}\n"));
        assert!(found.contains(&code), "{line}: {found:?}");
    }
}

/// Each way a `window` can miss its operands is E044, and the label says
/// which (docs/language.md#window-attention).
#[test]
fn window_attention_mistakes_say_what_misses() {
    let good = "network t\ninput x [32, 8, 8]\nq = conv(x, 32, kernel: 1)\n\
                k = conv(x, 32, kernel: 1)\n";
    let head = format!("{good}small = pool(x, kernel: 2)\n");
    let bad = [
        (
            "s = matmul(q, k, contract: channels, groups: 2, window: 3)",
            "3x3 windows do not tile 8x8",
        ),
        (
            "s = matmul(q, small, contract: channels, groups: 2, window: 4)",
            "the second operand is 4x4, the first 8x8",
        ),
        // 16 tokens per window, but 32 / 4 = 8 channels per group.
        (
            "s = matmul(q, k, contract: tokens, groups: 4, window: 4)",
            "a window has 16 tokens, where 8 are contracted",
        ),
        (
            "s = matmul(q, k, contract: channels, groups: 2, window: 4, cache: 3)",
            "a window attention with a KV cache",
        ),
    ];
    for (line, label) in bad {
        let src = format!("{head}{line}\n");
        let d = nnc::lang::compile(&src).expect_err(line);
        let codes: Vec<Code> = d.iter().filter_map(|d| d.code).collect();
        assert!(codes.contains(&Code::WindowAttention), "{line}: {codes:?}");
        let text = nnc::diag::render(&d, "t.nn", &src);
        assert!(text.contains(label), "{line}:\n{text}");
    }
    // The same windows, fitting: 4 windows of 16 tokens, 2 heads of 16.
    let net = compile(&format!(
        "{good}s = matmul(q, k, contract: channels, groups: 2, window: 4)\n\
         c = matmul(softmax(s), k, contract: tokens, groups: 2, window: 4)\n"
    ));
    let s = net.layer(net.find("s").unwrap());
    assert_eq!(s.shape.nofm(), 2 * 16);
    assert_eq!(s.shape.total_ops(1), 4 * 2 * 16 * 16 * 16);
    let c = net.layer(net.find("c").unwrap());
    assert_eq!(c.shape.total_ops(1), 4 * 2 * 16 * 16 * 16);
}

/// A slice of a concatenation is the parts it falls in, each cut to its
/// channels, in the sources' own numbering; a slice of a slice too
/// (docs/language.md#channel-slices).
#[test]
fn slices_cut_the_parts_they_fall_in() {
    let net = compile(
        "network t\ninput x [16, 4, 4]\na = conv(x, 8, kernel: 1)\nb = conv(x, 8, kernel: 1)\n\
         both = concat(a, b, x)\n\
         mid = both[4:12]\nc = conv(mid, 2, kernel: 1)\n\
         d = conv(mid[2:6], 2, kernel: 1)\ne = conv(both[:8], 2, kernel: 1)\n\
         f = conv(both[20:], 2, kernel: 1)\nout c1: c, d1: d, e1: e, f1: f\n",
    );
    let names = |n: &str| -> Vec<String> {
        let l = net.layer(net.find(n).unwrap());
        l.inputs.iter().map(|&v| net.view_name(v)).collect()
    };
    assert_eq!(names("c"), ["a[4:8]", "b[0:4]"]);
    assert_eq!(names("d"), ["a[6:8]", "b[0:2]"]);
    // All of `a`: no slice.
    assert_eq!(names("e"), ["a"]);
    assert_eq!(names("f"), ["x[4:16]"]);
    let c = net.layer(net.find("c").unwrap());
    assert_eq!(c.shape.nifm(), 8);
    assert_eq!(c.shape.total_ops(1), 8 * 2 * 16);
}

#[test]
fn slice_mistakes_have_their_codes() {
    let head = "network t\ninput x [16, 4, 4]\n";
    let bad = [
        ("c = conv(x[0:17], 2, kernel: 1)", Code::SliceRange),
        ("c = conv(x[16:], 2, kernel: 1)", Code::SliceRange),
        ("c = conv(x[5:5], 2, kernel: 1)", Code::EmptySlice),
        ("c = conv(x[9:3], 2, kernel: 1)", Code::EmptySlice),
        ("c = conv(x[1 - 2:], 2, kernel: 1)", Code::OutOfRange),
        ("let n = 3\nc = conv(n[0:1], 2, kernel: 1)", Code::WrongKind),
        ("c = conv(x[a:], 2, kernel: 1)", Code::UnknownName),
    ];
    for (line, code) in bad {
        let found = codes(&format!("{head}{line}\n"));
        assert_eq!(found, [code], "{line}");
    }
}
