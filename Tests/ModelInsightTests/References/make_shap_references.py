"""The SHAP part of references.json, computed with shap 0.54 (which needs Python >= 3.12).

make_references.py (run with the test venv: torch and captum, Python 3.11 here) writes the models' weights, the
background and the rows, and the captum references. This script needs only numpy and shap: it reads those weights
back, runs the same tabular model in float64 numpy (Linear(5, 8) - Tanh - Linear(8, 3), the same function torch
computes) and replaces the "shap" section and the recorded shap version. Run it after make_references.py with any
Python >= 3.12 that has shap 0.54, for example:
    python3.12 -m venv /tmp/py312 && /tmp/py312/bin/pip install "shap==0.54.1"
    /tmp/py312/bin/python Tests/ModelInsightTests/References/make_shap_references.py

KernelExplainer enumerates every coalition (nsamples = 2^M - 2, l1_reg=False), so its answer is the exact
interventional Shapley value; the script checks it against shap's ExactExplainer, and prints how far the new values
are from the ones it replaces.
"""
import json
import pathlib
import sys

import numpy as np
import shap

here = pathlib.Path(__file__).resolve().parent
path = here / "references.json"
references = json.loads(path.read_text())

tabular = references["tabular"]
parameters = {entry["name"]: np.asarray(entry["values"], dtype=np.float64).reshape(entry["shape"])
              for entry in tabular["weights"]}
w0, b0, w2, b2 = (parameters[name] for name in ["0.weight", "0.bias", "2.weight", "2.bias"])
background = np.asarray(tabular["background"], dtype=np.float64)
rows = np.asarray(tabular["rows"], dtype=np.float64)


def f_logits(x):
    return np.tanh(x @ w0.T + b0) @ w2.T + b2


def f_softmax(x):
    logits = f_logits(x)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


results = []
for output, f in [("identity", f_logits), ("softmax", f_softmax)]:
    kernel = shap.KernelExplainer(f, background, link="identity")
    values = np.asarray(kernel.shap_values(rows, nsamples=2 ** 5 - 2, l1_reg=False, silent=True))  # [rows, features, classes]
    exact = shap.explainers.Exact(f, shap.maskers.Independent(background, max_samples=len(background)))(rows).values
    assert np.allclose(values, exact, atol=1e-10), "KernelExplainer (all coalitions) and ExactExplainer disagree"
    results.append({"output": output, "values": values.tolist(), "expected": np.asarray(kernel.expected_value).tolist()})

previous = {entry["output"]: np.asarray(entry["values"]) for entry in references.get("shap", [])}
for entry in results:
    if entry["output"] in previous:
        change = np.abs(np.asarray(entry["values"]) - previous[entry["output"]]).max()
        print(f"{entry['output']}: largest change from the previous references {change:.3g}")

references["shap"] = results
references["versions"]["shap"] = shap.__version__
references["versions"]["shapPython"] = sys.version.split()[0]
path.write_text(json.dumps(references, indent=1) + "\n")
print("wrote the shap section of", path, "with shap", shap.__version__)
