"""Runs SCALE-Sim 3.0.0 on nnc's SCALE-Sim cases and records its reports as JSON.

Run by hand, never by the tests (they read the JSON this writes):

    python3 -m venv /work/venvs/scalesim
    /work/venvs/scalesim/bin/pip install scalesim==3.0.0 'numpy==2.2.*'
    nice -n 10 /work/venvs/scalesim/bin/python tests/data/scalesim/run.py \
        tests/data/scalesim/runs.json

Each case is one topology row (one layer, or the channels of a `DP` row) on one
configuration. The driver writes the configuration, a one-row topology and an
empty layout file into a scratch directory, runs

    scalesim(save_disk_space=True, verbose=False, config=CFG, topology=CSV,
             layout=LAYOUT, input_type_gemm=GEMM).run_scale(top_path=OUT)

(the same run as `python -m scalesim.scale -c CFG -t CSV -l LAYOUT -p OUT
[-i gemm]`, without writing the traces), times `run_scale` with a wall clock,
and records every column of COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and
DETAILED_ACCESS_REPORT.csv for every layer the row became. Numbers are kept
as SCALE-Sim printed them: an integer where it printed one, else the float
(Python prints the shortest string that reads back to the same double).

The output file is rewritten after every case; cases already in it are not
run again, so an interrupted run resumes. `--only SUBSTRING` runs the cases
whose id contains it, `--id ID` the one case named; `--plan` prints the
cases and their SRAM access counts (SCALE-Sim's run time grows with them)
without running anything; `--time-only` prints one JSON line per case with
its wall time and writes nothing; `--export DIR` writes each case's config
and topology into DIR (as `N.cfg`, `N.csv`, one line `N ID gemm|conv` per
case in DIR/cases.txt) and runs nothing. The bench script
bench/vs-scalesim.sh uses the last two.
"""

import argparse
import csv
import importlib.metadata
import json
import math
import os
import platform
import random
import sys
import tempfile
import time

# ----- layers: (name, topology row without the name, is it GEMM) -----
# Conv rows are `H, W, R, S, C, M, stride`: the ifmap as stored (SCALE-Sim has
# no padding, so a padded layer lists its padded size); GEMM rows are `M, N, K`.
CONV_HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,"
GEMM_HEADER = "Layer, M, N, K,"

LAYERS = {
    # AlexNet (Krizhevsky et al.), unpadded conv1 so windows hang over the edge.
    "alexnet_conv1": ("224, 224, 11, 11, 3, 96, 4", False),
    "alexnet_conv2": ("31, 31, 5, 5, 96, 256, 1", False),
    "alexnet_conv3": ("15, 15, 3, 3, 256, 384, 1", False),
    # ResNet-50: the 7x7 stride-2 stem (unpadded: 110x110 out), a 1x1 stride-2
    # projection (29x29 out), a 3x3 of conv2_x (padded), a 1x1 of conv5_x.
    "resnet50_stem": ("224, 224, 7, 7, 3, 64, 2", False),
    "resnet50_proj_s2": ("56, 56, 1, 1, 256, 512, 2", False),
    "resnet50_conv2_3x3": ("58, 58, 3, 3, 64, 64, 1", False),
    "resnet50_conv5_1x1": ("7, 7, 1, 1, 2048, 512, 1", False),
    # VGG-16: the first layer (large ifmap, 27-word windows) and conv5_1.
    "vgg16_conv1_1": ("226, 226, 3, 3, 3, 64, 1", False),
    "vgg16_conv5_1": ("16, 16, 3, 3, 512, 512, 1", False),
    # MobileNet-style depthwise 3x3 over 8 channels: SCALE-Sim splits a row
    # whose name contains `DP` into one layer per channel.
    "mobilenet_dwDP": ("30, 30, 3, 3, 8, 1, 1", False),
    # A small conv whose stride exceeds the filter (windows skip pixels and
    # hang over the edge).
    "small_s4": ("10, 10, 3, 3, 4, 5, 4", False),
    # BERT-base at sequence length 128: one of Q/K/V, and the two FFN GEMMs.
    "bert_qkv": ("128, 768, 768", True),
    "bert_ffn1": ("128, 3072, 768", True),
    "bert_ffn2": ("128, 768, 3072", True),
    # Odd GEMM sizes: no fold fills the array.
    "gemm_odd": ("100, 37, 50", True),
}

