"""The reference digits MLP as a Rigor cell through the kernel vs the same model from Swift (see bench.sh)."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from jupyter_client import KernelManager

SETUP = """
let train = Dataset.csv("{data}/digits_train.csv", target: "label")
let test = Dataset.csv("{data}/digits_test.csv", target: "label").standardized(using: train)
let scaled = train.standardized()
"""

# The cell a user writes: the reference MLP, trained as in shared/bench/reference/train_mlp_digits.py.
FIT = """
let model = Sequential([
    Dense(64, 128, activation: .relu),
    Dense(128, 64, activation: .relu),
    Dense(64, 10),
], seed: {seed})
let history = model.fit(scaled, epochs: 20, batchSize: 32, optimizer: .adam(learningRate: 1e-3),
                        seed: {seed}, progress: {progress})
"""

REPORT = 'print(history.trainLoss[history.trainLoss.count - 1], accuracy(model, test))'


def run_cell(client, code, timeout=600):
    """Sends a cell; waits for idle and the reply. Returns (seconds, stdout, iopub message types, reply)."""
    started = time.perf_counter()
    msg_id = client.execute(code, store_history=False)
    text, kinds = [], []
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kinds.append(msg["msg_type"])
        if msg["msg_type"] == "stream":
            text.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raise RuntimeError("cell failed: " + "\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    while True:
        reply = client.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    return time.perf_counter() - started, "".join(text), kinds, reply


def swift_fit(binary, data, seed):
    result = subprocess.run(
        [binary, "--data", data, "--seed", str(seed), "mlp"], check=True, capture_output=True, text=True)
    line = json.loads(result.stdout.strip().splitlines()[-1])
    return line["train_s"], line["final_epoch_train_loss"], line["test_acc"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rigor", required=True)
    parser.add_argument("--swift-bench", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    prefix = tempfile.mkdtemp(prefix="rigor-bench-")
    subprocess.run([args.rigor, "install", "--prefix", prefix, "--name", "rigor"], check=True, capture_output=True)
    os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
    manager = KernelManager(kernel_name="rigor")
    # Runs are recorded as in a notebook (the run log is on by default), into a scratch file.
    run_log = os.path.join(prefix, "runs.sqlite")
    manager.start_kernel(env=dict(os.environ, RIGOR_RUN_LOG=run_log), cwd=prefix)
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    samples = {"swift": [], "live": [], "quiet": [], "unlogged": []}
    checks = {}
    try:
        run_cell(client, SETUP.format(data=args.data))
        # Warm-up: one short fit, so neither side pays first-use costs (page faults, BLAS buffers) in the timings.
        run_cell(client, FIT.format(seed=args.seed, progress="false").replace("epochs: 20", "epochs: 1"))
        swift_fit(args.swift_bench, args.data, args.seed)
        for round_index in range(args.rounds):
            order = ["swift", "live", "quiet", "unlogged"]
            if round_index % 2 == 1:
                order.reverse()
            for side in order:
                if side == "swift":
                    seconds, loss, acc = swift_fit(args.swift_bench, args.data, args.seed)
                    samples["swift"].append(seconds)
                    checks["swift"] = (loss, acc)
                    continue
                if side == "unlogged":
                    run_cell(client, "runLog(path: nil)")  # untimed: the same fit, not recorded
                seconds, _, kinds, _ = run_cell(
                    client, FIT.format(seed=args.seed, progress="true" if side == "live" else "false"))
                samples[side].append(seconds)
                if side == "unlogged":
                    run_cell(client, f'runLog(path: "{run_log}")')
                _, text, _, _ = run_cell(client, REPORT)
                loss, acc = (float(x) for x in text.split())
                checks[side] = (loss, acc)
                if side == "live":
                    checks["live_updates"] = kinds.count("update_display_data")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)

    swift_s = statistics.median(samples["swift"])
    same = all(
        abs(checks[side][0] - checks["swift"][0]) <= 1e-4 * max(1.0, abs(checks["swift"][0]))
        and checks[side][1] == checks["swift"][1]
        for side in ("live", "quiet", "unlogged"))
    for side, name in (("live", "language.mlp_digits.kernel_cell_live_display"),
                       ("quiet", "language.mlp_digits.kernel_cell")):
        ours = statistics.median(samples[side])
        print(json.dumps({
            "benchmark": name,
            "ours_s": ours,
            "reference": "NeuralNetworks from Swift (NeuralNetworksBench mlp)",
            "reference_s": swift_s,
            "ratio": ours / swift_s,
            "target_ratio": 1.2,
            "met": ours / swift_s <= 1.2,
            "rounds": args.rounds,
            "ours_all_s": samples[side],
            "reference_all_s": samples["swift"],
            "final_train_loss": checks[side][0],
            "reference_final_train_loss": checks["swift"][0],
            "test_acc": checks[side][1],
            "reference_test_acc": checks["swift"][1],
            "same_numbers": same,
            **({"display_updates": checks.get("live_updates")} if side == "live" else {}),
        }), flush=True)
    # The run log's cost: the same cell recorded (the default) against not recorded, in one kernel, taking turns.
    logged, unlogged = statistics.median(samples["quiet"]), statistics.median(samples["unlogged"])
    print(json.dumps({
        "benchmark": "runlog.mlp_digits.fit_overhead",
        "ours_s": logged,
        "reference": "the same fit cell with the run log off (runLog(path: nil))",
        "reference_s": unlogged,
        "ratio": logged / unlogged,
        "target_ratio": 1.02,
        "met": logged / unlogged <= 1.02,
        "rounds": args.rounds,
        "ours_all_s": samples["quiet"],
        "reference_all_s": samples["unlogged"],
    }), flush=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
