"""Exports torchvision classification models to ONNX graphs without weights.

Writes tests/data/onnx/NAME.onnx for each model below and
tests/data/onnx/torchvision_counts.json with torchvision's published
counts for each (its weight enums' DEFAULT.meta: `_ops`, in GFLOPS, which
torchvision counts as multiply-accumulates, and `num_params`), read from
the installed torchvision source (no weights are downloaded), and the
exact multiply-accumulates torch's own counter (`torch.utils.flop_counter`)
finds in one 3x224x224 sample.

How the graphs were made (run once, in a throwaway venv; tests never need
Python):

    python3.11 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch torchvision onnx onnxscript
    /tmp/torchvenv/bin/python tests/data/onnx/export.py

with torch 2.15.0, torchvision 0.29.2, onnx 1.23.2 (the versions are
checked below, and written to the counts file).

Export settings: `export_params=False` (weights become graph inputs of
declared shapes, so each file is a few KB), a dynamic batch dimension, one
3x224x224 input (the classification models' default), the TorchScript
exporter (`dynamo=False`) at opset 17, models in eval mode (GoogLeNet
without its auxiliary classifiers, as in eval). Doc strings (source
locations) are stripped.
"""

import json
import os
import sys

import onnx
import torch
import torchvision

VERSIONS = {"torch": "2.15.0", "torchvision": "0.29.2", "onnx": "1.23.2"}

MODELS = [
    "alexnet",
    "resnet50",
    "vgg16",
    "mobilenet_v2",
    "resnext50_32x4d",
    "efficientnet_b0",
    "squeezenet1_1",
    "googlenet",
    "vit_b_16",
]

HERE = os.path.dirname(os.path.abspath(__file__))


def check_versions():
    got = {
        "torch": torch.__version__.split("+")[0],
        "torchvision": torchvision.__version__.split("+")[0],
        "onnx": onnx.__version__,
    }
    if got != VERSIONS:
        print(f"warning: versions {got} differ from the recorded {VERSIONS}", file=sys.stderr)
    return got


def build(name):
    # weights=None: an untrained model of the same architecture (no download).
    kwargs = {"weights": None}
    if name == "googlenet":
        # As in eval: no auxiliary classifiers. torchvision's pretrained
        # GoogLeNet also normalizes its input (transform_input).
        kwargs.update(aux_logits=False, init_weights=False, transform_input=True)
    return torchvision.models.get_model(name, **kwargs).eval()


def export(name):
    model = build(name)
    path = os.path.join(HERE, f"{name}.onnx")
    x = torch.zeros(1, 3, 224, 224)
    torch.onnx.export(
        model,
        (x,),
        path,
        dynamo=False,
        opset_version=17,
        export_params=False,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )
    m = onnx.load(path)
    m.doc_string = ""
    m.graph.doc_string = ""
    for n in m.graph.node:
        n.doc_string = ""
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return os.path.getsize(path)


def counts(name):
    meta = torchvision.models.get_model_weights(name).DEFAULT.meta
    # torchvision rounds `_ops` to three decimals (MobileNetV2's 0.301 is
    # 300,774,272 MACs); torch's own counter gives the exact figure for
    # the exported model: its FLOPs are two per multiply-accumulate.
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        build(name)(torch.zeros(1, 3, 224, 224))
    return {
        "weights": str(torchvision.models.get_model_weights(name).DEFAULT),
        "gflops": meta["_ops"],
        "num_params": meta["num_params"],
        "flop_counter_macs": counter.get_total_flops() // 2,
    }


def main():
    versions = check_versions()
    table = {}
    for name in MODELS:
        size = export(name)
        table[name] = counts(name)
        print(f"{name}: {size} bytes, {table[name]}")
    out = {
        "about": "torchvision's published counts: DEFAULT weights' meta['_ops'] "
        "(GFLOPS, counted as multiply-accumulates) and meta['num_params']; "
        "flop_counter_macs: torch.utils.flop_counter's FLOPs / 2 for one "
        "3x224x224 sample of the exported model; written by export.py",
        "versions": versions,
        "models": table,
    }
    with open(os.path.join(HERE, "torchvision_counts.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
