"""`rigor serve` under load from wrk on loopback, against the reference the issue names: ONNX Runtime (one thread per
run) behind a minimal Python HTTP server (http.server, HTTP/1.1 keep-alive, TCP_NODELAY, one thread per connection) answering the
same protocol on the same exported .onnx file. For each model and batch, one JSON line with both sides' throughput
and latency percentiles (wrk --latency: 50/90/99 %, and 99.9 % and the longest from wrk's `done` hook) and the ratios:
  throughput_ratio = ours_rps / reference_rps       (> 1: ours serves more)
  p99_ratio = ours_p99_ms / reference_p99_ms         (< 1: ours is faster at the tail)
Every response must be 2xx: a non-2xx answer or a socket error fails the benchmark.
Usage: serve_load.py RIGOR_BINARY DIR [--duration S] [--connections C] [--models mlp,cnn] [--batches 1,32]
                     [--baseline OTHER_RIGOR_BINARY] [--baseline-args ARGS] [--rounds R] [--perf] [--threads N]
                                                                          (DIR: DeploymentBench's --out folder)
       serve_load.py --reference-server MODEL.onnx PORT                      (the reference, started by the first)
--baseline also loads a second `rigor serve` (e.g. main's build) in the same run, right after ours: an A/B with the
reference between them; --baseline-args "ARGS" passes ARGS to the baseline only (without --baseline, the baseline is
the same binary: `--baseline-args "--executor default"` compares the two executors of one build). --rounds repeats
every line R times, interleaved. --threads passes --threads N to ours only.
--perf starts each server for each line under `perf stat` (context switches, CPU migrations, task clock; counting only
during the measured wrk run, all threads of the server) and adds per-request numbers: `*_switches_per_request`,
`*_migrations_per_request`, `*_cpu_us_per_request` (each server then starts afresh for each line)."""
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def reference_server(model_path, port):
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    shape = [d for d in session.get_inputs()[0].shape[1:]]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm and the client's delayed
        # ACK would hold the body back ~40 ms and make the reference look slower than it is.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            if length > 1 << 20:
                return self.answer(413, {"error": "too large"})
            try:
                inputs = json.loads(self.rfile.read(length))["inputs"]
                x = np.asarray(inputs, dtype=np.float32).reshape([-1] + shape)
            except (ValueError, KeyError, TypeError) as error:
                return self.answer(422, {"error": str(error)})
            (logits,) = session.run(["output"], {"input": x})
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            probabilities = shifted / shifted.sum(axis=1, keepdims=True)
            classes = probabilities.argmax(axis=1)
            self.answer(200, {"predictions": [
                {"class": int(c), "label": str(int(c)), "probabilities": p.tolist()}
                for c, p in zip(classes, probabilities)]})

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # wrk closes its connections at the end of a run: resets, not server errors

    Server(("127.0.0.1", port), Handler).serve_forever()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_listening(port, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def milliseconds(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[unit]


def run_wrk(port, body_path, duration, connections, measuring=None):
    with open(body_path) as f:
        body = f.read()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                     f"wrk.body = [==[{body}]==]\n"
                     # The far tail too (wrk --latency prints 50/75/90/99 only), in microseconds.
                     "done = function(summary, latency, requests)\n"
                     "  io.write(string.format('TAIL %d %d\\n', latency:percentile(99.9), latency.max))\nend\n")
    # Warm-up, then the measured run.
    subprocess.run(["wrk", "-t1", f"-c{connections}", "-d2s", "-s", script.name, f"http://127.0.0.1:{port}/v1/predict"],
                   check=True, capture_output=True)
    if measuring:
        measuring.enable()
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name,
                              f"http://127.0.0.1:{port}/v1/predict"], check=True, capture_output=True, text=True).stdout
    finally:
        if measuring:
            measuring.disable()
    os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError("wrk saw failed requests:\n" + out)
    percentiles = {int(p): milliseconds(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)$", out, re.M)}
    p999, longest = (int(v) / 1000 for v in re.search(r"^TAIL (\d+) (\d+)$", out, re.M).groups())
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": percentiles[50], "p90_ms": percentiles[90], "p99_ms": percentiles[99], "p999_ms": p999,
            "max_ms": longest,
            "requests": int(re.search(r"(\d+) requests in", out).group(1))}


class PerfStat:
    """A server process under `perf stat`, counting (all its threads, inherited) only between enable() and disable().
    stop() sends SIGTERM to the server itself and returns the counts."""

    EVENTS = "context-switches,cpu-migrations,task-clock"

    def __init__(self, command, env, stdout=None):
        self.folder = tempfile.mkdtemp()
        self.control, self.ack = f"{self.folder}/control", f"{self.folder}/ack"
        os.mkfifo(self.control)
        os.mkfifo(self.ack)
        self.output = f"{self.folder}/counts"
        self.perf = subprocess.Popen(["perf", "stat", "-x,", "-e", self.EVENTS, "-D", "-1", "-o", self.output,
                                      "--control", f"fifo:{self.control},{self.ack}", "--"] + command,
                                     env=env, stdout=stdout)
        # perf opens the FIFOs before it starts the command.
        self.control_file = open(self.control, "w")
        self.ack_file = open(self.ack)

    def poll(self):
        return self.perf.poll()

    @property
    def returncode(self):
        return self.perf.returncode

    def _send(self, command):
        self.control_file.write(command + "\n")
        self.control_file.flush()
        self.ack_file.readline()

    def enable(self):
        self._send("enable")

    def disable(self):
        self._send("disable")

    def server_pid(self):
        with open(f"/proc/{self.perf.pid}/task/{self.perf.pid}/children") as f:
            return int(f.read().split()[0])

    def stop(self):
        os.kill(self.server_pid(), 15)
        self.perf.wait(timeout=30)
        counts = {}
        with open(self.output) as f:
            for row in f:
                fields = row.strip().split(",")
                if len(fields) > 2 and fields[0] and fields[0][0].isdigit():
                    counts[fields[2]] = float(fields[0])
        self.control_file.close()
        self.ack_file.close()
        return counts

    def terminate(self):
        if self.perf.poll() is None:
            try:
                os.kill(self.server_pid(), 15)
            except (OSError, IndexError):
                self.perf.terminate()

    def wait(self, timeout):
        return self.perf.wait(timeout=timeout)


