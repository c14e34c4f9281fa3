"""Exports the models of issue 22 to ONNX graphs without weights, as a user
exports them, and counts their multiply-accumulates with torch's counter.

Writes tests/data/onnx/models/NAME.onnx for each model below and
tests/data/onnx/models/counts.json: for each model, torch's own counter
(`torch.utils.flop_counter.FlopCounterMode`, FLOPs / 2) on the same module
and inputs the export traced, the export call's arguments, and the
versions. Run by hand, never by tests (tests never need Python):

    python3.11 -m venv /work/venvs/torch
    /work/venvs/torch/bin/pip install torch==2.15.0 torchvision==0.29.2 \
        onnx==1.23.2 onnxscript transformers
    /work/venvs/torch/bin/python tests/data/onnx/export_models.py [NAME ...]

with torch 2.15.0, torchvision 0.29.2, onnx 1.23.2, transformers 5.25.0
(written to the counts file).

Export settings, the ordinary ones: `torch.onnx.export` with the
TorchScript exporter (`dynamo=False`), opset 17, `export_params=False`
(weights become graph inputs of declared shapes, so each file is small),
a fixed batch of 1 (no dynamic axes), models in eval mode, untrained
(`weights=None`, or a transformers config: no download). Language models
take token ids (`input_ids`); a decode step also takes its KV cache, the
past keys and values of L tokens per layer, as transformers' `use_cache`
path reads them (a `DynamicCache` built from the tensors). Doc strings are
stripped.
"""

import json
import os
import sys

import onnx
import torch
import torchvision
import transformers
from torch.utils.flop_counter import FlopCounterMode

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
VERSIONS = {
    "torch": "2.15.0",
    "torchvision": "0.29.2",
    "onnx": "1.23.2",
    "transformers": "5.25.0",
}
# Tokens of a prefill; a decode step reads a cache of TOKENS - 1 tokens
# and one new token, so it attends to TOKENS tokens too.
TOKENS = 128


def versions():
    got = {
        "torch": torch.__version__.split("+")[0],
        "torchvision": torchvision.__version__.split("+")[0],
        "onnx": onnx.__version__,
        "transformers": transformers.__version__,
    }
    if got != VERSIONS:
        print(f"warning: versions {got} differ from {VERSIONS}", file=sys.stderr)
    return got


def ids(n):
    return torch.zeros(1, n, dtype=torch.long)


