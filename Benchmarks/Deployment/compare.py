"""Times the same digits models in ONNX Runtime (one thread, on our exported .onnx) and in torch's dynamic int8
quantization (torch.ao.quantization.quantize_dynamic of the Linear layers, one thread; the same weights), and prints
one JSON line per model and batch with ours (DeploymentBench's line) next to them:
  ours_float_s, ours_int8_s, ort_s, torch_float_s, torch_dynamic_int8_s,
  int8_vs_ort = ours_int8_s / ort_s, float_vs_ort = ours_float_s / ort_s,
  int8_vs_torch_int8 = ours_int8_s / torch_dynamic_int8_s   (< 1: ours is faster),
  ort_max_abs_diff (ORT's output against ours on the timed batch).
Usage: compare.py OURS.jsonl DIR"""
import json
import sys
import time
import warnings

import numpy as np
import onnxruntime as ort
import torch
from safetensors.numpy import load_file
from safetensors.torch import load_file as load_torch

warnings.filterwarnings("ignore")  # torch.ao.quantization's deprecation notices
torch.set_num_threads(1)
ours_path, folder = sys.argv[1], sys.argv[2]
tensors = load_file(f"{folder}/inputs.safetensors")


def median(count, body):
    for _ in range(5):
        body()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def torch_model(name):
    nn = torch.nn
    if name == "mlp":
        model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
        names = {"0": "0", "1": "2", "2": "4"}
    else:
        model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                              nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.2),
                              nn.Linear(64, 10))
        names = {"0": "0", "2": "3", "5": "7", "7": "10"}
    state = load_torch(f"{folder}/{name}.safetensors")
    model.load_state_dict({names[k.split(".")[0]] + "." + k.split(".")[1]: v for k, v in state.items()})
    return model.eval()


for line in open(ours_path):
    if not line.startswith("{"):
        continue
    ours = json.loads(line)
    name = ours["benchmark"].removeprefix("deploy_")
    batch = ours["batch"]
    x = tensors[f"{name}_b{batch}_input"]
    count = 200 if batch == 1 else 50
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(f"{folder}/{name}.onnx", options, providers=["CPUExecutionProvider"])
    (ort_output,) = session.run(["output"], {"input": x})
    ort_s = median(count, lambda: session.run(["output"], {"input": x}))
    model = torch_model(name)
    quantized = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    tx = torch.from_numpy(x)
    with torch.inference_mode():
        torch_float_s = median(count, lambda: model(tx))
        torch_int8_s = median(count, lambda: quantized(tx))
    ours.update({
        "ort_s": ort_s, "torch_float_s": torch_float_s, "torch_dynamic_int8_s": torch_int8_s,
        "int8_vs_ort": ours["ours_int8_s"] / ort_s, "float_vs_ort": ours["ours_float_s"] / ort_s,
        "int8_vs_torch_int8": ours["ours_int8_s"] / torch_int8_s,
        "ort_max_abs_diff": float(np.abs(ort_output - tensors[f"{name}_b{batch}_output"]).max()),
        "reference": "onnxruntime-1thread,torch-dynamic-int8-1thread",
    })
    print(json.dumps({k: (float("%.4g" % v) if isinstance(v, float) else v) for k, v in ours.items()}))