def option(args, name, default, convert=str):
    return convert(args[args.index(name) + 1]) if name in args else default


def main():
    if sys.argv[1] == "--reference-server":
        return reference_server(sys.argv[2], int(sys.argv[3]))
    binary, folder = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    duration = option(args, "--duration", 10, int)
    connections = option(args, "--connections", 4, int)
    # A quick loop: one model or one batch size only.
    models = option(args, "--models", "mlp,cnn").split(",")
    batches = [int(b) for b in option(args, "--batches", "1,32").split(",")]
    baseline_args = shlex.split(option(args, "--baseline-args", ""))
    baseline = option(args, "--baseline", binary if baseline_args else None)
    rounds = option(args, "--rounds", 1, int)
    threads = option(args, "--threads", None)
    perf = "--perf" in args
    from safetensors.numpy import load_file

    tensors = load_file(f"{folder}/inputs.safetensors")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")

    def commands(model, port):
        ours = [binary, "serve", model, "--port", str(port), "--concurrency", "2"]
        yield "ours", port, ours + (["--threads", threads] if threads else [])
        if baseline:
            yield "baseline", port + 1, [baseline, "serve", model, "--port", str(port + 1), "--concurrency", "2",
                                         *baseline_args]
        yield "reference", port + 2, [sys.executable, __file__, "--reference-server", model, str(port + 2)]

    def start(model):
        """The servers, each on its own port: name → (port, process)."""
        servers = {}
        for name, port, command in commands(model, free_port_block()):
            process = (PerfStat(command, env, subprocess.DEVNULL) if perf else
                       subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL))
            servers[name] = (port, process)
        try:
            for port, process in servers.values():
                wait_until_listening(port, process)
        except Exception:
            for _, process in servers.values():
                process.terminate()
            raise
        return servers

    def stop(servers, line=None):
        for name, (_, process) in servers.items():
            if perf and line is not None:
                counts = process.stop()
                requests = line[f"{name}_requests"]
                line[f"{name}_switches_per_request"] = counts.get("context-switches", 0) / requests
                line[f"{name}_migrations_per_request"] = counts.get("cpu-migrations", 0) / requests
                line[f"{name}_cpu_us_per_request"] = counts.get("task-clock", 0) * 1e3 / requests
            else:
                process.terminate()
                process.wait(timeout=20)

    for name in models:
        model = f"{folder}/{name}.onnx"
        servers = None if perf else start(model)
        try:
            for batch in batches:
                x = tensors[f"{name}_b{batch}_input"]
                body_path = f"{folder}/{name}_b{batch}.json"
                with open(body_path, "w") as f:
                    json.dump({"inputs": x.reshape(batch, -1).tolist()}, f)
                for repeat in range(rounds):
                    if perf:
                        servers = start(model)
                    line = {"benchmark": f"serve_{name}_batch{batch}", "connections": connections,
                            "duration_s": duration, "reference": "onnxruntime-1thread behind python http.server",
                            "load_average": round_load()}
                    if rounds > 1:
                        line["round"] = repeat + 1
                    for server, (port, process) in servers.items():
                        result = run_wrk(port, body_path, duration, connections, process if perf else None)
                        line.update({f"{server}_{k}": v for k, v in result.items()})
                    if perf:
                        stop(servers, line)
                        servers = None
                    for server in ["ours", "baseline"] if baseline else ["ours"]:
                        prefix = "" if server == "ours" else "baseline_"
                        line[f"{prefix}throughput_ratio"] = line[f"{server}_rps"] / line["reference_rps"]
                        line[f"{prefix}p99_ratio"] = line[f"{server}_p99_ms"] / line["reference_p99_ms"]
                        line[f"{prefix}p50_ratio"] = line[f"{server}_p50_ms"] / line["reference_p50_ms"]
                    print(json.dumps({k: (float("%.4g" % v) if isinstance(v, float) else v) for k, v in line.items()}),
                          flush=True)
        finally:
            if servers:
                stop(servers)


def free_port_block(size=3):
    """A port whose next `size - 1` ports are free too (one per server)."""
    for _ in range(100):
        port = free_port()
        try:
            for offset in range(1, size):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port + offset))
            return port
        except OSError:
            continue
    raise RuntimeError("no block of free ports")


def round_load():
    return round(os.getloadavg()[0], 1)


if __name__ == "__main__":
    main()
