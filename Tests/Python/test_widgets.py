"""Jupyter widgets over real ZeroMQ (issue 14): the widget control comm, refusals, and comm messages on the main
shell answered while a cell runs (the kernel's pump serves them; ipykernel makes them wait for the cell)."""

import time

import pytest

from rigor_client import RawKernel


@pytest.fixture(scope="module")
def kernel(kernel_name):
    raw = RawKernel(kernel_name)
    yield raw
    raw.close()


def send(kernel, msg_type, content, metadata=None):
    msg = kernel.session.msg(msg_type, content, metadata=metadata or {})
    kernel.session.send(kernel.sockets["shell"], msg)
    return msg


def comm_messages(kernel, request, timeout=5):
    return [m for m in kernel.iopub_until_idle(request, timeout=timeout) if m["msg_type"].startswith("comm_")]


def test_the_widget_control_comm(kernel):
    opened = send(
        kernel, "comm_open", {"comm_id": "ctl", "target_name": "jupyter.widget.control", "data": {}},
        metadata={"version": "1.0.0"})
    assert comm_messages(kernel, opened) == []
    request = send(kernel, "comm_msg", {"comm_id": "ctl", "data": {"method": "request_states"}})
    answer = comm_messages(kernel, request)
    assert [m["content"]["data"] for m in answer] == [{"method": "update_states", "states": {}, "buffer_paths": []}]
    info = kernel.send("shell", "comm_info_request", {"target_name": "jupyter.widget.control"})
    assert kernel.reply("shell", info)["content"]["comms"] == {"ctl": {"target_name": "jupyter.widget.control"}}


def test_refused_comms_are_closed(kernel):
    old = send(
        kernel, "comm_open", {"comm_id": "old", "target_name": "jupyter.widget.control", "data": {}},
        metadata={"version": "0.1"})
    assert [m["msg_type"] for m in comm_messages(kernel, old)] == ["comm_close"]
    unknown_model = send(
        kernel, "comm_open",
        {"comm_id": "m", "target_name": "jupyter.widget", "data": {"state": {"_model_name": "NoSuchModel"}}})
    assert [m["msg_type"] for m in comm_messages(kernel, unknown_model)] == ["comm_close"]
    stray = send(kernel, "comm_msg", {"comm_id": "nobody", "data": {"method": "update", "state": {"value": 1}}})
    assert comm_messages(kernel, stray) == []
    reply, _ = kernel.execute("1 + 1")
    assert reply["content"]["status"] == "ok"


def test_comm_messages_are_answered_while_a_cell_runs(kernel):
    opened = send(
        kernel, "comm_open", {"comm_id": "busy-ctl", "target_name": "jupyter.widget.control", "data": {}},
        metadata={"version": "1.0.0"})
    comm_messages(kernel, opened)
    cell = kernel.send("shell", "execute_request", {"code": "var n = 0\nwhile true { n += 1 }", "silent": False})
    time.sleep(0.3)
    start = time.monotonic()
    request = send(kernel, "comm_msg", {"comm_id": "busy-ctl", "data": {"method": "request_states"}})
    answer = comm_messages(kernel, request, timeout=5)
    elapsed = time.monotonic() - start
    assert [m["content"]["data"]["method"] for m in answer] == ["update_states"]
    assert elapsed < 0.5, elapsed
    assert kernel.reply("shell", cell, timeout=0.2) is None, "the cell ended early"
    interrupt = kernel.send("control", "interrupt_request")
    assert kernel.reply("control", interrupt)["content"]["status"] == "ok"
    assert kernel.reply("shell", cell, timeout=10)["content"]["ename"] == "Interrupted"
    # After the comm's idle the kernel said busy again (it still ran the cell); the cell's own idle ends it.
    reply, _ = kernel.execute("n > 0")
    assert reply["content"]["status"] == "ok"


# -- JupyterLab and nbconvert on notebook 10 (interact) -------------------------------------------------------------
# The tutorial's explorer: `interact(learningRate: .logUniform(…), width: [16, 32, 64], epochs: 4...20) { … }`, whose
# closure trains on digits and prints "learning rate …, width …, N epochs: validation accuracy …" into its Output.

import json as _json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from conftest import KERNEL_NAME, ROOT  # noqa: E402

EXPLORER = ROOT / "notebooks" / "10-interactive-exploration.ipynb"


def _has_chart(output):
    """An output holding a chart: an SVG image, or the live training display's HTML ending with its loss chart."""
    data = output.get("data", {})
    return "image/svg+xml" in data or ("<svg" in data.get("text/html", "") and "loss per epoch" in data["text/html"])


