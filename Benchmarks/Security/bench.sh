#!/usr/bin/env bash
# Security benchmarks (called by Benchmarks/run.sh, i.e. `make bench`): FGSM and PGD (L∞, L2, random start) on 540
# digits test rows with the Security target (SecurityBench, release build) against ART 1.20's FastGradientMethod and
# ProjectedGradientDescent on a PyTorchClassifier with the same weights, rows and settings, in one run. Prints one
# JSON line per attack: {"benchmark", "ours_s", "reference", "reference_s", "ratio", "accuracy", "reference_accuracy"}
# (ratio = ours / reference CPU seconds; < 1 means faster). ROWS and REPEATS override the sizes.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH_PATH=${SCRATCH_PATH:-.build}
VENV=${BENCH_VENV:-.venv-bench}
PYTHON3=${PYTHON:-python3}
source Benchmarks/common.sh
ensure_bench_venv "$VENV" "$PYTHON3"
if ! "$VENV/bin/python" -c 'import art, safetensors; assert art.__version__.startswith("1.20")' 2>/dev/null; then
    echo "installing adversarial-robustness-toolbox 1.20 and safetensors into $VENV" >&2
    "$VENV/bin/pip" install -q --disable-pip-version-check "adversarial-robustness-toolbox==1.20.*" safetensors >&2
fi

swift build -c release --scratch-path "$SCRATCH_PATH" --product SecurityBench >&2
bench="$SCRATCH_PATH/release/SecurityBench"
use_recommended_core_type "$bench"
export OPENBLAS_NUM_THREADS=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bench" --out "$work" --rows "${ROWS:-540}" --repeats "${REPEATS:-3}" > "$work/ours.jsonl"
"$VENV/bin/python" Tests/SecurityTests/Fixtures/art_reference.py "$work" --repeats "${REPEATS:-3}" > "$work/art.json"
"$VENV/bin/python" - "$work" <<'PY'
import json, sys
folder = sys.argv[1]
reference = json.load(open(f"{folder}/art.json"))
for line in open(f"{folder}/ours.jsonl"):
    ours = json.loads(line)
    theirs = reference[ours["attack"]]
    print(json.dumps({
        "benchmark": f"security/{ours['attack']}", "rows": ours["rows"],
        "ours_s": round(ours["ours_s"], 4), "ours_cpu_s": round(ours["ours_cpu_s"], 4),
        "reference": "ART 1.20 (PyTorchClassifier, torch 1 thread)",
        "reference_s": round(theirs["seconds"], 4), "reference_cpu_s": round(theirs["cpu_seconds"], 4),
        "ratio": round(ours["ours_cpu_s"] / theirs["cpu_seconds"], 3),
        "accuracy": round(ours["accuracy"], 4), "reference_accuracy": round(theirs["accuracy"], 4),
        "clean_accuracy": round(ours["clean_accuracy"], 4),
    }))
PY
