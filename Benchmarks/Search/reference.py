"""Optuna's TPESampler (defaults) and GPSampler on Branin and Hartmann-6, as Benchmarks/SearchBench does ours:
best value after each budget over seeds, and seconds per trial over a 100-trial study. One JSON object per line."""
import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
budgets = [int(b) for b in (sys.argv[2] if len(sys.argv) > 2 else "30,50").split(",")]
overhead_trials = int(sys.argv[3]) if len(sys.argv) > 3 else 100
sampler_names = set((sys.argv[4] if len(sys.argv) > 4 else "tpe,gp").split(","))
problem_names = set((sys.argv[5] if len(sys.argv) > 5 else "branin,hartmann6").split(","))


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6(trial):
    x = [trial.suggest_float(f"x{j}", 0, 1) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


samplers = {"tpe": lambda seed: optuna.samplers.TPESampler(seed=seed),
            "gp": lambda seed: optuna.samplers.GPSampler(seed=seed)}
for problem, objective in [("branin", branin), ("hartmann6", hartmann6)]:
    if problem not in problem_names:
        continue
    for name, make in samplers.items():
        if name not in sampler_names:
            continue
        best = {budget: [] for budget in budgets}
        for seed in range(seeds):
            study = optuna.create_study(sampler=make(seed))
            study.optimize(objective, n_trials=max(budgets))
            values = [t.value for t in study.trials]
            for budget in budgets:
                best[budget].append(min(values[:budget]))
        for budget in budgets:
            ordered = sorted(best[budget])
            n = len(ordered)
            median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
            print(json.dumps({"kind": "best", "problem": problem, "sampler": name, "trials": budget,
                              "median_best": median, "best_per_seed": best[budget]}, sort_keys=True), flush=True)
        study = optuna.create_study(sampler=make(0))
        start = time.perf_counter()
        study.optimize(objective, n_trials=overhead_trials)
        per_trial = (time.perf_counter() - start) / overhead_trials
        print(json.dumps({"kind": "overhead", "problem": problem, "sampler": name, "trials": overhead_trials,
                          "seconds_per_trial": per_trial}, sort_keys=True), flush=True)
