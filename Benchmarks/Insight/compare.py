"""The references for Benchmarks/Insight/bench.sh: shap's KernelExplainer and captum's IntegratedGradients on the
weights InsightBench trained (model.safetensors), the same background, rows, classes and budget. Prints one JSON line
per method: {"benchmark", "ours_s", "reference", "reference_s", "ratio", "target_ratio", agreement}.

KernelExplainer runs with l1_reg=False, the computation ours does (its default adds a LARS feature selection), with
nsamples equal to our coalition budget. IntegratedGradients explains all rows in one call (its natural batched use),
n_steps and Gauss-Legendre as ours. Times are the best of --repeats runs, as ours; wall and process CPU seconds
(on a shared machine the CPU ratio is the steadier one).
"""
import argparse
import json
import time

import numpy as np
import torch
from safetensors.torch import load_file

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--shap-repeats", type=int, default=1)
args = parser.parse_args()

torch.set_num_threads(1)
import shap  # noqa: E402
import captum  # noqa: E402
from captum.attr import IntegratedGradients  # noqa: E402

ours = json.load(open(f"{args.folder}/ours.json"))
state = load_file(f"{args.folder}/model.safetensors")
model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10)).eval()
model.load_state_dict({"0.weight": state["0.weight"], "0.bias": state["0.bias"],
                       "2.weight": state["1.weight"], "2.bias": state["1.bias"]})
background = np.asarray(ours["background"], dtype=np.float32)
rows = np.asarray(ours["rows"], dtype=np.float32)
labels = ours["labels"]


def best(body, repeats):
    """The best wall and CPU (process) seconds of `repeats` runs, and the last result."""
    walls, cpus = [], []
    result = None
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = body()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
    return (min(walls), min(cpus)), result


def f(x):
    with torch.no_grad():
        return model(torch.as_tensor(x, dtype=torch.float32)).numpy()


def run_shap():
    explainer = shap.KernelExplainer(f, background)
    values = []
    for x, label in zip(rows, labels):
        phi = explainer.shap_values(x[None, :], nsamples=ours["samples"], l1_reg=False, silent=True)
        values.append(np.asarray(phi)[0, :, label])
    return np.asarray(values)


shap_s, shap_values = best(run_shap, args.shap_repeats)
ours_shap = np.asarray(ours["kernelSHAP"]["values"])
# Both are estimates from different random coalitions: report how close they are relative to the attributions' size.
scale = np.abs(shap_values).mean()
print(json.dumps({
    "benchmark": "insight_kernel_shap_digits", "rows": len(rows), "samples": ours["samples"],
    "background": len(background), "ours_s": ours["kernelSHAP"]["seconds"],
    "reference": f"shap {shap.__version__} KernelExplainer", "reference_s": shap_s[0],
    "ratio": ours["kernelSHAP"]["seconds"] / shap_s[0], "ours_cpu_s": ours["kernelSHAP"]["cpuSeconds"],
    "reference_cpu_s": shap_s[1], "cpu_ratio": ours["kernelSHAP"]["cpuSeconds"] / shap_s[1], "target_ratio": 0.1,
    "mean_abs_difference_over_mean_abs_value": float(np.abs(ours_shap - shap_values).mean() / scale),
    "correlation": float(np.corrcoef(ours_shap.ravel(), shap_values.ravel())[0, 1]),
}))

x = torch.as_tensor(rows)
target = torch.as_tensor(labels)
ig = IntegratedGradients(model)


def run_ig():
    return ig.attribute(x, baselines=torch.zeros_like(x), target=target, n_steps=ours["steps"],
                        method="gausslegendre")


ig_s, ig_values = best(run_ig, args.repeats)
ours_ig = np.asarray(ours["integratedGradients"]["values"])
print(json.dumps({
    "benchmark": "insight_integrated_gradients_digits", "rows": len(rows), "steps": ours["steps"],
    "ours_s": ours["integratedGradients"]["seconds"],
    "reference": f"captum {captum.__version__} IntegratedGradients (torch {torch.__version__}, 1 thread)",
    "reference_s": ig_s[0], "ratio": ours["integratedGradients"]["seconds"] / ig_s[0],
    "ours_cpu_s": ours["integratedGradients"]["cpuSeconds"], "reference_cpu_s": ig_s[1],
    "cpu_ratio": ours["integratedGradients"]["cpuSeconds"] / ig_s[1], "target_ratio": 0.5,
    "max_abs_difference": float(np.abs(ours_ig - ig_values.detach().numpy()).max()),
}))
