#!/usr/bin/env python3
"""Run the rich-output gallery notebook in a real JupyterLab (headless Chromium) and check each
output the way a user would look at it; screenshot every output, and the live training display
both while `fit` runs and after it ends.

Usage (the venv's Python, which has jupyterlab and playwright):

    python gallery_shots.py --notebook gallery.ipynb --kernel rigor-test --out shots/

It reuses lab_smoke.py for the server, the browser, opening the notebook and picking the kernel
from the UI. Code cells are found by their tag `shot:<name>`; `EXPECT` below says what each must
show. What it asserts (exit code 0 = all passed, 1 = a check failed, 2 = setup problem):

  * every code cell ran, and no cell has an `error` output (saved notebook and DOM);
  * each tagged cell has the expected output kind (SVG image or HTML), the SVG has its lines,
    bars or cells and its labels, an HTML table has the expected number of body rows;
  * every SVG image loaded in the page, and none of its text sticks out of the drawing or
    overlaps other text (measured by laying the SVG out in the page);
  * live training (`shot:live-training`): the progress display is one output replaced in place:
    the cell never shows more than one output while it trains (a MutationObserver records every
    change), the kernel sent one `display_data` and many `update_display_data` for one
    display_id and no `clear_output`; a screenshot is taken while training runs (progress bar
    and a partial loss chart, checked to be mid-training before and after the shot) and after it
    ends (progress text reached the last epoch and says "done", the chart has more points than
    the mid-training one, train and validation lines drawn).

Screenshots are `<name>.png` for each tagged cell (cropped to the outputs), `live-training-mid.png`,
the saved notebook as `gallery-saved.ipynb`, plus the usual
lab_smoke files (`01-opened.png`, `failure.png`, `report.json`, logs) in --out.
"""
from __future__ import annotations

import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lab_smoke import SmokeFailure, Smoke, build_parser, decode_ws_frame, log, main  # noqa: E402

SVG_NS = "{http://www.w3.org/2000/svg}"

# What each tagged cell must show. `svg`: the cell's result is an image/svg+xml; counts are minimums
# of SVG elements ("data path": inside the clipped plot area, i.e. drawn data, not axes or legend);
# `texts` must each be the text of some <text>. `table_rows`: an HTML table whose
# <tbody> has exactly that many rows; `html_texts` must appear in the rendered text.
EXPECT: dict[str, dict] = {
    "data-split": {"table_rows": 3, "html_texts": ["train", "validation", "test"]},
    "lines": {"svg": {"data path": 3}, "texts": ["sine", "cosine × 0.8", "threshold", "step", "value",
                                            "Two waves and a threshold"]},
    "histogram": {"svg": {"data rect": 10}, "texts": ["samples", "value", "count"]},
    "digits": {"svg": {"rect": 1000, "text": 101}, "texts": ["The first 100 digits"]},
    "model-summary": {"table_rows": 3, "html_texts": ["Dense(64, 512, activation: .relu)", "total",
                                                      "301066"]},
    "live-training": {"live": True},
    "history": {"svg": {"data path": 3, "data circle": 24},
                "texts": ["train", "validation", "epoch", "loss", "best epoch 3"]},
    "table": {"table_rows": 12, "html_texts": ["Per-epoch metrics", "validation accuracy"]},
    "confusion": {"svg": {"rect": 100}, "texts": ["Confusion matrix", "predicted", "actual"]},
}


def cells_by_tag(nb: dict) -> dict[str, int]:
    tags = {}
    for i, c in enumerate(nb["cells"]):
        for t in c.get("metadata", {}).get("tags", []):
            if t.startswith("shot:"):
                tags[t[len("shot:"):]] = i
    return tags


