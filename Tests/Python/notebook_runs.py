"""Executing the tutorials, shared by the notebook, export and reproducibility tests.

`NotebookRuns.first(path)` executes a tutorial once per test session (the notebook test, the export test and the
reproducibility test all read that execution); `NotebookRuns.execute(path)` runs it again in a fresh folder.

`normalised_outputs(notebook, folder)` is what the reproducibility test compares: every code cell's outputs, with
exactly these things normalised, because they are measured or chosen by the operating system rather than computed:

1. the execution's own folder (each execution runs in a fresh temporary folder) becomes `<folder>`;
2. consecutive stream outputs of one stream are joined (how printed text is cut into messages depends on when the
   kernel's buffer is flushed, not on what was printed);
3. durations: a number with a time unit in text (`0.5 s`, `12 ms`), the values of `*_duration_seconds_sum` series,
   and the cells of table columns whose header names a time (`duration (s)`, `latency batch 1 (ms)`,
   `latency ratio batch 32`), in HTML tables and in their text form;
4. widget model ids (random UUIDs the kernel gives each widget);
5. the TCP port of a local server (`127.0.0.1:41659`: a free port the OS picks).

Run ids and timestamps need no rule: each execution records into its own run log (so run ids start at 1 both times),
and no tutorial prints a wall-clock time. Everything else — every number, table cell, chart, error — must be equal.
"""

import html
import json
import os
import re
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from conftest import KERNEL_NAME, ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


class Execution:
    def __init__(self, path, notebook, folder, seconds):
        self.path = path
        self.notebook = notebook
        self.folder = folder
        self.seconds = seconds


def execute(path, folder):
    """Runs every cell of `path` in `folder` (its working directory, with its own run log), errors allowed (the
    notebook test checks which cells raised)."""
    folder.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, kernel_name=KERNEL_NAME, timeout=300, allow_errors=True,
                            resources={"metadata": {"path": str(folder)}})
    started = time.monotonic()
    client.execute(env={**os.environ, "RIGOR_RUN_LOG": str(folder / "runs.sqlite")})
    return Execution(path, notebook, folder, time.monotonic() - started)


class NotebookRuns:
    """Executions cached for the test session, in folders under `root`."""

    def __init__(self, root):
        self.root = Path(root)
        self.firsts = {}
        self.count = 0

    def first(self, path):
        if path not in self.firsts:
            try:
                self.firsts[path] = execute(path, self.root / f"{path.stem}-1")
            except Exception as error:  # a failed execution fails every test that reads it, without running again
                self.firsts[path] = error
        if isinstance(self.firsts[path], Exception):
            raise self.firsts[path]
        return self.firsts[path]

    def execute(self, path):
        self.count += 1
        return execute(path, self.root / f"{path.stem}-again-{self.count}")


# --- normalisation ---------------------------------------------------------------------------------------------

TIME_HEADER = re.compile(r"duration|latency|seconds|\((?:s|ms|µs)\)|\btime\b", re.IGNORECASE)
TIME_TEXT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e-?\d+)?\s?(?:s|ms|µs|us)\b")
DURATION_SERIES = re.compile(r'(_duration_seconds_sum\{[^}]*\}\\?"?:\s*)[-+0-9.e]+')
LOCAL_PORT = re.compile(r"(127\.0\.0\.1|localhost):\d+")
MASK = "<time>"


def mask_html_tables(text):
    """Masks the cells of time columns in every HTML table of `text`."""

    def table(match):
        block = match.group(0)
        headers = [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", block, re.S)]
        timed = {i for i, h in enumerate(headers) if TIME_HEADER.search(h)}

        def row(row_match):
            cells = list(re.finditer(r"(<td[^>]*>)(.*?)(</td>)", row_match.group(0), re.S))
            if not cells:
                return row_match.group(0)
            # A key/value table (a run's facts) names a time in its row's first cell: its values are timed.
            label = html.unescape(re.sub(r"<[^>]+>", "", cells[0].group(2)))
            timed_row = len(cells) > 1 and bool(TIME_HEADER.search(label))
            out, last = [], 0
            source = row_match.group(0)
            for i, cell in enumerate(cells):
                out.append(source[last:cell.start()])
                if i in timed or (timed_row and i > 0):
                    # The cell's style goes too: a table may mark the fastest row, which is measured as well.
                    out.append("<td>" + MASK + cell.group(3))
                else:
                    out.append(cell.group(0))
                last = cell.end()
            out.append(source[last:])
            return "".join(out)

        return re.sub(r"<tr>.*?</tr>", row, block, flags=re.S)

    return re.sub(r"<table.*?</table>", table, text, flags=re.S)


def mask_text_tables(text):
    """Masks time columns (and a key/value table's time rows) of the text tables `Table` prints: a header line, then
    dashes under each column. A masked table is rewritten as its cells joined by " | ": a timed value's width sets its
    column's width (and so the padding and dashes), which would differ between runs although no computed number does."""
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if not re.fullmatch(r"-+(  +-+)*", lines[index]):
            continue
        spans = [m.span() for m in re.finditer(r"-+", lines[index])]
        header = lines[index - 1]
        starts = [s for s, _ in spans] + [None]

        def cells(line):
            return [line[starts[i]:starts[i + 1]].strip() if starts[i] < len(line) else "" for i in range(len(spans))]

        timed = {i for i, (s, e) in enumerate(spans) if TIME_HEADER.search(header[s:e])}
        rows = []
        row = index + 1
        while row < len(lines) and lines[row].strip():
            rows.append(row)
            row += 1
        # A key/value table names a time in a row's first column: that row's values are timed.
        timed_rows = {r for r in rows if len(spans) > 1 and TIME_HEADER.search(cells(lines[r])[0])}
        if not timed and not timed_rows:
            continue
        lines[index - 1] = " | ".join(cells(header))
        lines[index] = "---"
        for r in rows:
            values = cells(lines[r])
            lines[r] = " | ".join(MASK if i in timed or (r in timed_rows and i > 0) else v for i, v in enumerate(values))
    return "\n".join(lines)


def normalise_text(text, folder):
    text = text.replace(str(folder), "<folder>")
    text = mask_html_tables(text)
    text = mask_text_tables(text)
    text = DURATION_SERIES.sub(lambda m: m.group(1) + MASK, text)
    text = TIME_TEXT.sub(MASK, text)
    return LOCAL_PORT.sub(r"\1:<port>", text)


def normalised_outputs(notebook, folder):
    """Each code cell's (execution count, outputs), normalised as the module's docstring says."""
    cells = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            output = json.loads(json.dumps(output))  # a plain copy
            output.get("metadata", {}).pop("transient", None)
            if output["output_type"] == "stream" and outputs and outputs[-1].get("output_type") == "stream" \
                    and outputs[-1]["name"] == output["name"]:
                outputs[-1]["text"] += output["text"]
                continue
            data = output.get("data", {})
            widget = data.get("application/vnd.jupyter.widget-view+json")
            if widget:
                widget["model_id"] = "<widget>"
            outputs.append(output)
        for output in outputs:
            if "text" in output:
                output["text"] = normalise_text(output["text"], folder)
            for key, value in output.get("data", {}).items():
                if isinstance(value, str):
                    output["data"][key] = normalise_text(value, folder)
            if output["output_type"] == "error":
                output["traceback"] = [normalise_text(line, folder) for line in output["traceback"]]
                output["evalue"] = normalise_text(output["evalue"], folder)
        cells.append({"source": cell.source, "execution_count": cell.execution_count, "outputs": outputs})
    return cells
