#!/usr/bin/env bash
# Interpreter benchmarks: each program in programs/ runs as `rigor run X.rigor`, as `python3 X.py`
# (CPython, the reference) and as `lua5.4 X.lua` (Lua 5.4, the horizon) in the same run, alternating,
# best of REPEATS wall-clock times each (whole processes, start-up included). The programs are written
# as notebook users write them: `*_top` run at the top level of a cell (globals), the others inside a
# function; element writes (`histogram`, `element_update`, `grid`, `dictionary_write`, `append`) are
# the collection-mutation paths. Prints one JSON line per program; `ratio` is ours / CPython (below 1:
# we are faster), `lua_ratio` ours / Lua.
set -euo pipefail
cd "$(dirname "$0")"
rigor="${RIGOR_BIN:-../../.build/release/rigor}"
[[ -x "$rigor" ]] || { echo "build first: swift build -c release" >&2; exit 1; }
RIGOR_BENCH_DEPS=1 bash ../../scripts/install-system-deps.sh
# The reference is the distribution's CPython (Debian's /usr/bin/python3, the one `apt install python3` gives: an
# optimized build, its interpreter linked into the executable), not whatever `python3` is first in PATH: this
# machine's pyenv 3.11.7 (a default source build: shared libpython, no PGO) runs these programs about twice as
# slowly, and measured against it the ratios flattered us (docs/performance.md, "The reference"). PYTHON overrides
# it; each line names the executable it measured.
if [[ -z "${PYTHON:-}" && -x /usr/bin/python3 ]]; then python=/usr/bin/python3; else python=${PYTHON:-python3}; fi
repeats=${REPEATS:-5}
lua=$(command -v lua5.4 || true)
[[ -n "$lua" ]] || echo "lua5.4 is not installed (make bench installs it): Lua columns left out" >&2
"$python" - "$rigor" "$repeats" "$lua" "${PROGRAMS:-}" <<'PY'
import json, subprocess, sys, time, pathlib, platform
# The reference is this very interpreter binary (not a PATH shim, whose start-up would flatter us).
rigor, python, repeats, lua, only = sys.argv[1], sys.executable, int(sys.argv[2]), sys.argv[3], sys.argv[4]
def run(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out.split()
for program in sorted(pathlib.Path("programs").glob("*.rigor")):
    name = program.stem
    if only and name not in only.split(","):
        continue
    lua_program = program.with_suffix(".lua")
    use_lua = bool(lua) and lua_program.exists()
    ours, ref, lua_times = [], [], []
    for _ in range(repeats):
        t, out_ours = run([rigor, "run", str(program)])
        ours.append(t)
        t, out_ref = run([python, str(program.with_suffix(".py"))])
        ref.append(t)
        if use_lua:
            t, out_lua = run([lua, str(lua_program)])
            lua_times.append(t)
            if out_lua != out_ref:
                print(f"Lua output differs for {name}: {out_lua!r} vs {out_ref!r}", file=sys.stderr)
                sys.exit(1)
    if out_ours != out_ref:
        print(f"output differs for {name}: {out_ours!r} vs {out_ref!r}", file=sys.stderr)
        sys.exit(1)
    line = {"benchmark": f"interpreter/{name}", "ours_s": round(min(ours), 4), "reference": "cpython",
            "reference_s": round(min(ref), 4), "ratio": round(min(ours) / min(ref), 3),
            "cpython": platform.python_version(), "cpython_executable": python}
    if use_lua:
        line.update({"lua_s": round(min(lua_times), 4), "lua_ratio": round(min(ours) / min(lua_times), 3)})
    print(json.dumps(line), flush=True)
PY