def svg_counts(svg_text: str) -> tuple[dict[str, int], list[str]]:
    """Element counts of an SVG (`path`, `rect`, …; `data path` etc. for those inside a clipped
    group, i.e. the plotted data rather than axes and legend) and the texts of its <text>s."""
    root = ET.fromstring(svg_text)
    counts: dict[str, int] = {}
    texts = []

    def walk(e, in_data: bool):
        tag = e.tag.replace(SVG_NS, "")
        in_data = in_data or (tag == "g" and "clip-path" in e.attrib)
        for key in [tag] + ([f"data {tag}"] if in_data and tag != "g" else []):
            counts[key] = counts.get(key, 0) + 1
        if tag == "text":
            texts.append("".join(e.itertext()))
        for child in e:
            walk(child, in_data)

    walk(root, False)
    return counts, texts


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else (value or "")


def check_saved_notebook(nb: dict, expect: dict[str, dict] = EXPECT) -> list[str]:
    """Checks on the saved .ipynb (what the kernel sent, as JupyterLab stored it). Returns the
    failures; pure, so a unit test can feed it a broken notebook."""
    failures = []
    tags = cells_by_tag(nb)
    for name in expect:
        if name not in tags:
            failures.append(f"no cell tagged shot:{name}")
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code":
            continue
        if c.get("execution_count") is None:
            failures.append(f"cell {i} did not run")
        for o in c.get("outputs", []):
            if o.get("output_type") == "error":
                failures.append(f"cell {i} has an error output: {o.get('ename')}: {o.get('evalue')}")
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                failures.append(f"cell {i} wrote to stderr: {_joined(o.get('text'))[:200]!r}")
    for name, spec in expect.items():
        if name not in tags:
            continue
        i = tags[name]
        outs = nb["cells"][i].get("outputs", [])
        rich = [o for o in outs if o.get("output_type") in ("execute_result", "display_data")]
        if spec.get("live"):
            if len(outs) != 1 or outs[0].get("output_type") != "display_data":
                failures.append(f"shot:{name}: expected exactly one display_data output, got "
                                f"{[o.get('output_type') for o in outs]}")
                continue
            data = outs[0].get("data", {})
            html = _joined(data.get("text/html"))
            svg = re.search(r"<svg\b.*</svg>", html, re.S)
            counts = svg_counts(svg.group(0))[0] if svg else {}
            if counts.get("data path", 0) < 2:
                failures.append(f"shot:{name}: the final live display has no train and validation "
                                f"lines (data paths: {counts.get('data path', 0)})")
            text = _joined(data.get("text/plain"))
            m = EPOCH.search(text)
            if not (m and m.group(1) == m.group(2) and "done in" in text):
                failures.append(f"shot:{name}: the final progress text is not the last epoch, done: {text!r}")
            continue
        if len(rich) != 1:
            failures.append(f"shot:{name}: expected one rich output, got {[o.get('output_type') for o in outs]}")
            continue
        data = rich[0].get("data", {})
        if "text/plain" not in data:
            failures.append(f"shot:{name}: no text/plain fallback")
        if "svg" in spec:
            if "image/svg+xml" not in data:
                failures.append(f"shot:{name}: no image/svg+xml output (got {sorted(data)})")
                continue
            try:
                counts, texts = svg_counts(_joined(data["image/svg+xml"]))
            except ET.ParseError as e:
                failures.append(f"shot:{name}: SVG is not well-formed XML: {e}")
                continue
            for element, minimum in spec["svg"].items():
                if counts.get(element, 0) < minimum:
                    failures.append(f"shot:{name}: {counts.get(element, 0)} <{element}> in the SVG, "
                                    f"expected at least {minimum}")
            for text in spec.get("texts", []):
                if text not in texts:
                    failures.append(f"shot:{name}: no SVG text {text!r} (texts: {texts[:20]})")
        if "table_rows" in spec:
            html = _joined(data.get("text/html"))
            if "<table" not in html:
                failures.append(f"shot:{name}: no HTML table (got {sorted(data)})")
                continue
            body = html.split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
            rows = body.count("<tr")
            if rows != spec["table_rows"]:
                failures.append(f"shot:{name}: table has {rows} body rows, expected {spec['table_rows']}")
    return failures


# ----------------------------------------------------------------------------- page-side code

