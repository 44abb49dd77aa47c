"""JupyterLab's subshell console, with headless Chromium: **New Subshell Console for Notebook**
(from the command palette) opens a console on a kernel
subshell (protocol 5.5). The console is opened first (its connection asks kernel_info on the main
shell before it creates its subshell, as with ipykernel), then the notebook's cell, a loop that only
an interrupt ends, is run; Tab in the console must show `eprint`, answered by the subshell while
the main shell is still busy. Then the cell is interrupted from the Kernel menu.

Usage: subshell_console.py --notebook N --kernel K --out DIR (the options of lab_smoke.py)."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lab_smoke import Smoke, SmokeFailure, build_parser, decode_ws_frame, log, main  # noqa: E402


class SubshellConsole(Smoke):
    def _watch_ws(self, ws) -> None:
        """Records every kernel message the page sends or receives (type, channel, subshell)."""
        if "/channels" not in ws.url:
            return
        trace = self.results.setdefault("ws", [])

        def record(direction, payload):
            msg = decode_ws_frame(payload)
            if not msg:
                return
            header = msg.get("header", {})
            trace.append({"t": round(time.monotonic(), 3), "dir": direction, "url": ws.url[-12:],
                          "channel": msg.get("channel"), "msg_type": header.get("msg_type"),
                          "subshell_id": header.get("subshell_id"),
                          "parent": (msg.get("parent_header") or {}).get("msg_type"),
                          "content": {k: v for k, v in (msg.get("content") or {}).items()
                                      if k in ("status", "subshell_id", "matches", "execution_state")}})

        ws.on("framesent", lambda p: record("page->kernel", p))
        ws.on("framereceived", lambda p: record("kernel->page", p))

    def _drive(self, page, api, server, nb_path, display_name, expected_err, PWTimeout):
        nb_rel = self._open(page, api, server, nb_path, display_name, PWTimeout)
        kernel_id = self._kernel_state(api, nb_rel)[2]
        info = api.get(f"/api/kernels/{kernel_id}")
        self.results["kernel"] = info

        # The command palette, as a person would: Ctrl+Shift+C, type the command, Enter. The
        # console's connection asks kernel_info on the main shell before it creates its subshell
        # (as with ipykernel), so it is opened while the kernel is idle.
        page.keyboard.press("Control+Shift+C")
        palette = page.locator(".lm-CommandPalette-input").first
        palette.wait_for(state="visible", timeout=10000)
        palette.fill("New Subshell Console for Notebook")
        item = page.locator(".lm-CommandPalette-item:not(.lm-mod-disabled)",
                            has_text="New Subshell Console for Notebook").first
        try:
            item.wait_for(state="visible", timeout=10000)
        except PWTimeout:
            self.shot(page, "palette")
            raise SmokeFailure("no enabled 'New Subshell Console for Notebook' command: the front end "
                               "did not see 'kernel subshells' in supported_features")
        item.click()
        prompt = page.locator(".jp-CodeConsole-input .cm-content").first
        prompt.wait_for(state="visible", timeout=30000)
        deadline = time.monotonic() + 30
        while not any(m["msg_type"] == "create_subshell_reply" for m in self.results.get("ws", [])):
            if time.monotonic() > deadline:
                raise SmokeFailure("the console never created its subshell")
            page.wait_for_timeout(100)  # (time.sleep would hold back Playwright's websocket events)
        page.wait_for_timeout(1000)
        self.shot(page, "subshell-console")

        # Now a cell that runs until interrupted, from the notebook.
        page.locator(".jp-Notebook .jp-Cell").first.click()
        self.run_command(page, "Run", "Run All Cells")
        deadline = time.monotonic() + 20
        while self._kernel_state(api, nb_rel)[1] != "busy":
            if time.monotonic() > deadline:
                raise SmokeFailure("the notebook's cell never made the kernel busy")
            page.wait_for_timeout(100)
        page.wait_for_timeout(500)
        self.shot(page, "cell-running")

        prompt.click()
        page.keyboard.type("eprin")
        started = time.monotonic()
        page.keyboard.press("Tab")
        completer = page.locator(".jp-Completer .jp-Completer-item", has_text="eprint").first
        try:
            completer.wait_for(state="visible", timeout=10000)
            ok = True
        except PWTimeout:
            ok = False
        seconds = time.monotonic() - started
        self.results["completion_seconds"] = seconds
        # Tab with a single match may insert it instead of showing the list: accept either.
        typed = prompt.inner_text()
        self.results["console_text"] = typed
        ok = ok or "eprint" in typed
        self.shot(page, "completion")
        # The server's execution_state follows every status message, a subshell's idle included,
        # so the cell's own signs are checked: its prompt still shows [*] and its execute_reply has
        # not arrived.
        prompt_text = page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.inner_text().strip()
        trace = self.results.get("ws", [])
        running = prompt_text == "[*]:" and not any(m["msg_type"] == "execute_reply" for m in trace)
        self.results["cell_running_during_completion"] = running
        self.check(ok, "the subshell console completes 'eprin' while the notebook's cell runs",
                   f"{seconds:.2f} s, console text {typed!r}")
        self.check(running, "the notebook's cell was still running",
                   f"prompt {prompt_text!r}, execute_reply seen: {not running}")
        asked = [m for m in self.results.get("ws", []) if m["msg_type"] == "complete_request"]
        self.check(bool(asked) and all(m["subshell_id"] for m in asked),
                   "the console's complete_request went to its subshell",
                   f"subshell_id {[m['subshell_id'] for m in asked]}")

        self.run_command(page, "Kernel", "Interrupt Kernel")
        deadline = time.monotonic() + 20
        while self._kernel_state(api, nb_rel)[1] != "idle":
            if time.monotonic() > deadline:
                raise SmokeFailure("the kernel did not become idle after the interrupt")
            page.wait_for_timeout(200)
        page.wait_for_timeout(500)
        self.shot(page, "interrupted")
        if self.failures:
            raise SmokeFailure(f"{len(self.failures)} check(s) failed:\n  - " + "\n  - ".join(self.failures))
        log("subshell console checks passed")


if __name__ == "__main__":
    sys.exit(main(smoke_class=SubshellConsole, parser=build_parser(__doc__.split("\n")[0])))