# ----- configurations -----
ARRAYS = {"8x8": (8, 8), "16x64": (16, 64), "32x32": (32, 32), "64x16": (64, 16), "128x128": (128, 128)}
SRAMS = {"8k": 8, "64k": 64, "16m": 16384}  # kB per SRAM (16 MB: every operand fits)
# name -> (InterfaceBandwidth, ofmap Bandwidth, ifmap bank bandwidth, filter bank bandwidth)
BWS = {"calc": ("CALC", 10, 10, 10), "user10": ("USER", 10, 10, 10), "user2": ("USER", 2, 2, 2),
       "user10-4-2": ("USER", 2, 10, 4)}


def config_text(df, array, sram, bw, offsets=(0, 10000000, 20000000)):
    rows, cols = ARRAYS[array] if isinstance(array, str) else array
    kb = SRAMS[sram] if isinstance(sram, str) else sram
    mode, ofmap_bw, ifmap_bank_bw, filter_bank_bw = BWS[bw] if isinstance(bw, str) else bw
    return f"""[general]
run_name = nnc_case

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:    {kb}
FilterSramSzkB:   {kb}
OfmapSramSzkB:    {kb}
IfmapOffset:    {offsets[0]}
FilterOffset:   {offsets[1]}
OfmapOffset:    {offsets[2]}
Bandwidth : {ofmap_bw}
Dataflow : {df}
ReadRequestBuffer: 32
WriteRequestBuffer: 32

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: {ifmap_bank_bw}
IfmapSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: {filter_bank_bw}
FilterSRAMBankNum: 1
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false

[run_presets]
InterfaceBandwidth: {mode}
UseRamulatorTrace: False
"""


def cases():
    """(case id, config name, config text, layer name). Ordered cheap first."""
    out = []

    def add(df, array, sram, bw, layers, offsets=None):
        name = f"{df}-{array}-{sram}-{bw}" + ("-offsets" if offsets else "")
        text = config_text(df, array, sram, bw, offsets) if offsets else config_text(df, array, sram, bw)
        for layer in layers:
            out.append((f"{name}/{layer}", name, text, layer))

    small = ["small_s4", "gemm_odd", "mobilenet_dwDP"]
    # Every dataflow on every array, 64 kB, CALC: the small layers and a real one.
    for df in ("ws", "os", "is"):
        for array in ARRAYS:
            add(df, array, "64k", "calc", small + ["resnet50_conv5_1x1"])
    # SRAM size: 8 kB (operands overflow, generations matter) and 16 MB (all fits).
    for df in ("ws", "os", "is"):
        add(df, "32x32", "8k", "calc", small + ["alexnet_conv3", "resnet50_proj_s2"])
        add(df, "16x64", "16m", "calc", small + ["resnet50_conv2_3x3"])
        add(df, "64x16", "8k", "calc", ["resnet50_stem"])
    # USER mode at 10 and 2 words per cycle, and unequal fill/drain bandwidths.
    for df in ("ws", "os", "is"):
        add(df, "32x32", "64k", "user10", small + ["resnet50_conv5_1x1"])
        add(df, "32x32", "8k", "user2", small)
        add(df, "16x64", "16m", "user10", small)
        add(df, "8x8", "8k", "user10-4-2", small)
        add(df, "128x128", "64k", "user10", ["bert_qkv"])
    # Large layers on large arrays (the speed target: SCALE-Sim takes minutes).
    add("ws", "128x128", "64k", "calc", ["alexnet_conv1", "alexnet_conv2", "vgg16_conv1_1", "bert_qkv", "bert_ffn1"])
    add("os", "128x128", "64k", "calc", ["alexnet_conv1", "resnet50_stem", "vgg16_conv5_1", "bert_ffn2"])
    add("is", "128x128", "64k", "calc", ["alexnet_conv1", "alexnet_conv3", "resnet50_proj_s2", "bert_qkv"])
    add("ws", "32x32", "64k", "calc", ["alexnet_conv3"])
    add("ws", "32x32", "8k", "user2", ["resnet50_proj_s2"])
    add("os", "16x64", "8k", "calc", ["alexnet_conv2"])
    add("is", "64x16", "64k", "calc", ["vgg16_conv1_1"])
    # Offsets do not change any number (the operands live in separate SRAMs).
    add("ws", "32x32", "8k", "calc", small, offsets=(5, 0, 7))
    out.extend(random_cases())

    def cost(case):
        df, rows, cols = shape_of(case[1])
        return sram_accesses(df, rows, cols, case[3]) * (3.5 if "user" in case[1] else 1)

    return sorted(out, key=cost)


