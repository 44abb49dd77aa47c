"""`rigor run FILE.rigor` and `rigor --version`, as a user runs them from a shell."""

import json
import os
import select
import socket
import subprocess
import time

from conftest import RIGOR


def run(*args, input=None):
    return subprocess.run([str(RIGOR), *args], capture_output=True, text=True, input=input, timeout=60)


def test_run_prints_what_the_script_prints(tmp_path):
    script = tmp_path / "hello.rigor"
    script.write_text('let xs = [3, 1, 2].sorted()\nprint("sorted:", xs)\nxs.count\n')
    result = run("run", str(script))
    assert result.returncode == 0, result.stderr
    # A script does not print its last bare expression (a notebook cell would show it).
    assert result.stdout == "sorted: [1, 2, 3]\n"
    assert result.stderr == ""


def test_run_reports_errors_on_stderr_with_the_file_name_and_exit_status_1(tmp_path):
    script = tmp_path / "broken.rigor"
    script.write_text('print("before")\nlet model = [1, 2]\nmodel.fitt(3)\nprint("after")\n')
    result = run("run", str(script))
    assert result.returncode == 1
    assert result.stdout == "before\n"
    assert result.stderr.splitlines()[:3] == [
        "broken.rigor:3:7: error: value of type 'Array' has no member 'fitt'",
        "model.fitt(3)",
        "      ^~~~",
    ]
    assert "\x1b[" not in result.stderr  # no colour when stderr is not a terminal


def test_run_reports_every_syntax_error_and_runs_nothing(tmp_path):
    script = tmp_path / "syntax.rigor"
    script.write_text('print("never")\nlet = 1\nprint(1 +)\n')
    result = run("run", str(script))
    assert result.returncode == 1
    assert result.stdout == ""
    headers = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert [h.split(": error:")[0] for h in headers] == ["syntax.rigor:2:5", "syntax.rigor:3:10"]


def test_run_reads_input_through_readline(tmp_path):
    script = tmp_path / "ask.rigor"
    script.write_text('let name = readLine(prompt: "name? ") ?? "nobody"\nprint("hi \\(name)")\n')
    result = run("run", str(script), input="Ada\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "name? hi Ada\n"


def test_missing_file_is_a_clear_error(tmp_path):
    result = run("run", str(tmp_path / "nope.rigor"))
    assert result.returncode == 1
    assert "cannot read" in result.stderr


def test_version():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip().count(".") == 2


def test_notebook_output_builtins_print_their_text_in_a_script(tmp_path):
    # A notebook's cells run unchanged as a script: display and update print the text form, clearOutput is a no-op.
    script = tmp_path / "display.rigor"
    script.write_text(
        'let status = display("step 1 of 2")\n'
        'status.update("step 2 of 2")\n'
        'clearOutput(wait: true)\n'
        'display(HTML("<b>done</b>"))\n'
        'display(Table([["epoch": 1, "loss": 0.5]], title: "log"))\n'
    )
    result = run("run", str(script))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["step 1 of 2", "step 2 of 2", "HTML(<b>done</b>)"]
    assert "log" in lines[3] and "0.5" in result.stdout


def _loaded_libraries(args, env_extra, until=None, timeout=30):
    """The shared objects the dynamic loader reports opening (LD_DEBUG=files) while `rigor ARGS` runs."""
    env = dict(os.environ, LD_DEBUG="files", **env_extra)
    process = subprocess.Popen([str(RIGOR), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    seen = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([process.stderr], [], [], 0.5)
            if ready:
                line = process.stderr.readline().decode(errors="replace")
                if not line:
                    break
                if "file=" in line:
                    seen.append(line.split("file=", 1)[1].split(";")[0].strip())
                if until and until in line:
                    break
            elif process.poll() is not None:
                break
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
    return seen


def test_run_never_loads_libzmq_but_the_kernel_does(tmp_path):
    # `rigor run` needs no ZeroMQ: libzmq and the 13 libraries it pulls in (krb5, gssapi, libsodium, ...) were a
    # fifth of an empty script's start-up (docs/performance.md). Only the kernel opens it, on first use.
    script = tmp_path / "one.rigor"
    script.write_text("print(1)\n")
    run_libraries = _loaded_libraries(["run", str(script)], {})
    assert any("libc.so" in name for name in run_libraries), run_libraries  # the loader's report was read
    assert not any("libzmq" in name or "krb5" in name for name in run_libraries), run_libraries

    ports = []
    for _ in range(5):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    connection = tmp_path / "kernel.json"
    connection.write_text(json.dumps({
        "transport": "tcp", "ip": "127.0.0.1", "shell_port": ports[0], "iopub_port": ports[1],
        "stdin_port": ports[2], "control_port": ports[3], "hb_port": ports[4],
        "key": "a0436f6c-1916-498b-8eb9-e81ab9368e84", "signature_scheme": "hmac-sha256",
    }))
    kernel_libraries = _loaded_libraries(
        ["kernel", "--connection-file", str(connection)], {"RIGOR_HISTORY_FILE": ":memory:"},
        until="libzmq.so.5")
    assert any("libzmq.so.5" in name for name in kernel_libraries), kernel_libraries


def test_run_starts_once_and_still_gets_the_cpus_blas_kernels(tmp_path):
    # Debian 12's OpenBLAS falls back to generic "Prescott" kernels on CPUs newer than it; Rigor used to re-execute
    # itself with OPENBLAS_CORETYPE set, so every `rigor run` paid its start-up twice. Now the first product has
    # OpenBLAS choose again in the same process: the loader starts the program once, and the kernels are the CPU's.
    script = tmp_path / "blas.rigor"
    script.write_text('let m = Tensor([[1.0, 2.0], [3.0, 4.0]])\nprint(m.matmul(m))\nprint(reproducibility())\n')
    env = dict(os.environ, LD_DEBUG="files")
    env.pop("OPENBLAS_CORETYPE", None)
    result = subprocess.run([str(RIGOR), "run", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("initialize program:") == 1, result.stderr.count("initialize program:")
    kernels = next(line for line in result.stdout.splitlines() if line.startswith("blas kernels")).split()[-1]
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next(line for line in cpuinfo if line.startswith("flags")).split()
    if "avx2" in flags:
        generic = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Katmai", "Banias"}
        assert kernels not in generic, result.stdout
    assert "[[7.0, 10.0], [15.0, 22.0]]" in result.stdout, result.stdout
