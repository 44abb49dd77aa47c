"""ipykernel 7 parity, over raw ZeroMQ sockets and through jupyter_client (issue 11):
Run All stops at the first failing cell however fast it fails, a replayed message runs once,
history persists across restarts in SQLite, protocol 5.5 subshells answer while a cell runs,
and CurveZMQ encrypts every socket."""

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
import zmq
from jupyter_client import KernelManager

import samples
from rigor_client import RawKernel

# A cell that fails before it runs: a syntax error is answered in well under a millisecond.
SYNTAX_ERROR = "let x = )"


@pytest.fixture(scope="module")
def kernel(kernel_name):
    raw = RawKernel(kernel_name)
    yield raw
    raw.close()


def streams(iopub):
    return "".join(m["content"]["text"] for m in iopub if m["msg_type"] == "stream")


# -- stop_on_error -----------------------------------------------------------------------------


def test_run_all_stops_at_a_fast_syntax_error(kernel):
    first = kernel.send("shell", "execute_request", {"code": SYNTAX_ERROR, "silent": False})
    # A front end's Run All goes through the Jupyter server, which forwards each cell's request
    # a moment after the previous one: here 3 ms apart, long after the syntax error is known.
    later = []
    for i in range(3):
        time.sleep(0.003)
        later.append(kernel.send("shell", "execute_request", {"code": f'print("ran {i}")', "silent": False}))
    reply = kernel.reply("shell", first)
    assert reply["content"]["status"] == "error"
    printed = ""
    for request in later:
        answer = kernel.reply("shell", request)
        assert answer is not None, "no reply to a queued cell"
        assert answer["content"]["status"] == "aborted", answer["content"]
        iopub = kernel.iopub_until_idle(request, timeout=5)
        assert [m["content"]["execution_state"] for m in iopub if m["msg_type"] == "status"] == ["busy", "idle"]
        printed += streams(iopub)
    assert printed == "", f"an aborted cell printed {printed!r}"
    # A cell sent after the client saw the error is the user's next cell: it runs.
    reply, iopub = kernel.execute('print("next")')
    assert reply["content"]["status"] == "ok"
    assert streams(iopub) == "next\n"


def test_without_stop_on_error_queued_cells_run(kernel):
    first = kernel.send("shell", "execute_request", {"code": SYNTAX_ERROR, "silent": False, "stop_on_error": False})
    later = kernel.send("shell", "execute_request", {"code": 'print("still")', "silent": False})
    assert kernel.reply("shell", first)["content"]["status"] == "error"
    assert kernel.reply("shell", later)["content"]["status"] == "ok"
    assert streams(kernel.iopub_until_idle(later)) == "still\n"


# -- replay protection -------------------------------------------------------------------------


def test_a_replayed_message_runs_once(kernel):
    frames, request = kernel.signed_frames(
        "execute_request", {"code": 'print("once")', "silent": False, "store_history": True}
    )
    kernel.send_frames("shell", frames)
    kernel.send_frames("shell", frames)
    reply = kernel.reply("shell", request)
    assert reply["content"]["status"] == "ok"
    assert streams(kernel.iopub_until_idle(request)) == "once\n"
    # The digest history is shared by the channels: the same frames on control are refused too.
    kernel.send_frames("control", frames)
    # Nothing else answers that request: the next message on shell is the kernel_info reply.
    info = kernel.send("shell", "kernel_info_request")
    answer = kernel.receive("shell", timeout=5)
    assert answer["parent_header"]["msg_id"] == info["header"]["msg_id"], answer["msg_type"]
    assert kernel.receive("control", timeout=0.3) is None
    assert kernel.log().count("duplicate signature") >= 2


# -- protocol 5.5: kernel_info, subshells --------------------------------------------------------


def send_to_subshell(kernel, subshell_id, msg_type, content=None):
    msg = kernel.message(msg_type, content)
    msg["header"]["subshell_id"] = subshell_id
    kernel.session.send(kernel.sockets["shell"], msg)
    return msg


def control(kernel, msg_type, content=None):
    request = kernel.send("control", msg_type, content)
    return kernel.reply("control", request)["content"]


def test_kernel_info_says_5_5_with_subshells(kernel):
    content = kernel.kernel_info()["content"]
    assert content["protocol_version"] == "5.5"
    assert content["supported_features"] == ["kernel subshells"]


