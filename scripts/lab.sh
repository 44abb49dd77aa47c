#!/usr/bin/env bash
# `make lab` (after the apt packages, .venv and the release build): installs the Rigor kernelspec
# into .venv (like `rigor install --sys-prefix` from inside the venv) and starts JupyterLab on
# 127.0.0.1 serving notebooks/, printing the URL to open.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
RIGOR="${RIGOR_BIN:-.build/release/rigor}"
[[ -x "$RIGOR" ]] || { echo "no $RIGOR: run 'make release' first" >&2; exit 1; }
[[ -x "$VENV/bin/jupyter" ]] || { echo "no JupyterLab in $VENV: run 'make venv' first" >&2; exit 1; }

"$RIGOR" install --prefix "$VENV"
"$VENV/bin/jupyter" kernelspec list

# 8888 when it is free, any free port otherwise.
port="${RIGOR_LAB_PORT:-$("$VENV/bin/python" - <<'PY'
import socket
for candidate in (8888, 0):
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", candidate))
            print(s.getsockname()[1])
            break
    except OSError:
        pass
PY
)}"
token="${JUPYTER_TOKEN:-$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(24))')}"
args=(--ip=127.0.0.1 --port="$port" --ServerApp.port_retries=0 --no-browser --ServerApp.root_dir="$PWD/notebooks")
if [[ $(id -u) == 0 ]]; then args+=(--allow-root); fi

echo
echo "Rigor in JupyterLab: open http://127.0.0.1:$port/lab/tree/00-welcome.ipynb?token=$token"
echo "(Ctrl-C stops the server)"
echo
JUPYTER_TOKEN="$token" exec "$VENV/bin/jupyter" lab "${args[@]}"
