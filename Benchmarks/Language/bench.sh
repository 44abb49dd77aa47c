#!/usr/bin/env bash
# The language adds little: the reference digits MLP (64-128-64-10, Adam 1e-3, batch 32, 20 epochs) written as a
# Rigor cell and run through the Jupyter kernel, against the same model trained from Swift directly
# (NeuralNetworksBench mlp), in one run, taking turns. Prints JSON lines with the kernel cell's time, the Swift
# fit's time and their ratio (target ≤ 1.2), once with the live training display and once with `progress: false`,
# and checks that both trained the same numbers (same final loss and test accuracy).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"
SCRATCH_PATH=${SCRATCH_PATH:-.build}
REFERENCE=${REFERENCE_DIR:-../shared/bench/reference}
if [[ ! -f "$REFERENCE/data/digits_train.csv" ]]; then
    echo "Language bench: reference data not found at $REFERENCE/data (set REFERENCE_DIR)" >&2
    exit 1
fi
swift build -c release --scratch-path "$SCRATCH_PATH" --product rigor >&2
swift build -c release --scratch-path "$SCRATCH_PATH" --product NeuralNetworksBench >&2
source Benchmarks/common.sh
use_recommended_core_type "$SCRATCH_PATH/release/NeuralNetworksBench"
OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} exec "$PYTHON" Benchmarks/Language/bench.py \
    --rigor "$SCRATCH_PATH/release/rigor" --swift-bench "$SCRATCH_PATH/release/NeuralNetworksBench" \
    --data "$(cd "$REFERENCE/data" && pwd)" "$@"
