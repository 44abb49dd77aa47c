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


def cpu_seconds(pid):
    """The CPU time the kernel process has used, all its threads (/proc/PID/task/*/schedstat, nanoseconds)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:  # a thread that ended meanwhile
            pass
    return total / 1e9


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
    kernel_pid = manager.provisioner.pid
    samples = {"swift": [], "live": [], "quiet": [], "unlogged": []}
    cpu = {"quiet": [], "unlogged": []}
    logging = []  # seconds the kernel spent opening and writing the run log during each logged quiet cell
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
                if side == "quiet":
                    logged_before = float(run_cell(client, "print(runLogSeconds())")[1])  # untimed
                cpu_before = cpu_seconds(kernel_pid)
                seconds, _, kinds, _ = run_cell(
                    client, FIT.format(seed=args.seed, progress="true" if side == "live" else "false"))
                samples[side].append(seconds)
                if side in cpu:
                    cpu[side].append(cpu_seconds(kernel_pid) - cpu_before)
                if side == "quiet":
                    logging.append(float(run_cell(client, "print(runLogSeconds())")[1]) - logged_before)
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
    # Three measures. The ratio judged against the target is the direct one: the time the kernel spent opening and
    # writing the run log during each recorded cell (`runLogSeconds()`, a clock around every storage call, disk
    # waits included), over the unrecorded cell's wall time, plus one. The other two compare the cells as wholes: the
    # kernel's CPU time and the wall time per cell. On a shared machine those vary by ±10-20 % from cell to cell, ten
    # times the 2 % target, so their medians over 25 rounds move by a few percent either way; they are printed as a
    # check that nothing outside the storage calls costs more than the direct measure says.
    logged, unlogged = statistics.median(samples["quiet"]), statistics.median(samples["unlogged"])
    logged_cpu, unlogged_cpu = statistics.median(cpu["quiet"]), statistics.median(cpu["unlogged"])
    paired = statistics.median(a / b for a, b in zip(samples["quiet"], samples["unlogged"]))
    writing = statistics.median(logging)
    print(json.dumps({
        "benchmark": "runlog.mlp_digits.fit_overhead",
        "ours_s": unlogged + writing,
        "reference": "the same fit cell with the run log off (runLog(path: nil)); ours = it + the time spent "
                     "writing the log in a recorded cell (runLogSeconds())",
        "reference_s": unlogged,
        "ratio": (unlogged + writing) / unlogged,
        "target_ratio": 1.02,
        "met": (unlogged + writing) / unlogged <= 1.02,
        "rounds": args.rounds,
        "log_writing_s": writing,
        "log_writing_all_s": logging,
        "wall_ratio": logged / unlogged,
        "wall_ratio_paired_median": paired,
        "wall_ours_s": logged,
        "wall_reference_s": unlogged,
        "wall_ours_all_s": samples["quiet"],
        "wall_reference_all_s": samples["unlogged"],
        "cpu_ratio": logged_cpu / unlogged_cpu,
        "cpu_ours_s": logged_cpu,
        "cpu_reference_s": unlogged_cpu,
    }), flush=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
