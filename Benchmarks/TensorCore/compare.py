"""Joins TensorCoreBench's lines with reference.py's lines (several interleaved rounds of each) into the JSON lines
`make bench` prints: {"benchmark", "ours_s", "reference", "reference_s", "ratio"} with ratio = ours / reference
(below 1: we are faster), each side's best round. GEMM lines also carry both GFLOPS figures.

    python compare.py OURS.jsonl REFERENCE.jsonl
"""
import json
import sys


def load(path, key):
    """The best row per (benchmark, reference label) — ours have no label — in first-seen order."""
    best, order = {}, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            if "benchmark" not in row:
                continue
            name = (row["benchmark"], row.get("reference"))
            if name not in best:
                order.append(name)
            if name not in best or row[key] < best[name][key]:
                best[name] = row
    return best, order


def main():
    blas = {}
    with open(sys.argv[1]) as f:
        for line in f:
            if line.startswith('{"blas_core"'):
                blas = json.loads(line)
                print(line.strip(), file=sys.stderr, flush=True)
                break
    ours, order = load(sys.argv[1], "ours_s")
    reference, reference_order = load(sys.argv[2], "reference_s")
    for key in order:
        name = key[0]
        for reference_key in (k for k in reference_order if k[0] == name):
            emit_row(name, ours[key], reference[reference_key], blas)


def emit_row(name, o, r, blas):
    row = {"benchmark": name, "ours_s": float(f"{o['ours_s']:.4g}"), "reference": r["reference"],
           "reference_s": float(f"{r['reference_s']:.4g}"), "ratio": round(o["ours_s"] / r["reference_s"], 3),
           "threads": 1}
    if "gflops" in o:
        row["blas_core"] = blas.get("blas_core")
        row["ours_gflops"] = round(o["gflops"], 1)
        row["reference_gflops"] = round(r["gflops"], 1)
        row["gflops_ratio"] = round(o["gflops"] / r["gflops"], 3)
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
