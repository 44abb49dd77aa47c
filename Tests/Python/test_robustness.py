"""Raw-socket robustness: what a careless or hostile client sends must never execute, end a
loop, or silence a client. After each case the kernel still answers heartbeat and kernel_info."""

import json
import time

import pytest

import samples
from rigor_client import DELIMITER, RawKernel

CHANNELS = ["shell", "control", "stdin"]


@pytest.fixture(scope="module")
def kernel(kernel_name):
    raw = RawKernel(kernel_name)
    yield raw
    raw.close()


def assert_healthy(kernel):
    assert kernel.heartbeat(), "no heartbeat"
    assert kernel.kernel_info("shell") is not None, "no kernel_info_reply on shell"
    assert kernel.kernel_info("control") is not None, "no kernel_info_reply on control"


def execution_count(kernel):
    reply, _ = kernel.execute(samples.TRIVIAL)
    return reply["content"]["execution_count"]


def test_starts_and_answers(kernel):
    assert_healthy(kernel)
    info = kernel.kernel_info()["content"]
    assert info["protocol_version"] == "5.5"
    assert info["language_info"]["name"] == "rigor"


@pytest.mark.parametrize("kind", ["bad", "missing", "tampered", "wrong-key"])
def test_bad_signatures_have_no_side_effect(kernel, kind):
    before = execution_count(kernel)
    frames, _ = kernel.signed_frames("execute_request", {"code": samples.SET_X, "silent": False})
    if kind == "bad":
        frames[1] = b"0" * 64
    elif kind == "missing":
        frames[1] = b""
    elif kind == "tampered":
        frames[4] = json.dumps({"code": "var tampered = 1", "silent": False}).encode()
    else:
        import hmac, hashlib

        mac = hmac.new(b"not-the-key", digestmod=hashlib.sha256)
        for part in frames[2:6]:
            mac.update(part)
        frames[1] = mac.hexdigest().encode()
    logged_before = kernel.log().count("signature")
    for channel in CHANNELS:
        kernel.send_frames(channel, frames)
    time.sleep(0.2)
    # Nothing ran: the count moved by exactly one, for our own probe.
    assert execution_count(kernel) == before + 1
    assert_healthy(kernel)
    # Each refusal on shell and control was logged (stdin is read only while input is pending,
    # and its stale messages are dropped then).
    assert kernel.log().count("signature") - logged_before >= 2


@pytest.mark.parametrize("channel", CHANNELS)
def test_malformed_json_on_every_channel(kernel, channel):
    header_ok = kernel.message("kernel_info_request")["header"]
    for parts in (
        [b"{not json", b"{}", b"{}", b"{}"],
        [json.dumps(header_ok, default=str).encode(), b"{}", b"{}", b'{"code": '],
        [b"[]", b"{}", b"{}", b"{}"],
        [b'"a string"', b"{}", b"{}", b"{}"],
        [b'{"msg_type": "execute_request"}', b"{}", b"{}", b'{"code": "1"}'],
        [b"\xff\xfe", b"{}", b"{}", b"{}"],
    ):
        kernel.send_frames(channel, [DELIMITER, kernel.session.sign(parts)] + parts)
    time.sleep(0.1)
    assert_healthy(kernel)
    if channel != "stdin":
        assert f"{channel}: dropped a message (malformed JSON" in kernel.log()


@pytest.mark.parametrize("channel", CHANNELS)
def test_missing_delimiter_and_truncated_messages(kernel, channel):
    frames, _ = kernel.signed_frames("kernel_info_request")
    kernel.send_frames(channel, frames[1:])  # no delimiter
    for cut in range(1, len(frames)):
        kernel.send_frames(channel, frames[:cut])  # truncated multipart
    kernel.send_frames(channel, [b""])
    time.sleep(0.1)
    assert_healthy(kernel)


def test_fifty_megabyte_cell(kernel):
    code = "// " + "x" * (50 * 1024 * 1024) + "\n" + samples.TRIVIAL
    reply, _ = kernel.execute(code, timeout=120)
    assert reply is not None and reply["content"]["status"] == "ok"
    assert_healthy(kernel)


