"""MemoryError over the wire: a cell that asks for more memory than the engine's limit fails with a
MemoryError naming the size and the memory available, and the session and its variables survive."""

import os

import pytest

from rigor_client import RawKernel


@pytest.fixture(scope="module")
def kernel(kernel_name):
    raw = RawKernel(kernel_name)
    yield raw
    raw.close()


def result_text(iopub):
    results = [m for m in iopub if m["msg_type"] == "execute_result"]
    return results[0]["content"]["data"]["text/plain"] if results else None


def stdout(iopub):
    return "".join(m["content"]["text"] for m in iopub if m["msg_type"] == "stream")


def test_the_issue_cell_is_a_memory_error_and_the_session_survives(kernel):
    reply, _ = kernel.execute("let x = Tensor([1, 2, 3])\nlet name = \"kept\"")
    assert reply["content"]["status"] == "ok"
    reply, iopub = kernel.execute("let big = Tensor.zeros([100000, 100000, 1000])")
    content = reply["content"]
    assert content["status"] == "error"
    assert content["ename"] == "MemoryError"
    assert "zeros: [100000, 100000, 1000]: cannot allocate 36.4 TiB" in content["evalue"]
    assert "memory limit is available" in content["evalue"]
    errors = [m for m in iopub if m["msg_type"] == "error"]
    assert errors and errors[0]["content"]["ename"] == "MemoryError"
    # The variables defined before are still there, and the kernel is the same process.
    reply, iopub = kernel.execute("print(x)\nprint(name)")
    assert reply["content"]["status"] == "ok"
    assert stdout(iopub) == "Tensor(shape: [3], [1.0, 2.0, 3.0])\nkept\n"
    assert kernel.manager.is_alive()


def test_the_issue_cell_at_the_default_limit(kernel):
    # 40 GB: over the default limit on any machine with less than 53 GB of memory; more than that, and the
    # allocation succeeds lazily (pages untouched) and is freed at once, which is fine too.
    reply, iopub = kernel.execute("let big = Tensor.zeros([100000, 100000])\nbig.shape")
    if reply["content"]["status"] == "error":
        assert reply["content"]["ename"] == "MemoryError"
        assert "cannot allocate 37.3 GiB (10000000000 scalars)" in reply["content"]["evalue"]
    reply, iopub = kernel.execute("print(x)")
    assert stdout(iopub) == "Tensor(shape: [3], [1.0, 2.0, 3.0])\n"


def test_set_memory_limit_applies_to_every_path_then_resets(kernel):
    reply, _ = kernel.execute('setMemoryLimit("64M")')
    assert reply["content"]["status"] == "ok"
    _, iopub = kernel.execute("memoryLimit()")
    assert result_text(iopub) == str(64 << 20)
    cells = {
        "Tensor.zeros([5000, 5000])": "zeros: [5000, 5000]: cannot allocate 95.4 MiB",
        "Tensor.random([5000, 5000], seed: 1)": "uniform: [5000, 5000]: cannot allocate 95.4 MiB",
        "Tensor.zeros([5000, 1]) * Tensor.zeros([1, 5000])": "multiply: [5000, 1] × [1, 5000]: cannot allocate",
        "Tensor.zeros([5000, 1]).matmul(Tensor.zeros([1, 5000]))": "matmul: [5000, 1] × [1, 5000]: cannot allocate",
        "Dense(5000, 5000)": "cannot allocate 95.4 MiB",
        # 32 MiB of scalars fit, but not as script values (each far larger than a Float).
        "Tensor.zeros([8388608]).toArray()": "toArray: [8388608]: cannot allocate",
        "Dataset.digits().reshaped([1, 8, 8]).augmented(copies: 100)": "augmented: [1797, 1, 8, 8]: cannot allocate",
    }
    for code, message in cells.items():
        reply, _ = kernel.execute(code)
        assert reply["content"]["status"] == "error", code
        assert reply["content"]["ename"] == "MemoryError", code
        assert message in reply["content"]["evalue"], reply["content"]["evalue"]
        assert "64.0 MiB memory limit" in reply["content"]["evalue"], reply["content"]["evalue"]
    reply, iopub = kernel.execute("Tensor.zeros([1000, 1000]).shape")
    assert result_text(iopub) == "[1000, 1000]"
    reply, _ = kernel.execute("setMemoryLimit(nil)")
    assert reply["content"]["status"] == "ok"
    _, iopub = kernel.execute("memoryLimit() > 64 * 1024 * 1024")
    assert result_text(iopub) == "true"
    reply, iopub = kernel.execute("print(x)")
    assert stdout(iopub) == "Tensor(shape: [3], [1.0, 2.0, 3.0])\n"


def test_a_file_too_large_for_the_limit_is_not_loaded(kernel, tmp_path):
    path = tmp_path / "large.csv"
    path.write_text("a,y\n" + "1.5,0\n" * 400_000)  # 2.4 MB; parsing it takes several times that
    reply, _ = kernel.execute('setMemoryLimit("4M")')
    assert reply["content"]["status"] == "ok"
    try:
        reply, _ = kernel.execute(f'let table = Dataset.csv("{path}", target: "y")')
        assert reply["content"]["ename"] == "MemoryError", reply["content"]
        assert reply["content"]["evalue"].startswith("readCSV: cannot allocate 18.3 MiB"), reply["content"]["evalue"]
    finally:
        kernel.execute("setMemoryLimit(nil)")
    reply, iopub = kernel.execute(f'Dataset.csv("{path}", target: "y")')
    assert reply["content"]["status"] == "ok", reply["content"]
    reply, iopub = kernel.execute("print(x)")
    assert stdout(iopub) == "Tensor(shape: [3], [1.0, 2.0, 3.0])\n"


def test_the_environment_variable_sets_the_limit(kernel_name, monkeypatch):
    monkeypatch.setenv("RIGOR_MEMORY_LIMIT", "128M")
    raw = RawKernel(kernel_name)
    try:
        _, iopub = raw.execute("memoryLimit()")
        assert result_text(iopub) == str(128 << 20)
        reply, _ = raw.execute("Tensor.zeros([6000, 6000])")
        assert reply["content"]["ename"] == "MemoryError"
        assert "128.0 MiB memory limit" in reply["content"]["evalue"]
    finally:
        raw.close()
