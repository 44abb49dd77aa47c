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

if ! "$VENV/bin/python" -c 'import torch, numpy, threadpoolctl' 2>/dev/null; then
    echo "setting up $VENV (torch==2.13.0, numpy, threadpoolctl)" >&2
    "$PYTHON3" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check torch==2.13.0 numpy threadpoolctl >&2
fi

swift build -c release --scratch-path "$SCRATCH_PATH" --product TensorCoreBench >&2
bench="$SCRATCH_PATH/release/TensorCoreBench"

# Debian's OpenBLAS 0.3.21 does not know recent CPUs (e.g. Sapphire Rapids) and falls back to SSE3 kernels;
# the binary tells which OPENBLAS_CORETYPE fits this CPU (see BLASBackend.recommendedCoreType).
if [[ -z "${OPENBLAS_CORETYPE:-}" ]]; then
    core=$("$bench" --recommended-core-type)
    if [[ -n "$core" ]]; then
        echo "OpenBLAS fell back to generic kernels; running with OPENBLAS_CORETYPE=$core" >&2
        export OPENBLAS_CORETYPE=$core
    fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
for round in $(seq 1 "$ROUNDS"); do
    echo "round $round/$ROUNDS" >&2
    "$bench" "$@" >>"$work/ours.jsonl"
    "$VENV/bin/python" Benchmarks/TensorCore/reference.py "$@" >>"$work/reference.jsonl"
done
"$VENV/bin/python" Benchmarks/TensorCore/compare.py "$work/ours.jsonl" "$work/reference.jsonl"
