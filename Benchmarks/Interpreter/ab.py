"""Two `rigor` binaries side by side on the interpreter programs, interleaved with CPython (for before/after numbers).

    python3 Benchmarks/Interpreter/ab.py OLD_RIGOR NEW_RIGOR [--repeats 11] [--python /usr/bin/python3]

For each program the old binary, the new one and CPython run in turn, `repeats` times; the best wall-clock time of
each (whole processes, start-up included) and its ratio to CPython's are printed. Interleaving puts the same machine
noise on all three, which separate `bench.sh` runs do not.
"""

import argparse
import pathlib
import subprocess
import time

parser = argparse.ArgumentParser()
parser.add_argument("before")
parser.add_argument("after")
parser.add_argument("--repeats", type=int, default=11)
parser.add_argument("--python", default="/usr/bin/python3")
args = parser.parse_args()


def seconds(command):
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


for program in sorted((pathlib.Path(__file__).parent / "programs").glob("*.rigor")):
    best = {"before": float("inf"), "after": float("inf"), "python": float("inf")}
    for _ in range(args.repeats):
        best["before"] = min(best["before"], seconds([args.before, "run", str(program)]))
        best["after"] = min(best["after"], seconds([args.after, "run", str(program)]))
        best["python"] = min(best["python"], seconds([args.python, str(program.with_suffix(".py"))]))
    print(
        f"{program.stem:26s} before {best['before']:.4f} s ({best['before'] / best['python']:.2f})"
        f"  after {best['after']:.4f} s ({best['after'] / best['python']:.2f})  CPython {best['python']:.4f} s",
        flush=True,
    )
