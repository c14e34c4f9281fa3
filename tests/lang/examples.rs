//! Every example of the language design (`LANGUAGE.md`), as written. Where
//! the page elides lines (`...`) or leaves context out, the test supplies
//! it around the verbatim text.

use nnc::ir::{Network, Source};

fn compile(src: &str) -> Network {
    match nnc::lang::compile(src) {
        Ok((net, warnings)) => {
            assert!(
                warnings.is_empty(),
                "{}",
                nnc::lang::diag::render(&warnings, "ex.nn", src)
            );
            net
        }
        Err(d) => panic!("{}", nnc::lang::diag::render(&d, "ex.nn", src)),
    }
}

fn layer<'n>(net: &'n Network, name: &str) -> &'n nnc::ir::Layer {
    net.find(name)
        .map(|id| net.layer(id))
        .unwrap_or_else(|| panic!("no layer {name}"))
}

/// "A tour": AlexNet as two towers, with the elided lines filled in.
const TOUR: &str = "\
# AlexNet (Krizhevsky, Sutskever and Hinton, 2012), as two towers.
network AlexNet

input data [3, 224, 224]          # channels, height, width ([3, 224] = square)

conv1_a = conv(data, 48, kernel: 11, stride: 4, pad: 2)   # -> [48, 55, 55]
conv1_b = conv(data, 48, kernel: 11, stride: 4, pad: 2)
pool1_a = pool(conv1_a, kernel: 3, stride: 2)             # -> [48, 27, 27]
pool1_b = pool(conv1_b, kernel: 3, stride: 2)
ELIDED1
conv3_a = conv(concat(pool2_a, pool2_b), 192, kernel: 3, pad: 1)
ELIDED2
fc1 = fc(concat(pool3_a, pool3_b), 4096)   # kernel = the whole 6x6 input
fc2 = fc(fc1, 4096)
fc3 = fc(fc2, 1000)
";

#[test]
fn tour() {
    let src = TOUR
        .replace(
            "ELIDED1",
            "conv2_a = conv(pool1_a, 128, kernel: 5, pad: 2)\n\
             conv2_b = conv(pool1_b, 128, kernel: 5, pad: 2)\n\
             pool2_a = pool(conv2_a, kernel: 3, stride: 2)\n\
             pool2_b = pool(conv2_b, kernel: 3, stride: 2)",
        )
        .replace(
            "ELIDED2",
            "conv3_b = conv(concat(pool2_a, pool2_b), 192, kernel: 3, pad: 1)\n\
             conv4_a = conv(conv3_a, 192, kernel: 3, pad: 1)\n\
             conv4_b = conv(conv3_b, 192, kernel: 3, pad: 1)\n\
             conv5_a = conv(conv4_a, 128, kernel: 3, pad: 1)\n\
             conv5_b = conv(conv4_b, 128, kernel: 3, pad: 1)\n\
             pool3_a = pool(conv5_a, kernel: 3, stride: 2)\n\
             pool3_b = pool(conv5_b, kernel: 3, stride: 2)",
        );
    let net = compile(&src);
    assert_eq!(net.name(), "AlexNet");
    let c1 = layer(&net, "conv1_a");
    assert_eq!((c1.shape.nofm(), c1.shape.ofmap().h), (48, 55));
    assert_eq!(layer(&net, "pool1_a").shape.ofmap().h, 27);
    let fc1 = layer(&net, "fc1");
    assert_eq!(fc1.shape.window(), nnc::ir::Dim2::square(6));
    assert_eq!(fc1.inputs.len(), 2);
    // The tour is the shipped AlexNet.
    let shipped = std::fs::read_to_string(super::root().join("nns/alex_net.nn")).expect("file");
    assert_eq!(net.to_json(), compile(&shipped).to_json());
}

const INCEPTION: &str = "\
block inception(x, n1, n3r, n3, n5r, n5, np) {
  b1  = conv(x, n1, kernel: 1)
  b3r = conv(x, n3r, kernel: 1)
  b3  = conv(b3r, n3, kernel: 3, pad: 1)
  b5r = conv(x, n5r, kernel: 1)
  b5  = conv(b5r, n5, kernel: 5, pad: 2)
  bp  = conv(x, np, kernel: 1)           # pool projection
  out concat(b1, b3, b5, bp)
}

inc3a = inception(pool2, 64, 96, 128, 16, 32, 32)
inc3b = inception(inc3a, 128, 128, 192, 32, 96, 64)
pool3 = pool(inc3b, kernel: 3, stride: 2, pad: 1)
";

