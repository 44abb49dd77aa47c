#!/usr/bin/env bash
# TensorCore benchmarks, side by side with PyTorch/NumPy in one run (called by Benchmarks/run.sh, i.e. `make bench`).
# Builds TensorCoreBench in release, sets up .venv-bench (torch 2.13.0 CPU, numpy, threadpoolctl) if missing, then runs
# ours and the reference interleaved for $ROUNDS rounds, all at 1 thread, and prints one JSON line per benchmark:
#   {"benchmark", "ours_s", "reference", "reference_s", "ratio"}   (ratio = ours / reference; < 1 means faster)
# Arguments select benchmarks by name prefix (sgemm, add, matmul, autograd, linear, conv2d, mlp, lstm).
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH_PATH=${SCRATCH_PATH:-.build}
VENV=${BENCH_VENV:-.venv-bench}
ROUNDS=${ROUNDS:-3}
PYTHON3=${PYTHON:-python3}

source Benchmarks/common.sh
ensure_bench_venv "$VENV" "$PYTHON3"

swift build -c release --scratch-path "$SCRATCH_PATH" --product TensorCoreBench >&2
bench="$SCRATCH_PATH/release/TensorCoreBench"

use_recommended_core_type "$bench"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round/$ROUNDS" >&2
    "$bench" "$@" >>"$work/ours.jsonl"
    "$VENV/bin/python" Benchmarks/TensorCore/reference.py "$@" >>"$work/reference.jsonl"
done
"$VENV/bin/python" Benchmarks/TensorCore/compare.py "$work/ours.jsonl" "$work/reference.jsonl"
