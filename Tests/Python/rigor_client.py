"""A raw-socket client for the Rigor kernel: pyzmq sockets, signed or hand-made frames.

Used by the robustness tests, which need to send what a well-behaved client never would.
"""

import json
import tempfile
import time
import uuid

import zmq
from jupyter_client import KernelManager
from jupyter_client.session import Session

DELIMITER = b"<IDS|MSG>"


class RawKernel:
    """Starts a kernel through jupyter_client and talks to it over raw sockets."""

    def __init__(self, kernel_name):
        self.manager = KernelManager(kernel_name=kernel_name)
        # The kernel's stderr (its log) goes to a file the tests can read.
        self.log_file = tempfile.NamedTemporaryFile(prefix="rigor-kernel-", suffix=".log", delete=False)
        self.manager.start_kernel(stderr=self.log_file)
        info = self.manager.get_connection_info(session=False)
        self.key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
        self.session = Session(key=self.key, signature_scheme=info["signature_scheme"])
        self.context = zmq.Context()
        self.ip = info["ip"]
        self.ports = {name: info[f"{name}_port"] for name in ("shell", "control", "stdin", "iopub", "hb")}
        self.sockets = {}
        # Like jupyter_client, shell and stdin share one identity: the kernel sends input_request
        # to the identity of the execute request it serves.
        identity = f"raw-{uuid.uuid4().hex[:8]}".encode()
        for name in ("shell", "control", "stdin"):
            socket = self.context.socket(zmq.DEALER)
            socket.setsockopt(zmq.IDENTITY, identity if name != "control" else identity + b"-control")
            socket.setsockopt(zmq.LINGER, 0)
            socket.connect(self.url(name))
            self.sockets[name] = socket
        iopub = self.context.socket(zmq.SUB)
        iopub.setsockopt(zmq.SUBSCRIBE, b"")
        iopub.setsockopt(zmq.LINGER, 0)
        iopub.connect(self.url("iopub"))
        self.sockets["iopub"] = iopub
        self.wait_until_ready()

    def url(self, name):
        return f"tcp://{self.ip}:{self.ports[name]}"

    # -- sending -------------------------------------------------------------------------------

    def message(self, msg_type, content=None):
        return self.session.msg(msg_type, content or {})

    def send(self, channel, msg_type, content=None):
        msg = self.message(msg_type, content)
        self.session.send(self.sockets[channel], msg)
        return msg

    def send_frames(self, channel, frames):
        self.sockets[channel].send_multipart(frames)

    def signed_frames(self, msg_type, content=None, header=None):
        """The frames of a correctly signed message (after the identity, which DEALER adds)."""
        msg = self.message(msg_type, content)
        parts = [
            json.dumps(header if header is not None else msg["header"], default=str).encode(),
            b"{}",
            b"{}",
            json.dumps(content or {}).encode(),
        ]
        return [DELIMITER, self.session.sign(parts)] + parts, msg

    # -- receiving -----------------------------------------------------------------------------

    def receive(self, channel, timeout=10.0):
        socket = self.sockets[channel]
        if socket.poll(int(timeout * 1000)):
            frames = socket.recv_multipart()
            _, msg_frames = self.session.feed_identities(frames)
            return self.session.deserialize(msg_frames)
        return None

    def reply(self, channel, request, timeout=10.0):
        """The reply to `request`, skipping replies to other (earlier) requests."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.receive(channel, timeout=max(0.01, deadline - time.monotonic()))
            if msg is None:
                return None
            if msg["parent_header"].get("msg_id") == request["header"]["msg_id"]:
                return msg
        return None

    def iopub_until_idle(self, request, timeout=30.0):
        messages = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.receive("iopub", timeout=max(0.01, deadline - time.monotonic()))
            if msg is None:
                break
            if msg["parent_header"].get("msg_id") != request["header"]["msg_id"]:
                continue
            messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        return messages

    def execute(self, code, timeout=30.0, **options):
        request = self.send("shell", "execute_request", {"code": code, "silent": False, **options})
        reply = self.reply("shell", request, timeout=timeout)
        return reply, self.iopub_until_idle(request, timeout=timeout)

    def log(self):
        """What the kernel has logged to stderr so far."""
        with open(self.log_file.name, encoding="utf-8", errors="replace") as log:
            return log.read()

    # -- health --------------------------------------------------------------------------------

    def heartbeat(self, timeout=5.0):
        socket = self.context.socket(zmq.REQ)
        socket.setsockopt(zmq.LINGER, 0)
        socket.connect(self.url("hb"))
        try:
            socket.send(b"ping")
            return socket.poll(int(timeout * 1000)) and socket.recv() == b"ping"
        finally:
            socket.close()

    def kernel_info(self, channel="shell", timeout=10.0):
        request = self.send(channel, "kernel_info_request")
        return self.reply(channel, request, timeout=timeout)

    def is_healthy(self):
        shell = self.kernel_info("shell")
        control = self.kernel_info("control")
        return bool(self.heartbeat()) and shell is not None and control is not None

    def wait_until_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.kernel_info("shell", timeout=1.0) is not None:
                # Let the SUB socket's subscription reach the kernel (the slow-joiner problem).
                for _ in range(50):
                    request = self.send("shell", "kernel_info_request")
                    self.reply("shell", request, timeout=5)
                    if self.iopub_until_idle(request, timeout=0.2):
                        return
                return
        raise TimeoutError("the kernel did not answer kernel_info")

    def close(self):
        try:
            self.manager.shutdown_kernel(now=False)
        finally:
            for socket in self.sockets.values():
                socket.close()
            self.context.term()
