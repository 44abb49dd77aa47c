"""Pairs NeuralNetworksBench's JSON lines with the PyTorch reference scripts' summaries (same run) and prints one
JSON line per task and thread count with the time ratio ours / torch and both test accuracies."""
import json
import statistics
import sys

TARGETS = {"mlp_digits": 0.5, "cnn_digits": 1.0, "lstm_summod": 1.0, "attention_sort8": 1.0}
BENCH_OF_SCRIPT = {"train_mlp_digits": "mlp_digits", "train_cnn_digits": "cnn_digits", "train_lstm": "lstm_summod",
                   "train_attention": "attention_sort8"}


def lines(path):
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line.startswith("{"):
                yield json.loads(line)


ours = {}
for run in lines(sys.argv[1]):
    ours.setdefault((run["benchmark"], run["threads"]), []).append(run)

reference = {}
for path in sys.argv[2:]:
    for summary in lines(path):
        bench = BENCH_OF_SCRIPT.get(summary.get("bench"))
        for result in summary.get("results", []):
            if bench and not result["peer"].startswith("sklearn"):
                reference[(bench, result["threads"])] = result

for (bench, threads), runs in sorted(ours.items()):
    ours_s = statistics.median(r["train_s"] for r in runs)
    line = {
        "benchmark": "nn_" + bench, "threads": threads, "ours_s": round(ours_s, 4),
        "ours_cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 4),
        "ours_test_acc": round(statistics.median(r["test_acc"] for r in runs), 4),
        "ours_test_acc_per_seed": [round(r["test_acc"], 4) for r in sorted(runs, key=lambda r: r["seed"])],
        "target_ratio": TARGETS.get(bench),
    }
    ref = reference.get((bench, threads))
    if ref:
        line.update({
            "reference": ref["peer"], "reference_s": round(ref["train_s_median"], 4),
            "ratio": round(ours_s / ref["train_s_median"], 3),
            "reference_test_acc": ref.get("test_acc"),
            "reference_test_acc_range": [ref.get("test_acc_min"), ref.get("test_acc_max")],
        })
        if ref.get("runs"):
            line["reference_test_acc_per_seed"] = [r["test_acc"] for r in sorted(ref["runs"], key=lambda r: r["seed"])]
    print(json.dumps(line))
