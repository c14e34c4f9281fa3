"""Writes the ONNX test graphs of tests/onnx/, and the ONNX fixtures of the
diagnostics (tests/fixtures/onnx/X0xx.onnx, docs/diagnostics.md#onnx-models);
nnc's own tests never run this.

    python3 -m venv /tmp/onnxvenv && /tmp/onnxvenv/bin/pip install onnx==1.23.2
    /tmp/onnxvenv/bin/python tests/onnx/models/make_models.py

The graphs are built with onnx.helper, in the shape torch.onnx.export gives
with export_params=False: no weight data, every weight a graph input with a
declared shape, node names like torch's (`/features/features.1/conv/Conv`).
MobileNetV2 and ResNeXt-50 (32x4d) follow torchvision's definitions
(torchvision.models.mobilenet_v2, resnext50_32x4d); their published
multiply-accumulate counts (300M and 4.23G) check the importer.
"""
import os
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


class G:
    def __init__(self, name, shape, batch="batch"):
        self.nodes, self.inputs, self.inits, self.n = [], [], [], 0
        self.name = name
        self.inputs.append(helper.make_tensor_value_info("input", TensorProto.FLOAT, [batch] + shape))

    def t(self):
        self.n += 1
        return f"/{self.n}"

    def weight(self, name, dims):
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, dims))
        return name

    def node(self, op, ins, name, **attrs):
        out = name + "_output_0"
        self.nodes.append(helper.make_node(op, ins, [out], name=name, **attrs))
        return out

    def conv(self, x, cin, cout, k, s=1, p=0, g=1, name=None, d=1):
        name = name or f"/conv{self.t()}/Conv"
        w = self.weight(name.strip("/").replace("/", ".") + ".weight", [cout, cin // g, k, k])
        return self.node("Conv", [x, w], name, kernel_shape=[k, k], strides=[s, s],
                         pads=[p, p, p, p], group=g, dilations=[d, d])

    def bn(self, x, c, name):
        ps = [self.weight(f"{name}.{p}", [c]) for p in ("weight", "bias", "mean", "var")]
        return self.node("BatchNormalization", [x] + ps, name)

    def save(self, outputs, fname):
        # The outputs' shapes come from ONNX's own shape inference, as in a
        # torch export.
        graph = helper.make_graph(self.nodes, self.name, self.inputs, [], initializer=self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                  producer_name="nnc tests/onnx/models/make_models.py")
        inferred = onnx.shape_inference.infer_shapes(model).graph.value_info
        by_name = {v.name: v for v in inferred}
        missing = [o for o in outputs if o not in by_name]
        assert not missing, missing
        model.graph.output.extend(by_name[o] for o in outputs)
        onnx.checker.check_model(model, full_check=True)
        onnx.save(model, os.path.join(HERE, fname))


def mobilenet_v2():
    g = G("MobileNetV2", [3, 224, 224])
    x = g.conv("input", 3, 32, 3, 2, 1, name="/features/features.0/features.0.0/Conv")
    x = g.bn(x, 32, "/features/features.0/features.0.1/BatchNormalization")
    x = g.node("Clip", [x], "/features/features.0/features.0.2/Clip")
    cin, i = 32, 1
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for j in range(n):
            stride = s if j == 0 else 1
            pre = f"/features/features.{i}/conv"
            hidden = cin * t
            y = x
            if t != 1:
                y = g.conv(y, cin, hidden, 1, name=f"{pre}/conv.0/conv.0.0/Conv")
                y = g.node("Clip", [y], f"{pre}/conv.0/conv.0.2/Clip")
            y = g.conv(y, hidden, hidden, 3, stride, 1, g=hidden, name=f"{pre}/conv.{1 if t != 1 else 0}/conv.x.0/Conv")
            y = g.node("Clip", [y], f"{pre}/dw/Clip")
            y = g.conv(y, hidden, c, 1, name=f"{pre}/conv.{2 if t != 1 else 1}/Conv")
            if stride == 1 and cin == c:
                y = g.node("Add", [x, y], f"/features/features.{i}/Add")
            x, cin, i = y, c, i + 1
    x = g.conv(x, 320, 1280, 1, name="/features/features.18/features.18.0/Conv")
    x = g.node("Clip", [x], "/features/features.18/features.18.2/Clip")
    x = g.node("GlobalAveragePool", [x], "/GlobalAveragePool")
    x = g.node("Flatten", [x], "/Flatten", axis=1)
    x = g.node("Dropout", [x], "/classifier/classifier.0/Dropout")
    w = g.weight("classifier.1.weight", [1000, 1280])
    b = g.weight("classifier.1.bias", [1000])
    x = g.node("Gemm", [x, w, b], "/classifier/classifier.1/Gemm", transB=1)
    g.save([x], "mobilenet_v2.onnx")


def resnext50():
    g = G("ResNeXt50_32x4d", [3, 224, 224])
    x = g.conv("input", 3, 64, 7, 2, 3, name="/conv1/Conv")
    x = g.bn(x, 64, "/bn1/BatchNormalization")
    x = g.node("Relu", [x], "/relu/Relu")
    x = g.node("MaxPool", [x], "/maxpool/MaxPool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for li, (planes, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)], 1):
        width = planes * 2  # groups 32, width_per_group 4
        for b in range(blocks):
            s = stride if b == 0 else 1
            pre = f"/layer{li}/layer{li}.{b}"
            y = g.node("Relu", [g.conv(x, cin, width, 1, name=f"{pre}/conv1/Conv")], f"{pre}/relu/Relu")
            y = g.node("Relu", [g.conv(y, width, width, 3, s, 1, g=32, name=f"{pre}/conv2/Conv")], f"{pre}/relu_1/Relu")
            y = g.conv(y, width, planes * 4, 1, name=f"{pre}/conv3/Conv")
            short = x
            if b == 0:
                short = g.conv(x, cin, planes * 4, 1, s, name=f"{pre}/downsample/downsample.0/Conv")
            x = g.node("Relu", [g.node("Add", [y, short], f"{pre}/Add")], f"{pre}/relu_2/Relu")
            cin = planes * 4
    x = g.node("GlobalAveragePool", [x], "/avgpool/GlobalAveragePool")
    x = g.node("Flatten", [x], "/Flatten", axis=1)
    w = g.weight("fc.weight", [1000, 2048])
    x = g.node("Gemm", [x, w], "/fc/Gemm", transB=1)
    g.save([x], "resnext50_32x4d.onnx")


def small_cases():
    # Same-padding (TensorFlow style), a ceil-mode pool, a concat, a
    # reshape by a constant, a matmul with weights.
    g = G("Edges", [8, 16, 16], batch=1)
    w = g.weight("same.weight", [16, 8, 3, 3])
    a = g.node("Conv", ["input", w], "/same/Conv", kernel_shape=[3, 3], strides=[2, 2],
               auto_pad="SAME_UPPER")
    p = g.node("MaxPool", [a], "/ceil/MaxPool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    b = g.conv(a, 16, 16, 1, name="/branch/Conv")
    q = g.node("MaxPool", [b], "/ceil2/MaxPool", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    c = g.node("Concat", [p, q], "/cat/Concat", axis=1)
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [1, -1])
    g.inits.append(shape)
    r = g.node("Reshape", [c, "shape"], "/view/Reshape")
    w = g.weight("head.weight", [32 * 4 * 4, 10])
    m = g.node("MatMul", [r, w], "/head/MatMul")
    g.node("Softmax", [m], "/softmax/Softmax", axis=1)
    g.save([g.nodes[-1].output[0]], "edges.onnx")

    # PyTorch's ZeroPad2d before a convolution, and a mean over height and
    # width (a global pool) feeding a linear layer.
    g = G("PadReduce", [8, 16, 16])
    pads = helper.make_tensor("pads", TensorProto.INT64, [8], [0, 0, 1, 1, 0, 0, 1, 1])
    g.inits.append(pads)
    x = g.node("Pad", ["input", "pads"], "/pad/Pad")
    w = g.weight("c.weight", [16, 8, 3, 3])
    x = g.node("Conv", [x, w], "/c/Conv", kernel_shape=[3, 3])
    x = g.node("ReduceMean", [x], "/mean/ReduceMean", axes=[2, 3], keepdims=0)
    w = g.weight("fc.weight", [10, 16])
    x = g.node("Gemm", [x, w], "/fc/Gemm", transB=1)
    g.save([x], "pad_reduce.onnx")

    g = G("Decoder", [8, 16, 16])
    x = g.conv("input", 8, 8, 3, 1, 1, name="/enc/Conv")
    scales = helper.make_tensor("scales", TensorProto.FLOAT, [4], [1, 1, 2, 2])
    g.inits.append(scales)
    x = g.node("Resize", [x, "", "scales"], "/up/Resize", mode="nearest")
    g.save([x], "resize.onnx")

    # A product of two feature maps [N, C, H, W]: per channel, an H x W
    # matrix times another, which is not a product of token sequences.
    g = G("SpatialMatmul", [16, 16, 16])
    q = g.conv("input", 16, 16, 1, name="/q/Conv")
    k = g.conv("input", 16, 16, 1, name="/k/Conv")
    x = g.node("MatMul", [q, k], "/scores/MatMul")
    g.save([x], "spatial_matmul.onnx")

    # Transposed convolutions and resizes of a decoder (PyTorch's
    # ConvTranspose2d, nn.Upsample(scale_factor=2, mode="bilinear")).
    g = G("Upsampling", [8, 16, 16])
    a = g.weight("up.weight", [8, 4, 2, 2])
    a = g.node("ConvTranspose", ["input", a], "/up/ConvTranspose", kernel_shape=[2, 2],
               strides=[2, 2])
    b = g.weight("up4.weight", [8, 4, 4, 4])
    b = g.node("ConvTranspose", ["input", b], "/up4/ConvTranspose", kernel_shape=[4, 4],
               strides=[2, 2], pads=[1, 1, 1, 1])
    scales = helper.make_tensor("scales2", TensorProto.FLOAT, [4], [1, 1, 2, 2])
    g.inits.append(scales)
    c = g.node("Resize", ["input", "", "scales2"], "/bil/Resize", mode="linear")
    x = g.node("Concat", [a, b, c], "/cat/Concat", axis=1)
    x = g.conv(x, 16, 8, 3, 1, 1, name="/dec/Conv")
    g.save([x], "upsampling.onnx")

    attention()


def attention():
    """A ViT encoder block in torch.onnx.export's shape (opset 17): a
    patch embedding, pre-norm multi-head self-attention with q, k, v as
    separate linear layers (MatMul + Add, as torch exports nn.Linear on a
    [B, T, C] tensor), heads split by Reshape and Transpose, Q·Kᵀ scaled by
    a Div, Softmax, P·V, heads merged, the out projection, a residual, and
    the MLP with GELU decomposed into Erf (opset 17 has no Gelu)."""
    tokens, dim, heads, mlp = 16, 64, 4, 256
    d = dim // heads
    g = G("Attention", [3, 32, 32])
    w = g.weight("conv_proj.weight", [dim, 3, 8, 8])
    x = g.node("Conv", ["input", w], "/conv_proj/Conv", kernel_shape=[8, 8], strides=[8, 8])

    def const(name, ints, t=TensorProto.INT64):
        g.inits.append(helper.make_tensor(name, t, [len(ints)], ints))
        return name

    def scalar(name, v):
        g.inits.append(helper.make_tensor(name, TensorProto.FLOAT, [], [v]))
        return name

    x = g.node("Reshape", [x, const("flat_shape", [0, dim, tokens])], "/Reshape")
    x = g.node("Transpose", [x], "/Transpose", perm=[0, 2, 1])

    def ln(x, name):
        ps = [g.weight(f"{name}.{p}", [dim]) for p in ("weight", "bias")]
        return g.node("LayerNormalization", [x] + ps, f"/{name}/LayerNormalization", axis=-1)

    def linear(x, cin, cout, name):
        w = g.weight(f"{name}.weight", [cin, cout])
        y = g.node("MatMul", [x, w], f"/{name}/MatMul")
        return g.node("Add", [y, g.weight(f"{name}.bias", [cout])], f"/{name}/Add")

    heads_shape = const("heads_shape", [0, tokens, heads, d])
    merged_shape = const("merged_shape", [0, tokens, dim])
    h = ln(x, "ln_1")
    q = linear(h, dim, dim, "attn/q")
    k = linear(h, dim, dim, "attn/k")
    v = linear(h, dim, dim, "attn/v")
    q = g.node("Reshape", [q, heads_shape], "/attn/q/Reshape")
    q = g.node("Transpose", [q], "/attn/q/Transpose", perm=[0, 2, 1, 3])
    k = g.node("Reshape", [k, heads_shape], "/attn/k/Reshape")
    k = g.node("Transpose", [k], "/attn/k/Transpose", perm=[0, 2, 3, 1])
    v = g.node("Reshape", [v, heads_shape], "/attn/v/Reshape")
    v = g.node("Transpose", [v], "/attn/v/Transpose", perm=[0, 2, 1, 3])
    s = g.node("MatMul", [q, k], "/attn/MatMul")
    s = g.node("Div", [s, scalar("scale", float(d) ** 0.5)], "/attn/Div")
    s = g.node("Softmax", [s], "/attn/Softmax", axis=-1)
    c = g.node("MatMul", [s, v], "/attn/MatMul_1")
    c = g.node("Transpose", [c], "/attn/Transpose", perm=[0, 2, 1, 3])
    c = g.node("Reshape", [c, merged_shape], "/attn/Reshape")
    o = linear(c, dim, dim, "attn/out_proj")
    x = g.node("Add", [o, x], "/Add")
    h = ln(x, "ln_2")
    h = linear(h, dim, mlp, "mlp/0")
    e = g.node("Div", [h, scalar("sqrt2", 2.0 ** 0.5)], "/mlp/1/Div")
    e = g.node("Erf", [e], "/mlp/1/Erf")
    e = g.node("Add", [e, scalar("one", 1.0)], "/mlp/1/Add")
    e = g.node("Mul", [h, e], "/mlp/1/Mul")
    e = g.node("Mul", [e, scalar("half", 0.5)], "/mlp/1/Mul_1")
    h = linear(e, mlp, dim, "mlp/3")
    x = g.node("Add", [h, x], "/Add_1")
    g.save([x], "attention.onnx")

    # PyTorch's 3x3, stride 2, pad 1 convolution over an odd size: more
    # padding than nn_dataflow's rule allows, imported in `mode: floor`.
    g = G("OddPad", [8, 7, 7])
    x = g.conv("input", 8, 8, 3, 2, 1, name="/odd/Conv")
    g.save([x], "odd_pad.onnx")

    # A 3x3 convolution padded by 2 on each side: more than half the
    # kernel, which PyTorch does not allow either.
    g = G("OverPad", [8, 7, 7])
    x = g.conv("input", 8, 8, 3, 1, 2, name="/over/Conv")
    g.save([x], "over_pad.onnx")

    g = G("FreeSize", [3, "height", "width"])
    x = g.conv("input", 3, 8, 3, 1, 1, name="/c/Conv")
    g.save([x], "free_size.onnx")


def diagnostic_fixtures():
    """One model per ONNX diagnostic code (X001-X005)."""
    fixtures = os.path.join(HERE, "..", "..", "fixtures", "onnx")
    os.makedirs(fixtures, exist_ok=True)

    # X003: an input whose height and width are left free.
    g = G("FreeSize", [3, "height", "width"])
    x = g.conv("input", 3, 8, 3, 1, 1, name="/c/Conv")
    g.save([x], os.path.join(fixtures, "X003.onnx"))

    # X001: the same model cut short, as a copy interrupted midway leaves it.
    with open(os.path.join(fixtures, "X003.onnx"), "rb") as f:
        whole = f.read()
    with open(os.path.join(fixtures, "X001.onnx"), "wb") as f:
        f.write(whole[: len(whole) // 2])

    # X002: a graph whose only input is a weight with its data.
    g = G("WeightsOnly", [8])
    g.inputs = [helper.make_tensor_value_info("w", TensorProto.FLOAT, [8, 8])]
    g.inits.append(helper.make_tensor("w", TensorProto.FLOAT, [8, 8], [0.0] * 64))
    x = g.node("Relu", ["w"], "/relu/Relu")
    g.save([x], os.path.join(fixtures, "X002.onnx"))

    # X004: an operator nnc has no model of (an einsum in place of a 1x1
    # convolution).
    g = G("Einsum", [8, 16, 16])
    w = g.weight("proj.weight", [16, 8])
    x = g.node("Einsum", ["input", w], "/proj/Einsum", equation="bchw,oc->bohw")
    g.save([x], os.path.join(fixtures, "X004.onnx"))

    # X005: a 5-D input (a video clip: 3 channels, 8 frames of 32x32) read
    # by a 3-D convolution.
    g = G("Video", [3, 8, 32, 32])
    w = g.weight("stem.weight", [16, 3, 3, 3, 3])
    x = g.node("Conv", ["input", w], "/stem/Conv", kernel_shape=[3, 3, 3], pads=[1] * 6)
    g.save([x], os.path.join(fixtures, "X005.onnx"))


mobilenet_v2()
resnext50()
small_cases()
diagnostic_fixtures()