def test_interact_renders_and_reruns_in_jupyterlab():
    if os.environ.get("RIGOR_BROWSER_TESTS", "1") != "1":
        pytest.skip("RIGOR_BROWSER_TESTS=0")
    out = ROOT / "artifacts" / "browser" / "widgets"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, str(ROOT / "Tests" / "Python" / "browser" / "lab_smoke.py"), "--notebook", str(EXPLORER),
         "--kernel", KERNEL_NAME, "--out", str(out), "--python", sys.executable,
         # Both explorers render (3 controls each, and a Run button); every slider is nudged with ArrowRight, so the
         # first explorer re-runs with 13 epochs (4...20 starts at 12) and its output is replaced by that run's.
         "--widgets", "6", "--expect-text", "width 16, 13 epochs: validation accuracy"],
        capture_output=True, text=True, timeout=600, env=os.environ)
    (out / "lab_smoke.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Error displaying widget" not in result.stdout
    log = [_json.loads(line) for line in (out / "comm_log.jsonl").read_text().splitlines()]
    sent = [m for m in log if m.get("dir") == "frontend->kernel"]
    assert any(m["data"].get("state", {}).get("value") == 13 for m in sent), "no slider update reached the kernel"
    # The re-run replaced the Output's outputs: its last state holds the 13-epoch line and a chart, nothing else.
    received = [m for m in log if m.get("dir") == "kernel->frontend"
                and "outputs" in m.get("data", {}).get("state", {})]
    assert received, "no Output widget update came back"
    last = received[-1]["data"]["state"]["outputs"]
    texts = "".join(o.get("text", "") for o in last if o["output_type"] == "stream")
    assert "13 epochs" in texts and "12 epochs" not in texts, texts
    assert any(_has_chart(o) for o in last), last
    assert not [o for o in last if o["output_type"] == "error"], last


STALE_RUN = ROOT / "Tests" / "Python" / "browser" / "stale_run.ipynb"


def test_a_slider_change_interrupts_a_stale_run_in_jupyterlab():
    """The slider moves to 2 (a run of many seconds starts and prints "started 2"), then to 3 while that run still
    loops: the stale run must be interrupted (it never prints "finished 2") and the n = 3 run replaces its output."""
    if os.environ.get("RIGOR_BROWSER_TESTS", "1") != "1":
        pytest.skip("RIGOR_BROWSER_TESTS=0")
    out = ROOT / "artifacts" / "browser" / "stale-run"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, str(ROOT / "Tests" / "Python" / "browser" / "lab_smoke.py"), "--notebook", str(STALE_RUN),
         "--kernel", KERNEL_NAME, "--out", str(out), "--python", sys.executable,
         "--widgets", "1", "--stale-run", "started 2", "--expect-text", "finished 3"],
        capture_output=True, text=True, timeout=600, env=os.environ)
    (out / "lab_smoke.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Error displaying widget" not in result.stdout
    log = [_json.loads(line) for line in (out / "comm_log.jsonl").read_text().splitlines()]
    sent = [m["data"].get("state", {}).get("value") for m in log if m.get("dir") == "frontend->kernel"]
    assert 2 in sent and 3 in sent, sent
    outputs = [m["data"]["state"]["outputs"] for m in log if m.get("dir") == "kernel->frontend"
               and "outputs" in m.get("data", {}).get("state", {})]
    texts = ["".join(o.get("text", "") for o in state if o["output_type"] == "stream") for state in outputs]
    assert any("started 2" in t for t in texts), texts
    assert not any("finished 2" in t or "total" in t for t in texts), "the stale run was not interrupted"
    # Its interrupt is not shown: the last output is the n = 3 run's, whole, with no error.
    assert texts[-1] == "started 3\nfinished 3\n", texts[-1]
    assert not [o for o in outputs[-1] if o["output_type"] == "error"], outputs[-1]


def test_nbconvert_html_carries_the_widget_state(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute",
         f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}", "--output-dir", str(tmp_path), "--output", "explorer",
         str(EXPLORER)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=os.environ)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "explorer.html").read_text()
    found = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">\s*(.*?)\s*</script>', html, re.S)
    assert found, "no widget state in the HTML"
    state = _json.loads(found.group(1))
    assert state["version_major"] == 2 and state["version_minor"] == 0
    models = [m for m in state["state"].values()]
    by_name = {}
    for model in models:
        by_name.setdefault(model["model_name"], []).append(model["state"])
    rates = [s for s in by_name["FloatLogSliderModel"] if s["description"] == "learningRate"]
    assert [round(s["value"], 6) for s in rates] == [0.01, 0.001]
    assert [s["value"] for s in by_name["IntSliderModel"]] == [12, 30]
    assert [s["_options_labels"] for s in by_name["DropdownModel"]] == [["16", "32", "64"], ["32", "64", "128"]]
    assert [s["description"] for s in by_name["ButtonModel"]] == ["Run"]
    # The first explorer ran in its cell: its Output holds the printed line and the loss chart, and no error; the
    # manual one has not run.
    ran, waiting = by_name["OutputModel"]
    texts = "".join(o.get("text", "") for o in ran["outputs"] if o["output_type"] == "stream")
    assert "learning rate 0.0100, width 16, 12 epochs: validation accuracy 0.9" in texts, texts
    assert any(_has_chart(o) for o in ran["outputs"]), ran["outputs"]
    assert not [o for o in ran["outputs"] if o["output_type"] == "error"]
    assert waiting["outputs"] == []
    assert html.count("application/vnd.jupyter.widget-view+json") >= 2