class Decode(torch.nn.Module):
    """One decode step of a causal language model: the new token's ids and
    the cache's past keys and values (one pair of `[1, kv_heads, L,
    head_dim]` tensors per layer) in, the logits and the new cache out, as
    `model(input_ids, past_key_values=cache, use_cache=True)` computes it."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, *past):
        cache = transformers.DynamicCache(config=self.model.config)
        for i in range(len(past) // 2):
            cache.update(past[2 * i], past[2 * i + 1], i)
        out = self.model(input_ids, past_key_values=cache, use_cache=True)
        flat = []
        for layer in out.past_key_values.layers:
            flat += [layer.keys, layer.values]
        return (out.logits, *flat)


def past(config, n):
    heads = getattr(config, "num_key_value_heads", None) or config.num_attention_heads
    d = config.hidden_size // config.num_attention_heads
    layers = config.num_hidden_layers
    return tuple(torch.zeros(1, heads, n, d) for _ in range(2 * layers))


def gpt2_config():
    # GPT-2 small (124M): 12 layers, 768 channels, 12 heads.
    return transformers.GPT2Config()


def llama_config(kv_heads):
    # TinyLlama-1.1B's shapes (hidden 2048, 32 query heads of 64, 4 KV
    # heads, SwiGLU 5632, vocabulary 32000), 2 of its 22 layers.
    return transformers.LlamaConfig(
        hidden_size=2048,
        intermediate_size=5632,
        num_attention_heads=32,
        num_key_value_heads=kv_heads,
        num_hidden_layers=2,
        vocab_size=32000,
        max_position_embeddings=2048,
    )


def causal_lm(config):
    config._attn_implementation = "eager"
    return transformers.AutoModelForCausalLM.from_config(config).eval()


def prefill(config):
    # transformers 5.x traces its mask construction through `aten::diff`
    # (packed-sequence detection), which opset 17 lacks, unless the
    # attention mask is given: `input_ids` and `attention_mask` both in.
    # `logits_to_keep=1`: the logits of the last token only, what
    # generation reads after a prefill (the tracer makes the argument a
    # graph input and the selection a `Gather` of one token whatever its
    # value, so the eager count must select one token too).
    model = causal_lm(config)
    model.config.use_cache = False
    mask = torch.ones(1, TOKENS, dtype=torch.long)
    kwargs = {"attention_mask": mask, "logits_to_keep": 1}
    return model, (ids(TOKENS),), kwargs, ["input_ids", "attention_mask", "logits_to_keep"]


def decode(config):
    model = Decode(causal_lm(config))
    cache = past(config, TOKENS - 1)
    names = ["input_ids"]
    for i in range(config.num_hidden_layers):
        names += [f"past_key_{i}", f"past_value_{i}"]
    return model, (ids(1), *cache), {}, names


def distilbert():
    config = transformers.DistilBertConfig()
    config._attn_implementation = "eager"
    model = transformers.DistilBertModel(config).eval()
    return model, (ids(TOKENS),), {}, ["input_ids"]


def whisper_encoder():
    # Whisper tiny's encoder: 80 mel bins x 3000 frames, two Conv1d, 4
    # layers of 384 channels, 6 heads.
    config = transformers.WhisperConfig(
        d_model=384,
        encoder_layers=4,
        encoder_attention_heads=6,
        decoder_layers=4,
        decoder_attention_heads=6,
        encoder_ffn_dim=1536,
        decoder_ffn_dim=1536,
        num_mel_bins=80,
    )
    config._attn_implementation = "eager"
    model = transformers.WhisperModel(config).get_encoder().eval()
    return model, (torch.zeros(1, 80, 3000),), {}, ["input_features"]


def vision(name, size=224, **kwargs):
    def make():
        model = torchvision.models.get_model(name, weights=None, **kwargs).eval()
        return model, (torch.zeros(1, 3, size, size),), {}, ["input"]

    return make


def video():
    model = torchvision.models.get_model("r3d_18", weights=None).eval()
    return model, (torch.zeros(1, 3, 16, 112, 112),), {}, ["input"]


MODELS = {
    "gpt2": lambda: prefill(gpt2_config()),
    "gpt2_decode": lambda: decode(gpt2_config()),
    "llama_gqa": lambda: prefill(llama_config(4)),
    "llama_gqa_decode": lambda: decode(llama_config(4)),
    "llama_mha": lambda: prefill(llama_config(32)),
    "llama_mha_decode": lambda: decode(llama_config(32)),
    "distilbert": distilbert,
    "vit_b_16_batch1": vision("vit_b_16"),
    "whisper_encoder": whisper_encoder,
    "convnext_tiny": vision("convnext_tiny"),
    "swin_t": vision("swin_t"),
    "shufflenet_v2_x1_0": vision("shufflenet_v2_x1_0"),
    "fcn_resnet50": vision("fcn_resnet50", 520, weights_backbone=None),
    "deeplabv3_mobilenet_v3_large": vision(
        "deeplabv3_mobilenet_v3_large", 520, weights_backbone=None
    ),
    "r3d_18": video,
}


def count(model, args, kwargs):
    # (Without `torch.no_grad`: under it torchvision's encoder takes a
    # fused attention path that opset 17 cannot export.)
    with FlopCounterMode(display=False) as counter:
        model(*args, **kwargs)
    return counter.get_total_flops() // 2


def export(name):
    model, args, kwargs, names = MODELS[name]()
    path = os.path.join(HERE, f"{name}.onnx")
    torch.onnx.export(
        model,
        args,
        path,
        kwargs=kwargs,
        dynamo=False,
        opset_version=17,
        export_params=False,
        input_names=names,
        do_constant_folding=True,
    )
    m = onnx.load(path)
    m.doc_string = ""
    m.graph.doc_string = ""
    for n in m.graph.node:
        n.doc_string = ""
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return {
        "flop_counter_macs": count(model, args, kwargs),
        "inputs": {
            n: list(a.shape) if torch.is_tensor(a) else a
            for n, a in zip(names, [*args, *kwargs.values()])
        },
        "bytes": os.path.getsize(path),
    }


def main():
    os.makedirs(HERE, exist_ok=True)
    out_path = os.path.join(HERE, "counts.json")
    table = {}
    if os.path.exists(out_path):
        with open(out_path) as f:
            table = json.load(f).get("models", {})
    for name in sys.argv[1:] or list(MODELS):
        try:
            table[name] = export(name)
            print(f"{name}: {table[name]}", flush=True)
        except Exception as e:  # noqa: BLE001 (report and go on)
            print(f"{name}: export failed: {type(e).__name__}: {e}", file=sys.stderr)
    out = {
        "about": "torch.utils.flop_counter's FLOPs / 2 for the module and inputs "
        "each graph was exported from (tests/data/onnx/export_models.py), with "
        "the inputs' shapes; TOKENS = %d (a decode step: %d cached + 1)" % (TOKENS, TOKENS - 1),
        "versions": versions(),
        "models": dict(sorted(table.items())),
    }
    with open(out_path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
