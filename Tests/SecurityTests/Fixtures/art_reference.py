"""ART 1.20 on the same weights and rows as our attacks (Tests/SecurityTests/ARTParityTests, Benchmarks/Security).

usage: art_reference.py FOLDER [--repeats R]
FOLDER holds model.safetensors (a Sequential Dense(64, H) ReLU Dense(H, 10), our parameter names "0.weight", ...),
data.safetensors ("inputs" [N, 64] in 0..1, "labels" [N]) and attacks.json: a list of
{"name", "method": "fgsm"|"pgd", "norm": "inf"|"2", "eps", "eps_step", "max_iter", "targeted", "target"}.
Prints one JSON object: {name: {"accuracy", "success_rate", "seconds", "cpu_seconds"}} for each attack, the
accuracy on the adversarial rows against the labels (targeted: the rate of rows now predicted as the target), the
time of the best of R runs.
"""
import argparse
import json
import time
import warnings

import numpy as np
import torch
from safetensors.torch import load_file

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
from art.attacks.evasion import FastGradientMethod, ProjectedGradientDescent  # noqa: E402
from art.estimators.classification import PyTorchClassifier  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("--repeats", type=int, default=1)
args = parser.parse_args()

state = load_file(f"{args.folder}/model.safetensors")
data = load_file(f"{args.folder}/data.safetensors")
hidden = state["0.weight"].shape[0]
model = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)).eval()
model.load_state_dict({"0.weight": state["0.weight"], "0.bias": state["0.bias"],
                       "2.weight": state["1.weight"], "2.bias": state["1.bias"]})
x = data["inputs"].numpy().astype(np.float32)
y = data["labels"].numpy().astype(np.int64)
classifier = PyTorchClassifier(model=model, loss=torch.nn.CrossEntropyLoss(), input_shape=(64,), nb_classes=10,
                               clip_values=(0.0, 1.0), device_type="cpu")
attacks = json.load(open(f"{args.folder}/attacks.json"))
results = {}
for spec in attacks:
    norm = np.inf if spec["norm"] == "inf" else 2
    if spec["method"] == "fgsm":
        attack = FastGradientMethod(classifier, norm=norm, eps=spec["eps"], targeted=spec["targeted"],
                                    batch_size=128)
    else:
        attack = ProjectedGradientDescent(classifier, norm=norm, eps=spec["eps"], eps_step=spec["eps_step"],
                                          max_iter=spec["max_iter"], targeted=spec["targeted"],
                                          num_random_init=1 if spec.get("random_start") else 0,
                                          batch_size=128, verbose=False)
    goal = np.full_like(y, spec["target"]) if spec["targeted"] else y
    walls, cpus = [], []
    for _ in range(max(1, args.repeats)):
        start, cpu_start = time.perf_counter(), time.process_time()
        adversarial = attack.generate(x=x, y=np.eye(10, dtype=np.float32)[goal])
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
    predictions = classifier.predict(adversarial).argmax(axis=1)
    eligible = y != goal if spec["targeted"] else np.ones_like(y, dtype=bool)
    results[spec["name"]] = {
        "accuracy": float((predictions == y).mean()),
        "success_rate": float((predictions[eligible] == goal[eligible]).mean()) if spec["targeted"] else None,
        "seconds": min(walls), "cpu_seconds": min(cpus),
        "max_linf": float(np.abs(adversarial - x).max()),
        "in_range": bool(((adversarial >= 0) & (adversarial <= 1)).all()),
    }
print(json.dumps(results))
