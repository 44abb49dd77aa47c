"""Every tutorial in notebooks/ runs top to bottom on the Rigor kernel, as a student would run it
(nbclient, the engine behind nbconvert --execute and JupyterLab's "Run All")."""

import json
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import KERNEL_NAME, RIGOR, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_unexpected_errors(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=300, allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" in cell.metadata.get("tags", []):
            assert errors, f"{path.name}: a cell tagged raises-exception ran without error:\n{cell.source}"
        else:
            assert not errors, f"{path.name}: {errors[0].ename}: {errors[0].evalue}\n{cell.source}"
    warned = [(cell.source, check) for cell in notebook.cells if cell.cell_type == "code"
              for check in rigor_warnings(cell)]
    if path.name == "13-rigor.ipynb":
        check_rigor_notebook(notebook)
    else:
        # A tutorial teaches good practice: a rigor warning in one is a false alarm (or a bad example).
        assert not warned, f"{path.name}: rigor warning {warned[0][1]} in:\n{warned[0][0]}"
    if path.name == "12-deployment.ipynb":
        # Checked here rather than in a test of its own, so that the notebook runs once in the suite.
        check_deployment_files(tmp_path)


def rigor_warnings(cell):
    """The checks (`test-split`, …) a cell's outputs warned about: a styled box (display_data with
    class="rigor-warning") or, on stderr, a `warning[check]:` line."""
    found = []
    for output in cell.outputs:
        if output.output_type == "display_data" and 'class="rigor-warning"' in output.data.get("text/html", ""):
            text = output.data.get("text/plain", "")
            found.append(text[len("warning["):text.index("]")] if text.startswith("warning[") else "?")
        elif output.output_type == "stream":
            found += [line[len("warning["):line.index("]")] for line in output.text.splitlines()
                      if line.startswith("warning[") and "]" in line]
    return found


def check_rigor_notebook(notebook):
    """Notebook 13 provokes each warning on purpose, then fixes it: every cell tagged `warns-CHECK` shows that
    check's warning (and no other), and every other cell shows none."""
    seen = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        expected = sorted(tag[len("warns-"):] for tag in cell.metadata.get("tags", []) if tag.startswith("warns-"))
        found = sorted(set(rigor_warnings(cell)))
        assert found == expected, f"13-rigor.ipynb: warnings {found}, expected {expected}, in:\n{cell.source}"
        seen.update(found)
    assert seen == {"test-split", "preprocessing-leak", "shared-rows", "unseeded", "exploding-loss",
                    "overfitting"}, seen


def check_deployment_files(folder):
    """The deployment notebook's two files describe one model: ONNX Runtime on `digits.onnx` and `rigor serve` on
    `digits.safetensors` give the same probabilities (within 1e-4) for random inputs."""
    import numpy as np
    import onnxruntime  # installed by the Makefile's venv step; the test fails without it

    x = np.random.default_rng(0).normal(size=(16, 1, 8, 8)).astype(np.float32)
    session = onnxruntime.InferenceSession(str(folder / "digits.onnx"), providers=["CPUExecutionProvider"])
    (logits,) = session.run(["output"], {"input": x})
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(RIGOR), "serve", str(folder / "digits.safetensors"), "--port", str(port)],
                              stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            assert server.poll() is None, f"rigor serve exited with {server.returncode}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.time() < deadline, "rigor serve did not listen within 60 s"
                time.sleep(0.1)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/predict", data=json.dumps({"inputs": x.tolist()}).encode(),
            headers={"Content-Type": "application/json"})
        answer = json.loads(urllib.request.urlopen(request, timeout=30).read())
        served = np.array([p["probabilities"] for p in answer["predictions"]])
        assert served.shape == (16, 10)
        assert np.abs(served - expected).max() < 1e-4
        assert [p["class"] for p in answer["predictions"]] == expected.argmax(axis=1).tolist()
        metadata = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/metadata", timeout=30).read())
        assert metadata["inputs"][0]["shape"] == [None, 1, 8, 8]
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0  # graceful shutdown on SIGTERM


def test_notebooks_are_saved_without_outputs():
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def test_convolutional_tutorial_shows_live_training_and_rich_results(tmp_path):
    notebook = nbformat.read(ROOT / "notebooks" / "04-convolutional-networks.ipynb", as_version=4)
    NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=300,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    data, model, fit = code[0], code[1], code[2]
    assert "text/html" in data.outputs[0]["data"] and "train" in data.outputs[0]["data"]["text/plain"]
    summary = model.outputs[0]["data"]["text/plain"]
    assert summary.startswith("Sequential") and summary.splitlines()[-1].startswith("total"), summary
    # fit: the live progress display, left in its final state, then the History chart.
    live = [o for o in fit.outputs if o.output_type == "display_data"]
    assert live and "epoch" in live[0]["data"]["text/plain"]
    result = [o for o in fit.outputs if o.output_type == "execute_result"][0]
    assert result["data"]["image/svg+xml"].startswith("<svg")
    report, confusion = code[-2], code[-1]
    assert any("test accuracy: 0.9" in o.get("text", "") for o in report.outputs)
    assert "image/svg+xml" in confusion.outputs[0]["data"]


def test_search_tutorial_shows_a_live_trial_table_charts_and_a_resumed_study(tmp_path):
    notebook = nbformat.read(ROOT / "notebooks" / "09-hyperparameter-search.ipynb", as_version=4)
    NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in notebook.cells if c.cell_type == "code"]
    # optimize: the live view (a progress line over the trial table), left in its final state.
    live = [o for o in code[1].outputs if o.output_type == "display_data"]
    assert live and "<table" in live[0]["data"]["text/html"], code[1].outputs
    assert "study 'digits-tpe': 30 of 30 trials" in live[0]["data"]["text/plain"]
    # Charts are SVG: history, importances, parallel coordinates, slice, contour.
    svgs = [o for c in code for o in c.outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) >= 5 and all(o["data"]["image/svg+xml"].startswith("<svg") for o in svgs)
    text = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    assert "trials pruned" in text and "same trials as the first study: true" in text, text
    assert '10 trials in ["digits-resume"]' in text, text
    # The default storage is a SQLite file in the notebook's folder, and the table was exported next to it.
    assert (tmp_path / "studies.sqlite").exists() and (tmp_path / "digits-resume.csv").exists()
    # The error cell points at the argument.
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1 and "a logarithmic range needs positive bounds" in errors[0]["evalue"]
