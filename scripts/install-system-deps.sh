#!/usr/bin/env bash
# Installs the Debian packages Rigor needs, only those that are missing (run as root or with sudo).
set -euo pipefail
packages=(pkg-config libopenblas-dev libzmq3-dev libsqlite3-dev)
# The debug test binary links the toolchain's FoundationNetworking (ModelServerTests call the server with URLSession),
# which loads libcurl.so.4 at run time; `rigor` itself no longer links libcurl (docs/performance.md, start-up).
packages+=(libcurl4)
# `save(chart, to: "x.png" | "x.pdf")` renders with librsvg's rsvg-convert (run as a program, not linked: see
# docs/rigor.md); the export tests read PDFs with poppler's pdfinfo and pdftotext.
packages+=(librsvg2-bin poppler-utils)
if [[ "${RIGOR_BROWSER_TESTS:-1}" == 1 ]]; then packages+=(chromium fonts-dejavu-core); fi
# `make bench` measures the interpreter beside Lua 5.4 (the horizon in docs/performance.md) and loads `rigor serve`
# with wrk (Benchmarks/Deployment/serve-load.sh).
if [[ "${RIGOR_BENCH_DEPS:-0}" == 1 ]]; then packages+=(lua5.4 wrk); fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then exit 0; fi
echo "installing Debian packages: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) != 0 ]]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
