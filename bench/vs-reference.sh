#!/usr/bin/env bash
# nnc against nn_dataflow 2.1, same machine, same thread count.
#
# Sets up the reference in a throwaway virtual environment (outside the
# repository), builds nnc in release mode, runs both on the cases below and
# prints, per case, both total energies, both wall times and the speed-up,
# as a Markdown table (the README shows one).
#
# Usage: bench/vs-reference.sh [CASE...]     (default: all cases)
# Environment: THREADS (default: the number of cores), VENV (default
# /tmp/nnc-reference-venv), RUNS (nnc repetitions, median taken; default 10).
# nnc's whole-process time is measured with hyperfine when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=${THREADS:-$(nproc)}
venv=${VENV:-/tmp/nnc-reference-venv}
runs=${RUNS:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/python" ]; then
    echo "setting up nn_dataflow 2.1 in $venv ..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q nn-dataflow==2.1 sympy==1.5.1
fi
cargo build --release --quiet
nnc=target/release/nnc

# nn_dataflow's flags for nnc's presets (word 16 bits, sizes in bytes).
eyeriss="--nodes 1 1 --array 16 16 --regf 512 --gbuf 131072 --op-cost 1 --hier-cost 200 6 2 1 --hop-cost 0 --unit-idle-cost 0"
tetris="--nodes 4 4 --mem-type 3D --array 14 14 --regf 512 --gbuf 133032 --op-cost 2 --hier-cost 80 14 4 0.6 --hop-cost 40 --unit-idle-cost 200"

# name | network | nn_dataflow flags | nnc flags [| batch, default 16]
# The pipelined cases are those of tests/data/reference_pipeline_runs.json.
cases=(
    "alexnet-eyeriss-exhaustive|alex_net|$eyeriss|--hw eyeriss"
    "alexnet-eyeriss-analytic|alex_net|$eyeriss --solve-loopblocking|--hw eyeriss --solver analytic"
    "vgg16-tetris-hybrid-analytic|vgg_net|$tetris --hybrid-partition --batch-partition --ifmaps-partition --solve-loopblocking|--hw tetris --partition hybrid --batch-partition --ifmap-partition --solver analytic"
    "resnet152-eyeriss-analytic|resnet152|$eyeriss --solve-loopblocking|--hw eyeriss --solver analytic"
    "googlenet-eyeriss-analytic|googlenet|$eyeriss --solve-loopblocking|--hw eyeriss --solver analytic"
    "mlps-h-il-solve|mlp_s|$tetris --hybrid-partition --interlayer-partition --solve-loopblocking|--hw tetris --partition hybrid --interlayer --solver analytic"
    "mlps-h-il-exh|mlp_s|$tetris --hybrid-partition --interlayer-partition|--hw tetris --partition hybrid --interlayer"
    "mlps-h-il-sw-exh|mlp_s|$tetris --hybrid-partition --interlayer-partition --enable-save-writeback|--hw tetris --partition hybrid --interlayer --save-writeback"
    "mlps-h-il-basic-solve|mlp_s|$tetris --hybrid-partition --interlayer-partition --disable-interlayer-opt --solve-loopblocking|--hw tetris --partition hybrid --interlayer --basic-interlayer --solver analytic"
    "mlpm-h-b-il-sw-basic-exh|mlp_m|$tetris --hybrid-partition --batch-partition --interlayer-partition --enable-save-writeback --disable-interlayer-opt|--hw tetris --partition hybrid --batch-partition --interlayer --save-writeback --basic-interlayer"
    "alex-h-il-solve|alex_net|$tetris --hybrid-partition --interlayer-partition --solve-loopblocking|--hw tetris --partition hybrid --interlayer --solver analytic"
    "alex-h-il-basic-solve|alex_net|$tetris --hybrid-partition --interlayer-partition --disable-interlayer-opt --solve-loopblocking|--hw tetris --partition hybrid --interlayer --basic-interlayer --solver analytic"
    "alex-h-il-ovhd-deg-solve|alex_net|$tetris --hybrid-partition --batch-partition --interlayer-partition --layer-pipeline-time-overhead 0.2 --layer-pipeline-max-degree 2 --solve-loopblocking|--hw tetris --partition hybrid --batch-partition --interlayer --pipeline-time-overhead 0.2 --pipeline-max-degree 2 --solver analytic"
    "alex-b4-h-il-sw-af-exh|alex_net|$tetris --hybrid-partition --interlayer-partition --enable-save-writeback --enable-access-forwarding|--hw tetris --partition hybrid --interlayer --save-writeback --access-forwarding|4"
    "alex-h-il-sw-af-exh|alex_net|$tetris --hybrid-partition --interlayer-partition --enable-save-writeback --enable-access-forwarding|--hw tetris --partition hybrid --interlayer --save-writeback --access-forwarding"
    "mlpm-h-b-bs-exh|mlp_m|$tetris --hybrid-partition --batch-partition --enable-gbuf-sharing|--hw tetris --partition hybrid --batch-partition --gbuf-sharing"
    "alex-b4-h-il-sw-bs-exh|alex_net|$tetris --hybrid-partition --interlayer-partition --enable-save-writeback --enable-gbuf-sharing|--hw tetris --partition hybrid --interlayer --save-writeback --gbuf-sharing|4"
    "alex-h-il-sw-basic-exh|alex_net|$tetris --hybrid-partition --interlayer-partition --enable-save-writeback --disable-interlayer-opt|--hw tetris --partition hybrid --interlayer --save-writeback --basic-interlayer"
    "googlenet-h-il-solve|googlenet|$tetris --hybrid-partition --interlayer-partition --solve-loopblocking|--hw tetris --partition hybrid --interlayer --solver analytic"
    "resnet50-h-il-solve|resnet50|$tetris --hybrid-partition --interlayer-partition --solve-loopblocking|--hw tetris --partition hybrid --interlayer --solver analytic"
    "resnet50-h-il-basic-exh|resnet50|$tetris --hybrid-partition --interlayer-partition --disable-interlayer-opt|--hw tetris --partition hybrid --interlayer --basic-interlayer"
)

now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.4f}')" "$1" "$2"; }

