"""Reference attributions for Tests/ModelInsightTests/ReferenceTests.swift, computed once with shap and captum.

Run from the repository root with the test venv (make venv-torch, then pip install shap captum):
    .venv/bin/python Tests/ModelInsightTests/References/make_references.py
It writes references.json beside itself. Versions used are recorded in the file. The SHAP numbers committed are
from shap 0.54.1, which needs Python >= 3.12: after this script, run make_shap_references.py (its header says how)
to replace this script's "shap" section (computed with whatever shap this venv has). KernelExplainer here
enumerates every coalition (nsamples = 2^M - 2, l1_reg=False): its answer is then the exact interventional Shapley
value, the same as shap's ExactExplainer, which the script checks too.

Models (float64 in torch; ours runs float32, hence the 1e-4 tolerance):
  tabular: Linear(5, 8) - Tanh - Linear(8, 3), torch.manual_seed(0) default init
  image:   Conv2d(1, 2, 3, padding=1) - ReLU - Flatten - Linear(72, 3) on 1x6x6, torch.manual_seed(1)
"""
import json
import pathlib
import sys

import numpy as np
import torch
import shap
import captum
from captum.attr import IntegratedGradients, Saliency, InputXGradient, Occlusion

torch.set_default_dtype(torch.float64)
here = pathlib.Path(__file__).resolve().parent

torch.manual_seed(0)
tabular = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).eval()
torch.manual_seed(1)
image = torch.nn.Sequential(
    torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(72, 3)).eval()

rng = np.random.default_rng(0)
background = rng.normal(size=(12, 5))
rows = rng.normal(size=(3, 5)) * 1.5
images = rng.uniform(0, 1, size=(2, 1, 6, 6))


def weights(model):
    """The state_dict in order (ours names layers 0, 1, 2 where torch counts its activation modules too)."""
    return [{"name": name, "shape": list(p.shape), "values": p.detach().reshape(-1).tolist()}
            for name, p in model.state_dict().items()]


def f_logits(x):
    with torch.no_grad():
        return tabular(torch.as_tensor(x)).numpy()


def f_softmax(x):
    with torch.no_grad():
        return torch.softmax(tabular(torch.as_tensor(x)), dim=1).numpy()


out = {
    "versions": {"shap": shap.__version__, "captum": captum.__version__, "torch": torch.__version__,
                 "numpy": np.__version__, "python": sys.version.split()[0]},
    "tabular": {"weights": weights(tabular), "background": background.tolist(), "rows": rows.tolist()},
    "image": {"weights": weights(image), "rows": images.reshape(2, -1).tolist()},
}

# SHAP: KernelExplainer enumerating all 30 coalitions, for logits and probabilities, every class.
shap_results = []
for output, f in [("identity", f_logits), ("softmax", f_softmax)]:
    kernel = shap.KernelExplainer(f, background, link="identity")
    values = kernel.shap_values(rows, nsamples=2 ** 5 - 2, l1_reg=False, silent=True)  # [rows, features, classes]
    values = np.asarray(values)
    exact = shap.explainers.Exact(f, shap.maskers.Independent(background, max_samples=len(background)))(rows).values
    assert np.allclose(values, exact, atol=1e-10), "KernelExplainer (all coalitions) and ExactExplainer disagree"
    shap_results.append({"output": output, "values": values.tolist(),
                         "expected": np.asarray(kernel.expected_value).tolist()})
out["shap"] = shap_results

# captum on the tabular model (logits): IG with two rules and two baselines, saliency, input x gradient.
x = torch.as_tensor(rows)
captum_results = []
for method, steps in [("gausslegendre", 50), ("riemann_trapezoid", 20), ("riemann_middle", 16)]:
    for baseline_name, baseline in [("zeros", torch.zeros(1, 5)), ("mean", torch.as_tensor(background.mean(0, keepdims=True)))]:
        for target in range(3):
            attributions, delta = IntegratedGradients(tabular).attribute(
                x, baselines=baseline, target=target, n_steps=steps, method=method, return_convergence_delta=True)
            captum_results.append({"method": "integratedGradients", "rule": method, "steps": steps,
                                   "baseline": baseline.reshape(-1).tolist(), "target": target,
                                   "attributions": attributions.tolist(), "delta": delta.tolist()})
for target in range(3):
    captum_results.append({"method": "saliency", "target": target,
                           "attributions": Saliency(tabular).attribute(x, target=target, abs=True).tolist()})
    captum_results.append({"method": "gradientTimesInput", "target": target,
                           "attributions": InputXGradient(tabular).attribute(x, target=target).tolist()})
# IG on probabilities (softmax appended).
probabilities = torch.nn.Sequential(tabular, torch.nn.Softmax(dim=1)).eval()
for target in range(3):
    attributions, delta = IntegratedGradients(probabilities).attribute(
        x, baselines=torch.zeros(1, 5), target=target, n_steps=50, method="gausslegendre", return_convergence_delta=True)
    captum_results.append({"method": "integratedGradients", "rule": "gausslegendre", "steps": 50, "output": "softmax",
                           "baseline": [0.0] * 5, "target": target, "attributions": attributions.tolist(),
                           "delta": delta.tolist()})
out["captum"] = captum_results

# captum Occlusion on the image model: 2x2 windows, stride 1 and 2, fill 0.
xi = torch.as_tensor(images)
occlusion = []
for stride in [1, 2]:
    for target in range(3):
        attributions = Occlusion(image).attribute(
            xi, sliding_window_shapes=(1, 2, 2), strides=(1, stride, stride), baselines=0, target=target)
        occlusion.append({"window": 2, "stride": stride, "target": target,
                          "attributions": attributions.reshape(2, -1).tolist()})
    # image gradients too (IG through the convolution).
ig_image = []
for target in range(3):
    attributions, delta = IntegratedGradients(image).attribute(
        xi, baselines=torch.zeros_like(xi), target=target, n_steps=32, method="gausslegendre", return_convergence_delta=True)
    ig_image.append({"target": target, "steps": 32, "attributions": attributions.reshape(2, -1).tolist(),
                     "delta": delta.tolist()})
out["occlusion"] = occlusion
out["imageIntegratedGradients"] = ig_image

(here / "references.json").write_text(json.dumps(out, indent=1) + "\n")
print("wrote", here / "references.json")