# Everything a user could look at in one cell: its outputs, their MIME types, the images (loaded?
# how big?), the tables, and every SVG laid out in the page to find text that is clipped (outside
# the drawing) or overlaps other text.
JS_CELL_DETAIL = r"""
(index) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
  const decode = (src) => {
    const comma = src.indexOf(',');
    const head = src.slice(0, comma), body = src.slice(comma + 1);
    return head.endsWith(';base64') ? atob(body) : decodeURIComponent(body);
  };
  const analyse = (svg) => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '');
    const boxes = texts.map(t => t.getBoundingClientRect());
    const clipped = [], overlaps = [];
    texts.forEach((t, i) => {
      const b = boxes[i];
      if (b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5)
        clipped.push(t.textContent);
      for (let j = i + 1; j < texts.length; j++) {
        const c = boxes[j];
        const w = Math.min(b.right, c.right) - Math.max(b.left, c.left);
        const h = Math.min(b.bottom, c.bottom) - Math.max(b.top, c.top);
        if (w > 1 && h > 1) overlaps.push([t.textContent, texts[j].textContent]);
      }
    });
    return {width: box.width, height: box.height, texts: texts.length, clipped, overlaps: overlaps.slice(0, 10),
            paths: svg.querySelectorAll('path, polyline').length, rects: svg.querySelectorAll('rect').length};
  };
  const laidOut = (svgText) => {
    const holder = document.createElement('div');
    holder.style.cssText = 'position: absolute; left: -20000px; top: 0;';
    holder.innerHTML = svgText;
    document.body.appendChild(holder);
    try { const svg = holder.querySelector('svg'); return svg ? analyse(svg) : null; }
    finally { holder.remove(); }
  };
  const outs = [...cell.querySelectorAll('.jp-OutputArea-output')];
  return {
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '',
    outputs: outs.map(o => ({
      mime: o.getAttribute('data-mime-type'),
      text: o.innerText.slice(0, 400),
      images: [...o.querySelectorAll('img')].map(i => ({
        loaded: i.complete && i.naturalWidth > 0, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight,
        shownWidth: i.getBoundingClientRect().width,
        svg: i.src.startsWith('data:image/svg+xml') ? laidOut(decode(i.src)) : null})),
      inlineSvgs: [...o.querySelectorAll('svg')].filter(s => !s.hasAttribute('data-icon')).map(analyse),
      tables: [...o.querySelectorAll('table')].map(t => ({
        bodyRows: t.querySelectorAll('tbody tr').length, footRows: t.querySelectorAll('tfoot tr').length,
        caption: t.caption ? t.caption.textContent : '',
        overflows: t.getBoundingClientRect().width > o.getBoundingClientRect().width + 1})),
    })),
  };
}
"""

# State of the live training display in one cell; a MutationObserver keeps a log of every change.
JS_LIVE_STATE = r"""
(cell) => {
  const outs = cell.querySelectorAll('.jp-OutputArea-output');
  const progress = cell.querySelectorAll('.rigor-progress');
  const p = progress[progress.length - 1];
  const line = p && p.children[1] ? p.children[1].textContent : '';
  const fill = p && p.firstElementChild ? p.firstElementChild.firstElementChild : null;
  const svg = p ? p.querySelector('svg') : null;
  // points on the longest drawn line of the loss chart (grows by one each epoch)
  let points = 0;
  if (svg) for (const path of svg.querySelectorAll('path, polyline')) {
    const d = path.getAttribute('d') || path.getAttribute('points') || '';
    points = Math.max(points, (d.match(/[ML]/g) || []).length || d.trim().split(/\s+/).length);
  }
  return {outputs: outs.length, progressViews: progress.length, line,
          percent: fill ? fill.style.width : '', chart: !!svg, points,
          errors: cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length};
}
"""

