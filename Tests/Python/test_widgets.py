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


# -- JupyterLab and nbconvert against the widget layer -------------------------------------------------------------
# Until `interact` is a builtin (docs/widgets.md, "Status"), the kernel's test hook
# (RIGOR_WIDGET_TEST_BUILTINS=1, Sources/RigorKernel/WidgetTestBuiltins.swift) gives a notebook `widgetGallery`:
# every widget kind in a box, and an interact-style Output that `body(n)` fills (once in the cell, again on each change).

import json as _json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from conftest import RIGOR, ROOT  # noqa: E402

GALLERY = ROOT / "Tests" / "Python" / "browser" / "widgets_gallery.ipynb"
WIDGET_KERNEL = "rigor-widget-test"


@pytest.fixture(scope="module")
def widget_kernel_path(tmp_path_factory):
    """A private Jupyter path with a Rigor kernelspec whose environment turns the widget test hook on."""
    prefix = tmp_path_factory.mktemp("widget-kernelspec")
    subprocess.run(
        [str(RIGOR), "install", "--prefix", str(prefix), "--name", WIDGET_KERNEL, "--display-name", "Rigor (widgets)"],
        check=True, capture_output=True)
    spec_file = prefix / "share" / "jupyter" / "kernels" / WIDGET_KERNEL / "kernel.json"
    spec = _json.loads(spec_file.read_text())
    spec["env"] = {"RIGOR_WIDGET_TEST_BUILTINS": "1", "RIGOR_HISTORY_FILE": ":memory:"}
    spec_file.write_text(_json.dumps(spec))
    return os.pathsep.join([str(prefix / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")])


def test_widgets_render_and_answer_in_jupyterlab(widget_kernel_path):
    if os.environ.get("RIGOR_BROWSER_TESTS", "1") != "1":
        pytest.skip("RIGOR_BROWSER_TESTS=0")
    out = ROOT / "artifacts" / "browser" / "widgets"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, str(ROOT / "Tests" / "Python" / "browser" / "lab_smoke.py"), "--notebook", str(GALLERY),
         "--kernel", WIDGET_KERNEL, "--out", str(out), "--python", sys.executable,
         # The controls render; the sliders are nudged with ArrowRight (n: 5 -> 6) and the Output shows only the re-run.
         "--widgets", "7", "--expect-text", "kernel saw 6"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "JUPYTER_PATH": widget_kernel_path})
    (out / "lab_smoke.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    log = (out / "comm_log.jsonl").read_text().splitlines()
    sent = [_json.loads(line) for line in log if '"frontend->kernel"' in line]
    assert any(m["data"].get("state", {}).get("value") == 6 for m in sent), "no slider update reached the kernel"
    assert "Error displaying widget" not in result.stdout


def test_nbconvert_html_carries_the_widget_state(widget_kernel_path, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--execute",
         f"--ExecutePreprocessor.kernel_name={WIDGET_KERNEL}", "--output-dir", str(tmp_path), "--output", "gallery",
         str(GALLERY)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, "JUPYTER_PATH": widget_kernel_path})
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "gallery.html").read_text()
    found = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">\s*(.*?)\s*</script>', html, re.S)
    assert found, "no widget state in the HTML"
    state = _json.loads(found.group(1))
    assert state["version_major"] == 2 and state["version_minor"] == 0
    models = {m["model_name"]: m for m in state["state"].values()}
    assert models["IntSliderModel"]["state"]["value"] == 5
    assert models["FloatLogSliderModel"]["state"]["value"] == 0.001
    outputs = models["OutputModel"]["state"]["outputs"]
    assert outputs[0] == {"output_type": "stream", "name": "stdout", "text": "kernel saw 5\n"}
    assert "image/svg+xml" in outputs[1]["data"]
    assert 'application/vnd.jupyter.widget-view+json' in html