def random_cases(count=48, seed=21):
    """Small random layers on small arrays with 1 to 3 kB SRAMs, both modes and
    unequal USER bandwidths: the corners the named cases do not reach (arrays
    larger than the matrices, strides beyond the filter, buffers that overflow
    within a fold). Each adds its layer to LAYERS as `randNN`."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name = f"rand{i:02d}"
        if rng.random() < 0.25:
            row = f"{rng.randint(1, 60)}, {rng.randint(1, 60)}, {rng.randint(1, 60)}"
            LAYERS[name] = (row, True)
        else:
            h, w = rng.randint(3, 24), rng.randint(3, 24)
            r, s_ = rng.randint(1, min(5, h)), rng.randint(1, min(5, w))
            row = f"{h}, {w}, {r}, {s_}, {rng.randint(1, 8)}, {rng.randint(1, 24)}, {rng.randint(1, 4)}"
            LAYERS[name] = (row, False)
        df = rng.choice(["ws", "os", "is"])
        rows, cols = rng.choice([2, 3, 4, 5, 8, 12, 16]), rng.choice([2, 3, 4, 5, 8, 12, 16])
        kb = rng.randint(1, 3)
        if rng.random() < 0.5:
            bw, bw_name = ("CALC", 10, 10, 10), "calc"
        else:
            i_bw, f_bw, o_bw = rng.randint(1, 12), rng.randint(1, 12), rng.randint(1, 12)
            bw, bw_name = ("USER", o_bw, i_bw, f_bw), f"user{i_bw}-{f_bw}-{o_bw}"
        config = f"{df}-{rows}x{cols}-{kb}k-{bw_name}"
        out.append((f"{config}/{name}", config, config_text(df, (rows, cols), kb, bw), name))
    return out


def shape_of(config_name):
    """(dataflow, rows, cols) from a config name such as `ws-16x64-8k-calc`."""
    df, array = config_name.split("-")[:2]
    rows, cols = array.split("x")
    return df, int(rows), int(cols)


def sram_accesses(df, rows, cols, layer):
    """SRAM reads and writes SCALE-Sim simulates one by one (its run time grows with them)."""
    fields = [int(x) for x in LAYERS[layer][0].split(",")]
    if LAYERS[layer][1]:
        m, n, k = fields
        h, w, r, s, c, nf, st = m, k, 1, k, 1, n, 1
    else:
        h, w, r, s, c, nf, st = fields
        if "DP" in layer:
            c = 1
    p = math.ceil((h - r + st) / st) * math.ceil((w - s + st) / st)
    k = r * s * c
    n = nf
    sr, sc = {"ws": (k, n), "os": (p, n), "is": (k, p)}[df]
    rf, cf = math.ceil(sr / rows), math.ceil(sc / cols)
    reads = {"ws": cf * p * k + k * n, "os": cf * p * k + rf * k * n, "is": k * p + cf * k * n}[df]
    writes = p * n * (1 if df == "os" else rf)
    times = int(fields[4]) if "DP" in layer else 1
    return (reads + writes) * times


def versions():
    return {"scalesim": importlib.metadata.version("scalesim"),
            "numpy": importlib.metadata.version("numpy"),
            "python": platform.python_version()}


def number(text):
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


def read_report(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0] if h.strip() != ""]
    out = []
    for row in rows[1:]:
        cells = [c for c in row if c.strip() != ""]
        out.append({h: number(c) for h, c in zip(header[1:], cells[1:])})
    return out


def run_case(workdir, config_name, config, layer):
    from scalesim.scale_sim import scalesim

    row, gemm = LAYERS[layer]
    cfg = os.path.join(workdir, config_name.replace("/", "_") + ".cfg")
    topo = os.path.join(workdir, layer + ".csv")
    layout = os.path.join(workdir, "layout.csv")
    out = os.path.join(workdir, "out")
    topology = (GEMM_HEADER if gemm else CONV_HEADER) + "\n" + f"{layer}, {row},\n"
    with open(cfg, "w") as f:
        f.write(config)
    with open(topo, "w") as f:
        f.write(topology)
    with open(layout, "w") as f:
        f.write("Layer name, layout,\n")
    sim = scalesim(save_disk_space=True, verbose=False, config=cfg, topology=topo, layout=layout,
                   input_type_gemm=gemm)
    t0 = time.perf_counter()
    sim.run_scale(top_path=out)
    seconds = time.perf_counter() - t0
    report_dir = os.path.join(out, "nnc_case")
    compute = read_report(os.path.join(report_dir, "COMPUTE_REPORT.csv"))
    bandwidth = read_report(os.path.join(report_dir, "BANDWIDTH_REPORT.csv"))
    detail = read_report(os.path.join(report_dir, "DETAILED_ACCESS_REPORT.csv"))
    layers = []
    for i, (c, b, d) in enumerate(zip(compute, bandwidth, detail)):
        name = sim.topo.get_layer_name(i)
        layers.append({"name": name, "compute_report": c, "bandwidth_report": b,
                       "detailed_access_report": d})
    return topology, gemm, seconds, layers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output", nargs="?")
    ap.add_argument("--only", default="")
    ap.add_argument("--plan", action="store_true")
    ap.add_argument("--time-only", action="store_true")
    ap.add_argument("--id", action="append", default=[])
    ap.add_argument("--export")
    args = ap.parse_args()
    todo = [c for c in cases() if args.only in c[0] and (not args.id or c[0] in args.id)]
    if args.export:
        os.makedirs(args.export, exist_ok=True)
        with open(os.path.join(args.export, "cases.txt"), "w") as listing:
            for n, (case_id, _, config, layer) in enumerate(todo):
                row, gemm = LAYERS[layer]
                with open(os.path.join(args.export, f"{n}.cfg"), "w") as f:
                    f.write(config)
                with open(os.path.join(args.export, f"{n}.csv"), "w") as f:
                    f.write((GEMM_HEADER if gemm else CONV_HEADER) + "\n" + f"{layer}, {row},\n")
                listing.write(f"{n} {case_id} {'gemm' if gemm else 'conv'}\n")
        return
    if args.plan:
        total = 0
        for case_id, config_name, _, layer in todo:
            df, rows, cols = shape_of(config_name)
            n = sram_accesses(df, rows, cols, layer)
            user = "user" in config_name
            est = n * (15e-6 if user else 4.2e-6)
            total += est
            print(f"{case_id:55} {n:>12,} accesses  ~{est:8.1f} s")
        print(f"{len(todo)} cases, ~{total / 60:.1f} min")
        return
    if args.time_only:
        with tempfile.TemporaryDirectory() as workdir:
            for case_id, config_name, config, layer in todo:
                _, _, seconds, layers = run_case(workdir, config_name, config, layer)
                print(json.dumps({"id": case_id, "seconds": seconds, "layers": len(layers)}), flush=True)
        return
    if not args.output:
        ap.error("the output file is required")
    data = {"generator": "tests/data/scalesim/run.py", "versions": versions(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores", "configs": {}, "cases": []}
    if os.path.exists(args.output):
        with open(args.output) as f:
            data = json.load(f)
        data["versions"] = versions()
    done = {c["id"] for c in data["cases"]}
    with tempfile.TemporaryDirectory() as workdir:
        for case_id, config_name, config, layer in todo:
            if case_id in done:
                continue
            topology, gemm, seconds, layers = run_case(workdir, config_name, config, layer)
            data["configs"][config_name] = config
            data["cases"].append({"id": case_id, "config": config_name, "topology": topology,
                                  "gemm": gemm, "seconds": round(seconds, 3), "layers": layers})
            tmp = args.output + ".tmp"
            with open(tmp, "w") as f:
                json.dump(data, f, indent=1)
                f.write("\n")
            os.replace(tmp, args.output)
            print(f"{case_id}: {seconds:.2f} s, {len(layers)} layer(s)", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