#[test]
fn blocks_instances_and_names() {
    let prelude = "network GoogLeNetPart\ninput data [192, 56]\n\
                   pool2 = pool(data, kernel: 3, stride: 2, pad: 1)\n";
    let net = compile(&format!("{prelude}{INCEPTION}"));
    let b3r = layer(&net, "inc3a.b3r");
    assert_eq!((b3r.shape.nifm(), b3r.shape.nofm()), (192, 96));
    let b1 = layer(&net, "inc3b.b1");
    assert_eq!(b1.shape.nifm(), 64 + 128 + 32 + 32);
    let p3 = layer(&net, "pool3");
    assert_eq!(
        (p3.shape.nofm(), p3.shape.ofmap().h),
        (128 + 192 + 96 + 64, 14)
    );
    assert_eq!(p3.inputs.len(), 4);
}

const BOTTLENECK: &str = "\
block bottleneck(x, mid, stride = 1) {
  a   = conv(x, mid, kernel: 1, stride: stride)
  b   = conv(a, mid, kernel: 3, pad: 1)
  c   = conv(b, 4 * mid, kernel: 1)
  out eltwise(x, c)
}
";

#[test]
fn bottleneck_with_default_and_repeat() {
    let src = format!(
        "network Res\ninput data [256, 56]\n{BOTTLENECK}\n\
         conv4 = repeat 3 bottleneck(data, 64)\nlast = fc(concat(conv4.2, conv4), 10)\n"
    );
    let net = compile(&src);
    // Instances are numbered from 1; an inline `out` call is named `out`.
    let a = layer(&net, "conv4.1.a");
    assert_eq!(
        (a.shape.nifm(), a.shape.nofm(), a.shape.stride().h),
        (256, 64, 1)
    );
    let out2 = net.find("conv4.2.out").expect("conv4.2.out");
    let out3 = net.find("conv4.3.out").expect("conv4.3.out");
    assert_eq!(
        layer(&net, "last").inputs,
        vec![Source::Layer(out2), Source::Layer(out3)]
    );
    let e = layer(&net, "conv4.3.out");
    assert_eq!((e.shape.nifm(), e.shape.nofm()), (512, 256));
}

#[test]
fn statements_of_the_table() {
    // header, input, extern, let, layers, block, instance, repeat, comments,
    // qualified names, multi-output blocks and integer expressions.
    let src = "\
network Table   # header
let width = 2 * (3 + 5) - 16 / 4   # 12
input data [width, 8]
extern state [width, 8, 8]

block cell(x, n) {
  extern c0 [n, 8]
  g = conv(concat(c0, x), n, kernel: 3, pad: 1)
  c = eltwise(c0, g)
  h = eltwise(c, g)
  out c: c, h: h
}

block res(x, k = 3) {
  y = conv(x, width, kernel: k, pad: (k - 1) / 2)
  out eltwise(x, y)
}

cell1 = cell(data, width)
mix = eltwise(state, cell1.h, cell1.c)
deep = repeat 2 res(mix, k: 5)
top = fc(concat(deep.1, deep, deep.2.y), 10)
";
    let net = compile(src);
    assert_eq!(net.input().channels, 12);
    assert_eq!(
        net.externs()
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["state", "cell1.c0"]
    );
    assert_eq!(
        layer(&net, "deep.2.y").shape.window(),
        nnc::ir::Dim2::square(5)
    );
    assert_eq!(layer(&net, "mix").shape.nifm(), 36);
    assert_eq!(layer(&net, "top").shape.nifm(), 36);
}

#[test]
fn use_is_reported_as_unsupported() {
    let d = nnc::lang::compile("network N\nuse \"other.nn\"\ninput data [3]\nf = fc(data, 2)\n")
        .expect_err("unsupported");
    assert_eq!(
        d.iter()
            .filter_map(|d| d.code)
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        ["E036"]
    );
}

#[test]
fn diagnostic_example() {
    // LANGUAGE.md's example diagnostic: E012 with a label per input.
    let path = super::root().join("tests/fixtures/errors/E012.nn");
    let src = std::fs::read_to_string(path).expect("fixture");
    let d = nnc::lang::compile(&src).expect_err("E012");
    let out = nnc::lang::diag::render(&d, "nns/bad.nn", &src);
    for needle in [
        "error[E012]: input channels do not match",
        "┌─ nns/bad.nn:7:14",
        "5 │ c3 = conv(p2, 192, kernel: 3, pad: 1)",
        "`c3` has 192 channels",
        "`c4` has 128 channels",
        "^^^^^^ eltwise inputs must have equal channels",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in\n{out}");
    }
}

#[test]
fn readme_example() {
    let readme = std::fs::read_to_string(super::root().join("README.md")).expect("README");
    let mut blocks = readme.split("```nn\n").skip(1);
    let block = blocks
        .next()
        .and_then(|b| b.split("```").next())
        .expect("an nn block");
    let net = compile(block);
    assert_eq!(net.layers().len(), 17);
    assert_eq!(
        layer(&net, "head").shape.window(),
        nnc::ir::Dim2::square(16)
    );
}
