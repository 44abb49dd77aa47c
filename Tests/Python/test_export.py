"""Export: `jupyter nbconvert --to html --execute` runs a notebook on the Rigor kernel and gives
HTML with every output and Swift syntax highlighting."""

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import KERNEL_NAME, ROOT

WELCOME = ROOT / "notebooks" / "00-welcome.ipynb"


def nbconvert(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_html_export_has_outputs_and_swift_highlighting(tmp_path):
    result = nbconvert(
        "--to", "html", "--execute", f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}",
        "--output-dir", str(tmp_path), "--output", "welcome", str(WELCOME), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "welcome.html").read_text()
    # Outputs: a stream, an HTML table, an SVG chart (embedded as an image), Markdown, the
    # final state of the updated display, and the expected error with its diagnostic.
    assert "Hello from Rigor! The first primes are [2, 3, 5, 7, 11]." in html
    assert "<table><tr><th>n</th><th>fibonacci(n)</th></tr>" in html
    assert "data:image/svg+xml" in html or "<svg xmlns='http://www.w3.org/2000/svg' width='170'" in html
    assert "<pre>step 5 of 5" in html and "<pre>step 0 of 5" not in html
    assert "index 10 is out of range" in html
    # Pygments' Swift lexer: `let` and `func` are declaration keywords (class "kd").
    assert re.search(r'<span class="kd">let</span>', html)
    assert re.search(r'<span class="kd">func</span>', html)


def test_executed_notebook_records_the_kernel(tmp_path):
    result = nbconvert(
        "--to", "notebook", "--execute", f"--ExecutePreprocessor.kernel_name={KERNEL_NAME}",
        "--output-dir", str(tmp_path), "--output", "executed", str(WELCOME), cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    notebook = json.loads((tmp_path / "executed.ipynb").read_text())
    info = notebook["metadata"]["language_info"]
    assert info["name"] == "rigor" and info["pygments_lexer"] == "swift" and info["codemirror_mode"] == "swift"
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code_cells] == list(range(1, len(code_cells) + 1))
    errors = [c for c in code_cells if any(o["output_type"] == "error" for o in c["outputs"])]
    assert len(errors) == 1 and "raises-exception" in errors[0]["metadata"]["tags"]


def test_welcome_notebook_is_saved_without_outputs():
    notebook = json.loads(WELCOME.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