def test_flood_of_two_thousand_execute_requests(kernel):
    requests = [
        kernel.send("shell", "execute_request", {"code": samples.TRIVIAL, "silent": False}) for _ in range(2000)
    ]
    wanted = {r["header"]["msg_id"] for r in requests}
    seen = set()
    deadline = time.monotonic() + 120
    while wanted - seen and time.monotonic() < deadline:
        msg = kernel.receive("shell", timeout=10)
        assert msg is not None, f"only {len(seen)} replies"
        if msg["msg_type"] == "execute_reply":
            assert msg["content"]["status"] == "ok"
            seen.add(msg["parent_header"]["msg_id"])
    assert not (wanted - seen)
    assert_healthy(kernel)


def test_interrupt_during_a_long_cell_keeps_variables(kernel):
    reply, _ = kernel.execute(samples.SET_X)
    assert reply["content"]["status"] == "ok"
    request = kernel.send("shell", "execute_request", {"code": samples.LONG_LOOP, "silent": False})
    time.sleep(0.5)
    started = time.monotonic()
    interrupt = kernel.send("control", "interrupt_request")
    assert kernel.reply("control", interrupt) is not None
    reply = kernel.reply("shell", request, timeout=10)
    elapsed = time.monotonic() - started
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "Interrupted"
    assert elapsed < 0.1, f"interrupt took {elapsed:.3f} s"
    reply, iopub = kernel.execute(samples.READ_X)
    results = [m for m in iopub if m["msg_type"] == "execute_result"]
    assert results and results[0]["content"]["data"]["text/plain"] == "42"
    assert_healthy(kernel)


def test_sigint_interrupts_too(kernel):
    request = kernel.send("shell", "execute_request", {"code": samples.LONG_LOOP, "silent": False})
    time.sleep(0.5)
    started = time.monotonic()
    kernel.manager.signal_kernel(2)
    reply = kernel.reply("shell", request, timeout=10)
    elapsed = time.monotonic() - started
    assert reply["content"]["ename"] == "Interrupted"
    assert elapsed < 0.1, f"SIGINT took {elapsed:.3f} s"
    assert_healthy(kernel)


def test_shutdown_with_restart(kernel_name):
    raw = RawKernel(kernel_name)
    try:
        old_session = raw.kernel_info()["header"]["session"]
        request = raw.send("control", "shutdown_request", {"restart": True})
        reply = raw.reply("control", request)
        assert reply["content"] == {"status": "ok", "restart": True}
        deadline = time.monotonic() + 10
        while raw.manager.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not raw.manager.is_alive(), "the kernel did not exit after shutdown_request"
        raw.manager.restart_kernel(now=True)
        raw.wait_until_ready()
        assert_healthy(raw)
        assert raw.kernel_info()["header"]["session"] != old_session
    finally:
        raw.close()


def test_heartbeat_and_control_answer_while_a_cell_runs(kernel):
    request = kernel.send("shell", "execute_request", {"code": samples.LONG_LOOP, "silent": False})
    time.sleep(0.3)
    started = time.monotonic()
    assert kernel.heartbeat(timeout=1.0)
    info = kernel.kernel_info("control", timeout=1.0)
    assert info is not None and info["content"]["status"] == "ok"
    assert time.monotonic() - started < 0.5
    interrupt = kernel.send("control", "interrupt_request")
    assert kernel.reply("control", interrupt) is not None
    assert kernel.reply("shell", request, timeout=10)["content"]["ename"] == "Interrupted"
    assert_healthy(kernel)


def test_stale_stdin_messages_do_not_answer_input(kernel):
    # Garbage and an unrequested input_reply wait on stdin before the cell asks for input.
    kernel.send_frames("stdin", [DELIMITER, b"", b"{", b"{}", b"{}", b"{}"])
    kernel.send("stdin", "input_reply", {"value": "stale"})
    time.sleep(0.1)
    code = 'let name = readLine(prompt: "name? ") ?? "nobody"\nprint("hi \\(name)")'
    request = kernel.send("shell", "execute_request", {"code": code, "silent": False, "allow_stdin": True})
    input_request = kernel.receive("stdin")
    assert input_request["msg_type"] == "input_request"
    assert input_request["content"]["prompt"] == "name? "
    reply = kernel.session.msg("input_reply", {"value": "Ada"}, parent=input_request)
    kernel.session.send(kernel.sockets["stdin"], reply)
    assert kernel.reply("shell", request)["content"]["status"] == "ok"
    texts = [m["content"]["text"] for m in kernel.iopub_until_idle(request) if m["msg_type"] == "stream"]
    assert "".join(texts) == "hi Ada\n"
    assert "stdin: ignored unrequested input_reply" in kernel.log()
    assert_healthy(kernel)
