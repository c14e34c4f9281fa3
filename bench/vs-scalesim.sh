#!/usr/bin/env bash
# nnc's SCALE-Sim model against SCALE-Sim 3.0.0, same machine, same sitting.
#
# Sets up SCALE-Sim in a throwaway virtual environment (outside the
# repository), builds nnc's `scalesim` example in release mode, and for each
# case (one layer on one config, from tests/data/scalesim/run.py) times
# SCALE-Sim's `run_scale` and nnc's model on the same files, both in-process
# (no interpreter start-up or file reading). Prints a Markdown table: both
# times, the speed-up, and whether nnc's numbers equal the recorded run's;
# then the smallest speed-up over the cases where SCALE-Sim took over a
# second (the requirement: at least 100x).
#
# Usage: bench/vs-scalesim.sh [CASE_ID...]   (default: the cases below;
#        `all` for every recorded case, about two and a half hours of
#        SCALE-Sim; `recorded` for every recorded case against the wall time
#        tests/data/scalesim/runs.json recorded for it, running no SCALE-Sim)
# Environment: VENV (default /tmp/nnc-scalesim-venv), RUNS (nnc repetitions,
# fastest taken; default 5). SCALE-Sim runs once per case, at nice 10.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${VENV:-/tmp/nnc-scalesim-venv}
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

recorded=false
[ "${1:-}" = recorded ] && recorded=true
if ! $recorded && [ ! -x "$venv/bin/python" ]; then
    echo "setting up SCALE-Sim 3.0.0 in $venv ..." >&2
    python3 -m venv "$venv"
    # numpy 2.4 breaks SCALE-Sim 3.0.0 at the end of every layer.
    "$venv/bin/pip" install -q scalesim==3.0.0 'numpy==2.2.*'
fi
cargo build --release --quiet --example scalesim
nnc=target/release/examples/scalesim

# One of each dataflow and mode, square and non-square arrays, small and
# large SRAMs, conv and GEMM, from seconds to minutes in SCALE-Sim.
default=(
    ws-32x32-64k-calc/alexnet_conv3
    os-16x64-8k-calc/alexnet_conv2
    is-128x128-64k-calc/alexnet_conv1
    os-128x128-64k-calc/resnet50_stem
    ws-32x32-8k-calc/resnet50_proj_s2
    is-64x16-64k-calc/vgg16_conv1_1
    os-128x128-64k-calc/vgg16_conv5_1
    ws-128x128-64k-calc/bert_ffn1
    is-128x128-64k-calc/bert_qkv
    ws-8x8-64k-calc/resnet50_conv5_1x1
    is-16x64-16m-calc/resnet50_conv2_3x3
    ws-128x128-64k-user10/bert_qkv
    os-128x128-64k-user10/bert_qkv
    is-32x32-64k-user10/resnet50_conv5_1x1
    ws-32x32-8k-user2/resnet50_proj_s2
    os-32x32-8k-user2/gemm_odd
    ws-32x32-64k-calc/mobilenet_dwDP
)
if [ "${1:-}" = all ] || $recorded; then
    ids=()
elif [ $# -gt 0 ]; then
    ids=("$@")
else
    ids=("${default[@]}")
fi
id_flags=()
for id in "${ids[@]}"; do id_flags+=(--id "$id"); done
python3 tests/data/scalesim/run.py --export "$work" "${id_flags[@]}"

echo "| case | SCALE-Sim (s) | nnc (s) | speed-up | equal to the recorded run |"
echo "| --- | ---: | ---: | ---: | --- |"
ratios=()
while read -r n id kind; do
    gemm=()
    [ "$kind" = gemm ] && gemm=(--gemm)
    if $recorded; then
        ref=$(python3 -c "import json,sys
print(next(c['seconds'] for c in json.load(open('tests/data/scalesim/runs.json'))['cases'] if c['id'] == sys.argv[1]))" "$id")
    else
        ref=$(nice -n 10 "$venv/bin/python" -W ignore tests/data/scalesim/run.py --time-only --id "$id" |
            python3 -c "import json,sys; print(json.loads(sys.stdin.read())['seconds'])")
    fi
    nice -n 10 "$nnc" "$work/$n.csv" "$work/$n.cfg" "${gemm[@]}" --runs "$runs" >"$work/$n.json"
    read -r ours equal < <(python3 - "$work/$n.json" "$id" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
seconds = sum(r["seconds"] for r in rows)
recorded = {c["id"]: c for c in json.load(open("tests/data/scalesim/runs.json"))["cases"]}
case = recorded.get(sys.argv[2])
if case is None:
    print(seconds, "not recorded")
    sys.exit()
ours = [l["report"] for r in rows for l in r["layers"]]
cols = {"Total Cycles": "total_cycles", "Stall Cycles": "stall_cycles",
        "DRAM IFMAP Reads": "dram_ifmap_reads", "DRAM Filter Reads": "dram_filter_reads",
        "DRAM OFMAP Writes": "dram_ofmap_writes", "DRAM OFMAP Stop Cycle": "dram_ofmap_stop"}
same = all(
    float(want[rep][col]) == float(got[field])
    for want, got in zip(case["layers"], ours)
    for rep in ("compute_report", "detailed_access_report")
    for col, field in cols.items() if col in want[rep])
print(seconds, "yes" if same and len(ours) == len(case["layers"]) else "NO")
EOF
)
    ratio=$(python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.0f}')" "$ref" "$ours")
    if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 1 else 1)" "$ref"; then
        ratios+=("$ratio")
    fi
    printf '| %s | %.2f | %.6f | %sx | %s |\n' "$id" "$ref" "$ours" "$ratio" "$equal"
done <"$work/cases.txt"
if [ ${#ratios[@]} -gt 0 ]; then
    python3 -c "
import sys
r = [float(x) for x in sys.argv[1:]]
print(f'\nSmallest speed-up where SCALE-Sim took over 1 s: {min(r):.0f}x over {len(r)} cases.')" "${ratios[@]}"
fi
if $recorded; then
    echo "(nnc: fastest of $runs runs at nice 10, now; SCALE-Sim: the wall time recorded in runs.json; $(uname -m), $(nproc) cores)"
else
    echo "(nnc: fastest of $runs runs; SCALE-Sim: one run; both at nice 10; $(uname -m), $(nproc) cores)"
fi
