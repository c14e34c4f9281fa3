#!/usr/bin/env bash
# The README's "How far the schedules are from the lower bound" table: every
# shipped network at batch 16 with default options on eyeriss and tetris.
# Usage: bench/bound-table.sh [path/to/nnc]  (default: target/release/nnc)
set -euo pipefail
cd "$(dirname "$0")/.."
nnc=${1:-target/release/nnc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| network | eyeriss energy | eyeriss bound | energy / bound | tetris energy | tetris bound | energy / bound |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for f in nns/*.nn; do
    net=$(basename "$f" .nn)
    # Decode steps are per-token workloads with their own table.
    case $net in *_decode) continue ;; esac
    row="| $net"
    for hw in eyeriss tetris; do
        if "$nnc" schedule "$f" --hw "$hw" --batch 16 -q -o "$out/s.json" 2>/dev/null; then
            row+=$(python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
e, b = t["energy"], t["lower_bound"]["energy"]
print(f" | {e:.3e} | {b:.3e} | {e / b:.3f}x", end="")' "$out/s.json")
        else
            row+=" | - | - | -"
        fi
    done
    echo "$row |"
done