JS_OBSERVE_LIVE = r"""
(index) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
  const state = JS_LIVE_STATE;
  const log = window.__rigorLive = [];
  const record = () => {
    const s = state(cell);
    s.t = Math.round(performance.now());
    const last = log[log.length - 1];
    if (!last || last.outputs !== s.outputs || last.line !== s.line || last.points !== s.points
        || last.progressViews !== s.progressViews || last.percent !== s.percent) log.push(s);
  };
  new MutationObserver(record).observe(cell, {childList: true, subtree: true, characterData: true, attributes: true});
  record();
}
""".replace("JS_LIVE_STATE", JS_LIVE_STATE.strip())

# The part of a cell's output area that has content (prompt, images, tables, text), so screenshots
# do not carry the notebook's empty right half.
JS_OUTPUT_CLIP = r"""
(index) => {
  const cell = document.querySelectorAll('.jp-Notebook .jp-Cell')[index];
  const area = cell.querySelector('.jp-Cell-outputArea');
  if (!area) return null;
  const a = area.getBoundingClientRect();
  let right = a.left + 100;
  for (const el of area.querySelectorAll('img, svg, table, .jp-OutputPrompt'))
    right = Math.max(right, el.getBoundingClientRect().right);
  const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim() || n.parentElement.closest('svg')) continue;
    range.selectNodeContents(n);
    right = Math.max(right, range.getBoundingClientRect().right);
  }
  return {x: a.left, y: a.top, width: Math.min(a.width, right - a.left + 16), height: a.height};
}
"""

