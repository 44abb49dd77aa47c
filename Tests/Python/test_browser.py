"""A real browser: JupyterLab plus headless Chromium (Debian's `chromium`, driven by Playwright
with `executable_path`; never `playwright install`) opens a notebook, selects the Rigor kernel
from the UI, runs all cells and checks the rendered outputs.

* the welcome notebook (`browser/lab_smoke.py`): screenshots and a report in `artifacts/browser/`;
* the rich-output gallery (`browser/gallery_shots.py` on `browser/gallery.ipynb`): every chart,
  table and the live training display, checked and screenshotted (also mid-training) into
  `artifacts/browser/gallery/`.

`RIGOR_BROWSER_TESTS=0` skips both (and `scripts/install-system-deps.sh` then skips Chromium)."""

import copy
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import KERNEL_NAME, ROOT

ARTIFACTS = ROOT / "artifacts" / "browser"
BROWSER = ROOT / "Tests" / "Python" / "browser"
sys.path.insert(0, str(BROWSER))

import gallery_shots  # noqa: E402


def require_browser_tests():
    if os.environ.get("RIGOR_BROWSER_TESTS", "1") != "1":
        pytest.skip("RIGOR_BROWSER_TESTS=0")


def run_browser_script(script, notebook, out, *extra, clean=True):
    """Runs one of the browser/ scripts on `notebook` with the Rigor kernel, writing its artifacts to `out`
    (emptied first when `clean`: no stale screenshot may stand in for a missing one) and its output to
    `out/<script>.log`; returns the finished process."""
    if clean:
        shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            sys.executable, str(BROWSER / script), "--notebook", str(notebook),
            "--kernel", KERNEL_NAME, "--out", str(out), "--python", sys.executable, *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    (out / (script.removesuffix(".py") + ".log")).write_text(result.stdout + result.stderr)
    return result


def test_welcome_notebook_runs_in_jupyterlab():
    require_browser_tests()
    result = run_browser_script(
        "lab_smoke.py", ROOT / "notebooks" / "00-welcome.ipynb", ARTIFACTS, "--expect-language", "swift", clean=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = json.loads((ARTIFACTS / "report.json").read_text())
    assert report["saved_language_info"]["name"] == "rigor"
    texts = " ".join(cell.get("text", "") for cell in report["cells"])
    assert "Hello from Rigor!" in texts
    assert "step 5 of 5" in texts
    # Collections written in loops, Swift's idioms (counts[word, default: 0] += 1, let (top, times) = …).
    assert "'the' appears 4 times; words by length: [0, 0, 1, 7], and after popLast: [0, 0, 1]" in texts
    assert (ARTIFACTS / "02-after-run-all.png").exists()


def test_run_all_stops_at_a_syntax_error_in_jupyterlab():
    """Run All in JupyterLab on a notebook whose first code cell is a syntax error: the cells
    below it stay unrun (no prompt number, no output), as with ipykernel."""
    require_browser_tests()
    out = ARTIFACTS / "stop-on-error"
    result = run_browser_script("lab_smoke.py", BROWSER / "stop_on_error.ipynb", out, "--run-all-stops-at", "1")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = json.loads((out / "report.json").read_text())
    assert report["cells_after_stop"] == {"code_cells": [2, 3, 4], "ran": []}
    texts = " ".join(cell.get("text", "") for cell in report["cells"])
    assert "ran" not in texts.replace("Run All", "")
    assert (out / "02-after-run-all.png").exists()


def test_subshell_console_completes_while_a_cell_runs_in_jupyterlab():
    """Protocol 5.5 in the real front end: while a notebook cell loops, JupyterLab's "New Subshell
    Console for Notebook" (offered only to kernels with "kernel subshells") completes `eprin`
    from a subshell; the cell is then interrupted from the Kernel menu."""
    require_browser_tests()
    out = ARTIFACTS / "subshell-console"
    result = run_browser_script("subshell_console.py", BROWSER / "long_cell.ipynb", out)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = json.loads((out / "report.json").read_text())
    assert report["cell_running_during_completion"] is True
    assert all(check["ok"] for check in report["checks"])


def test_rich_outputs_render_in_jupyterlab():
    require_browser_tests()
    out = ARTIFACTS / "gallery"
    result = run_browser_script("gallery_shots.py", BROWSER / "gallery.ipynb", out)
    failed = [line for line in result.stdout.splitlines() if " FAIL " in line]
    assert result.returncode == 0, "\n".join(failed) + "\n" + result.stdout[-3000:] + result.stderr[-3000:]

    report = json.loads((out / "report.json").read_text())
    assert report["checks"] and all(c["ok"] for c in report["checks"])
    shots = {p.name: p.stat().st_size for p in out.glob("*.png")}
    for name in [*gallery_shots.EXPECT, "live-training-mid"]:
        assert shots.get(f"{name}.png", 0) > 2000, f"screenshot {name}.png missing or blank"
    live = report["live"]
    assert live["mid"] and "done in" not in live["mid"]["after"]["line"]
    assert 0 < live["mid"]["before"]["points"] < live["final"]["points"]
    assert live["iopub"]["display_data"] == 1 and live["iopub"]["update_display_data"] >= 2

    # The saved-notebook checks must be able to fail: doctor the real outputs and look.
    saved = json.loads((out / "gallery-saved.ipynb").read_text())
    assert gallery_shots.check_saved_notebook(saved) == []
    tags = gallery_shots.cells_by_tag(saved)

    def failures_after(change):
        doctored = copy.deepcopy(saved)
        change(doctored["cells"])
        return gallery_shots.check_saved_notebook(doctored)

    def drop_svg(cells):
        del cells[tags["lines"]]["outputs"][0]["data"]["image/svg+xml"]

    def add_error(cells):
        cells[tags["confusion"]]["outputs"].append(
            {"output_type": "error", "ename": "ShapeError", "evalue": "boom", "traceback": []})

    def drop_table_row(cells):
        data = cells[tags["table"]]["outputs"][0]["data"]
        head, body = "".join(data["text/html"]).split("<tbody>", 1)
        data["text/html"] = head + "<tbody>" + body[body.index("</tr>") + len("</tr>"):]

    def duplicate_live_display(cells):
        outputs = cells[tags["live-training"]]["outputs"]
        outputs.append(copy.deepcopy(outputs[0]))

    def drop_loss_chart(cells):
        data = cells[tags["live-training"]]["outputs"][0]["data"]
        data["text/html"] = "".join(data["text/html"]).split("<svg")[0] + "</div>"

    def stop_progress_early(cells):
        data = cells[tags["live-training"]]["outputs"][0]["data"]
        data["text/plain"] = "epoch 5/12  batch 10/79  loss 0.1  ETA 3s"

    def drop_a_line(cells):
        data = cells[tags["history"]]["outputs"][0]["data"]
        svg = "".join(data["image/svg+xml"])
        data["image/svg+xml"] = svg.replace('<path d="M', '<desc d="M', 1)

    for change, expected in [
        (drop_svg, "shot:lines: no image/svg+xml"),
        (add_error, "has an error output: ShapeError"),
        (drop_table_row, "shot:table: table has 11 body rows"),
        (duplicate_live_display, "shot:live-training: expected exactly one display_data"),
        (drop_loss_chart, "no train and validation lines"),
        (stop_progress_early, "not the last epoch"),
        (drop_a_line, "shot:history: 2 <data path>"),
    ]:
        found = failures_after(change)
        assert any(expected in f for f in found), f"{change.__name__}: {found}"
