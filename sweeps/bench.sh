#!/usr/bin/env bash
# Times `nnc sweep SPEC` against a shell loop of one `nnc schedule --set`
# process per row (the way a sweep is done without it), with hyperfine.
# The loop's commands are made from the sweep's own results file, so both
# run the same points. Usage: sweeps/bench.sh [SPEC] (default
# sweeps/gbuf.toml, a spec without [options] beyond solver and partition).
set -euo pipefail
cd "$(dirname "$0")/.."
exec </dev/null
SPEC=${1:-sweeps/gbuf.toml}
NNC=${NNC:-$(pwd)/target/release/nnc}
RUNS=${RUNS:-5}
WORK=$(mktemp -d /tmp/nnc-sweep-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$NNC" sweep "$SPEC" -q -o "$WORK/ref.csv"
solver=$(sed -n 's/^solver *= *"\(.*\)".*/\1/p' "$SPEC")
partition=$(sed -n 's/^partition *= *"\(.*\)".*/\1/p' "$SPEC")
# One line per row: network, batch, then `--set KEY=VALUE` per key column.
python3 - "$WORK/ref.csv" "$NNC" "${solver:-exhaustive}" "${partition:-naive}" >"$WORK/loop.sh" <<'PY'
import csv, sys, shlex
path, nnc, solver, partition = sys.argv[1:]
rows = list(csv.reader(open(path)))
header, body = rows[1], rows[2:]
keys = header[2:header.index("energy")]
def changes(r):
    # A pair is two columns, KEY.rows and KEY.cols: one --set KEY=RxC.
    out, cells = [], dict(zip(keys, r[2:]))
    for k in keys:
        if k.endswith(".rows"):
            out.append(f"{k[:-5]}={cells[k]}x{cells[k[:-5] + '.cols']}")
        elif not k.endswith(".cols"):
            out.append(f"{k}={cells[k]}")
    return out
for r in body:
    sets = " ".join(f"--set {shlex.quote(c)}" for c in changes(r))
    print(f"{nnc} schedule {shlex.quote(r[0])} --hw eyeriss --batch {r[1]} --solver {solver} "
          f"--partition {partition} {sets} -q -o /tmp/nnc-bench-point.json")
PY
echo "rows: $(wc -l <"$WORK/loop.sh")"
cd "$(dirname "$SPEC")"
hyperfine -N -w 1 -r "$RUNS" --export-markdown "$WORK/result.md" \
    --prepare "rm -f $WORK/out.csv" \
    -n "nnc sweep" "$NNC sweep $(basename "$SPEC") -q -o $WORK/out.csv" \
    -n "one nnc schedule per row" "bash $WORK/loop.sh"
cat "$WORK/result.md"