JS_ANY_CELL_BUSY = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
    .some(p => p.textContent.includes('*'))"""

EPOCH = re.compile(r"epoch (\d+)/(\d+)")


class Gallery(Smoke):
    def __init__(self, args):
        super().__init__(args)
        self.iopub: list[dict] = []

    def _watch_ws(self, ws) -> None:
        super()._watch_ws(ws)
        if "/channels" not in ws.url:
            return

        def record(payload):
            msg = decode_ws_frame(payload)
            if not msg:
                return
            mtype = msg.get("header", {}).get("msg_type", msg.get("msg_type", ""))
            if mtype in ("display_data", "update_display_data", "execute_result", "error", "clear_output"):
                transient = msg.get("content", {}).get("transient") or {}
                self.iopub.append({"msg_type": mtype, "display_id": transient.get("display_id"),
                                   "parent": msg.get("parent_header", {}).get("msg_id")})

        ws.on("framereceived", record)

    def shot_output(self, page, name: str, index: int) -> Path:
        """Screenshot of one cell's outputs, cropped to their content."""
        cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
        cell.locator(".jp-Cell-outputArea").first.scroll_into_view_if_needed()
        clip = page.evaluate(JS_OUTPUT_CLIP, index)
        path = self.out / f"{name}.png"
        try:
            if clip and clip["width"] > 0 and clip["height"] > 0:
                page.screenshot(path=str(path), clip=clip, timeout=15000)
            else:
                cell.screenshot(path=str(path), timeout=15000)
            log(f"screenshot {path.name}")
        except Exception as e:  # a missing screenshot fails the pytest side, not here
            log(f"screenshot {path.name} failed: {e}")
        return path

    def live_state(self, page, index: int) -> dict:
        return page.evaluate(f"(i) => ({JS_LIVE_STATE})(document.querySelectorAll('.jp-Notebook .jp-Cell')[i])",
                             index)

    def _drive(self, page, api, server, nb_path, display_name, expected_err, PWTimeout):
        args = self.args
        nb_rel = self._open(page, api, server, nb_path, display_name, PWTimeout)
        tags = cells_by_tag(json.loads(nb_path.read_text()))
        missing = [t for t in EXPECT if t not in tags]
        self.check(not missing, "the notebook has a cell for every expected output",
                   f"missing tags: {missing}" if missing else "", fatal=True)
        live = tags["live-training"]
        page.evaluate(JS_OBSERVE_LIVE, live)

        t0 = time.monotonic()
        self.run_command(page, "Run", "Run All Cells")
        mid = self._shoot_mid_training(page, live, t0 + args.run_timeout)
        self._wait_run_finished(page, api, nb_rel, max(10, args.run_timeout - (time.monotonic() - t0)))
        self.timings["run_all_s"] = time.monotonic() - t0
        log(f"run all finished after {self.timings['run_all_s']:.1f}s")
        time.sleep(1.0)  # the final update is already in; a second to be sure it stays

        details = {}
        for name, index in tags.items():
            self.shot_output(page, name, index)
            details[name] = page.evaluate(JS_CELL_DETAIL, index)
        self.results["cells"] = details
        final = self.live_state(page, live)
        live_log = page.evaluate("() => window.__rigorLive")
        self.results["live"] = {"mid": mid, "final": final, "log": live_log}

        saved = self._save_and_read(page, nb_path)
        (self.out / "gallery-saved.ipynb").write_text(json.dumps(saved, indent=1, ensure_ascii=False))
        self.results["saved_language_info"] = saved.get("metadata", {}).get("language_info")
        failures = check_saved_notebook(saved)
        self.check(not failures, "saved notebook: every cell ran, no errors, each output has its kind, "
                   "elements, labels and rows", "; ".join(failures))
        self._check_dom(details)
        self._check_live(mid, final, live_log)
        if self.failures:
            raise SmokeFailure(f"{len(self.failures)} check(s) failed:\n  - " + "\n  - ".join(self.failures))

    def _shoot_mid_training(self, page, live: int, deadline: float) -> dict | None:
        """Polls the live display until training is about a third through, screenshots it, and
        keeps the shot if training was still running both before and after it."""
        tries, start, idle_since = 0, time.monotonic(), None
        while time.monotonic() < deadline:
            s = self.live_state(page, live)
            m = EPOCH.search(s["line"])
            if s["errors"] or "done in" in s["line"]:
                break
            # Run All stopped before the fit (an error above it): no prompt shows [*] any more.
            if page.evaluate(JS_ANY_CELL_BUSY):
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > 1.5 and time.monotonic() - start > 3:
                log("no cell is running any more; the fit did not run")
                break
            if m and s["chart"] and s["points"] >= 2:
                epoch, epochs = int(m.group(1)), int(m.group(2))
                if epoch >= max(3, epochs // 3) and epoch < epochs:
                    path = self.shot_output(page, "live-training-mid", live)
                    after = self.live_state(page, live)
                    tries += 1
                    if "done in" not in after["line"]:
                        log(f"mid-training screenshot at {s['line']!r}")
                        return {"before": s, "after": after, "shot": path.name}
                    log(f"training ended while the screenshot was taken (try {tries})")
                    break
            time.sleep(0.05)
        return None

    def _check_dom(self, details: dict) -> None:
        for name, spec in EXPECT.items():
            d = details.get(name)
            if d is None:
                continue
            outs = d["outputs"]
            errors = [o["text"][:200] for o in outs if o["mime"] == "application/vnd.jupyter.stderr"]
            self.check(not errors, f"shot:{name}: no error shown", "; ".join(errors))
            images = [i for o in outs for i in o["images"]]
            svgs = [i["svg"] for i in images if i["svg"]] + [s for o in outs for s in o["inlineSvgs"]]
            tables = [t for o in outs for t in o["tables"]]
            if "svg" in spec:
                ok = bool(images) and all(i["loaded"] and i["naturalWidth"] >= 200 for i in images)
                self.check(ok, f"shot:{name}: the SVG image is loaded in the page",
                           json.dumps([{k: v for k, v in i.items() if k != "svg"} for i in images]))
            if spec.get("live"):
                continue  # checked by _check_live
            for s in svgs:
                self.check(not s["clipped"], f"shot:{name}: no SVG text outside the drawing",
                           f"clipped: {s['clipped']}")
                self.check(not s["overlaps"], f"shot:{name}: no SVG texts overlap",
                           f"overlapping: {s['overlaps']}")
            if "table_rows" in spec:
                rows = [t["bodyRows"] for t in tables]
                self.check(rows == [spec["table_rows"]], f"shot:{name}: one table with {spec['table_rows']} rows",
                           f"body rows per table: {rows}")
                self.check(not any(t["overflows"] for t in tables), f"shot:{name}: the table fits its output")
            text = " ".join(o["text"] for o in outs)
            for t in spec.get("html_texts", []):
                self.check(t in text, f"shot:{name}: shows {t!r}", "" if t in text else text[:200])

    def _check_live(self, mid: dict | None, final: dict, live_log: list[dict]) -> None:
        self.check(mid is not None, "a screenshot was taken mid-training (progress bar and partial chart)",
                   "training ended (or failed) before a third of its epochs could be caught; make the "
                   "gallery's fit longer" if mid is None else mid["before"]["line"])
        m = EPOCH.search(final["line"])
        self.check(bool(m) and m.group(1) == m.group(2) and "done in" in final["line"],
                   "the progress text reached the last epoch and says done", repr(final["line"]))
        full = re.fullmatch(r"([\d.]+)%", final["percent"] or "")
        self.check(bool(full) and float(full.group(1)) == 100, "the progress bar is full at the end",
                   repr(final["percent"]))
        self.check(final["outputs"] == 1 and final["progressViews"] == 1,
                   "after training the cell has one output: the live display, kept",
                   f"outputs={final['outputs']} progress views={final['progressViews']}")
        self.check(final["chart"] and final["points"] >= (int(m.group(2)) if m else 2),
                   "the final loss chart has a point per epoch", f"points={final['points']}")
        shown = [e for e in live_log if e["outputs"] > 0]
        self.check(bool(shown) and max(e["outputs"] for e in shown) == 1
                   and max(e["progressViews"] for e in shown) == 1,
                   "while training, the cell never showed more than one output (updated in place)",
                   f"max outputs={max((e['outputs'] for e in shown), default=0)}, "
                   f"max progress views={max((e['progressViews'] for e in shown), default=0)}")
        first = next((i for i, e in enumerate(live_log) if e["progressViews"]), len(live_log))
        vanished = [e for e in live_log[first:] if e["progressViews"] != 1]
        self.check(first < len(live_log) and not vanished,
                   "once shown, the live display stayed (one view) through every update",
                   f"{len(vanished)} recorded states without exactly one view")
        lines = {e["line"] for e in live_log if e["line"]}
        epochs = int(m.group(2)) if m else 0
        # The kernel throttles updates to 4 a second (epoch ends included), so a fast fit may skip epochs; what a
        # user must see is the text moving while training runs, then the final state.
        self.check(len(lines) >= 3, "the progress text changed while training ran",
                   f"{len(lines)} distinct texts for {epochs} epochs")
        if mid:
            self.check(0 < mid["before"]["points"] < final["points"],
                       "the mid-training chart is partial (fewer points than the final one)",
                       f"mid {mid['before']['points']} vs final {final['points']}")
        fit_ids = {e["display_id"] for e in self.iopub if (e["display_id"] or "").startswith("rigor-fit-")}
        displays = [e for e in self.iopub if e["msg_type"] == "display_data" and e["display_id"] in fit_ids]
        updates = [e for e in self.iopub if e["msg_type"] == "update_display_data" and e["display_id"] in fit_ids]
        clears = [e for e in self.iopub if e["msg_type"] == "clear_output"]
        self.results["live"]["iopub"] = {"display_ids": sorted(fit_ids), "display_data": len(displays),
                                         "update_display_data": len(updates), "clear_output": len(clears)}
        self.check(len(fit_ids) == 1 and len(displays) == 1 and len(updates) >= 2 and not clears,
                   "the kernel sent one display and then updates to the same display_id",
                   json.dumps(self.results["live"]["iopub"]))


def parser():
    ap = build_parser(__doc__.split("\n")[0])
    ap.set_defaults(run_timeout=240)
    return ap


if __name__ == "__main__":
    sys.exit(main(smoke_class=Gallery, parser=parser()))
