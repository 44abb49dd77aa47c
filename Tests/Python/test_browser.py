"""A real browser: JupyterLab plus headless Chromium (Debian's `chromium`, driven by Playwright
with `executable_path`; never `playwright install`) opens the welcome notebook, selects the Rigor
kernel from the UI, runs all cells and finds the rendered outputs. Screenshots and a report are
kept in `artifacts/browser/`."""

import json
import os
import subprocess
import sys

import pytest

from conftest import KERNEL_NAME, ROOT

ARTIFACTS = ROOT / "artifacts" / "browser"


def test_welcome_notebook_runs_in_jupyterlab():
    if os.environ.get("RIGOR_BROWSER_TESTS", "1") != "1":
        pytest.skip("RIGOR_BROWSER_TESTS=0")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            sys.executable, str(ROOT / "Tests" / "Python" / "browser" / "lab_smoke.py"),
            "--notebook", str(ROOT / "notebooks" / "00-welcome.ipynb"),
            "--kernel", KERNEL_NAME, "--out", str(ARTIFACTS), "--python", sys.executable,
            "--expect-language", "swift",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    (ARTIFACTS / "lab_smoke.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = json.loads((ARTIFACTS / "report.json").read_text())
    assert report["saved_language_info"]["name"] == "rigor"
    texts = " ".join(cell.get("text", "") for cell in report["cells"])
    assert "Hello from Rigor!" in texts
    assert "step 5 of 5" in texts
    assert (ARTIFACTS / "02-after-run-all.png").exists()
