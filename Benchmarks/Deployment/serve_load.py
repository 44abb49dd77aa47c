"""`rigor serve` under load from wrk on loopback, against the reference the issue names: ONNX Runtime (one thread per
run) behind a minimal Python HTTP server (http.server, HTTP/1.1 keep-alive, TCP_NODELAY, one thread per connection) answering the
same protocol on the same exported .onnx file. For each model and batch, one JSON line with both sides' throughput
and latency percentiles (wrk --latency: 50/90/99 %) and the ratios:
  throughput_ratio = ours_rps / reference_rps       (> 1: ours serves more)
  p99_ratio = ours_p99_ms / reference_p99_ms         (< 1: ours is faster at the tail)
Every response must be 2xx: a non-2xx answer or a socket error fails the benchmark.
Usage: serve_load.py RIGOR_BINARY DIR [--duration S] [--connections C] [--models mlp,cnn] [--batches 1,32]
                                                                          (DIR: DeploymentBench's --out folder)
       serve_load.py --reference-server MODEL.onnx PORT                      (the reference, started by the first)"""
import json
import os
import re
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


def run_wrk(port, body_path, duration, connections):
    with open(body_path) as f:
        body = f.read()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                     f"wrk.body = [==[{body}]==]\n")
    # Warm-up, then the measured run.
    subprocess.run(["wrk", "-t1", f"-c{connections}", "-d2s", "-s", script.name, f"http://127.0.0.1:{port}/v1/predict"],
                   check=True, capture_output=True)
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name,
                          f"http://127.0.0.1:{port}/v1/predict"], check=True, capture_output=True, text=True).stdout
    os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError("wrk saw failed requests:\n" + out)
    percentiles = {int(p): milliseconds(v) for p, v in re.findall(r"^\s+(\d+)%\s+(\S+)$", out, re.M)}
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": percentiles[50], "p90_ms": percentiles[90], "p99_ms": percentiles[99]}


def main():
    if sys.argv[1] == "--reference-server":
        return reference_server(sys.argv[2], int(sys.argv[3]))
    binary, folder = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    duration = int(args[args.index("--duration") + 1]) if "--duration" in args else 10
    connections = int(args[args.index("--connections") + 1]) if "--connections" in args else 4
    # A quick loop: one model or one batch size only.
    models = args[args.index("--models") + 1].split(",") if "--models" in args else ["mlp", "cnn"]
    batches = [int(b) for b in args[args.index("--batches") + 1].split(",")] if "--batches" in args else [1, 32]
    from safetensors.numpy import load_file

    tensors = load_file(f"{folder}/inputs.safetensors")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    for name in models:
        model = f"{folder}/{name}.onnx"
        servers = {}
        ours_port, reference_port = free_port(), free_port()
        servers["ours"] = (ours_port, subprocess.Popen(
            [binary, "serve", model, "--port", str(ours_port), "--concurrency", "2"], env=env,
            stdout=subprocess.DEVNULL))
        servers["reference"] = (reference_port, subprocess.Popen(
            [sys.executable, __file__, "--reference-server", model, str(reference_port)], env=env))
        try:
            for port, process in servers.values():
                wait_until_listening(port, process)
            for batch in batches:
                x = tensors[f"{name}_b{batch}_input"]
                body_path = f"{folder}/{name}_b{batch}.json"
                with open(body_path, "w") as f:
                    json.dump({"inputs": x.reshape(batch, -1).tolist()}, f)
                ours = run_wrk(ours_port, body_path, duration, connections)
                reference = run_wrk(reference_port, body_path, duration, connections)
                line = {"benchmark": f"serve_{name}_batch{batch}", "connections": connections,
                        "duration_s": duration, "reference": "onnxruntime-1thread behind python http.server"}
                line.update({f"ours_{k}": v for k, v in ours.items()})
                line.update({f"reference_{k}": v for k, v in reference.items()})
                line["throughput_ratio"] = ours["rps"] / reference["rps"]
                line["p99_ratio"] = ours["p99_ms"] / reference["p99_ms"]
                line["p50_ratio"] = ours["p50_ms"] / reference["p50_ms"]
                print(json.dumps({k: (float("%.4g" % v) if isinstance(v, float) else v) for k, v in line.items()}),
                      flush=True)
        finally:
            for _, process in servers.values():
                process.terminate()
                process.wait(timeout=20)


if __name__ == "__main__":
    main()