def test_subshell_answers_while_the_main_shell_runs_a_cell(kernel):
    created = control(kernel, "create_subshell_request")
    assert created["status"] == "ok"
    subshell = created["subshell_id"]
    assert control(kernel, "list_subshell_request")["subshell_id"] == [subshell]
    kernel.execute("let subshellVariable = 1")

    # While the shell is idle, the subshell completes with the session's own names.
    request = send_to_subshell(kernel, subshell, "complete_request", {"code": "subshellVar", "cursor_pos": 11})
    assert kernel.reply("shell", request)["content"]["matches"] == ["subshellVariable"]

    long_cell = kernel.send("shell", "execute_request", {"code": samples.LONG_LOOP, "silent": False})
    time.sleep(0.3)
    timings = {}
    for msg_type, content in [
        ("kernel_info_request", {}),
        ("complete_request", {"code": "eprin", "cursor_pos": 5}),
        ("inspect_request", {"code": "print", "cursor_pos": 5, "detail_level": 0}),
        ("is_complete_request", {"code": "func f() {"}),
        ("comm_info_request", {}),
    ]:
        started = time.monotonic()
        request = send_to_subshell(kernel, subshell, msg_type, content)
        reply = kernel.reply("shell", request, timeout=5)
        timings[msg_type] = time.monotonic() - started
        assert reply is not None, f"no {msg_type} answer from the subshell while a cell runs"
        if msg_type != "is_complete_request":
            assert reply["content"]["status"] == "ok"
        if msg_type == "complete_request":
            assert reply["content"]["matches"] == ["eprint"]
        if msg_type == "inspect_request":
            assert reply["content"]["found"] is True
        if msg_type == "is_complete_request":
            assert reply["content"]["status"] == "incomplete"
    # A subshell's comm_open to an unknown target is refused at once with comm_close.
    comm = send_to_subshell(kernel, subshell, "comm_open", {"comm_id": "c1", "target_name": "jupyter.widget", "data": {}})
    closes = [m for m in kernel.iopub_until_idle(comm, timeout=5) if m["msg_type"] == "comm_close"]
    assert closes and closes[0]["content"]["comm_id"] == "c1"
    assert kernel.reply("shell", long_cell, timeout=0.2) is None, "the long cell ended early"
    assert max(timings.values()) < 0.5, timings

    assert control(kernel, "interrupt_request")["status"] == "ok"
    assert kernel.reply("shell", long_cell, timeout=10)["content"]["ename"] == "Interrupted"
    assert control(kernel, "delete_subshell_request", {"subshell_id": subshell})["status"] == "ok"
    assert control(kernel, "list_subshell_request")["subshell_id"] == []
    assert control(kernel, "delete_subshell_request", {"subshell_id": subshell})["status"] == "error"
    # A request for a deleted subshell gets an error reply with busy and idle (as ipykernel 7.4);
    # the main shell goes on.
    stale = send_to_subshell(kernel, subshell, "kernel_info_request")
    refused = kernel.reply("shell", stale, timeout=5)
    assert refused["msg_type"] == "kernel_info_reply"
    assert refused["content"]["status"] == "error" and refused["content"]["ename"] == "UnknownSubshellError"
    states = [m["content"]["execution_state"] for m in kernel.iopub_until_idle(stale, timeout=5)]
    assert states == ["busy", "idle"]
    reply, _ = kernel.execute(samples.TRIVIAL)
    assert reply["content"]["status"] == "ok"
    assert "unknown subshell" in kernel.log()


def test_a_subshell_execute_waits_for_the_running_cell(kernel):
    subshell = control(kernel, "create_subshell_request")["subshell_id"]
    long_cell = kernel.send("shell", "execute_request", {"code": samples.LONG_LOOP, "silent": False})
    time.sleep(0.2)
    request = send_to_subshell(kernel, subshell, "execute_request", {"code": "40 + 2", "silent": False})
    assert kernel.reply("shell", request, timeout=0.5) is None, "two cells ran at once"
    control(kernel, "interrupt_request")
    assert kernel.reply("shell", long_cell, timeout=10)["content"]["status"] == "error"
    reply = kernel.reply("shell", request, timeout=10)
    assert reply["content"]["status"] == "ok"
    results = [m for m in kernel.iopub_until_idle(request) if m["msg_type"] == "execute_result"]
    assert results[0]["content"]["data"]["text/plain"] == "42"
    control(kernel, "delete_subshell_request", {"subshell_id": subshell})


# -- history across restarts ---------------------------------------------------------------------


def history(kernel, **content):
    request = kernel.send("shell", "history_request", {"output": False, "raw": True, **content})
    return kernel.reply("shell", request)["content"]["history"]


