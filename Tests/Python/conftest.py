"""Shared set-up for the Python tests of the Rigor kernel.

The tests run the release binary (`.build/release/rigor`, or `$RIGOR_BIN`), install its
kernelspec into a private Jupyter data directory with `rigor install --prefix`, and point
`JUPYTER_PATH` there, so they never touch the user's own kernelspecs.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RIGOR = Path(os.environ.get("RIGOR_BIN", ROOT / ".build" / "release" / "rigor"))
KERNEL_NAME = "rigor-test"

# Installed once per test session, before jupyter_client reads its paths.
_PREFIX = Path(tempfile.mkdtemp(prefix="rigor-kernelspec-"))
if RIGOR.exists():
    subprocess.run(
        [str(RIGOR), "install", "--prefix", str(_PREFIX), "--name", KERNEL_NAME, "--display-name", "Rigor (test)"],
        check=True,
        capture_output=True,
    )
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [str(_PREFIX / "share" / "jupyter")] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
)
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
# The kernels' history (an SQLite file) goes to this session's private directory, never the user's.
os.environ.setdefault("RIGOR_HISTORY_FILE", str(_PREFIX / "history.sqlite"))
# The kernels' run log too (a notebook's kernel would write runs.sqlite beside the notebook, in the repository).
os.environ.setdefault("RIGOR_RUN_LOG", str(_PREFIX / "runs.sqlite"))


def pytest_collection_modifyitems(config, items):
    if not RIGOR.exists():
        skip = pytest.mark.skip(reason=f"no rigor binary at {RIGOR}; run a release build first")
        for item in items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def rigor_binary():
    return RIGOR


@pytest.fixture(scope="session")
def kernel_name():
    return KERNEL_NAME


@pytest.fixture(scope="session")
def venv_bin():
    return Path(sys.executable).parent


@pytest.fixture(scope="session")
def notebook_runs(tmp_path_factory):
    """The tutorials' executions for this session: each tutorial runs once for the notebook, export and
    reproducibility tests (`notebook_runs.first(path)`), and again only where a test asks (`execute(path)`)."""
    from notebook_runs import NotebookRuns

    return NotebookRuns(tmp_path_factory.mktemp("notebooks"))
