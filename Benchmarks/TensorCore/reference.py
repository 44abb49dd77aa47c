"""The PyTorch / NumPy side of `Benchmarks/TensorCore/bench.sh`: the same workloads as TensorCoreBench, at 1 thread.

Prints one JSON line per benchmark: {"benchmark", "reference": "torch" | "numpy", "reference_s"}.
Timing as in ../shared/bench/reference/op_overhead.py: calibrate to ~0.1 s per trial, median of 7 trials.
"""
import json
import sys
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits


def seconds_per_call(fn, min_time=0.1, trials=7):
    fn()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < min_time / 4:
        fn()
        n += 1
    n = max(1, n * 4)
    out = []
    for _ in range(trials):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        out.append((time.perf_counter() - t0) / n)
    out.sort()
    return out[trials // 2]


def emit(name, lib, seconds, **extra):
    print(json.dumps({"benchmark": name, "reference": lib, "reference_s": seconds, **extra}), flush=True)


def wanted(name):
    return len(sys.argv) < 2 or any(name.startswith(p) for p in sys.argv[1:])


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    with threadpool_limits(1):
        for n in (64, 256, 1024, 2048):
            if not wanted("sgemm"):
                break
            a = rng.uniform(-0.5, 0.5, (n, n)).astype(np.float32)
            b = rng.uniform(-0.5, 0.5, (n, n)).astype(np.float32)
            s = seconds_per_call(lambda: a @ b, min_time=0.5 if n >= 1024 else 0.1, trials=5)
            emit(f"sgemm {n}", "numpy", s, gflops=2 * n**3 / s / 1e9)

        a = torch.randn(32, 128)
        b = torch.randn(32, 128)
        if wanted("add"):
            emit("add 32x128", "torch", seconds_per_call(lambda: a + b))
        x = torch.randn(32, 64)
        w = torch.randn(64, 128)
        if wanted("matmul"):
            emit("matmul 32x64 @ 64x128", "torch", seconds_per_call(lambda: x @ w))

        if wanted("autograd"):
            p = torch.zeros(32, 128, requires_grad=True)

            def chain():
                y = p
                for _ in range(100):
                    y = y + a
                y.sum().backward()
                p.grad = None
            emit("autograd add per node", "torch", seconds_per_call(chain) / 100)

        if wanted("linear"):
            lin = torch.nn.Linear(64, 128)

            def lin_step():
                lin.zero_grad(set_to_none=True)
                lin(x).sum().backward()
            emit("linear 64->128 fwd+bwd b32", "torch", seconds_per_call(lin_step))

        for name, cin, cout, side in (("conv2d 1->16 8x8", 1, 16, 8), ("conv2d 16->32 4x4", 16, 32, 4)):
            if not wanted("conv2d"):
                break
            xi = torch.randn(32, cin, side, side)
            conv = torch.nn.Conv2d(cin, cout, 3, padding=1)

            def conv_step():
                conv.zero_grad(set_to_none=True)
                conv(xi).sum().backward()
            emit(f"{name} fwd+bwd b32", "torch", seconds_per_call(conv_step))

        if wanted("mlp"):
            model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
                                        torch.nn.ReLU(), torch.nn.Linear(64, 10))
            labels = torch.arange(32) % 10

            def mlp_step():
                model.zero_grad(set_to_none=True)
                torch.nn.functional.cross_entropy(model(x), labels).backward()
            emit("mlp 64-128-64-10 fwd+bwd b32", "torch", seconds_per_call(mlp_step))

        if wanted("lstm"):
            lstm = torch.nn.LSTM(16, 64)
            seq = torch.randn(20, 64, 16)

            def lstm_step():
                lstm.zero_grad(set_to_none=True)
                out, _ = lstm(seq)
                out.sum().backward()
            emit("lstm 20 steps b64 h64 fwd+bwd", "torch", seconds_per_call(lstm_step, trials=5))

            # The same layer composed from eager ops, as TensorCore runs it (the README's "composed cell").
            w_ih = torch.nn.Parameter(torch.empty(256, 16).uniform_(-0.125, 0.125))
            w_hh = torch.nn.Parameter(torch.empty(256, 64).uniform_(-0.125, 0.125))
            b = torch.nn.Parameter(torch.empty(256).uniform_(-0.125, 0.125))

            def composed_step():
                for p in (w_ih, w_hh, b):
                    p.grad = None
                projected = seq @ w_ih.t() + b
                h = torch.zeros(64, 64)
                c = torch.zeros(64, 64)
                outputs = []
                for t in range(20):
                    gates = projected[t] + h @ w_hh.t()
                    i, f, g, o = gates.chunk(4, 1)
                    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                    h = torch.sigmoid(o) * torch.tanh(c)
                    outputs.append(h)
                torch.stack(outputs).sum().backward()
            emit("lstm 20 steps b64 h64 fwd+bwd", "torch-composed", seconds_per_call(composed_step, trials=5))


if __name__ == "__main__":
    main()
