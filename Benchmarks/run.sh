#!/usr/bin/env bash
# `make bench`: runs every benchmark family (Benchmarks/<Family>/bench.sh) in turn. Each prints
# JSON lines {"benchmark", "ours_s", "reference", "reference_s", "ratio", ...}: ours and the
# reference measured in the same run, because absolute times on these machines mean little.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for script in Benchmarks/*/bench.sh; do
    [[ -f "$script" ]] || continue
    echo "# $(dirname "$script")" >&2
    bash "$script" || { echo "benchmark $script failed" >&2; status=1; }
done
exit $status