def test_history_persists_across_restarts(kernel_name, tmp_path, monkeypatch):
    database = tmp_path / "history.sqlite"
    monkeypatch.setenv("RIGOR_HISTORY_FILE", str(database))
    first = RawKernel(kernel_name)
    try:
        for code in ["let persisted = 6", "persisted * 7", "persisted * 7", '"unrelated"']:
            first.execute(code, store_history=True)
        session_one = history(first, hist_access_type="tail", n=1)[0][0]
    finally:
        first.close()

    second = RawKernel(kernel_name)
    try:
        second.execute("persisted * 2", store_history=True)
        second.execute("persisted * 2", store_history=True)  # a NameError, but history keeps it
        rows = history(second, hist_access_type="tail", n=3)
        session_two = rows[-1][0]
        assert session_two == session_one + 1
        assert [r[2] for r in rows] == ['"unrelated"', "persisted * 2", "persisted * 2"]
        # range: -1 is the previous session, as IPython's; its own number works too.
        previous = history(second, hist_access_type="range", session=-1, start=1, stop=None)
        assert [r[2] for r in previous] == ["let persisted = 6", "persisted * 7", "persisted * 7", '"unrelated"']
        assert history(second, hist_access_type="range", session=session_one, start=2, stop=3) == [
            [session_one, 2, "persisted * 7"]
        ]
        assert [r[2] for r in history(second, hist_access_type="range", session=0, start=1)] == ["persisted * 2"] * 2
        # search: a glob over every session; unique keeps the latest of equal inputs; n the last n.
        found = history(second, hist_access_type="search", pattern="persisted ?*")
        assert [r[2] for r in found] == ["persisted * 7", "persisted * 7", "persisted * 2", "persisted * 2"]
        unique = history(second, hist_access_type="search", pattern="persisted ?*", unique=True)
        assert [(r[0], r[2]) for r in unique] == [(session_one, "persisted * 7"), (session_two, "persisted * 2")]
        assert [r[2] for r in history(second, hist_access_type="search", pattern="*", n=1)] == ["persisted * 2"]
        with_output = history(second, hist_access_type="range", session=-1, start=2, stop=3, output=True)
        assert with_output == [[session_one, 2, ["persisted * 7", "42"]]]
    finally:
        second.close()
    # The file has IPython's layout.
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT session, num_cmds FROM sessions ORDER BY session").fetchall() == [
            (session_one, 4),
            (session_two, 2),
        ]
        assert db.execute("SELECT source FROM history WHERE session = ? AND line = 1", (session_one,)).fetchone() == (
            "let persisted = 6",
        )


def test_an_unusable_history_file_keeps_the_session_in_memory(kernel_name, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("RIGOR_HISTORY_FILE", str(blocker / "history.sqlite"))
    raw = RawKernel(kernel_name)
    try:
        reply, _ = raw.execute("21 * 2", store_history=True)
        assert reply["content"]["status"] == "ok"
        assert [r[1:] for r in history(raw, hist_access_type="tail", n=5)] == [[1, "21 * 2"]]
        assert "history: cannot use" in raw.log()
        assert raw.is_healthy()
    finally:
        raw.close()


def test_a_corrupt_history_file_is_not_fatal(kernel_name, tmp_path, monkeypatch):
    corrupt = tmp_path / "history.sqlite"
    corrupt.write_bytes(b"this is not an SQLite database" * 100)
    monkeypatch.setenv("RIGOR_HISTORY_FILE", str(corrupt))
    raw = RawKernel(kernel_name)
    try:
        reply, _ = raw.execute("1 + 1", store_history=True)
        assert reply["content"]["status"] == "ok"
        assert [r[2] for r in history(raw, hist_access_type="tail", n=5)] == ["1 + 1"]
        assert "history: cannot use" in raw.log()
    finally:
        raw.close()


# -- CurveZMQ transport encryption ---------------------------------------------------------------


def test_kernelspec_declares_curve_and_5_5(kernel_name):
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    assert spec.metadata["supported_encryption"] == ["curve"]
    assert spec.kernel_protocol_version == "5.5"


def test_curve_encrypted_kernel_through_jupyter_client(kernel_name):
    assert zmq.has("curve")
    manager = KernelManager(kernel_name=kernel_name)
    manager.start_kernel(transport_encryption="required")
    client = manager.client()
    try:
        info = json.loads(Path(manager.connection_file).read_text())
        assert len(info["curve_publickey"]) == 40 and len(info["curve_secretkey"]) == 40
        client.start_channels()
        client.wait_for_ready(timeout=30)
        outputs = []
        reply = client.execute_interactive('print("encrypted " + String(6 * 7))', output_hook=outputs.append, timeout=30)
        assert reply["content"]["status"] == "ok"
        assert [m["content"]["text"] for m in outputs if m["msg_type"] == "stream"] == ["encrypted 42\n"]
        assert client.is_alive()

        # A client without the key: plain sockets, and Curve sockets that trust another server key.
        context = zmq.Context()
        plain_shell = context.socket(zmq.DEALER)
        wrong_shell = context.socket(zmq.DEALER)
        public, secret = zmq.curve_keypair()
        wrong_shell.curve_serverkey, wrong_shell.curve_publickey, wrong_shell.curve_secretkey = public, public, secret
        plain_iopub = context.socket(zmq.SUB)
        plain_iopub.setsockopt(zmq.SUBSCRIBE, b"")
        try:
            for socket in (plain_shell, wrong_shell):
                socket.linger = 0
                socket.connect(f"tcp://{info['ip']}:{info['shell_port']}")
                client.session.send(socket, client.session.msg("execute_request", {"code": 'print("leak")'}))
            plain_iopub.connect(f"tcp://{info['ip']}:{info['iopub_port']}")
            time.sleep(0.3)
            outputs.clear()
            reply = client.execute_interactive('print("still private")', output_hook=outputs.append, timeout=30)
            assert reply["content"]["status"] == "ok"
            texts = [m["content"]["text"] for m in outputs if m["msg_type"] == "stream"]
            assert texts == ["still private\n"], "a client without the key ran a cell"
            for socket in (plain_shell, wrong_shell, plain_iopub):
                assert socket.poll(500) == 0, "a client without the key got a message"
        finally:
            for socket in (plain_shell, wrong_shell, plain_iopub):
                socket.close(linger=0)
            context.term()
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)


