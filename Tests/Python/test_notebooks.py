"""Every tutorial in notebooks/ runs top to bottom on the Rigor kernel, as a student would run it
(nbclient, the engine behind nbconvert --execute and JupyterLab's "Run All")."""

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import RIGOR, ROOT
from notebook_runs import NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_unexpected_errors(path, notebook_runs):
    # The session's one execution of the tutorial, which the export and reproducibility tests reuse.
    run = notebook_runs.first(path)
    notebook, tmp_path = run.notebook, run.folder
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
    if path.name == "05-regularization.ipynb":
        check_exported_results(notebook, tmp_path)


def png_pixels(path):
    """(width, height, rows of RGB(A) bytes) of an 8-bit, non-interlaced PNG, decoded with zlib alone."""
    import struct
    import zlib

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        chunks.setdefault(kind, []).append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and interlace == 0 and color in (2, 6), (depth, color, interlace)
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + b) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def check_exported_results(notebook, folder):
    """The regularization notebook's last cell: the chart as a PNG twice its size and not blank, and a report page
    that holds the chart, the table and the runs, fetches nothing, and opens in Chromium."""
    import re

    chart = next(o["data"]["image/svg+xml"] for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                 if "image/svg+xml" in o.get("data", {}) and "Validation loss per epoch" in o["data"]["image/svg+xml"])
    width, height = (int(float(re.search(f' {name}="([0-9.]+)"', chart).group(1))) for name in ("width", "height"))
    png_width, png_height, channels, rows = png_pixels(folder / "validation-loss.png")
    assert (png_width, png_height) == (2 * width, 2 * height)
    inked = sum(1 for row in rows for x in range(0, len(row), channels) if min(row[x:x + 3]) < 200)
    assert inked > 0.01 * png_width * png_height, f"only {inked} dark pixels: the PNG looks blank"

    page = (folder / "regularization-report.html").read_text()
    assert chart in page and "<h1>Regularization on digits</h1>" in page
    assert "Four ways to train the same MLP" in page and "Runs in runs.sqlite" in page and "blas threads" in page
    fetched = re.sub(r"""xmlns(:[a-z]+)?=["']http://www\.w3\.org/[^"']*["']""", "", page)
    assert "http://" not in fetched and "https://" not in fetched and "src=" not in fetched
    last = [c for c in notebook.cells if c.cell_type == "code"][-1]
    shown = [o for o in last.outputs if o.output_type == "execute_result"][0]["data"]
    assert "regularization-report.html" in shown["text/plain"] and "<a href" in shown["text/html"]
    # The page opens in Chromium: a screenshot of it has the chart's ink.
    shot = folder / "report.png"
    command = ["chromium", "--headless", "--disable-gpu", f"--user-data-dir={folder / 'chromium-profile'}",
               f"--screenshot={shot}", "--window-size=1000,1000", (folder / "regularization-report.html").as_uri()]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    shot_width, shot_height, shot_channels, shot_rows = png_pixels(shot)
    assert (shot_width, shot_height) == (1000, 1000)
    dark = sum(1 for row in shot_rows for x in range(0, len(row), shot_channels) if min(row[x:x + 3]) < 128)
    assert dark > 2000, f"the report's screenshot has {dark} dark pixels"


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


def test_convolutional_tutorial_shows_live_training_and_rich_results(notebook_runs):
    notebook = notebook_runs.first(ROOT / "notebooks" / "04-convolutional-networks.ipynb").notebook
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


def test_search_tutorial_shows_a_live_trial_table_charts_and_a_resumed_study(notebook_runs):
    run = notebook_runs.first(ROOT / "notebooks" / "09-hyperparameter-search.ipynb")
    notebook, tmp_path = run.notebook, run.folder
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
