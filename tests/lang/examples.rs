//! Every example of docs/language.md, read from the page itself: each `nn`
//! block compiles (without warnings) once the test supplies what the page
//! elides (`...`) or leaves to context, and each rendered diagnostic is
//! exactly what the compiler prints. A new example on the page fails
//! [`every_nn_example_compiles`] until it is added to [`complete`].

use nnc::ir::{Network, Source};

fn compile(src: &str) -> Network {
    match nnc::lang::compile(src) {
        Ok((net, warnings)) => {
            assert!(
                warnings.is_empty(),
                "{}",
                nnc::diag::render(&warnings, "ex.nn", src)
            );
            net
        }
        Err(d) => panic!("{}", nnc::diag::render(&d, "ex.nn", src)),
    }
}

fn layer<'n>(net: &'n Network, name: &str) -> &'n nnc::ir::Layer {
    net.find(name)
        .map(|id| net.layer(id))
        .unwrap_or_else(|| panic!("no layer {name}"))
}

/// The page.
fn doc() -> String {
    std::fs::read_to_string(super::root().join("docs/language.md")).expect("docs/language.md")
}

/// The fenced blocks of `lang` in `text`, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    text.split(&fence)
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .map(str::to_string)
        .collect()
}

/// The `nn` example of the page whose first line starts with `first`.
fn example(first: &str) -> String {
    blocks(&doc(), "nn")
        .into_iter()
        .find(|b| b.starts_with(first))
        .unwrap_or_else(|| panic!("no example starting with {first:?} in docs/language.md"))
}

const INCEPTION_PRELUDE: &str = "network GoogLeNetPart\ninput data [192, 56]\n\
                                 pool2 = pool(data, kernel: 3, stride: 2, pad: 1)\n";
const BOTTLENECK_PRELUDE: &str = "network Res\ninput data [256, 56]\n\
                                  conv4_0 = conv(data, 1024, kernel: 1)\n";

/// An example as a whole file: what the page elides or leaves to context
/// filled in around the verbatim text.
fn complete(block: &str) -> String {
    let first = block.lines().next().unwrap_or_default();
    if first.starts_with("# AlexNet") {
        let elided = [
            "conv2_a = conv(pool1_a, 128, kernel: 5, pad: 2)\n\
             conv2_b = conv(pool1_b, 128, kernel: 5, pad: 2)\n\
             pool2_a = pool(conv2_a, kernel: 3, stride: 2)\n\
             pool2_b = pool(conv2_b, kernel: 3, stride: 2)",
            "conv3_b = conv(concat(pool2_a, pool2_b), 192, kernel: 3, pad: 1)\n\
             conv4_a = conv(conv3_a, 192, kernel: 3, pad: 1)\n\
             conv4_b = conv(conv3_b, 192, kernel: 3, pad: 1)\n\
             conv5_a = conv(conv4_a, 128, kernel: 3, pad: 1)\n\
             conv5_b = conv(conv4_b, 128, kernel: 3, pad: 1)\n\
             pool3_a = pool(conv5_a, kernel: 3, stride: 2)\n\
             pool3_b = pool(conv5_b, kernel: 3, stride: 2)",
        ];
        let parts: Vec<&str> = block.split("...\n").collect();
        assert_eq!(parts.len(), elided.len() + 1, "the tour's elisions");
        let mut src = parts[0].to_string();
        for (fill, rest) in elided.iter().zip(&parts[1..]) {
            src += fill;
            src += "\n";
            src += rest;
        }
        src
    } else if first.starts_with("# Ways to write")
        || first.starts_with("# MobileNetV2")
        || first.starts_with("# A transformer block")
        || first.starts_with("# EfficientNet's squeeze-and-excitation")
        || first.starts_with("# One head-split")
        || first.starts_with("# A U-Net decoder")
        || first.starts_with("# A decode step")
        || first.starts_with("# DeepLabV3-MobileNetV3 at 520x520")
        || first.starts_with("# Swin-T's first window attention")
        || first.starts_with("# ShuffleNetV2's unit")
        || first.starts_with("# GPT-2's fused attention projection")
    {
        block.to_string()
    } else if first.starts_with("block inception") {
        format!("{INCEPTION_PRELUDE}{block}")
    } else if first.starts_with("block bottleneck") {
        format!("{BOTTLENECK_PRELUDE}{block}")
    } else {
        panic!("an example docs/language.md has and this test does not know:\n{block}")
    }
}