def test_while_a_subshell_runs_a_cell_other_subshells_answer(kernel):
    busy = control(kernel, "create_subshell_request")["subshell_id"]
    other = control(kernel, "create_subshell_request")["subshell_id"]
    long_cell = send_to_subshell(kernel, busy, "execute_request", {"code": samples.LONG_LOOP, "silent": False})
    time.sleep(0.2)
    main_info = kernel.send("shell", "kernel_info_request")  # waits: the interpreter is in use
    time.sleep(0.1)
    started = time.monotonic()
    request = send_to_subshell(kernel, other, "complete_request", {"code": "eprin", "cursor_pos": 5})
    reply = kernel.reply("shell", request, timeout=5)
    assert reply is not None and reply["content"]["matches"] == ["eprint"]
    assert time.monotonic() - started < 0.5
    control(kernel, "interrupt_request")
    assert kernel.reply("shell", long_cell, timeout=10)["content"]["ename"] == "Interrupted"
    assert kernel.reply("shell", main_info, timeout=10) is not None
    for subshell in (busy, other):
        control(kernel, "delete_subshell_request", {"subshell_id": subshell})


def test_many_subshells_under_load_lose_nothing(kernel):
    """20 subshells, each sent 25 completions interleaved with main-shell cells that run long
    enough for the pump to take the socket over: every request is answered, once, in order per
    subshell; then all are deleted and the kernel is healthy."""
    subshells = [control(kernel, "create_subshell_request")["subshell_id"] for _ in range(20)]
    requests = {}
    cells = []
    for round_ in range(25):
        cells.append(kernel.send("shell", "execute_request", {"code": "var s = 0\nfor i in 0..<1000000 { s += i }\ns", "silent": False}))
        for subshell in subshells:
            msg = send_to_subshell(kernel, subshell, "complete_request", {"code": "eprin", "cursor_pos": 5})
            requests[msg["header"]["msg_id"]] = subshell
    answered = {}
    order = {s: [] for s in subshells}
    cell_ids = {c["header"]["msg_id"] for c in cells}
    cell_replies = 0
    deadline = time.monotonic() + 60
    while (len(answered) < len(requests) or cell_replies < len(cells)) and time.monotonic() < deadline:
        msg = kernel.receive("shell", timeout=5)
        assert msg is not None, f"{len(requests) - len(answered)} subshell and {len(cells) - cell_replies} cell replies missing"
        parent = msg["parent_header"]["msg_id"]
        if parent in cell_ids:
            assert msg["content"]["status"] == "ok"
            cell_replies += 1
            continue
        assert parent in requests and parent not in answered
        assert msg["content"]["matches"] == ["eprint"]
        answered[parent] = msg
        order[requests[parent]].append(parent)
    assert len(answered) == len(requests) and cell_replies == len(cells)
    sent_order = {s: [m for m, sub in requests.items() if sub == s] for s in subshells}
    assert order == sent_order, "a subshell answered out of order"
    for subshell in subshells:
        assert control(kernel, "delete_subshell_request", {"subshell_id": subshell})["status"] == "ok"
    assert control(kernel, "list_subshell_request")["subshell_id"] == []
    assert kernel.is_healthy()
