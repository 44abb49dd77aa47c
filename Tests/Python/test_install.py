"""`rigor install` writes a kernelspec the way `python -m ipykernel install` does, and
`jupyter kernelspec list` finds it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import RIGOR


def install(*args, env=None):
    return subprocess.run([str(RIGOR), "install", *args], capture_output=True, text=True, env=env)


def kernelspecs(env):
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
        capture_output=True, text=True, env=env, check=True,
    )
    return json.loads(result.stdout)["kernelspecs"]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_PATH", "JUPYTER_DATA_DIR", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def check_spec(directory: Path, display_name: str):
    spec = json.loads((directory / "kernel.json").read_text())
    assert spec["argv"][0] == str(RIGOR.resolve())
    assert spec["argv"][1:] == ["kernel", "--connection-file", "{connection_file}"]
    assert spec["display_name"] == display_name
    assert spec["language"] == "rigor"
    assert spec["interrupt_mode"] == "message"
    for logo in ("logo-32x32.png", "logo-64x64.png", "logo-svg.svg"):
        assert (directory / logo).stat().st_size > 0


def test_prefix_install_is_listed(tmp_path):
    result = install("--prefix", str(tmp_path), "--name", "Rigor-Dev", "--display-name", "Rigor (dev)")
    assert result.returncode == 0, result.stderr
    directory = tmp_path / "share" / "jupyter" / "kernels" / "rigor-dev"
    check_spec(directory, "Rigor (dev)")
    specs = kernelspecs(clean_env(JUPYTER_PATH=str(tmp_path / "share" / "jupyter")))
    assert Path(specs["rigor-dev"]["resource_dir"]) == directory
    assert specs["rigor-dev"]["spec"]["display_name"] == "Rigor (dev)"


def test_user_install_goes_to_the_jupyter_data_dir(tmp_path):
    env = clean_env(JUPYTER_DATA_DIR=str(tmp_path / "data"))
    result = install("--user", env=env)
    assert result.returncode == 0, result.stderr
    check_spec(tmp_path / "data" / "kernels" / "rigor", "Rigor")
    assert "rigor" in kernelspecs(env)


def test_sys_prefix_install_goes_to_the_active_environment(tmp_path):
    result = install("--sys-prefix", "--name", "rigor-env", env=clean_env(VIRTUAL_ENV=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    check_spec(tmp_path / "share" / "jupyter" / "kernels" / "rigor-env", "Rigor")


def test_bad_arguments_are_refused(tmp_path):
    assert install("--user", "--prefix", str(tmp_path)).returncode != 0
    assert install("--prefix", str(tmp_path), "--name", "no/slash").returncode != 0
    assert install("--sys-prefix", env=clean_env()).returncode != 0
    assert not (tmp_path / "share").exists()
