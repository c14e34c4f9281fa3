#!/usr/bin/env bash
# Times nnc's default search, which is the full search of nnc's model: every
# option that can only widen it on (hybrid partitioning with batch and
# input-channel partitioning, access forwarding, save-writeback and
# inter-layer pipelining; docs/model/network.md#default-options), with the
# pruning of docs/model/network.md#pruning-partitions and
# docs/model/blocking.md#pruning-by-floors. Every shipped network on every
# preset at batch 1 and 16, release build, one hyperfine run each (the
# searches are deterministic; use --runs for more).
#
#   bash bench/full-search.sh [NNC_BINARY] [--runs N] [NET ...]
#
# Prints a Markdown table of mean wall times in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
nnc=target/release/nnc
if [[ $# -gt 0 && -x "$1" ]]; then nnc=$1; shift; fi
runs=1
if [[ $# -gt 1 && "$1" == "--runs" ]]; then runs=$2; shift 2; fi
[[ -x "$nnc" ]] || cargo build --release --quiet --bin nnc
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
nets=("$@")
if [[ ${#nets[@]} -eq 0 ]]; then
  for f in nns/*.nn; do nets+=("$(basename "$f" .nn)"); done
fi
presets=$(ls hw/*.toml | xargs -n1 basename | sed 's/\.toml$//')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| network | preset | b1 (s) | b16 (s) |\n| --- | --- | --- | --- |\n'
for net in "${nets[@]}"; do
  for hw in $presets; do
    row="| $net | $hw |"
    for batch in 1 16; do
      hyperfine --runs "$runs" --warmup 0 --style none --export-json "$tmp/r.json" \
        "$nnc schedule nns/$net.nn --hw $hw --batch $batch -q" >/dev/null 2>&1
      mean=$(python3 -c "import json,sys; print('%.3f' % json.load(open(sys.argv[1]))['results'][0]['mean'])" "$tmp/r.json")
      row="$row $mean |"
    done
    echo "$row"
  done
done
