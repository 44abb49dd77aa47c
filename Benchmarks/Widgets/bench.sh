#!/usr/bin/env bash
# Widgets (issue 14): the round trip from a comm `update` of a slider to the re-rendered output of an
# interact-style closure, Rigor against ipywidgets' `interact` on ipykernel, on the same trivial closure.
# Prints JSON lines with the ratio (ours / ipykernel).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-.venv/bin/python}"
RIGOR_BIN="${RIGOR_BIN:-.build/release/rigor}"
exec "$PYTHON" Benchmarks/Widgets/bench.py --rigor "$RIGOR_BIN" "$@"
