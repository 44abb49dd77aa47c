# Shared set-up for the benchmark families (sourced by Benchmarks/*/bench.sh).

# ensure_bench_venv VENV PYTHON: a venv with the PyTorch CPU reference (torch 2.13.0 resolves to
# the CPU wheel on these machines), created only when missing.
ensure_bench_venv() {
    local venv=$1 python=$2
    if ! "$venv/bin/python" -c 'import torch, numpy, threadpoolctl' 2>/dev/null; then
        echo "setting up $venv (torch==2.13.0, numpy, threadpoolctl)" >&2
        "$python" -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check torch==2.13.0 numpy threadpoolctl >&2
    fi
}

# use_recommended_core_type BENCH_BINARY: Debian's OpenBLAS 0.3.21 does not know recent CPUs
# (e.g. Sapphire Rapids) and falls back to SSE3 kernels; the binary tells which
# OPENBLAS_CORETYPE fits this CPU (BLASBackend.recommendedCoreType), and we export it.
use_recommended_core_type() {
    [[ -z "${OPENBLAS_CORETYPE:-}" ]] || return 0
    local core
    core=$("$1" --recommended-core-type)
    if [[ -n "$core" ]]; then
        echo "OpenBLAS fell back to generic kernels; running with OPENBLAS_CORETYPE=$core" >&2
        export OPENBLAS_CORETYPE=$core
    fi
}
