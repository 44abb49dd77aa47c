#!/usr/bin/env bash
# Interpreter benchmarks: each program in programs/ runs as `rigor run X.rigor` and as
# `python3 X.py` (CPython) in the same run, alternating, best of 5 wall-clock times each.
# Prints one JSON line per program; the ratio is ours / CPython (below 1: we are faster).
set -euo pipefail
cd "$(dirname "$0")"
rigor=../../.build/release/rigor
[[ -x "$rigor" ]] || { echo "build first: swift build -c release" >&2; exit 1; }
python=${PYTHON:-python3}
repeats=${REPEATS:-5}
"$python" - "$rigor" "$repeats" <<'PY'
import json, subprocess, sys, time, pathlib, platform
# The reference is this very interpreter binary (not a PATH shim, whose start-up would flatter us).
rigor, python, repeats = sys.argv[1], sys.executable, int(sys.argv[2])
def run(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out
for program in sorted(pathlib.Path("programs").glob("*.rigor")):
    name = program.stem
    ours, ref = [], []
    for _ in range(repeats):
        t, out_ours = run([rigor, "run", str(program)])
        ours.append(t)
        t, out_ref = run([python, str(program.with_suffix(".py"))])
        ref.append(t)
    if out_ours.strip() != out_ref.strip():
        print(f"output differs for {name}: {out_ours!r} vs {out_ref!r}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"benchmark": f"interpreter/{name}", "ours_s": round(min(ours), 4), "reference": "cpython",
                      "reference_s": round(min(ref), 4), "ratio": round(min(ours) / min(ref), 3),
                      "cpython": platform.python_version()}), flush=True)
PY
