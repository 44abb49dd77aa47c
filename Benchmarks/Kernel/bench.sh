#!/usr/bin/env bash
# The Rigor kernel against ipykernel, in one run: cold start to the first kernel_info_reply,
# execute round trip of a trivial cell (median and p99), stdout throughput (lines/s, none lost)
# and idle memory (RSS). Prints JSON lines with ratios (ours / ipykernel).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"
RIGOR_BIN="${RIGOR_BIN:-.build/release/rigor}"
exec "$PYTHON" Benchmarks/Kernel/bench.py --rigor "$RIGOR_BIN" "$@"
