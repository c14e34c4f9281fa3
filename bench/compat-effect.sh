#!/usr/bin/env bash
# The effect of nnc's fixes to nn_dataflow's model on the shipped networks:
# total energy and time of every `nns/` network with nnc's model and with
# `--compat nn_dataflow`, on the `eyeriss` and `tetris` presets, batch 16,
# exhaustive search (tetris: hybrid partitioning with batch partitioning).
# Prints a Markdown table (the README's "Differences from nn_dataflow").
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
nnc=target/release/nnc
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # network hw-flags... ; prints "energy time" or "none"
    local net=$1; shift
    if "$nnc" schedule "$net" --batch 16 "$@" -q -o "$work/s.json" 2>"$work/err"; then
        python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['totals']; print(t['energy'], t['time'])" "$work/s.json"
    else
        echo "none none"
    fi
}

echo "| network | hardware | energy, nnc | energy, compat | nnc vs compat | time, nnc | time, compat |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for net in nns/*.nn; do
    for hw in eyeriss tetris; do
        flags=(--hw "$hw")
        [ "$hw" = tetris ] && flags+=(--partition hybrid --batch-partition)
        read -r e1 t1 < <(run "$net" "${flags[@]}")
        read -r e2 t2 < <(run "$net" "${flags[@]}" --compat nn_dataflow)
        python3 - "$net" "$hw" "$e1" "$e2" "$t1" "$t2" <<'PY'
import sys
net, hw, e1, e2, t1, t2 = sys.argv[1:]
name = net.split('/')[-1][:-3]
def f(x):
    return "no schedule" if x == "none" else f"{float(x):.4e}"
d = "n/a" if "none" in (e1, e2) else f"{(float(e1) - float(e2)) / float(e2) * 100:+.3f}%"
def t(x):
    return "-" if x == "none" else f"{int(x):,}"
print(f"| {name} | {hw} | {f(e1)} | {f(e2)} | {d} | {t(t1)} | {t(t2)} |")
PY
    done
done
