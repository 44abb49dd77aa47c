#!/usr/bin/env bash
# ModelInsight benchmarks (called by Benchmarks/run.sh, i.e. `make bench`): KernelSHAP and integrated gradients on
# 100 digits rows with ModelInsight (InsightBench, release build) against shap's KernelExplainer and captum's
# IntegratedGradients on the same weights (safetensors), same background, classes and budget, in one run. Prints one
# JSON line per method: {"benchmark", "ours_s", "reference", "reference_s", "ratio", "target_ratio", ...}
# (ratio = ours / reference; < 1 means faster). ROWS, SAMPLES, STEPS, REPEATS override the sizes.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH_PATH=${SCRATCH_PATH:-.build}
VENV=${BENCH_VENV:-.venv-bench}
PYTHON3=${PYTHON:-python3}
source Benchmarks/common.sh
ensure_bench_venv "$VENV" "$PYTHON3"
# shap 0.54 needs Python 3.12; on 3.11 pip resolves the newest that installs (0.51).
if ! "$VENV/bin/python" -c 'import shap, captum, safetensors' 2>/dev/null; then
    echo "installing shap, captum and safetensors into $VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check "shap<=0.54" "captum>=0.8" safetensors >&2
fi

swift build -c release --scratch-path "$SCRATCH_PATH" --product InsightBench >&2
bench="$SCRATCH_PATH/release/InsightBench"
use_recommended_core_type "$bench"
export OPENBLAS_NUM_THREADS=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bench" --out "$work" --rows "${ROWS:-100}" --samples "${SAMPLES:-2048}" --steps "${STEPS:-50}" \
    --repeats "${REPEATS:-3}" >&2
"$VENV/bin/python" Benchmarks/Insight/compare.py "$work" --repeats "${REPEATS:-3}"
