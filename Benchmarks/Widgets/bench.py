"""Slider update -> re-rendered output round trip: Rigor vs ipywidgets' interact on ipykernel (see bench.sh).

Both kernels get the same trivial closure (it prints the slider's value) behind a slider; the client plays the
front end: it sends the `comm_msg` `update` a dragged slider sends and times until the message that re-renders the
output arrives on iopub. For ipykernel that is the closure's `stream`, which JupyterLab's Output widget captures by
`msg_id`; for Rigor it is the Output model's `update` whose `outputs` hold the new text (the front end renders the
state). Both are `interact` with an integer slider from 0 to 10: `interact(lambda n: print(...), n=slider)` on
ipykernel, `interact(n: 0...10) { n in print(...) }` on Rigor.
"""

import argparse
import json
import os
import queue
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import zmq
from jupyter_client import KernelManager

ROUNDS = 200


def start(kernel_name, env=None):
    manager = KernelManager(kernel_name=kernel_name)
    manager.start_kernel(env={**os.environ, **(env or {})})
    client = manager.client()
    client.context.setsockopt(zmq.RECONNECT_IVL, 5)
    client.start_channels()
    client.wait_for_ready(timeout=60)
    return manager, client


def execute(client, code):
    """Runs a cell; returns its iopub messages up to idle."""
    msg_id = client.execute(code, store_history=False)
    messages = []
    while True:
        msg = client.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        messages.append(msg)
    client.get_shell_msg(timeout=60)
    return messages


def model_ids(messages):
    return {m["content"]["data"]["state"]["_model_name"]: m["content"]["comm_id"]
            for m in messages if m["msg_type"] == "comm_open"}


def round_trips(client, slider, rendered, kernel):
    """Times ROUNDS slider updates until `rendered(msg, value)` sees the re-rendered output."""
    times = []
    for index in range(ROUNDS + 10):
        value = 1 + index % 9
        msg = client.session.msg("comm_msg", {"comm_id": slider, "data": {
            "method": "update", "state": {"value": value}, "buffer_paths": []}})
        started = time.perf_counter()
        client.shell_channel.send(msg)
        while True:
            try:
                reply = client.get_iopub_msg(timeout=30)
            except queue.Empty:
                raise RuntimeError(f"{kernel}: round {index}: no re-rendered output for value {value} within 30 s")
            if rendered(reply, value):
                break
        elapsed = time.perf_counter() - started
        # Let the rest of this round (idle statuses, echoes) arrive before the next update.
        deadline = time.perf_counter() + 0.02
        while time.perf_counter() < deadline:
            try:
                client.get_iopub_msg(timeout=0.005)
            except Exception:
                pass
        if index >= 10:  # warm-up rounds
            times.append(elapsed)
    return times


def bench_rigor(rigor):
    prefix = Path(tempfile.mkdtemp(prefix="rigor-widget-bench-"))
    subprocess.run([rigor, "install", "--prefix", str(prefix), "--name", "rigor-widget-bench"], check=True,
                   capture_output=True)
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(prefix / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")])
    manager, client = start("rigor-widget-bench", env={"RIGOR_HISTORY_FILE": ":memory:"})
    try:
        ids = model_ids(execute(client, 'interact(n: 0...10) { n in print("value \\(n)") }'))
        output = ids["OutputModel"]

        def rendered(msg, value):
            if msg["msg_type"] != "comm_msg" or msg["content"]["comm_id"] != output:
                return False
            outputs = msg["content"]["data"].get("state", {}).get("outputs") or []
            return bool(outputs) and outputs[-1].get("text") == f"value {value}\n"

        return round_trips(client, ids["IntSliderModel"], rendered, "rigor")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def bench_ipykernel():
    manager, client = start("python3")
    try:
        ids = model_ids(execute(client, "\n".join([
            "from ipywidgets import interact",
            "shown = interact(lambda n: print(f'value {n}'), n=(0, 10))",
        ])))

        def rendered(msg, value):
            return msg["msg_type"] == "stream" and msg["content"]["text"] == f"value {value}\n"

        return round_trips(client, ids["IntSliderModel"], rendered, "ipykernel")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rigor", default=".build/release/rigor")
    args = parser.parse_args()
    ours = bench_rigor(args.rigor)
    reference = bench_ipykernel()
    for name, pick in [("median", statistics.median), ("p90", lambda t: statistics.quantiles(t, n=10)[-1])]:
        print(json.dumps({
            "benchmark": f"widgets/slider update -> re-rendered output ({name})",
            "ours_s": round(pick(ours), 6), "reference": "ipywidgets 8.1.9 interact on ipykernel 7.4", "ours": "Rigor interact",
            "reference_s": round(pick(reference), 6), "ratio": round(pick(ours) / pick(reference), 3),
            "rounds": ROUNDS,
        }))


if __name__ == "__main__":
    main()