#[test]
fn every_nn_example_compiles() {
    let examples = blocks(&doc(), "nn");
    assert_eq!(examples.len(), 14, "examples on the page");
    for block in examples {
        compile(&complete(&block));
    }
}

/// Every rendered diagnostic of the page is what the compiler prints for
/// the file it names, or, for a file not in the repository, for the
/// fixture of its code.
#[test]
fn every_diagnostic_example_is_the_compilers() {
    let mut seen = 0;
    for block in blocks(&doc(), "text") {
        let Some(code) = block.strip_prefix("error[").and_then(|r| r.get(..4)) else {
            continue;
        };
        let path = block
            .lines()
            .find_map(|l| l.trim().strip_prefix("┌─ "))
            .and_then(|l| l.split(':').next())
            .expect("a location line");
        let file = super::root().join(path);
        let file = if file.exists() {
            file
        } else {
            super::root().join(format!("tests/fixtures/errors/{code}.nn"))
        };
        let src = std::fs::read_to_string(&file).expect("the example's file");
        let d = nnc::lang::compile(&src).expect_err("an error");
        let out = nnc::diag::render(&d, path, &src);
        assert!(
            out.starts_with(&block),
            "docs/language.md shows\n{block}\nthe compiler prints\n{out}"
        );
        seen += 1;
    }
    assert_eq!(seen, 2, "diagnostic examples on the page");
}

/// The grouped example: the depthwise layer has one input channel per
/// output channel.
#[test]
fn depthwise_example() {
    let net = compile(&complete(&example("# MobileNetV2")));
    let dw = layer(&net, "dw");
    let nnc::ir::LayerShape::Conv(c) = dw.shape else {
        panic!("a conv")
    };
    assert_eq!((c.groups, c.nifm, c.nofm), (144, 144, 144));
    assert_eq!(dw.shape.total_ops(1), 144 * 28 * 28 * 9);
}

/// The attention example: per head (64 channels), Q·Kᵀ is 197 x 197 and
/// P·V is 197 x 64; both are inputs of each matmul.
#[test]
fn attention_example() {
    let net = compile(&complete(&example("# One head-split")));
    let scores = layer(&net, "scores");
    assert_eq!(scores.kind, nnc::ir::LayerKind::Matmul);
    // 12 heads x 197 keys, one row per query token.
    assert_eq!((scores.shape.nifm(), scores.shape.nofm()), (768, 12 * 197));
    assert_eq!(scores.shape.total_ops(1), 12 * 197 * 197 * 64);
    assert_eq!(scores.shape.weights(), 0);
    assert_eq!(
        scores.operand().map(|s| net.source_name(s.source)),
        Some("k"),
        "k is read as the filter"
    );
    assert_eq!(scores.data_inputs().len(), 1);
    let ctx = layer(&net, "ctx");
    assert_eq!((ctx.shape.nifm(), ctx.shape.nofm()), (12 * 197, 768));
    assert_eq!(ctx.shape.total_ops(1), 12 * 197 * 197 * 64);
    assert_eq!(ctx.operand().map(|s| net.source_name(s.source)), Some("v"));
    // The filter of one sample is the whole operand.
    assert_eq!(ctx.shape.total_filter_size(), 768 * 197);
}

/// The decoder example: each upsampling is a conv at its input's size
/// whose consumers read twice the size; MACs by hand.
#[test]
fn decoder_example() {
    let net = compile(&complete(&example("# A U-Net decoder")));
    let up = layer(&net, "up");
    assert_eq!(up.kind, nnc::ir::LayerKind::Deconv);
    // 2x2 taps of stride 2: one tap per output point per input channel.
    assert_eq!(up.shape.total_ops(1), 256 * 128 * 4 * 16 * 16);
    assert_eq!(up.shape.output(), (128, nnc::ir::Dim2::square(32)));
    assert_eq!(up.weights(), 256 * 128 * 4);
    let bil = layer(&net, "bil");
    assert_eq!(bil.kind, nnc::ir::LayerKind::Upsample);
    // 4 MACs per output point, no weights.
    assert_eq!(bil.shape.total_ops(1), 4 * 256 * 32 * 32);
    assert_eq!(bil.weights(), 0);
    let dec = layer(&net, "dec");
    assert_eq!(dec.shape.nifm(), 128 + 256 + 128);
}

