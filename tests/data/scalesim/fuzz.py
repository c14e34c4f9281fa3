"""Random differential fuzzing of nnc's `--compat scalesim` against SCALE-Sim 3.0.0.

Reuses the recorder tests/data/scalesim/run.py (config text, one-row topology,
in-process run, report reading) and writes the same JSON format as runs.json.

    nice -n 10 /work/venvs/scalesim/bin/python tests/data/scalesim/fuzz.py OUT.json \
        --seeds 1001-1010 --per-seed 30            # run (resumes; cases already in the file are skipped)
    ... --plan                                      # list the cases and estimated cost, run nothing
    ... --shard 0/2 (and 1/2) OUT.partN             # split the work over two processes
    ... --merge OUT part0 part1                     # merge shard outputs

Each seed S drives its own random.Random(S) and yields --per-seed cases, named
`CONFIG/fzS_NN` (conv or GEMM) or `CONFIG/fzS_NNDP` (depthwise row, split by
SCALE-Sim into one layer per channel). CONFIG is
`DF-RxC-SRAM-BW`, SRAM `Nk` (all three equal) or `Ik.Fk.Ok` (ifmap.filter.ofmap
kB), BW `calc` or `userI.F.O` (USER: ifmap bank bw, filter bank bw, ofmap bw).

`--profile stall` (used with seeds 2001-2004) draws USER configs only, with
bandwidths 1..4 and SRAMs of 1..4 kB per operand, so that stalls are common;
same layers as the broad profile.
"""

import argparse
import json
import math
import os
import platform
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as rec  # noqa: E402

# SCALE-Sim wall time per simulated SRAM access (from run.py's --plan)
SEC_PER_ACCESS = {"calc": 4.2e-6, "user": 15e-6}
MAX_ACCESSES = 2_000_000
MAX_SECONDS = 3.0  # estimated; keeps every case "well under a few seconds"

ARRAY_DIMS = [2, 3, 4, 5, 7, 8, 12, 16, 17, 24, 31, 32, 48, 64]
SHAPES = [(3, 17), (17, 3), (32, 8), (8, 32), (64, 16), (16, 64), (2, 64), (64, 2), (64, 64), (2, 2)]
SRAM_KB = [1, 2, 3, 4, 5, 6, 8, 12, 16, 24, 32, 48, 64]


def log_int(rng, lo, hi):
    """Integer in [lo, hi], log-uniform (small values as likely as large)."""
    return min(hi, max(lo, int(math.exp(rng.uniform(math.log(lo), math.log(hi + 1))))))


def config_text(df, rows, cols, kbs, bw):
    text = rec.config_text(df, (rows, cols), kbs[0], bw)
    text = text.replace(f"FilterSramSzkB:   {kbs[0]}\n", f"FilterSramSzkB:   {kbs[1]}\n")
    text = text.replace(f"OfmapSramSzkB:    {kbs[0]}\n", f"OfmapSramSzkB:    {kbs[2]}\n")
    assert f"IfmapSramSzkB:    {kbs[0]}\n" in text and f"FilterSramSzkB:   {kbs[1]}\n" in text \
        and f"OfmapSramSzkB:    {kbs[2]}\n" in text
    return text


def random_layer(rng, name):
    """(layer name, row, gemm, features)"""
    u = rng.random()
    if u < 0.30:
        m, n, k = log_int(rng, 1, 200), log_int(rng, 1, 200), log_int(rng, 1, 200)
        if rng.random() < 0.15:  # some uniform ones, to reach the upper range more often
            m, n, k = rng.randint(1, 200), rng.randint(1, 200), rng.randint(1, 200)
        return name, f"{m}, {n}, {k}", True, "gemm"
    dp = u > 0.94
    h, w = log_int(rng, 1, 40), log_int(rng, 1, 40)
    kind = rng.choice(["any", "any", "1x1", "full", "stride>filter", "any"])
    if kind == "1x1":
        r, s = 1, 1
    elif kind == "full":
        r, s = h, w
    else:
        r, s = rng.randint(1, min(7, h)), rng.randint(1, min(7, w))
    if kind == "stride>filter":
        st = rng.randint(max(r, s) + 1, max(r, s) + 4)
    else:
        st = rng.choice([1, 1, 1, 2, 2, 3, 4, 5])
    c = rng.randint(1, 6) if dp else log_int(rng, 1, 64)
    nf = log_int(rng, 1, 96)
    lname = name + ("DP" if dp else "")
    return lname, f"{h}, {w}, {r}, {s}, {c}, {nf}, {st}", False, ("dp-" if dp else "") + kind


PROFILE = "broad"  # or "stall": USER mode, bandwidths 1..4, SRAMs 1..4 kB (stalls likely)


