"""Jupyter widgets over real ZeroMQ (issue 14): the widget control comm, refusals, and comm messages on the main
shell answered while a cell runs (the kernel's pump serves them; ipykernel makes them wait for the cell)."""

import time

import pytest

from rigor_client import RawKernel


@pytest.fixture(scope="module")
def kernel(kernel_name):
    raw = RawKernel(kernel_name)
    yield raw
    raw.close()


def send(kernel, msg_type, content, metadata=None):
    msg = kernel.session.msg(msg_type, content, metadata=metadata or {})
    kernel.session.send(kernel.sockets["shell"], msg)
    return msg


def comm_messages(kernel, request, timeout=5):
    return [m for m in kernel.iopub_until_idle(request, timeout=timeout) if m["msg_type"].startswith("comm_")]


def test_the_widget_control_comm(kernel):
    opened = send(
        kernel, "comm_open", {"comm_id": "ctl", "target_name": "jupyter.widget.control", "data": {}},
        metadata={"version": "1.0.0"})
    assert comm_messages(kernel, opened) == []
    request = send(kernel, "comm_msg", {"comm_id": "ctl", "data": {"method": "request_states"}})
    answer = comm_messages(kernel, request)
    assert [m["content"]["data"] for m in answer] == [{"method": "update_states", "states": {}, "buffer_paths": []}]
    info = kernel.send("shell", "comm_info_request", {"target_name": "jupyter.widget.control"})
    assert kernel.reply("shell", info)["content"]["comms"] == {"ctl": {"target_name": "jupyter.widget.control"}}


def test_refused_comms_are_closed(kernel):
    old = send(
        kernel, "comm_open", {"comm_id": "old", "target_name": "jupyter.widget.control", "data": {}},
        metadata={"version": "0.1"})
    assert [m["msg_type"] for m in comm_messages(kernel, old)] == ["comm_close"]
    unknown_model = send(
        kernel, "comm_open",
        {"comm_id": "m", "target_name": "jupyter.widget", "data": {"state": {"_model_name": "NoSuchModel"}}})
    assert [m["msg_type"] for m in comm_messages(kernel, unknown_model)] == ["comm_close"]
    stray = send(kernel, "comm_msg", {"comm_id": "nobody", "data": {"method": "update", "state": {"value": 1}}})
    assert comm_messages(kernel, stray) == []
    reply, _ = kernel.execute("1 + 1")
    assert reply["content"]["status"] == "ok"


def test_comm_messages_are_answered_while_a_cell_runs(kernel):
    opened = send(
        kernel, "comm_open", {"comm_id": "busy-ctl", "target_name": "jupyter.widget.control", "data": {}},
        metadata={"version": "1.0.0"})
    comm_messages(kernel, opened)
    cell = kernel.send("shell", "execute_request", {"code": "var n = 0\nwhile true { n += 1 }", "silent": False})
    time.sleep(0.3)
    start = time.monotonic()
    request = send(kernel, "comm_msg", {"comm_id": "busy-ctl", "data": {"method": "request_states"}})
    answer = comm_messages(kernel, request, timeout=5)
    elapsed = time.monotonic() - start
    assert [m["content"]["data"]["method"] for m in answer] == ["update_states"]
    assert elapsed < 0.5, elapsed
    assert kernel.reply("shell", cell, timeout=0.2) is None, "the cell ended early"
    interrupt = kernel.send("control", "interrupt_request")
    assert kernel.reply("control", interrupt)["content"]["status"] == "ok"
    assert kernel.reply("shell", cell, timeout=10)["content"]["ename"] == "Interrupted"
    # After the comm's idle the kernel said busy again (it still ran the cell); the cell's own idle ends it.
    reply, _ = kernel.execute("n > 0")
    assert reply["content"]["status"] == "ok"
