"""Same notebook, same numbers: every tutorial executed twice, each time by a new kernel in a new folder with its own
run log, gives identical outputs — every printed number, table cell, chart and error — once the few things that are
measured rather than computed are normalised (durations, the execution's folder, widget ids, a server's port; the
list and the reasons are in notebook_runs.py)."""

import json
import difflib

import pytest

from notebook_runs import NOTEBOOKS, mask_html_tables, mask_text_tables, normalise_text, normalised_outputs


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_tutorial_gives_the_same_outputs_when_run_again(path, notebook_runs):
    first = notebook_runs.first(path)
    second = notebook_runs.execute(path)
    a = normalised_outputs(first.notebook, first.folder)
    b = normalised_outputs(second.notebook, second.folder)
    assert len(a) == len(b)
    for number, (x, y) in enumerate(zip(a, b)):
        if x != y:
            # The differing fragments, with some context (an output's text is long; a whole-line diff hides them).
            left = json.dumps(x, ensure_ascii=False, sort_keys=True)
            right = json.dumps(y, ensure_ascii=False, sort_keys=True)
            fragments = [f"first:  ...{left[max(0, a - 120):b + 40]}...\nsecond: ...{right[max(0, c - 120):d + 40]}..."
                         for tag, a, b, c, d in difflib.SequenceMatcher(None, left, right, autojunk=False).get_opcodes()
                         if tag != "equal"][:5]
            pytest.fail(f"{path.name}, code cell {number} differs between two runs:\n{x['source']}\n"
                        + "\n".join(fragments))


def test_normalisation_masks_only_what_is_measured(tmp_path):
    # Durations in text and in time columns; not the numbers beside them.
    assert normalise_text("30 of 30 trials; best 0.097 (trial 23); 0.5 s", tmp_path) == \
        "30 of 30 trials; best 0.097 (trial 23); <time>"
    assert normalise_text("accuracy 0.95 after 12 ms and 3 samples", tmp_path) == "accuracy 0.95 after <time> and 3 samples"
    table = ("<table><tr><th>trial</th><th>value</th><th>duration (s)</th></tr>"
             "<tr><td>1</td><td>0.25</td><td>0.011</td></tr></table>")
    assert mask_html_tables(table) == table.replace("<td>0.011</td>", "<td><time></td>")
    # A key/value table's timed row, and a timed cell's style (a table may mark the fastest row).
    facts = ('<table><tr><th></th><th>run 3</th></tr><tr><td>seed</td><td>0</td></tr>'
             '<tr><td>duration (s)</td><td style="font-weight: bold">0.0104</td></tr></table>')
    assert mask_html_tables(facts) == facts.replace('<td style="font-weight: bold">0.0104</td>', "<td><time></td>")
    facts_text = ("                 run 3\n"
                  "---------------  -----\n"
                  "seed             0\n"
                  "duration (s)     0.0104\n")
    masked_facts = mask_text_tables(facts_text)
    assert "seed | 0" in masked_facts and "duration (s) | <time>" in masked_facts and "0.0104" not in masked_facts
    # The width a timed value gave its column does not matter.
    wider = facts_text.replace("0.0104", "0.01035").replace("-----\n", "-------\n")
    assert mask_text_tables(wider) == masked_facts
    text = ("model    accuracy  latency batch 1 (ms)\n"
            "-------  --------  --------------------\n"
            "float32    0.9739                0.0110\n")
    masked = mask_text_tables(text)
    assert "0.9739" in masked and "0.0110" not in masked
    assert normalise_text(f"saved to {tmp_path}/loss.png", tmp_path) == "saved to <folder>/loss.png"
    assert normalise_text("http://127.0.0.1:41659/v1", tmp_path) == "http://127.0.0.1:<port>/v1"