echo "| case | nn_dataflow energy | nnc energy | rel. diff | nn_dataflow time (s) | nnc time (s) | speed-up |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
ratios=()
for c in "${cases[@]}"; do
    IFS='|' read -r name net ref_flags nnc_flags batch <<<"$c"
    batch=${batch:-16}
    if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
    t0=$(now)
    # shellcheck disable=SC2086
    "$venv/bin/python" -m nn_dataflow.tools.nn_dataflow_search "$net" --batch "$batch" $ref_flags \
        -p "$threads" >"$work/ref.json" 2>"$work/ref.err"
    t1=$(now)
    ref_time=$(secs "$t0" "$t1")
    ref_energy=$(python3 -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['total_cost']))" "$work/ref.json")
    # shellcheck disable=SC2086
    nnc_cmd=("$nnc" schedule "nns/$net.nn" --batch "$batch" $nnc_flags --compat nn_dataflow \
        --threads "$threads" --quiet -o "$work/nnc.json")
    if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/hf.json" "${nnc_cmd[*]}" >/dev/null 2>&1
        nnc_time=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['results'][0]['median']:.4f}\")" "$work/hf.json")
    else
        times=()
        for _ in $(seq "$runs"); do
            t0=$(now)
            "${nnc_cmd[@]}"
            t1=$(now)
            times+=("$(secs "$t0" "$t1")")
        done
        nnc_time=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    fi
    nnc_energy=$(python3 -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['totals']['energy']))" "$work/nnc.json")
    read -r diff ratio < <(python3 -c "
import sys
r, n, rt, nt = map(float, sys.argv[1:])
print(f'{abs(n - r) / r:.1e}', f'{rt / nt:.0f}')" "$ref_energy" "$nnc_energy" "$ref_time" "$nnc_time")
    ratios+=("$ratio")
    echo "| $name | $ref_energy | $nnc_energy | $diff | $ref_time | $nnc_time | ${ratio}x |"
done
python3 -c "
import math, sys
r = [float(x) for x in sys.argv[1:]]
print(f'\nGeometric mean speed-up: {math.exp(sum(map(math.log, r)) / len(r)):.0f}x over {len(r)} cases.')" "${ratios[@]}"
echo "($threads threads each; nnc: median of $runs runs; $(uname -m), $(nproc) cores)"
