#!/usr/bin/env bash
# NeuralNetworks benchmarks (called by Benchmarks/run.sh, i.e. `make bench`): the four engine reference tasks of
# shared/bench/reference (MLP and CNN on digits, LSTM running sum mod 10, transformer sorting 8 tokens) trained by
# NeuralNetworksBench and by the PyTorch reference scripts in the same run, with the same data, split, batch order
# (numpy's permutations, written here), optimizer and epochs, at 1 and 2 threads. Prints one JSON line per task and
# thread count: {"benchmark", "threads", "ours_s", "reference", "reference_s", "ratio", "ours_test_acc",
# "reference_test_acc", "reference_test_acc_range", "target_ratio", "ours_test_acc_per_seed",
# "reference_test_acc_per_seed"}   (ratio = ours / torch; < 1 means faster).
# Arguments select tasks (mlp cnn lstm attention); REPEATS=R runs seeds 0..R-1 (medians reported); THREADS="1" skips
# the 2-thread runs (torch's OpenMP workers spin when the other core is busy: minutes per task on a loaded machine).
# TORCH_INIT=1 starts our LSTM from PyTorch's initial weights for the same seed (torch_init.py), so that the two
# engines train from one starting point (accuracy then differs only by the arithmetic, not by the initial draw).
set -euo pipefail
cd "$(dirname "$0")/../.."
SCRATCH_PATH=${SCRATCH_PATH:-.build}
VENV=${BENCH_VENV:-.venv-bench}
REPEATS=${REPEATS:-1}
PYTHON3=${PYTHON:-python3}
REFERENCE=${REFERENCE_DIR:-../shared/bench/reference}
THREADS=${THREADS:-1 2}
tasks=("$@")
[[ ${#tasks[@]} -gt 0 ]] || tasks=(mlp cnn lstm attention)

if [[ ! -d "$REFERENCE/data" ]]; then
    echo "NeuralNetworks bench: reference scripts not found at $REFERENCE (set REFERENCE_DIR)" >&2
    exit 1
fi
source Benchmarks/common.sh
ensure_bench_venv "$VENV" "$PYTHON3"

swift build -c release --scratch-path "$SCRATCH_PATH" --product NeuralNetworksBench >&2
bench="$SCRATCH_PATH/release/NeuralNetworksBench"
use_recommended_core_type "$bench"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The reference batch order: np.random.default_rng([seed, epoch]).permutation(n), one file per task, seed and epoch.
"$VENV/bin/python" - "$work" "$REPEATS" <<'PY'
import sys, numpy as np
folder, repeats = sys.argv[1], int(sys.argv[2])
tasks = {"mlp": (1257, 20), "cnn": (1257, 15), "lstm": (8000, 5), "attention": (10000, 6)}
for task, (n, epochs) in tasks.items():
    for seed in range(repeats):
        for epoch in range(epochs):
            perm = np.random.default_rng([seed, epoch]).permutation(n)
            with open(f"{folder}/{task}_seed{seed}_epoch{epoch}.txt", "w") as handle:
                handle.write(" ".join(map(str, perm)))
PY

declare -A script=([mlp]=train_mlp_digits.py [cnn]=train_cnn_digits.py [lstm]=train_lstm.py [attention]=train_attention.py)
declare -A peers=([mlp]=torch [cnn]=torch [lstm]=torch-nn.LSTM [attention]=torch-nn.Transformer)
for task in "${tasks[@]}"; do
    echo "task $task: ours (seeds 0..$((REPEATS - 1)), threads $THREADS), then torch" >&2
    for seed in $(seq 0 $((REPEATS - 1))); do
        for threads in $THREADS; do
            init=()
            if [[ ${TORCH_INIT:-0} == 1 && $task == lstm ]]; then
                "$VENV/bin/python" Benchmarks/NeuralNetworks/torch_init.py "$REFERENCE" "$task" "$seed" \
                    "$work/init_${task}_$seed.safetensors"
                init=(--init "$work/init_${task}_$seed.safetensors")
            fi
            OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads "$bench" --data "$REFERENCE/data" \
                --orders "$work" --seed "$seed" "${init[@]}" "$task" >>"$work/ours.jsonl"
        done
    done
    "$VENV/bin/python" "$REFERENCE/${script[$task]}" --repeats "$REPEATS" --threads "${THREADS// /,}" --peers "${peers[$task]}" \
        >"$work/reference_$task.jsonl"
done
"$VENV/bin/python" Benchmarks/NeuralNetworks/compare.py "$work/ours.jsonl" "$work"/reference_*.jsonl
