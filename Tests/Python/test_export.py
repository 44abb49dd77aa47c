"""Export: `jupyter nbconvert --to html --execute` runs a notebook on the Rigor kernel and gives
HTML with every output and Swift syntax highlighting; every tutorial, once executed, exports to HTML and to PDF
(`--to webpdf` through Debian's Chromium) with every chart and table it showed."""

import base64
import html as htmlparser
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import KERNEL_NAME, ROOT
from notebook_runs import NOTEBOOKS

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


# --- every tutorial, exported to HTML and to PDF ------------------------------------------------------------------


@pytest.fixture(scope="session")
def webpdf_browser(tmp_path_factory):
    """nbconvert's webpdf exporter launches Playwright's `chromium-headless-shell`, and has no option for another
    executable: a PLAYWRIGHT_BROWSERS_PATH whose headless shell is a link to Debian's Chromium satisfies it without a
    download (/work/shared/recipes/browser/README.md)."""
    import playwright

    chromium = Path("/usr/lib/chromium/chromium")
    if not chromium.exists():
        chromium = Path(shutil.which("chromium") or "/usr/bin/chromium").resolve()
    assert chromium.exists(), "webpdf needs Chromium (scripts/install-system-deps.sh installs it)"
    browsers = json.loads((Path(playwright.__file__).parent / "driver/package/browsers.json").read_text())["browsers"]
    revisions = {b["name"]: b["revision"] for b in browsers}
    shim = tmp_path_factory.mktemp("playwright-browsers")
    for name, executable in (("chromium-headless-shell", "chrome-headless-shell-linux64/chrome-headless-shell"),
                             ("chromium", "chrome-linux64/chrome")):
        link = shim / f"{name.replace('-', '_')}-{revisions[name]}" / executable
        link.parent.mkdir(parents=True)
        link.symlink_to(chromium)
    previous = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    os.environ["PLAYWRIGHT_BROWSERS_PATH"] = str(shim)
    yield shim
    if previous is None:
        os.environ.pop("PLAYWRIGHT_BROWSERS_PATH", None)
    else:
        os.environ["PLAYWRIGHT_BROWSERS_PATH"] = previous


def squeezed(text):
    """Text without any whitespace: PDF text extraction breaks lines and spaces where the layout does."""
    return "".join(text.split())


def table_cells(table):
    """The text of every header and data cell of an HTML table, in order."""
    return [" ".join(htmlparser.unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table, re.S)]


def charts_and_tables(notebook):
    """Every SVG chart and every HTML table among the executed notebook's outputs."""
    charts, tables = [], []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/svg+xml" in data:
                charts.append(data["image/svg+xml"])
            elif "<table" in data.get("text/html", ""):
                tables.append(data["text/html"])
    return charts, tables


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_tutorial_exports_to_html_and_pdf_with_every_chart_and_table(path, notebook_runs, webpdf_browser, tmp_path):
    from nbconvert import HTMLExporter, WebPDFExporter

    notebook = nbformat.from_dict(json.loads(json.dumps(notebook_runs.first(path).notebook)))
    charts, tables = charts_and_tables(notebook)
    page, _ = HTMLExporter().from_notebook_node(notebook)
    (tmp_path / f"{path.stem}.html").write_text(page)
    # HTML: a chart is embedded as a base64 data URL of its exact SVG; a table has the same cells, in order (nbconvert
    # re-serialises some outputs' HTML, so attribute order and entities may differ).
    for chart in charts:
        assert base64.b64encode(chart.encode()).decode() in page or chart in page, chart[:200]
    exported_tables = [table_cells(t) for t in re.findall(r"<table.*?</table>", page, re.S)]
    for table in tables:
        for cells in (table_cells(t) for t in re.findall(r"<table.*?</table>", table, re.S)):
            assert cells in exported_tables, f"{path.name}: table {cells[:8]} not in the HTML"

    # PDF: one page as wide as the notebook (`paginate=False`). nbconvert's default Letter pages clip any output wider
    # than about 530 px at the right edge — a 640-px chart loses its legend — because the lab template shows an SVG
    # as an <img>, which its CSS does not confine to the page (only an inline <svg>); this check found that.
    pdf, _ = WebPDFExporter(disable_sandbox=True, paginate=False).from_notebook_node(notebook)
    pdf_path = tmp_path / f"{path.stem}.pdf"
    pdf_path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert pages > 0
    text = squeezed(subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True,
                                   check=True).stdout)
    # PDF: Chromium prints SVG text as text, so every label of every chart and every column header of every table
    # can be found in the page text.
    for chart in charts:
        labels = [squeezed(htmlparser.unescape(t)) for t in re.findall(r"<text[^>]*>([^<]+)</text>", chart)]
        missing = [label for label in labels if label and label not in text]
        assert not missing, f"{path.name}: chart labels {missing} not in the PDF"
    for table in tables:
        headers = [squeezed(htmlparser.unescape(re.sub(r"<[^>]+>", "", h)))
                   for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
        missing = [header for header in headers if header and header not in text]
        assert not missing, f"{path.name}: table headers {missing} not in the PDF"
    if os.environ.get("RIGOR_EXPORT_KEEP"):
        keep = Path(os.environ["RIGOR_EXPORT_KEEP"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf_path, keep)
        shutil.copy(tmp_path / f"{path.stem}.html", keep)
