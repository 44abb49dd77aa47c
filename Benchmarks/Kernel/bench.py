"""Rigor kernel vs ipykernel, measured in the same run (see bench.sh)."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import zmq

from jupyter_client import KernelManager

CODE = {
    "rigor": {"trivial": "1 + 1", "lines": "for i in 0..<{n} {{ print(i) }}"},
    "python3": {"trivial": "1 + 1", "lines": "for i in range({n}):\n    print(i)"},
}


def start(kernel_name):
    manager = KernelManager(kernel_name=kernel_name)
    started = time.perf_counter()
    manager.start_kernel()
    client = manager.client()
    # libzmq retries a refused connection every 100 ms by default, which would round every cold
    # start up to the next 100 ms; retry every 5 ms instead (the same client for both kernels).
    client.context.setsockopt(zmq.RECONNECT_IVL, 5)
    client.start_channels()
    client.kernel_info()
    client.get_shell_msg(timeout=60)
    elapsed = time.perf_counter() - started
    # Not timed: until iopub delivers too (the kernel's iopub_welcome, or the status of a
    # kernel_info), since a subscription made after the first cell's idle status would miss it.
    client.wait_for_ready(timeout=60)
    return manager, client, elapsed


def stop(manager, client):
    client.stop_channels()
    manager.shutdown_kernel(now=False)


def run_cell(client, code, timeout=120):
    """Sends a cell, waits for its idle status and its reply; returns (seconds, stdout text)."""
    started = time.perf_counter()
    msg_id = client.execute(code, store_history=False)
    text = []
    while True:
        msg = client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            text.append(msg["content"]["text"])
        elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    while client.get_shell_msg(timeout=timeout)["parent_header"].get("msg_id") != msg_id:
        pass
    return time.perf_counter() - started, "".join(text)


def rss_bytes(manager):
    pid = manager.provisioner.process.pid
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def measure(kernels, rounds, starts, round_trips, lines):
    """Both kernels in the same run, taking turns: in each round every kernel is started alone,
    measured and stopped, so neither one's background threads (IPython saves history on one)
    steal the other's CPU, while load from other processes falls on both alike."""
    samples = {name: {"cold": [], "trips": [], "rate": [], "lost": [], "rss": []} for name in kernels}
    for _ in range(rounds):
        for name in kernels:
            sample = samples[name]
            for _ in range(starts):
                manager, client, seconds = start(name)
                sample["cold"].append(seconds)
                stop(manager, client)
            manager, client, _ = start(name)
            try:
                code = CODE[name]
                for _ in range(20):
                    run_cell(client, code["trivial"])
                sample["trips"].extend(run_cell(client, code["trivial"])[0] for _ in range(round_trips))
                seconds, text = run_cell(client, code["lines"].format(n=lines))
                received = text.split("\n")[:-1]
                sample["rate"].append(lines / seconds)
                sample["lost"].append(lines - sum(1 for i, line in enumerate(received) if line == str(i)))
                time.sleep(1.0)
                sample["rss"].append(rss_bytes(manager))
            finally:
                stop(manager, client)
    results = {}
    for name, sample in samples.items():
        trips = sorted(sample["trips"])
        results[name] = {
            "cold_start_s": statistics.median(sample["cold"]),
            "round_trip_median_s": statistics.median(trips),
            "round_trip_p99_s": trips[min(len(trips) - 1, int(len(trips) * 0.99))],
            "stdout_lines_per_s": statistics.median(sample["rate"]),
            "stdout_lines_lost": max(sample["lost"]),
            "idle_rss_bytes": statistics.median(sample["rss"]),
        }
    return results


def install_rigor(binary):
    prefix = tempfile.mkdtemp(prefix="rigor-bench-")
    subprocess.run([binary, "install", "--prefix", prefix, "--name", "rigor"], check=True, capture_output=True)
    os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rigor", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--round-trips", type=int, default=500)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    install_rigor(args.rigor)
    results = measure(["rigor", "python3"], args.rounds, args.starts, args.round_trips, args.lines)
    ours, reference = results["rigor"], results["python3"]
    targets = {
        "cold_start_s": ("kernel.cold_start", 0.2, "lower"),
        "round_trip_median_s": ("kernel.execute_round_trip.median", 0.3, "lower"),
        "round_trip_p99_s": ("kernel.execute_round_trip.p99", 0.3, "lower"),
        "stdout_lines_per_s": ("kernel.stdout_throughput", 1.0, "higher"),
        "idle_rss_bytes": ("kernel.idle_rss", 0.5, "lower"),
    }
    for key, (name, target, better) in targets.items():
        ratio = ours[key] / reference[key] if reference[key] else None
        met = ratio is not None and (ratio <= target if better == "lower" else ratio >= target)
        line = {
            "benchmark": name,
            "unit": "bytes" if "rss" in key else ("lines/s" if "lines" in key else "s"),
            "ours": ours[key],
            "reference": "ipykernel",
            "reference_value": reference[key],
            "ratio": ratio,
            "target_ratio": target,
            "better": better,
            "met": met,
        }
        if key.endswith("_s") and key != "stdout_lines_per_s":
            line["ours_s"], line["reference_s"] = ours[key], reference[key]
        if key == "stdout_lines_per_s":
            line["ours_lines_lost"] = ours["stdout_lines_lost"]
            line["reference_lines_lost"] = reference["stdout_lines_lost"]
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    sys.exit(main())
