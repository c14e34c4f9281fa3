#!/usr/bin/env bash
# The README's systolic table: ResNet-50 and BERT-base at batch 1 on the
# TPU-like preset, SCALE-Sim's fixed mapping priced in nnc's model against
# nnc's own schedule (docs/model/dataflows.md#scale-sims-mapping-priced-in-nncs-model).
# Usage: bench/systolic-table.sh [HW]  (default: tpu-v1)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q --example systolic_vs_scalesim -- "${1:-tpu-v1}" nns/resnet50.nn nns/bert_base.nn