def random_config(rng):
    df = rng.choice(["ws", "os", "is"])
    if PROFILE == "stall":
        rows, cols = (rng.choice(SHAPES) if rng.random() < 0.3 else (rng.randint(2, 64), rng.randint(2, 64)))
        kbs = tuple(rng.randint(1, 4) for _ in range(3))
        sram_name = f"{kbs[0]}k" if len(set(kbs)) == 1 else f"{kbs[0]}k.{kbs[1]}k.{kbs[2]}k"
        i_bw, f_bw, o_bw = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4)
        bw, bw_name = ("USER", o_bw, i_bw, f_bw), f"user{i_bw}.{f_bw}.{o_bw}"
        name = f"{df}-{rows}x{cols}-{sram_name}-{bw_name}"
        return name, config_text(df, rows, cols, kbs, bw), (df, rows, cols, bw_name)
    v = rng.random()
    if v < 0.3:
        rows, cols = rng.choice(SHAPES)
    elif v < 0.65:
        rows, cols = rng.choice(ARRAY_DIMS), rng.choice(ARRAY_DIMS)
    else:
        rows, cols = rng.randint(2, 64), rng.randint(2, 64)
    if rng.random() < 0.6:
        kb = rng.choice(SRAM_KB) if rng.random() < 0.7 else rng.randint(1, 64)
        kbs = (kb, kb, kb)
        sram_name = f"{kb}k"
    else:
        kbs = tuple(rng.choice(SRAM_KB) for _ in range(3))
        sram_name = f"{kbs[0]}k.{kbs[1]}k.{kbs[2]}k"
    if rng.random() < 0.5:
        bw, bw_name = ("CALC", 10, 10, 10), "calc"
    else:
        i_bw, f_bw, o_bw = rng.randint(1, 16), rng.randint(1, 16), rng.randint(1, 16)
        if rng.random() < 0.7:  # mostly unequal
            while len({i_bw, f_bw, o_bw}) < 3:
                i_bw, f_bw, o_bw = rng.randint(1, 16), rng.randint(1, 16), rng.randint(1, 16)
        bw, bw_name = ("USER", o_bw, i_bw, f_bw), f"user{i_bw}.{f_bw}.{o_bw}"
    name = f"{df}-{rows}x{cols}-{sram_name}-{bw_name}"
    return name, config_text(df, rows, cols, kbs, bw), (df, rows, cols, bw_name)


def estimate(df, rows, cols, bw_name, layer):
    n = rec.sram_accesses(df, rows, cols, layer)
    return n, n * SEC_PER_ACCESS["user" if bw_name.startswith("user") else "calc"]


def cases_for_seed(seed, count):
    rng = random.Random(seed)
    out = []
    for i in range(count):
        name, text, (df, rows, cols, bw_name) = random_config(rng)
        for attempt in range(50):
            lname, row, gemm, feat = random_layer(rng, f"fz{seed}_{i:02d}")
            rec.LAYERS[lname] = (row, gemm)
            n, sec = estimate(df, rows, cols, bw_name, lname)
            if n <= MAX_ACCESSES and sec <= MAX_SECONDS:
                break
            del rec.LAYERS[lname]
        else:
            continue
        out.append({"id": f"{name}/{lname}", "config": name, "text": text, "layer": lname,
                    "feature": feat, "accesses": n, "est": sec})
    return out


def all_cases(seeds, per_seed):
    out = []
    for s in seeds:
        out.extend(cases_for_seed(s, per_seed))
    ids = [c["id"] for c in out]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return out


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            seeds.extend(range(int(a), int(b) + 1))
        else:
            seeds.append(int(part))
    return seeds


def empty():
    return {"generator": "tests/data/scalesim/fuzz.py (via tests/data/scalesim/run.py)", "versions": rec.versions(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores", "configs": {}, "cases": []}


def save(data, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output", nargs="?")
    ap.add_argument("--seeds", default="1001-1008")
    ap.add_argument("--per-seed", type=int, default=30)
    ap.add_argument("--plan", action="store_true")
    ap.add_argument("--shard", default="0/1")
    ap.add_argument("--merge", nargs="+")
    ap.add_argument("--profile", default="broad", choices=["broad", "stall"])
    args = ap.parse_args()
    global PROFILE
    PROFILE = args.profile
    if args.merge:
        data = empty()
        for p in args.merge:
            with open(p) as f:
                part = json.load(f)
            data["configs"].update(part["configs"])
            data["cases"].extend(part["cases"])
        order = {c["id"]: i for i, c in enumerate(all_cases(parse_seeds(args.seeds), args.per_seed))}
        data["cases"].sort(key=lambda c: order.get(c["id"], 1e9))
        ids = [c["id"] for c in data["cases"]]
        assert len(ids) == len(set(ids))
        save(data, args.output)
        print(f"{len(ids)} cases, {sum(len(c['layers']) for c in data['cases'])} layers -> {args.output}")
        return
    todo = all_cases(parse_seeds(args.seeds), args.per_seed)
    k, n = (int(x) for x in args.shard.split("/"))
    todo = [c for i, c in enumerate(sorted(todo, key=lambda c: c["est"])) if i % n == k]
    if args.plan:
        for c in todo:
            print(f"{c['id']:60} {rec.LAYERS[c['layer']][0]:32} {c['feature']:14} {c['accesses']:>10,} ~{c['est']:.2f}s")
        print(f"{len(todo)} cases, ~{sum(c['est'] for c in todo) / 60:.1f} min estimated")
        return
    data = empty()
    if os.path.exists(args.output):
        with open(args.output) as f:
            data = json.load(f)
    done = {c["id"] for c in data["cases"]}
    with tempfile.TemporaryDirectory() as workdir:
        for c in todo:
            if c["id"] in done:
                continue
            topology, gemm, seconds, layers = rec.run_case(workdir, c["config"], c["text"], c["layer"])
            data["configs"][c["config"]] = c["text"]
            data["cases"].append({"id": c["id"], "config": c["config"], "topology": topology, "gemm": gemm,
                                  "seconds": round(seconds, 3), "layers": layers})
            save(data, args.output)
            print(f"{c['id']}: {seconds:.2f} s (est {c['est']:.2f}), {len(layers)} layer(s)", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
