#!/usr/bin/env bash
# Deployment benchmarks (called by Benchmarks/run.sh, i.e. `make bench`): int8 against float32 inference latency of
# the digits MLP and CNN (ours), and in the same run ONNX Runtime single-thread on our exported .onnx files and
# torch's dynamic int8 quantization on the same weights. One JSON line per model and batch (1, 32); see
# Benchmarks/Deployment/compare.py for the keys (ratios < 1 mean ours is faster). Then `rigor serve` on the exported
# files under load from wrk, against ONNX Runtime behind a minimal Python HTTP server (serve_load.py: throughput and
# latency percentiles, as ratios). In between, the int8 kernel chosen on this CPU against the portable one.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH_PATH=${SCRATCH_PATH:-.build}
VENV=${BENCH_VENV:-.venv-bench}
PYTHON3=${PYTHON:-python3}
source Benchmarks/common.sh
ensure_bench_venv "$VENV" "$PYTHON3"
"$VENV/bin/python" -c 'import onnxruntime, safetensors' 2>/dev/null ||
    "$VENV/bin/pip" install -q --disable-pip-version-check onnxruntime==1.32.0 safetensors==0.7.0 >&2

swift build -c release --scratch-path "$SCRATCH_PATH" --product DeploymentBench >&2
swift build -c release --scratch-path "$SCRATCH_PATH" --product rigor >&2
RIGOR_BENCH_DEPS=1 RIGOR_BROWSER_TESTS=0 bash scripts/install-system-deps.sh >&2   # wrk
command -v wrk >/dev/null || { echo "wrk is missing (Debian package wrk)" >&2; exit 1; }
bench="$SCRATCH_PATH/release/DeploymentBench"
use_recommended_core_type "$bench"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
OPENBLAS_NUM_THREADS=1 "$bench" --out "$work" >"$work/ours.jsonl"
OMP_NUM_THREADS=1 "$VENV/bin/python" Benchmarks/Deployment/compare.py "$work/ours.jsonl" "$work"
# The kernels side by side: the int8 AVX-512 VNNI one (when the CPU has it) against the portable Swift one, and the
# float32 direct convolution chosen on this CPU (AVX-512 or AVX2) against its portable C variant.
mkdir -p "$work/portable"
RIGOR_INT8_KERNEL=portable RIGOR_FLOAT_KERNEL=portable OPENBLAS_NUM_THREADS=1 "$bench" --out "$work/portable" \
    >"$work/portable.jsonl"
"$VENV/bin/python" - "$work/ours.jsonl" "$work/portable.jsonl" <<'PY'
import json, sys
default, portable = ([json.loads(l) for l in open(p) if l.startswith("{")] for p in sys.argv[1:3])
for ours, swift in zip(default, portable):
    print(json.dumps({"benchmark": ours["benchmark"] + "_int8_kernel", "batch": ours["batch"],
                      "ours_s": ours["ours_int8_s"], "reference": "portable Swift SSE2 kernel",
                      "reference_s": swift["ours_int8_s"], "ratio": round(ours["ours_int8_s"] / swift["ours_int8_s"], 3)}))
    if ours["benchmark"] == "deploy_cnn":
        print(json.dumps({"benchmark": ours["benchmark"] + "_float_kernel", "batch": ours["batch"],
                          "kernel": ours["float_kernel"], "ours_s": ours["ours_float_s"],
                          "reference": "portable C direct convolution", "reference_s": swift["ours_float_s"],
                          "ratio": round(ours["ours_float_s"] / swift["ours_float_s"], 3)}))
PY
OMP_NUM_THREADS=1 "$VENV/bin/python" Benchmarks/Deployment/serve_load.py "$SCRATCH_PATH/release/rigor" "$work" \
    --duration "${SERVE_LOAD_SECONDS:-10}"