#[test]
fn tour() {
    let net = compile(&complete(&example("# AlexNet")));
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

#[test]
fn blocks_instances_and_names() {
    let net = compile(&complete(&example("block inception")));
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

#[test]
fn bottleneck_with_default_and_repeat() {
    // The page's block, repeated 3 times (the page's line makes 5) and read
    // through qualified names.
    let block = example("block bottleneck");
    let block = block.split("\nconv4 =").next().expect("the block");
    let src = format!(
        "network Res\ninput data [256, 56]\n{block}\n\
         conv4 = repeat 3 bottleneck(data, 64)\nlast = fc(concat(conv4.2, conv4), 10)\n"
    );
    let net = compile(&src);
    let five = compile(&complete(&example("block bottleneck")));
    assert!(five.find("conv4.5.out").is_some() && five.find("conv4.6.out").is_none());
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
        vec![Source::Layer(out2).into(), Source::Layer(out3).into()]
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
fn pool_modes() {
    let net = compile(&complete(&example("# Ways to write")));
    let p1 = layer(&net, "p1");
    assert_eq!(p1.mode, nnc::ir::WindowMode::Floor);
    assert_eq!(
        (p1.shape.ofmap(), p1.shape.ifmap()),
        (nnc::ir::Dim2::square(15), nnc::ir::Dim2::square(31))
    );
    for p in ["p2", "p3"] {
        let l = layer(&net, p);
        assert_eq!(l.mode, nnc::ir::WindowMode::Exact);
        assert_eq!(l.shape.ofmap(), nnc::ir::Dim2::square(16));
        assert_eq!(l.shape.ifmap(), nnc::ir::Dim2::square(33));
    }
}

/// PyTorch's padding over an odd size, and ASPP's dilated padding, in
/// `mode: floor` (docs/language.md#the-padding-rule).
#[test]
fn floor_pads_half_the_kernel() {
    let net = compile(&complete(&example("# DeepLabV3-MobileNetV3 at 520x520")));
    let down = layer(&net, "down");
    assert_eq!(
        (down.shape.ofmap(), down.shape.ifmap()),
        (nnc::ir::Dim2::square(33), nnc::ir::Dim2::square(67))
    );
    assert_eq!(layer(&net, "aspp").shape.ofmap(), nnc::ir::Dim2::square(33));
}

/// Swin-T's window attention: the MACs of 64 windows of 49 tokens, each
/// run once per head and window (docs/language.md#window-attention).
#[test]
fn window_attention_example() {
    let net = compile(&complete(&example("# Swin-T's first window attention")));
    let scores = layer(&net, "scores");
    assert_eq!(scores.shape.nofm(), 3 * 49);
    assert_eq!(scores.shape.total_ops(1), 64 * 3 * 49 * 49 * 32);
    let nnc::ir::LayerShape::Conv(c) = scores.shape else {
        panic!("a matmul is a convolution");
    };
    assert_eq!((c.runs(), c.windows()), (3 * 64, 64));
    let ctx = layer(&net, "ctx");
    assert_eq!(ctx.shape.nofm(), 96);
    assert_eq!(ctx.shape.total_ops(1), 64 * 3 * 49 * 49 * 32);
}

/// ShuffleNetV2's unit reads halves of its input; GPT-2's fused
/// projection is read in three slices (docs/language.md#channel-slices).
#[test]
fn channel_slice_examples() {
    let net = compile(&complete(&example("# ShuffleNetV2's unit")));
    let a = layer(&net, "u1.a");
    assert_eq!(a.shape.nifm(), 58);
    assert_eq!(net.view_name(a.inputs[0]), "x[58:116]");
    // The second unit's halves are the first unit's parts, whole.
    let a2 = layer(&net, "u2.a");
    assert_eq!(net.view_name(a2.inputs[0]), "u1.d");
    let net = compile(&complete(&example("# GPT-2's fused attention projection")));
    let scores = layer(&net, "scores");
    let names: Vec<String> = scores.inputs.iter().map(|&v| net.view_name(v)).collect();
    assert_eq!(names, ["qkv[0:768]", "qkv[768:1536]"]);
    assert_eq!(scores.shape.total_ops(1), 12 * 128 * 128 * 64);
    let ctx = layer(&net, "ctx");
    assert_eq!(net.view_name(ctx.inputs[1]), "qkv[1536:2304]");
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
